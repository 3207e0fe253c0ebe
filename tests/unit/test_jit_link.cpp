// The JIT's link stamp (hv_core/src/jit/link.cpp, mmu::VcpuMmu::link_stamp): a linked block end is taken
// only while nothing that decided its successor has changed, and the links come back without patching code.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string_view>

#include "guest_code.h"
#include "jit_test_util.h"
#include "mmu/tlb.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

// ---- the link stamp (jit/link.cpp, mmu::VcpuMmu::link_stamp) ---------------------------------------------

// The TLB moves the vcpu's link stamp when an entry a link depends on (marked) is overwritten or dropped,
// and at a flush of anything: filling empty or unmarked entries, or dropping unmarked ones, leaves it.
TEST(JitLinkStamp, TlbMovesItOnlyForMarkedEntries) {
    using phv::mmu::Access;
    using phv::mmu::Invalidation;
    using phv::mmu::Tlb;
    uint64_t stamp = 1;
    const auto tlb = Tlb::create(&stamp);
    const uint64_t ctx = Tlb::context(0, 0), ea = 0xc000000000010000ull, user = 0x10010000ull;
    phv::mmu::TlbEntry e{};
    e.gpa = 0x5000;
    e.shift = 12;
    const auto fill = [&](Access a, uint64_t at, uint64_t gpa) {
        e.gpa = gpa;
        tlb->insert(a, at, ctx, e);
    };
    fill(Access::Fetch, ea, 0x5000);
    fill(Access::Load, ea, 0x6000);
    fill(Access::Fetch, ea, 0x7000);   // over an unmarked entry
    EXPECT_EQ(stamp, 1u);
    EXPECT_FALSE(tlb->mark_linked(Access::Fetch, ea + 0x1000, ctx));   // nothing there
    EXPECT_FALSE(tlb->mark_linked(Access::Fetch, ea, ctx | 2));        // another context
    ASSERT_TRUE(tlb->mark_linked(Access::Fetch, ea, ctx));
    fill(Access::Load, ea, 0x8000);
    fill(Access::Store, ea, 0x8000);
    fill(Access::Fetch, ea + 0x1000, 0x9000);
    tlb->invalidate({Invalidation::Scope::Page, ea + 0x1000, 12, 0});
    EXPECT_EQ(stamp, 1u);
    fill(Access::Fetch, ea, 0xa000);   // over the marked entry
    EXPECT_EQ(stamp, 2u);
    fill(Access::Fetch, ea, 0xb000);   // the new entry is not marked
    EXPECT_EQ(stamp, 2u);

    const auto marked = [&](uint64_t at) {
        fill(Access::Fetch, at, 0xc000);
        EXPECT_TRUE(tlb->mark_linked(Access::Fetch, at, ctx));
        return stamp;
    };
    uint64_t s = marked(ea);
    tlb->invalidate({Invalidation::Scope::Page, ea, 12, 0});
    EXPECT_EQ(stamp, s + 1);
    tlb->invalidate({Invalidation::Scope::Page, ea, 12, 0});   // already gone
    EXPECT_EQ(stamp, s + 1);
    s = marked(ea);
    tlb->invalidate({Invalidation::Scope::Segment, ea, 28, 0});
    EXPECT_EQ(stamp, s + 1);
    s = marked(user);
    tlb->set_pid(5);   // quadrant 0 belonged to PID 0
    EXPECT_EQ(stamp, s + 1);
    s = marked(ea);
    tlb->set_pid(6);   // quadrant 3 stays
    EXPECT_EQ(stamp, s);
    tlb->retain([&](uint64_t at) { return at != ea; });
    EXPECT_EQ(stamp, s + 1);
    s = marked(ea);
    tlb->flush();
    EXPECT_EQ(stamp, s + 1);
    tlb->flush();   // empty already
    EXPECT_EQ(stamp, s + 1);
    fill(Access::Load, ea, 0xc000);
    tlb->flush();   // a flush does not look for marks: anything emptied moves it
    EXPECT_EQ(stamp, s + 2);
}

// A loop of two blocks on two pages, P and X (X = P + 4K), linked in compiled code: P counts r20 (and
// writes AMR from r22), X tests r20 and branches back; then `change` alters what the fetch at X finds, and
// the loop runs again. X's page holds, elsewhere, other code that also counts r21. Whatever the change,
// the second run must do what the interpreter does: a link made before it must not be taken if the fetch
// at X now comes to another block (the link stamp moved).
struct LinkSeen {
    uint64_t r20 = 0, r21 = 0, r30 = 0, insns = 0, patched = 0, chained = 0;
};
constexpr uint64_t kLinkP = 0x30000, kLinkA = 0x31000, kLinkB = 0x32000;   // real pages: P, X's code, the other
constexpr uint64_t kLinkEa = 0x10000000;                                   // P's EA under MSR[IR]
constexpr int32_t kLinkTurns = 300;
constexpr uint32_t kLinkAmr = 29;
constexpr uint64_t kLpcrIle = 1ull << 25, kLpcrVpm0 = 1ull << 63;

template <typename Change>
LinkSeen run_link_change(bool jit, bool translated, uint64_t lpcr, Change change) {
    using phv::mmu::Access;
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    v.set_jit(jit, 0, false);
    for (uint64_t vec : {0x400, 0x480})
        g.vector_stub(vec);
    // A first run settles the MMU (the partition set-up, the VRMA when LPCR[VPM0] asks for it).
    g.set_reg(PHV_REG_PPC_LPCR_64, lpcr);
    g.load(with_done({}), 0x20000);
    g.run_to_done();
    if (lpcr & kLpcrVpm0)
        g.set_reg(PHV_REG_PPC_LPCR_64, lpcr & ~kLpcrVpm0);   // untranslated real mode for the first run
    const uint32_t cmpwi = 11u << 26 | 20u << 16 | uint32_t(kLinkTurns);
    const auto bne = [](int32_t disp) { return 16u << 26 | 4u << 21 | 2u << 16 | (uint32_t(disp) & 0xfffc); };
    g.load(with_done({cmpwi, bne(-0x1004)}), kLinkA);
    g.load(with_done({addi(21, 21, 1), cmpwi, bne(-0x1008)}), kLinkB);
    g.load({addi(20, 20, 1), mtspr(kLinkAmr, 22), b(0x1000 - 8)}, kLinkP);
    const uint64_t p = translated ? kLinkEa : kLinkP;
    if (translated) {
        const uint64_t ctx = phv::mmu::Tlb::context(0, v.mmu_.key_context);
        phv::mmu::TlbEntry e{};
        e.shift = 12;
        for (auto [ea, gpa] : {std::pair{kLinkEa, kLinkP}, std::pair{kLinkEa + 0x1000, kLinkA}}) {
            e.gpa = gpa;
            e.host = g.ram + gpa;
            v.mmu_.tlb->insert(Access::Fetch, ea, ctx, e);
        }
    }
    const uint64_t msr = g.reg(PHV_REG_PPC_MSR) | (translated ? phv::msr::IR : 0);
    const auto go = [&] {
        g.set_gpr(20, 0), g.set_gpr(21, 0), g.set_gpr(30, 0);
        g.set_reg(PHV_REG_PPC_MSR, msr);
        g.set_reg(PHV_REG_PPC_NIP, p);
        g.run_to_done();
    };
    g.set_gpr(22, 0);
    go();
    EXPECT_EQ(g.gpr(20), uint64_t(kLinkTurns));
    EXPECT_EQ(g.gpr(21), 0u);
    LinkSeen s;
    s.patched = stat(g, "jit_links_patched");
    s.chained = stat(g, "jit_blocks_chained");
    change(g, v);
    const uint64_t before = stat(g, "insns_executed");
    go();
    s.r20 = g.gpr(20), s.r21 = g.gpr(21), s.r30 = g.gpr(30), s.insns = stat(g, "insns_executed") - before;
    return s;
}

template <typename Change>
LinkSeen expect_link_change_like_interpreter(bool translated, uint64_t lpcr, Change change) {
    const LinkSeen interp = run_link_change(false, translated, lpcr, change);
    const LinkSeen jit = run_link_change(true, translated, lpcr, change);
    // The first run went round in linked code: both links patched, most block ends chained.
    EXPECT_GE(jit.patched, 2u);
    EXPECT_GE(jit.chained, uint64_t(kLinkTurns));
    EXPECT_EQ(jit.r20, interp.r20);
    EXPECT_EQ(jit.r21, interp.r21);
    EXPECT_EQ(jit.r30, interp.r30);
    EXPECT_EQ(jit.insns, interp.insns);
    return interp;
}

phv::mmu::TlbEntry fetch_entry(GuestCode &g, uint64_t gpa) {
    phv::mmu::TlbEntry e{};
    e.shift = 12;
    e.gpa = gpa;
    e.host = g.ram + gpa;
    return e;
}

// Under MSR[IR], the fetch TLB entry for X comes to map the other code: filled over the linked entry,
// filled into an entry emptied by an invalidation of X's page, or after a flush.
TEST(JitLinkStamp, FetchTlbEntryRemappedUnderTheLinkIsNotTaken) {
    using phv::mmu::Access;
    const auto ctx = [](phv::Vcpu &v) { return phv::mmu::Tlb::context(0, v.mmu_.key_context); };
    const LinkSeen over = expect_link_change_like_interpreter(true, kLpcrIle, [&](GuestCode &g, phv::Vcpu &v) {
        v.mmu_.tlb->insert(Access::Fetch, kLinkEa + 0x1000, ctx(v), fetch_entry(g, kLinkB));
    });
    EXPECT_EQ(over.r21, uint64_t(kLinkTurns));   // the other code ran every time round
    EXPECT_EQ(over.r20, uint64_t(kLinkTurns));
    const LinkSeen dropped = expect_link_change_like_interpreter(true, kLpcrIle, [&](GuestCode &g, phv::Vcpu &v) {
        EXPECT_EQ(v.mmu_.tlb->invalidate({phv::mmu::Invalidation::Scope::Page, kLinkEa + 0x1000, 12, 0}), 1u);
        v.mmu_.tlb->insert(Access::Fetch, kLinkEa + 0x1000, ctx(v), fetch_entry(g, kLinkB));
    });
    EXPECT_EQ(dropped.r21, uint64_t(kLinkTurns));
    const LinkSeen flushed = expect_link_change_like_interpreter(true, kLpcrIle, [&](GuestCode &g, phv::Vcpu &v) {
        v.mmu_.tlb->flush();
        v.mmu_.tlb->insert(Access::Fetch, kLinkEa, ctx(v), fetch_entry(g, kLinkP));
        v.mmu_.tlb->insert(Access::Fetch, kLinkEa + 0x1000, ctx(v), fetch_entry(g, kLinkB));
    });
    EXPECT_EQ(flushed.r21, uint64_t(kLinkTurns));
}

// The stamp moves while the translations stay (X's entry dropped and filled again the same, as Linux's
// flushes of its kernel PID do): the links are checked again inline and taken, with nothing patched. The
// check marks X's new entry, so that filling it over with the other code then unlinks again.
TEST(JitLinkStamp, SameTranslationAfterAMoveIsRelinkedInlineAndStillGuarded) {
    using phv::mmu::Access;
    uint64_t patched_again = ~0ull;
    const LinkSeen s = expect_link_change_like_interpreter(true, kLpcrIle, [&](GuestCode &g, phv::Vcpu &v) {
        const uint64_t ctx = phv::mmu::Tlb::context(0, v.mmu_.key_context);
        // Twice: the first time also links the loop's way out (X to the end marker, whose block the first
        // run compiled only after leaving X), which marks X's entry from C++; the second time every link
        // is checked inline, and only the compiled code marks X's new entry.
        for (int pass = 0; pass < 2; ++pass) {
            const uint64_t stamp = v.mmu_.link_stamp;
            EXPECT_EQ(v.mmu_.tlb->invalidate({phv::mmu::Invalidation::Scope::Page, kLinkEa + 0x1000, 12, 0}), 1u);
            v.mmu_.tlb->insert(Access::Fetch, kLinkEa + 0x1000, ctx, fetch_entry(g, kLinkA));
            if (v.jit_enabled()) {
                EXPECT_GT(v.mmu_.link_stamp, stamp);
            }
            const uint64_t patched = stat(g, "jit_links_patched");
            g.set_gpr(20, 0);
            g.set_reg(PHV_REG_PPC_NIP, kLinkEa);
            g.run_to_done();
            EXPECT_EQ(g.gpr(20), uint64_t(kLinkTurns));
            patched_again = stat(g, "jit_links_patched") - patched;
        }
        v.mmu_.tlb->insert(Access::Fetch, kLinkEa + 0x1000, ctx, fetch_entry(g, kLinkB));
    });
    EXPECT_EQ(patched_again, 0u);
    EXPECT_EQ(s.r21, uint64_t(kLinkTurns));
}

// Under MSR[IR], P's mtspr AMR changes the key context just before P's end: X's entry has the old
// context's tag, so the fetch at X misses (and faults: no SLB entry) instead of taking the link. The hash
// MMU numbers (AMR, IAMR) pairs: the new AMR gets a new number, or (seen before the loop was linked) its own.
TEST(JitLinkStamp, KeyContextChangeUnlinks) {
    for (bool seen : {false, true}) {
        SCOPED_TRACE(seen ? "a pair seen before" : "a new pair");
        const LinkSeen s = expect_link_change_like_interpreter(true, kLpcrIle, [&](GuestCode &g, phv::Vcpu &v) {
            if (seen) {   // AMR and back, as one_reg writes it: the pair keeps its number
                const uint64_t context = v.mmu_.key_context;
                g.set_reg(PHV_REG_PPC_AMR, 3ull << 62);
                EXPECT_NE(v.mmu_.key_context, context);
                g.set_reg(PHV_REG_PPC_AMR, 0);
                EXPECT_EQ(v.mmu_.key_context, context);
                // The stamp moved with those, and links made since are needed for the test: go round once
                // more, under the original context.
                g.set_gpr(20, 0), g.set_gpr(21, 0);
                g.set_reg(PHV_REG_PPC_NIP, kLinkEa);
                g.run_to_done();
            }
            g.set_gpr(22, 3ull << 62);
        });
        EXPECT_EQ(s.r20, 1u);
        EXPECT_EQ(s.r30, 0x48u);   // Instruction Segment interrupt at X
    }
}

// Real mode: linked untranslated, then LPCR[VPM0] sends real-mode fetches through the VRMA, whose TLB entry
// for X (filled into an empty entry while untranslated, so the TLB moved nothing) maps the other code.
TEST(JitLinkStamp, RealModeRegimeChangeUnlinks) {
    const LinkSeen s = expect_link_change_like_interpreter(false, kLpcrIle | kLpcrVpm0, [](GuestCode &g, phv::Vcpu &v) {
        v.mmu_.tlb->insert(phv::mmu::Access::Fetch, kLinkA, phv::mmu::Tlb::kRealContext, fetch_entry(g, kLinkB));
        g.set_reg(PHV_REG_PPC_LPCR_64, kLpcrIle | kLpcrVpm0);
        EXPECT_TRUE(v.mmu_.vrma);
    });
    EXPECT_EQ(s.r21, uint64_t(kLinkTurns));
}

// The block cache's epoch: X's code rewritten behind the vcpu's back and invalidated (phv_invalidate_code's
// path), so X's block is dropped and built again from the new code.
TEST(JitLinkStamp, DroppedBlockUnlinks) {
    const LinkSeen s = expect_link_change_like_interpreter(true, kLpcrIle, [](GuestCode &g, phv::Vcpu &v) {
        const uint32_t cmpwi = 11u << 26 | 20u << 16 | uint32_t(kLinkTurns);
        const uint32_t code[] = {addi(21, 21, 1), cmpwi, 16u << 26 | 4u << 21 | 2u << 16 | (uint32_t(-0x1008) & 0xfffc),
                                 addi(3, 0, int32_t(GuestCode::kDone)), sc(1)};
        std::memcpy(g.ram + kLinkA, code, sizeof code);
        v.request_code_invalidate(kLinkA);
    });
    EXPECT_EQ(s.r21, uint64_t(kLinkTurns));
}


// A function called from four sites in a loop returns through four of its block's link slots (a block ending
// in bclr or bcctr has eight): after the first turn no return goes through Vcpu::jit_link's lookup, where
// with two slots two returns in four would, every turn. The count and result are the interpreter's.
TEST(JitLinkSlots, ReturnsToFourCallSitesAreLinked) {
    constexpr uint32_t kBlr = 0x4e800020;
    constexpr uint32_t kCmpwi_r20_1000 = 11u << 26 | 0u << 23 | 20u << 16 | 1000u;
    constexpr uint32_t kBne_minus24 = 16u << 26 | 4u << 21 | 2u << 16 | (uint32_t(-24) & 0xfffc);
    const auto bl = [](int32_t disp) { return b(disp) | 1; };
    constexpr uint64_t kF = GuestCode::kCodeBase + 0x100;
    uint64_t insns[2] = {}, lookups = 0, r21 = 0;
    for (int jit = 0; jit < 2; ++jit) {
        GuestCode g;
        vcpu_of(g).set_jit(jit, 0, false);
        g.load({addi(21, 21, 1), kBlr}, kF);
        g.load(with_done({addi(20, 0, 0), bl(0xfc), bl(0xf8), bl(0xf4), bl(0xf0), addi(20, 20, 1), kCmpwi_r20_1000,
                          kBne_minus24}));
        const uint64_t before = stat(g, "insns_executed");
        g.run_to_done();
        insns[jit] = stat(g, "insns_executed") - before;
        if (jit)
            lookups = stat(g, "jit_link_lookups"), r21 = g.gpr(21);
    }
    EXPECT_EQ(insns[0], insns[1]);
    EXPECT_EQ(r21, 4000u);
    // The first turn's links, and the ends after the run loop's timer checks (one block in 257) that find a
    // slot of another stamp: far fewer than the 2,000 lookups of two slots.
    EXPECT_LT(lookups, 200u);
}


// The page cells (Vcpu::JitPage) carry a load's or a store's page from one linked block to the next; what
// runs in C++ between them may change what the page is.
constexpr uint32_t kCmpwiR20 = 11u << 26 | 20u << 16;
constexpr uint32_t add(uint32_t rt, uint32_t ra, uint32_t rb) { return XO(rt, ra, rb, 266, 0, 0); }

// A called row between two linked blocks (mtspr AMR: a new key context, which the TLB's tags carry): the
// successor's first load must not take the page the load before it left in the cell. Under MSR[DR], the
// data EA is in the TLB for AMR 0 only (no SLB: any miss faults); P loads it and writes AMR from r22, X
// loads it again and goes back to P. Linked with r22 = 0, then run with another AMR: X's load faults.
// (Registers from r13 up: finishing the hcall that ended a run writes r3-r12 when the next one starts.)
TEST(JitPageCells, CalledRowBetweenLinkedBlocksEmptiesThem) {
    using phv::mmu::Access;
    constexpr uint64_t kEa = 0x20000000, kData = 0x40000, kAmr = 3ull << 62;
    constexpr int32_t kTurns = 200;
    uint64_t seen[2][4] = {};
    for (int jit = 0; jit < 2; ++jit) {
        GuestCode g;
        phv::Vcpu &v = vcpu_of(g);
        v.set_jit(jit, 0, false);
        for (uint64_t vec : {0x300, 0x380})
            g.vector_stub(vec);
        g.set_reg(PHV_REG_PPC_LPCR_64, kLpcrIle);
        g.load(with_done({}), 0x20000);
        g.run_to_done();
        const uint32_t one = 1;   // little-endian, as the guest runs (LPCR[ILE], and the MSR it starts with)
        std::memcpy(g.ram + kData, &one, 4);
        v.mmu_.tlb->insert(Access::Load, kEa, phv::mmu::Tlb::context(0, v.mmu_.key_context), fetch_entry(g, kData));
        const auto bne = [](int32_t disp) { return 16u << 26 | 4u << 21 | 2u << 16 | (uint32_t(disp) & 0xfffc); };
        g.load({lwz(15, 14, 0), add(23, 23, 15), mtspr(kLinkAmr, 22), b(0x1000 - 12)}, kLinkP);
        g.load(with_done({lwz(16, 14, 0), add(24, 24, 16), addi(20, 20, 1), kCmpwiR20 | uint32_t(kTurns), bne(-0x1010)}),
               kLinkA);
        const uint64_t msr = g.reg(PHV_REG_PPC_MSR) | phv::msr::DR;
        for (uint64_t amr : {uint64_t(0), kAmr}) {
            g.set_gpr(14, kEa), g.set_gpr(22, amr), g.set_gpr(20, 0), g.set_gpr(23, 0), g.set_gpr(24, 0);
            g.set_gpr(30, 0);
            g.set_reg(PHV_REG_PPC_MSR, msr);
            g.set_reg(PHV_REG_PPC_NIP, kLinkP);
            g.run_to_done();
        }
        seen[jit][0] = g.gpr(20), seen[jit][1] = g.gpr(23), seen[jit][2] = g.gpr(24), seen[jit][3] = g.gpr(30);
        if (jit) {
            EXPECT_GE(stat(g, "jit_blocks_chained"), uint64_t(kTurns));
        }
    }
    EXPECT_EQ(seen[0][3], 0x38u) << "X's load faults (Data Segment) under the new context";
    EXPECT_EQ(seen[0][0], 0u);
    EXPECT_EQ(seen[0][1], 1u);
    EXPECT_EQ(seen[0][2], 0u);
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(seen[1][i], seen[0][i]) << i;
}

} // namespace
