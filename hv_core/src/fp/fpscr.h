// FPSCR fields (Power ISA 3.1 Book I 4.2.2), as masks of the 64-bit register: IBM bit n is 1 << (63 - n).
#pragma once
#include <cstdint>

namespace phv::fp {

constexpr uint64_t ibm(unsigned n) { return 1ull << (63 - n); }

namespace fpscr {
constexpr uint64_t DRN = 7ull << (63 - 31);   // decimal rounding mode, bits 29:31
constexpr uint64_t FX = ibm(32), FEX = ibm(33), VX = ibm(34), OX = ibm(35), UX = ibm(36), ZX = ibm(37),
                   XX = ibm(38), VXSNAN = ibm(39), VXISI = ibm(40), VXIDI = ibm(41), VXZDZ = ibm(42),
                   VXIMZ = ibm(43), VXVC = ibm(44), FR = ibm(45), FI = ibm(46), C = ibm(47), VXSOFT = ibm(53),
                   VXSQRT = ibm(54), VXCVI = ibm(55), VE = ibm(56), OE = ibm(57), UE = ibm(58), ZE = ibm(59),
                   XE = ibm(60), NI = ibm(61);
constexpr unsigned kFpccShift = 63 - 51;                  // FPCC = bits 48:51 (FL FG FE FU)
constexpr uint64_t FPCC = 0xfull << kFpccShift;
constexpr unsigned kFprfShift = kFpccShift;               // FPRF = bits 47:51 (C || FPCC)
constexpr uint64_t FPRF = 0x1full << kFprfShift;
constexpr uint64_t RN = 3;                                // bits 62:63
constexpr uint64_t kVxAll = VXSNAN | VXISI | VXIDI | VXZDZ | VXIMZ | VXVC | VXSOFT | VXSQRT | VXCVI;
// The sticky exception bits whose 0 -> 1 transition sets FX.
constexpr uint64_t kExceptions = OX | UX | ZX | XX | kVxAll;
// The bits ISA 3.1 defines: DRN and 32:63 except the reserved bit 52.
constexpr uint64_t kDefined = DRN | (0xffffffffull & ~ibm(52));

// FEX and VX are summaries (Book I 4.2.2): never written directly, always recomputed from the sticky bits.
constexpr uint64_t summarize(uint64_t f) {
    f &= ~(FEX | VX);
    if (f & kVxAll)
        f |= VX;
    const bool fex = ((f & VX) && (f & VE)) || ((f & OX) && (f & OE)) || ((f & UX) && (f & UE)) ||
                     ((f & ZX) && (f & ZE)) || ((f & XX) && (f & XE));
    return fex ? f | FEX : f;
}
} // namespace fpscr

// FPRF codes (Book I 4.2.2, figure "Floating-Point Result Flags"): C || FL FG FE FU.
namespace fprf {
constexpr uint32_t kQNaN = 0x11, kNegInf = 0x09, kNegNormal = 0x08, kNegDenormal = 0x18, kNegZero = 0x12,
                   kPosZero = 0x02, kPosDenormal = 0x14, kPosNormal = 0x04, kPosInf = 0x05;
} // namespace fprf

// FPSCR[RN] (Book I 4.3.6), and round-to-odd, which the quad-precision "o" forms name in the instruction
// (Book I 7.3.2.6: truncate, then set the least significant bit when the result is inexact).
enum class Round : uint8_t { Nearest = 0, Zero = 1, Up = 2, Down = 3, Odd = 4 };

} // namespace phv::fp
