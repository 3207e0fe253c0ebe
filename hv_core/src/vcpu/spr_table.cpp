#include "vcpu/spr_table.h"

#include <array>

namespace phv {

namespace {
using A = SprAccess;
using isa::Isa;

// Access levels follow the ISA: SPR numbers with bit 0x10 set are privileged (Book III 4.4.4); the
// hypervisor-only ones are marked Hyp. Read-only views (UDEXCR, TB for user) have write None.
constexpr SprDef kSprs[] = {
    {spr::XER, "XER", A::User, A::User, Isa::V207},
    {spr::DSCR_U, "DSCR", A::User, A::User, Isa::V207},
    {spr::LR, "LR", A::User, A::User, Isa::V207},
    {spr::CTR, "CTR", A::User, A::User, Isa::V207},
    {spr::AMR_U, "AMR", A::User, A::User, Isa::V207},
    {spr::DSCR, "DSCR", A::Priv, A::Priv, Isa::V207},
    {spr::DSISR, "DSISR", A::Priv, A::Priv, Isa::V207},
    {spr::DAR, "DAR", A::Priv, A::Priv, Isa::V207},
    {spr::DEC, "DEC", A::Priv, A::Priv, Isa::V207},
    {spr::SDR1, "SDR1", A::Hyp, A::Hyp, Isa::V207},
    {spr::SRR0, "SRR0", A::Priv, A::Priv, Isa::V207},
    {spr::SRR1, "SRR1", A::Priv, A::Priv, Isa::V207},
    {spr::CFAR, "CFAR", A::Priv, A::Priv, Isa::V207},
    {spr::AMR, "AMR", A::Priv, A::Priv, Isa::V207},
    {spr::PIDR, "PIDR", A::Priv, A::Priv, Isa::V207},
    {spr::IAMR, "IAMR", A::Priv, A::Priv, Isa::V207},
    {spr::TFHAR, "TFHAR", A::User, A::User, Isa::V207},
    {spr::TFIAR, "TFIAR", A::User, A::User, Isa::V207},
    {spr::TEXASR, "TEXASR", A::User, A::User, Isa::V207},
    {spr::TEXASRU, "TEXASRU", A::User, A::User, Isa::V207},
    {spr::CTRL_R, "CTRL", A::User, A::None, Isa::V207},
    {spr::TIDR, "TIDR", A::Priv, A::Priv, Isa::V300},
    {spr::CTRL_W, "CTRL", A::None, A::Priv, Isa::V207},
    {spr::FSCR, "FSCR", A::Priv, A::Priv, Isa::V207},
    {spr::UAMOR, "UAMOR", A::Priv, A::Priv, Isa::V207},
    {spr::PSPB, "PSPB", A::Priv, A::Priv, Isa::V207},
    {spr::DPDES, "DPDES", A::Priv, A::Hyp, Isa::V207},
    {spr::DAWR0, "DAWR0", A::Hyp, A::Hyp, Isa::V207},
    {spr::DAWR1, "DAWR1", A::Hyp, A::Hyp, Isa::V310},
    {spr::RPR, "RPR", A::Hyp, A::Hyp, Isa::V207},
    {spr::CIABR, "CIABR", A::Hyp, A::Hyp, Isa::V207},
    {spr::DAWRX0, "DAWRX0", A::Hyp, A::Hyp, Isa::V207},
    {spr::DAWRX1, "DAWRX1", A::Hyp, A::Hyp, Isa::V310},
    {spr::HFSCR, "HFSCR", A::Hyp, A::Hyp, Isa::V207},
    {spr::VRSAVE, "VRSAVE", A::User, A::User, Isa::V207},
    {spr::SPRG3_U, "SPRG3", A::User, A::None, Isa::V207},
    {spr::TB, "TB", A::User, A::None, Isa::V207},
    {spr::TBU, "TBU", A::User, A::None, Isa::V207},
    {spr::SPRG0, "SPRG0", A::Priv, A::Priv, Isa::V207},
    {spr::SPRG1, "SPRG1", A::Priv, A::Priv, Isa::V207},
    {spr::SPRG2, "SPRG2", A::Priv, A::Priv, Isa::V207},
    {spr::SPRG3, "SPRG3", A::Priv, A::Priv, Isa::V207},
    {spr::TBL_W, "TBL", A::None, A::Hyp, Isa::V207},
    {spr::TBU_W, "TBU", A::None, A::Hyp, Isa::V207},
    {spr::TBU40, "TBU40", A::None, A::Hyp, Isa::V207},
    {spr::PVR, "PVR", A::Priv, A::None, Isa::V207},
    {spr::HSPRG0, "HSPRG0", A::Hyp, A::Hyp, Isa::V207},
    {spr::HSPRG1, "HSPRG1", A::Hyp, A::Hyp, Isa::V207},
    {spr::HDSISR, "HDSISR", A::Hyp, A::Hyp, Isa::V207},
    {spr::HDAR, "HDAR", A::Hyp, A::Hyp, Isa::V207},
    {spr::SPURR, "SPURR", A::Priv, A::Hyp, Isa::V207},
    {spr::PURR, "PURR", A::Priv, A::Hyp, Isa::V207},
    {spr::HDEC, "HDEC", A::Hyp, A::Hyp, Isa::V207},
    {spr::HRMOR, "HRMOR", A::Hyp, A::Hyp, Isa::V207},
    {spr::HSRR0, "HSRR0", A::Hyp, A::Hyp, Isa::V207},
    {spr::HSRR1, "HSRR1", A::Hyp, A::Hyp, Isa::V207},
    {spr::LPCR, "LPCR", A::Hyp, A::Hyp, Isa::V207},
    {spr::LPIDR, "LPIDR", A::Hyp, A::Hyp, Isa::V207},
    {spr::HMER, "HMER", A::Hyp, A::Hyp, Isa::V207},
    {spr::HMEER, "HMEER", A::Hyp, A::Hyp, Isa::V207},
    {spr::PCR, "PCR", A::Hyp, A::Hyp, Isa::V207},
    {spr::HEIR, "HEIR", A::Hyp, A::Hyp, Isa::V207},
    {spr::AMOR, "AMOR", A::Hyp, A::Hyp, Isa::V207},
    {spr::TIR, "TIR", A::Priv, A::None, Isa::V207},
    {spr::UHDEXCR, "UHDEXCR", A::User, A::None, Isa::V310},
    {spr::PTCR, "PTCR", A::Hyp, A::Hyp, Isa::V300},
    {spr::HASHKEYR, "HASHKEYR", A::Priv, A::Priv, Isa::V310},
    {spr::HASHPKEYR, "HASHPKEYR", A::Hyp, A::Hyp, Isa::V310},
    {spr::HDEXCR, "HDEXCR", A::Hyp, A::Hyp, Isa::V310},
    {spr::MMCR3, "MMCR3", A::Priv, A::Priv, Isa::V310},
    {spr::SIER2_U, "SIER2", A::User, A::None, Isa::V310},
    {spr::SIER3_U, "SIER3", A::User, A::None, Isa::V310},
    {spr::MMCR3_U, "MMCR3", A::User, A::None, Isa::V310},
    {spr::SIER2, "SIER2", A::Priv, A::Priv, Isa::V310},
    {spr::SIER3, "SIER3", A::Priv, A::Priv, Isa::V310},
    // Problem-state views of the performance monitor (SPR number - 16 of the privileged one). Group A (MMCR0,
    // MMCR2, MMCRA and the PMCs) may be written through them as MMCR0[PMCC] allows (pmu.h); the others are
    // read-only views.
    {spr::SIER_U, "SIER", A::User, A::None, Isa::V207},
    {spr::MMCR2_U, "MMCR2", A::User, A::User, Isa::V207},
    {spr::MMCRA_U, "MMCRA", A::User, A::User, Isa::V207},
    {spr::PMC1_U, "PMC1", A::User, A::User, Isa::V207},
    {spr::PMC2_U, "PMC2", A::User, A::User, Isa::V207},
    {spr::PMC3_U, "PMC3", A::User, A::User, Isa::V207},
    {spr::PMC4_U, "PMC4", A::User, A::User, Isa::V207},
    {spr::PMC5_U, "PMC5", A::User, A::User, Isa::V207},
    {spr::PMC6_U, "PMC6", A::User, A::User, Isa::V207},
    {spr::MMCR0_U, "MMCR0", A::User, A::User, Isa::V207},
    {spr::SIAR_U, "SIAR", A::User, A::None, Isa::V207},
    {spr::SDAR_U, "SDAR", A::User, A::None, Isa::V207},
    {spr::MMCR1_U, "MMCR1", A::User, A::None, Isa::V207},
    {spr::SIER, "SIER", A::Priv, A::Priv, Isa::V207},
    {spr::MMCR2, "MMCR2", A::Priv, A::Priv, Isa::V207},
    {spr::MMCRA, "MMCRA", A::Priv, A::Priv, Isa::V207},
    {spr::PMC1, "PMC1", A::Priv, A::Priv, Isa::V207},
    {spr::PMC2, "PMC2", A::Priv, A::Priv, Isa::V207},
    {spr::PMC3, "PMC3", A::Priv, A::Priv, Isa::V207},
    {spr::PMC4, "PMC4", A::Priv, A::Priv, Isa::V207},
    {spr::PMC5, "PMC5", A::Priv, A::Priv, Isa::V207},
    {spr::PMC6, "PMC6", A::Priv, A::Priv, Isa::V207},
    {spr::MMCR0, "MMCR0", A::Priv, A::Priv, Isa::V207},
    {spr::SIAR, "SIAR", A::Priv, A::Priv, Isa::V207},
    {spr::SDAR, "SDAR", A::Priv, A::Priv, Isa::V207},
    {spr::MMCR1, "MMCR1", A::Priv, A::Priv, Isa::V207},
    {spr::EBBHR, "EBBHR", A::User, A::User, Isa::V207},
    {spr::EBBRR, "EBBRR", A::User, A::User, Isa::V207},
    {spr::BESCR, "BESCR", A::User, A::User, Isa::V207},
    {spr::BESCRS, "BESCRS", A::User, A::User, Isa::V207},
    {spr::BESCRSU, "BESCRSU", A::User, A::User, Isa::V207},
    {spr::BESCRR, "BESCRR", A::User, A::User, Isa::V207},
    {spr::BESCRRU, "BESCRRU", A::User, A::User, Isa::V207},
    {spr::UDEXCR, "UDEXCR", A::User, A::None, Isa::V310},
    {spr::TAR, "TAR", A::User, A::User, Isa::V207},
    {spr::ASDR, "ASDR", A::Hyp, A::Hyp, Isa::V300},
    {spr::DEXCR, "DEXCR", A::Priv, A::Priv, Isa::V310},
    {spr::IC, "IC", A::Priv, A::Priv, Isa::V207},
    {spr::VTB, "VTB", A::Priv, A::Hyp, Isa::V207},
    {spr::PSSCR, "PSSCR", A::Hyp, A::Hyp, Isa::V300},
    {spr::PSSCR_PR, "PSSCR", A::Priv, A::Priv, Isa::V300},
    {spr::PPR, "PPR", A::User, A::User, Isa::V207},
    {spr::PPR32, "PPR32", A::User, A::User, Isa::V207},
    {spr::TRIG0, "TRIG0", A::None, A::User, Isa::V207},
    {spr::TRIG1, "TRIG1", A::None, A::User, Isa::V207},
    {spr::TRIG2, "TRIG2", A::None, A::User, Isa::V207},
    {spr::PIR, "PIR", A::Priv, A::None, Isa::V207},
    // Implementation SPRs of POWER8/9 that Linux touches: ACOP (coprocessor), the P8 thread-control and
    // workload-optimisation SPRs KVM migrates, the P9 load monitor, and hypervisor-only timer, power and
    // hardware-implementation SPRs (a guest reaching for these gets what KVM gives it).
    {spr::ACOP, "ACOP", A::Priv, A::Priv, Isa::V207},
    {spr::DHDES, "DHDES", A::Hyp, A::Hyp, Isa::V207},
    {spr::MMCRH, "MMCRH", A::Hyp, A::Hyp, Isa::V207},
    {spr::TFMR, "TFMR", A::Hyp, A::Hyp, Isa::V207},
    {spr::LMRR, "LMRR", A::User, A::User, Isa::V300},
    {spr::LMSER, "LMSER", A::User, A::User, Isa::V300},
    {spr::PMCR, "PMCR", A::Hyp, A::Hyp, Isa::V207},
    {spr::TACR, "TACR", A::Priv, A::Priv, Isa::V207},
    {spr::TCSCR, "TCSCR", A::Priv, A::Priv, Isa::V207},
    {spr::CSIGR, "CSIGR", A::Priv, A::Priv, Isa::V207},
    {spr::WORT, "WORT", A::Priv, A::Priv, Isa::V207},
    {spr::TSCR, "TSCR", A::Hyp, A::Hyp, Isa::V207},
    {spr::TTR, "TTR", A::Hyp, A::Hyp, Isa::V207},
    {spr::HID0, "HID0", A::Hyp, A::Hyp, Isa::V207},
};

constexpr auto kIndex = [] {
    std::array<const SprDef *, 1024> idx{};
    for (const auto &d : kSprs) {
        if (idx[d.num])
            throw "SPR defined twice";   // a compile error: this lambda runs at compile time
        idx[d.num] = &d;
    }
    return idx;
}();
} // namespace

const SprDef *spr_def(unsigned n) { return n < kIndex.size() ? kIndex[n] : nullptr; }

const SprDef *spr_by_name(std::string_view name) {
    for (const auto &d : kSprs)
        if (d.name == name)
            return &d;
    return nullptr;
}

} // namespace phv
