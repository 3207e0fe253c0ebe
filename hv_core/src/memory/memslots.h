// Guest-physical memory: the slots the VMM registered, with bounds-checked lookup and dirty logging.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "memory/zero_pages.h"
#include "phv/phv.h"

namespace phv {

struct Memslot {
    uint32_t id = 0;
    uint32_t flags = 0;
    uint64_t gpa = 0;
    uint64_t size = 0;
    uint8_t *host = nullptr;
    // One bit per page, set by guest stores when PHV_MEM_LOG_DIRTY_PAGES is on.
    ZeroedArray<uint64_t> dirty;
    // One byte per page: non-zero when a predecoded block was built from the page, so that stores there
    // invalidate it (self-modifying code, loaders).
    ZeroedArray<uint8_t> code_pages;

    uint64_t pages() const { return size / PHV_PAGE_SIZE; }
    bool contains(uint64_t a, uint64_t len) const { return a >= gpa && len <= size && a - gpa <= size - len; }
};

// v0 rule, as documented in phv.h: slots change only while no vcpu of the VM is inside phv_vcpu_run().
class Memslots {
public:
    int set(const phv_userspace_memory_region &r);
    int get_dirty_log(uint32_t slot, void *bitmap);

    // The slot that holds [gpa, gpa+len), or nullptr. Accesses never straddle slots: an access that does
    // is treated as one outside RAM (it becomes an MMIO exit), as KVM does for a gpa without a memslot.
    // Vcpus keep their own last-hit cache (Vcpu::slot_for), so this is only the miss path.
    Memslot *find(uint64_t gpa, uint64_t len) const;

    // Bumped whenever the layout changes, so that caches of host pointers can tell they are stale.
    uint64_t generation() const { return generation_; }
    // Where generation() lives, for compiled code (jit/native_memory.cpp) that checks a cached slot.
    const uint64_t *generation_address() const { return &generation_; }

    // Calls f(Memslot &) for every slot that overlaps [gpa, gpa+size).
    template <typename F>
    void for_each_overlapping(uint64_t gpa, uint64_t size, F f) const {
        for (const auto &s : slots_)
            if (gpa < s->gpa + s->size && s->gpa < gpa + size)
                f(*s);
    }

private:
    std::vector<std::unique_ptr<Memslot>> slots_;   // sorted by gpa
    uint64_t generation_ = 1;
};

} // namespace phv
