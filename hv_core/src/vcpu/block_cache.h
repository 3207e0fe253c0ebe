// Predecoded blocks: guest code decoded once into Decoded records and executed from there.
//
// A block is keyed by the real address of its first instruction and the MSR bits that change how the same
// bytes execute (LE, PR, SF, IR). Blocks are dropped by guest page when code there is modified.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "isa/insn.h"

namespace phv {

struct Block {
    uint64_t key = 0;
    uint64_t start = 0;        // EA of the first instruction
    uint64_t real_start = 0;   // its real address
    std::vector<isa::Decoded> insns;
};

class BlockCache {
public:
    static uint64_t key(uint64_t real_addr, uint64_t msr);
    Block *find(uint64_t key) {
        auto it = blocks_.find(key);
        return it == blocks_.end() ? nullptr : it->second.get();
    }
    Block *insert(std::unique_ptr<Block> b);
    // Drops every block that starts in the 4 KiB real page `page` (blocks never cross a page).
    size_t invalidate_page(uint64_t page);
    void clear() { blocks_.clear(), by_page_.clear(); }

private:
    std::unordered_map<uint64_t, std::unique_ptr<Block>> blocks_;
    std::unordered_map<uint64_t, std::vector<uint64_t>> by_page_;
};

} // namespace phv
