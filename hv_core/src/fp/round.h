// Rounding an exact intermediate result into a binary64 or binary32 result (Book I 4.3.6 and 4.4.4-4.4.6),
// with every status outcome the FPSCR records: FR, FI, OX, UX, XX, and the scaled results that enabled
// overflow and underflow exceptions deliver.
#pragma once
#include <cstdint>

#include "fp/format.h"

namespace phv::fp {

struct Format {
    int precision;    // significand bits, hidden bit included
    int emin, emax;   // unbiased exponent range of normal numbers
    int scale;        // exponent adjustment of an enabled overflow/underflow (Book I 4.4.5, 4.4.6)
};
constexpr Format kDouble{53, -1022, 1023, 1536};
constexpr Format kSingle{24, -126, 127, 192};
constexpr Format kHalf{11, -14, 15, 24};       // xscvdphp, xvcvsphp (Book I 7.3.1)
constexpr Format kBfloat16{8, -126, 127, 192}; // xvcvspbf16

// What an operation needs from FPSCR: the rounding mode and whether overflow/underflow are enabled (their
// results differ); the other enables only decide whether the target is written, which the caller does.
struct Env {
    Round rn = Round::Nearest;
    bool oe = false, ue = false;
};

// The outcome of one operation: the result in double format (single-precision results too, as the FPR holds
// them), the FPSCR exception bits it raises (VX causes, OX, UX, ZX, XX) and FR/FI.
struct Outcome {
    uint64_t bits = 0;
    uint64_t exc = 0;
    bool fr = false, fi = false;
};

// Rounds the exact nonzero value (-1)^e.sign * e.sig * 2^e.exp to `f`, as Book I 4.3.6 and 4.4 define.
Outcome round_to(const Exact &e, const Format &f, const Env &env);

// Rounding pieces shared with the integer conversions: how discarded bits compare with half a unit, the
// bits kept above 2^shift (shift > 0), and whether a rounding mode increments.
enum class Rest { Zero, Below, Half, Above };
void split(u128 sig, int shift, u128 &kept, Rest &rest);
bool round_up(Round rn, bool sign, bool odd, Rest rest);
// The double-format bits of (-1)^sign * kept * 2^lsb, a value representable in double format.
uint64_t to_double_bits(bool sign, u128 kept, int lsb);

// An exact zero result: +0, or -0 when rounding toward -infinity (IEEE 754 6.3, Book I 4.3.6).
constexpr uint64_t exact_zero(Round rn) { return rn == Round::Down ? kSign : 0; }

} // namespace phv::fp
