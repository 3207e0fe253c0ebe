// The host fast path (hv_core/src/fp/host_fast.*) against the exact path (fp::exact): wherever a fast routine
// answers, its result bits, exception bits, FR and FI must be the exact path's, in every rounding mode, over
// edge operands (values next to 1 and 2, the ends of the normal range, results near overflow and underflow,
// halfway cases) and pseudo-random normals. Each routine must also answer often enough that the comparison
// means something, and decline what it cannot do exactly (denormals, NaNs, infinities, tiny results).
#include <array>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>
#include <xmmintrin.h>

#include "fp/arith.h"
#include "fp/format.h"
#include "fp/fpscr.h"
#include "fp/host_fast.h"

namespace phv::test {
namespace {

using fp::Env;
using fp::Outcome;
using fp::Round;

std::vector<uint64_t> operands() {
    std::vector<uint64_t> v = {
        0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0x3ff0000000000001,
        0x3fefffffffffffff, 0x4000000000000000, 0x3ff8000000000000, 0x3fb999999999999a, 0x4340000000000000,
        0x4340000000000001, 0x433fffffffffffff, 0x3ca0000000000000, 0x3c90000000000000, 0x7fefffffffffffff,
        0xffefffffffffffff, 0x7fe0000000000000, 0x0010000000000000, 0x8010000000000000, 0x0020000000000001,
        0x0030000000000000, 0x1ff0000000000000, 0x5ff0000000000000, 0x2000000000000001, 0x5fe0000000000003,
        0x000fffffffffffff, 0x0000000000000001, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
        0x7ff4000000000000, 0x4008000000000000, 0xc014000000000000, 0x41dfffffffc00000, 0x3fd5555555555555,
    };
    // Pseudo-random doubles: any sign and fraction, exponents over the whole range and often near the middle.
    uint64_t x = 0x243f6a8885a308d3ull;
    for (int i = 0; i < 90; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const uint64_t e = i % 3 ? 0x3ff + (x >> 58) - 32 : (x >> 40) & 0x7ff;
        v.push_back((x & fp::kSign) | e << 52 | (x & 0x000fffffffffffffull));
    }
    return v;
}

bool same(const Outcome &a, const Outcome &b) {
    return a.bits == b.bits && a.exc == b.exc && a.fr == b.fr && a.fi == b.fi;
}

constexpr std::array<Env, 6> kEnvs = {Env{Round::Nearest}, Env{Round::Zero}, Env{Round::Up}, Env{Round::Down},
                                      Env{Round::Nearest, true, true}, Env{Round::Down, true, true}};

TEST(FpHostFast, AgreesWithTheExactPath) {
    const std::vector<uint64_t> v = operands();
    unsigned answered[6] = {}, inexact = 0, fr = 0;
    auto check = [&](int op, bool ok, const Outcome &fast, const Outcome &ref, uint64_t a, uint64_t b, uint64_t c,
                     const Env &env) {
        if (!ok)
            return;
        ++answered[op];
        inexact += fast.fi;
        fr += fast.fr;
        EXPECT_TRUE(same(fast, ref)) << "op " << op << " rn " << int(env.rn) << std::hex << " a 0x" << a << " b 0x"
                                     << b << " c 0x" << c << ": fast 0x" << fast.bits << " exc 0x" << fast.exc
                                     << " fr " << fast.fr << " fi " << fast.fi << ", exact 0x" << ref.bits
                                     << " exc 0x" << ref.exc << " fr " << ref.fr << " fi " << ref.fi;
    };
    for (const Env &env : kEnvs) {
        for (uint64_t a : v) {
            Outcome o;
            check(4, fp::host::sqrt(a, env, o), o, fp::exact::sqrt(a, fp::kDouble, env), a, 0, 0, env);
            for (uint64_t b : v) {
                check(0, fp::host::add(a, b, false, env, o), o, fp::exact::add(a, b, fp::kDouble, env), a, b, 0, env);
                check(1, fp::host::add(a, b, true, env, o), o, fp::exact::sub(a, b, fp::kDouble, env), a, b, 0, env);
                check(2, fp::host::mul(a, b, env, o), o, fp::exact::mul(a, b, fp::kDouble, env), a, b, 0, env);
                check(3, fp::host::div(a, b, env, o), o, fp::exact::div(a, b, fp::kDouble, env), a, b, 0, env);
            }
        }
        // fma over a smaller cube (the host's FMA instruction; without it the routine always declines).
        for (size_t i = 0; i < v.size(); i += 3)
            for (size_t j = 1; j < v.size(); j += 4)
                for (size_t k = 2; k < v.size(); k += 5) {
                    Outcome o;
                    check(5, fp::host::fma(v[i], v[j], v[k], env, o), o,
                          fp::exact::fma(v[i], v[j], v[k], false, false, fp::kDouble, env), v[i], v[j], v[k], env);
                }
    }
    for (int op = 0; op < 4; ++op)
        EXPECT_GT(answered[op], 1000u) << "op " << op << " hardly ever takes the fast path";
    EXPECT_GT(answered[4], 200u) << "sqrt (one operand, the positive ones) hardly ever takes the fast path";
    if (__builtin_cpu_supports("fma"))
        EXPECT_GT(answered[5], 1000u) << "fma hardly ever takes the fast path";
    EXPECT_GT(inexact, 1000u);
    EXPECT_GT(fr, 100u);
}

// The MXCSR-free round-to-nearest routines against the exact path: result, XX exactly when inexact, FI, FR.
TEST(FpHostFast, NearestRoutinesAgreeWithTheExactPath) {
    const std::vector<uint64_t> v = operands();
    const Env env{};
    unsigned answered[5] = {}, inexact = 0, fr = 0;
    auto check = [&](int op, bool ok, const fp::host::Quick &q, const Outcome &ref, uint64_t a, uint64_t b) {
        if (!ok)
            return;
        ++answered[op];
        inexact += q.inexact;
        fr += q.fr;
        const bool agree = q.bits == ref.bits && ref.exc == (q.inexact ? fp::fpscr::XX : 0) &&
                           q.inexact == ref.fi && q.fr == ref.fr;
        EXPECT_TRUE(agree) << "op " << op << std::hex << " a 0x" << a << " b 0x" << b << ": quick 0x" << q.bits
                           << " inexact " << q.inexact << " fr " << q.fr << ", exact 0x" << ref.bits << " exc 0x"
                           << ref.exc << " fr " << ref.fr << " fi " << ref.fi;
    };
    for (uint64_t a : v) {
        fp::host::Quick q;
        check(4, fp::host::nearest_sqrt(a, q), q, fp::exact::sqrt(a, fp::kDouble, env), a, 0);
        for (uint64_t b : v) {
            check(0, fp::host::nearest_add(a, b, false, q), q, fp::exact::add(a, b, fp::kDouble, env), a, b);
            check(1, fp::host::nearest_add(a, b, true, q), q, fp::exact::sub(a, b, fp::kDouble, env), a, b);
            check(2, fp::host::nearest_mul(a, b, q), q, fp::exact::mul(a, b, fp::kDouble, env), a, b);
            check(3, fp::host::nearest_div(a, b, q), q, fp::exact::div(a, b, fp::kDouble, env), a, b);
            // Near-cancelling and half-way sums, where TwoSum's error is what decides FR.
            const uint64_t near = b ^ fp::kSign ^ (b & 7);
            check(0, fp::host::nearest_add(a, a ^ fp::kSign ^ 1, false, q), q,
                  fp::exact::add(a, a ^ fp::kSign ^ 1, fp::kDouble, env), a, a ^ fp::kSign ^ 1);
            check(1, fp::host::nearest_add(b, near, true, q), q, fp::exact::sub(b, near, fp::kDouble, env), b, near);
        }
    }
    EXPECT_GT(answered[0], 1000u) << "add hardly ever takes the quick path";
    EXPECT_GT(answered[1], 1000u) << "sub hardly ever takes the quick path";
    if (__builtin_cpu_supports("fma")) {
        EXPECT_GT(answered[2], 1000u) << "mul hardly ever takes the quick path";
        EXPECT_GT(answered[3], 1000u) << "div hardly ever takes the quick path";
        EXPECT_GT(answered[4], 40u) << "sqrt hardly ever takes the quick path";
    }
    EXPECT_GT(inexact, 1000u);
    EXPECT_GT(fr, 100u);
}

// A thread whose MXCSR does not round to nearest (or flushes denormals) gets no quick answer.
TEST(FpHostFast, NearestRoutinesDeclineAnotherHostRoundingMode) {
    const unsigned saved = _mm_getcsr();
    fp::host::Quick q;
    _mm_setcsr((saved & ~0x6000u) | 0x6000u);   // RC = toward zero
    const bool answered = fp::host::nearest_add(0x3ff0000000000000, 0x3ca0000000000000, false, q);
    _mm_setcsr(saved | 0x8040u);                 // FTZ and DAZ
    const bool answered_ftz = fp::host::nearest_add(0x3ff0000000000000, 0x3ca0000000000000, false, q);
    _mm_setcsr(saved);
    EXPECT_FALSE(answered);
    EXPECT_FALSE(answered_ftz);
    ASSERT_TRUE(fp::host::nearest_add(0x3ff0000000000000, 0x3ca0000000000000, false, q));
    EXPECT_EQ(q.bits, 0x3ff0000000000000u) << "1 + 2^-53 ties to even";
    EXPECT_TRUE(q.inexact);
    EXPECT_FALSE(q.fr);
}

// What the fast path must leave to the exact one: it answers none of these.
TEST(FpHostFast, DeclinesWhatItCannotDoExactly) {
    const Env env{};
    Outcome o;
    const uint64_t one = 0x3ff0000000000000, denormal = 0x000fffffffffffff, snan = 0x7ff4000000000000,
                   inf = 0x7ff0000000000000, tiny = 0x0010000000000000, huge = 0x7fefffffffffffff;
    EXPECT_FALSE(fp::host::add(one, denormal, false, env, o));
    EXPECT_FALSE(fp::host::add(snan, one, false, env, o));
    EXPECT_FALSE(fp::host::add(inf, one, false, env, o));
    EXPECT_FALSE(fp::host::add(one, one, true, env, o)) << "an exact zero: its sign depends on RN";
    EXPECT_FALSE(fp::host::mul(tiny, 0x3fe0000000000000, env, o)) << "a denormal result";
    EXPECT_FALSE(fp::host::mul(huge, 0x4000000000000000, env, o)) << "overflow";
    EXPECT_FALSE(fp::host::div(one, 0, env, o)) << "zero divide";
    EXPECT_FALSE(fp::host::sqrt(0xbff0000000000000, env, o)) << "invalid";
    EXPECT_FALSE(fp::host::add(one, one, false, Env{Round::Odd}, o)) << "round to odd";
    EXPECT_TRUE(fp::host::add(one, one, false, env, o));
    EXPECT_EQ(o.bits, 0x4000000000000000u);
}

} // namespace
} // namespace phv::test
