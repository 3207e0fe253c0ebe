// The block cache's map from block key (BlockCache::key: real address and mode) to the block it owns.
//
// Every block that misses the jump cache and the links hashes here, and a boot builds tens of thousands of
// blocks, so this is an open-addressing table rather than a node-based map: one array of (key, block)
// slots, Fibonacci hashing (keys are word-aligned addresses with the mode in the top bits: multiplying
// spreads both into the index bits), linear probing, and erase by shifting the run after the erased slot
// back (no tombstones, so a table that sees many invalidations does not fill with them). A null block
// marks an empty slot, so key 0 (real address 0 in mode 0) is a key like any other.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace phv {

template <typename T>
class BlockMap {
public:
    T *find(uint64_t key) const {
        if (slots_.empty())
            return nullptr;
        for (size_t i = index(key);; i = (i + 1) & mask_) {
            const Slot &s = slots_[i];
            if (!s.value)
                return nullptr;
            if (s.key == key)
                return s.value.get();
        }
    }
    // Stores `value` under `key`, dropping the value held there before (as map[key] = value does).
    T *insert(uint64_t key, std::unique_ptr<T> value) {
        if ((size_ + 1) * 4 > slots_.size() * 3)   // at most 3/4 full: probe runs stay short
            grow();
        size_t i = index(key);
        for (; slots_[i].value; i = (i + 1) & mask_) {
            if (slots_[i].key == key) {
                slots_[i].value = std::move(value);
                return slots_[i].value.get();
            }
        }
        slots_[i] = {key, std::move(value)};
        ++size_;
        return slots_[i].value.get();
    }
    // 1 if `key` was there (its value is destroyed), else 0.
    size_t erase(uint64_t key) {
        if (slots_.empty())
            return 0;
        size_t i = index(key);
        for (;; i = (i + 1) & mask_) {
            if (!slots_[i].value)
                return 0;
            if (slots_[i].key == key)
                break;
        }
        slots_[i].value.reset();
        // Entries after the hole that probed past it move into it, or find() would stop at the hole before
        // reaching them. An entry may move only if its home slot is not in the cyclic range (hole, j].
        for (size_t hole = i, j = (i + 1) & mask_; slots_[j].value; j = (j + 1) & mask_) {
            const size_t home = index(slots_[j].key);
            if (((j - home) & mask_) >= ((j - hole) & mask_)) {
                slots_[hole] = std::move(slots_[j]);
                hole = j;
            }
        }
        --size_;
        return 1;
    }
    void clear() { slots_.clear(), size_ = 0, mask_ = 0, shift_ = 64; }
    size_t size() const { return size_; }

private:
    struct Slot {
        uint64_t key = 0;
        std::unique_ptr<T> value;
    };
    size_t index(uint64_t key) const { return size_t((key * 0x9e3779b97f4a7c15ull) >> shift_) & mask_; }
    void grow() {
        std::vector<Slot> old = std::move(slots_);
        const size_t n = old.empty() ? 1024 : old.size() * 2;
        slots_ = std::vector<Slot>(n);
        mask_ = n - 1;
        shift_ = 64 - unsigned(__builtin_ctzll(n));
        for (Slot &s : old) {
            if (!s.value)
                continue;
            size_t i = index(s.key);
            while (slots_[i].value)
                i = (i + 1) & mask_;
            slots_[i] = std::move(s);
        }
    }
    std::vector<Slot> slots_;
    size_t size_ = 0, mask_ = 0;
    unsigned shift_ = 64;
};

} // namespace phv
