// The structures that start as zero pages (memory/zero_pages.h): a fresh TLB, jump cache and reservation
// table must read as empty without anything having been written to them, must become empty again after a
// flush, a clear or a new epoch, whichever parts were used, and must leave their mapping all-zero for the
// next owner (dead tables go to a pool). The JIT's code buffer exists only once a block is compiled.
#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <vector>

#include "guest_code.h"
#include "mmu/tlb.h"
#include "vcpu/block_cache.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"
#include "vm/reservation_table.h"

namespace {
using phv::mmu::Access;
using phv::mmu::Invalidation;
using phv::mmu::Tlb;
using namespace phv::test;
using namespace phv::test::enc;

constexpr Access kAccesses[] = {Access::Load, Access::Store, Access::Fetch};

// Whether every entry of every set of tlb is all-zero bits (empty, nothing left of an earlier owner).
bool all_zero(const Tlb &tlb) {
    for (Access a : kAccesses) {
        const auto *bytes = reinterpret_cast<const unsigned char *>(tlb.entries(a));
        for (size_t i = 0; i < Tlb::kEntries * sizeof(phv::mmu::TlbEntry); ++i)
            if (bytes[i])
                return false;
    }
    return true;
}

phv::mmu::TlbEntry entry(uint64_t gpa) {
    phv::mmu::TlbEntry e{};
    e.gpa = gpa;
    e.shift = 12;
    return e;
}

// Every context a lookup can ask with: MSR[PR], the radix key contexts, the real-mode one.
std::vector<uint64_t> contexts() {
    std::vector<uint64_t> c;
    for (uint64_t pr : {0ull, 1ull << 14})
        for (uint64_t key = 0; key <= Tlb::kKeyContextMask; key += 4)
            c.push_back(Tlb::context(pr, key));
    c.push_back(Tlb::kRealContext);
    return c;
}

TEST(ZeroPages, FreshTlbIsEmptyWithoutBeingWritten) {
    const auto tlb = Tlb::create();
    // The constructor writes its bookkeeping, at most one page: the entries were left to the zero pages.
    EXPECT_TRUE(tlb->untouched());
    EXPECT_TRUE(all_zero(*tlb));
    tlb->flush();
    tlb->set_pid(7);
    EXPECT_EQ(tlb->invalidate({Invalidation::Scope::All, 0, 12, 0}), 0u);
    for (Access a : kAccesses)
        for (uint64_t i = 0; i < Tlb::kEntries; ++i)
            for (uint64_t ctx : contexts()) {
                ASSERT_EQ(tlb->lookup(a, i << 12, ctx), nullptr) << i;
                ASSERT_EQ(tlb->lookup(a, 0xc000000000000000ull | i << 12, ctx), nullptr) << i;
            }
}

// Entries in every chunk of every set: a flush, a PID switch and a full invalidation reach all of them, and
// a refilled TLB works as before.
TEST(ZeroPages, TlbFlushReachesEveryUsedChunk) {
    const auto tlb = Tlb::create();
    const uint64_t ctx = Tlb::context(0, 0);
    tlb->set_pid(3);
    const auto fill = [&](uint64_t base) {
        unsigned n = 0;
        for (Access a : kAccesses)
            for (uint64_t i = 5; i < Tlb::kEntries; i += 37, ++n)
                tlb->insert(a, base | i << 12, ctx, entry(i << 12));
        return n;
    };
    const auto alive = [&](uint64_t base) {
        unsigned n = 0;
        for (Access a : kAccesses)
            for (uint64_t i = 5; i < Tlb::kEntries; i += 37)
                n += tlb->lookup(a, base | i << 12, ctx) != nullptr;
        return n;
    };
    const unsigned n = fill(0);
    EXPECT_EQ(alive(0), n);
    EXPECT_FALSE(tlb->untouched());
    tlb->flush();
    EXPECT_TRUE(tlb->untouched());
    EXPECT_EQ(alive(0), 0u);

    // Quadrant 0 goes with a PID switch, quadrant 3 (PID 0's) stays.
    fill(0);
    EXPECT_EQ(alive(0), n);
    tlb->set_pid(4);
    EXPECT_EQ(alive(0), 0u);
    fill(0xc000000000000000ull);
    tlb->set_pid(5);
    EXPECT_EQ(alive(0xc000000000000000ull), n);
    EXPECT_EQ(tlb->invalidate({Invalidation::Scope::All, 0, 12, 0}), n);
    EXPECT_EQ(alive(0xc000000000000000ull), 0u);

    // retain() sees every entry too.
    fill(0x10000000);
    tlb->retain([](uint64_t ea) { return ((ea >> 12) & 1) != 0; });
    for (Access a : kAccesses)
        for (uint64_t i = 5; i < Tlb::kEntries; i += 37)
            EXPECT_EQ(tlb->lookup(a, 0x10000000 | i << 12, ctx) != nullptr, (i & 1) != 0) << i;
    tlb->flush();
    EXPECT_EQ(alive(0x10000000), 0u);
    EXPECT_TRUE(all_zero(*tlb));
}

// A walk forgets the chunks it empties (Linux's kernel range flushes walk the TLB thousands of times), but
// not one that still holds an entry, and a chunk filled again is walked again; the mapping is still left
// all-zero by the flush.
TEST(ZeroPages, TlbWalksForgetOnlyEmptiedChunks) {
    const auto tlb = Tlb::create();
    const uint64_t ctx = Tlb::context(0, 0), kernel = 0xc000000000000000ull;
    tlb->set_pid(5);
    const Invalidation pid0{Invalidation::Scope::Pid, 0, 12, 0}, pid5{Invalidation::Scope::Pid, 0, 12, 5};
    // One chunk with a PID-5 entry beside a PID-0 one: flushing PID 0 leaves the chunk live.
    tlb->insert(Access::Load, 0x3000, ctx, entry(0x3000));
    tlb->insert(Access::Load, kernel | 0x4000, ctx, entry(0x4000));
    EXPECT_EQ(tlb->invalidate(pid0), 1u);
    EXPECT_EQ(tlb->invalidate(pid5), 1u);
    EXPECT_EQ(tlb->lookup(Access::Load, 0x3000, ctx), nullptr);
    // Emptied and forgotten, then filled again: the next walk must see the new entry.
    EXPECT_EQ(tlb->invalidate(pid0), 0u);
    tlb->insert(Access::Load, kernel | 0x5000, ctx, entry(0x5000));
    EXPECT_EQ(tlb->invalidate(pid0), 1u);
    EXPECT_EQ(tlb->lookup(Access::Load, kernel | 0x5000, ctx), nullptr);
    // A forgotten chunk still had its entries' other fields written: the flush zeroes it all the same.
    EXPECT_FALSE(tlb->untouched());
    tlb->flush();
    EXPECT_TRUE(all_zero(*tlb));
}

// A TLB that dies full leaves its mapping empty: the next TLB (which may get that mapping) misses everywhere.
TEST(ZeroPages, DeadTlbLeavesNothingForTheNext) {
    const uint64_t ctx = Tlb::context(0, 0);
    for (int round = 0; round < 3; ++round) {
        auto tlb = Tlb::create();
        ASSERT_TRUE(all_zero(*tlb)) << round;
        for (Access a : kAccesses)
            for (uint64_t i = 0; i < Tlb::kEntries; i += 3)
                tlb->insert(a, i << 12, ctx, entry(i << 12));
        tlb->set_pid(9);   // a PID switch leaves quadrant-0 tags zeroed but the rest of the entries written
    }
}

TEST(ZeroPages, JumpCacheStartsEmptyAndEmptiesWithEveryNewEpoch) {
    phv::BlockCache bc;
    // A zeroed entry names EA 0 in mode 0: it must not be taken for one.
    for (uint64_t mode = 0; mode < 16; ++mode)
        for (uint64_t ea = 0; ea < 0x10000; ea += 4)
            ASSERT_EQ(bc.jump_lookup(ea, mode), nullptr) << ea;

    auto owned = std::make_unique<phv::Block>();
    owned->real_start = 0x3000;
    owned->start = 0x3000;
    owned->key = phv::BlockCache::key(0x3000, 0);
    phv::Block *b = bc.insert(std::move(owned));
    bc.jump_fill(0, 0, b);
    bc.jump_fill(0x3000, 5, b);
    EXPECT_EQ(bc.jump_lookup(0, 0), b);
    EXPECT_EQ(bc.jump_lookup(0x3000, 5), b);
    EXPECT_EQ(bc.jump_lookup(0x3000, 4), nullptr);
    // Dropping the block's page drops what names it.
    EXPECT_EQ(bc.invalidate_page(3), 1u);
    EXPECT_EQ(bc.jump_lookup(0, 0), nullptr);
    EXPECT_EQ(bc.jump_lookup(0x3000, 5), nullptr);
    // A page without blocks starts no epoch; clear() does.
    phv::Block stack_block;
    bc.jump_fill(0x4000, 1, &stack_block);
    EXPECT_EQ(bc.invalidate_page(0x99), 0u);
    EXPECT_EQ(bc.jump_lookup(0x4000, 1), &stack_block);
    const uint64_t epoch = bc.epoch();
    bc.clear();
    EXPECT_GT(bc.epoch(), epoch);
    EXPECT_EQ(bc.jump_lookup(0x4000, 1), nullptr);
}

// A jump cache that dies leaves nothing behind: a new one starts in the same epoch, so an entry left in a
// recycled mapping would be taken for its own.
TEST(ZeroPages, DeadJumpCacheLeavesNothingForTheNext) {
    phv::Block b;
    for (int round = 0; round < 3; ++round) {
        phv::BlockCache bc;
        for (uint64_t ea = 0; ea < 0x8000; ea += 4) {
            ASSERT_EQ(bc.jump_lookup(ea, 2), nullptr) << round << " " << ea;
            bc.jump_fill(ea, 2, &b);
        }
    }
}

TEST(ZeroPages, FreshReservationTableHoldsNoReservation) {
    for (int round = 0; round < 3; ++round) {
        const auto t = phv::ReservationTable::create();
        for (uint64_t g = 0; g < phv::ReservationTable::kSlots; ++g)
            ASSERT_FALSE(t->maybe_reserved(g << phv::ReservationTable::kGranuleShift, 8)) << round << " " << g;
        // Reservations in several pages of the table, which the next table must not see.
        for (uint64_t gpa = 0x80 * round; gpa < (1u << 21); gpa += 0x10080) {
            phv::ReservationTable::Holder h;
            const uint64_t r = t->reserve(gpa, h);
            EXPECT_TRUE(t->maybe_reserved(gpa, 8));
            EXPECT_TRUE(t->unchanged(gpa, r, h));
            uint64_t other = 0;
            t->note_store(gpa + 8, 4, false, 0, other);
            EXPECT_FALSE(t->unchanged(gpa, r, h));
            if (gpa % 3 == 0)
                t->release(h);   // released or not, the next table starts empty
        }
    }
}

// A new vcpu starts with an empty TLB; its blocks are compiled (and the code buffer made) once they are hot.
TEST(ZeroPages, FreshVcpuFaultsNothingInAndCompilesOnFirstNeed) {
    GuestCode g;
    phv::Vcpu &v = *reinterpret_cast<phv::Vcpu *>(g.vcpu);
    v.set_jit(v.jit_enabled(), phv::Vm::kJitThreshold, false);   // compiled on the vcpu's thread, when hot
    EXPECT_TRUE(v.mmu_.tlb->untouched());
    EXPECT_TRUE(all_zero(*v.mmu_.l1_tlb));
    uint64_t compiled = ~0ull;
    for (size_t i = 0; i < phv_vcpu_stat_count(); ++i)
        if (std::string(phv_vcpu_stat(g.vcpu, i, &compiled)) == "jit_blocks_compiled")
            break;
    EXPECT_EQ(compiled, 0u);
    // A counted loop long enough to get hot (Vm::kJitThreshold runs of a block).
    constexpr int kIterations = 2 * phv::Vm::kJitThreshold;
    g.load(with_done({addi(20, 0, 0), addi(21, 0, kIterations), mtspr(9, 21), addi(20, 20, 1),
                      16u << 26 | 16u << 21 | (uint32_t(-4) & 0xfffc) /* bdnz -4 */}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(20), uint64_t(kIterations));
    for (size_t i = 0; i < phv_vcpu_stat_count(); ++i)
        if (std::string(phv_vcpu_stat(g.vcpu, i, &compiled)) == "jit_blocks_compiled")
            break;
    if (v.jit_enabled())
        EXPECT_GE(compiled, 1u);
}

} // namespace
