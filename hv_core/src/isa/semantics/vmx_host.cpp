#include "isa/semantics/vmx_host.h"

#include <immintrin.h>

namespace phv::isa::sem::vhost {

namespace {

// The u128 holds ISA element 0 in its most significant bits; an SSE register loaded from its two halves
// holds ISA word 3 in lane 0. Element-wise operations do not care; perm() does.
__m128i to_xmm(u128 v) { return _mm_set_epi64x(int64_t(uint64_t(v >> 64)), int64_t(uint64_t(v))); }
u128 from_xmm(__m128i x) {
    alignas(16) uint64_t h[2];
    _mm_store_si128(reinterpret_cast<__m128i *>(h), x);
    return u128(h[1]) << 64 | h[0];
}

const bool kHostFma = __builtin_cpu_supports("fma");
const bool kHostSsse3 = __builtin_cpu_supports("ssse3");

bool host_rounds_to_nearest() { return (_mm_getcsr() & ~0x3fu) == 0x1f80u; }

// Lanes whose exponent field is 0xff (NaN, infinity) or 0 with a fraction (denormal): any at all.
bool any_special(__m128i x) {
    const __m128i exp = _mm_and_si128(x, _mm_set1_epi32(0x7f800000));
    const __m128i inf_nan = _mm_cmpeq_epi32(exp, _mm_set1_epi32(0x7f800000));
    const __m128i denormal = _mm_andnot_si128(_mm_cmpeq_epi32(_mm_and_si128(x, _mm_set1_epi32(0x7fffffff)),
                                                             _mm_setzero_si128()),
                                              _mm_cmpeq_epi32(exp, _mm_setzero_si128()));
    return _mm_movemask_epi8(_mm_or_si128(inf_nan, denormal)) != 0;
}

// A result word is safe when it is zero or its exponent field lies in [2, 0xfe].
bool result_ok(__m128i r) {
    const __m128i exp = _mm_srli_epi32(_mm_and_si128(r, _mm_set1_epi32(0x7f800000)), 23);
    const __m128i zero = _mm_cmpeq_epi32(_mm_and_si128(r, _mm_set1_epi32(0x7fffffff)), _mm_setzero_si128());
    // exp - 2 as unsigned <= 0xfc  <=>  signed compare after biasing by 0x80000000.
    const __m128i biased = _mm_xor_si128(_mm_sub_epi32(exp, _mm_set1_epi32(2)), _mm_set1_epi32(int(0x80000000u)));
    const __m128i in_range = _mm_cmplt_epi32(biased, _mm_set1_epi32(int(0x80000000u + 0xfd)));
    return _mm_movemask_epi8(_mm_or_si128(in_range, zero)) == 0xffff;
}

__attribute__((target("fma"))) __m128 fused(__m128 a, __m128 b, __m128 c, bool negsub) {
    if (!negsub)
        return _mm_fmadd_ps(a, c, b);
    // -(a*c - b) as the rounded a*c - b negated, not fnmadd: an exact zero difference is +0, then -0.
    return _mm_xor_ps(_mm_fmsub_ps(a, c, b), _mm_set1_ps(-0.0f));
}

__attribute__((target("ssse3"))) __m128i shuffle(__m128i x, __m128i sel) { return _mm_shuffle_epi8(x, sel); }

} // namespace

bool fp(FpOp op, u128 a, u128 b, u128 c, u128 &r) {
    const bool fused_op = op == FpOp::MAdd || op == FpOp::NMSub;
    if ((fused_op && !kHostFma) || !host_rounds_to_nearest())
        return false;
    const __m128i xa = to_xmm(a), xb = to_xmm(b), xc = fused_op ? to_xmm(c) : _mm_setzero_si128();
    if (any_special(xa) || any_special(xb) || (fused_op && any_special(xc)))
        return false;
    const __m128 fa = _mm_castsi128_ps(xa), fb = _mm_castsi128_ps(xb), fc = _mm_castsi128_ps(xc);
    __m128 fr;
    switch (op) {
    case FpOp::Add: fr = _mm_add_ps(fa, fb); break;
    case FpOp::Sub: fr = _mm_sub_ps(fa, fb); break;
    default: fr = fused(fa, fb, fc, op == FpOp::NMSub); break;
    }
    const __m128i xr = _mm_castps_si128(fr);
    if (!result_ok(xr))
        return false;
    r = from_xmm(xr);
    return true;
}

bool perm(u128 a, u128 b, u128 c, bool reverse, u128 &r) {
    if (!kHostSsse3)
        return false;
    // ISA byte i sits in SSE lane 15 - i. Result byte i is byte idx = c[i] & 31 of a || b (31 - idx for
    // vpermr): lane 15 - (idx & 15) of a or b, which is lane (~idx) & 15 (idx & 15 for vpermr), from b when
    // idx >= 16 (idx < 16 for vpermr).
    const __m128i xc = to_xmm(c);
    const __m128i low = _mm_set1_epi8(0x0f);
    const __m128i sel = reverse ? _mm_and_si128(xc, low) : _mm_andnot_si128(xc, low);
    const __m128i high = _mm_cmpeq_epi8(_mm_and_si128(xc, _mm_set1_epi8(0x10)), _mm_setzero_si128());
    // high: all-ones where bit 4 of the index is clear (idx < 16).
    const __m128i from_a = reverse ? _mm_andnot_si128(high, _mm_set1_epi8(-1)) : high;
    const __m128i pa = shuffle(to_xmm(a), sel), pb = shuffle(to_xmm(b), sel);
    r = from_xmm(_mm_or_si128(_mm_and_si128(from_a, pa), _mm_andnot_si128(from_a, pb)));
    return true;
}

} // namespace phv::isa::sem::vhost
