/*
 * phv SMP load payload: every vcpu (8 under check_smp.sh) remaps a page of its own, invalidates it and tells
 * its neighbour with an IPI, for a fixed number of rounds, all at once:
 *
 *   round r of vcpu i:  wait until its neighbour j = i+1 (mod n) acknowledged round r-1;
 *                       point EA V_i at page[i][r & 1] (the two hold different values), invalidate V_i
 *                       (tlbie on even rounds, H_RPT_INVALIDATE on odd ones) and load V_i with relocation on:
 *                       it must read page[i][r & 1]'s value (else a stale translation on this vcpu);
 *                       publish r and H_IPI(j); then wait for the IPI from i-1 (polling H_XIRR with MSR[EE]=0),
 *                       load V_(i-1) with relocation on: its value must be that of round r (else the tlbie or
 *                       H_RPT_INVALIDATE of vcpu i-1 left this vcpu's TLB stale), clear MFRR, EOI, acknowledge.
 *
 * The ring is lock-step, so an IPI lost would stall it: each wait gives up after 20 s of timebase and counts a
 * timeout.  At the end vcpu 0 prints one line per vcpu and the totals, which check_smp.sh checks:
 *
 *   @@SMP@@ cpu=<i> sent=<rounds> received=<rounds> stale-local=0 stale-remote=0 spurious=0 timeouts=0
 *   @@SMP@@ total cpus=<n> rounds=<rounds> sent=<n*rounds> received=<n*rounds> bad=0
 *
 * "doorbell=1" adds directed privileged doorbells to every round, between the remap and the H_IPI: the vcpu
 * opens a window with MSR[EE]=1 around one msgsndp per thread number 0..7 of its core; and again after it took
 * its predecessor's IPI, before acknowledging it, when no IPI can be pending.  A phv vcpu is a core
 * of one thread (as a KVM-HV vcpu with emul_smt_mode 1, kvmppc_emulate_doorbell_instr), so thread 0 is the vcpu
 * itself and must take exactly that one doorbell at 0xa00 in the window, and threads 1..7 are no one: their
 * windows must take none (a doorbell leaking from another vcpu's msgsndp would show up there, or as a second
 * one in the thread-0 window).  An IPI may arrive inside a window: external interrupts come before doorbells,
 * the 0x500 stub returns with EE off to leave the IPI pending for H_XIRR, and the doorbell stays pending in
 * DPDES; the vcpu then clears it with msgclrp and counts it as deferred (only the first window of a round may
 * defer).  One more line per vcpu and a total:
 *
 *   @@SMP@@ doorbells cpu=<i> sent=<2*rounds> taken+deferred=<2*rounds> other-threads=<14*rounds> bad=0
 *   @@SMP@@ doorbells total sent=<2*n*rounds> taken=<T> deferred=<D> bad=0  (T + D = 2*n*rounds, T >= n*rounds)
 */
#include <stdint.h>

#include "console.h"
#include "fdt.h"
#include "hcall.h"
#include "radix_tree.h"
#include "rtas.h"

#define MAX_CPUS	8
#define H_EOI		0x64
#define H_CPPR		0x68
#define H_IPI		0x6c
#define H_XIRR		0x74
#define H_CONFER	0xe4
#define H_RPT_INVALIDATE	0x448
#define H_REGISTER_PROC_TBL	0x37c
#define XICS_IPI	2
#define IPI_PRIORITY	5
#define WAIT_SECONDS	20

#define PTE_R		(1ull << 8)
#define PTE_C		(1ull << 7)
#define EAA_PRIV	(1ull << 3)
#define EAA_RW		(1ull << 1)
#define EAA_X		(1ull << 0)
#define KERNEL_RWX	(PTE_R | PTE_C | EAA_PRIV | EAA_RW | EAA_X)
#define V_BASE		0x10000000ull	/* V_i = V_BASE + i * 4K */
#define TLBIE_W(rb, rs, ric, prs, r)	((31u << 26) | ((rs) << 21) | ((ric) << 18) | ((prs) << 17) | ((r) << 16) | \
					 ((rb) << 11) | (306u << 1))

uint64_t smp_load_reloc(uint64_t ea);
void smp_doorbell_window(uint64_t rb, uint64_t out[2]);
uint64_t smp_dpdes(void);
void smp_msgclrp(uint64_t rb);
extern char smp_secondary_entry[];

static uint64_t proc_table[512] __attribute__((aligned(4096)));
static uint64_t root[8192] __attribute__((aligned(65536)));
static uint64_t pool[8][512] __attribute__((aligned(4096)));
static struct radix_tree tree = {root, pool, 8, 0};
static uint64_t *v_pte[MAX_CPUS];			/* the leaf of V_i */
static uint64_t pages[MAX_CPUS][2][512] __attribute__((aligned(4096)));

/* Shared between the vcpus; each written by one vcpu only (the counters by their own). */
static struct {
	volatile uint64_t gen;			/* the round whose mapping of V_i is in place */
	volatile uint64_t ack;			/* the last round whose IPI this vcpu took from its predecessor */
	volatile uint64_t sent, received, stale_local, stale_remote, spurious, timeouts, done;
	/* doorbell=1: msgsndp to thread 0 (itself), taken in the window or deferred behind an IPI; msgsndp to
	 * threads 1..7; windows that took another number of doorbells than they should */
	volatile uint64_t db_sent, db_taken, db_deferred, db_other, db_bad;
	char pad[256 - 15 * 8];
} cpu[MAX_CPUS] __attribute__((aligned(256)));
static volatile unsigned started;
static unsigned ncpus = MAX_CPUS, rounds = 1000;
static unsigned skip_invalidation;	/* "noinval=1": the control run, whose loads must see stale entries */
static unsigned doorbells;		/* "doorbell=1": msgsndp windows in every round */
static uint64_t tb_hz = 512000000;

static void full_sync(void) { __asm__ volatile("sync" : : : "memory"); }
static uint64_t mftb(void)
{
	uint64_t t;
	__asm__ volatile("mftb %0" : "=r"(t));
	return t;
}
static uint64_t value(unsigned i, unsigned k) { return 0x5e00000000000000ull | (uint64_t)i << 8 | k; }

/* 8 vcpus share 2 host cores: a waiting vcpu gives its host thread's time slice away (H_CONFER to all). */
static void relax(void)
{
	uint64_t a[8] = {(uint64_t)-1, 0};

	hcall8(H_CONFER, a);
}

/* Waits until *p >= want; 0 after WAIT_SECONDS of timebase. */
static int wait_for(volatile uint64_t *p, uint64_t want)
{
	const uint64_t until = mftb() + WAIT_SECONDS * tb_hz;

	while (*p < want) {
		if (mftb() > until)
			return 0;
		relax();
	}
	full_sync();
	return 1;
}

/* Points V_i at page[i][k] and invalidates it the way round r says. */
static void remap(unsigned i, uint64_t r)
{
	const uint64_t ea = V_BASE + i * 4096ull;

	put(v_pte[i], PTE_V | PTE_L | (uint64_t)pages[i][r & 1] | KERNEL_RWX);
	ptesync();
	if (skip_invalidation)
		return;
	if (r & 1) {
		/* pid 0, target the whole partition's MMUs, TLB, 4K pages, [ea, ea + 4K) */
		uint64_t a[8] = {0, 0x01, 0x02, 0x01, ea, ea + 4096, 0, 0};
		hcall8(H_RPT_INVALIDATE, a);
	} else {
		/* tlbie RB = EA (IS=0, AP=0: 4K), RS = PID 0, RIC=0, PRS=1, R=1 */
		register uint64_t rb __asm__("r5") = ea;
		__asm__ volatile("li 6,0; .long %1; eieio; .long 0x7c00046c; .long 0x7c4004ac"
				 : : "r"(rb), "i"(TLBIE_W(5, 6, 0, 1, 1)) : "r6", "memory");
	}
}

#define DBELL_PRIVILEGED	(5ull << 27)	/* msgsndp RB: message type 5, thread number in bits 57:63 */

/* One round's doorbells: a window per thread number of the core (see the top of the file). quiet: no IPI
 * can be pending (the predecessor waits for this vcpu's acknowledgement), so the doorbell must be taken. */
static void ring_doorbells(unsigned i, int quiet)
{
	for (uint64_t t = 0; t < 8; t++) {
		uint64_t got[2];

		smp_doorbell_window(DBELL_PRIVILEGED | t, got);
		if (t == 0)
			cpu[i].db_sent++;
		else
			cpu[i].db_other++;
		cpu[i].db_taken += got[0];
		const int pending = smp_dpdes() & 1;
		if (pending) {
			smp_msgclrp(DBELL_PRIVILEGED);
			cpu[i].db_deferred++;
		}
		/* thread 0: one doorbell, taken, or left pending only behind an external interrupt; others: none */
		const int ok = t == 0 ? got[0] + pending == 1 && (!pending || (got[1] && !quiet)) : got[0] == 0 && !pending;
		if (!ok)
			cpu[i].db_bad++;
	}
}

/* Takes one interrupt through H_XIRR: 1 for the IPI (cleared and EOIed), 0 for nothing, -1 for another. */
static int take_ipi(unsigned i)
{
	uint64_t a[8] = {0};

	hcall8(H_XIRR, a);
	const uint64_t xirr = a[0];
	if ((xirr & 0xffffff) == 0)
		return 0;
	if ((xirr & 0xffffff) != XICS_IPI) {
		uint64_t e[8] = {xirr};
		hcall8(H_EOI, e);
		return -1;
	}
	uint64_t c[8] = {i, 0xff};
	hcall8(H_IPI, c);
	uint64_t e[8] = {xirr};
	hcall8(H_EOI, e);
	return 1;
}

static void worker(unsigned i)
{
	const unsigned next = (i + 1) % ncpus, prev = (i + ncpus - 1) % ncpus;
	uint64_t a[8] = {0xff};

	hcall8(H_CPPR, a);
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	while (started < ncpus)
		relax();
	for (uint64_t r = 1; r <= rounds; r++) {
		if (!wait_for(&cpu[next].ack, r - 1)) {
			cpu[i].timeouts++;
			break;
		}
		remap(i, r);
		if (smp_load_reloc(V_BASE + i * 4096ull) != value(i, r & 1))
			cpu[i].stale_local++;
		if (doorbells)
			ring_doorbells(i, 0);
		cpu[i].gen = r;
		full_sync();
		uint64_t s[8] = {next, IPI_PRIORITY};
		hcall8(H_IPI, s);
		cpu[i].sent++;

		const uint64_t until = mftb() + WAIT_SECONDS * tb_hz;
		int got = 0;
		while (got <= 0 && mftb() < until) {
			got = take_ipi(i);
			if (got < 0)
				cpu[i].spurious++;
			if (!got)
				relax();
		}
		if (got <= 0) {
			cpu[i].timeouts++;
			break;
		}
		full_sync();
		/* The predecessor published round r before its IPI and remaps only after this acknowledgement. */
		const uint64_t g = cpu[prev].gen;
		if (g != r || smp_load_reloc(V_BASE + prev * 4096ull) != value(prev, g & 1))
			cpu[i].stale_remote++;
		cpu[i].received++;
		if (doorbells)
			ring_doorbells(i, 1);
		full_sync();
		cpu[i].ack = r;
	}
	full_sync();
	cpu[i].done = 1;
}

void smp_secondary_main(uint64_t index)
{
	worker((unsigned)index);
	for (;;)
		;
}

static uint32_t rtas_args[16] __attribute__((aligned(8)));
static int32_t start_cpu(uint32_t token, uint32_t server, uint64_t entry, uint64_t r3)
{
	rtas_args[0] = __builtin_bswap32(token);
	rtas_args[1] = __builtin_bswap32(3);
	rtas_args[2] = __builtin_bswap32(1);
	rtas_args[3] = __builtin_bswap32(server);
	rtas_args[4] = __builtin_bswap32((uint32_t)entry);
	rtas_args[5] = __builtin_bswap32((uint32_t)r3);
	rtas_args[6] = 0xffffffffu;
	hcall(KVMPPC_H_RTAS, (uint64_t)rtas_args, 0, 0, 0, 0);
	return (int32_t)__builtin_bswap32(rtas_args[6]);
}

/* Big-endian stubs (LPCR[ILE]=0: interrupts run big-endian) for what a doorbell window can take: 0xa00
 * counts a doorbell in r11; 0x500 counts an external interrupt in r10 and returns with EE off (the IPI stays
 * pending for H_XIRR); 0x900 pushes DEC far into the future. The windows are the only time EE is on. */
static void put_be32(uint64_t addr, uint32_t w)
{
	__asm__("" : "+r"(addr));	/* a real address below 4 KiB, not a null pointer to the compiler */
	*(volatile uint32_t *)addr = __builtin_bswap32(w);
}
#define I_MTSPR(spr, rs)	(31u << 26 | (rs) << 21 | ((spr) & 0x1f) << 16 | ((spr) >> 5) << 11 | 467u << 1)
#define I_MFSPR(rt, spr)	(31u << 26 | (rt) << 21 | ((spr) & 0x1f) << 16 | ((spr) >> 5) << 11 | 339u << 1)
#define I_ADDI(rt, ra, si)	(14u << 26 | (rt) << 21 | (ra) << 16 | ((si) & 0xffff))
#define I_RFID			(19u << 26 | 18u << 1)
static void install_window_vectors(void)
{
	put_be32(0xa00, I_ADDI(11, 11, 1));
	put_be32(0xa04, I_RFID);
	put_be32(0x500, I_MFSPR(12, 27));			/* SRR1 */
	put_be32(0x504, 26u << 26 | 12 << 21 | 12 << 16 | 0x8000);	/* xori r12,r12,MSR[EE] (it was on) */
	put_be32(0x508, I_MTSPR(27, 12));
	put_be32(0x50c, I_ADDI(10, 10, 1));
	put_be32(0x510, I_RFID);
	put_be32(0x900, 15u << 26 | 12 << 21 | 0x7fff);	/* lis r12,0x7fff */
	put_be32(0x904, I_MTSPR(22, 12));			/* DEC */
	put_be32(0x908, I_RFID);
	for (uint64_t p = 0x500; p < 0xa20; p += 32)
		__asm__ volatile("dcbst 0,%0; sync; icbi 0,%0" : : "r"(p) : "memory");
	__asm__ volatile("sync; isync" : : : "memory");
}

static unsigned arg(const char *args, const char *key, unsigned dflt)
{
	for (const char *p = args; p && *p; p++) {
		if (p != args && p[-1] != ' ')
			continue;
		const char *k = key, *q = p;
		while (*k && *q == *k)
			k++, q++;
		if (*k || *q != '=')
			continue;
		unsigned v = 0;
		for (q++; *q >= '0' && *q <= '9'; q++)
			v = v * 10 + (unsigned)(*q - '0');
		return v;
	}
	return dflt;
}

void main(uint64_t r3, uint64_t r4, uint64_t r5, uint64_t msr, uint64_t entered_be)
{
	(void)r4, (void)r5, (void)msr, (void)entered_be;
	const void *fdt = (const void *)r3;
	uint32_t power_off = 0, start_token = 0;
	unsigned present = 0;

	console_printf("@@SMP-START@@\n");
	if (!dt_valid(fdt)) {
		console_printf("@@SMP@@ error=no-device-tree\n");
		console_flush();
		for (;;)
			;
	}
	int rtas = dt_path_offset(fdt, "/rtas"), len;
	power_off = dt_getprop_cell(fdt, rtas, "power-off", 0);
	start_token = dt_getprop_cell(fdt, rtas, "start-cpu", 0);
	const char *args = dt_getprop(fdt, dt_path_offset(fdt, "/chosen"), "bootargs", &len);
	int cpus = dt_path_offset(fdt, "/cpus");
	for (int c = dt_first_child(fdt, cpus); c >= 0; c = dt_next_sibling(fdt, c)) {
		const char *name = dt_node_name(fdt, c);
		if (name[0] == 'P' || name[0] == 'c')	/* PowerPC,POWER10@0 */
			present++;
		if (present == 1)
			tb_hz = dt_getprop_u(fdt, c, "timebase-frequency", tb_hz);
	}
	ncpus = arg(args, "cpus", present < MAX_CPUS ? present : MAX_CPUS);
	if (ncpus < 2 || ncpus > present || ncpus > MAX_CPUS)
		ncpus = present < MAX_CPUS ? present : MAX_CPUS;
	rounds = arg(args, "rounds", rounds);
	skip_invalidation = arg(args, "noinval", 0);
	doorbells = arg(args, "doorbell", 0);
	if (doorbells)
		install_window_vectors();

	/* The first 16 MiB identity-mapped with 2M pages; V_i, 4K each, onto page[i][0]. */
	for (unsigned i = 0; i < 8192; i++)
		root[i] = 0;
	for (uint64_t a = 0; a < (16ull << 20); a += 2ull << 20)
		put(radix_leaf(&tree, a, 21), PTE_V | PTE_L | a | KERNEL_RWX);
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		for (unsigned k = 0; k < 2; k++)
			for (unsigned w = 0; w < 512; w++)
				pages[i][k][w] = value(i, k);
		v_pte[i] = radix_leaf(&tree, V_BASE + i * 4096ull, 12);
		put(v_pte[i], PTE_V | PTE_L | (uint64_t)pages[i][0] | KERNEL_RWX);
	}
	const uint64_t rts = 52 - 31;
	put(&proc_table[0], ((rts & 0x18) << 58) | ((rts & 7) << 5) | (uint64_t)root | 13);
	ptesync();
	long rc = hcall(H_REGISTER_PROC_TBL, 0x10 | 0x08 | 0x04 | 0x01, (uint64_t)proc_table, 0, 0, 0);
	console_printf("@@SMP@@ setup cpus=%u rounds=%u register-proc-tbl=%ld\n", ncpus, rounds, rc);

	for (unsigned i = 1; i < ncpus; i++) {
		int32_t st = start_cpu(start_token, i, (uint64_t)smp_secondary_entry, i);
		if (st != 0)
			console_printf("@@SMP@@ start-cpu %u status=%d\n", i, st);
	}
	worker(0);
	const uint64_t until = mftb() + 2 * WAIT_SECONDS * tb_hz;
	for (unsigned i = 0; i < ncpus; i++)
		while (!cpu[i].done && mftb() < until)
			;
	full_sync();
	uint64_t sent = 0, received = 0, bad = 0;
	for (unsigned i = 0; i < ncpus; i++) {
		console_printf("@@SMP@@ cpu=%u sent=%lu received=%lu stale-local=%lu stale-remote=%lu spurious=%lu "
			       "timeouts=%lu done=%lu\n", i, cpu[i].sent, cpu[i].received, cpu[i].stale_local,
			       cpu[i].stale_remote, cpu[i].spurious, cpu[i].timeouts, cpu[i].done);
		sent += cpu[i].sent;
		received += cpu[i].received;
		bad += cpu[i].stale_local + cpu[i].stale_remote + cpu[i].spurious + cpu[i].timeouts + !cpu[i].done;
	}
	console_printf("@@SMP@@ total cpus=%u rounds=%u sent=%lu received=%lu bad=%lu\n", ncpus, rounds, sent,
		       received, bad);
	if (doorbells) {
		uint64_t s = 0, t = 0, d = 0, b = 0;

		for (unsigned i = 0; i < ncpus; i++) {
			console_printf("@@SMP@@ doorbells cpu=%u sent=%lu taken+deferred=%lu other-threads=%lu bad=%lu\n",
				       i, cpu[i].db_sent, cpu[i].db_taken + cpu[i].db_deferred, cpu[i].db_other,
				       cpu[i].db_bad);
			s += cpu[i].db_sent, t += cpu[i].db_taken, d += cpu[i].db_deferred, b += cpu[i].db_bad;
		}
		console_printf("@@SMP@@ doorbells total sent=%lu taken=%lu deferred=%lu bad=%lu\n", s, t, d, b);
	}
	console_printf("@@PAYLOAD-EXIT@@ power-off\n");
	console_flush();
	if (power_off)
		rtas_power_off(power_off);
	for (;;)
		;
}
