/*
 * diff-exec-be: diff-exec for big-endian runs (phv-diff --big-endian) under qemu-ppc64. There is no
 * big-endian ppc64 C library to link against, so this front end is freestanding: built by the ppc64el
 * cross gcc with -mbig-endian -nostdlib, talking to the kernel (qemu's syscall layer) directly. The cases
 * and the shared core (exec_core.h) are the same as diff-exec's.
 *
 * Usage: diff-exec-be BLOB OUT
 */
#include "exec_core.h"

/* powerpc64 syscall numbers (asm/unistd_64.h) and flags. */
enum { NR_read = 3, NR_write = 4, NR_close = 6, NR_lseek = 19, NR_mmap = 90, NR_rt_sigaction = 173,
       NR_sigaltstack = 185, NR_exit_group = 234, NR_openat = 286 };
enum { K_AT_FDCWD = -100, K_O_WRONLY_CREAT_TRUNC = 01 | 0100 | 01000, K_SEEK_END = 2 };
enum { K_PROT_RWX = 7, K_PROT_READ = 1, K_MAP_PRIVATE = 2, K_MAP_ANONYMOUS = 0x20,
       K_MAP_FIXED_NOREPLACE = 0x100000 };

/* sc: number in r0, arguments in r3..r8; CR0[SO] set means r3 is a positive errno. */
static long sys(long nr, long a, long b, long c, long d, long e, long f) {
	register long r0 __asm__("r0") = nr;
	register long r3 __asm__("r3") = a;
	register long r4 __asm__("r4") = b;
	register long r5 __asm__("r5") = c;
	register long r6 __asm__("r6") = d;
	register long r7 __asm__("r7") = e;
	register long r8 __asm__("r8") = f;
	long cr;
	__asm__ volatile("sc\n\tmfcr %1"
			 : "+r"(r3), "=r"(cr), "+r"(r0), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7), "+r"(r8)
			 :
			 : "memory", "cr0", "r9", "r10", "r11", "r12", "ctr", "xer");
	return (cr & 0x10000000) ? -r3 : r3;
}

/* gcc may turn struct copies into calls to these even in freestanding code. */
void *memcpy(void *d, const void *s, size_t n) {
	copy_bytes(d, s, n);
	return d;
}
void *memset(void *d, int c, size_t n) {
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

static long out_fd = -1;
static unsigned char out_buf[1 << 16];
static size_t out_len;

static int flush_out(void) {
	size_t done = 0;
	while (done < out_len) {
		const long n = sys(NR_write, out_fd, (long)(out_buf + done), (long)(out_len - done), 0, 0, 0);
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	out_len = 0;
	return 0;
}

static int exec_emit(const void *p, size_t n) {
	const unsigned char *b = p;
	while (n) {
		if (out_len == sizeof out_buf && flush_out() != 0)
			return -1;
		size_t k = sizeof out_buf - out_len;
		if (k > n)
			k = n;
		copy_bytes(out_buf + out_len, b, k);
		out_len += k;
		b += k;
		n -= k;
	}
	return 0;
}

static void *exec_map_region(uint64_t addr, uint64_t size) {
	const long r = sys(NR_mmap, (long)addr, (long)size, K_PROT_RWX, K_MAP_PRIVATE | K_MAP_ANONYMOUS | K_MAP_FIXED_NOREPLACE,
			   -1, 0);
	return r == (long)addr ? (void *)(uintptr_t)r : 0;
}

static size_t length(const char *s) {
	size_t n = 0;
	while (s[n])
		++n;
	return n;
}

static int fail(const char *what, const char *detail) {
	sys(NR_write, 2, (long)"diff-exec-be: ", 14, 0, 0, 0);
	sys(NR_write, 2, (long)what, (long)length(what), 0, 0, 0);
	sys(NR_write, 2, (long)": ", 2, 0, 0, 0);
	sys(NR_write, 2, (long)detail, (long)length(detail), 0, 0, 0);
	sys(NR_write, 2, (long)"\n", 1, 0, 0, 0);
	return 2;
}

/* The kernel's struct sigaction on powerpc64 (asm/signal.h), not the C library's. */
struct k_sigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

int be_main(long argc, char **argv);
int be_main(long argc, char **argv) {
	if (argc != 3)
		return fail("usage", "diff-exec-be BLOB OUT");
	const long fd = sys(NR_openat, K_AT_FDCWD, (long)argv[1], 0, 0, 0, 0);
	if (fd < 0)
		return fail(argv[1], "cannot open");
	const long len = sys(NR_lseek, fd, 0, K_SEEK_END, 0, 0, 0);
	const long blob = len > 0 ? sys(NR_mmap, 0, len, K_PROT_READ, K_MAP_PRIVATE, fd, 0) : -1;
	if (blob < 0 && blob > -4096)
		return fail(argv[1], "cannot map");
	sys(NR_close, fd, 0, 0, 0, 0, 0);

	/* Cases may leave r1 anywhere, so faults are handled on their own stack. */
	static char altstack[1 << 16];
	struct {
		void *sp;
		int flags;
		unsigned long size;
	} ss = {altstack, 0, sizeof altstack};
	sys(NR_sigaltstack, (long)&ss, 0, 0, 0, 0, 0);
	struct k_sigaction sa = {on_fault, 0x4 /* SA_SIGINFO */ | 0x08000000 /* SA_ONSTACK */ | 0x40000000 /* SA_NODEFER */,
				 0, 0};
	const int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; ++i)
		sys(NR_rt_sigaction, sigs[i], (long)&sa, 0, 8, 0, 0);

	out_fd = sys(NR_openat, K_AT_FDCWD, (long)argv[2], K_O_WRONLY_CREAT_TRUNC, 0644, 0, 0);
	if (out_fd < 0)
		return fail(argv[2], "cannot create");
	const char *why = "";
	if (run_blob((const unsigned char *)blob, (size_t)len, &why) != 0)
		return fail(argv[1], why);
	if (flush_out() != 0)
		return fail(argv[2], "cannot write");
	return sys(NR_close, out_fd, 0, 0, 0, 0, 0) == 0 ? 0 : 2;
}

/*
 * The entry point: the kernel leaves argc at 0(r1) and argv after it. ELFv2 code finds its TOC through r2,
 * which nobody has set up here, so _start computes it from its own address first.
 */
__asm__(".text\n"
	".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	bcl 20, 31, 1f\n"
	"1:	mflr 12\n"
	"	addis 2, 12, (.TOC. - 1b)@ha\n"
	"	addi 2, 2, (.TOC. - 1b)@l\n"
	"	ld 3, 0(1)\n"
	"	addi 4, 1, 8\n"
	"	clrrdi 1, 1, 4\n"
	"	stdu 1, -128(1)\n"
	"	bl be_main\n"
	"	nop\n"
	"	li 0, 234\n" /* exit_group(status) */
	"	sc\n"
	".size _start, . - _start\n");
