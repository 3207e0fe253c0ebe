#include "host_signals.h"

#include <csignal>
#include <pthread.h>
#include <thread>

namespace phvrun {

void handle_host_signals(VmControl &control) {
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([&control, set] {
        for (;;) {
            int sig = 0;
            if (sigwait(&set, &sig) == 0)
                control.request_exit(128 + sig);
        }
    }).detach();
}

} // namespace phvrun
