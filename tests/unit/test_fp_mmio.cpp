// Floating-point loads and stores outside RAM: MMIO exits like the fixed-point ones (the FPR written, and the
// single-precision value widened, when the exit completes), and lfdp/stfdp with either doubleword in MMIO; VSX
// loads and stores as one exit per doubleword (Vcpu::vsx_mmio).
#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "guest_code.h"
#include "vcpu/cpu_state.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint64_t kMsr = phv::msr::SF | phv::msr::ME | phv::msr::LE | phv::msr::FP;
constexpr uint32_t d_form(uint32_t op, uint32_t rt, uint32_t ra, int32_t d) {
    return op << 26 | rt << 21 | ra << 16 | (uint32_t(d) & 0xffff);
}
constexpr uint32_t lfs(uint32_t frt, uint32_t ra, int32_t d) { return d_form(48, frt, ra, d); }
constexpr uint32_t lfd(uint32_t frt, uint32_t ra, int32_t d) { return d_form(50, frt, ra, d); }
constexpr uint32_t lfdu(uint32_t frt, uint32_t ra, int32_t d) { return d_form(51, frt, ra, d); }
constexpr uint32_t stfd(uint32_t frs, uint32_t ra, int32_t d) { return d_form(54, frs, ra, d); }
constexpr uint32_t lfdp(uint32_t frtp, uint32_t ra, int32_t ds) { return d_form(57, frtp, ra, ds & ~3); }
constexpr uint32_t stfdp(uint32_t frsp, uint32_t ra, int32_t ds) { return d_form(61, frsp, ra, ds & ~3); }

struct FpGuest : GuestCode {
    FpGuest() { set_reg(PHV_REG_PPC_MSR, kMsr); }
    uint64_t fpr(unsigned n) { return reg(PHV_REG_PPC_FPR(n)); }
    void serve_load(uint64_t v) { std::memcpy(run_data->mmio.data, &v, 8); }   // little-endian guest
};

TEST(FpMmio, LfdAndLfsCompleteOnReentry) {
    FpGuest g;
    g.load(with_done({addis(4, 0, 0x7100), lfd(1, 4, 8), lfdu(2, 4, 16), lfs(3, 4, 0)}));
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000008u);
    EXPECT_EQ(g.run_data->mmio.len, 8u);
    EXPECT_EQ(g.run_data->mmio.is_write, 0);
    g.serve_load(0x3ff0000000000000ull);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));   // lfdu: RA updated with the exit
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000010u);
    EXPECT_EQ(g.gpr(4), 0x71000010u);
    g.serve_load(0x4000000000000000ull);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));   // lfs at 0x71000010 + 0
    EXPECT_EQ(g.run_data->mmio.len, 4u);
    g.serve_load(0x3f800000u);   // 1.0f
    g.run_to_done();
    EXPECT_EQ(g.fpr(1), 0x3ff0000000000000ull);
    EXPECT_EQ(g.fpr(2), 0x4000000000000000ull);
    EXPECT_EQ(g.fpr(3), 0x3ff0000000000000ull);
}

TEST(FpMmio, StfdIsAnMmioWrite) {
    FpGuest g;
    g.set_reg(PHV_REG_PPC_FPR(5), 0x0123456789abcdefull);
    g.load(with_done({addis(4, 0, 0x7100), stfd(5, 4, 0)}));
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.is_write, 1);
    uint64_t v;
    std::memcpy(&v, g.run_data->mmio.data, 8);
    EXPECT_EQ(v, 0x0123456789abcdefull);
    g.run_to_done();
}

// The quadword straddles RAM's end (16 MiB): one doubleword in RAM, the other an MMIO exit, in either order.
TEST(FpMmio, LfdpAndStfdpWithOneHalfInMmio) {
    constexpr uint64_t kEnd = GuestCode::kRamSize;
    {
        // Little-endian: the odd register takes the doubleword at EA (RAM), the even one EA+8 (MMIO).
        FpGuest g;
        const uint64_t ram_dw = 0x1111111111111111ull;
        std::memcpy(g.ram + kEnd - 8, &ram_dw, 8);
        g.set_gpr(4, kEnd - 8);
        g.load(with_done({lfdp(6, 4, 0)}));
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
        EXPECT_EQ(g.run_data->mmio.phys_addr, kEnd);
        g.serve_load(0x2222222222222222ull);
        g.run_to_done();
        EXPECT_EQ(g.fpr(7), ram_dw);
        EXPECT_EQ(g.fpr(6), 0x2222222222222222ull);
    }
    {
        // Both halves MMIO: two exits, the instruction completes after the second.
        FpGuest g;
        g.set_reg(PHV_REG_PPC_FPR(8), 0xaaaaaaaaaaaaaaaaull);
        g.set_reg(PHV_REG_PPC_FPR(9), 0xbbbbbbbbbbbbbbbbull);
        g.load(with_done({addis(4, 0, 0x7100), stfdp(8, 4, 16), addi(20, 0, 1)}));
        uint64_t v;
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
        EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000010u);
        std::memcpy(&v, g.run_data->mmio.data, 8);
        EXPECT_EQ(v, 0xbbbbbbbbbbbbbbbbull);   // LE: the odd register goes to EA
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
        EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000018u);
        std::memcpy(&v, g.run_data->mmio.data, 8);
        EXPECT_EQ(v, 0xaaaaaaaaaaaaaaaaull);
        EXPECT_EQ(g.gpr(20), 0u);
        g.run_to_done();
        EXPECT_EQ(g.gpr(20), 1u);
    }
    {
        // First half MMIO, second in RAM: the store to RAM happens on the second run.
        FpGuest g;
        g.set_reg(PHV_REG_PPC_FPR(10), 0x5555555555555555ull);
        g.set_reg(PHV_REG_PPC_FPR(11), 0x6666666666666666ull);
        // A read-only slot at 0x2000000 backed by RAM: stores there are MMIO, so EA+8 can be plain RAM.
        phv_userspace_memory_region ro{2, PHV_MEM_READONLY, 0x2000000, 0x1000,
                                       reinterpret_cast<uint64_t>(g.ram) + 0x400000};
        ASSERT_EQ(phv_set_user_memory_region(g.vm, &ro), 0);
        phv_userspace_memory_region rw{3, 0, 0x2001000, 0x1000, reinterpret_cast<uint64_t>(g.ram) + 0x500000};
        ASSERT_EQ(phv_set_user_memory_region(g.vm, &rw), 0);
        g.set_gpr(4, 0x2000ff8);
        g.load(with_done({stfdp(10, 4, 0)}));
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
        EXPECT_EQ(g.run_data->mmio.phys_addr, 0x2000ff8u);
        g.run_to_done();
        uint64_t v;
        std::memcpy(&v, g.ram + 0x500000, 8);
        EXPECT_EQ(v, 0x5555555555555555ull);
    }
}

// VSX (Book I 7.6) through MMIO: lxvd2x/stxvd2x XT,0,RB (X-form, TX in bit 31) and lxvp/stxvp (DQ-form).
constexpr uint32_t xform(uint32_t xo, uint32_t t, uint32_t rb) { return 31u << 26 | (t & 31) << 21 | rb << 11 | xo << 1 | t >> 5; }
constexpr uint32_t lxvd2x(uint32_t xt, uint32_t rb) { return xform(844, xt, rb); }
constexpr uint32_t stxvd2x(uint32_t xs, uint32_t rb) { return xform(972, xs, rb); }
constexpr uint32_t lxvp(uint32_t xtp, uint32_t ra) { return 6u << 26 | (xtp & 31) << 21 | ra << 16; }   // DQ=0
constexpr uint64_t kVsxMsr = kMsr | phv::msr::VSX | phv::msr::VEC;

struct VsxGuest : FpGuest {
    VsxGuest() { set_reg(PHV_REG_PPC_MSR, kVsxMsr); }
    std::array<uint64_t, 2> &vsr(unsigned n) { return reinterpret_cast<phv::Vcpu *>(vcpu)->state().vsr[n]; }
    uint64_t written() {
        uint64_t v;
        std::memcpy(&v, run_data->mmio.data, 8);
        return v;
    }
};

TEST(VsxMmio, Lxvd2xIsOneExitPerDoubleword) {
    VsxGuest g;
    g.load(with_done({addis(4, 0, 0x7100), lxvd2x(33, 4)}));
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000000u);
    EXPECT_EQ(g.run_data->mmio.len, 8u);
    EXPECT_EQ(g.run_data->mmio.is_write, 0);
    g.serve_load(0x1111111122222222ull);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000008u);
    EXPECT_EQ(g.vsr(33)[0], 0u);   // not written before the last piece is served
    g.serve_load(0x3333333344444444ull);
    g.run_to_done();
    EXPECT_EQ(g.vsr(33)[0], 0x1111111122222222ull);   // doubleword 0 from EA in either byte order
    EXPECT_EQ(g.vsr(33)[1], 0x3333333344444444ull);
}

TEST(VsxMmio, Stxvd2xAndLxvpPieces) {
    VsxGuest g;
    g.vsr(2) = {0xaaaaaaaabbbbbbbbull, 0xccccccccddddddddull};
    g.load(with_done({addis(4, 0, 0x7100), stxvd2x(2, 4), lxvp(6, 4)}));
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.is_write, 1);
    EXPECT_EQ(g.written(), 0xaaaaaaaabbbbbbbbull);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000008u);
    EXPECT_EQ(g.written(), 0xccccccccddddddddull);
    // lxvp: 32 bytes, four exits, then the pair (little-endian: VSR 7 gets the quadword at EA).
    for (unsigned i = 0; i < 4; ++i) {
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO)) << i;
        EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000000u + 8 * i);
        EXPECT_EQ(g.run_data->mmio.is_write, 0);
        g.serve_load(0x0101010101010101ull * (i + 1));
    }
    g.run_to_done();
    EXPECT_EQ(g.vsr(7)[0], 0x0202020202020202ull);
    EXPECT_EQ(g.vsr(7)[1], 0x0101010101010101ull);
    EXPECT_EQ(g.vsr(6)[0], 0x0404040404040404ull);
    EXPECT_EQ(g.vsr(6)[1], 0x0303030303030303ull);
}

// The quadword straddles RAM's end: the doubleword in RAM is read directly, only the other one exits.
TEST(VsxMmio, StraddlingRamAndMmio) {
    constexpr uint64_t kEnd = GuestCode::kRamSize;
    VsxGuest g;
    const uint64_t ram_dw = 0x5555555566666666ull;
    std::memcpy(g.ram + kEnd - 8, &ram_dw, 8);
    g.set_gpr(4, kEnd - 8);
    g.load(with_done({lxvd2x(1, 4)}));
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));
    EXPECT_EQ(g.run_data->mmio.phys_addr, kEnd);
    g.serve_load(0x7777777788888888ull);
    g.run_to_done();
    EXPECT_EQ(g.vsr(1)[0], ram_dw);
    EXPECT_EQ(g.vsr(1)[1], 0x7777777788888888ull);
}

// Each exit's size follows KVM's emulate_loadstore: lxvw4x/stxvw4x in words (element size 4), the scalar forms
// one exit of their size, lxv (which KVM does not emulate) in doublewords.
constexpr uint32_t lxvw4x(uint32_t xt, uint32_t rb) { return xform(780, xt, rb); }
constexpr uint32_t stxvw4x(uint32_t xs, uint32_t rb) { return xform(908, xs, rb); }
constexpr uint32_t lxsiwzx(uint32_t xt, uint32_t rb) { return xform(12, xt, rb); }
constexpr uint32_t lxsibzx(uint32_t xt, uint32_t rb) { return xform(781, xt, rb); }
constexpr uint32_t lxv(uint32_t xt, uint32_t ra, uint32_t dq) {
    return 61u << 26 | (xt & 31) << 21 | ra << 16 | (dq & 0xfff) << 4 | (xt >> 5) << 3 | 1;
}

TEST(VsxMmio, WordFormsExitPerWordScalarsOnce) {
    VsxGuest g;
    g.vsr(3) = {0x0102030405060708ull, 0x090a0b0c0d0e0f10ull};
    g.load(with_done({addis(4, 0, 0x7100), lxvw4x(40, 4), stxvw4x(3, 4), lxsiwzx(5, 4), lxsibzx(6, 4), lxv(7, 4, 2)}));
    for (unsigned i = 0; i < 4; ++i) {   // lxvw4x: word element i from EA + 4i
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO)) << i;
        EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000000u + 4 * i);
        EXPECT_EQ(g.run_data->mmio.len, 4u);
        EXPECT_EQ(g.run_data->mmio.is_write, 0);
        g.serve_load(0x11111111ull * (i + 1));
    }
    for (unsigned i = 0; i < 4; ++i) {   // stxvw4x: word element i to EA + 4i
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO)) << i;
        EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000000u + 4 * i);
        EXPECT_EQ(g.run_data->mmio.len, 4u);
        EXPECT_EQ(g.run_data->mmio.is_write, 1);
        EXPECT_EQ(uint32_t(g.written()), (std::array<uint32_t, 4>{0x01020304, 0x05060708, 0x090a0b0c, 0x0d0e0f10}[i]));
    }
    EXPECT_EQ(g.vsr(40)[0], 0x1111111122222222ull);
    EXPECT_EQ(g.vsr(40)[1], 0x3333333344444444ull);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));   // lxsiwzx: one word
    EXPECT_EQ(g.run_data->mmio.len, 4u);
    g.serve_load(0x89abcdefull);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));   // lxsibzx: one byte
    EXPECT_EQ(g.run_data->mmio.len, 1u);
    g.serve_load(0xa5);
    for (unsigned i = 0; i < 2; ++i) {   // lxv 7,32(4): two doublewords
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO)) << i;
        EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000020u + 8 * i);
        EXPECT_EQ(g.run_data->mmio.len, 8u);
        g.serve_load(0x0101010101010101ull * (i + 1));
    }
    g.run_to_done();
    EXPECT_EQ(g.vsr(5)[0], 0x89abcdefull);
    EXPECT_EQ(g.vsr(6)[0], 0xa5u);
    EXPECT_EQ(g.vsr(7)[0], 0x0202020202020202ull);   // little-endian: the quadword reversed
    EXPECT_EQ(g.vsr(7)[1], 0x0101010101010101ull);
}

// VMX (Book I 6.7): lvx/stvx as two doublewords at the aligned EA, the element forms one exit of their size
// (KVM: mmio_vmx_copy_nums 2 of 8 bytes, or 1 of the element's size).
constexpr uint32_t vx_x(uint32_t xo, uint32_t vrt, uint32_t rb) { return 31u << 26 | vrt << 21 | rb << 11 | xo << 1; }

TEST(VmxMmio, LvxStvxAndElementForms) {
    VsxGuest g;
    g.vsr(32 + 2) = {0xaaaaaaaabbbbbbbbull, 0xccccccccddddddddull};
    g.load(with_done({addis(4, 0, 0x7100), addi(4, 4, 0x17), vx_x(103, 1, 4) /* lvx */, vx_x(231, 2, 4) /* stvx */,
                      vx_x(71, 3, 4) /* lvewx */, vx_x(135, 2, 4) /* stvebx */}));
    for (unsigned i = 0; i < 2; ++i) {
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO)) << i;
        EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000010u + 8 * i);   // EA & ~15
        EXPECT_EQ(g.run_data->mmio.len, 8u);
        EXPECT_EQ(g.run_data->mmio.is_write, 0);
        g.serve_load(0x0101010101010101ull * (i + 1));
    }
    for (unsigned i = 0; i < 2; ++i) {
        ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO)) << i;
        EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000010u + 8 * i);
        EXPECT_EQ(g.run_data->mmio.is_write, 1);
        EXPECT_EQ(g.written(), i ? 0xaaaaaaaabbbbbbbbull : 0xccccccccddddddddull);   // LE: doubleword 1 first
    }
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));   // lvewx: the word at EA & ~3 = 0x71000014
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000014u);
    EXPECT_EQ(g.run_data->mmio.len, 4u);
    g.serve_load(0x12345678u);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_MMIO));   // stvebx: the byte at EA
    EXPECT_EQ(g.run_data->mmio.phys_addr, 0x71000017u);
    EXPECT_EQ(g.run_data->mmio.len, 1u);
    EXPECT_EQ(g.run_data->mmio.is_write, 1);
    EXPECT_EQ(g.run_data->mmio.data[0], 0xccu);   // LE: byte 7 from the right, the top byte of doubleword 1
    g.run_to_done();
    EXPECT_EQ(g.vsr(32 + 1)[0], 0x0202020202020202ull);
    EXPECT_EQ(g.vsr(32 + 1)[1], 0x0101010101010101ull);
    EXPECT_EQ(g.vsr(32 + 3)[1] >> 32, 0x12345678u);   // LE: byte offset 4 from the right
}

} // namespace
