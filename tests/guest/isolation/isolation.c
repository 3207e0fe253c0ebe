/*
 * phv isolation payload: probes the edges of what a guest was given and prints one line per probe, the
 * format of ../priv and ../radix, so ../compare_with_tcg.sh can hold each line against QEMU TCG's:
 *
 *   - real-mode loads, stores, larx/stcx., cache-block and quadword accesses at, across and far beyond the
 *     end of RAM (addresses are printed relative to the end, `end`, which the payload reads from
 *     /memory@0: phv-run and QEMU give different sizes);
 *   - the HPT hcalls with absurd indexes, flags and real page numbers, and H_RESIZE_HPT_* with shifts at
 *     and beyond both extremes;
 *   - a flood of every hcall number from 0 to 0x1000 in steps of 4 and a list of out-of-range ones, each
 *     with pseudo-random arguments: every return must be a PAPR status and the guest must run on unchanged;
 *   - radix translations whose leaves point beyond RAM (4K and a 1G page that RAM ends inside), and
 *     malformed trees: directories outside RAM, bad NLS, a loop back to the root, a leaf at the root;
 *     process-table entries with a bad size, a root outside RAM, zero, a PID beyond the table; and
 *     H_REGISTER_PROC_TBL with bad sizes, flags and a table outside RAM.
 *
 * Under phv a gpa in no slot is an MMIO exit and phv-run has no device there (loads read 0, stores vanish),
 * as under KVM; QEMU TCG raises a machine check instead.  oracle_differences.txt lists those lines.
 * The `fetch=` boot arguments (check_faults.sh) add what only phv can run.
 */
#include <stdint.h>

#include "console.h"
#include "fdt.h"
#include "hcall.h"
#include "of_client.h"
#include "platform.h"
#include "radix_tree.h"
#include "rtas.h"
#include "vectors.h"

probe_fn rp_load, rp_store, rp_call, iso_ld, iso_lbz, iso_std, iso_stb, iso_lmw, iso_lq, iso_ldarx, iso_stdcx,
	iso_dcbz, iso_dcbf_icbi, iso_ldbrx, iso_jump;

#define CANONICAL_MSR	((1ull << 63) | (1ull << 12) | (1ull << 13) | (1ull << 1) | 1ull)
#define mtspr(n, v) __asm__ volatile("mtspr %0,%1; isync" : : "i"(n), "r"((uint64_t)(v)) : "memory")
#define mfspr(n) ({ uint64_t v_; __asm__ volatile("mfspr %0,%1" : "=r"(v_) : "i"(n)); v_; })
#define SPR_PIDR	48

#define H_REMOVE		0x04
#define H_ENTER			0x08
#define H_READ			0x0c
#define H_PROTECT		0x18
#define H_SET_DABR		0x28
#define H_CEDE			0xe0
#define H_BULK_REMOVE		0x124
#define H_SET_XDABR		0x134
#define H_RESIZE_HPT_PREPARE	0x36c
#define H_RESIZE_HPT_COMMIT	0x370
#define H_REGISTER_PROC_TBL	0x37c
#define H_READ_4		(1ull << (63 - 26))

/* Radix entries (Book III 6.7.10): big-endian doublewords. */
#define PTE_R		(1ull << 8)
#define PTE_C		(1ull << 7)
#define EAA_PRIV	(1ull << 3)
#define EAA_R		(1ull << 2)
#define EAA_RW		(1ull << 1)
#define EAA_X		(1ull << 0)
#define KERNEL_RWX	(PTE_R | PTE_C | EAA_PRIV | EAA_RW | EAA_X)
#define USER_RW		(PTE_R | PTE_C | EAA_RW)
#define PRTB_FLAGS	(0x10 | 0x08 | 0x04 | 0x01)	/* radix, GTSE, table_size in args, ... */

static struct platform_info boot;

static uint64_t proc_table[512] __attribute__((aligned(4096)));
static uint64_t root[8192] __attribute__((aligned(65536)));
static uint64_t pool[24][512] __attribute__((aligned(4096)));
static struct radix_tree tree = {root, pool, 24, 0};
static volatile uint64_t canary[64] __attribute__((aligned(128)));
static uint64_t scratch[512] __attribute__((aligned(4096)));	/* the page H_ENTER's H_ZERO_PAGE may clear */

/* Everything cached for the partition's process scope goes: the malformed probes rewrite entries. */
#define TLBIE_W(rb, rs, ric, prs, r)	((31u << 26) | ((rs) << 21) | ((ric) << 18) | ((prs) << 17) | ((r) << 16) | \
					 ((rb) << 11) | (306u << 1))
static void flush_tlb(void)
{
	/* tlbie RB=2<<10 (IS=2: the whole LPID), RS=0, RIC=2 (all caches), PRS=1, R=1 */
	__asm__ volatile("li 5,2048; li 6,0; .long 0x7c4004ac; .long %0; eieio; .long 0x7c00046c; .long 0x7c4004ac"
			 : : "i"(TLBIE_W(5, 6, 2, 1, 1)) : "r5", "r6", "memory");
}

static unsigned lines;
static struct taken t;

/* An address near the end of RAM as "end+0x10"/"end-0x4", anything else as it is. */
static void print_addr(const char *key, uint64_t a)
{
	uint64_t e = boot.ram_end;

	if (a >= e && a - e < (1ull << 44))
		console_printf(" %s=end+0x%lx", key, a - e);
	else if (a < e && e - a <= 0x10000)
		console_printf(" %s=end-0x%lx", key, e - a);
	else
		console_printf(" %s=0x%lx", key, a);
}

static long report(const char *name, probe_fn *fn, long arg)
{
	vectors_arm(CANONICAL_MSR);
	long r = run_probe(fn, arg);

	vectors_read(&t);
	lines++;
	console_printf("@@PRIV@@ %s", name);
	if (!r) {
		console_printf(" int=none r3=0x%lx\n", (uint64_t)probe_result);
		return 0;
	}
	console_printf(" int=0x%lx", t.vector);
	if (t.vector == 0x300 || t.vector == 0x380 || t.vector == 0x600 || t.vector == 0x200)
		print_addr("dar", t.dar);
	if (t.vector == 0x300)	/* an Alignment interrupt leaves DSISR undefined since ISA 3.0 */
		console_printf(" dsisr=0x%lx", t.dsisr);
	if (t.srr0 >= (uint64_t)fn && t.srr0 - (uint64_t)fn < 0x100)
		console_printf(" srr0=+0x%lx", t.srr0 - (uint64_t)fn);
	else
		print_addr("srr0", t.srr0);
	console_printf(" srr1=0x%016lx\n", t.srr1);
	return 1;
}

static void line_rc(const char *name, long rc)
{
	lines++;
	console_printf("@@PRIV@@ %s rc=%ld\n", name, rc);
}

static long hc(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t a[8] = {a1, a2, a3, a4, 0, 0, 0, 0};

	return hcall8(op, a);
}

static int has_arg(const char *word)
{
	for (const char *p = boot.bootargs; *p; p++) {
		if (p != boot.bootargs && p[-1] != ' ')
			continue;
		const char *w = word, *q = p;
		while (*w && *q == *w)
			w++, q++;
		if (!*w && (*q == ' ' || *q == '\0'))
			return 1;
	}
	return 0;
}

/* bootargs "skip=a,b": what the VMM cannot run (compare_with_tcg.sh passes the phv-only names to QEMU). */
static int skipped(const char *name)
{
	for (const char *p = boot.bootargs; *p; p++) {
		if (p != boot.bootargs && p[-1] != ' ' && p[-1] != ',' && p[-1] != '=')
			continue;
		const char *w = name, *q = p;
		while (*w && *q == *w)
			w++, q++;
		if (!*w && (*q == ' ' || *q == ',' || *q == '\0'))
			return 1;
	}
	return 0;
}

/* "flood-0x14c": the name of one hcall number in the flood. */
static const char *flood_name(uint64_t op)
{
	static char name[32] = "flood-0x";
	unsigned n = 8, digits = 1;

	for (uint64_t v = op; v >>= 4;)
		digits++;
	for (unsigned i = 0; i < digits; i++)
		name[n + i] = "0123456789abcdef"[(op >> (4 * (digits - 1 - i))) & 15];
	name[n + digits] = '\0';
	return name;
}

/*
 * The HPT hcalls with indexes no table has (the largest HPT is 2^46 bytes, 2^42 entries), flags with every
 * reserved bit, and real page numbers outside RAM; the HPT resize hcalls with shifts below the minimum
 * (18) and above anything a partition may have.  Each must be refused with a PAPR status, nothing else.
 */
static void hpt_checks(void)
{
	static const struct {
		const char *name;
		uint64_t ptex;
	} bad[] = {{"all-ones", ~0ull}, {"bit63", 1ull << 63}, {"2p42", 1ull << 42}, {"2p40", 1ull << 40}};
	uint64_t a[8];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[48];
		const char *parts[] = {"enter", "remove", "protect", "read", "read4"};
		const uint64_t ops[] = {H_ENTER, H_REMOVE, H_PROTECT, H_READ, H_READ};
		for (unsigned j = 0; j < 5; j++) {
			unsigned n = 0;
			for (const char *s = "hpt-"; *s; s++)
				name[n++] = *s;
			for (const char *s = parts[j]; *s; s++)
				name[n++] = *s;
			name[n++] = '-';
			for (const char *s = bad[i].name; *s; s++)
				name[n++] = *s;
			name[n] = '\0';
			uint64_t flags = j == 4 ? H_READ_4 : 0;
			uint64_t ptex = j == 4 ? bad[i].ptex & ~3ull : bad[i].ptex;
			line_rc(name, hc(ops[j], flags, ptex, j == 0 ? 0x1000ull << 12 | 1 : 0, j == 0 ? 0x10 : 0));
		}
	}
	/* Every flag bit, on an index that exists. */
	line_rc("hpt-enter-all-flags", hc(H_ENTER, ~0ull, 0, 0x1234000ull | 1, (uint64_t)scratch | 0x10));
	line_rc("hpt-remove-all-flags", hc(H_REMOVE, ~0ull, 0, 0, 0));
	line_rc("hpt-protect-all-flags", hc(H_PROTECT, ~0ull, 0, 0, 0));
	/* A real page number outside RAM: coherent (M) as RAM would be, and cache-inhibited guarded as I/O. */
	line_rc("hpt-enter-rpn-beyond-ram", hc(H_ENTER, 0, 0, 0x1235000ull | 1, (boot.ram_end + (1ull << 30)) | 0x10 | 2));
	for (int i = 0; i < 8; i++)
		a[i] = 0;
	a[1] = 0, a[2] = 0x1236000ull | 1, a[3] = (boot.ram_end + (1ull << 30)) | 0x20 | 0x8 | 2;
	long rc = hcall8(H_ENTER, a);
	line_rc("hpt-enter-rpn-beyond-ram-io", rc);
	if (rc == 0)
		line_rc("hpt-remove-rpn-beyond-ram-io", hc(H_REMOVE, 0, a[0], 0, 0));	/* r4: the slot used */
	line_rc("hpt-enter-rpn-top", hc(H_ENTER, 0, 0, 0x1237000ull | 1, 0x00fffffffffff000ull | 0x10 | 2));
	/* H_BULK_REMOVE: four translation specifiers of garbage and one with an index beyond any table. */
	for (int i = 0; i < 8; i++)
		a[i] = 0;
	a[0] = ~0ull, a[1] = ~0ull, a[2] = (1ull << 62) | (1ull << 42), a[3] = 0, a[4] = 3ull << 62, a[5] = 7;
	a[6] = (2ull << 62) | ~(3ull << 62);
	rc = hcall8(H_BULK_REMOVE, a);
	lines++;
	console_printf("@@PRIV@@ hpt-bulk-remove-garbage rc=%ld resp0=0x%lx\n", rc, a[0] >> 56);
	/* HPT resizing: a shift of 0 cancels a pending prepare, 18 is the least, 46 the most the ISA allows. */
	line_rc("hpt-resize-prepare-shift1", hc(H_RESIZE_HPT_PREPARE, 0, 1, 0, 0));
	line_rc("hpt-resize-prepare-shift17", hc(H_RESIZE_HPT_PREPARE, 0, 17, 0, 0));
	line_rc("hpt-resize-prepare-shift47", hc(H_RESIZE_HPT_PREPARE, 0, 47, 0, 0));
	line_rc("hpt-resize-prepare-shift63", hc(H_RESIZE_HPT_PREPARE, 0, 63, 0, 0));
	line_rc("hpt-resize-prepare-shift-huge", hc(H_RESIZE_HPT_PREPARE, 0, ~0ull, 0, 0));
	line_rc("hpt-resize-prepare-flags", hc(H_RESIZE_HPT_PREPARE, ~0ull, 20, 0, 0));
	line_rc("hpt-resize-commit-unprepared", hc(H_RESIZE_HPT_COMMIT, 0, 63, 0, 0));
	line_rc("hpt-resize-prepare-cancel", hc(H_RESIZE_HPT_PREPARE, 0, 0, 0, 0));
}

/* PAPR return codes (LoPAPR "Hypervisor Call Return Codes"): success, the positive busy/partial family
   and the long-busy hints, and the negative errors (H_HARDWARE -1 down to the H_Pn and later codes). */
static int papr_status(long rc)
{
	return (rc >= 0 && rc <= 18) || (rc >= 9900 && rc <= 9905) || (rc < 0 && rc >= -160);
}

/* The hcalls the oracle cannot take (listed phv-only in oracle_differences.txt): phv prints a line for each,
   QEMU a "skipped" one, so that the two transcripts pair up. */
static const uint64_t oracle_skips[] = {0x14c};
static int skipped_somewhere(uint64_t op)
{
	for (unsigned i = 0; i < sizeof(oracle_skips) / sizeof(oracle_skips[0]); i++)
		if (oracle_skips[i] == op)
			return 1;
	return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * Every hcall number 0..0x1000 in steps of 4 and a list beyond the range (QEMU/KVM's private 0xf000
 * block, the nestedv1 ones, unaligned and absurd numbers), each with eight pseudo-random argument
 * registers.  A few are left out because a valid outcome of theirs stops this payload: H_CEDE (may sleep
 * until an interrupt this payload never enables), H_PUT_TERM_CHAR (would print the arguments into the
 * transcript). The state the hcalls must not touch (MSR, a canary, the stack) is checked afterwards.
 */
static void hcall_flood(void)
{
	static const uint64_t extra[] = {0x1004, 0x1ffc, 0x7ffc, 0xeffc, 0xf000, 0xf001, 0xf002, 0xf003, 0xf004,
					 0xf005, 0xf008, 0xf00c, 0xf010,
					 0xf800, 0xf804, 0xf808, 0xf80c, 0xf810, 0x10000, 0x80000000ull,
					 0xffffffffull, ~3ull, 3, 0x101, 0x8000000000000000ull};
	unsigned calls = 0, bad = 0, trace = has_arg("flood-trace");
	uint64_t msr_before, msr_after, sp_before, sp_after;

	for (unsigned i = 0; i < 64; i++)
		canary[i] = 0xc0ffee0000000000ull + i;
	__asm__ volatile("mfmsr %0; mr %1,1" : "=r"(msr_before), "=r"(sp_before));
	for (unsigned k = 0; k < 0x1000 / 4 + 1 + sizeof(extra) / sizeof(extra[0]); k++) {
		uint64_t op = k <= 0x1000 / 4 ? k * 4ull : extra[k - 0x1000 / 4 - 1];
		if (op == H_CEDE || op == H_PUT_TERM_CHAR)
			continue;
		if (skipped(flood_name(op))) {
			lines++;
			console_printf("@@PRIV@@ %s skipped\n", flood_name(op));
			continue;
		}
		uint64_t a[8];
		for (int i = 0; i < 8; i++)
			a[i] = next_random();
		if (trace) {
			console_printf("@@FLOOD@@ 0x%lx\n", op);
			console_flush();
		}
		long rc = hcall8(op, a);
		calls += !skipped_somewhere(op);	/* the same count where the oracle skips them */
		if (skipped_somewhere(op)) {
			lines++;
			console_printf("@@PRIV@@ %s papr=%d\n", flood_name(op), papr_status(rc));
		}
		if (!papr_status(rc)) {
			bad++;
			console_printf("@@FLOOD@@ hcall 0x%lx returned %ld, not a PAPR status\n", op, rc);
		}
	}
	/* Debug registers a random H_SET_DABR/H_SET_XDABR may have armed. */
	hc(H_SET_DABR, 0, 0, 0, 0);
	hc(H_SET_XDABR, 0, 0, 0, 0);
	__asm__ volatile("mfmsr %0; mr %1,1" : "=r"(msr_after), "=r"(sp_after));
	unsigned canary_ok = 1;
	for (unsigned i = 0; i < 64; i++)
		canary_ok &= canary[i] == 0xc0ffee0000000000ull + i;
	lines++;
	console_printf("@@PRIV@@ hcall-flood calls=%u not-papr=%u msr-same=%d sp-same=%d canary=%u\n", calls, bad,
		       msr_before == msr_after, sp_before == sp_after, canary_ok);
}

/*
 * Real mode: the end of RAM, across it and far beyond it.  `p` names the mode: "rm-hash" with the HPT in
 * use, where a guest's real mode goes through the VRMA (KVM-HV: no HPTE for the address, a DSI), "rm-radix"
 * after H_REGISTER_PROC_TBL, where it is partition-scoped only (a gpa in no slot: an MMIO exit).
 */
static char probe_name[64];
static const char *pname(const char *p, const char *name)
{
	unsigned n = 0;

	while (*p && n < sizeof(probe_name) - 1)
		probe_name[n++] = *p++;
	while (*name && n < sizeof(probe_name) - 1)
		probe_name[n++] = *name++;
	probe_name[n] = '\0';
	return probe_name;
}

static void real_mode_checks(const char *p)
{
	const uint64_t e = boot.ram_end;
	volatile uint64_t *last = (volatile uint64_t *)(e - 8);

	*last = 0x1122334455667788ull;
	report(pname(p, "-ld-last"), iso_ld, (long)(e - 8));
	report(pname(p, "-ld-end"), iso_ld, (long)e);
	report(pname(p, "-ld-straddle"), iso_ld, (long)(e - 4));
	report(pname(p, "-ldbrx-straddle"), iso_ldbrx, (long)(e - 2));
	report(pname(p, "-lbz-end"), iso_lbz, (long)e);
	report(pname(p, "-ld-end-1t"), iso_ld, (long)(e + (1ull << 40)));
	report(pname(p, "-ld-top-52bit"), iso_ld, (long)0x000ffffffffff000ull);
	report(pname(p, "-std-end"), iso_std, (long)e);
	report(pname(p, "-ld-end-after-store"), iso_ld, (long)e);
	report(pname(p, "-std-straddle"), iso_std, (long)(e - 4));
	lines++;
	console_printf("@@PRIV@@ %s-std-straddle-in-ram value=0x%lx\n", p, *last);
	*last = 0x1122334455667788ull;
	report(pname(p, "-stb-end"), iso_stb, (long)e);
	report(pname(p, "-lmw-straddle"), iso_lmw, (long)(e - 8));
	report(pname(p, "-lq-last"), iso_lq, (long)(e - 16));
	/* No MMIO exit can carry these: a DSI with DSISR "bad access" under radix, as KVM-HV gives. */
	report(pname(p, "-lq-end"), iso_lq, (long)e);
	report(pname(p, "-ldarx-end"), iso_ldarx, (long)e);
	report(pname(p, "-stdcx-end"), iso_stdcx, (long)e);
	report(pname(p, "-dcbz-end"), iso_dcbz, (long)e);
	report(pname(p, "-dcbf-icbi-end"), iso_dcbf_icbi, (long)e);
	lines++;
	console_printf("@@PRIV@@ %s-last-intact value=0x%lx\n", p, *last);
}

static void register_good(const char *name)
{
	long rc = hc(H_REGISTER_PROC_TBL, PRTB_FLAGS, (uint64_t)proc_table, 0, 0);
	if (name)
		line_rc(name, rc);
	flush_tlb();
}

/* Translation: leaves beyond RAM, malformed directories and process-table entries. */
static void radix_checks(void)
{
	const uint64_t e = boot.ram_end;

	for (unsigned i = 0; i < 8192; i++)
		root[i] = 0;
	for (uint64_t a = 0; a < (16ull << 20); a += 2ull << 20)
		radix_map(&tree, a, a, 21, KERNEL_RWX);
	const uint64_t rts = 52 - 31;
	const uint64_t good_prte = ((rts & 0x18) << 58) | ((rts & 7) << 5) | (uint64_t)root | 13;
	for (unsigned i = 0; i < 512; i++)
		proc_table[i] = 0;
	put(&proc_table[0], good_prte);
	register_good("register-proc-tbl");

	/* Leaves whose real address is beyond RAM: a 4K page, a pair of pages the end of RAM separates, and a
	   1G page at 0 that RAM (256 MiB or 1 GiB) ends inside or at. */
	radix_map(&tree, 0x70000000, e, 12, USER_RW);
	report("tr-ld-ra-end", rp_load, 0x70000000);
	report("tr-std-ra-end", rp_store, 0x70000008);
	radix_map(&tree, 0x70010000, e - 0x1000, 12, USER_RW);
	radix_map(&tree, 0x70011000, e, 12, USER_RW);
	report("tr-ld-straddle-pages", rp_load, 0x70010ffc);
	radix_map(&tree, 0x70020000, e + (1ull << 40), 12, USER_RW);
	report("tr-ld-ra-end-1t", rp_load, 0x70020000);
	radix_map(&tree, 0x70030000, 0x01fffffffffff000ull, 12, USER_RW);
	report("tr-ld-ra-top", rp_load, 0x70030010);
	radix_map(&tree, 0x8000000000ull, 0, 30, USER_RW);
	report("tr-1g-last-in-ram", rp_load, (long)(0x8000000000ull + e - 8));
	report("tr-1g-beyond-ram", rp_load, (long)(0x8000000000ull + (e & ((1ull << 30) - 1)) + 0x10));

	/* Malformed directories, each under a root entry of its own (2^39 bytes of EA each). */
	put(&root[16], PTE_V | 0x40000000000ull | 9);			/* the next level beyond RAM */
	put(&root[17], PTE_V | 0x00fffffffffff000ull | 9);		/* ... at the top of the field */
	put(&root[18], PTE_V | (uint64_t)pool[tree.pool_used++] | 3);		/* NLS 3: no such level size */
	put(&root[19], PTE_V | (uint64_t)root | 9);			/* back to the root */
	put(&root[20], PTE_V | (uint64_t)root | 13);			/* back to the root, root-sized */
	put(&root[21], PTE_V | PTE_L | KERNEL_RWX);			/* a leaf at the root level */
	/* The next level is the last page of RAM, its first and last entries 1G leaves onto RAM at 0. */
	uint64_t *last_page = (uint64_t *)(e - 0x1000);
	for (unsigned i = 0; i < 512; i++)
		last_page[i] = 0;
	put(&last_page[0], PTE_V | PTE_L | KERNEL_RWX);
	put(&last_page[511], PTE_V | PTE_L | KERNEL_RWX);
	put(&root[22], PTE_V | (e - 0x1000) | 9);
	ptesync();
	report("tree-pde-beyond-ram", rp_load, (long)(16ull << 39));
	report("tree-pde-top", rp_load, (long)(17ull << 39));
	report("tree-pde-nls3", rp_load, (long)(18ull << 39));
	report("tree-pde-loop-root", rp_load, (long)(19ull << 39));
	report("tree-pde-loop-root-nls13", rp_load, (long)(20ull << 39));
	report("tree-leaf-at-root", rp_load, (long)(21ull << 39) + 0x400000);
	report("tree-pde-last-ram-page-first", rp_load, (long)(22ull << 39) + 0x400000);
	report("tree-pde-last-ram-page-last", rp_load, (long)((22ull << 39) + (511ull << 30)) + 0x400000);
	report("tree-call-pde-beyond-ram", rp_call, (long)(16ull << 39) + 0x1000);

	/* Process-table entries for PID 1, reached through quadrant 0 with PIDR=1 (16 bytes per PID). */
	static const struct {
		const char *name;
		uint64_t prte0;
	} prt[] = {
		{"prt-rts-too-small", ((20ull & 0x18) << 58) | ((20ull & 7) << 5) | 13},
		{"prt-root-beyond-ram", ((rts & 0x18) << 58) | ((rts & 7) << 5) | 0x40000000000ull | 13},
		{"prt-root-nls9", ((rts & 0x18) << 58) | ((rts & 7) << 5) | 9},
		{"prt-zero", 0},
	};
	for (unsigned i = 0; i < sizeof(prt) / sizeof(prt[0]); i++) {
		uint64_t v = prt[i].prte0;
		if (v && !(v & 0x40000000000ull))
			v |= (uint64_t)root;
		put(&proc_table[2], v);
		ptesync();
		flush_tlb();
		mtspr(SPR_PIDR, 1);
		report(prt[i].name, rp_load, 0x10000);
		mtspr(SPR_PIDR, 0);
	}
	put(&proc_table[2], 0);
	mtspr(SPR_PIDR, 255);
	report("prt-pid-last-in-table", rp_load, 0x10000);
	mtspr(SPR_PIDR, 256);
	report("prt-pid-beyond-table", rp_load, 0x10000);
	mtspr(SPR_PIDR, 0xfffff);
	report("prt-pid-max", rp_load, 0x10000);
	mtspr(SPR_PIDR, 0);
	flush_tlb();
	report("prt-pid0-still-good", rp_load, 0x10000);

	/* H_REGISTER_PROC_TBL with what no table may have; then the good table again. */
	line_rc("prtbl-size-25", hc(H_REGISTER_PROC_TBL, PRTB_FLAGS, (uint64_t)proc_table, 0, 25));
	line_rc("prtbl-size-huge", hc(H_REGISTER_PROC_TBL, PRTB_FLAGS, (uint64_t)proc_table, 0, ~0ull));
	line_rc("prtbl-page-size-bad", hc(H_REGISTER_PROC_TBL, PRTB_FLAGS, (uint64_t)proc_table, 31, 0));
	line_rc("prtbl-flags-reserved", hc(H_REGISTER_PROC_TBL, ~0ull, (uint64_t)proc_table, 0, 0));
	line_rc("prtbl-base-unaligned", hc(H_REGISTER_PROC_TBL, PRTB_FLAGS, (uint64_t)proc_table + 0x800, 0, 0));
	report("prtbl-after-refusals", rp_load, 0x10000);
	line_rc("prtbl-base-beyond-ram", hc(H_REGISTER_PROC_TBL, PRTB_FLAGS, e + (1ull << 30), 0, 0));
	flush_tlb();
	report("prtbl-beyond-ram-load", rp_load, 0x10000);
	report("prtbl-beyond-ram-call", rp_call, 0x10000);
	register_good("prtbl-good-again");
	report("prtbl-good-again-load", rp_load, 0x10000);
}

void main(uint64_t r3, uint64_t r4, uint64_t r5, uint64_t msr, uint64_t entered_be)
{
	uint64_t tmp;

	(void)r4, (void)msr, (void)entered_be;
	console_printf("@@PRIV-START@@\n");
	platform_info_read(&boot, r3, r5);
	__asm__ volatile("bcl 20,31,1f\n1: mflr %0\n addi %0,%0,20\n mtsrr0 %0\n mtsrr1 %1\n rfid"
			 : "=&r"(tmp) : "r"(CANONICAL_MSR) : "lr", "memory");
	vectors_install();
	lines++;
	console_printf("@@PRIV@@ ram-end-found ok=%d\n", boot.ram_end >= (64ull << 20));
	if (boot.ram_end < (64ull << 20))
		boot.ram_end = 256ull << 20;

	/* check_faults.sh: a real-mode fetch beyond RAM through the VRMA (an ISI, the run goes on). */
	if (has_arg("fetch=real-hash-end"))
		report("fetch-real-hash-end", iso_jump, (long)boot.ram_end);

	/* POWER9 and later may start radix (QEMU does): ask for hash first, for the HPT hcalls. */
	uint64_t pvr;
	__asm__ volatile("mfpvr %0" : "=r"(pvr));
	const int radix = (pvr >> 16) != 0x004d;	/* POWER9 and later */
	if (radix)
		line_rc("register-hash", hc(H_REGISTER_PROC_TBL, 0x10 | 0x08, 0, 0, 0));
	hpt_checks();
	real_mode_checks("rm-hash");
	hcall_flood();
	if (radix) {
		radix_checks();
		real_mode_checks("rm-radix");
		if (has_arg("fetch=real-radix-end")) {
			console_printf("@@ISO@@ fetch real-radix-end\n");
			console_flush();
			report("fetch-real-radix-end", iso_jump, (long)boot.ram_end);
		}
	}

	if (has_arg("fetch=radix-end")) {
		radix_map(&tree, 0x70040000, boot.ram_end, 12, KERNEL_RWX);
		console_printf("@@ISO@@ fetch radix-end\n");
		console_flush();
		report("fetch-radix-end", rp_call, 0x70040000);
	}

	console_printf("@@PRIV-DONE@@ lines=%u\n", lines);
	platform_exit(boot.power_off);
}
