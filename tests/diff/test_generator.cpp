// The generator's side of the differential harness, without the oracle: which rows the vector pool holds,
// the coverage check diff-vector runs with --require-coverage, and the operand kinds whose values matter
// (the data-class masks, the quad roundings' R/RMC).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "insn_gen.h"
#include "isa/decoder.h"
#include "pool.h"

namespace phv::diff {
namespace {

uint16_t row_of(std::string_view m) {
    const auto table = isa::insn_table();
    for (size_t i = 0; i < table.size(); ++i)
        if (table[i].mnemonic == m)
            return uint16_t(i);
    ADD_FAILURE() << "no row " << m;
    return 0;
}

uint32_t bits(uint32_t w, unsigned from, unsigned to) { return (w >> (31 - to)) & ((1u << (to - from + 1)) - 1); }

// Every word the generator makes for `m`, `n` times over.
std::vector<uint32_t> words(std::string_view m, unsigned n) {
    const uint16_t row = row_of(m);
    const auto &def = isa::insn_table()[row];
    Rng r(row);
    GenState st;
    std::vector<uint32_t> out;
    for (unsigned i = 0; i < n; ++i)
        out.push_back(generate(row, def, r, st).insn());
    return out;
}

// The vector pool leaves out no FP/VMX/VSX/MMA row a POWER10 process can run: whatever it excludes, the
// coverage check names.
TEST(DiffPool, VectorPoolHoldsEveryFpVectorRow) {
    const Pool pool = build_pool(false, PoolKind::Vector);
    for (const auto &[row, why] : pool.excluded) {
        const auto &def = isa::insn_table()[row];
        EXPECT_TRUE(def.priv != isa::Priv::Any || def.isa > isa::Isa::V310)
            << def.mnemonic << " excluded: " << why;
    }
    for (std::string_view m : {"xststdcsp", "xststdcdp", "xststdcqp", "xvtstdcsp", "xvtstdcdp", "xsrqpi", "xsrqpix",
                               "xsrqpxp"}) {
        bool eligible = false;
        for (uint16_t row : pool.eligible)
            eligible |= row == row_of(m);
        EXPECT_TRUE(eligible) << m;
    }
}

TEST(DiffPool, CoverageCheckNamesWhatWasNotDrawn) {
    const Pool pool = build_pool(false, PoolKind::Vector);
    const size_t n = isa::insn_table().size();
    EXPECT_EQ(undrawn_fp_vector_rows(pool, std::vector<bool>(n, true)), "");
    std::vector<bool> drawn(n, true);
    drawn[row_of("xststdcsp")] = false;
    drawn[row_of("add")] = false;   // not an FP/vector row: not the check's business
    EXPECT_EQ(undrawn_fp_vector_rows(pool, drawn), " xststdcsp");
    const std::string none = undrawn_fp_vector_rows(pool, std::vector<bool>(n, false));
    for (std::string_view m : {" xsrqpxp", " xvtstdcdp", " xxmtacc", " vaddubm", " fadd", " lxvp"})
        EXPECT_NE(none.find(m), std::string::npos) << m;
    EXPECT_EQ(none.find(" add "), std::string::npos);
}

// DCMX: every one of the 7 class bits is generated set and clear, in the field each form keeps it in (bits
// 9:15 for the scalar forms; dc, dm, dx in bits 25, 29, 11:15 for the vector ones); the other bits stay 0.
TEST(DiffGenerator, DataClassMaskCoversEveryClass) {
    for (std::string_view m : {"xststdcsp", "xststdcdp", "xststdcqp", "xvtstdcsp", "xvtstdcdp"}) {
        const bool vec = m.starts_with("xv");
        std::set<unsigned> masks;
        unsigned set = 0, clear = 0;
        for (uint32_t w : words(m, 2000)) {
            const unsigned dcmx = vec ? bits(w, 25, 25) << 6 | bits(w, 29, 29) << 5 | bits(w, 11, 15) : bits(w, 9, 15);
            masks.insert(dcmx);
            set |= dcmx;
            clear |= ~dcmx & 0x7f;
            if (!vec) {
                EXPECT_EQ(w & 1, 0u) << m;   // bit 31 is reserved in the scalar forms
            }
        }
        EXPECT_EQ(set, 0x7fu) << m;
        EXPECT_EQ(clear, 0x7fu) << m;
        for (unsigned b = 0; b < 7; ++b)
            EXPECT_TRUE(masks.count(1u << b)) << m << " never tests class bit " << b << " alone";
        EXPECT_GT(masks.size(), 64u) << m;
    }
}

// R/RMC: the six defined combinations, each one generated; never R=0 with RMC 1 or 2 (reserved values).
TEST(DiffGenerator, QuadRoundingTakesEveryDefinedRRmc) {
    for (std::string_view m : {"xsrqpi", "xsrqpix", "xsrqpxp"}) {
        std::set<unsigned> seen;
        for (uint32_t w : words(m, 600)) {
            const unsigned r = bits(w, 15, 15), rmc = bits(w, 21, 22);
            seen.insert(r << 2 | rmc);
            EXPECT_EQ(bits(w, 11, 14), 0u) << m;   // reserved
        }
        EXPECT_EQ(seen, (std::set<unsigned>{0, 3, 4, 5, 6, 7})) << m;
    }
}

} // namespace
} // namespace phv::diff
