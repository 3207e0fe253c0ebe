// The platform services phv-run offers a guest, in one place: the hcalls it serves itself and the RTAS
// functions behind KVMPPC_H_RTAS. The device tree's ibm,hypertas-functions and RTAS token properties are
// read back from the tables filled here, so the tree never advertises what is not served.
#pragma once
#include <cstdint>
#include <functional>

#include "console.h"
#include "debug_log.h"
#include "expected.h"
#include "hcalls.h"
#include "rtas.h"
#include "rtas_functions.h"
#include "splpar.h"
#include "vm_control.h"
#include "xics.h"

namespace phvrun {

struct Services {
    HcallTable &hcalls;
    Rtas &rtas;
    Console &console;
    VmControl &control;
    TimeOfDay &tod;
    DebugLog &log;
    std::function<bool(uint32_t)> interrupts_le;  // for start-cpu; may be empty (big-endian)
    Xics &xics;
    VpaRegistry &vpa;
    GuestMemory mem;
};

// Fails only on a programming error (a number registered twice); the message names what clashed.
Expected<bool> register_services(const Services &s);

} // namespace phvrun
