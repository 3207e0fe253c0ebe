/*
 * phv nested payload: a bare-metal L1 hypervisor. Through the PAPR nestedv2 hcalls it negotiates
 * capabilities, creates an L2 and its vcpu, builds the L2's partition-scoped radix tree in its own memory,
 * round-trips state, runs the L2 (nested_l2.S) and checks every exit, and feeds the L0 malformed buffers.
 * Each check prints "@@NESTED@@ <name> ok" or "@@NESTED@@ <name> FAIL ..."; check_nested.sh reads them.
 * Without nesting offered the first hcall answers H_FUNCTION and the payload says so and powers off.
 */
#include <stdint.h>

#include "console.h"
#include "fdt.h"
#include "of_client.h"
#include "rtas.h"
#include "nested.h"

static struct {
	uint32_t power_off;
	char bootargs[256];
	uint64_t ram_end;
	const char *fatal;	/* "l2probe=NAME": run only that probe, which stops the VM (l2_fatal_probe) */
	const char *skip;	/* "skip=NAME,...": probes to leave out */
} boot;

static uint64_t be_bytes(const uint8_t *b)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* The value of "key=" in the boot arguments (up to the next space), or null. */
static const char *boot_arg(const char *key)
{
	for (const char *p = boot.bootargs; *p; p++) {
		const char *k = key, *q = p;

		while (*k && *q == *k)
			k++, q++;
		if (!*k && (p == boot.bootargs || p[-1] == ' '))
			return q;
	}
	return 0;
}

/* The end of L1 RAM (/memory@0) and the boot arguments, from the device tree or Open Firmware. */
static void read_boot(uint64_t r3, uint64_t r5)
{
	uint8_t reg[16];
	int len = 0;

	if (r5) {
		if (of_getprop(of_finddevice("/memory@0"), "reg", reg, sizeof(reg)) >= 16)
			boot.ram_end = be_bytes(reg) + be_bytes(reg + 8);
		len = of_getprop(of_finddevice("/chosen"), "bootargs", boot.bootargs, sizeof(boot.bootargs) - 1);
		boot.bootargs[len < 0 ? 0 : len] = '\0';
	} else if (dt_valid((const void *)r3)) {
		const void *fdt = (const void *)r3;
		const uint8_t *m = dt_getprop(fdt, dt_path_offset(fdt, "/memory@0"), "reg", &len);

		if (m && len >= 16)
			boot.ram_end = be_bytes(m) + be_bytes(m + 8);
		const char *a = dt_getprop(fdt, dt_path_offset(fdt, "/chosen"), "bootargs", &len);
		for (int i = 0; a && i < len && i + 1 < (int)sizeof(boot.bootargs) && a[i]; i++)
			boot.bootargs[i] = a[i];
	}
	if (!boot.ram_end)
		boot.ram_end = 1ull << 30;
	boot.fatal = boot_arg("l2probe=");
	boot.skip = boot_arg("skip=");
}

/* The isolation probes from the L2 (l2_probes.c), or the one that stops the VM when the boot asks for it. */
static void isolation(int v1)
{
	const char *on = boot_arg("isolation=");

	if (on && *on == '0')	/* "isolation=0": the benchmark wants the round trip only */
		return;
	if (boot.fatal)
		l2_fatal_probe(v1, boot.fatal, boot.ram_end);
	else
		l2_probes(v1, boot.ram_end, boot.skip);
}

static unsigned checks, failures;

uint64_t tb_now(void)
{
	uint64_t tb;

	__asm__ volatile("mftb %0" : "=r"(tb));
	return tb;
}

struct ret hc6(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6)
{
	register uint64_t r3 __asm__("r3") = op;
	register uint64_t r4 __asm__("r4") = a1;
	register uint64_t r5 __asm__("r5") = a2;
	register uint64_t r6 __asm__("r6") = a3;
	register uint64_t r7 __asm__("r7") = a4;
	register uint64_t r8 __asm__("r8") = a5;
	register uint64_t r9 __asm__("r9") = a6;

	__asm__ volatile("sc 1"
			 : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7), "+r"(r8), "+r"(r9)
			 :
			 : "r0", "r10", "r11", "r12", "ctr", "xer", "cr0", "cr1", "cr5", "cr6", "cr7", "memory");
	return (struct ret){(long)r3, r4, r5};
}

struct ret hc(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	register uint64_t r3 __asm__("r3") = op;
	register uint64_t r4 __asm__("r4") = a1;
	register uint64_t r5 __asm__("r5") = a2;
	register uint64_t r6 __asm__("r6") = a3;
	register uint64_t r7 __asm__("r7") = a4;
	register uint64_t r8 __asm__("r8") = a5;

	__asm__ volatile("sc 1"
			 : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7), "+r"(r8)
			 :
			 : "r0", "r9", "r10", "r11", "r12", "ctr", "xer", "cr0", "cr1", "cr5", "cr6", "cr7",
			   "memory");
	return (struct ret){(long)r3, r4, r5};
}

void check(const char *name, uint64_t got, uint64_t want)
{
	checks++;
	if (got == want) {
		console_printf("@@NESTED@@ %s ok\n", name);
		return;
	}
	failures++;
	console_printf("@@NESTED@@ %s FAIL got=0x%lx want=0x%lx\n", name, got, want);
}

/* Big-endian stores and loads (guest state buffers and radix tables are big-endian). */
void be64(uint64_t addr, uint64_t v)
{
	*(volatile uint64_t *)addr = __builtin_bswap64(v);
}

uint64_t rd64(uint64_t addr)
{
	return __builtin_bswap64(*(volatile uint64_t *)addr);
}


void gsb_start(struct gsb *b, uint64_t addr)
{
	b->p = (uint8_t *)addr;
	b->n = 0;
	b->len = 4;
	*(uint32_t *)b->p = 0;
}

void gsb_put(struct gsb *b, uint16_t id, unsigned size, const uint64_t *dw)
{
	uint8_t *e = b->p + b->len;

	e[0] = id >> 8, e[1] = id & 0xff, e[2] = size >> 8, e[3] = size & 0xff;
	for (unsigned i = 0; i < size; i++)
		e[4 + i] = (uint8_t)(dw[i / 8] >> (8 * (7 - i % 8)));
	if (size == 4)
		for (unsigned i = 0; i < 4; i++)
			e[4 + i] = (uint8_t)(dw[0] >> (8 * (3 - i)));
	b->len += 4 + size;
	b->n++;
	*(uint32_t *)b->p = __builtin_bswap32(b->n);
}

void put64(struct gsb *b, uint16_t id, uint64_t v) { gsb_put(b, id, 8, &v); }
static void put32(struct gsb *b, uint16_t id, uint64_t v) { gsb_put(b, id, 4, &v); }
void put128(struct gsb *b, uint16_t id, uint64_t hi, uint64_t lo)
{
	uint64_t v[2] = {hi, lo};

	gsb_put(b, id, 16, v);
}

/* The value of element `id` in the buffer at addr (8 or 4 bytes), or ~0 when absent. */
uint64_t gsb_find(uint64_t addr, uint16_t id)
{
	const uint8_t *p = (const uint8_t *)addr;
	uint32_t n = __builtin_bswap32(*(const uint32_t *)p), off = 4;

	for (uint32_t i = 0; i < n; i++) {
		uint16_t eid = p[off] << 8 | p[off + 1], len = p[off + 2] << 8 | p[off + 3];
		uint64_t v = 0;

		for (unsigned k = 0; k < len && k < 8; k++)
			v = v << 8 | p[off + 4 + k];
		if (eid == id)
			return v;
		off += 4 + len;
	}
	return ~0ull;
}

long gid;

long set_state(uint64_t flags, struct gsb *b)
{
	return hc(H_GUEST_SET_STATE, flags, gid, 0, (uint64_t)b->p, b->len).r3;
}

uint64_t get1(uint16_t id, unsigned size)
{
	struct gsb b;
	uint64_t zero[2] = {0, 0};

	gsb_start(&b, SCRATCH);
	gsb_put(&b, id, size, zero);
	long r = hc(H_GUEST_GET_STATE, id < 0x1000 ? WIDE : 0, gid, 0, SCRATCH, b.len).r3;

	return r ? ~0ull : gsb_find(SCRATCH, id);
}

static void set_nia(uint64_t nia)
{
	struct gsb b;

	gsb_start(&b, SCRATCH);
	put64(&b, GS_NIA, nia);
	set_state(0, &b);
}

uint64_t l2_label(const uint32_t *label)
{
	return L2_CODE + (uint64_t)((const uint8_t *)label - (const uint8_t *)nested_l2_start);
}

static void finish(void)
{
	console_printf("@@NESTED-DONE@@ checks=%u failures=%u\n", checks, failures);
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

static void malformed_buffers(void)
{
	struct gsb b;

	/* A CR element of 8 bytes: H_INVALID_ELEMENT_SIZE, R4 = its index. */
	gsb_start(&b, SCRATCH);
	put64(&b, GS_GPR(1), 1);
	put64(&b, GS_CR, 0);
	struct ret r = hc(H_GUEST_SET_STATE, 0, gid, 0, SCRATCH, b.len);
	check("bad-size", (uint64_t)r.r3, (uint64_t)H_INVALID_ELEMENT_SIZE);
	check("bad-size-index", r.r4, 1);
	/* MSR[HV] is the L0's: H_INVALID_ELEMENT_VALUE, and the GPR set with it is not applied. */
	gsb_start(&b, SCRATCH);
	put64(&b, GS_GPR(9), 0x999);
	put64(&b, GS_MSR, 1ull << 60);
	r = hc(H_GUEST_SET_STATE, 0, gid, 0, SCRATCH, b.len);
	check("msr-hv-refused", (uint64_t)r.r3, (uint64_t)H_INVALID_ELEMENT_VALUE);
	check("refused-set-changes-nothing", get1(GS_GPR(9), 8), 0);
	/* A guest-wide element in a vcpu call, a read-only one in a SET, a reserved id. */
	gsb_start(&b, SCRATCH);
	put32(&b, GS_LOGICAL_PVR, 0x0f000006);
	check("wrong-scope", (uint64_t)set_state(0, &b), (uint64_t)H_INVALID_ELEMENT_ID);
	gsb_start(&b, SCRATCH);
	put64(&b, GS_HDAR, 0);
	check("read-only", (uint64_t)set_state(0, &b), (uint64_t)H_INVALID_ELEMENT_ID);
	gsb_start(&b, SCRATCH);
	put64(&b, 0x1054, 0);
	check("reserved-id", (uint64_t)set_state(0, &b), (uint64_t)H_INVALID_ELEMENT_ID);
	/* A count the buffer cannot hold. */
	gsb_start(&b, SCRATCH);
	put64(&b, GS_GPR(1), 1);
	*(uint32_t *)b.p = __builtin_bswap32(100);
	check("truncated", (uint64_t)set_state(0, &b), (uint64_t)-58);	/* H_P5 */
	check("bad-flags", (uint64_t)hc(H_GUEST_GET_STATE, 1, gid, 0, SCRATCH, 8).r3, (uint64_t)H_PARAMETER);
	check("bad-guest", (uint64_t)hc(H_GUEST_GET_STATE, 0, gid + 100, 0, SCRATCH, 8).r3, (uint64_t)H_P2);
	check("bad-vcpu", (uint64_t)hc(H_GUEST_GET_STATE, 0, gid, 7, SCRATCH, 8).r3, (uint64_t)H_P3);
}

static void round_trip(void)
{
	struct gsb b;

	gsb_start(&b, SCRATCH);
	for (unsigned i = 14; i < 32; i++)
		put64(&b, GS_GPR(i), 0x1000000000000000ull * (i % 15) + i);
	put32(&b, GS_CR, 0x24000480);
	put128(&b, GS_VSR(63), 0x0102030405060708ull, 0x1112131415161718ull);
	check("set-state", (uint64_t)set_state(0, &b), 0);
	unsigned bad = 0;

	for (unsigned i = 14; i < 32; i++)
		bad += get1(GS_GPR(i), 8) != 0x1000000000000000ull * (i % 15) + i;
	check("gprs-round-trip", bad, 0);
	check("cr-round-trip", get1(GS_CR, 4), 0x24000480);
	/* A VSR comes back as two doublewords; gsb_find returns the first. */
	check("vsr-round-trip", get1(GS_VSR(63), 16), 0x0102030405060708ull);
}

/* The L2's memory and its partition-scoped tree: L2 real 0..2M is L1 L2_MEM, with the L2's code. */
static void build_l2(void)
{
	for (uint64_t a = ROOT; a < ROOT + 0x12000; a += 8)
		be64(a, 0);
	be64(ROOT, PTE_V | DIR1 | 9);
	be64(DIR1, PTE_V | DIR2 | 9);
	be64(DIR2, PTE_V | PTE_L | L2_MEM | PTE_RWX);
	const uint32_t *src = nested_l2_start;
	uint32_t *dst = (uint32_t *)(L2_MEM + L2_CODE);

	while (src < nested_l2_end)
		*dst++ = *src++;
}


/* nestedv1: the L0 keeps only the partition table; each H_ENTER_NESTED carries the whole L2 state. */
static void run_v1(void)
{
	console_printf("@@NESTED@@ api v1\n");
	for (uint64_t a = V1_PATB; a < V1_PATB + 0x1000; a += 8)
		be64(a, 0);
	/* lpid 1: HR, a 52-bit tree (RTS 21), RPDS 13, rooted at ROOT. */
	be64(V1_PATB + 16, (1ull << 63) | (1ull << 62) | (5ull << 5) | ROOT | 13);
	check("v1-enter-without-table", (uint64_t)hc(H_ENTER_NESTED, V1_HV, V1_REGS, 0, 0, 0).r3, 3);	/* H_NOT_AVAILABLE */
	check("v1-table-too-big", (uint64_t)hc(H_SET_PARTITION_TABLE, V1_PATB | 9, 0, 0, 0, 0).r3, (uint64_t)H_PARAMETER);
	check("v1-set-partition-table", (uint64_t)hc(H_SET_PARTITION_TABLE, V1_PATB, 0, 0, 0, 0).r3, 0);
	build_l2();
	for (unsigned i = 0; i < 0x100; i += 8)
		HV(i) = 0;
	for (unsigned i = 0; i < 0x160; i += 8)
		REG(i) = 0;
	HV(0x00) = 2;				/* version */
	*(volatile uint32_t *)(V1_HV + 0x08) = 1;	/* lpid */
	HV(0x10) = 1ull << 25;			/* LPCR[ILE] */
	HV(0x20) = ~0ull;			/* AMOR */
	HV(0x30) = ~0ull;			/* HFSCR */
	HV(0x58) = tb_now() + HDEC_SLICE;	/* HDEC expiry: a second from now */
	NIP = l2_label(nested_l2_count);
	REG(0x108) = (1ull << 63) | 1;		/* MSR: 64-bit, little-endian, real mode */
	HV(0x00) = 3;
	check("v1-version-3", (uint64_t)hc(H_ENTER_NESTED, V1_HV, V1_REGS, 0, 0, 0).r3, (uint64_t)H_P2);
	HV(0x00) = 2;

	unsigned wrong = 0;
	uint64_t tb0, tb1;

	__asm__ volatile("mftb %0" : "=r"(tb0));
	for (unsigned i = 1; i <= 1000; i++) {
		long rc = hc(H_ENTER_NESTED, V1_HV, V1_REGS, 0, 0, 0).r3;

		wrong += rc != 0xc00 || GPR(3) != 0x4242 || GPR(4) != i;
	}
	__asm__ volatile("mftb %0" : "=r"(tb1));
	check("v1-hcall-exits", wrong, 0);
	check("v1-exit-nip", NIP, l2_label(nested_l2_count) + 12);
	console_printf("@@NESTED@@ round-trip api=v1 runs=1000 tb_per_run=%lu\n", (tb1 - tb0) / 1000);

	NIP = l2_label(nested_l2_load);
	GPR(5) = 0x800010;
	check("v1-hdsi-exit", (uint64_t)hc(H_ENTER_NESTED, V1_HV, V1_REGS, 0, 0, 0).r3, 0xe00);
	check("v1-hdsi-hdar", HV(0x80), 0x800010);
	check("v1-hdsi-hdsisr", HV(0x88), 0x40000000);
	check("v1-hdsi-asdr", HV(0x98), 0x800010);
	be64(DIR2 + 8 * 4, PTE_V | PTE_L | L2_MEM2 | PTE_RWX);
	*(volatile uint64_t *)(L2_MEM2 + 0x10) = 0x5566778899aabbccull;
	/* As Linux's kvmhv_flush_lpid: RIC=2, R=1 (H_TLBIE_P1_ENC), RS = the LPID, RB IS=2 (the whole LPID). */
	check("v1-tlb-invalidate", (uint64_t)hc(H_TLB_INVALIDATE, 0x90000, 1, 0x800, 0, 0).r3, 0);
	check("v1-mapped-load-exit", (uint64_t)hc(H_ENTER_NESTED, V1_HV, V1_REGS, 0, 0, 0).r3, 0xc00);
	check("v1-mapped-load-value", GPR(6), 0x5566778899aabbccull);
	NIP = l2_label(nested_l2_illegal);
	check("v1-hea-exit", (uint64_t)hc(H_ENTER_NESTED, V1_HV, V1_REGS, 0, 0, 0).r3, 0xe40);
	check("v1-hea-heir", HV(0x90), 0x00001234);
	NIP = l2_label(nested_l2_spin);
	HV(0x58) = 1;
	check("v1-hdec-exit", (uint64_t)hc(H_ENTER_NESTED, V1_HV, V1_REGS, 0, 0, 0).r3, 0x980);
	isolation(1);
	check("v1-nestedv2-absent", (uint64_t)hc(H_GUEST_GET_CAPABILITIES, 0, 0, 0, 0, 0).r3, (uint64_t)H_FUNCTION);
	finish();
}

void main(uint64_t r3, uint64_t r4, uint64_t r5, uint64_t msr, uint64_t entered_be)
{
	(void)r4, (void)msr, (void)entered_be;
	console_printf("@@NESTED-START@@\n");
	boot.power_off = rtas_power_off_token(r3, r5);
	read_boot(r3, r5);

	struct ret r = hc(H_GUEST_GET_CAPABILITIES, 0, 0, 0, 0, 0);

	if (r.r3 == H_FUNCTION) {
		/* No nestedv2: nestedv1, if the L0 offers that instead (H_SET_PARTITION_TABLE(0) withdraws nothing). */
		if (hc(H_SET_PARTITION_TABLE, 0, 0, 0, 0, 0).r3 == 0)
			run_v1();
		console_printf("@@NESTED@@ not-offered (H_FUNCTION)\n");
		finish();
	}
	check("get-capabilities", (uint64_t)r.r3, 0);
	const uint64_t caps = r.r4 & CAP_POWER10 ? CAP_POWER10 : CAP_POWER9;

	console_printf("@@NESTED@@ capabilities power9=%lu power10=%lu\n", (r.r4 >> 62) & 1, (r.r4 >> 61) & 1);
	check("set-capabilities-none", (uint64_t)hc(H_GUEST_SET_CAPABILITIES, 0, 0, 0, 0, 0).r3, (uint64_t)H_P2);
	check("set-capabilities", (uint64_t)hc(H_GUEST_SET_CAPABILITIES, 0, caps, 0, 0, 0).r3, 0);
	r = hc(H_GUEST_CREATE, 0, ~0ull, 0, 0, 0);
	check("create", (uint64_t)r.r3, 0);
	gid = (long)r.r4;
	check("create-vcpu", (uint64_t)hc(H_GUEST_CREATE_VCPU, 0, gid, 0, 0, 0).r3, 0);
	check("logical-pvr", get1(GS_LOGICAL_PVR, 4), caps == CAP_POWER10 ? 0x0f000006 : 0x0f000005);
	round_trip();
	malformed_buffers();

	build_l2();

	struct gsb b;

	check("run-without-table", (uint64_t)hc(H_GUEST_RUN_VCPU, 0, gid, 0, 0, 0).r3,
	      (uint64_t)H_PARTITION_PAGE_TABLE_NOT_DEFINED);
	gsb_start(&b, SCRATCH);
	uint64_t pt[3] = {ROOT, 52, 0x10000};

	gsb_put(&b, GS_PARTITION_TABLE, 24, pt);
	check("set-partition-table", (uint64_t)set_state(WIDE, &b), 0);
	gsb_start(&b, SCRATCH);
	put128(&b, GS_RUN_INPUT, RUN_IN, 0x1000);
	put128(&b, GS_RUN_OUTPUT, RUN_OUT, 0x1000);
	put64(&b, GS_NIA, l2_label(nested_l2_count));
	put64(&b, GS_MSR, (1ull << 63) | 1);		/* 64-bit, little-endian, real mode */
	put64(&b, GS_LPCR, 1ull << 25);			/* ILE */
	put64(&b, GS_HDEC_EXPIRY, tb_now() + HDEC_SLICE);
	put64(&b, GS_GPR(4), 0);
	check("set-run-state", (uint64_t)set_state(0, &b), 0);
	gsb_start(&b, RUN_IN);				/* nothing to set per run */

	/* The L1 asks its L0 for the L2 context-switch counters (its VPA, l2_counters_enable). */
	for (unsigned i = 0; i < 0x280; i += 8)
		be64(VPA + i, 0);
	*(volatile uint16_t *)(VPA + 4) = __builtin_bswap16(0x280);
	check("register-vpa", (uint64_t)hc(H_REGISTER_VPA, 1ull << 45, 0, VPA, 0, 0).r3, 0);
	*(volatile uint8_t *)(VPA + 0xbc) = 1;

	/* 1000 runs, each one hcall exit; the L2's r4 counts them. */
	unsigned wrong = 0;
	uint64_t tb0, tb1;

	__asm__ volatile("mftb %0" : "=r"(tb0));
	for (unsigned i = 1; i <= 1000; i++) {
		r = hc(H_GUEST_RUN_VCPU, 0, gid, 0, 0, 0);
		wrong += r.r3 != 0 || r.r4 != 0xc00 || gsb_find(RUN_OUT, GS_GPR(3)) != 0x4242 ||
			 gsb_find(RUN_OUT, GS_GPR(4)) != i;
	}
	__asm__ volatile("mftb %0" : "=r"(tb1));
	check("hcall-exits", wrong, 0);
	check("l2-counted-runs", get1(GS_GPR(4), 8), 1000);
	check("exit-nia", gsb_find(RUN_OUT, GS_NIA), l2_label(nested_l2_count) + 12);
	check("vpa-l2-runtime-advances", rd64(VPA + 0x1b0) != 0, 1);
	console_printf("@@NESTED@@ round-trip api=v2 runs=1000 tb_per_run=%lu\n", (tb1 - tb0) / 1000);

	/* A load from L2 real 8M, which the L1 has not mapped: HDSI; mapped, the L2 redoes the load. */
	set_nia(l2_label(nested_l2_load));
	gsb_start(&b, SCRATCH);
	put64(&b, GS_GPR(5), 0x800010);
	set_state(0, &b);
	r = hc(H_GUEST_RUN_VCPU, 0, gid, 0, 0, 0);
	check("hdsi-exit", r.r4, 0xe00);
	check("hdsi-hdar", gsb_find(RUN_OUT, GS_HDAR), 0x800010);
	check("hdsi-asdr", gsb_find(RUN_OUT, GS_ASDR), 0x800010);
	check("hdsi-hdsisr", gsb_find(RUN_OUT, GS_HDSISR), 0x40000000);
	be64(DIR2 + 8 * 4, PTE_V | PTE_L | L2_MEM2 | PTE_RWX);
	*(volatile uint64_t *)(L2_MEM2 + 0x10) = 0x5566778899aabbccull;
	r = hc(H_GUEST_RUN_VCPU, 0, gid, 0, 0, 0);
	check("mapped-load-exit", r.r4, 0xc00);
	check("mapped-load-value", get1(GS_GPR(6), 8), 0x5566778899aabbccull);
	check("partition-pte-referenced", rd64(DIR2 + 8 * 4) & (PTE_R | PTE_C), PTE_R);

	/* An illegal instruction: hypervisor emulation assistance, the word in HEIR. */
	set_nia(l2_label(nested_l2_illegal));
	r = hc(H_GUEST_RUN_VCPU, 0, gid, 0, 0, 0);
	check("hea-exit", r.r4, 0xe40);
	check("hea-heir", gsb_find(RUN_OUT, GS_HEIR), 0x00001234);
	/* HDEC: a time limit already passed ends a spinning L2's run. */
	set_nia(l2_label(nested_l2_spin));
	gsb_start(&b, SCRATCH);
	put64(&b, GS_HDEC_EXPIRY, 1);
	set_state(0, &b);
	r = hc(H_GUEST_RUN_VCPU, 0, gid, 0, 0, 0);
	check("hdec-exit", r.r4, 0x980);
	isolation(0);

	check("delete", (uint64_t)hc(H_GUEST_DELETE, 0, gid, 0, 0, 0).r3, 0);
	check("deleted", (uint64_t)hc(H_GUEST_RUN_VCPU, 0, gid, 0, 0, 0).r3, (uint64_t)H_P2);
	finish();
}
