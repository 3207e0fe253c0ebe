#include "isa/decoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

#include "isa/fields.h"
#include "isa/semantics/semantics.h"

namespace phv::isa {

namespace {
// Rows grouped by primary opcode, most specific mask first, built once from the table.
struct Index {
    std::array<std::vector<uint16_t>, 64> by_opcode;
    Index() {
        auto table = insn_table();
        for (size_t i = 0; i < table.size(); ++i)
            by_opcode[table[i].match >> 26].push_back(uint16_t(i));
        for (auto &v : by_opcode)
            std::stable_sort(v.begin(), v.end(), [&](uint16_t a, uint16_t b) {
                return std::popcount(table[a].mask) > std::popcount(table[b].mask);
            });
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
    case Form::XFX: d.imm = SPR(w); break;
    case Form::A: d.rc = uint8_t(RC(w)); break;
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

Decoded decode(uint32_t word, const DecodeContext &ctx) {
    Decoded d{};
    d.word = word;
    d.len = 4;
    const InsnDef *def = find_insn(word);
    if (!def || uint8_t(def->isa) > uint8_t(ctx.isa)) {
        d.fn = sem::illegal;
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
                             ((def->flags & flag::kRc) ? field::Rc(word) : 0);
    d.fn = def->exec[variant];
    if (!d.fn)   // a reserved variant (e.g. an Rc=1 form the ISA does not define)
        d.fn = sem::illegal;
    return d;
}

bool ends_block(const Decoded &d) {
    if (d.def == 0xffff)
        return true;
    return insn_table()[d.def].flags & (flag::kBranch | flag::kSync);
}

} // namespace phv::isa
