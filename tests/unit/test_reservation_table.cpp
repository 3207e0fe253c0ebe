// vm/reservation_table.h: a slot flags stores exactly while some vcpu holds a reservation in it (so stores
// elsewhere stay on the fast path), another holder's store loses a reservation, the holder's own store does
// not, and only the vcpu counted into the slot can succeed in its stcx.
#include <gtest/gtest.h>

#include "vm/reservation_table.h"

namespace phv::test {
namespace {

using Holder = ReservationTable::Holder;
constexpr uint64_t kGranule = 1ull << ReservationTable::kGranuleShift;

TEST(ReservationTable, FlagsAGranuleOnlyWhileSomeoneHoldsIt) {
    const auto t = ReservationTable::create();
    Holder a, b;
    const uint64_t gpa = 0x12340;
    t->reserve(gpa, a);
    t->reserve(gpa + 8, b);   // the same granule
    EXPECT_TRUE(t->maybe_reserved(gpa, 8));
    t->release(a);
    EXPECT_TRUE(t->maybe_reserved(gpa, 8)) << "b still holds it";
    t->release(b);
    EXPECT_FALSE(t->maybe_reserved(gpa, 8));
    t->release(b);   // twice: nothing to give back
    EXPECT_FALSE(t->maybe_reserved(gpa, 8));
}

TEST(ReservationTable, AVcpuCountsOnceAndMovesWithItsNextLarx) {
    const auto t = ReservationTable::create();
    Holder a;
    const uint64_t g1 = 0x40000, g2 = g1 + 5 * kGranule;
    t->reserve(g1, a);
    t->reserve(g1, a);   // larx again on the same granule: still one count
    t->release(a);
    EXPECT_FALSE(t->maybe_reserved(g1, 8));
    t->reserve(g1, a);
    const uint64_t gen = t->reserve(g2, a);   // a vcpu holds one reservation: g1's slot is given back
    EXPECT_FALSE(t->maybe_reserved(g1, 8));
    EXPECT_TRUE(t->maybe_reserved(g2, 8));
    EXPECT_TRUE(t->unchanged(g2, gen, a));
    EXPECT_FALSE(t->unchanged(g1, gen, a));
}

TEST(ReservationTable, AnotherStoreLosesTheReservationAndTheOwnStoreDoesNot) {
    const auto t = ReservationTable::create();
    Holder a, b;
    const uint64_t gpa = 0x8000;
    uint64_t gen = t->reserve(gpa, a);
    uint64_t none = 0;
    t->note_store(gpa + 0x7f, 1, true, gpa, gen);   // a's own store, last byte of the granule
    EXPECT_TRUE(t->unchanged(gpa, gen, a));
    t->note_store(gpa + kGranule, 8, false, 0, none);   // the next granule
    EXPECT_TRUE(t->unchanged(gpa, gen, a));
    const uint64_t gen_b = t->reserve(gpa, b);   // b's larx does not disturb a's reservation
    EXPECT_TRUE(t->unchanged(gpa, gen, a));
    t->note_store(gpa + kGranule - 4, 8, false, 0, none);   // another vcpu's store reaching into it
    EXPECT_FALSE(t->unchanged(gpa, gen, a));
    EXPECT_FALSE(t->unchanged(gpa, gen_b, b));
}

TEST(ReservationTable, OnlyTheCountedVcpuCanSucceed) {
    const auto t = ReservationTable::create();
    Holder a, stranger;
    const uint64_t gpa = 0x9000;
    const uint64_t gen = t->reserve(gpa, a);
    // Register state saying "reserved at gpa, generation gen" copied to a vcpu that never did the larx.
    EXPECT_FALSE(t->unchanged(gpa, gen, stranger));
    t->release(a);
    EXPECT_FALSE(t->unchanged(gpa, gen, a)) << "a reservation given back cannot succeed";
}

} // namespace
} // namespace phv::test
