/*
 * phv accelerator: one thread per vcpu around phv_vcpu_run(), and what each exit means to QEMU.
 *
 * The guest runs with the BQL released; every exit is served with it held. The register file lives in the
 * core, so env is stale while the vcpu runs: it is fetched when QEMU needs it (cpu_synchronize_state, an
 * hcall) and marked dirty, and put back before the next run (KVM's vcpu_dirty pattern).
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/guest-random.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "system/cpus.h"
#include "system/phv.h"
#include "system/runstate.h"
#include "cpu.h"
#include "phv-int.h"

phv_vm *phv_vm_handle;

/* ---- register synchronisation (run on the vcpu's own thread: the core allows one user per vcpu) ---- */

static void do_sync_state(CPUState *cs, run_on_cpu_data arg)
{
    if (!cs->accel->dirty) {
        phv_regs_get(cs);
        cs->accel->dirty = true;
        cs->accel->have_extra = false;
    }
}

/* Everything, for QEMU's own users of env (migration, the monitor), not just what an hcall needs. */
static void do_sync_full(CPUState *cs, run_on_cpu_data arg)
{
    do_sync_state(cs, arg);
    if (!cs->accel->have_extra) {
        phv_regs_get_extra(cs);
        cs->accel->have_extra = true;
    }
}

static void do_put_state(CPUState *cs, run_on_cpu_data arg)
{
    AccelCPUState *a = cs->accel;
    CPUPPCState *env = cpu_env(cs);

    if (a->loading) {
        /*
         * The load wrote RAM behind the core's back (as TCG flushes its translations in cpu_common_post_load).
         * Its TLBs are emptied by the MMU set-up of the load: spapr_reallocate_hpt or the radix process table
         * (phv-spapr-migration.c).
         */
        phv_invalidate_code(phv_vm_get(), 0, 1ull << 60);
        phv_regs_put(cs, PHV_PUT_FULL);
        /* The decrementer stays what the stream says until the guest runs again (phv-timebase.c). */
        a->dec_value = env->spr[SPR_DECR];
        a->dec_saved = true;
        a->clock_counters = true;
        /*
         * A vcpu that TCG had halted in H_CEDE (MSR[EE] is on, which a vcpu stopped in RTAS never has) is
         * one the core resumes after its cede: under phv a ceded vcpu is not halted, it waits in its run.
         */
        if (cs->halted && (env->msr & (1ULL << MSR_EE))) {
            cs->halted = 0;
        }
        a->loading = false;
    } else {
        phv_regs_put(cs, arg.host_int ? PHV_PUT_RESET : PHV_PUT_RUNTIME);
    }
    a->dirty = false;
    a->have_extra = false;
}

static void do_mark_loading(CPUState *cs, run_on_cpu_data arg)
{
    cs->accel->dirty = true;
    cs->accel->have_extra = true;   /* env is about to be the stream's: nothing of the core's to fetch */
    cs->accel->loading = true;
}

void phv_cpu_synchronize_state(CPUState *cs)
{
    if (cs->accel && (!cs->accel->dirty || !cs->accel->have_extra)) {
        run_on_cpu(cs, do_sync_full, RUN_ON_CPU_NULL);
    }
    phv_sync_mmu_view();    /* whoever looks at env may translate addresses with QEMU's MMU code */
}

void phv_cpu_synchronize_post_reset(CPUState *cs)
{
    /* The reset reloaded firmware and kernel images into RAM behind the core's decoded blocks. */
    phv_invalidate_code(phv_vm_get(), 0, 1ull << 60);
    run_on_cpu(cs, do_put_state, RUN_ON_CPU_HOST_INT(1));
}

void phv_cpu_synchronize_post_init(CPUState *cs)
{
    run_on_cpu(cs, do_put_state, RUN_ON_CPU_HOST_INT(1));
}

void phv_cpu_synchronize_pre_loadvm(CPUState *cs)
{
    run_on_cpu(cs, do_mark_loading, RUN_ON_CPU_NULL);
}

/* ---- interrupts and kicks ---- */

/*
 * ppc_set_irq() calls this with the BQL held. The core takes only the external line (as KVM_INTERRUPT);
 * the decrementer is the core's own. A raised line also ends a cede.
 */
void phv_cpu_set_irq(CPUState *cs, int irq, int level)
{
    if (!cs->accel || !cs->accel->vcpu || irq != PPC_INTERRUPT_EXT) {
        return;
    }
    phv_interrupt(cs->accel->vcpu, level ? PHV_INTERRUPT_SET : PHV_INTERRUPT_UNSET);
    if (level) {
        qatomic_set(&cs->accel->wake, true);
        qemu_cpu_kick(cs);
    }
}

void phv_kick_vcpu_thread(CPUState *cs)
{
    if (cs->accel && cs->accel->vcpu) {
        qatomic_set(&cs->accel->wake, true);
        phv_vcpu_kick(cs->accel->vcpu);
    }
}

/* ---- exits ---- */

static void phv_handle_hcall(CPUState *cs, struct phv_run *run)
{
    PowerPCCPU *cpu = POWERPC_CPU(cs);
    CPUPPCState *env = &cpu->env;

    /* QEMU's hcalls read and write env (MSR, LPCR, SPRs of this or another vcpu), so make it current. */
    do_sync_state(cs, RUN_ON_CPU_NULL);
    env->gpr[3] = run->papr_hcall.nr;
    for (int i = 0; i < 9; i++) {
        env->gpr[4 + i] = run->papr_hcall.args[i];
    }
    if (cpu->vhyp_class && cpu->vhyp_class->hypercall) {
        cpu->vhyp_class->hypercall(cpu->vhyp, cpu);
    } else {
        env->gpr[3] = (target_ulong)-2;     /* H_FUNCTION: no virtual hypervisor (not a pseries machine) */
    }
    run->papr_hcall.ret = env->gpr[3];
    for (int i = 0; i < 9; i++) {
        run->papr_hcall.args[i] = env->gpr[4 + i];
    }
}

/*
 * The guest reads what QEMU's memory core gives, also where nothing is mapped (unassigned memory reads as 0,
 * writes vanish), as under KVM (kvm_cpu_exec ignores the MemTxResult) and TCG: the isolation payload's reads
 * beyond RAM (qemu-phv-isolation) compare line by line with TCG's.
 */
static void phv_handle_mmio(struct phv_run *run)
{
    if (run->mmio.len > sizeof(run->mmio.data)) {
        return;
    }
    address_space_rw(&address_space_memory, run->mmio.phys_addr, MEMTXATTRS_UNSPECIFIED, run->mmio.data,
                     run->mmio.len, run->mmio.is_write);
}

/*
 * A cede with nothing pending: sleep until the decrementer deadline, a raised line or a kick (which also
 * covers stop requests and queued work). The wake flag is read with the BQL held and the wait releases it
 * atomically, so a wake between the exit and the wait is not lost.
 */
static void phv_handle_hlt(CPUState *cs, struct phv_run *run)
{
    uint64_t now, deadline = run->hlt.deadline_ns;
    int64_t ms;

    now = get_clock();
    if (qatomic_read(&cs->accel->wake) || deadline <= now || !cpu_can_run(cs) || !cpu_work_list_empty(cs)) {
        return;
    }
    ms = deadline == UINT64_MAX ? 1000 : (int64_t)DIV_ROUND_UP(deadline - now, SCALE_MS);
    qemu_cond_timedwait_bql(cs->halt_cond, MIN(ms, 1000));
}

static void phv_report_internal_error(CPUState *cs, struct phv_run *run)
{
    error_report("phv: vcpu %d: internal error %u at nip 0x%" PRIx64 " (insn 0x%08x): %.96s", cs->cpu_index,
                 run->internal.suberror, run->nip, run->internal.insn, run->internal.reason);
    qemu_system_vmstop_request_prepare();
    qemu_system_vmstop_request(RUN_STATE_INTERNAL_ERROR);
}

/*
 * Runs the vcpu until QEMU needs the thread (stop, queued work, an error). Called with the BQL held.
 * Returns true when the run ended in a stop for the gdbstub (KVM's EXCP_DEBUG).
 */
static bool phv_vcpu_exec(CPUState *cs)
{
    PowerPCCPU *cpu = POWERPC_CPU(cs);
    AccelCPUState *a = cs->accel;
    bool again = true, debug_stop = false;

    /* pseries keeps stopped vcpus halted (secondaries until RTAS start-cpu, stop-self): not ours to run. */
    if (cs->halted) {
        return false;
    }
    while (again) {
        int ret;

        if (a->dirty) {
            phv_regs_put(cs, PHV_PUT_RUNTIME);
            a->dirty = false;
            a->have_extra = false;
        }
        qatomic_set(&a->wake, false);
        if (cpu->vhyp_class && cpu->vhyp_class->cpu_exec_enter) {
            cpu->vhyp_class->cpu_exec_enter(cpu->vhyp, cpu);
        }
        /*
         * gdb's SSTEP_NOTIMER, as TCG's round-robin loop honours it: QEMU's virtual-clock timers do not fire
         * while the step runs (switched off with the BQL held, so no callback is half done), and they stay
         * off until the gdbstub's next resume switches them on (vm_start, gdb_continue_partial). Turning
         * them on here instead could undo a pause_all_vcpus() under way. The guest's timebase and
         * decrementer are the core's and run on: what they raise is SSTEP_NOIRQ's to hold.
         */
        if (cs->singlestep_enabled & SSTEP_NOTIMER) {
            qemu_clock_enable(QEMU_CLOCK_VIRTUAL, false);
        }
        bql_unlock();
        phv_run_gate_enter();
        ret = phv_vcpu_run(a->vcpu);
        phv_run_gate_leave();
        bql_lock();
        if (cpu->vhyp_class && cpu->vhyp_class->cpu_exec_exit) {
            cpu->vhyp_class->cpu_exec_exit(cpu->vhyp, cpu);
        }
        if (ret < 0) {
            error_report("phv: vcpu %d: phv_vcpu_run failed: %s", cs->cpu_index, strerror(-ret));
            qemu_system_vmstop_request_prepare();
            qemu_system_vmstop_request(RUN_STATE_INTERNAL_ERROR);
            break;
        }
        switch (a->run->exit_reason) {
        case PHV_EXIT_PAPR_HCALL:
            phv_handle_hcall(cs, a->run);
            break;
        case PHV_EXIT_MMIO:
            phv_handle_mmio(a->run);
            break;
        case PHV_EXIT_HLT:
            phv_handle_hlt(cs, a->run);
            break;
        case PHV_EXIT_INTR:
            break;
        case PHV_EXIT_SHUTDOWN:
            /* A checkstop (machine check with MSR[ME]=0), which TCG reports as a guest panic too. */
            error_report("phv: vcpu %d: checkstop at nip 0x%" PRIx64, cs->cpu_index, a->run->nip);
            qemu_system_guest_panicked(NULL);
            again = false;
            break;
        case PHV_EXIT_DEBUG:
            debug_stop = phv_handle_debug_exit(cs, a->run);
            again = !debug_stop;
            break;
        case PHV_EXIT_INTERNAL_ERROR:
            phv_report_internal_error(cs, a->run);
            again = false;
            break;
        default:
            error_report("phv: vcpu %d: unknown exit %u at nip 0x%" PRIx64, cs->cpu_index,
                         a->run->exit_reason, a->run->nip);
            qemu_system_vmstop_request_prepare();
            qemu_system_vmstop_request(RUN_STATE_INTERNAL_ERROR);
            again = false;
            break;
        }
        /* An hcall may have stopped this vcpu (RTAS stop-self sets halted) or queued work for it. */
        if (!cpu_can_run(cs) || !cpu_work_list_empty(cs) || cs->halted || qatomic_read(&cs->exit_request)) {
            qatomic_set(&cs->exit_request, false);
            again = false;
        }
    }
    return debug_stop;
}

static void *phv_vcpu_thread_fn(void *arg)
{
    CPUState *cs = arg;
    int ret;

    rcu_register_thread();
    bql_lock();
    qemu_thread_get_self(cs->thread);
    cs->thread_id = qemu_get_thread_id();
    current_cpu = cs;

    cs->accel = g_new0(AccelCPUState, 1);
    ret = phv_create_vcpu(phv_vm_get(), POWERPC_CPU(cs)->vcpu_id, &cs->accel->vcpu);
    if (ret < 0) {
        error_report("phv: cannot create vcpu %d: %s", POWERPC_CPU(cs)->vcpu_id, strerror(-ret));
        exit(1);
    }
    cs->accel->run = phv_vcpu_run_struct(cs->accel->vcpu);
    cs->accel->dirty = true;    /* env holds the reset state the core must start from */
    phv_update_guest_debug(cs); /* breakpoints gdb set before this vcpu existed */

    cpu_thread_signal_created(cs);
    qemu_guest_random_seed_thread_part2(cs->random_seed);

    do {
        if (cpu_can_run(cs) && phv_vcpu_exec(cs)) {
            cpu_handle_guest_debug(cs);
        }
        qemu_wait_io_event(cs);
    } while (!cs->unplug || cpu_can_run(cs));

    cpu_thread_signal_destroyed(cs);
    bql_unlock();
    rcu_unregister_thread();
    return NULL;
}

void phv_start_vcpu_thread(CPUState *cs)
{
    char name[VCPU_THREAD_NAME_SIZE];

    snprintf(name, sizeof(name), "CPU %d/phv", cs->cpu_index);
    qemu_thread_create(cs->thread, name, phv_vcpu_thread_fn, cs, QEMU_THREAD_JOINABLE);
}
