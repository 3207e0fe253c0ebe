/*
 * phv accelerator: the "phv" accelerator class and its ops (QEMU side of phv, C).
 *
 * `-accel phv` runs the pseries machine's vcpus in phv's core (hv_core, a POWER interpreter with KVM
 * Book3S-HV semantics) while QEMU keeps the machine: firmware, RTAS, hcalls the core leaves to the VMM,
 * XICS/XIVE, VIO and virtio devices (qemu-integration.md §3.6, §8).
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qemu/accel.h"
#include "qemu/error-report.h"
#include "hw/boards.h"
#include "system/accel-ops.h"
#include "system/cpus.h"
#include "system/phv.h"
#include "phv-int.h"

bool phv_allowed;

/* The CPU model the core emulates, from -cpu: the core knows POWER8, POWER9 and POWER10. */
static int phv_cpu_model(const char *cpu_type)
{
    static const struct {
        const char *prefix;
        uint32_t model;
    } models[] = {
        { "power10", PHV_CPU_POWER10 },
        { "power9", PHV_CPU_POWER9 },
        { "power8", PHV_CPU_POWER8 },
    };

    for (size_t i = 0; cpu_type && i < ARRAY_SIZE(models); i++) {
        if (g_str_has_prefix(cpu_type, models[i].prefix)) {
            return models[i].model;
        }
    }
    return -1;
}

/*
 * The VM is created on first use (the first RAM section or vcpu), not in init_machine: QEMU parses -cpu
 * only after the accelerator is initialised, and the core needs the CPU model at creation. A -cpu the
 * core does not run is a user error, reported before the guest starts.
 */
phv_vm *phv_vm_get(void)
{
    struct phv_vm_config cfg = { 0 };
    const char *cpu_type = current_machine->cpu_type;
    int model, ret;

    if (phv_vm_handle) {
        return phv_vm_handle;
    }
    model = phv_cpu_model(cpu_type);
    if (model < 0) {
        error_report("phv: -cpu %s is not a model phv runs (power8, power9 or power10)",
                     cpu_type ? cpu_type : "(none)");
        exit(1);
    }
    cfg.cpu_model = model;
    cfg.timebase_freq = 512000000;  /* pseries advertises 512 MHz (SPAPR_TIMEBASE_FREQ) outside KVM */
    ret = phv_create_vm(&cfg, &phv_vm_handle);
    if (ret < 0) {
        error_report("phv: cannot create the VM: %s", strerror(-ret));
        exit(1);
    }
    return phv_vm_handle;
}

static int phv_accel_init(MachineState *ms)
{
    if (phv_get_api_version() != PHV_API_VERSION) {
        error_report("phv: the core speaks API %d, this QEMU was built for %d", phv_get_api_version(),
                     PHV_API_VERSION);
        return -EINVAL;
    }
    phv_memory_init();
    phv_stats_init();
    phv_timebase_init();
    return 0;
}

static void phv_accel_class_init(ObjectClass *oc, void *data)
{
    AccelClass *ac = ACCEL_CLASS(oc);

    ac->name = "phv";
    ac->init_machine = phv_accel_init;
    ac->allowed = &phv_allowed;
    ac->gdbstub_supported_sstep_flags = phv_gdbstub_sstep_flags;
}

static const TypeInfo phv_accel_type = {
    .name = ACCEL_CLASS_NAME("phv"),
    .parent = TYPE_ACCEL,
    .class_init = phv_accel_class_init,
};

static void phv_accel_ops_class_init(ObjectClass *oc, void *data)
{
    AccelOpsClass *ops = ACCEL_OPS_CLASS(oc);

    ops->create_vcpu_thread = phv_start_vcpu_thread;
    ops->kick_vcpu_thread = phv_kick_vcpu_thread;
    ops->synchronize_state = phv_cpu_synchronize_state;
    ops->synchronize_post_reset = phv_cpu_synchronize_post_reset;
    ops->synchronize_post_init = phv_cpu_synchronize_post_init;
    ops->synchronize_pre_loadvm = phv_cpu_synchronize_pre_loadvm;

    ops->supports_guest_debug = phv_supports_guest_debug;
    ops->update_guest_debug = phv_update_guest_debug;
    ops->insert_breakpoint = phv_insert_breakpoint;
    ops->remove_breakpoint = phv_remove_breakpoint;
    ops->remove_all_breakpoints = phv_remove_all_breakpoints;
}

static const TypeInfo phv_accel_ops_type = {
    .name = ACCEL_OPS_NAME("phv"),
    .parent = TYPE_ACCEL_OPS,
    .class_init = phv_accel_ops_class_init,
    .abstract = true,
};

static void phv_type_init(void)
{
    type_register_static(&phv_accel_type);
    type_register_static(&phv_accel_ops_type);
}
type_init(phv_type_init);
