// Which instruction-table rows the random generator may use, and why the others are left out. Derived
// from the table each run, so rows another engineer adds are picked up (or listed as excluded) unchanged.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "isa/insn.h"

namespace phv::diff {

struct Pool {
    std::vector<uint16_t> eligible;                               // row indices
    std::vector<std::pair<uint16_t, std::string>> excluded;       // row, reason
};

// big_endian: the pool of a run with MSR[LE]=0 (load/store multiple and string join it).
// All: every row the generator can use. Vector: only FP, VMX and VSX rows (the others are left out silently).
enum class PoolKind { All, Vector };
Pool build_pool(bool big_endian, PoolKind kind = PoolKind::All);

// Rows that read or write FP or vector state (FPRs, VRs, VSRs, FPSCR, VSCR).
bool uses_fp_or_vector(const phv::isa::InsnDef &def);

// --require-coverage: the FP, VMX, VSX and MMA rows a Linux process on POWER10 can run (problem state, ISA 3.1
// at most) that `drawn` does not hold, each with why the pool left it out if it did; empty if every one was
// drawn. A row the generator cannot fill is a gap to close, not a reason to skip it.
std::string undrawn_fp_vector_rows(const Pool &pool, const std::vector<bool> &drawn);

} // namespace phv::diff
