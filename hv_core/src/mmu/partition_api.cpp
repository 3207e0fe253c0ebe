// What the C ABI reads and sets of a partition's MMU from outside the guest (phv.h 4.11-4.15): the MMU type
// and registered process table (KVM_PPC_CONFIGURE_V3_MMU), the HPT's contents and its record of changed
// groups, and each vcpu's SLB, for a VMM that negotiates the MMU itself or migrates a guest.
#include <cerrno>

#include "mmu/hash.h"
#include "mmu/radix.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

namespace {
bool any_running(Vm &vm) {
    bool running = false;
    vm.for_each_vcpu([&](Vcpu &v) { running |= v.mmu_.running.load(); });
    return running;
}
} // namespace

int Vm::configure_v3_mmu(uint64_t flags, uint64_t process_table) {
    if (model_.isa < isa::Isa::V300)
        return -EINVAL;
    if (flags & ~uint64_t(PHV_PPC_MMUV3_RADIX | PHV_PPC_MMUV3_GTSE))
        return -EINVAL;
    const bool radix = flags & PHV_PPC_MMUV3_RADIX;
    if (bool(process_table & mmu::pate1::GR) != radix || (process_table & mmu::pate1::PRTS) > 24)
        return -EINVAL;
    std::lock_guard g(mmu_.hpt_setup);
    const bool was_radix = mmu_.process_table.load() & mmu::pate1::GR;
    if (radix != was_radix && any_running(*this))
        return -EBUSY;
    uint64_t bits = radix ? mmu::lpcr::UPRT | mmu::lpcr::HR : 0;
    if (flags & PHV_PPC_MMUV3_GTSE)
        bits |= mmu::lpcr::GTSE;
    mmu_.process_table.store(process_table, std::memory_order_relaxed);
    mmu_.lpcr_bits.store(bits, std::memory_order_relaxed);
    mmu_changed();
    return 0;
}

void Vm::get_v3_mmu(uint64_t &flags, uint64_t &process_table) {
    process_table = mmu_.process_table.load();
    const uint64_t bits = mmu_.lpcr_bits.load();
    flags = ((process_table & mmu::pate1::GR) ? PHV_PPC_MMUV3_RADIX : 0) |
            ((bits & mmu::lpcr::GTSE) ? PHV_PPC_MMUV3_GTSE : 0);
}

int Vm::htab_access(uint64_t index, uint64_t n, uint64_t *read, const uint64_t *write) {
    std::lock_guard g(mmu_.hpt_setup);
    mmu::Hpt &hpt = mmu_.hpt;
    if (!hpt.present() || index > hpt.entries() || n > hpt.entries() - index)
        return -EINVAL;
    if (write && any_running(*this))
        return -EBUSY;
    for (uint64_t i = 0; i < n; ++i) {
        if (write)
            hpt.write(index + i, write[2 * i], write[2 * i + 1]);
        else
            read[2 * i] = hpt.v(index + i), read[2 * i + 1] = hpt.r(index + i);
    }
    if (write)
        mmu_changed();   // every TLB starts again
    return 0;
}

int Vm::htab_record(int on) {
    if (on != 0 && on != 1)
        return -EINVAL;
    std::lock_guard g(mmu_.hpt_setup);
    if (!on) {
        mmu_.hpt.stop_record();
        return 0;
    }
    return mmu_.hpt.start_record();
}

int64_t Vm::take_htab_changes(uint32_t order, uint64_t first, uint64_t n, uint64_t *bitmap) {
    std::lock_guard g(mmu_.hpt_setup);   // the table and its bitmap stay as they are meanwhile
    return mmu_.hpt.take_changes(order, first, n, bitmap);
}

void Vcpu::get_slb(phv_ppc_slb_entry *out) const {
    for (unsigned i = 0; i < mmu::slb::kEntries; ++i)
        out[i] = {mmu_.slb.e[i].esid | i, mmu_.slb.e[i].vsid};
}

int Vcpu::set_slb(const phv_ppc_slb_entry *in) {
    for (unsigned i = 0; i < mmu::slb::kEntries; ++i) {
        const uint64_t esid = in[i].slbe & ~mmu::slb::kIndexMask;
        if ((in[i].slbe & mmu::slb::kIndexMask) != i || (esid & ~(mmu::slb::ESID_256M | mmu::slb::V)) ||
            (in[i].slbv & mmu::slb::B & ~mmu::slb::B_1T) || !mmu::segment_page_sizes(in[i].slbv))
            return -EINVAL;
    }
    for (unsigned i = 0; i < mmu::slb::kEntries; ++i)
        mmu_.slb.e[i] = {in[i].slbe & ~mmu::slb::kIndexMask, in[i].slbv};
    mmu_.tlb->flush();
    return 0;
}

} // namespace phv
