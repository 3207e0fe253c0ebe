/*
 * Problem-state probes for the radix payload.  rp_user (privileged, real mode) enters the user snippet at r3
 * with rfid, MSR[PR]=1 and relocation on (radix.c maps the snippets' page at a user-executable alias).  Each
 * snippet does one thing, copies its result to CTR and ends with `sc`, so it comes back through the System
 * Call interrupt at 0xc00 (the vector stubs record SRR0, SRR1, CTR); a snippet whose instruction is not
 * allowed comes back through that instruction's interrupt instead.
 */
#define MSR_PR_EE_IR_DR	0xc030

	.text
	.globl	rp_user
	.type	rp_user, @function
rp_user:
	mtsrr0	%r3
	mfmsr	%r9
	ori	%r9, %r9, MSR_PR_EE_IR_DR
	mtsrr1	%r9
	li	%r4, 0
	rfid
	.size	rp_user, . - rp_user

/* A system call with relocation on, in privileged state (for LPCR[AIL]). */
	.globl	rp_sc_reloc
	.type	rp_sc_reloc, @function
rp_sc_reloc:
	mfmsr	%r9
	ori	%r9, %r9, 0x30
	mtmsrd	%r9
	isync
	sc
	blr
	.size	rp_sc_reloc, . - rp_sc_reloc

	.section .text.user, "ax"
	.balign	4096
	.globl	user_code_start
user_code_start:
#define USER(name)	.globl name; .balign 32; name:
#define BACK		mtctr %r4; sc

USER(u_sc)		li %r4, 0x5c; BACK
USER(u_read_pmc1)	mfspr %r4, 771; BACK
USER(u_write_pmc1)	li %r4, 0x77; mtspr 771, %r4; BACK
USER(u_read_pmc5)	mfspr %r4, 775; BACK
USER(u_write_pmc5)	li %r4, 0x55; mtspr 775, %r4; BACK
USER(u_read_mmcr0)	mfspr %r4, 779; BACK
USER(u_write_mmcr0)	li %r4, -1; mtspr 779, %r4; BACK
USER(u_read_mmcr2)	mfspr %r4, 769; BACK
USER(u_write_mmcr2)	li %r4, -1; mtspr 769, %r4; BACK
USER(u_read_mmcra)	mfspr %r4, 770; BACK
USER(u_write_mmcra)	li %r4, -1; mtspr 770, %r4; BACK
USER(u_read_mmcr1)	mfspr %r4, 782; BACK
USER(u_write_mmcr1)	li %r4, -1; mtspr 782, %r4; BACK
USER(u_read_siar)	mfspr %r4, 780; BACK
USER(u_read_sdar)	mfspr %r4, 781; BACK
USER(u_read_sier)	mfspr %r4, 768; BACK
USER(u_mfmsr)		mfmsr %r4; BACK
USER(u_mtmsrd)		mtmsrd %r4; BACK
USER(u_read_srr0)	mfspr %r4, 26; BACK
USER(u_read_tb)		mfspr %r4, 268; li %r4, 0; BACK
USER(u_write_tar)	mtspr 815, %r4; BACK
USER(u_read_dscr)	mfspr %r4, 3; BACK
USER(u_read_spr50)	mfspr %r4, 50; BACK
USER(u_read_spr2)	mfspr %r4, 2; BACK
USER(u_tw)		tw 31, %r0, %r0; BACK
USER(u_sc1)		li %r3, 0; sc 1; BACK
	.balign	4096
	.globl	user_code_end
user_code_end:
