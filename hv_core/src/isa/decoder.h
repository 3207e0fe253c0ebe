// Decoding driven by the instruction table: a word becomes a Decoded record once, when its block is built.
#pragma once
#include <cstdint>

#include "isa/insn.h"

namespace phv::isa {

constexpr unsigned kMaxBlockInsns = 64;
// Conditional branches a block runs on past (side_exit) before one ends it.
constexpr unsigned kMaxSideExits = 8;
// A loop that names at most this many GPRs and CR may turn round in a compiled block of its own with every
// one of them in a host register (jit::BlockEmitter's loop mode): the block former ends a block at such a
// loop's branch back rather than running on past it.
constexpr unsigned kLoopRegs = 8;

struct DecodeContext {
    Isa isa;              // the CPU model's ISA level: newer instructions are illegal
    bool problem_state;   // privileged instructions become privileged-instruction Program interrupts
};

// The table row that encodes `word`, or nullptr.
const InsnDef *find_insn(uint32_t word);
// The prefixed row for a prefix word (primary opcode 1) and its suffix, or nullptr.
const InsnDef *find_prefixed(uint32_t prefix, uint32_t suffix);
constexpr bool is_prefix(uint32_t word) { return word >> 26 == 1; }
Decoded decode(uint32_t word, const DecodeContext &ctx);
// A word with primary opcode 1: 8 bytes from ISA 3.1 on (len 8), illegal before (len 4). crosses_64: the
// prefix is the last word of a 64-byte block, so the suffix lies across the boundary.
Decoded decode_prefixed(uint32_t prefix, uint32_t suffix, bool crosses_64, const DecodeContext &ctx);
bool ends_block(const Decoded &d);
// A branch that ends_block() but that a block may run on past when it is not taken: bc with a relative
// target and no LK whose BO tests something. Leaving the block only when taken makes one block of an if's
// condition and its fall-through, and of a loop too large for loop mode and the code after it (compiled
// code jumps within the block to a target inside it). One that always branches has nothing after it.
bool side_exit(const Decoded &d);
// The GPRs (bit n) and CR (bit 32) that d may read or write, from its row's data flow (InsnDef::io).
uint64_t regs_named(const Decoded &d);

} // namespace phv::isa
