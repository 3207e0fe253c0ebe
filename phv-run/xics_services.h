// Registers the XICS hcalls (the hcall-interrupt set: H_CPPR, H_IPI, H_XIRR, H_XIRR_X, H_EOI, H_IPOLL) and
// RTAS calls (ibm,set-xive, ibm,get-xive, ibm,int-off, ibm,int-on). False if a number is already taken.
#pragma once
#include "hcalls.h"
#include "rtas.h"
#include "xics.h"

namespace phvrun {

bool register_xics_services(HcallTable &hcalls, Rtas &rtas, Xics &xics);

} // namespace phvrun
