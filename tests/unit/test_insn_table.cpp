// Properties every row of the instruction table must have; the table itself is the test input.
#include <cstring>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "isa/decoder.h"
#include "isa/disasm.h"
#include "isa/disasm_extended.h"
#include "isa/insn.h"
#include "phv/phv.h"

namespace {
using namespace phv::isa;

bool prefixed(const InsnDef &row) { return row.flags & flag::kPrefixed; }

TEST(InsnTable, EveryRowDecodesToItself) {
    for (const InsnDef &row : insn_table())
        EXPECT_EQ(prefixed(row) ? find_prefixed(row.pmatch, row.match) : find_insn(row.match), &row) << row.mnemonic;
}

TEST(InsnTable, EveryRowHasSemanticsForEachVariantItDeclares) {
    for (const InsnDef &row : insn_table()) {
        EXPECT_NE(row.exec[0], nullptr) << row.mnemonic;
        if (row.flags & flag::kRc) {
            EXPECT_NE(row.exec[1], nullptr) << row.mnemonic;
        }
        if (row.flags & flag::kOE) {
            EXPECT_NE(row.exec[2], nullptr) << row.mnemonic;
            EXPECT_NE(row.exec[3], nullptr) << row.mnemonic;
        }
        EXPECT_EQ(row.match & ~row.mask, 0u) << row.mnemonic;
    }
}

TEST(InsnTable, EveryRowDisassemblesToItsMnemonic) {
    for (const InsnDef &row : insn_table()) {
        char buf[96];
        if (prefixed(row)) {
            ASSERT_EQ(disassemble(row.pmatch, row.match, 0x1000, buf, sizeof buf), 8) << row.mnemonic;
        } else {
            ASSERT_EQ(disassemble(row.match, 0x1000, buf, sizeof buf), 4) << row.mnemonic;
        }
        const std::string text(buf);
        // A word with an extended mnemonic (li, bdnzf, crclr ...) is written with that; test_disasm.cpp
        // checks those against objdump.
        Extended ext;
        const bool extended = prefixed(row) ? extended_prefixed(row, row.pmatch, row.match, 0x1000, "", ext)
                                            : extended_form(row, row.match, 0x1000, ext);
        if (!extended)
            EXPECT_EQ(text.substr(0, row.mnemonic.size()), row.mnemonic) << text;
        EXPECT_EQ(text.find('?'), std::string::npos) << "unknown operand in " << text;
    }
}

TEST(InsnTable, NewerInstructionsAreIllegalOnOlderModels) {
    for (const InsnDef &row : insn_table()) {
        if (row.isa == Isa::V207)
            continue;
        auto dec = [&](Isa isa) {
            return prefixed(row) ? decode_prefixed(row.pmatch, row.match, false, {isa, false})
                                 : decode(row.match, {isa, false});
        };
        const Decoded on_p8 = dec(Isa::V207);
        const Decoded on_p10 = dec(Isa::V310);
        EXPECT_NE(on_p8.fn, on_p10.fn) << row.mnemonic;
        EXPECT_EQ(on_p8.def, 0xffff) << row.mnemonic;
    }
}

TEST(InsnTable, PrivilegedRowsTrapInProblemState) {
    for (const InsnDef &row : insn_table()) {
        if (row.priv == Priv::Any)
            continue;
        const Decoded user = decode(row.match, {Isa::V310, true});
        const Decoded kernel = decode(row.match, {Isa::V310, false});
        EXPECT_NE(user.fn, kernel.fn) << row.mnemonic;
    }
}

const InsnDef &row_named(std::string_view m) {
    for (const InsnDef &row : insn_table())
        if (row.mnemonic == m)
            return row;
    throw std::runtime_error("no row " + std::string(m));
}

TEST(InsnTable, DataflowComesFromTheOperands) {
    using namespace reg;
    EXPECT_EQ(row_named("add").io, kOutRT | kInRA | kInRB | kOutCR | kOutOV);
    EXPECT_EQ(row_named("stw").io, kInRS | kInRA | kMemory);
    EXPECT_EQ(row_named("lwzu").io, kOutRT | kInRA | kOutRA | kMemory);
    EXPECT_EQ(row_named("and").io, kOutRA | kInRS | kInRB | kOutCR);
    EXPECT_EQ(row_named("addi").io, kOutRT | kInRA);
    EXPECT_EQ(row_named("adde").io & (kInCA | kOutCA), kInCA | kOutCA);
    EXPECT_EQ(row_named("bclr").io, kInCR | kInLR | kOutLR | kInCTR | kOutCTR);
    EXPECT_EQ(row_named("bcctr").io & (kInCTR | kOutCTR | kInLR), kInCTR | kOutCTR);
    EXPECT_EQ(row_named("stwcx.").io, kInRS | kInRA | kInRB | kMemory | kOutCR);
    EXPECT_EQ(row_named("mtcrf").io, kOutCR | kInRS);
    EXPECT_EQ(row_named("cmpi").io, kOutCR | kInRA);
}

struct Disasm {
    uint32_t word;
    uint64_t nip;
    const char *text;
};

TEST(Disassembler, KnownEncodings) {
    const Disasm cases[] = {
        {0x38600001, 0, "li      r3,1"},
        {0x7c632214, 0, "add     r3,r3,r4"},
        {0x7c632215, 0, "add.    r3,r3,r4"},
        {0x7c632614, 0, "addo    r3,r3,r4"},
        {0x4e800020, 0, "blr"},
        {0x48000010, 0x100, "b       0x110"},
        {0x4bfffff1, 0x100, "bl      0xf0"},
        {0x44000022, 0, "sc      1"},
        {0xf8210010, 0, "std     r1,16(r1)"},
        {0x7c0802a6, 0, "mflr    r0"},
        {0x7c7a03a6, 0, "mtsrr0  r3"},
        {0x00000000, 0, ".long 0x00000000"},
    };
    for (const auto &c : cases) {
        char buf[96];
        phv_disassemble(c.word, 0, c.nip, buf, sizeof buf);
        EXPECT_STREQ(buf, c.text) << std::hex << c.word;
    }
}

} // namespace
