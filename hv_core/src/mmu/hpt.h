// The hashed page table of a partition: hypervisor memory (the guest reaches it only through the HPT hcalls),
// 2^order bytes of 16-byte PTEs in groups of 8, big-endian as the hardware would read them. Allocated through
// the C ABI as KVM_PPC_ALLOCATE_HTAB does, or at a hash guest's first run with KVM's default size.
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
    void swap_tables(Hpt &other);
    unsigned order() const { return order_; }
    uint64_t entries() const { return present() ? 1ull << (order_ - 4) : 0; }
    uint64_t pteg_mask() const { return (1ull << (order_ - 7)) - 1; }

    // Doubleword 0 is read with acquire and written last with release, so a reader that sees V sees the
    // doubleword 1 written with it.
    uint64_t v(uint64_t index) const { return __builtin_bswap64(__atomic_load_n(dw(index, 0), __ATOMIC_ACQUIRE)); }
    uint64_t r(uint64_t index) const { return __builtin_bswap64(__atomic_load_n(dw(index, 1), __ATOMIC_ACQUIRE)); }
    void set_v(uint64_t index, uint64_t v) { __atomic_store_n(dw(index, 0), __builtin_bswap64(v), __ATOMIC_RELEASE); }
    void set_r(uint64_t index, uint64_t r) { __atomic_store_n(dw(index, 1), __builtin_bswap64(r), __ATOMIC_RELEASE); }
    void write(uint64_t index, uint64_t v, uint64_t r) {
        set_v(index, 0);
        set_r(index, r);
        set_v(index, v);
    }
    // The lock of the PTE group holding `index`: the hcalls change entries under it, and translation sets R/C
    // under it, so a removal never loses (or resurrects) an R/C update.
    std::mutex &lock(uint64_t index) const { return locks_[(index >> 3) % locks_.size()]; }

private:
    uint64_t *dw(uint64_t index, unsigned n) const {
        return reinterpret_cast<uint64_t *>(mem_.load(std::memory_order_relaxed)) + index * 2 + n;
    }

    std::atomic<uint8_t *> mem_{nullptr};   // set once with release; replaced only while no vcpu runs
    uint64_t size_ = 0;
    unsigned order_ = 0;
    mutable std::array<std::mutex, 64> locks_;
};

} // namespace phv::mmu
