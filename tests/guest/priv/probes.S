/*
 * The privileged payload's probes: each is a function the C side calls through run_probe().  A probe that
 * takes an interrupt never returns by itself: the vector stub (vectors.c) records SRR0/SRR1/MSR and resumes
 * at probe_resume, which returns from run_probe() with 1.  A probe that completes returns with blr and
 * run_probe() returns 0.  r3 = the probe's argument on entry and its result on return.
 */
#define SPR_EBBRR	805
#define SPR_BESCR	806
#define SPR_LPCR	318
#define SPR_PVR		287
#define SPR_DPDES	176

/* Instructions the assembler does not know for -mcpu=power8, by their ISA encodings. */
#define SCV(lev)	.long (17 << 26) | ((lev) << 5) | 1
#define WAIT(wc, pl)	.long (31 << 26) | ((wc) << 21) | ((pl) << 16) | (30 << 1)
#define MSGSNDP(rb)	.long (31 << 26) | ((rb) << 11) | (142 << 1)
#define MSGCLRP(rb)	.long (31 << 26) | ((rb) << 11) | (174 << 1)
#define MSGSND(rb)	.long (31 << 26) | ((rb) << 11) | (206 << 1)
#define HRFID		.long (19 << 26) | (274 << 1)
#define RFEBB(s)	.long (19 << 26) | ((s) << 11) | (146 << 1)
#define MFSPR(rt, n)	.long (31 << 26) | ((rt) << 21) | (((n) & 0x1f) << 16) | (((n) >> 5) << 11) | (339 << 1)
#define MTSPR(n, rs)	.long (31 << 26) | ((rs) << 21) | (((n) & 0x1f) << 16) | (((n) >> 5) << 11) | (467 << 1)
#define FADD_F1		.long 0xfc21102a	/* fadd f1,f1,f2 */
#define VADDUBM_V0	.long 0x10000000	/* vaddubm v0,v0,v0 */
#define XXLOR_VS0	.long 0xf0000490	/* xxlor vs0,vs0,vs0 */

#define PROBE_FRAME	(32 + 8 * 20)
#define FRAME_GPR(n)	(32 + 8 * ((n) - 13))
#define FRAME_CR	(32 + 8 * 19)

	.text

/* long run_probe(long (*fn)(long), long arg) */
	.globl	run_probe
	.type	run_probe, @function
run_probe:
	mflr	%r0
	std	%r0, 16(%r1)
	stdu	%r1, -PROBE_FRAME(%r1)
	.irp	n, 13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	std	%r\n, FRAME_GPR(\n)(%r1)
	.endr
	mfcr	%r0
	std	%r0, FRAME_CR(%r1)
	std	%r2, 24(%r1)
	lis	%r11, probe_sp@ha
	std	%r1, probe_sp@l(%r11)
	mtctr	%r3
	mr	%r12, %r3			/* ELFv2: r12 = the callee's address */
	mr	%r3, %r4
	bctrl
	lis	%r11, probe_result@ha
	std	%r3, probe_result@l(%r11)
	li	%r3, 0
	b	1f

/* Entered little-endian by the vector stub's rfid, with the MSR run_probe's caller had. */
	.globl	probe_resume
probe_resume:
	lis	%r11, probe_sp@ha
	ld	%r1, probe_sp@l(%r11)
	li	%r3, 1
1:	ld	%r2, 24(%r1)
	ld	%r0, FRAME_CR(%r1)
	mtcr	%r0
	.irp	n, 13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	%r\n, FRAME_GPR(\n)(%r1)
	.endr
	addi	%r1, %r1, PROBE_FRAME
	ld	%r0, 16(%r1)
	mtlr	%r0
	blr
	.size	run_probe, . - run_probe

	.section .bss
	.align	3
probe_sp:
	.space	8
	.globl	probe_result
probe_result:				/* r3 of a probe that returned */
	.space	8
	.text

#define PROBE(name)	.globl name; .type name, @function; .align 4; name:

PROBE(probe_sc0)
	sc	0
	blr
PROBE(probe_sc2)
	sc	2
	blr
PROBE(probe_illegal)
	.long	0
	blr
PROBE(probe_tw_eq)
	tw	4, %r3, %r3
	blr
PROBE(probe_tdi_always)
	tdi	31, %r3, 0
	blr
PROBE(probe_twi_never)
	twi	8, %r3, 0x7fff		/* r3 > 0x7fff: never, r3 is small */
	blr
PROBE(probe_fp_unavailable)
	mfmsr	%r5
	li	%r6, 0x2000
	andc	%r5, %r5, %r6
	mtmsrd	%r5
	FADD_F1
	blr
PROBE(probe_vmx_unavailable)
	VADDUBM_V0
	blr
PROBE(probe_vsx_unavailable)
	XXLOR_VS0
	blr
PROBE(probe_hrfid)
	HRFID
	blr
PROBE(probe_msgsnd)
	MSGSND(3)
	blr
PROBE(probe_mfspr_lpcr)
	MFSPR(3, SPR_LPCR)
	blr
PROBE(probe_mfspr_0)
	MFSPR(3, 0)
	blr
PROBE(probe_mfspr_undefined)		/* SPR 777: no such SPR, privileged state: no-op, r3 unchanged */
	MFSPR(3, 777)
	blr
PROBE(probe_mtspr_undefined)
	MTSPR(777, 3)
	blr
PROBE(probe_mfspr_undefined_hv_range)	/* SPR 350: no such SPR, bit 0x10 clear */
	MFSPR(3, 350)
	blr
PROBE(probe_mtspr_pvr)			/* a read-only SPR written */
	MTSPR(SPR_PVR, 3)
	blr
PROBE(probe_scv0)
	mflr	%r7
	SCV(0)
	mtlr	%r7
	blr
PROBE(probe_scv2)
	mflr	%r7
	SCV(2)
	mtlr	%r7
	blr
/* r3 = msgsndp RB: read DPDES after msgsndp, msgclrp, DPDES again: r3 = before << 4 | after */
PROBE(probe_doorbell_pending)
	MSGSNDP(3)
	MFSPR(5, SPR_DPDES)
	MSGCLRP(3)
	MFSPR(6, SPR_DPDES)
	sldi	%r3, %r5, 4
	or	%r3, %r3, %r6
	blr
/* r3 = msgsndp RB; then MSR[EE] on: the doorbell is taken after the mtmsrd. */
PROBE(probe_doorbell_taken)
	MSGSNDP(3)
	li	%r5, 0
	ori	%r5, %r5, 0x8000
	mtmsrd	%r5, 1
	nop
	li	%r5, 0
	mtmsrd	%r5, 1
	blr
/* r3 = DEC value (well in the future): enable EE and wait; the decrementer interrupt ends the wait, so SRR0
 * is the instruction after `wait` whatever the host's timing. */
PROBE(probe_decrementer)
	mtdec	%r3
	li	%r5, 0
	ori	%r5, %r5, 0x8000
	mtmsrd	%r5, 1
	WAIT(0, 0)
	li	%r5, 0
	mtmsrd	%r5, 1
	blr
PROBE(probe_single_step)
	mfmsr	%r5
	ori	%r5, %r5, 0x400
	mtmsrd	%r5
	addi	%r6, %r6, 1
	addi	%r6, %r6, 1
	blr
PROBE(probe_branch_trace)
	mfmsr	%r5
	ori	%r5, %r5, 0x200
	mtmsrd	%r5
	addi	%r6, %r6, 1
	b	1f
	nop
1:	nop
	blr
/* mtmsrd with MSR[LE] clear in RS: LE does not change (r3 = MSR after). */
PROBE(probe_mtmsrd_le)
	mfmsr	%r5
	rldicr	%r5, %r5, 0, 62
	mtmsrd	%r5
	mfmsr	%r3
	blr
/* mtmsrd L=1 moves only EE and RI: r3 = MSR after moving RI off with FP also off in RS. */
PROBE(probe_mtmsrd_l1)
	li	%r5, 0
	mtmsrd	%r5, 1
	mfmsr	%r3
	li	%r5, 2
	mtmsrd	%r5, 1
	blr
PROBE(probe_rfebb)
	mflr	%r7
	bcl	20, 31, 1f
1:	mflr	%r5
	addi	%r5, %r5, 20			/* the mfspr after the trap */
	MTSPR(SPR_EBBRR, 5)
	RFEBB(1)
	trap
	MFSPR(3, SPR_BESCR)
	mtlr	%r7
	blr
PROBE(probe_wait_wc3)
	WAIT(3, 0)
	blr
PROBE(probe_wait_wc1)
	WAIT(1, 0)
	blr
/* r3 = a misaligned address */
PROBE(probe_lwarx_misaligned)
	lwarx	%r5, 0, %r3
	blr
/* mtmsr (not mtmsrd) moves only MSR bits 32:63: with SF clear in RS, r3 = MSR after (SF still set). */
PROBE(probe_mtmsr_low_word)
	mfmsr	%r5
	clrldi	%r6, %r5, 32
	mtmsr	%r6
	mfmsr	%r3
	mtmsrd	%r5
	blr
PROBE(probe_td_equal)
	td	4, %r3, %r3
	blr

/* SPR round trips: r3 = the value to write, returns what reads back. */
#define SPR_RW(name, n)	PROBE(name); MTSPR(n, 3); MFSPR(3, n); blr
SPR_RW(probe_rw_sprg0, 272)
SPR_RW(probe_rw_tidr, 144)
SPR_RW(probe_rw_amr, 29)
SPR_RW(probe_rw_uamor, 157)
SPR_RW(probe_rw_iamr, 61)
SPR_RW(probe_rw_pspb, 159)
SPR_RW(probe_rw_dscr, 17)
SPR_RW(probe_rw_dscr_u, 3)
SPR_RW(probe_rw_ppr, 896)
SPR_RW(probe_rw_ppr32, 898)
SPR_RW(probe_rw_tar, 815)
SPR_RW(probe_rw_ebbhr, 804)
SPR_RW(probe_rw_ciabr, 187)
SPR_RW(probe_rw_hsprg0, 304)
SPR_RW(probe_rw_dpdes, 176)
SPR_RW(probe_rw_purr, 309)
SPR_RW(probe_rw_mmcr0, 795)
SPR_RW(probe_rw_pmc1, 787)
SPR_RW(probe_rw_vrsave, 256)
SPR_RW(probe_rw_srr0, 26)
SPR_RW(probe_rw_dar, 19)
SPR_RW(probe_rw_dsisr, 18)
SPR_RW(probe_rw_cfar, 28)
SPR_RW(probe_rw_pidr, 48)

/* Indexed FP/VMX/VSX loads (r3 = an address): each checks its MSR bit before anything else. */
#define LFDX_F1_R3	.long (31 << 26) | (1 << 21) | (3 << 11) | (599 << 1)
#define LVX_V1_R3	.long (31 << 26) | (1 << 21) | (3 << 11) | (103 << 1)
#define LXVX_R3(tx)	.long (31 << 26) | (1 << 21) | (3 << 11) | (268 << 1) | (tx)
#define LXV_R3(tx)	.long (61 << 26) | (1 << 21) | (3 << 16) | ((tx) << 3) | 1
PROBE(probe_lfdx_fp_off)
	mfmsr	%r5
	li	%r6, 0x2000
	andc	%r5, %r5, %r6
	mtmsrd	%r5
	LFDX_F1_R3
	blr
PROBE(probe_lvx)
	LVX_V1_R3
	blr
PROBE(probe_lxvx)
	LXVX_R3(0)
	blr
PROBE(probe_lxvx_tx_vsx_on)		/* MSR[VSX]=1, VEC=0: TX=1 names a vector register */
	mfmsr	%r5
	oris	%r5, %r5, 0x80
	mtmsrd	%r5
	LXVX_R3(1)
	blr
PROBE(probe_lxv_tx_vsx_on)
	mfmsr	%r5
	oris	%r5, %r5, 0x80
	mtmsrd	%r5
	LXV_R3(1)
	blr

/* More SPR round trips (r3 = value written; returns what reads back). */
#define SPR_R(name, n)	PROBE(name); MFSPR(3, n); li %r3, 0; blr	/* read allowed? (value not compared) */
SPR_RW(probe_rw_sprg1, 273)
SPR_RW(probe_rw_sprg2, 274)
SPR_RW(probe_rw_fscr, 153)
SPR_RW(probe_rw_bescr, 806)
SPR_RW(probe_rw_ebbrr, 805)
SPR_RW(probe_rw_acop, 31)
SPR_RW(probe_rw_psscr_pr, 823)
SPR_RW(probe_rw_mmcra, 786)
SPR_RW(probe_rw_mmcr1, 798)
SPR_RW(probe_rw_mmcr2, 785)
SPR_RW(probe_rw_siar, 796)
SPR_RW(probe_rw_sdar, 797)
SPR_RW(probe_rw_sier, 784)
SPR_RW(probe_rw_pmc6, 792)
SPR_RW(probe_rw_ctrl, 152)
SPR_RW(probe_rw_amor, 349)
SPR_RW(probe_rw_lpidr, 319)
SPR_RW(probe_rw_hdec, 310)
SPR_RW(probe_rw_heir, 339)
SPR_RW(probe_rw_texasr, 130)
SPR_RW(probe_rw_tfhar, 128)
SPR_RW(probe_rw_wort, 895)
SPR_RW(probe_rw_tacr, 888)
SPR_RW(probe_rw_lmrr, 813)
SPR_RW(probe_rw_ummcr0, 779)
SPR_RW(probe_rw_mmcr3, 754)
SPR_RW(probe_rw_dawr0, 180)
SPR_RW(probe_rw_dawr1, 181)
SPR_RW(probe_rw_hfscr, 190)
SPR_RW(probe_rw_usprg3, 259)
SPR_R(probe_r_ctrl, 136)
SPR_R(probe_r_ic, 848)
SPR_R(probe_r_vtb, 849)
SPR_R(probe_r_pir, 1023)
SPR_R(probe_r_tir, 446)
SPR_R(probe_r_udexcr, 812)

/* MSR[TM] on (if the CPU has it), then TEXASR read: r3 = MSR[TM] as it reads back. */
PROBE(probe_tm_on_texasr)
	mfmsr	%r5
	li	%r6, 1
	sldi	%r6, %r6, 32
	or	%r5, %r5, %r6
	mtmsrd	%r5
	mfmsr	%r3
	srdi	%r3, %r3, 32
	andi.	%r3, %r3, 1
	MFSPR(5, 130)
	blr

/*
 * Floating-point enabled exceptions (r3 = the MSR[FE0]/[FE1] bits to turn on). Each probe sets FPSCR with
 * FE0/FE1 still off, so nothing is pending when the mode goes on, then does one thing that raises an
 * enabled exception; probe_fp_state reads FPSCR and f3 afterwards (the vector stubs touch no FP state).
 */
#define FP_CONST(f, hi)	lis %r6, hi; sldi %r6, %r6, 32; std %r6, -16(%r1); lfd f, -16(%r1)
#define SET_FPSCR(v)	li %r6, v; std %r6, -16(%r1); lfd %f0, -16(%r1); mtfsf 0xff, %f0
#define FE_ON		mfmsr %r5; or %r5, %r5, %r3; mtmsrd %r5
/* A probe that returns leaves MSR[FE0/FE1] as it found them (run_probe restores no MSR). */
#define FE_OFF		mfmsr %r5; andc %r5, %r5, %r3; mtmsrd %r5

PROBE(probe_fdiv_zero_divide)		/* FPSCR[ZE]=1, then 1.0 / 0.0 */
	FP_CONST(%f1, 0x3ff0)
	FP_CONST(%f2, 0)
	FP_CONST(%f3, 0x1234)
	SET_FPSCR(0x10)
	FE_ON
	fdiv	%f3, %f1, %f2
	FE_OFF
	li	%r3, 0
	blr
PROBE(probe_fdiv_rc_zero_divide)	/* the record form: CR1 as the interrupt leaves it */
	FP_CONST(%f1, 0x3ff0)
	FP_CONST(%f2, 0)
	FP_CONST(%f3, 0x1234)
	SET_FPSCR(0x10)
	li	%r6, 0
	mtcrf	0xff, %r6			/* run_probe restores the caller's CR */
	FE_ON
	fdiv.	%f3, %f1, %f2
	FE_OFF
	mfcr	%r3
	blr
PROBE(probe_mtfsb1_enables_pending)	/* FPSCR[ZX]=1 with ZE=0; mtfsb1 ZE makes FEX 1 */
	FP_CONST(%f3, 0x1234)
	lis	%r6, 0x0400
	std	%r6, -16(%r1)
	lfd	%f0, -16(%r1)
	mtfsf	0xff, %f0
	FE_ON
	mtfsb1	27
	FE_OFF
	li	%r3, 0
	blr
PROBE(probe_mtmsrd_fe_with_fex)		/* FPSCR[FEX]=1 (ZX and ZE) before MSR[FE0/FE1] go on */
	FP_CONST(%f3, 0x1234)
	lis	%r6, 0x0400
	ori	%r6, %r6, 0x10
	std	%r6, -16(%r1)
	lfd	%f0, -16(%r1)
	mtfsf	0xff, %f0
	FE_ON
	FE_OFF
	li	%r3, 0
	blr
PROBE(probe_fp_state)			/* r3 = where f3 and FPSCR go; then FPSCR = 0 */
	stfd	%f3, 0(%r3)
	mffs	%f0
	stfd	%f0, 8(%r3)
	SET_FPSCR(0)
	li	%r3, 0
	blr

/*
 * Performance monitor counting (Book III, "Performance Monitor Facility"). r3 = struct pmu_run (priv.c):
 * MMCR1, MMCR2 and PMC1-6 are set up, MSR[EE] as asked, then the mtspr MMCR0 that starts counting, a loop of
 * `iters` iterations of two instructions, and the mtspr MMCR0 that freezes the counters again (FC); the PMCs
 * are stored. The starting mtspr counts under the frozen state it ends, the freezing one under the counting
 * state (as under QEMU TCG). An alert with MMCR0[PMAE]=1 ends in the Performance Monitor interrupt instead:
 * SRR0 and CTR show after which iteration.
 */
#define SPR_MMCR0	795
#define SPR_MMCR1	798
#define SPR_MMCR2	785
#define SPR_PMC(n)	(786 + (n))
PROBE(probe_pmu_run)
	ld	%r5, 8(%r3)
	MTSPR(SPR_MMCR1, 5)
	ld	%r5, 16(%r3)
	MTSPR(SPR_MMCR2, 5)
	.irp	n, 1,2,3,4,5,6
	ld	%r5, 40 + 8 * (\n - 1)(%r3)
	MTSPR(SPR_PMC(\n), 5)
	.endr
	ld	%r5, 24(%r3)
	mtctr	%r5
	ld	%r5, 32(%r3)
	mtmsrd	%r5, 1
	li	%r7, 1
	sldi	%r7, %r7, 31			/* MMCR0[FC] */
	ld	%r5, 0(%r3)
	MTSPR(SPR_MMCR0, 5)
	.globl	probe_pmu_loop
probe_pmu_loop:
	addi	%r6, %r6, 1
	bdnz	probe_pmu_loop
	MTSPR(SPR_MMCR0, 7)
	li	%r5, 0
	mtmsrd	%r5, 1
	.irp	n, 1,2,3,4,5,6
	MFSPR(5, SPR_PMC(\n))
	std	%r5, 88 + 8 * (\n - 1)(%r3)
	.endr
	li	%r3, 0
	blr
