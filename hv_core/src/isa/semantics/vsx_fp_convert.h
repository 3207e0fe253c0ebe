// Book I 7.6: VSX rounding to integral values and to single precision, the conversions between binary64,
// binary32, binary16, bfloat16 and integers, and the exponent/significand extract and insert instructions.
// Where a word result is defined in one word of a doubleword, ISA 3.1 requires it in both words (its
// programming notes for xscvdpsp, xscvdpsxws, xvcvdpsp ...), which is what is written.
#pragma once
#include "fp/arith.h"
#include "fp/convert.h"
#include "isa/semantics/vsx_fp_common.h"

namespace phv::isa::sem {

namespace vsx {

// Element kinds of a conversion's source or target.
enum class Ty : uint8_t { F64, F32, F16, BF16, S64, U64, S32, U32 };

// The integer conversions always round toward zero (xscvdpsxds ...: "truncated").
inline fp::Outcome to_int(uint64_t x, Ty t) {
    const fp::IntKind k = t == Ty::S64 ? fp::IntKind::S64 : t == Ty::U64 ? fp::IntKind::U64
                          : t == Ty::S32 ? fp::IntKind::S32 : fp::IntKind::U32;
    return fp::to_integer(x, k, fp::Round::Zero);
}

// A double-format value rounded to a narrower binary format (Ty::F32, F16, BF16), NaNs quieted and truncated.
inline fp::Outcome narrow(uint64_t x, const fp::Format &f, const fp::Env &env) {
    if (fp::is_nan(x)) {
        const int drop = 53 - f.precision;
        return fp::Outcome{fp::quiet(x) & ~((1ull << drop) - 1), fp::is_snan(x) ? fp::fpscr::VXSNAN : 0, false, false};
    }
    if (fp::is_inf(x) || fp::is_zero(x))
        return fp::Outcome{x, 0, false, false};
    return fp::round_to(fp::unpack(x), f, env);
}

// A wider binary value (already exact in double format) converted up: only a signaling NaN changes (quieted,
// VXSNAN).
inline fp::Outcome widen(uint64_t x) {
    if (fp::is_snan(x))
        return fp::Outcome{fp::quiet(x), fp::fpscr::VXSNAN, false, false};
    return fp::Outcome{x, 0, false, false};
}

} // namespace vsx

// Scalar rounding to an integral value: xsrdpi (ties away), xsrdpiz/p/m, and xsrdpic (current mode, sets XX
// and FI when inexact). Round-to-integer otherwise never sets XX, FR or FI (Book I 4.6.7.3).
template <fp::IntRound Mode, bool Current>
Flow xsrdpi(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const uint64_t b = c.st_.vsr[vsx::xb(d.word)][0];
    const fp::Outcome o = Current ? fp::round_to_integral_current(b, fp_env(c).rn) : fp::round_to_integral(b, Mode);
    return vsx::scalar_commit(c, vsx::xt(d.word), o, Fprf::Double);
}

template <fp::IntRound Mode, bool Current, bool Single>
Flow xvrpi(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const vsx::Vsr b = c.st_.vsr[vsx::xb(d.word)];
    const fp::Round rn = fp_env(c).rn;
    auto one = [&](uint64_t x) { return Current ? fp::round_to_integral_current(x, rn) : fp::round_to_integral(x, Mode); };
    vsx::Vsr r{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < (Single ? 4u : 2u); ++i) {
        const fp::Outcome o = one(Single ? fp::single_to_double(vsx::word(b, i)) : b[i]);
        if (Single)
            vsx::set_word(r, i, fp::double_to_single(o.bits));
        else
            r[i] = o.bits;
        exc |= o.exc;
    }
    return vsx::vector_commit(c, vsx::xt(d.word), exc, r);
}

// xsrsp: round to single precision, result in double format (as frsp).
inline Flow xsrsp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const fp::Outcome o = fp::round_to_single(c.st_.vsr[vsx::xb(d.word)][0], fp_env(c));
    return vsx::scalar_commit(c, vsx::xt(d.word), o, Fprf::Single);
}

// xscvdpsp: the single-precision word in words 0 and 1. xscvdpspn: the word stfs would store (SINGLE(), Book I
// 4.6.3: bits selected, no rounding), without exceptions or status.
template <bool NonSignalling>
Flow xscvdpsp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const uint64_t b = c.st_.vsr[vsx::xb(d.word)][0];
    const unsigned t = vsx::xt(d.word);
    if (NonSignalling) {
        const uint32_t w = fp::double_to_single(b);
        c.st_.vsr[t] = {uint64_t(w) << 32 | w, 0};
        return Flow::Next;
    }
    const fp::Outcome o = vsx::narrow(b, fp::kSingle, fp_env(c));
    const uint32_t w = fp::double_to_single(o.bits);
    return vsx::scalar_commit_vsr(c, t, o, {uint64_t(w) << 32 | w, 0}, Fprf::Single);
}

// xscvspdp: word 0 widened exactly (a signaling NaN quieted, VXSNAN); xscvspdpn: no exceptions, NaNs kept.
template <bool NonSignalling>
Flow xscvspdp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const uint64_t x = fp::single_to_double(vsx::word(c.st_.vsr[vsx::xb(d.word)], 0));
    const unsigned t = vsx::xt(d.word);
    if (NonSignalling) {
        c.st_.vsr[t] = {x, 0};
        return Flow::Next;
    }
    return vsx::scalar_commit(c, t, vsx::widen(x), Fprf::Double);   // exact: FR and FI cleared
}

// xscvdphp: to binary16 in halfword 3; xscvhpdp: halfword 3 widened exactly.
inline Flow xscvdphp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const fp::Outcome o = vsx::narrow(c.st_.vsr[vsx::xb(d.word)][0], fp::kHalf, fp_env(c));
    const uint16_t h = fp::double_to_half(o.bits);
    // FPRF classifies the binary16 result: a binary16 denormal is a denormal.
    uint32_t cls = fp::class_of(o.bits);
    if ((h & 0x7c00) == 0 && (h & 0x3ff))
        cls = (h & 0x8000) ? fp::fprf::kNegDenormal : fp::fprf::kPosDenormal;
    if (!fp_update(c, o, Fprf::Keep))
        return fp_finish<false>(c, enabled(c.st_.fpscr, o.exc));
    c.st_.vsr[vsx::xt(d.word)] = {h, 0};
    c.st_.fpscr = (c.st_.fpscr & ~fp::fpscr::FPRF) | uint64_t(cls) << fp::fpscr::kFprfShift;
    return fp_finish<false>(c, enabled(c.st_.fpscr, o.exc));
}

inline Flow xscvhpdp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const uint64_t x = fp::half_to_double(vsx::half(c.st_.vsr[vsx::xb(d.word)], 3));
    return vsx::scalar_commit(c, vsx::xt(d.word), vsx::widen(x), Fprf::Double);
}

// xscvdp{s,u}x{d,w}s: truncating conversions to integers; a word result in words 0 and 1.
template <vsx::Ty To>
Flow xscvdpint(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const fp::Outcome o = vsx::to_int(c.st_.vsr[vsx::xb(d.word)][0], To);
    vsx::Vsr r{o.bits, 0};
    if (To == vsx::Ty::S32 || To == vsx::Ty::U32)
        r[0] = (o.bits & 0xffffffffull) << 32 | (o.bits & 0xffffffffull);
    // FPRF is undefined after a conversion to integer; phv leaves it, as QEMU does for these.
    return vsx::scalar_commit_vsr(c, vsx::xt(d.word), o, r, Fprf::Keep);
}

// xscv{s,u}xd{d,s}p: doubleword 0 as an integer, rounded to double or single precision.
template <bool Signed, bool Single>
Flow xscvintdp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const fp::Outcome o = fp::from_integer(c.st_.vsr[vsx::xb(d.word)][0], Signed, Single ? fp::kSingle : fp::kDouble, fp_env(c));
    return vsx::scalar_commit(c, vsx::xt(d.word), o, Single ? Fprf::Single : Fprf::Double);
}

// Vector conversions. Source elements: doublewords (F64, S64, U64: element i = doubleword i), words
// (F32, S32, U32: word i, or word 2i when the target is a doubleword), halfwords (F16, BF16: halfword 2i+1).
// Targets likewise; a word target of a doubleword source is written to words 2i and 2i+1, a halfword target
// to halfword 2i+1 with halfword 2i cleared.
template <vsx::Ty From, vsx::Ty To>
Flow xvcv(Vcpu &c, const Decoded &d) {
    using vsx::Ty;
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    constexpr auto dw = [](Ty t) { return t == Ty::F64 || t == Ty::S64 || t == Ty::U64; };
    constexpr auto hw = [](Ty t) { return t == Ty::F16 || t == Ty::BF16; };
    constexpr bool from_dw = dw(From), to_dw = dw(To);
    constexpr unsigned n = from_dw || to_dw ? 2 : 4;
    const vsx::Vsr b = c.st_.vsr[vsx::xb(d.word)];
    const fp::Env env = fp_env(c);
    vsx::Vsr r{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < n; ++i) {
        // The source element, as raw bits.
        uint64_t s;
        if (from_dw)
            s = b[i];
        else if (hw(From))
            s = vsx::half(b, 2 * i + 1);
        else
            s = vsx::word(b, to_dw ? 2 * i : i);
        fp::Outcome o;
        const bool from_float = From == Ty::F64 || From == Ty::F32 || From == Ty::F16 || From == Ty::BF16;
        const uint64_t x = From == Ty::F64 ? s : From == Ty::F32 ? fp::single_to_double(uint32_t(s))
                           : From == Ty::F16 ? fp::half_to_double(uint16_t(s)) : fp::bf16_to_double(uint16_t(s));
        if (from_float) {
            switch (To) {
            case Ty::F64: o = vsx::widen(x); break;
            case Ty::F32: o = From == Ty::F64 ? vsx::narrow(x, fp::kSingle, env) : vsx::widen(x); break;
            case Ty::F16: o = vsx::narrow(x, fp::kHalf, env); break;
            case Ty::BF16: o = vsx::narrow(x, fp::kBfloat16, env); break;
            default: o = vsx::to_int(x, To); break;
            }
            if (From == Ty::BF16)   // xvcvbf16spn: non-signalling, exact
                o = fp::Outcome{x, 0, false, false};
        } else {
            const bool sgn = From == Ty::S64 || From == Ty::S32;
            const uint64_t v = From == Ty::S32 ? uint64_t(int64_t(int32_t(uint32_t(s)))) : s;
            o = fp::from_integer(v, sgn, To == Ty::F32 ? fp::kSingle : fp::kDouble, env);
        }
        exc |= o.exc;
        // The target element.
        switch (To) {
        case Ty::F64:
        case Ty::S64:
        case Ty::U64: r[i] = o.bits; break;
        case Ty::F16: vsx::set_half(r, 2 * i + 1, fp::double_to_half(o.bits)); break;
        case Ty::BF16: vsx::set_half(r, 2 * i + 1, fp::double_to_bf16(o.bits)); break;
        default: {
            const uint32_t w = To == Ty::F32 ? fp::double_to_single(o.bits) : uint32_t(o.bits);
            if (from_dw) {
                vsx::set_word(r, 2 * i, w);
                vsx::set_word(r, 2 * i + 1, w);
            } else {
                vsx::set_word(r, i, w);
            }
        }
        }
    }
    return vsx::vector_commit(c, vsx::xt(d.word), exc, r);
}

// Exponent and significand extract/insert (ISA 3.0). The significand has its implicit bit, 1 unless the
// exponent field is all zeros or all ones.
inline Flow xsxexpdp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    c.st_.gpr[d.rt] = fp::exp_field(c.st_.vsr[vsx::xb(d.word)][0]);
    return Flow::Next;
}

inline uint64_t sig_dp(uint64_t x) {
    const unsigned e = fp::exp_field(x);
    return (x & fp::kFracMask) | (e != 0 && e != 0x7ff ? 1ull << 52 : 0);
}
inline uint32_t sig_sp(uint32_t x) {
    const unsigned e = (x >> 23) & 0xff;
    return (x & 0x7fffff) | (e != 0 && e != 0xff ? 1u << 23 : 0);
}

inline Flow xsxsigdp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    c.st_.gpr[d.rt] = sig_dp(c.st_.vsr[vsx::xb(d.word)][0]);
    return Flow::Next;
}

// xsiexpdp XT,RA,RB: sign and fraction from RA, exponent from the low 11 bits of RB.
inline Flow xsiexpdp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const uint64_t a = c.st_.gpr[d.ra], b = c.st_.gpr[d.rb];
    c.st_.vsr[vsx::xt(d.word)] = {(a & (fp::kSign | fp::kFracMask)) | (b & 0x7ff) << 52, 0};
    return Flow::Next;
}

enum class ExpSig : uint8_t { Exp, Sig };
template <ExpSig K, bool Single>
Flow xvxexpsig(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const vsx::Vsr b = c.st_.vsr[vsx::xb(d.word)];
    vsx::Vsr r{};
    if (Single) {
        for (unsigned i = 0; i < 4; ++i) {
            const uint32_t w = vsx::word(b, i);
            vsx::set_word(r, i, K == ExpSig::Exp ? (w >> 23) & 0xff : sig_sp(w));
        }
    } else {
        for (unsigned i = 0; i < 2; ++i)
            r[i] = K == ExpSig::Exp ? fp::exp_field(b[i]) : sig_dp(b[i]);
    }
    c.st_.vsr[vsx::xt(d.word)] = r;
    return Flow::Next;
}

// xviexpdp/xviexpsp XT,XA,XB: each element's sign and fraction from XA, its exponent from XB's element.
template <bool Single>
Flow xviexp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const vsx::Vsr a = c.st_.vsr[vsx::xa(d.word)], b = c.st_.vsr[vsx::xb(d.word)];
    vsx::Vsr r{};
    if (Single) {
        for (unsigned i = 0; i < 4; ++i)
            vsx::set_word(r, i, (vsx::word(a, i) & 0x807fffffu) | (vsx::word(b, i) & 0xff) << 23);
    } else {
        for (unsigned i = 0; i < 2; ++i)
            r[i] = (a[i] & (fp::kSign | fp::kFracMask)) | (b[i] & 0x7ff) << 52;
    }
    c.st_.vsr[vsx::xt(d.word)] = r;
    return Flow::Next;
}

} // namespace phv::isa::sem
