/*
 * The isolation payload's real-mode probes (run through ../priv/probes.S's run_probe): one access each at
 * r3, the address the C side chose at or across the end of guest RAM.  Relocation stays off, so the address
 * is a guest real address.  r3 = the loaded value (or 0) on return; an interrupt resumes at probe_resume.
 */
.macro	PROBE name
	.globl	\name
	.type	\name, @function
\name:
.endm

	.text
PROBE iso_ld
	ld	%r3, 0(%r3)
	blr

PROBE iso_lbz
	lbz	%r3, 0(%r3)
	blr

PROBE iso_std
	lis	%r4, 0x5a5a
	ori	%r4, %r4, 0xa5a5
	std	%r4, 0(%r3)
	li	%r3, 0
	blr

PROBE iso_stb
	li	%r4, 0x77
	stb	%r4, 0(%r3)
	li	%r3, 0
	blr

/* A multiple-word load: an Alignment interrupt in little-endian mode on every VMM, whatever the address. */
PROBE iso_lmw
	.long	(46 << 26) | (28 << 21) | (3 << 16)	/* lmw r28,0(r3): gas refuses it little-endian */
	mr	%r3, %r28
	blr

PROBE iso_lq
	lq	%r4, 0(%r3)
	xor	%r3, %r4, %r5
	blr

PROBE iso_ldarx
	ldarx	%r3, 0, %r3
	blr

PROBE iso_stdcx
	li	%r4, 0x33
	stdcx.	%r4, 0, %r3
	mfcr	%r3
	srdi	%r3, %r3, 28
	andi.	%r3, %r3, 0xe
	blr

PROBE iso_dcbz
	dcbz	0, %r3
	li	%r3, 0
	blr

PROBE iso_dcbf_icbi
	dcbf	0, %r3
	sync
	icbi	0, %r3
	isync
	li	%r3, 0
	blr

PROBE iso_ldbrx
	ldbrx	%r3, 0, %r3
	blr

/* Jumps to r3 with relocation off: the instruction fetch the isolation-faults runs make outside RAM. */
PROBE iso_jump
	mtctr	%r3
	bctr
