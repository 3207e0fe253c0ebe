// Book III: system call, MSR and SPR moves, rfid, traps, timebase, synchronisation and `wait`.
#pragma once
#include "isa/semantics/common.h"
#include "vcpu/spr_table.h"

namespace phv::isa::sem {

// sc LEV=1 from privileged state is a hypercall (PAPR); the guest never has MSR[HV], so it always goes to
// us. From problem state, KVM reflects it to the guest as a system call; so do we.
inline Flow sc(Vcpu &c, const Decoded &d) {
    if (d.imm == 1 && !c.problem_state())
        return c.hcall();
    if (d.imm > 1)   // LEV=2 is the ultravisor call: without an ultravisor it is illegal
        return c.program_interrupt(srr1::kIllegal);
    c.stats().syscall_interrupts++;
    return c.interrupt(vec::kSystemCall, c.next_nip(d), 0);
}

inline Flow mfmsr(Vcpu &c, const Decoded &d) {
    c.st_.gpr[d.rt] = c.st_.msr;
    return Flow::Next;
}

// mtmsrd L=1 and mtmsr L=1 move only EE and RI. Otherwise ME, HV and S are kept, as only rfid/hrfid may
// change them (Book III 4.4.3).
template <bool Doubleword>
Flow mtmsr(Vcpu &c, const Decoded &d) {
    const uint64_t rs = c.st_.gpr[d.rt];
    uint64_t v;
    if (field::L15(d.word)) {
        v = (c.st_.msr & ~(msr::EE | msr::RI)) | (rs & (msr::EE | msr::RI));
    } else {
        constexpr uint64_t kKept = msr::ME | msr::HV | msr::S;
        const uint64_t changeable = Doubleword ? ~kKept : (0xffffffffull & ~kKept);
        v = (c.st_.msr & ~changeable) | (rs & changeable);
    }
    c.write_msr(v);
    c.st_.nip = c.next_nip(d);
    return Flow::Jump;   // context synchronising: leave the block, check interrupts
}

inline Flow rfid(Vcpu &c, const Decoded &) {
    const uint64_t srr1 = c.st_.spr[spr::SRR1];
    constexpr uint64_t kKept = msr::ME | msr::HV | msr::S;
    c.write_msr((srr1 & ~kKept) | (c.st_.msr & kKept));
    c.st_.nip = c.mask_ea(c.st_.spr[spr::SRR0] & ~3ull);
    c.st_.reserve_valid = false;
    return Flow::Jump;
}

inline Flow mfspr(Vcpu &c, const Decoded &d) { return c.mfspr(d.rt, unsigned(d.imm)); }
inline Flow mtspr(Vcpu &c, const Decoded &d) {
    const Flow f = c.mtspr(unsigned(d.imm), c.st_.gpr[d.rt]);
    return f;
}

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

// isync and the other context-synchronising no-ops end the block so that what follows is refetched.
inline Flow context_sync(Vcpu &c, const Decoded &d) {
    c.st_.nip = c.next_nip(d);
    return Flow::Jump;
}

// wait (ISA 3.0, WC=0): stop until an interrupt is pending.
inline Flow wait(Vcpu &c, const Decoded &) { return c.wait(); }

} // namespace phv::isa::sem
