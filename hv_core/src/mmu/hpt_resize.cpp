// HPT resizing (PAPR's H_RESIZE_HPT_PREPARE / H_RESIZE_HPT_COMMIT), with KVM's division of labour: the hcalls
// exit to the VMM, which calls PHV_PPC_RESIZE_HPT_PREPARE / _COMMIT as QEMU calls KVM_PPC_RESIZE_HPT_*.
// Prepare allocates the new table (at once: an anonymous mapping costs nothing until touched); commit holds
// every running vcpu at a block boundary, moves the bolted entries into the new table and swaps the tables.
// As in KVM, entries that are not bolted are dropped (the guest faults them back in), and a bolted entry that
// meets another bolted one in a smaller table fails the commit (-ENOSPC) with the old table kept.
#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

#include "mmu/hash.h"
#include "mmu/hpt.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

namespace {

bool valid_request(uint64_t flags, uint32_t shift) {
    return flags == 0 && (shift == 0 || (shift >= mmu::Hpt::kMinOrder && shift <= mmu::Hpt::kMaxOrder));
}

// Moves the bolted entries of `from` into the empty `to`, each to the group its hash selects there, in the
// same slot of the group and on the same (primary or secondary) hash. Returns 0 or -ENOSPC.
int rehash(const mmu::Hpt &from, mmu::Hpt &to) {
    using namespace mmu;
    for (uint64_t i = 0; i < from.entries(); ++i) {
        const uint64_t v = from.v(i);
        if (!(v & hpte::V_V) || !(v & hpte::V_BOLTED))
            continue;
        const uint64_t r = from.r(i);
        unsigned base = 12;
        if (!hpte_page_shift_any(v, r, &base))
            continue;   // H_ENTER never accepts such an entry; nothing could have used it
        const uint64_t hash = hpte_hash(v, i, from.pteg_mask(), base);
        const uint64_t group = ((v & hpte::V_H) ? ~hash : hash) & to.pteg_mask();
        const uint64_t j = group * 8 + (i & 7);
        if (to.v(j) & hpte::V_V)
            return -ENOSPC;   // only a smaller table folds two groups into one, and both entries are bolted
        to.write(j, v, r);
    }
    return 0;
}

} // namespace

int Vm::resize_hpt_prepare(uint64_t flags, uint32_t shift) {
    if (!valid_request(flags, shift))
        return -EINVAL;
    std::lock_guard g(mmu_.hpt_setup);
    if (mmu_.process_table.load() & mmu::pate1::GR)
        return -EINVAL;   // a radix partition has no HPT to resize (KVM: -EINVAL too)
    if (mmu_.pending && mmu_.pending->order() == shift)
        return 0;         // prepared already
    mmu_.pending.reset();
    if (shift == 0)
        return 0;         // a cancel
    auto table = std::make_unique<mmu::Hpt>();
    if (const int r = table->allocate(shift))
        return r;
    mmu_.pending = std::move(table);
    return 0;
}

int Vm::resize_hpt_commit(uint64_t flags, uint32_t shift) {
    if (!valid_request(flags, shift))
        return -EINVAL;
    std::lock_guard g(mmu_.hpt_setup);
    if (mmu_.process_table.load() & mmu::pate1::GR)
        return -EINVAL;
    std::unique_ptr<mmu::Hpt> table = std::move(mmu_.pending);   // gone whatever happens, as in KVM
    if (!table || table->order() != shift || !mmu_.hpt.present())
        return -ENXIO;

    // Hold every running vcpu at its next block boundary. The guest is meant to be quiescent (Linux commits
    // from stop_machine), so they get there at once; one that does not within a second (stuck in tlbsync
    // behind a held vcpu, say) makes the commit fail rather than wait for ever.
    std::vector<Vcpu *> vcpus;
    for_each_vcpu([&](Vcpu &v) { vcpus.push_back(&v); });
    mmu_.hold.store(true, std::memory_order_seq_cst);
    for (Vcpu *v : vcpus)
        v->request_hold_check();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    int rc = 0;
    for (Vcpu *v : vcpus) {
        while (v->mmu_.running.load(std::memory_order_seq_cst) && !v->mmu_.parked.load(std::memory_order_seq_cst)) {
            if (std::chrono::steady_clock::now() > deadline) {
                rc = -EBUSY;
                break;
            }
            std::this_thread::yield();
        }
        if (rc)
            break;
    }
    if (rc == 0)
        rc = rehash(mmu_.hpt, *table);
    if (rc == 0)
        rc = mmu_.hpt.swap_tables(*table);   // `table` now holds the old one, unmapped when it goes
    if (rc == 0)
        mmu_changed();   // every TLB starts again
    mmu_.hold.store(false, std::memory_order_seq_cst);
    return rc;
}

} // namespace phv
