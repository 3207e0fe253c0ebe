// The block pool (memory/block_pool.h): pieces of every size a block and its instructions come in, live at
// once, never overlap, keep what was written to them and are aligned for a Block, through a churn of
// allocations and frees (requests beyond the pool's sizes go to the heap). Blocks, their instruction
// arrays and link slots come from it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include <sys/mman.h>

#include "memory/block_pool.h"
#include "memory/zero_pages.h"
#include "vcpu/block_cache.h"

namespace {

struct Piece {
    uint8_t *p;
    size_t n;
    uint8_t fill;
};

bool overlap(const Piece &a, const Piece &b) { return a.p < b.p + b.n && b.p < a.p + a.n; }

TEST(BlockPool, LivePiecesAreDisjointAlignedAndKeepTheirBytes) {
    std::mt19937_64 rng(7);
    std::vector<Piece> live;
    for (int round = 0; round < 20000; ++round) {
        if (!live.empty() && rng() % 3 == 0) {
            const size_t i = rng() % live.size();
            const Piece dead = live[i];
            for (size_t k = 0; k < dead.n; ++k)
                ASSERT_EQ(dead.p[k], dead.fill) << "piece of " << dead.n << " bytes changed while live";
            phv::block_pool::deallocate(dead.p, dead.n);
            live[i] = live.back();
            live.pop_back();
            continue;
        }
        const size_t n = 1 + rng() % 5000;   // past the largest pooled size too
        Piece piece{static_cast<uint8_t *>(phv::block_pool::allocate(n)), n, uint8_t(rng())};
        ASSERT_NE(piece.p, nullptr);
        ASSERT_EQ(reinterpret_cast<uintptr_t>(piece.p) % alignof(std::max_align_t), 0u);
        std::memset(piece.p, piece.fill, n);
        live.push_back(piece);
    }
    std::sort(live.begin(), live.end(), [](const Piece &a, const Piece &b) { return a.p < b.p; });
    for (size_t i = 1; i < live.size(); ++i)
        ASSERT_FALSE(overlap(live[i - 1], live[i])) << live[i - 1].n << " and " << live[i].n << " bytes";
    for (const Piece &piece : live) {
        for (size_t k = 0; k < piece.n; ++k)
            ASSERT_EQ(piece.p[k], piece.fill);
        phv::block_pool::deallocate(piece.p, piece.n);
    }
}

TEST(BlockPool, BlocksAndTheirInstructionsComeAndGo) {
    std::vector<std::unique_ptr<phv::Block>> blocks;
    for (unsigned i = 0; i < 3000; ++i) {
        auto b = std::make_unique<phv::Block>();
        b->start = 4 * i;
        b->insns.resize(1 + i % phv::isa::kMaxBlockInsns);
        for (auto &d : b->insns)
            d.word = i;
        if (i % 8 == 0)
            b->jit_slots = std::make_unique<phv::Block::JitSlots>();
        blocks.push_back(std::move(b));
        if (i % 5 == 0)
            blocks.erase(blocks.begin() + (i * 7919) % blocks.size());
    }
    for (const auto &b : blocks)
        for (const auto &d : b->insns)
            ASSERT_EQ(d.word, b->start / 4);
}

} // namespace

namespace {

// map_huge_pages (memory/zero_pages.h), under the pool, the code buffer and the HPT: 2 MiB-aligned, zero,
// writable over its whole size, for sizes that are and are not multiples of 2 MiB.
TEST(BlockPool, HugePageMappingsAreAlignedZeroAndWritable) {
    for (size_t bytes : {size_t(4096), size_t(2) << 20, (size_t(5) << 20) + 4096}) {
        auto *p = static_cast<uint8_t *>(phv::map_huge_pages(bytes, PROT_READ | PROT_WRITE));
        ASSERT_NE(p, nullptr) << bytes;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % (size_t(2) << 20), 0u) << bytes;
        for (size_t i = 0; i < bytes; i += 4096) {
            ASSERT_EQ(p[i], 0) << bytes << " " << i;
            p[i] = 0xa5;
        }
        p[bytes - 1] = 0x5a;
        EXPECT_EQ(p[bytes - 1], 0x5a);
        phv::unmap_zero_pages(p, bytes);
    }
}

} // namespace
