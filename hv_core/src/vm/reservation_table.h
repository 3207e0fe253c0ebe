// Reservations across vcpus (Book II 1.7.3.1): a reservation is lost when another processor stores to its
// reservation granule, whatever value it stores and whichever bytes of the granule it writes.
//
// Each 128-byte granule (the POWER8-10 reservation granule, the cache block) hashes to a slot holding a
// generation count (bits 17..63), the number of vcpus holding a reservation in the slot (bits 1..16) and a
// "reserved" flag (bit 0: the count is not zero). larx counts its vcpu into the slot and remembers the
// generation; a store to a flagged slot advances the generation; stcx. fails when the generation moved
// (and still compares the value with a host compare-and-swap, which catches a store racing with it), and
// counts its vcpu out, as does anything else that ends a reservation. Stores to slots nobody holds cost
// one relaxed load: a flag that stayed set once a granule had been reserved left 91% of the slots flagged
// after a Linux boot (its spinlocks and atomics), and nearly every store then took a locked add. Two
// granules sharing a slot can only make a reservation be lost early, which the ISA allows ("for
// implementation-specific reasons").
//
// The ISA does not make the reserving processor's own stores clear its reservation: a vcpu's own store
// that advances its own slot, with nobody else's store in between, moves its reservation along with it.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

#include <phv/phv.h>

#include "memory/zero_pages.h"

namespace phv {

// The table lives in zero pages of its own (memory/zero_pages.h): 128 KiB that a VM whose guest never uses
// larx does not touch. Its words are only ever accessed atomically (std::atomic_ref). Only larx makes a word
// non-zero, so the pages it reserved in are the ones to clear when the table dies.
class ReservationTable final : public OnZeroPages<ReservationTable> {
public:
    static constexpr unsigned kGranuleShift = 7;   // 128 bytes
    static constexpr size_t kSlots = 1u << 14;
    static constexpr size_t kPooled = 4;   // dead VMs' tables kept for new ones
    static std::unique_ptr<ReservationTable> create() { return std::unique_ptr<ReservationTable>(new ReservationTable); }
    ~ReservationTable() {
        for (uint32_t u = used_.load(); u; u &= u - 1)
            std::memset(&slots_[unsigned(__builtin_ctz(u)) * kWordsPerPage], 0, kWordsPerPage * sizeof(uint64_t));
    }
    ReservationTable(const ReservationTable &) = delete;
    ReservationTable &operator=(const ReservationTable &) = delete;
    // The granule words maybe_reserved() reads (bit 0: reserved), for compiled code's inline check.
    const uint64_t *granules() const { return slots_.data(); }
    // How many vcpus hold a reservation: while none does, a store has no granule to look at (compiled
    // code's stores test this first). Counted in before the slot is flagged and out after it is cleared, so
    // it covers every flagged slot; a store that reads it relaxed races with a larx as the slot's relaxed
    // load does (stcx.'s compare-and-swap of the value is what catches such a store).
    const std::atomic<uint32_t> *holders() const { return &holders_; }

    // A vcpu's share in the slot of its reservation, if it holds one (each vcpu holds at most one).
    struct Holder {
        int32_t slot = -1;
    };

    // larx: counts h into gpa's slot (out of the one it held) and returns the generation the reservation
    // must still see at stcx.
    uint64_t reserve(uint64_t gpa, Holder &h) {
        const size_t i = index(gpa);
        std::atomic_ref<uint64_t> s = ref(slots_[i]);
        if (h.slot == int32_t(i))
            return gen_of(s.load(std::memory_order_seq_cst));
        release(h);
        holders_.fetch_add(1, std::memory_order_seq_cst);
        const uint32_t page = 1u << (i / kWordsPerPage);
        if (!(used_.load(std::memory_order_relaxed) & page))
            used_.fetch_or(page, std::memory_order_relaxed);
        uint64_t old = s.load(std::memory_order_relaxed), want;
        do
            want = (old + kCountOne) | kHeld;
        while (!s.compare_exchange_weak(old, want, std::memory_order_seq_cst, std::memory_order_relaxed));
        h.slot = int32_t(i);
        return gen_of(want);
    }
    // The end of h's reservation: its slot stops flagging stores once nobody else holds one there.
    void release(Holder &h) {
        if (h.slot < 0)
            return;
        std::atomic_ref<uint64_t> s = ref(slots_[size_t(h.slot)]);
        uint64_t old = s.load(std::memory_order_relaxed), want;
        do {
            const uint64_t count = ((old & kCountMask) >> kCountShift) - 1;
            want = (old & ~(kCountMask | kHeld)) | count << kCountShift | (count ? kHeld : 0);
        } while (!s.compare_exchange_weak(old, want, std::memory_order_seq_cst, std::memory_order_relaxed));
        holders_.fetch_sub(1, std::memory_order_seq_cst);
        h.slot = -1;
    }
    // stcx.: does h still hold gpa's slot, and has nobody stored to the granule since generation `gen`?
    // (A vcpu whose register state says it holds a reservation it never counted in, one restored or
    // handed over with the state, fails: a spurious failure, which the ISA allows.)
    bool unchanged(uint64_t gpa, uint64_t gen, const Holder &h) const {
        return h.slot == int32_t(index(gpa)) && gen_of(ref(slots_[index(gpa)]).load(std::memory_order_seq_cst)) == gen;
    }

    // Any store to [gpa, gpa+len). `own` is the storing vcpu's reservation (gpa and generation) if it
    // holds one, which follows its own stores.
    void note_store(uint64_t gpa, uint64_t len, bool own_valid, uint64_t own_gpa, uint64_t &own_gen) {
        for (uint64_t g = gpa >> kGranuleShift, end = (gpa + len - 1) >> kGranuleShift; g <= end; ++g) {
            uint64_t &s = slots_[g & (kSlots - 1)];
            if (!(ref(s).load(std::memory_order_relaxed) & kHeld))
                continue;
            const uint64_t old = ref(s).fetch_add(kGenOne, std::memory_order_seq_cst);
            if (own_valid && &s == &slot(own_gpa) && own_gen == gen_of(old))
                own_gen = gen_of(old + kGenOne);
        }
    }

    // Whether a store to [gpa, gpa+len) may touch a reserved granule (then note_store must run); one relaxed
    // load when the store stays within a granule.
    bool maybe_reserved(uint64_t gpa, uint64_t len) const {
        const uint64_t g = gpa >> kGranuleShift;
        return g != (gpa + len - 1) >> kGranuleShift || (ref(slots_[g & (kSlots - 1)]).load(std::memory_order_relaxed) & 1);
    }

private:
    static constexpr uint64_t kHeld = 1;
    static constexpr unsigned kCountShift = 1, kGenShift = 17;
    static constexpr uint64_t kCountOne = 1ull << kCountShift, kCountMask = 0xffffull << kCountShift;
    static constexpr uint64_t kGenOne = 1ull << kGenShift;
    static_assert(PHV_MAX_VCPUS < 0xffff, "the holder count of a slot must not reach the generation");
    static uint64_t gen_of(uint64_t w) { return w >> kGenShift; }
    static size_t index(uint64_t gpa) { return (gpa >> kGranuleShift) & (kSlots - 1); }

    ReservationTable() {}   // leaves slots_ alone: zero pages, nothing reserved
    static std::atomic_ref<uint64_t> ref(const uint64_t &w) { return std::atomic_ref<uint64_t>(const_cast<uint64_t &>(w)); }
    uint64_t &slot(uint64_t gpa) { return slots_[index(gpa)]; }
    static constexpr size_t kWordsPerPage = 4096 / sizeof(uint64_t);
    static_assert(kSlots / kWordsPerPage <= 32);
    std::atomic<uint32_t> used_{0};   // bit n: larx reserved in the table's page n
    std::atomic<uint32_t> holders_{0};
    std::array<uint64_t, kSlots> slots_;
};

} // namespace phv
