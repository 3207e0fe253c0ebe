/*
 * sPAPR under phv: the hashed page table lives in the core, as it lives in the kernel under KVM-HV.
 *
 * The core serves H_ENTER, H_REMOVE, H_READ, H_PROTECT, H_BULK_REMOVE, H_CLEAR_REF and H_CLEAR_MOD itself
 * (and resizes the table when QEMU passes it H_RESIZE_HPT_PREPARE/COMMIT, patch 0014),
 * so the table must be the core's (phv_vm_allocate_htab, the KVM_PPC_ALLOCATE_HTAB of phv). The machine
 * keeps spapr->htab NULL, exactly as with KVM, and reads or writes entries through these calls when it
 * needs them (monitor, debug accesses, CAS reallocation).
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/error-report.h"
#include "system/phv.h"
#include "cpu.h"
#include "mmu-hash64.h"
#include "accel/phv/phv-int.h"

long phv_spapr_reset_htab(int shift)
{
    int ret = phv_vm_allocate_htab(phv_vm_get(), shift);

    if (ret < 0) {
        errno = -ret;
        return -1;
    }
    return shift;
}

/* The machine reads entries in the architected (big-endian) layout; the core hands them in host order. */
void phv_spapr_read_hptes(ppc_hash_pte64_t *hptes, uint64_t ptex, int n)
{
    uint64_t *buf = g_new(uint64_t, 2 * n);

    if (phv_vm_read_htab(phv_vm_get(), ptex, n, buf) < 0) {
        memset(buf, 0, 2 * n * sizeof(*buf));
    }
    for (int i = 0; i < n; i++) {
        hptes[i].pte0 = cpu_to_be64(buf[2 * i]);
        hptes[i].pte1 = cpu_to_be64(buf[2 * i + 1]);
    }
    g_free(buf);
}

void phv_spapr_write_hpte(uint64_t ptex, uint64_t pte0, uint64_t pte1)
{
    uint64_t pte[2] = { pte0, pte1 };

    if (phv_vm_write_htab(phv_vm_get(), ptex, 1, pte) < 0) {
        warn_report("phv: HPT entry 0x%" HWADDR_PRIx " is outside the table", ptex);
    }
}

/* H_RESIZE_HPT_PREPARE/COMMIT after QEMU's own policy checks: the core's table, as KVM's ioctls resize KVM's. */
int phv_spapr_resize_hpt_prepare(uint64_t flags, int shift)
{
    return shift < 0 ? -EINVAL : phv_vm_resize_hpt_prepare(phv_vm_get(), flags, (uint32_t)shift);
}

int phv_spapr_resize_hpt_commit(uint64_t flags, int shift)
{
    return shift < 0 ? -EINVAL : phv_vm_resize_hpt_commit(phv_vm_get(), flags, (uint32_t)shift);
}
