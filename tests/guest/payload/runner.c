#include "runner.h"
#include "selftest.h"
#include "workload.h"

unsigned run_selftests(const uint64_t *expected, unsigned n_expected)
{
	unsigned failures = 0;

	for (unsigned i = 0; i < selftest_count; i++) {
		uint64_t r = selftests[i].run();
		int ok = !expected || (i < n_expected && expected[i] == r);

		plat_printf("@@SELFTEST@@ name=%s result=0x%016lx %s\n", selftests[i].name,
			    (unsigned long)r, ok ? "ok" : "FAIL");
		failures += !ok;
	}
	return failures;
}

static uint64_t t0;

static void start(void)
{
	t0 = plat_ticks();
}

/* Ends a result line; the elapsed time only on request, as it differs per run. */
static void finish(const struct params *p)
{
	if (p->timing)
		plat_print_elapsed(plat_ticks() - t0);
	plat_printf("\n");
}

void run_workloads(const struct params *p)
{
	if (p->int_iters) {
		start();
		uint64_t r = wl_int(p->int_iters);

		plat_printf("@@WL@@ int iters=%lu result=0x%016lx", (unsigned long)p->int_iters,
			    (unsigned long)r);
		finish(p);
	}
	if (p->crc || p->copy || p->copy_near || p->vec)
		wl_prepare();
	if (p->crc) {
		start();
		uint32_t r = wl_crc(p->crc);

		plat_printf("@@WL@@ crc reps=%lu bytes=%lu result=0x%08x", (unsigned long)p->crc,
			    (unsigned long)(p->crc * WL_BUF_BYTES), r);
		finish(p);
	}
	if (p->copy) {
		start();
		uint64_t r = wl_copy(p->copy);

		plat_printf("@@WL@@ copy reps=%lu bytes=%lu result=0x%016lx", (unsigned long)p->copy,
			    (unsigned long)(p->copy * WL_BUF_BYTES), (unsigned long)r);
		finish(p);
	}
	if (p->copy_near) {
		start();
		uint64_t r = wl_copy_near(p->copy_near);

		plat_printf("@@WL@@ copynear reps=%lu bytes=%lu result=0x%016lx", (unsigned long)p->copy_near,
			    (unsigned long)(p->copy_near * 65536), (unsigned long)r);
		finish(p);
	}
	if (p->fib) {
		start();
		uint64_t r = wl_fib((unsigned)p->fib);

		plat_printf("@@WL@@ fib n=%lu result=0x%016lx", (unsigned long)p->fib, (unsigned long)r);
		finish(p);
	}
	if (p->sort) {
		start();
		uint32_t keys = p->sort_keys && p->sort_keys < WL_SORT_KEYS ? p->sort_keys : WL_SORT_KEYS;
		uint64_t r = wl_sort(p->sort, keys);

		plat_printf("@@WL@@ sort reps=%lu keys=%u result=0x%016lx", (unsigned long)p->sort,
			    keys, (unsigned long)r);
		finish(p);
	}
	if (p->fp) {
		start();
		uint64_t r = wl_fp(p->fp);

		plat_printf("@@WL@@ fp reps=%lu result=0x%016lx", (unsigned long)p->fp, (unsigned long)r);
		finish(p);
	}
	if (p->vec) {
		plat_enable_vector();
		start();
		uint64_t r = wl_vec(p->vec);

		plat_printf("@@WL@@ vec reps=%lu bytes=%lu result=0x%016lx", (unsigned long)p->vec,
			    (unsigned long)(p->vec * WL_BUF_BYTES), (unsigned long)r);
		finish(p);
	}
}
