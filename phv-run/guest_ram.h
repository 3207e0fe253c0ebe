// The host memory behind guest RAM: one anonymous mapping, page-aligned as phv_set_user_memory_region()
// requires. MAP_NORESERVE because a guest with "--mem 64G" touches only what it uses. PROT_NONE guard
// regions sit on both sides, so any host access outside the slot is a crash, never a silent read.
#pragma once
#include <cstdint>

#include "expected.h"
#include "guest_memory.h"

namespace phvrun {

class GuestRam {
public:
    GuestRam() = default;
    GuestRam(GuestRam &&other) noexcept;
    GuestRam &operator=(GuestRam &&other) noexcept;
    GuestRam(const GuestRam &) = delete;
    GuestRam &operator=(const GuestRam &) = delete;
    ~GuestRam();

    static constexpr uint64_t kGuard = 1ull << 20;   // bytes of PROT_NONE before and after the RAM (at least)
    static constexpr uint64_t kHugePage = 2ull << 20;   // the RAM starts on a transparent huge page boundary
    static Expected<GuestRam> allocate(uint64_t size);

    uint8_t *data() const { return data_; }
    uint64_t size() const { return size_; }
    GuestMemory memory() const { return GuestMemory(data_, size_); }

private:
    uint8_t *data_ = nullptr;
    uint64_t size_ = 0;
    void *map_ = nullptr;   // the whole reservation, guards and alignment included
    size_t map_size_ = 0;
};

} // namespace phvrun
