#include "vty_irq.h"

namespace phvrun {

namespace {
// How often the thread looks at stdin's closing while nothing happens (stop_ cancels the waits), and how long
// it waits for the guest to read.
constexpr std::chrono::milliseconds kPollSlice{200};
constexpr std::chrono::milliseconds kRetrigger{1000};
} // namespace

VtyInputInterrupt::VtyInputInterrupt(const StdioConsole &console, Xics &xics, uint32_t irq)
    : console_(console), xics_(xics), irq_(irq), thread_([this] { run(); }) {}

VtyInputInterrupt::~VtyInputInterrupt() {
    stop_.store(true);
    console_.cancel_waits();
    thread_.join();
}

void VtyInputInterrupt::run() {
    while (!stop_.load() && !console_.closed()) {
        if (!console_.wait_readable(kPollSlice))
            continue;
        const uint64_t seen = console_.drained();
        xics_.trigger(irq_);
        console_.wait_drained(seen, kRetrigger);
    }
}

} // namespace phvrun
