// The exact FP core (hv_core/src/fp) on cases the oracle cannot judge: FPSCR[FR], which QEMU 7.2 never writes
// (data/fp_oracle_differences.md), rounding of fnm* before negation, single-precision FPRF; and the VSR/VR
// one-reg ids over the shared VSR file.
#include <gtest/gtest.h>

#include "fp/arith.h"
#include "fp/convert.h"
#include "guest_code.h"
#include "vcpu/cpu_state.h"
#include "vcpu/vcpu.h"

namespace phv::test {
namespace {

using namespace phv::fp;
constexpr uint64_t kOne = 0x3ff0000000000000ull;

TEST(FpCore, FrSaysTheFractionWasIncremented) {
    const Env rn{Round::Nearest, false, false};
    // 1 + 1.5 ulp: rounds up to 1 + 2 ulp (FR=1, FI=1).
    Outcome o = add(kOne, 0x3cb8000000000000ull, kDouble, rn);   // 1.5 * 2^-52
    EXPECT_EQ(o.bits, 0x3ff0000000000002ull);
    EXPECT_TRUE(o.fr);
    EXPECT_TRUE(o.fi);
    // 1 + 0.25 ulp: truncated (FR=0, FI=1, XX).
    o = add(kOne, 0x3c90000000000000ull, kDouble, rn);   // 2^-54
    EXPECT_EQ(o.bits, kOne);
    EXPECT_FALSE(o.fr);
    EXPECT_TRUE(o.fi);
    EXPECT_EQ(o.exc, fpscr::XX);
    // Exact: neither.
    o = add(kOne, kOne, kDouble, rn);
    EXPECT_EQ(o.bits, 0x4000000000000000ull);
    EXPECT_FALSE(o.fr || o.fi);
    EXPECT_EQ(o.exc, 0u);
    // Toward +infinity a positive inexact result is incremented, toward zero never.
    EXPECT_TRUE(div(kOne, 0x4008000000000000ull, kDouble, Env{Round::Up, false, false}).fr);
    EXPECT_FALSE(div(kOne, 0x4008000000000000ull, kDouble, Env{Round::Zero, false, false}).fr);
}

TEST(FpCore, NegativeMultiplyAddRoundsBeforeNegating) {
    // fnmsub = -(a*c - b) (Book I 4.6.6): a*c - b = 2^-2148 - 0.1 rounds toward +infinity to -0.0999..9 (the
    // smaller magnitude), then is negated.
    const Outcome o = fma(1, 1, 0x3fb999999999999aull, true, true, kDouble, Env{Round::Up, false, false});
    EXPECT_EQ(o.bits, 0x3fb9999999999999ull);
}

TEST(FpCore, SinglePrecisionDenormalsAndOverflow) {
    const Env rn{Round::Nearest, false, false};
    // 2^-149, the smallest single denormal, is a double normal; its FPRF class is denormal.
    const Outcome o = round_to_single(0x36a0000000000000ull, rn);
    EXPECT_EQ(o.bits, 0x36a0000000000000ull);
    EXPECT_EQ(class_of_single(o.bits), fprf::kPosDenormal);
    EXPECT_EQ(class_of(o.bits), fprf::kPosNormal);
    // Half of it rounds to even: zero, with UX and XX (tiny and inexact).
    const Outcome h = round_to_single(0x3690000000000000ull, rn);
    EXPECT_EQ(h.bits, 0u);
    EXPECT_EQ(h.exc, fpscr::UX | fpscr::XX);
    // Overflow: infinity when rounding to nearest, the largest single toward zero.
    EXPECT_EQ(round_to_single(0x47f0000000000000ull, rn).bits, kInf);
    EXPECT_EQ(round_to_single(0x47f0000000000000ull, Env{Round::Zero, false, false}).bits, 0x47efffffe0000000ull);
    // Enabled overflow: the exponent scaled down by 192 (Book I 4.4.5).
    EXPECT_EQ(round_to_single(0x47f0000000000000ull, Env{Round::Nearest, true, false}).bits, 0x3bf0000000000000ull);   // 2^(128-192)
}

TEST(FpCore, SingleWordConversionsAreExact) {
    EXPECT_EQ(single_to_double(0x00000001u), 0x36a0000000000000ull);
    EXPECT_EQ(single_to_double(0x7fa00001u), 0x7ff4000020000000ull);   // an SNaN stays signaling
    EXPECT_EQ(double_to_single(0x36a0000000000000ull), 0x00000001u);
    EXPECT_EQ(double_to_single(0x7ff4000020000000ull), 0x7fa00001u);
}

TEST(FpOneReg, VsrAndVrShareTheFprFile) {
    GuestCode g;
    auto *v = reinterpret_cast<Vcpu *>(g.vcpu);
    g.set_reg(PHV_REG_PPC_FPR(5), 0x1122334455667788ull);
    EXPECT_EQ(v->state().vsr[5][0], 0x1122334455667788ull);
    // A 16-byte id is a host-endian 128-bit number: on a little-endian host doubleword 1 comes first.
    uint64_t buf[2] = {0xaaaaaaaaaaaaaaaaull, 0xbbbbbbbbbbbbbbbbull};
    phv_one_reg r{PHV_REG_PPC_VSR(5), reinterpret_cast<uint64_t>(buf)};
    ASSERT_EQ(phv_set_one_reg(g.vcpu, &r), 0);
    EXPECT_EQ(g.reg(PHV_REG_PPC_FPR(5)), 0xbbbbbbbbbbbbbbbbull);
    EXPECT_EQ(v->state().vsr[5][1], 0xaaaaaaaaaaaaaaaaull);
    v->state().vsr[32 + 3] = {1, 2};
    uint64_t out[2] = {};
    phv_one_reg vr{PHV_REG_PPC_VR(3), reinterpret_cast<uint64_t>(out)};
    ASSERT_EQ(phv_get_one_reg(g.vcpu, &vr), 0);
    EXPECT_EQ(out[0], 2u);
    EXPECT_EQ(out[1], 1u);
}

TEST(FpUnavailable, FpRowsCheckMsrFp) {
    GuestCode g;
    g.vector_stub(0x800);
    g.set_reg(PHV_REG_PPC_LPCR_64, lpcr::ILE);
    g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE);   // MSR[FP] = 0
    EXPECT_EQ(g.run_until_vector({0xfc22182a /* fadd f1,f2,f3 */}), 0x800u);
    EXPECT_EQ(g.run_until_vector({0xc0230000 /* lfs f1,0(r3) */}), 0x800u);
}

TEST(FpOneReg, VscrKeepsNjAndSat) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_VSCR, 0xffffffffu);
    EXPECT_EQ(g.reg(PHV_REG_PPC_VSCR), 0x00010001u);
    g.set_reg(PHV_REG_PPC_VSCR, 1);
    EXPECT_EQ(g.reg(PHV_REG_PPC_VSCR), 1u);
}

// ISA 3.1 Book I 7.2.1.1: an FP instruction that writes an FPR sets doubleword 1 of its VSR to 0.
TEST(FpVsr, FprWritesClearDoubleword1) {
    GuestCode g;
    auto *v = reinterpret_cast<Vcpu *>(g.vcpu);
    g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE | msr::FP);
    v->state().vsr[1] = {0x1111, 0x2222};
    v->state().vsr[2] = {0x3333, 0x4444};
    v->state().vsr[4] = {0x5555, 0x6666};
    g.set_gpr(3, 0x8000);
    g.load(with_done({0xc8230000 /* lfd f1,0(r3) */, 0xfc402090 /* fmr f2,f4 */}));
    g.run_to_done();
    EXPECT_EQ(v->state().vsr[1][1], 0u);
    EXPECT_EQ(v->state().vsr[2][0], 0x5555u);
    EXPECT_EQ(v->state().vsr[2][1], 0u);
    EXPECT_EQ(v->state().vsr[4][1], 0x6666u);   // a source keeps it
}

// mffscrn/mffscdrn with FRT = FRB: the new RN/DRN come from FRB as it was before FRT is written.
TEST(FpStatus, MffscrnReadsFrbBeforeWritingFrt) {
    GuestCode g;
    auto *v = reinterpret_cast<Vcpu *>(g.vcpu);
    g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE | msr::FP);
    g.set_reg(PHV_REG_PPC_FPSCR, 0);
    v->state().vsr[20][0] = 3;
    v->state().vsr[11][0] = 5ull << 32;
    g.load(with_done({0xfe96a48e /* mffscrn f20,f20 */, 0xfd745c8e /* mffscdrn f11,f11 */}));
    g.run_to_done();
    EXPECT_EQ(g.reg(PHV_REG_PPC_FPSCR), 5ull << 32 | 3);
    EXPECT_EQ(v->state().vsr[20][0], 0u);
    EXPECT_EQ(v->state().vsr[11][0], 3u);
}

} // namespace
} // namespace phv::test
