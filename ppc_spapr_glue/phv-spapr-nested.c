/*
 * sPAPR under phv: the guest as a nested hypervisor. cap-nested-hv (KVM's nestedv1) and cap-nested-papr
 * (PAPR nestedv2) make the core the L0, as KVM_ENABLE_CAP(KVM_CAP_PPC_NESTED_HV) makes KVM-HV the L0: the
 * core serves H_SET_PARTITION_TABLE/H_ENTER_NESTED/H_TLB_INVALIDATE/H_COPY_TOFROM_GUEST or the H_GUEST_*
 * hcalls itself, so they never reach spapr_hypercall() and spapr->nested stays unused, as under KVM.
 *
 * What the core keeps as the L0 (the L1's partition table, or its H_GUEST_* guests with every L2 vcpu's
 * state) travels in the machine's "spapr_phv_nested" subsection, as the core's own versioned blob
 * (phv_vm_get_nested_state), and only when there is any. A vcpu stopped while it runs an L2 has already
 * returned to its L1 (the core ends the run with an unspecified exit), so the blob holds no run in progress
 * and the L1 simply runs its L2 again on the destination.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "migration/qemu-file-types.h"
#include "migration/vmstate.h"
#include "system/phv.h"
#include "accel/phv/phv-int.h"

/* A bound on what a destination reads before the core has checked anything (the largest real blob,
 * 4096 L2 vcpus with every SPR set, is about 23 MiB). */
#define NESTED_STATE_MAX (64u << 20)

int phv_spapr_enable_nested(unsigned api)
{
    return phv_vm_enable_nested(phv_vm_get(), api == 2 ? PHV_NESTED_V2 : PHV_NESTED_V1);
}

static uint8_t *saved;
static uint64_t saved_size;
static bool nested_loaded;

/* Fetched where QEMU asks whether the subsection is needed: the vcpus are stopped by then. */
static bool nested_state_needed(void *opaque)
{
    int ret;

    if (!phv_enabled()) {
        return false;
    }
    g_free(saved);
    saved = NULL;
    saved_size = 0;
    ret = phv_vm_get_nested_state(phv_vm_get(), NULL, &saved_size);
    if (ret == -E2BIG) {
        saved = g_malloc(saved_size);
        ret = phv_vm_get_nested_state(phv_vm_get(), saved, &saved_size);
    }
    if (ret < 0) {
        /* put_nested_state fails the save with this: a stream without the L2s would break the L1. */
        error_report("phv: cannot read the nested L0 state from the core: %s", strerror(-ret));
        saved_size = UINT64_MAX;
        return true;
    }
    return saved_size != 0;
}

static int put_nested_state(QEMUFile *f, void *pv, size_t size, const VMStateField *field,
                            JSONWriter *vmdesc)
{
    if (saved_size == UINT64_MAX || saved_size > NESTED_STATE_MAX) {
        return -EINVAL;
    }
    qemu_put_be32(f, saved_size);
    qemu_put_buffer(f, saved, saved_size);
    return 0;
}

static int get_nested_state(QEMUFile *f, void *pv, size_t size, const VMStateField *field)
{
    uint32_t n = qemu_get_be32(f);
    struct phv_nested_state_error err = { 0 };
    g_autofree uint8_t *buf = NULL;
    int ret;

    if (!phv_enabled()) {
        error_report("the stream holds the nested L2 guests the phv core kept as the L0 (cap-nested-hv/"
                     "cap-nested-papr under -accel phv); this accelerator cannot run them: load it "
                     "under -accel phv, or let the L1 delete its L2s before migrating");
        return -EINVAL;
    }
    if (n > NESTED_STATE_MAX) {
        error_report("phv: the stream's nested L0 state is %u bytes, more than the %u a core can hold", n,
                     NESTED_STATE_MAX);
        return -EINVAL;
    }
    buf = g_malloc(n);
    if (qemu_get_buffer(f, buf, n) != n) {
        error_report("phv: the stream ends inside the nested L0 state");
        return -EIO;
    }
    ret = phv_vm_set_nested_state(phv_vm_get(), buf, n, &err);
    if (ret < 0) {
        error_report("phv: the core refuses the stream's nested L0 state (%u bytes): %s%s%s at byte %u",
                     n, strerror(-ret), err.reason ? ": " : "", err.reason ? err.reason : "", err.offset);
        return ret;
    }
    nested_loaded = true;
    return 0;
}

/* After every load: a stream without the subsection had no L2s, so none may be left from before it. */
int phv_spapr_nested_post_load(void)
{
    bool had = nested_loaded;
    int ret;

    nested_loaded = false;
    if (had) {
        return 0;
    }
    ret = phv_vm_set_nested_state(phv_vm_get(), NULL, 0, NULL);
    if (ret < 0) {
        error_report("phv: cannot drop the nested L2 guests the stream does not have: %s", strerror(-ret));
    }
    return ret;
}

static const VMStateInfo vmstate_info_nested_state = {
    .name = "phv_nested_state",
    .get = get_nested_state,
    .put = put_nested_state,
};

const VMStateDescription vmstate_spapr_phv_nested = {
    .name = "spapr_phv_nested",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = nested_state_needed,
    .fields = (const VMStateField[]) {
        {
            .name = "blob",
            .size = 0,
            .info = &vmstate_info_nested_state,
            .flags = VMS_SINGLE,
        },
        VMSTATE_END_OF_LIST()
    },
};
