/*
 * Where RTAS start-cpu sends a secondary vcpu: big-endian, 64-bit, real mode, r3 = its index (the start-cpu
 * argument).  The endianness switch is the one ../payload/start.S makes for the boot vcpu; then a stack of
 * its own and the C side, smp_secondary_main(index).  Also the relocation-on load the workers check with.
 */
#define SRR0	26
#define SRR1	27
#define LR	8
#define D_FORM(po, rt, ra, d)	(((po) << 26) | ((rt) << 21) | ((ra) << 16) | ((d) & 0xffff))
#define X_FORM(rt, ra, rb, xo)	((31 << 26) | ((rt) << 21) | ((ra) << 16) | ((rb) << 11) | ((xo) << 1))
#define SPR_FIELD(spr)		((((spr) & 0x1f) << 5) | (((spr) >> 5) & 0x1f))
#define I_ADDI(rt, ra, si)	D_FORM(14, rt, ra, si)
#define I_XORI(ra, rs, ui)	D_FORM(26, rs, ra, ui)
#define I_MFMSR(rt)		X_FORM(rt, 0, 0, 83)
#define I_MTMSRD(rs, l)		X_FORM(rs, l, 0, 178)
#define I_MFSPR(rt, spr)	(X_FORM(rt, 0, 0, 339) | (SPR_FIELD(spr) << 11))
#define I_MTSPR(spr, rs)	(X_FORM(rs, 0, 0, 467) | (SPR_FIELD(spr) << 11))
#define I_BCL_NEXT		((16 << 26) | (20 << 21) | (31 << 16) | 4 | 1)
#define I_RFID			((19 << 26) | (18 << 1))
#define BE(w)	(((((w) >> 24) & 0xff)) | ((((w) >> 16) & 0xff) << 8) | \
		 ((((w) >> 8) & 0xff) << 16) | (((w) & 0xff) << 24))
#define STACK	16384

	.text
	.balign	4
	.globl	smp_secondary_entry
smp_secondary_entry:
	tdi	0, 0, 0x48			/* big-endian: b .+8 */
	b	1f
	.long	BE(I_MFMSR(11))
	.long	BE(I_XORI(11, 11, 1))		/* MSR[LE] */
	.long	BE(I_ADDI(12, 0, 0))
	.long	BE(I_MTMSRD(12, 1))
	.long	BE(I_BCL_NEXT)
	.long	BE(I_MFSPR(12, LR))
	.long	BE(I_ADDI(12, 12, 20))
	.long	BE(I_MTSPR(SRR0, 12))
	.long	BE(I_MTSPR(SRR1, 11))
	.long	BE(I_RFID)
1:	mfmsr	%r11
	li	%r12, 1
	sldi	%r12, %r12, 63			/* MSR[SF] */
	ori	%r12, %r12, 0x2000		/* MSR[FP] */
	or	%r11, %r11, %r12
	mtmsrd	%r11
	isync
	lis	%r1, smp_stacks@ha
	addi	%r1, %r1, smp_stacks@l
	addi	%r12, %r3, 1
	sldi	%r12, %r12, 14			/* the top of stack r3 */
	add	%r1, %r1, %r12
	li	%r0, 0
	stdu	%r0, -32(%r1)
	lis	%r2, .TOC.@ha
	addi	%r2, %r2, .TOC.@l
	bl	smp_secondary_main
2:	b	2b

/* uint64_t smp_load_reloc(uint64_t ea): one doubleword loaded with instruction and data relocation on. */
	.globl	smp_load_reloc
smp_load_reloc:
	mfmsr	%r9
	ori	%r10, %r9, 0x30
	mtmsrd	%r10
	isync
	ld	%r3, 0(%r3)
	mtmsrd	%r9
	isync
	blr

/*
 * void smp_doorbell_window(uint64_t rb, uint64_t out[2]): msgsndp RB with MSR[EE] on for a few instructions.
 * The stubs smp.c writes at 0xa00 and 0x500 count into r11 (doorbells taken) and r10 (external interrupts,
 * which the stub returns from with EE off so the IPI stays pending for H_XIRR); out[0] = r11, out[1] = r10.
 */
#define DPDES	176
	.globl	smp_doorbell_window
smp_doorbell_window:
	li	%r11, 0
	li	%r10, 0
	mfmsr	%r9
	ori	%r8, %r9, 0x8000
	mtmsrd	%r8, 1
	.long	X_FORM(0, 0, 3, 142)		/* msgsndp r3 */
	nop
	nop
	nop
	nop
	mtmsrd	%r9, 1
	std	%r11, 0(%r4)
	std	%r10, 8(%r4)
	blr

/* uint64_t smp_dpdes(void): DPDES (bit 63 while this vcpu's privileged doorbell is pending). */
	.globl	smp_dpdes
smp_dpdes:
	.long	I_MFSPR(3, DPDES)
	blr

/* void smp_msgclrp(uint64_t rb) */
	.globl	smp_msgclrp
smp_msgclrp:
	.long	X_FORM(0, 0, 3, 174)		/* msgclrp r3 */
	blr

	.section .bss
	.balign	4096
	.globl	smp_stacks
smp_stacks:
	.space	STACK * 9
