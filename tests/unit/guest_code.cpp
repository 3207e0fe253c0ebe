#include "guest_code.h"

#include <cstring>
#include <sys/mman.h>

#include <gtest/gtest.h>

#include "vcpu/cpu_state.h"
#include "vcpu/vcpu.h"

namespace phv::test {

GuestCode::GuestCode(uint32_t cpu_model) {
    phv_vm_config cfg{};
    cfg.cpu_model = cpu_model;
    EXPECT_EQ(phv_create_vm(&cfg, &vm), 0);
    // PROT_NONE guards on both sides of the RAM: a core access that leaves the slot's host memory crashes
    // the test instead of reading whatever mapping happens to be next to it.
    auto *base = static_cast<uint8_t *>(
        mmap(nullptr, kRamSize + 2 * kGuard, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT_NE(base, MAP_FAILED);
    ram = base + kGuard;
    EXPECT_EQ(mprotect(ram, kRamSize, PROT_READ | PROT_WRITE), 0);
    phv_userspace_memory_region r{0, 0, 0, kRamSize, reinterpret_cast<uint64_t>(ram)};
    EXPECT_EQ(phv_set_user_memory_region(vm, &r), 0);
    EXPECT_EQ(phv_create_vcpu(vm, 0, &vcpu), 0);
    run_data = phv_vcpu_run_struct(vcpu);
    set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE);
}

GuestCode::~GuestCode() {
    phv_destroy_vm(vm);
    munmap(ram - kGuard, kRamSize + 2 * kGuard);
}

void GuestCode::load(const std::vector<uint32_t> &words, uint64_t gpa) {
    std::memcpy(ram + gpa, words.data(), words.size() * 4);
    set_reg(PHV_REG_PPC_NIP, gpa);
}

void GuestCode::load(std::initializer_list<uint32_t> words, uint64_t gpa) { load(std::vector<uint32_t>(words), gpa); }

uint32_t GuestCode::run() {
    EXPECT_EQ(phv_vcpu_run(vcpu), 0);
    return run_data->exit_reason;
}

void GuestCode::run_to_done() {
    ASSERT_EQ(run(), uint32_t(PHV_EXIT_PAPR_HCALL)) << "reason " << run_data->internal.reason;
    ASSERT_EQ(run_data->papr_hcall.nr, kDone);
}

uint64_t GuestCode::reg(uint64_t id) {
    uint64_t v = 0;
    uint32_t w = 0;
    phv_one_reg r{id, PHV_REG_SIZE(id) == 4 ? reinterpret_cast<uint64_t>(&w) : reinterpret_cast<uint64_t>(&v)};
    EXPECT_EQ(phv_get_one_reg(vcpu, &r), 0) << std::hex << id;
    return PHV_REG_SIZE(id) == 4 ? w : v;
}

void GuestCode::set_reg(uint64_t id, uint64_t v) {
    uint32_t w = uint32_t(v);
    phv_one_reg r{id, PHV_REG_SIZE(id) == 4 ? reinterpret_cast<uint64_t>(&w) : reinterpret_cast<uint64_t>(&v)};
    EXPECT_EQ(phv_set_one_reg(vcpu, &r), 0) << std::hex << id;
}

void GuestCode::vector_stub(uint64_t vector) {
    const uint32_t words[] = {enc::addi(30, 0, int32_t(vector >> 4)), enc::addi(3, 0, int32_t(kDone)), enc::sc(1)};
    std::memcpy(ram + vector, words, sizeof words);
}

uint64_t GuestCode::run_until_vector(std::initializer_list<uint32_t> body) {
    set_gpr(30, 0);
    // The previous run ended in an hcall, which completes on re-entry by writing r3..r12: hand back the
    // values the test has put there since.
    run_data->papr_hcall.ret = gpr(3);
    for (unsigned i = 0; i < 9; ++i)
        run_data->papr_hcall.args[i] = gpr(4 + i);
    load(with_done(body));
    // The code page was rewritten behind the vcpu's back: drop what it predecoded there.
    reinterpret_cast<Vcpu *>(vcpu)->request_code_invalidate(kCodeBase);
    run_to_done();
    return gpr(30) << 4;
}

std::vector<uint32_t> with_done(std::initializer_list<uint32_t> body) {
    std::vector<uint32_t> v(body);
    v.push_back(enc::addi(3, 0, int32_t(GuestCode::kDone)));
    v.push_back(enc::sc(1));
    return v;
}

} // namespace phv::test
