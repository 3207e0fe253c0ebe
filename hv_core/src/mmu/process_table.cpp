// The radix hcalls a KVM-HV guest makes and phv serves in core: H_REGISTER_PROC_TBL, which tells the
// hypervisor where the guest's process table is (PAPR 14.5.4.11; QEMU's h_register_process_table is the
// reference for the argument checks, and KVM_PPC_CONFIGURE_V3_MMU for what it sets), and H_RPT_INVALIDATE,
// the hcall form of tlbie for guests without GTSE or with accelerators (PAPR, "H_RPT_INVALIDATE"; KVM's
// kvmppc_h_rpt_invalidate).
#include "mmu/invalidate.h"
#include "mmu/radix.h"
#include "nested/l0.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

using isa::Flow;

namespace {
constexpr int64_t kH_PARAMETER = -4, kH_P2 = -55, kH_P3 = -56, kH_P4 = -57, kH_FUNCTION = -2;

// H_REGISTER_PROC_TBL flags (r4).
namespace proc_tbl {
constexpr uint64_t kMask = 0x1f;
constexpr uint64_t MODIFY = 0x10;     // change the registration (else: check it matches)
constexpr uint64_t REGISTER = 0x08;   // with MODIFY: register (else deregister)
constexpr uint64_t RADIX = 0x04;
constexpr uint64_t HASH_PROC_TBL = 0x02;   // hash with segment tables: not offered
constexpr uint64_t GTSE = 0x01;
} // namespace proc_tbl

// H_RPT_INVALIDATE type bits (r6) and page sizes (r7), as Linux's hvcall.h names them.
namespace rpti {
constexpr uint64_t TYPE_NESTED = 0x01, TYPE_TLB = 0x02, TYPE_PAT = 0x08;   // PAT: with NESTED (else PRT)
constexpr uint64_t PAGE_4K = 0x01, PAGE_64K = 0x02, PAGE_2M = 0x04, PAGE_1G = 0x08;
// More pages than this in one range are cheaper as a flush of the PID (KVM's tlb_single_page_flush_ceiling).
constexpr uint64_t kPageCeiling = 33;
} // namespace rpti

int64_t register_proc_tbl(Vm &vm, uint64_t flags, uint64_t base, uint64_t page_size, uint64_t table_size) {
    using namespace proc_tbl;
    auto &pm = vm.mmu();
    const uint64_t old = pm.process_table.load(std::memory_order_relaxed);
    if (flags & ~kMask)
        return kH_PARAMETER;
    uint64_t entry;
    if (flags & MODIFY) {
        if (flags & REGISTER) {
            if (flags & RADIX) {
                if ((base & 0xfff) || (base >> 60))
                    return kH_P2;
                if (page_size)
                    return kH_P3;
                if (table_size > 24)
                    return kH_P4;
                entry = mmu::pate1::GR | base | table_size;
            } else {
                if (flags & HASH_PROC_TBL)
                    return kH_PARAMETER;   // hash with segment tables: no such MMU mode here
                if (base >> 38)
                    return kH_P2;
                if (page_size & ~7ull)
                    return kH_P3;
                if (table_size > 24)
                    return kH_P4;
                entry = (base << 25) | page_size << 5 | table_size;
            }
        } else {
            entry = old & mmu::pate1::GR;   // deregister: keep only the MMU type
        }
    } else {
        if (!(flags & RADIX) != !(old & mmu::pate1::GR))
            return kH_PARAMETER;   // "keep the registration" with the other MMU type
        entry = old;
    }
    uint64_t bits = 0;
    if (flags & RADIX)
        bits |= mmu::lpcr::UPRT | mmu::lpcr::HR;
    else if (flags & HASH_PROC_TBL)
        bits |= mmu::lpcr::UPRT;
    if (flags & GTSE)
        bits |= mmu::lpcr::GTSE;
    pm.process_table.store(entry, std::memory_order_relaxed);
    pm.lpcr_bits.store(bits, std::memory_order_relaxed);
    vm.mmu_changed();
    return 0;
}
} // namespace

Flow Vcpu::h_register_proc_tbl() {
    st_.gpr[3] = uint64_t(register_proc_tbl(vm_, st_.gpr[4], st_.gpr[5], st_.gpr[6], st_.gpr[7]));
    mmu_sync();   // this vcpu at once; the others at their next block boundary
    st_.nip = mask_ea(st_.nip + 4);
    return Flow::Jump;
}

// H_RPT_INVALIDATE(pid, target, type, page_sizes, start, end): process-scoped invalidation of the caller's
// partition on every vcpu, complete when the hcall returns (it includes the tlbsync). The nested type
// (partition-scoped, for the L2 whose LPID is in `pid`) needs nesting enabled (else H_FUNCTION, as KVM): an
// L1 changed the partition-scoped tree of an L2, whose translations every vcpu then drops (phv keeps no
// per-page record of which L2 page came from which tree entry). PWC/PRT alone invalidate nothing phv caches.
Flow Vcpu::h_rpt_invalidate() {
    const uint64_t pid = st_.gpr[4], type = st_.gpr[6], sizes = st_.gpr[7], start = st_.gpr[8], end = st_.gpr[9];
    int64_t rc = 0;
    if (type & rpti::TYPE_NESTED) {
        if (vm_.nested().api() == nested::Api::None) {
            rc = kH_FUNCTION;
        } else {
            tlb_invalidate(mmu::Invalidation{}, true);   // Scope::All, on every TLB of every vcpu
            tlbsync();
            if ((type & rpti::TYPE_PAT) && vm_.nested().api() == nested::Api::V1)
                vm_.nested().v1_lpid_flushed(*this, pid);   // kvmhv_flush_lpid's form: the L2 may be gone
        }
    } else if (type & rpti::TYPE_TLB) {
        std::vector<mmu::Invalidation> list;
        auto whole_pid = [&] {
            list.assign(1, mmu::Invalidation{mmu::Invalidation::Scope::Pid, 0, 12, pid});
        };
        if ((start == 0 && end == ~0ull) || end <= start) {
            whole_pid();
        } else {
            static constexpr std::pair<uint64_t, unsigned> kSizes[] = {
                {rpti::PAGE_4K, 12}, {rpti::PAGE_64K, 16}, {rpti::PAGE_2M, 21}, {rpti::PAGE_1G, 30}};
            for (auto [bit, shift] : kSizes) {
                if (!(sizes & bit))
                    continue;
                const uint64_t size = 1ull << shift;
                const uint64_t first = start & ~(size - 1);
                if ((end - first) / size > rpti::kPageCeiling) {
                    whole_pid();
                    break;
                }
                // Counted, not `a < end; a += size`: a range that ends in the last page of the address
                // space would wrap `a` to 0 and never stop (found by fuzz-hcall).
                const uint64_t pages = (end - first) / size + ((end - first) % size != 0);
                for (uint64_t i = 0; i < pages; ++i)
                    list.push_back({mmu::Invalidation::Scope::Page, first + i * size, shift, pid});
            }
        }
        for (const auto &inv : list)
            tlb_invalidate(inv, true);
        tlbsync();
    }
    st_.gpr[3] = uint64_t(rc);
    st_.nip = mask_ea(st_.nip + 4);
    return Flow::Jump;
}

} // namespace phv
