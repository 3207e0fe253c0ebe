/*
 * The vector workload, in GCC's generic vector types so that the same source
 * becomes VMX code in the payload (built with -maltivec: vmuluwm, vrlw, vperm,
 * vmaddfp ...) and SSE code natively.  A 4-lane hash streams through buffer A
 * with 16-byte loads; a 4-lane single-precision recurrence runs beside it.
 * Every float stays a normal number, so VMX's non-IEEE mode (VSCR[NJ]) cannot
 * change a result, and each float operation rounds once (contraction off).
 */
#include "workload.h"

typedef uint32_t v4u32 __attribute__((vector_size(16)));
typedef int32_t v4s32 __attribute__((vector_size(16)));
typedef float v4f32 __attribute__((vector_size(16)));

uint64_t wl_vec(uint64_t reps)
{
	const v4u32 *p = (const v4u32 *)wl_buffer_a();
	const unsigned n = WL_BUF_BYTES / 16;
	const v4u32 k = { 0x9E3779B1u, 0x85EBCA77u, 0xC2B2AE3Du, 0x27D4EB2Fu };
	const v4u32 rot = { 13, 17, 5, 29 };
	const v4s32 swap = { 2, 3, 0, 1 };
	v4u32 h = { 1, 2, 3, 4 };
	v4f32 x = { 0.5f, 0.25f, 0.125f, 0.75f };
	const v4f32 c = { 0.875f, 0.75f, 0.625f, 0.5f }, scale = { 0x1p-16f, 0x1p-16f, 0x1p-16f, 0x1p-16f };
	uint64_t sum = 0;

	for (uint64_t r = 0; r < reps; r++) {
		for (unsigned i = 0; i < n; i++) {
			v4u32 d = p[i];

			h = (h ^ d) * k;
			h = (h << rot) | (h >> (32 - rot));
			h += __builtin_shuffle(d, swap);
			/* In [0, 1): the low 16 bits of each lane, scaled exactly. */
			v4f32 f = __builtin_convertvector((v4s32)(d & 0xffff), v4f32) * scale;

			x = x * c + f;
		}
	}
	for (unsigned i = 0; i < 4; i++) {
		union {
			float f;
			uint32_t u;
		} b = { .f = x[i] };

		sum = sum * 1000003 + h[i];
		sum = sum * 1000003 + b.u;
	}
	return sum;
}
