// The guest console on phv-run's own stdin/stdout: what the hvterm vty and RTAS display-character use when
// phv-run runs a guest (tests use an in-memory Console instead).
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

#include <termios.h>

#include "console.h"

namespace phvrun {

class StdioConsole final : public Console {
public:
    StdioConsole(int in_fd = 0, int out_fd = 1);
    ~StdioConsole() override;

    // Unbuffered, so guest output and phv-run's stderr lines appear in the order they happened.
    void write(std::span<const uint8_t> bytes) override;
    // Polls without waiting: a guest spinning on H_GET_TERM_CHAR must not block its vcpu.
    size_t read(std::span<uint8_t> out) override;

    // For the vty's input interrupt: waits until input (or EOF) is there to read; false on timeout or once
    // stdin is closed.
    bool wait_readable(std::chrono::milliseconds timeout) const;
    bool closed() const { return in_closed_.load(std::memory_order_relaxed); }
    // Counts the reads that emptied the input (returned less than asked for); wait_drained() waits until the
    // count moves past `seen` or the timeout passes.
    uint64_t drained() const;
    void wait_drained(uint64_t seen, std::chrono::milliseconds timeout) const;
    // Ends the two waits above now and makes later ones return at once: the run is over, and a waiter
    // sitting out its timeout would hold phv-run's exit back by up to a second.
    void cancel_waits() const;

private:
    size_t read_some(std::span<uint8_t> out);

    int in_, out_;
    mutable std::mutex drain_lock_;
    mutable std::condition_variable drain_cv_;
    uint64_t drained_ = 0;
    mutable bool cancelled_ = false;  // under drain_lock_
    int cancel_fd_;                   // an eventfd, readable once cancel_waits() ran: wakes wait_readable()'s poll
    std::atomic<bool> in_closed_{false};  // EOF or error on stdin: stop polling it
    std::atomic<bool> out_broken_{false};  // stdout gone (EPIPE): drop output, keep the guest running
};

// While it lives, a terminal on stdin passes keys straight through (no line editing, no local echo: the
// guest echoes); Ctrl-C still signals phv-run, which ends the run. Restores the terminal when destroyed.
class RawTerminal {
public:
    explicit RawTerminal(int fd = 0);
    ~RawTerminal();
    RawTerminal(const RawTerminal &) = delete;
    RawTerminal &operator=(const RawTerminal &) = delete;

private:
    int fd_;
    std::optional<struct termios> saved_;
};

} // namespace phvrun
