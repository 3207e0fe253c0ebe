// Where phv-run puts things in guest-physical memory:
//
//   0x400000          kernel (where QEMU's pseries loads it; Linux copies itself down to 0 early on)
//   after the kernel  initrd, 64 KiB aligned
//   below 256 MiB     RTAS blob, then the device tree, ending at min(RAM, 256 MiB)
//
// The RTAS area and the tree sit high in the first 256 MiB because everything the kernel touches before
// it sets up its MMU must lie in the real-mode area, which is at least 256 MiB on every POWER
// hypervisor. When kernel and initrd reach that high, the tree goes right after the initrd instead, as long
// as it stays below kFdtCeiling.
#pragma once
#include <cstdint>

#include "expected.h"

namespace phvrun {

constexpr uint64_t kInitrdAlign = 64 * 1024;
constexpr uint64_t kRtasAreaSize = 64 * 1024;  // a whole 64 KiB page, so a 64K-page kernel can reserve it
constexpr uint64_t kFdtMaxSize = 1024 * 1024;
constexpr uint64_t kFdtPreferredTop = 256 * 1024 * 1024;
constexpr uint64_t kFdtCeiling = 0x30000000;

struct LayoutRequest {
    uint64_t ram_size = 0;
    uint64_t kernel_lo = 0, kernel_hi = 0;  // [lo, hi) as loaded
    uint64_t initrd_size = 0;               // 0: no initrd
};

struct Layout {
    uint64_t initrd_start = 0, initrd_end = 0;  // equal when there is no initrd
    uint64_t rtas_base = 0, rtas_size = 0;
    uint64_t fdt_base = 0, fdt_max_size = 0;
};

Expected<Layout> plan_layout(const LayoutRequest &req);

} // namespace phvrun
