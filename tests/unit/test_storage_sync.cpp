// Storage-related behaviour across the block cache and across vcpus: dcbz zeroes its 128-byte block;
// modified code runs after icbi/isync (and after a plain store to a page with predecoded code, on this and
// on other vcpus); another vcpu's store breaks a larx reservation.
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "jit_test_util.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint64_t kData = 0x3000, kFunc = 0x20000, kOther = 0x30000;
constexpr uint32_t kBlr = 0x4e800020, kBctrl = 0x4e800421, kIsync = 0x4c00012c, kMfcr10 = 0x7d400026;
constexpr uint32_t icbi(uint32_t ra, uint32_t rb) { return X(31, 0, ra, rb, 982); }
constexpr uint32_t dcbz(uint32_t ra, uint32_t rb) { return X(31, 0, ra, rb, 1014); }
constexpr uint32_t lwarx(uint32_t rt, uint32_t ra, uint32_t rb) { return X(31, rt, ra, rb, 20); }
constexpr uint32_t stwcx(uint32_t rs, uint32_t ra, uint32_t rb) { return X(31, rs, ra, rb, 150, 1); }

// qemu-ppc64le -cpu power10: dcbz at a 128-aligned buffer + 128 + 5 zeroed bytes 128..255 and no others.
TEST(Storage, DcbzZeroesTheAligned128ByteBlock) {
    GuestCode g;
    std::memset(g.ram + kData, 0xff, 512);
    g.set_gpr(6, kData + 128 + 5);
    g.load(with_done({dcbz(0, 6)}));
    g.run_to_done();
    for (unsigned i = 0; i < 512; ++i)
        EXPECT_EQ(g.ram[kData + i], (i >= 128 && i < 256) ? 0 : 0xff) << i;
}

// Calls F (li r5,1; blr), rewrites F's first word to li r5,2 with a store, then (per `sync`) icbi + isync
// or just isync, and calls F again. Book II 1.8 asks for icbi + isync; phv also drops predecoded blocks
// on any store to their page, so both see the new code.
void rewrite_and_call(const std::vector<uint32_t> &sync) {
    GuestCode g;
    g.load({addi(5, 0, 1), kBlr}, kFunc);
    std::vector<uint32_t> main = {mtspr(9, 7), kBctrl, ori(8, 5, 0), stw(9, 7, 0)};
    main.insert(main.end(), sync.begin(), sync.end());
    main.insert(main.end(), {kBctrl, ori(11, 5, 0)});
    std::vector<uint32_t> code = main;
    for (uint32_t w : with_done({}))
        code.push_back(w);
    g.load(code);
    g.set_gpr(7, kFunc);
    g.set_gpr(9, addi(5, 0, 2));
    g.run_to_done();
    EXPECT_EQ(g.gpr(8), 1u);
    EXPECT_EQ(g.gpr(11), 2u);
}

TEST(SelfModifyingCode, IcbiIsyncRunsTheNewCode) { rewrite_and_call({icbi(0, 7), kIsync}); }
TEST(SelfModifyingCode, StoreToACachedPageIsSeenAfterIsync) { rewrite_and_call({kIsync}); }

// F runs (a block is built from its page), then the host rewrites F's first word behind the core's back (no
// phv_invalidate_code): the guest's icbi + isync drop the block, and the next call runs the new word. Without
// the icbi the old block would still run (checked first). An icbi of a page no block came from drops nothing.
TEST(SelfModifyingCode, IcbiDropsTheBlocksOfAPageWrittenBehindTheCoresBack) {
    GuestCode g;
    g.load({addi(5, 0, 1), kBlr}, kFunc);
    g.load(with_done({mtspr(9, 7), kBctrl, ori(8, 5, 0)}), kOther);
    g.set_gpr(7, kFunc);
    g.run_to_done();
    EXPECT_EQ(g.gpr(8), 1u);
    const uint32_t two = addi(5, 0, 2);
    std::memcpy(g.ram + kFunc, &two, 4);
    g.set_reg(PHV_REG_PPC_NIP, kOther);
    g.run_to_done();
    EXPECT_EQ(g.gpr(8), 1u);   // the block built before the write

    g.set_gpr(6, kData);
    g.load(with_done({icbi(0, 6), kIsync}), 0x11000);
    const uint64_t dropped = stat(g, "blocks_invalidated");
    g.run_to_done();
    EXPECT_EQ(stat(g, "blocks_invalidated"), dropped);   // kData's page has no code

    g.load(with_done({icbi(0, 7), kIsync, mtspr(9, 7), kBctrl, ori(11, 5, 0)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(11), 2u);
    EXPECT_GT(stat(g, "blocks_invalidated"), dropped);
}

// A second vcpu in the same VM, run from the test thread.
struct SecondVcpu {
    phv_vcpu *v = nullptr;
    phv_run *run = nullptr;
    explicit SecondVcpu(GuestCode &g) {
        EXPECT_EQ(phv_create_vcpu(g.vm, 1, &v), 0);
        run = phv_vcpu_run_struct(v);
        set(PHV_REG_PPC_MSR, (1ull << 63) | (1ull << 12) | 1);   // SF, ME, LE as GuestCode's vcpu
    }
    void set(uint64_t id, uint64_t val) {
        phv_one_reg r{id, reinterpret_cast<uint64_t>(&val)};
        EXPECT_EQ(phv_set_one_reg(v, &r), 0);
    }
    uint64_t get(uint64_t id) {
        uint64_t val = 0;
        phv_one_reg r{id, reinterpret_cast<uint64_t>(&val)};
        EXPECT_EQ(phv_get_one_reg(v, &r), 0);
        return val;
    }
    void run_from(uint64_t nip) {
        set(PHV_REG_PPC_NIP, nip);
        run_to_done();
    }
    void run_to_done() {
        ASSERT_EQ(phv_vcpu_run(v), 0);
        ASSERT_EQ(run->exit_reason, uint32_t(PHV_EXIT_PAPR_HCALL));
        ASSERT_EQ(run->papr_hcall.nr, GuestCode::kDone);
    }
};

// vcpu 1 runs F (predecoding it), vcpu 0 rewrites F with a plain store, vcpu 1 runs F again and must see the
// new code: the store drops the predecoded block on every vcpu.
TEST(SelfModifyingCode, AnotherVcpusStoreIsSeen) {
    GuestCode g;
    SecondVcpu other(g);
    g.load({addi(5, 0, 1), kBlr}, kFunc);
    g.load(with_done({mtspr(9, 7), kBctrl, ori(8, 5, 0)}), kOther);
    other.set(PHV_REG_PPC_GPR(7), kFunc);
    other.run_from(kOther);
    EXPECT_EQ(other.get(PHV_REG_PPC_GPR(8)), 1u);

    g.set_gpr(7, kFunc);
    g.set_gpr(9, addi(5, 0, 2));
    g.load(with_done({stw(9, 7, 0)}));
    g.run_to_done();

    other.run_from(kOther);
    EXPECT_EQ(other.get(PHV_REG_PPC_GPR(8)), 2u);
}

// vcpu 0 takes a reservation on kData with lwarx and stops (an hcall exit); vcpu 1 may store `value` at
// kData + `offset`; vcpu 0 then tries stwcx.: it succeeds when nobody stored and fails after the other vcpu's
// store to the same 128-byte reservation granule, whatever value and bytes it stored (Book II 1.7.3.1).
// `compiled`: the other vcpu's store runs as JIT code (its inline reservation test) rather than interpreted.
uint32_t stwcx_after(bool other_stores, uint64_t value = 0x1234, int offset = 0, bool compiled = false) {
    GuestCode g;
    SecondVcpu other(g);
    if (compiled)
        reinterpret_cast<phv::Vcpu *>(other.v)->set_jit(true, 0, false);
    std::memset(g.ram + kData, 0, 8);
    g.set_gpr(6, kData);
    g.set_gpr(5, 0x55);
    std::vector<uint32_t> tail = {stwcx(5, 0, 6), kMfcr10};
    for (uint32_t w : with_done({}))
        tail.push_back(w);
    g.load(tail, 0x11000);
    g.load(with_done({lwarx(4, 0, 6)}));   // last: load() sets NIP
    g.run_to_done();
    if (other_stores) {
        // (sets vcpu 0's NIP, which is set again below). Compiled, a load first: its slow path fills the
        // vcpu's memslot cache, so that the store takes the inline path.
        if (compiled)
            g.load(with_done({lwz(7, 6, 0), stw(5, 6, 0)}), kOther);
        else
            g.load(with_done({stw(5, 6, 0)}), kOther);
        other.set(PHV_REG_PPC_GPR(6), kData + offset);
        other.set(PHV_REG_PPC_GPR(5), value);
        other.run_from(kOther);
    }
    g.set_reg(PHV_REG_PPC_NIP, 0x11000);
    g.run_to_done();
    return uint32_t(g.gpr(10) >> 28);
}

TEST(Reservation, HoldsWithoutOtherStores) { EXPECT_EQ(stwcx_after(false), 2u); }
TEST(Reservation, AnotherVcpusStoreBreaksIt) { EXPECT_EQ(stwcx_after(true), 0u); }
TEST(Reservation, AnotherVcpusStoreOfTheSameValueBreaksIt) { EXPECT_EQ(stwcx_after(true, 0), 0u); }
TEST(Reservation, AnotherVcpusStoreElsewhereInTheGranuleBreaksIt) { EXPECT_EQ(stwcx_after(true, 0, 64), 0u); }
TEST(Reservation, AnotherVcpusStoreToAnotherGranuleKeepsIt) { EXPECT_EQ(stwcx_after(true, 0, 128), 2u); }
// The same stores as compiled code: the value unchanged, so only the granule's generation tells stcx.
TEST(Reservation, AnotherVcpusCompiledStoreOfTheSameValueBreaksIt) { EXPECT_EQ(stwcx_after(true, 0, 0, true), 0u); }
TEST(Reservation, AnotherVcpusCompiledStoreElsewhereInTheGranuleBreaksIt) {
    EXPECT_EQ(stwcx_after(true, 0, 64, true), 0u);
}
TEST(Reservation, AnotherVcpusCompiledStoreToAnotherGranuleKeepsIt) { EXPECT_EQ(stwcx_after(true, 0, 128, true), 2u); }

// The reserving vcpu's own store to the granule (another word of it) does not lose the reservation.
TEST(Reservation, OwnStoreKeepsIt) {
    GuestCode g;
    std::memset(g.ram + kData, 0, 16);
    g.set_gpr(6, kData);
    g.set_gpr(5, 0x55);
    g.load(with_done({lwarx(4, 0, 6), stw(5, 6, 8), stwcx(5, 0, 6), kMfcr10}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(10) >> 28, 2u);
}

// Aligned lq/stq are single-copy atomic (Book II 1.4): vcpu 1 keeps storing pairs (n, n) with stq while
// vcpu 0, on another thread, loads them with lq and counts halves that differ (a torn quadword).
TEST(Quadword, AlignedLqStqAreAtomicAcrossVcpus) {
    GuestCode g;
    SecondVcpu other(g);
    constexpr uint32_t kN = 2000000;
    constexpr uint32_t kCmpd89 = 0x7c284800, kBeqPlus8 = 0x41820008;
    constexpr uint32_t kBdnzMinus12 = 0x4200fff4, kBdnzMinus16 = 0x4200fff0;
    g.load(with_done({mtspr(9, 7), addi(4, 4, 1), ori(5, 4, 0), 0xf8860002 /* stq r4,0(r6) */, kBdnzMinus12}),
           kOther);
    g.load(with_done({mtspr(9, 7), 0xe1060000 /* lq r8,0(r6) */, kCmpd89, kBeqPlus8, addi(10, 10, 1),
                      kBdnzMinus16}));
    for (unsigned r : {6u}) {
        g.set_gpr(r, kData);
        other.set(PHV_REG_PPC_GPR(r), kData);
    }
    g.set_gpr(7, kN);
    g.set_gpr(10, 0);
    other.set(PHV_REG_PPC_GPR(7), kN);
    other.set(PHV_REG_PPC_GPR(4), 0);
    std::thread writer([&] { other.run_from(kOther); });
    g.run_to_done();
    writer.join();
    EXPECT_EQ(g.gpr(10), 0u);
}

} // namespace

namespace {
// icbt and cp_abort are no-ops; copy and paste. are illegal (the words objdump gives for icbt 2,r3,r4,
// cp_abort, copy 0,r3 and paste. 0,r3). qemu-ppc64le -cpu power10 agrees for cp_abort (runs), copy and
// paste. (SIGILL); for icbt it raises SIGILL, which the ISA contradicts (see rows/storage_control.inc).
// On a POWER8 all four are illegal (ISA 3.0 instructions).
TEST(Storage, IcbtCpAbortCopyPaste) {
    constexpr uint32_t kIcbt = 0x7c43202c, kCpAbort = 0x7c00068c, kCopy = 0x7c201e0c, kPaste = 0x7c201f0d;
    for (uint32_t model : {PHV_CPU_POWER9, PHV_CPU_POWER10, PHV_CPU_POWER8}) {
        for (uint32_t w : {kIcbt, kCpAbort, kCopy, kPaste}) {
            GuestCode g(model);
            g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);
            g.load(with_done({}), 0x700);
            g.set_gpr(3, kData);
            g.set_gpr(4, 0);
            g.load(with_done({w, addi(20, 0, 1)}));
            g.run_to_done();
            const bool runs = model != PHV_CPU_POWER8 && (w == kIcbt || w == kCpAbort);
            EXPECT_EQ(g.gpr(20), runs ? 1u : 0u) << std::hex << w << " model " << model;
            if (!runs) {
                EXPECT_NE(g.reg(PHV_REG_PPC_SRR1) & (1ull << (63 - 44)), 0u) << std::hex << w;
            }
        }
    }
    char buf[64];
    phv_disassemble(kIcbt, 0, 0, buf, sizeof buf);
    EXPECT_STREQ(buf, "icbt    2,r3,r4");
    phv_disassemble(kCpAbort, 0, 0, buf, sizeof buf);
    EXPECT_STREQ(buf, "cp_abort");
}
} // namespace
