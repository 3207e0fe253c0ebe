// mfspr/mtspr access rules: privileged, hypervisor and undefined SPR numbers (ISA 3.1 Book III 4.4.4), the
// FSCR facilities and CPU-model gating.
#include <gtest/gtest.h>

#include "guest_code.h"
#include "vcpu/cpu_state.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;
namespace msr = phv::msr;
namespace spr = phv::spr;

constexpr uint64_t kSrr1Illegal = 1ull << (63 - 44), kSrr1Privileged = 1ull << (63 - 45);
constexpr uint64_t kMsr = msr::SF | msr::ME | msr::LE;

struct Guest : GuestCode {
    explicit Guest(uint32_t model = PHV_CPU_POWER10) : GuestCode(model) {
        set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);
        for (uint64_t v : {0x700, 0xf60})
            vector_stub(v);
        // sc 1 from problem state is a system call: there the end marker arrives at 0xc00.
        const uint32_t done[] = {addi(3, 0, int32_t(kDone)), sc(1)};
        std::memcpy(ram + 0xc00, done, sizeof done);
    }
    uint64_t take(std::initializer_list<uint32_t> body) { return run_until_vector(body); }
    phv::Vcpu &v() { return *reinterpret_cast<phv::Vcpu *>(vcpu); }
    void problem_state() { set_reg(PHV_REG_PPC_MSR, kMsr | msr::PR); }
};

TEST(SprAccess, UndefinedNumbersInPrivilegedStateAreNoOps) {
    Guest g;
    g.set_gpr(5, 0x1234);
    EXPECT_EQ(g.take({mfspr(5, 777), mtspr(777, 5)}), 0u);
    EXPECT_EQ(g.gpr(5), 0x1234u);   // mfspr of an undefined SPR leaves RT alone
}

TEST(SprAccess, UndefinedZeroFourFiveSixAreEmulationAssist) {
    for (unsigned n : {0u, 4u, 5u, 6u}) {
        Guest g;
        EXPECT_EQ(g.take({mfspr(5, n)}), 0x700u) << n;
        EXPECT_EQ(g.reg(PHV_REG_PPC_SRR1), kMsr | kSrr1Illegal) << n;
        EXPECT_EQ(g.v().state().spr[spr::HEIR], mfspr(5, n)) << n;
    }
}

TEST(SprAccess, UndefinedInProblemStateDependsOnSprBit0x10) {
    Guest g;
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(5, 50)}), 0x700u);   // 0x32: a privileged number
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR1), kMsr | msr::PR | kSrr1Privileged);
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(5, 2)}), 0x700u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR1), kMsr | msr::PR | kSrr1Illegal);
}

TEST(SprAccess, PrivilegedSprFromProblemState) {
    Guest g;
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(5, spr::SRR0)}), 0x700u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR1), kMsr | msr::PR | kSrr1Privileged);
}

TEST(SprAccess, HypervisorSprFromGuestKernelIsIllegalAsKvmReflectsIt) {
    Guest g;
    EXPECT_EQ(g.take({mfspr(5, spr::LPCR)}), 0x700u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR1), kMsr | kSrr1Illegal);
    EXPECT_EQ(g.take({mtspr(spr::HSPRG0, 5)}), 0x700u);
    EXPECT_EQ(g.v().state().spr[spr::HEIR], mtspr(spr::HSPRG0, 5));
}

TEST(SprAccess, ReadOnlySprWriteIsAnUndefinedNumber) {
    Guest g;
    g.set_gpr(5, 7);
    EXPECT_EQ(g.take({mtspr(spr::PVR, 5), mfspr(6, spr::PVR)}), 0u);   // 287 has bit 0x10: no-op
    EXPECT_NE(g.gpr(6), 7u);
}

TEST(SprAccess, FscrGatesProblemStateTar) {
    Guest g;
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(5, spr::TAR)}), 0xf60u);
    EXPECT_EQ(g.v().state().spr[spr::FSCR] >> 56, uint64_t(phv::fscr::TAR));
    g.v().state().spr[spr::FSCR] = phv::fscr::bit(phv::fscr::TAR);
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(5, spr::TAR)}), 0u);
    // Privileged state is never FSCR-gated.
    g.v().state().spr[spr::FSCR] = 0;
    EXPECT_EQ(g.take({mfspr(5, spr::TAR)}), 0u);
}

TEST(SprAccess, ProblemStatePmuViewsReadThePrivilegedRegisters) {
    Guest g;
    g.v().state().spr[spr::MMCR0] = 0x80;   // PMAO, PMCC=00; FSCR has no say (it has no PM bit)
    g.v().state().spr[spr::PMC3] = 0x333;
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(5, spr::MMCR0_U), mfspr(6, spr::PMC3_U)}), 0u);
    EXPECT_EQ(g.gpr(5), 0x80u);
    EXPECT_EQ(g.gpr(6), 0x333u);
}

// MMCR0[PMCC] (Book III 10.4.4) decides problem-state access to PMC1-6, MMCR0, MMCR2 and MMCRA.
TEST(SprAccess, MmcrPmccGovernsProblemStatePmuAccess) {
    constexpr uint64_t kPmcc01 = 1ull << 18, kPmcc10 = 1ull << 19, kPmcc11 = 3ull << 18;
    constexpr uint64_t kFc = 1ull << 31, kPmae = 1ull << 26, kPmao = 1ull << 7;
    Guest g;
    g.set_gpr(5, ~0ull);
    // 00: read-only; a write is an SPR without an mtspr form (HEA, seen as Program/illegal).
    g.v().state().spr[spr::MMCR0] = 0;
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(6, spr::PMC1_U), mtspr(spr::PMC1_U, 5)}), 0x700u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR1), kMsr | msr::PR | kSrr1Illegal);
    g.v().state().spr[spr::MMCRA] = 0xa;
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(7, spr::MMCRA_U), mtspr(spr::MMCRA_U, 5)}), 0x700u);
    EXPECT_EQ(g.gpr(7), 0xau);
    EXPECT_EQ(g.v().state().spr[spr::MMCRA], 0xau);
    // 01: no access at all: Facility Unavailable with FSCR[IC] = PM; MMCRA is group A too.
    g.v().state().spr[spr::MMCR0] = kPmcc01;
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(6, spr::PMC1_U)}), 0xf60u);
    EXPECT_EQ(g.v().state().spr[spr::FSCR] >> 56, uint64_t(phv::fscr::PM));
    g.v().state().spr[spr::FSCR] = 0;
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(7, spr::MMCRA_U)}), 0xf60u);
    EXPECT_EQ(g.v().state().spr[spr::FSCR] >> 56, uint64_t(phv::fscr::PM));
    // Group B stays readable under 01.
    g.v().state().spr[spr::SIAR] = 0x5a0;
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(8, spr::SIAR_U)}), 0u);
    EXPECT_EQ(g.gpr(8), 0x5a0u);
    // 10: read/write; MMCR0 only FC, PMAE and PMAO, the rest (PMCC here) kept.
    g.v().state().spr[spr::MMCR0] = kPmcc10;
    g.problem_state();
    EXPECT_EQ(g.take({mtspr(spr::PMC1_U, 5), mtspr(spr::MMCR0_U, 5), mfspr(7, spr::MMCR0_U)}), 0u);
    EXPECT_EQ(g.v().state().spr[spr::PMC1], 0xffffffffu);
    EXPECT_EQ(g.v().state().spr[spr::MMCR0], kPmcc10 | kFc | kPmae | kPmao);
    EXPECT_EQ(g.gpr(7), kFc | kPmae | kPmao);
    g.v().state().spr[spr::MMCR0] = kPmcc10;   // PMAO off again: no Performance Monitor interrupt pending
    g.problem_state();
    EXPECT_EQ(g.take({mtspr(spr::MMCRA_U, 5), mfspr(8, spr::MMCRA_U)}), 0u);
    EXPECT_EQ(g.v().state().spr[spr::MMCRA], ~0ull);
    EXPECT_EQ(g.gpr(8), ~0ull);
    // 11: PMC1-4 as 10; PMC5 and PMC6 are outside the performance monitor.
    g.v().state().spr[spr::MMCR0] = kPmcc11;
    g.problem_state();
    EXPECT_EQ(g.take({mtspr(spr::PMC4_U, 5), mfspr(6, spr::PMC5_U)}), 0xf60u);
    EXPECT_EQ(g.v().state().spr[spr::PMC4], 0xffffffffu);
    // Privileged state is never limited by PMCC.
    g.v().state().spr[spr::MMCR0] = kPmcc01;
    g.set_reg(PHV_REG_PPC_MSR, kMsr);
    EXPECT_EQ(g.take({mfspr(6, spr::PMC5_U), mtspr(spr::PMC5_U, 5)}), 0u);
}

// MMCR0[PMCCEXT] (ISA 3.1, bit 54; vcpu/pmu.h): with PMCC=00 it closes problem-state reads of group B (SIER,
// SIAR, SDAR, MMCR1, SIER2, SIER3, MMCR3) with a Hypervisor Emulation Assistance interrupt, which a KVM guest
// sees as Program/illegal (HEIR holds the mfspr). Group A, the other PMCC values, privileged state and
// POWER9 (where bit 54 is reserved) are unaffected.
TEST(SprAccess, MmcrPmccextClosesGroupBReadsUnderPmcc00) {
    constexpr uint64_t kPmccext = 1ull << 9, kPmcc01 = 1ull << 18, kPmcc10 = 1ull << 19, kPmcc11 = 3ull << 18;
    constexpr uint64_t kFc = 1ull << 31;
    for (unsigned n : {spr::SIER_U, spr::SIAR_U, spr::SDAR_U, spr::MMCR1_U, spr::SIER2_U, spr::SIER3_U,
                       spr::MMCR3_U}) {
        Guest g;
        g.set_gpr(5, 0x1234);
        g.v().state().spr[spr::MMCR0] = kFc | kPmccext;
        g.v().state().spr[n + 16] = 0x5a0;
        g.problem_state();
        EXPECT_EQ(g.take({mfspr(5, n)}), 0x700u) << n;
        EXPECT_EQ(g.reg(PHV_REG_PPC_SRR1), kMsr | msr::PR | kSrr1Illegal) << n;
        EXPECT_EQ(g.v().state().spr[spr::HEIR], mfspr(5, n)) << n;
        EXPECT_EQ(g.gpr(5), 0x1234u) << n;   // RT unchanged
        // Without PMCCEXT the same read succeeds.
        g.v().state().spr[spr::MMCR0] = kFc;
        g.problem_state();
        EXPECT_EQ(g.take({mfspr(5, n)}), 0u) << n;
        EXPECT_EQ(g.gpr(5), 0x5a0u) << n;
    }
    Guest g;
    g.v().state().spr[spr::SIAR] = 0x5a0;
    g.v().state().spr[spr::PMC1] = 0x111;
    // Group A stays readable; UMMCR0 shows FC but never PMCCEXT (only FC, PMAE and PMAO are visible).
    g.v().state().spr[spr::MMCR0] = kFc | kPmccext;
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(6, spr::PMC1_U), mfspr(7, spr::MMCR0_U)}), 0u);
    EXPECT_EQ(g.gpr(6), 0x111u);
    EXPECT_EQ(g.gpr(7), kFc);
    // PMCC other than 00: PMCCEXT changes nothing (group B readable as before, group A as PMCC says).
    for (uint64_t pmcc : {kPmcc01, kPmcc10, kPmcc11}) {
        g.set_gpr(8, 0);
        g.v().state().spr[spr::MMCR0] = kFc | kPmccext | pmcc;
        g.problem_state();
        EXPECT_EQ(g.take({mfspr(8, spr::SIAR_U)}), 0u) << pmcc;
        EXPECT_EQ(g.gpr(8), 0x5a0u) << pmcc;
    }
    // Privileged state reads group B whatever MMCR0 says, and keeps PMCCEXT in MMCR0.
    g.set_gpr(8, 0);
    g.v().state().spr[spr::MMCR0] = kFc | kPmccext;
    g.set_reg(PHV_REG_PPC_MSR, kMsr);
    EXPECT_EQ(g.take({mfspr(8, spr::SIAR_U), mfspr(9, spr::MMCR0)}), 0u);
    EXPECT_EQ(g.gpr(8), 0x5a0u);
    EXPECT_EQ(g.gpr(9), kFc | kPmccext);
    // POWER9 (ISA 3.0): bit 54 is reserved.
    Guest p9(PHV_CPU_POWER9);
    p9.v().state().spr[spr::SIAR] = 0x5a0;
    p9.v().state().spr[spr::MMCR0] = kFc | kPmccext;
    p9.problem_state();
    EXPECT_EQ(p9.take({mfspr(8, spr::SIAR_U)}), 0u);
    EXPECT_EQ(p9.gpr(8), 0x5a0u);
}

// Linux on POWER10 (power_pmu_disable, init_pmu_power10) writes MMCR0 = FC | PMCCEXT in privileged state, then
// a process reading SIAR gets SIGILL; the same sequence through the instructions.
TEST(SprAccess, MmcrPmccextSetByMtsprThenProblemStateRead) {
    Guest g;
    g.set_gpr(5, (1ull << 31) | (1ull << 9));
    EXPECT_EQ(g.take({mtspr(spr::MMCR0, 5)}), 0u);
    EXPECT_EQ(g.v().state().spr[spr::MMCR0], (1ull << 31) | (1ull << 9));
    g.problem_state();
    EXPECT_EQ(g.take({mfspr(6, spr::SDAR_U)}), 0x700u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR1), kMsr | msr::PR | kSrr1Illegal);
}

TEST(SprAccess, Power10OnlySprsAreUndefinedOnPower9) {
    Guest p9(PHV_CPU_POWER9), p10;
    p9.set_gpr(5, 0x55);
    p10.set_gpr(5, 0x55);
    EXPECT_EQ(p9.take({mtspr(spr::DEXCR, 5), mfspr(6, spr::DEXCR)}), 0u);
    EXPECT_EQ(p10.take({mtspr(spr::DEXCR, 5), mfspr(6, spr::DEXCR)}), 0u);
    EXPECT_EQ(p9.gpr(6), 0u);
    EXPECT_EQ(p10.gpr(6), 0x55u);
}

TEST(SprAccess, AmrWritesAreMasked) {
    Guest g;
    g.v().state().spr[spr::UAMOR] = 0xf0;
    g.set_gpr(5, 0xff);
    g.problem_state();
    EXPECT_EQ(g.take({mtspr(spr::AMR_U, 5)}), 0u);
    EXPECT_EQ(g.v().state().spr[spr::AMR], 0xf0u);
}

TEST(SprAccess, PurrAdvancesWithTheTimebase) {
    Guest g;
    EXPECT_EQ(g.take({mfspr(5, spr::PURR), mfspr(6, spr::TB), mfspr(7, spr::PURR)}), 0u);
    EXPECT_GE(g.gpr(7), g.gpr(5));
    g.set_reg(PHV_REG_PPC_PURR, 1000);
    EXPECT_LT(g.reg(PHV_REG_PPC_PURR) - 1000, 512000000u);   // less than a second later
}

// Linux's running_clock() on a pSeries LPAR is VTB - boot_tb: a VTB that held still silenced its soft-lockup
// watchdog, and one a migration restored must go on from the value it was given.
TEST(SprAccess, VtbAdvancesWithTheTimebase) {
    Guest g;
    g.set_reg(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xae, 5000);
    const uint64_t t0 = g.reg(PHV_REG_PPC_TB);
    while (g.reg(PHV_REG_PPC_TB) - t0 < 1000) {
    }
    EXPECT_EQ(g.take({mfspr(5, spr::VTB), mfspr(6, spr::VTB)}), 0u);
    EXPECT_GE(g.gpr(5), 6000u);
    EXPECT_GE(g.gpr(6), g.gpr(5));
    EXPECT_LT(g.gpr(6) - 5000, 512000000u);   // less than a second later
    const uint64_t r = g.reg(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xae);
    EXPECT_GE(r, g.gpr(6));
    EXPECT_LT(r - g.gpr(6), 512000000u);
}

} // namespace

namespace {
TEST(SprAccess, ThirtyTwoBitSprsReadBackZeroExtended) {
    for (unsigned n : {unsigned(phv::spr::VRSAVE), unsigned(phv::spr::DSISR), unsigned(phv::spr::PSPB),
                       unsigned(phv::spr::PMC1)}) {
        Guest g;
        g.set_gpr(5, ~0ull);
        EXPECT_EQ(g.take({mtspr(n, 5), mfspr(6, n)}), 0u) << n;
        EXPECT_EQ(g.gpr(6), 0xffffffffu) << n;
    }
}

TEST(SprAccess, Ppr32IsTheHighWordOfPpr) {
    Guest g;
    g.set_gpr(5, 0x0123456789abcdefull);
    EXPECT_EQ(g.take({mtspr(phv::spr::PPR32, 5), mfspr(6, phv::spr::PPR32), mfspr(7, phv::spr::PPR)}), 0u);
    EXPECT_EQ(g.gpr(6), 0x89abcdefu);
    EXPECT_EQ(g.gpr(7) >> 32, 0x89abcdefu);
}
} // namespace

namespace {
TEST(SprAccess, TmSprsNeedMsrTm) {
    Guest g;
    EXPECT_EQ(g.take({mfspr(5, phv::spr::TEXASR)}), 0xf60u);
    EXPECT_EQ(g.v().state().spr[phv::spr::FSCR] >> 56, uint64_t(phv::fscr::TM));
    g.set_reg(PHV_REG_PPC_MSR, kMsr | phv::msr::TM);
    EXPECT_EQ(g.take({mfspr(5, phv::spr::TEXASR)}), 0u);
}

TEST(SprAccess, Ummcr0WritesMmcr0ButUsiarIsReadOnly) {
    Guest g;
    g.set_gpr(5, 0x1234);
    EXPECT_EQ(g.take({mtspr(phv::spr::MMCR0_U, 5), mtspr(phv::spr::SIAR_U, 5)}), 0u);
    EXPECT_EQ(g.v().state().spr[phv::spr::MMCR0], 0x1234u);
    EXPECT_EQ(g.v().state().spr[phv::spr::SIAR], 0u);   // 780 has no mtspr form: a no-op here
}
} // namespace

namespace {
// The Performance Monitor exception exists while MMCR0[PMAO]=1 and is taken right after the mtspr that sets
// it when MSR[EE]=1; taking it leaves PMAO alone (the handler clears it).
TEST(SprAccess, MmcrPmaoRaisesPerformanceMonitorInterrupt) {
    Guest g;
    g.vector_stub(0xf00);
    g.set_gpr(5, 1ull << 7);   // PMAO
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::EE);
    EXPECT_EQ(g.take({mtspr(spr::MMCR0, 5), addi(6, 0, 1)}), 0xf00u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), GuestCode::kCodeBase + 4);
    EXPECT_EQ(g.gpr(6), 0u);
    EXPECT_EQ(g.v().state().spr[spr::MMCR0], 1ull << 7);
    // With EE off it waits.
    g.set_reg(PHV_REG_PPC_MSR, kMsr);
    EXPECT_EQ(g.take({mtspr(spr::MMCR0, 5), addi(6, 0, 1)}), 0u);
    EXPECT_EQ(g.gpr(6), 1u);
}
} // namespace
