// nestedv1 (nested/v1.cpp): H_SET_PARTITION_TABLE, H_ENTER_NESTED with hv_guest_state/pt_regs in the L1's
// byte order, H_TLB_INVALIDATE and H_COPY_TOFROM_GUEST, made by the test's guest as an L1.
#include <gtest/gtest.h>

#include <cstring>

#include "guest_code.h"
#include "nested_l1.h"
#include "nested/gsb.h"
#include "nested/l0.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;
using namespace phv::nested;
using namespace phv::test::nested_l1;

constexpr uint64_t kRoot = 0x100000, kDir1 = 0x110000, kDir2 = 0x111000, kPatb = 0x180000;
constexpr uint64_t kHv = 0x200000, kRegs = 0x201000, kL2Base = 0x400000, kL2Code = 0x1000;
constexpr uint64_t kPateRadix52 = (1ull << 63) | (1ull << 62) | (5ull << 5) | 13;   // HR, RTS for 52 bits, RPDS 13
constexpr int64_t kNotFound = -7;

constexpr uint32_t li(uint32_t rt, int32_t v) { return addi(rt, 0, v); }
constexpr uint32_t lmw(uint32_t rt, uint32_t ra, int32_t d) { return D(46, rt, ra, d); }

constexpr auto &stat = nested_l1::vcpu_stat;

struct V1 : GuestCode {
    V1() {
        EXPECT_EQ(phv_vm_enable_nested(vm, PHV_NESTED_V1), 0);
        be64(kRoot, kV | kDir1 | 9);
        be64(kDir1, kV | kDir2 | 9);
        be64(kDir2, kV | kL | kL2Base | kRwx);    // L2 real 0..2M -> L1 0x400000
        be64(kPatb + 16, kPateRadix52 | kRoot);   // lpid 1
        // hv_guest_state v2 and pt_regs (little-endian, as this L1 is): L2 at kL2Code, real mode, LE.
        le64(kHv + 0x00, 2);
        le32(kHv + 0x08, 1);
        le64(kHv + 0x10, 1ull << 25);   // LPCR[ILE]
        le64(kHv + 0x20, ~0ull);        // AMOR: the L2 may set all of AMR
        le64(kHv + 0x30, ~0ull);        // HFSCR
        le64(kHv + 0x58, ~0ull);        // HDEC expiry: none
        le64(kRegs + 0x100, kL2Code);
        le64(kRegs + 0x108, (1ull << 63) | 1);
    }
    int64_t hc(uint64_t nr, std::initializer_list<uint64_t> args) { return nested_l1::hcall(*this, nr, args).r3; }
    void be64(uint64_t at, uint64_t v) { be_store(ram + at, 8, v); }
    void le64(uint64_t at, uint64_t v) { std::memcpy(ram + at, &v, 8); }
    void le32(uint64_t at, uint32_t v) { std::memcpy(ram + at, &v, 4); }
    uint64_t le64(uint64_t at) {
        uint64_t v;
        std::memcpy(&v, ram + at, 8);
        return v;
    }
    uint64_t l2_gpr(unsigned n) { return le64(kRegs + 8 * n); }
    void l2_code(std::initializer_list<uint32_t> words, uint64_t ra = kL2Code) {
        std::memcpy(ram + kL2Base + ra, std::vector<uint32_t>(words).data(), words.size() * 4);
        reinterpret_cast<phv::Vcpu *>(vcpu)->request_code_invalidate(kL2Base + ra);
    }
    int64_t enter() { return hc(hcall::kEnterNested, {kHv, kRegs}); }
};

TEST(NestedV1, EnableIsExclusive) {
    V1 g;
    EXPECT_EQ(g.hc(hcall::kGuestGetCapabilities, {0}), hret::kFunction);   // v2 is off
    EXPECT_EQ(phv_vm_enable_nested(g.vm, PHV_NESTED_V2), 0);
    EXPECT_EQ(g.hc(hcall::kSetPartitionTable, {kPatb}), hret::kFunction);
}

TEST(NestedV1, EntryChecks) {
    V1 g;
    EXPECT_EQ(g.enter(), hret::kNotAvailable);   // no partition table yet
    EXPECT_EQ(g.hc(hcall::kSetPartitionTable, {kPatb | 9}), hret::kParameter);   // 2^21 bytes: > 4096 entries
    EXPECT_EQ(g.hc(hcall::kSetPartitionTable, {(64ull << 20) | 0}), hret::kParameter);   // not L1 RAM
    ASSERT_EQ(g.hc(hcall::kSetPartitionTable, {kPatb}), 0);
    g.le64(kHv, 3);
    EXPECT_EQ(g.enter(), hret::kP2);
    g.le64(kHv, 0);
    EXPECT_EQ(g.enter(), hret::kParameter);
    g.le64(kHv, 2);
    g.le32(kHv + 8, 0);
    EXPECT_EQ(g.enter(), hret::kParameter);   // lpid 0 is the L1's own
    g.le32(kHv + 8, 256);
    EXPECT_EQ(g.enter(), hret::kParameter);   // past the 256 entries of a 4K table
    g.le32(kHv + 8, 2);
    EXPECT_EQ(g.enter(), hret::kParameter);   // an empty (hash) entry
    g.le32(kHv + 8, 1);
    g.le32(kHv + 0xc, 4096);
    EXPECT_EQ(g.enter(), hret::kParameter);   // vcpu token
    g.le32(kHv + 0xc, 0);
    EXPECT_EQ(g.hc(hcall::kEnterNested, {kHv, 1ull << 40}), hret::kParameter);
}

TEST(NestedV1, RunsAndHandsStateBack) {
    V1 g;
    ASSERT_EQ(g.hc(hcall::kSetPartitionTable, {kPatb}), 0);
    g.l2_code({addi(4, 4, 1), li(3, 0x4242), sc(1), b(-12)});
    for (uint64_t n = 1; n <= 3; ++n) {
        ASSERT_EQ(g.enter(), 0xc00);
        EXPECT_EQ(g.l2_gpr(3), 0x4242u);
        EXPECT_EQ(g.l2_gpr(4), n);
        EXPECT_EQ(g.le64(kRegs + 0x100), kL2Code + 12);
    }
    EXPECT_EQ(g.gpr(20), 0xc00u);   // the L1's own registers: r20 holds what the hcall returned
    // Registers outside the structures are shared: the L2 sees the L1's AMR and leaves its own.
    g.set_reg(PHV_REG_PPC_AMR, 0x1234);
    g.le64(kRegs + 0x100, 0x2000);
    g.le64(kRegs + 6 * 8, 0x5678);
    g.l2_code({mfspr(5, 29), mtspr(29, 6), sc(1)}, 0x2000);
    ASSERT_EQ(g.enter(), 0xc00);
    EXPECT_EQ(g.l2_gpr(5), 0x1234u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_AMR), 0x5678u);
    // A partition-scoped fault: HDSI with HDAR/HDSISR/ASDR in hv_guest_state.
    g.le64(kRegs + 0x100, 0x3000);
    g.l2_code({addis(5, 0, 0x80), ld(6, 5, 8), sc(1)}, 0x3000);
    ASSERT_EQ(g.enter(), 0xe00);
    EXPECT_EQ(g.le64(kHv + 0x80), 0x800008u);
    EXPECT_EQ(g.le64(kHv + 0x88), 0x40000000u);
    EXPECT_EQ(g.le64(kHv + 0x98), 0x800008u);
    EXPECT_EQ(g.le64(kRegs + 0x100), 0x3004u);
    // HDEC in the past; an unspecified end (the L1's interrupt line) is reported as HDEC too (a Linux L1 resumes
    // from that; it has no case for H_INTERRUPT).
    g.le64(kHv + 0x58, 1);
    g.le64(kRegs + 0x100, 0x4000);
    g.l2_code({b(0)}, 0x4000);
    EXPECT_EQ(g.enter(), 0x980);
    g.le64(kHv + 0x58, ~0ull);
    phv_interrupt(g.vcpu, PHV_INTERRUPT_SET);
    EXPECT_EQ(g.enter(), 0x980);
    phv_interrupt(g.vcpu, PHV_INTERRUPT_UNSET);
}

// A partition-scoped fault ends the L2's run inside the access, so the instruction that faulted must not
// write a register after it: by then the registers are the L1's. An L2's lmw whose second word faults
// wrote that word's 0 into the L1's GPR (found by fuzz-nested-v1: the L1's r9 after H_ENTER_NESTED).
TEST(NestedV1, FaultingLoadMultipleLeavesTheL1sRegisters) {
    V1 g;
    ASSERT_EQ(g.hc(hcall::kSetPartitionTable, {kPatb}), 0);
    // lmw exists only in big-endian mode: a big-endian L2, its code in its byte order.
    g.le64(kHv + 0x10, 0);
    g.le64(kRegs + 0x108, 1ull << 63);
    g.le64(kRegs + 8 * 10, 0xaa);
    // r5 = 2M, the end of what the partition-scoped tree maps: the word at 2M - 4 loads, the next faults.
    g.l2_code({__builtin_bswap32(addis(5, 0, 0x20)), __builtin_bswap32(lmw(9, 5, -4)), __builtin_bswap32(sc(1))});
    const auto r = nested_l1::hcall(g, hcall::kEnterNested, {kHv, kRegs, 0, 0, 0, 0x1111, 0x2222, 0x3333});
    ASSERT_EQ(r.r3, 0xe00);
    EXPECT_EQ(g.le64(kHv + 0x80), 0x200000u);          // HDAR: the second word
    EXPECT_EQ(g.le64(kRegs + 0x100), kL2Code + 4);     // the L2 resumes at its lmw
    EXPECT_EQ(g.l2_gpr(10), 0xaau);                    // the faulting word's register as it was
    EXPECT_EQ(g.gpr(9), 0x1111u);
    EXPECT_EQ(g.gpr(10), 0x2222u);
    EXPECT_EQ(g.gpr(11), 0x3333u);
}

// PURR, SPURR and VTB in hv_guest_state are the counters: the L2 reads what the L1 gave, advanced by its run
// time only, and the exit hands back the counter, not the core's offset from the timebase.
TEST(NestedV1, PurrIsTheL2sCounter) {
    V1 g;
    ASSERT_EQ(g.hc(hcall::kSetPartitionTable, {kPatb}), 0);
    constexpr uint64_t kStart = 1000000000000ull, kSecond = 512000000ull;
    g.le64(kHv + 0x60, kStart);        // PURR
    g.le64(kHv + 0x68, 2 * kStart);    // SPURR
    g.le64(kHv + 0x78, 3 * kStart);    // VTB
    g.l2_code({mfspr(5, 309), mfspr(6, 308), mfspr(7, 849), sc(1)});
    ASSERT_EQ(g.enter(), 0xc00);
    EXPECT_GE(g.l2_gpr(5), kStart);
    EXPECT_LT(g.l2_gpr(5), kStart + kSecond);
    EXPECT_GE(g.l2_gpr(6), 2 * kStart);
    EXPECT_LT(g.l2_gpr(6), 2 * kStart + kSecond);
    EXPECT_GE(g.le64(kHv + 0x60), g.l2_gpr(5));
    EXPECT_LT(g.le64(kHv + 0x60), kStart + kSecond);
    EXPECT_GE(g.le64(kHv + 0x68), g.l2_gpr(6));
    EXPECT_LT(g.le64(kHv + 0x68), 2 * kStart + kSecond);
    EXPECT_GE(g.l2_gpr(7), 3 * kStart);
    EXPECT_LT(g.l2_gpr(7), 3 * kStart + kSecond);
    EXPECT_GE(g.le64(kHv + 0x78), g.l2_gpr(7));
    EXPECT_LT(g.le64(kHv + 0x78), 3 * kStart + kSecond);
}

TEST(NestedV1, TlbInvalidateAndCopy) {
    V1 g;
    ASSERT_EQ(g.hc(hcall::kSetPartitionTable, {kPatb}), 0);
    // The RIC/PRS/R fields as Linux passes them (H_TLBIE_P1_ENC), IS in RB: what KVM's L0 accepts.
    constexpr uint64_t kR = 1 << 16, kPrs = 1 << 17, kIsLpid = 2 << 10;
    EXPECT_EQ(g.hc(hcall::kTlbInvalidate, {2 << 18 | kR, 1, kIsLpid}), 0);         // all of LPID 1 (kvmhv_flush_lpid)
    EXPECT_EQ(g.hc(hcall::kTlbInvalidate, {0x7c000264 | kR, 1, 0}), 0);            // the whole tlbie word: one page
    EXPECT_EQ(g.hc(hcall::kTlbInvalidate, {0x7c000264, 0, 0}), hret::kParameter);   // R=0: not radix
    EXPECT_EQ(g.hc(hcall::kTlbInvalidate, {kR | kPrs, 1, kIsLpid}), hret::kParameter);
    EXPECT_EQ(g.hc(hcall::kTlbInvalidate, {3 << 18 | kR, 1, kIsLpid}), hret::kParameter);
    EXPECT_EQ(g.hc(hcall::kTlbInvalidate, {kR, 1, 1 << 10}), hret::kParameter);      // IS=1
    EXPECT_EQ(g.hc(hcall::kTlbInvalidate, {2 << 18 | kR, 1, 0}), hret::kParameter);  // IS=0 with RIC=2
    // The L2's process table (L2 real 0x10000) maps EA 0..2M of every PID's quadrant 0 to L2 real 0.
    auto l2be = [&](uint64_t ra, uint64_t v) { g.be64(kL2Base + ra, v); };
    for (unsigned pid = 0; pid < 4; ++pid)
        l2be(0x10000 + 16 * pid, (1ull << 62) | (5ull << 5) | 0x20000 | 13);
    l2be(0x20000, kV | 0x30000 | 9);
    l2be(0x30000, kV | 0x31000 | 9);
    l2be(0x31000, kV | kL | 0 | (1ull << 8) | (1ull << 7) | kRwx);
    g.be64(kPatb + 16 + 8, 0x10000);   // PATE dw1: process table at L2 real 0x10000, 4K
    std::memcpy(g.ram + kL2Base + 0x100, "0123456789abcdef", 16);
    EXPECT_EQ(g.hc(hcall::kCopyToFromGuest, {1, 3, 0x100, 0x250000, 0, 16}), 0);
    EXPECT_EQ(std::memcmp(g.ram + 0x250000, "0123456789abcdef", 16), 0);
    std::memcpy(g.ram + 0x260000, "ABCDEFGH", 8);
    EXPECT_EQ(g.hc(hcall::kCopyToFromGuest, {1, 3, 0x1ffc, 0, 0x260000, 8}), 0);   // across a page
    EXPECT_EQ(std::memcmp(g.ram + kL2Base + 0x1ffc, "ABCDEFGH", 8), 0);
    // An L1 buffer that is the L2's own page, overlapping the bytes copied: a move, in either direction.
    std::memcpy(g.ram + kL2Base + 0x500, "0123456789abcdef", 16);
    EXPECT_EQ(g.hc(hcall::kCopyToFromGuest, {1, 3, 0x504, 0, kL2Base + 0x500, 12}), 0);
    EXPECT_EQ(std::memcmp(g.ram + kL2Base + 0x500, "01230123456789ab", 16), 0);
    EXPECT_EQ(g.hc(hcall::kCopyToFromGuest, {1, 3, 0x504, kL2Base + 0x500, 0, 12}), 0);
    EXPECT_EQ(std::memcmp(g.ram + kL2Base + 0x500, "0123456789ab89ab", 16), 0);
    EXPECT_EQ(g.hc(hcall::kCopyToFromGuest, {1, 3, 0x100, 0x250000, 0x260000, 8}), hret::kParameter);
    EXPECT_EQ(g.hc(hcall::kCopyToFromGuest, {1, 3, 1ull << 60, 0x250000, 0, 8}), hret::kParameter);
    EXPECT_EQ(g.hc(hcall::kCopyToFromGuest, {5, 3, 0x100, 0x250000, 0, 8}), hret::kParameter);
    EXPECT_EQ(g.hc(hcall::kCopyToFromGuest, {1, 3, 0x400000, 0x250000, 0, 8}), kNotFound);
}

// phv_vm_get_nested under nestedv1: an LPID and the vcpu_tokens run under it, with their counters, until
// the L1 retires the LPID (its entry cleared, then the whole LPID flushed) or sets another table.
TEST(NestedV1, SnapshotListsLpidsAndTokens) {
    V1 g;
    ASSERT_EQ(g.hc(hcall::kSetPartitionTable, {kPatb}), 0);
    g.l2_code({addi(4, 4, 1), sc(1), b(-8)});
    phv_nested_guest gs[2] = {};
    phv_nested_vcpu vs[3] = {};
    auto snap = [&] {
        phv_nested_info info{2, 3, gs, vs};
        EXPECT_EQ(phv_vm_get_nested(g.vm, &info), 0);
        return info;
    };
    EXPECT_EQ(snap().nr_guests, 0u);
    for (int i = 0; i < 2; ++i)
        ASSERT_EQ(g.enter(), 0xc00);
    g.le32(kHv + 0xc, 3);   // vcpu_token 3
    ASSERT_EQ(g.enter(), 0xc00);
    phv_nested_info info = snap();
    ASSERT_EQ(info.nr_guests, 1u);
    ASSERT_EQ(info.nr_vcpus, 2u);
    EXPECT_EQ(gs[0].id, 1u);
    EXPECT_EQ(gs[0].api, PHV_NESTED_V1);
    EXPECT_EQ(gs[0].nr_vcpus, 2u);
    EXPECT_EQ(vs[0].vcpu_id, 0u);
    EXPECT_EQ(vs[0].runs, 2u);
    EXPECT_EQ(vs[0].exits[PHV_NESTED_EXIT_HCALL], 2u);
    EXPECT_EQ(vs[0].state, PHV_NESTED_VCPU_IDLE);
    EXPECT_EQ(vs[1].vcpu_id, 3u);
    EXPECT_EQ(vs[1].runs, 1u);
    EXPECT_EQ(vs[0].l2_runtime_tb + vs[1].l2_runtime_tb, stat(g.vcpu, "nested_l2_runtime_tb"));
    EXPECT_EQ(vs[0].l1_to_l2_tb + vs[1].l1_to_l2_tb, stat(g.vcpu, "nested_l1_to_l2_tb"));
    EXPECT_EQ(vs[0].l2_to_l1_tb + vs[1].l2_to_l1_tb, stat(g.vcpu, "nested_l2_to_l1_tb"));

    // Flushing the LPID while its entry is still a radix one keeps it (the L1 only changed its tree).
    constexpr uint64_t kR = 1 << 16, kIsLpid = 2 << 10;
    ASSERT_EQ(g.hc(hcall::kTlbInvalidate, {2 << 18 | kR, 1, kIsLpid}), 0);
    EXPECT_EQ(snap().nr_guests, 1u);
    // kvmhv_set_ptbl_entry(lpid, 0, 0) then kvmhv_flush_lpid: gone, by H_TLB_INVALIDATE ...
    g.be64(kPatb + 16, 0);
    ASSERT_EQ(g.hc(hcall::kTlbInvalidate, {2 << 18 | kR, 1, kIsLpid}), 0);
    EXPECT_EQ(snap().nr_guests, 0u);
    // ... or by H_RPT_INVALIDATE(lpid, CMMU, NESTED|TLB|PWC|PAT, all pages, 0, -1).
    g.be64(kPatb + 16, kPateRadix52 | kRoot);
    ASSERT_EQ(g.enter(), 0xc00);
    EXPECT_EQ(snap().nr_guests, 1u);
    ASSERT_EQ(g.hc(0x448, {1, 3, 0xf, ~0ull, 0, ~0ull}), 0);
    EXPECT_EQ(snap().nr_guests, 1u);
    g.be64(kPatb + 16, 0);
    ASSERT_EQ(g.hc(0x448, {1, 3, 0xf, ~0ull, 0, ~0ull}), 0);
    EXPECT_EQ(snap().nr_guests, 0u);
    // A new partition table forgets every L2.
    g.be64(kPatb + 16, kPateRadix52 | kRoot);
    ASSERT_EQ(g.enter(), 0xc00);
    EXPECT_EQ(snap().nr_guests, 1u);
    ASSERT_EQ(g.hc(hcall::kSetPartitionTable, {kPatb}), 0);
    EXPECT_EQ(snap().nr_guests, 0u);
}

} // namespace
