#include "isa/decoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

#include "isa/fields.h"
#include "isa/semantics/prefixed.h"
#include "isa/semantics/semantics.h"

namespace phv::isa {

namespace {
// Rows grouped by primary opcode, most specific mask first, built once from the table.
// Prefixed rows are kept apart: their match is the suffix's, which must never be found as a word of its own.
struct Index {
    std::array<std::vector<uint16_t>, 64> by_opcode;
    std::vector<uint16_t> prefixed;
    Index() {
        auto table = insn_table();
        for (size_t i = 0; i < table.size(); ++i) {
            if (table[i].flags & flag::kPrefixed)
                prefixed.push_back(uint16_t(i));
            else
                by_opcode[table[i].match >> 26].push_back(uint16_t(i));
        }
        auto specific_first = [&](uint16_t a, uint16_t b) {
            return std::popcount(table[a].mask) + std::popcount(table[a].pmask) >
                   std::popcount(table[b].mask) + std::popcount(table[b].pmask);
        };
        for (auto &v : by_opcode)
            std::stable_sort(v.begin(), v.end(), specific_first);
        std::stable_sort(prefixed.begin(), prefixed.end(), specific_first);
    }
};

const Index &index() {
    static const Index idx;
    return idx;
}

// Fills the operand fields the row's form has.
void extract(Decoded &d, const InsnDef &def) {
    using namespace field;
    const uint32_t w = d.word;
    d.rt = uint8_t(RT(w));
    d.ra = uint8_t(RA(w));
    d.rb = uint8_t(RB(w));
    switch (def.form) {
    case Form::I: d.imm = LI(w); break;
    case Form::B: d.imm = BD(w); break;
    case Form::SC: d.imm = LEV(w); break;
    case Form::D: d.imm = (def.flags & flag::kUImm) ? int64_t(UI(w)) : SI(w); break;
    case Form::DS: d.imm = DS(w); break;
    case Form::DQ: d.imm = sext(bits(w, 16, 27), 12) * 16; break;
    case Form::A:
    case Form::VA: d.rc = uint8_t(RC(w)); break;
    case Form::LS8:
    case Form::MLS:   // the operands are the suffix's; the displacement is d0 (prefix) || d1 (suffix)
        d.rt = uint8_t(RT(d.suffix));
        d.ra = uint8_t(RA(d.suffix));
        d.rb = uint8_t(RB(d.suffix));
        d.imm = sext(uint64_t(bits(w, 14, 31)) << 16 | bits(d.suffix, 16, 31), 34);
        break;
    case Form::XFX: d.imm = SPR(w); break;
    case Form::XX1: d.rt = uint8_t(XT(w)); break;
    case Form::XX2: d.rt = uint8_t(XT(w)), d.rb = uint8_t(XB(w)); break;   // ra: the raw bits 11:15
    case Form::XX4: d.rc = uint8_t(XC(w)); [[fallthrough]];
    case Form::XX3: d.rt = uint8_t(XT(w)), d.ra = uint8_t(XA(w)), d.rb = uint8_t(XB(w)); break;
    case Form::DQX:
        d.rt = uint8_t(XT_DQ(w));
        d.imm = sext(bits(w, 16, 27), 12) * 16;
        break;
    case Form::DQP:   // lxvp/stxvp (DQ at 16:27) and lxvpx/stxvpx (X-form: imm unused)
        d.rt = uint8_t(XTp(w));
        d.imm = sext(bits(w, 16, 27), 12) * 16;
        break;
    case Form::LS8X:
    case Form::LS8P:
        d.rt = uint8_t(def.form == Form::LS8X ? XT_8LS(d.suffix) : XTp(d.suffix));
        d.ra = uint8_t(RA(d.suffix));
        d.imm = sext(uint64_t(bits(w, 14, 31)) << 16 | bits(d.suffix, 16, 31), 34);
        break;
    case Form::RR8X4:
        d.rt = uint8_t(XT(d.suffix)), d.ra = uint8_t(XA(d.suffix)), d.rb = uint8_t(XB(d.suffix));
        d.rc = uint8_t(XC(d.suffix));
        d.imm = bits(w, 24, 31);
        break;
    case Form::MMIRR:
        d.rt = uint8_t(bits(d.suffix, 6, 8)), d.ra = uint8_t(XA(d.suffix)), d.rb = uint8_t(XB(d.suffix));
        d.imm = bits(w, 16, 31);
        break;
    case Form::RR8D:
        d.rt = uint8_t(XT_8RR(d.suffix));
        d.imm = int64_t(bits(w, 16, 31) << 16 | bits(d.suffix, 16, 31));
        break;
    case Form::M:
        d.mb = uint8_t(MB5(w));
        d.me = uint8_t(ME5(w));
        break;
    case Form::MD:
        d.sh = uint8_t(SH6(w));
        d.mb = uint8_t(MB6(w));
        break;
    case Form::MDS: d.mb = uint8_t(MB6(w)); break;
    case Form::XS: d.sh = uint8_t(SH6_XS(w)); break;
    default: break;
    }
}
} // namespace

const InsnDef *find_insn(uint32_t word) {
    auto table = insn_table();
    for (uint16_t i : index().by_opcode[word >> 26])
        if ((word & table[i].mask) == table[i].match)
            return &table[i];
    return nullptr;
}

const InsnDef *find_prefixed(uint32_t prefix, uint32_t suffix) {
    auto table = insn_table();
    for (uint16_t i : index().prefixed)
        if ((prefix & table[i].pmask) == table[i].pmatch && (suffix & table[i].mask) == table[i].match)
            return &table[i];
    return nullptr;
}

namespace {
Decoded finish(Decoded d, const InsnDef *def, const DecodeContext &ctx);
}

Decoded decode(uint32_t word, const DecodeContext &ctx) {
    Decoded d{};
    d.word = word;
    d.len = 4;
    return finish(d, find_insn(word), ctx);
}

Decoded decode_prefixed(uint32_t prefix, uint32_t suffix, bool crosses_64, const DecodeContext &ctx) {
    Decoded d{};
    d.word = prefix;
    d.len = 4;
    if (uint8_t(ctx.isa) < uint8_t(Isa::V310))   // before ISA 3.1 primary opcode 1 is just illegal
        return finish(d, nullptr, ctx);
    d.len = 8;
    d.suffix = suffix;
    if (crosses_64) {   // Book I 1.6.3: a prefixed instruction may not cross a 64-byte boundary
        d.fn = sem::prefix_crosses_boundary;
        d.def = 0xffff;
        return d;
    }
    const InsnDef *def = find_prefixed(prefix, suffix);
    // PC-relative (R=1) with RA!=0 is an invalid form (Book I 1.6.3); QEMU, the oracle, makes it illegal. Only the
    // load/store prefixes (types 0 and 2) have R; in an MMIRR prefix (type 3) bit 11 is part of its fixed bits.
    const bool has_r = def && (def->form == Form::LS8 || def->form == Form::MLS || def->form == Form::LS8X ||
                               def->form == Form::LS8P);
    if (has_r && bits(prefix, 11, 11) && field::RA(suffix) != 0)
        def = nullptr;
    return finish(d, def, ctx);
}

namespace {
Decoded finish(Decoded d, const InsnDef *def, const DecodeContext &ctx) {
    const uint32_t word = d.word;
    if (!def || uint8_t(def->isa) > uint8_t(ctx.isa)) {
        // Decode order: a row the CPU model does not have is illegal before any facility-unavailable rule
        // (sem::illegal looks at the FP/VMX/VSX opcode spaces only for words that are no row at all).
        d.fn = d.len == 8 ? sem::illegal_prefixed : def ? sem::not_in_cpu_model : sem::illegal;
        d.def = 0xffff;
        return d;
    }
    d.def = uint16_t(def - insn_table().data());
    extract(d, *def);
    if (def->priv != Priv::Any && ctx.problem_state) {
        d.fn = sem::privileged;
        return d;
    }
    const unsigned variant = ((def->flags & flag::kOE) ? field::OE(word) << 1 : 0) |
                             ((def->flags & flag::kRc) ? (def->form == Form::VC ? field::Rc21(word) : field::Rc(word)) : 0);
    d.fn = def->exec[variant];
    if (!d.fn)   // a reserved variant (e.g. an Rc=1 form the ISA does not define)
        d.fn = sem::illegal;
    else if ((def->flags & flag::kPrefixed) && ctx.problem_state)
        d.fn = sem::prefixed_in_problem_state;   // FSCR[PREFIX] decides when it runs
    return d;
}
} // namespace

bool ends_block(const Decoded &d) {
    if (d.def == 0xffff)
        return true;
    return insn_table()[d.def].flags & (flag::kBranch | flag::kSync);
}

bool side_exit(const Decoded &d) {
    constexpr unsigned kBoAlways = 0x14;   // BO[0] no condition and BO[2] no CTR test
    return d.def != 0xffff && d.word >> 26 == 16 && !(d.word & 3) && d.imm != 0 && (d.rt & kBoAlways) != kBoAlways &&
           d.fn != sem::illegal;
}

uint64_t regs_named(const Decoded &d) {
    if (d.def == 0xffff)
        return 0;
    const InsnDef &def = insn_table()[d.def];
    const uint32_t io = def.io;
    uint64_t m = 0;
    if (io & (reg::kInRA | reg::kOutRA))
        m |= 1ull << (d.ra & 31);
    if (io & reg::kInRB)
        m |= 1ull << (d.rb & 31);
    if (io & (reg::kInRS | reg::kOutRT))
        m |= 1ull << (d.rt & 31);
    // CR: through an operand (less a branch's BI when BO[0] says not to test it) or a fixed record form,
    // or through Rc when this instruction has it set (io has CR0 for every row with an Rc bit).
    const bool branch = def.flags & flag::kBranch;
    const uint32_t fixed = dataflow(def.mnemonic, def.form, def.flags & ~flag::kRc, def.operands);
    const bool rc = (def.flags & flag::kRc) && !branch &&
                    (def.form == Form::VC ? field::Rc21(d.word) : field::Rc(d.word));
    if (((fixed & reg::kInCR) && !(branch && (d.rt & 0x10))) || (fixed & reg::kOutCR) || rc)
        m |= 1ull << 32;
    return m;
}

} // namespace phv::isa
