// H_SET_MODE (PAPR hcall 0x31C), served in the core like KVM-HV serves its in-kernel hcalls. The two
// resources a Linux guest sets at boot change LPCR bits of every vcpu of the partition:
//   H_SET_MODE_RESOURCE_LE (4): mflags 0 = interrupts big-endian, 1 = little-endian (LPCR[ILE]);
//   H_SET_MODE_RESOURCE_ADDR_TRANS_MODE (3): mflags = the new LPCR[AIL].
// KVM passes both to the VMM (kvmppc_h_set_mode answers H_TOO_HARD), and QEMU's h_set_mode_resource_le and
// h_set_mode_resource_addr_trans_mode (hw/ppc/spapr_hcall.c) give the answers followed here: value1 != 0 ->
// H_P3, value2 != 0 -> H_P4, an mflags outside the list -> H_UNSUPPORTED_FLAG. AIL accepts 0 and 3 only:
// AIL=1 is reserved on POWER8-10, AIL=2 is reserved in ISA 3.1, and neither KVM (kvmppc_filter_guest_lpcr_hv)
// nor QEMU's pseries offers it on POWER8/9. CIABR and DAWR (1, 2, 5) go to the VMM, which owns the debug
// facilities; any other resource is H_P2, as in QEMU.
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

using isa::Flow;

namespace {
constexpr uint64_t kResourceCiabr = 1, kResourceDawr0 = 2, kResourceAddrTransMode = 3, kResourceLe = 4,
                   kResourceDawr1 = 5;
constexpr int64_t kH_P2 = -55, kH_P3 = -56, kH_P4 = -57, kH_UNSUPPORTED_FLAG = -256;
} // namespace

Flow Vcpu::h_set_mode() {
    const uint64_t mflags = st_.gpr[4], resource = st_.gpr[5], value1 = st_.gpr[6], value2 = st_.gpr[7];
    if (resource == kResourceCiabr || resource == kResourceDawr0 || resource == kResourceDawr1)
        return hcall_exit();
    int64_t ret = 0;
    uint64_t mask = 0, bits = 0;
    if (resource != kResourceLe && resource != kResourceAddrTransMode)
        ret = kH_P2;
    else if (value1)
        ret = kH_P3;
    else if (value2)
        ret = kH_P4;
    else if (resource == kResourceLe && mflags <= 1)
        mask = lpcr::ILE, bits = mflags ? lpcr::ILE : 0;
    else if (resource == kResourceAddrTransMode && (mflags == 0 || mflags == 3))
        mask = lpcr::AIL, bits = mflags << lpcr::kAilShift;
    else
        ret = kH_UNSUPPORTED_FLAG;
    if (mask) {
        // This vcpu at once (the guest's next interrupt already uses it); the others at their next block
        // boundary, from their own threads (a running vcpu's registers belong to its thread).
        st_.spr[spr::LPCR] = (st_.spr[spr::LPCR] & ~mask) | bits;
        vm_.for_each_vcpu([&](Vcpu &v) {
            if (&v != this)
                v.request_lpcr_update(mask, bits);
        });
    }
    st_.gpr[3] = uint64_t(ret);
    st_.nip = mask_ea(st_.nip + 4);
    return Flow::Jump;
}

void Vcpu::request_lpcr_update(uint64_t mask, uint64_t bits) {
    std::lock_guard g(invalidate_lock_);
    lpcr_update_mask_ |= mask;
    lpcr_update_bits_ = (lpcr_update_bits_ & ~mask) | bits;
    attention_.store(true, std::memory_order_release);
}

void Vcpu::apply_lpcr_updates() {
    std::lock_guard g(invalidate_lock_);
    st_.spr[spr::LPCR] = (st_.spr[spr::LPCR] & ~lpcr_update_mask_) | lpcr_update_bits_;
    lpcr_update_mask_ = lpcr_update_bits_ = 0;
}

} // namespace phv
