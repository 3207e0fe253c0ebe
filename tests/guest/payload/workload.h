/*
 * The shared CPU workload (docs: guests.md section 5).  The same source is
 * built for the payload and natively for x86-64; the results must agree.
 */
#ifndef PAYLOAD_WORKLOAD_H
#define PAYLOAD_WORKLOAD_H

#include <stdint.h>

#define WL_BUF_BYTES	(1u << 20)
#define WL_SORT_KEYS	(WL_BUF_BYTES / 4)	/* the most keys B holds */

uint64_t wl_int(uint64_t iters);
/* Fills buffer A and builds the CRC table; crc and copy need it first. */
void wl_prepare(void);
uint32_t wl_crc(uint64_t reps);
uint64_t wl_copy(uint64_t reps);
uint64_t wl_fib(unsigned n);
/* keys: 1..WL_SORT_KEYS; section 5 uses all of B. */
uint64_t wl_sort(uint64_t reps, uint32_t keys);
/* 64 KiB copied back and forth between two buffers 64 KiB apart (the near case of wl_copy). */
uint64_t wl_copy_near(uint64_t reps);
/* Buffer A, for workloads in other files; wl_prepare fills it. */
const void *wl_buffer_a(void);
/* workload_fp.c: binary64 power iteration (fma, sqrt, divide, conversions). */
uint64_t wl_fp(uint64_t reps);
/* workload_vec.c: 4-lane integer hash over buffer A and a single-precision recurrence (VMX). */
uint64_t wl_vec(uint64_t reps);

#endif
