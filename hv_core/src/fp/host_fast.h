// Binary64 arithmetic on the host's FPU when that gives exactly what the exact path (round.cpp) would:
// operands normal or zero, a normal result comfortably inside the exponent range, and the FPSCR outcome
// (XX, FI, FR) read off the host's own status — FI from the SSE inexact flag, FR by computing the result
// a second time rounded toward zero (the result was rounded away from zero, its fraction incremented,
// exactly when the two differ). Everything else — NaNs, infinities, denormals, results near underflow
// or overflow, zero results, round-to-odd — returns false and takes the exact path.
#pragma once
#include <cstdint>

#include "fp/round.h"

namespace phv::fp::host {

bool add(uint64_t a, uint64_t b, bool negate_b, const Env &env, Outcome &o);
bool mul(uint64_t a, uint64_t c, const Env &env, Outcome &o);
bool div(uint64_t a, uint64_t b, const Env &env, Outcome &o);
bool sqrt(uint64_t b, const Env &env, Outcome &o);
// a*c + b rounded once (b already negated for the subtracting forms); needs the host's FMA instruction.
bool fma(uint64_t a, uint64_t c, uint64_t b, const Env &env, Outcome &o);

// The round-to-nearest case without touching MXCSR, which costs more than the operation (each write a
// microcoded, partly serialising instruction): the host already rounds to nearest (checked, with FTZ and
// DAZ off), and whether the result is inexact and whether it was rounded away from zero (FR) come from the
// exact error of the operation computed with error-free transformations (TwoSum; the FMA residuals
// a*c - p, a - q*b, a - s*s), whose sign and zero-ness are exact where the operands' and result's exponents
// keep the error representable — the routines decline outside that. The exception bits are then XX alone,
// when inexact. fma has no cheap exact residual and stays with the MXCSR routine above.
struct Quick {
    uint64_t bits = 0;
    bool inexact = false, fr = false;
};
bool nearest_add(uint64_t a, uint64_t b, bool negate_b, Quick &q);
bool nearest_mul(uint64_t a, uint64_t c, Quick &q);
bool nearest_div(uint64_t a, uint64_t b, Quick &q);
bool nearest_sqrt(uint64_t b, Quick &q);

} // namespace phv::fp::host
