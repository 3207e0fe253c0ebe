// Reservations across vcpus (Book II 1.7.3.1): a reservation is lost when another processor stores to its
// reservation granule, whatever value it stores and whichever bytes of the granule it writes.
//
// Each 128-byte granule (the POWER8-10 reservation granule, the cache block) hashes to a slot holding a
// generation count (bits 1..63) and a "may be reserved" flag (bit 0). larx sets the flag and remembers the
// slot's value; a store to a flagged slot advances the generation; stcx. fails when the generation moved
// (and still compares the value with a host compare-and-swap, which catches a store racing with it).
// Stores to slots nobody ever reserved cost one relaxed load. Two granules sharing a slot can only make a
// reservation be lost early, which the ISA allows ("for implementation-specific reasons").
//
// The ISA does not make the reserving processor's own stores clear its reservation: a vcpu's own store
// that advances its own slot, with nobody else's store in between, moves its reservation along with it.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

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

    // larx: the value the reservation must still see at stcx.
    uint64_t reserve(uint64_t gpa) {
        uint64_t &s = slot(gpa);
        const uint32_t page = 1u << ((&s - slots_.data()) / kWordsPerPage);
        if (!(used_.load(std::memory_order_relaxed) & page))
            used_.fetch_or(page, std::memory_order_relaxed);
        return ref(s).fetch_or(1, std::memory_order_seq_cst) | 1;
    }
    // stcx.: has anyone stored to the granule since the value `reserved` was taken?
    bool unchanged(uint64_t gpa, uint64_t reserved) { return ref(slot(gpa)).load(std::memory_order_seq_cst) == reserved; }

    // Any store to [gpa, gpa+len). `own` is the storing vcpu's reservation (gpa and slot value) if it holds
    // one, which follows its own stores.
    void note_store(uint64_t gpa, uint64_t len, bool own_valid, uint64_t own_gpa, uint64_t &own_value) {
        for (uint64_t g = gpa >> kGranuleShift, end = (gpa + len - 1) >> kGranuleShift; g <= end; ++g) {
            uint64_t &s = slots_[g & (kSlots - 1)];
            if (!(ref(s).load(std::memory_order_relaxed) & 1))
                continue;
            const uint64_t old = ref(s).fetch_add(2, std::memory_order_seq_cst);
            if (own_valid && &s == &slot(own_gpa) && own_value == old)
                own_value = old + 2;
        }
    }

    // Whether a store to [gpa, gpa+len) may touch a reserved granule (then note_store must run); one relaxed
    // load when the store stays within a granule.
    bool maybe_reserved(uint64_t gpa, uint64_t len) const {
        const uint64_t g = gpa >> kGranuleShift;
        return g != (gpa + len - 1) >> kGranuleShift || (ref(slots_[g & (kSlots - 1)]).load(std::memory_order_relaxed) & 1);
    }

private:
    ReservationTable() {}   // leaves slots_ alone: zero pages, nothing reserved
    static std::atomic_ref<uint64_t> ref(const uint64_t &w) { return std::atomic_ref<uint64_t>(const_cast<uint64_t &>(w)); }
    uint64_t &slot(uint64_t gpa) { return slots_[(gpa >> kGranuleShift) & (kSlots - 1)]; }
    static constexpr size_t kWordsPerPage = 4096 / sizeof(uint64_t);
    static_assert(kSlots / kWordsPerPage <= 32);
    std::atomic<uint32_t> used_{0};   // bit n: larx reserved in the table's page n
    std::array<uint64_t, kSlots> slots_;
};

} // namespace phv
