#include "run_guest.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <phv/phv.h>

#include "boot_setup.h"
#include "fdt_cpu.h"
#include "debug_log.h"
#include "guest_ram.h"
#include "hcalls.h"
#include "insn_trace.h"
#include "host_signals.h"
#include "mapped_file.h"
#include "rtas.h"
#include "rtas_functions.h"
#include "hpt_resize.h"
#include "services.h"
#include "stdio_console.h"
#include "vcpu_loop.h"
#include "vm_control.h"
#include "vty.h"
#include "vty_irq.h"

namespace phvrun {

namespace {

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

struct VmDeleter {
    void operator()(phv_vm *vm) const { phv_destroy_vm(vm); }
};
using VmHandle = std::unique_ptr<phv_vm, VmDeleter>;

int fail(DebugLog &log, const std::string &message, int status = kExitUsage) {
    log.print("%s", message.c_str());
    return status;
}

void print_layout(DebugLog &log, const BootInfo &b, uint64_t ram_size) {
    log.print("RAM 0x0-0x%llx; kernel 0x%llx-0x%llx (%s-endian), entry 0x%llx", ull(ram_size),
              ull(b.kernel.load_lo), ull(b.kernel.load_hi), b.kernel.big_endian ? "big" : "little", ull(b.entry));
    if (b.layout.initrd_end > b.layout.initrd_start)
        log.print("initrd 0x%llx-0x%llx", ull(b.layout.initrd_start), ull(b.layout.initrd_end));
    log.print("RTAS 0x%llx (+0x%llx); device tree 0x%llx (%llu bytes)", ull(b.layout.rtas_base),
              ull(b.layout.rtas_size), ull(b.fdt_addr), ull(b.fdt_size));
}

// Several lines per vcpu when needed: a log line has room for a few hundred characters (DebugLog::print),
// and a counter cut off at its end would read as missing.
void print_stats(DebugLog &log, const std::vector<phv_vcpu *> &vcpus) {
    constexpr size_t kLineRoom = 400;
    for (size_t id = 0; id < vcpus.size(); ++id) {
        std::string line;
        uint64_t value = 0;
        for (size_t i = 0; i < phv_vcpu_stat_count(); ++i) {
            const char *name = phv_vcpu_stat(vcpus[id], i, &value);
            if (!name)
                continue;
            const std::string item = " " + std::string(name) + "=" + std::to_string(value);
            if (!line.empty() && line.size() + item.size() > kLineRoom) {
                log.print("cpu %zu stats:%s", id, line.c_str());
                line.clear();
            }
            line += item;
        }
        log.print("cpu %zu stats:%s", id, line.c_str());
    }
}

// The L2 guests the L1 left behind (phv_vm_get_nested): one line per guest and one per L2 vcpu, with the
// L1<->L2 counters in timebase ticks. An L1 that deleted its L2s before powering off leaves none.
void print_nested(DebugLog &log, phv_vm *vm) {
    phv_nested_info info{};
    std::vector<phv_nested_guest> guests;
    std::vector<phv_nested_vcpu> vcpus;
    while (phv_vm_get_nested(vm, &info) == -E2BIG) {
        guests.resize(info.nr_guests);
        vcpus.resize(info.nr_vcpus);
        info.guests = guests.data();
        info.vcpus = vcpus.data();
    }
    log.print("nested: %u L2 guests", info.nr_guests);
    for (uint32_t i = 0; i < info.nr_guests; ++i) {
        const phv_nested_guest &g = guests[i];
        const char *api = g.api == PHV_NESTED_V1 ? "v1" : "v2";
        log.print("nested %s guest %u: lpvr=0x%08x vcpus=%u", api, g.id, g.logical_pvr, g.nr_vcpus);
        for (uint32_t j = 0; j < g.nr_vcpus; ++j) {
            const phv_nested_vcpu &v = vcpus[g.first_vcpu + j];
            std::string exits;
            for (uint32_t e = 0; e < PHV_NESTED_EXIT_NR; ++e)
                if (v.exits[e])
                    exits += (exits.empty() ? "" : ",") + std::string(phv_nested_exit_name(e)) + ":" +
                             std::to_string(v.exits[e]);
            log.print("nested %s guest %u vcpu %u: %s runs=%llu exits=%s l1_to_l2_tb=%llu l2_runtime_tb=%llu "
                      "l2_to_l1_tb=%llu",
                      api, g.id, v.vcpu_id, v.state == PHV_NESTED_VCPU_RUNNING ? "running" : "idle", ull(v.runs),
                      exits.empty() ? "none" : exits.c_str(), ull(v.l1_to_l2_tb), ull(v.l2_runtime_tb),
                      ull(v.l2_to_l1_tb));
        }
    }
}

} // namespace

int run_guest(const Options &opts) {
    DebugLog log(opts.debug);

    auto kernel = MappedFile::open(opts.kernel, "kernel");
    if (!kernel)
        return fail(log, kernel.error());
    MappedFile initrd;
    if (!opts.initrd.empty()) {
        auto f = MappedFile::open(opts.initrd, "initrd");
        if (!f)
            return fail(log, f.error());
        initrd = std::move(*f);
    }

    const phv_vm_config cfg{static_cast<uint32_t>(opts.cpu),
                            (opts.interp ? PHV_VM_INTERPRETER : 0u) | (opts.perf_map ? PHV_VM_PERF_MAP : 0u), 0};
    phv_vm *raw_vm = nullptr;
    if (const int rc = phv_create_vm(&cfg, &raw_vm); rc != 0)
        return fail(log, std::string("cannot create the VM: ") + std::strerror(-rc), kExitInternal);
    // RAM is declared first so it outlives the VM that maps it.
    auto ram = GuestRam::allocate(opts.mem_size);
    if (!ram)
        return fail(log, ram.error(), kExitInternal);
    VmHandle vm(raw_vm);

    const phv_userspace_memory_region region{0, 0, 0, ram->size(), reinterpret_cast<uint64_t>(ram->data())};
    if (const int rc = phv_set_user_memory_region(vm.get(), &region); rc != 0)
        return fail(log, std::string("cannot map guest RAM: ") + std::strerror(-rc), kExitInternal);

    std::vector<phv_vcpu *> vcpus(opts.smp, nullptr);
    for (unsigned id = 0; id < opts.smp; ++id)
        if (const int rc = phv_create_vcpu(vm.get(), id, &vcpus[id]); rc != 0)
            return fail(log, "cannot create vcpu " + std::to_string(id) + ": " + std::strerror(-rc), kExitInternal);
    for (phv_vcpu *v : vcpus)
        if (const int rc = set_initial_lpcr(v, opts.cpu != CpuModel::Power8); rc != 0)
            return fail(log, std::string("cannot set LPCR: ") + std::strerror(-rc), kExitInternal);
    // A hash guest's HPT belongs to the hypervisor; its size goes into ibm,pft-size. A radix guest gets none
    // (it registers its process table with H_REGISTER_PROC_TBL).
    const uint32_t hpt_shift = hpt_shift_for_ram(opts.mem_size);
    if (!cpu_model_uses_radix(opts.cpu))
        if (const int rc = phv_vm_allocate_htab(vm.get(), hpt_shift); rc != 0)
            return fail(log, std::string("cannot allocate the hashed page table: ") + std::strerror(-rc),
                        kExitInternal);
    if (opts.nested)
        if (const int rc = phv_vm_enable_nested(vm.get(), opts.nested == 1 ? PHV_NESTED_V1 : PHV_NESTED_V2); rc != 0)
            return fail(log, std::string("--nested: ") +
                                 (rc == -EINVAL ? "needs a radix CPU (power9 or power10)" : std::strerror(-rc)));
    phv_ppc_smmu_info smmu{};
    if (const int rc = phv_vm_get_smmu_info(vm.get(), &smmu); rc != 0)
        return fail(log, std::string("cannot read the MMU geometry: ") + std::strerror(-rc), kExitInternal);

    const GuestMemory mem = ram->memory();
    StdioConsole console;
    VmControl control(opts.smp);
    TimeOfDay tod;
    HcallTable hcalls;
    Rtas rtas(mem, log);
    // start-cpu runs on the calling vcpu's thread, the only one that may touch that vcpu.
    auto interrupts_le = [&vcpus](uint32_t id) { return id < vcpus.size() && vcpu_interrupts_le(vcpus[id]); };
    // An ICP drives its vcpu's external interrupt line (level-triggered in the core) and wakes it from a
    // cede; any vcpu thread may do this for another (H_IPI), which the core's line and VmControl allow.
    Xics xics(opts.smp, [&vcpus, &control](uint32_t server, bool level) {
        phv_interrupt(vcpus[server], level ? PHV_INTERRUPT_SET : PHV_INTERRUPT_UNSET);
        if (level)
            control.wake(server);
    });
    VpaRegistry vpa(mem, opts.smp);
    if (auto ok = register_services({hcalls, rtas, console, control, tod, log, interrupts_le, xics, vpa, mem}); !ok)
        return fail(log, ok.error(), kExitInternal);
    // H_RPT_INVALIDATE is the core's (hv_core/src/mmu/process_table.cpp). A radix guest with GTSE keeps
    // using tlbie; a KVM L1 needs it to flush an L2's partition-scoped translations under nestedv2, where
    // H_TLB_INVALIDATE (nestedv1's) does not exist.
    if (cpu_model_uses_radix(opts.cpu))
        hcalls.add_hypertas("hcall-rpt-invalidate");
    // A hash guest may resize its HPT (Linux does on memory hot-plug), through the core as QEMU through KVM.
    if (!cpu_model_uses_radix(opts.cpu) && !register_hpt_resize(hcalls, vm.get(), ram->size()))
        return fail(log, "internal: H_RESIZE_HPT_* registered twice", kExitInternal);

    BootRequest req;
    req.cpu = opts.cpu;
    req.pvr = phv_vm_pvr(vm.get());
    req.smp = opts.smp;
    req.kernel = kernel->bytes();
    req.initrd = initrd.bytes();
    req.bootargs = opts.append;
    req.rtas_tokens = rtas.token_properties();
    req.hypertas = hcalls.hypertas();
    req.xics = hcalls.has(papr::H_XIRR);
    req.random = hcalls.has(papr::H_RANDOM);
    for (const RtasTokenProp &t : req.rtas_tokens)
        req.event_scan = req.event_scan || t.name == "event-scan";
    req.vty_irq = kVtyIrq;
    req.vector = core_vector_units();
    req.hpt_shift = hpt_shift;
    req.smmu = smmu;
    auto boot = prepare_boot(req, mem);
    if (!boot)
        return fail(log, boot.error());
    if (log.enabled(kDebugBoot))
        print_layout(log, *boot, ram->size());

    if (const int rc = set_boot_state(vcpus[0], boot->entry, boot->fdt_addr, boot->kernel_addr); rc != 0)
        return fail(log, std::string("cannot set the boot registers: ") + std::strerror(-rc), kExitInternal);
    // Closed on return, after the vcpu threads (its only callers) have been joined.
    std::unique_ptr<InsnTrace> trace;
    if (opts.trace) {
        auto t = InsnTrace::open(opts.trace_file, opts.smp);
        if (!t)
            return fail(log, t.error());
        trace = std::move(*t);
        for (phv_vcpu *v : vcpus)
            trace->attach(v);
    }

    handle_host_signals(control);
    // Both end before the vcpu threads' state goes away (declared after it, destroyed first).
    const RawTerminal raw_terminal;
    const VtyInputInterrupt vty_input(console, xics, kVtyIrq);
    control.on_exit_requested([&vcpus] {
        for (phv_vcpu *v : vcpus)
            phv_vcpu_kick(v);
    });
    control.set_running(0);  // the boot thread; the others wait for start-cpu

    VcpuThreads shared{control, hcalls, log, vcpus};
    // With nesting on, the core adds the L2 context-switch counters to each vcpu's VPA: it learns the
    // VPA's address as KVM does, through KVM_REG_PPC_VPA_ADDR.
    if (opts.nested) {
        shared.vpa = &vpa;
        shared.vpa_synced.assign(opts.smp, 0);
    }
    std::vector<std::thread> threads;
    for (uint32_t id = 0; id < opts.smp; ++id)
        threads.emplace_back(run_vcpu, std::ref(shared), id);
    control.wait_for_exit();
    for (std::thread &t : threads)
        t.join();

    if (log.enabled(kDebugStats)) {
        print_stats(log, vcpus);
        if (opts.nested)
            print_nested(log, vm.get());
    }
    return control.exit_status();
}

} // namespace phvrun
