// H_RESIZE_HPT_PREPARE / H_RESIZE_HPT_COMMIT, served as QEMU serves them over KVM: phv-run's policy, then the
// core's PHV_PPC_RESIZE_HPT_* calls, and their errors as hcall returns (QEMU's resize_hpt_convert_rc).
#pragma once
#include <cstdint>

#include "hcalls.h"
#include "phv/phv.h"

namespace phvrun {

// The hcall return for a core result of phv_vm_resize_hpt_prepare/commit.
int64_t resize_hpt_return(int rc);

// Registers both hcalls for `vm` (a hash guest of ram_size bytes) and advertises hcall-hpt-resize.
bool register_hpt_resize(HcallTable &t, phv_vm *vm, uint64_t ram_size);

} // namespace phvrun
