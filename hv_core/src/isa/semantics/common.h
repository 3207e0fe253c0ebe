// Helpers shared by the semantics files: CR0 recording and XER carry/overflow, exactly as Book I 3.3 says.
#pragma once
#include "isa/fields.h"
#include "isa/insn.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"

namespace phv::isa::sem {

// SRR1 bits for interrupts caused by prefixed instructions (ISA 3.1 Book III 7.5): bit 34 = the instruction
// was prefixed, bit 35 = it crossed a 64-byte boundary (with an Alignment interrupt).
constexpr uint64_t kSrr1Prefixed = 1ull << (63 - 34), kSrr1Boundary = 1ull << (63 - 35);

// CR field value for a signed comparison, with XER[SO] copied in (Book I 3.3.10).
inline uint32_t compare_signed(int64_t a, int64_t b, bool so) {
    return (a < b ? 8u : a > b ? 4u : 2u) | (so ? 1u : 0u);
}
inline uint32_t compare_unsigned(uint64_t a, uint64_t b, bool so) {
    return (a < b ? 8u : a > b ? 4u : 2u) | (so ? 1u : 0u);
}

// Rc=1: CR0 from the result, compared as a signed 64-bit number in 64-bit mode and as its low word
// sign-extended in 32-bit mode (Book I 3.3.8, "Record form").
template <bool Rc>
inline void record(Vcpu &c, uint64_t v) {
    if constexpr (Rc) {
        const int64_t s = c.mode64() ? int64_t(v) : int64_t(int32_t(uint32_t(v)));
        c.st_.set_crf(0, compare_signed(s, 0, c.st_.so));
    }
}

struct Sum {
    uint64_t v;
    bool ca, ca32, ov, ov32;
};

// a + b + carry_in with every XER outcome the ISA defines.
inline Sum add3(uint64_t a, uint64_t b, uint64_t cin) {
    Sum s;
    const unsigned __int128 wide = (unsigned __int128)a + b + cin;
    s.v = uint64_t(wide);
    s.ca = uint64_t(wide >> 64) != 0;
    s.ca32 = (((a & 0xffffffffull) + (b & 0xffffffffull) + cin) >> 32) != 0;
    const uint64_t ovbits = (a ^ s.v) & (b ^ s.v);
    s.ov = (ovbits >> 63) & 1;
    s.ov32 = (ovbits >> 31) & 1;
    return s;
}

// CA/OV follow the carry or overflow out of bit 0 in 64-bit mode and out of bit 32 in 32-bit mode; CA32 and
// OV32 always follow bit 32 (Book I 3.2.2).
inline void set_ca(Vcpu &c, const Sum &s) {
    c.st_.ca = c.mode64() ? s.ca : s.ca32;
    c.st_.ca32 = s.ca32;
}
inline void set_ov(Vcpu &c, bool ov64, bool ov32) {
    const bool ov = c.mode64() ? ov64 : ov32;
    c.st_.ov = ov;
    c.st_.ov32 = ov32;
    c.st_.so |= ov;
}

// RA|0: the base register, or 0 when the RA field is 0 (Book I 1.6.2).
inline uint64_t ra_or_0(const Vcpu &c, const Decoded &d) { return d.ra ? c.st_.gpr[d.ra] : 0; }

// An Alignment interrupt for the access at ea: DAR = ea, SRR0 = this instruction (Book III 7.5.8). A
// prefixed instruction also sets SRR1[34] (ISA 3.1 Book III 7.5).
inline Flow alignment_interrupt(Vcpu &c, const Decoded &d, uint64_t ea) {
    c.st_.spr[spr::DAR] = ea;
    return c.interrupt(vec::kAlignment, c.st_.nip, d.len == 8 ? kSrr1Prefixed : 0);
}

} // namespace phv::isa::sem
