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
    uint64_t v = 0;
    if constexpr (K == FpMem::Double) {
        if (const Flow f = c.load_value(ea, v); f != Flow::Next)
            return f;
    } else {
        uint32_t w = 0;
        if (const Flow f = c.load_value(ea, w); f != Flow::Next)
            return f;
        v = K == FpMem::Single ? fp::single_to_double(w)
            : K == FpMem::WordAlgebraic ? uint64_t(int64_t(int32_t(w)))
                                        : uint64_t(w);
    }
    c.st_.set_fpr(d.rt, v);
    if (Update)
        c.st_.gpr[d.ra] = ea;
    return Flow::Next;
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
template <bool Store, Addr A>
Flow fp_pair(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    if (d.rt & 1)
        return c.illegal_instruction(d.word);
    const uint64_t ea = effective_address<A, false>(c, d);
    const bool le = c.st_.msr & msr::LE;
    const unsigned first = le ? d.rt + 1 : d.rt, second = le ? d.rt : d.rt + 1;
    if constexpr (Store) {
        if (const Flow f = c.store<uint64_t>(ea, c.st_.fpr(first)); f != Flow::Next)
            return f;
        return c.store<uint64_t>(c.mask_ea(ea + 8), c.st_.fpr(second));
    } else {
        uint64_t v0 = 0, v1 = 0;
        if (const Flow f = c.load_value(ea, v0); f != Flow::Next)
            return f;
        if (const Flow f = c.load_value(c.mask_ea(ea + 8), v1); f != Flow::Next)
            return f;
        c.st_.set_fpr(first, v0);
        c.st_.set_fpr(second, v1);
        return Flow::Next;
    }
}

} // namespace phv::isa::sem
