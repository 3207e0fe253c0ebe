// The guest console on phv-run's own stdin/stdout: what the hvterm vty and RTAS display-character use when
// phv-run runs a guest (tests use an in-memory Console instead).
#pragma once
#include <atomic>

#include "console.h"

namespace phvrun {

class StdioConsole final : public Console {
public:
    StdioConsole(int in_fd = 0, int out_fd = 1) : in_(in_fd), out_(out_fd) {}

    // Unbuffered, so guest output and phv-run's stderr lines appear in the order they happened.
    void write(std::span<const uint8_t> bytes) override;
    // Polls without waiting: a guest spinning on H_GET_TERM_CHAR must not block its vcpu.
    size_t read(std::span<uint8_t> out) override;

private:
    int in_, out_;
    std::atomic<bool> in_closed_{false};  // EOF or error on stdin: stop polling it
    std::atomic<bool> out_broken_{false};  // stdout gone (EPIPE): drop output, keep the guest running
};

} // namespace phvrun
