#include "fp/host_fast.h"

#include <bit>
#include <cmath>
#include <xmmintrin.h>

#include "fp/fpscr.h"

namespace phv::fp::host {

namespace {

// MXCSR: every exception masked, flags clear, FTZ and DAZ off (the caller's settings are restored after).
constexpr unsigned kMasked = 0x1f80;
constexpr unsigned kInvalid = 0x01, kDenormal = 0x02, kZeroDivide = 0x04, kOverflow = 0x08, kUnderflow = 0x10,
                   kInexact = 0x20;
constexpr unsigned kTowardZero = 3u << 13;

// FPSCR[RN] -> MXCSR[RC]: nearest 0 -> 0, zero 1 -> 3, +inf 2 -> 2, -inf 3 -> 1.
constexpr unsigned kRc[4] = {0u << 13, 3u << 13, 2u << 13, 1u << 13};

constexpr uint64_t kMinExp = 2;      // results at least 2^-1021: no tininess before or after rounding
constexpr uint64_t kMaxExp = 0x7fe;  // the largest exponent: the result did not overflow

bool operand_ok(uint64_t x) {
    const uint64_t e = exp_field(x);
    return e != 0x7ff && (e != 0 || is_zero(x));   // finite, not denormal
}

double d(uint64_t x) { return std::bit_cast<double>(x); }

// The outcome of a host operation: r in the guest's rounding mode with the MXCSR flags it raised, rz the
// same operation toward zero (computed only when inexact); false when the exact path must run.
inline bool finish(unsigned flags, double r, double rz, Outcome &o) {
    if (flags & (kInvalid | kDenormal | kZeroDivide | kOverflow | kUnderflow))
        return false;
    const uint64_t bits = std::bit_cast<uint64_t>(r);
    const uint64_t e = exp_field(bits);
    if (e < kMinExp || e > kMaxExp)
        return false;
    const bool inexact = flags & kInexact;
    o.bits = bits;
    o.exc = inexact ? fpscr::XX : 0;
    o.fi = inexact;
    o.fr = inexact && std::bit_cast<uint64_t>(rz) != bits;
    return true;
}

// Runs op() in the guest's rounding mode and, when inexact, again toward zero. op() must pass its operands
// through opaque() so that the compiler neither folds the two calls into one nor moves them across the
// MXCSR writes, which it does not know affect them.
template <typename Op>
inline bool run(const Env &env, Outcome &o, Op op) {
    if (env.rn > Round::Down)
        return false;
    const unsigned saved = _mm_getcsr();
    _mm_setcsr(kMasked | kRc[unsigned(env.rn)]);
    const double r = op();
    const unsigned flags = _mm_getcsr() & 0x3f;
    double rz = r;
    if (flags == kInexact) {
        _mm_setcsr(kMasked | kTowardZero);
        rz = op();
    }
    _mm_setcsr(saved);
    return finish(flags, r, rz, o);
}

inline void opaque(double &x) { asm volatile("" : "+x"(x)); }

} // namespace

bool add(uint64_t a, uint64_t b, bool negate_b, const Env &env, Outcome &o) {
    if (!operand_ok(a) || !operand_ok(b))
        return false;
    const uint64_t bb = negate_b ? b ^ kSign : b;
    return run(env, o, [&] {
        double x = d(a), y = d(bb);
        opaque(x), opaque(y);
        double r = x + y;
        opaque(r);
        return r;
    });
}

bool mul(uint64_t a, uint64_t c, const Env &env, Outcome &o) {
    if (!operand_ok(a) || !operand_ok(c))
        return false;
    return run(env, o, [&] {
        double x = d(a), y = d(c);
        opaque(x), opaque(y);
        double r = x * y;
        opaque(r);
        return r;
    });
}

bool div(uint64_t a, uint64_t b, const Env &env, Outcome &o) {
    if (!operand_ok(a) || !operand_ok(b) || is_zero(b))
        return false;
    return run(env, o, [&] {
        double x = d(a), y = d(b);
        opaque(x), opaque(y);
        double r = x / y;
        opaque(r);
        return r;
    });
}

bool sqrt(uint64_t b, const Env &env, Outcome &o) {
    if (!operand_ok(b) || (b & kSign))
        return false;
    return run(env, o, [&] {
        double x = d(b);
        opaque(x);
        double r = __builtin_sqrt(x);   // sqrtsd: correctly rounded in the MXCSR mode
        opaque(r);
        return r;
    });
}

namespace {

// Spelled out rather than through run(): a lambda would not inherit the target attribute, and
// __builtin_fma would become a call to the C library.
__attribute__((target("fma"))) bool fma_with_fma(uint64_t a, uint64_t c, uint64_t b, const Env &env, Outcome &o) {
    if (env.rn > Round::Down)
        return false;
    const unsigned saved = _mm_getcsr();
    _mm_setcsr(kMasked | kRc[unsigned(env.rn)]);
    double x = d(a), y = d(c), z = d(b);
    opaque(x), opaque(y), opaque(z);
    double r = __builtin_fma(x, y, z);
    opaque(r);
    const unsigned flags = _mm_getcsr() & 0x3f;
    double rz = r;
    if (flags == kInexact) {
        _mm_setcsr(kMasked | kTowardZero);
        double x2 = d(a), y2 = d(c), z2 = d(b);
        opaque(x2), opaque(y2), opaque(z2);
        rz = __builtin_fma(x2, y2, z2);
        opaque(rz);
    }
    _mm_setcsr(saved);
    return finish(flags, r, rz, o);
}

const bool kHostHasFma = __builtin_cpu_supports("fma");

} // namespace

bool fma(uint64_t a, uint64_t c, uint64_t b, const Env &env, Outcome &o) {
    if (!kHostHasFma || !operand_ok(a) || !operand_ok(c) || !operand_ok(b))
        return false;
    return fma_with_fma(a, c, b, env, o);
}

namespace {

// MXCSR as every thread starts: exceptions masked, round to nearest, FTZ and DAZ off (flags are ignored).
bool host_rounds_to_nearest() { return (_mm_getcsr() & ~0x3fu) == kMasked; }

// Biased exponent bounds that keep every residual below representable (no bits lost to underflow): the
// product a*c has its error in units of 2^(ea+ec-104), which must be at least 2^-1074, so ea + ec >= -970
// (unbiased); a quotient's remainder a - q*b likewise needs eq + eb >= -970, a square root's residual
// a - s*s needs 2*es >= -970. A few units of margin; the slow path takes the rest.
constexpr unsigned kBias = 1023;
constexpr unsigned kMinExpSum = 2 * kBias - 970 + 4;
constexpr unsigned kMinSqrtExp = kBias - 485 + 2;
// TwoSum's intermediates stay finite when the operands and the sum are at most 2^1022.
constexpr unsigned kMaxAddExp = 0x7fd;

bool quick_result(double r, double err, Quick &q) {
    const uint64_t bits = std::bit_cast<uint64_t>(r);
    const uint64_t e = exp_field(bits);
    if (e < kMinExp || e > kMaxExp)
        return false;
    q.bits = bits;
    q.inexact = err != 0.0;
    // Rounded away from zero exactly when the exact value lies between zero and the result: the error
    // (exact - result) has the sign opposite to the result's.
    q.fr = q.inexact && std::signbit(err) != std::signbit(r);
    return true;
}

__attribute__((target("fma"))) double residual(double x, double y, double z) { return __builtin_fma(x, y, z); }

} // namespace

bool nearest_add(uint64_t a, uint64_t b, bool negate_b, Quick &q) {
    if (!operand_ok(a) || !operand_ok(b) || exp_field(a) > kMaxAddExp || exp_field(b) > kMaxAddExp ||
        !host_rounds_to_nearest())
        return false;
    double x = d(a), y = d(negate_b ? b ^ kSign : b);
    opaque(x), opaque(y);
    const double s = x + y;
    const double yv = s - x;
    const double err = (x - (s - yv)) + (y - yv);   // TwoSum (Knuth): x + y == s + err exactly
    return exp_field(std::bit_cast<uint64_t>(s)) <= kMaxAddExp && quick_result(s, err, q);
}

bool nearest_mul(uint64_t a, uint64_t c, Quick &q) {
    if (!kHostHasFma || !operand_ok(a) || !operand_ok(c) || exp_field(a) + exp_field(c) < kMinExpSum ||
        !host_rounds_to_nearest())
        return false;
    double x = d(a), y = d(c);
    opaque(x), opaque(y);
    const double p = x * y;
    return quick_result(p, residual(x, y, -p), q);
}

bool nearest_div(uint64_t a, uint64_t b, Quick &q) {
    if (!kHostHasFma || !operand_ok(a) || !operand_ok(b) || is_zero(b) || !host_rounds_to_nearest())
        return false;
    double x = d(a), y = d(b);
    opaque(x), opaque(y);
    const double r = x / y;
    if (exp_field(std::bit_cast<uint64_t>(r)) + exp_field(b) < kMinExpSum)
        return false;
    // x/y - r == rem/y: its sign is rem's, flipped by y's.
    const double rem = residual(-r, y, x);
    return quick_result(r, std::signbit(y) ? -rem : rem, q);
}

bool nearest_sqrt(uint64_t b, Quick &q) {
    if (!kHostHasFma || !operand_ok(b) || (b & kSign) || !host_rounds_to_nearest())
        return false;
    double x = d(b);
    opaque(x);
    const double s = __builtin_sqrt(x);
    if (exp_field(std::bit_cast<uint64_t>(s)) < kMinSqrtExp)
        return false;
    // sqrt(x) - s has the sign of x - s*s.
    return quick_result(s, residual(-s, s, x), q);
}

} // namespace phv::fp::host
