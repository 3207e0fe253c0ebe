#include "fp/round.h"

namespace phv::fp {

namespace {

struct Rounded {
    u128 kept;       // the significand at the result's least-significant-bit weight
    int lsb;         // exponent of that weight
    bool inexact, incremented;
};

} // namespace

void split(u128 sig, int shift, u128 &kept, Rest &rest) {
    if (shift > 128) {
        kept = 0;
        rest = Rest::Below;   // sig < 2^128 <= half an ulp
        return;
    }
    if (shift == 128) {
        kept = 0;
        const u128 half = u128(1) << 127;
        rest = sig == half ? Rest::Half : sig > half ? Rest::Above : Rest::Below;
        return;
    }
    kept = sig >> shift;
    const u128 rem = sig & ((u128(1) << shift) - 1);
    const u128 half = u128(1) << (shift - 1);
    rest = rem == 0 ? Rest::Zero : rem < half ? Rest::Below : rem == half ? Rest::Half : Rest::Above;
}

bool round_up(Round rn, bool sign, bool odd, Rest rest) {
    if (rest == Rest::Zero)
        return false;
    switch (rn) {
    case Round::Nearest: return rest == Rest::Above || (rest == Rest::Half && odd);
    case Round::Zero: return false;
    case Round::Up: return !sign;
    case Round::Down: return sign;
    case Round::Odd: return false;   // round_odd() sets the last bit instead
    }
    return false;
}

namespace {

// Rounds with the exponent bounded below (denormalization at emin) but unbounded above.
Rounded round_sig(const Exact &e, const Format &f, Round rn) {
    const int top = e.exp + msb128(e.sig);   // the value lies in [2^top, 2^(top+1))
    const int frame = top < f.emin ? f.emin : top;
    Rounded r{0, frame - (f.precision - 1), false, false};
    const int shift = r.lsb - e.exp;
    if (shift <= 0) {
        r.kept = e.sig << -shift;   // exact: the value has no more than `precision` bits
        return r;
    }
    Rest rest;
    split(e.sig, shift, r.kept, rest);
    r.inexact = rest != Rest::Zero;
    r.incremented = round_up(rn, e.sign, r.kept & 1, rest);
    r.kept += r.incremented;
    if (rn == Round::Odd && r.inexact && !(r.kept & 1)) {
        r.kept |= 1;
        r.incremented = true;
    }
    if (r.kept >> f.precision) {   // carried into a new top bit: renormalize (the low bit is 0)
        r.kept >>= 1;
        ++r.lsb;
    }
    return r;
}

} // namespace

uint64_t to_double_bits(bool sign, u128 kept, int lsb) {
    const uint64_t s = sign ? kSign : 0;
    if (kept == 0)
        return s;
    const int m = msb128(kept);
    const int top = lsb + m;
    if (top < -1022) {   // a double denormal: weight 2^-1074 per unit
        return s | uint64_t(kept << (lsb + 1074));
    }
    const uint64_t sig = m > 52 ? uint64_t(kept >> (m - 52)) : uint64_t(kept << (52 - m));
    return s | uint64_t(top + 1023) << 52 | (sig & kFracMask);
}

namespace {

uint64_t largest(const Format &f, bool sign) {
    const Exact max{sign, f.emax - (f.precision - 1), (u128(1) << f.precision) - 1};
    return to_double_bits(sign, max.sig, max.exp);
}

} // namespace

Outcome round_to(const Exact &in, const Format &f, const Env &env) {
    Outcome o;
    Exact e = in;
    const int top = e.exp + msb128(e.sig);
    // Tininess is detected before rounding (Book I 4.4.6): the exact value below the smallest normal.
    if (top < f.emin && env.ue) {
        // Enabled underflow: the exponent is raised by `scale` and the value rounded normally.
        o.exc |= fpscr::UX;
        e.exp += f.scale;
    }
    Rounded r = round_sig(e, f, env.rn);
    // Overflow: the result rounded as if the exponent range were unbounded exceeds the largest number.
    if (r.lsb + f.precision - 1 > f.emax) {
        o.exc |= fpscr::OX;
        if (env.oe) {
            e.exp -= f.scale;
            r = round_sig(e, f, env.rn);
        } else {
            // Disabled overflow (Book I 4.4.5): infinity or the largest number as the rounding mode says;
            // the result is inexact (XX, FI).
            const bool to_inf = env.rn == Round::Nearest || (env.rn == Round::Up && !e.sign) ||
                                (env.rn == Round::Down && e.sign);
            o.bits = to_inf ? (e.sign ? kSign : 0) | kInf : largest(f, e.sign);
            o.exc |= fpscr::XX;
            o.fi = true;
            o.fr = r.incremented;
            return o;
        }
    } else if (top < f.emin && !env.ue && r.inexact) {
        o.exc |= fpscr::UX;   // disabled underflow needs tininess and loss of accuracy (inexactness)
    }
    o.bits = to_double_bits(e.sign, r.kept, r.lsb);
    o.fi = r.inexact;
    o.fr = r.incremented;
    if (r.inexact)
        o.exc |= fpscr::XX;
    return o;
}

} // namespace phv::fp
