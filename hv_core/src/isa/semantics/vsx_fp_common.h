// What the VSX floating-point instructions share (Book I 7.3-7.6): the MSR[VSX] check, the VSR numbers of the
// XX forms (a 5-bit field and an extension bit each), element access, and the two ways a result reaches
// VSR[XT] and FPSCR: scalar forms as the FP instructions do (FR, FI, FPRF; doubleword 1 cleared), vector
// forms only with sticky bits, and not at all when any element raised an enabled exception (Book I 7.4.1).
#pragma once
#include <array>

#include "fp/format.h"
#include "isa/semantics/fp_common.h"

namespace phv::isa::sem {

namespace vsx {

// Every VSX instruction starts "if MSR.VSX=0 then VSX_Unavailable()"; vcpu/interrupts.cpp classifies opcode
// 60 and the quad-precision words of opcode 63 as VSX, and guards an instruction at its own vector.
inline bool off(const Vcpu &c) { return !(c.st_.msr & msr::VSX); }
inline Flow unavailable(Vcpu &c, const Decoded &d) { return c.illegal_instruction(d.word); }

// XX1-XX4 operands (Book I 1.6.25-1.6.28): TX is bit 31, BX bit 30, AX bit 29, CX bit 28.
constexpr unsigned xt(uint32_t w) { return (w & 1) << 5 | bits(w, 6, 10); }
constexpr unsigned xb(uint32_t w) { return ((w >> 1) & 1) << 5 | bits(w, 16, 20); }
constexpr unsigned xa(uint32_t w) { return ((w >> 2) & 1) << 5 | bits(w, 11, 15); }
constexpr unsigned xc(uint32_t w) { return ((w >> 3) & 1) << 5 | bits(w, 21, 25); }
// The quad-precision instructions name VRs: VSR 32+n.
constexpr unsigned vrt(uint32_t w) { return 32 + bits(w, 6, 10); }
constexpr unsigned vra(uint32_t w) { return 32 + bits(w, 11, 15); }
constexpr unsigned vrb(uint32_t w) { return 32 + bits(w, 16, 20); }

using Vsr = std::array<uint64_t, 2>;   // [0] = doubleword 0 (bits 0:63), as CpuState holds it

// Word i (0..3) and halfword i (0..7), numbered from the most significant end as the ISA numbers them.
constexpr uint32_t word(const Vsr &v, unsigned i) { return uint32_t(v[i >> 1] >> (i & 1 ? 0 : 32)); }
constexpr void set_word(Vsr &v, unsigned i, uint32_t x) {
    const unsigned sh = i & 1 ? 0 : 32;
    v[i >> 1] = (v[i >> 1] & ~(0xffffffffull << sh)) | uint64_t(x) << sh;
}
constexpr uint16_t half(const Vsr &v, unsigned i) { return uint16_t(v[i >> 2] >> (48 - 16 * (i & 3))); }
constexpr void set_half(Vsr &v, unsigned i, uint16_t x) {
    const unsigned sh = 48 - 16 * (i & 3);
    v[i >> 2] = (v[i >> 2] & ~(0xffffull << sh)) | uint64_t(x) << sh;
}

// A scalar result: FPSCR as fp_commit does it; VSR[XT] gets the result in doubleword 0 and 0 in doubleword 1
// unless an enabled invalid-operation or zero-divide exception suppresses the write.
inline Flow scalar_commit(Vcpu &c, unsigned t, const fp::Outcome &o, Fprf fprf, bool sets_frfi = true) {
    if (fp_update(c, o, fprf, sets_frfi))
        c.st_.vsr[t] = {o.bits, 0};
    return fp_finish<false>(c, enabled(c.st_.fpscr, o.exc));
}

// A scalar result whose whole VSR[XT] the instruction composes (word and halfword results).
inline Flow scalar_commit_vsr(Vcpu &c, unsigned t, const fp::Outcome &o, const Vsr &r, Fprf fprf,
                              bool sets_frfi = true) {
    if (fp_update(c, o, fprf, sets_frfi))
        c.st_.vsr[t] = r;
    return fp_finish<false>(c, enabled(c.st_.fpscr, o.exc));
}

// A vector result: the sticky bits of every element (FX for each 0 -> 1); FR, FI and FPRF are not altered;
// VSR[XT] is written only when no element caused an enabled exception, whatever kind (the "ex_flag" of the
// vector instructions' RTL). Enabling is per kind, so "some element's exception is enabled" is the OR of the
// elements' exceptions under the enables.
inline Flow vector_commit(Vcpu &c, unsigned t, uint64_t exc, const Vsr &r) {
    c.st_.fpscr = fp::fpscr::summarize(raise(c.st_.fpscr, exc));
    const bool ex = enabled(c.st_.fpscr, exc);
    if (!ex)
        c.st_.vsr[t] = r;
    return fp_finish<false>(c, ex);
}

} // namespace vsx

} // namespace phv::isa::sem
