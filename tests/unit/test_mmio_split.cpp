// Accesses that cross a page into another memory slot or out of RAM, in real mode and under (hash)
// translation: adjacent slots behave as one memory, the RAM bytes of a RAM/MMIO access are done in core and
// only the others exit; and read-only slots (KVM_MEM_READONLY) read as RAM and exit on writes, also under
// translation.
#include <gtest/gtest.h>

#include <cstring>

#include "guest_code.h"
#include "vcpu/cpu_state.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint64_t kMsrReal = phv::msr::SF | phv::msr::ME | phv::msr::LE;
constexpr uint64_t kTop = GuestCode::kRamSize;   // slot 0 ends here

struct Split : GuestCode {
    alignas(4096) uint8_t extra[2][4096] = {};
    void add_slot(uint32_t slot, uint64_t gpa, unsigned which, uint32_t flags = 0) {
        const phv_userspace_memory_region r{slot, flags, gpa, 4096, uint64_t(uintptr_t(extra[which]))};
        ASSERT_EQ(phv_set_user_memory_region(vm, &r), 0);
    }
    // Runs body with r5 = address and r6 = value; returns the exit reason of the first exit.
    uint32_t start(std::initializer_list<uint32_t> body, uint64_t addr, uint64_t value = 0,
                   uint64_t msr_bits = kMsrReal) {
        set_gpr(5, addr), set_gpr(6, value);
        resume();
        // Each program at fresh code space, so no predecoded block is stale.
        code += 0x100;
        load(with_done(body), code);
        set_reg(PHV_REG_PPC_MSR, msr_bits);
        return run();
    }
    uint64_t code = 0x40000;
    // A run that ended in an hcall completes on re-entry by writing r3..r12: hand back what is there now.
    void resume() {
        if (run_data->exit_reason != PHV_EXIT_PAPR_HCALL)
            return;
        run_data->papr_hcall.ret = gpr(3);
        for (unsigned i = 0; i < 9; ++i)
            run_data->papr_hcall.args[i] = gpr(4 + i);
    }
};

TEST(MmioSplit, AdjacentSlotsAreOneMemoryInRealMode) {
    Split g;
    g.add_slot(1, kTop, 0);
    const uint8_t below[4] = {1, 2, 3, 4}, above[4] = {5, 6, 7, 8};
    std::memcpy(g.ram + kTop - 4, below, 4);
    std::memcpy(g.extra[0], above, 4);
    ASSERT_EQ(g.start({ld(7, 5, 0)}, kTop - 4), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.gpr(7), 0x0807060504030201ull);
    ASSERT_EQ(g.start({std_(6, 5, 0)}, kTop - 4, 0x1122334455667788ull), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.ram[kTop - 4], 0x88);
    EXPECT_EQ(g.ram[kTop - 1], 0x55);
    EXPECT_EQ(g.extra[0][0], 0x44);
    EXPECT_EQ(g.extra[0][3], 0x11);
}

TEST(MmioSplit, RamThenMmioLoadAndStore) {
    Split g;   // nothing above slot 0
    const uint8_t below[4] = {0xa1, 0xa2, 0xa3, 0xa4};
    std::memcpy(g.ram + kTop - 4, below, 4);
    ASSERT_EQ(g.start({ld(7, 5, 0)}, kTop - 4), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, kTop);
    EXPECT_EQ(g.run_data->mmio.len, 4u);
    EXPECT_EQ(g.run_data->mmio.is_write, 0);
    const uint8_t dev[4] = {0xb1, 0xb2, 0xb3, 0xb4};
    std::memcpy(g.run_data->mmio.data, dev, 4);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.gpr(7), 0xb4b3b2b1a4a3a2a1ull);
    ASSERT_EQ(g.start({std_(6, 5, 0)}, kTop - 4, 0x1122334455667788ull), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, kTop);
    EXPECT_EQ(g.run_data->mmio.len, 4u);
    EXPECT_EQ(g.run_data->mmio.is_write, 1);
    EXPECT_EQ(g.run_data->mmio.data[0], 0x44);
    EXPECT_EQ(g.run_data->mmio.data[3], 0x11);
    EXPECT_EQ(g.ram[kTop - 4], 0x88);   // the RAM half is written in core
    EXPECT_EQ(g.ram[kTop - 1], 0x55);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_PAPR_HCALL));
}

TEST(MmioSplit, MmioThenRamLoad) {
    Split g;
    const uint64_t base = 0x2000000;   // RAM at 32M, MMIO below it
    g.add_slot(1, base, 0);
    const uint8_t above[2] = {0xc1, 0xc2};
    std::memcpy(g.extra[0], above, 2);
    ASSERT_EQ(g.start({lwz(7, 5, 0)}, base - 2), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, base - 2);
    EXPECT_EQ(g.run_data->mmio.len, 2u);
    g.run_data->mmio.data[0] = 0xd1, g.run_data->mmio.data[1] = 0xd2;
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.gpr(7), 0xc2c1d2d1ull);
}

TEST(MmioSplit, ReadOnlySlotReadsAndExitsOnWrites) {
    Split g;
    g.add_slot(1, 0x3000000, 0, PHV_MEM_READONLY);
    g.extra[0][8] = 0x5a;
    ASSERT_EQ(g.start({lwz(7, 5, 8)}, 0x3000000), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.gpr(7), 0x5au);
    ASSERT_EQ(g.start({stw(6, 5, 8)}, 0x3000000, 0x99), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x3000008u);
    EXPECT_EQ(g.run_data->mmio.is_write, 1);
    EXPECT_EQ(g.run_data->mmio.data[0], 0x99);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.extra[0][8], 0x5a);   // untouched
}

// The same under hash translation: a 4K segment whose pages map the read-only slot and the page below the
// top of RAM, with the page after it unbacked (MMIO).
TEST(MmioSplit, UnderTranslation) {
    Split g;
    ASSERT_EQ(phv_vm_allocate_htab(g.vm, 18), 0);
    g.add_slot(1, 0x3000000, 0, PHV_MEM_READONLY);
    g.extra[0][16] = 0x77;
    const uint64_t vsid = 0x321, seg = 0xc000000000000000ull;
    auto enter = [&](uint64_t ea, uint64_t ra) {
        const uint64_t off = ea & 0xfffffff;
        const uint64_t group = ((vsid ^ (off >> 12)) & ((1ull << 11) - 1)) * 8;
        const uint64_t v = vsid << 12 | ((off >> 16) & 0x3fffffffffffff80ull) | 1;
        g.set_gpr(4, 0), g.set_gpr(5, group), g.set_gpr(6, v), g.set_gpr(7, ra | 0x10 | 2);
        g.resume();
        g.code += 0x100;
        g.load(with_done({addi(3, 0, 8), sc(1), X(31, 3, 20, 3, 444)}), g.code);
        g.set_reg(PHV_REG_PPC_MSR, kMsrReal);
        g.run_to_done();
        ASSERT_EQ(g.gpr(20), 0u);
    };
    enter(seg + 0x10000, 0x3000000);        // the read-only page
    enter(seg + 0x20000, kTop - 0x1000);   // the last RAM page ...
    enter(seg + 0x21000, kTop);            // ... and the MMIO page after it
    g.set_gpr(8, seg | 0x08000000), g.set_gpr(9, vsid << 12);
    g.resume();
    g.code += 0x100;
    g.load(with_done({X(31, 9, 0, 8, 402)}), g.code);   // slbmte r9,r8
    g.set_reg(PHV_REG_PPC_MSR, kMsrReal);
    g.run_to_done();
    const uint64_t data = kMsrReal | phv::msr::DR;
    ASSERT_EQ(g.start({lwz(7, 5, 16)}, seg + 0x10000, 0, data), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.gpr(7), 0x77u);
    ASSERT_EQ(g.start({stw(6, 5, 16)}, seg + 0x10000, 0x42, data), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x3000010u);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.extra[0][16], 0x77);
    // Across into the MMIO page: 6 RAM bytes in core, 2 through the exit.
    g.ram[kTop - 6] = 0x01, g.ram[kTop - 1] = 0x06;
    ASSERT_EQ(g.start({ld(7, 5, 0)}, seg + 0x21000 - 6, 0, data), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, kTop);
    EXPECT_EQ(g.run_data->mmio.len, 2u);
    g.run_data->mmio.data[0] = 0x07, g.run_data->mmio.data[1] = 0x08;
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.gpr(7) & 0xff000000000000ffull, 0x0800000000000001ull);
    EXPECT_EQ((g.gpr(7) >> 40) & 0xff, 0x06u);

    // lq/stq under translation: one translation of the quadword (single-copy atomic through the host
    // pointer); a quadword in the read-only slot still loads (through two doublewords) and refuses stq.
    constexpr uint32_t lq = 56u << 26 | 10u << 21 | 5u << 16;          // lq r10,0(r5)
    constexpr uint32_t stq = 62u << 26 | 8u << 21 | 5u << 16 | 2;      // stq r8,0(r5)
    enter(seg + 0x30000, 0x9000);
    g.set_gpr(8, 0x1111111122222222ull), g.set_gpr(9, 0x3333333344444444ull);
    g.resume();
    ASSERT_EQ(g.start({stq, lq}, seg + 0x30010, 0, data), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.gpr(10), 0x1111111122222222ull);
    EXPECT_EQ(g.gpr(11), 0x3333333344444444ull);
    uint64_t lo, hi;   // little-endian: the even register is the doubleword at EA+8
    std::memcpy(&lo, g.ram + 0x9010, 8), std::memcpy(&hi, g.ram + 0x9018, 8);
    EXPECT_EQ(hi, 0x1111111122222222ull);
    EXPECT_EQ(lo, 0x3333333344444444ull);
    g.extra[0][0x20] = 0xab;
    ASSERT_EQ(g.start({lq}, seg + 0x10020, 0, data), uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(g.gpr(11), 0xabu);
    ASSERT_EQ(g.start({stq}, seg + 0x10020, 0, data), uint32_t(PHV_EXIT_MMIO));
}

} // namespace
