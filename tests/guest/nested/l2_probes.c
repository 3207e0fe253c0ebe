/*
 * Isolation probes from an L2 under this bare-metal L1 (tests/guest/isolation does the same for a guest of
 * the L0): the L2 stores and fetches outside its partition-scoped mapping, walks partition-scoped trees the
 * L1 made malformed, translates through process tables that are garbage, and calls every hcall number; the
 * L1 calls the nested hcalls with pointers outside its own memory. Every outcome must be an architected exit
 * to the L1 (HDSI/HISI with HDAR, HDSISR, ASDR; the L2's own interrupt; an hcall exit) or a PAPR status.
 * Check names start "v1-l2-" under nestedv1, which check_nested.sh compares with QEMU TCG's L0, "l2-" under
 * nestedv2.
 *
 * L2 real memory: 0..2M is L1 L2_MEM (code at 0x1000, vectors at 0x300..0xf80, its process table at
 * 0x10000 with a tree at 0x20000.. that maps EA 0..2M onto L2 real 0..2M), 8M..10M L2_MEM2 (mapped by
 * nested.c's HDSI check). The probes use L2 real addresses from 10M up, each region fresh, so no
 * translation the L0 may have cached from an earlier probe answers for them.
 */
#include <stdint.h>

#include "console.h"
#include "nested.h"

#define H_NOT_FOUND		(-7)
#define H_NO_MEM		(-9)
#define H_COPY_TOFROM_GUEST	0xf80c
#define H_INPUT_BUFFER_NOT_DEFINED	(-82)
#define H_OUTPUT_BUFFER_NOT_DEFINED	(-84)
#define GS_PROCESS_TABLE	0x0006

#define L2_PRT		0x10000ull	/* the L2's process table (L2 real), 4 KiB */
#define L2_PROOT	0x20000ull	/* its process-scoped root, 2^13 entries */
#define L2_PDIR1	0x30000ull
#define L2_PDIR2	0x31000ull
#define EAA_KERNEL	(PTE_R | PTE_C | 8 | 4 | 2 | 1)	/* privileged, read, read/write, execute */
#define DIR3		0x4012000ull	/* L1: a directory with a bad size for the malformed-tree probes */

static int v1;
static const char *prefix;

/* What an L2 run ended with. */
struct l2x {
	long rc;	/* the hcall's status (nestedv2), or H_ENTER_NESTED's return: the vector or an error */
	uint64_t vec, gpr[13], nia, msr, hdar, hdsisr, asdr;
};

static const char *skip_list;	/* "skip=NAME,NAME": probes an oracle cannot survive (check_nested.sh) */

static void full_name(char *name, unsigned size, const char *what)
{
	unsigned n = 0;

	for (const char *p = prefix; *p && n < size - 1; p++)
		name[n++] = *p;
	for (const char *p = what; *p && n < size - 1; p++)
		name[n++] = *p;
	name[n] = '\0';
}

static void name_check(const char *what, uint64_t got, uint64_t want)
{
	char name[64];

	full_name(name, sizeof(name), what);
	check(name, got, want);
}

/* 1 (and a "skipped" line) when the boot arguments ask to leave the probe out. */
static int skipped(const char *what)
{
	char name[64];

	full_name(name, sizeof(name), what);
	for (const char *p = skip_list; p && *p && *p != ' ';) {
		const char *q = name;

		while (*q && *p == *q)
			p++, q++;
		if (!*q && (!*p || *p == ',' || *p == ' ')) {
			console_printf("@@NESTED@@ %s skipped\n", name);
			return 1;
		}
		while (*p && *p != ',' && *p != ' ')
			p++;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Runs the L2 at nip with r3.. set from gprs (n of them) and MSR = 64-bit little-endian real mode. */
static void l2_run(uint64_t nip, const uint64_t *gprs, unsigned n, struct l2x *x)
{
	*x = (struct l2x){0};
	if (v1) {
		for (unsigned i = 0x80; i < 0xa0; i += 8)
			HV(i) = 0;
		HV(0x58) = tb_now() + HDEC_SLICE;
		NIP = nip;
		REG(0x108) = (1ull << 63) | 1;
		for (unsigned i = 0; i < n; i++)
			GPR(3 + i) = gprs[i];
		x->rc = hc(H_ENTER_NESTED, V1_HV, V1_REGS, 0, 0, 0).r3;
		x->vec = (uint64_t)x->rc;
		for (unsigned i = 0; i < 13; i++)
			x->gpr[i] = GPR(i);
		x->nia = NIP, x->msr = REG(0x108);
		x->hdar = HV(0x80), x->hdsisr = HV(0x88), x->asdr = HV(0x98);
		return;
	}
	struct gsb b;

	gsb_start(&b, SCRATCH);
	put64(&b, GS_NIA, nip);
	put64(&b, GS_MSR, (1ull << 63) | 1);
	put64(&b, GS_HDEC_EXPIRY, tb_now() + HDEC_SLICE);
	for (unsigned i = 0; i < n; i++)
		put64(&b, GS_GPR(3 + i), gprs[i]);
	set_state(0, &b);
	struct ret r = hc(H_GUEST_RUN_VCPU, 0, gid, 0, 0, 0);

	x->rc = r.r3;
	x->vec = r.r4;
	if (r.r3)
		return;
	for (unsigned i = 3; i < 13; i++)
		x->gpr[i] = gsb_find(RUN_OUT, GS_GPR(i));
	x->nia = gsb_find(RUN_OUT, GS_NIA), x->msr = gsb_find(RUN_OUT, GS_MSR);
	x->hdar = gsb_find(RUN_OUT, GS_HDAR), x->hdsisr = gsb_find(RUN_OUT, GS_HDSISR);
	x->asdr = gsb_find(RUN_OUT, GS_ASDR);
}

/* The L2's interrupt vectors: "li r3,vector; mfspr r4,DAR; mfspr r5,DSISR; sc 1" (LPCR[ILE]: little-endian). */
static void l2_vectors(void)
{
	static const uint16_t vecs[] = {0x100, 0x200, 0x300, 0x380, 0x400, 0x480, 0x500, 0x600, 0x700, 0x800,
					0x900, 0x980, 0xa00, 0xb00, 0xd00, 0xe00, 0xe20, 0xe40, 0xe60, 0xe80,
					0xea0, 0xf00, 0xf20, 0xf40, 0xf60, 0xf80};

	for (unsigned i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		volatile uint32_t *v = (volatile uint32_t *)(L2_MEM + vecs[i]);

		v[0] = (nested_l2_vector[0] & 0xffff0000u) | vecs[i];
		v[1] = nested_l2_vector[1];
		v[2] = nested_l2_vector[2];
		v[3] = nested_l2_vector[3];
	}
}

/* The L2's process table and tree, in its own memory: PID 0, EA 0..2M onto L2 real 0..2M. */
static void l2_process_tree(void)
{
	for (uint64_t a = L2_MEM + L2_PRT; a < L2_MEM + L2_PDIR2 + 0x1000; a += 8)
		be64(a, 0);
	const uint64_t rts = 52 - 31;

	be64(L2_MEM + L2_PRT, ((rts & 0x18) << 58) | ((rts & 7) << 5) | L2_PROOT | 13);
	be64(L2_MEM + L2_PROOT, PTE_V | L2_PDIR1 | 9);
	be64(L2_MEM + L2_PDIR1, PTE_V | L2_PDIR2 | 9);
	be64(L2_MEM + L2_PDIR2, PTE_V | PTE_L | 0 | EAA_KERNEL);
}

/* Points the L2 at a process table {base, bytes} (nestedv2: the element; nestedv1: PATE doubleword 1). */
static void l2_set_process_table(uint64_t base, uint64_t bytes)
{
	if (v1) {
		unsigned prts = 0;

		while ((0x1000ull << prts) < bytes)
			prts++;
		be64(V1_PATB + 16 + 8, base | prts);
		/* A new PATE: drop what the L0 cached for LPID 1 (RIC=2, IS=2, as kvmhv_flush_lpid). */
		hc(H_TLB_INVALIDATE, 0x90000, 1, 0x800, 0, 0);
		return;
	}
	struct gsb b;

	gsb_start(&b, SCRATCH);
	put128(&b, GS_PROCESS_TABLE, base, bytes);
	long rc = set_state(WIDE, &b);

	if (rc)
		console_printf("@@NESTED@@ note process table 0x%lx/0x%lx refused rc=%ld\n", base, bytes, rc);
}

/* Checks "<what>" = vec and "<what>-dar", "-dsisr", "-asdr" (HDAR/HDSISR/ASDR of an HDSI, or DAR/DSISR the
 * L2's own 0x300 stub reported in r4/r5; no ASDR then). */
static void report(const char *what, const struct l2x *x, uint64_t vec, uint64_t dar, uint64_t dsisr, uint64_t asdr)
{
	char n[48];
	unsigned k = 0;
	const int own = x->vec == 0xc00 && x->gpr[3] == 0x300;

	for (const char *p = what; *p && k < 30; p++)
		n[k++] = *p;
	n[k] = '\0';
	name_check(n, own ? 0x300 : x->vec, vec);
	const char *sfx[] = {"-dar", "-dsisr", "-asdr"};
	const uint64_t got[] = {own ? x->gpr[4] : x->hdar, own ? x->gpr[5] : x->hdsisr, x->asdr};
	const uint64_t want[] = {dar, dsisr, asdr};

	for (unsigned i = 0; i < (vec == 0x300 ? 2u : 3u); i++) {
		unsigned m = k;

		for (const char *p = sfx[i]; *p; p++)
			n[m++] = *p;
		n[m] = '\0';
		name_check(n, got[i], want[i]);
	}
}

/* An L2 data access (load or store) at L2 real ra must end in an HDSI naming it. */
static void hdsi_probe(const char *what, int store, uint64_t ra, uint64_t hdsisr)
{
	struct l2x x;
	uint64_t g[4] = {0, 0, ra, 0x1122334455667788ull};

	l2_run(l2_label(store ? nested_l2_store : nested_l2_load), g, 4, &x);
	report(what, &x, 0xe00, ra, hdsisr, ra);
}

#define HDSISR_NOPTE	0x40000000ull	/* bit 33: no translation */
#define HDSISR_STORE	0x02000000ull	/* bit 38 */
#define DSISR_BADCONFIG	0x00080000ull	/* bit 44: a tree shape the MMU does not support */
#define HDSISR_WALK	0x00020000ull	/* bit 46: the fault hit the walk of the L2's own tables */

/* Partition-scoped faults on addresses the L1 never mapped, and trees the L1 made malformed. */
static void partition_probes(uint64_t ram_end)
{
	struct l2x x;

	hdsi_probe("store-unmapped", 1, 0xa00010, HDSISR_NOPTE | HDSISR_STORE);
	hdsi_probe("load-top-52bit", 0, (1ull << 52) - 8, HDSISR_NOPTE);
	/* A fetch outside the mapping: HISI, ASDR = the address, the cause (bit 33) in SRR1's place (MSR). */
	l2_run(0xa20000, 0, 0, &x);
	name_check("fetch-unmapped", x.vec, 0xe20);
	name_check("fetch-unmapped-asdr", x.asdr, 0xa20000);
	name_check("fetch-unmapped-cause", x.msr & 0x40000000, 0x40000000);

	/* Malformed partition-scoped trees, each under L2 real addresses of its own (DIR1 entry k covers
	 * L2 real k GiB): a directory beyond L1 RAM (read as invalid entries, as QEMU reads unassigned memory;
	 * KVM's walker would say -EFAULT), a directory with NLS 3 and a loop back to the root (shapes POWER9/10
	 * do not walk: bad configuration), a directory in the last page of L1 RAM holding no leaf. Each an HDSI
	 * that names the address. */
	be64(DIR1 + 8 * 1, PTE_V | (ram_end + (1ull << 40)) | 9);
	for (uint64_t a = DIR3; a < DIR3 + 0x1000; a += 8)
		be64(a, PTE_V | PTE_L | L2_MEM | PTE_RWX);
	be64(DIR1 + 8 * 2, PTE_V | DIR3 | 3);
	be64(DIR1 + 8 * 3, PTE_V | ROOT | 13);
	be64(ROOT + 8 * 1, PTE_V | PTE_L | L2_MEM | PTE_RWX);
	be64(DIR1 + 8 * 4, PTE_V | (ram_end - 0x1000) | 9);	/* the last page of L1 RAM: zeros, no leaf */
	for (uint64_t a = ram_end - 0x1000; a < ram_end; a += 8)
		be64(a, 0);
	static const struct {
		const char *name;
		uint64_t ra, hdsisr;
	} trees[] = {
		{"tree-dir-beyond-l1-ram", 1ull << 30, HDSISR_NOPTE},
		{"tree-nls3", 2ull << 30, DSISR_BADCONFIG},
		{"tree-loop", 3ull << 30, DSISR_BADCONFIG},
		{"tree-dir-last-page", 4ull << 30, HDSISR_NOPTE},
	};
	for (unsigned i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		uint64_t g[3] = {0, 0, trees[i].ra + 0x10};

		l2_run(l2_label(nested_l2_load), g, 3, &x);
		report(trees[i].name, &x, 0xe00, trees[i].ra + 0x10, trees[i].hdsisr, trees[i].ra + 0x10);
	}
	/* A leaf at the root level: a 512 GiB page onto L2_MEM. The walk takes it, as QEMU's does and as phv's
	 * walk of a guest's own tree does (guest-isolation tree-leaf-at-root agrees with QEMU); KVM's walker
	 * refuses 512 GiB pages (-EINVAL). The load reads L1 RAM the L1 gave, nothing beyond. */
	uint64_t g[3] = {0, 0, (1ull << 39) + 0x10};

	l2_run(l2_label(nested_l2_load), g, 3, &x);
	name_check("tree-leaf-at-root", x.vec, 0xc00);
	name_check("tree-leaf-at-root-value", x.gpr[6], *(volatile uint64_t *)(L2_MEM + 0x10));
}

/* The L2 translating (MSR[DR]=1) through its own process table: a good one, then garbage. */
static void process_table_probes(void)
{
	struct l2x x;
	uint64_t g[3] = {0, 0, 0x1000};

	l2_process_tree();
	l2_set_process_table(L2_PRT, 0x1000);
	l2_run(l2_label(nested_l2_reloc_load), g, 3, &x);
	name_check("prt-good-exit", x.vec, 0xc00);
	name_check("prt-good-value", x.gpr[6], *(volatile uint64_t *)(L2_MEM + 0x1000));
	/* Each case: a table the L2 cannot use. What the L2's MMU cannot walk in its own memory is the L2's
	 * DSI (its 0x300 stub: r3 = 0x300, r4 = DAR, r5 = DSISR); what is outside the L2's partition-scoped
	 * mapping is an HDSI with HDSISR[46] (the walk of the L2's table), ASDR = the L2 real address the walk
	 * read (Book III 6.7.11 and the HDSI description in 7.5). */
	static const struct {
		const char *name;
		uint64_t base, bytes, entry0, vec, dsisr, asdr;
	} cases[] = {
		{"prt-beyond-l2", 0x40000000000ull, 0x1000, 0, 0xe00, HDSISR_NOPTE | HDSISR_WALK, 0x40000000000ull},
		{"prt-zero-entry", 0x12000, 0x1000, 0, 0x300, DSISR_BADCONFIG, 0},
		{"prt-root-beyond-l2", 0x13000, 0x1000, (5ull << 5) | (2ull << 61) | 0x50000000000ull | 13, 0xe00,
		 HDSISR_NOPTE | HDSISR_WALK, 0x50000000000ull},
		{"prt-garbage", 0x14000, 0x1000, ~0ull, 0x300, DSISR_BADCONFIG, 0},
		{"prt-nls-loop", 0x15000, 0x1000, (5ull << 5) | (2ull << 61) | 0x15000 | 9, 0x300, DSISR_BADCONFIG, 0},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].base < 0x200000) {
			for (uint64_t a = 0; a < 0x1000; a += 8)
				be64(L2_MEM + cases[i].base + a, cases[i].entry0 == ~0ull ? ~0ull : 0);
			be64(L2_MEM + cases[i].base, cases[i].entry0);
		}
		l2_set_process_table(cases[i].base, cases[i].bytes);
		g[2] = 0x2000 + 0x100 * i;
		l2_run(l2_label(nested_l2_reloc_load), g, 3, &x);
		report(cases[i].name, &x, cases[i].vec, g[2], cases[i].dsisr, cases[i].asdr);
	}
	l2_set_process_table(L2_PRT, 0x1000);
}

/* Every hcall number from the L2 must end its run with an 0xc00 exit to the L1, r3..r12 untouched: the L0
 * serves the L1, never the L2 (RTAS, the console, H_CEDE, the nested hcalls themselves included). */
static void hcall_flood(void)
{
	static const uint64_t extra[] = {0x1004, 0x2000, 0xf000, 0xf004, 0xf800, 0xf804, 0xf808, 0xf80c, 0xf810,
					 0x1001, 0x80000000ull, 1ull << 63, ~0ull};
	uint64_t seed = 0x9e3779b97f4a7c15ull, bad = 0, runs = 0, first_bad = ~0ull;
	struct l2x x;

	for (uint64_t k = 0; k <= 0x1000 / 4 + sizeof(extra) / sizeof(extra[0]); k++) {
		const uint64_t num = k <= 0x1000 / 4 ? 4 * k : extra[k - 0x1000 / 4 - 1];
		uint64_t g[10];

		g[0] = num;
		for (unsigned i = 1; i < 10; i++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			g[i] = seed;
		}
		if (num == 0x58) {		/* H_PUT_TERM_CHAR(0, 8, "L2LEAK!!"): must not reach the console */
			g[1] = 0, g[2] = 8, g[3] = 0x4c324c45414b2121ull;
		}
		l2_run(l2_label(nested_l2_sc), g, 10, &x);
		runs++;
		int ok = x.rc == (v1 ? 0xc00 : 0) && x.vec == 0xc00;

		for (unsigned i = 0; i < 10; i++)
			ok &= x.gpr[3 + i] == g[i];
		if (!ok) {
			bad++;
			if (first_bad == ~0ull) {
				first_bad = num;
				console_printf("@@NESTED@@ note %shcall-flood first bad 0x%lx rc=%ld vec=0x%lx r3=0x%lx\n",
					       prefix, num, x.rc, x.vec, x.gpr[3]);
			}
		}
	}
	console_printf("@@NESTED@@ note %shcall-flood runs=%lu\n", prefix, runs);
	name_check("hcall-flood", bad, 0);
}

/* The L1's nested hcalls with its own pointers outside its memory. */
static void l1_pointer_probes(uint64_t ram_end)
{
	if (v1) {
		static const struct {
			const char *name;
			uint64_t hv, regs;
		} enters[] = {
			{"enter-hv-beyond", 0, V1_REGS},	/* ram_end filled in below */
			{"enter-hv-straddle", 0x10, V1_REGS},
			{"enter-regs-beyond", V1_HV, 0},
			{"enter-regs-straddle", V1_HV, 0x20},
			{"enter-hv-top", ~0xfffull, V1_REGS},
		};
		for (unsigned i = 0; i < sizeof(enters) / sizeof(enters[0]); i++) {
			uint64_t hv = enters[i].hv, regs = enters[i].regs;

			if (i == 0)
				hv = ram_end + (1ull << 40);
			if (i == 1)
				hv = ram_end - 0x10;
			if (i == 2)
				regs = ram_end + (1ull << 40);
			if (i == 3)
				regs = ram_end - 0x20;
			if (skipped(enters[i].name))
				continue;
			name_check(enters[i].name, (uint64_t)hc(H_ENTER_NESTED, hv, regs, 0, 0, 0).r3, (uint64_t)H_PARAMETER);
		}
		/* H_COPY_TOFROM_GUEST(lpid, pid, eaddr, to, from, n) through the L2's tree at EA 0x1000. */
		struct ret r = {0};
		const struct {
			const char *name;
			uint64_t to, from, n;
			long want;
		} copies[] = {
			{"copy-from-l2", SCRATCH, 0, 16, 0},
			{"copy-to-l1-straddle", ram_end - 8, 0, 16, H_NOT_FOUND},
			{"copy-to-l1-beyond", ram_end + (1ull << 40), 0, 16, H_NOT_FOUND},
			{"copy-from-l1-straddle", 0, ram_end - 8, 16, H_NOT_FOUND},
			{"copy-huge", SCRATCH, 0, 1ull << 40, H_NO_MEM},
			{"copy-l2-ea-unmapped", SCRATCH, 0, 16, H_NOT_FOUND},
		};
		for (unsigned i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
			const uint64_t ea = i == 5 ? 0x400000 : 0x1000;

			if (skipped(copies[i].name))
				continue;

			r = hc6(H_COPY_TOFROM_GUEST, 1, 0, ea, copies[i].to, copies[i].from, copies[i].n);
			name_check(copies[i].name, (uint64_t)r.r3, (uint64_t)copies[i].want);
		}
		name_check("copy-from-l2-value", *(volatile uint64_t *)SCRATCH, *(volatile uint64_t *)(L2_MEM + 0x1000));
		return;
	}
	/* nestedv2: buffers outside L1 memory are H_P4 for GET/SET_STATE; run buffers the L0 cannot reach are
	 * H_INPUT/OUTPUT_BUFFER_NOT_DEFINED at H_GUEST_RUN_VCPU. */
	name_check("set-state-beyond", (uint64_t)hc(H_GUEST_SET_STATE, 0, gid, 0, ram_end + (1ull << 40), 16).r3,
		   (uint64_t)H_P4);
	name_check("set-state-straddle", (uint64_t)hc(H_GUEST_SET_STATE, 0, gid, 0, ram_end - 8, 32).r3,
		   (uint64_t)H_P4);
	name_check("get-state-straddle", (uint64_t)hc(H_GUEST_GET_STATE, 0, gid, 0, ram_end - 8, 32).r3,
		   (uint64_t)H_P4);
	name_check("get-state-top", (uint64_t)hc(H_GUEST_GET_STATE, 0, gid, 0, ~0xfull, 16).r3, (uint64_t)H_P4);
	struct gsb b;

	gsb_start(&b, SCRATCH);
	put128(&b, GS_RUN_INPUT, ram_end - 0x800, 0x1000);
	name_check("run-input-straddle-set", (uint64_t)set_state(0, &b), 0);
	name_check("run-input-straddle", (uint64_t)hc(H_GUEST_RUN_VCPU, 0, gid, 0, 0, 0).r3,
		   (uint64_t)H_INPUT_BUFFER_NOT_DEFINED);
	gsb_start(&b, SCRATCH);
	put128(&b, GS_RUN_INPUT, RUN_IN, 0x1000);
	put128(&b, GS_RUN_OUTPUT, ram_end + (1ull << 40), 0x1000);
	name_check("run-output-beyond-set", (uint64_t)set_state(0, &b), 0);
	name_check("run-output-beyond", (uint64_t)hc(H_GUEST_RUN_VCPU, 0, gid, 0, 0, 0).r3,
		   (uint64_t)H_OUTPUT_BUFFER_NOT_DEFINED);
	gsb_start(&b, SCRATCH);
	put128(&b, GS_RUN_OUTPUT, RUN_OUT, 0x1000);
	set_state(0, &b);
	/* A partition table whose root is beyond L1 RAM: accepted as an address, every L2 access then faults. */
	uint64_t pt[3] = {ram_end + (1ull << 40), 52, 0x10000};

	gsb_start(&b, SCRATCH);
	gsb_put(&b, GS_PARTITION_TABLE, 24, pt);
	name_check("partition-root-beyond-set", (uint64_t)set_state(WIDE, &b), 0);
	struct l2x x;
	uint64_t g[3] = {0, 0, 0x10};

	/* The first access is the fetch of the L2's code: HISI, ASDR its address, no translation (bit 33). */
	l2_run(l2_label(nested_l2_load), g, 3, &x);
	name_check("partition-root-beyond", x.vec, 0xe20);
	name_check("partition-root-beyond-asdr", x.asdr, l2_label(nested_l2_load));
	name_check("partition-root-beyond-cause", x.msr & 0x40000000, 0x40000000);
	pt[0] = ROOT;
	gsb_start(&b, SCRATCH);
	gsb_put(&b, GS_PARTITION_TABLE, 24, pt);
	set_state(WIDE, &b);
	l2_run(l2_label(nested_l2_load), g, 3, &x);
	name_check("partition-root-restored", x.vec, 0xc00);
}

void l2_probes(int api_v1, uint64_t ram_end, const char *skip)
{
	skip_list = skip;
	v1 = api_v1;
	prefix = v1 ? "v1-l2-" : "l2-";
	l2_vectors();
	partition_probes(ram_end);
	process_table_probes();
	hcall_flood();
	l1_pointer_probes(ram_end);
}

/* Maps L2 real 16M onto L1 memory that is not RAM and touches it from the L2. The L0 cannot serve such an
 * access (it is no L1 RAM and no device of the L1's VMM) and stops the VM with a message: check_nested.sh
 * expects that, and no host crash. */
void l2_fatal_probe(int api_v1, const char *name, uint64_t ram_end)
{
	v1 = api_v1;
	prefix = v1 ? "v1-l2-" : "l2-";
	l2_vectors();
	/* "load-end", "load-far", "fetch-end": the first byte beyond L1 RAM or 2^51 */
	const int far = name[5] == 'f', fetch = name[0] == 'f';
	const uint64_t target = far ? 1ull << 51 : ram_end;
	struct l2x x;
	uint64_t g[3] = {0, 0, 0x1000010};

	be64(DIR2 + 8 * 8, PTE_V | PTE_L | target | PTE_RWX);
	console_printf("@@NESTED@@ %sfatal-probe %s L1 0x%lx\n", prefix, name, target);
	console_flush();
	l2_run(fetch ? 0x1000000 : l2_label(nested_l2_load), g, 3, &x);
	console_printf("@@NESTED@@ %sfatal-probe-survived vec=0x%lx rc=%ld\n", prefix, x.vec, x.rc);
}
