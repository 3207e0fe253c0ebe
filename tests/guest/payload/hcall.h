/* PAPR hypercalls (sc 1) used by the payload. */
#ifndef PAYLOAD_HCALL_H
#define PAYLOAD_HCALL_H

#include <stdint.h>

#define H_SUCCESS		0
#define H_BUSY			1
#define H_LONG_BUSY_FIRST	9900	/* H_LONG_BUSY_ORDER_1_MSEC .. _100_SEC */
#define H_LONG_BUSY_LAST	9905
#define H_GET_TERM_CHAR		0x54
#define H_PUT_TERM_CHAR		0x58
#define KVMPPC_H_RTAS		0xf000	/* QEMU/KVM private: r4 = RTAS argument buffer */

/*
 * r3 = opcode, r4..r7 = arguments; returns r3 (status) and, if ret4 is
 * non-null, r4.  The clobbers are PAPR's volatile set for sc 1.
 */
static inline long hcall(uint64_t opcode, uint64_t a1, uint64_t a2, uint64_t a3,
			 uint64_t a4, uint64_t *ret4)
{
	register uint64_t r3 __asm__("r3") = opcode;
	register uint64_t r4 __asm__("r4") = a1;
	register uint64_t r5 __asm__("r5") = a2;
	register uint64_t r6 __asm__("r6") = a3;
	register uint64_t r7 __asm__("r7") = a4;

	__asm__ volatile("sc 1"
			 : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
			 :
			 : "r0", "r8", "r9", "r10", "r11", "r12", "ctr", "xer",
			   "cr0", "cr1", "cr5", "cr6", "cr7", "memory");
	if (ret4)
		*ret4 = r4;
	return (long)r3;
}

#endif
