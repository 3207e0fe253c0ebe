// The SSE routines for VMX (hv_core/src/isa/semantics/vmx_host.*) against the element-at-a-time semantics:
// wherever a routine answers, its result must be the element loop's, under VSCR[NJ] = 1 and 0 alike, over
// operands mixing normals, zeros, denormals, the smallest normals, NaNs and infinities (which it must
// decline), and random words; vperm/vpermr against a byte-by-byte reference of Book I 6.8.6.
#include <random>

#include <gtest/gtest.h>

#include "isa/semantics/vmx_fp.h"
#include "isa/semantics/vmx_host.h"

namespace phv::test {
namespace {

using u128 = unsigned __int128;
namespace vfp = isa::sem::vfp;
namespace vhost = isa::sem::vhost;

uint32_t word_of(u128 v, unsigned i) { return uint32_t(v >> (96 - 32 * i)); }   // ISA word i, 0 leftmost

u128 words(const uint32_t w[4]) {
    return u128(w[0]) << 96 | u128(w[1]) << 64 | u128(w[2]) << 32 | w[3];
}

uint32_t pick(std::mt19937_64 &rng) {
    static constexpr uint32_t kEdges[] = {0, 0x80000000, 0x3f800000, 0xbf800000, 0x00800000, 0x80800000,
                                          0x00000001, 0x007fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000,
                                          0x7f7fffff, 0x01000000, 0x00ffffff, 0x3f800001, 0x33800000};
    switch (rng() % 4) {
    case 0: return kEdges[rng() % std::size(kEdges)];
    case 1: return uint32_t(rng());
    default: return uint32_t((rng() & 0x807fffff) | ((0x7f + rng() % 40 - 20) << 23));   // near 1.0
    }
}

u128 vector(std::mt19937_64 &rng) {
    uint32_t w[4];
    for (uint32_t &x : w)
        x = pick(rng);
    return words(w);
}

template <uint32_t (*Op)(vfp::Env, uint32_t, uint32_t, uint32_t)>
u128 lanes3(bool nj, u128 a, u128 b, u128 c) {
    uint32_t w[4];
    for (unsigned i = 0; i < 4; ++i)
        w[i] = Op(vfp::Env{nj}, word_of(a, i), word_of(b, i), word_of(c, i));
    return words(w);
}
template <uint32_t (*Op)(vfp::Env, uint32_t, uint32_t)>
u128 lanes2(bool nj, u128 a, u128 b) {
    uint32_t w[4];
    for (unsigned i = 0; i < 4; ++i)
        w[i] = Op(vfp::Env{nj}, word_of(a, i), word_of(b, i));
    return words(w);
}

TEST(VmxHost, FloatRoutinesAgreeWithTheElementSemantics) {
    std::mt19937_64 rng(0x5eed);
    unsigned answered[4] = {}, declined = 0;
    for (int n = 0; n < 200000; ++n) {
        // Mostly vectors whose four words are all ordinary, so the routines have something to answer.
        const bool plain = n % 4 != 0;
        auto operand = [&] {
            if (!plain)
                return vector(rng);
            uint32_t w[4];
            for (uint32_t &x : w)
                x = uint32_t((rng() & 0x807fffff) | ((0x7f + rng() % 60 - 30) << 23));
            if (rng() % 8 == 0)
                w[rng() % 4] = pick(rng);
            return words(w);
        };
        const u128 a = operand(), b = operand(), c = operand();
        for (int op = 0; op < 4; ++op) {
            u128 r = 0;
            if (!vhost::fp(vhost::FpOp(op), a, b, c, r)) {
                ++declined;
                continue;
            }
            ++answered[op];
            for (bool nj : {false, true}) {
                const u128 ref = op == 0   ? lanes2<vfp::add>(nj, a, b)
                                 : op == 1 ? lanes2<vfp::sub>(nj, a, b)
                                 : op == 2 ? lanes3<vfp::madd<false>>(nj, a, b, c)
                                           : lanes3<vfp::madd<true>>(nj, a, b, c);
                ASSERT_TRUE(r == ref) << "op " << op << " nj " << nj << std::hex << " a " << uint64_t(a >> 64) << "_"
                                      << uint64_t(a) << " b " << uint64_t(b >> 64) << "_" << uint64_t(b) << " c "
                                      << uint64_t(c >> 64) << "_" << uint64_t(c);
            }
        }
    }
    EXPECT_GT(answered[0], 50000u);
    EXPECT_GT(answered[1], 50000u);
    if (__builtin_cpu_supports("fma")) {
        EXPECT_GT(answered[2], 50000u);
        EXPECT_GT(answered[3], 50000u);
    }
    EXPECT_GT(declined, 10000u) << "the special operands must be declined";
}

TEST(VmxHost, DeclinesWhatTheElementSemanticsDecide) {
    const u128 one = u128(0x3f8000003f800000ull) << 64 | 0x3f8000003f800000ull;
    u128 r;
    EXPECT_FALSE(vhost::fp(vhost::FpOp::Add, one, one ^ 0x7fc00000u ^ 0x3f800000u, 0, r)) << "a NaN word";
    EXPECT_FALSE(vhost::fp(vhost::FpOp::Add, one, one ^ 0x3f800001u, 0, r)) << "a denormal word";
    // 2^-125 - 2^-126 = 2^-126, the smallest normal: NJ's tininess rule is the element loop's to apply.
    const u128 a = u128(0x0100000001000000ull) << 64 | 0x0100000001000000ull;
    const u128 b = u128(0x0080000000800000ull) << 64 | 0x0080000000800000ull;
    EXPECT_FALSE(vhost::fp(vhost::FpOp::Sub, a, b, 0, r));
    EXPECT_TRUE(vhost::fp(vhost::FpOp::Add, one, one, 0, r));
    EXPECT_TRUE(r == (u128(0x4000000040000000ull) << 64 | 0x4000000040000000ull));
}

// Book I 6.8.6: byte i of the result is byte (VRC byte i)[3:7] of VRA || VRB (vpermr: 31 minus it).
u128 perm_reference(u128 a, u128 b, u128 c, bool reverse) {
    auto byte = [](u128 v, unsigned i) { return uint8_t(v >> (120 - 8 * i)); };
    u128 r = 0;
    for (unsigned i = 0; i < 16; ++i) {
        unsigned idx = byte(c, i) & 31;
        if (reverse)
            idx = 31 - idx;
        r |= u128(idx < 16 ? byte(a, idx) : byte(b, idx - 16)) << (120 - 8 * i);
    }
    return r;
}

TEST(VmxHost, PermuteAgreesWithTheByteDefinition) {
    if (!__builtin_cpu_supports("ssse3"))
        GTEST_SKIP() << "no SSSE3: vperm stays with the byte loop";
    std::mt19937_64 rng(0xbeef);
    auto v = [&] { return u128(rng()) << 64 | rng(); };
    for (int n = 0; n < 20000; ++n) {
        const u128 a = v(), b = v(), c = v();
        for (bool reverse : {false, true}) {
            u128 r = 0;
            ASSERT_TRUE(vhost::perm(a, b, c, reverse, r));
            ASSERT_TRUE(r == perm_reference(a, b, c, reverse)) << "reverse " << reverse << " n " << n;
        }
    }
}

} // namespace
} // namespace phv::test
