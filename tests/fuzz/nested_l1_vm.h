// What the nested targets share: a small L1 (one POWER9/10 vcpu in guarded RAM, the L0 enabled) that makes
// one hcall at a time from a stub `sc 1; b .`, as a Linux L1 would from its kvm-hv. The run after the sc is
// bounded: it ends when the L1 is back at its `b .` (the hcall returned, whether the L2 ran or not) or
// when the instruction budget (L1 and L2 together) is spent. Every phv_vcpu_run() result is checked to be
// a defined exit after which the vcpu is the L1's again (nested/README.md: whatever makes phv_vcpu_run()
// return first ends the L2's run).
#pragma once
#include <cstring>
#include <initializer_list>

#include "fuzz_common.h"
#include "guarded_memory.h"
#include "vcpu/vcpu.h"

namespace phvfuzz {

class NestedL1 {
public:
    static constexpr uint64_t kStub = 0x100;   // sc 1; b .

    struct Ret {
        int64_t r3;
        uint64_t r4;
        uint32_t exit;   // what phv_vcpu_run() last returned
        bool done;       // the L1 reached the instruction after its sc
    };

    NestedL1(GuardedMemory &ram, uint32_t model, uint32_t api, bool le) {
        const phv_vm_config cfg{model, 0, 0};
        if (phv_create_vm(&cfg, &vm) != 0)
            fail("phv_create_vm");
        const phv_userspace_memory_region slot{0, 0, 0, ram.size(), uint64_t(uintptr_t(ram.data()))};
        if (phv_set_user_memory_region(vm, &slot) != 0)
            fail("phv_set_user_memory_region");
        if (phv_vm_enable_nested(vm, api) != 0)
            fail("phv_vm_enable_nested", api);
        if (phv_create_vcpu(vm, 0, &vcpu) != 0)
            fail("phv_create_vcpu");
        phv_vcpu_set_trace(vcpu, &NestedL1::on_insn, this);
        msr_ = (1ull << 63) | (1ull << 12) | (le ? 1 : 0);   // SF, ME, LE: a 64-bit L1 kernel in real mode
        const uint32_t code[] = {0x44000022 /* sc 1 */, 0x48000000 /* b . */};
        for (unsigned i = 0; i < 2; ++i)
            for (unsigned b = 0; b < 4; ++b)
                stub_[4 * i + b] = uint8_t(le ? code[i] >> (8 * b) : code[i] >> (24 - 8 * b));
        std::memcpy(ram.data() + kStub, stub_, sizeof stub_);
    }
    // Writes the stub back if something overwrote it (an L2 whose fuzzed partition-scoped tree maps the
    // L1's page 0 may store there, as a real L1 allows it to); true when it did, the code invalidated.
    bool restore_stub(GuardedMemory &ram) {
        if (!std::memcmp(ram.data() + kStub, stub_, sizeof stub_))
            return false;
        std::memcpy(ram.data() + kStub, stub_, sizeof stub_);
        core().request_code_invalidate(kStub);
        return true;
    }
    ~NestedL1() { phv_destroy_vm(vm); }
    NestedL1(const NestedL1 &) = delete;
    NestedL1 &operator=(const NestedL1 &) = delete;

    phv::Vcpu &core() { return *reinterpret_cast<phv::Vcpu *>(vcpu); }
    uint64_t msr() const { return msr_; }

    Ret hcall(uint64_t nr, std::initializer_list<uint64_t> args, uint64_t budget) {
        prepare(nr, args);
        return run(budget);
    }

    // hcall()'s return code, for a call the L0 must serve: r3 still holding the hcall's number means the sc
    // never ran (an L1 whose stub had been overwritten once passed for a bad return code that way), and that
    // fails naming where the L1 is. The L1 may not be back at the stub's `b .` although the call ran: an
    // H_COPY_TOFROM_GUEST may copy over the stub, and the L1 returns into what it copied.
    int64_t returned(uint64_t nr, std::initializer_list<uint64_t> args, uint64_t budget) {
        const Ret r = hcall(nr, args, budget);
        if (!r.done && uint64_t(r.r3) == nr)
            fail("the L1 never made its hcall (number, NIP)", nr, core().st_.nip);
        return r.r3;
    }

    // The L1 at its sc with the hcall's number and arguments in place (run() makes the call).
    void prepare(uint64_t nr, std::initializer_list<uint64_t> args) {
        set(PHV_REG_PPC_NIP, kStub);
        set(PHV_REG_PPC_MSR, msr_);
        set(PHV_REG_PPC_GPR(3), nr);
        unsigned r = 4;
        for (uint64_t a : args)
            set(PHV_REG_PPC_GPR(r++), a);
    }

    Ret run(uint64_t budget) {
        left_ = budget;
        Ret out{0, 0, 0, false};
        // A kick left over from the previous call (its run ended otherwise before the kick was seen) ends
        // the first run before the sc: run again then.
        for (int tries = 0; tries < 3; ++tries) {
            const int rc = phv_vcpu_run(vcpu);
            const phv_run *run = phv_vcpu_run_struct(vcpu);
            check_exit(rc, run);
            if (core().in_l2_)
                fail("phv_vcpu_run returned with the vcpu still in its L2", run->exit_reason, core().st_.nip);
            out.exit = run->exit_reason;
            if (!(run->exit_reason == PHV_EXIT_INTR && core().st_.nip == kStub))
                break;
        }
        out.done = core().st_.nip == kStub + 4;
        out.r3 = int64_t(core().st_.gpr[3]);
        out.r4 = core().st_.gpr[4];
        return out;
    }

    phv_vm *vm = nullptr;
    phv_vcpu *vcpu = nullptr;
    uint64_t executed = 0;

private:
    uint8_t stub_[8];
    void set(uint64_t id, uint64_t value) {
        const phv_one_reg r{id, uint64_t(uintptr_t(&value))};
        if (phv_set_one_reg(vcpu, &r) != 0)
            fail("setting an L1 register failed", id);
    }

    // Kicks once the budget is spent or the L1 is back after its sc; the core sees the kick at its next
    // block boundary, so the L1 spins at most once in its `b .`.
    PHVFUZZ_NO_COVERAGE static void on_insn(void *opaque, uint32_t, uint64_t nip, uint32_t, uint32_t) {
        auto *l1 = static_cast<NestedL1 *>(opaque);
        ++l1->executed;
        if (l1->left_ && (--l1->left_ == 0 || (nip == kStub + 4 && !l1->core().in_l2_))) {
            l1->left_ = 0;
            phv_vcpu_kick(l1->vcpu);
        }
    }

    uint64_t msr_ = 0;
    uint64_t left_ = 0;
};

} // namespace phvfuzz
