#include "stdio_console.h"

#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace phvrun {

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

} // namespace phvrun
