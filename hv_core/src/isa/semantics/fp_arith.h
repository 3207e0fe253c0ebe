// Book I 4.6.5-4.6.7: arithmetic, multiply-add, rounding and conversion instructions. Each row names the
// operation; the exact work is in hv_core/src/fp/.
#pragma once
#include "fp/arith.h"
#include "fp/convert.h"
#include "fp/host_fast.h"
#include "isa/semantics/fp_common.h"

namespace phv::isa::sem {

enum class FpOp : uint8_t { Add, Sub, Mul, Div, Sqrt, Re, Rsqrte, MAdd, MSub, NMAdd, NMSub };

// The binary64 forms under fp_quick_env on the host's round-to-nearest routines: true when done (the outcome
// is Flow::Next), false when they decline and the general path must run, nothing changed.
template <FpOp Op, bool Rc>
inline bool fp_arith_quick(Vcpu &c, unsigned frt, uint64_t a, uint64_t b, uint64_t cc) {
    fp::host::Quick q;
    bool ok;
    if constexpr (Op == FpOp::Add || Op == FpOp::Sub) {
        ok = fp::host::nearest_add(a, b, Op == FpOp::Sub, q);
    } else if constexpr (Op == FpOp::Mul) {
        ok = fp::host::nearest_mul(a, cc, q);
    } else if constexpr (Op == FpOp::Div) {
        ok = fp::host::nearest_div(a, b, q);
    } else if constexpr (Op == FpOp::Sqrt) {
        ok = fp::host::nearest_sqrt(b, q);
    } else {
        constexpr bool sub = Op == FpOp::MSub || Op == FpOp::NMSub;
        constexpr bool negate = Op == FpOp::NMAdd || Op == FpOp::NMSub;
        fp::Outcome o;
        ok = fp::host::fma(a, cc, sub ? b ^ fp::kSign : b, fp::Env{}, o);
        // Negating the rounded sum is rounding the negated one (round to nearest is symmetric); FR and FI
        // speak of magnitudes.
        q = fp::host::Quick{negate ? o.bits ^ fp::kSign : o.bits, o.fi, o.fr};
    }
    if (ok)
        fp_commit_quick<Rc>(c, frt, q.bits, q.inexact, q.fr);
    return ok;
}

// A-form: FRT, FRA, FRB, FRC in d.rt, d.ra, d.rb, d.rc. Single = the 's' forms of primary opcode 59, which
// round once to single precision and set FPRF for a single-precision result.
template <FpOp Op, bool Single, bool Rc>
Flow fp_arith(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    const uint64_t a = c.st_.fpr(d.ra), b = c.st_.fpr(d.rb), cc = c.st_.fpr(d.rc);
    if constexpr (!Single && Op != FpOp::Re && Op != FpOp::Rsqrte) {
        if (fp_quick_env(c.st_.fpscr) && fp_arith_quick<Op, Rc>(c, d.rt, a, b, cc))
            return Flow::Next;
    }
    const fp::Format &f = Single ? fp::kSingle : fp::kDouble;
    const fp::Env env = fp_env(c);
    fp::Outcome o;
    switch (Op) {
    case FpOp::Add: o = fp::add(a, b, f, env); break;
    case FpOp::Sub: o = fp::sub(a, b, f, env); break;
    case FpOp::Mul: o = fp::mul(a, cc, f, env); break;
    case FpOp::Div: o = fp::div(a, b, f, env); break;
    case FpOp::Sqrt: o = fp::sqrt(b, f, env); break;
    case FpOp::Re: o = fp::reciprocal_estimate(b, f, env); break;
    case FpOp::Rsqrte: o = fp::rsqrt_estimate(b, f, env); break;
    case FpOp::MAdd: o = fp::fma(a, cc, b, false, false, f, env); break;
    case FpOp::MSub: o = fp::fma(a, cc, b, true, false, f, env); break;
    case FpOp::NMAdd: o = fp::fma(a, cc, b, false, true, f, env); break;
    case FpOp::NMSub: o = fp::fma(a, cc, b, true, true, f, env); break;
    }
    return fp_commit<Rc>(c, d.rt, o, Single ? Fprf::Single : Fprf::Double);
}

// fsel (Book I 4.6.8): FRC if FRA >= 0 (either zero), else FRB; a NaN FRA selects FRB. No FPSCR change.
template <bool Rc>
Flow fsel(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    const uint64_t a = c.st_.fpr(d.ra);
    const bool ge = !fp::is_nan(a) && (!fp::sign_of(a) || fp::is_zero(a));
    return fp_move<Rc>(c, d.rt, ge ? c.st_.fpr(d.rc) : c.st_.fpr(d.rb));
}

// frsp (Book I 4.6.7.1).
template <bool Rc>
Flow frsp(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    return fp_commit<Rc>(c, d.rt, fp::round_to_single(c.st_.fpr(d.rb), fp_env(c)), Fprf::Single);
}

// fcti[w|d][u][z] (Book I 4.6.7.2).
template <fp::IntKind Kind, bool TowardZero, bool Rc>
Flow fcti(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    const fp::Round rn = TowardZero ? fp::Round::Zero : fp_env(c).rn;
    const fp::Outcome o = fp::to_integer(c.st_.fpr(d.rb), Kind, rn);
    // FPRF is undefined after a conversion to integer (Book I 4.6.7.2); phv does what QEMU does: the QNaN
    // class after an invalid one, unchanged otherwise.
    return fp_commit<Rc>(c, d.rt, o, (o.exc & fp::fpscr::VXCVI) ? Fprf::QNaN : Fprf::Keep);
}

// fcfid[u][s] (Book I 4.6.7.2).
template <bool Signed, bool Single, bool Rc>
Flow fcfid(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    const fp::Outcome o = fp::from_integer(c.st_.fpr(d.rb), Signed, Single ? fp::kSingle : fp::kDouble, fp_env(c));
    return fp_commit<Rc>(c, d.rt, o, Single ? Fprf::Single : Fprf::Double);
}

// frin/friz/frip/frim (Book I 4.6.7.3).
template <fp::IntRound Mode, bool Rc>
Flow fri(Vcpu &c, const Decoded &d) {
    if (fp_off(c))
        return fp_unavailable(c, d);
    return fp_commit<Rc>(c, d.rt, fp::round_to_integral(c.st_.fpr(d.rb), Mode), Fprf::Double);
}

} // namespace phv::isa::sem
