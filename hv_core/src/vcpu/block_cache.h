// Predecoded blocks: guest code decoded once into Decoded records and executed from there.
//
// A block runs from its first instruction to one that ends it (isa::ends_block; a forward conditional
// branch is a side exit that it runs on past, isa::side_exit), within one page. It is keyed by the real
// address of its first instruction and the MSR bits that change how the same bytes execute (LE, PR, SF, IR)
// and MSR[DR] (compiled loads and stores depend on it). Blocks are dropped by guest page when code there is
// modified.
// The map from key to block is an open-addressing table (vcpu/block_map.h) that owns the blocks.
//
// In front of the map sits a jump cache: a direct-mapped array from (effective address, mode) to the block
// last found there, which serves every branch target, direct or indirect, without hashing. An entry only
// proposes a block: under MSR[IR] the caller checks it against the current fetch translation (the block's
// real address), so translation changes need not touch the cache. Entries carry the epoch they were made
// in (below), so dropping blocks empties the cache without writing it; the array starts as zero pages
// (memory/zero_pages.h), which no epoch matches, and only what a vcpu uses of it is ever faulted in.
//
// Before the jump cache comes direct linking: each block remembers the blocks that followed it (a
// conditional branch's target and fall-through), so a loop goes from block to block without hashing. A link
// is a proposal like a jump-cache entry (the caller checks it the same way) and is valid only in the epoch it
// was made in: dropping any block starts a new epoch, so a link never leads to a freed block.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "isa/decoder.h"
#include "isa/insn.h"
#include "memory/block_pool.h"
#include "memory/zero_pages.h"
#include "vcpu/block_map.h"
#include "vcpu/cpu_state.h"

namespace phv {

class Vcpu;

struct Block {
    // From the block pool (memory/block_pool.h), as is everything a block owns.
    static void *operator new(size_t n) { return block_pool::allocate(n); }
    static void operator delete(void *p, size_t n) noexcept { block_pool::deallocate(p, n); }

    uint64_t key = 0;
    uint64_t start = 0;        // EA of the first instruction
    uint64_t real_start = 0;   // its real address
    std::vector<isa::Decoded, block_pool::Allocator<isa::Decoded>> insns;

    // The JIT tier (jit/compiler.h): how often the block ran in the interpreter, and its host code once hot,
    // valid while jit_generation is the code buffer's. The code dies with the block.
    uint32_t runs = 0;
    bool jit_queued = false;   // waiting for the vcpu's compile worker (jit/compile_worker.h)
    uint64_t jit_generation = 0;
    isa::Flow (*jit)(Vcpu *) = nullptr;
    // Where compiled code that links to this block jumps: past the entry's prologue (the linking block's
    // frame stays), so the host stack stays flat however long a chain of linked blocks runs.
    const uint8_t *jit_linked_entry = nullptr;
    // The patchable link slots in the code (jit/link.cpp): offsets into the code of the immediates a link
    // writes (its NIP and its jump).
    struct JitSlot {
        uint32_t nip = 0, jmp = 0;
    };
    // Per slot, as data away from the code: the link stamp the slot was last checked under (0: never), which
    // the slot's code compares, and what its link was made under, which the shared link check
    // (jit/link.cpp) compares once the stamp has moved: the block cache's epoch (0: no link), the
    // real-mode regime (0xff: none) and the fetch TLB entry (its tag, its GPA less the page offset, the
    // offsets of its fields in a Tlb), and where the link goes.
    struct JitLink {
        uint64_t stamp = 0;   // first: the slot's code reads it at its address
        uint64_t epoch = 0;
        uint64_t tag = 0, gpa = 0;
        int32_t tag_disp = 0, gpa_disp = 0, linked_disp = 0;
        uint8_t regime = 0xff;
        bool ir = false;   // the block's MSR[IR]: the tag takes the key context
        const uint8_t *target = nullptr;
    };
    // Each exit of the block has slots of its own, in order: a side exit (isa::side_exit, its taken
    // target) one, the end eight if it is bclr or bcctr (a function returns to as many call sites as it has
    // callers), else two (a conditional branch's two successors); count says how many in all.
    static constexpr unsigned kEndSlots = 8;
    static constexpr unsigned kJitSlots = isa::kMaxSideExits + kEndSlots;
    struct JitSlots {
        static void *operator new(size_t n) { return block_pool::allocate(n); }
        static void operator delete(void *p, size_t n) noexcept { block_pool::deallocate(p, n); }
        JitSlot slot[kJitSlots];
        JitLink link[kJitSlots];
        uint8_t count = 0;
    };
    // Made when the block is first compiled, apart from the block: a Linux boot builds ~40,000 blocks and
    // compiles one in eight, and half a kilobyte of slots in every block made the heap grow (page faults,
    // each dear on a virtualised host) by more than the blocks' instructions did.
    std::unique_ptr<JitSlots> jit_slots;

    // Direct links, the most recent first. Every link names a block of this block's mode.
    struct Link {
        uint64_t ea = 1;   // never a NIP (those are word-aligned)
        uint64_t epoch = 0;
        Block *to = nullptr;
    };
    Link links[2];
    Block *linked(uint64_t ea, uint64_t epoch) const {
        if (links[0].ea == ea && links[0].epoch == epoch)
            return links[0].to;
        if (links[1].ea == ea && links[1].epoch == epoch)
            return links[1].to;
        return nullptr;
    }
    void link(uint64_t ea, uint64_t epoch, Block *to) {
        links[1] = links[0];
        links[0] = {ea, epoch, to};
    }
};

class BlockCache {
public:
    // link_stamp: the vcpu's link stamp (mmu::VcpuMmu::link_stamp), which every new epoch moves; null: none.
    explicit BlockCache(uint64_t *link_stamp = nullptr) : link_stamp_(link_stamp) {}
    // MSR[LE] -> bit 0, [PR] -> 1, [SF] -> 2, [IR] -> 3, [DR] -> 4, with shifts (this runs at every block
    // boundary). MSR[DR] does not change how the bytes decode, but compiled code decides from it whether its
    // loads and stores are relocated (jit/native_memory.cpp).
    static uint64_t mode(uint64_t m) { return (m & 0x11) | ((m >> 13) & 2) | ((m >> 61) & 4) | ((m >> 2) & 8); }
    // Translated real addresses are below 2^56 (the RPN of an HPTE or radix PTE), so the mode fits above
    // bit 58; block_lookup() builds no block from RAM above that (only a memslot put there makes one).
    static constexpr unsigned kModeShift = 59;
    static uint64_t key(uint64_t real_addr, uint64_t msr) {
        return (real_addr & ((1ull << kModeShift) - 1)) | (mode(msr) << kModeShift);
    }
    static uint64_t key_mode(uint64_t key) { return key >> kModeShift; }
    // The 4 KiB real page a block was built from, which invalidate_page() names.
    static uint64_t page_of(const Block &b) { return (b.real_start & ((1ull << kModeShift) - 1)) >> 12; }
    Block *find(uint64_t key) const { return blocks_.find(key); }
    Block *insert(std::unique_ptr<Block> b);
    // Drops every block that starts in the 4 KiB real page `page` (blocks never cross a page).
    size_t invalidate_page(uint64_t page);
    void clear() { blocks_.clear(), by_page_.clear(), new_epoch(); }
    // Links, jump-cache entries and compiled code's link slots made in another epoch are stale
    // (Block::linked, jump_lookup, jit/link.cpp; a new epoch also moves the link stamp).
    uint64_t epoch() const { return epoch_; }
    const uint64_t *epoch_address() const { return &epoch_; }
    // Every link and jump-cache entry dies, no block does (also after a code flush: the compiled code that
    // links jump into has gone).
    void new_epoch() {
        ++epoch_, jump_epoch_ = epoch_ << 5;
        if (link_stamp_)
            ++*link_stamp_;   // compiled code's links die too
    }

    // The jump cache: the block last used at effective address `ea` in `mode` (BlockCache::mode, 5 bits) in
    // this epoch, or nullptr.
    Block *jump_lookup(uint64_t ea, uint64_t mode) const {
        const JumpEntry &j = jump_->e[jump_index(ea)];
        return j.ea == ea && j.tag == (mode | jump_epoch_) ? j.block : nullptr;
    }
    void jump_fill(uint64_t ea, uint64_t mode, Block *b) {
        const unsigned i = jump_index(ea);
        jump_->e[i] = {ea, mode | jump_epoch_, b};
        jump_->written |= 1ull << (i / JumpTable::kChunk);
    }

private:
    // All-zero bits (tag 0) is an empty entry: a real tag holds an epoch, which is never 0.
    struct JumpEntry {
        uint64_t ea, tag;   // tag: the mode in bits 0:4, the epoch above
        Block *block;
    };
    static constexpr unsigned kJumpEntries = 4096;
    static unsigned jump_index(uint64_t ea) { return unsigned((ea >> 2) ^ (ea >> 14)) & (kJumpEntries - 1); }
    // The jump cache's array in zero pages; bit n of `written` is set once an entry of chunk n was filled, so
    // that dying it can leave the mapping all-zero for the next vcpu.
    struct JumpTable final : OnZeroPages<JumpTable> {
        static constexpr size_t kPooled = 16;
        static constexpr unsigned kChunk = kJumpEntries / 64;
        static std::unique_ptr<JumpTable> create() { return std::unique_ptr<JumpTable>(new JumpTable); }
        ~JumpTable() {
            for (uint64_t w = written; w; w &= w - 1)
                std::memset(&e[unsigned(__builtin_ctzll(w)) * kChunk], 0, kChunk * sizeof(JumpEntry));
        }
        uint64_t written = 0;
        JumpEntry e[kJumpEntries];

    private:
        JumpTable() {}   // leaves e alone: zero pages, every entry empty
    };
    std::unique_ptr<JumpTable> jump_ = JumpTable::create();

    BlockMap<Block> blocks_;
    std::unordered_map<uint64_t, std::vector<uint64_t>> by_page_;
    uint64_t *link_stamp_;
    uint64_t epoch_ = 1;   // links start in epoch 0: invalid
    uint64_t jump_epoch_ = epoch_ << 5;
};

} // namespace phv
