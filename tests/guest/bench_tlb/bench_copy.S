/*
 * The TLB benchmark's inner loop (bench_tlb.c): with instruction and data relocation on, copies `bytes`
 * from src to dst a doubleword at a time, `reps` times, and returns the timebase ticks it took.
 * r3 = src, r4 = dst, r5 = bytes (a multiple of 64), r6 = reps.
 */
	.text
	.globl	bench_copy
	.type	bench_copy, @function
bench_copy:
	mfmsr	%r9
	ori	%r9, %r9, 0x30
	mtmsrd	%r9
	isync
	mftb	%r10
1:	mr	%r7, %r3
	mr	%r8, %r4
	srdi	%r11, %r5, 6
	mtctr	%r11
2:	ld	%r0, 0(%r7)
	ld	%r12, 8(%r7)
	std	%r0, 0(%r8)
	std	%r12, 8(%r8)
	ld	%r0, 16(%r7)
	ld	%r12, 24(%r7)
	std	%r0, 16(%r8)
	std	%r12, 24(%r8)
	ld	%r0, 32(%r7)
	ld	%r12, 40(%r7)
	std	%r0, 32(%r8)
	std	%r12, 40(%r8)
	ld	%r0, 48(%r7)
	ld	%r12, 56(%r7)
	std	%r0, 48(%r8)
	std	%r12, 56(%r8)
	addi	%r7, %r7, 64
	addi	%r8, %r8, 64
	bdnz	2b
	addic.	%r6, %r6, -1
	bne	1b
	mftb	%r3
	subf	%r3, %r10, %r3
	mfmsr	%r9
	li	%r10, 0x30
	andc	%r9, %r9, %r10
	mtmsrd	%r9
	isync
	blr
