// phv-run's guest RAM: one mapping with inaccessible guards around it, starting on a huge-page boundary.
#include <cstring>
#include <gtest/gtest.h>
#include <utility>

#include "guest_ram.h"

using phvrun::GuestRam;

namespace {
constexpr uint64_t kSize = 8ull << 20;

GuestRam allocated() {
    auto r = GuestRam::allocate(kSize);
    EXPECT_TRUE(r.ok());
    return std::move(*r);
}
} // namespace

TEST(GuestRam, IsZeroedWritableAndHugePageAligned) {
    GuestRam ram = allocated();
    ASSERT_NE(ram.data(), nullptr);
    EXPECT_EQ(ram.size(), kSize);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(ram.data()) % GuestRam::kHugePage, 0u);
    for (uint64_t off = 0; off < kSize; off += 4096)
        ASSERT_EQ(ram.data()[off], 0) << off;
    std::memset(ram.data(), 0xa5, kSize);
    EXPECT_EQ(ram.data()[kSize - 1], 0xa5);
}

// The guards are what makes a bounds-check bug in the core a crash rather than a silent neighbour access.
TEST(GuestRamDeathTest, TheBytesAroundItAreNotMapped) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    GuestRam ram = allocated();
    volatile uint8_t *const p = ram.data();
    EXPECT_DEATH((void)p[-1], "");
    EXPECT_DEATH((void)p[-int64_t(GuestRam::kGuard)], "");
    EXPECT_DEATH((void)p[kSize], "");
    EXPECT_DEATH((void)p[kSize + GuestRam::kGuard - 1], "");
}

TEST(GuestRam, MovingHandsTheMappingOver) {
    GuestRam a = allocated();
    uint8_t *const data = a.data();
    data[0] = 7;
    GuestRam b(std::move(a));
    EXPECT_EQ(a.data(), nullptr);
    EXPECT_EQ(b.data(), data);
    GuestRam c = allocated();
    c = std::move(b);   // c's own mapping is released, b's taken over
    EXPECT_EQ(c.data(), data);
    EXPECT_EQ(c.data()[0], 7);
}
