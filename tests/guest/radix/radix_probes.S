/*
 * The radix payload's probes (run through the privileged payload's run_probe, ../priv/probes.S): each turns
 * on instruction and data relocation, does one access, turns relocation off again and returns.  A storage
 * interrupt resumes in real mode at probe_resume instead (../priv/vectors.c records SRR0/SRR1/DAR/DSISR).
 * r3 = the effective address on entry, the loaded value (or the callee's r3) on return.
 */
#define MSR_IR_DR	0x30
#define PTESYNC		.long 0x7c4004ac		/* sync L=2 */
#define TLBSYNC		.long 0x7c00046c
/* tlbie/tlbiel RB,RS,RIC,PRS,R by their ISA 3.0 encodings (the assembler runs with -mcpu=power8). */

.macro	RELOC_ON
	mfmsr	%r9
	ori	%r9, %r9, MSR_IR_DR
	mtmsrd	%r9
	isync
.endm
.macro	RELOC_OFF
	mfmsr	%r9
	li	%r10, MSR_IR_DR
	andc	%r9, %r9, %r10
	mtmsrd	%r9
	isync
.endm
.macro	PROBE name
	.globl	\name
	.type	\name, @function
\name:
.endm

	.text
PROBE rp_load
	RELOC_ON
	ld	%r3, 0(%r3)
	RELOC_OFF
	blr

PROBE rp_store
	RELOC_ON
	li	%r4, 0x5a
	std	%r4, 0(%r3)
	RELOC_OFF
	li	%r3, 0
	blr

/* Calls the code at r3 with relocation on; the callee returns with blr. */
PROBE rp_call
	mflr	%r0
	std	%r0, 16(%r1)
	RELOC_ON
	mtctr	%r3
	bctrl
	RELOC_OFF
	ld	%r0, 16(%r1)
	mtlr	%r0
	blr

/* Invalidate, then load rp_ea with relocation on.  r3 = RB; RS = rp_rs.  (A cpp macro: the instruction word
   has commas, which a gas macro argument cannot hold.) */
#define TLBIE_W(rb, rs, ric, prs, r)	((31 << 26) | ((rs) << 21) | ((ric) << 18) | ((prs) << 17) | ((r) << 16) | ((rb) << 11) | (306 << 1))
#define TLBIEL_W(rb, rs, ric, prs, r)	((31 << 26) | ((rs) << 21) | ((ric) << 18) | ((prs) << 17) | ((r) << 16) | ((rb) << 11) | (274 << 1))
#define INVALIDATE_THEN_LOAD(name, word)					\
	PROBE name;								\
	lis	%r11, rp_rs@ha;	ld	%r4, rp_rs@l(%r11);			\
	lis	%r11, rp_ea@ha;	ld	%r5, rp_ea@l(%r11);			\
	PTESYNC; .long word; eieio; TLBSYNC; PTESYNC;				\
	RELOC_ON; ld	%r3, 0(%r5); RELOC_OFF;					\
	blr
	INVALIDATE_THEN_LOAD(rp_tlbie_va, TLBIE_W(3, 4, 0, 1, 1))
	INVALIDATE_THEN_LOAD(rp_tlbie_pid, TLBIE_W(3, 4, 0, 1, 1))
	INVALIDATE_THEN_LOAD(rp_tlbie_all, TLBIE_W(3, 4, 2, 1, 1))
	INVALIDATE_THEN_LOAD(rp_tlbiel_va, TLBIEL_W(3, 4, 0, 1, 1))

/* Warms the TLB: a load from rp_ea with relocation on. */
PROBE rp_touch
	lis	%r11, rp_ea@ha
	ld	%r5, rp_ea@l(%r11)
	RELOC_ON
	ld	%r3, 0(%r5)
	RELOC_OFF
	blr

	.section .bss
	.align	3
	.globl	rp_rs, rp_ea
rp_rs:	.space	8
rp_ea:	.space	8
