/*
 * Deterministic integer self-tests.  Each returns a 64-bit digest; the
 * expected digests come from running the same source natively (wl-native),
 * so they need no hand-computed constants.
 */
#ifndef PAYLOAD_SELFTEST_H
#define PAYLOAD_SELFTEST_H

#include <stdint.h>

struct selftest {
	const char *name;
	uint64_t (*run)(void);
};

extern const struct selftest selftests[];
extern const unsigned selftest_count;

#endif
