// Book I 7.6: VSX compares (to a CR field, or to a mask in VSR[XT]), the divide/square-root tests, the data
// class tests, and the moves that work on the sign bit.
#pragma once
#include <bit>

#include "isa/semantics/vsx_fp_common.h"

namespace phv::isa::sem {

namespace vsx {

// The CR/FPCC code LT GT EQ UN of a compare of two doubles.
inline uint32_t compare_code(uint64_t a, uint64_t b) {
    if (fp::is_nan(a) || fp::is_nan(b))
        return 1;
    const double x = std::bit_cast<double>(a), y = std::bit_cast<double>(b);   // exact
    return x < y ? 8 : x > y ? 4 : 2;
}

// The compare exceptions (Book I 4.6.8 for fcmpu/fcmpo): VXSNAN for a signaling NaN; an ordered compare also
// raises VXVC for a quiet NaN, and for a signaling NaN when VE=0.
inline uint64_t compare_exc(uint64_t a, uint64_t b, bool ordered, uint64_t fpscr) {
    using namespace fp::fpscr;
    if (!fp::is_nan(a) && !fp::is_nan(b))
        return 0;
    const bool snan = fp::is_snan(a) || fp::is_snan(b);
    uint64_t exc = snan ? VXSNAN : 0;
    if (ordered && (!snan || !(fpscr & VE)))
        exc |= VXVC;
    return exc;
}

// Test for software divide/square root (ftdiv/ftsqrt generalized to a format: emin, emax and precision p of
// the element). Returns fg (bit 1) and fe (bit 0).
struct Tst {
    bool fg, fe;
};
inline Tst tdiv(uint64_t a, uint64_t b, int emin, int emax, int p, int ea, int eb) {
    using namespace fp;
    bool fe = is_nan(a) || is_inf(a) || is_nan(b) || is_inf(b) || is_zero(b) || eb <= emin || eb >= emax - 2;
    if (!is_zero(a) && !is_nan(a) && !is_inf(a) && !is_nan(b) && !is_inf(b) && !is_zero(b))
        fe = fe || ea - eb >= emax || ea - eb <= emin + 1 || ea <= emin + p - 1;
    const bool fg = is_inf(a) || is_inf(b) || is_zero(b) || is_denormal(b);
    return {fg, fe};
}
inline Tst tsqrt(uint64_t b, int emin, int p, int eb) {
    using namespace fp;
    return {is_zero(b) || is_inf(b) || is_denormal(b),
            is_zero(b) || is_nan(b) || is_inf(b) || sign_of(b) || eb <= emin + p - 1};
}
// The unbiased exponent of a single word's exponent field (denormals and zero: -127).
inline int single_exp(uint32_t w) { return int((w >> 23) & 0xff) - 127; }

// Data class (Book I 7.6, xststdcdp): DCMX bit 0 (64) NaN, 1 +inf, 2 -inf, 3 +0, 4 -0, 5 +denormal, 6 -denormal.
inline bool data_class(uint64_t x, unsigned dcmx, bool single) {
    using namespace fp;
    const bool s = sign_of(x);
    unsigned m;
    if (is_nan(x))
        m = 64;
    else if (is_inf(x))
        m = s ? 16 : 32;
    else if (is_zero(x))
        m = s ? 4 : 8;
    else if (single ? class_of_single(x) == (s ? fprf::kNegDenormal : fprf::kPosDenormal) : is_denormal(x))
        m = s ? 1 : 2;
    else
        m = 0;
    return dcmx & m;
}

} // namespace vsx

// xscmpudp/xscmpodp BF,XA,XB: as fcmpu/fcmpo.
template <bool Ordered>
Flow xscmp(Vcpu &c, const Decoded &d) {
    using namespace fp::fpscr;
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const uint64_t a = c.st_.vsr[vsx::xa(d.word)][0], b = c.st_.vsr[vsx::xb(d.word)][0];
    const uint32_t cc = vsx::compare_code(a, b);
    const uint64_t exc = vsx::compare_exc(a, b, Ordered, c.st_.fpscr);
    uint64_t f = raise(c.st_.fpscr, exc);
    f = (f & ~FPCC) | uint64_t(cc) << kFpccShift;
    c.st_.fpscr = summarize(f);
    c.st_.set_crf(bits(d.word, 6, 8), cc);
    return fp_finish<false>(c, enabled(c.st_.fpscr, exc));
}

// xscmpexpdp BF,XA,XB: the exponent fields compared; a NaN operand is unordered. No exception.
inline Flow xscmpexpdp(Vcpu &c, const Decoded &d) {
    using namespace fp::fpscr;
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const uint64_t a = c.st_.vsr[vsx::xa(d.word)][0], b = c.st_.vsr[vsx::xb(d.word)][0];
    const unsigned ea = fp::exp_field(a), eb = fp::exp_field(b);
    const uint32_t cc = fp::is_nan(a) || fp::is_nan(b) ? 1 : ea < eb ? 8 : ea > eb ? 4 : 2;
    c.st_.fpscr = (c.st_.fpscr & ~FPCC) | uint64_t(cc) << kFpccShift;
    c.st_.set_crf(bits(d.word, 6, 8), cc);
    return Flow::Next;
}

// xscmpeqdp/xscmpgtdp/xscmpgedp XT,XA,XB (ISA 3.0): an all-ones or all-zeros doubleword 0, doubleword 1
// cleared. eq is a quiet compare; gt and ge are ordered (VXVC for a NaN). An enabled exception leaves XT.
enum class VsxCmp : uint8_t { Eq, Gt, Ge };
template <VsxCmp K>
Flow xscmp_mask(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const uint64_t a = c.st_.vsr[vsx::xa(d.word)][0], b = c.st_.vsr[vsx::xb(d.word)][0];
    const uint32_t cc = vsx::compare_code(a, b);
    const bool r = K == VsxCmp::Eq ? cc == 2 : K == VsxCmp::Gt ? cc == 4 : (cc == 4 || cc == 2);
    const fp::Outcome o{r ? ~0ull : 0, vsx::compare_exc(a, b, K != VsxCmp::Eq, c.st_.fpscr), false, false};
    return vsx::scalar_commit(c, vsx::xt(d.word), o, Fprf::Keep, false);
}

// xvcmpeq/gt/ge dp/sp[.]: a mask per element; the record form sets CR6 to all-true || 0 || all-false || 0.
// With an enabled exception neither XT nor CR6 is written (Book I 7.6, xvcmpeqdp: both under ex_flag = 0).
template <VsxCmp K, bool Single, bool Record>
Flow xvcmp(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const vsx::Vsr a = c.st_.vsr[vsx::xa(d.word)], b = c.st_.vsr[vsx::xb(d.word)];
    vsx::Vsr r{};
    uint64_t exc = 0;
    bool all_true = true, all_false = true;
    const unsigned n = Single ? 4 : 2;
    for (unsigned i = 0; i < n; ++i) {
        const uint64_t x = Single ? fp::single_to_double(vsx::word(a, i)) : a[i];
        const uint64_t y = Single ? fp::single_to_double(vsx::word(b, i)) : b[i];
        const uint32_t cc = vsx::compare_code(x, y);
        const bool t = K == VsxCmp::Eq ? cc == 2 : K == VsxCmp::Gt ? cc == 4 : (cc == 4 || cc == 2);
        exc |= vsx::compare_exc(x, y, K != VsxCmp::Eq, c.st_.fpscr);
        if (Single)
            vsx::set_word(r, i, t ? ~0u : 0);
        else
            r[i] = t ? ~0ull : 0;
        all_true &= t;
        all_false &= !t;
    }
    if (Record && !enabled(fp::fpscr::summarize(raise(c.st_.fpscr, exc)), exc))
        c.st_.set_crf(6, (all_true ? 8u : 0u) | (all_false ? 2u : 0u));
    return vsx::vector_commit(c, vsx::xt(d.word), exc, r);
}

// xstdivdp/xvtdivdp/xvtdivsp BF,XA,XB and xstsqrtdp/xvtsqrtdp/xvtsqrtsp BF,XB: CR[BF] <- 0b1 || fg || fe || 0
// with fg and fe ORed over the elements. No FPSCR change.
template <bool Single, unsigned N>
Flow xtdiv(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const vsx::Vsr a = c.st_.vsr[vsx::xa(d.word)], b = c.st_.vsr[vsx::xb(d.word)];
    bool fg = false, fe = false;
    for (unsigned i = 0; i < N; ++i) {
        vsx::Tst t;
        if (Single) {
            const uint32_t x = vsx::word(a, i), y = vsx::word(b, i);
            t = vsx::tdiv(fp::single_to_double(x), fp::single_to_double(y), -126, 127, 24, vsx::single_exp(x),
                          vsx::single_exp(y));
            // A single denormal is a double normal: classify it in its own format.
            t.fg = t.fg || (((y >> 23) & 0xff) == 0 && (y & 0x7fffff));
        } else {
            t = vsx::tdiv(a[i], b[i], -1022, 1023, 53, fp::unbiased_exp(a[i]), fp::unbiased_exp(b[i]));
        }
        fg |= t.fg;
        fe |= t.fe;
    }
    c.st_.set_crf(bits(d.word, 6, 8), 8u | (fg ? 4u : 0u) | (fe ? 2u : 0u));
    return Flow::Next;
}

template <bool Single, unsigned N>
Flow xtsqrt(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const vsx::Vsr b = c.st_.vsr[vsx::xb(d.word)];
    bool fg = false, fe = false;
    for (unsigned i = 0; i < N; ++i) {
        vsx::Tst t;
        if (Single) {
            const uint32_t y = vsx::word(b, i);
            t = vsx::tsqrt(fp::single_to_double(y), -126, 24, vsx::single_exp(y));
            t.fg = t.fg || (((y >> 23) & 0xff) == 0 && (y & 0x7fffff));
        } else {
            t = vsx::tsqrt(b[i], -1022, 53, fp::unbiased_exp(b[i]));
        }
        fg |= t.fg;
        fe |= t.fe;
    }
    c.st_.set_crf(bits(d.word, 6, 8), 8u | (fg ? 4u : 0u) | (fe ? 2u : 0u));
    return Flow::Next;
}

// xststdcdp/xststdcsp BF,XB,DCMX: CR[BF] and FPCC <- sign || 0 || match || not_sp (DCMX in bits 9:15);
// not_sp (xststdcsp only) says the operand is not a single-precision value: SINGLE() then DOUBLE() changes it.
template <bool Single>
Flow xststdc(Vcpu &c, const Decoded &d) {
    using namespace fp::fpscr;
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const uint64_t b = c.st_.vsr[vsx::xb(d.word)][0];
    const bool match = vsx::data_class(b, bits(d.word, 9, 15), Single);
    const bool not_sp = Single && fp::single_to_double(fp::double_to_single(b)) != b;
    const uint32_t cc = (fp::sign_of(b) ? 8u : 0u) | (match ? 2u : 0u) | (not_sp ? 1u : 0u);
    c.st_.fpscr = (c.st_.fpscr & ~FPCC) | uint64_t(cc) << kFpccShift;
    c.st_.set_crf(bits(d.word, 6, 8), cc);
    return Flow::Next;
}

// xvtstdcdp/xvtstdcsp XT,XB,DCMX: a mask per element. DCMX = dc (bit 25) || dm (bit 29) || dx (bits 11:15).
template <bool Single>
Flow xvtstdc(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const unsigned dcmx = bits(d.word, 25, 25) << 6 | bits(d.word, 29, 29) << 5 | bits(d.word, 11, 15);
    const vsx::Vsr b = c.st_.vsr[vsx::xb(d.word)];
    vsx::Vsr r{};
    if (Single) {
        for (unsigned i = 0; i < 4; ++i)
            vsx::set_word(r, i, vsx::data_class(fp::single_to_double(vsx::word(b, i)), dcmx, true) ? ~0u : 0);
    } else {
        for (unsigned i = 0; i < 2; ++i)
            r[i] = vsx::data_class(b[i], dcmx, false) ? ~0ull : 0;
    }
    c.st_.vsr[vsx::xt(d.word)] = r;
    return Flow::Next;
}

// Sign-bit moves: xsabsdp/xsnabsdp/xsnegdp/xscpsgndp (doubleword 1 cleared) and the vector forms. No FPSCR.
enum class SignOp : uint8_t { Abs, Nabs, Neg, Cpsgn };
template <SignOp Op>
constexpr uint64_t sign_op(uint64_t b, uint64_t a, uint64_t sign) {
    switch (Op) {
    case SignOp::Abs: return b & ~sign;
    case SignOp::Nabs: return b | sign;
    case SignOp::Neg: return b ^ sign;
    case SignOp::Cpsgn: return (b & ~sign) | (a & sign);
    }
    return b;
}

template <SignOp Op>
Flow xs_sign(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const uint64_t a = c.st_.vsr[vsx::xa(d.word)][0], b = c.st_.vsr[vsx::xb(d.word)][0];
    c.st_.vsr[vsx::xt(d.word)] = {sign_op<Op>(b, a, fp::kSign), 0};
    return Flow::Next;
}

// The vector forms flip the sign bit of each element: of each doubleword, or of each word.
template <SignOp Op, bool Single>
Flow xv_sign(Vcpu &c, const Decoded &d) {
    if (vsx::off(c))
        return vsx::unavailable(c, d);
    const vsx::Vsr a = c.st_.vsr[vsx::xa(d.word)], b = c.st_.vsr[vsx::xb(d.word)];
    const uint64_t sign = Single ? 0x8000000080000000ull : fp::kSign;
    c.st_.vsr[vsx::xt(d.word)] = {sign_op<Op>(b[0], a[0], sign), sign_op<Op>(b[1], a[1], sign)};
    return Flow::Next;
}

} // namespace phv::isa::sem
