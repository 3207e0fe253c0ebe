#include "vcpu_loop.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "hcall_dispatch.h"

namespace phvrun {

namespace {

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

int set_u64(phv_vcpu *vcpu, uint64_t id, uint64_t value) {
    const phv_one_reg r{id, reinterpret_cast<uint64_t>(&value)};
    return phv_set_one_reg(vcpu, &r);
}

// A pSeries vcpu comes out of reset with VSCR[NJ] set (non-Java mode: denormal VMX results flush to zero); QEMU
// resets every POWER CPU that way and pushes it into KVM, so a guest may rely on it.
int set_reset_vscr(phv_vcpu *vcpu) {
    uint32_t vscr = 0x00010000;
    const phv_one_reg r{PHV_REG_PPC_VSCR, reinterpret_cast<uint64_t>(&vscr)};
    return phv_set_one_reg(vcpu, &r);
}

int get_u64(phv_vcpu *vcpu, uint64_t id, uint64_t &value) {
    const phv_one_reg r{id, reinterpret_cast<uint64_t>(&value)};
    return phv_get_one_reg(vcpu, &r);
}

int64_t monotonic_ns() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// hlt.deadline_ns is CLOCK_MONOTONIC; convert through the remaining time rather than assume steady_clock is
// the same clock. A vcpu that waits "forever" still wakes once a second; re-entering the core is harmless
// and keeps the conversion far from overflow.
std::chrono::steady_clock::time_point hlt_deadline(uint64_t deadline_ns) {
    constexpr int64_t kMaxSleepNs = 1000000000;
    const int64_t now = monotonic_ns();
    int64_t remaining = deadline_ns > uint64_t(INT64_MAX) ? kMaxSleepNs : int64_t(deadline_ns) - now;
    remaining = std::clamp<int64_t>(remaining, 0, kMaxSleepNs);
    return std::chrono::steady_clock::now() + std::chrono::nanoseconds(remaining);
}

void report_internal_error(VcpuThreads &t, uint32_t id, const phv_run &run) {
    char dis[96] = "";
    if (run.internal.insn)
        phv_disassemble(run.internal.insn, 0, run.nip, dis, sizeof dis);
    const char *what = run.internal.suberror == PHV_INTERNAL_ERROR_FETCH       ? "instruction fetch outside RAM"
                       : run.internal.suberror == PHV_INTERNAL_ERROR_EMULATION ? "cannot emulate"
                                                                               : "internal error";
    t.log.print("cpu %u: %s at nip 0x%llx: %s%s%s%s", id, what, ull(run.nip), run.internal.reason,
                run.internal.insn ? " [" : "", dis, run.internal.insn ? "]" : "");
}

// No device sits behind any address outside RAM yet. Loads read as zero and stores are dropped; both are
// reported once per page (every time with -d mmio), so a guest poking at hardware it expects is visible.
void serve_mmio(VcpuThreads &t, uint32_t id, phv_run &run) {
    const uint64_t page = run.mmio.phys_addr & ~uint64_t(PHV_PAGE_SIZE - 1);
    if (t.log.enabled(kDebugMmio) || t.log.first_time("mmio", page))
        t.log.print("cpu %u: %s of %u bytes at 0x%llx (nip 0x%llx) hits no device: %s", id,
                    run.mmio.is_write ? "store" : "load", run.mmio.len, ull(run.mmio.phys_addr), ull(run.nip),
                    run.mmio.is_write ? "ignored" : "reads 0");
    if (!run.mmio.is_write)
        std::memset(run.mmio.data, 0, sizeof run.mmio.data);
}

// Serves one exit. False when the run ends because of it.
bool serve_exit(VcpuThreads &t, uint32_t id, phv_run &run) {
    switch (run.exit_reason) {
    case PHV_EXIT_PAPR_HCALL: {
        HcallArgs a;
        a.opcode = run.papr_hcall.nr;
        std::copy(std::begin(run.papr_hcall.args), std::end(run.papr_hcall.args), a.args.begin());
        phv_vcpu *vcpu = t.vcpus[id];
        const auto timebase = [vcpu] {
            uint64_t tb = 0;
            get_u64(vcpu, PHV_REG_PPC_TB, tb);
            return tb;
        };
        const int64_t ret = dispatch_hcall(t.hcalls, t.log, HcallContext{id, run.nip, timebase}, a);
        run.papr_hcall.ret = uint64_t(ret);
        std::copy(a.args.begin(), a.args.end(), std::begin(run.papr_hcall.args));
        if (t.vpa) {
            const uint64_t addr = t.vpa->areas(id).vpa;
            if (addr != t.vpa_synced[id]) {
                uint64_t v = addr;
                const phv_one_reg reg{PHV_REG_PPC_VPA_ADDR, reinterpret_cast<uint64_t>(&v)};
                if (phv_set_one_reg(vcpu, &reg) == 0)
                    t.vpa_synced[id] = addr;
            }
        }
        return true;
    }
    case PHV_EXIT_HLT:
        t.control.sleep(id, hlt_deadline(run.hlt.deadline_ns));
        return true;
    case PHV_EXIT_MMIO:
        serve_mmio(t, id, run);
        return true;
    case PHV_EXIT_INTR:
        return true;  // a kick: the loop checks why
    case PHV_EXIT_SHUTDOWN:
        t.log.print("cpu %u: checkstop (machine check with MSR[ME]=0) at nip 0x%llx", id, ull(run.nip));
        t.control.request_exit(kExitCheckstop);
        return false;
    case PHV_EXIT_DEBUG:
        t.log.print("cpu %u: debug exit at nip 0x%llx (address 0x%llx, status 0x%x)", id, ull(run.nip),
                    ull(run.debug.address), run.debug.status);
        t.control.request_exit(kExitDebug);
        return false;
    case PHV_EXIT_INTERNAL_ERROR:
        report_internal_error(t, id, run);
        t.control.request_exit(kExitInternal);
        return false;
    default:
        t.log.print("cpu %u: unknown exit reason %u at nip 0x%llx", id, run.exit_reason, ull(run.nip));
        t.control.request_exit(kExitInternal);
        return false;
    }
}

} // namespace

int set_boot_state(phv_vcpu *vcpu, uint64_t nip, uint64_t fdt, uint64_t kernel) {
    int rc = set_u64(vcpu, PHV_REG_PPC_MSR, kEntryMsr);
    if (!rc)
        rc = set_u64(vcpu, PHV_REG_PPC_NIP, nip);
    if (!rc)
        rc = set_u64(vcpu, PHV_REG_PPC_GPR(3), fdt);
    if (!rc)
        rc = set_u64(vcpu, PHV_REG_PPC_GPR(4), kernel);
    if (!rc)
        rc = set_u64(vcpu, PHV_REG_PPC_GPR(5), 0);  // no client interface: this is what marks a flat-tree boot
    if (!rc)
        rc = set_reset_vscr(vcpu);
    return rc;
}

int set_initial_lpcr(phv_vcpu *vcpu, bool large_decrementer) {
    uint64_t lpcr = 0;
    int rc = get_u64(vcpu, PHV_REG_PPC_LPCR_64, lpcr);
    lpcr = large_decrementer ? lpcr | kLpcrLD : lpcr & ~kLpcrLD;
    lpcr |= kLpcrVPM0;
    if (!rc)
        rc = set_u64(vcpu, PHV_REG_PPC_LPCR_64, lpcr);
    return rc;
}

int set_start_state(phv_vcpu *vcpu, const CpuStart &start) {
    uint64_t lpcr = 0;
    int rc = get_u64(vcpu, PHV_REG_PPC_LPCR_64, lpcr);
    if (!rc)
        rc = set_u64(vcpu, PHV_REG_PPC_LPCR_64, start.interrupts_le ? lpcr | kLpcrILE : lpcr & ~kLpcrILE);
    if (!rc)
        rc = set_u64(vcpu, PHV_REG_PPC_MSR, kEntryMsr);
    if (!rc)
        rc = set_u64(vcpu, PHV_REG_PPC_NIP, start.nip);
    if (!rc)
        rc = set_u64(vcpu, PHV_REG_PPC_GPR(3), start.r3);
    if (!rc)
        rc = set_reset_vscr(vcpu);
    return rc;
}

bool vcpu_interrupts_le(phv_vcpu *vcpu) {
    uint64_t lpcr = 0;
    return get_u64(vcpu, PHV_REG_PPC_LPCR_64, lpcr) == 0 && (lpcr & kLpcrILE);
}

void run_vcpu(VcpuThreads &t, uint32_t id) {
    if (id >= t.vcpus.size() || !t.vcpus[id])
        return;
    phv_vcpu *vcpu = t.vcpus[id];
    phv_run *run = phv_vcpu_run_struct(vcpu);
    while (!t.control.ending()) {
        if (t.control.parked(id)) {
            // The core completes the last exit (the stop-self hcall writes r3..r12) on the next entry; do
            // that now, without running guest code, so it cannot overwrite the start-cpu registers.
            run->immediate_exit = 1;
            phv_vcpu_run(vcpu);
            run->immediate_exit = 0;
            const auto start = t.control.wait_for_start(id);
            if (!start)
                break;
            if (const int rc = set_start_state(vcpu, *start); rc != 0) {
                t.log.print("cpu %u: cannot set the start-cpu state: %s", id, std::strerror(-rc));
                t.control.request_exit(kExitInternal);
                break;
            }
            if (t.log.enabled(kDebugRtas))
                t.log.print("cpu %u: started at 0x%llx, r3 0x%llx", id, ull(start->nip), ull(start->r3));
        }
        if (const int rc = phv_vcpu_run(vcpu); rc != 0) {
            t.log.print("cpu %u: phv_vcpu_run failed: %s", id, std::strerror(-rc));
            t.control.request_exit(kExitInternal);
            break;
        }
        if (!serve_exit(t, id, *run))
            break;
    }
}

} // namespace phvrun
