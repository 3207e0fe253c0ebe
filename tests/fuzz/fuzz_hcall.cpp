// libFuzzer target: hypercalls. A small VM (POWER8 hash with an HPT, or POWER9/10 radix) runs `sc 1` with r3
// and r4..r12 from the input: every hcall number the core serves itself (HPT hcalls, H_SET_MODE,
// H_REGISTER_PROC_TBL, H_RPT_INVALIDATE, H_CEDE), every one phv-run serves (console, XICS, VPA, RTAS through
// KVMPPC_H_RTAS, H_RANDOM, ...) and arbitrary others. Arguments are biased to addresses in, at the edge of and
// beyond guest RAM, which sits between guard pages.
#include <cstring>
#include <memory>
#include <vector>

#include "debug_log.h"
#include "fuzz_common.h"
#include "guarded_memory.h"
#include "hcall_dispatch.h"
#include "hcalls.h"
#include "papr.h"
#include "rtas.h"
#include "services.h"
#include "splpar.h"
#include "vcpu_loop.h"
#include "vm_control.h"
#include "xics.h"

namespace {

using namespace phvrun;
using phvfuzz::Budget;

constexpr uint64_t kRamSize = 1u << 20;
constexpr uint64_t kScAddr = 0x100;
constexpr unsigned kSmp = 2;

phvfuzz::GuardedMemory &ram() {
    static phvfuzz::GuardedMemory m(kRamSize);
    return m;
}

class NullConsole : public Console {
public:
    explicit NullConsole(std::string in) : in_(std::move(in)) {}
    void write(std::span<const uint8_t>) override {}
    size_t read(std::span<uint8_t> dst) override {
        const size_t n = std::min(dst.size(), in_.size());
        std::memcpy(dst.data(), in_.data(), n);
        in_.erase(0, n);
        return n;
    }

private:
    std::string in_;
};

uint64_t hcall_number(FuzzedDataProvider &in) {
    static constexpr uint64_t kKnown[] = {
        0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x124, 0xe0, 0x31c, 0x37c, 0x448,   // in the core
        papr::H_LOGICAL_CI_LOAD, papr::H_LOGICAL_CI_STORE, papr::H_GET_TERM_CHAR, papr::H_PUT_TERM_CHAR,
        papr::H_EOI, papr::H_CPPR, papr::H_IPI, papr::H_IPOLL, papr::H_XIRR, papr::H_REGISTER_VPA,
        papr::H_CONFER, papr::H_PROD, papr::H_GET_CPU_CHARACTERISTICS, papr::H_XIRR_X, papr::H_RANDOM,
        papr::KVMPPC_H_RTAS};
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return in.ConsumeIntegralInRange<uint64_t>(0, 0x500 / 4) * 4;
    case 1: return in.ConsumeIntegral<uint64_t>();
    case 2: return 0xf000 + in.ConsumeIntegralInRange<uint64_t>(0, 0x1000);
    default: return kKnown[in.ConsumeIntegralInRange<size_t>(0, std::size(kKnown) - 1)];
    }
}

uint64_t hcall_arg(FuzzedDataProvider &in) {
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: return kRamSize - in.ConsumeIntegralInRange<uint64_t>(0, 64);   // straddling the end of RAM
    case 1: return in.ConsumeIntegralInRange<uint64_t>(0, kRamSize);
    case 2: return in.ConsumeIntegralInRange<uint64_t>(0, 16);
    default: return phvfuzz::edgy_u64(in);
    }
}

void set_reg(phv_vcpu *v, uint64_t id, uint64_t value) {
    const phv_one_reg r{id, uint64_t(uintptr_t(&value))};
    if (phv_set_one_reg(v, &r) != 0)
        phvfuzz::fail("setting a register the fuzzer relies on failed", id);
}

// Constructs x again where it is, so that whatever refers to it by address sees a fresh object.
template <typename T, typename... Args>
void renew(T &x, Args &&...args) {
    std::destroy_at(&x);
    std::construct_at(&x, std::forward<Args>(args)...);
}

// phv-run's platform, exactly as run_guest.cpp wires it. The hcall and RTAS tables register_services() fills
// are the same for every input and hold handlers that keep no state of their own (they refer to the objects
// below by address), but building them is most of an input's cost (the HcallTable alone is some 130 KiB of
// std::function slots, fresh pages every time under ASan's quarantine). So they are built once, and reset()
// gives each input a fresh platform by constructing every object with state (log, console, control, time of
// day, VPA registrations) again in place, and resetting XICS to power-on: what a platform built anew would be.
struct Platform {
    std::vector<phv_vcpu *> vcpus = std::vector<phv_vcpu *>(kSmp);
    GuestMemory mem{ram().data(), kRamSize};
    std::FILE *devnull = std::fopen("/dev/null", "w");
    DebugLog log{0, devnull};
    NullConsole console{""};
    VmControl control{kSmp};
    TimeOfDay tod;
    Xics xics{kSmp, xics_output()};
    VpaRegistry vpa{mem, kSmp};
    HcallTable hcalls;
    Rtas rtas{mem, log};

    Platform() {
        auto interrupts_le = [this](uint32_t id) { return id < vcpus.size() && vcpu_interrupts_le(vcpus[id]); };
        if (!register_services({hcalls, rtas, console, control, tod, log, interrupts_le, xics, vpa, mem}))
            phvfuzz::fail("register_services");
    }
    Xics::Output xics_output() {
        return [this](uint32_t server, bool level) {
            if (server >= vcpus.size())
                phvfuzz::fail("XICS raised a line of a server that does not exist", server);
            phv_interrupt(vcpus[server], level ? PHV_INTERRUPT_SET : PHV_INTERRUPT_UNSET);
        };
    }
    void reset(unsigned log_categories, std::string console_input) {
        renew(log, log_categories, devnull);
        renew(console, std::move(console_input));
        renew(control, kSmp);
        renew(tod);
        // As new, without its 48 KiB of sources allocated again. A line it lowers was raised for the last
        // input's vcpu; the new vcpu with that id starts with it down, so that is a no-op.
        xics.reset();
        renew(vpa, mem, kSmp);
    }
};

Platform &platform() {
    static Platform p;
    return p;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FuzzedDataProvider in(data, size);
    const uint32_t model = in.ConsumeIntegralInRange<uint32_t>(8, 10);
    phv_vm_config cfg{model, 0, 0};
    phv_vm *vm = nullptr;
    if (phv_create_vm(&cfg, &vm) != 0)
        phvfuzz::fail("phv_create_vm");
    ram().clear();
    const auto image = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 4096));
    if (!image.empty())
        std::memcpy(ram().data() + 0x1000, image.data(), image.size());
    const uint32_t code[] = {0x44000022 /* sc 1 */, 0x48000000 /* b . */};
    for (unsigned i = 0; i < 2; ++i)   // big-endian guest code (MSR[LE]=0)
        for (unsigned b = 0; b < 4; ++b)
            ram().data()[kScAddr + 4 * i + b] = uint8_t(code[i] >> (24 - 8 * b));
    const phv_userspace_memory_region slot{0, 0, 0, kRamSize, uint64_t(uintptr_t(ram().data()))};
    if (phv_set_user_memory_region(vm, &slot) != 0)
        phvfuzz::fail("phv_set_user_memory_region");
    if (model == 8 || in.ConsumeBool()) {
        if (const int rc = phv_vm_allocate_htab(vm, in.ConsumeIntegralInRange<uint32_t>(18, 20)); rc != 0)
            phvfuzz::fail("phv_vm_allocate_htab", uint64_t(-rc));
    } else {
        phv_ppc_mmuv3_cfg mmu{uint64_t(PHV_PPC_MMUV3_RADIX | (in.ConsumeBool() ? PHV_PPC_MMUV3_GTSE : 0)),
                              (1ull << 63) | (in.ConsumeIntegralInRange<uint64_t>(0, kRamSize >> 12) << 12) |
                                  in.ConsumeIntegralInRange<uint64_t>(0, 24)};
        phv_vm_configure_v3_mmu(vm, &mmu);   // may be refused (PRTS, table beyond RAM): the hcalls still run
    }
    Platform &p = platform();
    std::vector<phv_vcpu *> &vcpus = p.vcpus;
    Budget budgets[kSmp];
    for (uint32_t i = 0; i < kSmp; ++i) {
        if (phv_create_vcpu(vm, i, &vcpus[i]) != 0)
            phvfuzz::fail("phv_create_vcpu");
        budgets[i].attach(vcpus[i]);
        set_initial_lpcr(vcpus[i], model != 8);
    }

    const unsigned log_categories = in.ConsumeBool() ? ~0u : 0u;
    p.reset(log_categories, in.ConsumeRandomLengthString(16));

    for (int n = 0; n < 24 && in.remaining_bytes() && !p.control.ending(); ++n) {
        const uint32_t id = in.ConsumeIntegralInRange<uint32_t>(0, kSmp - 1);
        phv_vcpu *v = vcpus[id];
        Budget &b = budgets[id];
        set_reg(v, PHV_REG_PPC_NIP, kScAddr);
        // Mostly the privileged 64-bit state hcalls come from; sometimes anything (problem state, 32-bit, LE,
        // translation on: `sc 1` then is a program interrupt or fetches through the MMU).
        set_reg(v, PHV_REG_PPC_MSR, in.ConsumeIntegralInRange<int>(0, 7) ? kEntryMsr : in.ConsumeIntegral<uint64_t>());
        set_reg(v, PHV_REG_PPC_GPR(3), hcall_number(in));
        for (unsigned r = 4; r <= 12; ++r)
            set_reg(v, PHV_REG_PPC_GPR(r), hcall_arg(in));
        phv_run *run = phv_vcpu_run_struct(v);
        b.left = 64;
        const uint64_t before = b.executed;
        phvfuzz::check_exit(phv_vcpu_run(v), run);
        if (run->exit_reason == PHV_EXIT_PAPR_HCALL) {
            HcallArgs a;
            a.opcode = run->papr_hcall.nr;
            std::copy(std::begin(run->papr_hcall.args), std::end(run->papr_hcall.args), a.args.begin());
            const HcallContext ctx{id, run->nip, [] { return uint64_t(0); }};
            run->papr_hcall.ret = uint64_t(dispatch_hcall(p.hcalls, p.log, ctx, a));
            std::copy(a.args.begin(), a.args.end(), std::begin(run->papr_hcall.args));
            // Re-enter only to complete the hcall (r3..r12), as a VMM's next KVM_RUN would.
            run->immediate_exit = 1;
            phvfuzz::check_exit(phv_vcpu_run(v), run);
            run->immediate_exit = 0;
        } else {
            phvfuzz::answer_exit(in, run);
        }
        phvfuzz::guest_insns() += b.executed - before;
    }
    phv_destroy_vm(vm);
    vcpus.assign(kSmp, nullptr);
    return 0;
}
