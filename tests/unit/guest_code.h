// Test support: a VM with RAM, a vcpu, and a way to place hand-encoded instructions and run them.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "phv/phv.h"

namespace phv::test {

// Encoders for the handful of instructions the tests write directly (Power ISA 3.1 encodings).
namespace enc {
constexpr uint32_t D(uint32_t op, uint32_t rt, uint32_t ra, int32_t imm) {
    return op << 26 | rt << 21 | ra << 16 | (uint32_t(imm) & 0xffff);
}
constexpr uint32_t X(uint32_t op, uint32_t rt, uint32_t ra, uint32_t rb, uint32_t xo, uint32_t rc = 0) {
    return op << 26 | rt << 21 | ra << 16 | rb << 11 | xo << 1 | rc;
}
constexpr uint32_t XO(uint32_t rt, uint32_t ra, uint32_t rb, uint32_t xo, uint32_t oe, uint32_t rc) {
    return 31u << 26 | rt << 21 | ra << 16 | rb << 11 | oe << 10 | xo << 1 | rc;
}
constexpr uint32_t addi(uint32_t rt, uint32_t ra, int32_t si) { return D(14, rt, ra, si); }
constexpr uint32_t addis(uint32_t rt, uint32_t ra, int32_t si) { return D(15, rt, ra, si); }
constexpr uint32_t ori(uint32_t ra, uint32_t rs, uint32_t ui) { return D(24, rs, ra, int32_t(ui)); }
constexpr uint32_t sc(uint32_t lev) { return 17u << 26 | lev << 5 | 2; }
constexpr uint32_t stw(uint32_t rs, uint32_t ra, int32_t d) { return D(36, rs, ra, d); }
constexpr uint32_t lwz(uint32_t rt, uint32_t ra, int32_t d) { return D(32, rt, ra, d); }
constexpr uint32_t std_(uint32_t rs, uint32_t ra, int32_t ds) { return 62u << 26 | rs << 21 | ra << 16 | (uint32_t(ds) & 0xfffc); }
constexpr uint32_t ld(uint32_t rt, uint32_t ra, int32_t ds) { return 58u << 26 | rt << 21 | ra << 16 | (uint32_t(ds) & 0xfffc); }
constexpr uint32_t b(int32_t disp) { return 18u << 26 | (uint32_t(disp) & 0x3fffffc); }
constexpr uint32_t mtspr(uint32_t spr, uint32_t rs) {
    return 31u << 26 | rs << 21 | (spr & 0x1f) << 16 | (spr >> 5) << 11 | 467u << 1;
}
constexpr uint32_t mfspr(uint32_t rt, uint32_t spr) {
    return 31u << 26 | rt << 21 | (spr & 0x1f) << 16 | (spr >> 5) << 11 | 339u << 1;
}
constexpr uint32_t mfmsr(uint32_t rt) { return X(31, rt, 0, 0, 83); }
constexpr uint32_t mtmsrd(uint32_t rs, uint32_t l) { return X(31, rs, l, 0, 178); }
constexpr uint32_t rfid() { return X(19, 0, 0, 0, 18); }
constexpr uint32_t wait() { return X(31, 0, 0, 0, 30); }
} // namespace enc

class GuestCode {
public:
    static constexpr uint64_t kRamSize = 16ull << 20;
    static constexpr uint64_t kCodeBase = 0x10000;
    static constexpr uint64_t kGuard = 1ull << 20;   // PROT_NONE bytes before and after `ram`

    explicit GuestCode(uint32_t cpu_model = PHV_CPU_POWER10);
    ~GuestCode();

    // Writes instructions at gpa (guest byte order = little-endian; the vcpu runs with MSR[LE]=1) and sets
    // NIP there.
    void load(std::initializer_list<uint32_t> words, uint64_t gpa = kCodeBase);
    void load(const std::vector<uint32_t> &words, uint64_t gpa = kCodeBase);
    // Runs until the next exit and returns its reason.
    uint32_t run();
    // Runs until `sc 1` with r3 = kDone (the end marker every test program uses).
    static constexpr uint64_t kDone = 0x7fff;
    void run_to_done();

    // Interrupt tests: a handler at `vector` that records it (r30 = vector >> 4) and ends the run, and a
    // runner that returns the vector a body took (0 when the body finished without one).
    void vector_stub(uint64_t vector);
    uint64_t run_until_vector(std::initializer_list<uint32_t> body);

    uint64_t reg(uint64_t id);
    void set_reg(uint64_t id, uint64_t v);
    uint64_t gpr(unsigned n) { return reg(PHV_REG_PPC_GPR(n)); }
    void set_gpr(unsigned n, uint64_t v) { set_reg(PHV_REG_PPC_GPR(n), v); }

    phv_vm *vm = nullptr;
    phv_vcpu *vcpu = nullptr;
    struct phv_run *run_data = nullptr;
    uint8_t *ram = nullptr;
};

// A program ending: li r3,kDone; sc 1.
std::vector<uint32_t> with_done(std::initializer_list<uint32_t> body);

} // namespace phv::test
