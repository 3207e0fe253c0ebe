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

} // namespace phv::diff
