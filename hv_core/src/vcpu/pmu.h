// The performance monitor as a KVM-HV guest's kernel and user space see it (Power ISA 3.1 Book III 10.4,
// "Performance Monitor Facility"): which problem-state views (SPR 768-783, 736-738) MMCR0[PMCC] opens and
// which bits of MMCR0/MMCR2 they show.
//
// Counting: phv counts no events. The PMCs keep what was written to them, as they would with MMCR0[FC]=1
// frozen, so no counter overflows and no alert sets MMCR0[PMAO] by itself. What is exact: the access rules
// below, the values written, the PMC/MMCR one-regs KVM migrates, and the Performance Monitor interrupt
// (0xf00) whenever MMCR0[PMAO]=1 and MSR[EE]=1 (interrupts.cpp), which is how Linux replays a PMI it masked.
#pragma once
#include <cstdint>

#include "vcpu/spr_table.h"

namespace phv::pmu {

constexpr uint64_t ibm(unsigned bit) { return 1ull << (63 - bit); }

// MMCR0 (Book III 10.4.4).
constexpr uint64_t FC = ibm(32), PMAE = ibm(37), PMCC0 = ibm(44), PMCC1 = ibm(45), PMAO = ibm(56);
// The MMCR0 bits problem state reads and writes through UMMCR0 when it may.
constexpr uint64_t kMmcr0Problem = FC | PMAE | PMAO;
// MMCR2 (10.4.6): problem state sees only FCnP0, bit 9(n-1)+1 for PMCn.
constexpr uint64_t kMmcr2Problem = ibm(1) | ibm(10) | ibm(19) | ibm(28) | ibm(37) | ibm(46);

enum class Access : uint8_t {
    Ok,
    Undefined,     // as an SPR without that direction: Hypervisor Emulation Assistance in problem state
    Unavailable,   // Facility Unavailable, FSCR[IC] = PM
};

// PMC1-6, MMCR0 and MMCR2 in problem state under MMCR0[PMCC]: 00 read-only, 01 no access (Facility
// Unavailable), 10 read/write, 11 read/write but PMC5-6 are outside the performance monitor (Facility
// Unavailable). The other views (MMCRA, SIER, SIAR, SDAR, MMCR1 and the POWER10 ones) have no problem-state
// mtspr form and are readable whatever PMCC says; that MMCRA is among them follows QEMU TCG (the oracle),
// whose comments group it with MMCR0 but whose code does not: tests/guest/radix compares the lot.
inline Access problem_state(unsigned n, bool write, uint64_t mmcr0) {
    const bool group_a = n == spr::MMCR2_U || (n >= spr::PMC1_U && n <= spr::PMC6_U) || n == spr::MMCR0_U;
    if (!group_a)
        return write ? Access::Undefined : Access::Ok;
    const bool pmcc0 = mmcr0 & PMCC0, pmcc1 = mmcr0 & PMCC1;
    if (!pmcc0 && pmcc1)
        return Access::Unavailable;
    if (pmcc0 && pmcc1 && (n == spr::PMC5_U || n == spr::PMC6_U))
        return Access::Unavailable;
    if (write && !pmcc0)
        return Access::Undefined;
    return Access::Ok;
}

// The bits of the privileged register a problem-state view reads and writes.
inline uint64_t problem_mask(unsigned n) {
    switch (n) {
    case spr::MMCR0_U: return kMmcr0Problem;
    case spr::MMCR2_U: return kMmcr2Problem;
    default: return ~0ull;
    }
}

inline bool is_problem_view(unsigned n) {
    return (n >= spr::SIER_U && n <= spr::MMCR1_U) || (n >= spr::SIER2_U && n <= spr::MMCR3_U);
}

} // namespace phv::pmu
