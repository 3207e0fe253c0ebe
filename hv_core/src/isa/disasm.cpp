#include "isa/disasm.h"

#include <cstdio>
#include <string>
#include <string_view>

#include "isa/decoder.h"
#include "isa/disasm_extended.h"
#include "isa/fields.h"

namespace phv::isa {

namespace {

std::string hex(uint64_t v) {
    char b[24];
    snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
    return b;
}

// One operand of the row's operand list, rendered from the instruction word (for a prefixed instruction, the
// suffix; `prefix` is then its prefix word, else 0).
std::string operand(std::string_view op, uint32_t w, uint64_t nip, const InsnDef &def, uint32_t prefix = 0) {
    using namespace field;
    auto r = [](uint32_t n) { return "r" + std::to_string(n); };
    auto num = [](int64_t n) { return std::to_string(n); };
    auto target = [&](int64_t disp) { return hex(AA(w) ? uint64_t(disp) : nip + uint64_t(disp)); };
    if (op == "RT" || op == "RS") return r(RT(w));
    // Indexed loads and stores add (RA|0), and are written with 0 for RA = 0 (Book I 1.6.2).
    if (op == "RA" && (def.flags & (flag::kLoad | flag::kStore)) && !(def.flags & flag::kUpdate))
        return RA(w) ? r(RA(w)) : "0";
    if (op == "RA") return r(RA(w));
    if (op == "RB") return r(RB(w));
    if (op == "RA0") return RA(w) ? r(RA(w)) : "0";
    if (op == "SI") return num(SI(w));
    if (op == "UI") return num(int64_t(UI(w)));
    if (op == "D(RA)") return num(D(w)) + "(" + (RA(w) ? r(RA(w)) : "0") + ")";
    if (op == "DS(RA)") return num(DS(w)) + "(" + (RA(w) ? r(RA(w)) : "0") + ")";
    // The hash instructions' offset: EXTS(0b111_1111 || DX || D || 0b000), always (RA), never RA|0.
    if (op == "DW(RA)") return num(-8 * int64_t(64 - (bits(w, 31, 31) << 5 | bits(w, 6, 10)))) + "(" + r(RA(w)) + ")";
    if (op == "LI") return target(LI(w));
    if (op == "BD") return target(BD(w));
    if (op == "BO" || op == "TO") return num(BO(w));
    if (op == "BT") return cr_bit_name(BO(w));
    if (op == "BI" || op == "BA") return cr_bit_name(BI(w));
    if (op == "BB") return cr_bit_name(RB(w));
    if (op == "BH") return num(BH(w));
    if (op == "BC") return cr_bit_name(RC(w));
    if (op == "BF") return "cr" + num(BF(w));
    if (op == "BFA") return "cr" + num(BFA(w));
    if (op == "L") return num(def.form == Form::X && def.match >> 26 == 31 && XO_X(w) == 598 ? bits(w, 9, 10) : L10(w));
    if (op == "L15") return num(L15(w));
    // tlbie/tlbiel RIC, PRS, R (bits 12:13, 14, 15) and slbia IH (bits 8:10).
    if (op == "RIC") return num(bits(w, 12, 13));
    if (op == "PRS") return num(bits(w, 14, 14));
    if (op == "R15") return num(bits(w, 15, 15));
    if (op == "IH") return num(bits(w, 8, 10));
    if (op == "SH") return num(SH5(w));
    if (op == "MB") return num(MB5(w));
    if (op == "ME") return num(ME5(w));
    if (op == "SH6") return num(SH6(w));
    if (op == "MB6" || op == "ME6") return num(MB6(w));
    if (op == "SPR") return num(SPR(w));
    if (op == "FXM") return num(FXM(w));
    if (op == "LEV") return num(LEV(w));
    if (op == "RC") return r(RC(w));
    if (op == "CY") return num(bits(w, 21, 22));
    if (op == "L14") return num(bits(w, 14, 15));
    if (op == "NB") return num(NB(w));
    if (op == "CT") return num(bits(w, 7, 10));   // icbt cache level
    if (op == "FC") return num(RB(w));   // lwat/ldat/stwat/stdat function code (bits 16:20)
    if (op == "DQ(RA)") return num(sext(bits(w, 16, 27), 12) * 16) + "(" + (RA(w) ? r(RA(w)) : "0") + ")";
    if (op == "D34(RA)" || op == "SI34") {
        const int64_t d34 = sext(uint64_t(bits(prefix, 14, 31)) << 16 | bits(w, 16, 31), 34);
        return op == "SI34" ? num(d34) : num(d34) + "(" + (RA(w) ? r(RA(w)) : "0") + ")";
    }
    if (op == "R") return num(bits(prefix, 11, 11));
    // Floating point (rows/fp.inc): FPRs are written fN as objdump does.
    if (op == "FRT" || op == "FRS" || op == "FRTp" || op == "FRSp") return "f" + num(RT(w));
    if (op == "FRA") return "f" + num(RA(w));
    if (op == "FRB") return "f" + num(RB(w));
    if (op == "FRC") return "f" + num(RC(w));
    if (op == "RMC") return num(bits(w, 21, 22));
    if (op == "DCMX")   // xststdc*: bits 9:15; xvtstdc*: dc (25) || dm (29) || dx (11:15)
        return num((def.mask & 0x40u) ? bits(w, 9, 15) : bits(w, 25, 25) << 6 | bits(w, 29, 29) << 5 | RA(w));
    if (op == "FLM") return num(bits(w, 7, 14));
    if (op == "U") return num(bits(w, 16, 19));
    if (op == "DRM") return num(bits(w, 18, 20));
    if (op == "RM") return num(bits(w, 19, 20));
    if (op == "BTF") return num(RT(w));
    // VSX (Book I 7.6): VSRs are written vsN, VRs vN, as objdump does; the extension bit's place depends on
    // the form.
    if (op == "XT" || op == "XS") {
        const uint32_t x = def.form == Form::DQX ? XT_DQ(w) : def.form == Form::LS8X ? XT_8LS(w)
                           : def.form == Form::RR8D ? XT_8RR(w) : XT(w);
        return "vs" + num(x);
    }
    // MMA (rows/vsx_mma.inc): accumulators are written aN; the masks come from the prefix.
    if (op == "AT") return "a" + num(bits(w, 6, 8));
    if (op == "XAp") return "vs" + num(XA(w));
    if (op == "XMSK") return num(bits(prefix, 24, 27));
    if (op == "YMSK") return num(bits(prefix, 28, 31));
    if (op == "YMSK2") return num(bits(prefix, 28, 29));
    if (op == "PMSK8") return num(bits(prefix, 16, 23));
    if (op == "PMSK4") return num(bits(prefix, 16, 19));
    if (op == "PMSK2") return num(bits(prefix, 16, 17));
    if (op == "XA") return "vs" + num(XA(w));
    if (op == "XB") return "vs" + num(XB(w));
    if (op == "XC") return "vs" + num(XC(w));
    if (op == "XTp" || op == "XSp") return "vs" + num(XTp(w));
    if (op == "VRT" || op == "VRS") return "v" + num(RT(w));
    if (op == "VRA") return "v" + num(RA(w));
    if (op == "VRB") return "v" + num(RB(w));
    if (op == "VRC") return "v" + num(RC(w));
    if (op == "DM" || op == "SHW") return num(bits(w, 22, 23));
    if (op == "UIM2") return num(bits(w, 14, 15));   // xxspltw
    if (op == "UIM4") return num(bits(w, 12, 15));   // xxextractuw, xxinsertw
    if (op == "IMM8") return num(bits(w, 13, 20));   // xxspltib
    if (op == "IMM5") return num(bits(w, 11, 15));   // xxgenpcv*m
    if (op == "UIM5") return num(bits(w, 16, 20));   // lxvkq
    if (op == "IX") return num(bits(w, 14, 14));     // xxsplti32dx
    if (op == "IMM32") return num(bits(prefix, 16, 31) << 16 | bits(w, 16, 31));
    if (op == "IMM8P") return num(bits(prefix, 24, 31));   // xxeval
    if (op == "UIM3P") return num(bits(prefix, 29, 31));   // xxpermx
    if (op == "DX") return num(sext((bits(w, 16, 25) << 6) | (bits(w, 11, 15) << 1) | bits(w, 31, 31), 16));
    // VMX immediates (rows/vmx_*.inc; VRT..VRC, UIM2 and UIM4 are above).
    if (op == "UIM") return num(bits(w, 11, 15));    // vcfsx, vctsxs ...
    if (op == "RAsrc") return "r" + num(RA(w));      // dst: RA read as a register, never RA|0
    if (op == "STRM") return num(bits(w, 9, 10));
    if (op == "UIM3") return num(bits(w, 13, 15));   // vsplth
    if (op == "SIM") return num(sext(bits(w, 11, 15), 5));
    if (op == "SHB") return num(bits(w, 22, 25));
    if (op == "SH3") return num(bits(w, 23, 25));
    if (op == "ST") return num(bits(w, 16, 16));
    if (op == "SIX") return num(bits(w, 17, 20));
    if (op == "MP") return num(bits(w, 15, 15));
    if (op == "N") return num(bits(w, 13, 15));
    if (op == "BM16") return num(bits(w, 16, 25) << 6 | bits(w, 11, 15) << 1 | bits(w, 31, 31));
    return "?";
}

} // namespace

int disassemble(uint32_t w, uint64_t nip, char *buf, size_t len) { return disassemble(w, 0, nip, buf, len); }

int disassemble(uint32_t first, uint32_t suffix, uint64_t nip, char *buf, size_t len) {
    if (!buf || !len)
        return 0;
    const bool prefixed = is_prefix(first);
    const InsnDef *def = prefixed ? find_prefixed(first, suffix) : find_insn(first);
    if (!def) {
        snprintf(buf, len, ".long 0x%08x", first);
        return 0;
    }
    // Operands and Rc/OE come from the suffix of a prefixed instruction.
    const uint32_t w = prefixed ? suffix : first;
    const uint32_t prefix = prefixed ? first : 0;
    // The ISA's extended mnemonic when it has one (disasm_extended.cpp), else the row's own syntax.
    std::string_view first_op = def->operands.substr(0, def->operands.find(','));
    const std::string first_text = operand(first_op, w, nip, *def, prefix);
    if (Extended ext; prefixed ? extended_prefixed(*def, prefix, w, nip, first_text, ext) : extended_form(*def, w, nip, ext)) {
        if (!ext.operands.empty()) {
            ext.mnemonic.resize(std::max<size_t>(ext.mnemonic.size(), 7), ' ');
            ext.mnemonic += ' ';
        }
        snprintf(buf, len, "%s", (ext.mnemonic + ext.operands).c_str());
        return prefixed ? 8 : 4;
    }
    std::string s(def->mnemonic);
    if ((def->flags & flag::kOE) && field::OE(w))
        s += 'o';
    if (def->flags & flag::kBranch) {
        if ((def->flags & flag::kRc) && field::LK(w))
            s += 'l';
        if ((def->form == Form::I || def->form == Form::B) && field::AA(w))
            s += 'a';
    } else if ((def->flags & flag::kRc) && (def->form == Form::VC ? field::Rc21(w) : field::Rc(w))) {
        s += '.';
    }
    std::string_view ops = def->operands;
    // mfocrf is mfcr with bit 11 set; its FXM operand exists only then.
    if (ops == "RT,FXMopt")
        ops = bits(w, 11, 11) ? "RT,FXM" : "RT";
    if (!ops.empty()) {
        s.resize(std::max<size_t>(s.size(), 7), ' ');
        s += ' ';
        bool first = true;
        while (!ops.empty()) {
            const size_t comma = ops.find(',');
            const std::string_view op = ops.substr(0, comma);
            if (!first)
                s += ',';
            s += operand(op, w, nip, *def, prefix);
            first = false;
            ops = comma == std::string_view::npos ? std::string_view{} : ops.substr(comma + 1);
        }
    }
    if (prefixed && bits(prefix, 11, 11) && def->operands.ends_with(",R")) {   // PC-relative: say where
        const int64_t d34 = sext(uint64_t(bits(prefix, 14, 31)) << 16 | bits(w, 16, 31), 34);
        s += "  # " + hex(nip + uint64_t(d34));
    }
    snprintf(buf, len, "%s", s.c_str());
    return prefixed ? 8 : 4;
}

} // namespace phv::isa
