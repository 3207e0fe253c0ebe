// Semantics of the Book III storage-control instructions that manage translation (Book III 6.9.3): tlbie,
// tlbiel, tlbsync, slbia. Included by the instruction table; the rows are in isa/rows/storage_control.inc.
#pragma once
#include "isa/semantics/common.h"
#include "mmu/invalidate.h"
#include "vcpu/spr_table.h"

namespace phv::isa::sem {

// tlbie RB,RS,RIC,PRS,R and tlbiel (X form; RIC in bits 12:13, PRS bit 14, R bit 15). tlbie is hypervisor-
// privileged unless LPCR[GTSE]=1, which KVM sets for radix guests that ask for it in H_REGISTER_PROC_TBL; a
// guest without it gets what KVM gives it for a Hypervisor Emulation Assistance interrupt. tlbiel is
// privileged (ISA 3.0) and affects only this vcpu; tlbie reaches every vcpu of the partition.
template <bool Local>
Flow tlbie(Vcpu &c, const Decoded &d) {
    if (!Local && !(c.st_.spr[spr::LPCR] & mmu::lpcr::GTSE))
        return c.hv_emulation_assist(d.word);
    const mmu::TlbieOperands op{c.st_.gpr[d.rb], c.st_.gpr[d.rt], (d.word >> 18) & 3, (d.word >> 17) & 1,
                                (d.word >> 16) & 1};
    mmu::Invalidation inv;
    if (mmu::decode_tlbie(op, inv))
        c.tlb_invalidate(inv, !Local);
    return Flow::Next;
}

// tlbsync: this vcpu's earlier tlbie are complete on every vcpu once it completes (ptesync, a sync form, then
// orders it with later accesses; phv's accesses are already in order).
inline Flow tlbsync(Vcpu &c, const Decoded &d) {
    if (!(c.st_.spr[spr::LPCR] & mmu::lpcr::GTSE))
        return c.hv_emulation_assist(d.word);
    c.tlbsync();
    return Flow::Next;
}

// slbia IH: invalidates SLB entries, and with radix some implementation-specific lookaside information,
// which phv's TLB does not keep beyond what tlbie names. There is no SLB until the hash MMU exists.
inline Flow slbia(Vcpu &, const Decoded &) { return Flow::Next; }

} // namespace phv::isa::sem
