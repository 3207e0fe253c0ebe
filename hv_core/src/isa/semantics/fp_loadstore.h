// Book I 4.6.2-4.6.3: floating-point loads and stores. Single-precision data is widened and narrowed exactly
// (fp/format.h: DOUBLE and SINGLE); lfiwax/lfiwzx/stfiwx move integer words.
#pragma once
#include "fp/format.h"
#include "isa/semantics/fp_common.h"
#include "isa/semantics/loadstore.h"

namespace phv::isa::sem {

enum class FpMem : uint8_t { Single, Double, WordAlgebraic, WordZero };

template <FpMem K, Addr A, bool Update>
Flow fp_load(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    const uint64_t ea = effective_address<A, Update>(c, d);
    using L = Vcpu::FprLoad;
    Flow f;
    if constexpr (K == FpMem::Double)
        f = c.load_fpr<uint64_t>(d.rt, ea, L::Double);
    else
        f = c.load_fpr<uint32_t>(d.rt, ea, K == FpMem::Single ? L::Single
                                           : K == FpMem::WordAlgebraic ? L::WordAlgebraic
                                                                       : L::WordZero);
    // An MMIO load (Exit) completes later, but the update of RA is part of this instruction.
    if (Update && f != Flow::Jump)
        c.st_.gpr[d.ra] = ea;
    return f;
}

template <FpMem K, Addr A, bool Update>
Flow fp_store(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    const uint64_t ea = effective_address<A, Update>(c, d);
    const uint64_t s = c.st_.fpr(d.rt);
    Flow f;
    if constexpr (K == FpMem::Double)
        f = c.store<uint64_t>(ea, s);
    else if constexpr (K == FpMem::Single)
        f = c.store<uint32_t>(ea, fp::double_to_single(s));
    else
        f = c.store<uint32_t>(ea, uint32_t(s));
    if (Update && f != Flow::Jump)
        c.st_.gpr[d.ra] = ea;
    return f;
}

// lfdp/lfdpx/stfdp/stfdpx: an even-odd FPR pair as one quadword. In little-endian mode the quadword's bytes
// are reversed, so the odd register holds the doubleword at EA (as QEMU does). An odd FRTp is an invalid form.
// Each doubleword may be RAM or MMIO on its own: an MMIO first half is one exit, after which the instruction
// runs again for the second half only (Vcpu::first_half_was_mmio), as KVM splits a quadword into exits.
template <bool Store, Addr A>
Flow fp_pair(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    if (d.rt & 1)
        return c.illegal_instruction(d.word);
    const uint64_t ea = effective_address<A, false>(c, d);
    const bool le = c.st_.msr & msr::LE;
    const unsigned reg[2] = {le ? d.rt + 1u : d.rt + 0u, le ? d.rt + 0u : d.rt + 1u};
    for (unsigned half = c.first_half_was_mmio() ? 1 : 0; half < 2; ++half) {
        const uint64_t a = c.mask_ea(ea + 8 * half);
        Flow f;
        if constexpr (Store)
            f = c.store<uint64_t>(a, c.st_.fpr(reg[half]));
        else
            f = c.load_fpr<uint64_t>(reg[half], a, Vcpu::FprLoad::Double);
        if (f == Flow::Exit && half == 0 && c.run_struct().exit_reason == PHV_EXIT_MMIO)
            c.mmio_exit_is_first_half();
        if (f != Flow::Next)
            return f;
    }
    return Flow::Next;
}

} // namespace phv::isa::sem
