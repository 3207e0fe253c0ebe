// Semantics that the decoder needs by name; everything else is reached through the table.
#pragma once
#include "isa/insn.h"

namespace phv::isa::sem {
Flow illegal(Vcpu &c, const Decoded &d);
Flow not_in_cpu_model(Vcpu &c, const Decoded &d);
Flow privileged(Vcpu &c, const Decoded &d);
} // namespace phv::isa::sem
