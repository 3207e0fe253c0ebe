/* What the platform tells a bare-metal test payload at entry, and the way out through RTAS. */
#ifndef PAYLOAD_PLATFORM_H
#define PAYLOAD_PLATFORM_H

#include <stdint.h>

struct platform_info {
	uint32_t power_off;	/* RTAS token, 0 = absent */
	char bootargs[256];
	uint64_t ram_end;	/* end of /memory@0, 0 when not given */
};

/* Under either entry convention: r5 = the client interface (VOF, SLOF), else r3 = the FDT. Fields the
 * platform does not give are left as they were. Call it before the payload overwrites low memory: the
 * client interface lives there. */
void platform_info_read(struct platform_info *info, uint64_t r3, uint64_t r5);

/* Prints the @@PAYLOAD-EXIT@@ line the check scripts wait for, powers off when there is a token, and
 * spins when there is none or the call returned. */
void platform_exit(uint32_t power_off) __attribute__((noreturn));

#endif
