/*
 * diff_run_case(struct diff_ctx *ctx, uint64_t code): run one generated case under qemu-ppc64le.
 *
 * A case may write any GPR but r31 (ctx), including r1, r2 and r13, so every register the ELFv2 ABI makes
 * the callee preserve is saved here and the stack pointer is parked in ctx->saved_sp, where the way back
 * finds it through r31. The case ends with `ld r0,RET(r31); mtlr r0; blr`, which lands on diff_back.
 * Returns 0 then, or 1 when the signal handler redirected a faulting case to diff_recover.
 *
 * The FP and vector state (64 VSRs, FPSCR, VSCR) is loaded from ctx->in here, after the ABI's nonvolatile
 * part of it (VSR14-31, VSR52-63) and the caller's FPSCR and VSCR are saved, and stored to ctx->out when the
 * case comes back; phv's side moves the same state through ONE_REG.
 */
#include "../layout.h"

/* Frame: 192 bytes of GPRs as before, 30 nonvolatile VSRs, FPSCR, VSCR (16-byte aligned for stxv). */
#define SAVE_VSR(i) (192 + (i) * 16)
#define SAVE_FPSCR 672
#define SAVE_VSCR 688
#define FRAME 704
#define VSRS 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,\
	32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63

	.machine power9

	.abiversion 2
	.text
	.globl diff_run_case
	.type diff_run_case, @function
diff_run_case:
	mflr 0
	std 0, 16(1)
	mfcr 12
	stw 12, 8(1)
	stdu 1, -FRAME(1)
	std 2, 32(1)
	std 13, 40(1)
	std 14, 48(1)
	std 15, 56(1)
	std 16, 64(1)
	std 17, 72(1)
	std 18, 80(1)
	std 19, 88(1)
	std 20, 96(1)
	std 21, 104(1)
	std 22, 112(1)
	std 23, 120(1)
	std 24, 128(1)
	std 25, 136(1)
	std 26, 144(1)
	std 27, 152(1)
	std 28, 160(1)
	std 29, 168(1)
	std 30, 176(1)
	std 31, 184(1)
	.irp n, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stxv \n, SAVE_VSR(\n - 14)(1)
	.endr
	.irp n, 52,53,54,55,56,57,58,59,60,61,62,63
	stxv \n, SAVE_VSR(\n - 34)(1)
	.endr
	mffs 0
	stfd 0, SAVE_FPSCR(1)
	mfvscr 0
	stxv 32, SAVE_VSCR(1)
	std 1, DIFF_SAVED_SP(3)
	bcl 20, 31, 1f		/* the address of diff_back without a TOC: the case may clobber r2 */
1:	mflr 5
	addi 5, 5, diff_back - 1b
	std 5, DIFF_RET(3)
	addi 5, 5, diff_recover - diff_back
	std 5, DIFF_RECOVER(3)
	/* The case's FP and vector state; FPSCR and VSCR go through f0 and v0 before those are loaded. */
	lfd 0, DIFF_IN_FPSCR(3)
	mtfsf 0xff, 0, 1, 0
	lxv 32, DIFF_IN_VSCR(3)
	mtvscr 0
	.irp n, VSRS
	lxv \n, DIFF_IN_VSR(\n)(3)
	.endr
	mr 31, 3
	mtctr 4
	bctr

diff_back:
	li 3, 0
	b 2f
diff_recover:
	li 3, 1
2:	.irp n, VSRS
	stxv \n, DIFF_OUT + DIFF_IN_VSR(\n)(31)
	.endr
	mffs 0
	stfd 0, DIFF_OUT + DIFF_IN_FPSCR(31)
	mfvscr 0
	stxv 32, DIFF_OUT + DIFF_IN_VSCR(31)
	ld 1, DIFF_SAVED_SP(31)
	lfd 0, SAVE_FPSCR(1)
	mtfsf 0xff, 0, 1, 0
	lxv 32, SAVE_VSCR(1)
	mtvscr 0
	.irp n, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	lxv \n, SAVE_VSR(\n - 14)(1)
	.endr
	.irp n, 52,53,54,55,56,57,58,59,60,61,62,63
	lxv \n, SAVE_VSR(\n - 34)(1)
	.endr
	ld 2, 32(1)
	ld 13, 40(1)
	ld 14, 48(1)
	ld 15, 56(1)
	ld 16, 64(1)
	ld 17, 72(1)
	ld 18, 80(1)
	ld 19, 88(1)
	ld 20, 96(1)
	ld 21, 104(1)
	ld 22, 112(1)
	ld 23, 120(1)
	ld 24, 128(1)
	ld 25, 136(1)
	ld 26, 144(1)
	ld 27, 152(1)
	ld 28, 160(1)
	ld 29, 168(1)
	ld 30, 176(1)
	ld 31, 184(1)
	addi 1, 1, FRAME
	ld 0, 16(1)
	mtlr 0
	lwz 12, 8(1)
	mtcrf 0x38, 12		/* CR2-CR4 are the nonvolatile fields */
	blr
	.size diff_run_case, . - diff_run_case

	.section .note.GNU-stack, "", @progbits
