// VSX floating point (Book I chapter 7) on what the oracle cannot judge: MSR[VSX]=0, FPSCR[FR] (QEMU 7.2 never
// writes it), the vector forms leaving FR/FI/FPRF alone and VSR[XT] unwritten on an enabled exception, and the
// element layouts of the conversions.
#include <cfenv>
#include <cstring>

#include <gtest/gtest.h>

#include "fp/format.h"
#include "fp/round.h"
#include "guest_code.h"
#include "vcpu/cpu_state.h"
#include "vcpu/vcpu.h"

namespace phv::test {
namespace {

constexpr uint64_t kFR = 1ull << (63 - 45), kFI = 1ull << (63 - 46), kFPRF = 0x1full << 12;
constexpr uint64_t kMsr = msr::SF | msr::ME | msr::LE | msr::FP | msr::VEC | msr::VSX;

// Runs one instruction with VSR a, b and t as vs9, vs42 and vs40 (XA, XB, XT of the words below).
struct Vsx {
    GuestCode g;
    CpuState &st = reinterpret_cast<Vcpu *>(g.vcpu)->state();
    void run(uint32_t word, uint64_t fpscr, std::array<uint64_t, 2> a, std::array<uint64_t, 2> b,
             std::array<uint64_t, 2> t = {0x5555555555555555ull, 0x5555555555555555ull}, uint64_t msr = kMsr) {
        g.load(with_done({word}));
        reinterpret_cast<Vcpu *>(g.vcpu)->request_code_invalidate(GuestCode::kCodeBase);
        g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        g.set_reg(PHV_REG_PPC_MSR, msr);
        g.set_reg(PHV_REG_PPC_FPSCR, fpscr);
        st.vsr[9] = a;
        st.vsr[42] = b;
        st.vsr[40] = t;
        g.run_to_done();
    }
};

constexpr uint32_t kXsadddp = 0xf1095103;    // xsadddp vs40,vs9,vs42
constexpr uint32_t kXvadddp = 0xf1095303;    // xvadddp vs40,vs9,vs42
constexpr uint32_t kXvcvdpsp = 0xf1005627;   // xvcvdpsp vs40,vs42
constexpr uint32_t kXscvdpsxws = 0xf1005163;   // xscvdpsxws vs40,vs42
constexpr uint64_t kOne = 0x3ff0000000000000ull, kThird = 0x3fd5555555555555ull;

TEST(VsxFp, RowsCheckMsrVsx) {
    GuestCode g;
    g.vector_stub(0xf40);
    g.set_reg(PHV_REG_PPC_LPCR_64, lpcr::ILE);
    g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE | msr::FP | msr::VEC);   // MSR[VSX] = 0
    EXPECT_EQ(g.run_until_vector({kXsadddp}), 0xf40u);
    EXPECT_EQ(g.run_until_vector({kXvadddp}), 0xf40u);
    EXPECT_EQ(g.run_until_vector({0xf0000118 /* xscmpudp cr0,vs0,vs0 */}), 0xf40u);
    // The quad-precision instructions sit in opcode 63 but are VSX instructions: MSR[FP]=1 does not help.
    EXPECT_EQ(g.run_until_vector({0xfc000008 /* xsaddqp v0,v0,v0 */}), 0xf40u);
    EXPECT_EQ(g.run_until_vector({0xfc00000a /* xsrqpi 0,v0,v0,0 */}), 0xf40u);
}

TEST(VsxFp, ScalarSetsFrFiFprfAndClearsDoubleword1) {
    Vsx v;
    // 1 + 1/3 toward +infinity is incremented: FR=1, FI=1, FPRF = +normal.
    v.run(kXsadddp, 2, {kOne, 7}, {kThird, 9});
    EXPECT_EQ(v.st.vsr[40][0], 0x3ff5555555555556ull);
    EXPECT_EQ(v.st.vsr[40][1], 0u);
    EXPECT_EQ(v.st.fpscr & (kFR | kFI), kFR | kFI);
    EXPECT_EQ((v.st.fpscr & kFPRF) >> 12, 0x04u);
    // Toward zero the same sum is truncated: FR=0, FI=1.
    v.run(kXsadddp, 1, {kOne, 7}, {kThird, 9});
    EXPECT_EQ(v.st.fpscr & (kFR | kFI), kFI);
}

TEST(VsxFp, QuadPrecisionSetsFrFiFprfAndRoundsToOdd) {
    Vsx v;
    // xsaddqp v8,v9,v10 reads VSR 41 and 42: 1 + 1/3 (0x3ffd5555...5555) toward +infinity is incremented.
    constexpr uint32_t kXsaddqp = 0xfd095008, kXsaddqpo = 0xfd095009;
    const std::array<uint64_t, 2> one{0x3fff000000000000ull, 0}, third{0x3ffd555555555555ull, 0x5555555555555555ull};
    auto run = [&](uint32_t w, uint64_t fpscr) {
        v.g.load(with_done({w}));
        reinterpret_cast<Vcpu *>(v.g.vcpu)->request_code_invalidate(GuestCode::kCodeBase);
        v.g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        v.g.set_reg(PHV_REG_PPC_MSR, kMsr);
        v.g.set_reg(PHV_REG_PPC_FPSCR, fpscr);
        v.st.vsr[41] = one;
        v.st.vsr[42] = third;
        v.g.run_to_done();
    };
    run(kXsaddqp, 2);
    EXPECT_EQ(v.st.vsr[40][0], 0x3fff555555555555ull);
    EXPECT_EQ(v.st.vsr[40][1], 0x5555555555555556ull);
    EXPECT_EQ(v.st.fpscr & (kFR | kFI), kFR | kFI);
    EXPECT_EQ((v.st.fpscr & kFPRF) >> 12, 0x04u);
    // Round to odd: the truncated ...5555 is already odd, so nothing is incremented (FR=0, FI=1), whatever RN says.
    run(kXsaddqpo, 2);
    EXPECT_EQ(v.st.vsr[40][1], 0x5555555555555555ull);
    EXPECT_EQ(v.st.fpscr & (kFR | kFI), kFI);
}

TEST(VsxFp, VectorLeavesFrFiFprf) {
    Vsx v;
    const uint64_t preset = kFR | kFI | (0x11ull << 12);
    v.run(kXvadddp, preset, {kOne, kOne}, {kOne, kThird});
    EXPECT_EQ(v.st.vsr[40][0], 0x4000000000000000ull);
    EXPECT_EQ(v.st.vsr[40][1], 0x3ff5555555555555ull);
    EXPECT_EQ(v.st.fpscr & (kFR | kFI | kFPRF), preset);
    EXPECT_TRUE(v.st.fpscr & (1ull << (63 - 38)));   // XX from element 1
}

TEST(VsxFp, VectorEnabledExceptionLeavesTarget) {
    Vsx v;
    v.g.vector_stub(0x700);
    v.g.set_reg(PHV_REG_PPC_LPCR_64, lpcr::ILE);
    // Element 0 inexact with XE=1: no element is written (Book I 7.6 xvadddp, ex_flag), and the enabled
    // exception interrupts.
    const uint64_t xe = 1ull << 3;
    v.g.load(with_done({kXvadddp}));
    reinterpret_cast<Vcpu *>(v.g.vcpu)->request_code_invalidate(GuestCode::kCodeBase);
    v.g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
    v.g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::FE0 | msr::FE1);
    v.g.set_reg(PHV_REG_PPC_FPSCR, xe);
    v.st.vsr[9] = {kOne, kOne};
    v.st.vsr[42] = {kThird, kOne};
    v.st.vsr[40] = {1, 2};
    v.g.set_gpr(30, 0);
    v.g.run_to_done();
    EXPECT_EQ(v.g.gpr(30), 0x70u);
    EXPECT_EQ(v.st.vsr[40][0], 1u);
    EXPECT_EQ(v.st.vsr[40][1], 2u);
}

TEST(VsxFp, WordResultsFillBothWordsOfTheirDoubleword) {
    Vsx v;
    // xvcvdpsp: doubleword i -> words 2i and 2i+1 (ISA 3.1 programming note).
    v.run(kXvcvdpsp, 0, {0, 0}, {kOne, 0xc000000000000000ull});
    EXPECT_EQ(v.st.vsr[40][0], 0x3f8000003f800000ull);
    EXPECT_EQ(v.st.vsr[40][1], 0xc0000000c0000000ull);
    // xscvdpsxws: -3.5 truncated to -3 in words 0 and 1, doubleword 1 cleared.
    v.run(kXscvdpsxws, 0, {0, 0}, {0xc00c000000000000ull, 5});
    EXPECT_EQ(v.st.vsr[40][0], 0xfffffffdfffffffdull);
    EXPECT_EQ(v.st.vsr[40][1], 0u);
}

#if defined(__FLT16_MAX__)
// Out of line and opaque, so the compiler cannot move the conversion (a const library call) across fesetround.
__attribute__((noinline, noipa)) uint16_t host_half(double d, int mode) {
    std::fesetround(mode);
    volatile _Float16 h = static_cast<_Float16>(d);
    std::fesetround(FE_TONEAREST);
    const _Float16 v = h;
    uint16_t r;
    std::memcpy(&r, &v, 2);
    return r;
}

// binary64 -> binary16 (xscvdphp, xvcvsphp) against the host's _Float16 conversion (libgcc, correctly rounded
// in the fesetround mode): every rounding mode, operands across the binary16 range and beyond it.
TEST(VsxFp, HalfPrecisionRoundingMatchesHost) {
    constexpr int kModes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};
    uint64_t s = 0x2545f4914f6cdd1dull;
    int bad = 0;
    for (int m = 0; m < 4; ++m) {
        const fp::Env env{fp::Round(m), false, false};
        for (int i = 0; i < 50000; ++i) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            // Exponents from 2^-30 to 2^20 (denormal and overflow ranges), random fractions, either sign.
            const uint64_t x = (s & (fp::kSign | fp::kFracMask)) | uint64_t(1023 - 30 + (s >> 52) % 51) << 52;
            double d;
            std::memcpy(&d, &x, 8);
            const uint16_t ref = host_half(d, kModes[m]);
            const uint16_t got = fp::double_to_half(fp::round_to(fp::unpack(x), fp::kHalf, env).bits);
            if (got != ref && ++bad <= 5)
                ADD_FAILURE() << std::hex << "mode " << m << " x " << x << " phv " << got << " host " << ref;
        }
    }
    EXPECT_EQ(bad, 0);
}
#endif

} // namespace
} // namespace phv::test
