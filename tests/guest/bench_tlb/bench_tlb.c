/*
 * phv TLB benchmark payload (./phv bench tlb): registers a radix process table whose tree maps the image
 * with 2M pages and a 32 MiB data window with 4K pages, then times copies between two buffers 8 KiB apart and
 * 1 MiB apart, with relocation on, in timebase ticks:
 *
 *   @@BENCH@@ <name> ticks=<timebase ticks> bytes=<bytes copied>
 *
 * A TLB indexed by page number makes the two distances cost the same; one whose index wraps within a
 * megabyte (or that flushes) makes the far copy slower.  Nothing is compared: the script prints the ratio.
 */
#include <stdint.h>

#include "console.h"
#include "fdt.h"
#include "hcall.h"
#include "of_client.h"
#include "radix_tree.h"
#include "rtas.h"

uint64_t bench_copy(uint64_t src, uint64_t dst, uint64_t bytes, uint64_t reps);

#define CANONICAL_MSR	((1ull << 63) | (1ull << 12) | (1ull << 13) | (1ull << 1) | 1ull)
#define H_REGISTER_PROC_TBL	0x37c
#define KERNEL_RWX	((1ull << 8) | (1ull << 7) | (1ull << 3) | (1ull << 1) | 1ull)
#define WINDOW_EA	0x10000000ull	/* the data window: 32 MiB of 4K pages ... */
#define WINDOW_RA	0x02000000ull	/* ... over real memory from 32 MiB */
#define WINDOW_SIZE	(32ull << 20)

static uint32_t power_off;
static uint64_t proc_table[512] __attribute__((aligned(4096)));
static uint64_t root[8192] __attribute__((aligned(65536)));
static uint64_t pool[24][512] __attribute__((aligned(4096)));
static struct radix_tree tree = {root, pool, 24, 0};


static void run(const char *name, uint64_t distance)
{
	/* 256 KiB copied 32 times: 64 source and 64 destination pages, far more than a 64-entry TLB holds. */
	const uint64_t bytes = 256 << 10, reps = 32;
	uint64_t src = WINDOW_EA, dst = WINDOW_EA + distance;

	bench_copy(src, dst, bytes, 1);	/* warm: the walks and R/C updates are not what is measured */
	uint64_t ticks = bench_copy(src, dst, bytes, reps);
	console_printf("@@BENCH@@ %s ticks=%lu bytes=%lu\n", name, ticks, bytes * reps);
}

void main(uint64_t r3, uint64_t r4, uint64_t r5, uint64_t msr, uint64_t entered_be)
{
	uint64_t tmp;

	(void)r4, (void)msr, (void)entered_be;
	power_off = rtas_power_off_token(r3, r5);
	__asm__ volatile("bcl 20,31,1f\n1: mflr %0\n addi %0,%0,20\n mtsrr0 %0\n mtsrr1 %1\n rfid"
			 : "=&r"(tmp) : "r"(CANONICAL_MSR) : "lr", "memory");
	for (unsigned i = 0; i < 8192; i++)
		root[i] = 0;
	for (uint64_t a = 0; a < (32ull << 20); a += 2ull << 20)
		radix_map(&tree, a, a, 21, KERNEL_RWX);
	for (uint64_t off = 0; off < WINDOW_SIZE; off += 0x1000)
		radix_map(&tree, WINDOW_EA + off, WINDOW_RA + off, 12, KERNEL_RWX);
	const uint64_t rts = 52 - 31;
	for (unsigned i = 0; i < 512; i++)
		proc_table[i] = 0;
	put(&proc_table[0], ((rts & 0x18) << 58) | ((rts & 7) << 5) | (uint64_t)root | 13);
	long rc = hcall(H_REGISTER_PROC_TBL, 0x10 | 0x08 | 0x04 | 0x01, (uint64_t)proc_table, 0, 0, 0);
	console_printf("@@BENCH@@ register-proc-tbl rc=%ld\n", rc);
	if (!rc) {
		run("near-8k", 8 << 10);
		run("far-1m", 1 << 20);
		run("far-16m", 16 << 20);
	}
	console_printf("@@BENCH-DONE@@\n");
	if (power_off) {
		console_flush();
		rtas_power_off(power_off);
	}
	console_flush();
	for (;;)
		;
}
