// The Virtual Real Mode Area of a hash partition (Book III 5.7.3.4): with LPCR[VPM0]=1 the guest's real-mode
// accesses (MSR[IR]=0 or MSR[DR]=0) are translated through the HPT, as if by an SLB entry for a 1T segment
// with VSID 0x1ffffff and the base page size LPCR[VRMASD] names; an access no HPTE maps is a DSI or ISI with
// the no-PTE cause, as KVM-HV reflects it.
//
// As KVM's kvmppc_hv_setup_htab_rma/kvmppc_map_vrma, the hypervisor makes the HPTEs when the first vcpu that
// wants them runs: 64K pages (a 64K-page host's choice) over the memory slot at guest real address 0, one
// per PTE group (page i in slot 0 of the group its hash selects), bolted, R and C set, WIMG 0010, PP 00. They
// are ordinary HPTEs: the guest sees them with H_READ (Linux skips them by HPTE_V_VRMA_MASK when it clears
// the table for kexec), and an HPT resize moves them like its own bolted entries. The real-mode area so
// covers as much of that slot as the table has groups (with phv-run's table size, all of it).
#include <algorithm>

#include "mmu/hash.h"
#include "mmu/hpt.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

namespace {
constexpr unsigned kVrmaPageShift = 16;
constexpr uint64_t kVrmaSlbEnc = 0x110;   // L||LP of the 64K base page size (mmu::kSegmentPageSizes)
constexpr uint64_t kVrmaPteEnc = 0x1;     // its LP in the HPTE
} // namespace

void Vcpu::setup_vrma() {
    auto &pm = vm_.mmu();
    std::lock_guard g(pm.hpt_setup);
    mmu::Hpt &hpt = pm.hpt;
    if (pm.vrmasd.load() || !hpt.present())
        return;
    const Memslot *slot = vm_.memslots().find(0, 1);
    const uint64_t size = slot ? slot->size : 0;
    const uint64_t npages = std::min<uint64_t>({size >> kVrmaPageShift, uint64_t(1) << (40 - kVrmaPageShift), hpt.pteg_mask() + 1});
    // The 1T hash of the VRMA's VSID is (VSID ^ VSID << 25) ^ page = ~page over the table's groups.
    const uint64_t vsid_hash = mmu::kVrmaVsid ^ (mmu::kVrmaVsid << 25);
    for (uint64_t i = 0; i < npages; ++i) {
        const uint64_t index = ((i ^ vsid_hash) & hpt.pteg_mask()) * 8;
        const uint64_t off = i << kVrmaPageShift;
        const uint64_t v = mmu::slb::B_1T | mmu::kVrmaVsid << 24 | ((off >> 16) & mmu::hpte::V_AVPN) |
                           mmu::hpte::V_BOLTED | mmu::hpte::V_L | mmu::hpte::V_V;
        const uint64_t r = off | kVrmaPteEnc << 12 | mmu::hpte::R_R | mmu::hpte::R_C | mmu::hpte::R_M;
        std::lock_guard lg(hpt.lock(index));
        if (!(hpt.v(index) & mmu::hpte::V_V))   // KVM's H_EXACT insert leaves a taken slot alone too
            hpt.write(index, v, r);
    }
    pm.vrmasd.store((kVrmaSlbEnc >> 4) << mmu::lpcr::kVrmasdShift, std::memory_order_release);
    vm_.mmu_changed();   // every vcpu takes VRMASD into its LPCR
}

} // namespace phv
