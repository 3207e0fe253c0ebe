// libFuzzer target: random sequences of phv_* calls with random arguments. Every call must return 0 or a
// negative errno, never crash, and never touch memory it was not given: guest memory is one guarded pool
// (slots are windows into it), and buffers handed to the API sit against a guard page at their end.
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "fuzz_common.h"
#include "guarded_memory.h"

namespace {

using phvfuzz::Budget;
using phvfuzz::GuardedMemory;

constexpr uint64_t kPoolSize = 1u << 20;
constexpr size_t kMaxVms = 2, kMaxVcpus = 4;

GuardedMemory &pool() {
    static GuardedMemory m(kPoolSize);
    return m;
}
// Scratch buffers for the calls' out/in parameters, each ending at a guard page.
GuardedMemory &scratch() {
    static GuardedMemory m(1u << 16);
    return m;
}
template <typename T>
T *at_end(size_t bytes) {
    return reinterpret_cast<T *>(scratch().data() + scratch().size() - bytes);
}

struct VcpuSlot {
    phv_vcpu *vcpu = nullptr;
    Budget budget;
};
struct VmSlot {
    phv_vm *vm = nullptr;
    std::array<VcpuSlot, kMaxVcpus> vcpus{};
};

void check_rc(int rc) {
    if (rc > 0 || rc < -4095)
        phvfuzz::fail("call returned neither 0 nor -errno", uint64_t(int64_t(rc)));
}

phv_vcpu *pick_vcpu(FuzzedDataProvider &in, std::array<VmSlot, kMaxVms> &vms, Budget **budget) {
    VmSlot &s = vms[in.ConsumeIntegralInRange<size_t>(0, kMaxVms - 1)];
    VcpuSlot &c = s.vcpus[in.ConsumeIntegralInRange<size_t>(0, kMaxVcpus - 1)];
    if (budget)
        *budget = &c.budget;
    return c.vcpu;
}

uint64_t one_reg_id(FuzzedDataProvider &in) {
    static constexpr uint64_t kIds[] = {PHV_REG_PPC_GPR(1), PHV_REG_PPC_NIP, PHV_REG_PPC_MSR, PHV_REG_PPC_LPCR_64,
                                        PHV_REG_PPC_LPCR, PHV_REG_PPC_VSR(63), PHV_REG_PPC_VR(31), PHV_REG_PPC_FPR(0),
                                        PHV_REG_PPC_DEC, PHV_REG_PPC_TB_OFFSET, PHV_REG_PPC_TB_OFFSET_EXACT,
                                        PHV_REG_PPC_DEC_EXPIRY,
                                        PHV_REG_PPC_PID, PHV_REG_PPC_DEXCR, PHV_REG_PPC_ARCH_COMPAT, PHV_REG_PPC_CR};
    uint64_t id = in.ConsumeBool() ? kIds[in.ConsumeIntegralInRange<size_t>(0, std::size(kIds) - 1)]
                                   : in.ConsumeIntegral<uint64_t>();
    if (in.ConsumeBool())   // any size field, including ones no register has
        id = (id & ~PHV_REG_SIZE_MASK) | (uint64_t(in.ConsumeIntegralInRange<unsigned>(0, 15)) << PHV_REG_SIZE_SHIFT);
    return id;
}

void run_vcpu(FuzzedDataProvider &in, phv_vcpu *v, Budget &b) {
    phv_run *run = phv_vcpu_run_struct(v);
    run->immediate_exit = in.ConsumeIntegralInRange<uint8_t>(0, 7) == 0;
    b.left = in.ConsumeIntegralInRange<uint64_t>(1, 2000);
    const uint64_t before = b.executed;
    phvfuzz::check_exit(phv_vcpu_run(v), run);
    phvfuzz::guest_insns() += b.executed - before;
    phvfuzz::answer_exit(in, run);
    run->immediate_exit = 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FuzzedDataProvider in(data, size);
    std::array<VmSlot, kMaxVms> vms{};
    // Guest memory starts as the input's tail repeated, so runs meet real instruction words.
    {
        const size_t n = std::min<size_t>(size, 4096);
        uint8_t *p = pool().data();
        for (uint64_t off = 0; off < kPoolSize; off += 4096)
            std::memcpy(p + off, data + size - n, n);
    }
    for (int step = 0; step < 64 && in.remaining_bytes(); ++step) {
        VmSlot &vs = vms[in.ConsumeIntegralInRange<size_t>(0, kMaxVms - 1)];
        phv_vm *vm = vs.vm;
        switch (in.ConsumeIntegralInRange<int>(0, 19)) {
        case 0: {
            if (vm)
                break;
            phv_vm_config cfg{};
            cfg.cpu_model = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint32_t>(8, 10) : in.ConsumeIntegral<uint32_t>();
            cfg.flags = in.ConsumeIntegralInRange<uint8_t>(0, 10) == 0 ? in.ConsumeIntegral<uint32_t>() : 0;
            cfg.timebase_freq = in.ConsumeBool() ? 0 : in.ConsumeIntegral<uint64_t>();
            const int rc = phv_create_vm(in.ConsumeIntegralInRange<int>(0, 15) ? &cfg : nullptr, &vs.vm);
            check_rc(rc);
            if (rc != 0 && vs.vm)
                phvfuzz::fail("phv_create_vm failed but returned a vm");
            break;
        }
        case 1:
            phv_destroy_vm(vm);
            vs = VmSlot{};
            break;
        case 2: {
            phv_userspace_memory_region r{};
            r.slot = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint32_t>(0, 3) : in.ConsumeIntegral<uint32_t>();
            r.flags = in.ConsumeIntegralInRange<uint32_t>(0, 4);
            r.guest_phys_addr = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 64) * 4096
                                                 : phvfuzz::edgy_u64(in);
            // The host range stays inside the pool (the API cannot check host pointers); only the size
            // may exceed it, when the core must refuse it.
            const uint64_t off = in.ConsumeIntegralInRange<uint64_t>(0, kPoolSize);
            const bool aligned = in.ConsumeIntegralInRange<int>(0, 7) != 0;
            const uint64_t host_off = aligned ? off & ~4095ull : off;
            r.userspace_addr = in.ConsumeIntegralInRange<int>(0, 15) ? uint64_t(uintptr_t(pool().data() + host_off)) : 0;
            const uint64_t room = kPoolSize - host_off;
            r.memory_size = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, room / 4096) * 4096
                                             : in.ConsumeIntegralInRange<uint64_t>(0, room);
            const bool oversize = in.ConsumeIntegralInRange<int>(0, 15) == 0;
            if (oversize)
                r.memory_size = phvfuzz::edgy_u64(in);
            const int rc = phv_set_user_memory_region(vm, in.ConsumeIntegralInRange<int>(0, 31) ? &r : nullptr);
            check_rc(rc);
            // The core cannot know how much host memory is behind the pointer (nor can KVM): a size that
            // fit the rules but not the pool is taken back before any vcpu runs.
            if (oversize && rc == 0 && r.memory_size > room) {
                phv_userspace_memory_region del = r;
                del.memory_size = 0;
                phv_set_user_memory_region(vm, &del);
            }
            break;
        }
        case 3: {
            // One bit per page of the largest slot the pool allows, rounded to 64-bit words.
            const size_t bytes = (kPoolSize / 4096 + 63) / 64 * 8;
            check_rc(phv_get_dirty_log(vm, in.ConsumeIntegralInRange<uint32_t>(0, 5),
                                       in.ConsumeIntegralInRange<int>(0, 15) ? at_end<void>(bytes) : nullptr));
            break;
        }
        case 4:
            check_rc(phv_invalidate_code(vm, phvfuzz::edgy_u64(in), phvfuzz::edgy_u64(in)));
            break;
        case 5: {
            VcpuSlot &c = vs.vcpus[in.ConsumeIntegralInRange<size_t>(0, kMaxVcpus - 1)];
            if (c.vcpu)
                break;
            const uint32_t id = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint32_t>(0, 4) : in.ConsumeIntegral<uint32_t>();
            const int rc = phv_create_vcpu(vm, id, in.ConsumeIntegralInRange<int>(0, 31) ? &c.vcpu : nullptr);
            check_rc(rc);
            if (rc == 0 && c.vcpu)
                c.budget.attach(c.vcpu);
            break;
        }
        case 6:
        case 7: {
            phv_vcpu *v = pick_vcpu(in, vms, nullptr);
            phv_one_reg r{};
            r.id = one_reg_id(in);
            const size_t bytes = std::min<size_t>(PHV_REG_SIZE(r.id), scratch().size());
            uint8_t *buf = at_end<uint8_t>(bytes);
            const auto val = in.ConsumeBytes<uint8_t>(bytes);
            if (!val.empty())
                std::memcpy(buf, val.data(), val.size());
            r.addr = in.ConsumeIntegralInRange<int>(0, 15) ? uint64_t(uintptr_t(buf)) : 0;
            check_rc(in.ConsumeBool() ? phv_set_one_reg(v, &r) : phv_get_one_reg(v, &r));
            break;
        }
        case 8:
        case 9: {
            Budget *b = nullptr;
            if (phv_vcpu *v = pick_vcpu(in, vms, &b))
                run_vcpu(in, v, *b);
            else
                check_rc(phv_vcpu_run(nullptr));
            break;
        }
        case 10:
            check_rc(phv_interrupt(pick_vcpu(in, vms, nullptr),
                                   in.ConsumeBool() ? PHV_INTERRUPT_SET - in.ConsumeIntegralInRange<uint32_t>(0, 2)
                                                    : in.ConsumeIntegral<uint32_t>()));
            break;
        case 11: {
            phv_vcpu *v = pick_vcpu(in, vms, nullptr);
            uint64_t value = 0;
            const size_t i = in.ConsumeIntegralInRange<size_t>(0, phv_vcpu_stat_count() + 2);
            const char *name = phv_vcpu_stat(v, i, &value);
            if (name && (!v || i >= phv_vcpu_stat_count()))
                phvfuzz::fail("a statistic without a vcpu or beyond the count", i);
            if (name)
                (void)std::strlen(name);
            break;
        }
        case 12: {
            const size_t len = in.ConsumeIntegralInRange<size_t>(0, 128);
            char *buf = at_end<char>(len);
            const int n = phv_disassemble(in.ConsumeIntegral<uint32_t>(), in.ConsumeIntegral<uint32_t>(),
                                          in.ConsumeIntegral<uint64_t>(), len ? buf : nullptr, len);
            if (n != 0 && n != 4 && n != 8)
                phvfuzz::fail("phv_disassemble returned a length that is no instruction size", uint64_t(n));
            if (len && !std::memchr(buf, 0, len))
                phvfuzz::fail("disassembly not NUL-terminated within buflen", len);
            break;
        }
        case 13:
            check_rc(phv_vm_allocate_htab(vm, in.ConsumeBool() ? in.ConsumeIntegralInRange<uint32_t>(16, 24)
                                                               : in.ConsumeIntegral<uint32_t>()));
            break;
        case 14: {
            phv_ppc_mmuv3_cfg c{};
            c.flags = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 3) : in.ConsumeIntegral<uint64_t>();
            c.process_table = phvfuzz::edgy_u64(in);
            check_rc(phv_vm_configure_v3_mmu(vm, in.ConsumeIntegralInRange<int>(0, 15) ? &c : nullptr));
            check_rc(phv_vm_get_v3_mmu(vm, at_end<phv_ppc_mmuv3_cfg>(sizeof c)));
            break;
        }
        case 15:
            check_rc(phv_vm_get_rmmu_info(vm, at_end<phv_ppc_rmmu_info>(sizeof(phv_ppc_rmmu_info))));
            check_rc(phv_vm_get_smmu_info(vm, at_end<phv_ppc_smmu_info>(sizeof(phv_ppc_smmu_info))));
            break;
        case 16: {
            phv_vcpu *v = pick_vcpu(in, vms, nullptr);
            auto *slb = at_end<phv_ppc_slb_entry>(PHV_PPC_SLB_SIZE * sizeof(phv_ppc_slb_entry));
            if (in.ConsumeBool()) {
                for (unsigned i = 0; i < PHV_PPC_SLB_SIZE; ++i) {
                    slb[i].slbe = in.ConsumeBool() ? (in.ConsumeIntegral<uint64_t>() & ~0xfffull) | 1u << 27 | i
                                                   : in.ConsumeIntegral<uint64_t>();
                    slb[i].slbv = in.ConsumeIntegral<uint64_t>();
                }
                check_rc(phv_vcpu_set_slb(v, slb));
            } else {
                check_rc(phv_vcpu_get_slb(v, slb));
            }
            break;
        }
        case 17: {
            // n is either what the buffer holds or something no table can have (the call must refuse it).
            constexpr uint64_t kCap = 256;
            const uint64_t index = phvfuzz::edgy_u64(in);
            const uint64_t n = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, kCap)
                                                : (1ull << 62) + in.ConsumeIntegralInRange<uint64_t>(0, 1) * ~0ull / 4;
            uint64_t *buf = at_end<uint64_t>(kCap * 16);
            for (uint64_t i = 0; i < kCap * 2 && in.remaining_bytes(); ++i)
                buf[i] = in.ConsumeIntegral<uint64_t>();
            const int rc = in.ConsumeBool() ? phv_vm_read_htab(vm, index, n, buf) : phv_vm_write_htab(vm, index, n, buf);
            check_rc(rc);
            if (rc == 0 && n > kCap)
                phvfuzz::fail("an HPT range no table has was accepted", index, n);
            break;
        }
        case 18:
            phv_vcpu_kick(pick_vcpu(in, vms, nullptr));
            break;
        case 19:
            if (phv_get_api_version() != PHV_API_VERSION)
                phvfuzz::fail("API version");
            (void)phv_vm_pvr(vm);
            break;
        }
    }
    for (VmSlot &s : vms)
        phv_destroy_vm(s.vm);
    return 0;
}
