// Architected state of one hardware thread, as the Power ISA 3.1 defines it.
#pragma once
#include <array>
#include <cstdint>

namespace phv {

// MSR bits (Book III 4.2.1); IBM bit n of a doubleword is 1 << (63 - n).
namespace msr {
constexpr uint64_t SF = 1ull << 63;
constexpr uint64_t HV = 1ull << 60;
constexpr uint64_t S = 1ull << 22;
constexpr uint64_t VEC = 1ull << 25;
constexpr uint64_t VSX = 1ull << 23;
constexpr uint64_t EE = 1ull << 15;
constexpr uint64_t PR = 1ull << 14;
constexpr uint64_t FP = 1ull << 13;
constexpr uint64_t ME = 1ull << 12;
constexpr uint64_t FE0 = 1ull << 11;
constexpr uint64_t SE = 1ull << 10;
constexpr uint64_t BE = 1ull << 9;
constexpr uint64_t FE1 = 1ull << 8;
constexpr uint64_t IR = 1ull << 5;
constexpr uint64_t DR = 1ull << 4;
constexpr uint64_t PMM = 1ull << 2;
constexpr uint64_t RI = 1ull << 1;
constexpr uint64_t LE = 1ull << 0;
constexpr uint64_t TM = 1ull << 32;   // transactional memory available
constexpr uint64_t TS = 3ull << 33;   // transaction state (TM)
} // namespace msr

// LPCR bits the core acts on (Book III 2.2). The guest cannot write LPCR; the VMM sets these through ONE_REG
// (KVM's kvmppc_set_lpcr mask) or, for ILE and AIL, on the guest's H_SET_MODE.
namespace lpcr {
constexpr uint64_t HAIL = 1ull << (63 - 37);   // POWER10: AIL=3 behaviour for hypervisor interrupts
constexpr uint64_t ILE = 1ull << (63 - 38);
constexpr unsigned kAilShift = 63 - 40;        // AIL: bits 39:40
constexpr uint64_t AIL = 3ull << kAilShift;
constexpr uint64_t LD = 1ull << (63 - 46);     // large decrementer
} // namespace lpcr

// FSCR/HFSCR facility bits, numbered from the least significant bit as the ISA's "IC" values are (Book III
// 6.2.10): facility-unavailable interrupts put that number in FSCR[IC] (bits 0:7).
namespace fscr {
constexpr unsigned FP = 0, VECVSX = 1, DSCR = 2, PM = 3, BHRB = 4, TM = 5, EBB = 7, TAR = 8, MSGP = 10,
                   SCV = 12, PREFIX = 13;
constexpr unsigned kIcShift = 56;
constexpr uint64_t bit(unsigned facility) { return 1ull << facility; }
} // namespace fscr

// VSCR bits (Book I 6.3), numbered in the 32-bit register.
namespace vscr {
constexpr uint32_t NJ = 1u << 16;
constexpr uint32_t SAT = 1u << 0;
} // namespace vscr

// XER bits (Book I 3.2.2).
namespace xer {
constexpr uint64_t SO = 1ull << 31;
constexpr uint64_t OV = 1ull << 30;
constexpr uint64_t CA = 1ull << 29;
constexpr uint64_t OV32 = 1ull << 19;
constexpr uint64_t CA32 = 1ull << 18;
constexpr uint64_t kBits = SO | OV | CA | OV32 | CA32 | 0x7f;   // the rest reads as 0
} // namespace xer

struct CpuState {
    std::array<uint64_t, 32> gpr{};
    uint64_t nip = 0;
    uint64_t msr = 0;
    uint64_t lr = 0;
    uint64_t ctr = 0;
    uint32_t cr = 0;
    // XER kept split so that carry/overflow updates are single stores; xer_rest holds the byte count.
    uint8_t so = 0, ov = 0, ca = 0, ov32 = 0, ca32 = 0;
    uint8_t xer_bc = 0;
    // VSR0-63 (Book I 7.2.1), element [0] = doubleword 0 (the high half), [1] = doubleword 1. The FPRs are
    // doubleword 0 of VSR0-31 and the VRs are VSR32-63, so FP, VMX and VSX share one file as the ISA does.
    std::array<std::array<uint64_t, 2>, 64> vsr{};
    uint64_t fpscr = 0;
    // VSCR (Book I 6.3.1): NJ (bit 15 of the word, 1 << 16) and SAT (bit 31, 1 << 0); the rest reads 0.
    uint32_t vscr = 0;
    uint64_t &fpr(unsigned n) { return vsr[n][0]; }
    // An FP instruction that writes FPR n sets doubleword 1 of VSR n to 0 (ISA 3.1 Book I 7.2.1.1; earlier
    // versions left it undefined). ONE_REG and VSX instructions write the halves themselves.
    void set_fpr(unsigned n, uint64_t v) {
        vsr[n][0] = v;
        vsr[n][1] = 0;
    }
    uint64_t fpr(unsigned n) const { return vsr[n][0]; }
    // Every other SPR, indexed by its SPR number; what each means and who may touch it is in spr_table.cpp.
    std::array<uint64_t, 1024> spr{};

    // Load reservation (larx/stcx., Book II 1.7.3).
    bool reserve_valid = false;
    uint64_t reserve_addr = 0;
    uint64_t reserve_val = 0;
    uint64_t reserve_val_hi = 0;   // lqarx: the second doubleword of the reserved quadword, as guest bytes
    uint64_t reserve_gpa = 0;      // the reservation's real address and its granule's generation
    uint64_t reserve_gen = 0;      // (vm/reservation_table.h)
    uint8_t reserve_len = 0;

    uint64_t get_xer() const {
        return (uint64_t(so) << 31) | (uint64_t(ov) << 30) | (uint64_t(ca) << 29) | (uint64_t(ov32) << 19) |
               (uint64_t(ca32) << 18) | xer_bc;
    }
    void set_xer(uint64_t v) {
        so = (v >> 31) & 1;
        ov = (v >> 30) & 1;
        ca = (v >> 29) & 1;
        ov32 = (v >> 19) & 1;
        ca32 = (v >> 18) & 1;
        xer_bc = v & 0x7f;
    }

    // CR field n (0..7) as its 4 bits LT GT EQ SO.
    uint32_t crf(unsigned n) const { return (cr >> (28 - 4 * n)) & 0xf; }
    void set_crf(unsigned n, uint32_t v) {
        const unsigned shift = 28 - 4 * n;
        cr = (cr & ~(0xfu << shift)) | ((v & 0xf) << shift);
    }
    // CR bit n in IBM numbering (0 = CR0[LT]).
    bool crbit(unsigned n) const { return (cr >> (31 - n)) & 1; }
    void set_crbit(unsigned n, bool v) { cr = (cr & ~(1u << (31 - n))) | (uint32_t(v) << (31 - n)); }
};

} // namespace phv
