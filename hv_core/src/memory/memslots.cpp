#include "memory/memslots.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace phv {

namespace {
constexpr uint64_t kMaxSlotSize = 1ull << 48;   // the largest real address POWER10 implements (ISA: 2^51; Linux: 2^48)
constexpr uint32_t kKnownFlags = PHV_MEM_LOG_DIRTY_PAGES | PHV_MEM_READONLY;
}

int Memslots::set(const phv_userspace_memory_region &r) {
    if (r.slot >= PHV_MAX_MEMSLOTS || (r.flags & ~kKnownFlags))
        return -EINVAL;
    if ((r.guest_phys_addr | r.memory_size | r.userspace_addr) % PHV_PAGE_SIZE)
        return -EINVAL;
    if (r.memory_size > kMaxSlotSize || r.guest_phys_addr + r.memory_size < r.guest_phys_addr)
        return -EINVAL;
    if (r.memory_size && !r.userspace_addr)
        return -EFAULT;

    auto existing = std::find_if(slots_.begin(), slots_.end(), [&](auto &s) { return s->id == r.slot; });
    if (r.memory_size == 0) {
        if (existing == slots_.end())
            return -EINVAL;
        slots_.erase(existing);
        ++generation_;
        return 0;
    }
    for (auto &s : slots_) {
        if (s->id == r.slot)
            continue;
        if (r.guest_phys_addr < s->gpa + s->size && s->gpa < r.guest_phys_addr + r.memory_size)
            return -EEXIST;
    }

    auto slot = std::make_unique<Memslot>();
    slot->id = r.slot;
    slot->flags = r.flags;
    slot->gpa = r.guest_phys_addr;
    slot->size = r.memory_size;
    slot->host = reinterpret_cast<uint8_t *>(static_cast<uintptr_t>(r.userspace_addr));
    const uint64_t pages = slot->pages();
    // Both tables in zero pages: a slot of 2^48 bytes asks for 64 GiB of address space, not of memory (they
    // were zero-filled on the heap, and fuzz-capi's 256 TiB slot made the host allocate and write 64 GiB).
    try {
        if (r.flags & PHV_MEM_LOG_DIRTY_PAGES)
            slot->dirty = ZeroedArray<uint64_t>((pages + 63) / 64);
        slot->code_pages = ZeroedArray<uint8_t>(pages);
    } catch (const std::bad_alloc &) {
        return -ENOMEM;
    }

    if (existing != slots_.end())
        slots_.erase(existing);
    slots_.push_back(std::move(slot));
    std::sort(slots_.begin(), slots_.end(), [](auto &a, auto &b) { return a->gpa < b->gpa; });
    ++generation_;
    return 0;
}

int Memslots::get_dirty_log(uint32_t slot, void *bitmap) {
    if (slot >= PHV_MAX_MEMSLOTS)
        return -EINVAL;
    if (!bitmap)
        return -EFAULT;
    auto it = std::find_if(slots_.begin(), slots_.end(), [&](auto &s) { return s->id == slot; });
    if (it == slots_.end() || !((*it)->flags & PHV_MEM_LOG_DIRTY_PAGES))
        return -ENOENT;
    // Word by word, taken and cleared in one step: vcpus may be storing (and setting bits) meanwhile.
    auto &d = (*it)->dirty;
    auto *out = static_cast<uint8_t *>(bitmap);
    for (size_t i = 0; i < d.size(); ++i) {
        const uint64_t w = std::atomic_ref<uint64_t>(d[i]).exchange(0, std::memory_order_relaxed);
        std::memcpy(out + i * sizeof(uint64_t), &w, sizeof(w));
    }
    return 0;
}

Memslot *Memslots::find(uint64_t gpa, uint64_t len) const {
    auto it = std::upper_bound(slots_.begin(), slots_.end(), gpa, [](uint64_t a, auto &s) { return a < s->gpa; });
    if (it == slots_.begin())
        return nullptr;
    Memslot *s = (--it)->get();
    return s->contains(gpa, len) ? s : nullptr;
}

} // namespace phv
