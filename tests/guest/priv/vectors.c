/*
 * The guest takes interrupts big-endian: LPCR[ILE] stays 0 (H_SET_MODE only ever asks for big-endian),
 * the same under phv-run and QEMU.  So each vector holds a three-word big-endian stub that saves r12 in SPRG2, loads
 * vector >> 4 into r12 and branches to a common big-endian handler.  That handler stores SRR0, SRR1, the
 * MSR it runs with, LR, CTR, DAR and DSISR into a save area (real addresses < 32 KiB, reachable with RA=0)
 * and rfids to probe_resume in little-endian mode.  Values in the save area are big-endian.
 */
#include "console.h"
#include "vectors.h"

#define SAVE		0x2f00
#define S_SRR0		(SAVE + 0x00)
#define S_SRR1		(SAVE + 0x08)
#define S_MSR		(SAVE + 0x10)
#define S_VEC		(SAVE + 0x18)
#define S_RESUME	(SAVE + 0x20)
#define S_RESUME_MSR	(SAVE + 0x28)
#define S_COUNT		(SAVE + 0x30)
#define S_DAR		(SAVE + 0x38)
#define S_DSISR		(SAVE + 0x40)
#define S_LR		(SAVE + 0x48)
#define S_CTR		(SAVE + 0x50)
#define COMMON		0x2000

extern char probe_resume[];

/* Encodings (Power ISA 3.1 Book I forms). */
#define R12 12
static uint32_t mtspr(unsigned spr, unsigned rs)
{
	return 31u << 26 | rs << 21 | (spr & 0x1f) << 16 | (spr >> 5) << 11 | 467u << 1;
}
static uint32_t mfspr(unsigned rt, unsigned spr)
{
	return 31u << 26 | rt << 21 | (spr & 0x1f) << 16 | (spr >> 5) << 11 | 339u << 1;
}
static uint32_t addi(unsigned rt, unsigned ra, int si) { return 14u << 26 | rt << 21 | ra << 16 | (si & 0xffff); }
static uint32_t std_(unsigned rs, int ds) { return 62u << 26 | rs << 21 | (ds & 0xfffc); }
static uint32_t ld(unsigned rt, int ds) { return 58u << 26 | rt << 21 | (ds & 0xfffc); }
static uint32_t branch(long off) { return 18u << 26 | ((uint32_t)off & 0x3fffffc); }
static uint32_t mfmsr(unsigned rt) { return 31u << 26 | rt << 21 | 83u << 1; }
static uint32_t mflr(unsigned rt) { return mfspr(rt, 8); }
static uint32_t mfctr(unsigned rt) { return mfspr(rt, 9); }
#define RFID (19u << 26 | 18u << 1)

static void put_be(uint64_t addr, uint32_t w) { *(volatile uint32_t *)addr = __builtin_bswap32(w); }
static void put64(uint64_t addr, uint64_t v) { *(volatile uint64_t *)addr = __builtin_bswap64(v); }
static uint64_t get64(uint64_t addr) { return __builtin_bswap64(*(volatile uint64_t *)addr); }

static void sync_icache(uint64_t from, uint64_t to)
{
	for (uint64_t p = from; p < to; p += 32)
		__asm__ volatile("dcbst 0,%0; sync; icbi 0,%0" : : "r"(p) : "memory");
	__asm__ volatile("sync; isync" : : : "memory");
}

static void stub(uint64_t v)
{
	put_be(v, mtspr(274, R12));			/* SPRG2 = r12 */
	put_be(v + 4, addi(R12, 0, (int)(v >> 4)));
	put_be(v + 8, branch((long)COMMON - (long)(v + 8)));
}

static const uint16_t vecs[] = {
	0x300, 0x380, 0x400, 0x480, 0x500, 0x600, 0x700, 0x800, 0x900, 0x980, 0xa00, 0xb00,
	0xc00, 0xd00, 0xe00, 0xe20, 0xe40, 0xe60, 0xe80, 0xea0, 0xf00, 0xf20, 0xf40, 0xf60, 0xf80,
};

void vectors_install_ail(void)
{
	for (unsigned i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		stub(0x4000 + vecs[i]);
	sync_icache(0x4000, 0x5000);
}

void vectors_install(void)
{
	for (unsigned i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		stub(vecs[i]);
	for (unsigned lev = 0; lev < 4; lev++)
		stub(0x17000 + 0x20 * lev);

	uint64_t a = COMMON;
	const uint32_t code[] = {
		std_(R12, S_VEC),
		mfspr(R12, 26), std_(R12, S_SRR0),
		mfspr(R12, 27), std_(R12, S_SRR1),
		mfmsr(R12), std_(R12, S_MSR),
		mflr(R12), std_(R12, S_LR),
		mfctr(R12), std_(R12, S_CTR),
		mfspr(R12, 19), std_(R12, S_DAR),
		mfspr(R12, 18), std_(R12, S_DSISR),
		ld(R12, S_COUNT), addi(R12, R12, 1), std_(R12, S_COUNT),
		ld(R12, S_RESUME), mtspr(26, R12),
		ld(R12, S_RESUME_MSR), mtspr(27, R12),
		mfspr(R12, 274),
		RFID,
	};
	for (unsigned i = 0; i < sizeof(code) / sizeof(code[0]); i++, a += 4)
		put_be(a, code[i]);
	sync_icache(0, 0x3000);
	sync_icache(0x17000, 0x17100);
}

void vectors_arm(uint64_t resume_msr)
{
	put64(S_RESUME, (uint64_t)probe_resume);
	put64(S_RESUME_MSR, resume_msr);
	put64(S_COUNT, 0);
	put64(S_VEC, 0);
}

void vectors_read(struct taken *t)
{
	t->vector = get64(S_VEC) << 4;
	t->srr0 = get64(S_SRR0);
	t->srr1 = get64(S_SRR1);
	t->msr = get64(S_MSR);
	t->lr = get64(S_LR);
	t->ctr = get64(S_CTR);
	t->dar = get64(S_DAR);
	t->dsisr = get64(S_DSISR);
	t->count = get64(S_COUNT);
}

void probe_report(const char *name, probe_fn *fn, long arg, uint64_t resume_msr, struct taken *t)
{
	vectors_arm(resume_msr);
	long r = run_probe(fn, arg);

	vectors_read(t);
	console_printf("@@PRIV@@ %s", name);
	if (!r)
		console_printf(" int=none r3=0x%lx\n", (uint64_t)probe_result);
	else if (t->vector == 0x300 || t->vector == 0x380)
		console_printf(" int=0x%lx dar=0x%lx dsisr=0x%lx srr0=+0x%lx srr1=0x%016lx\n", t->vector, t->dar,
			       t->vector == 0x300 ? t->dsisr : 0, t->srr0 - (uint64_t)fn, t->srr1);
	else
		console_printf(" int=0x%lx srr0=0x%lx srr1=0x%016lx\n", t->vector, t->srr0, t->srr1);
}
