// libFuzzer target: guest instructions. Random instruction words (half of them built from a random row of the
// ISA table, so most decode) run on POWER8/9/10 in every privilege and translation mode the input picks:
// problem or privileged state, real mode or translation through a fuzzed HPT and SLB (hash) or a process table
// and radix trees whose entries come from the input, big- or little-endian, 64- or 32-bit, with random GPRs,
// SPRs and LPCR. Only the host's safety is judged, not results:
//   - no crash and no access outside guest memory (both slots sit between guard pages; ASan watches the heap);
//   - every run ends in a defined exit (phvfuzz::check_exit), and an MMIO exit is never for an address the
//     guest has RAM at (a store to the read-only slot excepted);
//   - the dirty log covers every page whose bytes changed (compared with a copy taken before the runs).
#include <cstring>
#include <vector>

#include "fuzz_common.h"
#include "guarded_memory.h"
#include "isa/insn.h"

namespace {

using phvfuzz::Budget;
using phvfuzz::fail;

constexpr uint64_t kRamSize = 256u << 10;          // slot 0 at gpa 0, read-write, dirty-logged
constexpr uint64_t kRomGpa = 1u << 20;             // slot 1, read-only; between the two is MMIO
constexpr uint64_t kRomSize = 64u << 10;

phvfuzz::GuardedMemory &ram() {
    static phvfuzz::GuardedMemory m(kRamSize);
    return m;
}
phvfuzz::GuardedMemory &rom() {
    static phvfuzz::GuardedMemory m(kRomSize);
    return m;
}
std::vector<uint8_t> &shadow() {
    static std::vector<uint8_t> s(kRamSize);
    return s;
}

uint32_t insn_word(FuzzedDataProvider &in) {
    if (in.ConsumeBool())
        return in.ConsumeIntegral<uint32_t>();
    const auto table = phv::isa::insn_table();
    const phv::isa::InsnDef &d = table[in.ConsumeIntegralInRange<size_t>(0, table.size() - 1)];
    return d.match | (in.ConsumeIntegral<uint32_t>() & ~d.mask);
}

void put32(uint8_t *p, uint32_t w, bool le) {
    for (unsigned b = 0; b < 4; ++b)
        p[b] = uint8_t(le ? w >> (8 * b) : w >> (24 - 8 * b));
}

uint64_t gpr_value(FuzzedDataProvider &in) {
    switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0: return in.ConsumeIntegralInRange<uint64_t>(0, kRamSize + 64);
    case 1: return kRomGpa + in.ConsumeIntegralInRange<uint64_t>(0, kRomSize + 64);
    case 2: return in.ConsumeIntegralInRange<uint64_t>(0, 64);
    default: return phvfuzz::edgy_u64(in);
    }
}

bool set_reg(phv_vcpu *v, uint64_t id, uint64_t value) {
    const phv_one_reg r{id, uint64_t(uintptr_t(&value))};
    return phv_set_one_reg(v, &r) == 0;
}

bool within(uint64_t addr, uint64_t len, uint64_t base, uint64_t size) {
    return addr >= base && addr - base <= size && len <= size - (addr - base);
}

void check_mmio(const phv_run *run) {
    if (run->exit_reason != PHV_EXIT_MMIO)
        return;
    const uint64_t a = run->mmio.phys_addr, n = run->mmio.len;
    if (within(a, n, 0, kRamSize))
        fail("MMIO exit for an address inside the RAM slot", a, n);
    if (!run->mmio.is_write && within(a, n, kRomGpa, kRomSize))
        fail("MMIO exit for a load from the read-only slot", a, n);
}

// An SLB entry as slbmte takes it: mostly valid (V set, entry number in place, ESID/VSID/size from the input).
phv_ppc_slb_entry slb_entry(FuzzedDataProvider &in, unsigned i) {
    phv_ppc_slb_entry e{};
    e.slbe = (in.ConsumeIntegral<uint64_t>() & ~0xfffull) | (in.ConsumeIntegralInRange<int>(0, 7) ? 1u << 27 : 0) | i;
    e.slbv = in.ConsumeIntegral<uint64_t>();
    if (in.ConsumeBool())
        e.slbv &= ~(3ull << 62) & ~0x7full;   // 256M segment, 4K pages: the common case
    return e;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FuzzedDataProvider in(data, size);
    const uint32_t model = in.ConsumeIntegralInRange<uint32_t>(8, 10);
    const phv_vm_config cfg{model, 0, 0};
    phv_vm *vm = nullptr;
    if (phv_create_vm(&cfg, &vm) != 0)
        fail("phv_create_vm");

    // Memory: instruction words where the guest starts and at the interrupt vectors, the rest raw input
    // bytes (page-table entries, data).
    const bool le = in.ConsumeBool();
    {
        const auto raw = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 2048));
        uint8_t *p = ram().data();
        if (raw.empty()) {
            std::memset(p, 0, kRamSize);
        } else {
            // The raw bytes over and over through all of RAM, copied from what is already written in runs
            // that double (a multiple of the pattern's length each), not one copy per repeat: a 1-byte
            // pattern was 262,144 calls.
            std::memcpy(p, raw.data(), std::min<uint64_t>(raw.size(), kRamSize));
            for (uint64_t done = std::min<uint64_t>(raw.size(), kRamSize); done < kRamSize; done *= 2)
                std::memcpy(p + done, p, std::min(done, kRamSize - done));
        }
        const unsigned nwords = in.ConsumeIntegralInRange<unsigned>(1, 64);
        for (unsigned i = 0; i < nwords; ++i)
            put32(p + 0x10000 + 4 * i, insn_word(in), le);
        static constexpr uint64_t kVectors[] = {0x100, 0x200, 0x300, 0x380, 0x400, 0x480, 0x500, 0x600, 0x700,
                                                0x800, 0x900, 0x980, 0xa00, 0xc00, 0xd00, 0xe00, 0xf00, 0xf20,
                                                0xf40, 0xf60, 0xf80, 0x3000};
        for (uint64_t v : kVectors)
            for (unsigned i = 0; i < 4; ++i)
                put32(p + v + 4 * i, in.ConsumeBool() ? insn_word(in) : 0x4c000024 /* rfid */, le);
        const auto romb = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 512));
        if (!romb.empty())
            std::memcpy(rom().data(), romb.data(), romb.size());
        std::memset(rom().data() + romb.size(), 0, kRomSize - romb.size());
    }
    const bool log_dirty = in.ConsumeBool();
    const phv_userspace_memory_region s0{0, log_dirty ? PHV_MEM_LOG_DIRTY_PAGES : 0u, 0, kRamSize,
                                         uint64_t(uintptr_t(ram().data()))};
    const phv_userspace_memory_region s1{1, PHV_MEM_READONLY, kRomGpa, kRomSize, uint64_t(uintptr_t(rom().data()))};
    if (phv_set_user_memory_region(vm, &s0) != 0 || phv_set_user_memory_region(vm, &s1) != 0)
        fail("phv_set_user_memory_region");

    phv_vcpu *v = nullptr;
    if (phv_create_vcpu(vm, 0, &v) != 0)
        fail("phv_create_vcpu");
    Budget budget;
    budget.attach(v);

    // Translation: a fuzzed HPT and SLB, or a radix process table somewhere in RAM (or beyond it).
    const bool hash = model == 8 || in.ConsumeBool();
    if (hash) {
        if (phv_vm_allocate_htab(vm, 18) != 0)
            fail("phv_vm_allocate_htab");
        uint64_t hptes[2 * 16];
        const unsigned groups = in.ConsumeIntegralInRange<unsigned>(0, 8);
        for (unsigned g = 0; g < groups; ++g) {
            for (uint64_t &x : hptes)
                x = in.ConsumeIntegral<uint64_t>();
            for (unsigned i = 0; i < 16; i += 2)
                if (in.ConsumeBool())
                    hptes[i] |= 1;   // V
            phv_vm_write_htab(vm, in.ConsumeIntegralInRange<uint64_t>(0, (1u << 18) / 16 - 16), 16, hptes);
        }
        phv_ppc_slb_entry slb[PHV_PPC_SLB_SIZE]{};
        for (unsigned i = 0; i < PHV_PPC_SLB_SIZE; ++i)
            slb[i] = in.ConsumeIntegralInRange<int>(0, 3) ? phv_ppc_slb_entry{i, 0} : slb_entry(in, i);
        phv_vcpu_set_slb(v, slb);   // an invalid entry set is refused as a whole: then translation faults
    } else {
        const uint64_t prtb = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, kRamSize >> 12) << 12
                                               : in.ConsumeIntegral<uint64_t>() & 0x0ffffffffffff000ull;
        const phv_ppc_mmuv3_cfg mmu{PHV_PPC_MMUV3_RADIX | PHV_PPC_MMUV3_GTSE,
                                    (1ull << 63) | prtb | in.ConsumeIntegralInRange<uint64_t>(0, 24)};
        phv_vm_configure_v3_mmu(vm, &mmu);
    }

    // Registers: the mode bits of MSR and LPCR, GPRs and a few SPRs.
    static constexpr uint64_t kModeBits = (1ull << 63) | (1ull << 25) | (1ull << 23) | (1ull << 15) | (1ull << 14) |
                                          (1ull << 13) | (1ull << 12) | (1ull << 11) | (1ull << 8) | (1ull << 5) |
                                          (1ull << 4) | (1ull << 1) | 1ull;
    uint64_t msr = in.ConsumeIntegral<uint64_t>();
    msr = in.ConsumeIntegralInRange<int>(0, 7) ? (msr & kModeBits) : msr;
    msr = le ? msr | 1 : msr & ~1ull;
    set_reg(v, PHV_REG_PPC_MSR, msr);
    if (in.ConsumeBool())
        set_reg(v, PHV_REG_PPC_LPCR_64, in.ConsumeIntegral<uint64_t>());
    else
        set_reg(v, PHV_REG_PPC_LPCR_64, (in.ConsumeIntegralInRange<uint64_t>(0, 3) << 23) | (le ? 1ull << 25 : 0));
    set_reg(v, PHV_REG_PPC_NIP, in.ConsumeIntegralInRange<int>(0, 7) ? 0x10000 : phvfuzz::edgy_u64(in));
    for (unsigned r = 0; r < 32; ++r)
        set_reg(v, PHV_REG_PPC_GPR(r), gpr_value(in));
    static constexpr uint64_t kSprs[] = {PHV_REG_PPC_CR, PHV_REG_PPC_XER, PHV_REG_PPC_CTR, PHV_REG_PPC_LR,
                                         PHV_REG_PPC_SRR0, PHV_REG_PPC_SRR1, PHV_REG_PPC_DEC, PHV_REG_PPC_FPSCR,
                                         PHV_REG_PPC_PID, PHV_REG_PPC_AMR, PHV_REG_PPC_IAMR, PHV_REG_PPC_FSCR,
                                         PHV_REG_PPC_DEXCR, PHV_REG_PPC_DAR, PHV_REG_PPC_PSSCR};
    const unsigned nspr = in.ConsumeIntegralInRange<unsigned>(0, 6);
    for (unsigned i = 0; i < nspr; ++i) {
        const uint64_t id = kSprs[in.ConsumeIntegralInRange<size_t>(0, std::size(kSprs) - 1)];
        uint64_t val = in.ConsumeIntegral<uint64_t>();
        uint8_t buf[8];
        std::memcpy(buf, &val, 8);
        const phv_one_reg r{id, uint64_t(uintptr_t(buf))};
        phv_set_one_reg(v, &r);
    }
    if (in.ConsumeIntegralInRange<int>(0, 7) == 0)
        phv_interrupt(v, PHV_INTERRUPT_SET);

    if (log_dirty) {
        std::memcpy(shadow().data(), ram().data(), kRamSize);   // only the dirty-log check needs it
        uint64_t bits[kRamSize / 4096 / 64 + 1];
        phv_get_dirty_log(vm, 0, bits);   // start from a clean log
    }
    phv_run *run = phv_vcpu_run_struct(v);
    const unsigned runs = in.ConsumeIntegralInRange<unsigned>(2, 8);
    for (unsigned i = 0; i < runs; ++i) {
        budget.left = in.ConsumeIntegralInRange<uint64_t>(500, 5000);
        const uint64_t before = budget.executed;
        phvfuzz::check_exit(phv_vcpu_run(v), run);
        phvfuzz::guest_insns() += budget.executed - before;
        check_mmio(run);
        if (std::getenv("PHV_FUZZ_VERBOSE"))
            std::fprintf(stderr, "run %u: exit %u nip 0x%llx after %llu insns%s%s\n", i, run->exit_reason,
                         (unsigned long long)run->nip, (unsigned long long)(budget.executed - before),
                         run->exit_reason == PHV_EXIT_INTERNAL_ERROR ? ": " : "",
                         run->exit_reason == PHV_EXIT_INTERNAL_ERROR ? run->internal.reason : "");
        if (run->exit_reason == PHV_EXIT_SHUTDOWN || run->exit_reason == PHV_EXIT_INTERNAL_ERROR)
            break;
        phvfuzz::answer_exit(in, run);
    }
    if (log_dirty) {
        uint64_t bits[kRamSize / 4096 / 64 + 1] = {};
        if (phv_get_dirty_log(vm, 0, bits) != 0)
            fail("phv_get_dirty_log");
        for (uint64_t page = 0; page < kRamSize / 4096; ++page)
            if (std::memcmp(shadow().data() + page * 4096, ram().data() + page * 4096, 4096) != 0 &&
                !(bits[page / 64] >> (page % 64) & 1))
                fail("a page the guest changed is not in the dirty log", page * 4096);
    }
    phv_destroy_vm(vm);
    return 0;
}
