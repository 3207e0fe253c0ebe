/*
 * Runs the self-tests and the section-5 workloads and prints their result
 * lines.  Shared by the payload and wl-native so both print the same text;
 * each supplies the platform hooks below.
 */
#ifndef PAYLOAD_RUNNER_H
#define PAYLOAD_RUNNER_H

#include <stdint.h>

#include "params.h"

void plat_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t plat_ticks(void);
/* Appends " seconds=… tb=…" to a result line (with timing=1; nothing natively). */
void plat_print_elapsed(uint64_t ticks);
/* Turns the vector unit on for the vec workload (MSR[VEC] in the payload; nothing natively). */
void plat_enable_vector(void);

/* `expected` may be null (wl-native is the reference); returns the failures. */
unsigned run_selftests(const uint64_t *expected, unsigned n_expected);
void run_workloads(const struct params *p);

#endif
