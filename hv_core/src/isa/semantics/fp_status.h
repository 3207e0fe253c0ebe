// Book I 4.6.10: the FPSCR instructions (mffs family, mcrfs, mtfsfi, mtfsf, mtfsb0, mtfsb1).
#pragma once
#include "isa/semantics/fp_common.h"

namespace phv::isa::sem {

namespace fpstatus {
using namespace fp::fpscr;
// The control fields mffsce/mffscdrn/mffscrn/mffsl return: DRN, VE..XE, NI, RN.
constexpr uint64_t kControl = DRN | VE | OE | UE | ZE | XE | NI | RN;
constexpr uint64_t kEnables = VE | OE | UE | ZE | XE;
// A 4-bit FPSCR field k (0..15, bits 4k:4k+3).
constexpr uint64_t field_mask(unsigned k) { return 0xfull << (60 - 4 * k); }

// Writes `bits` under `mask`. FEX and VX are summaries; FX is written only when field 8 (bits 32:35) is,
// and is otherwise set by exception bits that go from 0 to 1 (Book I 4.6.10, mtfsf/mtfsfi). With MSR[FE]
// on, a write that leaves FEX 1 is an enabled exception.
// As on QEMU, the interrupt follows whenever FEX is 1 afterwards, and CR1 is written first.
// Only the bits ISA 3.1 defines are written (DRN and 32:63 less the reserved bit 52), as on QEMU.
template <bool Rc, bool CanRaise = true>
inline Flow write(Vcpu &c, uint64_t mask, uint64_t bits) {
    mask &= kDefined;
    const uint64_t old = c.st_.fpscr;
    const uint64_t f = (old & ~mask) | (bits & mask);
    c.st_.fpscr = summarize(f);
    record_fp<Rc>(c);
    return fp_finish<false>(c, CanRaise && (c.st_.fpscr & FEX));
}
} // namespace fpstatus

enum class Mffs : uint8_t { All, ClearEnables, Drn, DrnImm, Rn, RnImm, Lightweight };

template <Mffs Op, bool Rc>
Flow mffs(Vcpu &c, const Decoded &d) {
    using namespace fpstatus;
    if (fp_off(c))
        return fp_unavailable(c, d);
    const uint64_t f = c.st_.fpscr;
    switch (Op) {
    case Mffs::All: c.st_.set_fpr(d.rt, f); break;
    case Mffs::ClearEnables:   // mffsce: read, then disable every exception
        c.st_.set_fpr(d.rt, f);
        c.st_.fpscr = summarize(f & ~kEnables);
        break;
    // FRB is read before FRT is written: they may be the same register.
    case Mffs::Drn:
    case Mffs::DrnImm: {
        const uint64_t drn = Op == Mffs::Drn ? c.st_.fpr(d.rb) & DRN : uint64_t(bits(d.word, 18, 20)) << (63 - 31);
        c.st_.set_fpr(d.rt, f & kControl);
        c.st_.fpscr = (f & ~DRN) | drn;
        break;
    }
    case Mffs::Rn:
    case Mffs::RnImm: {
        const uint64_t rn = Op == Mffs::Rn ? c.st_.fpr(d.rb) & RN : bits(d.word, 19, 20);
        c.st_.set_fpr(d.rt, f & kControl);
        c.st_.fpscr = (f & ~RN) | rn;
        break;
    }
    case Mffs::Lightweight: c.st_.set_fpr(d.rt, f & (kControl | FR | FI | FPRF)); break;
    }
    record_fp<Rc>(c);
    return Flow::Next;
}

// mcrfs: CR[BF] <- FPSCR field BFA (of bits 32:63), whose exception bits are then cleared.
inline Flow mcrfs(Vcpu &c, const Decoded &d) {
    using namespace fpstatus;
    if (fp_off(c))
        return fp_unavailable(c, d);
    const unsigned k = 8 + bits(d.word, 11, 13);
    c.st_.set_crf(d.rt >> 2, uint32_t(c.st_.fpscr >> (60 - 4 * k)) & 0xf);
    c.st_.fpscr = summarize(c.st_.fpscr & ~(field_mask(k) & (FX | kExceptions)));
    return Flow::Next;
}

// mtfsfi BF,U,W: field BF + 8*(1-W) <- U.
template <bool Rc>
Flow mtfsfi(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    const unsigned k = bits(d.word, 6, 8) + 8 * (1 - bits(d.word, 15, 15));
    return fpstatus::write<Rc>(c, fpstatus::field_mask(k), uint64_t(bits(d.word, 16, 19)) << (60 - 4 * k));
}

// mtfsf FLM,FRB,L,W: the fields FLM selects (of the word W names), or with L=1 all of FPSCR, from FRB.
template <bool Rc>
Flow mtfsf(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    uint64_t mask = 0;
    if (bits(d.word, 6, 6)) {
        mask = ~uint64_t(0);
    } else {
        const unsigned flm = bits(d.word, 7, 14), w = bits(d.word, 15, 15);
        for (unsigned i = 0; i < 8; ++i)
            if (flm & (0x80u >> i))
                mask |= fpstatus::field_mask(i + 8 * (1 - w));
    }
    return fpstatus::write<Rc>(c, mask, c.st_.fpr(d.rb));
}

// mtfsb0/mtfsb1 BT: FPSCR bit 32+BT. FEX and VX cannot be altered this way; setting an exception bit that
// was 0 also sets FX.
template <bool One, bool Rc>
Flow mtfsb(Vcpu &c, const Decoded &d) {
    using namespace fpstatus;
    if (fp_off(c))
        return fp_unavailable(c, d);
    const uint64_t bit = fp::ibm(32 + d.rt);
    uint64_t f = c.st_.fpscr;
    if (bit == FEX || bit == VX)
        return write<Rc, One>(c, 0, 0);
    if (One)
        f = (bit & kExceptions) ? raise(f, bit) : f | bit;
    else
        f &= ~bit;
    // mtfsb0 sets nothing, so it never causes an enabled exception (QEMU agrees).
    return write<Rc, One>(c, ~uint64_t(0), f);
}

} // namespace phv::isa::sem
