// Per-vcpu MMU state: the TLB, the partition set-up it was filled under, and the invalidations other vcpus'
// tlbie sent it.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "mmu/hash.h"
#include "mmu/partition.h"
#include "mmu/tlb.h"

namespace phv::mmu {

struct VcpuMmu {
    // The link stamp (jit/link.cpp): compiled code takes a direct link straight away only while this holds
    // the value it had when the link was made or last checked (else it checks the link again). It moves whenever the fetch at a linked NIP could come to a block other
    // than the one linked: a fetch TLB entry a link depends on overwritten or dropped (the TLBs move it,
    // Tlb::create), the key context changing (set_key_context), the real-mode regime changing (`vrma`, an
    // L2 entered or left: Vcpu::decide_vrma, enter_l2_mmu, leave_l2_mmu, which also switch `tlb`), and
    // the block cache's epoch moving (BlockCache::new_epoch). Never 0; declared first, so that it outlives
    // the TLBs that move it.
    uint64_t link_stamp = 1;
    void move_link_stamp() { ++link_stamp; }

    // The TLB of the partition the vcpu runs now: its own (l1_tlb), or while it runs a nested L2 for its
    // L1 that L2's, kept in l2_tlbs between runs. Translations are tagged by partition this way, so an
    // L1<->L2 switch drops nothing.
    std::unique_ptr<Tlb> l1_tlb = Tlb::create(&link_stamp);
    Tlb *tlb = l1_tlb.get();
    // While an L2 runs: the L1 real address of its partition-scoped tree (nested/run.cpp). Every
    // translation, real mode included, then goes through that tree.
    struct L2 {
        bool active = false;
        uint64_t root = 0;
    } l2;
    struct L2Tlb {
        uint64_t lpid = 0;              // 0: free
        uint64_t generation = 0;        // the L2's table set-up the TLB was filled under
        uint64_t slots_generation = 0;
        uint64_t last_used = 0;
        std::unique_ptr<Tlb> tlb;
    };
    static constexpr unsigned kL2Tlbs = 4;   // L2s whose translations a vcpu keeps (LRU)
    std::array<L2Tlb, kL2Tlbs> l2_tlbs;
    uint64_t l2_clock = 0;
    L2Tlb *l2_current = nullptr;
    // Every TLB the vcpu holds: invalidations other than the PID switch reach all of them (an L1's tlbie
    // may name its L2's translations, and dropping more than named is always safe).
    template <typename F>
    void for_each_tlb(F f) {
        f(*l1_tlb);
        for (auto &t : l2_tlbs)
            if (t.tlb)
                f(*t.tlb);
    }

    uint64_t generation = 0;        // PartitionMmu::generation the TLB was filled under
    uint64_t process_table = 0;     // its process_table
    uint64_t slots_generation = 0;  // the memslot layout the TLB's host pointers belong to
    bool hash = true;               // translating through the HPT (no radix process table registered)
    // Real-mode accesses go through the VRMA (hash, LPCR[VPM0] and a VRMASD phv offers), with `vrma_slb`
    // as their segment; decided at every block boundary (mmu_sync).
    bool vrma = false;
    SlbEntry vrma_slb;

    Slb slb;
    // The TLB context bits for the current AMR/IAMR (Tlb::context). Under hash, the last few (AMR, IAMR)
    // pairs each get a number; a pair that returns (KUAP flips between two or three) finds its entries
    // still there, and the entries of a pair that is evicted go with it.
    uint64_t key_context = 0;
    void set_key_context(uint64_t k) {
        if (k != key_context)
            move_link_stamp();   // a link under MSR[IR] was made with the tag of the old one
        key_context = k;
    }
    struct KeyPair {
        uint64_t amr = 0, iamr = 0;
        bool used = false;
    };
    KeyPair key_pairs[8] = {{0, 0, true}};
    unsigned key_next = 1;

    // Remote tlbie: the sender queues what to drop (`pushed` counts every entry ever queued) and raises
    // `pending`; the vcpu applies the queue at its next block boundary and publishes how many entries it has
    // applied in `applied`.
    std::mutex lock;
    std::vector<Invalidation> queue;
    uint64_t pushed = 0;
    std::atomic<bool> pending{false};
    std::atomic<uint64_t> applied{0};
    // Inside phv_vcpu_run(): a vcpu outside it cannot use a stale translation (it synchronises on entry),
    // so tlbsync does not wait for it.
    std::atomic<bool> running{false};
    // Held at a block boundary by PartitionMmu::hold (an HPT resize commit): it touches no translation.
    std::atomic<bool> parked{false};
    // This vcpu's tlbie broadcasts that its next tlbsync must see applied: (target, its `pushed` then).
    std::vector<std::pair<VcpuMmu *, uint64_t>> unsynced;

    // An access that crosses into a page not adjacent on the host goes through `bounce`.
    struct Split {
        uint8_t *host1;
        uint64_t gpa1;
        Memslot *slot1;
        unsigned len1;
        uint8_t *host2;
        uint64_t gpa2;
        Memslot *slot2;
        uint8_t bounce[32];
    } split{};
    // An access whose bytes are partly RAM and partly outside every slot (it crosses a page or slot
    // boundary): the RAM bytes are done in core and only the others exit as MMIO. Valid for the instruction
    // counted `insn` (a later MMIO exit of another instruction never picks it up).
    struct Mixed {
        uint64_t insn = ~0ull;
        uint64_t gpa = 0;         // what the caller sees as the access's gpa (its first byte)
        unsigned len = 0;
        uint8_t *ram_host = nullptr;
        Memslot *ram_slot = nullptr;
        uint64_t ram_gpa = 0;
        unsigned ram_off = 0, ram_len = 0;    // the RAM bytes within the access
        uint64_t mmio_gpa = 0;
        unsigned mmio_off = 0, mmio_len = 0;  // the MMIO bytes within the access
    } mixed{};
};

// Marks a vcpu as inside its run loop for as long as it lives.
struct RunningScope {
    explicit RunningScope(VcpuMmu &m) : m_(m) { m_.running.store(true, std::memory_order_seq_cst); }
    ~RunningScope() { m_.running.store(false, std::memory_order_release); }
    VcpuMmu &m_;
};

} // namespace phv::mmu
