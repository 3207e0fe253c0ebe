// The performance monitor as a KVM-HV guest's kernel and user space see it (Power ISA 3.1 Book III 10.4,
// "Performance Monitor Facility"): which problem-state views (SPR 768-783, 736-738) MMCR0[PMCC] opens and
// which bits of MMCR0/MMCR2 they show.
//
// Counting (pmu.cpp): PMC5 counts completed instructions and PMC6 cycles unless MMCR0[FC56] freezes them;
// PMC1-4 count the MMCR1 events QEMU TCG implements (instructions completed, cycles, PMC4's run-latch
// instructions) and nothing for any other selector. The freeze conditions of MMCR0 and MMCR2 are applied
// per counter for the state the instructions ran in. A counter becoming negative with its condition enabled
// (MMCR0[PMC1CE]/[PMCjCE]) is an alert: FCECE freezes the counters, PMAE becomes PMAO, and the Performance
// Monitor interrupt (0xf00) is taken whenever MMCR0[PMAO]=1 and MSR[EE]=1 (interrupts.cpp), which is also how
// Linux replays a PMI it masked.
#pragma once
#include <cstdint>

#include "vcpu/spr_table.h"

namespace phv::pmu {

constexpr uint64_t ibm(unsigned bit) { return 1ull << (63 - bit); }

// MMCR0 (Book III 10.4.4).
constexpr uint64_t FC = ibm(32), FCS = ibm(33), FCP = ibm(34), FCM1 = ibm(35), FCM0 = ibm(36), PMAE = ibm(37),
                   FCECE = ibm(38), PMCC0 = ibm(44), PMCC1 = ibm(45), PMC1CE = ibm(48), PMCjCE = ibm(49),
                   PMCCEXT = ibm(54), PMAO = ibm(56), FC14 = ibm(58), FC56 = ibm(59);
// MSR[PMM] (bit 61): the process is marked, for MMCR0[FCM0]/[FCM1].
constexpr uint64_t kMsrPmm = ibm(61), kMsrPr = ibm(49);
// MMCR2 (10.4.6): nine bits per counter n (1-6) from bit 9(n-1): FCnS, FCnP0, FCnP1, FCnM1, FCnM0, ...
constexpr uint64_t mmcr2_fcs(unsigned n) { return ibm(9 * (n - 1)); }
constexpr uint64_t mmcr2_fcp0(unsigned n) { return ibm(9 * (n - 1) + 1); }
constexpr uint64_t mmcr2_fcm1(unsigned n) { return ibm(9 * (n - 1) + 3); }
constexpr uint64_t mmcr2_fcm0(unsigned n) { return ibm(9 * (n - 1) + 4); }
// A counter is negative, the condition PMCnCE enables, once bit 32 of its 32-bit value is set.
constexpr uint32_t kNegative = 0x80000000u;
// The MMCR0 bits problem state reads and writes through UMMCR0 when it may.
constexpr uint64_t kMmcr0Problem = FC | PMAE | PMAO;
// MMCR2 (10.4.6): problem state sees only FCnP0, bit 9(n-1)+1 for PMCn.
constexpr uint64_t kMmcr2Problem = ibm(1) | ibm(10) | ibm(19) | ibm(28) | ibm(37) | ibm(46);

enum class Access : uint8_t {
    Ok,
    Undefined,     // as an SPR without that direction: Hypervisor Emulation Assistance in problem state
    Unavailable,   // Facility Unavailable, FSCR[IC] = PM
};

// Group A (Book III 10.4.4, MMCR0[PMCC]) is the non-privileged read/write performance monitor registers: the
// PMCs, MMCR0, MMCR2 and MMCRA (SPRs 771-776, 779, 769, 770). In problem state under MMCR0[PMCC] they are:
// 00 read-only (a write is a Hypervisor Emulation Assistance interrupt), 01 not accessible (Facility
// Unavailable), 10 read/write, 11 read/write but PMC5-6 are outside the performance monitor (Facility
// Unavailable). The ISA 3.1 sentences defining group A and the 00 write rule are quoted in QEMU's PMU patches
// (D. H. Barboza, "target/ppc: add user write access control for PMU SPRs", qemu-devel, 2021; 01 and 11 as
// QEMU implements them, no quotation of those two was found); the SPR table
// agrees that SPR 770 has a problem-state mtspr form like 769 and 771-779 and unlike 768/780-782 (libre-soc's
// transcription, openpower-isa sprs.csv; kvm-unit-tests' sprs.c, "SPRs from PowerISA 3.1B Book III").
// QEMU TCG's comments list MMCRA in group A, but its code leaves UMMCRA readable under PMCC=01 and without a
// problem-state mtspr (7.2 and 10.0): tests/guest/radix/oracle_differences.txt records the lines.
// Group B (SIER, SIAR, SDAR, MMCR1 and the POWER10 SIER2, SIER3, MMCR3) has no problem-state mtspr form and
// is readable whatever PMCC says, except that ISA 3.1 adds MMCR0[PMCCEXT] (bit 54, "PMCC extension"): with
// PMCC=00 and PMCCEXT=1 group B is not readable in problem state either (10.4.4; Linux sets PMCCEXT on
// POWER10 whenever it leaves PMCC=00, so that user space cannot read SIAR/SDAR, and its selftest
// regs_access_pmccext_test expects SIGILL there). The interrupt is the one the PMCC=00 row already gives for
// the group A writes it forbids, Hypervisor Emulation Assistance (reflected by KVM-HV as Program/illegal, so
// SIGILL); no public quotation of the PMCCEXT sentence naming the interrupt was found [unconfirmed]. Before
// ISA 3.1 (`isa31` false: POWER8/9) bit 54 is reserved and changes nothing. QEMU TCG (7.2, 10.0) does not
// model PMCCEXT and leaves group B readable: tests/guest/radix/oracle_differences.txt.
inline Access problem_state(unsigned n, bool write, uint64_t mmcr0, bool isa31) {
    const bool group_a = n == spr::MMCR2_U || n == spr::MMCRA_U || (n >= spr::PMC1_U && n <= spr::PMC6_U) ||
                         n == spr::MMCR0_U;
    const bool pmcc0 = mmcr0 & PMCC0, pmcc1 = mmcr0 & PMCC1;
    if (!group_a) {
        if (write || (isa31 && (mmcr0 & PMCCEXT) && !pmcc0 && !pmcc1))
            return Access::Undefined;
        return Access::Ok;
    }
    if (!pmcc0 && pmcc1)
        return Access::Unavailable;
    if (pmcc0 && pmcc1 && (n == spr::PMC5_U || n == spr::PMC6_U))
        return Access::Unavailable;
    if (write && !pmcc0)
        return Access::Undefined;
    return Access::Ok;
}

// The bits of the privileged register a problem-state view reads and writes: MMCR0 and MMCR2 restrict theirs
// (10.4.4, 10.4.6); no restriction of MMCRA's was found, so its view reads and writes all of it.
inline uint64_t problem_mask(unsigned n) {
    switch (n) {
    case spr::MMCR0_U: return kMmcr0Problem;
    case spr::MMCR2_U: return kMmcr2Problem;
    default: return ~0ull;
    }
}

inline bool is_pmc(unsigned n) { return (n >= spr::PMC1 && n <= spr::PMC6) || (n >= spr::PMC1_U && n <= spr::PMC6_U); }

inline bool is_problem_view(unsigned n) {
    return (n >= spr::SIER_U && n <= spr::MMCR1_U) || (n >= spr::SIER2_U && n <= spr::MMCR3_U);
}

// What the counters count in the current state: bit n-1 for PMCn.
struct Counting {
    uint8_t insns = 0;    // completed instructions
    uint8_t cycles = 0;   // cycles
};

// The MMCR1 event selector of PMCn (n = 1-4): PMCnSEL, bits 32+8(n-1) .. 39+8(n-1).
inline unsigned mmcr1_sel(uint64_t mmcr1, unsigned n) { return unsigned(mmcr1 >> (24 - 8 * (n - 1))) & 0xff; }

// Whether the freeze conditions of MMCR0 (all counters) and MMCR2 (counter n) stop counter n in a state with
// MSR `m`. A guest partition runs with MSR[HV]=0, so FCS means privileged state, FCP (and FCnP0) problem
// state whatever MMCR0[FCPC] (FCnP1) say: both only change the hypervisor-state cases.
inline bool frozen(unsigned n, uint64_t mmcr0, uint64_t mmcr2, uint64_t m) {
    const bool pr = m & kMsrPr, pmm = m & kMsrPmm;
    if ((mmcr0 & FC) || (pr ? (mmcr0 & FCP) : (mmcr0 & FCS)) || (pmm ? (mmcr0 & FCM1) : (mmcr0 & FCM0)))
        return true;
    if (n <= 4 ? (mmcr0 & FC14) : (mmcr0 & FC56))
        return true;
    return (pr ? (mmcr2 & mmcr2_fcp0(n)) : (mmcr2 & mmcr2_fcs(n))) ||
           (pmm ? (mmcr2 & mmcr2_fcm1(n)) : (mmcr2 & mmcr2_fcm0(n)));
}

// The events of PMC1-4 that phv counts are those QEMU TCG counts (target/ppc/power8-pmu.c): the POWER8/9/10
// encodings of PM_INST_CMPL (0x02 on any of PMC1-4; 0xfe on PMC1), PM_CYC (0x1e on any; 0xf0 on PMC1) and
// PM_RUN_INST_CMPL on PMC4 (0xfa, instructions while CTRL[RUN]=1). Every other selector counts nothing.
inline Counting counting(uint64_t mmcr0, uint64_t mmcr1, uint64_t mmcr2, uint64_t m, bool run_latch) {
    Counting c;
    if (mmcr0 & FC)
        return c;
    for (unsigned n = 1; n <= 6; ++n) {
        if (frozen(n, mmcr0, mmcr2, m))
            continue;
        const uint8_t bit = uint8_t(1u << (n - 1));
        if (n == 5) {
            c.insns |= bit;
            continue;
        }
        if (n == 6) {
            c.cycles |= bit;
            continue;
        }
        const unsigned sel = mmcr1_sel(mmcr1, n);
        if (sel == 0x02 || (n == 1 && sel == 0xfe) || (n == 4 && sel == 0xfa && run_latch))
            c.insns |= bit;
        else if (sel == 0x1e || (n == 1 && sel == 0xf0))
            c.cycles |= bit;
    }
    return c;
}

// Whether PMCn becoming negative is an enabled condition: PMC1CE for PMC1, PMCjCE for the others.
inline bool condition_enabled(unsigned n, uint64_t mmcr0) { return mmcr0 & (n == 1 ? PMC1CE : PMCjCE); }

// The SPRs whose writes change what is counted or how (the counting is brought up to date before them).
inline bool controls_counting(unsigned n) {
    return n == spr::MMCR0 || n == spr::MMCR0_U || n == spr::MMCR1 || n == spr::MMCR2 || n == spr::MMCR2_U ||
           n == spr::CTRL_W || is_pmc(n);
}

} // namespace phv::pmu
