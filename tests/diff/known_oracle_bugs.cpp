// Where phv may differ from qemu-ppc64le -cpu power10 (Debian qemu-user 7.2) without being wrong.
//
// Undefined results: phv chose to match QEMU where it could, so these rules should rarely fire; they exist
// because matching QEMU's choice is not a requirement and the ISA lets any value through. Each rule allows
// differences only in the bits the cited section leaves undefined, and only under the cited condition.
//
// Oracle bugs: each in kRules with kind "oracle bug" and the ISA section whose text QEMU contradicts, as
// narrow as the bug (the operand values that trigger it).
//
// Citations name the section's number and title. The numbers were first written from memory and have since
// been checked against what public text was at hand (no copy of the ISA 3.1 document itself):
//  - libre-soc's openpower-isa transcription of ISA 3.0B: Book I 3.3.9 Fixed-Point Arithmetic Instructions
//    (divide, multiply-high, modulo, darn), 3.3.17 Move To/From System Register, 4.6.1-4.6.7 the FP
//    instruction groups (4.6.5 is Floating-Point Move); Book II 4.6 Synchronization Instructions with 4.6.2
//    Load and Reserve and Store Conditional; Book III 4.4.4 Move To/From System Register, 7.5.9 Program
//    Interrupt;
//  - its notes citing ISA 3.1B: Book I 3.2.2 XER, 4.2.2 FPSCR; Book III 4.3.1 System Linkage, 7.5 Interrupt
//    Definitions (7.5.14 System Call); and QEMU 10's citing ISA 3.1 Book III 7.5.3/7.5.5 (Data and
//    Instruction Storage), which agrees with 7.5.9 being the Program interrupt in 3.1 too.
// A number none of these confirms is marked "[number unconfirmed]"; the titles identify every section.
// Leads that do not settle a number: libre-soc cites 3.1B Book II 1.7.2.1 (page 1049) for the real address
// a reservation holds, so Reservations may be 1.7.2.1 rather than 1.7.3.1 in 3.1B; libre-soc's RFC ls002
// names 3.0B as its source, so the section lists of those RFCs are not 3.1 evidence; Book I 1.3.3
// "Reserved Fields, Reserved Values, and Reserved SPRs" is quoted with that number by M. Neuling
// (linuxppc-dev, February 2020, ISA version not stated); Book I 4.6.7.2, 4.6.8 and 4.6.10 (Convert To/From
// Integer, Compare, FPSCR Instructions) have those numbers in ISA 2.06B (Factor's cpu.ppc.assembler); libre-soc
// cites 3.1B Book I 7.6.2.2 (page 589, src/openpower/decoder/fp_working_format.py) for the bfp_* RTL
// functions the VSX instruction descriptions call, but in 2.06B those descriptions are 7.7 (Factor's
// assembler: "7.7 VSX Instruction Descriptions", "6.10.5 Vector Floating-Point Estimate Instructions",
// "6.10.6 Vector Status and Control Register Instructions"), so the 7.6 and 6.12.3 cited below may be off
// too.
#include "known_oracle_bugs.h"

#include <csignal>
#include <cmath>
#include <cstring>
#include <string_view>

#include "compare.h"
#include "isa/fields.h"

namespace phv::diff {

namespace {

constexpr uint64_t kCr0Ltgteq = 0xe0000000ull;   // CR0 LT, GT, EQ (CR bits 32:34 of the 64-bit view)

// True if phv and QEMU differ at most in `rt_mask` bits of GPR rt, `cr_mask` bits of CR and data bytes
// [mem_lo, mem_hi), and both ran to the end.
bool only(const RuleInput &in, unsigned rt, uint64_t rt_mask, uint64_t cr_mask, size_t mem_lo = 0, size_t mem_hi = 0) {
    const Result &p = in.phv, &q = in.qemu;
    if (!p.error.empty() || !q.error.empty())
        return false;
    for (unsigned n = 0; n < 31; ++n) {
        const uint64_t allowed = n == rt ? rt_mask : 0;
        if ((p.regs.gpr[n] ^ q.regs.gpr[n]) & ~allowed)
            return false;
    }
    for (size_t i = 0; i < p.data.size(); ++i)
        if (p.data[i] != q.data[i] && (i < mem_lo || i >= mem_hi))
            return false;
    return ((p.regs.cr ^ q.regs.cr) & ~cr_mask) == 0 && p.regs.xer == q.regs.xer && p.regs.lr == q.regs.lr &&
           p.regs.ctr == q.regs.ctr && same_vector_state(p.regs, q.regs);
}

bool is(const RuleInput &in, std::string_view m) { return in.def.mnemonic == m; }

uint64_t ra(const RuleInput &in) { return in.before.gpr[isa::field::RA(in.word)]; }
uint64_t rb(const RuleInput &in) { return in.before.gpr[isa::field::RB(in.word)]; }
unsigned rt(const RuleInput &in) { return isa::field::RT(in.word); }
uint64_t cr0_if_rc(const RuleInput &in) { return isa::field::Rc(in.word) ? kCr0Ltgteq : 0; }

// divw/divwu: RT0:31 are undefined; so are RT32:63 and (Rc=1) CR0 LT/GT/EQ for x/0 and 0x8000_0000/-1.
// In 64-bit mode CR0 LT/GT/EQ are undefined for every Rc=1 divw[u] ("bits 0:2 undefined in 64-bit mode").
bool divw_undefined(const RuleInput &in) {
    if (!is(in, "divw") && !is(in, "divwu"))
        return false;
    const uint32_t a = uint32_t(ra(in)), b = uint32_t(rb(in));
    const bool undefined = b == 0 || (is(in, "divw") && a == 0x80000000u && b == 0xffffffffu);
    return only(in, rt(in), undefined ? ~0ull : 0xffffffff00000000ull, cr0_if_rc(in));
}

// divd/divdu: RT and (Rc=1) CR0 LT/GT/EQ are undefined for x/0 and 0x8000_0000_0000_0000/-1.
bool divd_undefined(const RuleInput &in) {
    if (!is(in, "divd") && !is(in, "divdu"))
        return false;
    const uint64_t a = ra(in), b = rb(in);
    if (!(b == 0 || (is(in, "divd") && a == 0x8000000000000000ull && b == ~0ull)))
        return false;
    return only(in, rt(in), ~0ull, cr0_if_rc(in));
}

// mulhw/mulhwu: RT0:31 are undefined, and in 64-bit mode so are CR0 LT/GT/EQ when Rc=1.
bool mulhw_undefined(const RuleInput &in) {
    if (!is(in, "mulhw") && !is(in, "mulhwu"))
        return false;
    return only(in, rt(in), 0xffffffff00000000ull, cr0_if_rc(in));
}

// modsw/moduw/modsd/modud: RT is undefined for x%0 and (signed) the most negative value % -1.
bool mod_undefined(const RuleInput &in) {
    const bool word = is(in, "modsw") || is(in, "moduw");
    const bool dword = is(in, "modsd") || is(in, "modud");
    if (!word && !dword)
        return false;
    const bool sign = is(in, "modsw") || is(in, "modsd");
    const uint64_t a = word ? uint32_t(ra(in)) : ra(in), b = word ? uint32_t(rb(in)) : rb(in);
    const uint64_t most_negative = word ? 0x80000000ull : 0x8000000000000000ull;
    const uint64_t minus_one = word ? 0xffffffffull : ~0ull;
    if (!(b == 0 || (sign && a == most_negative && b == minus_one)))
        return false;
    return only(in, rt(in), ~0ull, 0);
}

// divde[o][.] whose quotient (RA || 0^64) / RB does not fit in 64 signed bits: the ISA makes RT (and CR0
// LT/GT/EQ) undefined and sets OV/OV32 (and SO) when OE=1. QEMU 7.2's 128-bit signed divide misses most of
// these overflows, returning a wrapped quotient with OV clear; phv sets OV and returns 0. So RT, CR0
// LT/GT/EQ and XER's SO/OV/OV32 may differ, nothing else.
bool divde_overflow(const RuleInput &in) {
    if (!is(in, "divde"))
        return false;
    const uint64_t a = ra(in), b = rb(in);
    if (b == 0 || b == ~0ull)
        return false;   // QEMU gets these right
    const __int128 q = ((__int128)int64_t(a) * ((__int128)1 << 64)) / int64_t(b);
    if (q == (__int128)int64_t(q))
        return false;
    constexpr uint64_t kSoOvOv32 = 1ull << 31 | 1ull << 30 | 1ull << 19;
    if ((in.phv.regs.xer ^ in.qemu.regs.xer) & ~kSoOvOv32)
        return false;
    Result q2 = in.qemu;
    q2.regs.xer = in.phv.regs.xer;
    const uint64_t cr0 = isa::field::Rc(in.word) ? 0xf0000000ull : 0;   // LT/GT/EQ, and SO copied from XER
    return only({in.c, in.unit, in.def, in.word, in.before, in.phv, q2}, rt(in), ~0ull, cr0);
}

// stqcx. with the reservation its lqarx made (same address, no stcx. in between): qemu-ppc64le 7.2 never
// performs it and reports failure (even for lqarx; stqcx. back to back on unchanged memory), while the ISA
// performs the store and sets CR0[EQ]. Only CR0[EQ] and the 16 stored bytes may differ.
bool stqcx_never_succeeds(const RuleInput &in) {
    if (in.def.mnemonic != "stqcx.")
        return false;
    const auto table = isa::insn_table();
    const int32_t off = in.c.units[in.unit].offset;
    for (size_t u = in.unit; u-- > 0;) {
        const isa::InsnDef &prev = table[in.c.units[u].row];
        if (prev.mnemonic.ends_with("cx."))
            return false;
        if (!prev.mnemonic.ends_with("arx"))
            continue;
        if (prev.mnemonic != "lqarx" || in.c.units[u].offset != off)
            return false;
        constexpr uint64_t kCr0Eq = 0x20000000ull;
        if (in.qemu.regs.cr & kCr0Eq)
            return false;   // QEMU succeeded: no excuse
        return only(in, 32, 0, kCr0Eq, size_t(off), size_t(off) + 16);
    }
    return false;
}

// stbcx./sthcx./stwcx./stdcx. while a reservation exists for a different address or length in the same
// page: the pseudocode's undefined_case, in which both whether the store is performed (u1) and CR0[EQ]
// (u2) are undefined, independently. QEMU performs it when the addresses match and the low bytes of the
// reserved value do, and may then still report failure; phv fails it. The reservation is the last larx
// of the case before this stcx. with no stcx. in between (the prologue clears any older one).
bool stcx_undefined(const RuleInput &in) {
    if (!in.def.mnemonic.ends_with("cx."))
        return false;
    const auto table = isa::insn_table();
    for (size_t u = in.unit; u-- > 0;) {
        const isa::InsnDef &prev = table[in.c.units[u].row];
        if (prev.mnemonic.ends_with("cx."))
            return false;   // the reservation is gone
        if (!prev.mnemonic.ends_with("arx"))
            continue;
        const int32_t off = in.c.units[in.unit].offset;
        const unsigned len = access_size(in.def);
        if (in.c.units[u].offset == off && access_size(prev) == len)
            return false;   // the defined case: same address and length
        // The data area is far smaller than a page, so the addresses always share one.
        constexpr uint64_t kCr0Eq = 0x20000000ull;
        return only(in, 32, 0, kCr0Eq, size_t(off), size_t(off) + len);
    }
    return false;
}

// stcx. after this thread's own dcbz zeroed the block holding the reservation: the ISA does not make a
// store by the reserving processor lose the reservation, but lets implementations lose it for their own
// reasons, so the stcx. may succeed or fail. QEMU's dcbz drops the reservation; phv keeps it (and its
// value comparison then decides). Same address and length as the larx; only the dcbz differs.
bool stcx_after_dcbz(const RuleInput &in) {
    if (!in.def.mnemonic.ends_with("cx."))
        return false;
    const auto table = isa::insn_table();
    const int32_t off = in.c.units[in.unit].offset;
    bool zeroed = false;
    for (size_t u = in.unit; u-- > 0;) {
        const isa::InsnDef &prev = table[in.c.units[u].row];
        if (prev.mnemonic.ends_with("cx."))
            return false;
        if (prev.mnemonic == "dcbz" && in.c.units[u].offset / 128 == off / 128)
            zeroed = true;   // DIFF_DATA_OFF is block-aligned, so data offsets share blocks as addresses do
        if (!prev.mnemonic.ends_with("arx"))
            continue;
        if (!zeroed)
            return false;
        constexpr uint64_t kCr0Eq = 0x20000000ull;
        return only(in, 32, 0, kCr0Eq, size_t(off), size_t(off) + access_size(in.def));
    }
    return false;
}

// mtxer with reserved XER bits set (the generator's random RS sets them): a later read returns 0 for a
// reserved bit last written 0 and an undefined value otherwise. QEMU returns what was written; phv 0.
// Only XER's reserved bits may differ, and only at an mtspr to XER (SPR 1).
bool xer_reserved(const RuleInput &in) {
    if (in.def.mnemonic != "mtspr" || isa::field::SPR(in.word) != 1)
        return false;
    constexpr uint64_t kDefined = 1ull << 31 | 1ull << 30 | 1ull << 29 | 1ull << 19 | 1ull << 18 | 0x7f;
    if ((in.phv.regs.xer ^ in.qemu.regs.xer) & kDefined)
        return false;
    // Everything but XER must agree.
    Result q = in.qemu;
    q.regs.xer = in.phv.regs.xer;
    return only({in.c, in.unit, in.def, in.word, in.before, in.phv, q}, 32, 0, 0);
}


// darn: a random number in each world. Only what the ISA defines is compared: the kind of value L asks
// for (L=0: a 32-bit number, zero-extended; L=1, 2: 64 bits) or the error value all ones; L=3 (reserved)
// is not forgiven, both worlds answer the error value.
bool darn_random(const RuleInput &in) {
    if (!is(in, "darn"))
        return false;
    const unsigned l = (in.word >> 16) & 3;
    if (l == 3)
        return false;
    auto shaped = [&](uint64_t v) { return v == ~0ull || l != 0 || v >> 32 == 0; };
    return shaped(in.phv.regs.gpr[rt(in)]) && shaped(in.qemu.regs.gpr[rt(in)]) && only(in, rt(in), ~0ull, 0);
}

constexpr uint64_t kDrn = 7ull << 32;   // FPSCR bits 29:31

// `f` with the DRN bits of `from`: where qemu-user lost DRN in a signal frame, nothing else may differ.
uint64_t drn_as(uint64_t f, uint64_t from) { return (f & ~kDrn) | (from & kDrn); }

// A trap that the process's SIGTRAP handler returned from: qemu-user 7.2 saves and restores only FPSCR
// bits 32:63 in the signal frame, so DRN (bits 29:31) comes back 0; a Linux kernel keeps all 64 bits (and
// the ISA has the trap interrupt change no FPSCR bit). Only DRN may differ, QEMU's 0.
bool signal_fpscr_drn(const RuleInput &in) {
    if (!is(in, "tw") && !is(in, "twi") && !is(in, "td") && !is(in, "tdi"))
        return false;
    if ((in.qemu.regs.fpscr & kDrn) || !(in.phv.regs.fpscr & kDrn) || in.qemu.traps == 0)
        return false;
    Result q = in.qemu;
    q.regs.fpscr = drn_as(q.regs.fpscr, in.phv.regs.fpscr);
    return only({in.c, in.unit, in.def, in.word, in.before, in.phv, q}, 32, 0, 0) && q.traps == in.phv.traps &&
           q.trap_hash == in.phv.trap_hash;
}

// icbt: QEMU 7.2 decodes it only for embedded CPUs and raises an illegal-instruction Program interrupt
// (SIGILL) with -cpu power10; phv performs the hint, which changes no state. So the oracle's state at its
// SIGILL must be phv's state after icbt, and nothing else may differ.
bool icbt_sigill(const RuleInput &in) {
    if (!is(in, "icbt"))
        return false;
    const Result &p = in.phv, &q = in.qemu;
    if (!p.error.empty() || q.signal != SIGILL)
        return false;
    Result q2 = q;
    q2.error.clear();
    q2.signal = 0;
    q2.regs.fpscr = drn_as(q2.regs.fpscr, p.regs.fpscr);   // the signal frame's loss (signal_fpscr_drn)
    return only({in.c, in.unit, in.def, in.word, in.before, p, q2}, 32, 0, 0);
}

// The s-byte element at data offset `off` in a result, in the world's byte order. Bytes just past the data
// area (QEMU's Decrement Bounded reads there) are zero in both worlds: the region is zeroed and nothing in
// the cases writes between the data area and the stub.
uint64_t element(const RuleInput &in, const Result &r, int64_t off, unsigned s) {
    uint64_t v = 0;
    for (unsigned i = 0; i < s; ++i) {
        const size_t at = size_t(off) + i;
        const uint64_t b = at < r.data.size() ? r.data[at] : 0;
        v |= in.big_endian ? b << (8 * (s - 1 - i)) : b << (8 * i);
    }
    return v;
}

// A register as the atomic memory operation read it: its set-up pointed r29 at the element first, and r31
// is always the ctx pointer.
uint64_t amo_reg(const RuleInput &in, unsigned n) {
    if (n == kBaseReg)
        return DIFF_BASE + DIFF_DATA_OFF + uint64_t(in.c.units[in.unit].offset);
    return n == kCtxReg ? DIFF_BASE + DIFF_CTX_OFF : in.before.gpr[n];
}

unsigned amo_size(const RuleInput &in) { return in.def.mnemonic.find('w') != std::string_view::npos ? 4 : 8; }
unsigned amo_fc(const RuleInput &in) { return isa::field::RB(in.word); }

// lwat/stwat Fetch and Maximum/Minimum Signed (FC 5, 7) on words: QEMU compares the zero-extended words
// as 64-bit signed numbers, so a word with its sign bit set counts as large. Forgiven only where that
// matters (one operand negative, the other not), with each world's stored word checked against its rule.
bool amo_signed_word(const RuleInput &in) {
    if ((!is(in, "lwat") && !is(in, "stwat")) || (amo_fc(in) != 5 && amo_fc(in) != 7))
        return false;
    const int64_t off = in.c.units[in.unit].offset;
    const uint32_t a = uint32_t(amo_reg(in, is(in, "stwat") ? rt(in) : (rt(in) + 1) % 32));
    const uint32_t x = uint32_t(element(in, in.phv, off, 4)), y = uint32_t(element(in, in.qemu, off, 4));
    if ((x == a) == (y == a))
        return false;
    const uint32_t t = x == a ? y : x;   // the element before: one world kept it, the other stored a
    const bool max = amo_fc(in) == 5;
    const uint32_t isa_v = max ? (int32_t(t) > int32_t(a) ? t : a) : (int32_t(t) < int32_t(a) ? t : a);
    const uint32_t qemu_v = max ? (t > a ? t : a) : (t < a ? t : a);
    if (x != isa_v || y != qemu_v)
        return false;
    return only(in, 32, 0, 0, size_t(off), size_t(off) + 4);
}

// What Fetch and Increment Bounded/Equal and Fetch and Decrement Bounded leave in RT and mem(EA,s) for the
// element t and the neighbour n it is compared with, given the "bound reached" value of RT.
struct AmoOutcome {
    uint64_t rt, mem;
};
AmoOutcome bounded(unsigned fc, unsigned s, uint64_t t, uint64_t n, uint64_t bound) {
    const uint64_t mask = s == 8 ? ~0ull : 0xffffffffull;
    const bool go = fc == 25 ? t == n : t != n;
    if (!go)
        return {bound, t};
    return {t, (fc == 28 ? t - 1 : t + 1) & mask};
}

// lwat/ldat FC 24, 25, 28: QEMU 7.2 returns 0xFFFF_FFFF_8000_0000 as the "bound reached" value for both
// sizes (the ISA: 0x8000_0000 for words, 0x8000_0000_0000_0000 for doublewords), and compares Fetch and
// Decrement Bounded with mem(EA+s,s) instead of mem(EA-s,s). Forgiven when one element value t explains
// both worlds: phv by the ISA's rule, QEMU by its own.
bool amo_bounded(const RuleInput &in) {
    if ((!is(in, "lwat") && !is(in, "ldat")) || (amo_fc(in) != 24 && amo_fc(in) != 25 && amo_fc(in) != 28))
        return false;
    const unsigned fc = amo_fc(in), s = amo_size(in);
    const int64_t off = in.c.units[in.unit].offset;
    const uint64_t isa_bound = 1ull << (8 * s - 1), qemu_bound = 0xffffffff80000000ull;
    const uint64_t n_isa = element(in, in.phv, fc == 28 ? off - s : off + s, s);
    const uint64_t n_qemu = element(in, in.qemu, off + s, s);
    const AmoOutcome p{in.phv.regs.gpr[rt(in)], element(in, in.phv, off, s)};
    const AmoOutcome q{in.qemu.regs.gpr[rt(in)], element(in, in.qemu, off, s)};
    for (const uint64_t t : {p.rt, p.mem, q.rt, q.mem}) {
        const AmoOutcome ep = bounded(fc, s, t, n_isa, isa_bound), eq = bounded(fc, s, t, n_qemu, qemu_bound);
        if (ep.rt == p.rt && ep.mem == p.mem && eq.rt == q.rt && eq.mem == q.mem)
            return only(in, rt(in), ~0ull, 0, size_t(off), size_t(off) + s);
    }
    return false;
}

// mtfsb1 of an exception bit that was 0 (OX..XX, VXSNAN..VXVC, VXSOFT, VXSQRT, VXCVI): the ISA sets FX with
// it, as for every exception bit that goes from 0 to 1; QEMU 7.2 sets the bit alone. Only FPSCR[FX] (and,
// for mtfsb1., CR1's copy of it) may differ, phv's with FX set.
bool mtfsb1_fx(const RuleInput &in) {
    if (!is(in, "mtfsb1"))
        return false;
    constexpr uint64_t kFx = 1ull << 31, kCr1Fx = 0x08000000ull;
    const uint64_t bit = 1ull << (31 - rt(in));
    constexpr uint64_t kExceptionBits = 0x1ff80700ull;   // FPSCR bits 35:44 and 53:55
    if (!(bit & kExceptionBits) || (in.before.fpscr & bit) || (in.before.fpscr & kFx))
        return false;
    if ((in.phv.regs.fpscr ^ in.qemu.regs.fpscr) != kFx || !(in.phv.regs.fpscr & kFx))
        return false;
    Result q = in.qemu;
    q.regs.fpscr = in.phv.regs.fpscr;
    return only({in.c, in.unit, in.def, in.word, in.before, in.phv, q}, 32, 0, isa::field::Rc(in.word) ? kCr1Fx : 0);
}

// ---- VMX (rows/vmx_*.inc) -----------------------------------------------------------------------------------
using u128 = unsigned __int128;
u128 vr_of(const diff_regs &r, unsigned n) { return u128(r.vsr[32 + n].hi) << 64 | r.vsr[32 + n].lo; }

// True if phv and QEMU differ at most in VR n, and both ran to the end.
bool only_vr(const RuleInput &in, unsigned n) {
    Result q = in.qemu;
    q.regs.vsr[32 + n] = in.phv.regs.vsr[32 + n];
    return only({in.c, in.unit, in.def, in.word, in.before, in.phv, q}, 32, 0, 0);
}

// vrldnm (Insert=false) or vrldmi (true) of the state before, as the ISA defines them (Book I 6.9.2 [number
// unconfirmed]):
// MB, ME and SH in bits 42:47, 50:55, 58:63 of each doubleword of VRB.
u128 rld_mask(const RuleInput &in, bool insert) {
    const u128 a = vr_of(in.before, isa::field::RA(in.word)), b = vr_of(in.before, isa::field::RB(in.word)),
               t = vr_of(in.before, rt(in));
    u128 r = 0;
    for (unsigned i = 0; i < 2; ++i) {
        const uint64_t e = uint64_t(b >> (64 - 64 * i)), x = uint64_t(a >> (64 - 64 * i)), old = uint64_t(t >> (64 - 64 * i));
        const unsigned mb = (e >> 16) & 63, me = (e >> 8) & 63, sh = e & 63;
        const uint64_t rot = sh ? x << sh | x >> (64 - sh) : x;
        const uint64_t from = ~0ull >> mb, to = ~0ull << (63 - me), m = mb <= me ? from & to : from | to;
        r = r << 64 | (insert ? (rot & m) | (old & ~m) : rot & m);
    }
    return r;
}

// vrldmi: QEMU translates it with vrldnm's vector expansion (its do_vrlmi table has gen_vrlnm_vec for MO_64),
// so it writes the rotated-and-masked value instead of inserting it into VRT under the mask.
bool vrldmi_is_vrldnm(const RuleInput &in) {
    if (!is(in, "vrldmi"))
        return false;
    return vr_of(in.qemu.regs, rt(in)) == rld_mask(in, false) && vr_of(in.phv.regs, rt(in)) == rld_mask(in, true) &&
           only_vr(in, rt(in));
}

// vexptefp/vlogefp are estimates: the ISA bounds their error (Book I 6.12.3 [number unconfirmed]) and says no more. phv's result
// is accepted when each element is within 1/4096 (relative) of the exact value, whatever QEMU's is (its
// float32_exp2 even gives -infinity for large negative operands, where 2^x is +0).
bool vector_estimate(const RuleInput &in) {
    const bool exp = is(in, "vexptefp");
    if (!exp && !is(in, "vlogefp"))
        return false;
    const u128 b = vr_of(in.before, isa::field::RB(in.word)), got = vr_of(in.phv.regs, rt(in));
    const bool nj = in.before.vscr.lo & 0x10000;
    for (unsigned i = 0; i < 4; ++i) {
        uint32_t xb = uint32_t(b >> (96 - 32 * i)), xg = uint32_t(got >> (96 - 32 * i));
        if (nj && (xb & 0x7f800000u) == 0)
            xb &= 0x80000000u;   // NJ: a denormal operand is a zero
        float x, g;
        std::memcpy(&x, &xb, 4);
        std::memcpy(&g, &xg, 4);
        const long double exact = exp ? exp2l(x) : log2l(x);
        // NJ flushes a result below the smallest normal to zero; a denormal result has absolute precision.
        const bool flushed = nj && fabsl(exact) < 0x1p-126L && g == 0;
        const float rounded = float(exact);   // beyond the single range: the infinity or zero it rounds to
        const bool ok = flushed || (std::isnan(exact) ? std::isnan(g) : std::isinf(rounded) ? g == rounded
                                    : fabsl(g - exact) <= fabsl(exact) / 4096 + 0x1p-149L);
        if (!ok)
            return false;
    }
    return only_vr(in, rt(in));
}

// mfvscr after an mtvscr that wrote VSCR's reserved bits: phv reads them as 0, QEMU as written (Book I
// 1.3.3 [number unconfirmed]: a reserved bit last written 1 reads back undefined). Only those bits of VRT word 3 may differ.
bool vscr_reserved(const RuleInput &in) {
    if (!is(in, "mfvscr"))
        return false;
    const u128 p = vr_of(in.phv.regs, rt(in)), q = vr_of(in.qemu.regs, rt(in));
    return (p ^ q) == ((q & 0xffffffffu) & ~u128(DIFF_VSCR_BITS)) && only_vr(in, rt(in));
}

// vdiveuq/vdivesq: a quotient that does not fit in 128 bits leaves VRT undefined (ISA 3.1 Book I 6.9.1.8 [number unconfirmed]).
bool vdiveq_undefined(const RuleInput &in) {
    const bool sign = is(in, "vdivesq");
    if (!sign && !is(in, "vdiveuq"))
        return false;
    auto mag = [&](u128 v) { return sign && (v >> 127) ? -v : v; };
    const u128 a = vr_of(in.before, isa::field::RA(in.word)), b = vr_of(in.before, isa::field::RB(in.word));
    return b != 0 && mag(a) >= mag(b) && only_vr(in, rt(in));
}

constexpr Rule kRules[] = {
    {"signal-fpscr-drn", "oracle bug",
     "Power ISA 3.1 Book III 7.5.9 (a trap interrupt alters no FPSCR bit) and Book I 4.2.2 (FPSCR[DRN], bits "
     "29:31); qemu-user's signal frame keeps only FPSCR 32:63",
     "FPSCR[DRN] reads 0 after a trap whose SIGTRAP handler returned", signal_fpscr_drn},
    {"mtfsb1-fx", "oracle bug",
     "Power ISA 3.1 Book I 4.2.2 (FX: set when an instruction causes any exception bit to change from 0 to 1, "
     "mtfsb1 included) and 4.6.10 [number unconfirmed] mtfsb1",
     "QEMU 7.2's mtfsb1 sets the exception bit but not FX", mtfsb1_fx},
    {"xer-reserved", "undefined",
     "Power ISA 3.1 Book I 1.3.3 [number unconfirmed] (reserved bits in system registers read 0 if last "
     "written 0, else undefined) and 3.2.2 (XER: bits 0:31, 35:43, 46:56 reserved)",
     "XER's reserved bits after mtxer of a value with them set", xer_reserved},
    {"stcx-after-dcbz", "undefined",
     "Power ISA 3.1 Book II 1.7.3.1 [number unconfirmed] (Reservations): a reservation may be lost for implementation-specific "
     "reasons; a store by the reserving processor need not clear it",
     "CR0[EQ] and the stored bytes of a stcx. after the thread's own dcbz of the reserved block", stcx_after_dcbz},
    {"stcx-undefined", "undefined",
     "Power ISA 3.1 Book II 4.6.2, st[bhwd]cx. pseudocode (undefined_case: reservation for another address "
     "or length in the same page)",
     "whether the store is performed and CR0[EQ], independently", stcx_undefined},
    {"stqcx-never-succeeds", "oracle bug",
     "Power ISA 3.1 Book II 4.6.2, stqcx.: with a reservation for EA and length 16 the quadword is stored "
     "and CR0[EQ] is set",
     "qemu-ppc64le 7.2 fails every stqcx. (no store, CR0[EQ]=0), even right after its lqarx", stqcx_never_succeeds},
    {"divde-overflow", "oracle bug",
     "Power ISA 3.1 Book I 3.3.9, Divide Doubleword Extended: if the quotient cannot be represented in 64 "
     "bits, RT is undefined and OV/OV32 are set (OE=1)",
     "QEMU 7.2 leaves OV clear and returns a wrapped quotient for most such divde[o][.]", divde_overflow},
    {"divw-undefined", "undefined", "Power ISA 3.1 Book I 3.3.9, Divide Word [Unsigned]",
     "RT0:31 always; all of RT and CR0 LT/GT/EQ for x/0 and 0x8000_0000/-1", divw_undefined},
    {"divd-undefined", "undefined", "Power ISA 3.1 Book I 3.3.9, Divide Doubleword [Unsigned]",
     "RT and CR0 LT/GT/EQ for x/0 and 0x8000_0000_0000_0000/-1", divd_undefined},
    {"mulhw-undefined", "undefined", "Power ISA 3.1 Book I 3.3.9, Multiply High Word [Unsigned]",
     "RT0:31, and CR0 LT/GT/EQ when Rc=1 (64-bit mode)", mulhw_undefined},
    {"mod-undefined", "undefined", "Power ISA 3.1 Book I 3.3.9, Modulo {Signed,Unsigned} {Word,Doubleword}",
     "RT for x%0 and most-negative % -1", mod_undefined},
    {"darn-random", "undefined", "Power ISA 3.1 Book I 3.3.9 (Fixed-Point Arithmetic Instructions), Deliver A Random Number",
     "RT: a random number of the kind L selects, or the error value, in each world", darn_random},
    {"icbt-sigill", "oracle bug", "Power ISA 3.1 Book II 4.3.1 [number unconfirmed], Instruction Cache Block Touch (a hint)",
     "qemu-ppc64le 7.2 -cpu power10 raises SIGILL for icbt", icbt_sigill},
    {"amo-signed-word", "oracle bug",
     "Power ISA 3.1 Book II 4.5.1 and 4.5.2 [numbers unconfirmed], Fetch and Maximum/Minimum Signed: signed comparison of the "
     "s-byte values",
     "lwat/stwat FC 5/7: QEMU 7.2 compares zero-extended words", amo_signed_word},
    {"amo-bounded", "oracle bug",
     "Power ISA 3.1 Book II 4.5.1 [number unconfirmed], Fetch and Increment Bounded/Equal, Fetch and Decrement Bounded "
     "(mem(EA-s,s); RT = 0x8000... of s bytes when the bound is reached)",
     "lwat/ldat FC 24/25/28: QEMU 7.2's bound value and its Decrement Bounded neighbour", amo_bounded},
    {"vrldmi-is-vrldnm", "oracle bug",
     "Power ISA 3.1 Book I 6.9.2 [number unconfirmed], Vector Rotate Left Doubleword then Mask Insert: the rotated value is "
     "inserted into VRT under MASK(mb, me)",
     "QEMU's vrldmi returns the rotated value ANDed with the mask (vrldnm), VRT's old bits dropped",
     vrldmi_is_vrldnm},
    {"vector-estimate", "undefined",
     "Power ISA 3.1 Book I 6.12.3 [number unconfirmed], vexptefp/vlogefp: an estimate within the stated relative error",
     "the estimate's low bits (and QEMU's -infinity for 2^x of large negative x), phv within 1/4096",
     vector_estimate},
    {"vscr-reserved", "undefined",
     "Power ISA 3.1 Book I 1.3.3 [number unconfirmed] (reserved bits in system registers read 0 if last "
     "written 0, else undefined) and 6.3 [number unconfirmed] (VSCR: only NJ and SAT defined)",
     "VRT word 3 of mfvscr after mtvscr wrote VSCR's reserved bits", vscr_reserved},
    {"fp-status", "oracle bug",
     "Power ISA 3.1 Book I 4.2.2 (FPSCR: FX only when an exception bit goes from 0 to 1; FR, FPRF of the "
     "single-precision result), fre [number unconfirmed; not 4.6.5.2 as first written: 4.6.5 is Floating-Point "
     "Move in 3.0B], 4.6.6 (fnm*: round, then negate), 4.6.7.2 [unconfirmed] fcfid*, 4.6.8 [unconfirmed] fcmp*, 7.6 [unconfirmed] "
     "(vector forms keep FR/FI and record every element's exceptions; xsre*/xvre* of zero: ZX; max/min alter only "
     "VXSNAN; xsmaxc*: XB for equal operands; each xvcv* element on its own; the MMA xv*ger* forms raise VXSNAN "
     "only for an SNaN operand of their own); one quirk each in known_oracle_bugs_fp.cpp",
     "QEMU 7.2's stale FR, over-set FX and the other FPSCR/result errors of fp_oracle_differences.md",
     fp_status_explains},
    {"vdiveq-undefined", "undefined",
     "Power ISA 3.1 Book I 6.9.1.8 [number unconfirmed], Vector Divide Extended {Signed,Unsigned} Quadword: VRT undefined when "
     "the quotient cannot be represented in 128 bits",
     "VRT for |VRA| >= |VRB|", vdiveq_undefined},
};

} // namespace

std::span<const Rule> rules() { return kRules; }

const Rule *explain(const RuleInput &in) {
    for (const Rule &r : kRules)
        if (r.explains(in))
            return &r;
    return nullptr;
}

} // namespace phv::diff
