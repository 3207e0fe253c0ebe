// Binary floating point (Book I chapter 4) against the oracle: every case of fp_oracle.inc, generated at build time by
// data/gen_fp_oracle.py under qemu-ppc64le -cpu power10, replayed on a phv vcpu. The result register, FPSCR,
// CR, the stored word and whether the FP enabled exception Program interrupt was taken must all agree, bit
// for bit, except where QEMU is wrong (data/fp_oracle_differences.md, each with its ISA section).
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "fp/arith.h"
#include "guest_code.h"
#include "isa/decoder.h"
#include "vcpu/cpu_state.h"
#include "vcpu/vcpu.h"

namespace phv::test {
namespace {

struct FpCase {
    uint32_t word;
    uint64_t fpscr_in, a, b, c;
    uint32_t mem_in;
    uint64_t t_out, fpscr_out;
    uint32_t cr_out, mem_out;
    int trapped;
};

constexpr FpCase kCases[] = {
#include "fp_oracle.inc"   // generated at build time by data/gen_fp_oracle.py
};

constexpr uint64_t kSentinel = 0x5555555555555555ull;
constexpr uint64_t kData = 0x20000;
constexpr uint64_t kFR = 1ull << (63 - 45), kFI = 1ull << (63 - 46), kC = 1ull << (63 - 47), kFX = 1ull << 31;
constexpr uint64_t kFPRF = 0x1full << 12, kVE = 1ull << 7, kXE = 1ull << 3, kVXVC = 1ull << (63 - 44), kVxBits = 0x01f80700ull;
constexpr uint64_t kVXIMZ = 1ull << (63 - 43), kVXSNAN = 1ull << (63 - 39), kUX = 1ull << (63 - 36),
                   kOX = 1ull << (63 - 35), kXX = 1ull << (63 - 38);
constexpr uint64_t kOE = 1ull << 6, kUE = 1ull << 5;
constexpr uint64_t kExceptionBits = 0x1ff80700ull;   // OX UX ZX XX VXSNAN..VXVC, VXSOFT VXSQRT VXCVI
constexpr uint64_t kSrr1FpEnabled = 1ull << (63 - 43);

std::string mnemonic(uint32_t w) {
    const isa::InsnDef *d = isa::find_insn(w);
    return d ? std::string(d->mnemonic) + ((w & 1) && (d->flags & isa::flag::kRc) ? "." : "") : "?";
}

TEST(FpOracle, EveryCaseMatchesQemu) {
    GuestCode g;
    g.vector_stub(0x700);
    g.set_reg(PHV_REG_PPC_LPCR_64, lpcr::ILE);   // the stub at 0x700 is little-endian code
    const uint64_t msr = msr::SF | msr::ME | msr::LE | msr::FP | msr::FE0 | msr::FE1;
    uint32_t loaded = 0;
    std::map<std::string, unsigned> bad;
    unsigned qemu_fnm = 0;
    const char *limit_env = getenv("PHV_FP_ORACLE_LIMIT");
    const size_t limit = limit_env ? strtoul(limit_env, nullptr, 0) : std::size(kCases);
    for (size_t i = 0; i < limit && i < std::size(kCases); ++i) {
        const FpCase &k = kCases[i];
        if (k.word != loaded || loaded == 0) {
            g.load(with_done({k.word}));
            reinterpret_cast<Vcpu *>(g.vcpu)->request_code_invalidate(GuestCode::kCodeBase);
            loaded = k.word;
        }
        g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        g.set_reg(PHV_REG_PPC_MSR, msr);
        g.set_reg(PHV_REG_PPC_FPR(1), kSentinel);
        g.set_reg(PHV_REG_PPC_FPR(2), k.a);
        g.set_reg(PHV_REG_PPC_FPR(3), k.b);
        g.set_reg(PHV_REG_PPC_FPR(4), k.c);
        g.set_reg(PHV_REG_PPC_FPSCR, k.fpscr_in);
        g.set_reg(PHV_REG_PPC_CR, 0);
        std::memcpy(g.ram + kData, &k.mem_in, 4);
        g.set_gpr(10, kData);
        g.set_gpr(30, 0);
        // The previous run ended in an hcall, which completes on re-entry by writing r3..r12.
        g.run_data->papr_hcall.ret = g.gpr(3);
        for (unsigned i = 0; i < 9; ++i)
            g.run_data->papr_hcall.args[i] = g.gpr(4 + i);
        g.run_to_done();
        const bool trapped = g.gpr(30) == 0x70;
        uint32_t mem;
        std::memcpy(&mem, g.ram + kData, 4);
        const uint64_t t = g.reg(PHV_REG_PPC_FPR(1));
        uint64_t f = g.reg(PHV_REG_PPC_FPSCR);
        const uint32_t cr = uint32_t(g.reg(PHV_REG_PPC_CR));
        // QEMU 7.2 never writes FPSCR[FR] (fp_oracle_differences.md, Book I 4.2.2 bit 45): where it left FR
        // as it was, phv's own FR is not compared here (test_fp.cpp checks it).
        const uint64_t fr_mask = ((k.fpscr_out ^ k.fpscr_in) & kFR) ? 0 : kFR;
        // QEMU sets FX for every exception an instruction raises; the ISA only when an exception bit goes from
        // 0 to 1 (fp_oracle_differences.md, Book I 4.2.2 bit 32). Where no bit did, phv's FX=0 stands.
        const bool qemu_fx_only = !(k.fpscr_in & kFX) && (k.fpscr_out & kFX) && !(f & kFX) &&
                                  !((k.fpscr_out & ~k.fpscr_in) & kExceptionBits);
        uint32_t cr_cmp = cr;
        if (qemu_fx_only) {
            f |= kFX;
            if (k.cr_out & 0x08000000u)   // CR1 copies FX
                cr_cmp |= 0x08000000u;
        }
        const std::string m = mnemonic(k.word);
        // mtfsb1 alters "FPSCR bits BT+32 and FX" (Book I 4.6.10): setting an exception bit sets FX; QEMU does not.
        if (m == "mtfsb1." && (f & kFX) && !(k.fpscr_out & kFX) && !(k.fpscr_in & kFX)) {
            f &= ~kFX;
            cr_cmp &= ~0x08000000u;
        }
        uint64_t mask = fr_mask;
        // fcmpu/fcmpo alter only FPCC, FX, VXSNAN (and VXVC): QEMU clears FI and fcmpo sets C (Book I 4.6.8).
        if (m == "fcmpu" || m == "fcmpo")
            mask |= kFI | kC;
        // fcmpo with a signaling NaN sets VXVC only when VE=0 (4.6.8); QEMU sets it always.
        auto snan = [](uint64_t x) { return (x & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
                                            (x & 0x000fffffffffffffull) && !(x & 0x0008000000000000ull); };
        if (m == "fcmpo" && (k.fpscr_in & kVE) && (snan(k.a) || snan(k.b)))
            mask |= kVXVC;
        // An enabled invalid operation clears FR and FI (Book I 4.4.1, "Action", VE=1); QEMU leaves FI.
        if ((k.fpscr_in & kVE) && ((k.fpscr_out & ~k.fpscr_in) & kVxBits) == 0 && k.trapped && t == kSentinel)
            mask |= kFI;
        // fcfidu/fcfids/fcfidus set FPRF (Book I 4.6.7.2); QEMU leaves it as it was.
        if ((m == "fcfidu." || m == "fcfids." || m == "fcfidus.") && !((k.fpscr_out ^ k.fpscr_in) & kFPRF))
            mask |= kFPRF;
        // A single-precision result in the single denormal range: phv's FPRF says denormal (the class of the
        // single-precision result, Book I 4.2.2 FPRF); QEMU classifies the double bits (normal).
        const unsigned pf = unsigned(f >> 12) & 0x1f, qf = unsigned(k.fpscr_out >> 12) & 0x1f;
        if (((pf == fp::fprf::kPosDenormal && qf == fp::fprf::kPosNormal) ||
             (pf == fp::fprf::kNegDenormal && qf == fp::fprf::kNegNormal)) &&
            fp::class_of_single(t) == pf && fp::class_of(t) == qf)
            mask |= kFPRF;
        // fmadd-style instructions with inf*0 and a signaling NaN addend: the ISA raises both VXIMZ and VXSNAN
        // (Book I 4.4.1 lists the conditions independently; 4.6.6 fmadd: "VXSNAN VXIMZ" altered); QEMU only VXSNAN.
        // QEMU drops one of them (VXSNAN in 7.2 and 10.0 alike).
        if ((m.starts_with("fmadd") || m.starts_with("fmsub") || m.starts_with("fnm")) &&
            ((f ^ k.fpscr_out) & (kVXIMZ | kVXSNAN)) && (f & kVXIMZ) && (f & kVXSNAN) && snan(k.b))
            mask |= kVXIMZ | kVXSNAN;
        // mtfsb1 29 sets NI ("bit BT+32 of the FPSCR is set to 1", Book I 4.6.10 [unconfirmed]); QEMU's mtfsb1
        // skips NI while its mtfsf writes it.
        constexpr uint64_t kNI = 1ull << (63 - 61);
        if (m == "mtfsb1." && ((k.word >> 21) & 31) == 29 && (f & kNI) && !(k.fpscr_out & kNI))
            mask |= kNI;
        // A single-precision result that is tiny and inexact underflows (Book I 4.4.6: tininess before rounding,
        // one rounding to single). QEMU 7.2 rounds to double first and then to single; when the double is
        // exactly a single denormal the second rounding sees no underflow.
        if ((f & kUX) && !(k.fpscr_out & kUX) && !(k.fpscr_in & kUX) && t == k.t_out &&
            (fp::is_zero(t) || fp::exp_field(t) <= 897))
            mask |= kUX;
        if ((mask & (kUX | kVXIMZ | kVXSNAN)) && !(k.fpscr_in & kFX) && !(k.fpscr_out & kFX))
            mask |= kFX;   // FX came only from the bit QEMU missed
        if (mask & kFX)
            cr_cmp = (cr_cmp & ~0x08000000u) | (k.cr_out & 0x08000000u);   // CR1 copies FX
        bool ok = t == k.t_out && (f & ~mask) == (k.fpscr_out & ~mask) && cr_cmp == k.cr_out && mem == k.mem_out && trapped == bool(k.trapped);
        // fre/fres of a zero with ZE=0: +-infinity and ZX (Book I 4.6.7 fre, special cases table [unconfirmed]);
        // QEMU gives +-1/2 (7.2 and 10.0 alike). Its FPSCR, but FPRF (infinity against normal), must agree.
        if (!ok && m.starts_with("fre") && fp::is_zero(k.b) && k.t_out == ((k.b & fp::kSign) | 0x3fe0000000000000ull) &&
            t == ((k.b & fp::kSign) | 0x7ff0000000000000ull) && ((f ^ k.fpscr_out) & ~(mask | kFPRF)) == 0 &&
            cr_cmp == k.cr_out && trapped == bool(k.trapped))
            ok = true;
        // An enabled overflow or underflow whose scaled result is still outside the single-precision normal
        // range (a single-precision instruction on double operands): Book I 4.4.5/4.4.6 leave the result
        // undefined [unconfirmed], and QEMU's differs. Only that both interrupt, and the rest of FPSCR, is compared.
        if (!ok && trapped && k.trapped && (((f & kOX) && (k.fpscr_in & kOE)) || ((f & kUX) && (k.fpscr_in & kUE)))) {
            const int e = int(fp::exp_field(t)) - 1023;
            const bool single = (k.word >> 26) == 59 || m == "frsp.";
            if ((fp::is_zero(t) || (single ? e > 127 || e < -126 : e > 1023 || e < -1022)) &&
                ((f ^ k.fpscr_out) & ~(mask | kFPRF | kFR | kFI | kXX)) == 0)
                ok = true;
        }
        // An enabled inexact, overflow or underflow exception: the (scaled) rounded result is written and FPRF
        // set (Book I 4.4.5-4.4.7, Action); QEMU traps before writing FRT. The rest of FPSCR must agree.
        const bool enabled_xou = ((k.fpscr_in & kXE) && (f & kXX)) || ((k.fpscr_in & kUE) && (f & kUX)) ||
                                 ((k.fpscr_in & kOE) && (f & kOX));
        if (!ok && trapped && k.trapped && enabled_xou && k.t_out == kSentinel && cr_cmp == k.cr_out &&
            ((f ^ k.fpscr_out) & ~(mask | kFPRF | kFR | kFI)) == 0)
            ok = true;
        if (trapped) {
            ok = ok && g.reg(PHV_REG_PPC_SRR0) == GuestCode::kCodeBase &&
                 (g.reg(PHV_REG_PPC_SRR1) & kSrr1FpEnabled);
        }
        // fcfid* with XE=1 and an inexact result: QEMU traps before writing FRT and FPRF; the ISA writes the
        // rounded result whatever XE says (4.4.7, Action). The rest of FPSCR must agree.
        if (!ok && m.starts_with("fcfid") && k.trapped && trapped && k.t_out == kSentinel && (k.fpscr_in & kXE) &&
            ((f ^ k.fpscr_out) & ~(kFPRF | kFR | kFI)) == 0)
            ok = true;
        // fnmadd/fnmsub[s]: the ISA rounds and then negates (4.6.6: "rounded to the target precision ... then
        // negated"); QEMU negates and then rounds, which toward +/-infinity is the ISA's result under the other
        // directed mode. Such a case is QEMU's difference when QEMU's result is exactly that.
        if (!ok && m.starts_with("fnm") && (k.fpscr_in & 3) >= 2) {
            const unsigned xo = (k.word >> 1) & 31;
            const fp::Env swapped{(k.fpscr_in & 3) == 2 ? fp::Round::Down : fp::Round::Up,
                                  bool(k.fpscr_in & (1u << 6)), bool(k.fpscr_in & (1u << 5))};
            const fp::Format &fmt = (k.word >> 26) == 59 ? fp::kSingle : fp::kDouble;
            const fp::Outcome q = fp::fma(k.a, k.c, k.b, xo == 30, true, fmt, swapped);
            ok = q.bits == k.t_out || (k.trapped && k.t_out == kSentinel);
            if (ok)
                ++qemu_fnm;
        }
        if (!ok) {
            ++bad[m];
            if (getenv("PHV_FP_ORACLE_SHOW"))
                ADD_FAILURE() << std::hex << mnemonic(k.word) << " 0x" << k.word << " fpscr_in 0x" << k.fpscr_in
                              << " a 0x" << k.a << " b 0x" << k.b << " c 0x" << k.c << " mem 0x" << k.mem_in
                              << "\n   phv:  t 0x" << t << " fpscr 0x" << f << " cr 0x" << cr << " mem 0x" << mem
                              << " trap " << trapped << "\n   qemu: t 0x" << k.t_out << " fpscr 0x"
                              << k.fpscr_out << " cr 0x" << k.cr_out << " mem 0x" << k.mem_out << " trap "
                              << k.trapped;
        }
    }
    // Mismatches not yet triaged (fp_oracle_differences.md, "Open"): the count per mnemonic may only fall.
    static const std::map<std::string, unsigned> kOpen = {
#include "data/fp_oracle_open.inc"
    };
    if (getenv("PHV_FP_ORACLE_SHOW"))
        printf("fnm* cases where QEMU negates before rounding: %u\n", qemu_fnm);
    for (const auto &[m, n] : bad) {
        const auto it = kOpen.find(m);
        const unsigned allowed = it == kOpen.end() ? 0 : it->second;
        if (n > allowed)
            ADD_FAILURE() << m << ": " << n << " mismatches (" << allowed << " known)";
        else if (getenv("PHV_FP_ORACLE_SHOW"))
            printf("open: {\"%s\", %u},\n", m.c_str(), n);
    }
}

} // namespace
} // namespace phv::test
