// VSX Matrix-Multiply Assist (ISA 3.1 Book I chapter 7, POWER10): the 8 accumulators and the rank-k outer-product
// ("GER") instructions. On POWER10 accumulator ACC[i] is kept in VSR[4i..4i+3], row r of the 4x4 matrix in
// VSR[4i+r] (KVM saves and restores ACCs that way, and QEMU models them so); xxmtacc and xxmfacc move nothing
// then, they only check the unit is enabled. Element (r, c) of an accumulator is word c of row r (doubleword c of
// the 4x2 matrix of xvf64ger*). The prefixed pm* forms mask rows (XMSK), columns (YMSK) and the terms of each
// rank-k sum (PMSK, most significant bit for the first term); a masked-out row or column element becomes 0.
#pragma once
#include "fp/arith.h"
#include "fp/format.h"
#include "isa/semantics/fp_common.h"
#include "isa/semantics/vsx_common.h"
#include "isa/semantics/vsx_fp_common.h"

namespace phv::isa::sem {

using vsx::Vsr;

namespace mma {

constexpr unsigned at_of(uint32_t w) { return bits(w, 6, 8); }

// The instruction word (the suffix of a pm* form) and the masks: all ones for the unprefixed forms.
struct Operands {
    uint32_t w;
    unsigned xmsk = 0xf, ymsk = 0xf, pmsk = 0xff;
};
// PBits: the width of the prefix's PMSK field (bits 16:..), 0 without one; YBits: 4, or 2 for xvf64ger*.
template <unsigned PBits, unsigned YBits>
Operands operands(const Decoded &d) {
    if (!d.suffix)
        return {d.word};
    Operands o{d.suffix};
    o.xmsk = bits(d.word, 24, 27);
    o.ymsk = bits(d.word, 28, 27 + YBits);
    if constexpr (PBits != 0)
        o.pmsk = bits(d.word, 16, 15 + PBits);
    return o;
}

inline Vsr row(const Vcpu &c, unsigned at, unsigned r) { return c.st_.vsr[4 * at + r]; }

} // namespace mma

// xxmfacc (Sub 0), xxmtacc (1): the accumulator is the VSRs already; xxsetaccz (3) zeroes it.
template <unsigned Sub>
Flow xxacc(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    if constexpr (Sub == 3)
        for (unsigned r = 0; r < 4; ++r)
            c.st_.vsr[4 * mma::at_of(d.word) + r] = {0, 0};
    return Flow::Next;
}

// xvi4ger8[pp] (Bits 4: signed x signed nibbles, rank 8), xvi8ger4[pp|spp] (8: signed x unsigned bytes, rank 4),
// xvi16ger2[s][pp] (16: signed halfwords, rank 2). Each element is the sum of its terms (plus the accumulator for
// the pp forms), modulo 2^32, or saturated to a signed word (VSCR[SAT] set) for the s forms.
template <unsigned Bits, bool Acc, bool Sat, unsigned PBits>
Flow xvi_ger(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const mma::Operands o = mma::operands<PBits, 4>(d);
    const unsigned at = mma::at_of(o.w), rank = 32 / Bits;
    const Vsr a = c.st_.vsr[vsx::xa(o.w)], b = c.st_.vsr[vsx::xb(o.w)];
    auto term = [&](uint32_t x, unsigned k, bool sign) {
        const int64_t v = (x >> (32 - Bits * (k + 1))) & ((1u << Bits) - 1);
        return sign && (v >> (Bits - 1)) ? v - (int64_t(1) << Bits) : v;
    };
    for (unsigned r = 0; r < 4; ++r) {
        Vsr acc = mma::row(c, at, r);
        for (unsigned col = 0; col < 4; ++col) {
            if (!((o.xmsk >> (3 - r)) & 1) || !((o.ymsk >> (3 - col)) & 1)) {
                vsx::set_word(acc, col, 0);
                continue;
            }
            int64_t sum = Acc ? int64_t(int32_t(vsx::word(acc, col))) : 0;
            for (unsigned k = 0; k < rank; ++k)
                if ((o.pmsk >> (rank - 1 - k)) & 1)
                    sum += term(vsx::word(a, r), k, true) * term(vsx::word(b, col), k, Bits != 8);
            if (Sat && (sum > INT32_MAX || sum < INT32_MIN)) {
                sum = sum > INT32_MAX ? INT32_MAX : INT32_MIN;
                c.st_.vscr |= vscr::SAT;
            }
            vsx::set_word(acc, col, uint32_t(sum));
        }
        c.st_.vsr[4 * at + r] = acc;
    }
    return Flow::Next;
}

enum class Ger : uint8_t { F16, BF16, F32, F64 };

// xvf16ger2*, xvbf16ger2* (rank 2, single-precision accumulator), xvf32ger* (rank 1) and xvf64ger* (rank 1, XA
// an even-odd VSR pair holding 4 doubles, XB 2 doubles, a 4x2 double accumulator). The pp/pn/np/nn forms: the
// product's sign (p: +, n: -), then the accumulator's. Exception bits of every element are set in FPSCR (FX for
// each 0 -> 1); FR, FI and FPRF are not altered; with an enabled exception the accumulator is left as it was.
// xvf32ger*/xvf64ger*: -(x*y +- acc) for the n forms is negated exactly and then rounded once (unlike fnmadd,
// which rounds, then negates), as QEMU computes it. The rank-2 forms round the sum of the two products to single
// precision, then add the signed accumulator with a second rounding, as QEMU computes them (its table agrees
// element for element; the ISA text was not at hand to check that order).
template <Ger T, bool Acc, bool NegMul, bool NegAcc, unsigned PBits>
Flow xvf_ger(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const mma::Operands o = mma::operands<PBits, T == Ger::F64 ? 2 : 4>(d);
    const unsigned at = mma::at_of(o.w), xa = vsx::xa(o.w), xb = vsx::xb(o.w);
    if (T == Ger::F64 && (xa & 1))
        return c.illegal_instruction(o.w);   // XAp names an even-odd pair
    const fp::Env env = fp_env(c);
    const Vsr b = c.st_.vsr[xb];
    uint64_t exc = 0;
    Vsr out[4];
    constexpr unsigned cols = T == Ger::F64 ? 2 : 4;
    // Negation flips a number's sign, never a NaN's (a NaN operand propagates as it is).
    auto neg = [](uint64_t x) { return fp::is_nan(x) ? x : x ^ fp::kSign; };
    // x*y +- acc, negated for the n forms before it is rounded: rounding -v in one directed mode is negating v
    // rounded in the other; an exact zero keeps the sign of -(x*y +- acc)'s zero.
    auto signed_fma = [&](uint64_t x, uint64_t y, uint64_t acc, const fp::Format &fmt) {
        const fp::Outcome plain = fp::fma(x, y, acc, NegMul != NegAcc, false, fmt, env);
        if (!NegMul)
            return plain;
        fp::Env mirror = env;
        if (env.rn == fp::Round::Up || env.rn == fp::Round::Down)
            mirror.rn = env.rn == fp::Round::Up ? fp::Round::Down : fp::Round::Up;
        fp::Outcome e = fp::fma(x, y, acc, NegMul != NegAcc, true, fmt, mirror);
        if (fp::is_zero(plain.bits) && !(plain.exc & fp::fpscr::XX))
            e.bits = plain.bits ^ fp::kSign;
        return e;
    };
    for (unsigned r = 0; r < 4; ++r) {
        out[r] = mma::row(c, at, r);
        for (unsigned col = 0; col < cols; ++col) {
            const bool on = ((o.xmsk >> (3 - r)) & 1) && ((o.ymsk >> (cols - 1 - col)) & 1);
            if (T == Ger::F64) {
                if (!on) {
                    out[r][col] = 0;
                    continue;
                }
                const uint64_t x = c.st_.vsr[xa + r / 2][r % 2], y = b[col];
                const fp::Outcome e = Acc ? signed_fma(x, y, out[r][col], fp::kDouble) : fp::mul(x, y, fp::kDouble, env);
                exc |= e.exc;
                out[r][col] = e.bits;
                continue;
            }
            if (!on) {
                vsx::set_word(out[r], col, 0);
                continue;
            }
            const uint64_t acc = fp::single_to_double(vsx::word(out[r], col));
            fp::Outcome e;
            if (T == Ger::F32) {
                const uint64_t x = fp::single_to_double(vsx::word(c.st_.vsr[xa], r));
                const uint64_t y = fp::single_to_double(vsx::word(b, col));
                e = Acc ? signed_fma(x, y, acc, fp::kSingle) : fp::mul(x, y, fp::kSingle, env);
            } else {
                auto in = [](uint16_t h) { return T == Ger::F16 ? fp::half_to_double(h) : fp::bf16_to_double(h); };
                const Vsr &a = c.st_.vsr[xa];
                const bool t0 = (o.pmsk >> 1) & 1, t1 = o.pmsk & 1;
                const uint64_t a0 = t0 ? in(vsx::half(a, 2 * r)) : 0, b0 = t0 ? in(vsx::half(b, 2 * col)) : 0;
                const uint64_t a1 = t1 ? in(vsx::half(a, 2 * r + 1)) : 0, b1 = t1 ? in(vsx::half(b, 2 * col + 1)) : 0;
                const fp::Outcome p0 = fp::mul(a0, b0, fp::kDouble, env);   // exact: 11- or 8-bit significands
                e = fp::fma(a1, b1, p0.bits, false, false, fp::kSingle, env);
                e.exc |= p0.exc;
                if (Acc) {
                    const uint64_t sum = NegMul ? neg(e.bits) : e.bits;
                    const fp::Outcome s = fp::add(sum, NegAcc ? neg(acc) : acc, fp::kSingle, env);
                    e.bits = s.bits;
                    e.exc |= s.exc;
                }
            }
            exc |= e.exc;
            vsx::set_word(out[r], col, fp::double_to_single(e.bits));
        }
    }
    c.st_.fpscr = fp::fpscr::summarize(raise(c.st_.fpscr, exc));
    const bool ex = enabled(c.st_.fpscr, exc);
    if (!ex)
        for (unsigned r = 0; r < 4; ++r)
            c.st_.vsr[4 * at + r] = out[r];
    return fp_finish<false>(c, ex);
}

} // namespace phv::isa::sem
