/*
 * diff-exec: the qemu-ppc64le half of the differential test. Runs every case of a blob written by phv-diff
 * (layout.h) and writes each case's final registers and data area. It knows nothing about instructions:
 * the cases carry their own prologue and epilogue, so this file only places memory and calls them.
 *
 * Usage: diff-exec BLOB OUT
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "../layout.h"

int diff_run_case(struct diff_ctx *ctx, uint64_t code);

/* The trampoline and the generated code use the offsets; the C side uses the struct. */
_Static_assert(offsetof(struct diff_ctx, out) == DIFF_OUT, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, ret) == DIFF_RET, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, saved_sp) == DIFF_SAVED_SP, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, scratch) == DIFF_SCRATCH, "ctx layout");
_Static_assert(offsetof(struct diff_ctx, recover) == DIFF_RECOVER, "ctx layout");
_Static_assert(offsetof(struct diff_regs, lr) == DIFF_IN_LR, "ctx layout");

#define CTX ((struct diff_ctx *)(uintptr_t)(DIFF_BASE + DIFF_CTX_OFF))

/*
 * A case that traps (it should not: the generator keeps trapping instructions out) is redirected to the
 * trampoline's way back instead of killing the whole batch. The case may have clobbered r2 and r13, so
 * this handler must not touch the TOC or TLS: it only uses the fixed ctx address.
 */
static void on_fault(int sig, siginfo_t *si, void *ucv) {
	(void)si;
	ucontext_t *uc = ucv;
	CTX->fault_sig = (uint64_t)sig;
	CTX->fault_nip = uc->uc_mcontext.gp_regs[32];
	uc->uc_mcontext.gp_regs[32] = CTX->recover;
	uc->uc_mcontext.gp_regs[31] = DIFF_BASE + DIFF_CTX_OFF;
}

static void *read_file(const char *path, size_t *len) {
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	void *p = malloc(*len ? *len : 1);
	if (p && fread(p, 1, *len, f) != *len) {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: diff-exec BLOB OUT\n");
		return 2;
	}
	size_t len;
	unsigned char *blob = read_file(argv[1], &len);
	if (!blob || len < sizeof(struct diff_blob_header)) {
		fprintf(stderr, "diff-exec: cannot read %s\n", argv[1]);
		return 2;
	}
	struct diff_blob_header h;
	memcpy(&h, blob, sizeof h);
	const size_t rec = sizeof(struct diff_case_in) + DIFF_DATA_SIZE;
	if (h.magic != DIFF_MAGIC || h.base != DIFF_BASE ||
	    len != sizeof h + h.region_size + (size_t)h.ncases * rec) {
		fprintf(stderr, "diff-exec: %s is not a blob of this version\n", argv[1]);
		return 2;
	}
	void *region = mmap((void *)(uintptr_t)DIFF_BASE, h.region_size, PROT_READ | PROT_WRITE | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (region != (void *)(uintptr_t)DIFF_BASE) {
		perror("diff-exec: mmap of the fixed region");
		return 2;
	}
	memcpy(region, blob + sizeof h, h.region_size);

	/* Cases may leave r1 anywhere, so faults are handled on their own stack. */
	static char altstack[1 << 16];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	const int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; ++i)
		sigaction(sigs[i], &sa, NULL);

	FILE *out = fopen(argv[2], "wb");
	if (!out) {
		perror("diff-exec: output");
		return 2;
	}
	unsigned char *data = (unsigned char *)region + DIFF_DATA_OFF;
	const unsigned char *p = blob + sizeof h + h.region_size;
	for (uint32_t i = 0; i < h.ncases; ++i, p += rec) {
		struct diff_case_in in;
		memcpy(&in, p, sizeof in);
		memcpy(&CTX->in, &in.regs, sizeof in.regs);
		memset(&CTX->out, 0, sizeof CTX->out);
		CTX->fault_sig = 0;
		CTX->fault_nip = 0;
		memcpy(data, p + sizeof in, DIFF_DATA_SIZE);
		diff_run_case(CTX, DIFF_BASE + in.code_off);
		struct diff_case_out o = {CTX->fault_sig, CTX->fault_nip, CTX->out};
		if (fwrite(&o, sizeof o, 1, out) != 1 || fwrite(data, DIFF_DATA_SIZE, 1, out) != 1) {
			perror("diff-exec: write");
			return 2;
		}
	}
	return fclose(out) == 0 ? 0 : 2;
}
