// Quadword (lq, stq, lqarx, stqcx.) and string/multiple (lswi, lswx, stswi, stswx, lmw, stmw) accesses.
// Expected values are QEMU's: the little-endian quadword cases from qemu-ppc64le -cpu power10 runs (quoted
// at each test), the big-endian string sequence from data/string_oracle.inc (data/gen_string_oracle.py).
#include <cstring>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "vcpu/cpu_state.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

#include "data/string_oracle.inc"

constexpr uint64_t kSrr1Illegal = 1ull << (63 - 44);

struct Trapping : GuestCode {
    Trapping() {
        set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // LPCR[ILE]: the handlers run little-endian
        load(with_done({}), 0x700);
        load(with_done({}), 0x600);
    }
    uint64_t srr0() { return reg(PHV_REG_PPC_SRR0); }
    uint64_t srr1() { return reg(PHV_REG_PPC_SRR1); }
    uint64_t dar() { return reg(PHV_REG_PPC_DAR); }
};

constexpr uint64_t kData = 0x3000;

void fill_1_to_n(GuestCode &g, unsigned n) {
    for (unsigned i = 0; i < n; ++i)
        g.ram[kData + i] = uint8_t(i + 1);
}

// qemu-ppc64le: with byte i = i + 1, lq r4,0(r6) gave r4 = 0x100f0e0d0c0b0a09 and r5 = 0x0807060504030201
// (little-endian: the even register is the high half, at EA+8); at EA+1 (QEMU raises no Alignment
// interrupt for lq) r4 = 0x11100f0e0d0c0b0a, r5 = 0x0908070605040302.
TEST(Quadword, LqLittleEndian) {
    for (auto [off, hi, lo] : {std::tuple{0, 0x100f0e0d0c0b0a09ull, 0x0807060504030201ull},
                               std::tuple{1, 0x11100f0e0d0c0b0aull, 0x0908070605040302ull}}) {
        GuestCode g;
        fill_1_to_n(g, 64);
        g.set_gpr(6, kData + off);
        g.load(with_done({0xe0860000}));   // lq r4,0(r6)
        g.run_to_done();
        EXPECT_EQ(g.gpr(4), hi) << off;
        EXPECT_EQ(g.gpr(5), lo) << off;
    }
}

// qemu-ppc64le: stq r4,16(r6) with r4 = 0x11, r5 = 0x22 wrote 22 00.. 00 11 00.. (r5 at EA, r4 at EA+8).
TEST(Quadword, StqLittleEndian) {
    GuestCode g;
    g.set_gpr(4, 0x11);
    g.set_gpr(5, 0x22);
    g.set_gpr(6, kData);
    g.load(with_done({0xf8860012}));   // stq r4,16(r6)
    g.run_to_done();
    uint64_t lo, hi;
    std::memcpy(&lo, g.ram + kData + 16, 8);
    std::memcpy(&hi, g.ram + kData + 24, 8);
    EXPECT_EQ(lo, 0x22u);
    EXPECT_EQ(hi, 0x11u);
}

// qemu-ppc64le raised SIGILL for each of these invalid forms: lq with an odd RTp or RTp = RA, stq with an
// odd RSp, lqarx with an odd RTp.
TEST(Quadword, InvalidFormsAreIllegal) {
    for (uint32_t w : {0xe0a60000u /* lq r5,0(r6) */, 0xe0c60000u /* lq r6,0(r6) */,
                       0xf8a60002u /* stq r5,0(r6) */, 0x7ca03228u /* lqarx r5,0,r6 */}) {
        Trapping g;
        g.set_gpr(6, kData);
        g.load(with_done({w}));
        g.run_to_done();
        EXPECT_EQ(g.srr0(), GuestCode::kCodeBase) << std::hex << w;
        EXPECT_NE(g.srr1() & kSrr1Illegal, 0u) << std::hex << w;
    }
}

// qemu-ppc64le: lqarx r4,0,r6 at a 16-aligned EA gave r4 = 0x302f2e2d2c2b2a29, r5 = 0x2827262524232221
// (bytes 33..48), and at EA+8 raised SIGBUS: the Alignment interrupt (Book II 4.4.2). QEMU 7.2's stqcx.
// then fails, as every stqcx. it runs does (an oracle bug, tests/diff known_oracle_bugs "stqcx-never-
// succeeds"); the ISA (Book II 4.6.2) performs it and sets CR0[EQ], which is what is checked here.
TEST(Quadword, LqarxStqcx) {
    GuestCode g;
    fill_1_to_n(g, 64);
    g.set_gpr(6, kData + 32);
    g.set_gpr(8, 0x1111);
    g.set_gpr(9, 0x2222);
    g.load(with_done({0x7c803228,                 // lqarx r4,0,r6
                      0x7d00316d,                 // stqcx. r8,0,r6
                      0x7d400026}));              // mfcr r10
    g.run_to_done();
    EXPECT_EQ(g.gpr(4), 0x302f2e2d2c2b2a29ull);
    EXPECT_EQ(g.gpr(5), 0x2827262524232221ull);
    EXPECT_EQ(g.gpr(10) >> 28, 2u);   // EQ: stored
    uint64_t lo, hi;
    std::memcpy(&lo, g.ram + kData + 32, 8);
    std::memcpy(&hi, g.ram + kData + 40, 8);
    EXPECT_EQ(lo, 0x2222u);   // r9 (odd) at EA in little-endian mode
    EXPECT_EQ(hi, 0x1111u);

    Trapping t;
    t.set_gpr(6, kData + 40);
    t.load(with_done({0x7c803228}));
    t.run_to_done();
    EXPECT_EQ(t.srr0(), GuestCode::kCodeBase);
    EXPECT_EQ(t.dar(), kData + 40);
}

TEST(Quadword, StqcxFailsAfterTheQuadwordChanged) {
    GuestCode g;
    g.set_gpr(6, kData);
    g.set_gpr(7, 0x77);
    g.set_gpr(8, 0x1111);
    g.set_gpr(9, 0x2222);
    g.load(with_done({0x7c803228,                 // lqarx r4,0,r6
                      0x7d00316d,                 // stqcx. r8,0,r6   (succeeds, clears the reservation)
                      0x7d00316d,                 // stqcx. r8,0,r6   (no reservation: fails)
                      0x7d400026}));              // mfcr r10
    g.run_to_done();
    EXPECT_EQ(g.gpr(10) >> 28, 0u);
}

// A big-endian run of lswi (with wrap-around from r31 to r0, and NB=0 meaning 32), lswx (XER byte count),
// stswi, stswx, lmw, stmw, and lq, stq, pld, plq, pstq, compared byte for byte with what qemu-ppc64 stored.
TEST(String, BigEndianAgreesWithTheOracle) {
    GuestCode g;
    fill_1_to_n(g, 40);
    g.set_reg(PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME);   // big-endian
    std::vector<uint32_t> words(std::begin(kStringBody), std::end(kStringBody));
    for (uint32_t w : with_done({}))
        words.push_back(w);
    for (uint32_t &w : words)
        w = __builtin_bswap32(w);   // GuestCode::load stores little-endian words
    g.load(words);
    g.set_gpr(20, kData);
    g.set_gpr(21, kData + 48);
    g.run_to_done();
    for (unsigned i = 0; i < sizeof kStringOut; ++i)
        EXPECT_EQ(g.ram[kData + 48 + i], kStringOut[i]) << "byte " << i;
}

// In little-endian mode lmw, stmw and the string instructions take the Alignment interrupt (Book I 3.3.7,
// 3.3.8; Book III 7.5.8). QEMU agrees: its user mode stops with "Unknown exception 0x5" (POWERPC_EXCP_ALIGN)
// for lmw in little-endian mode.
TEST(String, LittleEndianIsAnAlignmentInterrupt) {
    for (uint32_t w : {0x7cb43caau /* lswi r5,r20,7 */, 0x7d14b42au /* lswx r8,r20,r22 */,
                       0x7ef935aau /* stswi r23,r25,6 */, 0xbbb40004u /* lmw r29,4(r20) */,
                       0xbfb400b0u /* stmw r29,176(r20) */}) {
        Trapping g;
        g.set_gpr(20, kData);
        g.set_gpr(25, kData);
        g.load(with_done({w}));
        g.run_to_done();
        EXPECT_EQ(g.srr0(), GuestCode::kCodeBase) << std::hex << w;
        EXPECT_EQ(g.reg(PHV_REG_PPC_NIP) & ~0xffull, 0x600u) << std::hex << w;
    }
}

} // namespace
