// Book I 6.9: vector integer arithmetic. Each operation is one small function the rows instantiate through
// the element-wise templates of vmx_common.h; the quadword forms work on the whole register.
// Where the ISA leaves a result undefined (division by zero, quotient overflow) phv gives the value QEMU, the
// oracle, gives, so that the differential test can compare everything else exactly.
#pragma once
#include <limits>

#include "isa/semantics/vmx_common.h"

namespace phv::isa::sem::vint {

template <typename T> using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, int64_t>;

// ---- add / subtract (6.9.1) ------------------------------------------------------------------------------
template <typename T> constexpr T add(T a, T b) { return T(a + b); }
template <typename T> constexpr T sub(T a, T b) { return T(a - b); }
template <typename T> constexpr T add_sat(T a, T b, bool &s) { return clamp<T>(int64_t(a) + int64_t(b), s); }
template <typename T> constexpr T sub_sat(T a, T b, bool &s) { return clamp<T>(int64_t(a) - int64_t(b), s); }
constexpr uint32_t addc(uint32_t a, uint32_t b) { return (uint64_t(a) + b) >> 32; }
constexpr uint32_t subc(uint32_t a, uint32_t b) { return a >= b; }   // the carry of a + ~b + 1

constexpr u128 adduqm(u128 a, u128 b) { return a + b; }
constexpr u128 addcuq(u128 a, u128 b) { return a + b < a; }
constexpr u128 subuqm(u128 a, u128 b) { return a - b; }
constexpr u128 subcuq(u128 a, u128 b) { return a >= b; }
constexpr u128 addeuqm(u128 a, u128 b, u128 c) { return a + b + (c & 1); }
constexpr u128 addecuq(u128 a, u128 b, u128 c) {
    const u128 s = a + b;
    return (s < a) | (s + (c & 1) < s);
}
constexpr u128 subeuqm(u128 a, u128 b, u128 c) { return a + ~b + (c & 1); }
constexpr u128 subecuq(u128 a, u128 b, u128 c) { return addecuq(a, ~b, c); }

// ---- average, absolute difference, maximum, minimum (6.9.1.4-6.9.1.6) -----------------------------------
template <typename T> constexpr T avg(T a, T b) { return T((int64_t(a) + int64_t(b) + 1) >> 1); }
template <typename T> constexpr T absd(T a, T b) { return a > b ? T(a - b) : T(b - a); }
template <typename T> constexpr T max(T a, T b) { return a > b ? a : b; }
template <typename T> constexpr T min(T a, T b) { return a < b ? a : b; }

// ---- multiply (6.9.1.3) ----------------------------------------------------------------------------------
template <typename T> constexpr T mul_low(T a, T b) {
    using U = std::make_unsigned_t<T>;
    return T(U(a) * U(b));
}
template <typename T> constexpr T mul_high(T a, T b) {
    if constexpr (sizeof(T) == 8) {
        using W = std::conditional_t<std::is_signed_v<T>, s128, u128>;
        return T((W(a) * W(b)) >> 64);
    } else {
        using W = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
        return T((W(a) * W(b)) >> 32);
    }
}

// vmule*/vmulo*: the even (or odd) elements of type T, multiplied into elements twice as wide.
template <typename T, bool Odd>
Flow mul_even_odd(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    using R = std::conditional_t<sizeof(T) == 1, std::conditional_t<std::is_signed_v<T>, int16_t, uint16_t>,
              std::conditional_t<sizeof(T) == 2, std::conditional_t<std::is_signed_v<T>, int32_t, uint32_t>,
              std::conditional_t<sizeof(T) == 4, std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>,
                                 std::conditional_t<std::is_signed_v<T>, s128, u128>>>>;
    const u128 a = vr(c, d.ra), b = vr(c, d.rb);
    u128 r = 0;
    for (unsigned i = 0; i < kLanes<R>; ++i)
        set_elem<R>(r, i, R(R(elem<T>(a, 2 * i + Odd)) * R(elem<T>(b, 2 * i + Odd))));
    set_vr(c, d.rt, r);
    return Flow::Next;
}

// ---- multiply-sum and multiply-add (6.9.1.3) -------------------------------------------------------------
// vmsum{ub,mb,sh,uh}m/s: each word of VRT is the sum of the products of the narrow elements of VRA and VRB in
// it, plus VRC's word. TA/TB are the element types of VRA/VRB.
template <typename TA, typename TB, bool Saturate, bool Signed>
u128 msum(u128 a, u128 b, u128 c, bool &sat) {
    constexpr unsigned per = 4 / sizeof(TA);
    // In lane arrays (vmx_common.h) word w holds the narrow elements per*w .. per*w + per - 1 either way.
    const Lanes<TA> la = lanes<TA>(a);
    const Lanes<TB> lb = lanes<TB>(b);
    const Lanes<uint32_t> lc = lanes<uint32_t>(c);
    Lanes<uint32_t> r;
    for (unsigned w = 0; w < 4; ++w) {
        int64_t s = Signed ? int64_t(int32_t(lc.e[w])) : int64_t(lc.e[w]);
        for (unsigned j = 0; j < per; ++j)
            s += int64_t(la.e[per * w + j]) * int64_t(lb.e[per * w + j]);
        if constexpr (!Saturate)
            r.e[w] = uint32_t(s);
        else if constexpr (Signed)
            r.e[w] = uint32_t(clamp<int32_t>(s, sat));
        else
            r.e[w] = clamp<uint32_t>(s, sat);
    }
    return from_lanes(r);
}
template <typename TA, typename TB, bool Signed>
u128 msum_mod(u128 a, u128 b, u128 c) {
    bool unused = false;
    return msum<TA, TB, false, Signed>(a, b, c, unused);
}
// vmsumudm/vmsumcud: two doubleword products and VRC as a 130-bit sum; the low 128 bits, or the carry out.
inline u128 msumudm(u128 a, u128 b, u128 c) {
    return u128(uint64_t(a >> 64)) * uint64_t(b >> 64) + u128(uint64_t(a)) * uint64_t(b) + c;
}
inline u128 msumcud(u128 a, u128 b, u128 c) {
    const u128 p0 = u128(uint64_t(a >> 64)) * uint64_t(b >> 64), p1 = u128(uint64_t(a)) * uint64_t(b);
    const u128 s = p0 + p1;
    unsigned carry = s < p0;
    carry += s + c < s;
    return carry;
}
// vmladduhm: (a * b + c) mod 2^16 per halfword.
constexpr uint16_t mladd(uint16_t a, uint16_t b, uint16_t c) { return uint16_t(uint32_t(a) * b + c); }
// vmhaddshs / vmhraddshs: the high part of the product (rounded), plus c, saturated.
template <bool Round>
u128 mhadd(u128 a, u128 b, u128 c, bool &sat) {
    u128 r = 0;
    for (unsigned i = 0; i < 8; ++i) {
        const int32_t p = int32_t(elem<int16_t>(a, i)) * elem<int16_t>(b, i) + (Round ? 0x4000 : 0);
        set_elem<int16_t>(r, i, clamp<int16_t>(int64_t(p >> 15) + elem<int16_t>(c, i), sat));
    }
    return r;
}

// ---- sum across (6.9.1.7) --------------------------------------------------------------------------------
template <typename T>
u128 sum4s(u128 a, u128 b, bool &sat) {
    constexpr unsigned per = 4 / sizeof(T);
    u128 r = 0;
    for (unsigned i = 0; i < 4; ++i) {
        int64_t s = std::is_signed_v<T> ? int64_t(int32_t(elem<uint32_t>(b, i))) : int64_t(elem<uint32_t>(b, i));
        for (unsigned j = 0; j < per; ++j)
            s += elem<T>(a, per * i + j);
        if constexpr (std::is_signed_v<T>)
            set_elem<int32_t>(r, i, clamp<int32_t>(s, sat));
        else
            set_elem<uint32_t>(r, i, clamp<uint32_t>(s, sat));
    }
    return r;
}
inline u128 sum2sws(u128 a, u128 b, bool &sat) {
    u128 r = 0;
    for (unsigned i = 0; i < 2; ++i) {
        const int64_t s = int64_t(elem<int32_t>(a, 2 * i)) + elem<int32_t>(a, 2 * i + 1) + elem<int32_t>(b, 2 * i + 1);
        set_elem<int32_t>(r, 2 * i + 1, clamp<int32_t>(s, sat));
    }
    return r;
}
inline u128 sumsws(u128 a, u128 b, bool &sat) {
    int64_t s = elem<int32_t>(b, 3);
    for (unsigned i = 0; i < 4; ++i)
        s += elem<int32_t>(a, i);
    u128 r = 0;
    set_elem<int32_t>(r, 3, clamp<int32_t>(s, sat));
    return r;
}

// ---- divide and modulo (ISA 3.1, 6.9.1.8) ----------------------------------------------------------------
// x/0 and MIN/-1 are undefined; as QEMU, the divisor is then taken as 1.
template <typename T> constexpr bool div_undefined(T a, T b) {
    if constexpr (std::is_signed_v<T>)
        return b == 0 || (a == std::numeric_limits<T>::min() && b == T(-1));
    else
        return b == 0;
}
template <typename T> constexpr T div(T a, T b) { return div_undefined(a, b) ? a : T(a / b); }
template <typename T> constexpr T mod(T a, T b) { return div_undefined(a, b) ? T(0) : T(a % b); }
// vdivesw/vdiveuw: (a || 32 zeros) / b; a quotient that does not fit in 32 bits is undefined (its low word).
template <typename T> constexpr T dive_word(T a, T b) {
    using W = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
    if (div_undefined(a, b))
        return 0;
    return T(W(uint64_t(W(a)) << 32) / W(b));
}
// vdivesd/vdiveud: (a || 64 zeros) / b. x/0 (and MIN/-1) give a, as on QEMU; a quotient beyond 64 bits is
// undefined and gives its low 64 bits, as on QEMU.
template <typename T> constexpr T dive_dword(T a, T b) {
    using W = std::conditional_t<std::is_signed_v<T>, s128, u128>;
    if (div_undefined(a, b))
        return a;
    return T(W(u128(W(a)) << 64) / W(b));
}
inline u128 divuq(u128 a, u128 b) { return b ? a / b : a; }
inline u128 divsq(u128 a, u128 b) {
    const s128 x = s128(a), y = s128(b);
    if (y == 0 || (x == s128(u128(1) << 127) && y == -1))
        return a;
    return u128(x / y);
}
inline u128 moduq(u128 a, u128 b) { return b ? a % b : 0; }
inline u128 modsq(u128 a, u128 b) {
    const s128 x = s128(a), y = s128(b);
    if (y == 0 || (x == s128(u128(1) << 127) && y == -1))
        return 0;
    return u128(x % y);
}
// 256-by-128-bit unsigned division of (a || 128 zeros) by b, for vdiveuq/vdivesq: the low 128 bits of the
// quotient, by restoring shift-subtract (exact; 256 steps).
inline u128 div256_low(u128 a, u128 b) {
    u128 rem = 0, q = 0;
    for (int i = 255; i >= 0; --i) {
        const bool top = rem >> 127;
        rem = rem << 1 | (i >= 128 ? (a >> (i - 128)) & 1 : 0);
        q <<= 1;
        if (top || rem >= b) {
            rem -= b;
            q |= 1;
        }
    }
    return q;
}
// vdiveuq/vdivesq: (a || 128 zeros) / b; a quotient beyond 128 bits is undefined, and phv gives its low 128
// bits (QEMU's 256-bit division gives other values there). x/0 and MIN/-1 give a, as on QEMU.
inline u128 diveuq(u128 a, u128 b) { return b ? div256_low(a, b) : a; }
inline u128 divesq(u128 a, u128 b) {
    const s128 x = s128(a), y = s128(b);
    if (y == 0 || (x == s128(u128(1) << 127) && y == -1))
        return a;
    const bool neg = (x < 0) != (y < 0);
    const u128 q = div256_low(x < 0 ? -a : a, y < 0 ? -b : b);
    return neg ? -q : q;
}

// ---- negate, sign-extend, parity, population count, leading/trailing zeros (6.9.1.9, 6.10) -------------
template <typename T> constexpr T neg(T a) { return T(-a); }
template <typename From, typename To> constexpr To extend(To a) { return To(From(a)); }
template <typename T> constexpr T popcnt(T a) { return T(std::popcount(a)); }
template <typename T> constexpr T clz(T a) { return T(std::countl_zero(a)); }
template <typename T> constexpr T ctz(T a) { return T(std::countr_zero(a)); }
// vprtyb{w,d,q}: the parity of the low bit of each byte of the element.
template <typename T> constexpr T prtyb(T a) {
    T p = 0;
    for (unsigned i = 0; i < sizeof(T); ++i)
        p ^= T(a >> (8 * i)) & 1;
    return p;
}
inline u128 prtybq(u128 a) {
    unsigned p = 0;
    for (unsigned i = 0; i < 16; ++i)
        p ^= unsigned(a >> (8 * i)) & 1;
    return p;
}
inline u128 extsd2q(u128 a) { return u128(s128(int64_t(uint64_t(a)))); }

// vmul10*uq (ISA 3.0): the quadword times 10, plus a decimal digit from VRB (e forms); the carry forms give
// the part above 128 bits.
template <bool Extended, bool Carry>
u128 mul10(u128 a, u128 b) {
    const uint64_t cin = Extended ? uint64_t(b & 0xf) : 0;
    const u128 lo = u128(uint64_t(a)) * 10 + cin;
    const u128 hi = u128(uint64_t(a >> 64)) * 10 + uint64_t(lo >> 64);
    if constexpr (Carry)
        return hi >> 64;
    return hi << 64 | uint64_t(lo);
}
template <bool Carry> u128 mul10_1(u128 a) { return mul10<false, Carry>(a, 0); }

} // namespace phv::isa::sem::vint
