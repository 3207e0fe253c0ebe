/*
 * Entry of the phv bare-metal test payload (ppc64le, ELFv2).
 *
 * Firmware (SLOF/VOF) and phv-run enter the image at its first byte in
 * big-endian mode, 32-bit (OF) or 64-bit (flattened-tree boot), with
 * translation off.  The payload is little-endian, so the first thing it does
 * is switch MSR[LE] with a sequence that decodes correctly in either order.
 */

#define SRR0	26
#define SRR1	27
#define LR	8

/* Instruction words built from their ISA fields, for the big-endian sequence. */
#define D_FORM(po, rt, ra, d)	(((po) << 26) | ((rt) << 21) | ((ra) << 16) | ((d) & 0xffff))
#define X_FORM(rt, ra, rb, xo)	((31 << 26) | ((rt) << 21) | ((ra) << 16) | ((rb) << 11) | ((xo) << 1))
#define SPR_FIELD(spr)		((((spr) & 0x1f) << 5) | (((spr) >> 5) & 0x1f))
#define I_ADDI(rt, ra, si)	D_FORM(14, rt, ra, si)
#define I_XORI(ra, rs, ui)	D_FORM(26, rs, ra, ui)
#define I_MFMSR(rt)		X_FORM(rt, 0, 0, 83)
#define I_MTMSRD(rs, l)		X_FORM(rs, l, 0, 178)
#define I_MFSPR(rt, spr)	(X_FORM(rt, 0, 0, 339) | (SPR_FIELD(spr) << 11))
#define I_MTSPR(spr, rs)	(X_FORM(rs, 0, 0, 467) | (SPR_FIELD(spr) << 11))
#define I_BCL_NEXT		((16 << 26) | (20 << 21) | (31 << 16) | 4 | 1)	/* bcl 20,31,$+4 */
#define I_RFID			((19 << 26) | (18 << 1))

/* Store a word so that a big-endian fetch of it reads `w`. */
#define BE(w)	(((((w) >> 24) & 0xff)) | ((((w) >> 16) & 0xff) << 8) | \
		 ((((w) >> 8) & 0xff) << 16) | (((w) & 0xff) << 24))

/*
 * Executed little-endian, `tdi 0,0,0x48` never traps and the next word
 * branches to \le_path.  Fetched big-endian, the same four bytes read as
 * `b .+8`, which lands on the byte-swapped words below: they set r31 = 1,
 * flip MSR[LE] and rfid to the first instruction after the sequence.
 * Clobbers r11, r12, LR (and r31 on the big-endian path).
 */
.macro fixup_endian le_path
	tdi	0, 0, 0x48
	b	\le_path
	.long	BE(I_ADDI(31, 0, 1))
	.long	BE(I_MFMSR(11))
	.long	BE(I_XORI(11, 11, 1))		/* MSR[LE] */
	.long	BE(I_ADDI(12, 0, 0))
	.long	BE(I_MTMSRD(12, 1))		/* EE = RI = 0 before touching SRR0/1 */
	.long	BE(I_BCL_NEXT)
	.long	BE(I_MFSPR(12, LR))
	.long	BE(I_ADDI(12, 12, 20))		/* 5 words from the mflr to the end */
	.long	BE(I_MTSPR(SRR0, 12))
	.long	BE(I_MTSPR(SRR1, 11))
	.long	BE(I_RFID)
.endm

	.section .text.entry, "ax"
	.globl	_start
_start:
	fixup_endian .Lentered_le
.Lle:
	/* %r3-%r5: boot registers; %r31: entered big-endian; %r30: MSR after the fix-up */
	mfmsr	%r30
	li	%r11, 1
	sldi	%r11, %r11, 63			/* MSR[SF] */
	ori	%r11, %r11, 0x2000		/* MSR[FP]: VOF enters with it off */
	or	%r11, %r30, %r11
	mtmsrd	%r11
	isync

	/* .bss holds the stack, so clear it before the first call. */
	lis	%r8, __bss_start@ha
	addi	%r8, %r8, __bss_start@l
	lis	%r9, __bss_end@ha
	addi	%r9, %r9, __bss_end@l
	li	%r10, 0
1:	cmpld	%r8, %r9
	bge	2f
	std	%r10, 0(%r8)
	addi	%r8, %r8, 8
	b	1b
2:
	lis	%r1, __stack_top@ha
	addi	%r1, %r1, __stack_top@l
	li	%r0, 0
	stdu	%r0, -32(%r1)			/* zero back chain ends stack walks */
	lis	%r2, .TOC.@ha
	addi	%r2, %r2, .TOC.@l

	mr	%r6, %r30
	mr	%r7, %r31
	bl	main
3:	b	3b

.Lentered_le:
	li	%r31, 0
	b	.Lle

/*
 * long of_enter(void *args, unsigned long entry)
 *
 * Call the Open Firmware client interface, which runs big-endian and 32-bit:
 * rfid to it with MSR[SF] and MSR[LE] cleared and LR pointing at a return
 * stub that undoes both.  The firmware may use any register other than %r1,
 * so everything the ABI calls non-volatile is kept in our frame.
 */
#define OF_FRAME	208
#define OF_MSR		32
#define OF_R2		40
#define OF_GPR(n)	(48 + 8 * ((n) - 13))

	.text
	.globl	of_enter
	.type	of_enter, @function
of_enter:
	mflr	%r0
	std	%r0, 16(%r1)
	mfcr	%r12
	stw	%r12, 8(%r1)
	stdu	%r1, -OF_FRAME(%r1)
	std	%r2, OF_R2(%r1)
	.irp	n, 13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	std	%r\n, OF_GPR(\n)(%r1)
	.endr
	mfmsr	%r11
	std	%r11, OF_MSR(%r1)

	mtsrr0	%r4
	lis	%r12, .Lof_return@ha
	addi	%r12, %r12, .Lof_return@l
	mtlr	%r12
	li	%r12, 1
	sldi	%r12, %r12, 63
	ori	%r12, %r12, 1			/* MSR[SF] | MSR[LE] */
	andc	%r11, %r11, %r12
	mtsrr1	%r11
	rfid

.Lof_return:
	fixup_endian 1f
1:	clrldi	%r1, %r1, 32			/* still 32-bit: the high half is undefined */
	ld	%r11, OF_MSR(%r1)
	mtmsrd	%r11
	isync
	ld	%r2, OF_R2(%r1)
	.irp	n, 13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	%r\n, OF_GPR(\n)(%r1)
	.endr
	extsw	%r3, %r3
	addi	%r1, %r1, OF_FRAME
	lwz	%r12, 8(%r1)
	mtcr	%r12
	ld	%r0, 16(%r1)
	mtlr	%r0
	blr
	.size	of_enter, . - of_enter
