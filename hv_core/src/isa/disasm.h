// Disassembly in the ISA's own syntax, from the operand list of the instruction's table row.
#pragma once
#include <cstddef>
#include <cstdint>

namespace phv::isa {

// Returns the instruction length (4) or 0 for a word that is no instruction (".long 0x...").
int disassemble(uint32_t word, uint64_t nip, char *buf, size_t len);

} // namespace phv::isa
