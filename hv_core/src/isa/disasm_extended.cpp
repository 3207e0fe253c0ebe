#include "isa/disasm_extended.h"

#include <cstdio>
#include <string_view>

#include "isa/fields.h"

namespace phv::isa {

namespace {
using namespace field;

std::string hex(uint64_t v) {
    char b[24];
    snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
    return b;
}
std::string num(int64_t v) { return std::to_string(v); }
std::string gpr(uint32_t n) { return "r" + std::to_string(n); }
std::string crf(uint32_t n) { return "cr" + std::to_string(n); }

// The operands of an extended form, in the row vocabulary plus the derived values the extended forms take
// (Book I C.4: e.g. srwi n is rlwinm 32-n,n,31, so its operand is MB). An empty rendering is left out, with
// its comma: that is how an optional CR field (cr0) disappears.
std::string operand(std::string_view op, uint32_t w, uint64_t nip) {
    if (op == "RT" || op == "RS") return gpr(RT(w));
    if (op == "RA") return gpr(RA(w));
    if (op == "RB") return gpr(RB(w));
    if (op == "RA0") return RA(w) ? gpr(RA(w)) : "0";
    if (op == "SI") return num(SI(w));
    if (op == "UI") return num(int64_t(UI(w)));
    if (op == "SH") return num(SH5(w));
    if (op == "MB") return num(MB5(w));
    if (op == "31-ME") return num(31 - ME5(w));
    if (op == "SH6") return num(SH6(w));
    if (op == "MB6") return num(MB6(w));
    if (op == "63-ME6") return num(63 - MB6(w));   // MD-form ME sits where MB does
    if (op == "BFopt") return BF(w) ? crf(BF(w)) : "";
    if (op == "BT") return cr_bit_name(RT(w));
    if (op == "BA") return cr_bit_name(RA(w));
    if (op == "FXM") return num(FXM(w));
    if (op == "SPRG") return num(SPR(w) - 272);
    if (op == "1") return "1";
    if (op == "BD") return hex(AA(w) ? uint64_t(BD(w)) : nip + uint64_t(BD(w)));
    // VSX moves name the FPR (fN) or VR (vN) half of the VSR in their extended forms (mffprd, mtvrd ...).
    if (op == "FRVS") return (bits(w, 31, 31) ? "v" : "f") + num(RT(w));
    if (op == "XT") return "vs" + num(XT(w));
    if (op == "XA") return "vs" + num(XA(w));
    if (op == "XB") return "vs" + num(XB(w));
    if (op == "0") return "0";
    if (op == "VRT") return "v" + num(RT(w));
    if (op == "VRA") return "v" + num(RA(w));
    return "?";
}

std::string render(std::string_view ops, uint32_t w, uint64_t nip) {
    std::string s;
    while (!ops.empty()) {
        const size_t comma = ops.find(',');
        const std::string o = operand(ops.substr(0, comma), w, nip);
        if (!o.empty())
            s += (s.empty() ? "" : ",") + o;
        ops = comma == std::string_view::npos ? std::string_view{} : ops.substr(comma + 1);
    }
    return s;
}

// ---- table of fixed-spelling extended forms ---------------------------------------------------------------
// base row, condition on the word, extended mnemonic, its operands. The first matching rule wins, so more
// special rules come first (Book I Appendix C; objdump's choices where the ISA offers two spellings).
struct Rule {
    std::string_view base;
    bool (*when)(uint32_t w);
    std::string_view mnemonic;
    std::string_view operands;
};

constexpr bool rs_is_rb(uint32_t w) { return RT(w) == RB(w); }
constexpr bool fpr_half(uint32_t w) { return bits(w, 31, 31) == 0; }
constexpr bool vr_half(uint32_t w) { return bits(w, 31, 31) == 1; }
constexpr bool xa_is_xb(uint32_t w) { return XA(w) == XB(w); }
constexpr uint32_t dm(uint32_t w) { return bits(w, 22, 23); }

constexpr Rule kRules[] = {
    // VSX (Book I C.6 and objdump): moves by the register half they reach, xxpermdi's doubleword picks,
    // xxlor/xxlnor of one register.
    {"mfvsrd", fpr_half, "mffprd", "RA,FRVS"},
    {"mfvsrd", vr_half, "mfvrd", "RA,FRVS"},
    {"mfvsrwz", fpr_half, "mffprwz", "RA,FRVS"},
    {"mfvsrwz", vr_half, "mfvrwz", "RA,FRVS"},
    {"mtvsrd", fpr_half, "mtfprd", "FRVS,RA"},
    {"mtvsrd", vr_half, "mtvrd", "FRVS,RA"},
    {"mtvsrwa", fpr_half, "mtfprwa", "FRVS,RA"},
    {"mtvsrwa", vr_half, "mtvrwa", "FRVS,RA"},
    {"mtvsrwz", fpr_half, "mtfprwz", "FRVS,RA"},
    {"mtvsrwz", vr_half, "mtvrwz", "FRVS,RA"},
    {"xxpermdi", [](uint32_t w) { return xa_is_xb(w) && dm(w) == 0; }, "xxspltd", "XT,XA,0"},
    {"xxpermdi", [](uint32_t w) { return xa_is_xb(w) && dm(w) == 3; }, "xxspltd", "XT,XA,1"},
    {"xxpermdi", [](uint32_t w) { return xa_is_xb(w) && dm(w) == 2; }, "xxswapd", "XT,XA"},
    {"xxpermdi", [](uint32_t w) { return dm(w) == 0; }, "xxmrghd", "XT,XA,XB"},
    {"xxpermdi", [](uint32_t w) { return dm(w) == 3; }, "xxmrgld", "XT,XA,XB"},
    {"xxlor", xa_is_xb, "xxmr", "XT,XA"},
    {"xxlnor", xa_is_xb, "xxlnot", "XT,XA"},
    {"ori", [](uint32_t w) { return w == 0x60000000u; }, "nop", ""},
    {"xori", [](uint32_t w) { return w == 0x68000000u; }, "xnop", ""},
    {"addi", [](uint32_t w) { return RA(w) == 0; }, "li", "RT,SI"},
    {"addis", [](uint32_t w) { return RA(w) == 0; }, "lis", "RT,SI"},
    // or Rx,Rx,Rx with x = 26, 27, 29, 30 are the hints miso, yield, mdoio, mdoom (Book II 3.2).
    {"or", [](uint32_t w) { return rs_is_rb(w) && RA(w) == 26 && RT(w) == 26; }, "miso", ""},
    {"or", [](uint32_t w) { return rs_is_rb(w) && RA(w) == 27 && RT(w) == 27; }, "yield", ""},
    {"or", [](uint32_t w) { return rs_is_rb(w) && RA(w) == 29 && RT(w) == 29; }, "mdoio", ""},
    {"or", [](uint32_t w) { return rs_is_rb(w) && RA(w) == 30 && RT(w) == 30; }, "mdoom", ""},
    {"or", rs_is_rb, "mr", "RA,RS"},
    {"nor", rs_is_rb, "not", "RA,RS"},
    {"xvcpsgndp", xa_is_xb, "xvmovdp", "XT,XB"},
    {"xvcpsgnsp", xa_is_xb, "xvmovsp", "XT,XB"},
    {"vor", [](uint32_t w) { return RA(w) == RB(w); }, "vmr", "VRT,VRA"},
    {"vnor", [](uint32_t w) { return RA(w) == RB(w); }, "vnot", "VRT,VRA"},
    {"cmp", [](uint32_t w) { return L10(w) == 0; }, "cmpw", "BFopt,RA,RB"},
    {"cmp", [](uint32_t w) { return L10(w) == 1; }, "cmpd", "BFopt,RA,RB"},
    {"cmpl", [](uint32_t w) { return L10(w) == 0; }, "cmplw", "BFopt,RA,RB"},
    {"cmpl", [](uint32_t w) { return L10(w) == 1; }, "cmpld", "BFopt,RA,RB"},
    {"cmpi", [](uint32_t w) { return L10(w) == 0; }, "cmpwi", "BFopt,RA,SI"},
    {"cmpi", [](uint32_t w) { return L10(w) == 1; }, "cmpdi", "BFopt,RA,SI"},
    {"cmpli", [](uint32_t w) { return L10(w) == 0; }, "cmplwi", "BFopt,RA,UI"},
    {"cmpli", [](uint32_t w) { return L10(w) == 1; }, "cmpldi", "BFopt,RA,UI"},
    // Rotates (Book I C.4): rlwinm SH,MB,ME.
    {"rlwinm", [](uint32_t w) { return MB5(w) == 0 && ME5(w) == 31; }, "rotlwi", "RA,RS,SH"},
    {"rlwinm", [](uint32_t w) { return SH5(w) == 0 && ME5(w) == 31; }, "clrlwi", "RA,RS,MB"},
    {"rlwinm", [](uint32_t w) { return SH5(w) == 0 && MB5(w) == 0; }, "clrrwi", "RA,RS,31-ME"},
    {"rlwinm", [](uint32_t w) { return MB5(w) == 0 && ME5(w) == 31 - SH5(w); }, "slwi", "RA,RS,SH"},
    {"rlwinm", [](uint32_t w) { return ME5(w) == 31 && SH5(w) + MB5(w) == 32; }, "srwi", "RA,RS,MB"},
    {"rlwnm", [](uint32_t w) { return MB5(w) == 0 && ME5(w) == 31; }, "rotlw", "RA,RS,RB"},
    {"rldicl", [](uint32_t w) { return MB6(w) == 0; }, "rotldi", "RA,RS,SH6"},
    {"rldicl", [](uint32_t w) { return SH6(w) == 0; }, "clrldi", "RA,RS,MB6"},
    {"rldicl", [](uint32_t w) { return SH6(w) + MB6(w) == 64; }, "srdi", "RA,RS,MB6"},
    {"rldicr", [](uint32_t w) { return SH6(w) == 0; }, "clrrdi", "RA,RS,63-ME6"},
    {"rldicr", [](uint32_t w) { return MB6(w) == 63 - SH6(w); }, "sldi", "RA,RS,SH6"},
    {"rldcl", [](uint32_t w) { return MB6(w) == 0; }, "rotld", "RA,RS,RB"},
    // CR logical (Book I C.3).
    {"crxor", [](uint32_t w) { return RT(w) == RA(w) && RA(w) == RB(w); }, "crclr", "BT"},
    {"creqv", [](uint32_t w) { return RT(w) == RA(w) && RA(w) == RB(w); }, "crset", "BT"},
    {"crnor", [](uint32_t w) { return RA(w) == RB(w); }, "crnot", "BT,BA"},
    {"cror", [](uint32_t w) { return RA(w) == RB(w); }, "crmove", "BT,BA"},
    // mtcrf/mfcr with bit 11 set are mtocrf/mfocrf (Book I 3.3.17); mtcrf 0xff is mtcr.
    {"mtcrf", [](uint32_t w) { return bits(w, 11, 11) == 1; }, "mtocrf", "FXM,RS"},
    {"mtcrf", [](uint32_t w) { return FXM(w) == 0xff; }, "mtcr", "RS"},
    {"mfcr", [](uint32_t w) { return bits(w, 11, 11) == 1; }, "mfocrf", "RT,FXM"},
    // sync L (bits 8:10): hwsync, lwsync, ptesync (Book II 4.6.3).
    {"sync", [](uint32_t w) { return bits(w, 8, 10) == 0 && bits(w, 14, 15) == 0; }, "hwsync", ""},
    {"sync", [](uint32_t w) { return bits(w, 8, 10) == 1 && bits(w, 14, 15) == 0; }, "lwsync", ""},
    {"sync", [](uint32_t w) { return bits(w, 8, 10) == 2 && bits(w, 14, 15) == 0; }, "ptesync", ""},
    // Operands that default to 0 are left out (sc LEV, mtmsr[d] L).
    {"sc", [](uint32_t w) { return LEV(w) == 0; }, "sc", ""},
    {"mtmsr", [](uint32_t w) { return L15(w) == 0; }, "mtmsr", "RS"},
    {"mtmsrd", [](uint32_t w) { return L15(w) == 0; }, "mtmsrd", "RS"},
    {"mftb", [](uint32_t w) { return SPR(w) == 268; }, "mftb", "RT"},
    {"mftb", [](uint32_t w) { return SPR(w) == 269; }, "mftbu", "RT"},
    {"mfspr", [](uint32_t w) { return SPR(w) == 268; }, "mftb", "RT"},
    {"mfspr", [](uint32_t w) { return SPR(w) == 269; }, "mftbu", "RT"},
    {"mfspr", [](uint32_t w) { return SPR(w) >= 272 && SPR(w) <= 275; }, "mfsprg", "RT,SPRG"},
    {"mtspr", [](uint32_t w) { return SPR(w) >= 272 && SPR(w) <= 275; }, "mtsprg", "SPRG,RS"},
    // Load and reserve with the exclusive-access hint EH=1 (Book II 4.4.2).
    {"lbarx", [](uint32_t w) { return EH(w) == 1; }, "lbarx", "RT,RA0,RB,1"},
    {"lharx", [](uint32_t w) { return EH(w) == 1; }, "lharx", "RT,RA0,RB,1"},
    {"lwarx", [](uint32_t w) { return EH(w) == 1; }, "lwarx", "RT,RA0,RB,1"},
    {"ldarx", [](uint32_t w) { return EH(w) == 1; }, "ldarx", "RT,RA0,RB,1"},
};

// mfspr/mtspr extended mnemonics mf<name>/mt<name> (Book I C.8, Book III Appendix A), for the SPRs the GNU
// assembler spells that way.
struct SprName {
    uint16_t n;
    std::string_view name;
    uint8_t dir;   // kRead: mf<name>, kWrite: mt<name>
};
constexpr uint8_t kRead = 1, kWrite = 2, kBoth = 3;
// CTRL is read as SPR 136 and written as SPR 152.
constexpr SprName kSprNames[] = {
    {1, "xer", kBoth}, {8, "lr", kBoth}, {9, "ctr", kBoth}, {17, "dscr", kBoth}, {18, "dsisr", kBoth},
    {19, "dar", kBoth}, {22, "dec", kBoth}, {25, "sdr1", kBoth}, {26, "srr0", kBoth}, {27, "srr1", kBoth},
    {28, "cfar", kBoth}, {29, "amr", kBoth}, {48, "pidr", kBoth}, {61, "iamr", kBoth}, {153, "fscr", kBoth},
    {157, "uamor", kBoth}, {159, "pspb", kBoth}, {176, "dpdes", kBoth}, {180, "dawr0", kBoth},
    {190, "hfscr", kBoth}, {256, "vrsave", kBoth}, {287, "pvr", kRead}, {304, "hsprg0", kBoth},
    {305, "hsprg1", kBoth}, {307, "hdar", kBoth}, {309, "purr", kBoth}, {310, "hdec", kBoth},
    {313, "hrmor", kBoth}, {314, "hsrr0", kBoth}, {315, "hsrr1", kBoth}, {318, "lpcr", kBoth},
    {319, "lpidr", kBoth}, {336, "hmer", kBoth}, {339, "heir", kBoth}, {349, "amor", kBoth},
    {446, "tir", kRead}, {464, "ptcr", kBoth}, {804, "ebbhr", kBoth}, {805, "ebbrr", kBoth},
    {806, "bescr", kBoth}, {815, "tar", kBoth}, {848, "ic", kBoth}, {896, "ppr", kBoth},
    {898, "ppr32", kBoth}, {1023, "pir", kRead}, {136, "ctrl", kRead}, {152, "ctrl", kWrite},
};

bool spr_move(const InsnDef &def, uint32_t w, Extended &out) {
    const bool from = def.mnemonic == "mfspr";
    if (!from && def.mnemonic != "mtspr")
        return false;
    for (const SprName &s : kSprNames)
        if (s.n == SPR(w) && (s.dir & (from ? kRead : kWrite))) {
            out.mnemonic = std::string(from ? "mf" : "mt") + std::string(s.name);
            out.operands = gpr(RT(w));
            return true;
        }
    return false;
}

// tw/td/twi/tdi with a TO the ISA names (Book I C.6): tweq, tdlgei, ...; tw 31,0,0 is trap.
bool trap(const InsnDef &def, uint32_t w, uint64_t nip, Extended &out) {
    const std::string_view m = def.mnemonic;
    if (m != "tw" && m != "td" && m != "twi" && m != "tdi")
        return false;
    const bool imm = m.size() == 3;
    if (m == "tw" && TO(w) == 31 && RA(w) == 0 && RB(w) == 0) {
        out.mnemonic = "trap";
        return true;
    }
    static constexpr std::string_view kTo[32] = {
        {}, "lgt", "llt", {}, "eq", "lge", "lle", {}, "gt", {}, {}, {}, "ge", {}, {}, {},
        "lt", {}, {}, {}, "le", {}, {}, {}, "ne", {}, {}, {}, {}, {}, {}, "u"};
    if (kTo[TO(w)].empty())
        return false;
    out.mnemonic = std::string(m.substr(0, 2)) + std::string(kTo[TO(w)]) + (imm ? "i" : "");
    out.operands = render(imm ? "RA,SI" : "RA,RB", w, nip);
    return true;
}

// isel with BC = lt/gt/eq of CR0 reads as isellt/iselgt/iseleq; other BCs are written as CR bit names.
bool isel(const InsnDef &def, uint32_t w, uint64_t nip, Extended &out) {
    if (def.mnemonic != "isel")
        return false;
    static constexpr std::string_view kCond[3] = {"lt", "gt", "eq"};
    if (RC(w) < 3) {
        out.mnemonic = "isel" + std::string(kCond[RC(w)]);
        out.operands = render("RT,RA0,RB", w, nip);
    } else {
        out.mnemonic = "isel";
        out.operands = render("RT,RA0,RB", w, nip) + "," + cr_bit_name(RC(w));
    }
    return true;
}

// Conditional branches (Book I C.2): BO and BI become the mnemonic, e.g. bc 12,6,x is beq cr1,x; bclr 20,0 is
// blr. Forms with no extended mnemonic are written with BI as a CR bit name and BH only when non-zero.
bool branch(const InsnDef &def, uint32_t w, uint64_t nip, Extended &out) {
    const std::string_view m = def.mnemonic;
    const bool imm = m == "bc";
    std::string_view target;
    if (m == "bclr") target = "lr";
    else if (m == "bcctr") target = "ctr";
    else if (m == "bctar") target = "tar";
    else if (!imm) return false;
    const uint32_t bo = BO(w), bi = BI(w), bh = imm ? 0 : BH(w);
    std::string suffix = std::string(target) + (LK(w) ? "l" : "") + (imm && AA(w) ? "a" : "");
    const std::string where = imm ? operand("BD", w, nip) : (bh ? num(bh) : "");
    auto join = [](std::string a, const std::string &b) { return a.empty() ? b : b.empty() ? a : a + "," + b; };
    // BO = 001at / 011at: branch if the CR bit is false / true; "at" = 10 and 11 are the - and + hints.
    const bool on_cr = (bo & 0x14) == 0x04 && (bo & 3) != 1;
    static constexpr std::string_view kTrue[4] = {"lt", "gt", "eq", "so"}, kFalse[4] = {"ge", "le", "ne", "ns"};
    static constexpr std::string_view kHint[4] = {"", "", "-", "+"};
    if (on_cr) {
        out.mnemonic = "b" + std::string(((bo & 8) ? kTrue : kFalse)[bi & 3]) + suffix + std::string(kHint[bo & 3]);
        // The CR field is left out for cr0 unless BH follows it.
        const std::string field = (bi >> 2) || bh ? crf(bi >> 2) : "";
        out.operands = join(field, where);
        return true;
    }
    // 1a0at with BI = 0: decrement CTR, branch if it is (not) zero; 1z1zz with BI = 0: branch always.
    if (bi == 0 && (bo == 20 || ((bo & 0x14) == 0x10 && (bo & 0x9) != 1 && m != "bcctr"))) {
        if (bo == 20 && imm)
            goto plain;   // "b" would be the I-form branch
        out.mnemonic = "b" + std::string(bo == 20 ? "" : (bo & 2) ? "dz" : "dnz") + suffix +
                       std::string(bo == 20 ? "" : kHint[(bo & 8) >> 2 | (bo & 1)]);
        out.operands = where;
        return true;
    }
    // 0000z / 0001z / 0100z / 0101z without the hint bit: decrement CTR and test a CR bit.
    if ((bo & 0x15) == 0 && m != "bcctr") {
        static constexpr std::string_view kCtrCond[4] = {"dnzf", "dzf", "dnzt", "dzt"};
        out.mnemonic = "b" + std::string(kCtrCond[(bo >> 3 & 1) << 1 | (bo >> 1 & 1)]) + suffix;
        out.operands = join(cr_bit_name(bi), where);
        return true;
    }
plain:
    out.mnemonic = std::string(m) + (LK(w) ? "l" : "") + (imm && AA(w) ? "a" : "");
    out.operands = join(num(bo) + "," + cr_bit_name(bi), where);
    return true;
}

} // namespace

std::string cr_bit_name(unsigned bit) {
    static constexpr std::string_view kBit[4] = {"lt", "gt", "eq", "so"};
    const std::string name(kBit[bit & 3]);
    return bit < 4 ? name : "4*cr" + std::to_string(bit >> 2) + "+" + name;
}

bool extended_prefixed(const InsnDef &def, uint32_t prefix, uint32_t w, uint64_t nip, const std::string &first,
                       Extended &out) {
    if (!def.operands.ends_with(",R"))
        return false;
    const bool pcrel = bits(prefix, 11, 11);
    if (pcrel && RA(w) != 0)
        return false;   // an invalid form: the row's own syntax shows what is there
    const int64_t d = sext(uint64_t(bits(prefix, 14, 31)) << 16 | bits(w, 16, 31), 34);
    const bool addi = def.mnemonic == "paddi";
    out.mnemonic = addi && RA(w) == 0 ? (pcrel ? "pla" : "pli") : std::string(def.mnemonic);
    out.operands = first + ",";
    if (addi)
        out.operands += (RA(w) ? gpr(RA(w)) + "," : "") + num(d);
    else
        out.operands += num(d) + (pcrel ? "" : "(" + (RA(w) ? gpr(RA(w)) : "0") + ")");
    if (pcrel) {
        // objdump's comment: the target address in hex, after a tab that phv writes as one space.
        char target[24];
        snprintf(target, sizeof target, " # %llx", (unsigned long long)(nip + uint64_t(d)));
        out.operands += target;
    }
    return true;
}

bool extended_form(const InsnDef &def, uint32_t w, uint64_t nip, Extended &out) {
    if (branch(def, w, nip, out) || trap(def, w, nip, out) || isel(def, w, nip, out) || spr_move(def, w, out))
        return true;
    for (const Rule &r : kRules) {
        if (r.base != def.mnemonic || !r.when(w))
            continue;
        out.mnemonic = std::string(r.mnemonic) + ((def.flags & flag::kRc) && Rc(w) ? "." : "");
        out.operands = render(r.operands, w, nip);
        return true;
    }
    return false;
}

} // namespace phv::isa
