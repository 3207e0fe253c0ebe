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
    diff_regs in{};
    std::array<uint8_t, DIFF_DATA_SIZE> data{};
    std::vector<Unit> units;
};

Case generate_case(uint64_t run_seed, uint32_t index, const Pool &pool, unsigned ninsns);

// The case's code with only its first `nunits` units (bisection runs prefixes), where the units start
// (offsets in words; unit_start[nunits] is where the epilogue starts).
struct Code {
    std::vector<uint32_t> words;
    std::vector<size_t> unit_start;
};
Code build_code(const Case &c, size_t nunits);

} // namespace phv::diff
