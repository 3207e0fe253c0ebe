#include "memory/zero_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace phv {

void *map_zero_pages(size_t bytes) {
    // MAP_NORESERVE: a page is committed when first written, so a large sparse table (a memslot's per-page
    // bytes for a slot of many TiB) is not refused for memory it will never use.
    void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    return p;
}

void *map_huge_pages(size_t bytes, int prot) {
    constexpr size_t kHuge = size_t(2) << 20;
    const size_t map = bytes + kHuge;
    void *p = mmap(nullptr, map, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return nullptr;
    auto *raw = static_cast<uint8_t *>(p);
    auto *base = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(raw) + kHuge - 1) & ~(kHuge - 1));
    if (base != raw)
        munmap(raw, size_t(base - raw));
    if (const size_t tail = size_t(raw + map - (base + bytes)))
        munmap(base + bytes, tail);
#ifdef MADV_HUGEPAGE
    madvise(base, bytes, MADV_HUGEPAGE);   // advice only
#endif
    return base;
}

void unmap_zero_pages(void *p, size_t bytes) {
    if (p)
        munmap(p, bytes);
}

void *ZeroPagePool::take() {
    {
        std::lock_guard g(lock_);
        if (!free_.empty()) {
            void *p = free_.back();
            free_.pop_back();
            return p;
        }
    }
    return map_zero_pages(bytes_);
}

void ZeroPagePool::give(void *p) {
    if (!p)
        return;
    {
        std::lock_guard g(lock_);
        if (free_.size() < keep_) {
            free_.push_back(p);   // within the capacity reserved at construction: never throws
            return;
        }
    }
    unmap_zero_pages(p, bytes_);
}

} // namespace phv
