// Performance monitor event counting (Book III, "Performance Monitor Facility"; what is counted: pmu.h).
//
// Instructions are counted in bulk, per block and only while some counter counts: run() looks at
// MMCR0[FC] once per block, so a guest that leaves the counters frozen (as KVM creates a vcpu, MMCR0 =
// FC) pays one test per block. A block runs in one MSR state (every MSR change ends it), so one
// pmu::Counting holds for all of it; SPR writes that change what is counted bring the counters up to date
// first (pmu_sync), so each instruction counts under the state it completed in. The mtspr itself counts
// under the state before it, as QEMU TCG counts it.
//
// An instruction is counted when it completes: one that ends in an interrupt at its own address (a storage
// or program interrupt, SRR0 = the instruction) or that runs again after an exit did not complete.
//
// Cycles: QEMU TCG counts one cycle per nanosecond of its virtual clock ("the pseries clock runs at 1 GHz");
// phv counts one per nanosecond of host time while the counter counts, so cycles and instructions keep the
// ratio they have under TCG and the count does not depend on the timebase frequency the partition reports.
// Cycle counters are brought up to date on every read, on every change of what is counted, and with the
// decrementer checks of the run loop, where an enabled negative cycle counter raises its alert.
#include <algorithm>

#include "vcpu/pmu.h"
#include "vcpu/vcpu.h"

namespace phv {

using isa::Flow;

void Vcpu::pmu_refresh() {
    const pmu::Counting c = pmu::counting(st_.spr[spr::MMCR0], st_.spr[spr::MMCR1], st_.spr[spr::MMCR2],
                                          st_.msr, st_.spr[spr::CTRL_W] & 1);
    if (c.cycles != pmu_.cycles)
        pmu_update_cycles();   // the time so far counts under the old selection
    if (!pmu_.on)
        pmu_.mark = stats_.insns_executed;   // counting starts after the current instruction
    pmu_.insns = c.insns;
    pmu_.cycles = c.cycles;
    pmu_.on = c.insns || c.cycles;
}

void Vcpu::pmu_block_start() {
    pmu_.mark = stats_.insns_executed;
    pmu_refresh();
}

// The address of the instruction that was the index-th executed (insns_executed numbering) of this block:
// instructions of a block run in sequence from its start.
uint64_t Vcpu::pmu_insn_address(uint64_t index) const {
    if (!pmu_.block || index < pmu_.first || index - pmu_.first >= pmu_.block->insns.size())
        return st_.nip;
    uint64_t a = pmu_.nip;
    for (uint64_t i = 0; i < index - pmu_.first; ++i)
        a += pmu_.block->insns[i].len;
    return mask_ea(a);
}

void Vcpu::pmu_sync() {
    if (!pmu_.on)
        return;
    pmu_count(stats_.insns_executed - pmu_.mark);
    pmu_.mark = stats_.insns_executed;
    if (pmu_.cycles)
        pmu_update_cycles();
}

void Vcpu::pmu_block_end(Flow f) {
    // The loop's block ended; instructions run after it (an interrupt's, an exit's) belong to the next one.
    uint64_t n = stats_.insns_executed - pmu_.mark;
    if (n) {
        // Did the last instruction executed complete?
        const uint64_t last = pmu_insn_address(stats_.insns_executed - 1);
        if (stats_.interrupts_delivered != pmu_.irqs ? pmu_.irq_srr0 == last : f == Flow::Exit && st_.nip == last)
            --n;
    }
    pmu_count(n);
    pmu_.mark = stats_.insns_executed;
}

// Adds n completed instructions (the n executed after pmu_.mark) to the counters that count instructions.
// The first instruction that makes an enabled counter negative is an alert; with MMCR0[FCECE] the counters
// freeze right after it, so none counts the instructions after it.
void Vcpu::pmu_count(uint64_t n) {
    if (!n || !pmu_.insns)
        return;
    const uint64_t mmcr0 = st_.spr[spr::MMCR0];
    uint64_t cross = n + 1;   // the k-th instruction (1-based) that makes an enabled counter negative
    for (unsigned i = 0; i < 6; ++i) {
        if (!(pmu_.insns & (1u << i)) || !pmu::condition_enabled(i + 1, mmcr0))
            continue;
        const uint32_t v = uint32_t(st_.spr[spr::PMC1 + i]);
        cross = std::min<uint64_t>(cross, v >= pmu::kNegative ? 1 : pmu::kNegative - v);
    }
    const bool alert = cross <= n;
    const uint64_t add = alert && (mmcr0 & pmu::FCECE) ? cross : n;
    for (unsigned i = 0; i < 6; ++i)
        if (pmu_.insns & (1u << i))
            st_.spr[spr::PMC1 + i] = uint32_t(st_.spr[spr::PMC1 + i] + add);
    if (alert)
        pmu_alert(pmu_insn_address(pmu_.mark + cross - 1));
}

void Vcpu::pmu_update_cycles() {
    const uint64_t now = host_ns();
    const uint64_t delta = now - pmu_.cycles_ns;
    pmu_.cycles_ns = now;
    if (!pmu_.cycles || !delta)
        return;
    const uint64_t mmcr0 = st_.spr[spr::MMCR0];
    bool alert = false;
    for (unsigned i = 0; i < 6; ++i) {
        if (!(pmu_.cycles & (1u << i)))
            continue;
        uint64_t &pmc = st_.spr[spr::PMC1 + i];
        const uint64_t v = uint32_t(pmc) + delta;
        if (pmu::condition_enabled(i + 1, mmcr0) && uint32_t(pmc) < pmu::kNegative && v >= pmu::kNegative) {
            alert = true;
            // Frozen by the alert: it stops where it became negative (the cycles after are not counted).
            if (mmcr0 & pmu::FCECE) {
                pmc = pmu::kNegative;
                continue;
            }
        }
        pmc = uint32_t(v);
    }
    if (alert)
        pmu_alert(st_.nip);
}

// A Performance Monitor alert (an enabled condition): MMCR0[FCECE] freezes the counters (FC=1); with
// MMCR0[PMAE]=1, PMAE becomes PMAO, which is the Performance Monitor exception (taken when MSR[EE]=1), and
// SIAR gets the address of the instruction that caused it. QEMU TCG orders them the same way (FC first,
// then PMAE/PMAO) but leaves SIAR alone.
void Vcpu::pmu_alert(uint64_t siar) {
    uint64_t &mmcr0 = st_.spr[spr::MMCR0];
    if (mmcr0 & pmu::FCECE)
        mmcr0 |= pmu::FC;
    if (mmcr0 & pmu::PMAE) {
        mmcr0 = (mmcr0 & ~pmu::PMAE) | pmu::PMAO;
        st_.spr[spr::SIAR] = siar;
        attention_.store(true, std::memory_order_release);   // the run loop looks at interrupts next
    }
    pmu_refresh();
}

} // namespace phv
