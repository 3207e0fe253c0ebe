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

/* r3 = opcode, r4..r11 = a[0..7] in and out: for the hcalls with more than four arguments or results. */
static inline long hcall8(uint64_t opcode, uint64_t a[8])
{
	register uint64_t r3 __asm__("r3") = opcode;
	register uint64_t r4 __asm__("r4") = a[0], r5 __asm__("r5") = a[1], r6 __asm__("r6") = a[2];
	register uint64_t r7 __asm__("r7") = a[3], r8 __asm__("r8") = a[4], r9 __asm__("r9") = a[5];
	register uint64_t r10 __asm__("r10") = a[6], r11 __asm__("r11") = a[7];

	__asm__ volatile("sc 1"
			 : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11)
			 :
			 : "r0", "r12", "ctr", "xer", "cr0", "cr1", "cr5", "cr6", "cr7", "memory");
	a[0] = r4, a[1] = r5, a[2] = r6, a[3] = r7, a[4] = r8, a[5] = r9, a[6] = r10, a[7] = r11;
	return (long)r3;
}

#endif
