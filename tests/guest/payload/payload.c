/*
 * phv bare-metal test payload: boots from a flattened device tree (phv-run,
 * r3 = FDT) or through the Open Firmware client interface (QEMU SLOF/VOF,
 * r5 = entry), then runs the self-tests and workloads asked for in bootargs
 * and powers the machine off through RTAS.  docs: guests.md section 4.
 */
#include <stdarg.h>
#include <stdint.h>

#include "console.h"
#include "fdt.h"
#include "hcall.h"
#include "libc.h"
#include "of_client.h"
#include "params.h"
#include "rtas.h"
#include "runner.h"

#include "selftest_expected.h"

#define VTERM_DEFAULT	0x71000000	/* QEMU's and phv-run's first vty */
#define TB_DEFAULT	512000000	/* POWER9/10 timebase */

static struct {
	char bootargs[1024];
	uint64_t vterm;
	uint32_t power_off, os_term;	/* RTAS tokens, 0 = absent */
	uint64_t tb_freq;
} boot;

static uint64_t tb_freq = TB_DEFAULT;

void plat_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

uint64_t plat_ticks(void)
{
	return __builtin_ppc_get_timebase();
}

void plat_enable_vector(void)
{
	uint64_t msr;

	__asm__ volatile("mfmsr %0" : "=r"(msr));
	msr |= 1ull << (63 - 38);	/* MSR[VEC] */
	__asm__ volatile("mtmsrd %0; isync" : : "r"(msr) : "memory");
}

static uint64_t ticks_to_us(uint64_t ticks)
{
	return ticks / tb_freq * 1000000 + ticks % tb_freq * 1000000 / tb_freq;
}

void plat_print_elapsed(uint64_t ticks)
{
	uint64_t us = ticks_to_us(ticks);

	console_printf(" seconds=%lu.%06lu tb=%lu", us / 1000000, us % 1000000, ticks);
}

static void copy_string(char *dst, unsigned size, const char *src, int len)
{
	unsigned n = 0;

	for (; src && (int)n < len && n + 1 < size && src[n]; n++)
		dst[n] = src[n];
	dst[n] = '\0';
}

static int read_fdt(const void *fdt)
{
	int len;

	if (!dt_valid(fdt))
		return -1;
	int chosen = dt_path_offset(fdt, "/chosen");
	const char *s = dt_getprop(fdt, chosen, "bootargs", &len);

	copy_string(boot.bootargs, sizeof(boot.bootargs), s, s ? len : 0);

	/* "/vdevice/vty@71000000[:options]" */
	s = dt_getprop(fdt, chosen, "linux,stdout-path", &len);
	if (!s)
		s = dt_getprop(fdt, chosen, "stdout-path", &len);
	if (s) {
		unsigned n = 0;

		while ((int)n < len && s[n] && s[n] != ':')
			n++;
		int vty = dt_path_offset_len(fdt, s, n);

		boot.vterm = dt_getprop_cell(fdt, vty, "reg", VTERM_DEFAULT);
	}

	int rtas = dt_path_offset(fdt, "/rtas");

	boot.power_off = dt_getprop_cell(fdt, rtas, "power-off", 0);
	boot.os_term = dt_getprop_cell(fdt, rtas, "ibm,os-term", 0);

	for (int cpu = dt_first_child(fdt, dt_path_offset(fdt, "/cpus"));
	     cpu >= 0 && !boot.tb_freq; cpu = dt_next_sibling(fdt, cpu))
		boot.tb_freq = dt_getprop_u(fdt, cpu, "timebase-frequency", 0);
	return 0;
}

static uint32_t of_getprop_cell(uint32_t ph, const char *name, uint32_t dflt)
{
	uint32_t v;

	return of_getprop(ph, name, &v, sizeof(v)) >= 4 ? __builtin_bswap32(v) : dflt;
}

static void read_of(uint32_t entry)
{
	of_init(entry);
	uint32_t chosen = of_finddevice("/chosen");
	int n = of_getprop(chosen, "bootargs", boot.bootargs, sizeof(boot.bootargs) - 1);

	/* getprop reports the property's full size, which may exceed the buffer. */
	boot.bootargs[n < 0 ? 0 : n < (int)sizeof(boot.bootargs) ? n : (int)sizeof(boot.bootargs) - 1] = '\0';

	/* The vty is the package behind the /chosen/stdout instance. */
	uint32_t ihandle = of_getprop_cell(chosen, "stdout", OF_NONE);

	if (ihandle != OF_NONE)
		boot.vterm = of_getprop_cell(of_instance_to_package(ihandle), "reg", VTERM_DEFAULT);

	uint32_t rtas = of_finddevice("/rtas");

	boot.power_off = of_getprop_cell(rtas, "power-off", 0);
	boot.os_term = of_getprop_cell(rtas, "ibm,os-term", 0);

	for (uint32_t cpu = of_child(of_finddevice("/cpus")); cpu != OF_NONE && !boot.tb_freq;
	     cpu = of_peer(cpu)) {
		uint32_t v[2];
		int len = of_getprop(cpu, "timebase-frequency", v, sizeof(v));

		if (len == 4)
			boot.tb_freq = __builtin_bswap32(v[0]);
		else if (len == 8)
			boot.tb_freq = (uint64_t)__builtin_bswap32(v[0]) << 32 | __builtin_bswap32(v[1]);
	}
}

static void __attribute__((noreturn)) hang(void)
{
	console_flush();
	for (;;)
		;
}

/* ibm,os-term makes the failure visible to the host (QEMU: "OS terminated"). */
static void __attribute__((noreturn)) fail(const char *why)
{
	console_printf("@@PAYLOAD-FAIL@@ %s\n", why);
	if (boot.os_term) {
		console_printf("@@PAYLOAD-EXIT@@ ibm,os-term\n");
		rtas_os_term(boot.os_term, why);
	}
	console_printf("@@PAYLOAD-EXIT@@ loop\n");
	hang();
}

static void __attribute__((noreturn)) finish(enum exit_mode mode)
{
	switch (mode) {
	case EXIT_OSTERM:
		if (!boot.os_term)
			fail("no RTAS ibm,os-term token");
		console_printf("@@PAYLOAD-EXIT@@ ibm,os-term\n");
		rtas_os_term(boot.os_term, "payload os-term");
		fail("ibm,os-term returned");
	case EXIT_LOOP:
		console_printf("@@PAYLOAD-EXIT@@ loop\n");
		hang();
	case EXIT_POWEROFF:
		break;
	}
	if (!boot.power_off)
		fail("no RTAS power-off token");
	console_printf("@@PAYLOAD-EXIT@@ power-off\n");
	int32_t status = rtas_power_off(boot.power_off);

	console_printf("@@PAYLOAD-EXIT-FAILED@@ power-off status=%d\n", status);
	fail("power-off returned");
}

static void hcall_bench(uint64_t calls, int timing)
{
	uint64_t status = 0, t0 = plat_ticks();

	for (uint64_t i = 0; i < calls; i++)
		status |= (uint64_t)hcall(H_GET_TERM_CHAR, boot.vterm, 0, 0, 0, 0);
	uint64_t ticks = plat_ticks() - t0, us = ticks_to_us(ticks);

	console_printf("@@WL@@ hcall calls=%lu status=%lu", calls, status);
	if (timing)
		console_printf(" seconds=%lu.%06lu ns_per_call=%lu tb=%lu", us / 1000000, us % 1000000,
			       us * 1000 / calls, ticks);
	console_printf("\n");
}

void main(uint64_t r3, uint64_t r4, uint64_t r5, uint64_t msr, uint64_t entered_be)
{
	int of_boot = r5 != 0;
	struct params p;

	boot.vterm = VTERM_DEFAULT;
	console_printf("@@PAYLOAD-START@@\n");
	console_printf("Hello from the phv bare-metal payload!\n");
	console_printf("@@PAYLOAD-ENTRY@@ r3=0x%016lx r4=0x%016lx r5=0x%016lx msr_after_fixup=0x%016lx "
		       "entered_big_endian=%lu boot=%s\n",
		       r3, r4, r5, msr, entered_be, of_boot ? "of" : "fdt");

	if (of_boot)
		read_of((uint32_t)r5);
	else if (read_fdt((const void *)r3) != 0)
		fail("r3 does not point to a flattened device tree");
	params_parse(&p, boot.bootargs);
	if (of_boot && p.quiesce)
		of_quiesce();
	console_set_vterm(boot.vterm);
	tb_freq = p.tb ? p.tb : boot.tb_freq ? boot.tb_freq : TB_DEFAULT;

	console_printf("@@PAYLOAD-DT@@ bootargs=\"%s\" vterm=0x%lx rtas.power-off=0x%x "
		       "rtas.ibm,os-term=0x%x timebase-frequency=%lu\n",
		       boot.bootargs, boot.vterm, boot.power_off, boot.os_term, boot.tb_freq);

	unsigned failures = p.selftest ? run_selftests(selftest_expected, SELFTEST_EXPECTED_COUNT) : 0;

	uint64_t t0 = plat_ticks();

	run_workloads(&p);
	if (p.hcalls)
		hcall_bench(p.hcalls, p.timing);
	uint64_t us = ticks_to_us(plat_ticks() - t0);

	console_printf("@@WL-DONE@@");
	if (p.timing)
		console_printf(" total_seconds=%lu.%06lu", us / 1000000, us % 1000000);
	console_printf("\n");
	if (failures)
		fail("self-test failed");
	finish(p.exit);
}
