/*
 * The L2 guest of the nested payload: position-independent code the L1 copies into the L2's memory and
 * enters through H_GUEST_RUN_VCPU at one of these labels (offsets from nested_l2_start).
 */
	.section .rodata.l2, "a"
	.balign 4
	.globl nested_l2_start, nested_l2_end, nested_l2_count, nested_l2_load, nested_l2_illegal
	.globl nested_l2_spin, nested_l2_store, nested_l2_reloc_load, nested_l2_sc, nested_l2_vector
nested_l2_start:
nested_l2_count:		/* each run: r4 += 1, then an hcall 0x4242 back to the L1 */
	addi	%r4, %r4, 1
	li	%r3, 0x4242
	sc	1
	b	nested_l2_count
nested_l2_load:			/* r6 = *(r5 + 0), then hcall 0x77 */
	ld	%r6, 0(%r5)
	li	%r3, 0x77
	sc	1
	b	nested_l2_load
nested_l2_illegal:		/* an instruction the CPU does not have: hypervisor emulation assistance */
	.long	0x00001234
nested_l2_spin:			/* runs until the L1's HDEC limit */
	b	nested_l2_spin
nested_l2_store:		/* *(r5 + 0) = r6, then hcall 0x78 */
	std	%r6, 0(%r5)
	li	%r3, 0x78
	sc	1
	b	nested_l2_store
nested_l2_reloc_load:		/* r6 = *(r5 + 0) with MSR[DR] on (the L2's process-scoped tree), then hcall 0x79 */
	mfmsr	%r9
	ori	%r10, %r9, 0x10
	mtmsrd	%r10
	ld	%r6, 0(%r5)
	mtmsrd	%r9
	li	%r3, 0x79
	sc	1
	b	nested_l2_reloc_load
nested_l2_sc:			/* sc 1 with r3..r12 as the L1 set them: the hcall flood */
	sc	1
	b	nested_l2_sc
nested_l2_vector:		/* copied to the L2's interrupt vectors: r3 = the vector (patched), DAR, DSISR */
	li	%r3, 0
	mfspr	%r4, 19
	mfspr	%r5, 18
	sc	1
nested_l2_end:
