// VSX loads, stores and moves (Book I 7.6.3, 7.6.1.1): the element order rules of each form in little- and
// big-endian mode, lxvl/stxvl lengths (0, within 16, beyond 16), unaligned and page-crossing accesses, the
// paired forms, and the MSR enable bits each instruction checks first. The random differential harness
// (tests/diff) compares the same rows with qemu-ppc64le in little-endian mode; these pin down the rules.
#include <cstring>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "vcpu/cpu_state.h"
#include "vcpu/vcpu.h"

namespace phv::test {
namespace {

constexpr uint64_t kData = 0x8000;
constexpr uint64_t kVsxMsr = msr::SF | msr::ME | msr::FP | msr::VEC | msr::VSX;

// X-form with TX in bit 31 (XX1): lxvx XT,RA,RB and friends.
constexpr uint32_t xx1(uint32_t xo, unsigned xt, unsigned ra, unsigned rb) {
    return 31u << 26 | (xt & 31) << 21 | ra << 16 | rb << 11 | xo << 1 | (xt >> 5);
}
constexpr uint32_t lxvx(unsigned xt, unsigned ra, unsigned rb) { return xx1(268, xt, ra, rb); }
constexpr uint32_t stxvx(unsigned xs, unsigned ra, unsigned rb) { return xx1(396, xs, ra, rb); }
constexpr uint32_t lxvd2x(unsigned xt, unsigned ra, unsigned rb) { return xx1(844, xt, ra, rb); }
constexpr uint32_t lxvw4x(unsigned xt, unsigned ra, unsigned rb) { return xx1(780, xt, ra, rb); }
constexpr uint32_t lxvh8x(unsigned xt, unsigned ra, unsigned rb) { return xx1(812, xt, ra, rb); }
constexpr uint32_t lxvb16x(unsigned xt, unsigned ra, unsigned rb) { return xx1(876, xt, ra, rb); }
constexpr uint32_t lxvl(unsigned xt, unsigned ra, unsigned rb) { return xx1(269, xt, ra, rb); }
constexpr uint32_t lxvll(unsigned xt, unsigned ra, unsigned rb) { return xx1(301, xt, ra, rb); }
constexpr uint32_t stxvl(unsigned xs, unsigned ra, unsigned rb) { return xx1(397, xs, ra, rb); }
constexpr uint32_t stxvll(unsigned xs, unsigned ra, unsigned rb) { return xx1(429, xs, ra, rb); }
// lxvpx XTp,RA,RB: Tp in bits 6:9, TX in bit 10.
constexpr uint32_t lxvpx(unsigned xtp, unsigned ra, unsigned rb) {
    return 31u << 26 | ((xtp & 31) >> 1) << 22 | (xtp >> 5) << 21 | ra << 16 | rb << 11 | 333u << 1;
}
constexpr uint32_t lxsd(unsigned vrt, unsigned ra, int ds) { return 57u << 26 | vrt << 21 | ra << 16 | (uint32_t(ds) & 0xfffc) | 2; }
constexpr uint32_t mfvsrd(unsigned ra, unsigned xs) { return xx1(51, xs, ra, 0); }
constexpr uint32_t xxlor(unsigned xt, unsigned xa, unsigned xb) {
    return 60u << 26 | (xt & 31) << 21 | (xa & 31) << 16 | (xb & 31) << 11 | 146u << 3 | (xa >> 5) << 2 |
           (xb >> 5) << 1 | (xt >> 5);
}

struct VsxGuest : GuestCode {
    Vcpu *v() { return reinterpret_cast<Vcpu *>(vcpu); }
    std::array<uint64_t, 2> vsr(unsigned n) { return v()->state().vsr[n]; }
    // Bytes 0x00, 0x01, ... at kData (storage order).
    void ramp(unsigned n = 32) {
        for (unsigned i = 0; i < n; ++i)
            ram[kData + i] = uint8_t(i);
    }
    // Runs body in the given byte order (instructions stored in that order too).
    void run_body(std::initializer_list<uint32_t> body, bool big_endian = false) {
        set_reg(PHV_REG_PPC_MSR, kVsxMsr | (big_endian ? 0 : msr::LE));
        auto words = with_done(body);
        if (big_endian)
            for (auto &w : words)
                w = __builtin_bswap32(w);
        load(words);
        run_to_done();
    }
};

TEST(VsxLoad, LittleEndianElementOrder) {
    VsxGuest g;
    g.ramp();
    g.set_gpr(3, kData);
    g.set_gpr(4, 0);
    g.run_body({lxvx(1, 3, 4), lxvd2x(2, 3, 4), lxvw4x(3, 3, 4), lxvh8x(36, 3, 4), lxvb16x(5, 3, 4)});
    // lxvx: the quadword as one little-endian number.
    EXPECT_EQ(g.vsr(1)[0], 0x0f0e0d0c0b0a0908ull);
    EXPECT_EQ(g.vsr(1)[1], 0x0706050403020100ull);
    // lxvd2x/lxvw4x/lxvh8x: elements in storage order, each little-endian.
    EXPECT_EQ(g.vsr(2)[0], 0x0706050403020100ull);
    EXPECT_EQ(g.vsr(2)[1], 0x0f0e0d0c0b0a0908ull);
    EXPECT_EQ(g.vsr(3)[0], 0x0302010007060504ull);
    EXPECT_EQ(g.vsr(3)[1], 0x0b0a09080f0e0d0cull);
    EXPECT_EQ(g.vsr(36)[0], 0x0100030205040706ull);
    EXPECT_EQ(g.vsr(36)[1], 0x09080b0a0d0c0f0eull);
    // lxvb16x: byte i from EA+i whatever the byte order.
    EXPECT_EQ(g.vsr(5)[0], 0x0001020304050607ull);
    EXPECT_EQ(g.vsr(5)[1], 0x08090a0b0c0d0e0full);
}

TEST(VsxLoad, BigEndianElementOrder) {
    VsxGuest g;
    g.ramp();
    g.set_gpr(3, kData);
    g.set_gpr(4, 0);
    g.run_body({lxvx(1, 3, 4), lxvd2x(2, 3, 4), lxvw4x(3, 3, 4), lxvh8x(36, 3, 4), lxvb16x(5, 3, 4)}, true);
    for (unsigned n : {1u, 2u, 3u, 36u, 5u}) {
        EXPECT_EQ(g.vsr(n)[0], 0x0001020304050607ull) << n;
        EXPECT_EQ(g.vsr(n)[1], 0x08090a0b0c0d0e0full) << n;
    }
}

TEST(VsxStore, QuadwordRoundTripsInBothOrders) {
    for (bool big : {false, true}) {
        VsxGuest g;
        g.v()->state().vsr[40] = {0x0011223344556677ull, 0x8899aabbccddeeffull};
        g.set_gpr(3, kData);
        g.set_gpr(4, 16);
        g.run_body({stxvx(40, 3, 4), lxvx(7, 3, 4)}, big);
        EXPECT_EQ(g.ram[kData + 16], big ? 0x00 : 0xff);
        EXPECT_EQ(g.ram[kData + 31], big ? 0xff : 0x00);
        EXPECT_EQ(g.vsr(7), g.vsr(40));
    }
}

TEST(VsxLength, LxvlFillsFromTheRightInLittleEndianAndCapsAt16) {
    VsxGuest g;
    g.ramp();
    g.set_gpr(3, kData);
    g.set_gpr(4, 3ull << 56);
    g.set_gpr(5, 200ull << 56);   // more than 16: 16
    g.set_gpr(6, 0);              // 0: nothing is read, XT becomes 0
    g.set_gpr(7, 0x7ff0000);      // beyond RAM, never touched with length 0
    g.v()->state().vsr[4] = {~0ull, ~0ull};
    g.run_body({lxvl(1, 3, 4), lxvll(2, 3, 4), lxvl(3, 3, 5), lxvl(4, 7, 6)});
    EXPECT_EQ(g.vsr(1)[0], 0u);
    EXPECT_EQ(g.vsr(1)[1], 0x0000000000020100ull);   // byte elements 13..15 = 02 01 00
    EXPECT_EQ(g.vsr(2)[0], 0x0001020000000000ull);   // lxvll: left-justified, storage order
    EXPECT_EQ(g.vsr(2)[1], 0u);
    EXPECT_EQ(g.vsr(3)[0], 0x0f0e0d0c0b0a0908ull);   // all 16, as lxvx
    EXPECT_EQ(g.vsr(3)[1], 0x0706050403020100ull);
    EXPECT_EQ(g.vsr(4)[0], 0u);
    EXPECT_EQ(g.vsr(4)[1], 0u);
}

TEST(VsxLength, LxvlInBigEndianIsLeftJustified) {
    VsxGuest g;
    g.ramp();
    g.set_gpr(3, kData);
    g.set_gpr(4, 5ull << 56);
    g.run_body({lxvl(1, 3, 4)}, true);
    EXPECT_EQ(g.vsr(1)[0], 0x0001020304000000ull);
    EXPECT_EQ(g.vsr(1)[1], 0u);
}

TEST(VsxLength, StxvlStoresOnlyTheLength) {
    VsxGuest g;
    std::memset(g.ram + kData, 0xee, 64);
    g.v()->state().vsr[9] = {0x0011223344556677ull, 0x8899aabbccddeeffull};
    g.set_gpr(3, kData);
    g.set_gpr(4, 5ull << 56);
    g.set_gpr(5, kData + 32);
    g.set_gpr(6, 17ull << 56);
    g.set_gpr(7, kData + 16);
    g.set_gpr(8, 2ull << 56);
    g.run_body({stxvl(9, 3, 4), stxvl(9, 5, 6), stxvll(9, 7, 8)});
    // LE stxvl: byte elements 15, 14, ... go to EA, EA+1, ...
    const uint8_t five[] = {0xff, 0xee, 0xdd, 0xcc, 0xbb};
    EXPECT_EQ(std::memcmp(g.ram + kData, five, 5), 0);
    EXPECT_EQ(g.ram[kData + 5], 0xee);   // untouched
    // Length 17 stores 16 bytes and no more.
    EXPECT_EQ(g.ram[kData + 32], 0xff);
    EXPECT_EQ(g.ram[kData + 47], 0x00);
    EXPECT_EQ(g.ram[kData + 48], 0xee);
    // stxvll: byte elements 0, 1 in storage order.
    EXPECT_EQ(g.ram[kData + 16], 0x00);
    EXPECT_EQ(g.ram[kData + 17], 0x11);
    EXPECT_EQ(g.ram[kData + 18], 0xee);
}

TEST(VsxLoad, UnalignedAndPageCrossing) {
    VsxGuest g;
    for (unsigned i = 0; i < 16; ++i)
        g.ram[0x8ffb + i] = uint8_t(0xa0 + i);
    g.set_gpr(3, 0x8ffb);   // 5 bytes in one 4K page, 11 in the next
    g.set_gpr(4, 0);
    g.run_body({lxvb16x(1, 3, 4), lxvd2x(2, 3, 4)});
    EXPECT_EQ(g.vsr(1)[0], 0xa0a1a2a3a4a5a6a7ull);
    EXPECT_EQ(g.vsr(1)[1], 0xa8a9aaabacadaeafull);
    EXPECT_EQ(g.vsr(2)[0], 0xa7a6a5a4a3a2a1a0ull);
    EXPECT_EQ(g.vsr(2)[1], 0xafaeadacabaaa9a8ull);
}

// Half in RAM, half beyond the only memslot: the RAM half is read, the other half is an MMIO exit (test_fp_mmio.cpp
// has the rest of VSX MMIO).
TEST(VsxLoad, BeyondRamIsAnMmioExitNotACrash) {
    VsxGuest g;
    g.set_gpr(3, GuestCode::kRamSize - 8);
    g.set_gpr(4, 0);
    g.set_reg(PHV_REG_PPC_MSR, kVsxMsr | msr::LE);
    g.load(with_done({lxvx(1, 3, 4)}));
    EXPECT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, GuestCode::kRamSize);
    EXPECT_EQ(g.run_data->mmio.len, 8u);
}

TEST(VsxPair, LittleEndianSwapsThePair) {
    for (bool big : {false, true}) {
        VsxGuest g;
        g.ramp();
        g.set_gpr(3, kData);
        g.set_gpr(4, 0);
        g.run_body({lxvpx(34, 3, 4)}, big);
        // Big-endian: VSR34 from EA, VSR35 from EA+16; little-endian: the 32 bytes as one number.
        const unsigned first = big ? 34 : 35, second = big ? 35 : 34;
        EXPECT_EQ(g.vsr(first)[big ? 0 : 1], big ? 0x0001020304050607ull : 0x0706050403020100ull) << big;
        EXPECT_EQ(g.vsr(second)[big ? 0 : 1], big ? 0x1011121314151617ull : 0x1716151413121110ull) << big;
    }
}

TEST(VsxLoad, LxsdClearsDoubleword1) {
    VsxGuest g;
    g.ramp();
    g.set_gpr(3, kData);
    g.v()->state().vsr[34] = {1, 2};
    g.run_body({lxsd(2, 3, 8)});
    EXPECT_EQ(g.vsr(34)[0], 0x0f0e0d0c0b0a0908ull);
    EXPECT_EQ(g.vsr(34)[1], 0u);
}

// Each instruction checks its enable bit first: VSX for VSR0-31 (and the VSX-only forms), VEC for VRs,
// FP for the FPR half of mfvsrd & co.
TEST(VsxUnavailable, EnableBitsByRegisterHalf) {
    VsxGuest g;
    for (uint64_t vector : {0x800ull, 0xf20ull, 0xf40ull})
        g.vector_stub(vector);
    g.set_reg(PHV_REG_PPC_LPCR_64, lpcr::ILE);
    g.set_gpr(3, kData);
    g.set_gpr(4, 0);
    auto take = [&](uint64_t msr_bits, uint32_t insn) {
        g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE | msr_bits);
        return g.run_until_vector({insn});
    };
    const uint64_t all = msr::FP | msr::VEC | msr::VSX;
    EXPECT_EQ(take(all & ~msr::VSX, lxvx(1, 3, 4)), 0xf40u);
    EXPECT_EQ(take(all & ~msr::VEC, lxvx(33, 3, 4)), 0xf20u);
    EXPECT_EQ(take(all & ~msr::VSX, lxvx(33, 3, 4)), 0u);
    EXPECT_EQ(take(all & ~msr::VEC, lxsd(2, 3, 0)), 0xf20u);
    EXPECT_EQ(take(all & ~msr::FP, mfvsrd(5, 1)), 0x800u);
    EXPECT_EQ(take(all & ~msr::VSX, mfvsrd(5, 1)), 0u);
    EXPECT_EQ(take(all & ~msr::VEC, mfvsrd(5, 33)), 0xf20u);
    EXPECT_EQ(take(all & ~msr::VSX, xxlor(40, 41, 42)), 0xf40u);
    EXPECT_EQ(take(all & ~msr::VSX, lxvpx(34, 3, 4)), 0xf40u);
}

} // namespace
} // namespace phv::test
