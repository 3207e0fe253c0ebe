#include "layout.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "byte_order.h"

namespace phvrun {

namespace {

bool overlaps(uint64_t a_lo, uint64_t a_hi, uint64_t b_lo, uint64_t b_hi) { return a_lo < b_hi && b_lo < a_hi; }

} // namespace

Expected<Layout> plan_layout(const LayoutRequest &req) {
    Layout l;
    if (req.kernel_hi > req.ram_size || req.kernel_lo > req.kernel_hi)
        return Error{"kernel does not fit in guest RAM"};

    l.initrd_start = l.initrd_end = align_up(req.kernel_hi, kInitrdAlign);
    if (req.initrd_size) {
        if (!range_fits(l.initrd_start, req.initrd_size, req.ram_size))
            return Error{"initrd (" + hex(req.initrd_size) + " bytes) does not fit in guest RAM after the kernel (at " +
                         hex(l.initrd_start) + ", RAM size " + hex(req.ram_size) + ")"};
        l.initrd_end = l.initrd_start + req.initrd_size;
    }

    const uint64_t area = kRtasAreaSize + kFdtMaxSize;
    const uint64_t used_hi = std::max(req.kernel_hi, l.initrd_end);
    // Rounded down so the RTAS area stays a whole 64 KiB page (and the tree 8-byte aligned, as libfdt and the
    // devicetree specification require) whatever RAM size the caller has.
    uint64_t top = std::min(req.ram_size, kFdtPreferredTop) & ~(kRtasAreaSize - 1);
    if (top < area)
        return Error{"guest RAM is too small for the device tree"};
    uint64_t base = top - area;
    if (overlaps(base, top, req.kernel_lo, req.kernel_hi) ||
        (req.initrd_size && overlaps(base, top, l.initrd_start, l.initrd_end))) {
        base = align_up(used_hi, kInitrdAlign);
        top = base + area;
        if (top > std::min(req.ram_size, kFdtCeiling))
            return Error{"no room for the device tree below " + hex(std::min(req.ram_size, kFdtCeiling)) +
                         ": kernel and initrd end at " + hex(used_hi)};
    }
    l.rtas_base = base;
    l.rtas_size = kRtasAreaSize;
    l.fdt_base = base + kRtasAreaSize;
    l.fdt_max_size = kFdtMaxSize;
    return l;
}

} // namespace phvrun
