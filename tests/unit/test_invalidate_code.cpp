// PHV_INVALIDATE_CODE: code the VMM rewrites behind the guest's back (a reset reloading firmware) runs as
// written once the VMM says so; bad ranges are refused without side effects.
#include <gtest/gtest.h>

#include "guest_code.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

TEST(InvalidateCode, RewrittenCodeRunsAfterTheCall) {
    GuestCode g;
    g.load(with_done({addi(20, 0, 1)}));
    g.run_to_done();
    ASSERT_EQ(g.gpr(20), 1u);

    g.load(with_done({addi(20, 0, 2)}));   // host-side write: the core's decoded block is now stale
    ASSERT_EQ(phv_invalidate_code(g.vm, GuestCode::kCodeBase, 8), 0);
    g.run_to_done();
    EXPECT_EQ(g.gpr(20), 2u);
}

TEST(InvalidateCode, WholeRamAndUnmappedRanges) {
    GuestCode g;
    g.load(with_done({addi(20, 0, 3)}));
    g.run_to_done();
    g.load(with_done({addi(20, 0, 4)}));
    EXPECT_EQ(phv_invalidate_code(g.vm, 0, GuestCode::kRamSize), 0);
    g.run_to_done();
    EXPECT_EQ(g.gpr(20), 4u);
    // Outside every slot, or empty: nothing to drop, and not an error.
    EXPECT_EQ(phv_invalidate_code(g.vm, 1ull << 40, 1ull << 20), 0);
    EXPECT_EQ(phv_invalidate_code(g.vm, GuestCode::kCodeBase, 0), 0);
}

TEST(InvalidateCode, BadArguments) {
    GuestCode g;
    EXPECT_EQ(phv_invalidate_code(nullptr, 0, 4096), -EFAULT);
    EXPECT_EQ(phv_invalidate_code(g.vm, ~0ull - 4095, 8192), -EINVAL);
}

} // namespace
