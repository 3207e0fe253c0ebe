// Disassembly in the ISA's own syntax, from the operand list of the instruction's table row.
#pragma once
#include <cstddef>
#include <cstdint>

namespace phv::isa {

// Returns the instruction length (4) or 0 for a word that is no instruction (".long 0x...").
int disassemble(uint32_t word, uint64_t nip, char *buf, size_t len);
// Also prefixed instructions: `first` is the word at nip and `suffix` the next word, used only when `first`
// is a prefix; returns 8 for a prefixed instruction.
int disassemble(uint32_t first, uint32_t suffix, uint64_t nip, char *buf, size_t len);

} // namespace phv::isa
