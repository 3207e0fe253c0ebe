// mfspr, mtspr and MSR writes: who may touch which SPR (the SPR table), what happens when they may not, and
// the SPRs whose value is computed (time, aliases, masked writes).
#include "vcpu/pmu.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

using isa::Flow;

namespace {
// The access level the current MSR has: problem < privileged < hypervisor.
SprAccess level(uint64_t m) {
    if (m & msr::PR)
        return SprAccess::User;
    return (m & msr::HV) ? SprAccess::Hyp : SprAccess::Priv;
}

bool allowed(SprAccess need, SprAccess have) { return need != SprAccess::None && need <= have; }

// The FSCR facility that controls problem-state access to SPR n (Book III 6.2.10 "Facility Status and
// Control Register"), or -1. Privileged state is never FSCR-gated.
int fscr_facility(unsigned n) {
    switch (n) {
    case spr::TAR: return fscr::TAR;
    case spr::EBBHR: case spr::EBBRR: case spr::BESCR: case spr::BESCRS: case spr::BESCRSU: case spr::BESCRR:
    case spr::BESCRRU:
        return fscr::EBB;
    case spr::DSCR_U: return fscr::DSCR;
    case spr::TFHAR: case spr::TFIAR: case spr::TEXASR: case spr::TEXASRU: return fscr::TM;
    default: return -1;   // the performance monitor views are MMCR0[PMCC]'s (pmu.h), not FSCR's
    }
}
} // namespace

// SPR numbers the CPU model does not have (ISA 3.1 Book III 4.4.4, mtspr/mfspr): in problem state, a number
// with bit 0x10 set (a privileged number) is a privileged-instruction Program interrupt and any other is a
// Hypervisor Emulation Assistance interrupt; in privileged state numbers 0, 4, 5 and 6 are a Hypervisor
// Emulation Assistance interrupt and the others are no-ops. A KVM guest sees the emulation assistance as an
// illegal-instruction Program interrupt (see hv_emulation_assist).
static Flow undefined_spr(Vcpu &c, unsigned n, uint32_t word) {
    if (c.problem_state()) {
        if (n & 0x10) {
            c.stats().program_interrupts++;
            return c.program_interrupt(srr1::kPrivileged);
        }
        return c.hv_emulation_assist(word);
    }
    if (n == 0 || (n >= 4 && n <= 6))
        return c.hv_emulation_assist(word);
    return Flow::Next;
}

// A defined SPR the current state may not access: problem state gets a privileged-instruction Program
// interrupt; privileged state touching a hypervisor SPR gets Hypervisor Emulation Assistance (reflected as
// illegal by KVM). A direction the SPR does not have (writing a read-only SPR) is an undefined number.
static Flow denied_spr(Vcpu &c, unsigned n, SprAccess need, uint32_t word) {
    if (need == SprAccess::None)
        return undefined_spr(c, n, word);
    if (c.problem_state()) {
        c.stats().program_interrupts++;
        return c.program_interrupt(srr1::kPrivileged);
    }
    return c.hv_emulation_assist(word);
}

// The facility checks after the privilege check: the TM SPRs need MSR[TM] in any state (a Facility
// Unavailable interrupt with FSCR[IC]=TM otherwise, Book III "Transactional Memory Facility"), and
// problem-state access to FSCR-controlled SPRs needs their FSCR bit.
static Flow facility_check(Vcpu &c, unsigned n, bool write, uint32_t word) {
    if (c.problem_state() && pmu::is_problem_view(n)) {
        const bool isa31 = uint8_t(c.vm().model().isa) >= uint8_t(isa::Isa::V310);
        switch (pmu::problem_state(n, write, c.st_.spr[spr::MMCR0], isa31)) {
        case pmu::Access::Ok: break;
        case pmu::Access::Undefined: return undefined_spr(c, n, word);
        case pmu::Access::Unavailable: return c.facility_unavailable(fscr::PM);
        }
    }
    const int f = fscr_facility(n);
    if (f == int(fscr::TM) && !(c.st_.msr & msr::TM))
        return c.facility_unavailable(fscr::TM);
    if (f >= 0 && !c.fscr_allows(unsigned(f)))
        return c.facility_unavailable(unsigned(f));
    return Flow::Next;
}

static const SprDef *model_spr(const Vm &vm, unsigned n) {
    const SprDef *d = spr_def(n);
    return d && uint8_t(d->isa) <= uint8_t(vm.model().isa) ? d : nullptr;
}

// The instruction word, for HEIR: mfspr/mtspr rebuilt from their fields (the semantics pass only the numbers).
static uint32_t spr_word(unsigned xo, unsigned r, unsigned n) {
    return 31u << 26 | r << 21 | (n & 0x1f) << 16 | (n >> 5) << 11 | xo << 1;
}

Flow Vcpu::mfspr(unsigned rt, unsigned n) {
    const SprDef *d = model_spr(vm_, n);
    if (!d)
        return undefined_spr(*this, n, spr_word(339, rt, n));
    if (!allowed(d->read, level(st_.msr)))
        return denied_spr(*this, n, d->read, spr_word(339, rt, n));
    if (const Flow f = facility_check(*this, n, false, spr_word(339, rt, n)); f != Flow::Next)
        return f;
    if (pmu::is_pmc(n))
        pmu_sync();
    uint64_t v;
    switch (n) {
    case spr::XER: v = st_.get_xer(); break;
    case spr::LR: v = st_.lr; break;
    case spr::CTR: v = st_.ctr; break;
    case spr::DEC: v = read_dec(); break;
    case spr::TB: v = read_tb(); break;
    case spr::TBU: v = read_tb() >> 32; break;
    case spr::PURR: case spr::SPURR: case spr::VTB: v = read_purr(n); break;
    case spr::DSCR_U: v = st_.spr[spr::DSCR]; break;
    case spr::AMR_U: v = st_.spr[spr::AMR]; break;
    case spr::SPRG3_U: v = st_.spr[spr::SPRG3]; break;
    case spr::CTRL_R: v = st_.spr[spr::CTRL_W]; break;
    case spr::UDEXCR: v = uint32_t(st_.spr[spr::DEXCR]); break;
    case spr::UHDEXCR: v = uint32_t(st_.spr[spr::HDEXCR]); break;
    case spr::PPR32: v = st_.spr[spr::PPR] >> 32; break;
    case spr::BESCRS: case spr::BESCRR: v = st_.spr[spr::BESCR]; break;
    case spr::PSSCR_PR: v = st_.spr[spr::PSSCR]; break;
    case spr::BESCRSU: case spr::BESCRRU: v = st_.spr[spr::BESCR] >> 32; break;
    default:
        // The problem-state views of the performance monitor SPRs read their privileged twins (+16).
        if (pmu::is_problem_view(n))
            v = st_.spr[n + 16] & (problem_state() ? pmu::problem_mask(n) : ~0ull);
        else
            v = st_.spr[n];
        break;
    }
    st_.gpr[rt] = v;
    return Flow::Next;
}

Flow Vcpu::mtspr(unsigned n, uint64_t v, uint32_t word) {
    const SprDef *d = model_spr(vm_, n);
    if (!word)   // a caller that has no instruction word: HEIR gets the SPR number without RS
        word = spr_word(467, 0, n);
    if (!d)
        return undefined_spr(*this, n, word);
    if (!allowed(d->write, level(st_.msr)))
        return denied_spr(*this, n, d->write, word);
    if (const Flow f = facility_check(*this, n, true, word); f != Flow::Next)
        return f;
    if (pmu::controls_counting(n)) {
        pmu_sync();
        const Flow f = mtspr_value(n, v);
        pmu_refresh();
        // Compiled code goes on from block to block while the countdown runs, without the loop's per-block
        // bookkeeping, which counting needs: this block's end goes back to the loop.
        if (!(st_.spr[spr::MMCR0] & pmu::FC) || pmu_.on)
            zero_countdown();
        return f;
    }
    return mtspr_value(n, v);
}

// The write itself, once access is granted.
Flow Vcpu::mtspr_value(unsigned n, uint64_t v) {
    switch (n) {
    case spr::XER: st_.set_xer(v); break;
    case spr::LR: st_.lr = v; break;
    case spr::CTR: st_.ctr = v; break;
    case spr::DEC: write_dec(v); break;
    case spr::PURR: case spr::SPURR: case spr::VTB: st_.spr[n] = v - read_tb(); break;
    case spr::DSCR_U: st_.spr[spr::DSCR] = v; break;
    // AMR: problem state changes only the bits UAMOR allows, privileged state those AMOR allows (Book III,
    // "Authority Mask Register"); KVM gives a guest AMOR = all ones.
    case spr::AMR_U:
        st_.spr[spr::AMR] = (st_.spr[spr::AMR] & ~st_.spr[spr::UAMOR]) | (v & st_.spr[spr::UAMOR]);
        keys_changed();
        break;
    case spr::AMR:
        st_.spr[spr::AMR] = (st_.spr[spr::AMR] & ~st_.spr[spr::AMOR]) | (v & st_.spr[spr::AMOR]);
        keys_changed();
        break;
    case spr::IAMR: st_.spr[spr::IAMR] = v; keys_changed(); break;
    // A new PID is picked up at the next block boundary (mmu_sync); linked compiled code checks only the
    // attention flag there.
    case spr::PIDR: st_.spr[n] = v; attention_.store(true, std::memory_order_release); break;
    case spr::UAMOR: st_.spr[spr::UAMOR] = v & st_.spr[spr::AMOR]; break;
    case spr::CTRL_W: st_.spr[n] = v & 1; break;   // only RUN is writable
    case spr::PPR32: st_.spr[spr::PPR] = (st_.spr[spr::PPR] & 0xffffffffull) | (v << 32); break;
    // BESCR set/reset views (Book II, "Event-Based Branch Facility"): S ORs into BESCR, R clears; U = upper half.
    case spr::BESCRS: st_.spr[spr::BESCR] |= v; break;
    case spr::BESCRSU: st_.spr[spr::BESCR] |= v << 32; break;
    case spr::BESCRR: st_.spr[spr::BESCR] &= ~v; break;
    case spr::BESCRRU: st_.spr[spr::BESCR] &= ~(v << 32); break;
    case spr::PSSCR_PR: st_.spr[spr::PSSCR] = v; break;
    // The problem-state views of the performance monitor write their privileged twins; problem state only
    // the bits pmu.h lets it (MMCR0[PMCC] was checked above).
    case spr::MMCR0_U: case spr::MMCR2_U: case spr::MMCRA_U: {
        const uint64_t m = problem_state() ? pmu::problem_mask(n) : ~0ull;
        st_.spr[n + 16] = (st_.spr[n + 16] & ~m) | (v & m);
        if (n == spr::MMCR0_U)
            return mmcr0_written();
        break;
    }
    case spr::MMCR0:
        st_.spr[n] = v;
        return mmcr0_written();
    case spr::PMC1_U: case spr::PMC2_U: case spr::PMC3_U: case spr::PMC4_U: case spr::PMC5_U: case spr::PMC6_U:
        st_.spr[n + 16] = uint32_t(v);
        break;
    // 32-bit registers read back zero-extended: VRSAVE (Book I, "Vector Save/Restore Register"), DSISR, the
    // performance monitor counters and PSPB (Book III); KVM keeps them as 32-bit ONE_REG values too.
    case spr::VRSAVE: case spr::DSISR: case spr::PSPB:
    case spr::PMC1: case spr::PMC2: case spr::PMC3: case spr::PMC4: case spr::PMC5: case spr::PMC6:
        st_.spr[n] = uint32_t(v);
        break;
    default: st_.spr[n] = v; break;
    }
    return Flow::Next;
}

// A Performance Monitor exception exists while MMCR0[PMAO]=1 (pmu.h): a write that leaves PMAO set ends the
// block so that the interrupt, if MSR[EE] allows it, comes right after the mtspr.
Flow Vcpu::mmcr0_written() {
    if (!(st_.spr[spr::MMCR0] & pmu::PMAO))
        return Flow::Next;
    attention_.store(true, std::memory_order_release);
    st_.nip = mask_ea(st_.nip + 4);   // mtspr is never prefixed
    return Flow::Jump;
}

void Vcpu::write_msr(uint64_t v) {
    // A guest can never give itself hypervisor state; MSR[HV] stays as it is (Book III 4.4.3, mtmsrd).
    v = (v & ~msr::HV) | (st_.msr & msr::HV);
    if (v & msr::PR)   // PR=1 forces EE, IR and DR on (Book III 4.2.1)
        v |= msr::EE | msr::IR | msr::DR;
    st_.msr = v;
}

} // namespace phv
