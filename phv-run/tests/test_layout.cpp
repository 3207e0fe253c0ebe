// Guest-physical placement of initrd, RTAS and the device tree.
#include <gtest/gtest.h>

#include "layout.h"

namespace phvrun {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

TEST(Layout, TreeAndRtasSitJustBelow256MiB) {
    auto l = plan_layout({1024 * kMiB, 0x400000, 0x500000, 0});
    ASSERT_TRUE(l) << l.error();
    EXPECT_EQ(l->initrd_start, l->initrd_end);
    EXPECT_EQ(l->rtas_base, 256 * kMiB - kRtasAreaSize - kFdtMaxSize);
    EXPECT_EQ(l->rtas_size, kRtasAreaSize);
    EXPECT_EQ(l->fdt_base, l->rtas_base + kRtasAreaSize);
    EXPECT_EQ(l->fdt_base + l->fdt_max_size, 256 * kMiB);
}

TEST(Layout, SmallRamPutsTheTreeAtTheTop) {
    auto l = plan_layout({64 * kMiB, 0x400000, 0x500000, 0});
    ASSERT_TRUE(l) << l.error();
    EXPECT_EQ(l->fdt_base + l->fdt_max_size, 64 * kMiB);
}

TEST(Layout, RamSizeOffA64KBoundaryKeepsRtasAndTreeAligned) {
    // Found by fuzz-elf: RAM ending 0x1d1d bytes past 64 MiB put the tree at an odd address.
    auto l = plan_layout({64 * kMiB + 0x1d1d, 0x400000, 0x500000, 0});
    ASSERT_TRUE(l) << l.error();
    EXPECT_EQ(l->rtas_base % kRtasAreaSize, 0u);
    EXPECT_EQ(l->fdt_base + l->fdt_max_size, 64 * kMiB);
}

TEST(Layout, InitrdFollowsTheKernel64KAligned) {
    auto l = plan_layout({1024 * kMiB, 0x400000, 0x512345, 0x1000});
    ASSERT_TRUE(l) << l.error();
    EXPECT_EQ(l->initrd_start, 0x520000u);
    EXPECT_EQ(l->initrd_end, 0x521000u);
}

TEST(Layout, BigInitrdPushesTheTreeAboveIt) {
    // Initrd runs past 250 MiB: the tree follows it instead.
    auto l = plan_layout({1024 * kMiB, 0x400000, 0x500000, 250 * kMiB});
    ASSERT_TRUE(l) << l.error();
    EXPECT_GE(l->rtas_base, l->initrd_end);
    EXPECT_EQ(l->rtas_base % kInitrdAlign, 0u);
    EXPECT_LE(l->fdt_base + l->fdt_max_size, kFdtCeiling);
}

TEST(Layout, Errors) {
    auto k = plan_layout({64 * kMiB, 0x400000, 65 * kMiB, 0});
    ASSERT_FALSE(k);
    EXPECT_NE(k.error().find("kernel does not fit"), std::string::npos) << k.error();
    auto i = plan_layout({64 * kMiB, 0x400000, 0x500000, 64 * kMiB});
    ASSERT_FALSE(i);
    EXPECT_NE(i.error().find("initrd"), std::string::npos) << i.error();
    // Kernel and initrd fill RAM: no room left for the tree.
    auto t = plan_layout({64 * kMiB, 0x400000, 0x500000, 59 * kMiB});
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().find("no room for the device tree"), std::string::npos) << t.error();
}

} // namespace
} // namespace phvrun
