// What the decoder installs for words that are not an instruction of the CPU model, or not allowed here.
#include "isa/semantics/common.h"
#include "isa/semantics/semantics.h"

namespace phv::isa::sem {

// An illegal instruction is a Program interrupt (Book III 7.5.9). If the word sits at the Program vector
// itself the guest has no handler (a bare-metal program, or a kernel that crashed early); delivering again
// would loop forever, so the caller is told instead.
Flow illegal(Vcpu &c, const Decoded &d) {
    if (c.real_address(c.st_.nip) == vec::kProgram) {
        const Flow f = c.internal_error(PHV_INTERNAL_ERROR_EMULATION,
                                        "illegal instruction 0x%08x at the Program interrupt vector (no handler)",
                                        d.word);
        c.run_struct().internal.insn = d.word;
        return f;
    }
    return c.illegal_instruction(d.word);   // FP/VMX/VSX unavailable, or illegal (vcpu/interrupts.cpp)
}

Flow privileged(Vcpu &c, const Decoded &) {
    c.stats().program_interrupts++;
    return c.program_interrupt(srr1::kPrivileged);
}

} // namespace phv::isa::sem
