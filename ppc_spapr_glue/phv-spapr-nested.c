/*
 * sPAPR under phv: the guest as a nested hypervisor. cap-nested-hv (KVM's nestedv1) and cap-nested-papr
 * (PAPR nestedv2) make the core the L0, as KVM_ENABLE_CAP(KVM_CAP_PPC_NESTED_HV) makes KVM-HV the L0: the
 * core serves H_SET_PARTITION_TABLE/H_ENTER_NESTED/H_TLB_INVALIDATE/H_COPY_TOFROM_GUEST or the H_GUEST_*
 * hcalls itself, so they never reach spapr_hypercall() and spapr->nested stays unused, as under KVM.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "system/phv.h"
#include "accel/phv/phv-int.h"

int phv_spapr_enable_nested(unsigned api)
{
    return phv_vm_enable_nested(phv_vm_get(), api == 2 ? PHV_NESTED_V2 : PHV_NESTED_V1);
}
