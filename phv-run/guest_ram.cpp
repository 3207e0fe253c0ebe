#include "guest_ram.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <utility>

namespace phvrun {

namespace {

void unmap(uint8_t *data, uint64_t size) {
    if (data)
        munmap(data - GuestRam::kGuard, size_t(size + 2 * GuestRam::kGuard));
}

} // namespace

GuestRam::GuestRam(GuestRam &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

GuestRam &GuestRam::operator=(GuestRam &&other) noexcept {
    if (this != &other) {
        unmap(data_, size_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

GuestRam::~GuestRam() { unmap(data_, size_); }

// The whole reservation starts PROT_NONE and only the RAM between the guards becomes accessible: a host
// access that strays past either end of the slot (a bounds check off by one, a straddling access served
// from the host pointer) faults at once instead of reading or corrupting a neighbouring mapping.
Expected<GuestRam> GuestRam::allocate(uint64_t size) {
    const size_t total = size_t(size + 2 * kGuard);
    void *p = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return Error{"cannot allocate " + std::to_string(size >> 20) + " MiB of guest RAM: " + std::strerror(errno)};
    uint8_t *ram = static_cast<uint8_t *>(p) + kGuard;
    if (mprotect(ram, size_t(size), PROT_READ | PROT_WRITE) != 0) {
        const int e = errno;
        munmap(p, total);
        return Error{"cannot allocate " + std::to_string(size >> 20) + " MiB of guest RAM: " + std::strerror(e)};
    }
    GuestRam r;
    r.data_ = ram;
    r.size_ = size;
    return r;
}

} // namespace phvrun
