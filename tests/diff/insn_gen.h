// Random instances of one instruction-table row: every field the row's operand string names gets a value,
// everything else (reserved bits) stays 0. Memory rows get a short set-up sequence that points their
// effective address into the data area, so any load or store stays in bounds and aligned.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "isa/insn.h"
#include "rng.h"

namespace phv::diff {

// Registers the set-up code owns for the instruction that follows it: r29 is the base (RA), r28 the index.
constexpr unsigned kBaseReg = 29, kIndexReg = 28;
// r31 holds the ctx address for the epilogue; no generated instruction names it.
constexpr unsigned kCtxReg = 31;

// One generated instruction, the set-up words in front of it and, for a branch, the word it may skip.
struct Unit {
    uint16_t row;
    std::vector<uint32_t> words;   // set-up..., the instruction, then (branches) the word a taken branch skips
    size_t insn_pos = 0;           // index of the instruction in words
    int32_t offset = -1;           // memory rows: the data-area offset the access starts at
    bool prefixed = false;         // an 8-byte instruction: its suffix is words[insn_pos + 1]
    uint32_t insn() const { return words[insn_pos]; }
    // The word after the instruction: a prefixed instruction's suffix (disassembly ignores it otherwise).
    uint32_t suffix() const { return insn_pos + 1 < words.size() ? words[insn_pos + 1] : 0; }
};

// What the generator remembers between the instructions of one case.
struct GenState {
    int last_offset = -1;   // data-area offset of the previous access, reused so larx/stcx. pairs meet
    unsigned recent[4] = {3, 4, 5, 6};   // registers written last: sources favour them to chain results
    unsigned next_recent = 0;
    unsigned recent_vsr[4] = {0, 1, 32, 33};   // the same for VSRs (FPRs are VSR0-31, VRs VSR32-63)
    unsigned next_recent_vsr = 0;
};

// Empty if the generator can produce the row, else why not (an operand it does not know, ...).
std::string unsupported_reason(const isa::InsnDef &def);

Unit generate(uint16_t row, const isa::InsnDef &def, Rng &rng, GenState &st);

// The branch rows the generator can place: forward by one word, so a taken branch skips a visible
// instruction and a not-taken one runs it. bctar needs TAR, which a Linux process may not own.
bool is_generated_branch(const isa::InsnDef &def);

// Bytes one access of the row touches (1 for the cache hints); used for alignment and bounds.
unsigned access_size(const isa::InsnDef &def);
bool is_memory_row(const isa::InsnDef &def);

} // namespace phv::diff
