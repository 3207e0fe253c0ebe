// H_GUEST_RUN_VCPU (nested/run.cpp): an L1 (the test's guest) runs an L2 inside the core. The L2's memory
// is L1 memory reached through a partition-scoped radix tree the L1 built; every exit comes back to the
// L1 with its vector in R4 and its elements in the output buffer.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

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

using Ret = nested_l1::HcallRet;

// L1 memory layout.
constexpr uint64_t kRoot = 0x100000, kDir1 = 0x110000, kDir2 = 0x111000;   // partition-scoped tree
constexpr uint64_t kBuf = 0x200000, kRunIn = 0x300000, kRunOut = 0x301000, kVpa = 0x320000;
constexpr uint64_t kL2Base = 0x400000;   // L2 real 0..4M is L1 0x400000..0x7fffff (two 2M pages)
constexpr uint64_t kL2Code = 0x1000;     // L2 real address of its code


constexpr uint32_t li(uint32_t rt, int32_t v) { return addi(rt, 0, v); }
constexpr uint32_t kBctr = 0x4e800420;
constexpr uint32_t kIllegalWord = 0x00001234;

constexpr auto &stat = nested_l1::vcpu_stat;

struct Nested : GuestCode {
    Nested() {
        EXPECT_EQ(phv_vm_enable_nested(vm, PHV_NESTED_V2), 0);
        EXPECT_EQ(hc(hcall::kGuestSetCapabilities, {0, cap::kPower10}).r3, 0);
        EXPECT_EQ(hc(hcall::kGuestCreate, {0, ~0ull}).r4, 1u);
        EXPECT_EQ(hc(hcall::kGuestCreateVcpu, {0, 1, 0}).r3, 0);
        // The partition-scoped tree: root entry 0 -> dir1, dir1 entry 0 -> dir2, dir2 entries 0/1 = 2M leaves.
        pde(kRoot, 0, kDir1);
        pde(kDir1, 0, kDir2);
        leaf(0, kL2Base);
        leaf(1, kL2Base + 0x200000);
    }
    // Makes hcall nr as the L1 and returns R3/R4 after it.
    Ret hc(uint64_t nr, std::initializer_list<uint64_t> args) { return nested_l1::hcall(*this, nr, args); }
    void be64(uint64_t at, uint64_t v) { be_store(ram + at, 8, v); }
    uint64_t be64(uint64_t at) { return be_load(ram + at, 8); }
    void pde(uint64_t dir, unsigned index, uint64_t next, unsigned nls = 9) { be64(dir + 8 * index, kV | next | nls); }
    void leaf(unsigned index, uint64_t l1_addr, uint64_t bits = kRwx) { be64(kDir2 + 8 * index, kV | kL | l1_addr | bits); }
    int64_t set(uint64_t flags, const GsbWriter &w) {
        std::memcpy(ram + kBuf, w.bytes().data(), w.bytes().size());
        return hc(hcall::kGuestSetState, {flags, 1, 0, kBuf, w.bytes().size()}).r3;
    }
    uint64_t get(uint16_t id, unsigned len = 8) {
        GsbWriter w;
        w.put_be(id, len, 0);
        std::memcpy(ram + kBuf, w.bytes().data(), w.bytes().size());
        EXPECT_EQ(hc(hcall::kGuestGetState, {0, 1, 0, kBuf, w.bytes().size()}).r3, 0);
        return be_load(ram + kBuf + 8, len);
    }
    // Partition table, empty run input buffer, output buffer, and the L2 at kL2Code in real mode.
    void ready(uint64_t msr = kSF | kLE, uint64_t hdec = ~0ull) {
        GsbWriter wide;
        wide.put_triple(gsid::kPartitionTable, kRoot, 52, 0x10000);
        ASSERT_EQ(set(1ull << 63, wide), 0);
        GsbWriter w;
        w.put_pair(gsid::kRunInput, kRunIn, 0x1000).put_pair(gsid::kRunOutput, kRunOut, 0x1000);
        w.put_be(gsid::kNia, 8, kL2Code).put_be(gsid::kMsr, 8, msr).put_be(gsid::kHdecExpiryTb, 8, hdec);
        w.put_be(gsid::kLpcr, 8, 1ull << 25);   // ILE: the L2 takes its interrupts little-endian
        ASSERT_EQ(set(0, w), 0);
        be_store(ram + kRunIn, 4, 0);
    }
    // L2 code at L2 real address ra.
    void l2_code(std::initializer_list<uint32_t> words, uint64_t ra = kL2Code) {
        std::memcpy(ram + kL2Base + ra, std::vector<uint32_t>(words).data(), words.size() * 4);
        reinterpret_cast<phv::Vcpu *>(vcpu)->request_code_invalidate(kL2Base + ra);
    }
    Ret run(uint64_t flags = 0) { return hc(hcall::kGuestRunVcpu, {flags, 1, 0}); }
    // An element of the last output buffer (0 and a failure if absent).
    uint64_t out(uint16_t id) {
        std::vector<Element> els;
        std::span<const uint8_t> b(ram + kRunOut, 0x1000);
        EXPECT_TRUE(parse_gsb(b, Use::Get, Scope::Vcpu, els).ok());
        for (const Element &e : els)
            if (e.id == id)
                return be_load(ram + kRunOut + e.offset + 4, e.len);
        ADD_FAILURE() << "no element " << std::hex << id << " in the output buffer";
        return 0;
    }
};

TEST(NestedRun, Errors) {
    Nested g;
    EXPECT_EQ(g.run(1).r3, hret::kParameter);   // reserved flag bit 63
    EXPECT_EQ(g.hc(hcall::kGuestRunVcpu, {0, 2, 0}).r3, hret::kP2);
    EXPECT_EQ(g.hc(hcall::kGuestRunVcpu, {0, 1, 1}).r3, hret::kP3);
    EXPECT_EQ(g.run().r3, hret::kPartitionPageTableNotDefined);
    GsbWriter wide;
    wide.put_triple(gsid::kPartitionTable, kRoot, 52, 0x10000);
    ASSERT_EQ(g.set(1ull << 63, wide), 0);
    EXPECT_EQ(g.run().r3, hret::kInputBufferNotDefined);
    GsbWriter in;
    in.put_pair(gsid::kRunInput, kRunIn, 0x100);
    ASSERT_EQ(g.set(0, in), 0);
    EXPECT_EQ(g.run().r3, hret::kOutputBufferNotDefined);
    GsbWriter out;
    out.put_pair(gsid::kRunOutput, kRunOut, 0x100);
    ASSERT_EQ(g.set(0, out), 0);
    // Input buffer errors: R4 is the failing element's byte offset in the input buffer.
    GsbWriter bad;
    bad.put_be(gsid::kGpr0, 8, 1).put_be(gsid::kTbOffset, 8, 0);   // guest-wide
    std::memcpy(g.ram + kRunIn, bad.bytes().data(), bad.bytes().size());
    Ret r = g.run();
    EXPECT_EQ(r.r3, hret::kInvalidElementId);
    EXPECT_EQ(r.r4, 16u);
    GsbWriter moves;
    moves.put_pair(gsid::kRunOutput, 0x302000, 0x1000);
    std::memcpy(g.ram + kRunIn, moves.bytes().data(), moves.bytes().size());
    r = g.run();
    EXPECT_EQ(r.r3, hret::kInvalidElementId);
    EXPECT_EQ(r.r4, 4u);
    GsbWriter msr;
    msr.put_be(gsid::kMsr, 8, 1ull << 60);
    std::memcpy(g.ram + kRunIn, msr.bytes().data(), msr.bytes().size());
    EXPECT_EQ(g.run().r3, hret::kInvalidElementValue);
    be_store(g.ram + kRunIn, 4, 200);   // 200 elements do not fit 0x100 bytes
    EXPECT_EQ(g.run().r3, hret::kInputBufferTooSmall);
    // Buffers outside the L1's memory.
    GsbWriter far;
    far.put_pair(gsid::kRunInput, 1ull << 40, 0x100);
    ASSERT_EQ(g.set(0, far), 0);
    EXPECT_EQ(g.run().r3, hret::kInputBufferNotDefined);
    EXPECT_EQ(stat(g.vcpu, "nested_entries"), 0u);
}

// PURR set through the guest state buffer is the counter the L2 reads (plus its run time) and what GET
// returns after the run, not the core's offset from the timebase.
TEST(NestedRun, PurrIsTheL2sCounter) {
    Nested g;
    g.ready();
    constexpr uint64_t kStart = 1000000000000ull, kSecond = 512000000ull;
    GsbWriter w;
    w.put_be(gsid::kPurr, 8, kStart);
    ASSERT_EQ(g.set(0, w), 0);
    EXPECT_EQ(g.get(gsid::kPurr), kStart);
    g.l2_code({mfspr(5, 309), sc(1)});
    ASSERT_EQ(g.run().r4, 0xc00u);
    EXPECT_GE(g.out(gsid::kGpr0 + 5), kStart);
    EXPECT_LT(g.out(gsid::kGpr0 + 5), kStart + kSecond);
    const uint64_t after = g.get(gsid::kPurr);
    EXPECT_GE(after, g.out(gsid::kGpr0 + 5));
    EXPECT_LT(after, kStart + kSecond);
}

TEST(NestedRun, HcallExitsRoundTripState) {
    Nested g;
    g.ready();
    // Each run: r4 += 1, r3 = 0x1234, sc 1; the next run resumes after the sc and loops.
    g.l2_code({addi(4, 4, 1), li(3, 0x1234), sc(1), b(-12)});
    for (uint64_t n = 1; n <= 5; ++n) {
        const Ret r = g.run();
        ASSERT_EQ(r.r3, 0);
        EXPECT_EQ(r.r4, 0xc00u);
        EXPECT_EQ(g.out(gsid::kGpr0 + 3), 0x1234u);
        EXPECT_EQ(g.out(gsid::kGpr0 + 4), n);
        EXPECT_EQ(g.out(gsid::kNia), kL2Code + 12);
        EXPECT_EQ(g.out(gsid::kMsr) & (kSF | kLE | (1ull << 12)), kSF | kLE | (1ull << 12));   // ME forced on
    }
    EXPECT_EQ(stat(g.vcpu, "nested_entries"), 5u);
    EXPECT_EQ(stat(g.vcpu, "nested_exits"), 5u);
    EXPECT_EQ(g.get(gsid::kGpr0 + 4), 5u);
    // The input buffer sets state for the run it starts.
    GsbWriter in;
    in.put_be(gsid::kGpr0 + 4, 8, 100);
    std::memcpy(g.ram + kRunIn, in.bytes().data(), in.bytes().size());
    EXPECT_EQ(g.run().r4, 0xc00u);
    EXPECT_EQ(g.out(gsid::kGpr0 + 4), 101u);
    // The L1's own registers are its own again (r20/r21 hold what the hcall returned).
    EXPECT_EQ(g.gpr(20), 0u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_MSR) & kLE, kLE);
}

TEST(NestedRun, PartitionScopedFaultsAreHdsiAndHisi) {
    Nested g;
    g.ready();
    // L2 real 8M is not mapped by the L1: a load there is an HDSI with the EA, the cause and the L2 real
    // address; the L1 maps it and runs the L2 again, which redoes the load.
    g.l2_code({addis(5, 0, 0x80), ld(6, 5, 0x10), li(3, 7), sc(1)});
    Ret r = g.run();
    ASSERT_EQ(r.r3, 0);
    ASSERT_EQ(r.r4, 0xe00u);
    EXPECT_EQ(g.out(gsid::kHdar), 0x800010u);
    EXPECT_EQ(g.out(gsid::kHdsisr), 0x40000000u);
    EXPECT_EQ(g.out(gsid::kAsdr), 0x800010u);
    EXPECT_EQ(g.out(gsid::kNia), kL2Code + 4);
    g.be64(0xa00010, 0);
    std::memcpy(g.ram + 0xa00010, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);   // the L2 is little-endian
    g.leaf(4, 0xa00000);
    r = g.run();
    ASSERT_EQ(r.r4, 0xc00u);
    EXPECT_EQ(g.get(gsid::kGpr0 + 6), 0x1122334455667788u);
    // The walk set R in the partition-scoped leaf; C only comes with a store.
    EXPECT_EQ(g.be64(kDir2 + 8 * 4) & (kR | kC), kR);

    // A store to a page the L1 maps read-only: protection, with the store bit.
    g.leaf(5, 0xc00000, 4);   // EAA read only
    GsbWriter nia;
    nia.put_be(gsid::kNia, 8, 0x2000);
    ASSERT_EQ(g.set(0, nia), 0);
    g.l2_code({addis(5, 0, 0xa0), std_(6, 5, 8), li(3, 7), sc(1)}, 0x2000);
    r = g.run();
    ASSERT_EQ(r.r4, 0xe00u);
    EXPECT_EQ(g.out(gsid::kHdsisr), 0x08000000u | 0x02000000u);
    EXPECT_EQ(g.out(gsid::kHdar), 0xa00008u);

    // A branch to unmapped L2 real memory (14M): HISI, the cause as HSRR1 carries it (in MSR).
    ASSERT_EQ(g.set(0, [] { GsbWriter w; w.put_be(gsid::kNia, 8, 0x3000); return w; }()), 0);
    g.l2_code({addis(5, 0, 0xe0), mtspr(9, 5), kBctr}, 0x3000);
    r = g.run();
    ASSERT_EQ(r.r4, 0xe20u);
    EXPECT_EQ(g.out(gsid::kAsdr), 0xe00000u);
    EXPECT_EQ(g.out(gsid::kNia), 0xe00000u);
    EXPECT_EQ(g.out(gsid::kMsr) & 0x40000000u, 0x40000000u);
}

TEST(NestedRun, EmulationAssistAndHdec) {
    Nested g;
    g.ready();
    constexpr uint32_t kIllegal = 0x00001234;
    g.l2_code({li(3, 1), kIllegal});
    Ret r = g.run();
    ASSERT_EQ(r.r4, 0xe40u);
    EXPECT_EQ(g.out(gsid::kHeir), kIllegal);
    EXPECT_EQ(g.out(gsid::kNia), kL2Code + 4);
    // An HDEC expiry in the past: the L2 loops until the L0 looks at the time.
    GsbWriter w;
    w.put_be(gsid::kHdecExpiryTb, 8, 1).put_be(gsid::kNia, 8, 0x2000);
    ASSERT_EQ(g.set(0, w), 0);
    g.l2_code({b(0)}, 0x2000);
    r = g.run();
    EXPECT_EQ(r.r4, 0x980u);
    EXPECT_EQ(g.out(gsid::kNia), 0x2000u);
}

// The L2 with translation on: its process table and radix tree are in L2 real memory, reached through the
// partition-scoped tree; its TLB survives the switches.
TEST(NestedRun, ProcessScopedTranslation) {
    Nested g;
    // L2 real layout: process table 0x10000 (4K), root 0x20000 (64K), dir1 0x30000, dir2 0x31000.
    auto l2be = [&](uint64_t ra, uint64_t v) { g.be64(kL2Base + ra, v); };
    l2be(0x10000, (1ull << 62) | (5ull << 5) | 0x20000 | 13);   // PID 0: a 52-bit tree (RTS 21) at 0x20000
    l2be(0x20000, kV | 0x30000 | 9);
    l2be(0x30000, kV | 0x31000 | 9);
    l2be(0x31000, kV | kL | 0 | kR | kC | kRwx);                 // EA 0xc000...0-2M -> L2 real 0
    GsbWriter pt;
    pt.put_pair(gsid::kProcessTable, 0x10000, 0x1000);
    ASSERT_EQ(g.set(1ull << 63, pt), 0);
    g.ready(kSF | kLE | kIR | kDR);
    GsbWriter nia;
    nia.put_be(gsid::kNia, 8, 0xc000000000000000ull + kL2Code).put_be(gsid::kGpr0 + 5, 8, 0xc000000000000000ull);
    ASSERT_EQ(g.set(0, nia), 0);
    // A load through translation, then an exit.
    g.l2_code({ld(6, 5, 0x100), li(3, 1), sc(1)});
    g.be64(kL2Base + 0x100, 0x0102030405060708ull);
    Ret r = g.run();
    ASSERT_EQ(r.r4, 0xc00u);
    EXPECT_EQ(g.out(gsid::kNia), 0xc000000000000000ull + kL2Code + 12);
    EXPECT_EQ(__builtin_bswap64(g.get(gsid::kGpr0 + 6)), 0x0102030405060708ull);

    // The TLB is the L2's own and kept: a PTE cleared without an invalidation still translates on the
    // next run (as on hardware), and a new process table (a new set-up) drops it.
    auto *v = reinterpret_cast<phv::Vcpu *>(g.vcpu);
    EXPECT_EQ(v->mmu_.tlb, v->mmu_.l1_tlb.get());
    l2be(0x31000, 0);
    GsbWriter back;
    back.put_be(gsid::kNia, 8, 0xc000000000000000ull + kL2Code);
    ASSERT_EQ(g.set(0, back), 0);
    EXPECT_EQ(g.run().r4, 0xc00u);
    EXPECT_EQ(g.out(gsid::kGpr0 + 3), 1u);
    ASSERT_EQ(g.set(1ull << 63, pt), 0);   // same values, but a SET of the tables is a new set-up
    ASSERT_EQ(g.set(0, back), 0);
    // The fetch now has no translation: an ISI inside the L2 at its vector 0x400, where the test put an
    // hcall to see it.
    g.l2_code({li(3, 0x400), sc(1)}, 0x400);
    r = g.run();
    EXPECT_EQ(r.r4, 0xc00u);
    EXPECT_EQ(g.out(gsid::kGpr0 + 3), 0x400u);
    EXPECT_EQ(g.get(gsid::kSrr0), 0xc000000000000000ull + kL2Code);
}

TEST(NestedRun, TableWalkFaultIsHdsi) {
    Nested g;
    auto l2be = [&](uint64_t ra, uint64_t v) { g.be64(kL2Base + ra, v); };
    // The L2's root points at a directory in L2 real memory the L1 never mapped (12M).
    l2be(0x10000, (1ull << 62) | (5ull << 5) | 0x20000 | 13);
    l2be(0x20000, kV | 0xc00000 | 9);
    GsbWriter pt;
    pt.put_pair(gsid::kProcessTable, 0x10000, 0x1000);
    ASSERT_EQ(g.set(1ull << 63, pt), 0);
    g.ready(kSF | kLE | kDR);   // fetch in real mode, data translated
    GsbWriter r5;
    r5.put_be(gsid::kGpr0 + 5, 8, 0xc000000000000000ull);
    ASSERT_EQ(g.set(0, r5), 0);
    g.l2_code({ld(6, 5, 0x100), li(3, 1), sc(1)});
    const Ret r = g.run();
    ASSERT_EQ(r.r4, 0xe00u);
    EXPECT_EQ(g.out(gsid::kHdsisr), 0x40000000u | 0x00020000u);
    EXPECT_EQ(g.out(gsid::kAsdr), 0xc00000u);
    EXPECT_EQ(g.out(gsid::kHdar), 0xc000000000000100ull);
}

TEST(NestedRun, KickReturnsTheL1First) {
    Nested g;
    g.ready();
    g.l2_code({b(0)});
    g.set_gpr(3, hcall::kGuestRunVcpu);
    g.run_data->papr_hcall.ret = hcall::kGuestRunVcpu;
    const uint64_t args[] = {0, 1, 0};
    for (unsigned i = 0; i < 9; ++i)
        g.run_data->papr_hcall.args[i] = i < 3 ? args[i] : 0;
    g.load(with_done({sc(1), ori(20, 3, 0), ori(21, 4, 0)}));
    reinterpret_cast<phv::Vcpu *>(g.vcpu)->request_code_invalidate(GuestCode::kCodeBase);
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        phv_vcpu_kick(g.vcpu);
    });
    ASSERT_EQ(g.GuestCode::run(), uint32_t(PHV_EXIT_INTR));
    t.join();
    // The VMM sees the L1: just after its hcall, which returned H_SUCCESS with the unspecified exit.
    EXPECT_EQ(g.reg(PHV_REG_PPC_NIP), GuestCode::kCodeBase + 4);
    EXPECT_EQ(g.gpr(3), 0u);
    EXPECT_EQ(g.gpr(4), 0u);
    g.run_data->papr_hcall.ret = 0;   // nothing pending: the run ended with INTR, not an hcall
    g.run_to_done();
    EXPECT_EQ(g.get(gsid::kNia), kL2Code);
}

TEST(NestedRun, VpaCountersAdvanceWhenEnabled) {
    Nested g;
    g.ready();
    // A loop of 20000 iterations, then an hcall.
    g.l2_code({li(5, 20000), mtspr(9, 5), 0x42000000, li(3, 1), sc(1)});   // bdnz .
    phv_one_reg vpa{PHV_REG_PPC_VPA_ADDR, 0};
    uint64_t addr = kVpa + 0x40;
    vpa.addr = reinterpret_cast<uint64_t>(&addr);
    EXPECT_EQ(phv_set_one_reg(g.vcpu, &vpa), -EINVAL);   // not cache-line aligned
    addr = kVpa;
    ASSERT_EQ(phv_set_one_reg(g.vcpu, &vpa), 0);
    ASSERT_EQ(g.run().r4, 0xc00u);
    EXPECT_EQ(g.be64(kVpa + 0x1b0), 0u);   // l2_counters_enable is 0: nothing written
    g.ram[kVpa + 0xbc] = 1;
    GsbWriter w;
    w.put_be(gsid::kNia, 8, kL2Code);
    ASSERT_EQ(g.set(0, w), 0);
    ASSERT_EQ(g.run().r4, 0xc00u);
    const uint64_t runtime = g.be64(kVpa + 0x1b0);
    EXPECT_GT(runtime, 0u);
    EXPECT_GT(stat(g.vcpu, "nested_l2_runtime_tb"), 0u);
    ASSERT_EQ(g.set(0, w), 0);
    ASSERT_EQ(g.run().r4, 0xc00u);
    EXPECT_GT(g.be64(kVpa + 0x1b0), runtime);   // cumulative
}

} // namespace

namespace {

// H_GUEST_RUN_VCPU's flags make the L2 take an external interrupt (with MSR[EE]), a privileged doorbell, or
// a system reset; each vector here makes an hcall naming itself.
TEST(NestedRun, RunFlagsInjectInterrupts) {
    Nested g;
    g.ready(kSF | kLE | (1ull << 15));   // EE on
    g.l2_code({b(0)});
    for (uint64_t v : {0x100u, 0x500u, 0xa00u})
        g.l2_code({li(3, int32_t(v)), sc(1)}, v);
    const std::pair<uint64_t, uint64_t> cases[] = {{1ull << 63, 0x500}, {1ull << 62, 0xa00}, {1ull << 61, 0x100}};
    for (auto [flag, vector] : cases) {
        GsbWriter w;
        // A DEC a second or two away: an expired one would come first (it outranks the doorbell, Book III 7.6).
        // Relative to now because the L2's DEC is 32 bits wide (LPCR[LD]=0): a fixed distant expiry truncates
        // to a negative DEC for half of all timebase values, as it would on hardware.
        const uint64_t now = reinterpret_cast<phv::Vcpu *>(g.vcpu)->read_tb();
        w.put_be(gsid::kNia, 8, kL2Code).put_be(gsid::kMsr, 8, kSF | kLE | (1ull << 15));
        w.put_be(gsid::kDecExpiryTb, 8, now + (1ull << 30));
        // And an HDEC far away too: the default one could expire first on a loaded host (0x980, not 0xc00).
        w.put_be(gsid::kHdecExpiryTb, 8, ~0ull >> 2);
        ASSERT_EQ(g.set(0, w), 0);
        const Ret r = g.run(flag);
        ASSERT_EQ(r.r3, 0);
        EXPECT_EQ(r.r4, 0xc00u) << std::hex << vector << " nia " << g.out(gsid::kNia);
        EXPECT_EQ(g.out(gsid::kGpr0 + 3), vector);
        EXPECT_EQ(g.get(gsid::kSrr0), kL2Code) << std::hex << vector;
    }
    // Without a flag the spinning L2 runs until its HDEC expiry.
    GsbWriter w;
    w.put_be(gsid::kNia, 8, kL2Code).put_be(gsid::kHdecExpiryTb, 8, 1);
    ASSERT_EQ(g.set(0, w), 0);
    EXPECT_EQ(g.run().r4, 0x980u);
}

// phv_vm_get_nested: a copy of the L2 guests, their vcpus and per-vcpu counters. The counters of the one
// L2 vcpu that ran are exactly what the L1 vcpu's nested_* statistics added; a vcpu inside a run (seen from
// the trace callback, on the vcpu's thread, while the L2 executes) is RUNNING.
struct Seen {
    phv_vm *vm;
    int rc = 1;
    uint32_t state = 99;
};
void snapshot_from_l2(void *opaque, uint32_t, uint64_t nip, uint32_t, uint32_t) {
    auto *s = static_cast<Seen *>(opaque);
    if (nip != kL2Code + 0x3000 || s->rc != 1)
        return;
    phv_nested_guest gs[4];
    phv_nested_vcpu vs[4];
    phv_nested_info info{4, 4, gs, vs};
    s->rc = phv_vm_get_nested(s->vm, &info);
    s->state = s->rc == 0 && info.nr_vcpus ? vs[0].state : 98;
}

TEST(NestedRun, SnapshotListsGuestsVcpusAndCounters) {
    Nested g;
    g.ready();
    ASSERT_EQ(g.hc(hcall::kGuestCreateVcpu, {0, 1, 5}).r3, 0);
    ASSERT_EQ(g.hc(hcall::kGuestCreate, {0, ~0ull}).r4, 2u);
    phv_nested_info info{};
    EXPECT_EQ(phv_vm_get_nested(nullptr, &info), -EFAULT);
    EXPECT_EQ(phv_vm_get_nested(g.vm, nullptr), -EFAULT);
    EXPECT_EQ(phv_vm_get_nested(g.vm, &info), -E2BIG);
    EXPECT_EQ(info.nr_guests, 2u);
    EXPECT_EQ(info.nr_vcpus, 2u);

    g.l2_code({addi(4, 4, 1), sc(1), b(-8)});
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(g.run().r4, 0xc00u);
    g.l2_code({addi(4, 4, 1), kIllegalWord}, 0x2000);
    GsbWriter w;
    w.put_be(gsid::kNia, 8, 0x2000);
    ASSERT_EQ(g.set(0, w), 0);
    ASSERT_EQ(g.run().r4, 0xe40u);
    w = GsbWriter{};
    w.put_be(gsid::kHdecExpiryTb, 8, 1).put_be(gsid::kNia, 8, kL2Code + 0x3000);
    ASSERT_EQ(g.set(0, w), 0);
    g.l2_code({b(0)}, kL2Code + 0x3000);
    Seen seen{g.vm};
    phv_vcpu_set_trace(g.vcpu, snapshot_from_l2, &seen);
    ASSERT_EQ(g.run().r4, 0x980u);
    phv_vcpu_set_trace(g.vcpu, nullptr, nullptr);
    EXPECT_EQ(seen.rc, 0);
    EXPECT_EQ(seen.state, PHV_NESTED_VCPU_RUNNING);

    phv_nested_guest gs[3] = {};
    phv_nested_vcpu vs[3] = {};
    info = {1, 3, gs, vs};
    EXPECT_EQ(phv_vm_get_nested(g.vm, &info), -E2BIG);   // one guest slot for two guests
    EXPECT_EQ(gs[0].id, 0u);                             // ... and nothing written
    info = {3, 3, gs, vs};
    ASSERT_EQ(phv_vm_get_nested(g.vm, &info), 0);
    ASSERT_EQ(info.nr_guests, 2u);
    ASSERT_EQ(info.nr_vcpus, 2u);
    EXPECT_EQ(gs[0].id, 1u);
    EXPECT_EQ(gs[0].api, PHV_NESTED_V2);
    EXPECT_EQ(gs[0].logical_pvr, 0x0f000006u);
    EXPECT_EQ(gs[0].first_vcpu, 0u);
    EXPECT_EQ(gs[0].nr_vcpus, 2u);
    EXPECT_EQ(gs[1].id, 2u);
    EXPECT_EQ(gs[1].first_vcpu, 2u);
    EXPECT_EQ(gs[1].nr_vcpus, 0u);
    const phv_nested_vcpu &v = vs[0];
    EXPECT_EQ(v.vcpu_id, 0u);
    EXPECT_EQ(v.state, PHV_NESTED_VCPU_IDLE);
    EXPECT_EQ(v.runs, 5u);
    EXPECT_EQ(v.exits[PHV_NESTED_EXIT_HCALL], 3u);
    EXPECT_EQ(v.exits[PHV_NESTED_EXIT_HEA], 1u);
    EXPECT_EQ(v.exits[PHV_NESTED_EXIT_HDEC], 1u);
    EXPECT_EQ(v.exits[PHV_NESTED_EXIT_HDSI] + v.exits[PHV_NESTED_EXIT_HISI] + v.exits[PHV_NESTED_EXIT_HFAC] +
                  v.exits[PHV_NESTED_EXIT_OTHER], 0u);
    EXPECT_EQ(v.runs, stat(g.vcpu, "nested_entries"));
    EXPECT_EQ(v.l1_to_l2_tb, stat(g.vcpu, "nested_l1_to_l2_tb"));
    EXPECT_EQ(v.l2_runtime_tb, stat(g.vcpu, "nested_l2_runtime_tb"));
    EXPECT_EQ(v.l2_to_l1_tb, stat(g.vcpu, "nested_l2_to_l1_tb"));
    EXPECT_GT(v.l2_runtime_tb, 0u);   // the HDEC run loops for at least 256 blocks
    EXPECT_EQ(vs[1].vcpu_id, 5u);
    EXPECT_EQ(vs[1].runs, 0u);
    EXPECT_EQ(std::string(phv_nested_exit_name(PHV_NESTED_EXIT_HDEC)), "hdec");
    EXPECT_EQ(phv_nested_exit_name(PHV_NESTED_EXIT_NR), nullptr);

    ASSERT_EQ(g.hc(hcall::kGuestDelete, {0, 1}).r3, 0);
    info = {3, 3, gs, vs};
    ASSERT_EQ(phv_vm_get_nested(g.vm, &info), 0);
    EXPECT_EQ(info.nr_guests, 1u);
    EXPECT_EQ(info.nr_vcpus, 0u);
    EXPECT_EQ(gs[0].id, 2u);
}

} // namespace
