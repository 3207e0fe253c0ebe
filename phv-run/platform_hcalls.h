// Platform hcalls with no state of their own: H_GET_CPU_CHARACTERISTICS, H_RANDOM (the host's getrandom, behind the ibm,random node)
// and H_LOGICAL_CI_LOAD/STORE (cache-inhibited access to a logical address, which phv-run's RAM serves; no
// device sits outside RAM yet). And the RTAS event-scan, which has no event to report.
#pragma once
#include "guest_memory.h"
#include "hcalls.h"
#include "rtas.h"

namespace phvrun {

bool register_platform_hcalls(HcallTable &t, const GuestMemory &mem);
bool register_rtas_events(Rtas &rtas);

} // namespace phvrun
