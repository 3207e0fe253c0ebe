// Book I 7.6 (ISA 3.1): the VSX instructions that move bits without arithmetic: moves between GPRs and
// VSRs (7.6.1.1), logical, select, merge, permute, splat, insert/extract, byte-reverse, blend, eval and
// permute-control generation (7.6.4). Register numbers are whole VSR numbers (decoder: XX1-XX4, 8RR forms).
#pragma once
#include "fp/format.h"
#include "isa/semantics/vsx_common.h"

namespace phv::isa::sem {

// ---- moves (7.6.1.1) ---------------------------------------------------------------------------------------
// mfvsrd/mfvsrwz/mtvsrd/mtvsrwa/mtvsrwz check MSR[FP] for VSR0-31 and MSR[VEC] for VSR32-63; mfvsrld, mtvsrdd
// and mtvsrws MSR[VSX] for VSR0-31 and MSR[VEC] for VSR32-63. The mt forms that write doubleword 0 only leave doubleword 1 as it was
// (undefined in the ISA; QEMU keeps it).
enum class VMove : uint8_t { Mfd, Mfwz, Mfld, Mtd, Mtwa, Mtwz, Mtdd, Mtws };

template <VMove K>
Flow vsx_move(Vcpu &c, const Decoded &d) {
    Flow f;
    constexpr bool fp_half = K == VMove::Mfd || K == VMove::Mfwz || K == VMove::Mtd || K == VMove::Mtwa ||
                             K == VMove::Mtwz;
    if (!(fp_half ? fpr_or_vr_enabled(c, d, d.rt, f) : vsr_enabled(c, d, d.rt, f)))
        return f;
    auto &v = c.st_.vsr[d.rt];
    const uint64_t ra = c.st_.gpr[d.ra];
    switch (K) {
    case VMove::Mfd: c.st_.gpr[d.ra] = v[0]; break;
    case VMove::Mfwz: c.st_.gpr[d.ra] = uint32_t(v[0]); break;
    case VMove::Mfld: c.st_.gpr[d.ra] = v[1]; break;
    case VMove::Mtd: v[0] = ra; break;
    case VMove::Mtwa: v[0] = uint64_t(int64_t(int32_t(uint32_t(ra)))); break;
    case VMove::Mtwz: v[0] = uint32_t(ra); break;
    case VMove::Mtdd: v = {ra_or_0(c, d), c.st_.gpr[d.rb]}; break;
    case VMove::Mtws: {
        const uint64_t w = uint32_t(ra);
        v = {w << 32 | w, w << 32 | w};
        break;
    }
    }
    return Flow::Next;
}

// ---- logical and select (7.6.4) -----------------------------------------------------------------------------
enum class VLogic : uint8_t { And, Andc, Or, Orc, Xor, Nor, Eqv, Nand };

template <VLogic K>
Flow xxlogic(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const u128 a = vsr_get(c, d.ra), b = vsr_get(c, d.rb);
    u128 r = 0;
    switch (K) {
    case VLogic::And: r = a & b; break;
    case VLogic::Andc: r = a & ~b; break;
    case VLogic::Or: r = a | b; break;
    case VLogic::Orc: r = a | ~b; break;
    case VLogic::Xor: r = a ^ b; break;
    case VLogic::Nor: r = ~(a | b); break;
    case VLogic::Eqv: r = ~(a ^ b); break;
    case VLogic::Nand: r = ~(a & b); break;
    }
    vsr_set(c, d.rt, r);
    return Flow::Next;
}

// xxsel: XC's 1 bits take XB, its 0 bits XA.
inline Flow xxsel(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const u128 a = vsr_get(c, d.ra), b = vsr_get(c, d.rb), m = vsr_get(c, d.rc);
    vsr_set(c, d.rt, (a & ~m) | (b & m));
    return Flow::Next;
}

// xxeval (8RR:XX4, ISA 3.1): each result bit is bit (4a + 2b + c) of IMM (bit 0 the most significant), a, b
// and c being the bits of XA, XB and XC in that position: the OR of the minterms IMM selects.
inline Flow xxeval(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const u128 a = vsr_get(c, d.ra), b = vsr_get(c, d.rb), m = vsr_get(c, d.rc);
    const unsigned imm = unsigned(d.imm);
    u128 r = 0;
    for (unsigned idx = 0; idx < 8; ++idx)
        if ((imm >> (7 - idx)) & 1)
            r |= ((idx & 4) ? a : ~a) & ((idx & 2) ? b : ~b) & ((idx & 1) ? m : ~m);
    vsr_set(c, d.rt, r);
    return Flow::Next;
}

// xxblendv[bhwd] (8RR:XX4): each element from XB where XC's element has its most significant bit set, else
// from XA.
template <unsigned W>
Flow xxblendv(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const u128 a = vsr_get(c, d.ra), b = vsr_get(c, d.rb), m = vsr_get(c, d.rc);
    u128 r = 0;
    for (unsigned i = 0; i < 16 / W; ++i) {
        const bool pick_b = (elem<W>(m, i) >> (8 * W - 1)) & 1;
        r = with_elem<W>(r, i, elem<W>(pick_b ? b : a, i));
    }
    vsr_set(c, d.rt, r);
    return Flow::Next;
}

// ---- merge, permute, shift, splat (7.6.4) ---------------------------------------------------------------------
template <bool Low>
Flow xxmrgw(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const u128 a = vsr_get(c, d.ra), b = vsr_get(c, d.rb);
    const unsigned k = Low ? 2 : 0;
    u128 r = 0;
    r = with_elem<4>(r, 0, elem<4>(a, k));
    r = with_elem<4>(r, 1, elem<4>(b, k));
    r = with_elem<4>(r, 2, elem<4>(a, k + 1));
    r = with_elem<4>(r, 3, elem<4>(b, k + 1));
    vsr_set(c, d.rt, r);
    return Flow::Next;
}

// xxpermdi DM: doubleword 0 from XA (DM[0] picks which), doubleword 1 from XB (DM[1]).
inline Flow xxpermdi(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const unsigned dm = bits(d.word, 22, 23);
    const auto a = c.st_.vsr[d.ra], b = c.st_.vsr[d.rb];
    c.st_.vsr[d.rt] = {a[dm >> 1], b[dm & 1]};
    return Flow::Next;
}

// xxsldwi SHW: the 128 bits of XA || XB starting at word SHW.
inline Flow xxsldwi(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const unsigned shw = bits(d.word, 22, 23);
    const u128 a = vsr_get(c, d.ra), b = vsr_get(c, d.rb);
    vsr_set(c, d.rt, shw ? a << (32 * shw) | b >> (128 - 32 * shw) : a);
    return Flow::Next;
}

// xxperm/xxpermr: byte i of XT from byte (XB.byte[i] & 31) of XA || XT (xxpermr: byte 31 minus that).
// XT is a source as well as the target.
template <bool Reverse>
Flow xxperm(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const u128 a = vsr_get(c, d.ra), t = vsr_get(c, d.rt), p = vsr_get(c, d.rb);
    u128 r = 0;
    for (unsigned i = 0; i < 16; ++i) {
        unsigned idx = unsigned(elem<1>(p, i)) & 31;
        if (Reverse)
            idx = 31 - idx;
        r = with_elem<1>(r, i, idx < 16 ? elem<1>(a, idx) : elem<1>(t, idx - 16));
    }
    vsr_set(c, d.rt, r);
    return Flow::Next;
}

// xxpermx (8RR:XX4): byte i of XT from byte (XC.byte[i] & 31) of XA || XB when XC.byte[i]'s top three bits
// equal UIM, else 0.
inline Flow xxpermx(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const u128 a = vsr_get(c, d.ra), b = vsr_get(c, d.rb), p = vsr_get(c, d.rc);
    const unsigned uim = unsigned(d.imm) & 7;
    u128 r = 0;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned sel = unsigned(elem<1>(p, i));
        if ((sel >> 5) != uim)
            continue;
        const unsigned idx = sel & 31;
        r = with_elem<1>(r, i, idx < 16 ? elem<1>(a, idx) : elem<1>(b, idx - 16));
    }
    vsr_set(c, d.rt, r);
    return Flow::Next;
}

inline u128 splat32(uint32_t w) {
    const uint64_t dw = uint64_t(w) << 32 | w;
    return u128(dw) << 64 | dw;
}

// xxspltw XT,XB,UIM: word UIM of XB into every word.
inline Flow xxspltw(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    vsr_set(c, d.rt, splat32(uint32_t(elem<4>(vsr_get(c, d.rb), bits(d.word, 14, 15)))));
    return Flow::Next;
}

// xxspltib XT,IMM8: IMM8 into every byte; MSR[VSX] or MSR[VEC] by XT's half.
inline Flow xxspltib(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsr_enabled(c, d, d.rt, f))
        return f;
    const uint64_t b = bits(d.word, 13, 20) * 0x0101010101010101ull;
    c.st_.vsr[d.rt] = {b, b};
    return Flow::Next;
}

// xxspltiw / xxspltidp / xxsplti32dx (8RR:D, imm = the 32-bit immediate). xxspltidp converts the immediate
// from single to double format (the exact DOUBLE() of the loads; no rounding can occur).
enum class VSplti : uint8_t { W, DP, DX32 };

template <VSplti K>
Flow xxsplti(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const uint32_t imm = uint32_t(d.imm);
    switch (K) {
    case VSplti::W: vsr_set(c, d.rt, splat32(imm)); break;
    case VSplti::DP: {
        const uint64_t dp = fp::single_to_double(imm);
        c.st_.vsr[d.rt] = {dp, dp};
        break;
    }
    case VSplti::DX32: {   // words IX and IX+2
        const unsigned ix = bits(d.suffix, 14, 14);
        u128 v = vsr_get(c, d.rt);
        v = with_elem<4>(with_elem<4>(v, ix, imm), ix + 2, imm);
        vsr_set(c, d.rt, v);
        break;
    }
    }
    return Flow::Next;
}

// ---- insert, extract, byte-reverse, tests (7.6.4) ----------------------------------------------------------
// xxextractuw XT,XB,UIM: bytes UIM..UIM+3 of XB into word 1 of XT, the rest 0. xxinsertw: word 1 of XB
// into bytes UIM..UIM+3 of XT. UIM > 12 is undefined in the ISA; bytes past the end read as 0 and are not
// written.
template <bool Insert>
Flow xxinsext(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const unsigned uim = bits(d.word, 12, 15);
    const u128 b = vsr_get(c, d.rb);
    if constexpr (Insert) {
        u128 t = vsr_get(c, d.rt);
        const uint64_t w = elem<4>(b, 1);
        for (unsigned k = 0; k < 4 && uim + k < 16; ++k)
            t = with_elem<1>(t, uim + k, (w >> (24 - 8 * k)) & 0xff);
        vsr_set(c, d.rt, t);
    } else {
        uint64_t w = 0;
        for (unsigned k = 0; k < 4; ++k)
            w = w << 8 | (uim + k < 16 ? elem<1>(b, uim + k) : 0);
        c.st_.vsr[d.rt] = {w, 0};
    }
    return Flow::Next;
}

// xxbrh/xxbrw/xxbrd/xxbrq: the bytes of every element of W bytes reversed.
template <unsigned W>
Flow xxbr(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const u128 b = vsr_get(c, d.rb);
    u128 r = 0;
    for (unsigned e = 0; e < 16 / W; ++e)
        for (unsigned k = 0; k < W; ++k)
            r = with_elem<1>(r, e * W + k, elem<1>(b, e * W + W - 1 - k));
    vsr_set(c, d.rt, r);
    return Flow::Next;
}

// xvtlsbb BF,XB: CR field BF = all bytes' least significant bits 1 (LT) / all 0 (EQ).
inline Flow xvtlsbb(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const auto &b = c.st_.vsr[d.rb];
    constexpr uint64_t kLsb = 0x0101010101010101ull;
    const uint64_t lsb0 = b[0] & kLsb, lsb1 = b[1] & kLsb;
    const bool all_true = lsb0 == kLsb && lsb1 == kLsb, all_false = lsb0 == 0 && lsb1 == 0;
    c.st_.set_crf(bits(d.word, 6, 8), (all_true ? 8u : 0u) | (all_false ? 2u : 0u));
    return Flow::Next;
}

// lxvkq XT,UIM (ISA 3.1): a quad-precision constant: +1.0 .. +7.0, +inf, the default QNaN (UIM 1-9), and
// -0.0, -1.0 .. -7.0, -inf (UIM 16-24). Other UIM values are reserved: an illegal instruction, as on QEMU.
inline Flow lxvkq(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const unsigned uim = bits(d.word, 16, 20);
    // Sign, exponent and the top fraction bits of +k.0 for k = 1..7, then +inf and the QNaN.
    static constexpr uint64_t kPos[10] = {0, 0x3fff000000000000ull, 0x4000000000000000ull, 0x4000800000000000ull,
                                          0x4001000000000000ull, 0x4001400000000000ull, 0x4001800000000000ull,
                                          0x4001c00000000000ull, 0x7fff000000000000ull, 0x7fff800000000000ull};
    uint64_t hi;
    if (uim >= 1 && uim <= 9)
        hi = kPos[uim];
    else if (uim == 16)
        hi = 0x8000000000000000ull;
    else if (uim >= 17 && uim <= 24)
        hi = kPos[uim - 16] | 0x8000000000000000ull;
    else
        return c.hv_emulation_assist(d.word);
    c.st_.vsr[d.rt] = {hi, 0};
    return Flow::Next;
}

// xxgenpcv[bhwd]m XT,VRB,IMM (ISA 3.1): the permute control vector that expands (IMM even) or compresses
// (IMM odd) the elements VRB's mask selects (each element's most significant bit), for big-endian (IMM
// 0-1) or little-endian (IMM 2-3) element numbering. IMM > 3 is reserved: an illegal instruction, as on
// QEMU. An expansion's unselected elements index the second source (16 + their own byte).
template <unsigned W>
Flow xxgenpcv(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const unsigned imm = bits(d.word, 11, 15);
    if (imm > 3)
        return c.hv_emulation_assist(d.word);
    const u128 m = vsr_get(c, 32 + bits(d.word, 16, 20));
    const bool little = imm & 2, compress = imm & 1;
    auto selected = [&](unsigned byte) { return (elem<1>(m, byte) & 0x80) != 0; };
    u128 r = 0;
    if (!compress)   // start from "every element from the second source"
        for (unsigned p = 0; p < 16; ++p)
            r = with_elem<1>(r, p, little ? 0x1f - p : 0x10 + p);
    unsigned j = 0;
    for (unsigned i = 0; i < 16; i += W) {
        // The i-th element in the chosen numbering starts at byte `at` (big-endian byte order).
        const unsigned at = little ? 16 - i - W : i;
        if (!selected(at))
            continue;
        for (unsigned k = 0; k < W; ++k) {
            if (!compress) {
                // Expansion: this element takes the next source element j.
                r = with_elem<1>(r, little ? at + W - 1 - k : at + k, j + k);
            } else {
                // Compression: the next result element j takes this element.
                const unsigned dst = little ? 16 - j - W + W - 1 - k : j + k;
                r = with_elem<1>(r, dst, i + k);
            }
        }
        j += W;
    }
    vsr_set(c, d.rt, r);
    return Flow::Next;
}

} // namespace phv::isa::sem
