/*
 * phv accelerator: what QEMU's gdbstub needs from an accelerator (-s -S with -accel phv).
 *
 * The core does the stopping (phv_vcpu_set_guest_debug, KVM_SET_GUEST_DEBUG's model): single step, the
 * software-breakpoint word and up to PHV_GUESTDBG_MAX_HW_BP hardware breakpoints and watchpoints by
 * effective address. This file keeps gdb's lists, turns them into each vcpu's debug state, plants and
 * lifts software breakpoints in guest memory, and decides whether a PHV_EXIT_DEBUG is gdb's to report.
 *
 * Breakpoints are the VM's (guest memory is shared by every vcpu), so every change goes to every vcpu,
 * as KVM's gdbstub support does.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/queue.h"
#include "exec/breakpoint.h"
#include "gdbstub/enums.h"
#include "system/cpus.h"
#include "system/hw_accel.h"
#include "hw/boards.h"
#include "hw/ppc/spapr.h"
#include "cpu.h"
#include "mmu-book3s-v3.h"
#include "phv-int.h"

/*
 * A planted software breakpoint. gdb may insert the same address twice (two breakpoints on one line), so
 * the word is counted, and the guest's own word comes back only when the last one goes.
 */
typedef struct PhvSwBreakpoint {
    vaddr pc;
    uint8_t saved[4];
    int use_count;
    QTAILQ_ENTRY(PhvSwBreakpoint) entry;
} PhvSwBreakpoint;

static QTAILQ_HEAD(, PhvSwBreakpoint) phv_sw_breakpoints = QTAILQ_HEAD_INITIALIZER(phv_sw_breakpoints);

/* Hardware breakpoints and watchpoints exactly as gdb asked (GDB_BREAKPOINT_HW, GDB_WATCHPOINT_*). */
typedef struct PhvHwPoint {
    vaddr addr;
    vaddr len;
    int type;
} PhvHwPoint;

static PhvHwPoint phv_hw_points[PHV_GUESTDBG_MAX_HW_BP];
static int phv_nb_hw_points;

/*
 * PHV_SW_BREAKPOINT_INSN is 00 dd dd 00: the same four bytes in either byte order, so planting it needs
 * no guess at the endianness the guest will fetch it in (which, at -S, is not yet the kernel's).
 */
static const uint8_t phv_sw_bp_bytes[4] = {
    PHV_SW_BREAKPOINT_INSN >> 24, (PHV_SW_BREAKPOINT_INSN >> 16) & 0xff,
    (PHV_SW_BREAKPOINT_INSN >> 8) & 0xff, PHV_SW_BREAKPOINT_INSN & 0xff,
};
QEMU_BUILD_BUG_ON(((PHV_SW_BREAKPOINT_INSN >> 24) & 0xff) != (PHV_SW_BREAKPOINT_INSN & 0xff) ||
                  ((PHV_SW_BREAKPOINT_INSN >> 16) & 0xff) != ((PHV_SW_BREAKPOINT_INSN >> 8) & 0xff));

/*
 * QEMU translates a debugger's effective addresses itself (cpu_memory_rw_debug, the monitor's x), and for a
 * radix guest it takes the process table from spapr->patb_entry; but the guest registers it with the core
 * (H_REGISTER_PROC_TBL is served there, as KVM-HV serves it in the kernel), so QEMU's copy is brought up to
 * date whenever QEMU looks at a stopped vcpu. Until the guest registered a radix table, QEMU's own value
 * (what reset and client-architecture-support left) stands.
 */
void phv_sync_mmu_view(void)
{
    SpaprMachineState *spapr = (SpaprMachineState *)object_dynamic_cast(OBJECT(current_machine),
                                                                         TYPE_SPAPR_MACHINE);
    struct phv_ppc_mmuv3_cfg cfg;

    if (!spapr || !phv_vm_handle || phv_vm_get_v3_mmu(phv_vm_handle, &cfg) < 0) {
        return;     /* not pseries, no VM yet, or POWER8 (hash only: the HPT is read through the core) */
    }
    if ((cfg.flags & PHV_PPC_MMUV3_RADIX) && (cfg.process_table & PATE1_GR)) {
        spapr->patb_entry = cfg.process_table;
    }
}

bool phv_supports_guest_debug(void)
{
    return true;
}

/*
 * What TCG offers, so gdb's stepi stays in the code it steps by default: SSTEP_NOIRQ is the core's
 * PHV_GUESTDBG_BLOCKIRQ (phv_update_guest_debug), SSTEP_NOTIMER holds QEMU's virtual-clock timers while the
 * step runs, as TCG's round-robin loop does (phv_vcpu_exec). Neither stops guest time: under TCG the
 * timebase follows the virtual clock's value, which NOTIMER does not freeze, and between steps the VM is
 * stopped anyway (phv-timebase.c).
 */
int phv_gdbstub_sstep_flags(void)
{
    return SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER;
}

static uint32_t phv_hw_point_type(int gdb_type)
{
    switch (gdb_type) {
    case GDB_BREAKPOINT_HW:
        return PHV_DEBUG_BREAKPOINT;
    case GDB_WATCHPOINT_WRITE:
        return PHV_DEBUG_WATCH_WRITE;
    case GDB_WATCHPOINT_READ:
        return PHV_DEBUG_WATCH_READ;
    default:
        return PHV_DEBUG_WATCH_READ | PHV_DEBUG_WATCH_WRITE;
    }
}

struct phv_set_guest_debug_data {
    struct phv_guest_debug dbg;
    int ret;
};

static void do_set_guest_debug(CPUState *cs, run_on_cpu_data arg)
{
    struct phv_set_guest_debug_data *d = arg.host_ptr;

    d->ret = phv_vcpu_set_guest_debug(cs->accel->vcpu, &d->dbg);
    /* The lists are checked on insertion, so a refusal here is a mismatch with the core: say so. */
    if (d->ret < 0) {
        error_report("phv: vcpu %d: cannot set the guest debug state: %s", cs->cpu_index, strerror(-d->ret));
    }
}

/* The debug state of one vcpu from gdb's lists and its single-step flag, set on the vcpu's own thread. */
int phv_update_guest_debug(CPUState *cs)
{
    struct phv_set_guest_debug_data d = { 0 };
    struct phv_guest_debug *dbg = &d.dbg;

    if (!cs->accel || !cs->accel->vcpu) {
        return 0;       /* not created yet: its thread sets the state when it is */
    }
    if (cs->singlestep_enabled) {
        dbg->control |= PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_SINGLESTEP;
        /* gdb's current flags (maintenance packet qqemu.sstep=...), as KVM's gdbstub sets BLOCKIRQ. */
        if (cs->singlestep_enabled & SSTEP_NOIRQ) {
            dbg->control |= PHV_GUESTDBG_BLOCKIRQ;
        }
    }
    if (!QTAILQ_EMPTY(&phv_sw_breakpoints)) {
        dbg->control |= PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_USE_SW_BP;
    }
    if (phv_nb_hw_points) {
        dbg->control |= PHV_GUESTDBG_ENABLE | PHV_GUESTDBG_USE_HW_BP;
        dbg->nr_bp = phv_nb_hw_points;
        for (int i = 0; i < phv_nb_hw_points; i++) {
            dbg->bp[i].addr = phv_hw_points[i].addr;
            dbg->bp[i].type = phv_hw_point_type(phv_hw_points[i].type);
            dbg->bp[i].len = phv_hw_points[i].type == GDB_BREAKPOINT_HW ? 0 : phv_hw_points[i].len;
        }
    }
    run_on_cpu(cs, do_set_guest_debug, RUN_ON_CPU_HOST_PTR(&d));
    return d.ret;
}

static int phv_update_all_guest_debug(void)
{
    CPUState *cs;
    int ret = 0;

    CPU_FOREACH(cs) {
        int r = phv_update_guest_debug(cs);

        ret = ret ? ret : r;
    }
    return ret;
}

static PhvSwBreakpoint *phv_find_sw_breakpoint(vaddr pc)
{
    PhvSwBreakpoint *bp;

    QTAILQ_FOREACH(bp, &phv_sw_breakpoints, entry) {
        if (bp->pc == pc) {
            return bp;
        }
    }
    return NULL;
}

static int phv_find_hw_point(int type, vaddr addr, vaddr len)
{
    for (int i = 0; i < phv_nb_hw_points; i++) {
        if (phv_hw_points[i].type == type && phv_hw_points[i].addr == addr &&
            (type == GDB_BREAKPOINT_HW || phv_hw_points[i].len == len)) {
            return i;
        }
    }
    return -1;
}

/*
 * gdb's addresses are the guest's effective addresses: QEMU's MMU code translates them from env, so env
 * must hold the vcpu's current MSR, LPCR and PID before guest memory is touched.
 */
static int phv_plant_sw_breakpoint(CPUState *cs, PhvSwBreakpoint *bp)
{
    cpu_synchronize_state(cs);
    phv_sync_mmu_view();
    if (cpu_memory_rw_debug(cs, bp->pc, bp->saved, sizeof(bp->saved), false) ||
        cpu_memory_rw_debug(cs, bp->pc, (void *)phv_sw_bp_bytes, sizeof(phv_sw_bp_bytes), true)) {
        return -EFAULT;
    }
    return 0;
}

/*
 * The guest's word goes back only if the breakpoint is still there: a guest that rewrote its code since
 * (the kernel patches itself while booting) keeps what it wrote.
 */
static int phv_lift_sw_breakpoint(CPUState *cs, PhvSwBreakpoint *bp)
{
    uint8_t now[4];

    cpu_synchronize_state(cs);
    phv_sync_mmu_view();
    if (cpu_memory_rw_debug(cs, bp->pc, now, sizeof(now), false)) {
        return -EFAULT;
    }
    if (memcmp(now, phv_sw_bp_bytes, sizeof(now)) != 0) {
        return 0;
    }
    return cpu_memory_rw_debug(cs, bp->pc, bp->saved, sizeof(bp->saved), true) ? -EFAULT : 0;
}

int phv_insert_breakpoint(CPUState *cs, int type, vaddr addr, vaddr len)
{
    PhvSwBreakpoint *bp;

    switch (type) {
    case GDB_BREAKPOINT_SW:
        bp = phv_find_sw_breakpoint(addr);
        if (bp) {
            bp->use_count++;
            return 0;
        }
        bp = g_new0(PhvSwBreakpoint, 1);
        bp->pc = addr;
        bp->use_count = 1;
        if (phv_plant_sw_breakpoint(cs, bp) < 0) {
            g_free(bp);
            return -EFAULT;
        }
        QTAILQ_INSERT_HEAD(&phv_sw_breakpoints, bp, entry);
        break;
    case GDB_BREAKPOINT_HW:
    case GDB_WATCHPOINT_WRITE:
    case GDB_WATCHPOINT_READ:
    case GDB_WATCHPOINT_ACCESS:
        /* The core watches 1..4096 bytes; gdb asks for the size of the variable. */
        if (type != GDB_BREAKPOINT_HW && (len == 0 || len > 4096)) {
            return -EINVAL;
        }
        if (phv_find_hw_point(type, addr, len) >= 0) {
            return -EEXIST;
        }
        if (phv_nb_hw_points >= PHV_GUESTDBG_MAX_HW_BP) {
            return -ENOBUFS;
        }
        phv_hw_points[phv_nb_hw_points++] = (PhvHwPoint) { .addr = addr, .len = len, .type = type };
        break;
    default:
        return -ENOSYS;
    }
    return phv_update_all_guest_debug();
}

int phv_remove_breakpoint(CPUState *cs, int type, vaddr addr, vaddr len)
{
    PhvSwBreakpoint *bp;
    int n, ret;

    switch (type) {
    case GDB_BREAKPOINT_SW:
        bp = phv_find_sw_breakpoint(addr);
        if (!bp) {
            return -ENOENT;
        }
        if (--bp->use_count > 0) {
            return 0;
        }
        ret = phv_lift_sw_breakpoint(cs, bp);
        if (ret < 0) {
            bp->use_count++;
            return ret;
        }
        QTAILQ_REMOVE(&phv_sw_breakpoints, bp, entry);
        g_free(bp);
        break;
    case GDB_BREAKPOINT_HW:
    case GDB_WATCHPOINT_WRITE:
    case GDB_WATCHPOINT_READ:
    case GDB_WATCHPOINT_ACCESS:
        n = phv_find_hw_point(type, addr, len);
        if (n < 0) {
            return -ENOENT;
        }
        phv_hw_points[n] = phv_hw_points[--phv_nb_hw_points];
        break;
    default:
        return -ENOSYS;
    }
    return phv_update_all_guest_debug();
}

void phv_remove_all_breakpoints(CPUState *cs)
{
    PhvSwBreakpoint *bp, *next;

    QTAILQ_FOREACH_SAFE(bp, &phv_sw_breakpoints, entry, next) {
        if (phv_lift_sw_breakpoint(cs, bp) < 0) {
            /* Another vcpu may still translate the address (a different MMU context): try through each. */
            CPUState *other;

            CPU_FOREACH(other) {
                if (phv_lift_sw_breakpoint(other, bp) == 0) {
                    break;
                }
            }
        }
        QTAILQ_REMOVE(&phv_sw_breakpoints, bp, entry);
        g_free(bp);
    }
    phv_nb_hw_points = 0;
    phv_update_all_guest_debug();
}

/*
 * A PHV_EXIT_DEBUG, on the vcpu's thread with the BQL held: true when gdb should see it (the vcpu then
 * stops with EXCP_DEBUG's meaning). A breakpoint word gdb did not plant is the guest's own illegal
 * instruction: it gets the Program interrupt it would have had without the debug state.
 */
bool phv_handle_debug_exit(CPUState *cs, struct phv_run *run)
{
    PowerPCCPU *cpu = POWERPC_CPU(cs);
    CPUPPCState *env = &cpu->env;
    uint32_t status = run->debug.status;
    uint8_t word[4];

    if (status & PHV_DEBUG_SINGLESTEP) {
        return cs->singlestep_enabled != 0;
    }
    if (status & PHV_DEBUG_BREAKPOINT) {
        return phv_find_hw_point(GDB_BREAKPOINT_HW, run->debug.address, 0) >= 0;
    }
    if (status & (PHV_DEBUG_WATCH_READ | PHV_DEBUG_WATCH_WRITE)) {
        for (int i = 0; i < phv_nb_hw_points; i++) {
            PhvHwPoint *p = &phv_hw_points[i];

            if (p->type != GDB_BREAKPOINT_HW && p->addr == run->debug.address &&
                (phv_hw_point_type(p->type) & status)) {
                /* gdb is told the watchpoint's kind, so it asks about the access it asked for. */
                cs->accel->watch_hit = (CPUWatchpoint) {
                    .vaddr = p->addr,
                    .len = p->len,
                    .hitaddr = p->addr,
                    .flags = p->type == GDB_WATCHPOINT_READ ? BP_MEM_READ
                           : p->type == GDB_WATCHPOINT_WRITE ? BP_MEM_WRITE : BP_MEM_ACCESS,
                };
                cs->watchpoint_hit = &cs->accel->watch_hit;
                return true;
            }
        }
        return false;
    }
    if (phv_find_sw_breakpoint(run->debug.address)) {
        return true;
    }
    /*
     * Not gdb's. If the word is gone, gdb lifted the breakpoint while this vcpu was on its way out of the
     * run (another vcpu's stop): run on, the instruction is there again.
     */
    cpu_synchronize_state(cs);
    phv_sync_mmu_view();
    if (cpu_memory_rw_debug(cs, run->debug.address, word, sizeof(word), false) == 0 &&
        memcmp(word, phv_sw_bp_bytes, sizeof(word)) != 0) {
        return false;
    }
    /* The guest's own breakpoint word: the Program interrupt (illegal instruction), SRR0 = its address. */
    cs->exception_index = POWERPC_EXCP_PROGRAM;
    env->error_code = POWERPC_EXCP_INVAL;
    ppc_cpu_do_interrupt(cs);
    return false;
}
