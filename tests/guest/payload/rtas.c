#include "rtas.h"
#include "fdt.h"
#include "hcall.h"
#include "of_client.h"

#include <stdarg.h>

/* {token, nargs, nret, args..., rets...}, big-endian cells at a real address. */
static uint32_t rtas_args[16] __attribute__((aligned(8)));

static int32_t rtas_call(uint32_t token, unsigned nargs, unsigned nret, ...)
{
	va_list ap;

	rtas_args[0] = __builtin_bswap32(token);
	rtas_args[1] = __builtin_bswap32(nargs);
	rtas_args[2] = __builtin_bswap32(nret);
	va_start(ap, nret);
	for (unsigned i = 0; i < nargs; i++)
		rtas_args[3 + i] = __builtin_bswap32(va_arg(ap, uint32_t));
	va_end(ap);
	for (unsigned i = 0; i < nret; i++)
		rtas_args[3 + nargs + i] = 0xffffffffu;	/* so a call that did nothing reads -1 */

	hcall(KVMPPC_H_RTAS, (uint64_t)(uintptr_t)rtas_args, 0, 0, 0, 0);
	return nret ? (int32_t)__builtin_bswap32(rtas_args[3 + nargs]) : 0;
}

int32_t rtas_power_off(uint32_t token)
{
	/* PAPR power-off: two arguments (power-on time, both halves "none"). */
	return rtas_call(token, 2, 1, 0xffffffffu, 0xffffffffu);
}

int32_t rtas_os_term(uint32_t token, const char *message)
{
	return rtas_call(token, 1, 1, (uint32_t)(uintptr_t)message);
}

uint32_t rtas_power_off_token(uint64_t r3, uint64_t r5)
{
	if (r5) {
		uint32_t v;

		of_init((uint32_t)r5);
		return of_getprop(of_finddevice("/rtas"), "power-off", &v, sizeof(v)) >= 4 ? __builtin_bswap32(v) : 0;
	}
	const void *fdt = (const void *)r3;

	return dt_valid(fdt) ? dt_getprop_cell(fdt, dt_path_offset(fdt, "/rtas"), "power-off", 0) : 0;
}
