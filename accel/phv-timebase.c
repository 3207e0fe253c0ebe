/*
 * phv accelerator: the guest timebase as QEMU's vm clock, so that it stands still while the vm is stopped and
 * carries over a snapshot or a migration, to phv or to TCG.
 *
 * The core counts the timebase from the host's monotonic clock plus a per-vcpu offset. TCG computes it as
 * ns_to_tb(QEMU_CLOCK_VIRTUAL) + tb_env->tb_offset, and QEMU migrates the vm clock itself. phv keeps the
 * same relation: whenever the vm starts, the core's offset is set so that its timebase equals TCG's formula;
 * whenever it stops, the vm clock has already stopped (cpu_disable_ticks comes before the vcpus are paused),
 * so vcpus that ran on for a moment have seen a later timebase than the formula gives, and tb_offset takes
 * the difference so that the timebase never goes back. The decrementer is held at its value from the stop
 * until the next start, as a stopped TCG guest's is.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "hw/ppc/ppc.h"
#include "system/cpus.h"
#include "system/runstate.h"
#include "cpu.h"
#include "phv-int.h"

static int one_reg(CPUState *cs, bool set, uint64_t id, uint64_t *val)
{
    struct phv_one_reg r = { .id = id, .addr = (uintptr_t)val };

    return set ? phv_set_one_reg(cs->accel->vcpu, &r) : phv_get_one_reg(cs->accel->vcpu, &r);
}

static uint64_t tb_of_ns(CPUPPCState *env, int64_t ns)
{
    return muldiv64(ns, env->tb_env->tb_freq, NANOSECONDS_PER_SECOND);
}

/*
 * After a load: the counters that run with the timebase while the partition runs. TCG computes VTB and PURR
 * (SPURR is PURR there) from the vm clock and an offset of their own that no stream carries (0 unless a
 * hypervisor wrote them, which a pSeries guest cannot), so its env->spr[] copies are stale and a TCG
 * destination ignores them. Both sides therefore take TCG's value, the vm clock in timebase ticks, which is
 * the guest's timebase less tb_offset. Putting the stream's stale VTB from a TCG source gave Linux's
 * running_clock() (VTB - boot_tb, then negative) a jump of centuries: "soft lockup - CPU#1 stuck for
 * 3489660905s!" on the console after a TCG -> phv hop.
 */
static void set_clock_counters(CPUState *cs)
{
    static const uint64_t ids[] = {
        PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xae,  /* VTB */
        PHV_REG_PPC_PURR,
        PHV_REG_PPC_SPURR,
    };
    uint64_t tb, val;

    if (one_reg(cs, false, PHV_REG_PPC_TB, &tb) < 0) {
        return;
    }
    val = tb - cpu_env(cs)->tb_env->tb_offset;
    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        one_reg(cs, true, ids[i], &val);
    }
}

/* On the vcpu's thread (the core allows one user per vcpu); the vm is stopped. */
static void do_stop(CPUState *cs, run_on_cpu_data arg)
{
    uint64_t *tb = arg.host_ptr;

    if (tb && one_reg(cs, false, PHV_REG_PPC_TB, tb) < 0) {
        *tb = 0;
    }
    if (!cs->accel->dec_saved && one_reg(cs, false, PHV_REG_PPC_DEC, &cs->accel->dec_value) == 0) {
        cs->accel->dec_saved = true;
    }
}

static void do_start(CPUState *cs, run_on_cpu_data arg)
{
    uint64_t offset = *(uint64_t *)arg.host_ptr, old = 0, expiry = 0;
    bool have_expiry;

    one_reg(cs, false, PHV_REG_PPC_TB_OFFSET_EXACT, &old);
    have_expiry = one_reg(cs, false, PHV_REG_PPC_DEC_EXPIRY, &expiry) == 0;
    one_reg(cs, true, PHV_REG_PPC_TB_OFFSET_EXACT, &offset);
    if (cs->accel->clock_counters) {
        set_clock_counters(cs);
        cs->accel->clock_counters = false;
    }
    if (cs->accel->dec_saved) {
        one_reg(cs, true, PHV_REG_PPC_DEC, &cs->accel->dec_value);
        cs->accel->dec_saved = false;
    } else if (have_expiry) {
        /* Never stopped (the first start): the decrementer keeps its distance to the timebase. */
        expiry += offset - old;
        one_reg(cs, true, PHV_REG_PPC_DEC_EXPIRY, &expiry);
    }
}

static void phv_timebase_change(void *opaque, bool running, RunState state)
{
    CPUState *cs;
    CPUPPCState *env;

    if (!first_cpu || !first_cpu->accel || !first_cpu->accel->vcpu || !cpu_env(first_cpu)->tb_env) {
        return;
    }
    env = cpu_env(first_cpu);
    if (running) {
        /* The vm clock first, then the host's: the core's timebase can only come out later, never earlier. */
        int64_t vm_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
        int64_t host_ns = get_clock();
        uint64_t offset = tb_of_ns(env, vm_ns) + env->tb_env->tb_offset - tb_of_ns(env, host_ns) + 1;

        CPU_FOREACH(cs) {
            if (cs->accel && cs->accel->vcpu) {
                run_on_cpu(cs, do_start, RUN_ON_CPU_HOST_PTR(&offset));
            }
        }
    } else {
        uint64_t tb = 0, formula;

        run_on_cpu(first_cpu, do_stop, RUN_ON_CPU_HOST_PTR(&tb));
        CPU_FOREACH(cs) {
            if (cs != first_cpu && cs->accel && cs->accel->vcpu) {
                run_on_cpu(cs, do_stop, RUN_ON_CPU_NULL);
            }
        }
        formula = tb_of_ns(env, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL)) + env->tb_env->tb_offset;
        if (tb && (int64_t)(tb - formula) > 0) {
            CPU_FOREACH(cs) {
                cpu_env(cs)->tb_env->tb_offset += tb - formula;
            }
        }
    }
}

void phv_timebase_init(void)
{
    qemu_add_vm_change_state_handler(phv_timebase_change, NULL);
}
