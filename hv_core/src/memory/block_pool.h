// Memory for predecoded blocks (vcpu/block_cache.h) and their instruction arrays.
//
// A Linux boot builds ~40,000 blocks and drops a quarter of them again. From the C++ heap each new one
// was likely to land on a page never touched before, and on a virtualised host every such 4 KiB page
// fault is dear: they were the boot's largest single system cost. The pool carves blocks out of 2 MiB
// chunks in transparent huge pages (one fault per chunk where the host allows THP) and keeps freed pieces
// on free lists by size, for the next block of that size, in any VM of the process. Chunks are never
// given back: the pool holds what the process's blocks needed at most.
//
// Under AddressSanitizer the pool is the plain heap, so that a block used after it died is reported.
#pragma once
#include <cstddef>
#include <new>

namespace phv::block_pool {

void *allocate(size_t bytes);
void deallocate(void *p, size_t bytes) noexcept;

// For containers a block owns (its instructions).
template <class T>
struct Allocator {
    using value_type = T;
    Allocator() noexcept = default;
    template <class U>
    Allocator(const Allocator<U> &) noexcept {}
    T *allocate(size_t n) {
        if (n > size_t(-1) / sizeof(T))
            throw std::bad_array_new_length();
        return static_cast<T *>(block_pool::allocate(n * sizeof(T)));
    }
    void deallocate(T *p, size_t n) noexcept { block_pool::deallocate(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const Allocator<U> &) const noexcept { return true; }
};

} // namespace phv::block_pool
