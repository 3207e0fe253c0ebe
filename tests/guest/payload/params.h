/*
 * Payload parameters: `key=value` words from /chosen/bootargs (or from the
 * command line of wl-native).  Unknown keys, words without '=' and bad
 * numbers are ignored, keeping the default.
 *
 * The defaults are a functional test, not the guests.md benchmark: small
 * enough that an interpreter runs everything in seconds.  Timing is off by
 * default so that the console is the same on every run and every VMM.
 * The benchmark of guests.md section 4.8 (its result constants) is
 *   int=200000000 crc=64 copy=512 fib=36 sort=2 sortkeys=0 hcalls=1000000 timing=1
 */
#ifndef PAYLOAD_PARAMS_H
#define PAYLOAD_PARAMS_H

#include <stdint.h>

enum exit_mode { EXIT_POWEROFF, EXIT_OSTERM, EXIT_LOOP };

struct params {
	uint64_t int_iters;	/* int= */
	uint64_t crc;		/* crc= */
	uint64_t copy;		/* copy= */
	uint64_t fib;		/* fib= */
	uint64_t sort;		/* sort= */
	uint64_t sort_keys;	/* sortkeys=: 0 or more than B holds = all of B */
	uint64_t hcalls;	/* hcalls= */
	uint64_t copy_near;	/* copynear= */
	uint64_t fp;		/* fp= */
	uint64_t vec;		/* vec= */
	uint64_t tb;		/* tb=: timebase Hz; 0 = from the device tree */
	uint64_t selftest;	/* selftest= */
	uint64_t quiesce;	/* quiesce= */
	uint64_t timing;	/* timing=: 1 adds run-dependent seconds=/tb= fields */
	enum exit_mode exit;	/* exit=poweroff|osterm|loop */
};

void params_parse(struct params *p, const char *args);

#endif
