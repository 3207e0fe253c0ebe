// Performance monitor counting (hv_core/src/vcpu/pmu.cpp): exact instruction counts, what an interrupted
// instruction counts, counter writes inside a block, the overflow alert and the freeze conditions.
#include <gtest/gtest.h>

#include "guest_code.h"
#include "vcpu/cpu_state.h"
#include "vcpu/pmu.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;
namespace msr = phv::msr;
namespace spr = phv::spr;
namespace pmu = phv::pmu;

constexpr uint64_t kMsr = msr::SF | msr::ME | msr::LE;

struct Guest : GuestCode {
    Guest() {
        set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // LPCR[ILE]: the stubs are little-endian
        for (uint64_t v : {0x700, 0xf00})
            vector_stub(v);
        set_gpr(5, 0);         // MMCR0 value that counts
        set_gpr(6, pmu::FC);   // and the one that freezes
    }
    phv::Vcpu &v() { return *reinterpret_cast<phv::Vcpu *>(vcpu); }
    uint64_t &s(unsigned n) { return v().state().spr[n]; }
};

constexpr uint32_t tw_always() { return X(31, 31, 0, 0, 4); }

TEST(Pmu, VcpuStartsFrozen) {
    Guest g;
    EXPECT_EQ(g.s(spr::MMCR0), pmu::FC);
    EXPECT_EQ(g.run_until_vector({addi(7, 0, 1), addi(7, 7, 1)}), 0u);
    EXPECT_EQ(g.s(spr::PMC5), 0u);
}

// PMC5 counts every completed instruction from the one after the starting mtspr to the freezing mtspr.
TEST(Pmu, Pmc5CountsInstructionsExactly) {
    Guest g;
    std::vector<uint32_t> body{mtspr(spr::MMCR0, 5)};
    for (int i = 0; i < 10; ++i)
        body.push_back(addi(7, 7, 1));
    body.push_back(mtspr(spr::MMCR0, 6));
    std::vector<uint32_t> prog(body);
    prog.push_back(addi(3, 0, int32_t(GuestCode::kDone)));
    prog.push_back(sc(1));
    g.load(prog);
    g.run_to_done();
    EXPECT_EQ(g.s(spr::PMC5), 11u);
    EXPECT_EQ(g.s(spr::PMC1), 0u);   // MMCR1 = 0: PMC1-4 count nothing
}

// A trap that takes its Program interrupt (SRR0 = the trap) did not complete; the handler's instructions
// count, and so does the `sc` that ends the run (it completes: SRR0 would be the next instruction).
TEST(Pmu, InterruptedInstructionIsNotCounted) {
    Guest g;
    EXPECT_EQ(g.run_until_vector({mtspr(spr::MMCR0, 5), addi(7, 7, 1), addi(7, 7, 1), addi(7, 7, 1), tw_always()}),
              0x700u);
    EXPECT_EQ(g.s(spr::PMC5), 3u + 3u);
}

// A counter write inside a block: what went before counts on the old value, what follows on the new one;
// mfspr sees the count including itself.
TEST(Pmu, CounterWriteInsideBlock) {
    Guest g;
    g.set_gpr(7, 100);
    EXPECT_EQ(g.run_until_vector({mtspr(spr::MMCR0, 5), addi(9, 9, 1), addi(9, 9, 1), mtspr(spr::PMC5, 7),
                                  addi(9, 9, 1), addi(9, 9, 1), mfspr(8, spr::PMC5), mtspr(spr::MMCR0, 6)}),
              0u);
    EXPECT_EQ(g.gpr(8), 103u);
    EXPECT_EQ(g.s(spr::PMC5), 104u);
}

// PMC1-4 count the MMCR1 events QEMU TCG knows: PM_INST_CMPL (0x02), PM_CYC (0x1e), PMC4's run-latch
// instructions (0xfa, only with CTRL[RUN]=1); another selector counts nothing.
TEST(Pmu, Mmcr1Events) {
    Guest g;
    g.s(spr::MMCR1) = 0x02ull << 24 | 0x1eull << 16 | 0x33ull << 8 | 0xfa;
    g.s(spr::CTRL_W) = 1;
    EXPECT_EQ(g.run_until_vector({mtspr(spr::MMCR0, 5), addi(7, 7, 1), addi(7, 7, 1), mtspr(spr::MMCR0, 6)}), 0u);
    EXPECT_EQ(g.s(spr::PMC1), 3u);
    EXPECT_EQ(g.s(spr::PMC3), 0u);
    EXPECT_EQ(g.s(spr::PMC4), 3u);
    EXPECT_EQ(g.s(spr::PMC5), 3u);
    g.s(spr::CTRL_W) = 0;   // run latch off: 0xfa stops, 0x02 goes on
    EXPECT_EQ(g.run_until_vector({mtspr(spr::MMCR0, 5), addi(7, 7, 1), mtspr(spr::MMCR0, 6)}), 0u);
    EXPECT_EQ(g.s(spr::PMC1), 5u);
    EXPECT_EQ(g.s(spr::PMC4), 3u);
}

// PMC5 preset two below negative, PMCjCE, PMAE and FCECE: the second instruction makes it negative; the
// counters freeze there, PMAE becomes PMAO, SIAR names that instruction and the interrupt follows at the end
// of the block (SRR0 after the branch that ends it).
TEST(Pmu, OverflowRaisesPerformanceMonitorInterrupt) {
    Guest g;
    g.s(spr::PMC5) = 0x7ffffffe;
    g.set_gpr(5, pmu::PMAE | pmu::FCECE | pmu::PMCjCE);
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::EE);
    EXPECT_EQ(g.run_until_vector({mtspr(spr::MMCR0, 5), addi(7, 7, 1), addi(7, 7, 1), addi(7, 7, 1),
                                  addi(7, 7, 1), b(4)}),
              0xf00u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), GuestCode::kCodeBase + 24);
    EXPECT_EQ(g.s(spr::SIAR), GuestCode::kCodeBase + 8);
    EXPECT_EQ(g.s(spr::PMC5), 0x80000000u);
    EXPECT_EQ(g.s(spr::MMCR0), pmu::FC | pmu::FCECE | pmu::PMCjCE | pmu::PMAO);
}

// Without FCECE the counter goes on past the alert; without PMAE there is no interrupt.
TEST(Pmu, OverflowWithoutFreezeOrInterrupt) {
    Guest g;
    g.s(spr::PMC5) = 0x7ffffffe;
    g.set_gpr(5, pmu::PMCjCE);
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::EE);
    EXPECT_EQ(g.run_until_vector({mtspr(spr::MMCR0, 5), addi(7, 7, 1), addi(7, 7, 1), addi(7, 7, 1),
                                  mtspr(spr::MMCR0, 6)}),
              0u);
    EXPECT_EQ(g.s(spr::PMC5), 0x80000002u);
    EXPECT_EQ(g.s(spr::MMCR0), pmu::FC);
}

// The freeze conditions, per counter, for a guest (MSR[HV]=0).
TEST(Pmu, FreezeConditions) {
    const uint64_t pr = pmu::kMsrPr, pmm = pmu::kMsrPmm, events = 0x02ull << 24 | 0x1eull << 16;
    auto c = pmu::counting(0, events, 0, 0, false);
    EXPECT_EQ(c.insns, 0x11);    // PMC1, PMC5
    EXPECT_EQ(c.cycles, 0x22);   // PMC2, PMC6
    EXPECT_EQ(pmu::counting(pmu::FC, events, 0, 0, false).insns, 0);
    EXPECT_EQ(pmu::counting(pmu::FCS, events, 0, 0, false).insns, 0);
    EXPECT_EQ(pmu::counting(pmu::FCS, events, 0, pr, false).insns, 0x11);
    EXPECT_EQ(pmu::counting(pmu::FCP, events, 0, pr, false).insns, 0);
    EXPECT_EQ(pmu::counting(pmu::FCP, events, 0, 0, false).insns, 0x11);
    EXPECT_EQ(pmu::counting(pmu::FCM0, events, 0, 0, false).insns, 0);
    EXPECT_EQ(pmu::counting(pmu::FCM0, events, 0, pmm, false).insns, 0x11);
    EXPECT_EQ(pmu::counting(pmu::FCM1, events, 0, pmm, false).insns, 0);
    c = pmu::counting(pmu::FC14, events, 0, 0, false);
    EXPECT_EQ(c.insns, 0x10);
    EXPECT_EQ(c.cycles, 0x20);
    c = pmu::counting(pmu::FC56, events, 0, 0, false);
    EXPECT_EQ(c.insns, 0x01);
    EXPECT_EQ(c.cycles, 0x02);
    // MMCR2: FC1S stops PMC1 in privileged state, FC5P0 PMC5 in problem state.
    const uint64_t mmcr2 = pmu::mmcr2_fcs(1) | pmu::mmcr2_fcp0(5);
    EXPECT_EQ(pmu::counting(0, events, mmcr2, 0, false).insns, 0x10);
    EXPECT_EQ(pmu::counting(0, events, mmcr2, pr, false).insns, 0x01);
    EXPECT_EQ(pmu::counting(0, 0xfe000000ull | 0xfa, 0, 0, true).insns, 0x19);
    EXPECT_EQ(pmu::counting(0, 0xf0000000ull, 0, 0, false).cycles, 0x21);
}

// Cycles: PMC6 advances with time while it counts and stops when frozen.
TEST(Pmu, Pmc6CountsCycles) {
    Guest g;
    g.set_gpr(7, 2000);
    EXPECT_EQ(g.run_until_vector({mtspr(spr::MMCR0, 5), mtspr(9, 7), addi(8, 8, 1), 0x4200fffc /* bdnz -4 */,
                                  mtspr(spr::MMCR0, 6)}),
              0u);
    const uint64_t c = g.s(spr::PMC6);
    EXPECT_GT(c, 0u);
    EXPECT_EQ(g.s(spr::PMC5), 4001u + 1u);
    EXPECT_EQ(g.run_until_vector({addi(8, 8, 1)}), 0u);
    EXPECT_EQ(g.s(spr::PMC6), c);
}
} // namespace
