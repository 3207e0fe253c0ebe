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
#include "rtas.h"

uint64_t bench_copy(uint64_t src, uint64_t dst, uint64_t bytes, uint64_t reps);

#define CANONICAL_MSR	((1ull << 63) | (1ull << 12) | (1ull << 13) | (1ull << 1) | 1ull)
#define H_REGISTER_PROC_TBL	0x37c
#define PTE_V		(1ull << 63)
#define PTE_L		(1ull << 62)
#define KERNEL_RWX	((1ull << 8) | (1ull << 7) | (1ull << 3) | (1ull << 1) | 1ull)
#define WINDOW_EA	0x10000000ull	/* the data window: 32 MiB of 4K pages ... */
#define WINDOW_RA	0x02000000ull	/* ... over real memory from 32 MiB */
#define WINDOW_SIZE	(32ull << 20)

static uint32_t power_off;
static uint64_t proc_table[512] __attribute__((aligned(4096)));
static uint64_t root[8192] __attribute__((aligned(65536)));
static uint64_t pool[24][512] __attribute__((aligned(4096)));
static unsigned pool_used;

static void put(uint64_t *p, uint64_t v) { *(volatile uint64_t *)p = __builtin_bswap64(v); }
static uint64_t get(const uint64_t *p) { return __builtin_bswap64(*(volatile const uint64_t *)p); }

static uint64_t *subdir(uint64_t *dir, unsigned index)
{
	uint64_t e = get(&dir[index]);

	if (e & PTE_V)
		return (uint64_t *)(e & 0x0fffffffffffff00ull);
	uint64_t *sub = pool[pool_used++];
	for (unsigned i = 0; i < 512; i++)
		sub[i] = 0;
	put(&dir[index], PTE_V | (uint64_t)sub | 9);
	return sub;
}

static void map(uint64_t ea, uint64_t ra, unsigned shift)
{
	uint64_t *l1 = subdir(root, (ea >> 39) & 0x1fff), *l2 = subdir(l1, (ea >> 30) & 0x1ff);
	uint64_t leaf = PTE_V | PTE_L | (ra & 0x01fffffffffff000ull) | KERNEL_RWX;

	if (shift == 21) {
		put(&l2[(ea >> 21) & 0x1ff], leaf);
		return;
	}
	uint64_t *l3 = subdir(l2, (ea >> 21) & 0x1ff);
	put(&l3[(ea >> 12) & 0x1ff], leaf);
}

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
		map(a, a, 21);
	for (uint64_t off = 0; off < WINDOW_SIZE; off += 0x1000)
		map(WINDOW_EA + off, WINDOW_RA + off, 12);
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
