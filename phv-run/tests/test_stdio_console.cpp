// The stdio console on pipes: output goes out whole, input is polled without blocking, and a closed input
// or output stops neither phv-run nor the guest.
#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <string>
#include <fcntl.h>
#include <unistd.h>

#include "stdio_console.h"
#include "vty_irq.h"
#include "xics.h"

#include <atomic>
#include <thread>

namespace phvrun {
namespace {

struct Pipe {
    int r = -1, w = -1;
    Pipe() {
        int fds[2];
        EXPECT_EQ(pipe(fds), 0);
        r = fds[0], w = fds[1];
    }
    ~Pipe() {
        if (r >= 0)
            close(r);
        if (w >= 0)
            close(w);
    }
};

std::span<const uint8_t> bytes(const char *s) { return {reinterpret_cast<const uint8_t *>(s), std::strlen(s)}; }

TEST(StdioConsole, WritesReachTheOutput) {
    Pipe out;
    StdioConsole c(-1, out.w);
    c.write(bytes("hello\n"));
    char buf[16] = {};
    ASSERT_EQ(read(out.r, buf, sizeof buf), 6);
    EXPECT_STREQ(buf, "hello\n");
}

TEST(StdioConsole, ReadNeverBlocksAndStopsAtEof) {
    Pipe in;
    StdioConsole c(in.r, -1);
    uint8_t buf[16];
    EXPECT_EQ(c.read(buf), 0u) << "nothing written yet: must return at once";
    ASSERT_EQ(write(in.w, "abc", 3), 3);
    ASSERT_EQ(c.read(buf), 3u);
    EXPECT_EQ(std::string(buf, buf + 3), "abc");
    close(in.w);
    in.w = -1;
    EXPECT_EQ(c.read(buf), 0u);
    EXPECT_EQ(c.read(buf), 0u);
}

TEST(StdioConsole, BrokenOutputIsDropped) {
    std::signal(SIGPIPE, SIG_IGN);
    Pipe out;
    close(out.r);
    out.r = -1;
    StdioConsole c(-1, out.w);
    c.write(bytes("lost"));
    c.write(bytes("lost again"));
    SUCCEED() << "no crash, no hang";
}

TEST(StdioConsole, BadInputDescriptorReadsNothing) {
    StdioConsole c(-1, -1);
    uint8_t buf[4];
    EXPECT_EQ(c.read(buf), 0u);
}

} // namespace
} // namespace phvrun

namespace phvrun {
namespace {

// The vty input interrupt: a key on stdin raises the source once; the guest reading the input empty re-arms it.
TEST(VtyInputInterrupt, InputRaisesTheSourceOncePerDrain) {
    Pipe in;
    StdioConsole c(in.r, -1);
    std::atomic<int> raises{0};
    Xics xics(1, [&](uint32_t, bool level) { raises += level; });
    xics.set_xive(Xics::kFirstSource, 0, 5);
    EXPECT_FALSE(c.wait_readable(std::chrono::milliseconds(1)));
    VtyInputInterrupt irq(c, xics, Xics::kFirstSource);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(raises.load(), 0) << "no input, no interrupt";
    ASSERT_EQ(write(in.w, "ab", 2), 2);
    for (int i = 0; i < 200 && raises.load() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(raises.load(), 1);
    EXPECT_EQ(xics.accept(0), 0xff001000u);
    xics.eoi(0, 0xff001000);
    const uint64_t before = c.drained();
    uint8_t buf[16];
    EXPECT_EQ(c.read(buf), 2u) << "less than asked for: drained";
    EXPECT_EQ(c.drained(), before + 1);
    ASSERT_EQ(write(in.w, "c", 1), 1);
    for (int i = 0; i < 200 && raises.load() == 1; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(raises.load(), 2) << "re-armed by the drain";
}

} // namespace
} // namespace phvrun

namespace phvrun {
namespace {

// The end of the run cancels the vty thread's waits: phv-run exits when the guest powers off, not up to a
// second later (a guest that never reads its input leaves the thread waiting for a drain). Each wait here is
// an hour long: without the cancel the test hangs and the harness's timeout fails it.
TEST(StdioConsole, CancelledWaitsReturnAtOnce) {
    Pipe in;
    StdioConsole c(in.r, -1);
    const uint64_t seen = c.drained();
    std::thread waiter([&] { c.wait_drained(seen, std::chrono::hours(1)); });
    std::thread poller([&] { EXPECT_FALSE(c.wait_readable(std::chrono::hours(1))); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    c.cancel_waits();
    waiter.join();
    poller.join();
    ASSERT_EQ(write(in.w, "x", 1), 1);
    EXPECT_FALSE(c.wait_readable(std::chrono::hours(1))) << "cancelled: later waits do not wait either";
    c.wait_drained(seen, std::chrono::hours(1));
}
} // namespace
} // namespace phvrun
