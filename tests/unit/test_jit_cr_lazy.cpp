// Lazy CR fields (jit/cr_lazy.cpp): a compiled compare builds its field only where CR can be observed.
// Each case is a short program whose every exit (an MMIO access past RAM, the end) must show the CR, GPRs
// and XER the interpreter shows, for operands on both sides of each compare: the cases are the places where
// a pending field is built, dropped, kept across a label or rebuilt from the flags.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "guest_code.h"
#include "jit_test_util.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint32_t bc(uint32_t bo, uint32_t bi, int32_t disp) {
    return 16u << 26 | bo << 21 | bi << 16 | (uint32_t(disp) & 0xfffc);
}
constexpr uint32_t kBoTrue = 12, kBoFalse = 4;
constexpr uint32_t kLt = 0, kGt = 1, kEq = 2, kSo = 3;
constexpr uint32_t cmpd(uint32_t bf, uint32_t ra, uint32_t rb) { return X(31, bf << 2 | 1, ra, rb, 0); }
constexpr uint32_t cmplw(uint32_t bf, uint32_t ra, uint32_t rb) { return X(31, bf << 2, ra, rb, 32); }
constexpr uint32_t cmpdi(uint32_t bf, uint32_t ra, int32_t si) { return D(11, bf << 2 | 1, ra, si); }
constexpr uint32_t mfcr(uint32_t rt) { return X(31, rt, 0, 0, 19); }
constexpr uint32_t addo(uint32_t rt, uint32_t ra, uint32_t rb) { return XO(rt, ra, rb, 266, 1, 0); }
constexpr uint32_t mr(uint32_t ra, uint32_t rs) { return X(31, rs, ra, rs, 444); }
constexpr uint32_t xor_(uint32_t ra, uint32_t rs, uint32_t rb) { return X(31, rs, ra, rb, 316); }

constexpr uint32_t kPastRam = 9;   // r9: an address past the end of RAM, whose access leaves as MMIO

// Every exit's state (exit_state()).
std::vector<std::vector<uint64_t>> run(bool jit, const std::vector<uint32_t> &code,
                                       std::initializer_list<std::pair<unsigned, uint64_t>> gprs) {
    GuestCode g;
    vcpu_of(g).set_jit(jit, 0, false);
    g.load(code);
    g.set_gpr(kPastRam, GuestCode::kRamSize + 0x1000);
    for (const auto &[n, v] : gprs)
        g.set_gpr(n, v);
    std::vector<std::vector<uint64_t>> exits;
    for (unsigned k = 0; k < 50; ++k) {
        const uint32_t why = g.run();
        exits.push_back(exit_state(g, why));
        if (why != PHV_EXIT_MMIO)
            break;
    }
    if (jit) {   // the program's blocks ran compiled
        EXPECT_GT(stat(g, "jit_blocks_compiled"), 0u);
    }
    return exits;
}

// The program run compiled and interpreted from each of the register sets (r3-r6, which every case
// compares): the same exits, and the same last one, the end.
void expect_as_interpreter(std::initializer_list<uint32_t> body) {
    const std::vector<uint32_t> code = with_done(body);
    const uint64_t values[] = {0, 1, 2, 5, uint64_t(-1), uint64_t(-2), 0x80000000u, 0x100000001ull};
    for (uint64_t a : values)
        for (uint64_t b : values) {
            const auto gprs = {std::pair{3u, a}, std::pair{4u, b}, std::pair{5u, b + 1}, std::pair{6u, a ^ b}};
            const auto want = run(false, code, gprs), got = run(true, code, gprs);
            ASSERT_EQ(want, got) << "r3 " << a << " r4 " << b;
            ASSERT_EQ(want.back()[5], uint64_t(GuestCode::kDone));
        }
}

// A compare into the field a branch just tested, with its operand in a register (nothing emitted between),
// then CR read: the flags are the first compare's, and the field must be the second's.
TEST(JitCrLazy, ACompareIntoTheBranchedFieldIsNotTheFlagsLeft) {
    expect_as_interpreter({
        cmpd(0, 3, 4),
        bc(kBoTrue, kEq, 12),   // beq L: a jump within the block
        cmpdi(0, 3, 2),
        mfcr(20),
        addi(21, 21, 1),        // L
        mfcr(22),
    });
}

// A pending field is built on every way out: an access's slow path that leaves as MMIO, with the compare's
// operand written just before (built there, not dropped: the access could leave), and a branch's side exit.
TEST(JitCrLazy, AFieldIsBuiltWhereAnAccessLeaves) {
    expect_as_interpreter({
        cmplw(1, 3, 4),
        cmpdi(6, 4, 2),
        addi(3, 3, 7),          // an operand of cr1's compare written: built here
        ld(7, kPastRam, 0),     // MMIO: cr1 and cr6 seen
        bc(kBoTrue, 6 * 4 + kGt, 8),   // bgt cr6, +8: a side exit
        addi(4, 4, 1),
        mfcr(20),
    });
}

// An operand written and the field written again by a compare before anything observes it: dropped, and
// the second compare is what the end shows; between them, nothing but rows that cannot leave.
TEST(JitCrLazy, AFieldWrittenAgainBeforeItIsSeenIsDropped) {
    expect_as_interpreter({
        cmpd(0, 3, 4),
        bc(kBoFalse, kLt, 8),   // bge +8: reads cr0's compare
        addi(20, 20, 1),
        addi(3, 3, 1),          // writes cr0's operand: dead, the next compare writes cr0
        xor_(6, 6, 3),
        cmpd(0, 6, 3),
        ld(7, kPastRam, 0),     // MMIO: cr0 is the second compare
        bc(kBoTrue, kEq, 8),
        addi(21, 21, 1),
    });
}

// XER[SO] in a pending field is SO as the compare saw it: an addo that sets SO builds the fields first.
TEST(JitCrLazy, SummaryOverflowIsTheComparesOwn) {
    expect_as_interpreter({
        cmpd(2, 3, 4),
        addo(8, 3, 3),          // SO when r3 + r3 overflows
        cmpd(3, 4, 3),
        bc(kBoTrue, 3 * 4 + kSo, 8),   // bso cr3
        addi(20, 20, 1),
        bc(kBoTrue, 2 * 4 + kSo, 8),   // bso cr2: SO before the addo
        addi(21, 21, 1),
        mfcr(22),
    });
}

// A label both ways into which bring the same pending compare keeps it; one reached with another compare
// is compiled again with its fields built (here the jump brings cr0 of r3/r4, the fall-through of r5/r6).
TEST(JitCrLazy, LabelsKeepOnlyTheCompareEveryWayBrings) {
    expect_as_interpreter({
        cmpd(7, 5, 6),
        cmpd(0, 3, 4),
        bc(kBoTrue, kGt, 12),   // bgt L1: the same cr7 both ways, another cr0
        cmpd(0, 5, 6),
        addi(20, 20, 1),
        bc(kBoTrue, 7 * 4 + kLt, 8),   // L1: blt cr7, L2
        addi(21, 21, 1),
        bc(kBoFalse, kEq, 8),   // L2: bne L3
        addi(22, 22, 1),
        mr(23, 3),              // L3
        mfcr(24),
    });
}

// A loop that closes on a compare (no loop mode: it calls nothing, but names more than it may hold) turns
// within its block with the branch's field pending at the jump back.
TEST(JitCrLazy, ALoopClosingOnACompareKeepsItsCount) {
    expect_as_interpreter({
        addi(10, 0, 0),         // li r10, 0
        addi(10, 10, 1),        // L
        cmpd(5, 10, 4),
        bc(kBoTrue, 5 * 4 + kEq, 8),
        addi(20, 20, 3),
        cmpdi(1, 10, 40),
        bc(kBoTrue, 1 * 4 + kLt, -20),   // blt cr1, L
        mfcr(21),
    });
}

// A record form's CR0 is a pending compare of its result with 0: built at an access that leaves, after its
// result is written again (by a row with an Rc bit its emitter ignores, cmpb's), dropped under the next
// record form.
TEST(JitCrLazy, RecordFormsAreComparesWithZero) {
    expect_as_interpreter({
        XO(7, 3, 4, 266, 0, 1),        // add. r7, r3, r4
        bc(kBoTrue, kLt, 8),           // blt +8
        addi(20, 20, 1),
        X(31, 4, 7, 5, 508, 1),        // cmpb r7, r4, r5 with Rc set: writes r7, not CR0
        ld(8, kPastRam, 0),            // MMIO: add.'s CR0
        D(28, 3, 8, 1),                // andi. r8, r3, 1
        X(31, 6, 10, 6, 316, 1),       // xor. r10, r6, r6: CR0 again, andi.'s dropped
        bc(kBoFalse, kEq, 8),
        addi(21, 21, 1),
        mfcr(22),
    });
}

} // namespace
