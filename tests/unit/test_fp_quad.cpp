// The binary128 core (hv_core/src/fp/quad.cpp) against an independent implementation: the host compiler's
// __float128 (libgcc's soft-fp, correctly rounded in the rounding mode fesetround sets; libquadmath's fmaq). Random operands weighted to the edges (denormals, the exponent limits, near-ties, cancellation),
// every rounding mode, results compared bit for bit (two NaNs agree: the hosts' NaN choice is not Power's).
// libgcc does not report exception flags for __float128, so the flags are the oracle test's job
// (test_vsx_fp_oracle.cpp); here: values, in far more cases than the oracle has.
#include <cfenv>
#include <cstring>

#include <gtest/gtest.h>
#if __has_include(<quadmath.h>)
#include <quadmath.h>
#define PHV_HAVE_QUADMATH 1
#endif

#include "fp/quad.h"

namespace phv::test {
namespace {

using fp::u128;

__float128 host(u128 x) {
    __float128 f;
    std::memcpy(&f, &x, 16);
    return f;
}
u128 bits(__float128 f) {
    u128 x;
    std::memcpy(&x, &f, 16);
    return x;
}

struct Rng {
    uint64_t s = 0x9e3779b97f4a7c15ull;
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    u128 wide() { return u128(next()) << 64 | next(); }
    // An operand: random fraction, an exponent often at an edge, sometimes a special value.
    u128 operand(u128 near = 0) {
        const u128 sign = u128(next() & 1) << 127;
        const unsigned kind = unsigned(next() % 16);
        u128 frac = wide() & fp::kQFracMask;
        if (next() % 4 == 0)   // few significant bits: exact results, ties
            frac &= ~((u128(1) << (next() % 112)) - 1);
        unsigned e;
        switch (kind) {
        case 0: return sign;                                   // zero
        case 1: return sign | fp::kQInf;                       // infinity
        case 2: e = 0; break;                                  // denormal
        case 3: e = 1 + unsigned(next() % 200); break;         // near the bottom
        case 4: e = 0x7ffe - unsigned(next() % 200); break;    // near the top
        case 5: if (near) return near ^ (next() % 3);          // close to another operand: cancellation
            [[fallthrough]];
        default: e = 16383 - 120 + unsigned(next() % 240); break;
        }
        return sign | u128(e) << 112 | frac;
    }
};

// Runs f in a rounding mode. Out of line and through a pointer, so the compiler cannot move the arithmetic
// (const library calls) across fesetround.
using HostOp = __float128 (*)(__float128, __float128, __float128);
__attribute__((noinline, noipa)) __float128 in_mode(int mode, HostOp f, __float128 a, __float128 b, __float128 c) {
    std::fesetround(mode);
    volatile __float128 r = f(a, b, c);
    std::fesetround(FE_TONEAREST);
    return r;
}

constexpr int kModes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};
constexpr fp::Round kRound[] = {fp::Round::Nearest, fp::Round::Zero, fp::Round::Up, fp::Round::Down};

bool same(u128 phv, u128 ref) { return phv == ref || (fp::q_is_nan(phv) && fp::q_is_nan(ref)); }

template <typename Op>
void compare(const char *name, int n, Op op, HostOp ref, int operands) {
    Rng r;
    int bad = 0;
    for (int m = 0; m < 4; ++m) {
        const fp::Env env{kRound[m], false, false};
        for (int i = 0; i < n; ++i) {
            const u128 a = r.operand(), b = r.operand(a), c = operands > 2 ? r.operand() : 0;
            const u128 p = op(a, b, c, env).bits;
            const u128 q = bits(in_mode(kModes[m], ref, host(a), host(b), host(c)));
            if (!same(p, q) && ++bad <= 5)
                ADD_FAILURE() << name << " mode " << m << std::hex << " a " << uint64_t(a >> 64) << ":" << uint64_t(a)
                              << " b " << uint64_t(b >> 64) << ":" << uint64_t(b) << " c " << uint64_t(c >> 64) << ":"
                              << uint64_t(c) << "\n phv " << uint64_t(p >> 64) << ":" << uint64_t(p) << "\n ref "
                              << uint64_t(q >> 64) << ":" << uint64_t(q);
        }
    }
    EXPECT_EQ(bad, 0) << name;
}

TEST(FpQuad, ArithmeticMatchesHostBinary128) {
    // The host honours the mode (else the directed cases would prove nothing): 1/3 up and down differ.
    const HostOp div = [](__float128 a, __float128 b, __float128) { return a / b; };
    ASSERT_NE(bits(in_mode(FE_UPWARD, div, 1, 3, 0)), bits(in_mode(FE_DOWNWARD, div, 1, 3, 0)));
    constexpr int n = 20000;
    compare("add", n, [](u128 a, u128 b, u128, const fp::Env &e) { return fp::q_add(a, b, false, e); },
            [](__float128 a, __float128 b, __float128) { return a + b; }, 2);
    compare("sub", n, [](u128 a, u128 b, u128, const fp::Env &e) { return fp::q_add(a, b, true, e); },
            [](__float128 a, __float128 b, __float128) { return a - b; }, 2);
    compare("mul", n, [](u128 a, u128 b, u128, const fp::Env &e) { return fp::q_mul(a, b, e); },
            [](__float128 a, __float128 b, __float128) { return a * b; }, 2);
    compare("div", n, [](u128 a, u128 b, u128, const fp::Env &e) { return fp::q_div(a, b, e); },
            [](__float128 a, __float128 b, __float128) { return a / b; }, 2);
#ifdef PHV_HAVE_QUADMATH
    // (Not sqrtq: libquadmath's square root is not correctly rounded, e.g. sqrt of
    // 0x3fe5e6d82ef0bb45d8f30b16630d2b73 is ...2de1, it gives ...2de2; xssqrtqp is in the QEMU oracle.)
    compare("fma", n, [](u128 a, u128 b, u128 c, const fp::Env &e) { return fp::q_fma(a, b, c, false, false, e); },
            [](__float128 a, __float128 b, __float128 c) { return fmaq(a, b, c); }, 3);
#endif
}

TEST(FpQuad, ConversionsMatchHost) {
    Rng r;
    for (int m = 0; m < 4; ++m) {
        const fp::Env env{kRound[m], false, false};
        for (int i = 0; i < 20000; ++i) {
            // binary128 -> binary64 (xscvqpdp) and back (xscvdpqp, exact).
            const u128 a = r.operand();
            const __float128 dq =
                in_mode(kModes[m], [](__float128 x, __float128, __float128) { return __float128(double(x)); }, host(a), 0, 0);
            const double d = double(dq);   // exact
            const __float128 v = dq;
            uint64_t db;
            std::memcpy(&db, &d, 8);
            const uint64_t p = fp::q_to_double(a, env).bits;
            ASSERT_TRUE(p == db || (fp::is_nan(p) && fp::is_nan(db))) << std::hex << uint64_t(a >> 64) << ":" << uint64_t(a);
            ASSERT_TRUE(same(fp::double_to_q(db).bits, bits(v)));
            // 128-bit integers (xscvsqqp, xscvuqqp) and truncation to them (xscvqpsqz).
            const u128 w = r.wide() >> (r.next() % 128);
            // (The integer travels in the operand's bits.)
            const __float128 fs = in_mode(kModes[m], [](__float128 x, __float128, __float128) {
                return __float128(__int128(bits(x)));
            }, host(w), 0, 0);
            const __float128 fu = in_mode(kModes[m], [](__float128 x, __float128, __float128) {
                return __float128(bits(x));
            }, host(w), 0, 0);
            ASSERT_EQ(fp::int_to_q(w, true, env).bits, bits(fs));
            ASSERT_EQ(fp::int_to_q(w, false, env).bits, bits(fu));
            if (fs < __float128(u128(1) << 126) && fs > -__float128(u128(1) << 126))
                ASSERT_EQ(fp::q_to_int(bits(fs), true, 128).bits, u128(__int128(fs)));
        }
    }
}

TEST(FpQuad, RoundToOddSetsTheLastBitOfAnInexactResult) {
    const fp::Env odd{fp::Round::Odd, false, false}, zero{fp::Round::Zero, false, false};
    Rng r;
    for (int i = 0; i < 20000; ++i) {
        const u128 a = r.operand(), b = r.operand();
        const fp::QOutcome o = fp::q_div(a, b, odd), z = fp::q_div(a, b, zero);
        if (fp::q_is_nan(o.bits) || fp::q_is_inf(z.bits))
            continue;
        // Round to odd is truncation with the last bit ORed with inexactness (Book I 7.3.2.6).
        ASSERT_EQ(o.bits, z.bits | (z.fi ? 1 : 0)) << std::hex << uint64_t(a >> 64) << " " << uint64_t(b >> 64);
        ASSERT_EQ(o.fi, z.fi);
    }
}

} // namespace
} // namespace phv::test
