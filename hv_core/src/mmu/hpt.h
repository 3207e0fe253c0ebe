// The hashed page table of a partition: hypervisor memory (the guest reaches it only through the HPT hcalls),
// 2^order bytes of 16-byte PTEs in groups of 8, big-endian as the hardware would read them. Allocated through
// the C ABI as KVM_PPC_ALLOCATE_HTAB does, or at a hash guest's first run with KVM's default size.
//
// It can keep a record of the PTE groups that changed (KVM's HTAB fd keeps HPTE_GR_MODIFIED per entry), so
// that a migration sends the table once and then only what the guest changed (hpt_record.cpp).
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

namespace phv::mmu {

class Hpt {
public:
    // KVM's limits (PPC_MIN_HPT_ORDER, PPC_MAX_HPT_ORDER) and the size it picks when the VMM chose none.
    static constexpr unsigned kMinOrder = 18, kMaxOrder = 46, kDefaultOrder = 24;

    Hpt() = default;
    Hpt(const Hpt &) = delete;
    Hpt &operator=(const Hpt &) = delete;
    ~Hpt();

    // A table of 2^order bytes, every entry invalid. The same order again clears the table in place (KVM's
    // re-allocation semantics); another order replaces it. Returns 0, -EINVAL or -ENOMEM (the old table is
    // kept then). Only while no vcpu runs.
    int allocate(unsigned order);
    bool present() const { return mem_.load(std::memory_order_acquire) != nullptr; }
    // Exchanges the tables of two HPTs (the HPT resize pivot). Only while no vcpu translates through either.
    // The change record stays with this one and marks every group of its new table. Returns 0 or -ENOMEM
    // (nothing swapped).
    int swap_tables(Hpt &other);
    unsigned order() const { return order_; }
    uint64_t entries() const { return present() ? 1ull << (order_ - 4) : 0; }
    uint64_t pteg_mask() const { return (1ull << (order_ - 7)) - 1; }

    // Doubleword 0 is read with acquire and written last with release, so a reader that sees V sees the
    // doubleword 1 written with it. Every write marks the entry's group in the change record.
    uint64_t v(uint64_t index) const { return __builtin_bswap64(__atomic_load_n(dw(index, 0), __ATOMIC_ACQUIRE)); }
    uint64_t r(uint64_t index) const { return __builtin_bswap64(__atomic_load_n(dw(index, 1), __ATOMIC_ACQUIRE)); }
    void set_v(uint64_t index, uint64_t v) {
        store(index, 0, v);
        mark(index);
    }
    void set_r(uint64_t index, uint64_t r) {
        store(index, 1, r);
        mark(index);
    }
    // R and C set by translation: no change the record keeps. KVM's HTAB fd and QEMU's TCG table mark none
    // either, and a guest loses nothing by them (Linux enters every HPTE with R and C set).
    void set_rc(uint64_t index, uint64_t r) { store(index, 1, r); }
    void write(uint64_t index, uint64_t v, uint64_t r) {
        store(index, 0, 0);
        store(index, 1, r);
        store(index, 0, v);
        mark(index);
    }

    // The change record (hpt_record.cpp): a bit per PTE group, set after each write to one of its entries
    // while the record is on. Off it costs a write one load of a flag; its bitmap (1/1024 of the table)
    // exists only once a record was started. start/stop/take/allocate/swap_tables are serialised by the
    // caller (the partition's hpt_setup lock); the marks are set lock-free by vcpus.
    static constexpr unsigned kGroupShift = 3;   // 8 entries a group
    uint64_t groups() const { return present() ? 1ull << (order_ - 7) : 0; }
    int start_record();
    void stop_record() { recording_.store(false, std::memory_order_release); }
    bool recording() const { return recording_.load(std::memory_order_acquire); }
    bool record_mapped() const { return marks_ != nullptr; }
    // Takes and clears the marks of groups [first, first + n) into out (bit i % 64 of out[i / 64] for group
    // first + i; the bits past n are 0). Returns how many were marked; -ENXIO (no record), -ESTALE (the
    // table is not of `order`), -EINVAL (first not a multiple of 64, or a range beyond the table).
    int64_t take_changes(unsigned order, uint64_t first, uint64_t n, uint64_t *out);

    // The lock of the PTE group holding `index`: the hcalls change entries under it, and translation sets R/C
    // under it, so a removal never loses (or resurrects) an R/C update.
    std::mutex &lock(uint64_t index) const { return locks_[(index >> 3) % locks_.size()]; }

private:
    void store(uint64_t index, unsigned n, uint64_t value) {
        __atomic_store_n(dw(index, n), __builtin_bswap64(value), __ATOMIC_RELEASE);
    }
    // After the entry's stores: a taker that clears the bit and then reads the entry sees them, and a
    // write after the take sets the bit again for the next one.
    void mark(uint64_t index) {
        if (recording_.load(std::memory_order_acquire)) [[unlikely]]
            marks_[index >> (kGroupShift + 6)].fetch_or(1ull << ((index >> kGroupShift) & 63), std::memory_order_release);
    }
    // A bitmap for a table of `order` (zero), or null; and its release.
    static std::atomic<uint64_t> *map_marks(unsigned order);
    static void unmap_marks(std::atomic<uint64_t> *marks, unsigned order);
    // Every group of the table marked: a new or cleared table changed everywhere.
    void mark_all();
    // Before the table becomes one of `order`: a bitmap for it if the record is on (-ENOMEM), else none.
    int prepare_marks(unsigned order, std::atomic<uint64_t> *&out) const;
    // After: the prepared bitmap replaces the old one (freed; no vcpu runs) and, if on, marks everything.
    void install_marks(std::atomic<uint64_t> *marks, unsigned old_order);

    uint64_t *dw(uint64_t index, unsigned n) const {
        return reinterpret_cast<uint64_t *>(mem_.load(std::memory_order_relaxed)) + index * 2 + n;
    }

    std::atomic<uint8_t *> mem_{nullptr};   // set once with release; replaced only while no vcpu runs
    uint64_t size_ = 0;
    unsigned order_ = 0;
    mutable std::array<std::mutex, 64> locks_;
    std::atomic<bool> recording_{false};
    std::atomic<uint64_t> *marks_ = nullptr;   // sized for order_; replaced only while no vcpu runs
};

} // namespace phv::mmu
