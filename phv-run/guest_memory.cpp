#include "guest_memory.h"

#include <cstring>

#include "byte_order.h"

namespace phvrun {

bool GuestMemory::contains(uint64_t gpa, uint64_t len) const { return host_ && range_fits(gpa, len, size_); }

std::span<uint8_t> GuestMemory::span(uint64_t gpa, uint64_t len) const {
    if (!contains(gpa, len))
        return {};
    return {host_ + gpa, size_t(len)};
}

bool GuestMemory::read(uint64_t gpa, void *dst, uint64_t len) const {
    if (!contains(gpa, len))
        return false;
    if (len)
        std::memcpy(dst, host_ + gpa, len);
    return true;
}

bool GuestMemory::write(uint64_t gpa, const void *src, uint64_t len) const {
    if (!contains(gpa, len))
        return false;
    if (len)
        std::memcpy(host_ + gpa, src, len);
    return true;
}

bool GuestMemory::fill(uint64_t gpa, uint8_t value, uint64_t len) const {
    if (!contains(gpa, len))
        return false;
    if (len)
        std::memset(host_ + gpa, value, len);
    return true;
}

std::optional<uint32_t> GuestMemory::read_be32(uint64_t gpa) const {
    if (!contains(gpa, 4))
        return std::nullopt;
    return load_be32(host_ + gpa);
}

bool GuestMemory::write_be32(uint64_t gpa, uint32_t value) const {
    if (!contains(gpa, 4))
        return false;
    store_be32(host_ + gpa, value);
    return true;
}

std::optional<std::string> GuestMemory::read_string(uint64_t gpa, size_t max_len) const {
    if (!contains(gpa, 1))
        return std::nullopt;
    const uint64_t avail = size_ - gpa;
    const size_t limit = avail < max_len ? size_t(avail) : max_len;
    const uint8_t *p = host_ + gpa;
    const void *nul = std::memchr(p, 0, limit);
    const size_t len = nul ? size_t(static_cast<const uint8_t *>(nul) - p) : limit;
    return std::string(reinterpret_cast<const char *>(p), len);
}

} // namespace phvrun
