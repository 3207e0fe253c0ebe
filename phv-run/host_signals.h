// SIGINT, SIGTERM and SIGHUP end the run cleanly (status 128+N, as a shell reports a killed program) instead
// of killing phv-run between two guest instructions; SIGPIPE is ignored so a closed stdout only drops
// console output.
#pragma once
#include "vm_control.h"

namespace phvrun {

// Call before starting any other thread: it blocks the signals in the calling thread, which every thread
// created afterwards inherits, and starts a detached thread that waits for them.
void handle_host_signals(VmControl &control);

} // namespace phvrun
