/*
 * phv accelerator glue: state shared by the files of accel/phv (QEMU side, C).
 *
 * The core is phv's C++ library behind the plain-C header phv/phv.h; nothing here crosses into C++ but the
 * phv_* calls. QEMU headers are not C++-clean, so this side stays C (qemu-integration.md §7).
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#ifndef PHV_INT_H
#define PHV_INT_H

#include "hw/core/cpu.h"
#include "exec/breakpoint.h"
#include "phv/phv.h"

/* cs->accel: QEMU leaves the type to each accelerator. */
struct AccelCPUState {
    phv_vcpu *vcpu;
    struct phv_run *run;
    bool dirty;         /* env is newer than the core: put it before the next run */
    bool wake;          /* something happened that a halted (ceded) vcpu must look at */
    uint64_t vpa_put;   /* the VPA address the core last got (KVM_REG_PPC_VPA_ADDR) */
    CPUWatchpoint watch_hit;    /* what cs->watchpoint_hit points at after a watchpoint stop (gdbstub) */
    bool have_extra;    /* env also holds what phv_regs_get_extra fetches (since the last run) */
    bool loading;       /* env is being loaded (loadvm, incoming migration): the next put is a full one */
    bool dec_saved;     /* the vm is stopped: the decrementer resumes at dec_value (phv-timebase.c) */
    bool clock_counters; /* loaded: VTB, PURR, SPURR restart from the vm clock at the start (phv-timebase.c) */
    uint64_t dec_value;
};

extern phv_vm *phv_vm_handle;

/* phv-accel.c: the VM, created on first use (with the BQL held). */
phv_vm *phv_vm_get(void);

/* hw/ppc/phv/phv-spapr-nested.c: after a load without nested L0 state, the core drops any it holds. */
int phv_spapr_nested_post_load(void);

/* phv-cpus.c */
void phv_start_vcpu_thread(CPUState *cs);
void phv_kick_vcpu_thread(CPUState *cs);
void phv_cpu_synchronize_state(CPUState *cs);
void phv_cpu_synchronize_post_reset(CPUState *cs);
void phv_cpu_synchronize_post_init(CPUState *cs);
void phv_cpu_synchronize_pre_loadvm(CPUState *cs);

/* phv-memory.c: slot changes wait until no vcpu is inside phv_vcpu_run() (phv API v0). */
void phv_memory_init(void);
void phv_run_gate_enter(void);
void phv_run_gate_leave(void);

/* phv-regs.c: env <-> core through one-reg ids. */
typedef enum PhvPutLevel {
    PHV_PUT_RUNTIME,    /* after QEMU served an exit: what hcalls change */
    PHV_PUT_RESET,      /* after a reset: also the SLB and the SPRs hcalls never change */
    PHV_PUT_FULL,       /* after loadvm or an incoming migration: everything, the decrementer too */
} PhvPutLevel;

int phv_regs_get(CPUState *cs);
int phv_regs_get_extra(CPUState *cs);
int phv_regs_put(CPUState *cs, PhvPutLevel level);

/* phv-timebase.c: the guest timebase follows QEMU's vm clock, as under TCG. */
void phv_timebase_init(void);

/* phv-gdbstub.c: the gdbstub's AccelOpsClass hooks and what a PHV_EXIT_DEBUG means. */
void phv_sync_mmu_view(void);
bool phv_supports_guest_debug(void);
int phv_gdbstub_sstep_flags(void);
int phv_update_guest_debug(CPUState *cs);
int phv_insert_breakpoint(CPUState *cs, int type, vaddr addr, vaddr len);
int phv_remove_breakpoint(CPUState *cs, int type, vaddr addr, vaddr len);
void phv_remove_all_breakpoints(CPUState *cs);
bool phv_handle_debug_exit(CPUState *cs, struct phv_run *run);

/* phv-stats.c */
void phv_stats_init(void);

#endif
