// PHV_RUN: each exit reason, its completion on re-entry, and interrupt delivery.
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "vcpu/cpu_state.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint64_t kSrr1Illegal = 1ull << (63 - 44), kSrr1Privileged = 1ull << (63 - 45);

TEST(RunExit, HcallCarriesArgumentsAndTakesResults) {
    GuestCode g;
    g.load(with_done({addi(3, 0, 0x58), addi(4, 0, 11), addi(5, 0, 22), addi(12, 0, 99), sc(1), addi(20, 3, 0),
                      addi(21, 4, 0), addi(22, 12, 0)}));
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.run_data->papr_hcall.nr, 0x58u);
    EXPECT_EQ(g.run_data->papr_hcall.args[0], 11u);
    EXPECT_EQ(g.run_data->papr_hcall.args[1], 22u);
    EXPECT_EQ(g.run_data->papr_hcall.args[8], 99u);
    EXPECT_EQ(g.run_data->nip, GuestCode::kCodeBase + 16);
    g.run_data->papr_hcall.ret = uint64_t(-2);   // H_FUNCTION
    g.run_data->papr_hcall.args[0] = 0x1234;
    g.run_data->papr_hcall.args[8] = 0x5678;
    g.run_to_done();
    EXPECT_EQ(g.gpr(20), uint64_t(-2));
    EXPECT_EQ(g.gpr(21), 0x1234u);
    EXPECT_EQ(g.gpr(22), 0x5678u);
}

TEST(RunExit, MmioLoadCompletesOnReentry) {
    GuestCode g;
    // lwz r5, 0(r4) with r4 beyond RAM, in little-endian mode
    g.load(with_done({addis(4, 0, 0x7100), lwz(5, 4, 8)}));
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000008u);
    EXPECT_EQ(g.run_data->mmio.len, 4u);
    EXPECT_EQ(g.run_data->mmio.is_write, 0);
    const uint8_t bytes[4] = {0x11, 0x22, 0x33, 0x44};
    std::memcpy(g.run_data->mmio.data, bytes, 4);
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 0x44332211u);
}

TEST(RunExit, MmioLoadInBigEndianMode) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME);
    std::vector<uint32_t> code = with_done({addis(4, 0, 0x7100), lwz(5, 4, 0)});
    for (auto &w : code)
        w = __builtin_bswap32(w);   // big-endian instruction stream
    g.load(code);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    const uint8_t bytes[4] = {0x11, 0x22, 0x33, 0x44};
    std::memcpy(g.run_data->mmio.data, bytes, 4);
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 0x11223344u);
}

TEST(RunExit, MmioStoreCarriesBytesInMemoryOrder) {
    GuestCode g;
    g.load(with_done({addis(4, 0, 0x7100), addis(5, 0, 0x1234), ori(5, 5, 0x5678), stw(5, 4, 4)}));
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.is_write, 1);
    EXPECT_EQ(g.run_data->mmio.len, 4u);
    const uint8_t expect[4] = {0x78, 0x56, 0x34, 0x12};
    EXPECT_EQ(std::memcmp(g.run_data->mmio.data, expect, 4), 0);
    g.run_to_done();
}

TEST(RunExit, StoreToReadOnlySlotIsMmio) {
    GuestCode g;
    phv_userspace_memory_region r{2, PHV_MEM_READONLY, 0x2000000, 0x1000, reinterpret_cast<uint64_t>(g.ram) + 0x400000};
    ASSERT_EQ(phv_set_user_memory_region(g.vm, &r), 0);
    g.ram[0x400000] = 0xab;
    g.load(with_done({addis(4, 0, 0x200), lwz(6, 4, 0), stw(6, 4, 0)}));
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.is_write, 1);
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x2000000u);
    g.run_to_done();
    EXPECT_EQ(g.gpr(6), 0xabu);
}

TEST(RunExit, FetchOutsideRamIsAnInternalError) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_NIP, 0x40000000);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_INTERNAL_ERROR));
    EXPECT_EQ(g.run_data->internal.suberror, uint32_t(PHV_INTERNAL_ERROR_FETCH));
    EXPECT_NE(std::string(g.run_data->internal.reason).find("0x40000000"), std::string::npos);
}

// A hole between two slots is no RAM: loads, stores and fetches there exit as they do beyond the end of RAM,
// a load across the hole's end takes its RAM bytes from the slot and exits with the others, and the
// second slot's first byte is RAM again. (RAM: 16 MiB at 0; slot 1: 1 MiB at 32 MiB.)
TEST(RunExit, HoleBetweenSlotsIsNotRam) {
    GuestCode g;
    phv_userspace_memory_region r{1, 0, 0x2000000, 0x100000, reinterpret_cast<uint64_t>(g.ram) + 0x800000};
    ASSERT_EQ(phv_set_user_memory_region(g.vm, &r), 0);
    const uint8_t slot1[4] = {0x0a, 0x0b, 0x0c, 0x0d};
    std::memcpy(g.ram + 0x800000, slot1, 4);

    // Each program at a gpa of its own: what ran at a gpa stays predecoded until invalidated.
    g.load(with_done({addis(4, 0, 0x180), ld(5, 4, 0)}), 0x20000);   // the middle of the hole
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x1800000u);
    EXPECT_EQ(g.run_data->mmio.len, 8u);
    EXPECT_EQ(g.run_data->mmio.is_write, 0);
    std::memset(g.run_data->mmio.data, 0x77, 8);
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 0x7777777777777777u);

    g.load(with_done({addis(4, 0, 0x100), std_(4, 4, 0)}), 0x21000);   // the first byte after slot 0
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x1000000u);
    EXPECT_EQ(g.run_data->mmio.is_write, 1);
    g.run_to_done();

    g.load(with_done({addis(4, 0, 0x200), addi(4, 4, -4), ld(5, 4, 0)}), 0x22000);   // 4 of hole, 4 of slot 1
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x1fffffcu);
    EXPECT_EQ(g.run_data->mmio.len, 4u);
    const uint8_t hole[4] = {0x01, 0x02, 0x03, 0x04};
    std::memcpy(g.run_data->mmio.data, hole, 4);
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 0x0d0c0b0a04030201u);

    g.load(with_done({addis(4, 0, 0x200), lwz(5, 4, 0)}), 0x23000);   // slot 1 is RAM: no exit
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 0x0d0c0b0au);

    g.set_reg(PHV_REG_PPC_NIP, 0x1400000);   // a fetch in the hole
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_INTERNAL_ERROR));
    EXPECT_EQ(g.run_data->internal.suberror, uint32_t(PHV_INTERNAL_ERROR_FETCH));
}

// An access to a gpa in no slot that no MMIO exit can carry (a reservation, a quadword, an atomic memory
// operation) is the guest's fault: a DSI with DSISR[49] "bad access" ([38] too for a store) and DAR = the EA,
// as KVM-HV's kvmppc_emulate_mmio gives when it cannot emulate the instruction; the VMM sees no exit.
TEST(RunExit, UnemulatableMmioAccessIsADsi) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // LPCR[ILE]: the stub runs little-endian
    g.vector_stub(0x300);
    const struct {
        const char *name;
        uint32_t insn;
        uint64_t dsisr;
    } cases[] = {
        {"ldarx r5,0,r4", X(31, 5, 0, 4, 84), 0x4000},
        {"lwarx r5,0,r4", X(31, 5, 0, 4, 20), 0x4000},
        {"lq r6,0(r4)", 56u << 26 | 6u << 21 | 4u << 16, 0x4000},
        {"lqarx r6,0,r4", X(31, 6, 0, 4, 276), 0x4000},
        {"ldat r6,r4,0 (fetch and add)", X(31, 6, 4, 0, 614), 0x4000 | 0x02000000},
    };
    for (const auto &c : cases) {
        g.set_gpr(4, 0x2000000);   // past the 16 MiB slot
        EXPECT_EQ(g.run_until_vector({c.insn}), 0x300u) << c.name;
        EXPECT_EQ(g.reg(PHV_REG_PPC_DAR), 0x2000000u) << c.name;
        EXPECT_EQ(g.reg(PHV_REG_PPC_DSISR), c.dsisr) << c.name;
        EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), GuestCode::kCodeBase) << c.name;
    }
}

TEST(RunExit, IllegalInstructionIsAProgramInterrupt) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);               // LPCR[ILE]: handlers run little-endian
    g.load(with_done({mfmsr(9), addi(5, 0, 42)}), 0x700);   // the guest's Program handler
    g.load({addi(4, 0, 1), 0x00000000u});
    g.run_to_done();
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), GuestCode::kCodeBase + 4);
    EXPECT_NE(g.reg(PHV_REG_PPC_SRR1) & kSrr1Illegal, 0u);
    EXPECT_EQ(g.gpr(5), 42u);
    EXPECT_NE(g.reg(PHV_REG_PPC_SRR1) & phv::msr::LE, 0u);   // the interrupted MSR
    EXPECT_EQ(g.gpr(9), phv::msr::SF | phv::msr::ME | phv::msr::LE);
}

TEST(RunExit, IllegalInstructionWithoutHandlerStops) {
    GuestCode g;
    g.load({0x00000000u}, 0x700);
    g.load({0x00000000u});
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_INTERNAL_ERROR));
    EXPECT_EQ(g.run_data->internal.suberror, uint32_t(PHV_INTERNAL_ERROR_EMULATION));
    EXPECT_EQ(g.run_data->nip, 0x700u);
}

TEST(RunExit, PrivilegedInstructionInProblemState) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // ILE: take interrupts little-endian
    g.load(with_done({addi(5, 0, 7)}), 0x700);
    g.load({mfmsr(4)});
    g.set_reg(PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME | phv::msr::LE | phv::msr::PR);
    g.run_to_done();
    EXPECT_NE(g.reg(PHV_REG_PPC_SRR1) & kSrr1Privileged, 0u);
    EXPECT_NE(g.reg(PHV_REG_PPC_SRR1) & phv::msr::PR, 0u);
    EXPECT_EQ(g.gpr(5), 7u);
}

TEST(RunExit, SystemCallFromProblemStateGoesToTheGuest) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);
    g.load(with_done({addi(5, 0, 3)}), 0xc00);
    g.load({sc(1)});
    g.set_reg(PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME | phv::msr::LE | phv::msr::PR);
    g.run_to_done();
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), GuestCode::kCodeBase + 4);
    EXPECT_EQ(g.gpr(5), 3u);
}

TEST(RunExit, ImmediateExit) {
    GuestCode g;
    g.load({b(0)});
    g.run_data->immediate_exit = 1;
    EXPECT_EQ(g.run(), uint32_t(PHV_EXIT_INTR));
    g.run_data->immediate_exit = 0;
}

TEST(RunExit, KickStopsALoopingGuest) {
    GuestCode g;
    g.load({b(0)});
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        phv_vcpu_kick(g.vcpu);
    });
    EXPECT_EQ(g.run(), uint32_t(PHV_EXIT_INTR));
    t.join();
    EXPECT_EQ(g.run_data->nip, GuestCode::kCodeBase);
}

TEST(RunExit, CedeWithNothingPendingIsHlt) {
    GuestCode g;
    g.load(with_done({addi(3, 0, 0xe0), sc(1)}));
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_HLT));
    EXPECT_GT(g.run_data->hlt.deadline_ns, 0u);
    EXPECT_NE(g.reg(PHV_REG_PPC_MSR) & phv::msr::EE, 0u);   // H_CEDE enables external interrupts
    EXPECT_EQ(g.gpr(3), 0u);                                  // H_SUCCESS
}

TEST(RunExit, DecrementerInterruptIsDelivered) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);
    g.load(with_done({addi(5, 0, 9)}), 0x900);
    g.load({addi(4, 0, 100), mtspr(22, 4), addi(6, 0, 0x8000 >> 0), mfmsr(7), ori(7, 7, 0x8000), mtmsrd(7, 1), b(0)});
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 9u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), GuestCode::kCodeBase + 24);
}

TEST(RunExit, ExternalInterruptLineIsLevelTriggered) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);
    g.load(with_done({addi(5, 0, 5)}), 0x500);
    g.load({b(0)});
    g.set_reg(PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME | phv::msr::LE | phv::msr::EE);
    EXPECT_EQ(phv_interrupt(g.vcpu, 12345), -EINVAL);
    ASSERT_EQ(phv_interrupt(g.vcpu, PHV_INTERRUPT_SET), 0);
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 5u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_MSR) & phv::msr::EE, 0u);
    ASSERT_EQ(phv_interrupt(g.vcpu, PHV_INTERRUPT_UNSET), 0);
}

TEST(RunExit, ModifiedCodeIsRefetched) {
    GuestCode g;
    // The first pass runs "addi r5,r5,1" at 0x200; the program then overwrites that word with
    // "addi r5,r5,100" (icbi/isync, as Book II 4.3.1 asks) and runs it again.
    const uint32_t icbi_r4 = X(31, 0, 0, 4, 982), isync = X(19, 0, 0, 0, 150);
    const uint32_t cmpwi_r6_2 = D(11, 0, 6, 2);
    const uint32_t beq_plus28 = 16u << 26 | 12u << 21 | 2u << 16 | 28;
    g.load(with_done({addi(5, 5, 1), addi(6, 6, 1), cmpwi_r6_2, beq_plus28, addis(7, 0, 0x38a5), ori(7, 7, 100),
                      stw(7, 4, 0), icbi_r4, isync, b(-9 * 4)}),
           0x200);
    g.set_gpr(4, 0x200);
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 101u);
    EXPECT_EQ(g.gpr(6), 2u);
}

TEST(Stats, CountersAreNamedAndCount) {
    GuestCode g;
    g.load(with_done({addi(4, 0, 1), addi(4, 4, 1)}));
    g.run_to_done();
    bool found = false;
    for (size_t i = 0; i < phv_vcpu_stat_count(); ++i) {
        uint64_t v = 0;
        const char *name = phv_vcpu_stat(g.vcpu, i, &v);
        ASSERT_NE(name, nullptr);
        if (std::string(name) == "hcall_exits") {
            EXPECT_EQ(v, 1u);
            found = true;
        }
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(phv_vcpu_stat(g.vcpu, phv_vcpu_stat_count(), nullptr), nullptr);
}

} // namespace
