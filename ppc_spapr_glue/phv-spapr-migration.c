/*
 * sPAPR under phv: what the machine's migration stream needs from the core, in the stream's own format, so
 * that a snapshot or a migration can go phv -> phv, TCG -> phv and phv -> TCG.
 *
 * - The hashed page table is the core's (phv-spapr-hpt.c); the "spapr/htab" section carries it in the same
 *   chunks TCG's table uses (index, n_valid, n_invalid, then n_valid big-endian HPTEs), so the load side is
 *   TCG's. It goes as KVM's HTAB fd sends it: the core records the PTE groups written from the start of
 *   the migration (phv_vm_htab_record), the live iterations send every valid entry once (the destination's
 *   table starts empty: spapr_reallocate_hpt clears it) and then the groups that changed since the previous
 *   pass, valid entries and invalid ones alike; the stopped pass sends what changed since the last one.
 *   A table reallocated or resized while the guest runs is announced with its new size in the next
 *   iteration (the destination reallocates) and sent again from the start; after the guest stopped it
 *   fails the migration. The machine's x-phv-htab-* properties count what each kind of pass sent.
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
#include "qemu/timer.h"
#include "qom/object.h"
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

#define HTAB_READ_BATCH 4096u          /* entries read from the core at a time */
#define HTAB_TAKE_BATCH 4096u          /* groups whose marks are taken at a time */
#define HTAB_GROUP 8u                  /* entries in a PTE group, the record's unit */
#define HTAB_ITERATION_NS 5000000      /* a live pass stops after 5 ms, as TCG's does */

/* The outgoing htab section's state: the table it carries and where its passes are. */
static struct {
    int shift;          /* the order the destination's table has; 0: none (radix, or not set up) */
    bool first_pass;    /* still sending the whole table, from entry `next` */
    uint64_t next;      /* the first pass's next entry, or the later passes' next group */
} htab_out;

/* What the passes of the last outgoing migration sent, in HPTEs: the machine's x-phv-htab-* properties. */
static uint64_t htab_sent_first, htab_sent_live, htab_sent_stopped, htab_live_passes;

static bool hpte_valid(const uint64_t *buf, uint64_t i)
{
    return buf[2 * i] & HPTE64_V_VALID;
}

/*
 * Entries base..base+n-1 (in buf, host order) as chunks: runs of valid entries, each followed by the run of
 * invalid ones after it when `invalid` is set (a changed group's entries that went away), otherwise with
 * the invalid ones left out. Returns how many entries the chunks carry.
 */
static uint64_t put_chunks(QEMUFile *f, uint64_t base, uint64_t n, const uint64_t *buf, bool invalid)
{
    uint64_t i = 0, sent = 0;

    while (i < n) {
        uint64_t start, mid;

        while (!invalid && i < n && !hpte_valid(buf, i)) {
            i++;
        }
        start = i;
        while (i < n && hpte_valid(buf, i) && i - start < UINT16_MAX) {
            i++;
        }
        mid = i;
        while (invalid && i < n && !hpte_valid(buf, i) && i - mid < UINT16_MAX) {
            i++;
        }
        if (i == start) {
            break;
        }
        qemu_put_be32(f, base + start);
        qemu_put_be16(f, mid - start);
        qemu_put_be16(f, i - mid);
        for (uint64_t k = start; k < mid; k++) {
            qemu_put_be64(f, buf[2 * k]);
            qemu_put_be64(f, buf[2 * k + 1]);
        }
        sent += i - start;
    }
    return sent;
}

static int read_htab(uint64_t index, uint64_t n, uint64_t *buf)
{
    int ret = phv_vm_read_htab(phv_vm_get(), index, n, buf);

    if (ret < 0) {
        error_report("phv: cannot read HPT entries %" PRIu64 "..%" PRIu64 " (order %d): %s", index,
                     index + n - 1, htab_out.shift, strerror(-ret));
    }
    return ret;
}

static bool out_of_time(QEMUFile *f, int64_t start, bool final)
{
    return !final && (qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start > HTAB_ITERATION_NS ||
                      migration_rate_exceeded(f));
}

/* The whole table's valid entries, from where the last call stopped; *sent counts them. */
static int first_pass(QEMUFile *f, bool final, uint64_t *sent)
{
    uint64_t entries = (1ULL << htab_out.shift) / HASH_PTE_SIZE_64;
    g_autofree uint64_t *buf = g_new(uint64_t, 2 * HTAB_READ_BATCH);
    int64_t start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

    while (htab_out.next < entries) {
        uint64_t n = MIN(HTAB_READ_BATCH, entries - htab_out.next);
        int ret = read_htab(htab_out.next, n, buf);

        if (ret < 0) {
            return ret;
        }
        *sent += put_chunks(f, htab_out.next, n, buf, false);
        htab_out.next += n;
        if (out_of_time(f, start, final)) {
            return 0;
        }
    }
    htab_out.first_pass = false;
    htab_out.next = 0;
    return 0;
}

/*
 * The groups the core marked since it last took them, once round the table from where the last call stopped
 * (or less when time is up, live). Returns 1 when it went round and found nothing, 0, or an error.
 */
static int later_pass(QEMUFile *f, bool final, uint64_t *sent)
{
    uint64_t groups = (1ULL << htab_out.shift) / HASH_PTE_SIZE_64 / HTAB_GROUP, examined = 0, found = 0;
    g_autofree uint64_t *bits = g_new(uint64_t, HTAB_TAKE_BATCH / 64);
    g_autofree uint64_t *buf = g_new(uint64_t, 2 * HTAB_READ_BATCH);
    int64_t start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

    while (examined < groups) {
        uint64_t first = htab_out.next, n = MIN(HTAB_TAKE_BATCH, groups - first), g = 0;
        int64_t marked = phv_vm_take_htab_changes(phv_vm_get(), htab_out.shift, first, n, bits);

        if (marked < 0) {
            return marked;
        }
        /* Each run of marked groups, read and sent at most HTAB_READ_BATCH entries at a time. */
        while (marked && g < n) {
            uint64_t run;
            int ret;

            while (g < n && !(bits[g / 64] >> (g % 64) & 1)) {
                g++;
            }
            run = g;
            while (g < n && (bits[g / 64] >> (g % 64) & 1) && (g - run) * HTAB_GROUP < HTAB_READ_BATCH) {
                g++;
            }
            if (g == run) {
                break;
            }
            ret = read_htab((first + run) * HTAB_GROUP, (g - run) * HTAB_GROUP, buf);
            if (ret < 0) {
                return ret;
            }
            *sent += put_chunks(f, (first + run) * HTAB_GROUP, (g - run) * HTAB_GROUP, buf, true);
        }
        found += marked;
        examined += n;
        htab_out.next = first + n == groups ? 0 : first + n;
        if (out_of_time(f, start, final)) {
            break;
        }
    }
    return examined >= groups && !found;
}

static void htab_end_marker(QEMUFile *f)
{
    qemu_put_be32(f, 0);
    qemu_put_be16(f, 0);
    qemu_put_be16(f, 0);
}

/* (Re)starts the record and the first pass for the table the machine has now. */
static int htab_start(SpaprMachineState *spapr)
{
    int ret = 0;

    htab_out.shift = spapr->htab_shift;
    htab_out.first_pass = true;
    htab_out.next = 0;
    if (htab_out.shift) {
        ret = phv_vm_htab_record(phv_vm_get(), 1);
        if (ret < 0) {
            error_report("phv: cannot record the HPT's changes for the migration: %s", strerror(-ret));
        }
    }
    return ret;
}

/* After htab_save_setup's header (the table's size, or -1 for none). */
int phv_spapr_htab_save_setup(SpaprMachineState *spapr)
{
    htab_sent_first = htab_sent_live = htab_sent_stopped = htab_live_passes = 0;
    return htab_start(spapr);
}

int phv_spapr_htab_save_iterate(QEMUFile *f, SpaprMachineState *spapr)
{
    uint64_t sent = 0;
    int ret = 0;

    if (!spapr->htab_shift) {
        qemu_put_be32(f, -1);   /* none (any more): the destination frees its table */
        htab_out.shift = 0;
        return 1;
    }
    if (spapr->htab_shift != htab_out.shift) {
        /*
         * Reallocated at another size or resized since the stream said what it carries: a section whose
         * header is the new size makes the destination reallocate, and the table goes again from the start.
         */
        ret = htab_start(spapr);
        if (ret == 0) {
            qemu_put_be32(f, htab_out.shift);
        }
        return ret;
    }
    qemu_put_be32(f, 0);
    if (htab_out.first_pass) {
        ret = first_pass(f, false, &htab_sent_first);
    } else {
        ret = later_pass(f, false, &sent);
        htab_sent_live += sent;
        htab_live_passes += sent != 0;
    }
    if (ret == -ESTALE) {
        ret = 0;   /* the table changed size under the pass: the next iteration sees the new one */
    }
    htab_end_marker(f);
    return ret;
}

int phv_spapr_htab_save_complete(QEMUFile *f, SpaprMachineState *spapr)
{
    int ret = 0;

    if (!spapr->htab_shift) {
        qemu_put_be32(f, -1);
        return 0;
    }
    if (spapr->htab_shift != htab_out.shift) {
        error_report("phv: the guest's HPT changed size (order %d, the stream carries %d) after the last "
                     "iteration; migrate again", spapr->htab_shift, htab_out.shift);
        return -EAGAIN;
    }
    qemu_put_be32(f, 0);
    if (htab_out.first_pass) {
        ret = first_pass(f, true, &htab_sent_stopped);
    }
    if (ret == 0) {
        ret = later_pass(f, true, &htab_sent_stopped);
    }
    if (ret < 0) {
        error_report("phv: cannot send the HPT's last changes: %s", strerror(-ret));
        return ret;
    }
    htab_end_marker(f);
    return 0;
}

void phv_spapr_htab_save_cleanup(void)
{
    phv_vm_htab_record(phv_vm_get(), 0);
    htab_out.shift = 0;
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
    Object *obj = OBJECT(spapr);

    qemu_add_vm_change_state_handler(irq_lines_resync, spapr);
    /* Read-only counters of the last outgoing migration's htab section (tests, qom-get). */
    object_property_add_uint64_ptr(obj, "x-phv-htab-first-pass", &htab_sent_first, OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "x-phv-htab-live", &htab_sent_live, OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "x-phv-htab-live-passes", &htab_live_passes, OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "x-phv-htab-stopped", &htab_sent_stopped, OBJ_PROP_FLAG_READ);
}
