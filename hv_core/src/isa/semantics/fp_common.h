// What every floating-point instruction shares (Book I 4.2-4.4): the MSR[FP] check, the FPSCR update of an
// operation's outcome (sticky bits, FX, FR/FI, FPRF, the summaries FEX and VX), the rules for which enabled
// exceptions leave the target unchanged, CR1 for the record forms, and the enabled-exception interrupt.
#pragma once
#include "fp/format.h"
#include "fp/round.h"
#include "isa/semantics/common.h"

namespace phv::isa::sem {

// Book I chapter 4: every FP instruction starts "if MSR.FP = 0 then FP_Unavailable()".
inline bool fp_off(const Vcpu &c) { return !(c.st_.msr & msr::FP); }
// The FP Unavailable interrupt as vcpu/interrupts.cpp delivers it for the whole FP opcode space (including
// its guard against an instruction that sits at the 0x800 vector itself).
inline Flow fp_unavailable(Vcpu &c, const Decoded &d) { return c.illegal_instruction(d.word); }

inline fp::Env fp_env(const Vcpu &c) {
    const uint64_t f = c.st_.fpscr;
    return fp::Env{fp::Round(f & fp::fpscr::RN), (f & fp::fpscr::OE) != 0, (f & fp::fpscr::UE) != 0};
}

// Rc=1: CR1 <- FPSCR[FX FEX VX OX] (Book I 4.6, "Record form").
template <bool Rc>
inline void record_fp(Vcpu &c) {
    if constexpr (Rc)
        c.st_.set_crf(1, uint32_t(c.st_.fpscr >> 28) & 0xf);
}

// Sets sticky exception bits, and FX for each that goes from 0 to 1 (Book I 4.2.2, FX).
inline uint64_t raise(uint64_t f, uint64_t exc) {
    exc &= fp::fpscr::kExceptions;
    if (exc & ~f)
        f |= fp::fpscr::FX;
    return f | exc;
}

// With MSR[FE0|FE1] != 0, an instruction that causes an enabled exception takes a Program interrupt once it
// has completed (Book III 7.5.9, precise mode: SRR0 is the instruction, SRR1[43] says FP enabled). phv treats
// the imprecise modes as precise, which the ISA allows.
// The interrupt is taken before the record form's CR1 update, as on QEMU (CR1 is left as it was).
template <bool Rc>
inline Flow fp_finish(Vcpu &c, bool caused) {
    if (caused && (c.st_.msr & (msr::FE0 | msr::FE1))) {
        c.stats().program_interrupts++;
        return c.program_interrupt(srr1::kFPEnabled);
    }
    record_fp<Rc>(c);
    return Flow::Next;
}

inline bool enabled(uint64_t f, uint64_t exc) {
    using namespace fp::fpscr;
    return ((exc & kVxAll) && (f & VE)) || ((exc & OX) && (f & OE)) || ((exc & UX) && (f & UE)) ||
           ((exc & ZX) && (f & ZE)) || ((exc & XX) && (f & XE));
}

enum class Fprf : uint8_t { Double, Single, Keep, QNaN };

// Applies an arithmetic outcome to FPSCR and says whether the target is written. An enabled invalid-operation
// or zero-divide exception leaves the target and FPRF unchanged and clears FR and FI (Book I 4.4.1, 4.4.2);
// enabled overflow and underflow already gave the scaled result (fp/round.cpp); an enabled inexact exception
// changes nothing.
inline bool fp_update(Vcpu &c, const fp::Outcome &o, Fprf fprf, bool sets_frfi = true) {
    using namespace fp::fpscr;
    uint64_t f = raise(c.st_.fpscr, o.exc);
    const bool suppressed = ((o.exc & kVxAll) && (f & VE)) || ((o.exc & ZX) && (f & ZE));
    if (suppressed) {
        if (sets_frfi)   // (instructions that never alter FR/FI, e.g. xsmaxdp, keep them here too)
            f &= ~(FR | FI);
    } else {
        if (sets_frfi)
            f = (f & ~(FR | FI)) | (o.fr ? FR : 0) | (o.fi ? FI : 0);
        if (fprf != Fprf::Keep) {
            const uint32_t cls = fprf == Fprf::Single ? fp::class_of_single(o.bits)
                                 : fprf == Fprf::QNaN ? fp::fprf::kQNaN
                                                      : fp::class_of(o.bits);
            f = (f & ~FPRF) | uint64_t(cls) << kFprfShift;
        }
    }
    c.st_.fpscr = summarize(f);
    return !suppressed;
}

// Commits an arithmetic outcome to FRT and FPSCR (fp_update), then takes an enabled exception's interrupt.
template <bool Rc>
inline Flow fp_commit(Vcpu &c, unsigned frt, const fp::Outcome &o, Fprf fprf, bool sets_frfi = true) {
    if (fp_update(c, o, fprf, sets_frfi))
        c.st_.set_fpr(frt, o.bits);
    return fp_finish<Rc>(c, enabled(c.st_.fpscr, o.exc));
}

// The FPSCR a guest's FP loop runs with nearly always: round to nearest, inexact not enabled. There a normal
// binary64 result in range raises nothing but XX, so fp_commit's general bookkeeping reduces to
// fp_commit_quick's (fp_arith takes the host's round-to-nearest routines then).
inline bool fp_quick_env(uint64_t fpscr) { return (fpscr & (fp::fpscr::RN | fp::fpscr::XE)) == 0; }

// fp_commit of an outcome that is a normal binary64 number raising XX at most, under fp_quick_env: what
// raise(), fp_update() and fp_finish() do with it, which is never an interrupt: the outcome is Flow::Next.
template <bool Rc>
inline void fp_commit_quick(Vcpu &c, unsigned frt, uint64_t bits, bool inexact, bool fr) {
    using namespace fp::fpscr;
    uint64_t f = c.st_.fpscr;
    if (inexact && !(f & XX))
        f |= XX | FX;
    const uint64_t cls = (bits & fp::kSign) ? fp::fprf::kNegNormal : fp::fprf::kPosNormal;
    f = (f & ~(FR | FI | FPRF)) | (fr ? FR : 0) | (inexact ? FI : 0) | cls << kFprfShift;
    c.st_.fpscr = summarize(f);
    c.st_.set_fpr(frt, bits);
    record_fp<Rc>(c);
}

// FPR moves and loads that do not touch FPSCR.
template <bool Rc>
inline Flow fp_move(Vcpu &c, unsigned frt, uint64_t v) {
    c.st_.set_fpr(frt, v);
    record_fp<Rc>(c);
    return Flow::Next;
}

} // namespace phv::isa::sem
