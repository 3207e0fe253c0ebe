// VSX floating point (Book I chapter 7) against the oracle: every case of vsx_fp_oracle.inc, generated at build
// time by data/gen_vsx_fp_oracle.py under qemu-ppc64le -cpu power10, replayed on a phv vcpu. VSR[XT], FPSCR,
// CR, RT and whether the FP enabled exception Program interrupt was taken must all agree, bit for bit, except
// where QEMU is wrong (data/fp_oracle_differences.md, each with its ISA section).
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "fp/arith.h"
#include "fp/format.h"
#include "fp/quad.h"
#include "guest_code.h"
#include "isa/decoder.h"
#include "vcpu/cpu_state.h"
#include "vcpu/vcpu.h"

namespace phv::test {
namespace {

struct VsxCase {
    uint32_t word;
    uint64_t fpscr_in, t_in[2], a[2], b[2], t_out[2], fpscr_out;
    uint32_t cr_out;
    uint64_t rt_out;
    int trapped;
};

constexpr VsxCase kCases[] = {
#include "vsx_fp_oracle.inc"   // generated at build time by data/gen_vsx_fp_oracle.py
};

constexpr uint64_t kSentinel = 0x5555555555555555ull;
constexpr uint64_t kFR = 1ull << (63 - 45), kFX = 1ull << 31, kFPRF = 0x1full << 12;
constexpr uint64_t kExceptionBits = 0x1ff80700ull;   // OX UX ZX XX VXSNAN..VXVC, VXSOFT VXSQRT VXCVI
constexpr uint64_t kSrr1FpEnabled = 1ull << (63 - 43);
// The registers the generator uses: XT = vs40, XA = vs9 (VRA = vs41), XB = vs42, RT = r9, RA = r7, RB = r8.
constexpr unsigned kXT = 40, kXA = 9, kVRA = 41, kXB = 42;

std::string mnemonic(uint32_t w) {
    const isa::InsnDef *d = isa::find_insn(w);
    return d ? std::string(d->mnemonic) : "?";
}

// xs/xvnm{add,sub}[am]{dp,sp} under the other directed rounding mode: what QEMU computes (negate, then round)
// when the ISA rounds, then negates (fp_oracle_differences.md, Book I 4.6.6 / 7.6).
bool qemu_fnm(const std::string &m, const VsxCase &k) {
    if (!(m.starts_with("xsnm") || m.starts_with("xvnm")) || (k.fpscr_in & 3) < 2)
        return false;
    const fp::Env env{(k.fpscr_in & 3) == 2 ? fp::Round::Down : fp::Round::Up, bool(k.fpscr_in & (1u << 6)),
                      bool(k.fpscr_in & (1u << 5))};
    fp::Env own = env;   // an exact result (a zero sum) QEMU rounds in the mode FPSCR names
    own.rn = fp::Round(k.fpscr_in & 3);
    const bool sub = m.find("sub") != std::string::npos, aform = m[m.size() - 3] == 'a';
    const bool single = m.ends_with("sp");
    auto one = [&](uint64_t a, uint64_t b, uint64_t t, const fp::Env &e) {
        return aform ? fp::fma(a, b, t, sub, true, single ? fp::kSingle : fp::kDouble, e).bits
                     : fp::fma(a, t, b, sub, true, single ? fp::kSingle : fp::kDouble, e).bits;
    };
    if (m.ends_with("qp")) {   // xsnm{add,sub}qp: VRA*VRB + VRT
        const fp::QOutcome r = fp::q_fma(fp::q_of(k.a[0], k.a[1]), fp::q_of(k.b[0], k.b[1]),
                                         fp::q_of(k.t_in[0], k.t_in[1]), sub, true, env);
        return r.bits == fp::q_of(k.t_out[0], k.t_out[1]);
    }
    if (m.starts_with("xs"))
        return one(k.a[0], k.b[0], k.t_in[0], env) == k.t_out[0];
    for (unsigned i = 0; i < (single ? 4u : 2u); ++i) {
        auto elem = [&](const uint64_t *v) {
            return single ? fp::single_to_double(uint32_t(v[i >> 1] >> (i & 1 ? 0 : 32))) : v[i];
        };
        const uint64_t q = single ? uint32_t(k.t_out[i >> 1] >> (i & 1 ? 0 : 32)) : k.t_out[i];
        auto narrow = [&](uint64_t r) { return single ? uint64_t(fp::double_to_single(r)) : r; };
        if (narrow(one(elem(k.a), elem(k.b), elem(k.t_in), env)) != q &&
            narrow(one(elem(k.a), elem(k.b), elem(k.t_in), own)) != q)
            return false;
    }
    return true;
}

// A vector conversion to integer where QEMU's result differs from phv's only in elements holding the
// invalid-conversion value (QEMU 7.2 keeps the invalid flag from one element to the next).
bool qemu_sticky_invalid(const std::string &m, const VsxCase &k, uint64_t t0, uint64_t t1) {
    if ((!m.starts_with("xvcvdp") && !m.starts_with("xvcvsp")) || !((k.fpscr_out | k.fpscr_in) & (1ull << (63 - 55))))
        return false;
    if (m.size() != 10 || (m[7] != 'x') || !(m.ends_with("ds") || m.ends_with("ws")))
        return false;
    const bool word = m[8] == 'w', sign = m[6] == 's';
    const uint64_t p[2] = {t0, t1};
    for (unsigned i = 0; i < (word ? 4u : 2u); ++i) {
        const uint64_t pe = word ? uint32_t(p[i >> 1] >> (i & 1 ? 0 : 32)) : p[i];
        const uint64_t qe = word ? uint32_t(k.t_out[i >> 1] >> (i & 1 ? 0 : 32)) : k.t_out[i];
        // The values an invalid conversion can leave: the NaN result, and the saturations QEMU also gives a
        // quiet NaN source (0x7fffffff where Book I 7.6 says 0x80000000).
        const uint64_t top = word ? 0x80000000ull : 0x8000000000000000ull;
        const bool invalid_value = qe == (sign ? top : 0) || qe == (sign ? top - 1 : (top << 1) - 1);
        if (pe != qe && !invalid_value)
            return false;
    }
    return true;
}

TEST(VsxFpOracle, EveryCaseMatchesQemu) {
    GuestCode g;
    g.vector_stub(0x700);
    g.set_reg(PHV_REG_PPC_LPCR_64, lpcr::ILE);   // the stub at 0x700 is little-endian code
    auto &st = reinterpret_cast<Vcpu *>(g.vcpu)->state();
    const uint64_t msr = msr::SF | msr::ME | msr::LE | msr::FP | msr::VEC | msr::VSX | msr::FE0 | msr::FE1;
    uint32_t loaded = 0;
    std::map<std::string, unsigned> bad;
    for (const VsxCase &k : kCases) {
        if (k.word != loaded || loaded == 0) {
            g.load(with_done({k.word}));
            reinterpret_cast<Vcpu *>(g.vcpu)->request_code_invalidate(GuestCode::kCodeBase);
            loaded = k.word;
        }
        g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        g.set_reg(PHV_REG_PPC_MSR, msr);
        st.vsr[kXT] = {k.t_in[0], k.t_in[1]};
        st.vsr[kXA] = st.vsr[kVRA] = {k.a[0], k.a[1]};
        st.vsr[kXB] = {k.b[0], k.b[1]};
        g.set_gpr(7, k.a[0]);
        g.set_gpr(8, k.b[0]);
        g.set_gpr(9, kSentinel);
        g.set_reg(PHV_REG_PPC_FPSCR, k.fpscr_in);
        g.set_reg(PHV_REG_PPC_CR, 0);
        g.set_gpr(30, 0);
        // The previous run ended in an hcall, which completes on re-entry by writing r3..r12.
        g.run_data->papr_hcall.ret = g.gpr(3);
        for (unsigned i = 0; i < 9; ++i)
            g.run_data->papr_hcall.args[i] = g.gpr(4 + i);
        g.run_to_done();
        const bool trapped = g.gpr(30) == 0x70;
        const uint64_t t0 = st.vsr[kXT][0], t1 = st.vsr[kXT][1], rt = g.gpr(9);
        uint64_t f = g.reg(PHV_REG_PPC_FPSCR);
        const uint32_t cr = uint32_t(g.reg(PHV_REG_PPC_CR));
        // QEMU never writes FPSCR[FR] (fp_oracle_differences.md, Book I 4.2.2 bit 45): where it left FR as it
        // was, phv's own FR is not compared here.
        const uint64_t fr_mask = ((k.fpscr_out ^ k.fpscr_in) & kFR) ? 0 : kFR;
        // QEMU sets FX for every exception an instruction raises; the ISA only when an exception bit goes from
        // 0 to 1 (fp_oracle_differences.md, Book I 4.2.2 bit 32). Where no bit did, phv's FX=0 stands.
        const bool qemu_fx_only = !(k.fpscr_in & kFX) && (k.fpscr_out & kFX) && !(f & kFX) &&
                                  !((k.fpscr_out & ~k.fpscr_in) & kExceptionBits);
        if (qemu_fx_only)
            f |= kFX;
        const std::string m = mnemonic(k.word);
        const bool vector = m.starts_with("xv");
        uint64_t mask = fr_mask;
        // A single-precision result in the single denormal range: phv's FPRF says denormal (the class of the
        // single-precision result, Book I 4.2.2 FPRF), QEMU classifies the double (normal), as for fadds.
        const unsigned pf = unsigned(f >> 12) & 0x1f, qf = unsigned(k.fpscr_out >> 12) & 0x1f;
        if (((pf == fp::fprf::kPosDenormal && qf == fp::fprf::kPosNormal) ||
             (pf == fp::fprf::kNegDenormal && qf == fp::fprf::kNegNormal)) &&
            fp::class_of_single(t0) == pf && fp::class_of(t0) == qf)
            mask |= kFPRF;
        constexpr uint64_t kOE = 1ull << 6, kUE = 1ull << 5, kXX = 1ull << (63 - 38);
        constexpr uint64_t kFI = 1ull << (63 - 46), kVE = 1ull << 7, kUX = 1ull << (63 - 36), kOX = 1ull << (63 - 35),
                           kZX = 1ull << (63 - 37);
        // Vector forms: QEMU clears FR and FI when an element is an invalid operation; the vector instructions
        // do not alter FR or FI (Book I 7.6, "FR and FI are not modified" of every xv* arithmetic/conversion).
        if (vector && (k.fpscr_in & (kFR | kFI)) && !(k.fpscr_out & (kFR | kFI)))
            mask |= kFR | kFI;
        // Scalar forms with an enabled invalid operation clear FR and FI (Book I 4.4.1, Action, VE=1); QEMU
        // keeps FI (as for the FP instructions).
        if (!vector && (k.fpscr_in & kVE) && k.trapped && trapped && k.t_out[0] == k.t_in[0] && k.t_out[1] == k.t_in[1])
            mask |= kFI;
        // QEMU records either overflow or underflow of an instruction, never both (its status check is an
        // if/else); a vector instruction can have one element overflow and another underflow, and the ISA
        // records each element's exceptions (Book I 7.6, vector RTL).
        if (vector && (k.fpscr_out & kOX) && !(k.fpscr_out & kUX) && (f & kUX) && !(k.fpscr_in & kUX))
            mask |= kUX;
        // fre/frsqrte-style estimates of a zero: the ISA's zero divide (ZX, Book I 7.6 xsredp/xvresp ...); QEMU
        // sets ZX for neither the scalar nor the vector estimates.
        if ((m.find("re") == 2 || m.find("rsqrte") == 2) && (f & kZX) && !(k.fpscr_out & kZX) && !(k.fpscr_in & kZX))
            mask |= kZX;
        // fmadd-style instructions with inf*0 and a signaling NaN: the ISA raises both VXIMZ and VXSNAN (Book I
        // 7.6 xsmaddadp RTL: each flag independently); QEMU only VXSNAN.
        constexpr uint64_t kVXIMZ = 1ull << (63 - 43);
        constexpr uint64_t kVXSNAN = 1ull << (63 - 39);
        if ((m.find("madd") != std::string::npos || m.find("msub") != std::string::npos) &&
            ((f ^ k.fpscr_out) & (kVXIMZ | kVXSNAN)) && (f & kVXIMZ) && (f & kVXSNAN))
            mask |= kVXIMZ | kVXSNAN;
        // A single-precision result that is tiny and inexact underflows (Book I 4.4.6: tininess before rounding,
        // one rounding to single). QEMU rounds to double first and then to single; when the double is exactly
        // a single denormal the second rounding sees no underflow. phv's result lies in the single denormal range.
        if (!vector && (f & kUX) && !(k.fpscr_out & kUX) && !(k.fpscr_in & kUX) && t0 == k.t_out[0] &&
            (fp::is_zero(t0) || fp::exp_field(t0) <= 897))
            mask |= kUX;
        if ((mask & (kUX | kZX)) && !(k.fpscr_in & kFX) && !(k.fpscr_out & kFX))
            mask |= kFX;   // FX came only from the bit QEMU missed
        const bool status_ok = (f & ~mask) == (k.fpscr_out & ~mask) && rt == k.rt_out && trapped == bool(k.trapped);
        const bool kept = t0 == k.t_in[0] && t1 == k.t_in[1];
        bool ok = t0 == k.t_out[0] && t1 == k.t_out[1] && status_ok && cr == k.cr_out;
        // A vector instruction with an enabled exception in any element leaves VSR[XT] (and CR6) unchanged
        // (Book I 7.6, the vector RTL: "if ex_flag=0 then VSR[XT] <- result"); QEMU writes the results, then traps.
        // xscmpeqdp/gtdp/gedp likewise write XT only when vex_flag=0; QEMU writes it.
        if (!ok && trapped && k.trapped && kept && status_ok && cr == k.cr_out &&
            (vector || m == "xscmpeqdp" || m == "xscmpgtdp" || m == "xscmpgedp" || m == "xscmpeqqp" ||
             m == "xscmpgtqp" || m == "xscmpgeqp"))
            ok = true;
        // xststdcsp: QEMU matches every operand in the single denormal range whatever DCMX selects; the ISA
        // matches it only for DCMX bit 5 or 6 (Book I 7.6 xststdcsp).
        if (!ok && m == "xststdcsp" && (k.cr_out & 0x20) && !(cr & 0x20) && (cr | 0x20) == k.cr_out) {
            const unsigned e = fp::exp_field(k.b[0]);
            ok = e > 0 && e < 0x381;
        }
        // fnm* toward +/-infinity: QEMU negates before rounding (as for fnmadd, Book I 4.6.6).
        if (!ok && cr == k.cr_out && trapped == bool(k.trapped) && qemu_fnm(m, k) &&
            (f & ~(mask | kFPRF | kFR | kFI | kOX | kFX)) == (k.fpscr_out & ~(mask | kFPRF | kFR | kFI | kOX | kFX)))
            ok = true;
        // xsmaxcdp/xsmincdp of equal operands (+0 and -0): "C" semantics, src1 > src2 ? src1 : src2 (Book I 7.6
        // xsmaxcdp), give XB; QEMU 7.2 gives XA.
        if (!ok && status_ok && (m == "xsmaxcdp" || m == "xsmincdp") && fp::is_zero(k.a[0]) && fp::is_zero(k.b[0]) &&
            t0 == k.b[0] && k.t_out[0] == k.a[0])
            ok = true;
        // Vector conversions to integer: QEMU 7.2 gives every element after an invalid one the invalid result;
        // each element converts on its own (Book I 7.6, xvcvdpsxds RTL loops over independent elements).
        if (!ok && status_ok && cr == k.cr_out && qemu_sticky_invalid(m, k, t0, t1))
            ok = true;
        // Vector forms: QEMU clears FR and FI when an element is an invalid operation; the vector instructions
        // do not alter FR or FI (Book I 7.6, "FR and FI are not modified" of every xv* arithmetic/conversion).
        // Vector forms with an enabled invalid operation: QEMU traps at that element and drops the exception bits
        // of the elements after it; the ISA records every element's exceptions (Book I 7.6, vector RTL sets each
        // element's flags before the single write under ex_flag). phv's FPSCR holds QEMU's bits and more.
        // Without a trap too: QEMU drops the other elements' bits once one element is an invalid operation.
        if (!ok && vector && ((trapped && k.trapped && kept) || (!trapped && !k.trapped && t0 == k.t_out[0] && t1 == k.t_out[1])) &&
            cr == k.cr_out && ((k.fpscr_out & 0x01f80700ull) || (trapped && (k.fpscr_in & kVE))) && (f & k.fpscr_out) == k.fpscr_out && ((f ^ k.fpscr_out) & ~(kExceptionBits | kFR | kFI | mask | 0x60000000ull)) == 0)
            ok = true;
        // xvcmpgtdp/gedp/gtsp/gesp with VE=1 and a NaN: QEMU sets VXVC and FEX but takes no interrupt (and writes
        // XT); an enabled exception interrupts (Book I 4.4, 7.4) and leaves XT (7.6 xvcmpgedp RTL).
        if (!ok && vector && m.starts_with("xvcmpg") && trapped && !k.trapped && kept && (f & ~mask) == (k.fpscr_out & ~mask))
            ok = true;
        // Maximum/minimum with a denormal operand: QEMU raises underflow (UX, and with UE=1 a trap and a scaled
        // result); xsmaxdp/xvmaxdp... alter only VXSNAN (Book I 7.6).
        auto denormal_in = [&] {
            for (uint64_t x : {k.a[0], k.a[1], k.b[0], k.b[1]})
                if (m.ends_with("sp") ? ((x >> 23) & 0xff) == 0 && (x & 0x7fffff) : fp::is_denormal(x))
                    return true;
            if (m.ends_with("sp"))
                for (uint64_t x : {k.a[0] >> 32, k.a[1] >> 32, k.b[0] >> 32, k.b[1] >> 32})
                    if (((x >> 23) & 0xff) == 0 && (x & 0x7fffff))
                        return true;
            return false;
        };
        if (!ok && (m.starts_with("xvmax") || m.starts_with("xvmin") || m.starts_with("xsmax") || m.starts_with("xsmin")) &&
            !trapped && k.trapped && denormal_in())
            ok = true;
        // The estimate of a zero with ZE=1: the enabled zero divide interrupts and leaves XT (Book I 4.4.2); QEMU
        // raises nothing, writes the infinity and goes on.
        constexpr uint64_t kZE = 1ull << 4;
        if (!ok && (mask & kZX) && (k.fpscr_in & kZE) && trapped && !k.trapped && kept &&
            ((f ^ k.fpscr_out) & ~(mask | 0x60000000ull | kFX | kFPRF | kFR | kFI)) == 0)
            ok = true;
        // An enabled overflow or underflow whose scaled result is still outside the target format's normal range
        // (a single- or half-precision result of a double operand): Book I 4.4.5/4.4.6 leave the result
        // undefined, and QEMU's differs (it wraps the exponent). Only that both interrupt is compared.
        if (!ok && !vector && trapped && k.trapped && cr == k.cr_out &&
            (((f & kOX) && (k.fpscr_in & kOE)) || ((f & kUX) && (k.fpscr_in & kUE)))) {
            const int e = int(fp::exp_field(t0)) - 1023;
            const bool half = m == "xscvdphp";
            ok = fp::is_zero(t0) || (half ? e > 15 || e < -14 : e > 127 || e < -126);
        }
        // An enabled inexact, overflow or underflow exception of a scalar instruction: the (scaled) rounded result
        // is written (Book I 4.4.5-4.4.7, Action); QEMU traps before writing XT (as for fcfid*).
        constexpr uint64_t kXE = 1ull << 3;
        const bool enabled_xou = ((k.fpscr_in & kXE) && (f & kXX)) || ((k.fpscr_in & kUE) && (f & kUX)) ||
                                 ((k.fpscr_in & kOE) && (f & kOX));
        if (!ok && !vector && trapped && k.trapped && enabled_xou && k.t_out[0] == k.t_in[0] &&
            k.t_out[1] == k.t_in[1] && ((f ^ k.fpscr_out) & ~(mask | kFPRF | kFR | kFI)) == 0)
            ok = true;
        // Round-to-odd ("o" forms, Book I 7.3.2.6): an inexact result has its last bit set. QEMU's multiply-adds
        // sometimes give an even inexact result (or the exact one rounded otherwise).
        if (!ok && m.ends_with("qpo") && (t1 & 1) && !(k.t_out[1] & 1) && (f & kXX) &&
            ((f ^ k.fpscr_out) & ~(mask | kFPRF | kFR | kFI)) == 0 && trapped == bool(k.trapped) && cr == k.cr_out)
            ok = true;
        if (trapped)
            ok = ok && g.reg(PHV_REG_PPC_SRR0) == GuestCode::kCodeBase && (g.reg(PHV_REG_PPC_SRR1) & kSrr1FpEnabled);
        if (!ok) {
            ++bad[m];
            if (getenv("PHV_FP_ORACLE_SHOW") && bad[m] <= unsigned(atoi(getenv("PHV_FP_ORACLE_SHOW"))))
                ADD_FAILURE() << std::hex << m << " 0x" << k.word << " fpscr_in 0x" << k.fpscr_in << " t 0x"
                              << k.t_in[0] << ":" << k.t_in[1] << " a 0x" << k.a[0] << ":" << k.a[1] << " b 0x"
                              << k.b[0] << ":" << k.b[1] << "\n   phv:  t 0x" << t0 << ":" << t1 << " fpscr 0x" << f
                              << " cr 0x" << cr << " rt 0x" << rt << " trap " << trapped << "\n   qemu: t 0x"
                              << k.t_out[0] << ":" << k.t_out[1] << " fpscr 0x" << k.fpscr_out << " cr 0x"
                              << k.cr_out << " rt 0x" << k.rt_out << " trap " << k.trapped;
        }
    }
    // Mismatches not yet triaged (fp_oracle_differences.md, "Open"): the count per mnemonic may only fall.
    static const std::map<std::string, unsigned> kOpen = {
#include "data/vsx_fp_oracle_open.inc"
    };
    for (const auto &[m, n] : bad) {
        const auto it = kOpen.find(m);
        const unsigned allowed = it == kOpen.end() ? 0 : it->second;
        if (n > allowed)
            ADD_FAILURE() << m << ": " << n << " mismatches (" << allowed << " known)";
        else if (getenv("PHV_FP_ORACLE_SHOW"))
            printf("open: {\"%s\", %u},\n", m.c_str(), n);
    }
    if (getenv("PHV_FP_ORACLE_SHOW"))
        for (const auto &[m, n] : bad)
            printf("bad: {\"%s\", %u},\n", m.c_str(), n);
}

} // namespace
} // namespace phv::test
