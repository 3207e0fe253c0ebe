// Semantics of the Book III storage-control instructions that manage translation (Book III 6.9.3): tlbie,
// tlbiel, tlbsync, and the SLB instructions slbmte, slbmfee, slbmfev, slbie, slbieg, slbia, slbfee. (slbsync
// is a sync here: phv's SLB updates are done when the instruction is). Included by the instruction table; the rows are in isa/rows/storage_control.inc.
#pragma once
#include "isa/semantics/common.h"
#include "mmu/hash.h"
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

// ---- SLB management (Book III, "SLB Management Instructions") -----------------------------------
// The SLB is per vcpu and exists in both MMU modes; only under hash do its changes reach the TLB, whose
// entries of a segment go when the segment does (and only those).

namespace slbops {
inline void drop_segment(Vcpu &c, const mmu::SlbEntry &e) {
    if (c.mmu_.hash && e.valid())
        c.mmu_.tlb->invalidate({mmu::Invalidation::Scope::Segment, e.esid & ~mmu::slb::V, e.segment_shift(), 0});
}
} // namespace slbops

// slbmte RS,RB: RB = ESID || V || index, RS = the VSID half. An index beyond the SLB, reserved RB bits, a
// reserved segment size or a page-size encoding the processor does not offer are an illegal-instruction
// Program interrupt, as in QEMU (the ISA leaves them undefined).
inline Flow slbmte(Vcpu &c, const Decoded &d) {
    const uint64_t rb = c.st_.gpr[d.rb], rs = c.st_.gpr[d.rt];
    const uint64_t index = rb & mmu::slb::kIndexMask, esid = rb & ~mmu::slb::kIndexMask;
    if (index >= mmu::slb::kEntries || (esid & ~(mmu::slb::ESID_256M | mmu::slb::V)) ||
        (rs & mmu::slb::B & ~mmu::slb::B_1T) || !mmu::segment_page_sizes(rs))
        return c.program_interrupt(srr1::kIllegal);
    mmu::SlbEntry &e = c.mmu_.slb.e[index];
    slbops::drop_segment(c, e);   // what the replaced entry translated (Linux replaces without slbie)
    e = {esid, rs};
    return Flow::Next;
}

// slbmfee RT,RB / slbmfev RT,RB: the ESID or VSID half of entry RB[52:63].
template <bool Vsid>
Flow slbmf(Vcpu &c, const Decoded &d) {
    const uint64_t index = c.st_.gpr[d.rb] & mmu::slb::kIndexMask;
    if (index >= mmu::slb::kEntries)
        return c.program_interrupt(srr1::kIllegal);
    const mmu::SlbEntry &e = c.mmu_.slb.e[index];
    c.st_.gpr[d.rt] = Vsid ? e.vsid : e.esid;
    return Flow::Next;
}

// slbie RB / slbieg RS,RB: invalidates the entry translating the EA in RB, if any. slbieg's other threads
// are the partition's other vcpus, whose SLBs phv keeps apart; as in QEMU, it acts on this vcpu's.
inline Flow slbie(Vcpu &c, const Decoded &d) {
    const uint64_t ea = c.mask_ea(c.st_.gpr[d.rb]);
    for (mmu::SlbEntry &e : c.mmu_.slb.e)
        if (e.contains(ea)) {
            slbops::drop_segment(c, e);
            e.esid &= ~mmu::slb::V;
        }
    return Flow::Next;
}

// slbia IH: IH=7 invalidates no entry but every lookaside translation; IH=3 spares class-0 entries; IH=3
// and 4 include entry 0, which every other IH keeps (ISA 3.0 Book III, slbia). Then the TLB keeps exactly
// the translations of segments still valid.
inline Flow slbia(Vcpu &c, const Decoded &d) {
    const unsigned ih = (d.word >> 21) & 7;
    if (ih == 7) {
        if (c.mmu_.hash)
            c.mmu_.tlb->flush();
        return Flow::Next;
    }
    const unsigned first = (ih == 3 || ih == 4) ? 0 : 1;
    bool any = false;
    for (unsigned i = first; i < mmu::slb::kEntries; ++i) {
        mmu::SlbEntry &e = c.mmu_.slb.e[i];
        if (!e.valid() || (ih == 3 && !(e.vsid & mmu::slb::C)))
            continue;
        e.esid &= ~mmu::slb::V;
        any = true;
    }
    if (any && c.mmu_.hash)
        c.mmu_.tlb->retain([&](uint64_t ea) { return c.mmu_.slb.find(ea) != nullptr; });
    return Flow::Next;
}

// slbfee. RT,RB: the VSID half of the entry translating RB's EA, CR0[EQ] set when there is one; else RT=0.
inline Flow slbfee(Vcpu &c, const Decoded &d) {
    const uint64_t ea = c.mask_ea(c.st_.gpr[d.rb]);
    const mmu::SlbEntry *e = c.mmu_.slb.find(ea);
    c.st_.gpr[d.rt] = e ? e->vsid : 0;
    c.st_.set_crf(0, (e ? 2u : 0u) | c.st_.so);
    return Flow::Next;
}

} // namespace phv::isa::sem
