// Book I 3.3.9, the ISA 2.06-3.0 arithmetic additions: multiply-add (maddld/maddhd/maddhdu), extended
// divides (divwe/divweu/divde/divdeu) and addex.
#pragma once
#include "isa/semantics/common.h"

namespace phv::isa::sem {

// VA-form multiply-add: the 128-bit product RA * RB plus RC (sign- or zero-extended); maddld keeps the low
// doubleword, maddhd/maddhdu the high one (ISA 3.0 Book I 3.3.9).
enum class Madd { Low, HighSigned, HighUnsigned };
template <Madd M>
Flow madd(Vcpu &c, const Decoded &d) {
    const uint64_t a = c.st_.gpr[d.ra], b = c.st_.gpr[d.rb], r = c.st_.gpr[d.rc];
    uint64_t v;
    if constexpr (M == Madd::HighUnsigned)
        v = uint64_t(((unsigned __int128)a * b + r) >> 64);
    else if constexpr (M == Madd::HighSigned)
        v = uint64_t(((__int128)int64_t(a) * int64_t(b) + int64_t(r)) >> 64);
    else
        v = a * b + r;
    c.st_.gpr[d.rt] = v;
    return Flow::Next;
}

// Extended divides: the dividend is RA shifted left by the operand width. A zero divisor or a quotient that
// does not fit leaves RT undefined and sets OV (Book I 3.3.9); RT is 0 then, as in QEMU, the oracle. The
// word forms' quotient sits in RT[32:63]; RT[0:31] is undefined and is the quotient's sign (divwe) or 0
// (divweu), as QEMU has it.
template <bool Signed, bool OE, bool Rc>
Flow divwe(Vcpu &c, const Decoded &d) {
    uint64_t v = 0;
    bool overflow;
    if constexpr (Signed) {
        const int64_t dividend = int64_t(uint64_t(uint32_t(c.st_.gpr[d.ra])) << 32);
        const int64_t divisor = int32_t(uint32_t(c.st_.gpr[d.rb]));
        overflow = divisor == 0 || (dividend == INT64_MIN && divisor == -1);
        if (!overflow) {
            const int64_t q = dividend / divisor;
            overflow = q != int64_t(int32_t(q));
            v = overflow ? 0 : uint64_t(q);
        }
    } else {
        const uint64_t dividend = uint64_t(uint32_t(c.st_.gpr[d.ra])) << 32;
        const uint64_t divisor = uint32_t(c.st_.gpr[d.rb]);
        overflow = divisor == 0;
        if (!overflow) {
            const uint64_t q = dividend / divisor;
            overflow = q > 0xffffffffull;
            v = overflow ? 0 : q;
        }
    }
    if constexpr (OE)
        set_ov(c, overflow, overflow);
    c.st_.gpr[d.rt] = v;
    record<Rc>(c, v);
    return Flow::Next;
}

// divde/divdeu: (RA || 0^64) / RB. The signed quotient must fit in 64 bits (Book I 3.3.9, divde).
template <bool Signed, bool OE, bool Rc>
Flow divde(Vcpu &c, const Decoded &d) {
    const uint64_t a = c.st_.gpr[d.ra], b = c.st_.gpr[d.rb];
    uint64_t v = 0;
    bool overflow;
    if constexpr (Signed) {
        if (b == 0) {
            overflow = true;
        } else if (int64_t(b) == -1) {   // -(RA * 2^64) fits only for RA = 0; avoids the 128-bit INT_MIN / -1
            overflow = a != 0;
        } else {
            const __int128 q = ((__int128)int64_t(a) * ((__int128)1 << 64)) / int64_t(b);
            overflow = q != (__int128)int64_t(q);
            v = overflow ? 0 : uint64_t(q);
        }
    } else {
        overflow = b == 0 || a >= b;   // the quotient fits exactly when RA < RB
        if (!overflow)
            v = uint64_t(((unsigned __int128)a << 64) / b);
    }
    if constexpr (OE)
        set_ov(c, overflow, overflow);
    c.st_.gpr[d.rt] = v;
    record<Rc>(c, v);
    return Flow::Next;
}

// addex with CY=0 (ISA 3.0 Book I 3.3.9): RA + RB + OV, the carry out going to OV (and bit 32's to OV32)
// instead of CA. SO is not touched. CY=1..3 are reserved and have no row.
inline Flow addex(Vcpu &c, const Decoded &d) {
    const Sum s = add3(c.st_.gpr[d.ra], c.st_.gpr[d.rb], c.st_.ov);
    c.st_.ov = c.mode64() ? s.ca : s.ca32;
    c.st_.ov32 = s.ca32;
    c.st_.gpr[d.rt] = s.v;
    return Flow::Next;
}

} // namespace phv::isa::sem
