/*
 * phv radix payload: registers a radix process table with H_REGISTER_PROC_TBL, maps pages of each size,
 * then provokes each storage interrupt a radix guest can take (and a few accesses that must succeed) and
 * prints one line per probe:
 *
 *   @@PRIV@@ <name> int=none r3=<value>
 *   @@PRIV@@ <name> int=<vector> dar=<DAR> dsisr=<DSISR> srr0=+<offset into the probe> srr1=<SRR1>
 *
 * ../compare_with_tcg.sh compares the lines with QEMU TCG's (the oracle) for POWER9 and POWER10.  Reuses the
 * privileged payload's vectors and run_probe (../priv).
 */
#include <stdint.h>

#include "console.h"
#include "fdt.h"
#include "hcall.h"
#include "of_client.h"
#include "rtas.h"
#include "vectors.h"

typedef long probe_fn(long);
long run_probe(probe_fn *fn, long arg);
extern long probe_result;
extern uint64_t rp_rs, rp_ea;
probe_fn rp_load, rp_store, rp_call, rp_touch, rp_tlbie_va, rp_tlbie_pid, rp_tlbie_all, rp_tlbiel_va;

#define CANONICAL_MSR	((1ull << 63) | (1ull << 12) | (1ull << 13) | (1ull << 1) | 1ull)
#define H_REGISTER_PROC_TBL	0x37c
#define SPR_AMR		29
#define SPR_IAMR	61
#define mtspr(n, v) __asm__ volatile("mtspr %0,%1; isync" : : "i"(n), "r"((uint64_t)(v)) : "memory")

/* Radix entries (Book III 6.7.10): big-endian doublewords. */
#define PTE_V		(1ull << 63)
#define PTE_L		(1ull << 62)
#define PTE_R		(1ull << 8)
#define PTE_C		(1ull << 7)
#define EAA_PRIV	(1ull << 3)
#define EAA_R		(1ull << 2)
#define EAA_RW		(1ull << 1)
#define EAA_X		(1ull << 0)
#define KERNEL_RWX	(PTE_R | PTE_C | EAA_PRIV | EAA_RW | EAA_X)
#define USER_RW		(PTE_R | PTE_C | EAA_RW)

static struct {
	uint32_t power_off;
	char bootargs[256];
} boot;

static uint64_t proc_table[512] __attribute__((aligned(4096)));
static uint64_t root[8192] __attribute__((aligned(65536)));
static uint64_t pool[24][512] __attribute__((aligned(4096)));
static unsigned pool_used;
static uint64_t page64k[8192] __attribute__((aligned(65536)));
static uint64_t pages[4][512] __attribute__((aligned(4096)));	/* 4K data pages */
static uint32_t code_page[1024] __attribute__((aligned(4096)));
static volatile uint64_t marker = 0x2222222222222222ull;

static void put(uint64_t *p, uint64_t v) { *(volatile uint64_t *)p = __builtin_bswap64(v); }
static uint64_t get(const uint64_t *p) { return __builtin_bswap64(*(volatile const uint64_t *)p); }
static void ptesync(void) { __asm__ volatile(".long 0x7c4004ac" : : : "memory"); }

static uint64_t *subdir(uint64_t *dir, unsigned index, unsigned nls)
{
	uint64_t e = get(&dir[index]);

	if (e & PTE_V)
		return (uint64_t *)(e & 0x0fffffffffffff00ull);
	uint64_t *sub = pool[pool_used++];
	for (unsigned i = 0; i < 512; i++)
		sub[i] = 0;
	put(&dir[index], PTE_V | (uint64_t)sub | nls);
	return sub;
}

/* Maps the 2^shift-byte page at ea to ra; returns the PTE. */
static uint64_t *map(uint64_t ea, uint64_t ra, unsigned shift, uint64_t bits)
{
	uint64_t a = ea & 0x000fffffffffffffull, leaf = PTE_V | PTE_L | (ra & 0x01fffffffffff000ull) | bits;
	uint64_t *l1 = subdir(root, (a >> 39) & 0x1fff, 9), *p;

	if (shift == 30) {
		p = &l1[(a >> 30) & 0x1ff];
	} else {
		uint64_t *l2 = subdir(l1, (a >> 30) & 0x1ff, 9);

		if (shift == 21) {
			p = &l2[(a >> 21) & 0x1ff];
		} else {
			unsigned nls = shift == 16 ? 5 : 9;
			uint64_t *l3 = subdir(l2, (a >> 21) & 0x1ff, nls);

			p = &l3[(a >> shift) & ((1u << nls) - 1)];
		}
	}
	put(p, leaf);
	ptesync();
	return p;
}

static unsigned lines;
static struct taken t;

static void report(const char *name, probe_fn *fn, long arg)
{
	vectors_arm(CANONICAL_MSR);
	long r = run_probe(fn, arg);

	vectors_read(&t);
	lines++;
	console_printf("@@PRIV@@ %s", name);
	if (!r)
		console_printf(" int=none r3=0x%lx\n", (uint64_t)probe_result);
	else if (t.vector == 0x300 || t.vector == 0x380)
		console_printf(" int=0x%lx dar=0x%lx dsisr=0x%lx srr0=+0x%lx srr1=0x%016lx\n", t.vector, t.dar,
			       t.vector == 0x300 ? t.dsisr : 0, t.srr0 - (uint64_t)fn, t.srr1);
	else
		console_printf(" int=0x%lx srr0=0x%lx srr1=0x%016lx\n", t.vector, t.srr0, t.srr1);
}

static void read_boot(uint64_t r3, uint64_t r5)
{
	if (r5) {
		of_init((uint32_t)r5);
		uint32_t v;

		if (of_getprop(of_finddevice("/rtas"), "power-off", &v, sizeof(v)) >= 4)
			boot.power_off = __builtin_bswap32(v);
		return;
	}
	const void *fdt = (const void *)r3;

	if (dt_valid(fdt))
		boot.power_off = dt_getprop_cell(fdt, dt_path_offset(fdt, "/rtas"), "power-off", 0);
}

/* Remaps `ea` from one data page to another behind the TLB, invalidates with `fn`, and loads it again. */
static void invalidate(const char *name, probe_fn *fn, uint64_t ea, uint64_t rb, uint64_t rs)
{
	map(ea, (uint64_t)pages[0], 12, USER_RW);
	rp_ea = ea;
	run_probe(rp_touch, 0);
	map(ea, (uint64_t)pages[1], 12, USER_RW);
	rp_rs = rs;
	report(name, fn, (long)rb);
}

void main(uint64_t r3, uint64_t r4, uint64_t r5, uint64_t msr, uint64_t entered_be)
{
	uint64_t tmp;

	(void)r4, (void)msr, (void)entered_be;
	console_printf("@@PRIV-START@@\n");
	read_boot(r3, r5);
	__asm__ volatile("bcl 20,31,1f\n1: mflr %0\n addi %0,%0,20\n mtsrr0 %0\n mtsrr1 %1\n rfid"
			 : "=&r"(tmp) : "r"(CANONICAL_MSR) : "lr", "memory");
	vectors_install();

	/* The first 16 MiB (vectors, this image, its stack) identity-mapped in quadrant 0 with 2M pages. */
	for (unsigned i = 0; i < 8192; i++)
		root[i] = 0;
	for (uint64_t a = 0; a < (16ull << 20); a += 2ull << 20)
		map(a, a, 21, KERNEL_RWX);
	const uint64_t rts = 52 - 31;
	for (unsigned i = 0; i < 512; i++)
		proc_table[i] = 0;
	put(&proc_table[0], ((rts & 0x18) << 58) | ((rts & 7) << 5) | (uint64_t)root | 13);
	long rc = hcall(H_REGISTER_PROC_TBL, 0x10 | 0x08 | 0x04 | 0x01, (uint64_t)proc_table, 0, 0, 0);
	lines++;
	console_printf("@@PRIV@@ register-proc-tbl rc=%ld\n", rc);

	for (unsigned i = 0; i < 4; i++)
		for (unsigned j = 0; j < 512; j++)
			pages[i][j] = 0x1000 * (i + 1) + j;
	for (unsigned j = 0; j < 8192; j++)
		page64k[j] = 0x64000000 + j;

	/* Each page size. */
	map(0x10000000, (uint64_t)pages[0], 12, USER_RW);
	report("load-4k", rp_load, 0x10000000 + 8 * 5);
	map(0x20000000, (uint64_t)page64k, 16, USER_RW);
	report("load-64k", rp_load, 0x20000000 + 8 * 7000);
	map(0x40000000, 0x400000, 21, USER_RW);
	report("load-2m", rp_load, 0x40000000 + ((uint64_t)&marker - 0x400000));
	map(0x4000000000ull, 0, 30, USER_RW);
	report("load-1g", rp_load, 0x4000000000ull + (uint64_t)&marker);
	report("store-4k", rp_store, 0x10000000 + 8);
	lines++;
	console_printf("@@PRIV@@ store-4k-landed value=0x%lx\n", pages[0][1]);

	/* Faults. */
	report("load-unmapped", rp_load, 0x30000008);
	report("store-unmapped", rp_store, 0x30000010);
	map(0x10001000, (uint64_t)pages[2], 12, PTE_R | PTE_C | EAA_R);
	report("load-readonly", rp_load, 0x10001000);
	report("store-readonly", rp_store, 0x10001018);
	report("load-quadrant1", rp_load, 0x4000000000001000ull);
	report("load-ea-bit11", rp_load, 0x0010000000000000ull);
	report("load-no-pte-level", rp_load, 0x0000800000000000ull);

	/* Instruction fetch. */
	code_page[0] = 0x38600007;	/* li r3,7 */
	code_page[1] = 0x4e800020;	/* blr */
	__asm__ volatile("dcbst 0,%0; sync; icbi 0,%0; sync; isync" : : "r"(code_page) : "memory");
	map(0x50000000, (uint64_t)code_page, 12, PTE_R | PTE_C | EAA_PRIV | EAA_R | EAA_X);
	report("call-exec", rp_call, 0x50000000);
	map(0x50001000, (uint64_t)code_page, 12, PTE_R | PTE_C | EAA_PRIV | EAA_RW);
	report("call-noexec", rp_call, 0x50001000);
	report("call-unmapped", rp_call, 0x50002000);
	report("call-quadrant2", rp_call, 0x8000000000002000ull);

	/* KUAP/KUEP: AMR/IAMR key 0 on privileged accesses to user pages. */
	/* Each on an address not used before: QEMU keeps permissions in its TLB across mtspr AMR; isync (the
	   context synchronisation the ISA asks for) does not drop them there.  phv's TLB tags them with AMR. */
	for (uint64_t ea = 0x10008000; ea < 0x1000b000; ea += 0x1000)
		map(ea, (uint64_t)pages[0], 12, USER_RW);
	mtspr(SPR_AMR, 3ull << 62);
	report("kuap-load-blocked", rp_load, 0x10008000);
	report("kuap-kernel-page-ok", rp_load, 0x400000);
	mtspr(SPR_AMR, 2ull << 62);
	report("kuap-load-read-open", rp_load, 0x10009000);
	report("kuap-store-write-closed", rp_store, 0x1000a000);
	mtspr(SPR_AMR, 0);
	map(0x50003000, (uint64_t)code_page, 12, PTE_R | PTE_C | EAA_R | EAA_X);
	mtspr(SPR_IAMR, 1ull << 62);
	report("kuep-call-user-page", rp_call, 0x50003000);
	mtspr(SPR_IAMR, 0);
	report("call-user-page", rp_call, 0x50003000);

	/* Reference and change recording. */
	uint64_t *p = map(0x10002000, (uint64_t)pages[3], 12, EAA_RW);
	report("rc-load-without-r", rp_load, 0x10002000);
	lines++;
	console_printf("@@PRIV@@ rc-after-load pte-r=%d pte-c=%d\n", !!(get(p) & PTE_R), !!(get(p) & PTE_C));
	p = map(0x10003000, (uint64_t)pages[3], 12, EAA_RW);
	report("rc-store-without-rc", rp_store, 0x10003008);
	lines++;
	console_printf("@@PRIV@@ rc-after-store pte-r=%d pte-c=%d\n", !!(get(p) & PTE_R), !!(get(p) & PTE_C));

	/* tlbie/tlbiel after a remap: the load must see the new page. */
	invalidate("tlbie-va-4k", rp_tlbie_va, 0x10004000, 0x10004000, 0);
	invalidate("tlbie-pid", rp_tlbie_pid, 0x10005000, 1 << 10, 0);
	invalidate("tlbie-lpid-ric2", rp_tlbie_all, 0x10006000, 2 << 10, 0);
	invalidate("tlbiel-va-4k", rp_tlbiel_va, 0x10007000, 0x10007000, 0);

	console_printf("@@PRIV-DONE@@ lines=%u\n", lines);
	if (boot.power_off) {
		console_printf("@@PAYLOAD-EXIT@@ power-off\n");
		console_flush();
		rtas_power_off(boot.power_off);
	}
	console_printf("@@PAYLOAD-EXIT@@ loop\n");
	console_flush();
	for (;;)
		;
}
