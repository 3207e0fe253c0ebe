// Decoding driven by the instruction table: a word becomes a Decoded record once, when its block is built.
#pragma once
#include <cstdint>

#include "isa/insn.h"

namespace phv::isa {

constexpr unsigned kMaxBlockInsns = 64;

struct DecodeContext {
    Isa isa;              // the CPU model's ISA level: newer instructions are illegal
    bool problem_state;   // privileged instructions become privileged-instruction Program interrupts
};

// The table row that encodes `word`, or nullptr.
const InsnDef *find_insn(uint32_t word);
Decoded decode(uint32_t word, const DecodeContext &ctx);
bool ends_block(const Decoded &d);

} // namespace phv::isa
