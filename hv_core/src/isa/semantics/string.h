// Book I 3.3.7 (Move Assist): load/store string (lswi, lswx, stswi, stswx). Like lmw/stmw they exist only in big-endian
// mode; in little-endian mode they cause an Alignment interrupt (Book I 3.3.6-3.3.7, Book III 7.5.8), as
// QEMU, the oracle, also does.
#pragma once
#include "isa/semantics/loadstore.h"
#include "isa/semantics/semantics.h"

namespace phv::isa::sem {

// Is register r among the `count` registers starting at `first` (wrapping from r31 to r0)?
inline bool string_covers(unsigned first, unsigned count, unsigned r) {
    return ((r - first) & 31) < count;
}

// Bytes go to/from the low word of RT, RT+1, ... (wrapping), high-order byte first; a partly filled last
// register has its remaining low bytes zeroed, and the high word of every loaded register is 0.
// Immediate: NB bytes (0 means 32) at (RA|0); indexed: XER[57:63] bytes at (RA|0) + (RB).
template <bool Store, bool Immediate>
Flow string_access(Vcpu &c, const Decoded &d) {
    uint64_t ea = Immediate ? c.mask_ea(ra_or_0(c, d)) : effective_address<Addr::X, false>(c, d);
    const unsigned n = Immediate ? (d.rb ? d.rb : 32) : c.st_.xer_bc;
    if (c.st_.msr & msr::LE)
        return alignment_interrupt(c, d, ea);
    if constexpr (!Store) {
        // RA (and for lswx RB) inside the registers to be loaded is an invalid form, illegal as in QEMU.
        const unsigned regs = (n + 3) / 4;
        if ((d.ra && string_covers(d.rt, regs, d.ra)) || (!Immediate && string_covers(d.rt, regs, d.rb)))
            return illegal(c, d);
    }
    unsigned r = d.rt;
    uint64_t acc = 0;   // the register being filled
    for (unsigned i = 0; i < n; ++i, ea = c.mask_ea(ea + 1)) {
        const unsigned shift = 24 - 8 * (i % 4);
        if constexpr (Store) {
            if (Flow f = c.store<uint8_t>(ea, uint8_t(c.st_.gpr[r] >> shift)); f != Flow::Next)
                return f;
        } else {
            uint8_t b = 0;
            if (Flow f = c.load_value(ea, b); f != Flow::Next)
                return f;
            acc |= uint64_t(b) << shift;
        }
        if (i % 4 == 3 || i + 1 == n) {
            if constexpr (!Store)
                c.st_.gpr[r] = acc;
            acc = 0;
            r = (r + 1) & 31;
        }
    }
    return Flow::Next;
}

} // namespace phv::isa::sem
