// Instruction-word fields, named and numbered as in the Power ISA (IBM bit order: bit 0 is the MSB).
#pragma once
#include <cstdint>

namespace phv::isa {

// Bits from..to (inclusive, IBM numbering) of a 32-bit instruction word.
constexpr uint32_t bits(uint32_t w, unsigned from, unsigned to) {
    return (w >> (31 - to)) & ((1u << (to - from + 1)) - 1);
}

constexpr int64_t sext(uint64_t v, unsigned width) {
    const uint64_t m = 1ull << (width - 1);
    return static_cast<int64_t>((v ^ m) - m);
}

constexpr uint32_t primary_opcode(uint32_t w) { return bits(w, 0, 5); }

// The ISA's field names; each is where the ISA puts it for the forms that have it.
namespace field {
constexpr uint32_t RT(uint32_t w) { return bits(w, 6, 10); }
constexpr uint32_t RS(uint32_t w) { return bits(w, 6, 10); }
constexpr uint32_t RA(uint32_t w) { return bits(w, 11, 15); }
constexpr uint32_t RB(uint32_t w) { return bits(w, 16, 20); }
constexpr uint32_t RC(uint32_t w) { return bits(w, 21, 25); }     // A-form (isel's BC)
constexpr uint32_t Rc(uint32_t w) { return bits(w, 31, 31); }
constexpr uint32_t Rc21(uint32_t w) { return bits(w, 21, 21); }   // VC form (vcmp*.) and vstrib*.
constexpr uint32_t OE(uint32_t w) { return bits(w, 21, 21); }
constexpr uint32_t BF(uint32_t w) { return bits(w, 6, 8); }
constexpr uint32_t BFA(uint32_t w) { return bits(w, 11, 13); }
constexpr uint32_t L10(uint32_t w) { return bits(w, 10, 10); }    // cmp's L
constexpr uint32_t L15(uint32_t w) { return bits(w, 15, 15); }    // mtmsrd's L
constexpr uint32_t BO(uint32_t w) { return bits(w, 6, 10); }
constexpr uint32_t BI(uint32_t w) { return bits(w, 11, 15); }
constexpr uint32_t BH(uint32_t w) { return bits(w, 19, 20); }
constexpr uint32_t AA(uint32_t w) { return bits(w, 30, 30); }
constexpr uint32_t LK(uint32_t w) { return bits(w, 31, 31); }
constexpr uint32_t SH5(uint32_t w) { return bits(w, 16, 20); }
constexpr uint32_t MB5(uint32_t w) { return bits(w, 21, 25); }
constexpr uint32_t ME5(uint32_t w) { return bits(w, 26, 30); }
// MD/XS forms split the 6-bit shift and mask: sh = sh5 || sh0, mb = mb5 || mb0 (ISA 3.1 Book I 3.3.14).
constexpr uint32_t SH6(uint32_t w) { return bits(w, 16, 20) | (bits(w, 30, 30) << 5); }
constexpr uint32_t MB6(uint32_t w) { return bits(w, 21, 25) | (bits(w, 26, 26) << 5); }
constexpr uint32_t SH6_XS(uint32_t w) { return bits(w, 16, 20) | (bits(w, 30, 30) << 5); }
// The SPR number is stored with its halves swapped (ISA 3.1 Book I 3.3.17, mtspr).
constexpr uint32_t SPR(uint32_t w) { return bits(w, 16, 20) << 5 | bits(w, 11, 15); }
constexpr uint32_t TBR(uint32_t w) { return SPR(w); }
constexpr uint32_t FXM(uint32_t w) { return bits(w, 12, 19); }
constexpr uint32_t TO(uint32_t w) { return bits(w, 6, 10); }
constexpr uint32_t LEV(uint32_t w) { return bits(w, 20, 26); }
constexpr uint32_t NB(uint32_t w) { return bits(w, 16, 20); }
constexpr uint32_t EH(uint32_t w) { return bits(w, 31, 31); }
constexpr int64_t SI(uint32_t w) { return sext(bits(w, 16, 31), 16); }
constexpr uint64_t UI(uint32_t w) { return bits(w, 16, 31); }
constexpr int64_t D(uint32_t w) { return sext(bits(w, 16, 31), 16); }
constexpr int64_t DS(uint32_t w) { return sext(bits(w, 16, 29), 14) * 4; }
constexpr int64_t LI(uint32_t w) { return sext(bits(w, 6, 29), 24) * 4; }
constexpr int64_t BD(uint32_t w) { return sext(bits(w, 16, 29), 14) * 4; }
constexpr uint32_t XO_X(uint32_t w) { return bits(w, 21, 30); }
constexpr uint32_t XO_XO(uint32_t w) { return bits(w, 22, 30); }
constexpr uint32_t XO_DS(uint32_t w) { return bits(w, 30, 31); }
// VSX register numbers (Book I 7.6.1): a 5-bit field plus one extension bit, 32*X + field.
constexpr uint32_t XT(uint32_t w) { return bits(w, 31, 31) << 5 | bits(w, 6, 10); }    // XX1-XX4 (also XS)
constexpr uint32_t XA(uint32_t w) { return bits(w, 29, 29) << 5 | bits(w, 11, 15); }
constexpr uint32_t XB(uint32_t w) { return bits(w, 30, 30) << 5 | bits(w, 16, 20); }
constexpr uint32_t XC(uint32_t w) { return bits(w, 28, 28) << 5 | bits(w, 21, 25); }
constexpr uint32_t XT_DQ(uint32_t w) { return bits(w, 28, 28) << 5 | bits(w, 6, 10); }   // lxv/stxv
constexpr uint32_t XT_8LS(uint32_t w) { return bits(w, 5, 5) << 5 | bits(w, 6, 10); }   // plxv/pstxv suffix
constexpr uint32_t XT_8RR(uint32_t w) { return bits(w, 15, 15) << 5 | bits(w, 6, 10); }  // xxspltiw... suffix
constexpr uint32_t XTp(uint32_t w) { return bits(w, 10, 10) << 5 | bits(w, 6, 9) << 1; }  // lxvp/stxvp/plxvp
} // namespace field

} // namespace phv::isa
