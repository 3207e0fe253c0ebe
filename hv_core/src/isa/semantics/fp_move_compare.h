// Book I 4.6.4 (move and merge), 4.6.8 (compare and test): instructions that move bits or set a CR field.
#pragma once
#include <bit>

#include "isa/semantics/fp_common.h"

namespace phv::isa::sem {

enum class FpMove : uint8_t { Mr, Neg, Abs, Nabs, Cpsgn };

template <FpMove Op, bool Rc>
Flow fp_move_op(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    const uint64_t b = c.st_.fpr(d.rb);
    uint64_t r = b;
    switch (Op) {
    case FpMove::Mr: break;
    case FpMove::Neg: r = b ^ fp::kSign; break;
    case FpMove::Abs: r = b & ~fp::kSign; break;
    case FpMove::Nabs: r = b | fp::kSign; break;
    case FpMove::Cpsgn: r = (b & ~fp::kSign) | (c.st_.fpr(d.ra) & fp::kSign); break;
    }
    return fp_move<Rc>(c, d.rt, r);
}

// fmrgew/fmrgow (ISA 2.07): the even (high) or odd (low) words of FRA and FRB side by side.
template <bool Odd>
Flow fmrg(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    const uint64_t a = c.st_.fpr(d.ra), b = c.st_.fpr(d.rb);
    c.st_.set_fpr(d.rt, Odd ? a << 32 | uint32_t(b) : (a & 0xffffffff00000000ull) | b >> 32);
    return Flow::Next;
}

// fcmpu/fcmpo: CR[BF] and FPCC <- LT GT EQ UN. A signaling NaN is VXSNAN; fcmpo also raises VXVC for a
// quiet NaN, and for a signaling NaN when VE=0 (Book I 4.6.8).
template <bool Ordered>
Flow fcmp(Vcpu &c, const Decoded &d) {
    using namespace fp::fpscr;
    if (fp_off(c))
        return fp_unavailable(c, d);
    const uint64_t a = c.st_.fpr(d.ra), b = c.st_.fpr(d.rb);
    uint32_t cc;
    uint64_t exc = 0;
    if (fp::is_nan(a) || fp::is_nan(b)) {
        cc = 1;
        const bool snan = fp::is_snan(a) || fp::is_snan(b);
        if (snan)
            exc |= VXSNAN;
        if (Ordered && (!snan || !(c.st_.fpscr & VE)))
            exc |= VXVC;
    } else {
        const double x = std::bit_cast<double>(a), y = std::bit_cast<double>(b);   // exact: no rounding
        cc = x < y ? 8 : x > y ? 4 : 2;
    }
    uint64_t f = raise(c.st_.fpscr, exc);
    f = (f & ~FPCC) | uint64_t(cc) << kFpccShift;
    c.st_.fpscr = summarize(f);
    c.st_.set_crf(d.rt >> 2, cc);
    return fp_finish<false>(c, enabled(c.st_.fpscr, exc));
}

// ftdiv/ftsqrt (Book I 4.6.8): CR[BF] <- 0b1 || fg || fe || 0b0, telling software whether a division or
// square root needs its careful path. No FPSCR change.
inline Flow ftdiv(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    using namespace fp;
    const uint64_t a = c.st_.fpr(d.ra), b = c.st_.fpr(d.rb);
    const int ea = unbiased_exp(a), eb = unbiased_exp(b);
    bool fe = is_nan(a) || is_inf(a) || is_nan(b) || is_inf(b) || is_zero(b) || eb <= -1022 || eb >= 1021;
    if (!is_zero(a) && !is_nan(a) && !is_inf(a) && !is_nan(b) && !is_inf(b) && !is_zero(b))
        fe = fe || ea - eb >= 1023 || ea - eb <= -1021 || ea <= -970;
    const bool fg = is_inf(a) || is_inf(b) || is_zero(b) || is_denormal(b);
    c.st_.set_crf(d.rt >> 2, 8u | (fg ? 4u : 0u) | (fe ? 2u : 0u));
    return Flow::Next;
}

inline Flow ftsqrt(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    using namespace fp;
    const uint64_t b = c.st_.fpr(d.rb);
    const bool fe = is_zero(b) || is_nan(b) || is_inf(b) || sign_of(b) || unbiased_exp(b) <= -970;
    const bool fg = is_zero(b) || is_inf(b) || is_denormal(b);
    c.st_.set_crf(d.rt >> 2, 8u | (fg ? 4u : 0u) | (fe ? 2u : 0u));
    return Flow::Next;
}

} // namespace phv::isa::sem
