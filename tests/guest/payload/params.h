/*
 * Payload parameters: `key=value` words from /chosen/bootargs (or from the
 * command line of wl-native).  Unknown keys, words without '=' and bad
 * numbers are ignored, keeping the default.
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
	uint64_t hcalls;	/* hcalls= */
	uint64_t tb;		/* tb=: timebase Hz; 0 = from the device tree */
	uint64_t selftest;	/* selftest= */
	uint64_t quiesce;	/* quiesce= */
	enum exit_mode exit;	/* exit=poweroff|osterm|loop */
};

void params_parse(struct params *p, const char *args);

#endif
