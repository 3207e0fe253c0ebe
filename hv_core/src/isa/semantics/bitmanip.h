// Book I 3.3.10, 3.3.13, 3.3.16 (ISA 3.0/3.1 additions): byte compares, byte reversal, and the bit
// gather/scatter family (pdepd, pextd, cfuged, cntlzdm, cnttzdm).
#pragma once
#include <algorithm>
#include <bit>

#include "isa/semantics/common.h"

namespace phv::isa::sem {

// cmprb (ISA 3.0, Book I 3.3.10): is RA's low byte inside the byte range(s) held in RB? L=0 uses one range
// (RB[48:55] hi, RB[56:63] lo), L=1 also the second (RB[32:39] hi, RB[40:47] lo). CR[BF] = 0 || in || 00.
inline Flow cmprb(Vcpu &c, const Decoded &d) {
    const unsigned v = unsigned(c.st_.gpr[d.ra] & 0xff);
    const uint64_t b = c.st_.gpr[d.rb];
    auto in = [&](unsigned shift) { return unsigned((b >> shift) & 0xff) <= v && v <= unsigned((b >> (shift + 8)) & 0xff); };
    const bool hit = in(0) || ((d.rt & 1) && in(16));
    c.st_.set_crf(d.rt >> 2, hit ? 4u : 0u);
    return Flow::Next;
}

// cmpeqb (ISA 3.0): does any byte of RB equal RA's low byte? CR[BF] = 0 || match || 00 (SO is not copied).
inline Flow cmpeqb(Vcpu &c, const Decoded &d) {
    const uint64_t v = c.st_.gpr[d.ra] & 0xff, b = c.st_.gpr[d.rb];
    bool hit = false;
    for (int i = 0; i < 64; i += 8)
        hit |= ((b >> i) & 0xff) == v;
    c.st_.set_crf(d.rt >> 2, hit ? 4u : 0u);
    return Flow::Next;
}

// brh/brw/brd (ISA 3.1 Book I 3.3.16): reverse the bytes inside each halfword, word or the doubleword.
inline uint64_t op_brh(uint64_t s) { return ((s & 0x00ff00ff00ff00ffull) << 8) | ((s >> 8) & 0x00ff00ff00ff00ffull); }
inline uint64_t op_brw(uint64_t s) {
    return uint64_t(__builtin_bswap32(uint32_t(s))) | uint64_t(__builtin_bswap32(uint32_t(s >> 32))) << 32;
}
inline uint64_t op_brd(uint64_t s) { return __builtin_bswap64(s); }

// bpermd (ISA 2.06, Book I 3.3.13): byte i of RS (from the left) names a bit of RB (IBM numbering); that bit,
// or 0 for an index of 64 or more, becomes bit i of RA's low byte.
inline uint64_t op_bpermd(uint64_t s, uint64_t b) {
    uint64_t r = 0;
    for (unsigned i = 0; i < 8; ++i) {
        const unsigned index = unsigned(s >> (56 - 8 * i)) & 0xff;
        const uint64_t bit = index < 64 ? (b >> (63 - index)) & 1 : 0;
        r |= bit << (7 - i);
    }
    return r;
}

// pextd: the bits of s under the 1-bits of mask, packed to the right in their order.
constexpr uint64_t pext64(uint64_t s, uint64_t mask) {
    uint64_t r = 0;
    unsigned k = 0;
    for (; mask; mask &= mask - 1, ++k)
        r |= ((s >> std::countr_zero(mask)) & 1) << k;
    return r;
}
// pdepd: the low bits of s scattered, in order, to the positions of the 1-bits of mask.
constexpr uint64_t pdep64(uint64_t s, uint64_t mask) {
    uint64_t r = 0;
    unsigned k = 0;
    for (; mask; mask &= mask - 1, ++k)
        r |= ((s >> k) & 1) << std::countr_zero(mask);
    return r;
}

using BinOp = uint64_t (*)(uint64_t s, uint64_t b);
// X-form RA <- op(RS, RB), no record form.
template <BinOp Op>
Flow rs_rb(Vcpu &c, const Decoded &d) {
    c.st_.gpr[d.ra] = Op(c.st_.gpr[d.rt], c.st_.gpr[d.rb]);
    return Flow::Next;
}
inline uint64_t op_pdepd(uint64_t s, uint64_t m) { return pdep64(s, m); }
inline uint64_t op_pextd(uint64_t s, uint64_t m) { return pext64(s, m); }
// cfuged: bits under 0-bits of the mask go to the left end, bits under 1-bits to the right end, each group
// keeping its order (ISA 3.1 Book I 3.3.16).
inline uint64_t op_cfuged(uint64_t s, uint64_t m) {
    const unsigned ones = unsigned(std::popcount(m));
    const uint64_t left = pext64(s, ~m), right = pext64(s, m);
    return ones == 64 ? right : (left << ones) | right;
}
// cntlzdm/cnttzdm: leading/trailing zeros of RS counted only over the bit positions the mask selects.
inline uint64_t op_cntlzdm(uint64_t s, uint64_t m) {
    const unsigned n = unsigned(std::popcount(m));
    return n == 0 ? 0 : unsigned(std::countl_zero(pext64(s, m))) - (64 - n);
}
inline uint64_t op_cnttzdm(uint64_t s, uint64_t m) {
    const unsigned n = unsigned(std::popcount(m));
    return std::min<unsigned>(unsigned(std::countr_zero(pext64(s, m))), n);
}

// setbc/setbcr/setnbc/setnbcr (ISA 3.1 Book I 3.3.12): RT from one CR bit. Value-if-set, value-if-clear.
template <uint64_t IfSet, uint64_t IfClear>
Flow setbc(Vcpu &c, const Decoded &d) {
    c.st_.gpr[d.rt] = c.st_.crbit(d.ra) ? IfSet : IfClear;
    return Flow::Next;
}

} // namespace phv::isa::sem
