#include "of_client.h"

#include <stdarg.h>

static uint32_t of_entry;

void of_init(uint32_t entry)
{
	of_entry = entry;
}

/*
 * Argument block: service name, nargs, nret, then the arguments followed by
 * the returns, all big-endian 32-bit cells.  Every pointer passed must be
 * below 4 GiB; the payload and its stack are.
 */
static uint32_t of_call(const char *service, unsigned nargs, unsigned nret, ...)
{
	struct {
		uint32_t service, nargs, nret, cells[10];
	} a;
	va_list ap;

	a.service = __builtin_bswap32((uint32_t)(uintptr_t)service);
	a.nargs = __builtin_bswap32(nargs);
	a.nret = __builtin_bswap32(nret);
	va_start(ap, nret);
	for (unsigned i = 0; i < nargs; i++)
		a.cells[i] = __builtin_bswap32(va_arg(ap, uint32_t));
	va_end(ap);
	for (unsigned i = nargs; i < nargs + nret; i++)
		a.cells[i] = 0xffffffffu;

	if (of_enter(&a, of_entry) != 0 || !nret)
		return OF_NONE;
	return __builtin_bswap32(a.cells[nargs]);
}

static uint32_t ptr32(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

uint32_t of_finddevice(const char *path)
{
	return of_call("finddevice", 1, 1, ptr32(path));
}

int of_getprop(uint32_t phandle, const char *name, void *buf, uint32_t buflen)
{
	return (int)of_call("getprop", 4, 1, phandle, ptr32(name), ptr32(buf), buflen);
}

/* IEEE 1275 returns 0 for "no such node"; fold that into OF_NONE. */
static uint32_t node_or_none(uint32_t ph)
{
	return ph == 0 ? OF_NONE : ph;
}

uint32_t of_child(uint32_t phandle)
{
	return node_or_none(of_call("child", 1, 1, phandle));
}

uint32_t of_peer(uint32_t phandle)
{
	return node_or_none(of_call("peer", 1, 1, phandle));
}

uint32_t of_instance_to_package(uint32_t ihandle)
{
	return of_call("instance-to-package", 1, 1, ihandle);
}

void of_quiesce(void)
{
	of_call("quiesce", 0, 0);
}
