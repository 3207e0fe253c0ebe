// H_SET_MODE served in the core (vcpu/hcalls_mode.cpp): LPCR[ILE] and LPCR[AIL] for every vcpu, with the
// return codes of QEMU's h_set_mode (hw/ppc/spapr_hcall.c), which KVM leaves to the VMM.
#include <gtest/gtest.h>

#include "guest_code.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint64_t kIle = 1ull << 25, kAil = 3ull << 23;
constexpr int64_t kP2 = -55, kP3 = -56, kP4 = -57, kUnsupportedFlag = -256;

// Runs H_SET_MODE(mflags, resource, value1, value2) and returns r3.
int64_t set_mode(GuestCode &g, int mflags, int resource, int value1 = 0, int value2 = 0, uint64_t at = GuestCode::kCodeBase) {
    g.load(with_done({addi(3, 0, 0x31c), addi(4, 0, mflags), addi(5, 0, resource), addi(6, 0, value1),
                      addi(7, 0, value2), sc(1), ori(20, 3, 0)}),
           at);
    g.run_to_done();
    return int64_t(g.gpr(20));
}

TEST(HSetMode, LittleEndianInterruptsForEveryVcpu) {
    GuestCode g;
    phv_vcpu *v = nullptr;
    ASSERT_EQ(phv_create_vcpu(g.vm, 1, &v), 0);
    auto lpcr1 = [&] {
        uint64_t val = 0;
        phv_one_reg r{PHV_REG_PPC_LPCR_64, reinterpret_cast<uint64_t>(&val)};
        EXPECT_EQ(phv_get_one_reg(v, &r), 0);
        return val;
    };
    g.set_reg(PHV_REG_PPC_LPCR_64, 0);
    EXPECT_EQ(set_mode(g, 1, 4), 0);
    EXPECT_EQ(g.reg(PHV_REG_PPC_LPCR_64) & kIle, kIle);
    // vcpu 1 picks the change up when it runs (here: an immediate exit, which still enters its loop once).
    uint64_t msr = (1ull << 63) | (1ull << 12) | 1, nip = 0x20000;
    phv_one_reg r{PHV_REG_PPC_MSR, reinterpret_cast<uint64_t>(&msr)};
    EXPECT_EQ(phv_set_one_reg(v, &r), 0);
    r = {PHV_REG_PPC_NIP, reinterpret_cast<uint64_t>(&nip)};
    EXPECT_EQ(phv_set_one_reg(v, &r), 0);
    g.load(with_done({}), 0x20000);
    EXPECT_EQ(phv_vcpu_run(v), 0);
    EXPECT_EQ(lpcr1() & kIle, kIle);
    EXPECT_EQ(set_mode(g, 0, 4, 0, 0, 0x11000), 0);
    EXPECT_EQ(g.reg(PHV_REG_PPC_LPCR_64) & kIle, 0u);
    r = {PHV_REG_PPC_NIP, reinterpret_cast<uint64_t>(&nip)};
    EXPECT_EQ(phv_set_one_reg(v, &r), 0);
    EXPECT_EQ(phv_vcpu_run(v), 0);
    EXPECT_EQ(lpcr1() & kIle, 0u);
}

TEST(HSetMode, ReturnCodes) {
    struct {
        int mflags, resource, value1, value2;
        int64_t ret;
        uint64_t lpcr;   // ILE|AIL afterwards, from 0
    } cases[] = {
        {3, 3, 0, 0, 0, kAil},                 // AIL=3
        {0, 3, 0, 0, 0, 0},                    // AIL=0
        {2, 3, 0, 0, kUnsupportedFlag, 0},     // AIL=2: not offered (QEMU pseries, KVM)
        {1, 3, 0, 0, kUnsupportedFlag, 0},     // AIL=1: reserved
        {3, 3, 1, 0, kP3, 0},
        {3, 3, 0, 1, kP4, 0},
        {1, 4, 0, 0, 0, kIle},
        {2, 4, 0, 0, kUnsupportedFlag, 0},
        {1, 4, 0, 7, kP4, 0},
        {0, 9, 0, 0, kP2, 0},                  // no such resource
    };
    for (const auto &c : cases) {
        GuestCode g;
        g.set_reg(PHV_REG_PPC_LPCR_64, 0);
        EXPECT_EQ(set_mode(g, c.mflags, c.resource, c.value1, c.value2), c.ret) << c.mflags << " " << c.resource;
        EXPECT_EQ(g.reg(PHV_REG_PPC_LPCR_64) & (kIle | kAil), c.lpcr) << c.mflags << " " << c.resource;
    }
}

// The debug resources (CIABR, DAWR0, DAWR1) belong to the VMM: the hcall exits.
TEST(HSetMode, DebugResourcesGoToTheVmm) {
    for (int resource : {1, 2, 5}) {
        GuestCode g;
        g.load({addi(3, 0, 0x31c), addi(5, 0, resource), sc(1)});
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_PAPR_HCALL));
        EXPECT_EQ(g.run_data->papr_hcall.nr, 0x31cu);
    }
}

} // namespace
