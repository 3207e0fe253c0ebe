/*
 * diff-exec: the qemu-ppc64le half of the differential test. Runs every case of a blob written by phv-diff
 * (layout.h) and writes each case's final registers and data area. It knows nothing about instructions:
 * the cases carry their own prologue and epilogue, so this file (and exec_core.h) only places memory and
 * calls them.
 *
 * Usage: diff-exec BLOB OUT
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exec_core.h"

static FILE *out;

static void *exec_map_region(uint64_t addr, uint64_t size) {
	void *r = mmap((void *)(uintptr_t)addr, size, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	return r == (void *)(uintptr_t)addr ? r : NULL;
}

static int exec_emit(const void *p, size_t n) { return fwrite(p, n, 1, out) == 1 ? 0 : -1; }

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
	if (!blob) {
		fprintf(stderr, "diff-exec: cannot read %s\n", argv[1]);
		return 2;
	}
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

	out = fopen(argv[2], "wb");
	if (!out) {
		perror("diff-exec: output");
		return 2;
	}
	const char *why = "";
	if (run_blob(blob, len, &why) != 0) {
		fprintf(stderr, "diff-exec: %s: %s\n", argv[1], why);
		return 2;
	}
	return fclose(out) == 0 ? 0 : 2;
}
