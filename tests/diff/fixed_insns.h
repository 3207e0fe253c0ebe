// The few instructions the harness itself emits (prologue, epilogue, address set-up, phv's return stub),
// encoded from Power ISA 3.1 Book I. Random instructions never come from here: they come from the table.
#pragma once
#include <cstdint>

namespace phv::diff::fixed {

constexpr uint32_t d_form(uint32_t op, unsigned rt, unsigned ra, int32_t d) {
    return op << 26 | rt << 21 | ra << 16 | (uint32_t(d) & 0xffff);
}
constexpr uint32_t addi(unsigned rt, unsigned ra, int32_t si) { return d_form(14, rt, ra, si); }
// DS-form: the low two bits of the displacement are the extended opcode (ld 0, std 0).
constexpr uint32_t ld(unsigned rt, unsigned ra, int32_t ds) { return d_form(58, rt, ra, ds & ~3); }
constexpr uint32_t std_(unsigned rs, unsigned ra, int32_t ds) { return d_form(62, rs, ra, ds & ~3); }
// mtspr/mfspr store the SPR number with its 5-bit halves swapped (Book I 3.3.17).
constexpr uint32_t spr_field(unsigned spr) { return ((spr & 0x1f) << 5 | spr >> 5) << 11; }
constexpr uint32_t mtspr(unsigned spr, unsigned rs) { return 31u << 26 | rs << 21 | spr_field(spr) | 467u << 1; }
constexpr uint32_t mfspr(unsigned rt, unsigned spr) { return 31u << 26 | rt << 21 | spr_field(spr) | 339u << 1; }
constexpr uint32_t mtcrf(unsigned fxm, unsigned rs) { return 31u << 26 | rs << 21 | fxm << 12 | 144u << 1; }
constexpr uint32_t mfcr(unsigned rt) { return 31u << 26 | rt << 21 | 19u << 1; }
constexpr uint32_t stdcx(unsigned rs, unsigned ra, unsigned rb) {
    return 31u << 26 | rs << 21 | ra << 16 | rb << 11 | 214u << 1 | 1u;
}
// rldicr ra,rs,sh,me (MD-form): sldi ra,rs,sh is rldicr ra,rs,sh,63-sh.
constexpr uint32_t rldicr(unsigned ra, unsigned rs, unsigned sh, unsigned me) {
    return 30u << 26 | rs << 21 | ra << 16 | (sh & 0x1f) << 11 | (me & 0x1f) << 6 | (me >> 5) << 5 | 1u << 2 |
           (sh >> 5) << 1;
}
// bcl 20,31,$+4: branch always to the next word, setting LR to its address (how code learns its address).
constexpr uint32_t bcl_next() { return 16u << 26 | 20u << 21 | 31u << 16 | 4u | 1u; }
constexpr uint32_t blr() { return 0x4e800020u; }   // bclr 20,0,0
constexpr uint32_t sc1() { return 0x44000022u; }   // sc LEV=1: an hcall exit under phv

constexpr unsigned kXer = 1, kLr = 8, kCtr = 9;

} // namespace phv::diff::fixed
