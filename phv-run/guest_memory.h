// Bounds-checked access to guest RAM from the VMM side. Every guest-supplied address (RTAS buffers, os-term
// strings, load targets) goes through here, so a bad address is an error value, never a host fault.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace phvrun {

class GuestMemory {
public:
    GuestMemory() = default;
    GuestMemory(uint8_t *host, uint64_t size) : host_(host), size_(size) {}

    uint64_t size() const { return size_; }
    bool contains(uint64_t gpa, uint64_t len) const;

    // Host view of [gpa, gpa+len), or an empty span if any of it is outside RAM.
    std::span<uint8_t> span(uint64_t gpa, uint64_t len) const;

    bool read(uint64_t gpa, void *dst, uint64_t len) const;
    bool write(uint64_t gpa, const void *src, uint64_t len) const;
    bool fill(uint64_t gpa, uint8_t value, uint64_t len) const;

    std::optional<uint32_t> read_be32(uint64_t gpa) const;
    bool write_be32(uint64_t gpa, uint32_t value) const;

    // A NUL-terminated string of at most max_len bytes (shorter if RAM ends first); nullopt if gpa is not
    // in RAM.
    std::optional<std::string> read_string(uint64_t gpa, size_t max_len) const;

private:
    uint8_t *host_ = nullptr;
    uint64_t size_ = 0;
};

} // namespace phvrun
