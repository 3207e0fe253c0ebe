// Book I 3.3.18 (ISA 2.06): the decimal assists addg6s, cdtbcd and cbcdtd.
#pragma once
#include "isa/semantics/common.h"

namespace phv::isa::sem {

// addg6s: 6 in every BCD digit of RT whose nibble of RA + RB produced no carry, 0 where it did. The carry
// out of nibble k is the carry out of bits 4k+3..0 of the 64-bit sum (Book I 3.3.18).
inline Flow addg6s(Vcpu &c, const Decoded &d) {
    const uint64_t a = c.st_.gpr[d.ra], b = c.st_.gpr[d.rb];
    uint64_t r = 0;
    for (unsigned k = 0; k < 16; ++k) {
        const unsigned bits = 4 * k + 4;
        const unsigned __int128 m = ((unsigned __int128)1 << bits) - 1;
        const bool carry = (((a & m) + (b & m)) >> bits) & 1;
        if (!carry)
            r |= 6ull << (4 * k);
    }
    c.st_.gpr[d.rt] = r;
    return Flow::Next;
}

// One densely packed decimal declet (10 bits, IEEE 754-2008 3.5.2) to three BCD digits.
constexpr uint32_t dpd_to_bcd(uint32_t dpd) {
    const uint32_t p = dpd >> 9 & 1, q = dpd >> 8 & 1, r = dpd >> 7 & 1, s = dpd >> 6 & 1, t = dpd >> 5 & 1,
                   u = dpd >> 4 & 1, v = dpd >> 3 & 1, w = dpd >> 2 & 1, x = dpd >> 1 & 1, y = dpd & 1;
    const uint32_t pqr = dpd >> 7 & 7, stu = dpd >> 4 & 7, wxy = dpd & 7;
    uint32_t d2, d1, d0;
    if (!v) {
        d2 = pqr, d1 = stu, d0 = wxy;
    } else if (!w && !x) {
        d2 = pqr, d1 = stu, d0 = 8 + y;
    } else if (!w && x) {
        d2 = pqr, d1 = 8 + u, d0 = s << 2 | t << 1 | y;
    } else if (w && !x) {
        d2 = 8 + r, d1 = stu, d0 = p << 2 | q << 1 | y;
    } else if (!s && !t) {
        d2 = 8 + r, d1 = 8 + u, d0 = p << 2 | q << 1 | y;
    } else if (!s && t) {
        d2 = 8 + r, d1 = p << 2 | q << 1 | u, d0 = 8 + y;
    } else if (s && !t) {
        d2 = p << 2 | q << 1 | r, d1 = 8 + u, d0 = 8 + y;
    } else {
        d2 = 8 + r, d1 = 8 + u, d0 = 8 + y;
    }
    return d2 << 8 | d1 << 4 | d0;
}

// Three BCD digits to a declet. Digits above 9 are invalid and their result is undefined (Book I 3.3.18);
// like the hardware's encoder, only a digit's top bit and low bit are looked at once it is 8 or more.
constexpr uint32_t bcd_to_dpd(uint32_t bcd) {
    const uint32_t d2 = bcd >> 8 & 15, d1 = bcd >> 4 & 15, d0 = bcd & 15;
    const uint32_t a = d2 >> 3, b = d2 >> 2 & 1, c_ = d2 >> 1 & 1, dd = d2 & 1;
    const uint32_t e = d1 >> 3, f = d1 >> 2 & 1, g = d1 >> 1 & 1, h = d1 & 1;
    const uint32_t i = d0 >> 3, j = d0 >> 2 & 1, k = d0 >> 1 & 1, m = d0 & 1;
    auto pack = [](uint32_t p, uint32_t q, uint32_t r, uint32_t s, uint32_t t, uint32_t u, uint32_t v,
                   uint32_t w, uint32_t x, uint32_t y) {
        return p << 9 | q << 8 | r << 7 | s << 6 | t << 5 | u << 4 | v << 3 | w << 2 | x << 1 | y;
    };
    switch (a << 2 | e << 1 | i) {
    case 0: return pack(b, c_, dd, f, g, h, 0, j, k, m);
    case 1: return pack(b, c_, dd, f, g, h, 1, 0, 0, m);
    case 2: return pack(b, c_, dd, j, k, h, 1, 0, 1, m);
    case 4: return pack(j, k, dd, f, g, h, 1, 1, 0, m);
    case 6: return pack(j, k, dd, 0, 0, h, 1, 1, 1, m);
    case 5: return pack(f, g, dd, 0, 1, h, 1, 1, 1, m);
    case 3: return pack(b, c_, dd, 1, 0, h, 1, 1, 1, m);
    default: return pack(0, 0, dd, 1, 1, h, 1, 1, 1, m);
    }
}

// cdtbcd: each word's two declets (bits 12:31 of the word) become six BCD digits in bits 8:31.
inline Flow cdtbcd(Vcpu &c, const Decoded &d) {
    const uint64_t s = c.st_.gpr[d.rt];
    uint64_t r = 0;
    for (unsigned wsh : {0u, 32u}) {
        const uint32_t w = uint32_t(s >> wsh);
        r |= uint64_t(dpd_to_bcd(w >> 10 & 0x3ff) << 12 | dpd_to_bcd(w & 0x3ff)) << wsh;
    }
    c.st_.gpr[d.ra] = r;
    return Flow::Next;
}

// cbcdtd: each word's six BCD digits (bits 8:31) become two declets in bits 12:31.
inline Flow cbcdtd(Vcpu &c, const Decoded &d) {
    const uint64_t s = c.st_.gpr[d.rt];
    uint64_t r = 0;
    for (unsigned wsh : {0u, 32u}) {
        const uint32_t w = uint32_t(s >> wsh);
        r |= uint64_t(bcd_to_dpd(w >> 12 & 0xfff) << 10 | bcd_to_dpd(w & 0xfff)) << wsh;
    }
    c.st_.gpr[d.ra] = r;
    return Flow::Next;
}

} // namespace phv::isa::sem
