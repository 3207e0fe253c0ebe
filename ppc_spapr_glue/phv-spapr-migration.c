/*
 * sPAPR under phv: what the machine's migration stream needs from the core, in the stream's own format, so
 * that a snapshot or a migration can go phv -> phv, TCG -> phv and phv -> TCG.
 *
 * - The hashed page table is the core's (phv-spapr-hpt.c); the "spapr/htab" section carries it in the same
 *   chunks TCG's table uses (index, n_valid, n_invalid, then n_valid big-endian HPTEs). The core has no
 *   record of changed entries, so the iterations send nothing and the final, stopped pass sends every valid
 *   entry; the destination's table is empty before (spapr_reallocate_hpt clears it), so that is all of it.
 * - The radix process table: the guest registers it with the core (H_REGISTER_PROC_TBL is served there),
 *   so spapr->patb_entry is brought up to date before it is saved and handed back to the core after a load.
 * - The line from each vcpu's interrupt presenter to the vcpu is in no stream, so after a load it is low even
 *   when the presenter holds an interrupt for the vcpu, which then waits until another one is signalled (a
 *   vcpu idle in H_CEDE at the migration may never wake). It is raised again as the presenter's state says,
 *   under TCG as well (the machine's code; TCG has the same gap). So is env->quiesced, without which TCG
 *   delivers no interrupt to a secondary vcpu after the load.
 * - tb_env->tb_offset, which phv-timebase.c keeps so that the timebase never goes back, travels in a
 *   subsection that exists only when it is not 0 (TCG keeps it 0 and migrates nothing of it).
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "hw/core/cpu.h"
#include "hw/irq.h"
#include "hw/ppc/ppc.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_cpu_core.h"
#include "hw/ppc/xics.h"
#include "hw/ppc/xive.h"
#include "hw/ppc/xive_regs.h"
#include "system/runstate.h"
#include "system/tcg.h"
#include "migration/qemu-file-types.h"
#include "migration/vmstate.h"
#include "system/kvm.h"
#include "system/phv.h"
#include "cpu.h"
#include "mmu-book3s-v3.h"
#include "mmu-hash64.h"
#include "accel/phv/phv-int.h"

#define HTAB_READ_BATCH 4096u

/* Every valid entry of the core's table, as htab chunks; the caller writes the header and end marker. */
int phv_spapr_save_htab(QEMUFile *f, int htab_shift)
{
    uint64_t entries = (1ULL << htab_shift) / HASH_PTE_SIZE_64;
    uint64_t *buf = g_new(uint64_t, 2 * HTAB_READ_BATCH);
    int ret = 0;

    for (uint64_t base = 0; base < entries; base += HTAB_READ_BATCH) {
        uint64_t n = MIN(HTAB_READ_BATCH, entries - base), i = 0;

        ret = phv_vm_read_htab(phv_vm_get(), base, n, buf);
        if (ret < 0) {
            error_report("phv: cannot read the HPT (order %d) at entry %" PRIu64 ": %s", htab_shift, base,
                         strerror(-ret));
            break;
        }
        while (i < n) {
            uint64_t start;

            while (i < n && !(buf[2 * i] & HPTE64_V_VALID)) {
                i++;
            }
            start = i;
            while (i < n && (buf[2 * i] & HPTE64_V_VALID) && i - start < UINT16_MAX) {
                i++;
            }
            if (i > start) {
                qemu_put_be32(f, base + start);
                qemu_put_be16(f, i - start);
                qemu_put_be16(f, 0);
                for (uint64_t k = start; k < i; k++) {
                    qemu_put_be64(f, buf[2 * k]);
                    qemu_put_be64(f, buf[2 * k + 1]);
                }
            }
        }
    }
    g_free(buf);
    return ret;
}

/* One chunk of the stream into the core's table; htab_load has checked the range against its size. */
int phv_spapr_load_htab_chunk(QEMUFile *f, uint32_t index, uint16_t n_valid, uint16_t n_invalid)
{
    uint64_t *buf = g_new0(uint64_t, 2 * MAX(n_valid, n_invalid));
    int ret = 0;

    for (unsigned i = 0; i < n_valid; i++) {
        buf[2 * i] = qemu_get_be64(f);
        buf[2 * i + 1] = qemu_get_be64(f);
    }
    if (n_valid) {
        ret = phv_vm_write_htab(phv_vm_get(), index, n_valid, buf);
    }
    if (ret == 0 && n_invalid) {
        memset(buf, 0, 2 * n_invalid * sizeof(*buf));
        ret = phv_vm_write_htab(phv_vm_get(), index + n_valid, n_invalid, buf);
    }
    if (ret < 0) {
        error_report("phv: cannot load HPT entries %u..%u into the core: %s", index,
                     index + n_valid + n_invalid - 1, strerror(-ret));
    }
    g_free(buf);
    return ret;
}

/*
 * The core knows which process table the guest registered. It says hash also before a radix guest has
 * registered one, when QEMU's PATE1_GR from CAS is the better answer: take the core's only when it says
 * radix, or hash with a hashed page table in place.
 */
void phv_spapr_pre_save(SpaprMachineState *spapr)
{
    struct phv_ppc_mmuv3_cfg cfg;

    if (phv_vm_get_v3_mmu(phv_vm_get(), &cfg) < 0) {
        return;     /* POWER8: hash only, patb_entry stays 0 */
    }
    if (cfg.flags & PHV_PPC_MMUV3_RADIX) {
        spapr->patb_entry = cfg.process_table;
    } else if (spapr->htab_shift) {
        spapr->patb_entry = 0;
    }
}

int phv_spapr_post_load(SpaprMachineState *spapr)
{
    CPUPPCState *env = cpu_env(first_cpu);
    struct phv_ppc_mmuv3_cfg cfg = {
        .flags = PHV_PPC_MMUV3_RADIX | (env->spr[SPR_LPCR] & LPCR_GTSE ? PHV_PPC_MMUV3_GTSE : 0),
        .process_table = spapr->patb_entry,
    };
    int ret;

    ret = phv_spapr_nested_post_load();
    if (ret < 0) {
        return ret;
    }
    if (!(spapr->patb_entry & PATE1_GR)) {
        return 0;   /* hash: the htab section gave the core its table */
    }
    ret = phv_vm_configure_v3_mmu(phv_vm_get(), &cfg);
    if (ret < 0) {
        error_report("phv: the core refuses the radix process table 0x%" PRIx64 " of the stream: %s",
                     spapr->patb_entry, strerror(-ret));
        return -EINVAL;
    }
    return 0;
}

static int get_tb_offset(QEMUFile *f, void *pv, size_t size, const VMStateField *field)
{
    int64_t offset = qemu_get_sbe64(f);
    CPUState *cs;

    CPU_FOREACH(cs) {
        if (cpu_env(cs)->tb_env) {
            cpu_env(cs)->tb_env->tb_offset = offset;
        }
    }
    return 0;
}

static int put_tb_offset(QEMUFile *f, void *pv, size_t size, const VMStateField *field, JSONWriter *vmdesc)
{
    qemu_put_sbe64(f, cpu_env(first_cpu)->tb_env->tb_offset);
    return 0;
}

static const VMStateInfo vmstate_info_tb_offset = {
    .name = "tb_offset",
    .get = get_tb_offset,
    .put = put_tb_offset,
};

/* Under KVM the offset is the kernel's and the "timebase" section carries the timebase itself. */
static bool tb_offset_needed(void *opaque)
{
    return !kvm_enabled() && first_cpu && cpu_env(first_cpu)->tb_env &&
           cpu_env(first_cpu)->tb_env->tb_offset != 0;
}

const VMStateDescription vmstate_spapr_tb_offset = {
    .name = "spapr_tb_offset",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = tb_offset_needed,
    .fields = (const VMStateField[]) {
        {
            .name = "tb_offset",
            .size = sizeof(int64_t),
            .info = &vmstate_info_tb_offset,
            .flags = VMS_SINGLE,
        },
        VMSTATE_END_OF_LIST()
    },
};

static bool irq_lines_stale;

void phv_spapr_loaded(SpaprMachineState *spapr)
{
    irq_lines_stale = true;
}

/* When the loaded vm starts: XIVE signals while NSR[EO] of the OS ring is set, XICS while XISR is not 0. */
static void irq_lines_resync(void *opaque, bool running, RunState state)
{
    SpaprMachineState *spapr = opaque;
    bool xive = spapr->xive && spapr->active_intc == SPAPR_INTC(spapr->xive);
    CPUState *cs;

    if (!running || !irq_lines_stale) {
        return;
    }
    irq_lines_stale = false;
    CPU_FOREACH(cs) {
        SpaprCpuState *sc = spapr_cpu_state(POWERPC_CPU(cs));
        CPUPPCState *env = cpu_env(cs);

        /*
         * env->quiesced ("RTAS stopped", which takes no interrupt) is in no stream either: the machine reset
         * before the load left it set on every secondary. A vcpu that runs, or waits in H_CEDE (MSR[EE] on;
         * stop-self is called with it off), is not stopped.
         */
        if (env->quiesced && (!cs->halted || (env->msr & (1ULL << MSR_EE)))) {
            env->quiesced = false;
            if (tcg_enabled()) {
                ppc_maybe_interrupt(env);
            }
        }
        if (xive && sc->tctx && (sc->tctx->regs[TM_QW1_OS + TM_NSR] & TM_QW1_NSR_EO)) {
            qemu_irq_raise(sc->tctx->os_output);
        } else if (!xive && sc->icp && (sc->icp->xirr & 0x00ffffff)) {
            qemu_irq_raise(sc->icp->output);
        }
    }
}

void phv_spapr_migration_init(SpaprMachineState *spapr)
{
    qemu_add_vm_change_state_handler(irq_lines_resync, spapr);
}
