// The MMU side of running a nested L2 (nested/run.cpp): each L2 translates through a TLB of its own, kept
// on the vcpu between runs (a few per vcpu, least recently used goes), so switching between an L1 and its
// L2 invalidates nothing. A kept TLB is reused only while the L2's tables are the ones it was filled
// under (`generation`, bumped by the L0 when the L1 sets them) and the memslots have not changed.
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

void Vcpu::enter_l2_mmu(uint64_t lpid, uint64_t generation, uint64_t root, uint64_t process_table) {
    auto &m = mmu_;
    const uint64_t slots = vm_.memslots().generation();
    mmu::VcpuMmu::L2Tlb *t = nullptr, *lru = &m.l2_tlbs[0];
    for (auto &c : m.l2_tlbs) {
        if (c.tlb && c.lpid == lpid) {
            t = &c;
            break;
        }
        if (c.last_used < lru->last_used)
            lru = &c;
    }
    if (!t) {
        t = lru;
        if (!t->tlb)
            t->tlb = mmu::Tlb::create(&m.link_stamp);
        else
            t->tlb->flush();
        t->lpid = lpid;
        t->generation = generation;
        t->slots_generation = slots;
    }
    if (t->generation != generation || t->slots_generation != slots) {
        t->tlb->flush();
        t->generation = generation;
        t->slots_generation = slots;
    }
    t->last_used = ++m.l2_clock;
    m.l2_current = t;
    m.tlb = t->tlb.get();
    m.slots_generation = slots;
    m.hash = false;
    m.process_table = process_table;
    m.l2 = {true, root};
    m.move_link_stamp();   // another TLB and real-mode regime: no link made in the L1 holds
    keys_changed();
}

void Vcpu::leave_l2_mmu(mmu::Tlb *l1_tlb, uint64_t l1_slots_generation, uint64_t l1_process_table, bool l1_hash) {
    auto &m = mmu_;
    if (m.l2_current)
        m.l2_current->slots_generation = m.slots_generation;
    m.l2_current = nullptr;
    m.l2 = {};
    m.tlb = l1_tlb;
    m.move_link_stamp();   // no link made in the L2 holds
    m.slots_generation = l1_slots_generation;
    m.process_table = l1_process_table;
    m.hash = l1_hash;
    keys_changed();
}

} // namespace phv
