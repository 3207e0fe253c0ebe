// Side exits (isa::side_exit): a block runs on past a forward conditional branch and leaves only when it is
// taken, in the interpreter (sem::bc returns Next when not taken) and in compiled code (an exit of its own,
// with link slots of its own, jit/link.cpp).
#include <gtest/gtest.h>

#include <cstdint>

#include "guest_code.h"
#include "jit_test_util.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint32_t bc(uint32_t bo, uint32_t bi, int32_t disp) {
    return 16u << 26 | bo << 21 | bi << 16 | (uint32_t(disp) & 0xfffc);
}
constexpr uint32_t kBoTrue = 12, kBoFalse = 4, kCr0Eq = 2;
constexpr uint32_t andi_(uint32_t ra, uint32_t rs, uint32_t ui) { return D(28, rs, ra, int32_t(ui)); }
constexpr uint32_t cmpwi(uint32_t ra, int32_t si) { return D(11, 0, ra, si); }
constexpr uint32_t mfcr(uint32_t rt) { return X(31, rt, 0, 0, 19); }
constexpr uint32_t add(uint32_t rt, uint32_t ra, uint32_t rb) { return XO(rt, ra, rb, 266, 0, 0); }

struct Seen {
    uint64_t gpr[8] = {}, insns = 0, built = 0, lookups = 0, patched = 0, loops = 0;
};

// A loop whose body is an if: the block at its head runs through `beq L1` (taken one turn in four) into the
// fall-through and on to the loop's branch back, and L1 starts a block of its own inside it. The side exit
// leaves with r20 and CR0 changed in the block (in host registers when compiled), which L1's block reads.
// (Registers from r13 up: finishing the hcall that ended a run writes r3-r12 when the next one starts.)
Seen run_if_loop(bool jit) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    v.set_jit(jit, 0, false);
    g.load(with_done({
        addi(20, 20, 1),            // L0
        andi_(22, 20, 3),           // CR0[EQ] every fourth turn
        bc(kBoTrue, kCr0Eq, 12),    // beq L1: the side exit
        addi(21, 21, 1),
        addi(23, 23, 2),
        addi(24, 24, 3),            // L1
        mfcr(25),
        add(26, 26, 25),
        cmpwi(20, 1000),
        bc(kBoFalse, kCr0Eq, -36),  // bne L0: ends the block
    }));
    g.run_to_done();
    Seen s;
    for (unsigned i = 0; i < 8; ++i)
        s.gpr[i] = g.gpr(20 + i);
    s.insns = stat(g, "insns_executed"), s.built = stat(g, "blocks_built");
    s.lookups = stat(g, "jit_link_lookups"), s.patched = stat(g, "jit_links_patched");
    s.loops = stat(g, "jit_loop_blocks");
    return s;
}

TEST(SideExits, AnIfIsOneBlockLeftOnlyWhenTaken) {
    const Seen interp = run_if_loop(false), jit = run_if_loop(true);
    for (const Seen &s : {interp, jit}) {
        EXPECT_EQ(s.gpr[0], 1000u);
        EXPECT_EQ(s.gpr[1], 750u);    // the fall-through, three turns in four
        EXPECT_EQ(s.gpr[3], 1500u);
        EXPECT_EQ(s.gpr[4], 3000u);   // L1, every turn
        // L0's block (through beq to bne), L1's (inside it, from the side exit) and the end's.
        EXPECT_EQ(s.built, 3u);
    }
    for (unsigned i = 0; i < 8; ++i)
        EXPECT_EQ(interp.gpr[i], jit.gpr[i]) << "r" << 20 + i;
    EXPECT_EQ(interp.insns, jit.insns);
    // L0's block turns round in loop mode (its 7 GPRs and CR fit the host registers) but for the taken
    // side exit, linked once to L1's block, whose end is linked back to L0's: the turns go from block to
    // block without Vcpu::jit_link, but for the ends after the run loop's timer checks.
    EXPECT_EQ(jit.loops, 1u);
    EXPECT_GE(jit.patched, 2u);
    EXPECT_LT(jit.lookups, 100u);
}

// The block goes on past isa::kMaxSideExits branches and ends at the next one; each not-taken branch counts
// as an instruction, and the taken one leaves from the middle with what the block did before it.
Seen run_chain(bool jit, unsigned taken) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    v.set_jit(jit, 0, false);
    std::initializer_list<uint32_t> body = {
        addi(20, 20, 1), bc(kBoTrue, 0, 8), addi(21, 21, 1),   // blt +8
        addi(20, 20, 1), bc(kBoTrue, 1, 8), addi(21, 21, 1),   // bgt
        addi(20, 20, 1), bc(kBoTrue, 2, 8), addi(21, 21, 1),   // beq
        addi(20, 20, 1), bc(kBoTrue, 3, 8), addi(21, 21, 1),   // bso
        addi(20, 20, 1), bc(kBoTrue, 4, 8), addi(21, 21, 1),   // CR1[LT]: the fifth ends the block
        addi(20, 20, 1), bc(kBoTrue, 5, 8), addi(21, 21, 1),
    };
    g.load(with_done(body));
    // CR: only the bit of branch `taken` set (0: none).
    g.set_reg(PHV_REG_PPC_CR, taken ? 1u << (32 - taken) : 0);
    g.run_to_done();
    Seen s;
    s.gpr[0] = g.gpr(20), s.gpr[1] = g.gpr(21);
    s.insns = stat(g, "insns_executed"), s.built = stat(g, "blocks_built");
    return s;
}

TEST(SideExits, ABlockTakesAtMostKMaxSideExits) {
    static_assert(phv::isa::kMaxSideExits == 4, "the program below has the fifth branch end the block");
    for (unsigned taken = 0; taken <= 6; ++taken) {
        const Seen interp = run_chain(false, taken), jit = run_chain(true, taken);
        for (const Seen &s : {interp, jit}) {
            EXPECT_EQ(s.gpr[0], 6u) << "taken " << taken;
            EXPECT_EQ(s.gpr[1], taken ? 5u : 6u) << "taken " << taken;
        }
        EXPECT_EQ(interp.insns, jit.insns) << "taken " << taken;
        // None taken: the first block ends at the fifth branch, the second at the end's sc. One taken
        // before the fifth: its target starts a block, which again runs to the fifth or past it.
        if (!taken)
            EXPECT_EQ(interp.built, 2u);
        EXPECT_EQ(interp.built, jit.built) << "taken " << taken;
    }
}

} // namespace
