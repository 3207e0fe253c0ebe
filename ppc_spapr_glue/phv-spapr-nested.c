/*
 * sPAPR under phv: the guest as a nested hypervisor. cap-nested-hv (KVM's nestedv1) and cap-nested-papr
 * (PAPR nestedv2) make the core the L0, as KVM_ENABLE_CAP(KVM_CAP_PPC_NESTED_HV) makes KVM-HV the L0: the
 * core serves H_SET_PARTITION_TABLE/H_ENTER_NESTED/H_TLB_INVALIDATE/H_COPY_TOFROM_GUEST or the H_GUEST_*
 * hcalls itself, so they never reach spapr_hypercall() and spapr->nested stays unused, as under KVM.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "migration/blocker.h"
#include "system/phv.h"
#include "accel/phv/phv-int.h"

static Error *nested_migration_blocker;

int phv_spapr_enable_nested(unsigned api)
{
    Error *err = NULL;
    int ret = phv_vm_enable_nested(phv_vm_get(), api == 2 ? PHV_NESTED_V2 : PHV_NESTED_V1);

    if (ret < 0 || nested_migration_blocker) {
        return ret;
    }
    /*
     * What the core keeps as the L0 (the L1's partition table or its H_GUEST_* guests, every L2 vcpu's
     * state and its place in a run) is in no stream, and a destination would resume the L1 with its L2s
     * gone. So migration and savevm are refused with this message, as QEMU refuses them for PEF, rather
     * than producing a stream that loads into a broken L1.
     */
    error_setg(&nested_migration_blocker,
               "phv: the nested hypervisor state the core keeps as the L0 (cap-nested-%s) is not migrated",
               api == 2 ? "papr" : "hv");
    if (migrate_add_blocker(&nested_migration_blocker, &err) < 0) {
        error_report_err(err);  /* --only-migratable */
        return -EPERM;
    }
    return 0;
}
