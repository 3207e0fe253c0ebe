// The vty's input interrupt: a thread that waits for input on phv-run's stdin and raises the vty's XICS
// source, so Linux's hvc driver reads the console when a key arrives instead of polling it (which it does
// at up to 2 s intervals when idle). The source is an edge: it fires again only after the guest has read
// the input empty, or after a second if it has not (the driver may not have enabled it yet).
#pragma once
#include <atomic>
#include <cstdint>
#include <thread>

#include "stdio_console.h"
#include "xics.h"

namespace phvrun {

class VtyInputInterrupt {
public:
    VtyInputInterrupt(const StdioConsole &console, Xics &xics, uint32_t irq);
    ~VtyInputInterrupt();   // stops the thread and joins it
    VtyInputInterrupt(const VtyInputInterrupt &) = delete;
    VtyInputInterrupt &operator=(const VtyInputInterrupt &) = delete;

private:
    void run();

    const StdioConsole &console_;
    Xics &xics_;
    uint32_t irq_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

} // namespace phvrun
