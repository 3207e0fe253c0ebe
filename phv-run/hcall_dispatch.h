// What a vcpu thread does with a PHV_EXIT_PAPR_HCALL: run the registered handler, or answer H_FUNCTION for an
// hcall phv-run does not serve (PAPR: "function not supported") and say so once on stderr, so a guest that
// probes or loops on an unserved hcall neither crashes nor floods the log.
#pragma once
#include "debug_log.h"
#include "hcalls.h"

namespace phvrun {

// Returns the value for r3; a handler's outputs are left in a.args (for r4..r12).
int64_t dispatch_hcall(const HcallTable &table, DebugLog &log, const HcallContext &ctx, HcallArgs &a);

} // namespace phvrun
