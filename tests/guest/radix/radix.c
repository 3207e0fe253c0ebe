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
#include "platform.h"
#include "radix_tree.h"
#include "rtas.h"
#include "vectors.h"

extern uint64_t rp_rs, rp_ea;
probe_fn rp_load, rp_store, rp_call, rp_touch, rp_tlbie_va, rp_tlbie_pid, rp_tlbie_all, rp_tlbiel_va,
	rp_user, rp_sc_reloc;
extern char user_code_start[], user_code_end[], u_sc[], u_read_pmc1[], u_write_pmc1[], u_read_pmc5[],
	u_write_pmc5[], u_read_mmcr0[], u_write_mmcr0[], u_read_mmcr2[], u_write_mmcr2[], u_read_mmcra[],
	u_read_mmcr1[], u_write_mmcr1[], u_read_siar[], u_mfmsr[], u_mtmsrd[], u_read_srr0[], u_read_tb[],
	u_write_tar[], u_read_dscr[], u_read_spr50[], u_read_spr2[], u_tw[], u_sc1[], u_write_mmcra[], u_read_sdar[],
	u_read_sier[];

#define CANONICAL_MSR	((1ull << 63) | (1ull << 12) | (1ull << 13) | (1ull << 1) | 1ull)
#define H_REGISTER_PROC_TBL	0x37c
#define SPR_AMR		29
#define SPR_IAMR	61
#define mtspr(n, v) __asm__ volatile("mtspr %0,%1; isync" : : "i"(n), "r"((uint64_t)(v)) : "memory")
#define mfspr(n) ({ uint64_t v_; __asm__ volatile("mfspr %0,%1" : "=r"(v_) : "i"(n)); v_; })
#define SPR_DEC		22
#define SPR_FSCR	153
#define SPR_MMCR0	795
#define SPR_MMCR1	798
#define SPR_MMCR2	785
#define SPR_MMCRA	786
#define SPR_PMC1	787
#define SPR_PMC5	791
#define SPR_SIAR	796
#define H_SET_MODE	0x31c
#define USER_BASE	0x60000000ull	/* the user snippets' alias: user-executable, not privileged */

/* Radix entries (Book III 6.7.10): big-endian doublewords. */
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
static struct radix_tree tree = {root, pool, 24, 0};
static uint64_t page64k[8192] __attribute__((aligned(65536)));
static uint64_t pages[4][512] __attribute__((aligned(4096)));	/* 4K data pages */
static uint32_t code_page[1024] __attribute__((aligned(4096)));
static volatile uint64_t marker = 0x2222222222222222ull;


static unsigned lines;
static struct taken t;

static void report(const char *name, probe_fn *fn, long arg)
{
	lines++;
	probe_report(name, fn, arg, CANONICAL_MSR, &t);
}

/* Remaps `ea` from one data page to another behind the TLB, invalidates with `fn`, and loads it again. */
static void invalidate(const char *name, probe_fn *fn, uint64_t ea, uint64_t rb, uint64_t rs)
{
	radix_map(&tree, ea, (uint64_t)pages[0], 12, USER_RW);
	rp_ea = ea;
	run_probe(rp_touch, 0);
	radix_map(&tree, ea, (uint64_t)pages[1], 12, USER_RW);
	rp_rs = rs;
	report(name, fn, (long)rb);
}

static uint64_t user_ea(const char *sym) { return USER_BASE + (uint64_t)(sym - user_code_start); }

/* Runs a user snippet in problem state with relocation on; prints how it came back. */
static void user(const char *name, const char *suffix, const char *sym)
{
	mtspr(SPR_DEC, 0x7fffffff);	/* problem state runs with MSR[EE]=1 */
	mtspr(SPR_FSCR, 0);		/* FSCR[IC] as this probe leaves it (QEMU 7.2 ORs causes together) */
	vectors_arm(CANONICAL_MSR);
	run_probe(rp_user, (long)user_ea(sym));
	vectors_read(&t);
	lines++;
	console_printf("@@PRIV@@ %s%s int=0x%lx srr0=+0x%lx srr1=0x%016lx", name, suffix, t.vector,
		       t.srr0 - user_ea(sym), t.srr1);
	if ((t.vector & 0xfff) == 0xc00)
		console_printf(" ctr=0x%lx", t.ctr);
	if ((t.vector & 0xfff) == 0xf60)
		console_printf(" fscr-ic=%lu", mfspr(SPR_FSCR) >> 56);
}

/*
 * Problem state (Book III 4.4.4 and 10.4.4): privileged instructions and SPRs, FSCR-gated SPRs, traps, and
 * each problem-state view of the performance monitor under each MMCR0[PMCC] (counters frozen with MMCR0[FC]
 * so that their values are the same on every VMM), with the privileged registers as the probe left them.
 */
static void problem_state_checks(void)
{
	for (char *p = user_code_start; p < user_code_end; p += 4096)
		radix_map(&tree, user_ea(p), (uint64_t)p, 12, PTE_R | PTE_C | EAA_R | EAA_X);
	mtspr(SPR_FSCR, 0);
	static const struct {
		const char *name;
		char *sym;
	} plain[] = {
		{"user-sc", u_sc}, {"user-mfmsr", u_mfmsr}, {"user-mtmsrd", u_mtmsrd}, {"user-mfspr-srr0", u_read_srr0},
		{"user-mfspr-tb", u_read_tb}, {"user-mtspr-tar-fscr-off", u_write_tar},
		{"user-mfspr-dscr-fscr-off", u_read_dscr}, {"user-mfspr-50", u_read_spr50}, {"user-mfspr-2", u_read_spr2},
		{"user-tw", u_tw}, {"user-sc1", u_sc1},
	}, pmu[] = {
		{"user-read-pmc1", u_read_pmc1}, {"user-write-pmc1", u_write_pmc1}, {"user-read-pmc5", u_read_pmc5},
		{"user-write-pmc5", u_write_pmc5}, {"user-read-mmcr0", u_read_mmcr0}, {"user-write-mmcr0", u_write_mmcr0},
		{"user-read-mmcr2", u_read_mmcr2}, {"user-write-mmcr2", u_write_mmcr2}, {"user-read-mmcra", u_read_mmcra},
		{"user-write-mmcra", u_write_mmcra},
		{"user-read-mmcr1", u_read_mmcr1}, {"user-write-mmcr1", u_write_mmcr1}, {"user-read-siar", u_read_siar},
	};
	for (unsigned i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		user(plain[i].name, "", plain[i].sym);
		console_printf("\n");
	}
	static const char *const pmcc_name[] = {"-pmcc0", "-pmcc1", "-pmcc2", "-pmcc3"};
	for (unsigned pmcc = 0; pmcc < 4; pmcc++)
		for (unsigned i = 0; i < sizeof(pmu) / sizeof(pmu[0]); i++) {
			mtspr(SPR_MMCR0, 0x80000000ull | (uint64_t)pmcc << 18);	/* FC, PMCC */
			mtspr(SPR_MMCR1, 0);
			mtspr(SPR_MMCR2, ~0ull);
			mtspr(SPR_MMCRA, 0);
			mtspr(SPR_PMC1, 0x1111);
			mtspr(SPR_PMC5, 0x5555);
			mtspr(SPR_SIAR, 0x5a5a0);
			user(pmu[i].name, pmcc_name[pmcc], pmu[i].sym);
			console_printf(" mmcr0=0x%lx mmcr2=0x%lx mmcra=0x%lx pmc1=0x%lx pmc5=0x%lx\n",
				       mfspr(SPR_MMCR0), mfspr(SPR_MMCR2), mfspr(SPR_MMCRA), mfspr(SPR_PMC1),
				       mfspr(SPR_PMC5));
		}
	/*
	 * MMCR0[PMCCEXT] (ISA 3.1, bit 54) with PMCC=00, as Linux leaves MMCR0 on POWER10: group B (SIER, SIAR,
	 * SDAR, MMCR1) is no longer readable in problem state, group A (PMC1) still is. On POWER9 the bit is
	 * reserved and the reads succeed; QEMU TCG does not model it (oracle_differences.txt).
	 */
	static const struct {
		const char *name;
		char *sym;
	} pmccext[] = {
		{"user-read-sier", u_read_sier}, {"user-read-siar", u_read_siar}, {"user-read-sdar", u_read_sdar},
		{"user-read-mmcr1", u_read_mmcr1}, {"user-read-pmc1", u_read_pmc1},
	};
	for (unsigned i = 0; i < sizeof(pmccext) / sizeof(pmccext[0]); i++) {
		mtspr(SPR_MMCR0, 0x80000000ull | 0x200);	/* FC, PMCC=00, PMCCEXT */
		mtspr(SPR_MMCR1, 0);
		mtspr(SPR_PMC1, 0x1111);
		mtspr(SPR_SIAR, 0x5a5a0);
		user(pmccext[i].name, "-pmccext", pmccext[i].sym);
		console_printf(" mmcr0=0x%lx\n", mfspr(SPR_MMCR0));
	}
	mtspr(SPR_MMCR0, 0x80000000ull);
}

/*
 * LPCR[AIL]=3 (H_SET_MODE): an interrupt taken with relocation on goes to 0xc000_0000_0000_4000 + the vector
 * offset with IR/DR on (Book III 7.5, "Alternate Interrupt Location"); the stubs at 0x4000 + vector tell.
 */
static void ail_checks(void)
{
	vectors_install_ail();
	long rc = hcall(H_SET_MODE, 3, 3, 0, 0, 0);

	lines++;
	console_printf("@@PRIV@@ ail3-set rc=%ld\n", rc);
	vectors_arm(CANONICAL_MSR);
	run_probe(rp_sc_reloc, 0);
	vectors_read(&t);
	lines++;
	console_printf("@@PRIV@@ ail3-sc-relocated int=0x%lx srr0=+0x%lx srr1=0x%016lx msr=0x%016lx\n", t.vector,
		       t.srr0 - (uint64_t)rp_sc_reloc, t.srr1, t.msr);
	report("ail3-dsi-relocated", rp_load, 0x30000008);
	user("ail3-user-sc", "", u_sc);
	console_printf(" msr=0x%016lx\n", t.msr);
	user("ail3-user-mfmsr", "", u_mfmsr);
	console_printf(" msr=0x%016lx\n", t.msr);
	hcall(H_SET_MODE, 0, 3, 0, 0, 0);
	user("ail0-user-sc", "", u_sc);
	console_printf(" msr=0x%016lx\n", t.msr);
}

void main(uint64_t r3, uint64_t r4, uint64_t r5, uint64_t msr, uint64_t entered_be)
{
	uint64_t tmp;

	(void)r4, (void)msr, (void)entered_be;
	console_printf("@@PRIV-START@@\n");
	boot.power_off = rtas_power_off_token(r3, r5);
	__asm__ volatile("bcl 20,31,1f\n1: mflr %0\n addi %0,%0,20\n mtsrr0 %0\n mtsrr1 %1\n rfid"
			 : "=&r"(tmp) : "r"(CANONICAL_MSR) : "lr", "memory");
	vectors_install();

	/* The first 16 MiB (vectors, this image, its stack) identity-mapped in quadrant 0 with 2M pages. */
	for (unsigned i = 0; i < 8192; i++)
		root[i] = 0;
	for (uint64_t a = 0; a < (16ull << 20); a += 2ull << 20)
		radix_map(&tree, a, a, 21, KERNEL_RWX);
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
	radix_map(&tree, 0x10000000, (uint64_t)pages[0], 12, USER_RW);
	report("load-4k", rp_load, 0x10000000 + 8 * 5);
	radix_map(&tree, 0x20000000, (uint64_t)page64k, 16, USER_RW);
	report("load-64k", rp_load, 0x20000000 + 8 * 7000);
	radix_map(&tree, 0x40000000, 0x400000, 21, USER_RW);
	report("load-2m", rp_load, 0x40000000 + ((uint64_t)&marker - 0x400000));
	radix_map(&tree, 0x4000000000ull, 0, 30, USER_RW);
	report("load-1g", rp_load, 0x4000000000ull + (uint64_t)&marker);
	report("store-4k", rp_store, 0x10000000 + 8);
	lines++;
	console_printf("@@PRIV@@ store-4k-landed value=0x%lx\n", pages[0][1]);

	/* Faults. */
	report("load-unmapped", rp_load, 0x30000008);
	report("store-unmapped", rp_store, 0x30000010);
	radix_map(&tree, 0x10001000, (uint64_t)pages[2], 12, PTE_R | PTE_C | EAA_R);
	report("load-readonly", rp_load, 0x10001000);
	report("store-readonly", rp_store, 0x10001018);
	report("load-quadrant1", rp_load, 0x4000000000001000ull);
	report("load-ea-bit11", rp_load, 0x0010000000000000ull);
	report("load-no-pte-level", rp_load, 0x0000800000000000ull);

	/* Instruction fetch. */
	code_page[0] = 0x38600007;	/* li r3,7 */
	code_page[1] = 0x4e800020;	/* blr */
	__asm__ volatile("dcbst 0,%0; sync; icbi 0,%0; sync; isync" : : "r"(code_page) : "memory");
	radix_map(&tree, 0x50000000, (uint64_t)code_page, 12, PTE_R | PTE_C | EAA_PRIV | EAA_R | EAA_X);
	report("call-exec", rp_call, 0x50000000);
	radix_map(&tree, 0x50001000, (uint64_t)code_page, 12, PTE_R | PTE_C | EAA_PRIV | EAA_RW);
	report("call-noexec", rp_call, 0x50001000);
	report("call-unmapped", rp_call, 0x50002000);
	report("call-quadrant2", rp_call, 0x8000000000002000ull);

	/* KUAP/KUEP: AMR/IAMR key 0 on privileged accesses to user pages. */
	/* Each on an address not used before: QEMU keeps permissions in its TLB across mtspr AMR; isync (the
	   context synchronisation the ISA asks for) does not drop them there.  phv's TLB tags them with AMR. */
	for (uint64_t ea = 0x10008000; ea < 0x1000b000; ea += 0x1000)
		radix_map(&tree, ea, (uint64_t)pages[0], 12, USER_RW);
	mtspr(SPR_AMR, 3ull << 62);
	report("kuap-load-blocked", rp_load, 0x10008000);
	report("kuap-kernel-page-ok", rp_load, 0x400000);
	mtspr(SPR_AMR, 2ull << 62);
	report("kuap-load-read-open", rp_load, 0x10009000);
	report("kuap-store-write-closed", rp_store, 0x1000a000);
	mtspr(SPR_AMR, 0);
	radix_map(&tree, 0x50003000, (uint64_t)code_page, 12, PTE_R | PTE_C | EAA_R | EAA_X);
	mtspr(SPR_IAMR, 1ull << 62);
	report("kuep-call-user-page", rp_call, 0x50003000);
	mtspr(SPR_IAMR, 0);
	report("call-user-page", rp_call, 0x50003000);

	/* Reference and change recording. */
	uint64_t *p = radix_map(&tree, 0x10002000, (uint64_t)pages[3], 12, EAA_RW);
	report("rc-load-without-r", rp_load, 0x10002000);
	lines++;
	console_printf("@@PRIV@@ rc-after-load pte-r=%d pte-c=%d\n", !!(get(p) & PTE_R), !!(get(p) & PTE_C));
	p = radix_map(&tree, 0x10003000, (uint64_t)pages[3], 12, EAA_RW);
	report("rc-store-without-rc", rp_store, 0x10003008);
	lines++;
	console_printf("@@PRIV@@ rc-after-store pte-r=%d pte-c=%d\n", !!(get(p) & PTE_R), !!(get(p) & PTE_C));

	/* tlbie/tlbiel after a remap: the load must see the new page. */
	invalidate("tlbie-va-4k", rp_tlbie_va, 0x10004000, 0x10004000, 0);
	invalidate("tlbie-pid", rp_tlbie_pid, 0x10005000, 1 << 10, 0);
	invalidate("tlbie-lpid-ric2", rp_tlbie_all, 0x10006000, 2 << 10, 0);
	invalidate("tlbiel-va-4k", rp_tlbiel_va, 0x10007000, 0x10007000, 0);

	problem_state_checks();
	ail_checks();

	console_printf("@@PRIV-DONE@@ lines=%u\n", lines);
	platform_exit(boot.power_off);
}
