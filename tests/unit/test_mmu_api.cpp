// The MMU state a VMM reads and sets through the C ABI (phv.h 4.13-4.15): the MMU type and process table
// (KVM_PPC_CONFIGURE_V3_MMU and its read-back), the radix geometry, each vcpu's SLB and the HPT's contents,
// as a VMM negotiating the MMU itself or migrating a guest uses them; and memory slots under translation.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "guest_code.h"
#include "mmu/partition.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint64_t kGR = 1ull << 63;

TEST(MmuApi, ConfigureV3MmuSwitchesTypeAndReadsBack) {
    GuestCode g(PHV_CPU_POWER9);
    phv_ppc_mmuv3_cfg cfg{PHV_PPC_MMUV3_RADIX | PHV_PPC_MMUV3_GTSE, kGR | 0x100000 | 4};
    ASSERT_EQ(phv_vm_configure_v3_mmu(g.vm, &cfg), 0);
    phv_ppc_mmuv3_cfg back{};
    ASSERT_EQ(phv_vm_get_v3_mmu(g.vm, &back), 0);
    EXPECT_EQ(back.flags, cfg.flags);
    EXPECT_EQ(back.process_table, cfg.process_table);
    // The vcpu picks it up at its next run: LPCR[UPRT, HR, GTSE].
    g.load(with_done({}));
    g.run_to_done();
    EXPECT_EQ(g.reg(PHV_REG_PPC_LPCR_64) & phv::mmu::lpcr::kOwned, phv::mmu::lpcr::kOwned);
    // Back to hash without GTSE.
    cfg = {0, 0};
    ASSERT_EQ(phv_vm_configure_v3_mmu(g.vm, &cfg), 0);
    ASSERT_EQ(phv_vm_get_v3_mmu(g.vm, &back), 0);
    EXPECT_EQ(back.flags, 0u);
    EXPECT_EQ(back.process_table, 0u);
    g.load(with_done({}));
    g.run_to_done();
    EXPECT_EQ(g.reg(PHV_REG_PPC_LPCR_64) & phv::mmu::lpcr::kOwned, 0u);
}

TEST(MmuApi, ConfigureV3MmuChecks) {
    GuestCode g(PHV_CPU_POWER10);
    phv_ppc_mmuv3_cfg cfg{PHV_PPC_MMUV3_RADIX, 0x100000};   // GR missing
    EXPECT_EQ(phv_vm_configure_v3_mmu(g.vm, &cfg), -EINVAL);
    cfg = {0, kGR};                                           // GR without the flag
    EXPECT_EQ(phv_vm_configure_v3_mmu(g.vm, &cfg), -EINVAL);
    cfg = {PHV_PPC_MMUV3_RADIX, kGR | 25};                    // PRTS > 24
    EXPECT_EQ(phv_vm_configure_v3_mmu(g.vm, &cfg), -EINVAL);
    cfg = {4, 0};
    EXPECT_EQ(phv_vm_configure_v3_mmu(g.vm, &cfg), -EINVAL);
    EXPECT_EQ(phv_vm_configure_v3_mmu(g.vm, nullptr), -EFAULT);
    EXPECT_EQ(phv_vm_get_v3_mmu(g.vm, nullptr), -EFAULT);
    GuestCode p8(PHV_CPU_POWER8);
    cfg = {0, 0};
    EXPECT_EQ(phv_vm_configure_v3_mmu(p8.vm, &cfg), -EINVAL);
}

TEST(MmuApi, ConfigureSeesGuestRegistration) {
    GuestCode g(PHV_CPU_POWER9);
    // H_REGISTER_PROC_TBL(MODIFY|REGISTER|RADIX|GTSE, base 0x200000, 0, PRTS 2) from the guest.
    g.set_gpr(4, 0x1d), g.set_gpr(5, 0x200000), g.set_gpr(6, 0), g.set_gpr(7, 2);
    g.load(with_done({addi(3, 0, 0x37c), sc(1), X(31, 3, 20, 3, 444)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(20), 0u);
    phv_ppc_mmuv3_cfg back{};
    ASSERT_EQ(phv_vm_get_v3_mmu(g.vm, &back), 0);
    EXPECT_EQ(back.flags, uint64_t(PHV_PPC_MMUV3_RADIX | PHV_PPC_MMUV3_GTSE));
    EXPECT_EQ(back.process_table, kGR | 0x200000 | 2);
}

TEST(MmuApi, RmmuInfo) {
    GuestCode g(PHV_CPU_POWER9);
    phv_ppc_rmmu_info info;
    ASSERT_EQ(phv_vm_get_rmmu_info(g.vm, &info), 0);
    EXPECT_EQ(info.geometries[0].page_shift, 12);
    EXPECT_EQ(info.geometries[0].level_bits[3], 13);
    EXPECT_EQ(info.geometries[1].page_shift, 16);
    EXPECT_EQ(info.geometries[1].level_bits[0], 5);
    EXPECT_EQ(info.geometries[2].page_shift, 0);
    EXPECT_EQ(info.ap_encodings[0], 12u);
    EXPECT_EQ(info.ap_encodings[1], 0xa0000010u);
    EXPECT_EQ(info.ap_encodings[2], 0x20000015u);
    EXPECT_EQ(info.ap_encodings[3], 0x4000001eu);
    EXPECT_EQ(info.ap_encodings[4], 0u);
    GuestCode p8(PHV_CPU_POWER8);
    EXPECT_EQ(phv_vm_get_rmmu_info(p8.vm, &info), -EINVAL);
}

TEST(MmuApi, SlbGetSetRoundTripsAndChecks) {
    GuestCode g;
    phv_ppc_slb_entry slb[PHV_PPC_SLB_SIZE];
    ASSERT_EQ(phv_vcpu_get_slb(g.vcpu, slb), 0);
    for (unsigned i = 0; i < PHV_PPC_SLB_SIZE; ++i) {
        EXPECT_EQ(slb[i].slbe, i);
        EXPECT_EQ(slb[i].slbv, 0u);
    }
    slb[3] = {0xc000000008000000ull | 3, 0x123456000ull | 0x110 | 0x400};
    slb[7] = {0x0000010008000000ull | 7, (1ull << 62) | (0x77ull << 24)};
    ASSERT_EQ(phv_vcpu_set_slb(g.vcpu, slb), 0);
    // The guest sees them: slbmfev of entry 3, slbfee. of an EA in entry 7's 1T segment.
    g.set_gpr(5, 3), g.set_gpr(6, 0x0000010012345678ull);
    g.load(with_done({X(31, 10, 0, 5, 851), X(31, 11, 0, 6, 979, 1)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(10), slb[3].slbv);
    EXPECT_EQ(g.gpr(11), slb[7].slbv);
    phv_ppc_slb_entry back[PHV_PPC_SLB_SIZE];
    ASSERT_EQ(phv_vcpu_get_slb(g.vcpu, back), 0);
    EXPECT_EQ(std::memcmp(back, slb, sizeof slb), 0);
    // Checked as slbmte checks: a wrong entry number, a bad page size, B = 10; nothing changes then.
    phv_ppc_slb_entry bad[PHV_PPC_SLB_SIZE];
    std::memcpy(bad, slb, sizeof bad);
    bad[1].slbe = 2;
    EXPECT_EQ(phv_vcpu_set_slb(g.vcpu, bad), -EINVAL);
    std::memcpy(bad, slb, sizeof bad);
    bad[1].slbv = 0x20;
    EXPECT_EQ(phv_vcpu_set_slb(g.vcpu, bad), -EINVAL);
    bad[1].slbv = 2ull << 62;
    EXPECT_EQ(phv_vcpu_set_slb(g.vcpu, bad), -EINVAL);
    bad[1].slbv = 0;
    bad[5].slbe = 5 | 0x1000;
    EXPECT_EQ(phv_vcpu_set_slb(g.vcpu, bad), -EINVAL);
    ASSERT_EQ(phv_vcpu_get_slb(g.vcpu, back), 0);
    EXPECT_EQ(std::memcmp(back, slb, sizeof slb), 0);
    EXPECT_EQ(phv_vcpu_set_slb(g.vcpu, nullptr), -EFAULT);
}

TEST(MmuApi, HtabReadWrite) {
    GuestCode g;
    uint64_t buf[8];
    EXPECT_EQ(phv_vm_read_htab(g.vm, 0, 1, buf), -EINVAL);   // no table yet
    ASSERT_EQ(phv_vm_allocate_htab(g.vm, 18), 0);
    const uint64_t in[4] = {0x1234000ull | 1, 0x5000 | 0x10 | 2, 0x5678000ull | 1, 0x6000 | 0x10};
    ASSERT_EQ(phv_vm_write_htab(g.vm, 100, 2, in), 0);
    ASSERT_EQ(phv_vm_read_htab(g.vm, 99, 4, buf), 0);
    EXPECT_EQ(buf[0], 0u);
    EXPECT_EQ(std::memcmp(buf + 2, in, sizeof in), 0);
    EXPECT_EQ(buf[6], 0u);
    // The guest's H_READ sees the same entry.
    g.set_gpr(4, 0), g.set_gpr(5, 101);
    g.load(with_done({addi(3, 0, 0x0c), sc(1), X(31, 3, 20, 3, 444)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(20), 0u);
    EXPECT_EQ(g.gpr(4), in[2]);
    EXPECT_EQ(g.gpr(5), in[3]);
    EXPECT_EQ(phv_vm_read_htab(g.vm, (1ull << 14) - 1, 2, buf), -EINVAL);
    EXPECT_EQ(phv_vm_read_htab(g.vm, (1ull << 14) - 1, 1, buf), 0);
    EXPECT_EQ(phv_vm_write_htab(g.vm, 1ull << 14, 1, in), -EINVAL);
    EXPECT_EQ(phv_vm_read_htab(g.vm, 0, 1, nullptr), -EFAULT);
}

} // namespace
