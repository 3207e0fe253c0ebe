// What the decoder installs for words that are not an instruction of the CPU model, or not allowed here.
#include "isa/semantics/common.h"
#include "isa/semantics/semantics.h"

namespace phv::isa::sem {

namespace {
// If the word sits at the Program vector itself the guest has no handler (a bare-metal program, or a kernel
// that crashed early); delivering again would loop forever, so the caller is told instead.
bool at_program_vector(Vcpu &c, const Decoded &d, Flow &f) {
    if (c.real_address(c.st_.nip) != vec::kProgram)
        return false;
    f = c.internal_error(PHV_INTERNAL_ERROR_EMULATION,
                         "illegal instruction 0x%08x at the Program interrupt vector (no handler)", d.word);
    c.run_struct().internal.insn = d.word;
    return true;
}
} // namespace

// An illegal instruction is a Program interrupt (Book III 7.5.9).
Flow illegal(Vcpu &c, const Decoded &d) {
    // The VMM's software breakpoint (PHV_SET_GUEST_DEBUG): a debug exit at it, the word left alone.
    if (d.word == PHV_SW_BREAKPOINT_INSN && c.sw_breakpoints())
        return c.debug_exit(c.st_.nip, 0);
    Flow f;
    if (at_program_vector(c, d, f))
        return f;
    return c.illegal_instruction(d.word);   // FP/VMX/VSX unavailable, or illegal (vcpu/interrupts.cpp)
}

// A row of a newer ISA than the CPU model (maddld on a POWER8, opcode 4 like VMX): that CPU does not have
// the instruction, so there is no FP/VMX/VSX enable bit for it to check first; the word is simply undefined
// there: Hypervisor Emulation Assistance, which KVM reflects as an illegal-instruction Program interrupt.
Flow not_in_cpu_model(Vcpu &c, const Decoded &d) {
    Flow f;
    if (at_program_vector(c, d, f))
        return f;
    return c.hv_emulation_assist(d.word);
}

Flow privileged(Vcpu &c, const Decoded &) {
    c.stats().program_interrupts++;
    return c.program_interrupt(srr1::kPrivileged);
}

} // namespace phv::isa::sem
