/*
 * The L2 guest of the nested payload: position-independent code the L1 copies into the L2's memory and
 * enters through H_GUEST_RUN_VCPU at one of these labels (offsets from nested_l2_start).
 */
	.section .rodata.l2, "a"
	.balign 4
	.globl nested_l2_start, nested_l2_end, nested_l2_count, nested_l2_load, nested_l2_illegal
	.globl nested_l2_spin
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
nested_l2_end:
