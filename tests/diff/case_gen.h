// A test case: initial registers and data area, and a random body of table instructions. The code that
// runs it (prologue, body, epilogue) is built here too, identically for both worlds.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "insn_gen.h"
#include "layout.h"
#include "pool.h"

namespace phv::diff {

struct Case {
    uint64_t run_seed = 0;
    uint32_t index = 0;   // regenerated from (run_seed, index) alone
    uint32_t resumed_at = 0;   // >0: the tail of case `index` from this unit, after a forgiven divergence
    diff_regs in{};
    std::array<uint8_t, DIFF_DATA_SIZE> data{};
    std::vector<Unit> units;
};

Case generate_case(uint64_t run_seed, uint32_t index, const Pool &pool, unsigned ninsns);

// The rest of case `c` after unit `unit`, starting from `state` (the oracle's state after that unit).
// A divergence the ISA allows would hide everything after it; the tail is tested on its own instead.
Case resume_case(const Case &c, size_t unit, const diff_regs &regs, const std::array<uint8_t, DIFF_DATA_SIZE> &data);

// The case's code with only its first `nunits` units (bisection runs prefixes), where the units start
// (offsets in words; unit_start[nunits] is where the epilogue starts).
struct Code {
    std::vector<uint32_t> words;
    std::vector<size_t> unit_start;
};
Code build_code(const Case &c, size_t nunits);

} // namespace phv::diff
