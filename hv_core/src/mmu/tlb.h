// The software TLB: effective page -> host pointer, per vcpu, one direct-mapped array per kind of access
// (load, store, instruction fetch), so that a hit is one tag compare and one load.
//
// The tag is the 4 KiB effective page with the translation context in its low 12 bits: MSR[PR] and key 0 of
// AMR/IAMR, which decide what a privileged access to a user page may do (KUAP/KUEP flip AMR around every user
// copy, and a change of context must not reuse a permission decided under another). Entries of larger pages
// are entered 4 KiB at a time and remember the page size they came from, so tlbie can name them. The PID is
// not in the tag: quadrant-0 entries belong to the PID the TLB was last synchronised with (set_pid), and
// quadrant-3 entries to PID 0. The LPID is implicit: a TLB belongs to one partition's vcpu; a nested guest
// will get its own TLB (or a context bit) rather than a wider tag.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "memory/zero_pages.h"
#include "mmu/radix.h"

namespace phv {
struct Memslot;
}

namespace phv::mmu {

// All-zero bits is the empty entry: the TLB's arrays start as zero pages (Tlb::create), so nothing is
// constructed in them. (No member initialisers: they would make every entry of the array written at creation.)
struct TlbEntry {
    uint64_t tag;            // 0: empty (a real tag always has context bit 0 set)
    uint8_t *host;           // the 4 KiB page in host memory, or nullptr when it is not RAM (MMIO)
    uint64_t gpa;            // its guest real address
    Memslot *slot;
    uint8_t shift;           // size of the translation the entry came from
    uint8_t linked;          // a compiled block's link slot depends on it (Tlb::mark_linked)
    uint64_t va;             // hash: low 64 bits of the virtual address of the 4K piece (tlbie names VAs)
};
static_assert(std::is_trivially_default_constructible_v<TlbEntry> && std::is_trivially_copyable_v<TlbEntry>);

// What a targeted invalidation names (tlbie/tlbiel/H_RPT_INVALIDATE, after decoding their forms).
struct Invalidation {
    // Page: a radix page of a PID; Va: a hash page by virtual address (in `ea`, whose low 28 bits are the EA's,
    // so it indexes the same TLB slots); Segment: every EA of an SLB entry's segment; Context: every entry
    // tagged with one key context (`pid`) of the hash MMU's AMR/IAMR cache.
    enum class Scope : uint8_t { Page, Pid, All, Va, Segment, Context } scope = Scope::All;
    uint64_t ea = 0;        // Page, Va, Segment: an address in the page or segment
    unsigned shift = 12;    // Page, Va, Segment: its size
    uint64_t pid = 0;       // Page, Pid: the process
};

// The link stamp (jit/link.cpp): compiled code's direct links hold the value of a per-vcpu counter from when
// they were last checked and are taken only while it has not moved. Of the TLB they depend on fetch entries,
// which making or re-checking a link marks `linked` (compiled code does it too, at the entry's offset):
// whatever overwrites or drops a marked entry (a fill, an invalidation, a PID switch) moves the counter the
// TLB was created with, and so does a flush of a TLB that holds anything. Other entries change freely.
//
// A TLB lives in zero pages of its own (memory/zero_pages.h): a new vcpu's 3 x 1024 entries cost nothing until
// they are filled, and every loop over them (flush, a PID switch, a full invalidation) visits only the chunks
// of entries written since the last flush. Compiled code finds the arrays at a fixed offset from the Tlb.
class Tlb final : public OnZeroPages<Tlb> {
public:
    static constexpr unsigned kEntries = 1024;   // per access kind: 4 MiB of 4K pages before two collide
    static constexpr size_t kPooled = 16;        // dead vcpus' TLBs kept for new ones
    // link_stamp: the owning vcpu's counter (VcpuMmu::link_stamp), moved as described above; null: none.
    static std::unique_ptr<Tlb> create(uint64_t *link_stamp = nullptr) {
        auto t = std::unique_ptr<Tlb>(new Tlb);
        t->link_stamp_ = link_stamp;
        return t;
    }
    ~Tlb() { flush(); }   // the entries all-zero again for the next owner of the mapping
    Tlb(const Tlb &) = delete;
    Tlb &operator=(const Tlb &) = delete;
    static constexpr uint64_t kPageMask = ~0xfffull;

    // Context bits: bit 0 always (so no real tag is 0), bit 1 MSR[PR], bits 2:4 the key context: under radix
    // AMR key 0 (bits 2:3) and IAMR key 0's execute bit (bit 4); under hash, whose 32 keys do not fit, the
    // number of the (AMR, IAMR) pair in a small per-vcpu cache (VcpuMmu::key_context).
    static constexpr uint64_t kKeyContextMask = 0x1c;
    static uint64_t radix_key_context(uint64_t amr, uint64_t iamr) {
        return ((amr >> 60) & 0xc) | ((iamr >> 58) & 0x10);
    }
    static uint64_t context(uint64_t msr, uint64_t key_context) { return 1 | ((msr >> 13) & 2) | key_context; }
    // A real-mode access that is translated (a hash partition's through the VRMA, an L2's through its
    // partition-scoped tree): a context of its own (bit 5), so it never meets the entry of a relocated
    // access to the same EA; neither MSR[PR] nor a storage key changes what it may do.
    static constexpr uint64_t kRealContext = 1 | 0x20;
    static unsigned index(uint64_t ea) { return unsigned(ea >> 12) & (kEntries - 1); }

    const TlbEntry *lookup(Access a, uint64_t ea, uint64_t ctx) const {
        const TlbEntry &e = sets_[unsigned(a)][index(ea)];
        return e.tag == ((ea & kPageMask) | ctx) ? &e : nullptr;
    }
    void insert(Access a, uint64_t ea, uint64_t ctx, const TlbEntry &e);
    // A direct link now depends on the entry lookup(a, ea, ctx) finds: until it is overwritten or dropped,
    // which moves the link stamp. False when there is no such entry.
    bool mark_linked(Access a, uint64_t ea, uint64_t ctx);
    // The entries for one access kind, indexed by index(ea): compiled code (jit/native_memory.cpp) does
    // lookup() itself.
    const TlbEntry *entries(Access a) const { return sets_[unsigned(a)].data(); }

    uint64_t pid() const { return pid_; }
    // PIDR changed (seen at a context-synchronising point): quadrant-0 entries belonged to the old PID.
    void set_pid(uint64_t pid);
    // Drops what `inv` names and nothing else; returns how many entries went.
    unsigned invalidate(const Invalidation &inv);
    void flush();
    // Keeps the entries whose EA satisfies keep(ea) and drops the rest.
    template <typename F>
    void retain(F keep) {
        for_each_written([&](TlbEntry &e) {
            if (e.tag && !keep(e.tag & kPageMask))
                drop(e);
        });
    }
    // Whether no entry was filled since the TLB was created or last flushed (the TLB is empty then).
    bool untouched() const { return written_ == 0; }

private:
    Tlb() {}   // leaves sets_ alone: zero pages, every entry empty
    bool matches(const TlbEntry &e, const Invalidation &inv) const;
    // Empties e; a link that depended on it dies.
    void drop(TlbEntry &e) {
        if (e.linked)
            unlink();
        e.tag = 0;
        e.linked = 0;
    }
    void unlink() {
        if (link_stamp_)
            ++*link_stamp_;
    }

    // Entries are tracked in chunks of kChunk: bit (access kind * kChunksPerSet + index / kChunk) of
    // written_ is set when an entry of that chunk is filled, and cleared when flush() has zeroed the chunk
    // (what must be zeroed for the mapping's next owner); the same bit of live_ is set with it and cleared
    // as well when a walk leaves every tag of the chunk empty (what a walk must visit).
    static constexpr unsigned kChunk = 64, kChunksPerSet = kEntries / kChunk;
    static_assert(3 * kChunksPerSet <= 64);
    // Calls f on every entry of the live chunks, and forgets the chunks f leaves empty: Linux flushes the
    // whole of PID 0 at every kernel range flush (each instruction it patches at boot, some 30,000 times),
    // mostly with a handful of entries filled since the previous one, and each walk then visits only those.
    // Finer still, while every entry that may be filled is one of the last kRecent filled (recent_), a walk
    // visits just those: between two of those flushes the kernel fills a few dozen entries spread over as
    // many chunks, and the chunks alone made the walks 5% of a boot.
    template <typename F>
    void for_each_written(F f) {
        if (recent_n_ <= kRecent) {
            unsigned kept = 0;
            for (unsigned k = 0; k < recent_n_; ++k) {
                TlbEntry &e = sets_[recent_[k] / kEntries][recent_[k] % kEntries];
                f(e);
                if (e.tag)
                    recent_[kept++] = recent_[k];
            }
            recent_n_ = kept;
            if (!kept)
                live_ = 0;
            return;
        }
        for (uint64_t w = live_; w; w &= w - 1) {
            const unsigned c = unsigned(__builtin_ctzll(w));
            TlbEntry *e = &sets_[c / kChunksPerSet][(c % kChunksPerSet) * kChunk];
            uint64_t tags = 0;
            for (unsigned i = 0; i < kChunk; ++i) {
                f(e[i]);
                tags |= e[i].tag;
            }
            if (!tags)
                live_ &= ~(1ull << c);
        }
        if (!live_)
            recent_n_ = 0;   // every entry empty: the list is exact again
    }
    // Entries filled, as access kind * kEntries + index, while recent_n_ <= kRecent; kRecent + 1: more
    // were filled since the TLB was last empty than the list holds (walks go by chunks). An entry may be
    // listed twice, or be empty again: the list only has to include every filled one.
    static constexpr unsigned kRecent = 48;
    uint16_t recent_[kRecent];
    unsigned recent_n_ = 0;

    uint64_t pid_ = 0;
    uint64_t written_ = 0;
    uint64_t live_ = 0;
    uint64_t *link_stamp_ = nullptr;
    std::array<std::array<TlbEntry, kEntries>, 3> sets_;
};

} // namespace phv::mmu
