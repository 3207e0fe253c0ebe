/*
 * The part of diff-exec that both executors share (diff_exec.c: ppc64le with glibc under qemu-ppc64le;
 * diff_exec_be.c: freestanding big-endian under qemu-ppc64). A front end provides
 *   exec_map_region(addr, size)  an anonymous read/write/execute mapping at exactly addr, or NULL;
 *   exec_emit(p, n)              appends n bytes to the result file, 0 on success;
 * installs on_fault for SIGILL, SIGSEGV, SIGBUS, SIGFPE and SIGTRAP on an alternate stack, then calls
 * run_blob(). The blob and the results are in the executor's own byte order (layout.h).
 */
#ifndef DIFF_EXEC_CORE_H
#define DIFF_EXEC_CORE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ucontext.h>

#include "../layout.h"

int diff_run_case(struct diff_ctx *ctx, uint64_t code);
static void *exec_map_region(uint64_t addr, uint64_t size);
static int exec_emit(const void *p, size_t n);

/* The trampoline and the generated code use the offsets; the C side uses the struct. */
_Static_assert(offsetof(struct diff_ctx, out) == DIFF_OUT, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, ret) == DIFF_RET, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, saved_sp) == DIFF_SAVED_SP, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, scratch) == DIFF_SCRATCH, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, recover) == DIFF_RECOVER, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, traps) == DIFF_TRAPS, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, trap_hash) == DIFF_TRAP_HASH, "ctx layout");
_Static_assert(offsetof(struct diff_regs, lr) == DIFF_IN_LR, "ctx layout");
_Static_assert(offsetof(struct diff_regs, fpscr) == DIFF_IN_FPSCR, "ctx layout");
_Static_assert(offsetof(struct diff_regs, vscr) == DIFF_IN_VSCR, "ctx layout");
_Static_assert(offsetof(struct diff_regs, vsr) == DIFF_IN_VSR(0), "ctx layout");
_Static_assert(sizeof(struct diff_regs) == DIFF_REGS_SIZE, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, fault_sig) == DIFF_FAULT_SIG, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, fault_nip) == DIFF_FAULT_NIP, "ctx layout");
_Static_assert(sizeof(struct diff_ctx) <= DIFF_DATA_OFF, "ctx layout");

#define CTX ((struct diff_ctx *)(uintptr_t)(DIFF_BASE + DIFF_CTX_OFF))

/* gp_regs indices of the signal frame (the kernel's pt_regs order). */
enum { FRAME_NIP = 32, FRAME_CTR = 35, FRAME_LNK = 36, FRAME_XER = 37, FRAME_CCR = 38 };

/*
 * A trap (tw/td/twi/tdi whose condition holds) is noted and the case goes on after it: a trap changes no
 * register, so phv-diff compares where the traps were and the state at the end. Any other signal ends the
 * case at the trampoline's way back, with the registers at the faulting instruction as its result. The
 * case may have clobbered r2 and r13, so this handler must not touch the TOC or TLS: it only uses the
 * fixed ctx address.
 */
static void on_fault(int sig, siginfo_t *si, void *ucv) {
	(void)si;
	ucontext_t *uc = ucv;
	unsigned long *g = uc->uc_mcontext.gp_regs;
	if (sig == SIGTRAP) {
		CTX->traps++;
		CTX->trap_hash = diff_trap_hash(CTX->trap_hash, g[FRAME_NIP]);
		g[FRAME_NIP] += 4;
		return;
	}
	CTX->fault_sig = (uint64_t)sig;
	CTX->fault_nip = g[FRAME_NIP];
	for (int n = 0; n < 31; ++n)
		CTX->out.gpr[n] = g[n];
	CTX->out.cr = g[FRAME_CCR];
	CTX->out.xer = g[FRAME_XER];
	CTX->out.ctr = g[FRAME_CTR];
	CTX->out.lr = g[FRAME_LNK];
	g[FRAME_NIP] = CTX->recover;
	g[31] = DIFF_BASE + DIFF_CTX_OFF;
}

static void copy_bytes(void *dst, const void *src, size_t n) {
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
}

/* Runs every case of the blob, emitting each result record; 0, or 2 with *why set. */
static int run_blob(const unsigned char *blob, size_t len, const char **why) {
	struct diff_blob_header h;
	if (len < sizeof h) {
		*why = "blob too short";
		return 2;
	}
	copy_bytes(&h, blob, sizeof h);
	const size_t rec = sizeof(struct diff_case_in) + DIFF_DATA_SIZE;
	if (h.magic != DIFF_MAGIC || h.base != DIFF_BASE || len != sizeof h + h.region_size + (size_t)h.ncases * rec) {
		*why = "not a blob of this version and byte order";
		return 2;
	}
	unsigned char *region = exec_map_region(DIFF_BASE, h.region_size);
	if (!region) {
		*why = "cannot map the fixed region";
		return 2;
	}
	copy_bytes(region, blob + sizeof h, h.region_size);
	unsigned char *data = region + DIFF_DATA_OFF;
	const unsigned char *p = blob + sizeof h + h.region_size;
	for (uint32_t i = 0; i < h.ncases; ++i, p += rec) {
		struct diff_case_in in;
		copy_bytes(&in, p, sizeof in);
		copy_bytes(&CTX->in, &in.regs, sizeof in.regs);
		static const struct diff_regs zero;
		CTX->out = zero;
		CTX->fault_sig = 0;
		CTX->fault_nip = 0;
		CTX->traps = 0;
		CTX->trap_hash = 0;
		copy_bytes(data, p + sizeof in, DIFF_DATA_SIZE);
		diff_run_case(CTX, DIFF_BASE + in.code_off);
		struct diff_case_out o = {CTX->fault_sig, CTX->fault_nip, CTX->out, CTX->traps, CTX->trap_hash};
		if (exec_emit(&o, sizeof o) != 0 || exec_emit(data, DIFF_DATA_SIZE) != 0) {
			*why = "cannot write the results";
			return 2;
		}
	}
	return 0;
}

#endif
