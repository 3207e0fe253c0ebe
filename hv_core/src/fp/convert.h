// Rounding and conversion instructions (Book I 4.6.7): frsp, fcti*, fcfid*, fri*, and the estimates.
#pragma once
#include "fp/round.h"

namespace phv::fp {

Outcome round_to_single(uint64_t b, const Env &env);   // frsp

// fctid/fctidu/fctiw/fctiwu (and the z forms with rn = Zero): the integer in the low bits of the result.
enum class IntKind { S64, U64, S32, U32 };
Outcome to_integer(uint64_t b, IntKind kind, Round rn);

// fcfid/fcfidu (and the single forms with f = kSingle).
Outcome from_integer(uint64_t v, bool is_signed, const Format &f, const Env &env);

// frin/friz/frip/frim: the integral value in double format. frin rounds ties away from zero.
enum class IntRound { NearestAway, Zero, Up, Down };
Outcome round_to_integral(uint64_t b, IntRound mode);
// xsrdpic/xvrdpic/xvrspic: the integral value in the current rounding mode (ties to even), as an arithmetic
// result: inexact sets XX, FI, and FR when the magnitude was incremented.
Outcome round_to_integral_current(uint64_t b, Round rn);

// fre[s] / frsqrte[s]: estimates. phv returns the correctly rounded 1/x, and for 1/sqrt(x) the rounded
// reciprocal of the rounded square root (well within the ISA's
// 1/256 and 1/32 bounds), as QEMU does.
Outcome reciprocal_estimate(uint64_t b, const Format &f, const Env &env);
Outcome rsqrt_estimate(uint64_t b, const Format &f, const Env &env);

} // namespace phv::fp
