// The block cache's open-addressing map (vcpu/block_map.h) against std::unordered_map on the same random
// operations, with keys drawn from a few pages so that probe runs form, wrap around the table's end and are
// cut by erases; and the block cache on top of it: insert, find, replacement, invalidate_page and epochs.
#include <algorithm>
#include <gtest/gtest.h>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include "vcpu/block_cache.h"
#include "vcpu/block_map.h"

namespace {

struct Tracked {
    uint64_t key;
    int *live;
    Tracked(uint64_t k, int *l) : key(k), live(l) { ++*live; }
    ~Tracked() { --*live; }
};

TEST(BlockMap, MatchesUnorderedMapUnderRandomInsertsAndErases) {
    std::mt19937_64 rng(7);
    int live = 0;
    {
        phv::BlockMap<Tracked> map;
        std::unordered_map<uint64_t, Tracked *> ref;
        // A small key space (word-aligned addresses in 64 pages, four modes) keeps the table dense at times
        // and makes erases hit keys that are there.
        auto draw = [&] {
            const uint64_t mode = rng() % 4;
            return (rng() % (64 * 1024)) * 4 | mode << phv::BlockCache::kModeShift;
        };
        for (int op = 0; op < 400000; ++op) {
            const uint64_t k = op % 1000 == 0 ? 0 : draw();   // key 0 is an ordinary key
            switch (rng() % 3) {
            case 0: {
                Tracked *t = map.insert(k, std::make_unique<Tracked>(k, &live));
                ref[k] = t;   // an insert replaces the value under its key
                break;
            }
            case 1:
                ASSERT_EQ(map.erase(k), ref.erase(k)) << op;
                break;
            default:
                break;
            }
            const auto it = ref.find(k);
            ASSERT_EQ(map.find(k), it == ref.end() ? nullptr : it->second) << op;
            ASSERT_EQ(map.size(), ref.size());
            ASSERT_EQ(live, int(ref.size()));
        }
        for (const auto &[k, t] : ref) {
            ASSERT_EQ(map.find(k), t);
            ASSERT_EQ(t->key, k);
        }
        // Erasing everything in a random order leaves every run intact until its last member goes.
        std::vector<uint64_t> keys;
        for (const auto &[k, t] : ref)
            keys.push_back(k);
        std::shuffle(keys.begin(), keys.end(), rng);
        for (size_t i = 0; i < keys.size(); ++i) {
            ASSERT_EQ(map.erase(keys[i]), 1u);
            ASSERT_EQ(map.erase(keys[i]), 0u);
            if (i + 1 < keys.size()) {
                ASSERT_NE(map.find(keys[i + 1]), nullptr) << i;
            }
        }
        EXPECT_EQ(map.size(), 0u);
        EXPECT_EQ(live, 0);
        map.insert(4, std::make_unique<Tracked>(4, &live));
        map.clear();
        EXPECT_EQ(live, 0);
        EXPECT_EQ(map.find(4), nullptr);
    }
    EXPECT_EQ(live, 0);
}

// Keys that share their home slot (found by search in a 1024-slot table) make one run; erasing from its
// middle and its head must leave the rest findable, and the run may wrap past the table's last slot.
TEST(BlockMap, CollidingKeysStayFindableAcrossErases) {
    int live = 0;
    phv::BlockMap<Tracked> map;
    map.insert(1ull << 60, std::make_unique<Tracked>(0, &live));   // sizes the table: 1024 slots
    auto home = [](uint64_t k) { return size_t((k * 0x9e3779b97f4a7c15ull) >> 54); };
    for (size_t target : {size_t(5), size_t(1023)}) {
        std::vector<uint64_t> same;
        for (uint64_t k = 4; same.size() < 6; k += 4)
            if (home(k) == target)
                same.push_back(k);
        for (uint64_t k : same)
            map.insert(k, std::make_unique<Tracked>(k, &live));
        for (size_t victim : {size_t(2), size_t(0), size_t(5)}) {
            ASSERT_EQ(map.erase(same[victim]), 1u);
            for (size_t i = 0; i < same.size(); ++i) {
                const bool gone = i == 2 || (i == 0 && victim != 2) || (i == 5 && victim == 5);
                EXPECT_EQ(map.find(same[i]) == nullptr, gone) << target << " " << victim << " " << i;
            }
        }
    }
}

std::unique_ptr<phv::Block> block_at(uint64_t ra, uint64_t msr) {
    auto b = std::make_unique<phv::Block>();
    b->real_start = b->start = ra;
    b->key = phv::BlockCache::key(ra, msr);
    return b;
}

TEST(BlockCache, InvalidatePageDropsItsBlocksInEveryModeAndStartsAnEpoch) {
    phv::BlockCache bc;
    std::vector<phv::Block *> page3, page4;
    for (uint64_t msr : {0ull, 1ull, 1ull << 63}) {
        for (uint64_t off = 0; off < 0x1000; off += 0x40) {
            page3.push_back(bc.insert(block_at(0x3000 + off, msr)));
            page4.push_back(bc.insert(block_at(0x4000 + off, msr)));
        }
    }
    for (phv::Block *b : page3)
        EXPECT_EQ(bc.find(b->key), b);
    const uint64_t epoch = bc.epoch();
    EXPECT_EQ(bc.invalidate_page(3), page3.size());
    EXPECT_GT(bc.epoch(), epoch);
    for (uint64_t off = 0; off < 0x1000; off += 0x40)
        EXPECT_EQ(bc.find(phv::BlockCache::key(0x3000 + off, 0)), nullptr);
    for (phv::Block *b : page4)
        EXPECT_EQ(bc.find(b->key), b);
    EXPECT_EQ(bc.invalidate_page(3), 0u);
    // A block built again at a key replaces the old one; the page drops it once.
    phv::Block *again = bc.insert(block_at(0x4000, 0));
    EXPECT_EQ(bc.find(phv::BlockCache::key(0x4000, 0)), again);
    EXPECT_EQ(bc.invalidate_page(4), page4.size());
    bc.insert(block_at(0x5000, 0));
    bc.clear();
    EXPECT_EQ(bc.find(phv::BlockCache::key(0x5000, 0)), nullptr);
}

} // namespace
