/*
 * kvm_l2_launch: a minimal KVM VMM for a Linux L1 running under phv's nested L0. Static, ppc64le, no
 * libraries beyond libc: it goes into the test initramfs next to kvm.ko and kvm-hv.ko.
 *
 * It creates an HV (radix) VM through /dev/kvm, gives it one memslot, copies the L2 payload
 * (l2_payload.S) there, creates one vcpu, sets its registers, and runs it, serving the L2's console hcall,
 * its MMIO and its final hcall. Every step prints one "@@L1@@ <step> ok|FAIL ..." line; the last line is
 * "@@L1-DONE@@ failures=N". Exit status 0 only when everything went as the payload expects.
 *
 *   kvm_l2_launch [--no-v3mmu] [-v] [--hold S] [--spin]
 *
 * By default the VM's MMU is configured through KVM_PPC_CONFIGURE_V3_MMU (radix, GTSE, a process table at
 * an L2 address), as QEMU does once a radix guest registers its process table; --no-v3mmu leaves the
 * partition as KVM created it. -v prints every KVM_RUN's end with its time. --spin keeps the L2 at work
 * (H_CONFER round trips) after its checks, printing "@@L1-SPIN@@" once, until a line "stop" arrives on
 * standard input (the console): a test migrates or snapshots the L1 meanwhile and then ends the L2 there.
 */
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "l2_abi.h"

extern const unsigned char l2_payload_start[], l2_payload_end[];

#define L2_MEM_SIZE (4u << 20)
/* A 4 KiB process table (PRTS 0) at this L2 address; the payload never turns translation on. */
#define L2_PROCESS_TABLE 0x200000
#define PATB_GR (1ULL << 63)
#define MSR_SF (1ULL << 63)
#define MSR_ME (1ULL << 12)
#define MSR_LE (1ULL << 0)
#define KVM_VM_PPC_HV_TYPE 1

static int failures;

static void step(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#include <stdarg.h>
static void step(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;
	printf("@@L1@@ %s %s", name, ok ? "ok" : "FAIL");
	if (fmt && *fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
}

static int finish(void)
{
	printf("@@L1-DONE@@ failures=%d\n", failures);
	fflush(stdout);
	return failures ? 1 : 0;
}

/*
 * Integer nanoseconds, and no floating point held across KVM_RUN: a nestedv1 L1 kernel preempted inside
 * KVM_RUN can return to user space with the L2's FP registers (__switch_to's restore_math makes the user's
 * FP live again, then the next guest entry loads the vcpu's over it without saving), which once turned a
 * double kept in f31 into 0.
 */
static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void print_ns(const char *prefix, uint64_t ns)
{
	printf("%s%llu.%06llu s", prefix, (unsigned long long)(ns / 1000000000u),
	       (unsigned long long)(ns % 1000000000u / 1000u));
}

int main(int argc, char **argv)
{
	int v3mmu = 1, verbose = 0, hold = 0, spin = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-v3mmu") == 0)
			v3mmu = 0;
		else if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[i], "--spin") == 0)
			spin = 1;
		else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc)
			hold = atoi(argv[++i]);
	}

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	step(kvm >= 0, "open-dev-kvm", "%s", kvm >= 0 ? "" : strerror(errno));
	if (kvm < 0)
		return finish();
	int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	step(api == KVM_API_VERSION, "api-version", "%d", api);
	int radix = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_MMU_RADIX);
	step(radix > 0, "cap-mmu-radix", "%d", radix);
	printf("@@L1@@ info cap-nested-hv=%d cap-ppc-papr=%d\n", ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_NESTED_HV),
	       ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_PAPR));

	int vm = ioctl(kvm, KVM_CREATE_VM, KVM_VM_PPC_HV_TYPE);
	step(vm >= 0, "create-vm", "%s", vm >= 0 ? "type HV" : strerror(errno));
	if (vm < 0)
		return finish();

	unsigned char *mem = mmap(NULL, L2_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		step(0, "guest-memory", "mmap: %s", strerror(errno));
		return finish();
	}
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = L2_MEM_SIZE, .userspace_addr = (uintptr_t)mem,
	};
	int r = ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region);
	step(r == 0, "set-user-memory-region", "%s", r == 0 ? "4 MiB at 0" : strerror(errno));
	size_t size = (size_t)(l2_payload_end - l2_payload_start);
	memcpy(mem + L2_LOAD_ADDR, l2_payload_start, size);

	if (v3mmu) {
		struct kvm_ppc_mmuv3_cfg cfg = {
			.flags = KVM_PPC_MMUV3_RADIX | KVM_PPC_MMUV3_GTSE,
			.process_table = PATB_GR | L2_PROCESS_TABLE,
		};
		r = ioctl(vm, KVM_PPC_CONFIGURE_V3_MMU, &cfg);
		step(r == 0, "configure-v3-mmu", "%s", r == 0 ? "radix gtse" : strerror(errno));
	}

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	step(vcpu >= 0, "create-vcpu", "%s", vcpu >= 0 ? "" : strerror(errno));
	if (vcpu < 0)
		return finish();
	/* HV KVM runs only PAPR vcpus (kvmppc_sanity_check): without this KVM_RUN fails with EINVAL. */
	struct kvm_enable_cap papr = {.cap = KVM_CAP_PPC_PAPR};
	r = ioctl(vcpu, KVM_ENABLE_CAP, &papr);
	step(r == 0, "enable-cap-papr", "%s", r == 0 ? "" : strerror(errno));
	long run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run_size <= 0 || run == MAP_FAILED) {
		step(0, "map-run", "%s", strerror(errno));
		return finish();
	}

	struct kvm_regs regs;
	memset(&regs, 0, sizeof(regs));
	r = ioctl(vcpu, KVM_GET_REGS, &regs);
	regs.pc = L2_LOAD_ADDR;
	regs.gpr[3] = (uint64_t)spin;
	regs.msr = MSR_SF | MSR_ME | MSR_LE;
	r |= ioctl(vcpu, KVM_SET_REGS, &regs);
	step(r == 0, "set-regs", "pc=0x%llx msr=0x%llx", (unsigned long long)regs.pc, (unsigned long long)regs.msr);

	char console[256];
	size_t console_len = 0;
	unsigned runs = 0, hcalls = 0, mmio = 0;
	int done = 0;
	uint64_t sum = 0, loaded = 0, confer_tb = 0, confer_runs = 0, confer_bad = 0, mmio_written = 0;
	uint64_t spin_batches = 0, spin_polls = 0;
	int stop = 0;
	uint64_t start = now_ns();
	while (!done) {
		r = ioctl(vcpu, KVM_RUN, 0);
		runs++;
		if (verbose) {
			printf("@@L1@@ trace run %u", runs);
			print_ns(" at ", now_ns() - start);
			printf(" (tb %llu): rc %d exit %u\n", (unsigned long long)__builtin_ppc_get_timebase(), r,
			       r < 0 ? 0 : run->exit_reason);
		}
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			step(0, "kvm-run", "%s after %u runs (exit reason %u)", strerror(errno), runs, run->exit_reason);
			break;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_PAPR_HCALL: {
			hcalls++;
			uint64_t nr = run->papr_hcall.nr;
			uint64_t *a = (uint64_t *)run->papr_hcall.args;
			if (nr == H_PUT_TERM_CHAR) {
				uint64_t len = a[1] > 16 ? 16 : a[1];
				for (uint64_t i = 0; i < len && console_len + 1 < sizeof(console); i++)
					console[console_len++] = (char)(a[2 + i / 8] >> (56 - 8 * (i % 8)));
				run->papr_hcall.ret = 0;
			} else if (nr == L2_DONE) {
				sum = a[0];
				loaded = a[1];
				confer_tb = a[2];
				confer_runs = a[3];
				confer_bad = a[4];
				spin_batches = a[6];
				done = 1;
			} else {
				step(0, "unexpected-hcall", "0x%llx", (unsigned long long)nr);
				run->papr_hcall.ret = (uint64_t)-2; /* H_FUNCTION */
			}
			break;
		}
		case KVM_EXIT_MMIO:
			mmio++;
			if (run->mmio.is_write && run->mmio.phys_addr == L2_MMIO_BASE && run->mmio.len == 8) {
				memcpy(&mmio_written, run->mmio.data, 8);
			} else if (!run->mmio.is_write && run->mmio.phys_addr == L2_MMIO_BASE + 8 && run->mmio.len == 8) {
				uint64_t v = L2_MMIO_PATTERN;
				memcpy(run->mmio.data, &v, 8);
			} else if (!run->mmio.is_write && run->mmio.phys_addr == L2_MMIO_BASE + 16 && run->mmio.len == 8) {
				/* --spin: go on (1) until "stop" comes in on the console */
				if (spin_polls++ == 0) {
					printf("@@L1-SPIN@@ the L2 is at work; type stop to end it\n");
					fflush(stdout);
				}
				struct pollfd pfd = {.fd = 0, .events = POLLIN};
				char line[64];
				if (!stop && poll(&pfd, 1, 0) > 0) {
					ssize_t got = read(0, line, sizeof(line) - 1);
					if (got <= 0 || strncmp(line, "stop", 4) == 0)
						stop = 1;
				}
				uint64_t v = stop ? 0 : 1;
				memcpy(run->mmio.data, &v, 8);
			} else {
				step(0, "unexpected-mmio", "%s 0x%llx len %u", run->mmio.is_write ? "write" : "read",
				     (unsigned long long)run->mmio.phys_addr, run->mmio.len);
			}
			break;
		default:
			step(0, "unexpected-exit", "reason %u after %u runs", run->exit_reason, runs);
			done = -1;
			break;
		}
		if (runs > 100000 && !spin) {
			step(0, "kvm-run", "no end after %u runs", runs);
			break;
		}
	}
	uint64_t took = now_ns() - start;
	console[console_len] = 0;
	if (console_len && console[console_len - 1] == '\n')
		console[console_len - 1] = 0;

	step(done == 1, "l2-done", "after %u KVM_RUN calls (%u hcall, %u mmio exits) in %llu ms", runs, hcalls, mmio,
	     (unsigned long long)(took / 1000000u));
	step(strcmp(console, "hello from L2") == 0, "l2-console", "'%s'", console);
	step(sum == 332833500 && mmio_written == sum, "l2-mmio-write", "sum=%llu written=%llu",
	     (unsigned long long)sum, (unsigned long long)mmio_written);
	step(loaded == L2_MMIO_PATTERN, "l2-mmio-read", "0x%llx", (unsigned long long)loaded);
	step(confer_runs == L2_CONFER_RUNS && confer_bad == 0, "l2-in-kernel-hcalls", "%llu H_CONFER, %llu failed",
	     (unsigned long long)confer_runs, (unsigned long long)confer_bad);
	if (spin)
		step(stop && spin_batches > 0 && spin_batches == spin_polls, "l2-spin",
		     "%llu batches of 64 H_CONFER, %llu polls, stopped %s", (unsigned long long)spin_batches,
		     (unsigned long long)spin_polls, stop ? "on request" : "never");
	if (confer_runs)
		printf("@@L1@@ round-trip runs=%llu tb_per_run=%llu\n", (unsigned long long)confer_runs,
		       (unsigned long long)(confer_tb / confer_runs));
	/*
	 * --hold: the VM (and so the L0's record of the L2) stays while the test asks the L0 about it over
	 * QMP; closing the VM's descriptors at exit makes the L1 delete the L2.
	 */
	if (hold > 0) {
		printf("@@L1-HOLD@@ %d s\n", hold);
		fflush(stdout);
		sleep((unsigned)hold);
	}
	return finish();
}
