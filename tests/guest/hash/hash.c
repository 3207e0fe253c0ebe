/*
 * phv hash MMU payload: builds its page table through H_ENTER, loads the SLB with slbmte, turns relocation
 * on for one access at a time and prints one line per probe:
 *
 *   @@PRIV@@ <name> int=none r3=<value>
 *   @@PRIV@@ <name> int=<vector> dar=<DAR> dsisr=<DSISR> srr0=+<offset into the probe> srr1=<SRR1>
 *   @@PRIV@@ <name> rc=<hcall return> ...        (hcalls and SLB instructions, run with relocation off)
 *
 * ../compare_with_tcg.sh compares the lines with QEMU TCG's (the oracle) for POWER8, POWER9 and POWER10.
 * Nothing printed depends on the HPT's size or where the image sits, which differ between the two.  Reuses
 * the privileged payload's vectors and run_probe (../priv) and the radix payload's probes (../radix).
 */
#include <stdint.h>

#include "console.h"
#include "fdt.h"
#include "hcall.h"
#include "of_client.h"
#include "platform.h"
#include "rtas.h"
#include "vectors.h"

probe_fn rp_load, rp_store, rp_call;

#define CANONICAL_MSR	((1ull << 63) | (1ull << 12) | (1ull << 13) | (1ull << 1) | 1ull)
#define H_REMOVE	0x04
#define H_ENTER		0x08
#define H_READ		0x0c
#define H_CLEAR_MOD	0x10
#define H_CLEAR_REF	0x14
#define H_PROTECT	0x18
#define H_BULK_REMOVE	0x124
#define H_REGISTER_PROC_TBL	0x37c
#define H_EXACT		(1ull << (63 - 24))
#define H_READ_4	(1ull << (63 - 26))
#define H_AVPN		(1ull << (63 - 32))
#define H_ANDCOND	(1ull << (63 - 33))
#define SPR_AMR		29
#define SPR_IAMR	61
#define mtspr(n, v) __asm__ volatile("mtspr %0,%1; isync" : : "i"(n), "r"((uint64_t)(v)) : "memory")

/* HPTE (Book III 5.7.7.1, the layout the hcalls use) and SLB bits. */
#define V_V		1ull
#define V_L		4ull
#define V_B1T		(1ull << 62)
#define R_R		0x100ull
#define R_C		0x80ull
#define R_M		0x10ull
#define R_G		0x8ull
#define R_N		0x4ull
#define R_KEY5		0xa00ull	/* KEY_LO = key bits 2:4 = 0b101 */
#define SLB_V		0x08000000ull
#define SLB_KS		0x800ull
#define SLB_KP		0x400ull
#define SLB_N		0x200ull
#define LLP_64K		0x110ull
#define LLP_16M		0x100ull

static struct {
	uint32_t power_off;
} boot;

static uint64_t pages[8][512] __attribute__((aligned(4096)));	/* 4K data pages */
static uint64_t page64k[8192] __attribute__((aligned(65536)));
static uint32_t code_page[1024] __attribute__((aligned(4096)));
static volatile uint64_t marker = 0x2222222222222222ull;
static uint64_t group_mask;	/* PTE groups - 1, found with H_READ */

struct seg {
	uint64_t ea;		/* segment base */
	uint64_t vsid;
	int one_tb;
	unsigned base;		/* base page shift */
	uint64_t flags;		/* Ks, Kp, N */
};

static const struct seg seg_kernel = {0, 0x1000, 0, 16, 0};			/* the image, 64K pages */
static const struct seg seg_4k = {0x10000000, 0x1111, 0, 12, 0};
static const struct seg seg_64k = {0x20000000, 0x2222, 0, 16, 0};
static const struct seg seg_1t = {0x10000000000ull, 0x3333, 1, 12, 0};
static const struct seg seg_mpss = {0x30000000, 0x4444, 0, 12, 0};
static const struct seg seg_ks = {0x40000000, 0x5555, 0, 12, SLB_KS | SLB_KP};
static const struct seg seg_nx = {0x50000000, 0x6666, 0, 12, SLB_N};

static uint64_t slb_rs(const struct seg *s)
{
	uint64_t llp = s->base == 16 ? LLP_64K : s->base == 24 ? LLP_16M : 0;

	return (s->one_tb ? V_B1T | s->vsid << 24 : s->vsid << 12) | llp | s->flags;
}

static void slbmte(const struct seg *s, unsigned index)
{
	__asm__ volatile("slbmte %0,%1; isync" : : "r"(slb_rs(s)), "r"(s->ea | SLB_V | index) : "memory");
}

/* The primary PTE group of ea and the doubleword 0 a PTE for it holds (Book III 5.7.7.3-5.7.7.4). */
static uint64_t group_of(const struct seg *s, uint64_t ea)
{
	uint64_t off = ea & ((1ull << (s->one_tb ? 40 : 28)) - 1);
	uint64_t h = (s->one_tb ? s->vsid ^ (s->vsid << 25) : s->vsid) ^ (off >> s->base);

	return (h & group_mask) * 8;
}

static uint64_t v_of(const struct seg *s, uint64_t ea, int large)
{
	uint64_t off = ea & ((1ull << (s->one_tb ? 40 : 28)) - 1) & ~((1ull << s->base) - 1);

	return (s->one_tb ? V_B1T | s->vsid << 24 : s->vsid << 12) | ((off >> 16) & 0x3fffffffffffff80ull) |
	       (large ? V_L : 0) | V_V;
}

static long hc(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t out[8])
{
	uint64_t a[8] = {a1, a2, a3, a4, 0, 0, 0, 0};
	long rc = hcall8(op, a);

	if (out)
		for (int i = 0; i < 8; i++)
			out[i] = a[i];
	return rc;
}

static unsigned lines;

/* Enters a PTE for the access address ea (the group is that of ea's base page) mapping ra; returns its
   index, or -1 with a line saying why. */
static int64_t map(const char *name, const struct seg *s, uint64_t ea, uint64_t ra, unsigned shift, uint64_t r,
		   uint64_t lp)
{
	uint64_t out[8];
	long rc = hc(H_ENTER, 0, group_of(s, ea), v_of(s, ea, shift != 12),
		     (ra & ~((1ull << shift) - 1)) | lp << 12 | R_M | r, out);

	if (rc) {
		lines++;
		console_printf("@@PRIV@@ %s-enter rc=%ld\n", name, rc);
		return -1;
	}
	return (int64_t)out[0];
}

static struct taken t;

static void report(const char *name, probe_fn *fn, uint64_t arg)
{
	lines++;
	probe_report(name, fn, (long)arg, CANONICAL_MSR, &t);
}

/* R and C of the entry at index, as H_READ sees them. */
static void rc_line(const char *name, int64_t index)
{
	uint64_t out[8];
	long rc = hc(H_READ, 0, (uint64_t)index, 0, 0, out);

	lines++;
	console_printf("@@PRIV@@ %s rc=%ld r=%d c=%d\n", name, rc, !!(out[1] & R_R), !!(out[1] & R_C));
}

static void slb_probes(void)
{
	uint64_t e, v, f1, f2, cr1, cr2;

	__asm__ volatile("slbmfee %0,%1" : "=r"(e) : "r"(3ull));
	__asm__ volatile("slbmfev %0,%1" : "=r"(v) : "r"(3ull));
	lines++;
	console_printf("@@PRIV@@ slbmfe-1t esid=0x%lx vsid=0x%lx\n", e, v);
	__asm__ volatile("slbfee. %0,%2; mfcr %1" : "=r"(f1), "=r"(cr1) : "r"(seg_64k.ea + 0x1234) : "cr0");
	__asm__ volatile("slbfee. %0,%2; mfcr %1" : "=r"(f2), "=r"(cr2) : "r"(0x70000000ull) : "cr0");
	lines++;
	console_printf("@@PRIV@@ slbfee found=0x%lx cr0=%lx missing=0x%lx cr0=%lx\n", f1, (cr1 >> 28) & 0xe, f2,
		       (cr2 >> 28) & 0xe);
	__asm__ volatile("slbie %0; isync" : : "r"(seg_64k.ea) : "memory");
	report("load-after-slbie", rp_load, seg_64k.ea + 8);
	slbmte(&seg_64k, 2);
	report("load-after-slbmte", rp_load, seg_64k.ea + 8);
	/* slbia IH=0 keeps entry 0 (the image) and drops the rest. */
	__asm__ volatile(".long 0x7c0003e4; isync" : : : "memory");	/* slbia IH=0 */
	__asm__ volatile("slbmfee %0,%1" : "=r"(e) : "r"(0ull));
	__asm__ volatile("slbmfee %0,%1" : "=r"(v) : "r"(1ull));
	lines++;
	console_printf("@@PRIV@@ slbia-0 entry0-valid=%d entry1-valid=%d\n", !!(e & SLB_V), !!(v & SLB_V));
	report("load-after-slbia", rp_load, seg_4k.ea + 0x28);
}

void main(uint64_t r3, uint64_t r4, uint64_t r5, uint64_t msr, uint64_t entered_be)
{
	uint64_t tmp, out[8], pvr;

	(void)r4, (void)msr, (void)entered_be;
	console_printf("@@PRIV-START@@\n");
	boot.power_off = rtas_power_off_token(r3, r5);
	__asm__ volatile("bcl 20,31,1f\n1: mflr %0\n addi %0,%0,20\n mtsrr0 %0\n mtsrr1 %1\n rfid"
			 : "=&r"(tmp) : "r"(CANONICAL_MSR) : "lr", "memory");
	vectors_install();

	/* POWER9 and later may start radix (QEMU does): ask for hash without segment tables. */
	__asm__ volatile("mfpvr %0" : "=r"(pvr));
	if ((pvr >> 16) != 0x004d) {
		long rc = hc(H_REGISTER_PROC_TBL, 0x10 | 0x08, 0, 0, 0, 0);

		lines++;
		console_printf("@@PRIV@@ register-hash rc=%ld\n", rc);
	}
	/* The table's size: the first index H_READ refuses (a power of two, at least 2^14 entries). */
	uint64_t n = 1ull << 14;
	while (n < (1ull << 42) && hc(H_READ, 0, n, 0, 0, 0) == 0)
		n <<= 1;
	group_mask = n / 8 - 1;
	lines++;
	console_printf("@@PRIV@@ hpt-size-found beyond-rc=%ld last-rc=%ld\n", hc(H_READ, 0, n, 0, 0, 0),
		       hc(H_READ, 0, n - 1, 0, 0, 0));

	/* The image: 0..16M through 64K pages in a 64K-base segment (QEMU's pseries offers no 16M pages unless
	   cap-hpt-max-page-size says so); then the other segments. */
	for (uint64_t a = 0; a < (16ull << 20); a += 0x10000)
		map("kernel", &seg_kernel, a, a, 16, 0, 0x1);
	slbmte(&seg_kernel, 0);
	slbmte(&seg_4k, 1);
	slbmte(&seg_64k, 2);
	slbmte(&seg_1t, 3);
	slbmte(&seg_mpss, 4);
	slbmte(&seg_ks, 5);
	slbmte(&seg_nx, 6);

	for (unsigned i = 0; i < 8; i++)
		for (unsigned j = 0; j < 512; j++)
			pages[i][j] = 0x1000 * (i + 1) + j;
	for (unsigned j = 0; j < 8192; j++)
		page64k[j] = 0x64000000 + j;

	/* Each page size and segment size. */
	int64_t i4k = map("load-4k", &seg_4k, seg_4k.ea, (uint64_t)pages[0], 12, 2, 0);
	report("load-4k", rp_load, seg_4k.ea + 8 * 5);
	rc_line("rc-after-load", i4k);
	report("store-4k", rp_store, seg_4k.ea + 8);
	rc_line("rc-after-store", i4k);
	lines++;
	console_printf("@@PRIV@@ store-4k-landed value=0x%lx\n", pages[0][1]);
	map("load-64k", &seg_64k, seg_64k.ea + 8 * 7000, (uint64_t)page64k, 16, 2, 0x1);
	report("load-64k", rp_load, seg_64k.ea + 8 * 7000);
	report("load-64k-image", rp_load, (uint64_t)&marker);
	map("load-1t", &seg_1t, seg_1t.ea + 0x5000, (uint64_t)pages[1], 12, 2, 0);
	report("load-1t", rp_load, seg_1t.ea + 0x5000 + 8 * 3);
	/* 64K pages in a 4K segment are offered neither by KVM nor by QEMU: H_PARAMETER, then no PTE. */
	map("load-mpss-64k", &seg_mpss, seg_mpss.ea + 0x13000, (uint64_t)page64k, 16, 2, 0x7);
	report("load-mpss-64k", rp_load, seg_mpss.ea + 0x13000 + 8 * 9);

	/* Faults. */
	report("load-no-slb", rp_load, 0x60000008);
	report("store-no-slb", rp_store, 0x60000010);
	report("load-no-pte", rp_load, seg_4k.ea + 0x8008);
	report("store-no-pte", rp_store, seg_4k.ea + 0x8010);
	map("pp3", &seg_4k, seg_4k.ea + 0x1000, (uint64_t)pages[2], 12, 3, 0);
	report("load-pp3", rp_load, seg_4k.ea + 0x1000);
	report("store-pp3", rp_store, seg_4k.ea + 0x1018);
	/* Ks = 1: PP 00 no access, 01 read, 10 read/write. */
	map("ks-pp0", &seg_ks, seg_ks.ea, (uint64_t)pages[3], 12, 0, 0);
	report("load-ks-pp0", rp_load, seg_ks.ea);
	map("ks-pp1", &seg_ks, seg_ks.ea + 0x1000, (uint64_t)pages[3], 12, 1, 0);
	report("load-ks-pp1", rp_load, seg_ks.ea + 0x1000);
	report("store-ks-pp1", rp_store, seg_ks.ea + 0x1008);
	map("ks-pp2", &seg_ks, seg_ks.ea + 0x2000, (uint64_t)pages[3], 12, 2, 0);
	report("store-ks-pp2", rp_store, seg_ks.ea + 0x2008);
	/* AMR key 5, each on an address not used before (QEMU keeps permissions in its TLB across mtspr). */
	for (uint64_t ea = seg_4k.ea + 0x2000; ea < seg_4k.ea + 0x5000; ea += 0x1000)
		map("key5", &seg_4k, ea, (uint64_t)pages[4], 12, 2 | R_KEY5, 0);
	mtspr(SPR_AMR, 1ull << (63 - 11));
	report("amr-load-blocked", rp_load, seg_4k.ea + 0x2000);
	mtspr(SPR_AMR, 1ull << (63 - 10));
	report("amr-load-open", rp_load, seg_4k.ea + 0x3000);
	report("amr-store-blocked", rp_store, seg_4k.ea + 0x4000);
	mtspr(SPR_AMR, 0);

	/* Instruction fetch. */
	code_page[0] = 0x38600007;	/* li r3,7 */
	code_page[1] = 0x4e800020;	/* blr */
	__asm__ volatile("dcbst 0,%0; sync; icbi 0,%0; sync; isync" : : "r"(code_page) : "memory");
	map("call", &seg_4k, seg_4k.ea + 0x10000, (uint64_t)code_page, 12, 2, 0);
	report("call-exec", rp_call, seg_4k.ea + 0x10000);
	map("call-n", &seg_4k, seg_4k.ea + 0x11000, (uint64_t)code_page, 12, 2 | R_N, 0);
	report("call-n", rp_call, seg_4k.ea + 0x11000);
	/* Guarded: an I/O address (QEMU's H_ENTER allows no WIMG but 0010 for RAM; KVM allows any). */
	map("call-g", &seg_4k, seg_4k.ea + 0x12000, 0x800000000ull, 12, 2 | R_G | 0x20, 0);
	report("call-g", rp_call, seg_4k.ea + 0x12000);
	report("call-no-pte", rp_call, seg_4k.ea + 0x13000);
	report("call-no-slb", rp_call, 0x70000000);
	map("call-slb-n", &seg_nx, seg_nx.ea, (uint64_t)code_page, 12, 2, 0);
	report("call-slb-n", rp_call, seg_nx.ea);
	map("call-ks-pp0", &seg_ks, seg_ks.ea + 0x10000, (uint64_t)code_page, 12, 0, 0);
	report("call-ks-pp0", rp_call, seg_ks.ea + 0x10000);
	map("call-key5", &seg_4k, seg_4k.ea + 0x14000, (uint64_t)code_page, 12, 2 | R_KEY5, 0);
	mtspr(SPR_IAMR, 1ull << (63 - 11));
	report("call-iamr", rp_call, seg_4k.ea + 0x14000);
	mtspr(SPR_IAMR, 0);

	/* The hcalls. */
	int64_t ir = map("remove", &seg_4k, seg_4k.ea + 0x6000, (uint64_t)pages[5], 12, 2, 0);
	report("load-before-remove", rp_load, seg_4k.ea + 0x6000);
	uint64_t v6 = v_of(&seg_4k, seg_4k.ea + 0x6000, 0);
	long rc = hc(H_REMOVE, H_AVPN, (uint64_t)ir, (v6 & ~0x7full) ^ 0x80, 0, out);
	lines++;
	console_printf("@@PRIV@@ remove-wrong-avpn rc=%ld\n", rc);
	rc = hc(H_REMOVE, H_ANDCOND, (uint64_t)ir, V_V, 0, out);
	lines++;
	console_printf("@@PRIV@@ remove-andcond-fails rc=%ld\n", rc);
	rc = hc(H_REMOVE, H_AVPN, (uint64_t)ir, v6 & ~0x7full, 0, out);
	lines++;
	/* (Software bits aside: QEMU keeps one of its own there.) */
	console_printf("@@PRIV@@ remove rc=%ld v-matches=%d r=%d c=%d\n", rc, (out[0] & ~0x78ull) == v6, !!(out[1] & R_R),
		       !!(out[1] & R_C));
	report("load-after-remove", rp_load, seg_4k.ea + 0x6000);
	rc = hc(H_REMOVE, 0, (uint64_t)ir, 0, 0, out);
	lines++;
	console_printf("@@PRIV@@ remove-again rc=%ld\n", rc);

	int64_t ip = map("protect", &seg_4k, seg_4k.ea + 0x7000, (uint64_t)pages[6], 12, 2, 0);
	report("store-before-protect", rp_store, seg_4k.ea + 0x7000);
	rc = hc(H_PROTECT, 3, (uint64_t)ip, 0, 0, out);
	lines++;
	console_printf("@@PRIV@@ protect rc=%ld\n", rc);
	report("store-after-protect", rp_store, seg_4k.ea + 0x7008);
	report("load-after-protect", rp_load, seg_4k.ea + 0x7008);
	rc_line("rc-protected", ip);

	rc = hc(H_CLEAR_MOD, 0, (uint64_t)ip, 0, 0, out);
	lines++;
	console_printf("@@PRIV@@ clear-mod rc=%ld old-r=%d old-c=%d\n", rc, !!(out[0] & R_R), !!(out[0] & R_C));
	rc_line("rc-after-clear-mod", ip);
	rc = hc(H_CLEAR_REF, 0, (uint64_t)ip, 0, 0, out);
	lines++;
	console_printf("@@PRIV@@ clear-ref rc=%ld old-r=%d old-c=%d\n", rc, !!(out[0] & R_R), !!(out[0] & R_C));
	rc_line("rc-after-clear-ref", ip);
	report("load-after-clear-ref", rp_load, seg_4k.ea + 0x7010);
	rc_line("rc-after-reload", ip);
	rc = hc(H_CLEAR_REF, 0, (uint64_t)ir, 0, 0, out);
	lines++;
	console_printf("@@PRIV@@ clear-ref-invalid rc=%ld\n", rc);

	/* A full group; H_EXACT; H_READ_4; H_BULK_REMOVE of entries never used (R = C = 0). */
	const uint64_t full_ea = seg_4k.ea + 0x20000;
	const uint64_t g = group_of(&seg_4k, full_ea), vf = v_of(&seg_4k, full_ea, 0);
	int filled = 0;
	for (unsigned i = 0; i < 8; i++)
		filled += hc(H_ENTER, 0, g + 5, vf, ((uint64_t)pages[7] + 0) | R_M | 2, out) == 0 && out[0] == g + i;
	rc = hc(H_ENTER, 0, g, vf, (uint64_t)pages[7] | R_M | 2, out);
	lines++;
	console_printf("@@PRIV@@ enter-fill slots-in-order=%d ninth-rc=%ld\n", filled, rc);
	rc = hc(H_ENTER, H_EXACT, g + 6, vf, (uint64_t)pages[7] | R_M | 2, out);
	lines++;
	console_printf("@@PRIV@@ enter-exact-taken rc=%ld\n", rc);
	rc = hc(H_READ, H_READ_4, g + 6, 0, 0, out);
	lines++;
	console_printf("@@PRIV@@ read-4 rc=%ld v0=%d v3=%d r3-pp=%ld\n", rc, (out[0] & ~0x78ull) == vf, (out[6] & ~0x78ull) == vf,
		       (long)(out[7] & 3));
	uint64_t bulk[8] = {
		(1ull << 62) | g,                        0,
		(1ull << 62) | (2ull << 56) | (g + 1),   vf & ~0x7full,
		(1ull << 62) | (1ull << 56) | (g + 2),   V_V,
		3ull << 62,                              0,
	};
	rc = hcall8(H_BULK_REMOVE, bulk);
	lines++;
	console_printf("@@PRIV@@ bulk-remove rc=%ld resp0=0x%lx resp1=0x%lx resp2=0x%lx\n", rc, bulk[0] >> 56,
		       bulk[2] >> 56, bulk[4] >> 56);
	rc = hc(H_READ, H_READ_4, g, 0, 0, out);
	lines++;
	/* The valid bit only: QEMU keeps a software bit of its own in a removed entry's first doubleword. */
	console_printf("@@PRIV@@ after-bulk rc=%ld e0=%d e1=%d e2=%d\n", rc, (out[0] & V_V) != 0, (out[2] & V_V) != 0,
		       (out[4] & V_V) != 0);
	rc = hc(H_BULK_REMOVE, (1ull << 62) | (n + 0), 0, 0, 0, out);
	lines++;
	console_printf("@@PRIV@@ bulk-remove-bad-index rc=%ld resp=0x%lx\n", rc, out[0] >> 56);

	/* Argument checks. */
	rc = hc(H_ENTER, 0, n, vf, (uint64_t)pages[7] | R_M | 2, out);
	lines++;
	console_printf("@@PRIV@@ enter-beyond rc=%ld\n", rc);
	rc = hc(H_ENTER, 0, g, vf | V_L, ((uint64_t)pages[7] & ~0xffffull) | 0x3000 | R_M | 2, out);
	lines++;
	console_printf("@@PRIV@@ enter-bad-lp rc=%ld\n", rc);
	rc = hc(H_READ, 0, n, 0, 0, out);
	lines++;
	console_printf("@@PRIV@@ read-beyond rc=%ld\n", rc);
	rc = hc(H_PROTECT, 0, n, 0, 0, out);
	lines++;
	console_printf("@@PRIV@@ protect-beyond rc=%ld\n", rc);
	rc = hc(H_REMOVE, 0, n, 0, 0, out);
	lines++;
	console_printf("@@PRIV@@ remove-beyond rc=%ld\n", rc);

	slb_probes();

	console_printf("@@PRIV-DONE@@ lines=%u\n", lines);
	platform_exit(boot.power_off);
}
