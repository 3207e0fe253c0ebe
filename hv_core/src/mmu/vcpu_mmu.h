// Per-vcpu MMU state: the TLB, the partition set-up it was filled under, and the invalidations other vcpus'
// tlbie sent it.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include "mmu/hash.h"
#include "mmu/partition.h"
#include "mmu/tlb.h"

namespace phv::mmu {

struct VcpuMmu {
    Tlb tlb;
    uint64_t generation = 0;        // PartitionMmu::generation the TLB was filled under
    uint64_t process_table = 0;     // its process_table
    uint64_t slots_generation = 0;  // the memslot layout the TLB's host pointers belong to
    bool hash = true;               // translating through the HPT (no radix process table registered)

    Slb slb;
    // The TLB context bits for the current AMR/IAMR (Tlb::context). Under hash, the last few (AMR, IAMR)
    // pairs each get a number; a pair that returns (KUAP flips between two or three) finds its entries
    // still there, and the entries of a pair that is evicted go with it.
    uint64_t key_context = 0;
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
