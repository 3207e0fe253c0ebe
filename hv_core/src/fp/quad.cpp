#include "fp/quad.h"

#include <initializer_list>
#include <utility>

namespace phv::fp {

namespace {

constexpr int kQScale = 24576;   // 3 * 2^13: the exponent adjustment of an enabled overflow/underflow (4.4.5)
constexpr int kQLsb = -16494;    // the weight of a denormal's last bit

// A finite nonzero value sig * 2^exp. Bits lost on the way are folded into bit 0 of sig (a sticky bit), which
// producers keep at least two bits below the rounding point.
struct QExact {
    bool sign = false;
    int exp = 0;
    u128 sig = 0;
};

QExact q_unpack(u128 x) {
    const unsigned e = q_exp(x);
    const u128 f = x & kQFracMask;
    if (e == 0)
        return {q_sign(x), kQLsb, f};
    return {q_sign(x), int(e) - 16383 - 112, f | u128(1) << 112};
}

// sig >> n with the lost bits folded into bit 0.
u128 shr_sticky(u128 sig, int n) {
    if (n <= 0)
        return sig;
    if (n >= 128)
        return sig != 0;
    return (sig >> n) | ((sig & ((u128(1) << n) - 1)) != 0);
}

// 256-bit unsigned integers for the products, the multiply-add and the square root.
struct U256 {
    u128 hi = 0, lo = 0;
};
U256 mul(u128 a, u128 b) {
    constexpr u128 m = ~uint64_t(0);
    const u128 a0 = a & m, a1 = a >> 64, b0 = b & m, b1 = b >> 64;
    const u128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const u128 mid = (p00 >> 64) + (p01 & m) + (p10 & m);
    return {p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64), (p00 & m) | (mid << 64)};
}
int msb256(const U256 &v) { return v.hi ? 128 + msb128(v.hi) : v.lo ? msb128(v.lo) : -1; }
U256 shl(const U256 &v, int n) {
    if (n <= 0)
        return v;
    if (n >= 128)
        return {v.lo << (n - 128), 0};
    return {(v.hi << n) | (v.lo >> (128 - n)), v.lo << n};
}
U256 shr_sticky(const U256 &v, int n) {
    if (n <= 0)
        return v;
    if (n >= 256)
        return {0, (v.hi | v.lo) != 0};
    if (n >= 128) {
        const bool lost = v.lo != 0 || (n > 128 && (v.hi & ((u128(1) << (n - 128)) - 1)) != 0);
        return {0, (n == 128 ? v.hi : v.hi >> (n - 128)) | lost};
    }
    const bool lost = (v.lo & ((u128(1) << n) - 1)) != 0;
    return {v.hi >> n, ((v.lo >> n) | (v.hi << (128 - n))) | lost};
}
bool less(const U256 &a, const U256 &b) { return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo; }
U256 add(const U256 &a, const U256 &b) {
    const u128 lo = a.lo + b.lo;
    return {a.hi + b.hi + (lo < a.lo), lo};
}
U256 minus(const U256 &a, const U256 &b) {   // a >= b
    return {a.hi - b.hi - (a.lo < b.lo), a.lo - b.lo};
}
// A 256-bit significand narrowed to at most 127 bits, the rest sticky.
QExact narrow(bool sign, int exp, const U256 &v) {
    const int m = msb256(v);
    const int n = m > 126 ? m - 126 : 0;
    return {sign, exp + n, shr_sticky(v, n).lo};
}

// Rounds sig * 2^exp to `p` bits (113, or 64 for xsrqpxp) in the binary128 exponent range (Book I 4.3.6,
// 4.4.4-4.4.6 applied to binary128, 7.3.2.6 round-to-odd).
QOutcome round_q(QExact e, const Env &env, int p = 113, bool ties_away = false) {
    QOutcome o;
    int top = e.exp + msb128(e.sig);
    const bool tiny = top < kQEmin;
    if (tiny && env.ue) {
        o.exc |= fpscr::UX;
        e.exp += kQScale;
        top += kQScale;
    }
    auto once = [&](const QExact &x, int t, u128 &kept, int &lsb, bool &inexact, bool &inc) {
        const int frame = t < kQEmin ? kQEmin : t;
        lsb = frame - (p - 1);
        const int shift = lsb - x.exp;
        Rest rest = Rest::Zero;
        if (shift <= 0) {
            kept = x.sig << -shift;
        } else {
            split(x.sig, shift, kept, rest);
        }
        inexact = rest != Rest::Zero;
        inc = ties_away ? (rest == Rest::Half || rest == Rest::Above) : round_up(env.rn, x.sign, kept & 1, rest);
        kept += inc;
        if (env.rn == Round::Odd && inexact && !(kept & 1)) {
            kept |= 1;
            inc = true;
        }
        if (kept >> p) {
            kept >>= 1;
            ++lsb;
        }
    };
    u128 kept;
    int lsb;
    bool inexact, inc;
    once(e, top, kept, lsb, inexact, inc);
    if (lsb + p - 1 > kQEmax) {
        o.exc |= fpscr::OX;
        if (env.oe) {
            e.exp -= kQScale;
            once(e, top - kQScale, kept, lsb, inexact, inc);
        } else {
            const bool to_inf = !ties_away ? (env.rn == Round::Nearest || (env.rn == Round::Up && !e.sign) ||
                                              (env.rn == Round::Down && e.sign))
                                           : true;
            o.bits = (e.sign ? kQSign : 0) |
                     (to_inf ? kQInf : (u128(kQEmax + 16383) << 112 | ((((u128(1) << p) - 1) << (113 - p)) & kQFracMask)));
            o.exc |= fpscr::XX;
            o.fi = true;
            o.fr = inc;
            return o;
        }
    } else if (tiny && !env.ue && inexact) {
        o.exc |= fpscr::UX;
    }
    // To binary128 bits: the p-bit significand widened to 113 bits.
    kept <<= (113 - p);
    lsb -= (113 - p);
    const u128 s = e.sign ? kQSign : 0;
    if (kept >> 112)
        o.bits = s | u128(lsb + 112 + 16383) << 112 | (kept & kQFracMask);
    else
        o.bits = s | kept;   // a denormal (or zero): lsb is kQLsb
    o.fi = inexact;
    o.fr = inc;
    if (inexact)
        o.exc |= fpscr::XX;
    return o;
}

QOutcome special(u128 bits, uint64_t exc = 0) { return QOutcome{bits, exc, false, false}; }

bool propagate(std::initializer_list<u128> ops, QOutcome &o) {
    bool any = false, snan = false;
    u128 first = 0;
    for (u128 x : ops) {
        if (q_is_nan(x) && !any) {
            any = true;
            first = x;
        }
        snan |= q_is_snan(x);
    }
    if (any)
        o = special(q_quiet(first), snan ? fpscr::VXSNAN : 0);
    return any;
}

u128 exact_zero_q(Round rn) { return rn == Round::Down ? kQSign : 0; }

QExact aligned(QExact e, int top) {
    const int m = msb128(e.sig);
    e.sig <<= (top - m);
    e.exp -= (top - m);
    return e;
}

// The exact sum of two finite values, rounded; an exact zero takes the IEEE sign rule.
QOutcome finish_sum(QExact a, QExact b, const Env &env) {
    const bool sa = a.sign, sb = b.sign;
    if (a.sig == 0 && b.sig == 0)
        return special(sa == sb ? (sa ? kQSign : 0) : exact_zero_q(env.rn));
    if (a.sig == 0)
        return round_q(b, env);
    if (b.sig == 0)
        return round_q(a, env);
    a = aligned(a, 125);
    b = aligned(b, 125);
    if (a.exp < b.exp)
        std::swap(a, b);
    b.sig = shr_sticky(b.sig, a.exp - b.exp);
    QExact r{a.sign, a.exp, 0};
    if (a.sign == b.sign) {
        r.sig = a.sig + b.sig;
    } else if (a.sig >= b.sig) {
        r.sig = a.sig - b.sig;
    } else {
        r.sig = b.sig - a.sig;
        r.sign = b.sign;
    }
    if (r.sig == 0)
        return special(exact_zero_q(env.rn));
    return round_q(r, env);
}

QExact exact_of(u128 x) { return q_is_zero(x) ? QExact{q_sign(x), 0, 0} : q_unpack(x); }

// 118 quotient bits of a / b for significands normalized to [2^112, 2^113), the remainder sticky.
u128 divide(u128 a, u128 b) {
    u128 q = 0, r = a;
    for (int i = 0; i < 118; ++i) {
        q <<= 1;
        if (r >= b) {
            r -= b;
            q |= 1;
        }
        r <<= 1;
    }
    return q | (r != 0);
}

QExact normalized(u128 x) {   // finite nonzero, significand msb at bit 112
    QExact e = q_unpack(x);
    const int n = 112 - msb128(e.sig);
    e.sig <<= n;
    e.exp -= n;
    return e;
}

} // namespace

QOutcome q_add(u128 a, u128 b, bool sub, const Env &env) {
    QOutcome o;
    if (propagate({a, b}, o))
        return o;
    const u128 bb = sub ? b ^ kQSign : b;
    if (q_is_inf(a) && q_is_inf(bb) && q_sign(a) != q_sign(bb))
        return special(kQDefaultNaN, fpscr::VXISI);
    if (q_is_inf(a))
        return special(a);
    if (q_is_inf(bb))
        return special(bb);
    return finish_sum(exact_of(a), exact_of(bb), env);
}

QOutcome q_mul(u128 a, u128 b, const Env &env) {
    QOutcome o;
    if (propagate({a, b}, o))
        return o;
    const bool s = q_sign(a) != q_sign(b);
    if ((q_is_inf(a) && q_is_zero(b)) || (q_is_zero(a) && q_is_inf(b)))
        return special(kQDefaultNaN, fpscr::VXIMZ);
    if (q_is_inf(a) || q_is_inf(b))
        return special((s ? kQSign : 0) | kQInf);
    if (q_is_zero(a) || q_is_zero(b))
        return special(s ? kQSign : 0);
    const QExact ea = q_unpack(a), eb = q_unpack(b);
    return round_q(narrow(s, ea.exp + eb.exp, mul(ea.sig, eb.sig)), env);
}

QOutcome q_div(u128 a, u128 b, const Env &env) {
    QOutcome o;
    if (propagate({a, b}, o))
        return o;
    const bool s = q_sign(a) != q_sign(b);
    const u128 sb = s ? kQSign : 0;
    if (q_is_inf(a) && q_is_inf(b))
        return special(kQDefaultNaN, fpscr::VXIDI);
    if (q_is_zero(a) && q_is_zero(b))
        return special(kQDefaultNaN, fpscr::VXZDZ);
    if (q_is_inf(a))
        return special(sb | kQInf);
    if (q_is_inf(b) || q_is_zero(a))
        return special(sb);
    if (q_is_zero(b))
        return special(sb | kQInf, fpscr::ZX);
    const QExact ea = normalized(a), eb = normalized(b);
    return round_q(QExact{s, ea.exp - eb.exp - 117, divide(ea.sig, eb.sig)}, env);
}

QOutcome q_sqrt(u128 b, const Env &env) {
    QOutcome o;
    if (propagate({b}, o))
        return o;
    if (q_is_zero(b))
        return special(b);
    if (q_sign(b))
        return special(kQDefaultNaN, fpscr::VXSQRT);
    if (q_is_inf(b))
        return special(b);
    QExact e = normalized(b);
    if (e.exp & 1) {
        e.sig <<= 1;
        e.exp -= 1;
    }
    // sqrt(sig * 2^122) has at least 117 bits; the remainder is sticky.
    const U256 r = shl(U256{0, e.sig}, 122);
    u128 root = 0, rem = 0;
    for (int i = 127; i >= 0; --i) {
        const unsigned two = unsigned((i >= 64 ? r.hi >> (2 * (i - 64)) : r.lo >> (2 * i)) & 3);
        rem = (rem << 2) | two;
        const u128 trial = (root << 2) | 1;
        if (rem >= trial) {
            rem -= trial;
            root = (root << 1) | 1;
        } else {
            root <<= 1;
        }
    }
    return round_q(QExact{false, (e.exp - 122) / 2, root | (rem != 0)}, env);
}

QOutcome q_fma(u128 a, u128 b, u128 c, bool sub, bool negate, const Env &env) {
    QOutcome o;
    const bool imz = (q_is_inf(a) && q_is_zero(b)) || (q_is_zero(a) && q_is_inf(b));
    if (propagate({a, c, b}, o)) {
        if (imz)
            o.exc |= fpscr::VXIMZ;
        return o;
    }
    const u128 cc = sub ? c ^ kQSign : c;
    const bool ps = q_sign(a) != q_sign(b);
    if (imz)
        return special(kQDefaultNaN, fpscr::VXIMZ);
    if ((q_is_inf(a) || q_is_inf(b)) && q_is_inf(cc) && ps != q_sign(cc))
        return special(kQDefaultNaN, fpscr::VXISI);
    if (q_is_inf(a) || q_is_inf(b)) {
        o = special((ps ? kQSign : 0) | kQInf);
    } else if (q_is_inf(cc)) {
        o = special(cc);
    } else if (q_is_zero(a) || q_is_zero(b)) {
        o = finish_sum(QExact{ps, 0, 0}, exact_of(cc), env);
    } else if (q_is_zero(cc)) {
        const QExact ea = q_unpack(a), eb = q_unpack(b);
        o = round_q(narrow(ps, ea.exp + eb.exp, mul(ea.sig, eb.sig)), env);
    } else {
        // Both exact in 256 bits, aligned with their top bits at 250, the smaller one's lost bits sticky.
        const QExact ea = q_unpack(a), eb = q_unpack(b), ec = q_unpack(cc);
        U256 p = mul(ea.sig, eb.sig);
        int pe = ea.exp + eb.exp;
        U256 q{0, ec.sig};
        int qe = ec.exp;
        const int np = 250 - msb256(p), nq = 250 - msb256(q);
        p = shl(p, np);
        pe -= np;
        q = shl(q, nq);
        qe -= nq;
        bool psign = ps, qsign = q_sign(cc);
        if (pe < qe) {
            std::swap(p, q);
            std::swap(pe, qe);
            std::swap(psign, qsign);
        }
        q = shr_sticky(q, pe - qe);
        U256 r;
        bool rs = psign;
        if (psign == qsign) {
            r = add(p, q);
        } else if (!less(p, q)) {
            r = minus(p, q);
        } else {
            r = minus(q, p);
            rs = qsign;
        }
        if (r.hi == 0 && r.lo == 0)
            o = special(exact_zero_q(env.rn));
        else
            o = round_q(narrow(rs, pe, r), env);
    }
    if (negate)
        o.bits ^= kQSign;
    return o;
}

Outcome q_to_double(u128 b, const Env &env) {
    const uint64_t s = q_sign(b) ? kSign : 0;
    if (q_is_nan(b))
        return Outcome{s | kInf | kQuietBit | uint64_t((b & kQFracMask) >> 60), q_is_snan(b) ? fpscr::VXSNAN : 0, false,
                       false};
    if (q_is_inf(b))
        return Outcome{s | kInf, 0, false, false};
    if (q_is_zero(b))
        return Outcome{s, 0, false, false};
    const QExact e = q_unpack(b);
    return round_to(Exact{e.sign, e.exp, e.sig}, kDouble, env);
}

QOutcome double_to_q(uint64_t d) {
    const u128 s = sign_of(d) ? kQSign : 0;
    if (is_nan(d))
        return special(s | kQInf | kQQuietBit | u128(d & kFracMask) << 60, is_snan(d) ? fpscr::VXSNAN : 0);
    if (is_inf(d))
        return special(s | kQInf);
    if (is_zero(d))
        return special(s);
    const Exact e = unpack(d);
    const int m = msb128(e.sig);
    const int top = e.exp + m;
    return special(s | u128(top + 16383) << 112 | ((e.sig << (112 - m)) & kQFracMask));
}

QOutcome q_to_int(u128 b, bool is_signed, unsigned bits) {
    const u128 top = bits == 128 ? kQSign : u128(1) << (bits - 1);
    const u128 pos_max = is_signed ? top - 1 : (bits == 128 ? ~u128(0) : (top << 1) - 1);
    const u128 neg_max = is_signed ? top : 0;
    const u128 mask = bits == 128 ? ~u128(0) : (u128(1) << bits) - 1;
    if (q_is_nan(b))
        return special(is_signed ? top : 0, fpscr::VXCVI | (q_is_snan(b) ? fpscr::VXSNAN : 0));
    const bool neg = q_sign(b);
    if (q_is_zero(b))
        return special(0);
    bool too_big = q_is_inf(b);
    u128 mag = 0;
    bool inexact = false;
    if (!too_big) {
        const QExact e = q_unpack(b);
        if (e.exp + msb128(e.sig) >= 128) {
            too_big = true;
        } else if (e.exp >= 0) {
            mag = e.sig << e.exp;
        } else {
            Rest rest;
            split(e.sig, -e.exp, mag, rest);
            inexact = rest != Rest::Zero;
        }
        too_big = too_big || mag > (neg ? neg_max : pos_max);
    }
    if (too_big)
        return special((neg ? u128(0) - neg_max : pos_max) & mask, fpscr::VXCVI);
    QOutcome o = special((neg ? u128(0) - mag : mag) & mask);
    o.fi = inexact;
    if (inexact)
        o.exc = fpscr::XX;
    return o;
}

QOutcome int_to_q(u128 v, bool is_signed, const Env &env) {
    const bool neg = is_signed && (v >> 127);
    const u128 mag = neg ? u128(0) - v : v;
    if (mag == 0)
        return special(0);
    return round_q(QExact{neg, 0, mag}, env);
}

QOutcome q_round_integral(u128 b, Round rn, bool ties_away, bool inexact_ex) {
    if (q_is_nan(b))
        return special(q_quiet(b), q_is_snan(b) ? fpscr::VXSNAN : 0);
    if (q_is_inf(b) || q_is_zero(b))
        return special(b);
    const QExact e = q_unpack(b);
    if (e.exp >= 0)
        return special(b);
    u128 mag;
    Rest rest;
    split(e.sig, -e.exp, mag, rest);
    const bool up = ties_away ? (rest == Rest::Half || rest == Rest::Above) : round_up(rn, e.sign, mag & 1, rest);
    mag += up;
    QOutcome o;
    if (mag == 0)
        o.bits = e.sign ? kQSign : 0;
    else
        o = round_q(QExact{e.sign, 0, mag}, Env{});   // exact: an integer below 2^113
    // xsrqpix (EX=1) reports an inexact result (XX, FI); xsrqpi does not. FR is never set.
    o.exc = inexact_ex && rest != Rest::Zero ? fpscr::XX : 0;
    o.fi = inexact_ex && rest != Rest::Zero;
    o.fr = false;
    return o;
}

QOutcome q_round_precision(u128 b, Round rn, bool ties_away, const Env &env) {
    QOutcome o;
    if (propagate({b}, o)) {
        o.bits &= ~((u128(1) << 49) - 1);   // a NaN keeps the fraction bits of the 64-bit precision only
        return o;
    }
    if (q_is_inf(b) || q_is_zero(b))
        return special(b);
    Env e = env;
    e.rn = rn;
    return round_q(q_unpack(b), e, 64, ties_away);
}

} // namespace phv::fp
