// Book I 7.6: the VSX scalar quad-precision instructions (ISA 3.0/3.1), binary128 in VRs (VSR 32+n): arithmetic
// with its round-to-odd "o" forms, multiply-add, compares, conversions, rounding to integral and to
// double-extended precision, and the sign/exponent/significand moves. The exact work is fp/quad.cpp.
#pragma once
#include "fp/quad.h"
#include "isa/semantics/vsx_fp_common.h"

namespace phv::isa::sem {

using fp::u128;

namespace vsx {

inline u128 vr(const Vcpu &c, unsigned n) { return fp::q_of(c.st_.vsr[n][0], c.st_.vsr[n][1]); }
inline void set_vr(Vcpu &c, unsigned n, u128 q) { c.st_.vsr[n] = {fp::q_hi(q), fp::q_lo(q)}; }

// As scalar_commit, for a binary128 result: FPRF is its class.
inline Flow quad_commit(Vcpu &c, unsigned t, const fp::QOutcome &q, bool sets_fprf = true) {
    const fp::Outcome o{0, q.exc, q.fr, q.fi};
    if (fp_update(c, o, Fprf::Keep)) {
        set_vr(c, t, q.bits);
        if (sets_fprf)
            c.st_.fpscr = (c.st_.fpscr & ~fp::fpscr::FPRF) | uint64_t(fp::q_class(q.bits)) << fp::fpscr::kFprfShift;
    }
    return fp_finish<false>(c, enabled(c.st_.fpscr, q.exc));
}

// The rounding of an instruction whose bit 31 is RO: round-to-odd, else FPSCR[RN].
inline fp::Env quad_env(const Vcpu &c, bool ro) {
    fp::Env e = fp_env(c);
    if (ro)
        e.rn = fp::Round::Odd;
    return e;
}

inline uint32_t q_compare(u128 a, u128 b) {   // LT GT EQ UN
    if (fp::q_is_nan(a) || fp::q_is_nan(b))
        return 1;
    if (fp::q_is_zero(a) && fp::q_is_zero(b))
        return 2;
    const bool sa = fp::q_sign(a), sb = fp::q_sign(b);
    if (sa != sb)
        return sa ? 8 : 4;
    const u128 ma = a & ~fp::kQSign, mb = b & ~fp::kQSign;
    if (ma == mb)
        return 2;
    return (ma < mb) != sa ? 8 : 4;
}

} // namespace vsx

enum class QOp : uint8_t { Add, Sub, Mul, Div, Sqrt, MAdd, MSub, NMAdd, NMSub };

// xsaddqp[o] ... xsnmsubqp[o] VRT,VRA,VRB; xssqrtqp[o] VRT,VRB. The multiply-adds add VRT: VRA*VRB + VRT.
template <QOp Op, bool RO>
Flow xsqp_arith(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const unsigned t = vsx::vrt(d.word);
    const u128 a = vsx::vr(c, vsx::vra(d.word)), b = vsx::vr(c, vsx::vrb(d.word)), tt = vsx::vr(c, t);
    const fp::Env env = vsx::quad_env(c, RO);
    fp::QOutcome o;
    switch (Op) {
    case QOp::Add: o = fp::q_add(a, b, false, env); break;
    case QOp::Sub: o = fp::q_add(a, b, true, env); break;
    case QOp::Mul: o = fp::q_mul(a, b, env); break;
    case QOp::Div: o = fp::q_div(a, b, env); break;
    case QOp::Sqrt: o = fp::q_sqrt(b, env); break;
    case QOp::MAdd: o = fp::q_fma(a, b, tt, false, false, env); break;
    case QOp::MSub: o = fp::q_fma(a, b, tt, true, false, env); break;
    case QOp::NMAdd: o = fp::q_fma(a, b, tt, false, true, env); break;
    case QOp::NMSub: o = fp::q_fma(a, b, tt, true, true, env); break;
    }
    return vsx::quad_commit(c, t, o);
}

// xscmpuqp/xscmpoqp BF,VRA,VRB (as fcmpu/fcmpo) and xscmpexpqp BF,VRA,VRB.
template <bool Ordered>
Flow xscmpqp(Vcpu &c, const Decoded &d) {
    using namespace fp::fpscr;
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const u128 a = vsx::vr(c, vsx::vra(d.word)), b = vsx::vr(c, vsx::vrb(d.word));
    const uint32_t cc = vsx::q_compare(a, b);
    uint64_t exc = 0;
    if (cc == 1) {
        const bool snan = fp::q_is_snan(a) || fp::q_is_snan(b);
        exc = snan ? VXSNAN : 0;
        if (Ordered && (!snan || !(c.st_.fpscr & VE)))
            exc |= VXVC;
    }
    c.st_.fpscr = summarize((raise(c.st_.fpscr, exc) & ~FPCC) | uint64_t(cc) << kFpccShift);
    c.st_.set_crf(bits(d.word, 6, 8), cc);
    return fp_finish<false>(c, enabled(c.st_.fpscr, exc));
}

inline Flow xscmpexpqp(Vcpu &c, const Decoded &d) {
    using namespace fp::fpscr;
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const u128 a = vsx::vr(c, vsx::vra(d.word)), b = vsx::vr(c, vsx::vrb(d.word));
    const unsigned ea = fp::q_exp(a), eb = fp::q_exp(b);
    const uint32_t cc = fp::q_is_nan(a) || fp::q_is_nan(b) ? 1 : ea < eb ? 8 : ea > eb ? 4 : 2;
    c.st_.fpscr = (c.st_.fpscr & ~FPCC) | uint64_t(cc) << kFpccShift;
    c.st_.set_crf(bits(d.word, 6, 8), cc);
    return Flow::Next;
}

// xscmpeqqp/xscmpgeqp/xscmpgtqp VRT,VRA,VRB (ISA 3.1): an all-ones or all-zeros VRT.
template <VsxCmp K>
Flow xscmpqp_mask(Vcpu &c, const Decoded &d) {
    using namespace fp::fpscr;
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const u128 a = vsx::vr(c, vsx::vra(d.word)), b = vsx::vr(c, vsx::vrb(d.word));
    const uint32_t cc = vsx::q_compare(a, b);
    const bool r = K == VsxCmp::Eq ? cc == 2 : K == VsxCmp::Gt ? cc == 4 : (cc == 4 || cc == 2);
    uint64_t exc = 0;
    if (cc == 1) {
        const bool snan = fp::q_is_snan(a) || fp::q_is_snan(b);
        exc = snan ? VXSNAN : 0;
        if (K != VsxCmp::Eq && (!snan || !(c.st_.fpscr & VE)))
            exc |= VXVC;
    }
    if (fp_update(c, fp::Outcome{0, exc, false, false}, Fprf::Keep, false))
        vsx::set_vr(c, vsx::vrt(d.word), r ? ~u128(0) : 0);
    return fp_finish<false>(c, enabled(c.st_.fpscr, exc));
}

// xsmaxcqp/xsmincqp ("C" semantics, as xsmaxcdp): VRB unless VRA is strictly greater (less).
template <bool Max>
Flow xsmaxcqp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const u128 a = vsx::vr(c, vsx::vra(d.word)), b = vsx::vr(c, vsx::vrb(d.word));
    const uint32_t cc = vsx::q_compare(a, b);
    const u128 r = cc == (Max ? 4u : 8u) ? a : b;
    const uint64_t exc = fp::q_is_snan(a) || fp::q_is_snan(b) ? fp::fpscr::VXSNAN : 0;
    if (fp_update(c, fp::Outcome{0, exc, false, false}, Fprf::Keep, false))
        vsx::set_vr(c, vsx::vrt(d.word), r);
    return fp_finish<false>(c, enabled(c.st_.fpscr, exc));
}

// xststdcqp BF,VRB,DCMX.
inline Flow xststdcqp(Vcpu &c, const Decoded &d) {
    using namespace fp::fpscr;
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const u128 b = vsx::vr(c, vsx::vrb(d.word));
    const unsigned dcmx = bits(d.word, 9, 15);
    const bool s = fp::q_sign(b);
    unsigned m = 0;
    if (fp::q_is_nan(b))
        m = 64;
    else if (fp::q_is_inf(b))
        m = s ? 16 : 32;
    else if (fp::q_is_zero(b))
        m = s ? 4 : 8;
    else if (fp::q_is_denormal(b))
        m = s ? 1 : 2;
    const uint32_t cc = (s ? 8u : 0u) | ((dcmx & m) ? 2u : 0u);
    c.st_.fpscr = (c.st_.fpscr & ~FPCC) | uint64_t(cc) << kFpccShift;
    c.st_.set_crf(bits(d.word, 6, 8), cc);
    return Flow::Next;
}

// Sign moves (no FPSCR): xsabsqp, xsnabsqp, xsnegqp VRT,VRB; xscpsgnqp VRT,VRA,VRB.
template <SignOp Op>
Flow xsqp_sign(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const u128 a = vsx::vr(c, vsx::vra(d.word)), b = vsx::vr(c, vsx::vrb(d.word));
    u128 r = b;
    switch (Op) {
    case SignOp::Abs: r = b & ~fp::kQSign; break;
    case SignOp::Nabs: r = b | fp::kQSign; break;
    case SignOp::Neg: r = b ^ fp::kQSign; break;
    case SignOp::Cpsgn: r = (b & ~fp::kQSign) | (a & fp::kQSign); break;
    }
    vsx::set_vr(c, vsx::vrt(d.word), r);
    return Flow::Next;
}

// xsxexpqp VRT,VRB: the exponent field in doubleword 0; xsxsigqp VRT,VRB: the significand with its implicit
// bit; xsiexpqp VRT,VRA,VRB: VRA's sign and fraction, the exponent from bits 49:63 of VRB (doubleword 0).
inline Flow xsxexpqp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    vsx::set_vr(c, vsx::vrt(d.word), u128(fp::q_exp(vsx::vr(c, vsx::vrb(d.word)))) << 64);
    return Flow::Next;
}
inline Flow xsxsigqp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const u128 b = vsx::vr(c, vsx::vrb(d.word));
    const unsigned e = fp::q_exp(b);
    vsx::set_vr(c, vsx::vrt(d.word), (b & fp::kQFracMask) | (e != 0 && e != 0x7fff ? u128(1) << 112 : 0));
    return Flow::Next;
}
inline Flow xsiexpqp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const u128 a = vsx::vr(c, vsx::vra(d.word)), b = vsx::vr(c, vsx::vrb(d.word));
    vsx::set_vr(c, vsx::vrt(d.word), (a & (fp::kQSign | fp::kQFracMask)) | ((b >> 64) & 0x7fff) << 112);
    return Flow::Next;
}

// xscvqpdp[o]: to double precision in doubleword 0 (FPRF of the double); xscvdpqp: doubleword 0 widened.
template <bool RO>
Flow xscvqpdp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const fp::Outcome o = fp::q_to_double(vsx::vr(c, vsx::vrb(d.word)), vsx::quad_env(c, RO));
    if (fp_update(c, o, Fprf::Double))
        c.st_.vsr[vsx::vrt(d.word)] = {o.bits, 0};
    return fp_finish<false>(c, enabled(c.st_.fpscr, o.exc));
}
inline Flow xscvdpqp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    return vsx::quad_commit(c, vsx::vrt(d.word), fp::double_to_q(c.st_.vsr[vsx::vrb(d.word)][0]));
}

// xscvqp{s,u}{d,w}z: doubleword 0 (a word result sign- or zero-extended), doubleword 1 cleared;
// xscvqp{s,u}qz: the whole VRT. FPRF is undefined; it is left as it was.
template <bool Signed, unsigned Bits>
Flow xscvqpint(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    fp::QOutcome o = fp::q_to_int(vsx::vr(c, vsx::vrb(d.word)), Signed, Bits);
    if (Bits == 32)
        o.bits = Signed ? u128(uint64_t(int64_t(int32_t(uint32_t(o.bits))))) << 64 : (o.bits & 0xffffffffu) << 64;
    else if (Bits == 64)
        o.bits <<= 64;
    return vsx::quad_commit(c, vsx::vrt(d.word), o, false);
}

// xscv{s,u}dqp: doubleword 0 of VRB (exact); xscv{s,u}qqp: all of VRB, rounded.
template <bool Signed, unsigned Bits>
Flow xscvintqp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const unsigned b = vsx::vrb(d.word);
    const uint64_t hi = c.st_.vsr[b][0];
    const u128 v = Bits == 64 ? (Signed ? u128(__int128(int64_t(hi))) : u128(hi)) : vsx::vr(c, b);
    return vsx::quad_commit(c, vsx::vrt(d.word), fp::int_to_q(v, Signed, fp_env(c)));
}

// xsrqpi[x] R,VRT,VRB,RMC and xsrqpxp R,VRT,VRB,RMC (Z23): R=0 RMC=0 rounds to nearest with ties away, R=0
// RMC=3 in FPSCR[RN]; R=1 RMC = nearest even, zero, +inf, -inf. (R=0 with RMC 1 or 2 is reserved; treated as
// FPSCR[RN].)
template <bool Integral, bool Ex>
Flow xsrqpi(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const unsigned r = bits(d.word, 15, 15), rmc = bits(d.word, 21, 22);
    const bool away = r == 0 && rmc == 0;
    const fp::Round rn = r ? fp::Round(rmc) : fp_env(c).rn;
    const u128 b = vsx::vr(c, vsx::vrb(d.word));
    const fp::QOutcome o = Integral ? fp::q_round_integral(b, rn, away, Ex) : fp::q_round_precision(b, rn, away, fp_env(c));
    return vsx::quad_commit(c, vsx::vrt(d.word), o);
}

} // namespace phv::isa::sem
