#include "stdio_console.h"

#include <cerrno>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace phvrun {

StdioConsole::StdioConsole(int in_fd, int out_fd)
    : in_(in_fd), out_(out_fd), cancel_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

StdioConsole::~StdioConsole() {
    if (cancel_fd_ >= 0)
        ::close(cancel_fd_);
}

void StdioConsole::write(std::span<const uint8_t> bytes) {
    size_t done = 0;
    while (done < bytes.size() && !out_broken_.load(std::memory_order_relaxed)) {
        const ssize_t n = ::write(out_, bytes.data() + done, bytes.size() - done);
        if (n > 0)
            done += size_t(n);
        else if (n < 0 && errno == EINTR)
            continue;
        else
            out_broken_.store(true, std::memory_order_relaxed);
    }
}

size_t StdioConsole::read(std::span<uint8_t> out) {
    const size_t n = read_some(out);
    if (n < out.size()) {
        {
            std::lock_guard g(drain_lock_);
            ++drained_;
        }
        drain_cv_.notify_all();
    }
    return n;
}

size_t StdioConsole::read_some(std::span<uint8_t> out) {
    if (out.empty() || in_closed_.load(std::memory_order_relaxed))
        return 0;
    struct pollfd p = {in_, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0)
        return 0;
    if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) {
        if (p.revents & POLLNVAL)
            in_closed_.store(true, std::memory_order_relaxed);
        return 0;
    }
    const ssize_t n = ::read(in_, out.data(), out.size());
    if (n > 0)
        return size_t(n);
    if (n == 0 || (errno != EINTR && errno != EAGAIN))
        in_closed_.store(true, std::memory_order_relaxed);
    return 0;
}

bool StdioConsole::wait_readable(std::chrono::milliseconds timeout) const {
    if (closed())
        return false;
    // Without an eventfd (out of descriptors) the wait still ends at its timeout.
    struct pollfd p[2] = {{in_, POLLIN, 0}, {cancel_fd_, POLLIN, 0}};
    if (::poll(p, cancel_fd_ >= 0 ? 2 : 1, int(timeout.count())) <= 0 || (p[1].revents & POLLIN))
        return false;
    return p[0].revents & (POLLIN | POLLHUP | POLLERR);
}

uint64_t StdioConsole::drained() const {
    std::lock_guard g(drain_lock_);
    return drained_;
}

void StdioConsole::wait_drained(uint64_t seen, std::chrono::milliseconds timeout) const {
    std::unique_lock g(drain_lock_);
    drain_cv_.wait_for(g, timeout, [&] { return drained_ != seen || cancelled_; });
}

void StdioConsole::cancel_waits() const {
    {
        std::lock_guard g(drain_lock_);
        cancelled_ = true;
    }
    drain_cv_.notify_all();
    const uint64_t one = 1;
    if (cancel_fd_ >= 0) {
        // EAGAIN (the counter is full) leaves it readable, which is all a waiter needs.
        [[maybe_unused]] const ssize_t n = ::write(cancel_fd_, &one, sizeof one);
    }
}

RawTerminal::RawTerminal(int fd) : fd_(fd) {
    struct termios t;
    if (!isatty(fd) || tcgetattr(fd, &t) != 0)
        return;
    saved_ = t;
    t.c_lflag &= ~tcflag_t(ICANON | ECHO | ECHONL | IEXTEN);
    t.c_iflag &= ~tcflag_t(ICRNL | INLCR | IXON);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(fd, TCSANOW, &t);
}

RawTerminal::~RawTerminal() {
    if (saved_)
        tcsetattr(fd_, TCSANOW, &*saved_);
}

} // namespace phvrun
