// The HPT's record of changed PTE groups, the phv side of what KVM's HTAB fd does with HPTE_GR_MODIFIED: a
// migration reads the whole table once and then, pass after pass, only the groups written since the last
// pass, so the stopped pass carries what changed at the end rather than the whole table.
//
// A bit per group (8 entries, 128 bytes) rather than KVM's flag per entry: a guest writes a group's
// entries together (H_ENTER searches its group), the stream sends runs of entries anyway, and the bitmap is
// 1/1024 of the table. It is mapped like the table (zero, reserved lazily) when a record starts and stays
// until the table is replaced, so a vcpu that saw the record on a moment ago never marks freed memory.
#include <sys/mman.h>

#include <bit>
#include <cerrno>

#include "mmu/hpt.h"

namespace phv::mmu {

namespace {
uint64_t mark_words(unsigned order) { return (1ull << (order - 7)) / 64; }
} // namespace

std::atomic<uint64_t> *Hpt::map_marks(unsigned order) {
    void *p = mmap(nullptr, mark_words(order) * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? nullptr : static_cast<std::atomic<uint64_t> *>(p);
}

void Hpt::unmap_marks(std::atomic<uint64_t> *marks, unsigned order) {
    if (marks)
        munmap(marks, mark_words(order) * 8);
}

int Hpt::prepare_marks(unsigned order, std::atomic<uint64_t> *&out) const {
    out = nullptr;
    if (!recording())
        return 0;
    out = map_marks(order);
    return out ? 0 : -ENOMEM;
}

void Hpt::install_marks(std::atomic<uint64_t> *marks, unsigned old_order) {
    unmap_marks(marks_, old_order);
    marks_ = marks;
    if (marks_)
        mark_all();
}

void Hpt::mark_all() {
    for (uint64_t w = 0, n = mark_words(order_); w < n; ++w)
        marks_[w].store(~0ull, std::memory_order_release);
}

int Hpt::start_record() {
    if (present()) {
        if (!marks_ && !(marks_ = map_marks(order_)))
            return -ENOMEM;
        for (uint64_t w = 0, n = mark_words(order_); w < n; ++w)
            marks_[w].store(0, std::memory_order_relaxed);
    }
    // Without a table there is nothing to mark; allocate() makes the bitmap with it.
    recording_.store(true, std::memory_order_release);
    return 0;
}

int64_t Hpt::take_changes(unsigned order, uint64_t first, uint64_t n, uint64_t *out) {
    if (!recording())
        return -ENXIO;
    if (!present() || order != order_)
        return -ESTALE;
    if (first % 64 || first > groups() || n > groups() - first)
        return -EINVAL;
    int64_t count = 0;
    for (uint64_t i = 0; i < n; i += 64) {
        const uint64_t want = n - i >= 64 ? ~0ull : (1ull << (n - i)) - 1;
        const uint64_t bits = marks_[(first + i) / 64].fetch_and(~want, std::memory_order_acq_rel) & want;
        out[i / 64] = bits;
        count += std::popcount(bits);
    }
    return count;
}

} // namespace phv::mmu
