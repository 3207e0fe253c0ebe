// The cost of one L1 TLB hit in host instructions (./phv bench tlb, tlb_hit.sh): a guest loop of 16 loads
// through the hash MMU, all hitting one TLB entry, against the same loop with 16 addi; the difference per
// instruction is what a translated load costs beyond an ALU instruction (TLB tag compare, host pointer,
// byte-swapped load). tlb_hit.sh runs it under `valgrind --tool=callgrind --collect-atstart=no
// --toggle-collect=phv_vcpu_run`, so only the run loop counts; it prints the guest instructions executed.
//
//   tlb_hit {load|addi} ITERATIONS
//
// Uses only the C API (hv_core/include/phv/phv.h): HPT, SLB and registers set as a VMM would.
#include <phv/phv.h>

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr uint64_t kRam = 16ull << 20, kCode = 0x10000, kDataGpa = 0x100000;
constexpr uint64_t kEa = 0xc000000000100000ull, kVsid = 0x123;
constexpr unsigned kOrder = 18;

uint32_t d_form(uint32_t op, uint32_t rt, uint32_t ra, int32_t imm) { return op << 26 | rt << 21 | ra << 16 | (uint32_t(imm) & 0xffff); }
uint32_t ld(uint32_t rt, uint32_t ra, int32_t ds) { return 58u << 26 | rt << 21 | ra << 16 | (uint32_t(ds) & 0xfffc); }
uint32_t addi(uint32_t rt, uint32_t ra, int32_t si) { return d_form(14, rt, ra, si); }
uint32_t bdnz(int32_t disp) { return 16u << 26 | 16u << 21 | (uint32_t(disp) & 0xfffc); }
constexpr uint32_t kSc1 = 17u << 26 | 1u << 5 | 2;

int set(phv_vcpu *v, uint64_t id, uint64_t val) {
    phv_one_reg r{id, reinterpret_cast<uint64_t>(&val)};
    return phv_set_one_reg(v, &r);
}

int fail(const char *what, int rc) {
    std::fprintf(stderr, "tlb_hit: %s: %s\n", what, std::strerror(-rc));
    return 1;
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 3 || (std::string(argv[1]) != "load" && std::string(argv[1]) != "addi")) {
        std::fprintf(stderr, "usage: tlb_hit {load|addi} ITERATIONS\n");
        return 2;
    }
    const bool loads = std::string(argv[1]) == "load";
    const uint64_t iterations = std::strtoull(argv[2], nullptr, 0);

    phv_vm *vm = nullptr;
    phv_vcpu *vcpu = nullptr;
    phv_vm_config cfg{};
    cfg.cpu_model = PHV_CPU_POWER10;
    if (int rc = phv_create_vm(&cfg, &vm))
        return fail("create vm", rc);
    auto *ram = static_cast<uint8_t *>(mmap(nullptr, kRam, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    const phv_userspace_memory_region region{0, 0, 0, kRam, reinterpret_cast<uint64_t>(ram)};
    if (int rc = phv_set_user_memory_region(vm, &region))
        return fail("memory", rc);
    if (int rc = phv_create_vcpu(vm, 0, &vcpu))
        return fail("vcpu", rc);
    if (int rc = phv_vm_allocate_htab(vm, kOrder))
        return fail("htab", rc);

    // One 256M segment with 4K pages (SLB entry 0) and one HPTE for the data page, R and C already set.
    std::vector<phv_ppc_slb_entry> slb(PHV_PPC_SLB_SIZE);
    for (unsigned i = 0; i < PHV_PPC_SLB_SIZE; ++i)
        slb[i] = {i, 0};
    slb[0] = {(kEa & 0xfffffffff0000000ull) | 0x08000000, kVsid << 12};
    if (int rc = phv_vcpu_set_slb(vcpu, slb.data()))
        return fail("slb", rc);
    const uint64_t group = (kVsid ^ ((kEa & 0xfffffff) >> 12)) & ((1ull << (kOrder - 7)) - 1);
    const uint64_t hpte[2] = {kVsid << 12 | (((kEa & 0xfffffff) >> 16) & 0x3fffffffffffff80ull) | 1,
                              kDataGpa | 0x100 | 0x80 | 0x10 | 2};
    if (int rc = phv_vm_write_htab(vm, group * 8, 1, hpte))
        return fail("hpte", rc);

    // loop: 16 x (ld r6,0(r25) | addi r6,r6,1); bdnz loop; sc 1 (ends the run as an hcall exit).
    std::vector<uint32_t> code;
    for (int i = 0; i < 16; ++i)
        code.push_back(loads ? ld(6, 25, 8 * i) : addi(6, 6, 1));
    code.push_back(bdnz(-16 * 4));
    code.push_back(kSc1);
    std::memcpy(ram + kCode, code.data(), code.size() * 4);   // little-endian words, MSR[LE]=1

    constexpr uint64_t kMsrSF = 1ull << 63, kMsrME = 1ull << 12, kMsrDR = 1ull << 4, kMsrLE = 1;
    set(vcpu, PHV_REG_PPC_MSR, kMsrSF | kMsrME | kMsrDR | kMsrLE);   // data relocation on, fetch real
    set(vcpu, PHV_REG_PPC_NIP, kCode);
    set(vcpu, PHV_REG_PPC_CTR, iterations);
    set(vcpu, PHV_REG_PPC_GPR(25), kEa);
    set(vcpu, PHV_REG_PPC_GPR(3), 0);
    phv_run *run = phv_vcpu_run_struct(vcpu);
    // One run: its fixed costs (building the block, the first TLB miss) cancel in the difference of two
    // runs with different ITERATIONS, which is how tlb_hit.sh reads the counts.
    if (int rc = phv_vcpu_run(vcpu))
        return fail("run", rc);
    if (run->exit_reason != PHV_EXIT_PAPR_HCALL) {
        std::fprintf(stderr, "tlb_hit: unexpected exit %u\n", run->exit_reason);
        return 1;
    }
    std::printf("guest-instructions=%llu\n", (unsigned long long)(iterations * 17 + 1));
    phv_destroy_vm(vm);
    munmap(ram, kRam);
    return 0;
}
