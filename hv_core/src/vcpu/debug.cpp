// Guest debugging for the VMM's gdbstub (PHV_SET_GUEST_DEBUG, modelled on KVM_SET_GUEST_DEBUG): single step,
// software breakpoints (the instruction word PHV_SW_BREAKPOINT_INSN the VMM writes over guest code, which
// KVM-HV calls KVMPPC_INST_SW_BREAKPOINT and reports through KVM_REG_PPC_DEBUG_INST), and hardware
// breakpoints and watchpoints by effective address. Each stop is a PHV_EXIT_DEBUG with the address and why.
//
// While single step or any hardware breakpoint is set, blocks run through run_block<..., Debug=true>, which
// looks at each instruction before and after it runs; watchpoints are looked at in translate_data. With
// nothing set, the only cost is the test that picks the run_block instance and one in translate_data.
//
// BLOCKIRQ (a debugger's step that should stay in the code it steps) needs no run_block instance of its own:
// the places that take asynchronous interrupts (deliver_pending_interrupt, the nested run's l2_poll) look at
// it, and whatever they would have taken stays pending (a level, the DEC's sign, DPDES, MMCR0[PMAO], HDEC)
// until a later run without it.
#include <cerrno>

#include "vcpu/vcpu.h"

namespace phv {

using isa::Flow;

int Vcpu::set_guest_debug(const phv_guest_debug &dbg) {
    constexpr uint32_t kKnown = PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_SINGLESTEP | PHV_GUESTDBG_USE_SW_BP |
                                PHV_GUESTDBG_USE_HW_BP | PHV_GUESTDBG_BLOCKIRQ;
    if (dbg.control & ~kKnown)
        return -EINVAL;
    if ((dbg.control & PHV_GUESTDBG_USE_HW_BP) && dbg.nr_bp > PHV_GUESTDBG_MAX_HW_BP)
        return -EINVAL;
    Debug d;
    if (dbg.control & PHV_GUESTDBG_ENABLE) {
        d.step = dbg.control & PHV_GUESTDBG_SINGLESTEP;
        d.sw_bp = dbg.control & PHV_GUESTDBG_USE_SW_BP;
        d.block_irq = dbg.control & PHV_GUESTDBG_BLOCKIRQ;
        if (dbg.control & PHV_GUESTDBG_USE_HW_BP) {
            for (uint32_t i = 0; i < dbg.nr_bp; ++i) {
                const phv_guest_debug_bp &b = dbg.bp[i];
                const uint32_t watch = b.type & (PHV_DEBUG_WATCH_READ | PHV_DEBUG_WATCH_WRITE);
                if (b.type == PHV_DEBUG_BREAKPOINT) {
                    d.exec[d.n_exec++] = b.addr;
                } else if (watch && !(b.type & ~watch) && b.len >= 1 && b.len <= 4096) {
                    d.watch[d.n_watch++] = b;
                } else {
                    return -EINVAL;
                }
            }
        }
    }
    d.active = d.step || d.n_exec || d.n_watch;
    // What the last stop left for the next run survives: a VMM sets the debug state again before it
    // resumes (QEMU's gdbstub does on every continue and step).
    d.resuming = debug_.resuming;
    d.resume_nip = debug_.resume_nip;
    d.step_pending = debug_.step_pending;
    debug_ = d;
    return 0;
}

// Stops the run with PHV_EXIT_DEBUG. The instruction at NIP has not run (a breakpoint, a watchpoint) or NIP
// is the next one (a step); either way the run resumes at NIP, and the breakpoint or watchpoint that stopped
// it lets that first instruction through once.
Flow Vcpu::debug_exit(uint64_t address, uint32_t status) {
    run_.exit_reason = PHV_EXIT_DEBUG;
    run_.nip = st_.nip;
    run_.debug.address = address;
    run_.debug.status = status;
    debug_.resume_nip = st_.nip;
    debug_.resuming = status != PHV_DEBUG_SINGLESTEP;
    ++stats_.debug_exits;
    return Flow::Exit;
}

bool Vcpu::debug_exec_hit() const {
    for (unsigned i = 0; i < debug_.n_exec; ++i)
        if (debug_.exec[i] == st_.nip)
            return true;
    return false;
}

// A data access of len bytes at ea that overlaps a watched range of the matching kind stops before it is
// made (as a DAWR match does): the instruction runs when the run resumes.
Flow Vcpu::debug_watch(bool store, uint64_t ea, unsigned len) {
    if (debug_.suppress_watch)
        return Flow::Next;
    const uint32_t kind = store ? PHV_DEBUG_WATCH_WRITE : PHV_DEBUG_WATCH_READ;
    for (unsigned i = 0; i < debug_.n_watch; ++i) {
        const phv_guest_debug_bp &w = debug_.watch[i];
        if ((w.type & kind) && ea < w.addr + w.len && w.addr < ea + len)
            return debug_exit(w.addr, kind);
    }
    return Flow::Next;
}

} // namespace phv
