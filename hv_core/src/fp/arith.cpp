#include "fp/arith.h"

#include "fp/host_fast.h"

#include <initializer_list>
#include <utility>

namespace phv::fp {

namespace {

constexpr int kTop = 125;   // operands are aligned with their top bit here: room for a carry, and 60+
                            // guard bits below the widest (106-bit) product

bool single(const Format &f) { return f.precision == kSingle.precision; }
// The host's double is exactly this format (not single, half, bfloat16, nor the quad path's).
bool is_double(const Format &f) { return f.precision == kDouble.precision && f.emin == kDouble.emin; }

Outcome exact_special(uint64_t bits) { return Outcome{bits, 0, false, false}; }

// Invalid operation with a disabled-result of the default QNaN (Book I 4.4.1).
Outcome invalid(uint64_t cause) { return Outcome{kDefaultNaN, cause, false, false}; }

// If any operand is a NaN: the NaN result, with VXSNAN when any operand is a signaling NaN.
bool propagate(std::initializer_list<uint64_t> ops, const Format &f, Outcome &o) {
    bool any = false, snan = false;
    uint64_t first = 0;
    for (uint64_t x : ops) {
        if (is_nan(x) && !any) {
            any = true;
            first = x;
        }
        snan |= is_snan(x);
    }
    if (!any)
        return false;
    o = Outcome{nan_result(first, f), snan ? fpscr::VXSNAN : 0, false, false};
    return true;
}

Exact aligned(Exact e) {
    const int m = msb128(e.sig);
    e.sig <<= (kTop - m);
    e.exp -= (kTop - m);
    return e;
}

// The exact sum when the smaller operand's bits below the larger's frame are folded into a sticky bit:
// enough for correct rounding, since the larger keeps kTop+1 bits and any lost bit is far below them.
Exact add_exact(Exact a, Exact b) {
    if (a.sig == 0)
        return b;
    if (b.sig == 0)
        return a;
    a = aligned(a);
    b = aligned(b);
    if (a.exp < b.exp)
        std::swap(a, b);
    const int d = a.exp - b.exp;
    if (d > 0) {
        const bool lost = d >= 128 || (b.sig & ((u128(1) << d) - 1)) != 0;
        b.sig = (d >= 128 ? 0 : b.sig >> d) | lost;
    }
    Exact r{a.sign, a.exp, 0};
    if (a.sign == b.sign) {
        r.sig = a.sig + b.sig;
    } else if (a.sig >= b.sig) {
        r.sig = a.sig - b.sig;
    } else {
        r.sig = b.sig - a.sig;
        r.sign = b.sign;
    }
    return r;
}

Exact exact_of(uint64_t x) { return is_zero(x) ? Exact{sign_of(x), 0, 0} : unpack(x); }

// Rounds a sum whose operands were `sa` and `sb` signed; an exact zero takes the IEEE sign rule.
Outcome finish_sum(const Exact &r, bool sa, bool sb, const Format &f, const Env &env) {
    if (r.sig == 0)
        return exact_special(sa == sb ? (sa ? kSign : 0) : exact_zero(env.rn));
    return round_to(r, f, env);
}

Outcome add_signed(uint64_t a, uint64_t b, bool negate_b, const Format &f, const Env &env) {
    Outcome o;
    if (propagate({a, b}, f, o))
        return o;
    const uint64_t bb = negate_b ? b ^ kSign : b;
    if (is_inf(a) && is_inf(bb) && sign_of(a) != sign_of(bb))
        return invalid(fpscr::VXISI);
    if (is_inf(a))
        return exact_special(a);
    if (is_inf(bb))
        return exact_special(bb);
    Exact ea = exact_of(a), eb = exact_of(bb);
    return finish_sum(add_exact(ea, eb), sign_of(a), sign_of(bb), f, env);
}

// The integer square root of v and whether it is exact.
u128 isqrt(u128 v, bool &exact) {
    u128 rem = v, root = 0, bit = u128(1) << 126;
    while (bit > rem)
        bit >>= 2;
    while (bit) {
        if (rem >= root + bit) {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    exact = rem == 0;
    return root;
}

} // namespace

uint64_t nan_result(uint64_t nan, const Format &f) {
    uint64_t q = quiet(nan);
    if (single(f))
        q &= ~((1ull << 29) - 1);
    return q;
}

Outcome add(uint64_t a, uint64_t b, const Format &f, const Env &env) {
    Outcome o;
    if (is_double(f) && host::add(a, b, false, env, o))
        return o;
    return add_signed(a, b, false, f, env);
}
Outcome sub(uint64_t a, uint64_t b, const Format &f, const Env &env) {
    Outcome o;
    if (is_double(f) && host::add(a, b, true, env, o))
        return o;
    return add_signed(a, b, true, f, env);
}
Outcome mul(uint64_t a, uint64_t c, const Format &f, const Env &env) {
    Outcome o;
    if (is_double(f) && host::mul(a, c, env, o))
        return o;
    return exact::mul(a, c, f, env);
}
Outcome div(uint64_t a, uint64_t b, const Format &f, const Env &env) {
    Outcome o;
    if (is_double(f) && host::div(a, b, env, o))
        return o;
    return exact::div(a, b, f, env);
}
Outcome sqrt(uint64_t b, const Format &f, const Env &env) {
    Outcome o;
    if (is_double(f) && host::sqrt(b, env, o))
        return o;
    return exact::sqrt(b, f, env);
}
Outcome fma(uint64_t a, uint64_t c, uint64_t b, bool sub, bool negate, const Format &f, const Env &env) {
    Outcome o;
    if (is_double(f) && host::fma(a, c, sub ? b ^ kSign : b, env, o)) {
        if (negate)
            o.bits ^= kSign;
        return o;
    }
    return exact::fma(a, c, b, sub, negate, f, env);
}

namespace exact {

Outcome add(uint64_t a, uint64_t b, const Format &f, const Env &env) { return add_signed(a, b, false, f, env); }
Outcome sub(uint64_t a, uint64_t b, const Format &f, const Env &env) { return add_signed(a, b, true, f, env); }

Outcome mul(uint64_t a, uint64_t c, const Format &f, const Env &env) {
    Outcome o;
    if (propagate({a, c}, f, o))
        return o;
    const bool s = sign_of(a) != sign_of(c);
    if ((is_inf(a) && is_zero(c)) || (is_zero(a) && is_inf(c)))
        return invalid(fpscr::VXIMZ);
    if (is_inf(a) || is_inf(c))
        return exact_special((s ? kSign : 0) | kInf);
    if (is_zero(a) || is_zero(c))
        return exact_special(s ? kSign : 0);
    const Exact ea = unpack(a), ec = unpack(c);
    return round_to(Exact{s, ea.exp + ec.exp, ea.sig * ec.sig}, f, env);
}

Outcome div(uint64_t a, uint64_t b, const Format &f, const Env &env) {
    Outcome o;
    if (propagate({a, b}, f, o))
        return o;
    const bool s = sign_of(a) != sign_of(b);
    const uint64_t sbit = s ? kSign : 0;
    if (is_inf(a) && is_inf(b))
        return invalid(fpscr::VXIDI);
    if (is_zero(a) && is_zero(b))
        return invalid(fpscr::VXZDZ);
    if (is_inf(a))
        return exact_special(sbit | kInf);
    if (is_inf(b) || is_zero(a))
        return exact_special(sbit);
    if (is_zero(b))   // Zero divide (Book I 4.4.3): a correctly signed infinity
        return Outcome{sbit | kInf, fpscr::ZX, false, false};
    // Both significands to 53 bits, then a 128-by-53-bit division: at least 74 quotient bits, and the
    // remainder becomes a sticky bit far below the rounding point.
    Exact ea = unpack(a), eb = unpack(b);
    const int na = 52 - msb128(ea.sig), nb = 52 - msb128(eb.sig);
    ea.sig <<= na;
    eb.sig <<= nb;
    const u128 num = ea.sig << 75;
    u128 q = num / eb.sig;
    q |= (num % eb.sig) != 0;
    return round_to(Exact{s, (ea.exp - na) - (eb.exp - nb) - 75, q}, f, env);
}

Outcome sqrt(uint64_t b, const Format &f, const Env &env) {
    Outcome o;
    if (propagate({b}, f, o))
        return o;
    if (is_zero(b))
        return exact_special(b);   // sqrt(-0) = -0
    if (sign_of(b))
        return invalid(fpscr::VXSQRT);
    if (is_inf(b))
        return exact_special(b);
    Exact e = unpack(b);
    const int n = 52 - msb128(e.sig);
    e.sig <<= n;
    e.exp -= n;
    if (e.exp & 1) {   // an even exponent halves exactly
        e.sig <<= 1;
        e.exp -= 1;
    }
    bool exact;
    u128 r = isqrt(e.sig << 72, exact);   // 53-54 bit radicand -> a 63-bit root
    r = (r << 1) | !exact;                // sticky below the root's last bit
    return round_to(Exact{false, (e.exp - 72) / 2 - 1, r}, f, env);
}

Outcome fma(uint64_t a, uint64_t c, uint64_t b, bool sub, bool negate, const Format &f, const Env &env) {
    Outcome o;
    // Book I 4.3.2: the NaN result is FRA's, else FRB's, else FRC's. inf*0 is still an invalid operation
    // when the addend is a NaN.
    const bool imz = (is_inf(a) && is_zero(c)) || (is_zero(a) && is_inf(c));
    if (propagate({a, b, c}, f, o)) {
        if (imz)
            o.exc |= fpscr::VXIMZ;
        return o;   // NaNs are not negated
    }
    const uint64_t bb = sub ? b ^ kSign : b;
    const bool ps = sign_of(a) != sign_of(c);
    if (imz)
        o = invalid(fpscr::VXIMZ);
    else if ((is_inf(a) || is_inf(c)) && is_inf(bb) && ps != sign_of(bb))
        o = invalid(fpscr::VXISI);
    if (o.exc)
        return o;
    if (is_inf(a) || is_inf(c)) {
        o = exact_special((ps ? kSign : 0) | kInf);
    } else if (is_inf(bb)) {
        o = exact_special(bb);
    } else {
        Exact p{ps, 0, 0};
        if (!is_zero(a) && !is_zero(c)) {
            const Exact ea = unpack(a), ec = unpack(c);
            p = Exact{ps, ea.exp + ec.exp, ea.sig * ec.sig};
        }
        o = finish_sum(add_exact(p, exact_of(bb)), ps, sign_of(bb), f, env);
    }
    if (negate)
        o.bits ^= kSign;
    return o;
}

} // namespace exact

} // namespace phv::fp
