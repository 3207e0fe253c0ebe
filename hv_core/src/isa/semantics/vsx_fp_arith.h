// Book I 7.6: VSX scalar and vector floating-point arithmetic (add, subtract, multiply, divide, square root,
// the estimates, the multiply-adds in their A and M forms) and maximum/minimum. The exact work is hv_core/src/fp;
// single-precision vector elements are widened exactly to double format, computed with one rounding to single,
// and narrowed back exactly.
#pragma once
#include "fp/arith.h"
#include "fp/convert.h"
#include "isa/semantics/vsx_fp_common.h"

namespace phv::isa::sem {

namespace vsx {

enum class Op : uint8_t { Add, Sub, Mul, Div, Sqrt, Re, Rsqrte, RsqrteSingle, MAddA, MAddM, MSubA, MSubM, NMAddA, NMAddM, NMSubA, NMSubM };

// One element: a and b from XA and XB, t the element of XT: the addend in the A forms (XA*XB + XT), a
// multiplicand in the M forms (XA*XT + XB).
inline fp::Outcome arith(Op op, uint64_t a, uint64_t b, uint64_t t, const fp::Format &f, const fp::Env &env) {
    switch (op) {
    case Op::Add: return fp::add(a, b, f, env);
    case Op::Sub: return fp::sub(a, b, f, env);
    case Op::Mul: return fp::mul(a, b, f, env);
    case Op::Div: return fp::div(a, b, f, env);
    case Op::Sqrt: return fp::sqrt(b, f, env);
    case Op::Re: return fp::reciprocal_estimate(b, f, env);
    case Op::Rsqrte: return fp::rsqrt_estimate(b, f, env);
    case Op::RsqrteSingle: {
        // xvrsqrtesp: the square root rounded to single, then its reciprocal (as QEMU estimates it; any value
        // within the ISA's 1/2^14 bound is architected).
        const fp::Outcome r = fp::sqrt(b, f, env);
        if (fp::is_nan(r.bits) || fp::is_zero(b) || fp::is_inf(b))
            return fp::rsqrt_estimate(b, f, env);
        fp::Outcome q = fp::div(0x3ff0000000000000ull, r.bits, f, env);
        q.exc |= r.exc & fp::fpscr::XX;
        return q;
    }
    case Op::MAddA: return fp::fma(a, b, t, false, false, f, env);
    case Op::MAddM: return fp::fma(a, t, b, false, false, f, env);
    case Op::MSubA: return fp::fma(a, b, t, true, false, f, env);
    case Op::MSubM: return fp::fma(a, t, b, true, false, f, env);
    case Op::NMAddA: return fp::fma(a, b, t, false, true, f, env);
    case Op::NMAddM: return fp::fma(a, t, b, false, true, f, env);
    case Op::NMSubA: return fp::fma(a, b, t, true, true, f, env);
    case Op::NMSubM: return fp::fma(a, t, b, true, true, f, env);
    }
    return {};
}

// xsmaxdp/xsmindp and the vector forms (Book I 7.6, "VSX Scalar Maximum Double-Precision"): with a signaling
// NaN operand the result is the first NaN operand quieted, and VXSNAN; a quiet NaN loses to a number; +0 is
// greater than -0.
// xsmaxcdp/xsmincdp ("C" semantics): XB unless XA is strictly greater (less), so a NaN or equal operands give
// XB. xsmaxjdp/xsminjdp ("Java" semantics): a NaN operand is the result (XA's first), unquieted; +0 > -0.
// Every form raises VXSNAN for a signaling NaN operand.
enum class MaxMin : uint8_t { Max, Min, MaxC, MinC, MaxJ, MinJ };

inline bool less(uint64_t a, uint64_t b) {   // a < b for non-NaN doubles, -0 < +0
    const bool sa = fp::sign_of(a), sb = fp::sign_of(b);
    if (sa != sb)
        return sa;
    return sa ? (a & ~fp::kSign) > (b & ~fp::kSign) : a < b;
}
inline bool less_ieee(uint64_t a, uint64_t b) {   // a < b with -0 == +0
    if (fp::is_zero(a) && fp::is_zero(b))
        return false;
    return less(a, b);
}

inline fp::Outcome maxmin(MaxMin op, uint64_t a, uint64_t b) {
    using fp::is_nan;
    using fp::is_snan;
    const uint64_t exc = is_snan(a) || is_snan(b) ? fp::fpscr::VXSNAN : 0;
    uint64_t r;
    const bool max = op == MaxMin::Max || op == MaxMin::MaxC || op == MaxMin::MaxJ;
    switch (op) {
    case MaxMin::Max:
    case MaxMin::Min:
        if (exc)   // a signaling NaN: the first NaN operand, quieted (Book I 4.3.2)
            r = fp::quiet(is_nan(a) ? a : b);
        else if (is_nan(a))
            r = is_nan(b) ? a : b;
        else if (is_nan(b))
            r = a;
        else
            r = (max ? less(b, a) : less(a, b)) ? a : b;
        break;
    case MaxMin::MaxC:
    case MaxMin::MinC:
        r = !is_nan(a) && !is_nan(b) && (max ? less_ieee(b, a) : less_ieee(a, b)) ? a : b;
        break;
    case MaxMin::MaxJ:
    case MaxMin::MinJ:
        if (is_nan(a))
            r = a;
        else if (is_nan(b))
            r = b;
        else
            r = (max ? less(b, a) : less(a, b)) ? a : b;
        break;
    }
    return fp::Outcome{r, exc, false, false};
}

} // namespace vsx

// Scalar forms: double (Single=false) or single-precision results in double format, FPRF as the FP
// instructions set it.
template <vsx::Op Op, bool Single>
Flow xs_arith(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const auto &v = c.st_.vsr;
    const unsigned t = vsx::xt(d.word);
    const fp::Outcome o = vsx::arith(Op, v[vsx::xa(d.word)][0], v[vsx::xb(d.word)][0], v[t][0],
                                     Single ? fp::kSingle : fp::kDouble, fp_env(c));
    return vsx::scalar_commit(c, t, o, Single ? Fprf::Single : Fprf::Double);
}

// Vector forms: two doubles or four singles.
template <vsx::Op Op, bool Single>
Flow xv_arith(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const unsigned t = vsx::xt(d.word);
    const vsx::Vsr a = c.st_.vsr[vsx::xa(d.word)], b = c.st_.vsr[vsx::xb(d.word)], tt = c.st_.vsr[t];
    const fp::Env env = fp_env(c);
    vsx::Vsr r{};
    uint64_t exc = 0;
    if constexpr (Single) {
        for (unsigned i = 0; i < 4; ++i) {
            const fp::Outcome o = vsx::arith(Op, fp::single_to_double(vsx::word(a, i)), fp::single_to_double(vsx::word(b, i)),
                                             fp::single_to_double(vsx::word(tt, i)), fp::kSingle, env);
            vsx::set_word(r, i, fp::double_to_single(o.bits));
            exc |= o.exc;
        }
    } else {
        for (unsigned i = 0; i < 2; ++i) {
            const fp::Outcome o = vsx::arith(Op, a[i], b[i], tt[i], fp::kDouble, env);
            r[i] = o.bits;
            exc |= o.exc;
        }
    }
    return vsx::vector_commit(c, t, exc, r);
}

// Maximum and minimum alter only VXSNAN (and FX, VX); an enabled one leaves XT unchanged.
template <vsx::MaxMin Op>
Flow xs_maxmin(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const fp::Outcome o = vsx::maxmin(Op, c.st_.vsr[vsx::xa(d.word)][0], c.st_.vsr[vsx::xb(d.word)][0]);
    return vsx::scalar_commit(c, vsx::xt(d.word), o, Fprf::Keep, false);
}

template <vsx::MaxMin Op, bool Single>
Flow xv_maxmin(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const vsx::Vsr a = c.st_.vsr[vsx::xa(d.word)], b = c.st_.vsr[vsx::xb(d.word)];
    vsx::Vsr r{};
    uint64_t exc = 0;
    if constexpr (Single) {
        for (unsigned i = 0; i < 4; ++i) {
            const fp::Outcome o = vsx::maxmin(Op, fp::single_to_double(vsx::word(a, i)), fp::single_to_double(vsx::word(b, i)));
            vsx::set_word(r, i, fp::double_to_single(o.bits));
            exc |= o.exc;
        }
    } else {
        for (unsigned i = 0; i < 2; ++i) {
            const fp::Outcome o = vsx::maxmin(Op, a[i], b[i]);
            r[i] = o.bits;
            exc |= o.exc;
        }
    }
    return vsx::vector_commit(c, vsx::xt(d.word), exc, r);
}

} // namespace phv::isa::sem
