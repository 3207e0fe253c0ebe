// Binary128, the quad-precision format of the VSX scalar quad-precision instructions (Book I 7.3.1, 7.6 xsaddqp
// ...): classification, and the exact arithmetic and conversions, each rounded once (to the FPSCR mode or to odd
// for the "o" forms) with every status outcome, as fp/round.cpp does for binary64.
#pragma once
#include "fp/round.h"

namespace phv::fp {

constexpr u128 kQSign = u128(1) << 127;
constexpr u128 kQExpMask = u128(0x7fff) << 112;
constexpr u128 kQFracMask = (u128(1) << 112) - 1;
constexpr u128 kQQuietBit = u128(1) << 111;
constexpr u128 kQInf = kQExpMask;
constexpr u128 kQDefaultNaN = kQExpMask | kQQuietBit;
constexpr int kQEmin = -16382, kQEmax = 16383;

// A VR as CpuState holds it ([0] = bits 0:63) and back.
constexpr u128 q_of(uint64_t hi, uint64_t lo) { return u128(hi) << 64 | lo; }
constexpr uint64_t q_hi(u128 q) { return uint64_t(q >> 64); }
constexpr uint64_t q_lo(u128 q) { return uint64_t(q); }

constexpr bool q_sign(u128 x) { return x >> 127; }
constexpr unsigned q_exp(u128 x) { return unsigned(x >> 112) & 0x7fff; }
constexpr bool q_is_nan(u128 x) { return (x & ~kQSign) > kQInf; }
constexpr bool q_is_snan(u128 x) { return q_is_nan(x) && !(x & kQQuietBit); }
constexpr bool q_is_inf(u128 x) { return (x & ~kQSign) == kQInf; }
constexpr bool q_is_zero(u128 x) { return (x & ~kQSign) == 0; }
constexpr bool q_is_denormal(u128 x) { return q_exp(x) == 0 && (x & kQFracMask); }
constexpr u128 q_quiet(u128 x) { return x | kQQuietBit; }

constexpr uint32_t q_class(u128 x) {
    const bool s = q_sign(x);
    if (q_is_nan(x))
        return fprf::kQNaN;
    if (q_is_inf(x))
        return s ? fprf::kNegInf : fprf::kPosInf;
    if (q_is_zero(x))
        return s ? fprf::kNegZero : fprf::kPosZero;
    if (q_is_denormal(x))
        return s ? fprf::kNegDenormal : fprf::kPosDenormal;
    return s ? fprf::kNegNormal : fprf::kPosNormal;
}

struct QOutcome {
    u128 bits = 0;
    uint64_t exc = 0;
    bool fr = false, fi = false;
};

QOutcome q_add(u128 a, u128 b, bool sub, const Env &env);
QOutcome q_mul(u128 a, u128 b, const Env &env);
QOutcome q_div(u128 a, u128 b, const Env &env);
QOutcome q_sqrt(u128 b, const Env &env);
// a*b + c (c negated when `sub`), the rounded result negated when `negate` (NaNs are not negated). NaN
// priority: a, c, b.
QOutcome q_fma(u128 a, u128 b, u128 c, bool sub, bool negate, const Env &env);

// xscvqpdp[o]: to binary64 (an Outcome in double format); xscvdpqp: exact.
Outcome q_to_double(u128 b, const Env &env);
QOutcome double_to_q(uint64_t d);
// xscvqp{s,u}{d,w}z and xscvqp{s,u}qz: truncated to an integer of `bits` (32, 64, 128), saturating, as a
// two's-complement (or unsigned) value in the low bits.
QOutcome q_to_int(u128 b, bool is_signed, unsigned bits);
// xscv{s,u}{d,q}qp: from a 64- or 128-bit integer (64-bit ones are exact).
QOutcome int_to_q(u128 v, bool is_signed, const Env &env);
// xsrqpi[x] (precision 113) and xsrqpxp (precision 64): an integral value (to_integer) or a value of
// `precision` bits, rounded as `rn`. An inexact integral result raises XX only when `inexact_ex` (xsrqpix).
QOutcome q_round_integral(u128 b, Round rn, bool ties_away, bool inexact_ex);
QOutcome q_round_precision(u128 b, Round rn, bool ties_away, const Env &env);

} // namespace phv::fp
