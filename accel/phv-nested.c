/*
 * phv accelerator: QMP query-phv-nested, the L2 guests a nested-hypervisor guest has made with phv as its
 * L0 (cap-nested-hv / cap-nested-papr), their vcpus, states and L1<->L2 counters. The core hands out a
 * copy taken under its nested lock (phv_vm_get_nested), so nothing here touches vcpu threads.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-misc-target.h"
#include "system/phv.h"
#include "phv-int.h"

static PhvNestedVcpu *vcpu_entry(const struct phv_nested_vcpu *v)
{
    PhvNestedVcpu *o = g_new0(PhvNestedVcpu, 1);

    o->id = v->vcpu_id;
    o->state = v->state == PHV_NESTED_VCPU_RUNNING ? PHV_NESTED_VCPU_STATE_RUNNING
                                                   : PHV_NESTED_VCPU_STATE_IDLE;
    o->runs = v->runs;
    for (uint32_t i = PHV_NESTED_EXIT_NR; i-- > 0;) {
        PhvNestedExitCount *e;

        if (!v->exits[i]) {
            continue;
        }
        e = g_new0(PhvNestedExitCount, 1);
        e->reason = g_strdup(phv_nested_exit_name(i));
        e->count = v->exits[i];
        QAPI_LIST_PREPEND(o->exits, e);
    }
    o->l1_to_l2_cs_tb = v->l1_to_l2_tb;
    o->l2_to_l1_cs_tb = v->l2_to_l1_tb;
    o->l2_runtime_tb = v->l2_runtime_tb;
    return o;
}

PhvNestedGuestList *qmp_query_phv_nested(Error **errp)
{
    struct phv_nested_info info = { 0 };
    g_autofree struct phv_nested_guest *guests = NULL;
    g_autofree struct phv_nested_vcpu *vcpus = NULL;
    PhvNestedGuestList *list = NULL;
    phv_vm *vm;
    int ret;

    if (!phv_enabled()) {
        error_setg(errp, "query-phv-nested needs -accel phv");
        return NULL;
    }
    vm = phv_vm_get();
    /* L1 vcpus may add guests between the two calls: size again until the copy fits. */
    while ((ret = phv_vm_get_nested(vm, &info)) == -E2BIG) {
        info.nr_guests += 8;
        info.nr_vcpus += 32;
        guests = g_renew(struct phv_nested_guest, guests, info.nr_guests);
        vcpus = g_renew(struct phv_nested_vcpu, vcpus, info.nr_vcpus);
        info.guests = guests;
        info.vcpus = vcpus;
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "phv_vm_get_nested");
        return NULL;
    }
    for (uint32_t i = info.nr_guests; i-- > 0;) {
        const struct phv_nested_guest *g = &guests[i];
        PhvNestedGuest *o = g_new0(PhvNestedGuest, 1);

        o->id = g->id;
        o->api = g->api == PHV_NESTED_V1 ? PHV_NESTED_API_V1 : PHV_NESTED_API_V2;
        if (g->api == PHV_NESTED_V2) {
            o->has_logical_pvr = true;
            o->logical_pvr = g->logical_pvr;
        }
        for (uint32_t j = g->nr_vcpus; j-- > 0;) {
            const struct phv_nested_vcpu *v = &vcpus[g->first_vcpu + j];

            QAPI_LIST_PREPEND(o->vcpus, vcpu_entry(v));
            o->runs += v->runs;
            o->l1_to_l2_cs_tb += v->l1_to_l2_tb;
            o->l2_to_l1_cs_tb += v->l2_to_l1_tb;
            o->l2_runtime_tb += v->l2_runtime_tb;
        }
        QAPI_LIST_PREPEND(list, o);
    }
    return list;
}
