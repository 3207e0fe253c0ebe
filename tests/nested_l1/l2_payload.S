# The L2 guest kvm_l2_launch copies into its VM: little-endian, real mode (MSR[IR]=MSR[DR]=0, so only the
# L1 KVM's partition-scoped tree translates it), position independent (it runs wherever the launcher puts
# it). It exercises the three ways an L2 leaves: hcalls the L1 kernel hands to the launcher, hcalls the L1
# kernel serves itself, and MMIO to an address no memslot covers.
#
#   1. "hello from L2\n" through H_PUT_TERM_CHAR, one character per hcall (to the launcher);
#   2. sum of i*i for i < 1000 (332833500), stored to MMIO 0x1_0000_0000, then a doubleword loaded from MMIO
#      0x1_0000_0008 (the launcher answers a pattern);
#   3. L2_CONFER_RUNS H_CONFER(-1) hcalls, which KVM-HV in the L1 answers in the kernel without going to user
#      space: each is one L2 -> L1 -> L2 round trip, timed with the L2's timebase;
#   4. only when started with r3 != 0 (kvm_l2_launch --spin): more H_CONFER, 64 at a time, each batch followed
#      by a doubleword loaded from MMIO 0x1_0000_0010, until the launcher answers 0 there: the L2 stays in
#      the middle of its work for as long as a test needs (to migrate the L1 meanwhile);
#   5. the private hcall L2_DONE with r4 = the sum, r5 = the MMIO value, r6 = the round trips' timebase
#      ticks, r7 = their count, r8 = how many H_CONFER did not answer H_SUCCESS, r9 = the timebase before them,
#      r10 = the spin batches of step 4.

#include "l2_abi.h"

	.machine power9
	.abiversion 2
	.section .rodata.l2, "a"
	.balign 4
	.globl	l2_payload_start, l2_payload_end
l2_payload_start:
	mr	26, 3			# r26 = spin (step 4)
	bl	1f
	.asciz	"hello from L2\n"
	.balign	4
1:	mflr	20
2:	lbz	6, 0(20)
	cmpwi	6, 0
	beq	3f
	sldi	6, 6, 56		# H_PUT_TERM_CHAR takes the characters big-end first in r6:r7
	li	3, H_PUT_TERM_CHAR
	li	4, 0
	li	5, 1
	sc	1
	addi	20, 20, 1
	b	2b

3:	li	10, 0			# r10 = sum of i*i
	li	11, 0			# r11 = i
4:	mulld	12, 11, 11
	add	10, 10, 12
	addi	11, 11, 1
	cmpdi	11, 1000
	blt	4b
	li	9, 1
	sldi	9, 9, 32		# L2_MMIO_BASE
	std	10, 0(9)
	ld	21, 8(9)

	li	22, 0			# r22 = H_CONFER answers other than H_SUCCESS
	li	23, L2_CONFER_RUNS
	mtctr	23
	mftb	24
5:	li	3, H_CONFER
	li	4, -1
	li	5, 0
	sc	1
	cmpdi	3, 0
	beq	6f
	addi	22, 22, 1
6:	bdnz	5b
	mftb	25
	subf	6, 24, 25

	li	27, 0			# r27 = spin batches
	cmpdi	26, 0
	beq	9f
8:	li	28, 64
	mtctr	28
10:	li	3, H_CONFER
	li	4, -1
	li	5, 0
	sc	1
	cmpdi	3, 0
	beq	11f
	addi	22, 22, 1
11:	bdnz	10b
	addi	27, 27, 1
	li	9, 1
	sldi	9, 9, 32
	ld	28, 16(9)		# L2_MMIO_BASE + 16: go on while not 0
	cmpdi	28, 0
	bne	8b
9:	li	3, L2_DONE
	mr	4, 10
	mr	5, 21
	li	7, L2_CONFER_RUNS
	mr	8, 22
	mr	9, 24
	mr	10, 27
	sc	1
7:	li	3, L2_DONE		# never resumed by the launcher; should it be, stay here
	sc	1
	b	7b
l2_payload_end:
