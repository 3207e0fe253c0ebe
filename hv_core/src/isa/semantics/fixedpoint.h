// Book I chapter 3: fixed-point arithmetic, logical, compare, rotate and shift instructions.
#pragma once
#include <bit>

#include "isa/semantics/common.h"

namespace phv::isa::sem {

// ---- 3.3.9 arithmetic -----------------------------------------------------------------------------------

// The XO-form add/subtract family differs only in its operands: a + b + carry-in, and whether CA is set.
struct AddOperands {
    uint64_t a, b, cin;
    bool sets_ca;
};
using AddOps = AddOperands (*)(const Vcpu &, const Decoded &);

template <AddOps Ops, bool OE, bool Rc>
Flow add_family(Vcpu &c, const Decoded &d) {
    const AddOperands o = Ops(c, d);
    const Sum s = add3(o.a, o.b, o.cin);
    if (o.sets_ca)
        set_ca(c, s);
    if constexpr (OE)
        set_ov(c, s.ov, s.ov32);
    c.st_.gpr[d.rt] = s.v;
    record<Rc>(c, s.v);
    return Flow::Next;
}

// subf computes RB - RA as ~RA + RB + 1 (Book I 3.3.9), which is also how its CA is defined.
inline AddOperands op_add(const Vcpu &c, const Decoded &d) { return {c.st_.gpr[d.ra], c.st_.gpr[d.rb], 0, false}; }
inline AddOperands op_subf(const Vcpu &c, const Decoded &d) { return {~c.st_.gpr[d.ra], c.st_.gpr[d.rb], 1, false}; }
inline AddOperands op_addc(const Vcpu &c, const Decoded &d) { return {c.st_.gpr[d.ra], c.st_.gpr[d.rb], 0, true}; }
inline AddOperands op_subfc(const Vcpu &c, const Decoded &d) { return {~c.st_.gpr[d.ra], c.st_.gpr[d.rb], 1, true}; }
inline AddOperands op_adde(const Vcpu &c, const Decoded &d) { return {c.st_.gpr[d.ra], c.st_.gpr[d.rb], c.st_.ca, true}; }
inline AddOperands op_subfe(const Vcpu &c, const Decoded &d) { return {~c.st_.gpr[d.ra], c.st_.gpr[d.rb], c.st_.ca, true}; }
inline AddOperands op_addme(const Vcpu &c, const Decoded &d) { return {c.st_.gpr[d.ra], ~0ull, c.st_.ca, true}; }
inline AddOperands op_addze(const Vcpu &c, const Decoded &d) { return {c.st_.gpr[d.ra], 0, c.st_.ca, true}; }
inline AddOperands op_subfme(const Vcpu &c, const Decoded &d) { return {~c.st_.gpr[d.ra], ~0ull, c.st_.ca, true}; }
inline AddOperands op_subfze(const Vcpu &c, const Decoded &d) { return {~c.st_.gpr[d.ra], 0, c.st_.ca, true}; }
inline AddOperands op_neg(const Vcpu &c, const Decoded &d) { return {~c.st_.gpr[d.ra], 0, 1, false}; }
// D-form: addic/subfic set CA; addi/addis read RA|0.
inline AddOperands op_addic(const Vcpu &c, const Decoded &d) { return {c.st_.gpr[d.ra], uint64_t(d.imm), 0, true}; }
inline AddOperands op_subfic(const Vcpu &c, const Decoded &d) { return {~c.st_.gpr[d.ra], uint64_t(d.imm), 1, true}; }

inline Flow addi(Vcpu &c, const Decoded &d) {
    c.st_.gpr[d.rt] = ra_or_0(c, d) + uint64_t(d.imm);
    return Flow::Next;
}
inline Flow addis(Vcpu &c, const Decoded &d) {
    c.st_.gpr[d.rt] = ra_or_0(c, d) + (uint64_t(d.imm) << 16);
    return Flow::Next;
}
// addpcis (ISA 3.0): RT = NIA + (D << 16), D split over d0 || d1 || d2.
inline Flow addpcis(Vcpu &c, const Decoded &d) {
    const uint32_t w = d.word;
    const int64_t dval = sext((bits(w, 16, 25) << 6) | (bits(w, 11, 15) << 1) | bits(w, 31, 31), 16);
    c.st_.gpr[d.rt] = c.next_nip(d) + (uint64_t(dval) << 16);
    return Flow::Next;
}

// The low 64 bits of a product are the same signed or unsigned; multiplying unsigned keeps an overflowing
// product (RA = 2^62, SI = 4) defined in C++ as well.
inline Flow mulli(Vcpu &c, const Decoded &d) {
    c.st_.gpr[d.rt] = c.st_.gpr[d.ra] * uint64_t(int64_t(d.imm));
    return Flow::Next;
}

template <bool OE, bool Rc>
Flow mullw(Vcpu &c, const Decoded &d) {
    const int64_t p = int64_t(int32_t(c.st_.gpr[d.ra])) * int64_t(int32_t(c.st_.gpr[d.rb]));
    if constexpr (OE) {
        const bool ov = p != int64_t(int32_t(p));
        set_ov(c, ov, ov);
    }
    c.st_.gpr[d.rt] = uint64_t(p);
    record<Rc>(c, uint64_t(p));
    return Flow::Next;
}

template <bool OE, bool Rc>
Flow mulld(Vcpu &c, const Decoded &d) {
    const __int128 p = (__int128)int64_t(c.st_.gpr[d.ra]) * int64_t(c.st_.gpr[d.rb]);
    if constexpr (OE) {
        const bool ov = p != (__int128)int64_t(p);
        set_ov(c, ov, ov);
    }
    c.st_.gpr[d.rt] = uint64_t(p);
    record<Rc>(c, uint64_t(p));
    return Flow::Next;
}

// The high-word multiplies leave RT[0:31] undefined (Book I 3.3.9); it is 0 here, as in QEMU, the oracle.
template <bool Signed, bool Rc>
Flow mulhw(Vcpu &c, const Decoded &d) {
    uint32_t hi;
    if constexpr (Signed)
        hi = uint32_t(uint64_t(int64_t(int32_t(c.st_.gpr[d.ra])) * int64_t(int32_t(c.st_.gpr[d.rb]))) >> 32);
    else
        hi = uint32_t((uint64_t(uint32_t(c.st_.gpr[d.ra])) * uint32_t(c.st_.gpr[d.rb])) >> 32);
    c.st_.gpr[d.rt] = hi;
    record<Rc>(c, hi);
    return Flow::Next;
}

template <bool Signed, bool Rc>
Flow mulhd(Vcpu &c, const Decoded &d) {
    uint64_t v;
    if constexpr (Signed)
        v = uint64_t(((__int128)int64_t(c.st_.gpr[d.ra]) * int64_t(c.st_.gpr[d.rb])) >> 64);
    else
        v = uint64_t(((unsigned __int128)c.st_.gpr[d.ra] * c.st_.gpr[d.rb]) >> 64);
    c.st_.gpr[d.rt] = v;
    record<Rc>(c, v);
    return Flow::Next;
}

// Division: an undefined quotient (divide by zero, most-negative / -1) yields 0 here, and OE reports it
// (Book I 3.3.9). RT[0:31] of the word forms is undefined; it is 0 here, as in QEMU.
template <bool Signed, bool OE, bool Rc>
Flow divw(Vcpu &c, const Decoded &d) {
    const uint32_t a = uint32_t(c.st_.gpr[d.ra]), b = uint32_t(c.st_.gpr[d.rb]);
    bool undefined;
    uint32_t q = 0;
    if constexpr (Signed) {
        undefined = b == 0 || (a == 0x80000000u && b == 0xffffffffu);
        if (!undefined)
            q = uint32_t(int32_t(a) / int32_t(b));
    } else {
        undefined = b == 0;
        if (!undefined)
            q = a / b;
    }
    if constexpr (OE)
        set_ov(c, undefined, undefined);
    c.st_.gpr[d.rt] = q;
    record<Rc>(c, q);
    return Flow::Next;
}

template <bool Signed, bool OE, bool Rc>
Flow divd(Vcpu &c, const Decoded &d) {
    const uint64_t a = c.st_.gpr[d.ra], b = c.st_.gpr[d.rb];
    bool undefined;
    uint64_t q = 0;
    if constexpr (Signed) {
        undefined = b == 0 || (a == 0x8000000000000000ull && b == ~0ull);
        if (!undefined)
            q = uint64_t(int64_t(a) / int64_t(b));
    } else {
        undefined = b == 0;
        if (!undefined)
            q = a / b;
    }
    if constexpr (OE)
        set_ov(c, undefined, undefined);
    c.st_.gpr[d.rt] = q;
    record<Rc>(c, q);
    return Flow::Next;
}

// ISA 3.0 modulo: the remainder of a defined division, 0 otherwise.
template <bool Signed>
Flow modw(Vcpu &c, const Decoded &d) {
    const uint32_t a = uint32_t(c.st_.gpr[d.ra]), b = uint32_t(c.st_.gpr[d.rb]);
    uint64_t r = 0;
    if constexpr (Signed) {
        if (b != 0 && !(a == 0x80000000u && b == 0xffffffffu))
            r = uint64_t(int64_t(int32_t(a) % int32_t(b)));
    } else if (b != 0) {
        r = a % b;
    }
    c.st_.gpr[d.rt] = r;
    return Flow::Next;
}

template <bool Signed>
Flow modd(Vcpu &c, const Decoded &d) {
    const uint64_t a = c.st_.gpr[d.ra], b = c.st_.gpr[d.rb];
    uint64_t r = 0;
    if constexpr (Signed) {
        if (b != 0 && !(a == 0x8000000000000000ull && b == ~0ull))
            r = uint64_t(int64_t(a) % int64_t(b));
    } else if (b != 0) {
        r = a % b;
    }
    c.st_.gpr[d.rt] = r;
    return Flow::Next;
}

// ---- 3.3.10 compare -------------------------------------------------------------------------------------

// BF is the top three bits of the RT field and L its low bit (X/D forms of cmp*).
template <bool Signed, bool Immediate>
Flow cmp(Vcpu &c, const Decoded &d) {
    const unsigned bf = d.rt >> 2;
    const bool l = d.rt & 1;
    uint64_t a = c.st_.gpr[d.ra];
    uint64_t b = Immediate ? uint64_t(d.imm) : c.st_.gpr[d.rb];
    uint32_t r;
    if constexpr (Signed) {
        r = l ? compare_signed(int64_t(a), int64_t(b), c.st_.so)
              : compare_signed(int32_t(uint32_t(a)), int32_t(uint32_t(b)), c.st_.so);
    } else {
        r = l ? compare_unsigned(a, b, c.st_.so) : compare_unsigned(uint32_t(a), uint32_t(b), c.st_.so);
    }
    c.st_.set_crf(bf, r);
    return Flow::Next;
}

// ---- 3.3.13 logical -------------------------------------------------------------------------------------

using LogicOp = uint64_t (*)(uint64_t s, uint64_t b);
template <LogicOp Op, bool Rc>
Flow logical(Vcpu &c, const Decoded &d) {
    const uint64_t v = Op(c.st_.gpr[d.rt], c.st_.gpr[d.rb]);
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}
inline uint64_t op_and(uint64_t s, uint64_t b) { return s & b; }
inline uint64_t op_andc(uint64_t s, uint64_t b) { return s & ~b; }
inline uint64_t op_or(uint64_t s, uint64_t b) { return s | b; }
inline uint64_t op_orc(uint64_t s, uint64_t b) { return s | ~b; }
inline uint64_t op_xor(uint64_t s, uint64_t b) { return s ^ b; }
inline uint64_t op_nand(uint64_t s, uint64_t b) { return ~(s & b); }
inline uint64_t op_nor(uint64_t s, uint64_t b) { return ~(s | b); }
inline uint64_t op_eqv(uint64_t s, uint64_t b) { return ~(s ^ b); }

// D-form logical immediates: andi./andis. always record, the others never do.
template <LogicOp Op, unsigned Shift, bool Rc>
Flow logical_imm(Vcpu &c, const Decoded &d) {
    const uint64_t v = Op(c.st_.gpr[d.rt], uint64_t(d.imm) << Shift);
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}

using UnaryOp = uint64_t (*)(uint64_t s);
template <UnaryOp Op, bool Rc>
Flow unary(Vcpu &c, const Decoded &d) {
    const uint64_t v = Op(c.st_.gpr[d.rt]);
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}
inline uint64_t op_extsb(uint64_t s) { return uint64_t(int64_t(int8_t(s))); }
inline uint64_t op_extsh(uint64_t s) { return uint64_t(int64_t(int16_t(s))); }
inline uint64_t op_extsw(uint64_t s) { return uint64_t(int64_t(int32_t(s))); }
inline uint64_t op_cntlzw(uint64_t s) { return std::countl_zero(uint32_t(s)); }
inline uint64_t op_cntlzd(uint64_t s) { return std::countl_zero(s); }
inline uint64_t op_cnttzw(uint64_t s) { return std::countr_zero(uint32_t(s)); }
inline uint64_t op_cnttzd(uint64_t s) { return std::countr_zero(s); }
inline uint64_t op_popcntb(uint64_t s) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i += 8)
        r |= uint64_t(std::popcount((s >> i) & 0xff)) << i;
    return r;
}
inline uint64_t op_popcntw(uint64_t s) {
    return uint64_t(std::popcount(uint32_t(s))) | (uint64_t(std::popcount(uint32_t(s >> 32))) << 32);
}
inline uint64_t op_popcntd(uint64_t s) { return std::popcount(s); }
// Parity of the low bit of each byte, per word or doubleword (Book I 3.3.13, prtyw/prtyd).
inline uint64_t op_prtyw(uint64_t s) {
    const uint64_t t = s & 0x0101010101010101ull;
    const uint64_t lo = (t ^ (t >> 8) ^ (t >> 16) ^ (t >> 24)) & 1;
    const uint64_t hi = ((t >> 32) ^ (t >> 40) ^ (t >> 48) ^ (t >> 56)) & 1;
    return lo | (hi << 32);
}
inline uint64_t op_prtyd(uint64_t s) { return std::popcount(s & 0x0101010101010101ull) & 1; }

inline Flow cmpb(Vcpu &c, const Decoded &d) {
    const uint64_t s = c.st_.gpr[d.rt], b = c.st_.gpr[d.rb];
    uint64_t r = 0;
    for (int i = 0; i < 64; i += 8)
        if (((s >> i) & 0xff) == ((b >> i) & 0xff))
            r |= 0xffull << i;
    c.st_.gpr[d.ra] = r;
    return Flow::Next;
}

// isel: RT = CR[BC] ? RA|0 : RB.
inline Flow isel(Vcpu &c, const Decoded &d) {
    c.st_.gpr[d.rt] = c.st_.crbit(d.rc) ? ra_or_0(c, d) : c.st_.gpr[d.rb];
    return Flow::Next;
}

// ---- 3.3.14 rotate and shift ----------------------------------------------------------------------------

// MASK(mb, me) in IBM bit numbering; wraps when mb > me (Book I 3.3.14).
constexpr uint64_t mask64(unsigned mb, unsigned me) {
    const uint64_t from_mb = ~0ull >> mb;
    const uint64_t to_me = ~0ull << (63 - me);
    return mb <= me ? (from_mb & to_me) : (from_mb | to_me);
}
constexpr uint64_t rotl32(uint64_t v, unsigned n) {
    const uint64_t w = uint32_t(v);
    return std::rotl(w | (w << 32), int(n));
}

template <bool Rc>
Flow rlwinm(Vcpu &c, const Decoded &d) {
    const uint64_t v = rotl32(c.st_.gpr[d.rt], d.rb) & mask64(d.mb + 32, d.me + 32);
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}
template <bool Rc>
Flow rlwnm(Vcpu &c, const Decoded &d) {
    const uint64_t v = rotl32(c.st_.gpr[d.rt], c.st_.gpr[d.rb] & 31) & mask64(d.mb + 32, d.me + 32);
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}
template <bool Rc>
Flow rlwimi(Vcpu &c, const Decoded &d) {
    const uint64_t m = mask64(d.mb + 32, d.me + 32);
    const uint64_t v = (rotl32(c.st_.gpr[d.rt], d.rb) & m) | (c.st_.gpr[d.ra] & ~m);
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}

// The MD-form rotates: the 6-bit mask field is MB for rldicl/rldic/rldimi and ME for rldicr.
enum class RotMask { Left, Right, Both, Insert };
template <RotMask M, bool Rc>
Flow rld_imm(Vcpu &c, const Decoded &d) {
    const uint64_t r = std::rotl(c.st_.gpr[d.rt], d.sh);
    uint64_t v;
    if constexpr (M == RotMask::Left)
        v = r & mask64(d.mb, 63);
    else if constexpr (M == RotMask::Right)
        v = r & mask64(0, d.mb);
    else if constexpr (M == RotMask::Both)
        v = r & mask64(d.mb, 63 - d.sh);
    else {
        const uint64_t m = mask64(d.mb, 63 - d.sh);
        v = (r & m) | (c.st_.gpr[d.ra] & ~m);
    }
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}
template <RotMask M, bool Rc>
Flow rld_reg(Vcpu &c, const Decoded &d) {
    const uint64_t r = std::rotl(c.st_.gpr[d.rt], int(c.st_.gpr[d.rb] & 63));
    const uint64_t v = r & (M == RotMask::Left ? mask64(d.mb, 63) : mask64(0, d.mb));
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}

template <bool Rc>
Flow slw(Vcpu &c, const Decoded &d) {
    const unsigned n = c.st_.gpr[d.rb] & 63;
    const uint64_t v = n < 32 ? uint32_t(uint32_t(c.st_.gpr[d.rt]) << n) : 0;
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}
template <bool Rc>
Flow srw(Vcpu &c, const Decoded &d) {
    const unsigned n = c.st_.gpr[d.rb] & 63;
    const uint64_t v = n < 32 ? uint32_t(c.st_.gpr[d.rt]) >> n : 0;
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}
template <bool Rc>
Flow sld(Vcpu &c, const Decoded &d) {
    const unsigned n = c.st_.gpr[d.rb] & 127;
    const uint64_t v = n < 64 ? c.st_.gpr[d.rt] << n : 0;
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}
template <bool Rc>
Flow srd(Vcpu &c, const Decoded &d) {
    const unsigned n = c.st_.gpr[d.rb] & 127;
    const uint64_t v = n < 64 ? c.st_.gpr[d.rt] >> n : 0;
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}

// Algebraic right shifts set CA (and CA32) when the source is negative and 1-bits were shifted out.
template <bool Word, bool Immediate, bool Rc>
Flow sra(Vcpu &c, const Decoded &d) {
    const int64_t s = Word ? int64_t(int32_t(c.st_.gpr[d.rt])) : int64_t(c.st_.gpr[d.rt]);
    const unsigned width = Word ? 32 : 64;
    unsigned n;
    if constexpr (Immediate)
        n = Word ? d.rb : d.sh;
    else
        n = c.st_.gpr[d.rb] & (Word ? 63 : 127);
    int64_t v;
    bool ca;
    if (n < width) {
        v = s >> n;
        ca = s < 0 && n && (uint64_t(s) << (64 - n)) != 0;
    } else {
        v = s < 0 ? -1 : 0;
        ca = s < 0;
    }
    c.st_.gpr[d.ra] = uint64_t(v);
    c.st_.ca = c.st_.ca32 = ca;
    record<Rc>(c, uint64_t(v));
    return Flow::Next;
}

// extswsli (ISA 3.0): sign-extend the word, then shift left by SH.
template <bool Rc>
Flow extswsli(Vcpu &c, const Decoded &d) {
    const uint64_t v = uint64_t(int64_t(int32_t(c.st_.gpr[d.rt]))) << d.sh;
    c.st_.gpr[d.ra] = v;
    record<Rc>(c, v);
    return Flow::Next;
}

} // namespace phv::isa::sem
