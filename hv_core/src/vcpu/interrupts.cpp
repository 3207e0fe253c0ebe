// Interrupt delivery as a KVM-HV guest partition sees it (Book III 7): the guest runs with MSR[HV]=0, so every
// interrupt it takes is a "non-hypervisor" one (SRR0/SRR1, never HSRR0/HSRR1). Interrupts the ISA sends to the
// hypervisor (hypervisor emulation assistance, hypervisor facility unavailable) end where KVM sends them.

#include "isa/fields.h"
#include "vcpu/spr_table.h"
#include "vcpu/pmu.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

using isa::Flow;

namespace {

// Book III 7.4: SRR1 keeps MSR bits 0:32, 37:41 and 48:63; bits 33:36 and 42:47 carry the cause.
constexpr uint64_t kSrr1Cause = 0x0000000078000000ull | 0x00000000003f0000ull;

// LPCR[AIL] (Book III 7.5, "Alternate Interrupt Location"): with instruction and data relocation both on,
// a non-hypervisor interrupt is taken with relocation on at an offset vector. ISA 3.0 has AIL=2 (+0x18000)
// and AIL=3 (+0xc000_0000_0000_4000); ISA 3.1 keeps only AIL=3 (1 and 2 are reserved and act as 0). System
// reset and machine check never relocate. scv has its own AIL=3 base (0xc000_0000_0000_3000 replaces
// 0x17000) and AIL=2 relocates it without moving the vector. LPCR[HAIL] (POWER10) concerns interrupts taken
// in hypervisor state, which a guest never takes: the guest's view does not depend on it.
void apply_ail(isa::Isa isa, uint64_t lpcr, uint64_t old_msr, uint64_t &vector, uint64_t &new_msr) {
    if (vector == vec::kSystemReset || vector == vec::kMachineCheck)
        return;
    if (!(old_msr & msr::IR) || !(old_msr & msr::DR))
        return;
    const unsigned ail = unsigned((lpcr & lpcr::AIL) >> lpcr::kAilShift);
    if (ail == 0 || ail == 1 || (ail == 2 && isa >= isa::Isa::V310))
        return;
    new_msr |= msr::IR | msr::DR;
    const bool scv = vector >= vec::kSystemCallVectored;
    if (!scv)
        vector |= ail == 2 ? 0x18000ull : 0xc000000000004000ull;
    else if (ail == 3)
        vector = (vector - vec::kSystemCallVectored) | 0xc000000000003000ull;
}

// The MSR every non-hypervisor interrupt starts with (Book III 7.5, figure "MSR setting due to interrupt"):
// 64-bit, big- or little-endian as LPCR[ILE] says, HV, ME and S unchanged, everything else 0.
uint64_t interrupt_msr(uint64_t old_msr, uint64_t lpcr) {
    return msr::SF | (old_msr & (msr::ME | msr::HV | msr::S)) | ((lpcr & lpcr::ILE) ? msr::LE : 0);
}

enum class Unit : uint8_t { None, FP, VEC, VSX };

// Which facility an instruction word belongs to, by its opcode (Book I chapters 4-7): FP and VMX/VSX
// instructions check MSR[FP], MSR[VEC] or MSR[VSX] before anything else. Instructions that address
// VSR32-63 through a TX/SX bit check MSR[VEC] instead (e.g. lxv with TX=1). A form the CPU model's ISA
// level does not have is no instruction at all there (illegal whatever the MSR says): `isa` is the level
// that introduced it (ISA 3.0 for lxv/lxvx/lxsd..., ISA 3.1 for lxvr*x and the paired lxvpx/stxvpx).
struct Facility {
    Unit unit;
    isa::Isa isa;
};

Facility facility_of(uint32_t w) {
    using isa::Isa;
    const unsigned po = w >> 26;
    const Unit tx = (w & 1) ? Unit::VEC : Unit::VSX;   // TX/SX of the X and XX1 forms
    switch (po) {
    case 63:
        // The quad-precision instructions (ISA 3.0, Book I 7.6) are VSX instructions in opcode 63: X-form
        // extended opcodes, and xsrqpi/xsrqpxp (Z23 form, 8-bit XO 5 and 37).
        switch (isa::field::XO_X(w)) {
        case 4: case 36: case 516: case 548: case 388: case 420: case 452: case 484: case 644: case 132:
        case 68: case 196: case 228: case 164: case 676: case 740: case 100: case 868: case 804: case 836:
        case 708:
            return {Unit::VSX, Isa::V300};
        default:
            if ((isa::field::XO_X(w) & 0xff) == 5 || (isa::field::XO_X(w) & 0xff) == 37)
                return {Unit::VSX, Isa::V300};
        }
        return {Unit::FP, Isa::V207};
    case 59:
    case 48: case 49: case 50: case 51: case 52: case 53: case 54: case 55:   // lfs .. stfdu
        return {Unit::FP, Isa::V207};
    case 4: return {Unit::VEC, Isa::V207};
    case 60: return {Unit::VSX, Isa::V207};
    case 57:   // lfdp; lxsd/lxssp (VSR32-63)
        if ((w & 3) == 0)
            return {Unit::FP, Isa::V207};
        return (w & 3) >= 2 ? Facility{Unit::VEC, Isa::V300} : Facility{Unit::None, Isa::V207};
    case 61:   // stfdp; stxsd/stxssp; lxv/stxv (DQ, TX/SX in bit 28)
        if ((w & 3) == 0)
            return {Unit::FP, Isa::V207};
        if ((w & 3) >= 2)
            return {Unit::VEC, Isa::V300};
        if ((w & 7) == 1 || (w & 7) == 5)
            return {(w & 8) ? Unit::VEC : Unit::VSX, Isa::V300};
        return {Unit::None, Isa::V207};
    case 31:
        break;
    default: return {Unit::None, Isa::V207};
    }
    switch (isa::field::XO_X(w)) {
    case 535: case 567: case 599: case 631: case 663: case 695: case 727: case 759:   // lfsx .. stfdux
    case 855: case 887: case 983: case 791: case 919:                                  // lfiwax lfiwzx stfiwx lfdpx stfdpx
        return {Unit::FP, Isa::V207};
    case 6: case 38: case 7: case 39: case 71: case 103: case 359:                     // lvsl lvsr lve*x lvx lvxl
    case 135: case 167: case 199: case 231: case 487:                                  // stve*x stvx stvxl
        return {Unit::VEC, Isa::V207};
    // VSX loads/stores and moves of ISA 2.06/2.07 ...
    case 12: case 76: case 140: case 332: case 524: case 588: case 652: case 716: case 780: case 844:
    case 908: case 972:
        return {tx, Isa::V207};
    // mfvsrd/mfvsrwz/mtvsrd/mtvsrwa/mtvsrwz: the FPR half checks MSR[FP], the VR half MSR[VEC] (ISA 3.0 on).
    case 51: case 115: case 179: case 211: case 243:
        return {(w & 1) ? Unit::VEC : Unit::FP, Isa::V207};
    // mfvsrld/mtvsrws/mtvsrdd: MSR[VSX] for VSR0-31, MSR[VEC] for VSR32-63.
    case 307: case 403: case 435:
        return {tx, Isa::V300};
    // ... of ISA 3.0 ...
    case 268: case 269: case 301: case 364: case 396: case 397: case 429: case 781: case 812: case 813:
    case 876: case 909: case 940: case 941: case 1004:
        return {tx, Isa::V300};
    // ... and of ISA 3.1 (lxvr*x, stxvr*x; the paired lxvpx/stxvpx always check MSR[VSX]).
    case 13: case 45: case 77: case 109: case 141: case 173: case 205: case 237:
        return {tx, Isa::V310};
    case 333: case 461:
        return {Unit::VSX, Isa::V310};
    default: return {Unit::None, Isa::V207};
    }
}

const char *unit_name(Unit u) { return u == Unit::FP ? "floating-point" : u == Unit::VEC ? "vector" : "VSX"; }

} // namespace

Flow Vcpu::interrupt(uint64_t vector, uint64_t srr0, uint64_t cause) {
    pair_first_done_ = false;   // an interrupted lfdp/stfdp starts again from its first half
    vsx_mmio_.active = vsx_mmio_.waiting_load = false;   // and a VSX access from its first piece
    st_.spr[spr::SRR0] = pmu_.irq_srr0 = srr0;
    st_.spr[spr::SRR1] = (st_.msr & ~kSrr1Cause) | (cause & kSrr1Cause);
    const uint64_t lpcr = st_.spr[spr::LPCR];
    uint64_t new_msr = interrupt_msr(st_.msr, lpcr);
    apply_ail(vm_.model().isa, lpcr, st_.msr, vector, new_msr);
    st_.msr = new_msr;
    drop_reservation();
    st_.nip = vector;
    ++stats_.interrupts_delivered;
    return Flow::Jump;
}

// scv (Book III 7.5, System Call Vectored interrupt): no SRR0/1; LR gets the return address and CTR the MSR (cause
// bits clear, as SRR1 would have them); EE and RI survive so user-to-kernel calls need not re-enable them.
Flow Vcpu::system_call_vectored(unsigned lev, uint64_t nia) {
    const uint64_t lpcr = st_.spr[spr::LPCR];
    uint64_t vector = vec::kSystemCallVectored + uint64_t(lev) * 0x20;
    uint64_t new_msr = interrupt_msr(st_.msr, lpcr) | (st_.msr & (msr::EE | msr::RI));
    apply_ail(vm_.model().isa, lpcr, st_.msr, vector, new_msr);
    st_.lr = pmu_.irq_srr0 = nia;
    st_.ctr = st_.msr & ~kSrr1Cause;
    st_.msr = new_msr;
    drop_reservation();
    st_.nip = vector;
    ++stats_.interrupts_delivered;
    ++stats_.syscall_interrupts;
    return Flow::Jump;
}

bool Vcpu::fscr_allows(unsigned facility) const {
    return !problem_state() || (st_.spr[spr::FSCR] & fscr::bit(facility));
}

Flow Vcpu::facility_unavailable(unsigned facility) {
    constexpr uint64_t kIc = 0xffull << fscr::kIcShift;
    st_.spr[spr::FSCR] = (st_.spr[spr::FSCR] & ~kIc) | (uint64_t(facility) << fscr::kIcShift);
    return interrupt(vec::kFacilityUnavailable, st_.nip, 0);
}

// Hypervisor Emulation Assistance (0xe40) goes to the hypervisor with the instruction in HEIR. KVM-HV
// (book3s_hv.c, BOOK3S_INTERRUPT_H_EMUL_ASSIST) emulates nothing there for a guest and queues an
// illegal-instruction Program interrupt, so that is what the guest sees. HEIR keeps the word so that a
// nested L0 can report it later.
Flow Vcpu::hv_emulation_assist(uint32_t word) {
    st_.spr[spr::HEIR] = word;
    if (in_l2_)
        return leave_l2(vec::kHEmulationAssist);   // the L1 hypervisor emulates or reflects it
    ++stats_.program_interrupts;
    return program_interrupt(srr1::kIllegal);
}

// HFSCR-disabled facilities raise Hypervisor Facility Unavailable (0xf80) with HFSCR[IC] set. KVM enables
// the few it manages lazily (TM, PM, DSCR, msgsndp emulation) and otherwise reflects an illegal-instruction
// Program interrupt (kvmppc_handle_fac / H_FAC_UNAVAIL). phv enables every facility it implements, so only
// the reflection remains.
Flow Vcpu::hv_facility_unavailable(unsigned facility) {
    constexpr uint64_t kIc = 0xffull << fscr::kIcShift;
    st_.spr[spr::HFSCR] = (st_.spr[spr::HFSCR] & ~kIc) | (uint64_t(facility) << fscr::kIcShift);
    if (in_l2_)
        return leave_l2(vec::kHFacilityUnavailable);
    ++stats_.program_interrupts;
    return program_interrupt(srr1::kIllegal);
}

// An undefined word: on POWER8 and later hardware this is a Hypervisor Emulation Assistance interrupt, which
// KVM turns into a Program interrupt. The FP/VMX/VSX opcode spaces first check their MSR enable bit (each
// instruction's RTL in Book I starts "If MSR.FP=0 then FP_Unavailable()"), so a guest kernel's lazy FP switching works even for
// instructions phv does not execute yet; with the facility on, such an instruction is an internal error that
// names it rather than a wrong Program interrupt.
Flow Vcpu::illegal_instruction(uint32_t word) {
    const Facility f = facility_of(word);
    const Unit u = uint8_t(f.isa) <= uint8_t(vm_.model().isa) ? f.unit : Unit::None;
    uint64_t unavailable = 0;
    if (u == Unit::FP && !(st_.msr & msr::FP))
        unavailable = vec::kFPUnavailable;
    else if (u == Unit::VEC && !(st_.msr & msr::VEC))
        unavailable = vec::kVMXUnavailable;
    else if (u == Unit::VSX && !(st_.msr & msr::VSX))
        unavailable = vec::kVSXUnavailable;
    if (unavailable)
        return unit_unavailable(unavailable, word);
    // With the unit on, a word of the binary FP space that is no row is no instruction (every binary FP
    // instruction is a row): illegal, like any undefined word. Decimal FP (opcodes 59/63 with bits 26:30 = 2
    // or 3, the X/Z22/Z23 forms of Book I chapter 5, which no binary FP form uses) is not implemented: its
    // words raise what they raise on a CPU without DFP, an illegal instruction (HEIR holds the word), and
    // the machine does not advertise DFP (no ibm,dfp; QEMU's cap-dfp is off under phv).
    if (u == Unit::FP)
        return hv_emulation_assist(word);
    // Every VMX instruction of primary opcode 4 is a row but the decimal (BCD) ones, which phv does not
    // implement: with MSR[VEC]=1 those words raise what they raise on a CPU without them, an illegal
    // instruction (as every other undefined opcode-4 word does).
    if (u == Unit::VEC && (word >> 26) == 4)
        return hv_emulation_assist(word);
    // Every VSX instruction of primary opcode 60 is a row too (Book I 7.6): with MSR[VSX]=1 a word there that is
    // none is undefined, an illegal instruction as on the CPU.
    if (u == Unit::VSX && (word >> 26) == 60)
        return hv_emulation_assist(word);
    if (u != Unit::None) {
        const Flow f = internal_error(PHV_INTERNAL_ERROR_EMULATION,
                                      "%s instruction 0x%08x (primary opcode %u) is not implemented",
                                      unit_name(u), word, word >> 26);
        run_.internal.insn = word;
        return f;
    }
    return hv_emulation_assist(word);
}

Flow Vcpu::unit_unavailable(uint64_t vector, uint32_t word) {
    // The instruction sits at its own vector (MSR bits are off there): the guest has no handler, and
    // delivering again would spin forever, so the caller is told, as for the Program vector.
    if (real_address(st_.nip) == vector) {
        const Unit u = vector == vec::kFPUnavailable ? Unit::FP : vector == vec::kVMXUnavailable ? Unit::VEC : Unit::VSX;
        const Flow f = internal_error(PHV_INTERNAL_ERROR_EMULATION,
                                      "%s-unavailable instruction 0x%08x at its own interrupt vector (no handler)",
                                      unit_name(u), word);
        run_.internal.insn = word;
        return f;
    }
    return interrupt(vector, st_.nip, 0);
}

void Vcpu::set_doorbell(bool pending) {
    st_.spr[spr::DPDES] = pending ? 1 : 0;
    if (pending)
        attention_.store(true, std::memory_order_release);
}

// Asynchronous interrupts, in the ISA's priority order for those a guest can take (Book III 7.9): external,
// decrementer, directed privileged doorbell, performance monitor. All need MSR[EE]. The hypervisor decrementer and hypervisor
// virtualization interrupts (0x980, 0xea0) belong to the hypervisor: a KVM guest never sees them, and neither
// does a phv guest (HDEC is the VMM's time slice; the external line below is what LPCR[LPES]=0 gives a guest).
// PHV_GUESTDBG_BLOCKIRQ holds them all, as MSR[EE]=0 would, without the guest seeing a different MSR; nothing
// is consumed, so each is taken on the first check after the debugger clears it.
bool Vcpu::deliver_pending_interrupt() {
    if (!(st_.msr & msr::EE) || debug_.block_irq)
        return false;
    // While an L2 runs, the external interrupt it may take is the one its L1 asked for at H_GUEST_RUN_VCPU
    // (the L1's own line ends the run instead: l2_poll).
    if (in_l2_ ? l2_take_external() : irq_line_.load(std::memory_order_relaxed)) {
        ++stats_.ext_interrupts;
        interrupt(vec::kExternal, st_.nip, 0);
        return true;
    }
    if (int64_t(read_dec()) < 0) {
        ++stats_.dec_interrupts;
        interrupt(vec::kDecrementer, st_.nip, 0);
        return true;
    }
    // The doorbell is an edge: taking the interrupt consumes it (DPDES bit cleared by hardware).
    if (st_.spr[spr::DPDES] & 1) {
        st_.spr[spr::DPDES] = 0;
        interrupt(vec::kDoorbell, st_.nip, 0);
        return true;
    }
    // The Performance Monitor exception is a level: it exists while MMCR0[PMAO]=1 (Book III 10.4.4; Linux
    // sets PMAO itself to replay an interrupt it masked), so taking it clears nothing.
    if (st_.spr[spr::MMCR0] & pmu::PMAO) {
        interrupt(vec::kPerfMonitor, st_.nip, 0);
        return true;
    }
    return false;
}

int Vcpu::set_irq_line(bool level) {
    irq_line_.store(level);
    if (level)
        attention_.store(true, std::memory_order_release);
    return 0;
}

void Vcpu::kick() {
    kick_.store(true);
    attention_.store(true, std::memory_order_release);
}

// Trace (Book III 7.5, Trace interrupt): after an instruction completes with MSR[SE]=1, or a branch with MSR[BE]=1, a trace
// interrupt with SRR0 = the next instruction. Not traced: instructions that took an interrupt, and rfid,
// hrfid, rfscv, rfebb, sc and scv.
Flow Vcpu::trace_after(const isa::Decoded &d, uint64_t msr_before, Flow f) {
    if (d.def == 0xffff)
        return f;
    const isa::InsnDef &def = isa::insn_table()[d.def];
    const std::string_view m = def.mnemonic;
    if (m == "rfid" || m == "hrfid" || m == "rfscv" || m == "rfebb" || m == "sc" || m == "scv")
        return f;
    const bool step = msr_before & msr::SE;
    const bool branch = (msr_before & msr::BE) && (def.flags & isa::flag::kBranch);
    if (!step && !branch)
        return f;
    return interrupt(vec::kTrace, st_.nip, 0);
}

} // namespace phv
