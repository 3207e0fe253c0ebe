#include "guest_ram.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <utility>

namespace phvrun {

GuestRam::GuestRam(GuestRam &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

GuestRam &GuestRam::operator=(GuestRam &&other) noexcept {
    if (this != &other) {
        if (data_)
            munmap(data_, size_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

GuestRam::~GuestRam() {
    if (data_)
        munmap(data_, size_);
}

Expected<GuestRam> GuestRam::allocate(uint64_t size) {
    void *p = mmap(nullptr, size_t(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return Error{"cannot allocate " + std::to_string(size >> 20) + " MiB of guest RAM: " + std::strerror(errno)};
    GuestRam r;
    r.data_ = static_cast<uint8_t *>(p);
    r.size_ = size;
    return r;
}

} // namespace phvrun
