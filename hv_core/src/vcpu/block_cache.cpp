#include "vcpu/block_cache.h"

#include "vcpu/cpu_state.h"

namespace phv {

Block *BlockCache::insert(std::unique_ptr<Block> b) {
    Block *raw = b.get();
    by_page_[page_of(*raw)].push_back(raw->key);
    return blocks_.insert(raw->key, std::move(b));
}

size_t BlockCache::invalidate_page(uint64_t page) {
    auto it = by_page_.find(page);
    if (it == by_page_.end())
        return 0;
    size_t n = 0;
    for (uint64_t k : it->second)
        n += blocks_.erase(k);
    by_page_.erase(it);
    if (n)
        new_epoch();   // jump-cache entries and links may name the blocks just dropped
    return n;
}

} // namespace phv
