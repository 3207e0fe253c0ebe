// Extended mnemonics for the disassembler: the ISA's preferred spellings of special cases of an instruction
// (Power ISA 3.1 Book I Appendix C and Book III Appendix A: li, mr, blr, beq, cmpwi, slwi, mflr, ...), chosen
// as GNU objdump chooses them so that phv's traces read like the toolchain's listings.
#pragma once
#include <cstdint>
#include <string>

#include "isa/insn.h"

namespace phv::isa {

struct Extended {
    std::string mnemonic;   // with its Rc/LK/AA/hint suffixes
    std::string operands;   // rendered, comma-separated, possibly empty
};

// The extended form of `w` (decoded as row `def`, at address nip), when the ISA has one for it.
bool extended_form(const InsnDef &def, uint32_t w, uint64_t nip, Extended &out);

// The same for a prefixed instruction (prefix word, suffix word): the R operand left out (R = 0 is the
// default; R = 1 is written as a bare displacement with the target as a comment, "pld r3,16 # 4d0"), and
// pli/pla for paddi with RA = 0 (Book I Appendix C).
// `first`: the row's first operand as disasm.cpp renders it (a GPR, a VSR ...).
bool extended_prefixed(const InsnDef &def, uint32_t prefix, uint32_t w, uint64_t nip, const std::string &first,
                       Extended &out);

// A CR bit operand as the assembler writes it: "eq" for bit 2, "4*cr7+so" for bit 31.
std::string cr_bit_name(unsigned bit);

} // namespace phv::isa
