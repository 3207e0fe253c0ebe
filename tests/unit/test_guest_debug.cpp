// PHV_SET_GUEST_DEBUG (hv_core/src/vcpu/debug.cpp): single step, software breakpoints, hardware breakpoints
// and watchpoints, each ending the run with PHV_EXIT_DEBUG.
#include <gtest/gtest.h>

#include <cstring>
#include <ctime>

#include "guest_code.h"
#include "vcpu/cpu_state.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;
namespace msr = phv::msr;

constexpr uint64_t kBase = GuestCode::kCodeBase;
constexpr uint32_t kNop = 0x60000000;

struct Guest : GuestCode {
    Guest() {
        set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // LPCR[ILE]: the stub is little-endian
        vector_stub(0x700);
    }
    int debug(uint32_t control, std::initializer_list<phv_guest_debug_bp> bps = {}) {
        phv_guest_debug d{};
        d.control = control;
        for (const phv_guest_debug_bp &b : bps)
            d.bp[d.nr_bp++] = b;
        return phv_vcpu_set_guest_debug(vcpu, &d);
    }
    void expect_debug(uint64_t nip, uint64_t address, uint32_t status) {
        ASSERT_EQ(run(), uint32_t(PHV_EXIT_DEBUG));
        EXPECT_EQ(run_data->nip, nip);
        EXPECT_EQ(reg(PHV_REG_PPC_NIP), nip);
        EXPECT_EQ(run_data->debug.address, address);
        EXPECT_EQ(run_data->debug.status, status);
    }
    void patch(uint64_t gpa, uint32_t word) {
        std::memcpy(ram + gpa, &word, 4);
        phv_invalidate_code(vm, gpa, 4);
    }
};

TEST(GuestDebug, DebugInstReadsTheBreakpointWord) {
    Guest g;
    EXPECT_EQ(g.reg(PHV_REG_PPC_DEBUG_INST), PHV_SW_BREAKPOINT_INSN);
}

TEST(GuestDebug, SoftwareBreakpointStopsAtItsAddress) {
    Guest g;
    ASSERT_EQ(g.debug(PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_USE_SW_BP), 0);
    g.load(with_done({addi(5, 0, 1), PHV_SW_BREAKPOINT_INSN, addi(5, 5, 1)}));
    g.expect_debug(kBase + 4, kBase + 4, 0);
    EXPECT_EQ(g.gpr(5), 1u);
    // The VMM puts the instruction back and continues.
    g.patch(kBase + 4, kNop);
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 2u);
}

TEST(GuestDebug, BreakpointWordWithoutSwBpIsIllegal) {
    Guest g;
    EXPECT_EQ(g.run_until_vector({PHV_SW_BREAKPOINT_INSN}), 0x700u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR1) & (1ull << (63 - 44)), 1ull << (63 - 44));
}

TEST(GuestDebug, SingleStepStopsAfterEachInstruction) {
    Guest g;
    ASSERT_EQ(g.debug(PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_SINGLESTEP), 0);
    g.load(with_done({addi(5, 0, 1), addi(5, 5, 1), b(8), addi(5, 5, 100), addi(5, 5, 1)}));
    g.expect_debug(kBase + 4, kBase + 4, PHV_DEBUG_SINGLESTEP);
    EXPECT_EQ(g.gpr(5), 1u);
    g.expect_debug(kBase + 8, kBase + 8, PHV_DEBUG_SINGLESTEP);
    EXPECT_EQ(g.gpr(5), 2u);
    g.expect_debug(kBase + 16, kBase + 16, PHV_DEBUG_SINGLESTEP);   // the branch
    g.expect_debug(kBase + 20, kBase + 20, PHV_DEBUG_SINGLESTEP);
    EXPECT_EQ(g.gpr(5), 3u);
    ASSERT_EQ(g.debug(0), 0);
    g.run_to_done();
}

// A step across an instruction that exits (the hcall): reported on the next run, before anything else runs.
TEST(GuestDebug, SingleStepOverAnExit) {
    Guest g;
    ASSERT_EQ(g.debug(PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_SINGLESTEP), 0);
    g.load({addi(3, 0, 0x99), sc(1), addi(5, 0, 7)});
    g.expect_debug(kBase + 4, kBase + 4, PHV_DEBUG_SINGLESTEP);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_PAPR_HCALL));
    g.expect_debug(kBase + 8, kBase + 8, PHV_DEBUG_SINGLESTEP);
    EXPECT_EQ(g.gpr(5), 0u);
    g.expect_debug(kBase + 12, kBase + 12, PHV_DEBUG_SINGLESTEP);
    EXPECT_EQ(g.gpr(5), 7u);
}

TEST(GuestDebug, HardwareBreakpointStopsBeforeTheInstruction) {
    Guest g;
    ASSERT_EQ(g.debug(PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_USE_HW_BP, {{kBase + 8, PHV_DEBUG_BREAKPOINT, 0}}), 0);
    g.load(with_done({addi(5, 0, 1), addi(5, 5, 1), addi(5, 5, 1)}));
    g.expect_debug(kBase + 8, kBase + 8, PHV_DEBUG_BREAKPOINT);
    EXPECT_EQ(g.gpr(5), 2u);
    g.run_to_done();   // resuming lets the instruction at the breakpoint through
    EXPECT_EQ(g.gpr(5), 3u);
    // A loop passes it again: another stop.
    g.load({addi(5, 0, 0), addi(5, 5, 1), addi(5, 5, 1), b(-8)});
    phv_invalidate_code(g.vm, kBase, 64);   // the code was rewritten behind the vcpu's back
    g.expect_debug(kBase + 8, kBase + 8, PHV_DEBUG_BREAKPOINT);
    EXPECT_EQ(g.gpr(5), 1u);
    g.expect_debug(kBase + 8, kBase + 8, PHV_DEBUG_BREAKPOINT);
    EXPECT_EQ(g.gpr(5), 3u);
}

TEST(GuestDebug, WatchpointsStopBeforeTheAccess) {
    Guest g;
    constexpr uint64_t kData = 0x20000;
    ASSERT_EQ(g.debug(PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_USE_HW_BP,
                      {{kData + 4, PHV_DEBUG_WATCH_WRITE, 4}, {kData + 16, PHV_DEBUG_WATCH_READ, 8}}),
              0);
    g.load(with_done({addis(6, 0, 2), addi(7, 0, 42), stw(7, 6, 0), stw(7, 6, 4), lwz(8, 6, 4), ld(9, 6, 12),
                      ld(10, 6, 16)}));
    g.expect_debug(kBase + 12, kData + 4, PHV_DEBUG_WATCH_WRITE);
    uint32_t v;
    std::memcpy(&v, g.ram + kData + 4, 4);
    EXPECT_EQ(v, 0u);   // not yet stored
    g.expect_debug(kBase + 20, kData + 16, PHV_DEBUG_WATCH_READ);   // ld at +12 overlaps +16..+19
    g.expect_debug(kBase + 24, kData + 16, PHV_DEBUG_WATCH_READ);
    g.run_to_done();
    EXPECT_EQ(g.gpr(8), 42u);
}

// PHV_GUESTDBG_BLOCKIRQ: a guest with MSR[EE]=1 stepped through a two-instruction loop, with handlers that
// record the vector (r30) at 0x500, 0x700, 0x900 and 0xc00.
struct Stepped : Guest {
    static constexpr uint32_t kStep = PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_SINGLESTEP;
    static constexpr uint32_t kStepNoIrq = kStep | PHV_GUESTDBG_BLOCKIRQ;

    Stepped() {
        for (uint64_t v : {0x500, 0x900, 0xc00})
            vector_stub(v);
        load({addi(5, 5, 1), b(-4)});
        set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE | msr::EE);
    }
    ~Stepped() { phv_interrupt(vcpu, PHV_INTERRUPT_UNSET); }
    static bool in_loop(uint64_t nip) { return nip == kBase || nip == kBase + 4; }
    // One step: where it stopped.
    uint64_t step() {
        EXPECT_EQ(run(), uint32_t(PHV_EXIT_DEBUG));
        EXPECT_EQ(run_data->debug.status, PHV_DEBUG_SINGLESTEP);
        return run_data->nip;
    }
    bool dec_expired() { return int64_t(reg(PHV_REG_PPC_DEC)) < 0; }
    // A DEC of 2000 ticks expires a few microseconds into the stepping (the timebase counts at 512 MHz);
    // returns the nip of the first step that left the loop (0 if none did before it expired and then
    // `after` more steps were taken).
    uint64_t step_across_dec_expiry(unsigned after) {
        set_reg(PHV_REG_PPC_DEC, 2000);
        for (unsigned i = 0; i < 10000000 && !dec_expired(); ++i) {
            const uint64_t nip = step();
            if (!in_loop(nip))
                return nip;
        }
        EXPECT_TRUE(dec_expired());
        for (unsigned i = 0; i < after; ++i) {
            const uint64_t nip = step();
            if (!in_loop(nip))
                return nip;
        }
        return 0;
    }
    // The step that took an asynchronous interrupt stops inside its handler, with SRR0 in the loop.
    void expect_in_handler(uint64_t nip, uint64_t vector) {
        EXPECT_GE(nip, vector);
        EXPECT_LT(nip, vector + 12);
        EXPECT_TRUE(in_loop(reg(PHV_REG_PPC_SRR0))) << std::hex << reg(PHV_REG_PPC_SRR0);
    }
};

TEST(GuestDebug, BlockIrqHoldsTheDecrementerUntilCleared) {
    Stepped g;
    ASSERT_EQ(g.debug(Stepped::kStepNoIrq), 0);
    EXPECT_EQ(g.step_across_dec_expiry(200), 0u);
    EXPECT_TRUE(g.dec_expired());
    EXPECT_EQ(g.gpr(30), 0u);
    ASSERT_EQ(g.debug(Stepped::kStep), 0);
    g.expect_in_handler(g.step(), 0x900);
    EXPECT_EQ(g.gpr(30), 0x90u);
}

TEST(GuestDebug, SteppingWithoutBlockIrqTakesTheDecrementer) {
    Stepped g;
    ASSERT_EQ(g.debug(Stepped::kStep), 0);
    // Taken on the step that first sees it expired (not later than the one after the check saw it).
    g.expect_in_handler(g.step_across_dec_expiry(1), 0x900);
    EXPECT_EQ(g.gpr(30), 0x90u);
}

TEST(GuestDebug, BlockIrqHoldsTheExternalInterruptUntilCleared) {
    Stepped g;
    ASSERT_EQ(phv_interrupt(g.vcpu, PHV_INTERRUPT_SET), 0);
    ASSERT_EQ(g.debug(Stepped::kStepNoIrq), 0);
    for (int i = 0; i < 100; ++i)
        ASSERT_TRUE(Stepped::in_loop(g.step()));
    EXPECT_EQ(g.gpr(5), 50u);   // every other step is the addi
    ASSERT_EQ(g.debug(Stepped::kStep), 0);
    g.expect_in_handler(g.step(), 0x500);
    EXPECT_EQ(g.gpr(30), 0x50u);
}

TEST(GuestDebug, SteppingWithoutBlockIrqTakesTheExternalInterrupt) {
    Stepped g;
    ASSERT_EQ(phv_interrupt(g.vcpu, PHV_INTERRUPT_SET), 0);
    ASSERT_EQ(g.debug(Stepped::kStep), 0);
    g.expect_in_handler(g.step(), 0x500);
}

// Held, not lost: with BLOCKIRQ set but no step, the guest runs on; once cleared the interrupt is taken.
TEST(GuestDebug, BlockIrqWithoutStepDefersToTheNextRun) {
    Stepped g;
    g.load({addi(5, 5, 1), addi(6, 0, 1), addi(3, 0, int32_t(GuestCode::kDone)), sc(1), b(-16)});
    ASSERT_EQ(phv_interrupt(g.vcpu, PHV_INTERRUPT_SET), 0);
    ASSERT_EQ(g.debug(PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_BLOCKIRQ), 0);
    g.run_to_done();
    EXPECT_EQ(g.gpr(6), 1u);
    EXPECT_EQ(g.gpr(30), 0u);
    ASSERT_EQ(g.debug(0), 0);
    g.run_to_done();   // the vector's handler ends in the same hcall
    EXPECT_EQ(g.gpr(30), 0x50u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), kBase + 16);
}

// Interrupts an instruction causes are the instruction's result: BLOCKIRQ does not touch them, even with an
// external interrupt and an expired DEC held meanwhile.
TEST(GuestDebug, BlockIrqLeavesSynchronousInterrupts) {
    Stepped g;
    ASSERT_EQ(phv_interrupt(g.vcpu, PHV_INTERRUPT_SET), 0);
    g.set_reg(PHV_REG_PPC_DEC, uint64_t(-1));
    ASSERT_EQ(g.debug(Stepped::kStepNoIrq), 0);
    g.load({addi(5, 0, 1), PHV_SW_BREAKPOINT_INSN});
    EXPECT_EQ(g.step(), kBase + 4);
    EXPECT_EQ(g.step(), 0x700u);   // the illegal word: Program interrupt
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), kBase + 4);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR1) & (1ull << (63 - 44)), 1ull << (63 - 44));
    g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE | msr::EE);
    g.load({addi(5, 0, 1), sc(0)});
    phv_invalidate_code(g.vm, kBase, 64);
    EXPECT_EQ(g.step(), kBase + 4);
    EXPECT_EQ(g.step(), 0xc00u);   // the system call
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), kBase + 8);
}

// A wait while interrupts are held: the VMM is told not to sleep (the held one may be what would wake it),
// and the step completes on the next run.
TEST(GuestDebug, BlockIrqWaitDoesNotSleep) {
    Stepped g;
    ASSERT_EQ(phv_interrupt(g.vcpu, PHV_INTERRUPT_SET), 0);
    ASSERT_EQ(g.debug(Stepped::kStepNoIrq), 0);
    g.load({wait(), addi(5, 0, 1)});
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_HLT));
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    EXPECT_LE(g.run_data->hlt.deadline_ns, uint64_t(now.tv_sec) * 1000000000ull + uint64_t(now.tv_nsec));
    EXPECT_EQ(g.step(), kBase + 4);
    EXPECT_EQ(g.step(), kBase + 8);
}

TEST(GuestDebug, RejectsWhatItCannotDo) {
    Guest g;
    EXPECT_EQ(g.debug(0x40000000u), -EINVAL);
    EXPECT_EQ(g.debug(PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_USE_HW_BP, {{0, 0, 0}}), -EINVAL);
    EXPECT_EQ(g.debug(PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_USE_HW_BP, {{0, PHV_DEBUG_WATCH_READ, 0}}), -EINVAL);
    EXPECT_EQ(phv_vcpu_set_guest_debug(g.vcpu, nullptr), -EINVAL);
}
} // namespace
