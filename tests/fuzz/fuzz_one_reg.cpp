// libFuzzer target: one-reg ids. Get and set with ids from the core's table, near misses (another size field,
// a neighbouring index) and random ones, on POWER8/9/10 vcpus. The value buffer ends at a guard page, so a
// core that reads or writes more than the id's size (or more than the register) faults at once. A set that
// succeeds must read back through get without error, and the vcpu must still run afterwards.
#include <cstring>

#include "fuzz_common.h"
#include "guarded_memory.h"

namespace {

phvfuzz::GuardedMemory &buffer() {
    static phvfuzz::GuardedMemory m(1u << 16);
    return m;
}
phvfuzz::GuardedMemory &ram() {
    static phvfuzz::GuardedMemory m(64u << 10);
    return m;
}

uint64_t reg_id(FuzzedDataProvider &in) {
    // The index ranges KVM and phv use; anything else is random.
    uint64_t index;
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: index = in.ConsumeIntegralInRange<uint64_t>(0, 0xd0); break;
    case 1: index = in.ConsumeIntegralInRange<uint64_t>(0x1000, 0x1040); break;
    case 2: return in.ConsumeIntegral<uint64_t>();
    default: index = in.ConsumeIntegral<uint16_t>(); break;
    }
    const uint64_t size = in.ConsumeIntegralInRange<int>(0, 7) ? in.ConsumeIntegralInRange<uint64_t>(2, 4)
                                                                : in.ConsumeIntegralInRange<uint64_t>(0, 15);
    const uint64_t arch = in.ConsumeIntegralInRange<int>(0, 15) ? PHV_REG_PPC : in.ConsumeIntegral<uint64_t>() & 0xff00000000000000ull;
    return arch | size << PHV_REG_SIZE_SHIFT | index;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FuzzedDataProvider in(data, size);
    const phv_vm_config cfg{in.ConsumeIntegralInRange<uint32_t>(8, 10), 0, 0};
    phv_vm *vm = nullptr;
    phv_vcpu *v = nullptr;
    if (phv_create_vm(&cfg, &vm) != 0 || phv_create_vcpu(vm, in.ConsumeIntegralInRange<uint32_t>(0, 7), &v) != 0)
        phvfuzz::fail("set-up");
    std::memset(ram().data(), 0, ram().size());   // 0 is an illegal instruction: runs end in interrupts
    const phv_userspace_memory_region slot{0, 0, 0, ram().size(), uint64_t(uintptr_t(ram().data()))};
    phv_set_user_memory_region(vm, &slot);
    phvfuzz::Budget budget;
    budget.attach(v);

    while (in.remaining_bytes()) {
        phv_one_reg r{reg_id(in), 0};
        const size_t bytes = PHV_REG_SIZE(r.id);
        uint8_t *buf = buffer().data() + buffer().size() - std::min<size_t>(bytes, buffer().size());
        r.addr = uint64_t(uintptr_t(buf));
        const int op = in.ConsumeIntegralInRange<int>(0, 3);
        if (op == 0) {
            const int rc = phv_get_one_reg(v, &r);
            if (rc > 0 || rc < -4095)
                phvfuzz::fail("get returned neither 0 nor -errno", r.id, uint64_t(rc));
        } else if (op == 1 || op == 2) {
            const auto val = in.ConsumeBytes<uint8_t>(bytes);
            std::memset(buf, 0, std::min<size_t>(bytes, buffer().size()));
            if (!val.empty())
                std::memcpy(buf, val.data(), val.size());
            const int rc = phv_set_one_reg(v, &r);
            if (rc > 0 || rc < -4095)
                phvfuzz::fail("set returned neither 0 nor -errno", r.id, uint64_t(rc));
            if (rc == 0 && phv_get_one_reg(v, &r) != 0 && r.id != PHV_REG_PPC_TB)
                phvfuzz::fail("a register that could be set cannot be read", r.id);
        } else {
            budget.left = 64;
            phv_run *run = phv_vcpu_run_struct(v);
            phvfuzz::check_exit(phv_vcpu_run(v), run);
            phvfuzz::answer_exit(in, run);
        }
    }
    phv_destroy_vm(vm);
    return 0;
}
