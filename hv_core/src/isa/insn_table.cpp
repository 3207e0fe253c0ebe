// The instruction table: one row per instruction of Power ISA 3.1 that phv implements, grouped by the ISA's
// chapters. Each row: mnemonic, form, encoding, first ISA version, privilege, flags, disassembly operands,
// semantics per (OE, Rc) variant. The decoder, the disassembler and the tests are built from this table.
#include <array>

#include "isa/insn.h"
#include "isa/semantics/branch.h"
#include "isa/semantics/fixedpoint.h"
#include "isa/semantics/loadstore.h"
#include "isa/semantics/system.h"

namespace phv::isa {

namespace {

// ---- encodings: match/mask per form ---------------------------------------------------------------------
struct Enc {
    uint32_t match, mask;
};
constexpr Enc opcd(uint32_t p) { return {p << 26, 0xfc000000u}; }
constexpr Enc x(uint32_t p, uint32_t xo) { return {p << 26 | xo << 1, 0xfc0007feu}; }      // X, XL, XFX
constexpr Enc xo9(uint32_t p, uint32_t xo) { return {p << 26 | xo << 1, 0xfc0003feu}; }    // XO
constexpr Enc xs(uint32_t p, uint32_t xo) { return {p << 26 | xo << 2, 0xfc0007fcu}; }     // XS
constexpr Enc md(uint32_t p, uint32_t xo) { return {p << 26 | xo << 2, 0xfc00001cu}; }     // MD
constexpr Enc mds(uint32_t p, uint32_t xo) { return {p << 26 | xo << 1, 0xfc00001eu}; }    // MDS
constexpr Enc a(uint32_t p, uint32_t xo) { return {p << 26 | xo << 1, 0xfc00003eu}; }      // A, DX
constexpr Enc ds(uint32_t p, uint32_t xo) { return {p << 26 | xo, 0xfc000003u}; }          // DS
// Forms whose bit 31 is fixed at 1 (the store-conditionals) or 0.
constexpr Enc bit31(Enc e, uint32_t v) { return {e.match | v, e.mask | 1u}; }

struct Fns {
    ExecFn f[4];
};

constexpr InsnDef row(std::string_view m, Form form, Enc e, Isa isa, Priv priv, uint32_t flags,
                      std::string_view ops, Fns fns) {
    return InsnDef{m,   form,  e.match, e.mask, isa, priv, flags, ops, {fns.f[0], fns.f[1], fns.f[2], fns.f[3]},
                   dataflow(m, form, flags, ops)};
}

using namespace sem;
using F = Form;
using P = Priv;
constexpr Isa v207 = Isa::V207, v300 = Isa::V300;
using namespace flag;

// Variant lists: [OE<<1 | Rc].
#define ONE(...) Fns{{&__VA_ARGS__}}
#define RC(T, ...) Fns{{&T<__VA_ARGS__ __VA_OPT__(,) false>, &T<__VA_ARGS__ __VA_OPT__(,) true>}}
#define OE_RC(T, ...)                                                                                          \
    Fns{{&T<__VA_ARGS__ __VA_OPT__(,) false, false>, &T<__VA_ARGS__ __VA_OPT__(,) false, true>,              \
         &T<__VA_ARGS__ __VA_OPT__(,) true, false>, &T<__VA_ARGS__ __VA_OPT__(,) true, true>}}

constexpr uint32_t kXO = kRc | kOE;
constexpr uint32_t kLd = kLoad, kSt = kStore;

constexpr InsnDef kTable[] = {
    // ---- Book I 2: branch and condition register -------------------------------------------------------
    row("b", F::I, opcd(18), v207, P::Any, kBranch | kRc, "LI", RC(b)),
    row("bc", F::B, opcd(16), v207, P::Any, kBranch | kRc, "BO,BI,BD", RC(bc)),
    row("bclr", F::XL, x(19, 16), v207, P::Any, kBranch | kRc, "BO,BI,BH", RC(bc_reg, Target::LR)),
    row("bcctr", F::XL, x(19, 528), v207, P::Any, kBranch | kRc, "BO,BI,BH", RC(bc_reg, Target::CTR)),
    row("bctar", F::XL, x(19, 560), v207, P::Any, kBranch | kRc, "BO,BI,BH", RC(bc_reg, Target::TAR)),
    row("crand", F::XL, x(19, 257), v207, P::Any, kCR, "BT,BA,BB", ONE(crlogical<cr_and>)),
    row("cror", F::XL, x(19, 449), v207, P::Any, kCR, "BT,BA,BB", ONE(crlogical<cr_or>)),
    row("crxor", F::XL, x(19, 193), v207, P::Any, kCR, "BT,BA,BB", ONE(crlogical<cr_xor>)),
    row("crnand", F::XL, x(19, 225), v207, P::Any, kCR, "BT,BA,BB", ONE(crlogical<cr_nand>)),
    row("crnor", F::XL, x(19, 33), v207, P::Any, kCR, "BT,BA,BB", ONE(crlogical<cr_nor>)),
    row("creqv", F::XL, x(19, 289), v207, P::Any, kCR, "BT,BA,BB", ONE(crlogical<cr_eqv>)),
    row("crandc", F::XL, x(19, 129), v207, P::Any, kCR, "BT,BA,BB", ONE(crlogical<cr_andc>)),
    row("crorc", F::XL, x(19, 417), v207, P::Any, kCR, "BT,BA,BB", ONE(crlogical<cr_orc>)),
    row("mcrf", F::XL, x(19, 0), v207, P::Any, kCR, "BF,BFA", ONE(mcrf)),
    row("mfcr", F::XFX, x(31, 19), v207, P::Any, kCR, "RT,FXMopt", ONE(mfcr)),
    row("mtcrf", F::XFX, x(31, 144), v207, P::Any, kCR, "FXM,RS", ONE(mtcrf)),
    row("mcrxrx", F::X, x(31, 576), v300, P::Any, kCR | kXer, "BF", ONE(mcrxrx)),
    row("setb", F::X, x(31, 128), v300, P::Any, kCR, "RT,BFA", ONE(setb)),

    // ---- Book I 3.3.2-3.3.7: loads and stores --------------------------------------------------------------
    row("lbz", F::D, opcd(34), v207, P::Any, kLd, "RT,D(RA)", ONE(load<uint8_t, false, Addr::D, false>)),
    row("lbzu", F::D, opcd(35), v207, P::Any, kLd | kUpdate, "RT,D(RA)", ONE(load<uint8_t, false, Addr::D, true>)),
    row("lbzx", F::X, x(31, 87), v207, P::Any, kLd, "RT,RA,RB", ONE(load<uint8_t, false, Addr::X, false>)),
    row("lbzux", F::X, x(31, 119), v207, P::Any, kLd | kUpdate, "RT,RA,RB", ONE(load<uint8_t, false, Addr::X, true>)),
    row("lhz", F::D, opcd(40), v207, P::Any, kLd, "RT,D(RA)", ONE(load<uint16_t, false, Addr::D, false>)),
    row("lhzu", F::D, opcd(41), v207, P::Any, kLd | kUpdate, "RT,D(RA)", ONE(load<uint16_t, false, Addr::D, true>)),
    row("lhzx", F::X, x(31, 279), v207, P::Any, kLd, "RT,RA,RB", ONE(load<uint16_t, false, Addr::X, false>)),
    row("lhzux", F::X, x(31, 311), v207, P::Any, kLd | kUpdate, "RT,RA,RB", ONE(load<uint16_t, false, Addr::X, true>)),
    row("lha", F::D, opcd(42), v207, P::Any, kLd, "RT,D(RA)", ONE(load<uint16_t, true, Addr::D, false>)),
    row("lhau", F::D, opcd(43), v207, P::Any, kLd | kUpdate, "RT,D(RA)", ONE(load<uint16_t, true, Addr::D, true>)),
    row("lhax", F::X, x(31, 343), v207, P::Any, kLd, "RT,RA,RB", ONE(load<uint16_t, true, Addr::X, false>)),
    row("lhaux", F::X, x(31, 375), v207, P::Any, kLd | kUpdate, "RT,RA,RB", ONE(load<uint16_t, true, Addr::X, true>)),
    row("lwz", F::D, opcd(32), v207, P::Any, kLd, "RT,D(RA)", ONE(load<uint32_t, false, Addr::D, false>)),
    row("lwzu", F::D, opcd(33), v207, P::Any, kLd | kUpdate, "RT,D(RA)", ONE(load<uint32_t, false, Addr::D, true>)),
    row("lwzx", F::X, x(31, 23), v207, P::Any, kLd, "RT,RA,RB", ONE(load<uint32_t, false, Addr::X, false>)),
    row("lwzux", F::X, x(31, 55), v207, P::Any, kLd | kUpdate, "RT,RA,RB", ONE(load<uint32_t, false, Addr::X, true>)),
    row("lwa", F::DS, ds(58, 2), v207, P::Any, kLd, "RT,DS(RA)", ONE(load<uint32_t, true, Addr::D, false>)),
    row("lwax", F::X, x(31, 341), v207, P::Any, kLd, "RT,RA,RB", ONE(load<uint32_t, true, Addr::X, false>)),
    row("lwaux", F::X, x(31, 373), v207, P::Any, kLd | kUpdate, "RT,RA,RB", ONE(load<uint32_t, true, Addr::X, true>)),
    row("ld", F::DS, ds(58, 0), v207, P::Any, kLd, "RT,DS(RA)", ONE(load<uint64_t, false, Addr::D, false>)),
    row("ldu", F::DS, ds(58, 1), v207, P::Any, kLd | kUpdate, "RT,DS(RA)", ONE(load<uint64_t, false, Addr::D, true>)),
    row("ldx", F::X, x(31, 21), v207, P::Any, kLd, "RT,RA,RB", ONE(load<uint64_t, false, Addr::X, false>)),
    row("ldux", F::X, x(31, 53), v207, P::Any, kLd | kUpdate, "RT,RA,RB", ONE(load<uint64_t, false, Addr::X, true>)),
    row("lhbrx", F::X, x(31, 790), v207, P::Any, kLd, "RT,RA,RB", ONE(load<uint16_t, false, Addr::X, false, true>)),
    row("lwbrx", F::X, x(31, 534), v207, P::Any, kLd, "RT,RA,RB", ONE(load<uint32_t, false, Addr::X, false, true>)),
    row("ldbrx", F::X, x(31, 532), v207, P::Any, kLd, "RT,RA,RB", ONE(load<uint64_t, false, Addr::X, false, true>)),
    row("stb", F::D, opcd(38), v207, P::Any, kSt, "RS,D(RA)", ONE(store<uint8_t, Addr::D, false>)),
    row("stbu", F::D, opcd(39), v207, P::Any, kSt | kUpdate, "RS,D(RA)", ONE(store<uint8_t, Addr::D, true>)),
    row("stbx", F::X, x(31, 215), v207, P::Any, kSt, "RS,RA,RB", ONE(store<uint8_t, Addr::X, false>)),
    row("stbux", F::X, x(31, 247), v207, P::Any, kSt | kUpdate, "RS,RA,RB", ONE(store<uint8_t, Addr::X, true>)),
    row("sth", F::D, opcd(44), v207, P::Any, kSt, "RS,D(RA)", ONE(store<uint16_t, Addr::D, false>)),
    row("sthu", F::D, opcd(45), v207, P::Any, kSt | kUpdate, "RS,D(RA)", ONE(store<uint16_t, Addr::D, true>)),
    row("sthx", F::X, x(31, 407), v207, P::Any, kSt, "RS,RA,RB", ONE(store<uint16_t, Addr::X, false>)),
    row("sthux", F::X, x(31, 439), v207, P::Any, kSt | kUpdate, "RS,RA,RB", ONE(store<uint16_t, Addr::X, true>)),
    row("stw", F::D, opcd(36), v207, P::Any, kSt, "RS,D(RA)", ONE(store<uint32_t, Addr::D, false>)),
    row("stwu", F::D, opcd(37), v207, P::Any, kSt | kUpdate, "RS,D(RA)", ONE(store<uint32_t, Addr::D, true>)),
    row("stwx", F::X, x(31, 151), v207, P::Any, kSt, "RS,RA,RB", ONE(store<uint32_t, Addr::X, false>)),
    row("stwux", F::X, x(31, 183), v207, P::Any, kSt | kUpdate, "RS,RA,RB", ONE(store<uint32_t, Addr::X, true>)),
    row("std", F::DS, ds(62, 0), v207, P::Any, kSt, "RS,DS(RA)", ONE(store<uint64_t, Addr::D, false>)),
    row("stdu", F::DS, ds(62, 1), v207, P::Any, kSt | kUpdate, "RS,DS(RA)", ONE(store<uint64_t, Addr::D, true>)),
    row("stdx", F::X, x(31, 149), v207, P::Any, kSt, "RS,RA,RB", ONE(store<uint64_t, Addr::X, false>)),
    row("stdux", F::X, x(31, 181), v207, P::Any, kSt | kUpdate, "RS,RA,RB", ONE(store<uint64_t, Addr::X, true>)),
    row("sthbrx", F::X, x(31, 918), v207, P::Any, kSt, "RS,RA,RB", ONE(store<uint16_t, Addr::X, false, true>)),
    row("stwbrx", F::X, x(31, 662), v207, P::Any, kSt, "RS,RA,RB", ONE(store<uint32_t, Addr::X, false, true>)),
    row("stdbrx", F::X, x(31, 660), v207, P::Any, kSt, "RS,RA,RB", ONE(store<uint64_t, Addr::X, false, true>)),
    row("lmw", F::D, opcd(46), v207, P::Any, kLd, "RT,D(RA)", ONE(multiple<false>)),
    row("stmw", F::D, opcd(47), v207, P::Any, kSt, "RS,D(RA)", ONE(multiple<true>)),

    // ---- Book II 4.4: load and reserve, store conditional ------------------------------------------------
    row("lbarx", F::X, x(31, 52), v207, P::Any, kLd, "RT,RA,RB", ONE(larx<uint8_t>)),
    row("lharx", F::X, x(31, 116), v207, P::Any, kLd, "RT,RA,RB", ONE(larx<uint16_t>)),
    row("lwarx", F::X, x(31, 20), v207, P::Any, kLd, "RT,RA,RB", ONE(larx<uint32_t>)),
    row("ldarx", F::X, x(31, 84), v207, P::Any, kLd, "RT,RA,RB", ONE(larx<uint64_t>)),
    row("stbcx.", F::X, bit31(x(31, 694), 1), v207, P::Any, kSt | kCR, "RS,RA,RB", ONE(stcx<uint8_t>)),
    row("sthcx.", F::X, bit31(x(31, 726), 1), v207, P::Any, kSt | kCR, "RS,RA,RB", ONE(stcx<uint16_t>)),
    row("stwcx.", F::X, bit31(x(31, 150), 1), v207, P::Any, kSt | kCR, "RS,RA,RB", ONE(stcx<uint32_t>)),
    row("stdcx.", F::X, bit31(x(31, 214), 1), v207, P::Any, kSt | kCR, "RS,RA,RB", ONE(stcx<uint64_t>)),

    // ---- Book I 3.3.9: arithmetic ----------------------------------------------------------------------------
    row("addi", F::D, opcd(14), v207, P::Any, 0, "RT,RA0,SI", ONE(addi)),
    row("addis", F::D, opcd(15), v207, P::Any, 0, "RT,RA0,SI", ONE(addis)),
    row("addpcis", F::DX, a(19, 2), v300, P::Any, 0, "RT,DX", ONE(addpcis)),
    row("addic", F::D, opcd(12), v207, P::Any, kSetsCA, "RT,RA,SI", ONE(add_family<op_addic, false, false>)),
    row("addic.", F::D, opcd(13), v207, P::Any, kSetsCA, "RT,RA,SI", ONE(add_family<op_addic, false, true>)),
    row("subfic", F::D, opcd(8), v207, P::Any, kSetsCA, "RT,RA,SI", ONE(add_family<op_subfic, false, false>)),
    row("mulli", F::D, opcd(7), v207, P::Any, 0, "RT,RA,SI", ONE(mulli)),
    row("add", F::XO, xo9(31, 266), v207, P::Any, kXO, "RT,RA,RB", OE_RC(add_family, op_add)),
    row("subf", F::XO, xo9(31, 40), v207, P::Any, kXO, "RT,RA,RB", OE_RC(add_family, op_subf)),
    row("addc", F::XO, xo9(31, 10), v207, P::Any, kXO | kSetsCA, "RT,RA,RB", OE_RC(add_family, op_addc)),
    row("subfc", F::XO, xo9(31, 8), v207, P::Any, kXO | kSetsCA, "RT,RA,RB", OE_RC(add_family, op_subfc)),
    row("adde", F::XO, xo9(31, 138), v207, P::Any, kXO | kSetsCA | kReadsCA, "RT,RA,RB", OE_RC(add_family, op_adde)),
    row("subfe", F::XO, xo9(31, 136), v207, P::Any, kXO | kSetsCA | kReadsCA, "RT,RA,RB", OE_RC(add_family, op_subfe)),
    row("addme", F::XO, xo9(31, 234), v207, P::Any, kXO | kSetsCA | kReadsCA, "RT,RA", OE_RC(add_family, op_addme)),
    row("addze", F::XO, xo9(31, 202), v207, P::Any, kXO | kSetsCA | kReadsCA, "RT,RA", OE_RC(add_family, op_addze)),
    row("subfme", F::XO, xo9(31, 232), v207, P::Any, kXO | kSetsCA | kReadsCA, "RT,RA", OE_RC(add_family, op_subfme)),
    row("subfze", F::XO, xo9(31, 200), v207, P::Any, kXO | kSetsCA | kReadsCA, "RT,RA", OE_RC(add_family, op_subfze)),
    row("neg", F::XO, xo9(31, 104), v207, P::Any, kXO, "RT,RA", OE_RC(add_family, op_neg)),
    row("mullw", F::XO, xo9(31, 235), v207, P::Any, kXO, "RT,RA,RB", OE_RC(mullw)),
    row("mulld", F::XO, xo9(31, 233), v207, P::Any, kXO, "RT,RA,RB", OE_RC(mulld)),
    row("mulhw", F::XO, xo9(31, 75), v207, P::Any, kRc, "RT,RA,RB", RC(mulhw, true)),
    row("mulhwu", F::XO, xo9(31, 11), v207, P::Any, kRc, "RT,RA,RB", RC(mulhw, false)),
    row("mulhd", F::XO, xo9(31, 73), v207, P::Any, kRc, "RT,RA,RB", RC(mulhd, true)),
    row("mulhdu", F::XO, xo9(31, 9), v207, P::Any, kRc, "RT,RA,RB", RC(mulhd, false)),
    row("divw", F::XO, xo9(31, 491), v207, P::Any, kXO, "RT,RA,RB", OE_RC(divw, true)),
    row("divwu", F::XO, xo9(31, 459), v207, P::Any, kXO, "RT,RA,RB", OE_RC(divw, false)),
    row("divd", F::XO, xo9(31, 489), v207, P::Any, kXO, "RT,RA,RB", OE_RC(divd, true)),
    row("divdu", F::XO, xo9(31, 457), v207, P::Any, kXO, "RT,RA,RB", OE_RC(divd, false)),
    row("modsw", F::X, x(31, 779), v300, P::Any, 0, "RT,RA,RB", ONE(modw<true>)),
    row("moduw", F::X, x(31, 267), v300, P::Any, 0, "RT,RA,RB", ONE(modw<false>)),
    row("modsd", F::X, x(31, 777), v300, P::Any, 0, "RT,RA,RB", ONE(modd<true>)),
    row("modud", F::X, x(31, 265), v300, P::Any, 0, "RT,RA,RB", ONE(modd<false>)),

    // ---- Book I 3.3.10-3.3.12: compare, trap, select -----------------------------------------------------
    row("cmp", F::X, x(31, 0), v207, P::Any, kCR, "BF,L,RA,RB", ONE(cmp<true, false>)),
    row("cmpl", F::X, x(31, 32), v207, P::Any, kCR, "BF,L,RA,RB", ONE(cmp<false, false>)),
    row("cmpi", F::D, opcd(11), v207, P::Any, kCR, "BF,L,RA,SI", ONE(cmp<true, true>)),
    row("cmpli", F::D, opcd(10), v207, P::Any, kCR | kUImm, "BF,L,RA,UI", ONE(cmp<false, true>)),
    row("cmpb", F::X, x(31, 508), v207, P::Any, 0, "RA,RS,RB", ONE(cmpb)),
    row("tw", F::X, x(31, 4), v207, P::Any, 0, "TO,RA,RB", ONE(trap<true, false>)),
    row("twi", F::D, opcd(3), v207, P::Any, 0, "TO,RA,SI", ONE(trap<true, true>)),
    row("td", F::X, x(31, 68), v207, P::Any, 0, "TO,RA,RB", ONE(trap<false, false>)),
    row("tdi", F::D, opcd(2), v207, P::Any, 0, "TO,RA,SI", ONE(trap<false, true>)),
    row("isel", F::A, a(31, 15), v207, P::Any, kCR, "RT,RA0,RB,BC", ONE(isel)),

    // ---- Book I 3.3.13: logical --------------------------------------------------------------------------
    row("andi.", F::D, opcd(28), v207, P::Any, kUImm, "RA,RS,UI", ONE(logical_imm<op_and, 0, true>)),
    row("andis.", F::D, opcd(29), v207, P::Any, kUImm, "RA,RS,UI", ONE(logical_imm<op_and, 16, true>)),
    row("ori", F::D, opcd(24), v207, P::Any, kUImm, "RA,RS,UI", ONE(logical_imm<op_or, 0, false>)),
    row("oris", F::D, opcd(25), v207, P::Any, kUImm, "RA,RS,UI", ONE(logical_imm<op_or, 16, false>)),
    row("xori", F::D, opcd(26), v207, P::Any, kUImm, "RA,RS,UI", ONE(logical_imm<op_xor, 0, false>)),
    row("xoris", F::D, opcd(27), v207, P::Any, kUImm, "RA,RS,UI", ONE(logical_imm<op_xor, 16, false>)),
    row("and", F::X, x(31, 28), v207, P::Any, kRc, "RA,RS,RB", RC(logical, op_and)),
    row("andc", F::X, x(31, 60), v207, P::Any, kRc, "RA,RS,RB", RC(logical, op_andc)),
    row("or", F::X, x(31, 444), v207, P::Any, kRc, "RA,RS,RB", RC(logical, op_or)),
    row("orc", F::X, x(31, 412), v207, P::Any, kRc, "RA,RS,RB", RC(logical, op_orc)),
    row("xor", F::X, x(31, 316), v207, P::Any, kRc, "RA,RS,RB", RC(logical, op_xor)),
    row("nand", F::X, x(31, 476), v207, P::Any, kRc, "RA,RS,RB", RC(logical, op_nand)),
    row("nor", F::X, x(31, 124), v207, P::Any, kRc, "RA,RS,RB", RC(logical, op_nor)),
    row("eqv", F::X, x(31, 284), v207, P::Any, kRc, "RA,RS,RB", RC(logical, op_eqv)),
    row("extsb", F::X, x(31, 954), v207, P::Any, kRc, "RA,RS", RC(unary, op_extsb)),
    row("extsh", F::X, x(31, 922), v207, P::Any, kRc, "RA,RS", RC(unary, op_extsh)),
    row("extsw", F::X, x(31, 986), v207, P::Any, kRc, "RA,RS", RC(unary, op_extsw)),
    row("cntlzw", F::X, x(31, 26), v207, P::Any, kRc, "RA,RS", RC(unary, op_cntlzw)),
    row("cntlzd", F::X, x(31, 58), v207, P::Any, kRc, "RA,RS", RC(unary, op_cntlzd)),
    row("cnttzw", F::X, x(31, 538), v300, P::Any, kRc, "RA,RS", RC(unary, op_cnttzw)),
    row("cnttzd", F::X, x(31, 570), v300, P::Any, kRc, "RA,RS", RC(unary, op_cnttzd)),
    row("popcntb", F::X, x(31, 122), v207, P::Any, 0, "RA,RS", ONE(unary<op_popcntb, false>)),
    row("popcntw", F::X, x(31, 378), v207, P::Any, 0, "RA,RS", ONE(unary<op_popcntw, false>)),
    row("popcntd", F::X, x(31, 506), v207, P::Any, 0, "RA,RS", ONE(unary<op_popcntd, false>)),
    row("prtyw", F::X, x(31, 154), v207, P::Any, 0, "RA,RS", ONE(unary<op_prtyw, false>)),
    row("prtyd", F::X, x(31, 186), v207, P::Any, 0, "RA,RS", ONE(unary<op_prtyd, false>)),

    // ---- Book I 3.3.14: rotate and shift -------------------------------------------------------------------
    row("rlwinm", F::M, opcd(21), v207, P::Any, kRc, "RA,RS,SH,MB,ME", RC(rlwinm)),
    row("rlwnm", F::M, opcd(23), v207, P::Any, kRc, "RA,RS,RB,MB,ME", RC(rlwnm)),
    row("rlwimi", F::M, opcd(20), v207, P::Any, kRc, "RA,RS,SH,MB,ME", RC(rlwimi)),
    row("rldicl", F::MD, md(30, 0), v207, P::Any, kRc, "RA,RS,SH6,MB6", RC(rld_imm, RotMask::Left)),
    row("rldicr", F::MD, md(30, 1), v207, P::Any, kRc, "RA,RS,SH6,ME6", RC(rld_imm, RotMask::Right)),
    row("rldic", F::MD, md(30, 2), v207, P::Any, kRc, "RA,RS,SH6,MB6", RC(rld_imm, RotMask::Both)),
    row("rldimi", F::MD, md(30, 3), v207, P::Any, kRc, "RA,RS,SH6,MB6", RC(rld_imm, RotMask::Insert)),
    row("rldcl", F::MDS, mds(30, 8), v207, P::Any, kRc, "RA,RS,RB,MB6", RC(rld_reg, RotMask::Left)),
    row("rldcr", F::MDS, mds(30, 9), v207, P::Any, kRc, "RA,RS,RB,ME6", RC(rld_reg, RotMask::Right)),
    row("slw", F::X, x(31, 24), v207, P::Any, kRc, "RA,RS,RB", RC(slw)),
    row("srw", F::X, x(31, 536), v207, P::Any, kRc, "RA,RS,RB", RC(srw)),
    row("sld", F::X, x(31, 27), v207, P::Any, kRc, "RA,RS,RB", RC(sld)),
    row("srd", F::X, x(31, 539), v207, P::Any, kRc, "RA,RS,RB", RC(srd)),
    row("sraw", F::X, x(31, 792), v207, P::Any, kRc | kSetsCA, "RA,RS,RB", RC(sra, true, false)),
    row("srawi", F::X, x(31, 824), v207, P::Any, kRc | kSetsCA, "RA,RS,SH", RC(sra, true, true)),
    row("srad", F::X, x(31, 794), v207, P::Any, kRc | kSetsCA, "RA,RS,RB", RC(sra, false, false)),
    row("sradi", F::XS, xs(31, 413), v207, P::Any, kRc | kSetsCA, "RA,RS,SH6", RC(sra, false, true)),
    row("extswsli", F::XS, xs(31, 445), v300, P::Any, kRc, "RA,RS,SH6", RC(extswsli)),

    // ---- Book II 4 and Book III: storage control, synchronisation ----------------------------------------
    row("sync", F::X, x(31, 598), v207, P::Any, 0, "L", ONE(nop)),
    row("eieio", F::X, x(31, 854), v207, P::Any, 0, "", ONE(nop)),
    row("isync", F::XL, x(19, 150), v207, P::Any, kSync, "", ONE(context_sync)),
    row("dcbz", F::X, x(31, 1014), v207, P::Any, kSt, "RA0,RB", ONE(dcbz)),
    row("dcbst", F::X, x(31, 54), v207, P::Any, 0, "RA0,RB", ONE(nop)),
    row("dcbf", F::X, x(31, 86), v207, P::Any, 0, "RA0,RB", ONE(nop)),
    row("dcbt", F::X, x(31, 278), v207, P::Any, 0, "RA0,RB", ONE(nop)),
    row("dcbtst", F::X, x(31, 246), v207, P::Any, 0, "RA0,RB", ONE(nop)),
    row("icbi", F::X, x(31, 982), v207, P::Any, 0, "RA0,RB", ONE(icbi)),
    row("wait", F::X, x(31, 30), v300, P::Any, kSync, "", ONE(wait)),

    // ---- Book III: system call, MSR, SPRs, timebase -------------------------------------------------------
    row("sc", F::SC, opcd(17), v207, P::Any, kBranch, "LEV", ONE(sc)),
    row("rfid", F::XL, x(19, 18), v207, P::Privileged, kBranch | kSync, "", ONE(rfid)),
    row("mfmsr", F::X, x(31, 83), v207, P::Privileged, 0, "RT", ONE(mfmsr)),
    row("mtmsr", F::X, x(31, 146), v207, P::Privileged, kSync, "RS,L15", ONE(mtmsr<false>)),
    row("mtmsrd", F::X, x(31, 178), v207, P::Privileged, kSync, "RS,L15", ONE(mtmsr<true>)),
    row("mfspr", F::XFX, x(31, 339), v207, P::Any, 0, "RT,SPR", ONE(mfspr)),
    row("mtspr", F::XFX, x(31, 467), v207, P::Any, 0, "SPR,RS", ONE(mtspr)),
    row("mftb", F::XFX, x(31, 371), v207, P::Any, 0, "RT,SPR", ONE(mftb)),
};

#undef ONE
#undef RC
#undef OE_RC

constexpr bool no_two_rows_overlap() {
    // Two rows may share encodings only when one is strictly more specific (its mask covers the other's).
    for (size_t i = 0; i < std::size(kTable); ++i)
        for (size_t j = i + 1; j < std::size(kTable); ++j) {
            const uint32_t common = kTable[i].mask & kTable[j].mask;
            if ((kTable[i].match & common) == (kTable[j].match & common) && kTable[i].mask == kTable[j].mask)
                return false;
        }
    return true;
}
static_assert(no_two_rows_overlap(), "two instruction rows claim the same encoding");

} // namespace

std::span<const InsnDef> insn_table() { return kTable; }

} // namespace phv::isa
