// PHV_GET_ONE_REG / PHV_SET_ONE_REG: round trips, size checking, model gating.
#include <cerrno>

#include <gtest/gtest.h>

#include "guest_code.h"

namespace {
using phv::test::GuestCode;

int get(phv_vcpu *v, uint64_t id, void *buf) {
    phv_one_reg r{id, reinterpret_cast<uint64_t>(buf)};
    return phv_get_one_reg(v, &r);
}
int set(phv_vcpu *v, uint64_t id, const void *buf) {
    phv_one_reg r{id, reinterpret_cast<uint64_t>(buf)};
    return phv_set_one_reg(v, &r);
}

TEST(OneReg, SixtyFourBitRegistersRoundTrip) {
    GuestCode g;
    const uint64_t ids[] = {PHV_REG_PPC_GPR(0), PHV_REG_PPC_GPR(31), PHV_REG_PPC_NIP, PHV_REG_PPC_LR, PHV_REG_PPC_CTR,
                            PHV_REG_PPC_SRR0, PHV_REG_PPC_SRR1, PHV_REG_PPC_SPRG(0), PHV_REG_PPC_SPRG(3),
                            PHV_REG_PPC_DAR, PHV_REG_PPC_AMR, PHV_REG_PPC_FPR(7), PHV_REG_PPC_DEXCR,
                            PHV_REG_PPC_HASHKEYR, PHV_REG_PPC_HASHPKEYR, PHV_REG_PPC_TAR, PHV_REG_PPC_PID,
                            PHV_REG_PPC_DEC_EXPIRY, PHV_REG_PPC_PSSCR, PHV_REG_PPC_FSCR};
    uint64_t v = 0x0123456789abcdefull;
    for (uint64_t id : ids) {
        ++v;
        ASSERT_EQ(set(g.vcpu, id, &v), 0) << std::hex << id;
        uint64_t back = 0;
        ASSERT_EQ(get(g.vcpu, id, &back), 0) << std::hex << id;
        EXPECT_EQ(back, v) << std::hex << id;
    }
}

TEST(OneReg, ThirtyTwoBitRegistersRoundTrip) {
    GuestCode g;
    uint32_t cr = 0x12345678, back = 0;
    ASSERT_EQ(set(g.vcpu, PHV_REG_PPC_CR, &cr), 0);
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_CR, &back), 0);
    EXPECT_EQ(back, cr);
    uint32_t dsisr = 0x42000000;
    ASSERT_EQ(set(g.vcpu, PHV_REG_PPC_DSISR, &dsisr), 0);
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_DSISR, &back), 0);
    EXPECT_EQ(back, dsisr);
}

TEST(OneReg, XerKeepsOnlyArchitectedBits) {
    GuestCode g;
    uint64_t x = ~0ull, back = 0;
    ASSERT_EQ(set(g.vcpu, PHV_REG_PPC_XER, &x), 0);
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_XER, &back), 0);
    EXPECT_EQ(back, 0xe00c007full);   // SO OV CA, OV32 CA32, byte count
}

TEST(OneReg, MsrNeverGetsHv) {
    GuestCode g;
    uint64_t m = ~0ull, back = 0;
    ASSERT_EQ(set(g.vcpu, PHV_REG_PPC_MSR, &m), 0);
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_MSR, &back), 0);
    EXPECT_EQ(back & (1ull << 60), 0u);
}

TEST(OneReg, SizeIsPartOfTheId) {
    GuestCode g;
    uint64_t v = 0;
    // GPR0 as a 32-bit id, and CR as a 64-bit id, are not registers.
    EXPECT_EQ(get(g.vcpu, (PHV_REG_PPC_GPR(0) & ~PHV_REG_SIZE_MASK) | PHV_REG_SIZE_U32, &v), -EINVAL);
    EXPECT_EQ(get(g.vcpu, (PHV_REG_PPC_CR & ~PHV_REG_SIZE_MASK) | PHV_REG_SIZE_U64, &v), -EINVAL);
}

TEST(OneReg, UnknownAndForeignIdsAreEinval) {
    GuestCode g;
    uint64_t v = 0;
    EXPECT_EQ(get(g.vcpu, PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x7777, &v), -EINVAL);
    EXPECT_EQ(get(g.vcpu, 0x6030000000000000ull | 1, &v), -EINVAL);   // an arm64 id
    EXPECT_EQ(get(g.vcpu, 0, &v), -EINVAL);
    EXPECT_EQ(set(g.vcpu, ~0ull, &v), -EINVAL);
    EXPECT_EQ(get(g.vcpu, PHV_REG_PPC_NIP, nullptr), -EFAULT);
}

TEST(OneReg, ReadOnlyRegistersRefuseWrites) {
    GuestCode g;
    uint32_t pvr = 0;
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_PVR, &pvr), 0);
    EXPECT_EQ(pvr, 0x00800200u);
    EXPECT_EQ(set(g.vcpu, PHV_REG_PPC_PVR, &pvr), -EINVAL);
    uint64_t tb = 0;
    EXPECT_EQ(get(g.vcpu, PHV_REG_PPC_TB, &tb), 0);
    EXPECT_EQ(set(g.vcpu, PHV_REG_PPC_TB, &tb), -EINVAL);
}

TEST(OneReg, DexcrAndHashKeysExistOnlyOnPower10) {
    GuestCode p9(PHV_CPU_POWER9);
    uint64_t v = 1;
    EXPECT_EQ(get(p9.vcpu, PHV_REG_PPC_DEXCR, &v), -ENXIO);
    EXPECT_EQ(set(p9.vcpu, PHV_REG_PPC_HASHKEYR, &v), -ENXIO);
    EXPECT_EQ(set(p9.vcpu, PHV_REG_PPC_HASHPKEYR, &v), -ENXIO);
    GuestCode p10(PHV_CPU_POWER10);
    EXPECT_EQ(set(p10.vcpu, PHV_REG_PPC_DEXCR, &v), 0);
}

TEST(OneReg, LpcrKeepsOnlyGuestBits) {
    GuestCode g;
    uint64_t v = ~0ull, back = 0;
    ASSERT_EQ(set(g.vcpu, PHV_REG_PPC_LPCR_64, &v), 0);
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_LPCR_64, &back), 0);
    EXPECT_EQ(back, (7ull << 52) | (1ull << 25) | (1ull << 9) | (3ull << 23) | (1ull << 17) | (1ull << 63));   // and VPM0
}

TEST(OneReg, TbOffsetRoundsUpTo16M) {
    GuestCode g;
    uint64_t v = 1, back = 0;
    ASSERT_EQ(set(g.vcpu, PHV_REG_PPC_TB_OFFSET, &v), 0);
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_TB_OFFSET, &back), 0);
    EXPECT_EQ(back, 1ull << 24);
}

// phv's own id takes the offset as it is: a VMM keeping the timebase continuous needs no 2^24 granule.
TEST(OneReg, TbOffsetExactIsNotRounded) {
    GuestCode g;
    uint64_t v = 12345, back = 0, tb0 = 0, tb1 = 0;
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_TB, &tb0), 0);
    ASSERT_EQ(set(g.vcpu, PHV_REG_PPC_TB_OFFSET_EXACT, &v), 0);
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_TB_OFFSET_EXACT, &back), 0);
    EXPECT_EQ(back, 12345u);
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_TB_OFFSET, &back), 0);
    EXPECT_EQ(back, 12345u);
    v = uint64_t(-int64_t(tb0)) + 12345;  // the timebase restarts near 12345
    ASSERT_EQ(set(g.vcpu, PHV_REG_PPC_TB_OFFSET_EXACT, &v), 0);
    ASSERT_EQ(get(g.vcpu, PHV_REG_PPC_TB, &tb1), 0);
    EXPECT_GE(tb1, 12345u);
    EXPECT_LT(tb1, 12345u + 512000000u);   // within a second of it
}

TEST(OneReg, GuestSeesWhatWasSet) {
    GuestCode g;
    using namespace phv::test::enc;
    g.set_reg(PHV_REG_PPC_SPRG(2), 0xfeedface);
    g.set_reg(PHV_REG_PPC_DEXCR, 0x0400000004000000ull);
    g.load(phv::test::with_done({mfspr(5, 274), mfspr(6, 828), mfspr(7, 287)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 0xfeedfaceu);
    EXPECT_EQ(g.gpr(6), 0x0400000004000000ull);
    EXPECT_EQ(g.gpr(7), 0x00800200u);
}

} // namespace
