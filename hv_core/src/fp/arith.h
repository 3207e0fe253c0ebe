// The arithmetic of Book I 4.6.5-4.6.6 on double-format operands, exact: add, multiply, divide, square root
// and fused multiply-add, each rounded once to the result format, with the invalid-operation and zero-divide
// causes and the NaN rules of Book I 4.3.2 / 4.4.1.
#pragma once
#include "fp/round.h"

namespace phv::fp {

Outcome add(uint64_t a, uint64_t b, const Format &f, const Env &env);          // fadd[s]
Outcome sub(uint64_t a, uint64_t b, const Format &f, const Env &env);          // fsub[s]
Outcome mul(uint64_t a, uint64_t c, const Format &f, const Env &env);          // fmul[s]
Outcome div(uint64_t a, uint64_t b, const Format &f, const Env &env);          // fdiv[s]
Outcome sqrt(uint64_t b, const Format &f, const Env &env);                     // fsqrt[s]
// a*c + b, or a*c - b when `sub`; `negate` gives the fnm* forms (the rounded result negated, NaNs kept).
Outcome fma(uint64_t a, uint64_t c, uint64_t b, bool sub, bool negate, const Format &f, const Env &env);

// The same operations on the exact path only: what the ones above give when the host fast path
// (host_fast.h) declines, and what it must agree with when it does not (test_fp_host_fast.cpp).
namespace exact {
Outcome add(uint64_t a, uint64_t b, const Format &f, const Env &env);
Outcome sub(uint64_t a, uint64_t b, const Format &f, const Env &env);
Outcome mul(uint64_t a, uint64_t c, const Format &f, const Env &env);
Outcome div(uint64_t a, uint64_t b, const Format &f, const Env &env);
Outcome sqrt(uint64_t b, const Format &f, const Env &env);
Outcome fma(uint64_t a, uint64_t c, uint64_t b, bool sub, bool negate, const Format &f, const Env &env);
} // namespace exact

// The NaN an operation returns (Book I 4.3.2): the first NaN among the operands in the order given,
// quieted, and for a single-precision result narrowed to single (fraction bits 29 and below cleared).
uint64_t nan_result(uint64_t nan, const Format &f);

} // namespace phv::fp
