#include "guest_ram.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <utility>

namespace phvrun {

GuestRam::GuestRam(GuestRam &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)),
      map_(std::exchange(other.map_, nullptr)), map_size_(std::exchange(other.map_size_, 0)) {}

GuestRam &GuestRam::operator=(GuestRam &&other) noexcept {
    if (this != &other) {
        if (map_)
            munmap(map_, map_size_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        map_ = std::exchange(other.map_, nullptr);
        map_size_ = std::exchange(other.map_size_, 0);
    }
    return *this;
}

GuestRam::~GuestRam() {
    if (map_)
        munmap(map_, map_size_);
}

// The whole reservation starts PROT_NONE and only the RAM between the guards becomes accessible: a host
// access that strays past either end of the slot (a bounds check off by one, a straddling access served
// from the host pointer) faults at once instead of reading or corrupting a neighbouring mapping.
//
// The RAM starts on a 2 MiB boundary and is advised for transparent huge pages (as QEMU advises its RAM
// blocks): a Linux boot touches hundreds of MiB, and one host fault per 2 MiB instead of per 4 KiB is a
// large part of its start-up time where faults are costly (a host that is itself a guest). Without THP
// (the advice fails, or the host's policy is "never") the RAM is the same, in small pages.
Expected<GuestRam> GuestRam::allocate(uint64_t size) {
    const size_t total = size_t(size + 2 * kGuard + kHugePage);
    void *p = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return Error{"cannot allocate " + std::to_string(size >> 20) + " MiB of guest RAM: " + std::strerror(errno)};
    const uintptr_t first = reinterpret_cast<uintptr_t>(p) + kGuard;
    auto *ram = reinterpret_cast<uint8_t *>((first + kHugePage - 1) & ~uintptr_t(kHugePage - 1));
    if (mprotect(ram, size_t(size), PROT_READ | PROT_WRITE) != 0) {
        const int e = errno;
        munmap(p, total);
        return Error{"cannot allocate " + std::to_string(size >> 20) + " MiB of guest RAM: " + std::strerror(e)};
    }
    madvise(ram, size_t(size), MADV_HUGEPAGE);   // advice only: small pages work the same
    GuestRam r;
    r.data_ = ram;
    r.size_ = size;
    r.map_ = p;
    r.map_size_ = total;
    return r;
}

} // namespace phvrun
