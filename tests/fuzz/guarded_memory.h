// Host memory for a fuzzed guest's slots with an inaccessible page on each side: an access by the core that
// strays past a slot's ends (a bounds check off by one, a length not clipped to the slot) faults at once and
// libFuzzer reports it with its input, instead of quietly reading a neighbour. ASan sees heap memory only, so
// slot memory comes from mmap and the guard pages do this job.
#pragma once
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace phvfuzz {

class GuardedMemory {
public:
    static constexpr uint64_t kPage = 4096;

    explicit GuardedMemory(uint64_t size) : size_(size) {
        void *p = mmap(nullptr, size + 2 * kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            std::abort();   // the fuzzer's own set-up, not the code under test
        base_ = static_cast<uint8_t *>(p);
        if (mprotect(base_ + kPage, size, PROT_READ | PROT_WRITE) != 0)
            std::abort();
    }
    ~GuardedMemory() { munmap(base_, size_ + 2 * kPage); }
    GuardedMemory(const GuardedMemory &) = delete;
    GuardedMemory &operator=(const GuardedMemory &) = delete;

    uint8_t *data() const { return base_ + kPage; }
    uint64_t size() const { return size_; }
    // Private anonymous pages given back read as zeros at the next touch. An input touches a few pages of a
    // slot, so this costs what it touched, where writing the whole slot was a fifth of fuzz-nested-migrate.
    void clear() {
        if (madvise(data(), size_, MADV_DONTNEED) != 0)
            std::memset(data(), 0, size_);
    }
    // Zeros written over the slot, its pages kept: for a target that reads the whole slot after every call
    // (fuzz-nested-v1's memory check), where each page given back would fault again on that read.
    void zero() { std::memset(data(), 0, size_); }

private:
    uint8_t *base_ = nullptr;
    uint64_t size_ = 0;
};

} // namespace phvfuzz
