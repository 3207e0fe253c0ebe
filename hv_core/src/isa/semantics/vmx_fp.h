// Book I 6.12: vector single-precision floating point. Always round to nearest even, no FPSCR, no exceptions.
// NaN operands propagate quieted, the first of VRA, VRB, VRC (in that order) winning; an invalid operation
// without a NaN operand gives the default NaN 0x7fc00000. With VSCR[NJ]=1 (non-Java mode) denormal operands
// are taken as zero of the same sign and results that are tiny before rounding (the ISA's tininess rule) are
// flushed to zero of the same sign; with NJ=0 (Java mode) denormals are IEEE gradual underflow.
// The host's SSE single-precision arithmetic in its default mode (round to nearest, no FTZ/DAZ) is IEEE
// exact, so finite results come from it; NaN selection and flushing are done here, not by the host.
#pragma once
#include <cfloat>
#include <cmath>
#include <type_traits>

#include "isa/semantics/vmx_common.h"
#include "isa/semantics/vmx_host.h"

namespace phv::isa::sem::vfp {

constexpr uint32_t kDefaultNaN = 0x7fc00000u;
constexpr bool is_nan(uint32_t x) { return (x & 0x7fffffffu) > 0x7f800000u; }
constexpr bool is_denormal(uint32_t x) { return (x & 0x7f800000u) == 0 && (x & 0x007fffffu); }
constexpr uint32_t quiet(uint32_t x) { return x | 0x00400000u; }
inline float f(uint32_t x) { return std::bit_cast<float>(x); }
inline uint32_t u(float x) { return std::bit_cast<uint32_t>(x); }

// The exact value of a sum p + q of doubles as s + err (Knuth's TwoSum; exact in round-to-nearest). The
// operands here are products or values of single-precision numbers, which doubles hold exactly.
struct Exact {
    double s, err;
};
inline Exact two_sum(double p, double q) {
    const double s = p + q, qq = s - p, pp = s - qq;
    return {s, (p - pp) + (q - qq)};
}

struct Env {
    bool nj;
    uint32_t in(uint32_t x) const { return nj && is_denormal(x) ? x & 0x80000000u : x; }
    // The rounded result r of an operation whose exact value is x.s + x.err: flushed to zero when NJ=1 and
    // the exact value is below the smallest normal in magnitude (tininess before rounding), even when it
    // rounds up to the smallest normal.
    uint32_t out(float r, Exact x) const {
        const uint32_t b = u(r);
        if (is_nan(b))
            return kDefaultNaN;   // an invalid operation; NaN operands never get here
        if (nj && (is_denormal(b) || (b & 0x7fffffffu) == 0x00800000u)) {
            const double m = std::fabs(x.s);
            const bool tiny = m < double(FLT_MIN) || (m == double(FLT_MIN) && x.err != 0 && (x.err < 0) != (x.s < 0));
            if (tiny)
                return b & 0x80000000u;
        }
        return b;
    }
    uint32_t out(float r, double exact) const { return out(r, Exact{exact, 0}); }
};

// The first NaN among the operands, quieted, or 0 when there is none.
inline bool nan_of(uint32_t &r, std::initializer_list<uint32_t> ops) {
    for (uint32_t x : ops)
        if (is_nan(x)) {
            r = quiet(x);
            return true;
        }
    return false;
}

inline uint32_t add(Env e, uint32_t a, uint32_t b) {
    uint32_t r;
    if (nan_of(r, {a, b}))
        return r;
    a = e.in(a), b = e.in(b);
    return e.out(f(a) + f(b), two_sum(f(a), f(b)));
}
inline uint32_t sub(Env e, uint32_t a, uint32_t b) {
    uint32_t r;
    if (nan_of(r, {a, b}))
        return r;
    a = e.in(a), b = e.in(b);
    return e.out(f(a) - f(b), two_sum(f(a), -double(f(b))));
}
// vmaddfp: VRA * VRC + VRB fused; vnmsubfp: -(VRA * VRC - VRB), a NaN result not negated.
template <bool NegSub>
uint32_t madd(Env e, uint32_t a, uint32_t b, uint32_t c) {
    uint32_t r;
    if (nan_of(r, {a, b, c}))
        return r;
    a = e.in(a), b = e.in(b), c = e.in(c);
    const float nb = NegSub ? -f(b) : f(b);
    const float v = std::fma(f(a), f(c), nb);
    r = e.out(v, two_sum(double(f(a)) * double(f(c)), double(nb)));   // the product is exact in a double
    return NegSub && !is_nan(r) ? r ^ 0x80000000u : r;
}
template <bool Max>
uint32_t maxmin(Env e, uint32_t a, uint32_t b) {
    uint32_t r;
    if (nan_of(r, {a, b}))
        return r;
    a = e.in(a), b = e.in(b);
    const float x = f(a), y = f(b);
    if (x == y)   // +0 and -0: max is +0, min is -0
        return Max ? (a & b) : (a | b);
    return Max ? (x > y ? a : b) : (x < y ? a : b);
}
inline uint32_t re(Env e, uint32_t b) {
    uint32_t r;
    if (nan_of(r, {b}))
        return r;
    b = e.in(b);
    return e.out(1.0f / f(b), 1.0 / double(f(b)));
}
// 1/sqrt as the square root rounded, then its reciprocal rounded (the estimate QEMU gives).
inline uint32_t rsqrte(Env e, uint32_t b) {
    uint32_t r;
    if (nan_of(r, {b}))
        return r;
    b = e.in(b);
    if (f(b) < 0)
        return kDefaultNaN;
    const float s = std::sqrt(f(b));
    return e.out(1.0f / s, 1.0 / double(s));
}
inline uint32_t expte(Env e, uint32_t b) {
    uint32_t r;
    if (nan_of(r, {b}))
        return r;
    b = e.in(b);
    return e.out(std::exp2(f(b)), std::exp2(double(f(b))));
}
inline uint32_t loge(Env e, uint32_t b) {
    uint32_t r;
    if (nan_of(r, {b}))
        return r;
    b = e.in(b);
    if (f(b) < 0)
        return kDefaultNaN;
    return e.out(std::log2(f(b)), std::log2(double(f(b))));
}
// vrfin (nearest, ties to even), vrfiz, vrfip, vrfim.
enum class Rnd : uint8_t { Nearest, Zero, Up, Down };
template <Rnd R>
uint32_t rfi(Env e, uint32_t b) {
    uint32_t r;
    if (nan_of(r, {b}))
        return r;
    b = e.in(b);
    const float x = f(b);
    const float y = R == Rnd::Nearest ? std::nearbyint(x) : R == Rnd::Zero ? std::trunc(x)
                    : R == Rnd::Up    ? std::ceil(x)
                                      : std::floor(x);
    return u(std::copysign(y, x));
}

// Whether two function template arguments name the same function, as a comparison of types: gcc does not
// take a comparison of function addresses for a constant expression under -fsanitize=address.
template <auto F, auto G>
inline constexpr bool same_fn = std::is_same_v<std::integral_constant<decltype(F), F>, std::integral_constant<decltype(G), G>>;

// Element-wise drivers: VSCR[NJ] read once per instruction.
template <uint32_t (*Op)(Env, uint32_t, uint32_t)>
Flow binary(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const Env e{(c.st_.vscr & vscr::NJ) != 0};
    const u128 a = vr(c, d.ra), b = vr(c, d.rb);
    u128 r = 0;
    if constexpr (same_fn<Op, &add> || same_fn<Op, &sub>) {
        if (vhost::fp(same_fn<Op, &add> ? vhost::FpOp::Add : vhost::FpOp::Sub, a, b, 0, r)) {
            set_vr(c, d.rt, r);
            return Flow::Next;
        }
    }
    for (unsigned i = 0; i < 4; ++i)
        set_elem<uint32_t>(r, i, Op(e, elem<uint32_t>(a, i), elem<uint32_t>(b, i)));
    set_vr(c, d.rt, r);
    return Flow::Next;
}
template <uint32_t (*Op)(Env, uint32_t)>
Flow unary(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const Env e{(c.st_.vscr & vscr::NJ) != 0};
    const u128 b = vr(c, d.rb);
    u128 r = 0;
    for (unsigned i = 0; i < 4; ++i)
        set_elem<uint32_t>(r, i, Op(e, elem<uint32_t>(b, i)));
    set_vr(c, d.rt, r);
    return Flow::Next;
}
template <uint32_t (*Op)(Env, uint32_t, uint32_t, uint32_t)>
Flow ternary(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const Env e{(c.st_.vscr & vscr::NJ) != 0};
    const u128 a = vr(c, d.ra), b = vr(c, d.rb), cc = vr(c, d.rc);
    u128 r = 0;
    if constexpr (same_fn<Op, &madd<false>> || same_fn<Op, &madd<true>>) {
        if (vhost::fp(same_fn<Op, &madd<false>> ? vhost::FpOp::MAdd : vhost::FpOp::NMSub, a, b, cc, r)) {
            set_vr(c, d.rt, r);
            return Flow::Next;
        }
    }
    for (unsigned i = 0; i < 4; ++i)
        set_elem<uint32_t>(r, i, Op(e, elem<uint32_t>(a, i), elem<uint32_t>(b, i), elem<uint32_t>(cc, i)));
    set_vr(c, d.rt, r);
    return Flow::Next;
}

// vcfsx/vcfux VRT,VRB,UIM: integer words converted (rounded to nearest) and divided by 2^UIM, exactly.
template <bool Signed>
Flow convert_from_int(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const unsigned uim = bits(d.word, 11, 15);
    const u128 b = vr(c, d.rb);
    u128 r = 0;
    for (unsigned i = 0; i < 4; ++i) {
        const uint32_t w = elem<uint32_t>(b, i);
        const float x = Signed ? float(int32_t(w)) : float(w);
        // Times 2^-UIM, a normal power of two: exact (the magnitude stays between 2^-31 and 2^32), and
        // without ldexp's library call.
        set_elem<uint32_t>(r, i, u(x * f(uint32_t(127 - uim) << 23)));
    }
    set_vr(c, d.rt, r);
    return Flow::Next;
}
// vctsxs/vctuxs VRT,VRB,UIM: VRB * 2^UIM truncated to an integer word, saturated (VSCR[SAT]); a NaN gives 0
// without setting SAT, as on QEMU.
template <bool Signed>
Flow convert_to_int(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const Env e{(c.st_.vscr & vscr::NJ) != 0};
    const unsigned uim = bits(d.word, 11, 15);
    const u128 b = vr(c, d.rb);
    u128 r = 0;
    bool sat = false;
    for (unsigned i = 0; i < 4; ++i) {
        const uint32_t x = e.in(elem<uint32_t>(b, i));
        uint32_t v;
        if (is_nan(x)) {
            v = 0;
        } else {
            const double t = std::trunc(std::ldexp(double(f(x)), int(uim)));
            if constexpr (Signed)
                v = uint32_t(t >= 2147483648.0 ? (sat = true, INT32_MAX)
                             : t < -2147483648.0 ? (sat = true, INT32_MIN)
                                                 : int32_t(t));
            else
                v = t >= 4294967296.0 ? (sat = true, UINT32_MAX) : t < 0 ? (sat = true, 0u) : uint32_t(t);
        }
        set_elem<uint32_t>(r, i, v);
    }
    set_vr(c, d.rt, r);
    set_sat(c, sat);
    return Flow::Next;
}

// Compares (6.12.4): NaN compares false; vcmpbfp gives the two bounds bits (0 when within [-VRB, VRB]) and
// its record form sets only CR6[EQ], when every element is within bounds.
enum class Cmp : uint8_t { Eq, Ge, Gt, Bounds };
template <Cmp K, bool Rc>
Flow compare(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const Env e{(c.st_.vscr & vscr::NJ) != 0};
    const u128 a = vr(c, d.ra), b = vr(c, d.rb);
    u128 r = 0;
    bool all = true, none = true;
    for (unsigned i = 0; i < 4; ++i) {
        const uint32_t xa = e.in(elem<uint32_t>(a, i)), xb = e.in(elem<uint32_t>(b, i));
        const float x = f(xa), y = f(xb);
        uint32_t v;
        if constexpr (K == Cmp::Bounds) {
            const bool nan = is_nan(xa) || is_nan(xb);
            const bool le = !nan && x <= y, ge = !nan && x >= -y;
            v = (le ? 0 : 0x80000000u) | (ge ? 0 : 0x40000000u);
            all &= v == 0;
        } else {
            const bool p = K == Cmp::Eq ? x == y : K == Cmp::Ge ? x >= y : x > y;
            v = p ? ~0u : 0;
            all &= p;
            none &= !p;
        }
        set_elem<uint32_t>(r, i, v);
    }
    set_vr(c, d.rt, r);
    if constexpr (Rc)
        c.st_.set_crf(6, K == Cmp::Bounds ? (all ? 2u : 0u) : (all ? 8u : 0u) | (none ? 2u : 0u));
    return Flow::Next;
}

} // namespace phv::isa::sem::vfp
