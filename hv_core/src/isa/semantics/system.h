// Book III: system call, MSR and SPR moves, rfid, traps, timebase, synchronisation and `wait`.
#pragma once
#include "fp/fpscr.h"
#include "mmu/partition.h"
#include "isa/semantics/common.h"
#include "vcpu/spr_table.h"
#include "vm/vm.h"

namespace phv::isa::sem {

// sc LEV=1 from privileged state is a hypercall (PAPR); the guest never has MSR[HV], so it always goes to
// us. From problem state it also reaches the hypervisor, and KVM-HV reflects it to the guest kernel as a
// system call (book3s_hv.c: a hash guest may be running PR KVM); so do we. Other LEV values are system calls
// to the guest, as under QEMU: LEV=2 would be an ultravisor call, and there is no ultravisor (SMFCTRL[E]=0).
// sc 1 from problem state goes to the hypervisor, and KVM-HV (book3s_hv.c, BOOK3S_INTERRUPT_SYSCALL with
// MSR[PR]=1) reflects it: a radix guest (LPCR[HR]) gets a privileged-instruction Program interrupt, since it
// cannot be running PR KVM; a hash guest gets the System Call interrupt, for the PR KVM it might run.
inline Flow sc(Vcpu &c, const Decoded &d) {
    if (d.imm == 1 && !c.problem_state())
        return c.hcall();
    if (d.imm == 1 && (c.st_.spr[spr::LPCR] & mmu::lpcr::HR)) {
        c.stats().program_interrupts++;
        return c.program_interrupt(srr1::kPrivileged);
    }
    c.stats().syscall_interrupts++;
    return c.interrupt(vec::kSystemCall, c.next_nip(d), 0);
}

// scv LEV (ISA 3.0): needs FSCR[SCV] in any state, else Facility Unavailable with IC=SCV.
inline Flow scv(Vcpu &c, const Decoded &d) {
    if (!(c.st_.spr[spr::FSCR] & fscr::bit(fscr::SCV)))
        return c.facility_unavailable(fscr::SCV);
    return c.system_call_vectored(unsigned(d.imm), c.next_nip(d));
}

// Hypervisor-privileged instructions (hrfid, msgsnd, msgclr, msgsync) in privileged non-hypervisor state are
// a Hypervisor Emulation Assistance interrupt (Book III 7.5); the decoder already turned problem-state uses
// into privileged-instruction Program interrupts. The guest never holds MSR[HV].
inline Flow hv_only(Vcpu &c, const Decoded &d) { return c.hv_emulation_assist(d.word); }

inline Flow mfmsr(Vcpu &c, const Decoded &d) {
    c.st_.gpr[d.rt] = c.st_.msr;
    return Flow::Next;
}

// An instruction that turns MSR[FE0 FE1] from 00 to non-zero while FPSCR[FEX]=1 makes a Floating-Point
// Enabled Exception type Program interrupt pending (Book III 7.5.9: the interrupt is generated whenever
// (FE0 | FE1) & FEX is 1); it is taken before the next instruction, so SRR0 addresses that instruction and
// SRR1[47] says SRR0 holds a subsequent address (Linux's SRR1_PROGADDR). QEMU TCG takes no interrupt here
// (tests/guest/priv/oracle_differences.txt).
inline Flow after_msr_write(Vcpu &c, uint64_t old_msr) {
    constexpr uint64_t kFE = msr::FE0 | msr::FE1;
    if (!(old_msr & kFE) && (c.st_.msr & kFE) && (c.st_.fpscr & fp::fpscr::FEX)) {
        c.stats().program_interrupts++;
        return c.interrupt(vec::kProgram, c.st_.nip, srr1::kFPEnabled | srr1::kSubsequentAddress);
    }
    return Flow::Jump;   // context synchronising: leave the block, check interrupts
}

// mtmsrd L=1 and mtmsr L=1 move only EE and RI. Otherwise ME, HV, S and LE are kept: only rfid/hrfid and
// interrupts change them (Book III 4.4.3, mtmsrd: the bits it sets leave out 3, 41, 51 and 63). mtmsr moves
// the low word only.
template <bool Doubleword>
Flow mtmsr(Vcpu &c, const Decoded &d) {
    const uint64_t rs = c.st_.gpr[d.rt];
    uint64_t v;
    if (field::L15(d.word)) {
        v = (c.st_.msr & ~(msr::EE | msr::RI)) | (rs & (msr::EE | msr::RI));
    } else {
        constexpr uint64_t kKept = msr::ME | msr::HV | msr::S | msr::LE;
        const uint64_t changeable = Doubleword ? ~kKept : (0xffffffffull & ~kKept);
        v = (c.st_.msr & ~changeable) | (rs & changeable);
    }
    const uint64_t old_msr = c.st_.msr;
    c.write_msr(v);
    c.st_.nip = c.next_nip(d);
    return after_msr_write(c, old_msr);
}

inline Flow rfid(Vcpu &c, const Decoded &) {
    const uint64_t srr1 = c.st_.spr[spr::SRR1], old_msr = c.st_.msr;
    constexpr uint64_t kKept = msr::ME | msr::HV | msr::S;
    c.write_msr((srr1 & ~kKept) | (c.st_.msr & kKept));
    c.st_.nip = c.mask_ea(c.st_.spr[spr::SRR0] & ~3ull);
    c.drop_reservation();
    return after_msr_write(c, old_msr);
}

// rfscv: return from scv through LR and CTR as rfid does through SRR0 and SRR1.
inline Flow rfscv(Vcpu &c, const Decoded &) {
    constexpr uint64_t kKept = msr::ME | msr::HV | msr::S;
    const uint64_t target = c.st_.lr, old_msr = c.st_.msr;
    c.write_msr((c.st_.ctr & ~kKept) | (c.st_.msr & kKept));
    c.st_.nip = c.mask_ea(target & ~3ull);
    c.drop_reservation();
    return after_msr_write(c, old_msr);
}

// rfebb S (Book II, Event-Based Branch facility): BESCR[GE] = S and branch to EBBRR. Problem state needs
// FSCR[EBB].
inline Flow rfebb(Vcpu &c, const Decoded &d) {
    if (!c.fscr_allows(fscr::EBB))
        return c.facility_unavailable(fscr::EBB);
    constexpr uint64_t kGE = 1ull << 63;
    const bool s = (d.word >> 11) & 1;
    c.st_.spr[spr::BESCR] = (c.st_.spr[spr::BESCR] & ~kGE) | (s ? kGE : 0);
    c.st_.nip = c.mask_ea(c.st_.spr[spr::EBBRR] & ~3ull);
    return Flow::Jump;
}

// msgsndp/msgclrp RB: message type (RB bits 32:36) 5 is the directed privileged doorbell; RB bits 57:63 name
// the thread in the core. A phv vcpu is a core of one thread, as a KVM-HV vcpu is with emul_smt_mode 1, and
// phv does what KVM's emulation of these instructions does there (book3s_hv.c, kvmppc_emulate_doorbell_instr,
// which POWER9/10 KVM runs for its guests with HFSCR[MSGP] off):
//  - msgsndp of type 5 to thread 0 sets this vcpu's doorbell; a thread >= 1 names no one (never another vcpu)
//    and any other type is ignored; every RB bit outside the two fields is ignored;
//  - msgclrp of type 5 clears this vcpu's doorbell whatever thread it names;
//  - mfspr DPDES reads bit 63 (value 1) while the doorbell is pending, mfspr TIR reads 0, mtspr DPDES is
//    hypervisor-privileged (an illegal-instruction Program interrupt, as KVM reflects it);
//  - the doorbell is taken at 0xa00 once MSR[EE]=1, after the msgsndp completes, and taking it consumes it.
// tests/unit/test_interrupts.cpp (DirectedPrivilegedDoorbell*) and tests/guest/priv (doorbell-*) check this.
constexpr bool privileged_doorbell_to_self(uint64_t rb) { return ((rb >> 27) & 0x1f) == 5 && (rb & 0x7f) == 0; }
inline Flow msgsndp(Vcpu &c, const Decoded &d) {
    if (privileged_doorbell_to_self(c.st_.gpr[d.rb]))
        c.set_doorbell(true);
    c.st_.nip = c.next_nip(d);
    return Flow::Jump;   // leave the block so a doorbell that is enabled is taken after this instruction
}
inline Flow msgclrp(Vcpu &c, const Decoded &d) {
    if (((c.st_.gpr[d.rb] >> 27) & 0x1f) == 5)
        c.set_doorbell(false);
    return Flow::Next;
}

inline Flow mfspr(Vcpu &c, const Decoded &d) { return c.mfspr(d.rt, unsigned(d.imm)); }
inline Flow mtspr(Vcpu &c, const Decoded &d) { return c.mtspr(unsigned(d.imm), c.st_.gpr[d.rt], d.word); }

// mftb: TBR 268 (TB) and 269 (TBU); anything else is an invalid form, treated as TB.
inline Flow mftb(Vcpu &c, const Decoded &d) {
    const uint64_t tb = c.read_tb();
    c.st_.gpr[d.rt] = d.imm == spr::TBU ? tb >> 32 : tb;
    return Flow::Next;
}

// tw/td and the immediate forms: TO bits 0x10 <, 0x08 >, 0x04 =, 0x02 <u, 0x01 >u (Book I 3.3.11).
template <bool Word, bool Immediate>
Flow trap(Vcpu &c, const Decoded &d) {
    uint64_t a = c.st_.gpr[d.ra], b = Immediate ? uint64_t(d.imm) : c.st_.gpr[d.rb];
    if (Word) {
        a = uint64_t(int64_t(int32_t(a)));
        b = uint64_t(int64_t(int32_t(b)));
    }
    const unsigned to = d.rt;
    const bool hit = ((to & 0x10) && int64_t(a) < int64_t(b)) || ((to & 0x08) && int64_t(a) > int64_t(b)) ||
                     ((to & 0x04) && a == b) || ((to & 0x02) && (Word ? uint32_t(a) < uint32_t(b) : a < b)) ||
                     ((to & 0x01) && (Word ? uint32_t(a) > uint32_t(b) : a > b));
    if (!hit)
        return Flow::Next;
    return c.program_interrupt(srr1::kTrap);
}

inline Flow nop(Vcpu &, const Decoded &) { return Flow::Next; }

// sync (Book II 4.6.3): hwsync (L=0), ptesync (L=2) and phwsync (L=4) order every earlier access before
// every later one,
// stores before loads included, which x86-64 hosts do not keep on their own; lwsync (L=1) and eieio order
// what acquire and release fences order (nothing to emit on x86-64). Only another vcpu's thread can tell,
// so a single-vcpu partition skips the full fence. QEMU's TCG does the same with its memory-barrier op.
inline Flow sync(Vcpu &c, const Decoded &d) {
    if ((bits(d.word, 8, 10) & 3) != 1 && c.vm().vcpu_count() > 1)   // not lwsync (1) or plwsync (5)
        std::atomic_thread_fence(std::memory_order_seq_cst);
    else
        std::atomic_thread_fence(std::memory_order_acq_rel);
    return Flow::Next;
}
inline Flow eieio(Vcpu &, const Decoded &) {
    std::atomic_thread_fence(std::memory_order_acq_rel);
    return Flow::Next;
}

// isync and the other context-synchronising no-ops end the block so that what follows is refetched.
inline Flow context_sync(Vcpu &c, const Decoded &d) {
    c.st_.nip = c.next_nip(d);
    return Flow::Jump;
}

// wait WC,PL (Book II, "wait"): WC=0 waits for an interrupt. ISA 3.0 reserves WC 1-3 (invalid forms);
// ISA 3.1 defines WC=1 (wait for reservation loss) and WC=2 (short pause), which may be no-ops and are here,
// reserves WC=3, and makes PL other than 0 invalid unless WC=2. Invalid forms are illegal, as under QEMU.
inline Flow wait(Vcpu &c, const Decoded &d) {
    const unsigned wc = (d.word >> 21) & 3, pl = (d.word >> 16) & 3;
    const bool v31 = c.vm().model().isa >= Isa::V310;
    const bool invalid = v31 ? (wc == 3 || (pl != 0 && wc != 2)) : wc != 0;
    if (invalid)
        return c.illegal_instruction(d.word);
    if (wc != 0)
        return Flow::Next;
    return c.wait();
}

} // namespace phv::isa::sem
