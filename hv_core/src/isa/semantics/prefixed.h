// ISA 3.1 Book I 1.6.3 / 3.3.9 / 3.3.20: the prefixed fixed-point instructions that are not plain
// loads/stores (those reuse load/store with Addr::P): paddi (pla when R=1) and pnop.
#pragma once
#include "isa/semantics/common.h"

namespace phv::isa::sem {

// paddi RT,RA,SI,R: RT = (RA|0) + SI34, or CIA + SI34 when R=1 (the decoder refuses R=1 with RA!=0).
inline Flow paddi(Vcpu &c, const Decoded &d) {
    const uint64_t base = bits(d.word, 11, 11) ? c.st_.nip : ra_or_0(c, d);
    c.st_.gpr[d.rt] = c.mask_ea(base + uint64_t(d.imm));
    return Flow::Next;
}

// pnop: no operation, its suffix is not executed.
inline Flow pnop(Vcpu &, const Decoded &) { return Flow::Next; }

// A prefixed instruction in problem state needs FSCR[PREFIX] (ISA 3.1 Book III, Facility Status and Control
// Register); without it, a Facility Unavailable interrupt with FSCR[IC] = PREFIX, and SRR1[34] set because
// a prefixed instruction caused it (ISA 3.1 Book III 7.5.21, as for every interrupt a prefixed instruction
// causes). Checked when it runs, since FSCR may change under a predecoded block; then the row's semantics
// (prefixed rows have one variant).
inline Flow prefixed_in_problem_state(Vcpu &c, const Decoded &d) {
    if (!c.fscr_allows(fscr::PREFIX)) {
        const Flow f = c.facility_unavailable(fscr::PREFIX);
        c.st_.spr[spr::SRR1] |= kSrr1Prefixed;
        return f;
    }
    return insn_table()[d.def].exec[0](c, d);
}

// An invalid prefix or prefix/suffix combination: what KVM gives the guest for the hypervisor emulation
// assistance interrupt, an illegal-instruction Program interrupt, with SRR1[34] saying it was prefixed and
// HEIR holding both words (ISA 3.1 Book III 7.5.9, 7.5.18).
inline Flow illegal_prefixed(Vcpu &c, const Decoded &d) {
    c.st_.spr[spr::HEIR] = uint64_t(d.word) << 32 | d.suffix;
    c.stats().program_interrupts++;
    return c.program_interrupt(srr1::kIllegal | kSrr1Prefixed);
}

// A prefixed instruction whose suffix would lie across a 64-byte boundary: Alignment interrupt with
// SRR1[34] and SRR1[35] set (ISA 3.1 Book I 1.6.3, Book III 7.5.8).
inline Flow prefix_crosses_boundary(Vcpu &c, const Decoded &) {
    return c.interrupt(vec::kAlignment, c.st_.nip, kSrr1Prefixed | kSrr1Boundary);
}

} // namespace phv::isa::sem
