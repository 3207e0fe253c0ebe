/*
 * The floating-point workload: power iteration on a fixed 32x32 matrix in
 * binary64, with fused multiply-adds, a square root and divisions each round.
 * Every operation is correctly rounded IEEE (fma spelled out, contraction off
 * in the build), so ppc64le and x86-64 agree bit for bit.
 */
#include "workload.h"

#define FP_N 32

static uint64_t bits(double d)
{
	union {
		double d;
		uint64_t u;
	} v = { .d = d };

	return v.u;
}

uint64_t wl_fp(uint64_t reps)
{
	static double m[FP_N][FP_N], v[FP_N], w[FP_N];
	uint64_t s = 0x6A09E667F3BCC909ull, sum = 0;

	/* Small integers converted to double (fcfid) and scaled: exact on any IEEE machine. */
	for (unsigned i = 0; i < FP_N; i++) {
		for (unsigned j = 0; j < FP_N; j++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			m[i][j] = (double)(int64_t)(s >> 44) / 1048576.0 - (i == j ? 0.25 : 0.0);
		}
		v[i] = 1.0 + (double)i;
	}
	for (uint64_t r = 0; r < reps; r++) {
		double norm2 = 0.0;

		for (unsigned i = 0; i < FP_N; i++) {
			double acc = 0.0;

			for (unsigned j = 0; j < FP_N; j++)
				acc = __builtin_fma(m[i][j], v[j], acc);
			w[i] = acc;
			norm2 = __builtin_fma(acc, acc, norm2);
		}
		double norm = __builtin_sqrt(norm2);

		for (unsigned i = 0; i < FP_N; i++)
			v[i] = w[i] / norm;
		/* The rounded norm as an integer (fctidz) keeps conversions in the mix. */
		sum = sum * 1000003 + bits(norm) + (uint64_t)(int64_t)(norm * 4096.0);
	}
	for (unsigned i = 0; i < FP_N; i++)
		sum = sum * 31 + bits(v[i]);
	return sum;
}
