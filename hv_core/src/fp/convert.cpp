#include "fp/convert.h"

#include "fp/arith.h"

namespace phv::fp {

Outcome round_to_single(uint64_t b, const Env &env) {
    if (is_nan(b))
        return Outcome{nan_result(b, kSingle), is_snan(b) ? fpscr::VXSNAN : 0, false, false};
    if (is_inf(b) || is_zero(b))
        return Outcome{b, 0, false, false};
    return round_to(unpack(b), kSingle, env);
}

Outcome to_integer(uint64_t b, IntKind kind, Round rn) {
    const bool is_signed = kind == IntKind::S64 || kind == IntKind::S32;
    const bool wide = kind == IntKind::S64 || kind == IntKind::U64;
    // The representable magnitudes for each sign.
    const u128 pos_max = wide ? (is_signed ? (u128(1) << 63) - 1 : ~uint64_t(0)) : (is_signed ? 0x7fffffffu : 0xffffffffu);
    const u128 neg_max = is_signed ? (wide ? u128(1) << 63 : u128(0x80000000u)) : 0;
    // The saturated results of an invalid conversion (Book I 4.6.7.2): the bound on the operand's side;
    // a NaN gives the most negative signed integer, or 0 for an unsigned one. A 32-bit result is in bits
    // 32:63; bits 0:31 (undefined in the ISA) hold its sign extension as on QEMU.
    auto encode = [&](bool neg, u128 mag) -> uint64_t {
        const uint64_t v = neg ? uint64_t(0) - uint64_t(mag) : uint64_t(mag);
        return !wide && is_signed ? uint64_t(int64_t(int32_t(uint32_t(v)))) : wide ? v : uint64_t(uint32_t(v));
    };
    if (is_nan(b)) {
        const uint64_t r = is_signed ? (wide ? 1ull << 63 : 0x80000000ull) : 0;
        return Outcome{r, fpscr::VXCVI | (is_snan(b) ? fpscr::VXSNAN : 0), false, false};
    }
    const bool neg = sign_of(b);
    if (is_zero(b))
        return Outcome{0, 0, false, false};
    bool too_big = is_inf(b);
    u128 mag = 0;
    Outcome o;
    if (!too_big) {
        const Exact e = unpack(b);
        if (e.exp >= 64) {
            too_big = true;
        } else if (e.exp >= 0) {
            mag = e.sig << e.exp;
        } else {
            Rest rest;
            split(e.sig, -e.exp, mag, rest);
            o.fi = rest != Rest::Zero;
            o.fr = round_up(rn, neg, mag & 1, rest);
            mag += o.fr;
        }
        too_big = too_big || mag > (neg ? neg_max : pos_max);
    }
    if (too_big)
        return Outcome{encode(neg, neg ? neg_max : pos_max), fpscr::VXCVI, false, false};
    o.bits = encode(neg, mag);
    if (o.fi)
        o.exc |= fpscr::XX;
    return o;
}

Outcome from_integer(uint64_t v, bool is_signed, const Format &f, const Env &env) {
    const bool neg = is_signed && int64_t(v) < 0;
    const uint64_t mag = neg ? uint64_t(0) - v : v;
    if (mag == 0)
        return Outcome{0, 0, false, false};
    return round_to(Exact{neg, 0, mag}, f, env);
}

Outcome round_to_integral(uint64_t b, IntRound mode) {
    if (is_nan(b))
        return Outcome{quiet(b), is_snan(b) ? fpscr::VXSNAN : 0, false, false};
    if (is_inf(b) || is_zero(b))
        return Outcome{b, 0, false, false};
    const Exact e = unpack(b);
    if (e.exp >= 0)
        return Outcome{b, 0, false, false};   // already integral
    u128 mag;
    Rest rest;
    split(e.sig, -e.exp, mag, rest);
    bool up = false;
    switch (mode) {
    case IntRound::NearestAway: up = rest == Rest::Half || rest == Rest::Above; break;
    case IntRound::Zero: break;
    case IntRound::Up: up = !e.sign && rest != Rest::Zero; break;
    case IntRound::Down: up = e.sign && rest != Rest::Zero; break;
    }
    // Book I 4.6.7.3: the round-to-integer instructions set FR and FI to 0 and do not set XX.
    return Outcome{to_double_bits(e.sign, mag + up, 0), 0, false, false};
}

Outcome round_to_integral_current(uint64_t b, Round rn) {
    if (is_nan(b))
        return Outcome{quiet(b), is_snan(b) ? fpscr::VXSNAN : 0, false, false};
    if (is_inf(b) || is_zero(b))
        return Outcome{b, 0, false, false};
    const Exact e = unpack(b);
    if (e.exp >= 0)
        return Outcome{b, 0, false, false};
    u128 mag;
    Rest rest;
    split(e.sig, -e.exp, mag, rest);
    const bool up = round_up(rn, e.sign, mag & 1, rest);
    Outcome o{to_double_bits(e.sign, mag + up, 0), 0, up, rest != Rest::Zero};
    if (o.fi)
        o.exc = fpscr::XX;
    return o;
}

Outcome reciprocal_estimate(uint64_t b, const Format &f, const Env &env) {
    constexpr uint64_t kOne = 0x3ff0000000000000ull;
    return div(kOne, b, f, env);
}

Outcome rsqrt_estimate(uint64_t b, const Format &f, const Env &env) {
    constexpr uint64_t kOne = 0x3ff0000000000000ull;
    const Outcome r = sqrt(b, kDouble, env);
    if (r.exc & (fpscr::VXSNAN | fpscr::VXSQRT) || is_nan(b))
        return Outcome{is_nan(r.bits) ? nan_result(r.bits, f) : r.bits, r.exc, false, false};
    // Inexact when either step is (XX, FI), as QEMU computes it.
    Outcome q = div(kOne, r.bits, f, env);
    q.exc |= r.exc & fpscr::XX;
    q.fi = q.fi || r.fi;
    return q;
}

} // namespace phv::fp
