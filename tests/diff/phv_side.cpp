#include "phv_side.h"

#include <csignal>
#include <cstring>
#include <sys/mman.h>

#include "phv/phv.h"
#include "vcpu/cpu_state.h"

namespace phv::diff {

namespace {

struct Vm {
    phv_vm *vm = nullptr;
    phv_vcpu *vcpu = nullptr;
    uint8_t *mem = nullptr;
    size_t size = 0;
    ~Vm() {
        phv_destroy_vm(vm);
        if (mem)
            munmap(mem, size);
    }
    int set(uint64_t id, uint64_t v) {
        uint32_t w = uint32_t(v);
        phv_one_reg r{id, PHV_REG_SIZE(id) == 4 ? uint64_t(&w) : uint64_t(&v)};
        return phv_set_one_reg(vcpu, &r);
    }
    int set128(uint64_t id, const diff_vsr &v) {
        phv_one_reg r{id, uint64_t(&v)};   // a 16-byte ONE_REG is a host-endian 128-bit number, as diff_vsr
        return phv_set_one_reg(vcpu, &r);
    }
    diff_vsr get128(uint64_t id) {
        diff_vsr v{};
        phv_one_reg r{id, uint64_t(&v)};
        phv_get_one_reg(vcpu, &r);
        return v;
    }
    uint64_t get(uint64_t id) {
        uint64_t v = 0;
        uint32_t w = 0;
        phv_one_reg r{id, PHV_REG_SIZE(id) == 4 ? uint64_t(&w) : uint64_t(&v)};
        phv_get_one_reg(vcpu, &r);
        return PHV_REG_SIZE(id) == 4 ? w : v;
    }
};

const char *exit_name(uint32_t reason) {
    switch (reason) {
    case PHV_EXIT_DEBUG: return "DEBUG";
    case PHV_EXIT_HLT: return "HLT";
    case PHV_EXIT_MMIO: return "MMIO";
    case PHV_EXIT_SHUTDOWN: return "SHUTDOWN";
    case PHV_EXIT_INTR: return "INTR";
    case PHV_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
    case PHV_EXIT_PAPR_HCALL: return "PAPR_HCALL";
    default: return "UNKNOWN";
    }
}

// The Linux signal a process gets for the interrupt phv delivered (vector, SRR1), as the kernel's handlers
// decide it (arch/powerpc/kernel/traps.c behaviour, restated): 0 for none Linux would turn into a signal.
uint64_t linux_signal(uint64_t vector, uint64_t srr1) {
    constexpr uint64_t kFp = 1ull << (63 - 43), kIllegal = 1ull << (63 - 44), kPriv = 1ull << (63 - 45),
                       kTrap = 1ull << (63 - 46);
    switch (vector) {
    case 0x300: case 0x380: case 0x400: case 0x480: return SIGSEGV;
    case 0x600: return SIGBUS;
    case 0x700:
        if (srr1 & kTrap) return SIGTRAP;
        if (srr1 & kFp) return SIGFPE;
        if (srr1 & (kIllegal | kPriv)) return SIGILL;
        return 0;
    case 0xe40: return SIGILL;   // Hypervisor Emulation Assistance: KVM reflects it as an illegal instruction
    default: return 0;
    }
}

// The ctx and the registers in it are in the byte order of the world the batch runs in.
uint64_t world(uint64_t v, bool big) { return big ? __builtin_bswap64(v) : v; }

void to_world(diff_regs &r, bool big) {
    for (auto &g : r.gpr)
        g = world(g, big);
    r.cr = world(r.cr, big);
    r.xer = world(r.xer, big);
    r.ctr = world(r.ctr, big);
    r.lr = world(r.lr, big);
}

// VSR n's ONE_REG: VSR0-31 have their own ids, VSR32-63 are VR0-31.
uint64_t vsr_id(unsigned n) { return n < 32 ? PHV_REG_PPC_VSR(n) : PHV_REG_PPC_VR(n - 32); }

} // namespace

bool run_phv(const Batch &b, std::vector<Result> &out, std::string *error) {
    const bool big = b.big_endian;
    // FP, VMX and VSX on, and FP enabled exceptions precise (FE0=FE1=1), as qemu-user runs a process.
    const uint64_t msr = msr::SF | msr::ME | (big ? 0 : msr::LE) | msr::FP | msr::VEC | msr::VSX | msr::FE0 | msr::FE1;
    Vm v;
    v.size = b.region.size();
    v.mem = static_cast<uint8_t *>(mmap(nullptr, v.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (v.mem == MAP_FAILED) {
        v.mem = nullptr;
        *error = "mmap failed";
        return false;
    }
    std::memcpy(v.mem, b.region.data(), v.size);
    phv_vm_config cfg{};
    cfg.cpu_model = PHV_CPU_POWER10;
    phv_userspace_memory_region slot{0, 0, DIFF_BASE, v.size, uint64_t(v.mem)};
    if (phv_create_vm(&cfg, &v.vm) || phv_set_user_memory_region(v.vm, &slot) || phv_create_vcpu(v.vm, 0, &v.vcpu) ||
        v.set(PHV_REG_PPC_MSR, msr)) {
        *error = "phv VM set-up failed";
        return false;
    }
    phv_run *run = phv_vcpu_run_struct(v.vcpu);
    auto *ctx = reinterpret_cast<diff_ctx *>(v.mem + DIFF_CTX_OFF);
    const uint64_t stub = DIFF_BASE + DIFF_STUB_OFF;
    out.assign(b.jobs.size(), Result{});
    for (size_t i = 0; i < b.jobs.size(); ++i) {
        const Case &c = *b.jobs[i].c;
        std::memset(ctx, 0, sizeof *ctx);
        ctx->in = c.in;
        to_world(ctx->in, big);
        ctx->ret = world(stub, big);
        std::memcpy(v.mem + DIFF_DATA_OFF, c.data.data(), DIFF_DATA_SIZE);
        // r31 is the only register the code expects on entry: the ctx pointer.
        v.set(PHV_REG_PPC_GPR(31), DIFF_BASE + DIFF_CTX_OFF);
        v.set(PHV_REG_PPC_NIP, b.code_addr[i]);
        v.set(PHV_REG_PPC_MSR, msr);
        // The FP and vector state: what the executor's trampoline loads with lxv/mtfsf/mtvscr.
        for (unsigned n = 0; n < 64; ++n)
            v.set128(vsr_id(n), c.in.vsr[n]);
        v.set(PHV_REG_PPC_FPSCR, c.in.fpscr);
        v.set(PHV_REG_PPC_VSCR, c.in.vscr.lo);
        Result &r = out[i];
        uint64_t sig = 0;
        // Interrupts go to their vector, outside the region, where the fetch ends the run: a trap continues
        // after the trap instruction as a Linux process does after its SIGTRAP handler.
        for (;;) {
            phv_vcpu_run(v.vcpu);
            if (run->exit_reason != PHV_EXIT_INTERNAL_ERROR || run->nip >= DIFF_BASE)
                break;
            sig = linux_signal(run->nip, v.get(PHV_REG_PPC_SRR1));
            if (sig != SIGTRAP)
                break;
            const uint64_t at = v.get(PHV_REG_PPC_SRR0);
            r.traps++;
            r.trap_hash = diff_trap_hash(r.trap_hash, at);
            v.set(PHV_REG_PPC_NIP, at + 4);
            v.set(PHV_REG_PPC_MSR, msr);
            sig = 0;
        }
        if (run->exit_reason == PHV_EXIT_PAPR_HCALL && run->nip == stub + 4) {   // the stub's sc 1
            r.regs = ctx->out;
            to_world(r.regs, big);
        } else {
            char buf[256];
            if (run->exit_reason == PHV_EXIT_INTERNAL_ERROR)
                snprintf(buf, sizeof buf, "phv: INTERNAL_ERROR at 0x%llx: %s", (unsigned long long)run->nip,
                         run->internal.reason);
            else
                snprintf(buf, sizeof buf, "phv: exit %s at 0x%llx", exit_name(run->exit_reason),
                         (unsigned long long)run->nip);
            r.error = buf;
            // An interrupt sends the vcpu to its vector, outside the region: SRR0 says where it came from.
            r.error_nip = run->nip >= DIFF_BASE ? run->nip : v.get(PHV_REG_PPC_SRR0);
            if (run->nip < DIFF_BASE) {
                snprintf(buf, sizeof buf, " (interrupt 0x%llx: SRR0 0x%llx SRR1 0x%llx)", (unsigned long long)run->nip,
                         (unsigned long long)v.get(PHV_REG_PPC_SRR0), (unsigned long long)v.get(PHV_REG_PPC_SRR1));
                r.error += buf;
                r.signal = sig;
            }
            // The state at the fault, to compare with the oracle's signal frame.
            for (unsigned n = 0; n < 31; ++n)
                r.regs.gpr[n] = v.get(PHV_REG_PPC_GPR(n));
            r.regs.cr = v.get(PHV_REG_PPC_CR);
            r.regs.xer = v.get(PHV_REG_PPC_XER);
            r.regs.ctr = v.get(PHV_REG_PPC_CTR);
            r.regs.lr = v.get(PHV_REG_PPC_LR);
        }
        // The FP and vector state at the end or at the fault, as the trampoline stores it on both ways back.
        for (unsigned n = 0; n < 64; ++n)
            r.regs.vsr[n] = v.get128(vsr_id(n));
        r.regs.fpscr = v.get(PHV_REG_PPC_FPSCR);
        r.regs.vscr = {v.get(PHV_REG_PPC_VSCR), 0};
        std::memcpy(r.data.data(), v.mem + DIFF_DATA_OFF, DIFF_DATA_SIZE);
    }
    return true;
}

} // namespace phv::diff
