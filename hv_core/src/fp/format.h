// Binary64/binary32 encodings (Book I 4.3.1): classification, the FPRF class of a double, and the exact
// widening and narrowing that loads and stores of single-precision data perform (Book I 4.6).
#pragma once
#include <bit>
#include <cstdint>

#include "fp/fpscr.h"

namespace phv::fp {

using u128 = unsigned __int128;

constexpr uint64_t kSign = 1ull << 63;
constexpr uint64_t kExpMask = 0x7ffull << 52;
constexpr uint64_t kFracMask = (1ull << 52) - 1;
constexpr uint64_t kQuietBit = 1ull << 51;
constexpr uint64_t kDefaultNaN = 0x7ff8000000000000ull;   // Book I 4.3.2: the generated QNaN
constexpr uint64_t kInf = kExpMask;

constexpr bool sign_of(uint64_t x) { return x >> 63; }
constexpr unsigned exp_field(uint64_t x) { return unsigned(x >> 52) & 0x7ff; }
constexpr bool is_nan(uint64_t x) { return (x & ~kSign) > kInf; }
constexpr bool is_snan(uint64_t x) { return is_nan(x) && !(x & kQuietBit); }
constexpr bool is_inf(uint64_t x) { return (x & ~kSign) == kInf; }
constexpr bool is_zero(uint64_t x) { return (x & ~kSign) == 0; }
constexpr bool is_denormal(uint64_t x) { return exp_field(x) == 0 && (x & kFracMask); }
constexpr uint64_t quiet(uint64_t x) { return x | kQuietBit; }

constexpr uint32_t class_of(uint64_t x) {
    const bool s = sign_of(x);
    if (is_nan(x))
        return fprf::kQNaN;
    if (is_inf(x))
        return s ? fprf::kNegInf : fprf::kPosInf;
    if (is_zero(x))
        return s ? fprf::kNegZero : fprf::kPosZero;
    if (is_denormal(x))
        return s ? fprf::kNegDenormal : fprf::kPosDenormal;
    return s ? fprf::kNegNormal : fprf::kPosNormal;
}

// The FPRF class of a single-precision result held in double format: below 2^-126 it is a single denormal.
constexpr uint32_t class_of_single(uint64_t x) {
    const uint32_t c = class_of(x);
    if ((c == fprf::kPosNormal || c == fprf::kNegNormal) && exp_field(x) < 897)
        return sign_of(x) ? fprf::kNegDenormal : fprf::kPosDenormal;
    return c;
}

// A finite nonzero value as (-1)^sign * sig * 2^exp, exactly.
struct Exact {
    bool sign = false;
    int exp = 0;
    u128 sig = 0;
};
constexpr Exact unpack(uint64_t x) {
    const unsigned e = exp_field(x);
    const uint64_t f = x & kFracMask;
    if (e == 0)
        return {sign_of(x), -1074, f};
    return {sign_of(x), int(e) - 1075, f | (1ull << 52)};
}
// The unbiased exponent the ISA's ftdiv/ftsqrt speak of: the exponent field less the bias.
constexpr int unbiased_exp(uint64_t x) { return int(exp_field(x)) - 1023; }

constexpr int msb128(u128 v) {
    const uint64_t hi = uint64_t(v >> 64);
    return hi ? 127 - std::countl_zero(hi) : 63 - std::countl_zero(uint64_t(v));
}

// DOUBLE(): a single-precision word in double format, exactly (Book I 4.6.2, "Floating-Point Load").
// Denormal singles become normal doubles; NaNs keep their payload and are not quieted.
constexpr uint64_t single_to_double(uint32_t w) {
    const uint64_t s = uint64_t(w >> 31) << 63;
    const unsigned e = (w >> 23) & 0xff;
    uint64_t f = w & 0x7fffff;
    if (e == 0xff)
        return s | kInf | (f << 29);
    if (e == 0) {
        if (f == 0)
            return s;
        int exp = 897;   // biased double exponent of 2^-126, less one per normalizing shift
        while (!(f & 0x800000)) {
            f <<= 1;
            --exp;
        }
        return s | uint64_t(exp) << 52 | (f & 0x7fffff) << 29;
    }
    return s | uint64_t(e + 896) << 52 | f << 29;
}

// SINGLE(): the word stfs stores (Book I 4.6.3, "Floating-Point Store"): no rounding, bits selected; values
// in the single denormal range are denormalized by truncation. Below that range the ISA leaves the result
// undefined; the same denormalization (giving a signed zero) is what is stored.
constexpr uint32_t double_to_single(uint64_t x) {
    const unsigned e = exp_field(x);
    if (e > 896 || (x & ~kSign) == 0)
        return uint32_t(x >> 62) << 30 | (uint32_t(x >> 29) & 0x3fffffff);
    uint64_t sig = (x & kFracMask) | (e ? 1ull << 52 : 0);
    const unsigned shift = 29 + (897 - (e ? e : 1));   // to the single denormal frame 2^-149
    sig = shift >= 64 ? 0 : sig >> shift;
    return uint32_t(x >> 63) << 31 | uint32_t(sig);
}

// binary16 (Book I 7.3.1): exact widening to double, and the encoding of a double-format value that is
// representable in binary16 (a rounded result). NaNs keep the top 10 fraction bits.
constexpr uint64_t half_to_double(uint16_t h) {
    const uint64_t s = uint64_t(h >> 15) << 63;
    const unsigned e = (h >> 10) & 0x1f;
    uint64_t f = h & 0x3ff;
    if (e == 0x1f)
        return s | kInf | (f << 42);
    if (e == 0) {
        if (f == 0)
            return s;
        int exp = 1009;   // biased double exponent of 2^-14, less one per normalizing shift
        while (!(f & 0x400)) {
            f <<= 1;
            --exp;
        }
        return s | uint64_t(exp) << 52 | (f & 0x3ff) << 42;
    }
    return s | uint64_t(e + 1008) << 52 | f << 42;
}
constexpr uint16_t double_to_half(uint64_t x) {
    const uint16_t s = uint16_t(x >> 63) << 15;
    if (is_nan(x) || is_inf(x))
        return s | 0x7c00 | uint16_t((x & kFracMask) >> 42);
    if (is_zero(x))
        return s;
    const int e = int(exp_field(x)) - 1023;
    const uint64_t f = x & kFracMask;
    if (e >= -14)   // (the exponent of a scaled enabled-overflow result wraps, never reaching the sign)
        return s | uint16_t(((e + 15) & 0x1f) << 10) | uint16_t(f >> 42);
    const int shift = 42 + (-14 - e);
    return s | uint16_t(shift >= 64 ? 0 : (f | 1ull << 52) >> shift);
}

// bfloat16: the high half of a binary32 word.
constexpr uint64_t bf16_to_double(uint16_t h) { return single_to_double(uint32_t(h) << 16); }
constexpr uint16_t double_to_bf16(uint64_t x) { return uint16_t(double_to_single(x) >> 16); }

} // namespace phv::fp
