// The storage rows whose operands the generic generator cannot aim safely: load/store multiple and
// string (a register range, and r31 is the ctx pointer), and the atomic memory operations (a function code
// and, for some functions, a neighbouring element in the same 32-byte block).
#pragma once
#include "insn_gen.h"

namespace phv::diff {

bool is_range_or_amo_row(const isa::InsnDef &def);

Unit generate_range_or_amo(uint16_t row, const isa::InsnDef &def, Rng &r, GenState &st);

} // namespace phv::diff
