// Runs one guest from parsed options to its end: maps the files, creates the VM and its RAM, prepares the
// flattened-tree boot, starts a thread per vcpu and waits for power-off (or an error). Returns phv-run's
// exit status (see usage_text()); every failure has already been reported on stderr as "phv-run: ...".
#pragma once
#include "options.h"

namespace phvrun {

int run_guest(const Options &opts);

} // namespace phvrun
