#include "hpt_resize.h"

#include <cerrno>

#include "fdt_cpu.h"

namespace phvrun {

namespace {
// PAPR return codes only these hcalls use.
constexpr int64_t H_BUSY = 1, H_CLOSED = 2, H_PTEG_FULL = -6, H_NO_MEM = -9;
} // namespace

int64_t resize_hpt_return(int rc) {
    switch (rc) {
    case 0: return papr::H_SUCCESS;
    case -EINVAL: return papr::H_PARAMETER;
    case -ENXIO: return H_CLOSED;
    case -ENOSPC: return H_PTEG_FULL;
    case -EBUSY: return H_BUSY;
    case -ENOMEM: return H_NO_MEM;
    default: return papr::H_HARDWARE;
    }
}

bool register_hpt_resize(HcallTable &t, phv_vm *vm, uint64_t ram_size) {
    // A guest may ask for one order more than phv-run would give its RAM, as QEMU allows (it keeps a small
    // guest from claiming a huge table); shift 0 cancels a preparation.
    const uint32_t max_shift = hpt_shift_for_ram(ram_size) + 1;
    bool ok = t.register_hcall(papr::H_RESIZE_HPT_PREPARE, [vm, max_shift](const HcallContext &, HcallArgs &a) {
        const uint64_t flags = a.args[0], shift = a.args[1];
        if (flags != 0 || (shift && (shift < PHV_PPC_MIN_HPT_ORDER || shift > PHV_PPC_MAX_HPT_ORDER)))
            return papr::H_PARAMETER;
        if (shift > max_shift)
            return papr::H_RESOURCE;
        return resize_hpt_return(phv_vm_resize_hpt_prepare(vm, flags, uint32_t(shift)));
    });
    ok = ok && t.register_hcall(papr::H_RESIZE_HPT_COMMIT, [vm](const HcallContext &, HcallArgs &a) {
        if (a.args[1] > PHV_PPC_MAX_HPT_ORDER)
            return papr::H_PARAMETER;
        return resize_hpt_return(phv_vm_resize_hpt_commit(vm, a.args[0], uint32_t(a.args[1])));
    });
    if (ok)
        t.add_hypertas("hcall-hpt-resize");
    return ok;
}

} // namespace phvrun
