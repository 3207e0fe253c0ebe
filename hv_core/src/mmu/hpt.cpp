#include "mmu/hpt.h"

#include <sys/mman.h>

#include <cerrno>
#include <utility>

#include "memory/zero_pages.h"

namespace phv::mmu {

Hpt::~Hpt() {
    if (uint8_t *m = mem_.load())
        munmap(m, size_);
    unmap_marks(marks_, order_);
}

int Hpt::allocate(unsigned order) {
    if (order < kMinOrder || order > kMaxOrder)
        return -EINVAL;
    uint8_t *old = mem_.load();
    if (old && order == order_) {
        // Dropping the pages gives zero-filled ones back: a clear that costs nothing for untouched groups.
        if (madvise(old, size_, MADV_DONTNEED) != 0)
            return -ENOMEM;
        if (recording())
            mark_all();
        return 0;
    }
    std::atomic<uint64_t> *marks = nullptr;
    if (const int r = prepare_marks(order, marks))
        return r;
    const uint64_t size = 1ull << order;
    // Anonymous memory is zero (every entry invalid) and costs host memory only where the guest enters PTEs;
    // in huge pages, since the VRMA's entries alone touch every group of a small table.
    void *p = map_huge_pages(size, PROT_READ | PROT_WRITE);
    if (!p) {
        unmap_marks(marks, order);
        return -ENOMEM;
    }
    if (old)
        munmap(old, size_);
    const unsigned old_order = order_;
    size_ = size;
    order_ = order;
    mem_.store(static_cast<uint8_t *>(p), std::memory_order_release);
    install_marks(marks, old_order);
    return 0;
}

int Hpt::swap_tables(Hpt &other) {
    std::atomic<uint64_t> *marks = nullptr;
    if (const int r = prepare_marks(other.order_, marks))
        return r;
    const unsigned old_order = order_;
    uint8_t *mine = mem_.load();
    mem_.store(other.mem_.load(), std::memory_order_release);
    other.mem_.store(mine, std::memory_order_release);
    std::swap(size_, other.size_);
    std::swap(order_, other.order_);
    install_marks(marks, old_order);
    return 0;
}

} // namespace phv::mmu
