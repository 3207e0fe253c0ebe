// The one place that lists where phv and the oracle may disagree without phv being wrong (definitions in
// known_oracle_bugs.cpp): results the ISA leaves undefined, and QEMU bugs, each with the ISA section that
// decides it. A mismatch is forgiven only if a rule explains every difference of the first instruction at
// which the two worlds diverge; anything else is a phv bug.
#pragma once
#include <cstdint>
#include <span>

#include "batch.h"
#include "case_gen.h"
#include "isa/insn.h"

namespace phv::diff {

struct RuleInput {
    const Case &c;
    size_t unit;               // the diverging unit of c
    const isa::InsnDef &def;
    uint32_t word;
    const diff_regs &before;   // the state both worlds agreed on just before the instruction
    const Result &phv, &qemu;
    bool big_endian = false;   // the world's byte order (data-area elements are read in it)
};

struct Rule {
    const char *id;
    const char *kind;      // "undefined" (the ISA allows any value) or "oracle bug" (QEMU is wrong)
    const char *isa_ref;   // the section that proves it
    const char *what;
    bool (*explains)(const RuleInput &);
};

std::span<const Rule> rules();

// QEMU 7.2's FPSCR (and a few result) errors on the binary floating-point rows, composed (known_oracle_bugs_fp.cpp).
bool fp_status_explains(const RuleInput &in);

// The rule that explains this divergence, or nullptr.
const Rule *explain(const RuleInput &in);

} // namespace phv::diff
