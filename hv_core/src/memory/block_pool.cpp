#include "memory/block_pool.h"

#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <mutex>

#include "memory/zero_pages.h"

#if defined(__SANITIZE_ADDRESS__)
#define PHV_BLOCK_POOL_IS_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PHV_BLOCK_POOL_IS_HEAP 1
#endif
#endif

namespace phv::block_pool {

#ifdef PHV_BLOCK_POOL_IS_HEAP

void *allocate(size_t bytes) { return ::operator new(bytes); }
void deallocate(void *p, size_t) noexcept { ::operator delete(p); }

#else

namespace {

constexpr size_t kGranule = 32;             // a Decoded's size, and a Block's alignment is 8
constexpr size_t kLargest = 4096;           // a Block and 64 instructions (isa::kMaxBlockInsns) fit below
constexpr size_t kChunk = size_t(2) << 20;  // one transparent huge page

struct FreePiece {
    FreePiece *next;
};

class Pool {
public:
    void *take(size_t bytes) {
        const size_t cls = (bytes + kGranule - 1) / kGranule;
        std::lock_guard lock(mutex_);
        if (FreePiece *p = free_[cls]) {
            free_[cls] = p->next;
            return p;
        }
        const size_t size = cls * kGranule;
        if (size_t(end_ - cursor_) < size && !new_chunk())
            return nullptr;
        void *p = cursor_;
        cursor_ += size;
        return p;
    }
    void give(void *p, size_t bytes) noexcept {
        const size_t cls = (bytes + kGranule - 1) / kGranule;
        std::lock_guard lock(mutex_);
        free_[cls] = new (p) FreePiece{free_[cls]};
    }

private:
    // The rest of the current chunk is dropped (at most one piece's worth, under 4 KiB of 2 MiB).
    bool new_chunk() {
        auto *chunk = static_cast<uint8_t *>(map_huge_pages(kChunk, PROT_READ | PROT_WRITE));
        if (!chunk)
            return false;
        cursor_ = chunk, end_ = chunk + kChunk;
        return true;
    }

    std::mutex mutex_;
    std::array<FreePiece *, kLargest / kGranule + 1> free_{};
    uint8_t *cursor_ = nullptr, *end_ = nullptr;
};

Pool &pool() {
    static Pool *p = new Pool;   // never destroyed: blocks may die in other static destructors
    return *p;
}

} // namespace

void *allocate(size_t bytes) {
    if (bytes == 0 || bytes > kLargest)
        return ::operator new(bytes);
    if (void *p = pool().take(bytes))
        return p;
    throw std::bad_alloc();
}

void deallocate(void *p, size_t bytes) noexcept {
    if (!p)
        return;
    if (bytes == 0 || bytes > kLargest)
        ::operator delete(p);
    else
        pool().give(p, bytes);
}

#endif

} // namespace phv::block_pool
