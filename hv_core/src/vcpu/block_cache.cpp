#include "vcpu/block_cache.h"

#include "vcpu/cpu_state.h"

namespace phv {

uint64_t BlockCache::key(uint64_t real_addr, uint64_t m) {
    // Real addresses are below 2^60, which leaves the top nibble for the mode.
    const uint64_t mode = ((m & msr::LE) ? 1 : 0) | ((m & msr::PR) ? 2 : 0) | ((m & msr::SF) ? 4 : 0) |
                          ((m & msr::IR) ? 8 : 0);
    return (real_addr & 0x0fffffffffffffffull) | (mode << 60);
}

Block *BlockCache::insert(std::unique_ptr<Block> b) {
    Block *raw = b.get();
    by_page_[(raw->real_start & 0x0fffffffffffffffull) >> 12].push_back(raw->key);
    blocks_[raw->key] = std::move(b);
    return raw;
}

size_t BlockCache::invalidate_page(uint64_t page) {
    auto it = by_page_.find(page);
    if (it == by_page_.end())
        return 0;
    size_t n = 0;
    for (uint64_t k : it->second)
        n += blocks_.erase(k);
    by_page_.erase(it);
    return n;
}

} // namespace phv
