// Semantics of individual instructions at their edges (Book I chapters 2 and 3). The broad check against
// QEMU is the differential harness (issue #4); these pin the cases that are easy to get wrong.
#include <cstring>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "vcpu/cpu_state.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint64_t kCA = 1ull << 29, kOV = 1ull << 30, kSO = 1ull << 31, kOV32 = 1ull << 19, kCA32 = 1ull << 18;

struct Prog {
    GuestCode g;
    Prog(std::initializer_list<uint32_t> body, std::initializer_list<std::pair<unsigned, uint64_t>> regs,
        uint64_t xer = 0) {
        for (auto [r, v] : regs)
            g.set_gpr(r, v);
        g.set_reg(PHV_REG_PPC_XER, xer);
        g.load(with_done(body));
        g.run_to_done();
    }
    uint64_t r(unsigned n) { return g.gpr(n); }
    uint64_t xer() { return g.reg(PHV_REG_PPC_XER); }
    uint32_t cr() { return uint32_t(g.reg(PHV_REG_PPC_CR)); }
};

TEST(Arith, AddoSetsOverflowAndSummaryOverflow) {
    Prog t({XO(5, 6, 7, 266, 1, 1)}, {{6, 0x7fffffffffffffffull}, {7, 1}});
    EXPECT_EQ(t.r(5), 0x8000000000000000ull);
    EXPECT_EQ(t.xer() & (kOV | kSO | kOV32), kOV | kSO);
    EXPECT_EQ(t.cr() >> 28, 0x8u | 0x1u);   // LT and SO
}

TEST(Arith, Ov32FollowsTheLowWord) {
    Prog t({XO(5, 6, 7, 266, 1, 0)}, {{6, 0x7fffffff}, {7, 1}});
    EXPECT_EQ(t.xer() & (kOV | kOV32), kOV32);
}

TEST(Arith, SummaryOverflowIsSticky) {
    Prog t({XO(5, 6, 7, 266, 1, 0)}, {{6, 1}, {7, 1}}, kSO);
    EXPECT_EQ(t.xer() & (kOV | kSO), kSO);
}

TEST(Arith, AddcSetsBothCarries) {
    Prog t({XO(5, 6, 7, 10, 0, 0)}, {{6, ~0ull}, {7, 1}});
    EXPECT_EQ(t.r(5), 0u);
    EXPECT_EQ(t.xer() & (kCA | kCA32), kCA | kCA32);
}

TEST(Arith, Ca32WithoutCa) {
    Prog t({XO(5, 6, 7, 10, 0, 0)}, {{6, 0xffffffff}, {7, 1}});
    EXPECT_EQ(t.xer() & (kCA | kCA32), kCA32);
}

TEST(Arith, SubfcBorrowConvention) {
    // RB - RA with CA = 1 when there is no borrow.
    Prog a({XO(5, 6, 7, 8, 0, 0)}, {{6, 3}, {7, 5}});
    EXPECT_EQ(a.r(5), 2u);
    EXPECT_NE(a.xer() & kCA, 0u);
    Prog b({XO(5, 6, 7, 8, 0, 0)}, {{6, 5}, {7, 3}});
    EXPECT_EQ(b.r(5), uint64_t(-2));
    EXPECT_EQ(b.xer() & kCA, 0u);
}

TEST(Arith, AddeChainsTheCarry) {
    Prog t({XO(5, 6, 7, 138, 0, 0)}, {{6, 1}, {7, 2}}, kCA);
    EXPECT_EQ(t.r(5), 4u);
    EXPECT_EQ(t.xer() & kCA, 0u);
}

TEST(Arith, NegOfMostNegativeOverflows) {
    Prog t({XO(5, 6, 0, 104, 1, 0)}, {{6, 0x8000000000000000ull}});
    EXPECT_EQ(t.r(5), 0x8000000000000000ull);
    EXPECT_NE(t.xer() & kOV, 0u);
}

TEST(Arith, DivideByZeroIsUndefinedAndOverflows) {
    Prog t({XO(5, 6, 7, 491, 1, 0), XO(8, 6, 7, 457, 0, 0)}, {{6, 100}, {7, 0}});
    EXPECT_NE(t.xer() & kOV, 0u);
    EXPECT_EQ(t.r(8), 0u);
}

TEST(Arith, SignedDivisionTruncatesTowardZero) {
    Prog t({XO(5, 6, 7, 489, 0, 0), XO(8, 6, 7, 491, 0, 0)}, {{6, uint64_t(-7)}, {7, 2}});
    EXPECT_EQ(t.r(5), uint64_t(-3));
    EXPECT_EQ(uint32_t(t.r(8)), uint32_t(-3));
}

TEST(Arith, HighMultiplies) {
    Prog t({XO(5, 6, 7, 9, 0, 0), XO(8, 6, 7, 73, 0, 0)}, {{6, ~0ull}, {7, 2}});
    EXPECT_EQ(t.r(5), 1u);           // mulhdu
    EXPECT_EQ(t.r(8), ~0ull);        // mulhd: -1 * 2 = -2, high doubleword all ones
}

TEST(Arith, MullwoDetectsWordOverflow) {
    Prog t({XO(5, 6, 7, 235, 1, 0)}, {{6, 0x10000}, {7, 0x10000}});
    EXPECT_EQ(t.r(5), 0x100000000ull);
    EXPECT_NE(t.xer() & kOV, 0u);
}

TEST(Compare, SignedAndUnsignedWordAndDoubleword) {
    // cmpd cr1,r6,r7 ; cmpld cr2,r6,r7 ; cmpw cr3,r6,r7 ; cmplw cr4,r6,r7
    Prog t({X(31, 1 << 2 | 1, 6, 7, 0), X(31, 2 << 2 | 1, 6, 7, 32), X(31, 3 << 2, 6, 7, 0), X(31, 4 << 2, 6, 7, 32)},
          {{6, 0xffffffff00000001ull}, {7, 0x0000000100000002ull}});
    const uint32_t cr = t.cr();
    EXPECT_EQ((cr >> 24) & 0xf, 0x8u);   // -4294967295 < 4294967298
    EXPECT_EQ((cr >> 20) & 0xf, 0x4u);   // unsigned: greater
    EXPECT_EQ((cr >> 16) & 0xf, 0x8u);   // low words 1 < 2
    EXPECT_EQ((cr >> 12) & 0xf, 0x8u);
}

TEST(Rotate, RlwinmExtractsAndMasks) {
    // rlwinm r5,r6,8,24,31 = (r6 rotl 8) & 0xff
    const uint32_t w = 21u << 26 | 6u << 21 | 5u << 16 | 8u << 11 | 24u << 6 | 31u << 1;
    Prog t({w}, {{6, 0xdeadbeef12345678ull}});
    EXPECT_EQ(t.r(5), 0x12u);
}

TEST(Rotate, RlwinmWrappingMaskUsesBothHalves) {
    // rlwinm r5,r6,0,31,0: mask wraps, ISA keeps the replicated high word bits
    const uint32_t w = 21u << 26 | 6u << 21 | 5u << 16 | 0u << 11 | 31u << 6 | 0u << 1;
    Prog t({w}, {{6, 0x0000000080000001ull}});
    EXPECT_EQ(t.r(5), 0x8000000180000001ull);
}

TEST(Rotate, RldiclClearsLeftBits) {
    // rldicl r5,r6,4,32 (sh=4, mb=32: mb field = 0b000001 with the split encoding)
    const uint32_t w = 30u << 26 | 6u << 21 | 5u << 16 | 4u << 11 | (32u & 31) << 6 | (32u >> 5) << 5 | 0u << 2;
    Prog t({w}, {{6, 0x123456789abcdef0ull}});
    EXPECT_EQ(t.r(5), 0x00000000abcdef01ull);
}

TEST(Shift, SrawSetsCarryOnlyForNegativeWithLostBits) {
    Prog a({X(31, 6, 5, 7, 792)}, {{6, 0xfffffff5}, {7, 1}});
    EXPECT_EQ(a.r(5), uint64_t(-6));
    EXPECT_NE(a.xer() & kCA, 0u);
    Prog b({X(31, 6, 5, 7, 792)}, {{6, 0xfffffff4}, {7, 2}});
    EXPECT_EQ(b.r(5), uint64_t(-3));
    EXPECT_EQ(b.xer() & kCA, 0u);
    Prog c({X(31, 6, 5, 7, 792)}, {{6, 0x80000000}, {7, 40}});
    EXPECT_EQ(c.r(5), ~0ull);
    EXPECT_NE(c.xer() & kCA, 0u);
}

TEST(Shift, SldBeyond63IsZero) {
    Prog t({X(31, 6, 5, 7, 27)}, {{6, 1}, {7, 64}});
    EXPECT_EQ(t.r(5), 0u);
}

TEST(Logical, CountAndPopulation) {
    Prog t({X(31, 6, 5, 0, 58), X(31, 6, 8, 0, 122), X(31, 6, 9, 0, 986)}, {{6, 0x00000000ff030001ull}});
    EXPECT_EQ(t.r(5), 32u);                      // cntlzd
    EXPECT_EQ(t.r(8), 0x0000000008020001ull);    // popcntb
    EXPECT_EQ(t.r(9), 0xffffffffff030001ull);    // extsw
}

TEST(Branch, BdnzLoopsCtrTimes) {
    // mtctr r6 ; loop: addi r5,r5,3 ; bdnz loop
    const uint32_t bdnz_m4 = 16u << 26 | 16u << 21 | (uint32_t(-4) & 0xfffc);
    Prog t({mtspr(9, 6), addi(5, 5, 3), bdnz_m4}, {{6, 10}, {5, 0}});
    EXPECT_EQ(t.r(5), 30u);
}

TEST(Branch, BctrlLinksAndJumps) {
    // r6 = address of "addi r5,0,77; blr"; mtctr r6; bctrl; then done.
    Prog t({mtspr(9, 6), 0x4e800421u /*bctrl*/, b(12), addi(5, 0, 77), 0x4e800020u /*blr*/},
          {{6, GuestCode::kCodeBase + 12}});
    EXPECT_EQ(t.r(5), 77u);
    EXPECT_EQ(t.g.reg(PHV_REG_PPC_LR), GuestCode::kCodeBase + 8);
}

TEST(Storage, LoadStoreSizesAndSignExtension) {
    // stw r6,0x100(0); lha r5,0x100(0); lbz r7,0x103(0); lhbrx r8,0,r9
    Prog t({stw(6, 0, 0x100), D(42, 5, 0, 0x100), D(34, 7, 0, 0x103), X(31, 8, 0, 9, 790)}, {{6, 0x1234fedc}, {9, 0x100}});
    EXPECT_EQ(t.r(5), uint64_t(int64_t(int16_t(0xfedc))));   // little-endian: the low halfword first
    EXPECT_EQ(t.r(7), 0x12u);
    EXPECT_EQ(t.r(8), 0xdcfeu);
}

TEST(Storage, UpdateFormsWriteBackTheAddress) {
    // stdu r6,-16(r1)
    Prog t({62u << 26 | 6u << 21 | 1u << 16 | (uint32_t(-16) & 0xfffc) | 1}, {{1, 0x8000}, {6, 0xabcdef}});
    EXPECT_EQ(t.r(1), 0x8000u - 16);
    EXPECT_EQ(*reinterpret_cast<uint64_t *>(t.g.ram + 0x8000 - 16), 0xabcdefu);
}

TEST(Storage, ReservationSucceedsThenFails) {
    // lwarx r5,0,r4 ; stwcx. r6,0,r4 ; mfcr r7 ; stwcx. r6,0,r4 ; mfcr r8
    Prog t({X(31, 5, 0, 4, 20), X(31, 6, 0, 4, 150, 1), X(31, 7, 0, 0, 19), X(31, 6, 0, 4, 150, 1),
           X(31, 8, 0, 0, 19)},
          {{4, 0x300}, {6, 99}});
    EXPECT_EQ(t.r(7) >> 28, 0x2u);
    EXPECT_EQ(t.r(8) >> 28, 0x0u);
    EXPECT_EQ(*reinterpret_cast<uint32_t *>(t.g.ram + 0x300), 99u);
}

TEST(Storage, DcbzZeroesTheWholeBlock) {
    GuestCode g;
    std::memset(g.ram + 0x1000, 0xff, 0x100);
    g.set_gpr(4, 0x1010);
    g.load(with_done({X(31, 0, 0, 4, 1014)}));
    g.run_to_done();
    for (int i = 0; i < 128; ++i)
        ASSERT_EQ(g.ram[0x1000 + i], 0) << i;
    EXPECT_EQ(g.ram[0x1080], 0xff);
}

TEST(Mode32, CarryAndCompareUseTheLowWord) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_MSR, phv::msr::ME | phv::msr::LE);
    g.set_gpr(6, 0xffffffff);
    g.set_gpr(7, 1);
    g.load(with_done({XO(5, 6, 7, 10, 0, 1)}));   // addc. in 32-bit mode
    g.run_to_done();
    EXPECT_NE(g.reg(PHV_REG_PPC_XER) & kCA, 0u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_CR) >> 28, 0x2u);   // the low word is 0
}

TEST(System, MtmsrdL1MovesOnlyEeAndRi) {
    GuestCode g;
    g.set_gpr(6, ~0ull);
    g.load(with_done({mtmsrd(6, 1), mfmsr(7)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(7), phv::msr::SF | phv::msr::ME | phv::msr::LE | phv::msr::EE | phv::msr::RI);
}

TEST(System, RfidRestoresMsrAndJumps) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_SRR0, GuestCode::kCodeBase + 0x100);
    g.set_reg(PHV_REG_PPC_SRR1, phv::msr::SF | phv::msr::LE | (1ull << 60) /*HV: ignored*/);
    g.load(with_done({mfmsr(7)}), GuestCode::kCodeBase + 0x100);
    g.load({rfid()});
    g.run_to_done();
    EXPECT_EQ(g.gpr(7), phv::msr::SF | phv::msr::ME | phv::msr::LE);
}

TEST(System, TimebaseAdvances) {
    GuestCode g;
    g.load(with_done({mfspr(5, 268), mfspr(6, 268)}));
    g.run_to_done();
    EXPECT_GE(g.gpr(6), g.gpr(5));
    EXPECT_GT(g.gpr(5), 0u);
}

TEST(System, UndefinedSprIsANoOpInPrivilegedState) {
    GuestCode g;
    g.set_gpr(5, 1234);
    g.load(with_done({mfspr(5, 700), mtspr(700, 5)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 1234u);
}

TEST(Models, Power10OnlySprIsNoOpOnPower9) {
    GuestCode g(PHV_CPU_POWER9);
    g.set_gpr(5, 77);
    g.load(with_done({mfspr(5, 828)}));   // DEXCR does not exist on POWER9
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 77u);
}

} // namespace
