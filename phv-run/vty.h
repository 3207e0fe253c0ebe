// The hvterm1 virtual terminal at /vdevice/vty@71000000: H_PUT_TERM_CHAR and H_GET_TERM_CHAR (PAPR 14.5.6.5)
// backed by a Console.
#pragma once
#include "console.h"
#include "hcalls.h"

namespace phvrun {

// The XICS source of the vty's input interrupt (the first one; it is phv-run's only interrupting device).
constexpr uint32_t kVtyIrq = 0x1000;

// Registers both hcalls and the "hcall-term" hypertas set. False if either opcode is taken.
bool register_vty_hcalls(HcallTable &table, Console &console);

} // namespace phvrun
