// The host side of the guest's console (the hvterm vty and RTAS display-character write to it). An interface
// so the hcalls can be tested without a terminal.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace phvrun {

class Console {
public:
    virtual ~Console() = default;
    virtual void write(std::span<const uint8_t> bytes) = 0;
    // Never blocks: returns the bytes available now (0 if none).
    virtual size_t read(std::span<uint8_t> out) = 0;
};

} // namespace phvrun
