// The shared-processor LPAR hcalls (PAPR's hcall-splpar set) phv-run serves: H_REGISTER_VPA with its VPA,
// dispatch trace log and SLB shadow buffer registrations, H_PROD and H_CONFER. H_CEDE, the last of the set,
// is the core's (it ends in PHV_EXIT_HLT; H_PROD wakes the sleeper through VmControl::wake).
#pragma once
#include <cstdint>
#include <mutex>
#include <vector>

#include "guest_memory.h"
#include "hcalls.h"
#include "vm_control.h"

namespace phvrun {

// Per-vcpu registrations. phv-run keeps them to validate the calls as PAPR orders them (a DTL or SLB
// shadow needs a VPA; a VPA cannot go while they stay); it writes nothing into the areas, as a partition
// with dedicated processors that are never preempted by the hypervisor has nothing to report there.
class VpaRegistry {
public:
    struct Areas {
        uint64_t vpa = 0;
        uint64_t dtl = 0, dtl_size = 0;
        uint64_t slb_shadow = 0, slb_shadow_size = 0;
    };

    VpaRegistry(const GuestMemory &mem, unsigned ncpus) : mem_(mem), cpus_(ncpus) {}

    // H_REGISTER_VPA(flags, proc, addr): the subfunction in flags bits 16-18 (IBM numbering).
    int64_t h_register_vpa(uint64_t flags, uint64_t proc, uint64_t addr);
    Areas areas(uint32_t cpu) const;

private:
    GuestMemory mem_;
    mutable std::mutex lock_;
    std::vector<Areas> cpus_;
};

// H_REGISTER_VPA, H_PROD and H_CONFER, and the hcall-splpar set they complete with the core's H_CEDE.
bool register_splpar_hcalls(HcallTable &t, VpaRegistry &vpa, VmControl &control);

} // namespace phvrun
