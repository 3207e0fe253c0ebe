// Side exits (isa::side_exit): a block runs on past a forward conditional branch and leaves only when it is
// taken, in the interpreter (sem::bc returns Next when not taken) and in compiled code (an exit of its own,
// with link slots of its own, jit/link.cpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

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

// Compiled code ends where the interpreter does: the first n of r20 up and the count of instructions.
void expect_same_end(const Seen &interp, const Seen &jit, unsigned n) {
    for (unsigned i = 0; i < n; ++i)
        EXPECT_EQ(interp.gpr[i], jit.gpr[i]) << "r" << 20 + i;
    EXPECT_EQ(interp.insns, jit.insns);
}

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
        // L0's block (through beq to bne, where a loop small enough for loop mode ends it) and L1's
        // (inside it, from the side exit), which runs on past bne, a branch to before its start, to the end.
        EXPECT_EQ(s.built, 2u);
    }
    expect_same_end(interp, jit, 8);
    // L0's block turns round in loop mode (its 7 GPRs and CR fit the host registers) but for the taken
    // side exit, linked once to L1's block, whose end is linked back to L0's: the turns go from block to
    // block without Vcpu::jit_link, but for the ends after the run loop's timer checks.
    EXPECT_EQ(jit.loops, 1u);
    EXPECT_GE(jit.patched, 2u);
    EXPECT_LT(jit.lookups, 100u);
}

// The block goes on past isa::kMaxSideExits branches and ends at the next one; each not-taken branch counts
// as an instruction, and the taken one leaves from the middle with what the block did before it (in the
// interpreter; compiled code jumps to its target within the block, which is where each branch goes).
constexpr unsigned kChain = phv::isa::kMaxSideExits + 2;

Seen run_chain(bool jit, unsigned taken) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    v.set_jit(jit, 0, false);
    std::vector<uint32_t> code;
    for (unsigned i = 0; i < kChain; ++i) {   // branch i tests CR bit i: blt, bgt, beq, bso, CR1[LT]...
        code.push_back(addi(20, 20, 1));
        code.push_back(bc(kBoTrue, i, 8));
        code.push_back(addi(21, 21, 1));
    }
    for (uint32_t w : with_done({}))
        code.push_back(w);
    g.load(code);
    // CR: only the bit of branch `taken` set (0: none).
    g.set_reg(PHV_REG_PPC_CR, taken ? 1u << (32 - taken) : 0);
    g.run_to_done();
    Seen s;
    s.gpr[0] = g.gpr(20), s.gpr[1] = g.gpr(21);
    s.insns = stat(g, "insns_executed"), s.built = stat(g, "blocks_built");
    s.lookups = stat(g, "jit_link_lookups");
    return s;
}

TEST(SideExits, ABlockTakesAtMostKMaxSideExits) {
    for (unsigned taken = 0; taken <= kChain; ++taken) {
        const Seen interp = run_chain(false, taken), jit = run_chain(true, taken);
        for (const Seen &s : {interp, jit}) {
            EXPECT_EQ(s.gpr[0], kChain) << "taken " << taken;
            EXPECT_EQ(s.gpr[1], taken ? kChain - 1 : kChain) << "taken " << taken;
        }
        EXPECT_EQ(interp.insns, jit.insns) << "taken " << taken;
        // None taken: the first block ends at the branch past the last side exit, the second at the end's
        // sc. One taken: in the interpreter its target starts a block, which again runs to that branch or
        // past it; compiled code goes on within its block when the target is in it (all but the branch
        // that ends the first block).
        if (!taken) {
            EXPECT_EQ(interp.built, 2u);
        }
        if (taken == phv::isa::kMaxSideExits + 1) {
            EXPECT_EQ(interp.built, jit.built) << "taken " << taken;
        } else {
            EXPECT_EQ(jit.built, 2u) << "taken " << taken;
        }
    }
}

// A loop too large for loop mode (ten GPRs and CR) with an if in it: the block former runs on past its
// branch back, so one block holds the loop and the code after it, and compiled code jumps within it, to the
// if's join and back to the loop's head, without an exit. `dec`: a decrementer interrupt pending from the
// start (mtdec of -1 before the loop), which the branch back's run-loop tests must let in.
Seen run_big_loop(bool jit, bool dec, int32_t turns) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    v.set_jit(jit, 0, false);
    constexpr uint32_t kDec = 22, kSrr0 = 26;
    // 0x900: r30 = SRR0, end.
    const uint32_t handler[] = {mfspr(30, kSrr0), addi(3, 0, int32_t(GuestCode::kDone)), sc(1)};
    std::memcpy(g.ram + 0x900, handler, sizeof handler);
    g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // LPCR[ILE]: the handler runs little-endian
    g.set_gpr(31, dec ? ~0ull : 0x7fffffffu);
    g.load(with_done({
        mtspr(kDec, 31),
        addi(20, 20, 1),            // L0
        andi_(22, 20, 3),
        bc(kBoTrue, kCr0Eq, 12),    // beq L1: a jump within the block
        addi(21, 21, 1),
        addi(23, 23, 2),
        addi(24, 24, 3),            // L1
        add(25, 25, 20),
        add(26, 26, 21),
        add(27, 27, 22),
        add(28, 28, 23),
        add(29, 29, 24),
        cmpwi(20, turns),
        bc(kBoFalse, kCr0Eq, -48),  // bne L0: back within the block
    }));
    g.set_reg(PHV_REG_PPC_MSR, g.reg(PHV_REG_PPC_MSR) | 0x8000);   // EE
    g.run_to_done();
    Seen s;
    for (unsigned i = 0; i < 8; ++i)
        s.gpr[i] = g.gpr(20 + i);
    s.gpr[7] = g.gpr(30);
    s.insns = stat(g, "insns_executed"), s.built = stat(g, "blocks_built");
    s.lookups = stat(g, "jit_link_lookups"), s.patched = stat(g, "jit_links_patched");
    s.loops = stat(g, "dec_interrupts");
    return s;
}

TEST(SideExits, ALoopTooLargeForLoopModeTurnsWithinItsBlock) {
    // 100 turns: fewer jumps than the run loop's timer countdown (256 blocks), so none leaves the block.
    const Seen interp = run_big_loop(false, false, 100), jit = run_big_loop(true, false, 100);
    for (const Seen &s : {interp, jit}) {
        EXPECT_EQ(s.gpr[0], 100u);
        EXPECT_EQ(s.gpr[1], 75u);   // the fall-through, three turns in four
        EXPECT_EQ(s.gpr[4], 300u);  // L1, every turn
        EXPECT_EQ(s.loops, 0u);
    }
    expect_same_end(interp, jit, 7);
    // The interpreter leaves the block at each taken branch: L0's block (from the mtdec to the end) and
    // L1's and L0's again from the branches. Compiled, the first block is the only one, left only at its end.
    EXPECT_EQ(interp.built, 3u);
    EXPECT_EQ(jit.built, 1u);
    EXPECT_EQ(jit.lookups, 0u);
    EXPECT_EQ(jit.patched, 0u);

    // 1000 turns, with the decrementer: taken inside the loop at a jump's run-loop tests, with the turns
    // before it done; then the jumps that expire the countdown leave the block, as the interpreter does.
    const Seen timed = run_big_loop(true, true, 1000);
    EXPECT_EQ(timed.loops, 1u);
    EXPECT_GT(timed.gpr[0], 16u);   // the loop ran a while before the timer check
    EXPECT_LT(timed.gpr[0], 1000u);
    EXPECT_TRUE(timed.gpr[7] == GuestCode::kCodeBase + 4 || timed.gpr[7] == GuestCode::kCodeBase + 24)
        << std::hex << timed.gpr[7];   // SRR0: L0 or L1, where a jump goes
    const Seen untimed = run_big_loop(true, false, 1000), plain = run_big_loop(false, false, 1000);
    expect_same_end(plain, untimed, 7);
}

// The kernel's user copies (__copy_tofrom_user_power7): r14 saved on the stack, then an index register and
// a loop. `wide`: the VMX loop, over too many GPRs for loop mode, in one block with the save and the restore;
// else a loop that runs in loop mode, in a block of its own. A load of a later turn exits (MMIO) from inside
// the loop; the exit must show the state at that load, not at an earlier turn or at the block's start, or
// the save would run again and store the index. (Linux oopsed after a loadvm, whose empty TLB sent the
// loops' accesses to their slow paths: those that came right after a jump within the block, or at the head
// of a loop-mode block, left with the NIP that an earlier slow path had stored.)
struct Exits {
    std::vector<std::vector<uint64_t>> at;   // per exit: NIP, CTR, r1-r31, the saved doubleword
};

Exits run_copy_loop(bool jit, bool wide) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    v.set_jit(jit, 0, false);
    constexpr uint32_t kCtr = 9;
    constexpr uint64_t kStack = 0x8000;
    const auto ldx = [](uint32_t rt, uint32_t ra, uint32_t rb) { return X(31, rt, ra, rb, 21); };
    const auto stdx = [](uint32_t rs, uint32_t ra, uint32_t rb) { return X(31, rs, ra, rb, 149); };
    std::vector<uint32_t> code{std_(14, 1, 0x100), addi(12, 0, 64), addi(14, 0, 80), mtspr(kCtr, 6)};
    const std::vector<uint32_t> loop =
        wide ? std::vector<uint32_t>{ldx(20, 4, 12),   // L: turn 5 reads past the end of RAM
                                     ldx(21, 4, 14), ldx(22, 4, 9), ldx(23, 4, 10), ldx(24, 4, 11),
                                     addis(4, 4, 0x10), stdx(20, 3, 12), stdx(21, 3, 14), stdx(22, 3, 9),
                                     addi(3, 3, 128)}
             : std::vector<uint32_t>{ldx(20, 4, 12), ldx(21, 4, 14), addis(4, 4, 0x10), stdx(20, 3, 12),
                                     stdx(21, 3, 14), addi(3, 3, 128)};
    code.insert(code.end(), loop.begin(), loop.end());
    code.push_back(bc(16, 0, -4 * int32_t(loop.size())));   // bdnz L
    code.push_back(ld(14, 1, 0x100));
    for (uint32_t w : with_done({}))
        code.push_back(w);
    g.load(code);
    g.set_gpr(1, kStack);
    g.set_gpr(14, 0x1234abcd);
    g.set_gpr(3, 0x100000);
    // Every turn's second load crosses a page (its slow path, which stores NIP, and the turn goes on); from
    // turn 5 each load is past the end of RAM.
    g.set_gpr(4, GuestCode::kRamSize + 4012 - 5 * 0x100000);
    g.set_gpr(6, 8);
    g.set_gpr(9, 8), g.set_gpr(10, 16), g.set_gpr(11, 24);
    Exits e;
    for (unsigned n = 0; n < 64; ++n) {
        const uint32_t why = g.run();
        std::vector<uint64_t> s{g.reg(PHV_REG_PPC_NIP), g.reg(PHV_REG_PPC_CTR)};
        for (unsigned r = 1; r < 32; ++r)
            s.push_back(g.gpr(r));
        uint64_t saved;
        std::memcpy(&saved, g.ram + kStack + 0x100, 8);
        s.push_back(saved);
        e.at.push_back(s);
        if (why != PHV_EXIT_MMIO)
            break;
        const uint64_t data = g.run_data->mmio.phys_addr ^ 0x5a5a;
        std::memcpy(g.run_data->mmio.data, &data, 8);
    }
    return e;
}

TEST(SideExits, AnExitFromALoopShowsTheStateAtItsInstruction) {
    for (bool wide : {true, false}) {
        const Exits interp = run_copy_loop(false, wide), jit = run_copy_loop(true, wide);
        // Turns 5, 6 and 7 exit at each load (five wide, two narrow), then the hcall that ends the run.
        EXPECT_EQ(interp.at.size(), wide ? 16u : 7u);
        EXPECT_EQ(jit.at.size(), interp.at.size()) << "wide " << wide;
        ASSERT_FALSE(interp.at.empty());
        EXPECT_EQ(interp.at[0][0], GuestCode::kCodeBase + 20);   // NIP past turn 5's first ldx (MMIO: done)
        for (size_t i = 0; i < std::min(interp.at.size(), jit.at.size()); ++i) {
            EXPECT_EQ(interp.at[i][0], jit.at[i][0]) << "wide " << wide << " exit " << i;
            EXPECT_EQ(interp.at[i][1], jit.at[i][1]) << "wide " << wide << " exit " << i;
            for (unsigned r = 1; r < 32; ++r)
                EXPECT_EQ(interp.at[i][r + 1], jit.at[i][r + 1]) << "wide " << wide << " exit " << i << " r" << r;
            EXPECT_EQ(jit.at[i].back(), 0x1234abcdu) << "wide " << wide << " exit " << i;
        }
        EXPECT_EQ(jit.at.back()[14 + 1], 0x1234abcdu);   // r14 restored
    }
}

} // namespace
