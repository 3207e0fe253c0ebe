#include "platform.h"
#include "console.h"
#include "fdt.h"
#include "of_client.h"
#include "rtas.h"

static uint64_t be64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void read_client_interface(struct platform_info *info, uint32_t entry)
{
	uint8_t reg[16];
	uint32_t v;

	of_init(entry);
	if (of_getprop(of_finddevice("/rtas"), "power-off", &v, sizeof(v)) >= 4)
		info->power_off = __builtin_bswap32(v);
	int n = of_getprop(of_finddevice("/chosen"), "bootargs", info->bootargs, sizeof(info->bootargs) - 1);

	info->bootargs[n < 0 ? 0 : n] = '\0';
	if (of_getprop(of_finddevice("/memory@0"), "reg", reg, sizeof(reg)) >= 16)
		info->ram_end = be64(reg) + be64(reg + 8);
}

static void read_fdt(struct platform_info *info, const void *fdt)
{
	int len;

	if (!dt_valid(fdt))
		return;
	info->power_off = dt_getprop_cell(fdt, dt_path_offset(fdt, "/rtas"), "power-off", 0);
	const char *args = dt_getprop(fdt, dt_path_offset(fdt, "/chosen"), "bootargs", &len);

	for (int i = 0; args && i < len && i + 1 < (int)sizeof(info->bootargs) && args[i]; i++)
		info->bootargs[i] = args[i];
	const uint8_t *m = dt_getprop(fdt, dt_path_offset(fdt, "/memory@0"), "reg", &len);

	if (m && len >= 16)
		info->ram_end = be64(m) + be64(m + 8);
}

void platform_info_read(struct platform_info *info, uint64_t r3, uint64_t r5)
{
	if (r5)
		read_client_interface(info, (uint32_t)r5);
	else
		read_fdt(info, (const void *)r3);
}

void platform_exit(uint32_t power_off)
{
	if (power_off) {
		console_printf("@@PAYLOAD-EXIT@@ power-off\n");
		console_flush();
		rtas_power_off(power_off);
	}
	console_printf("@@PAYLOAD-EXIT@@ loop\n");
	console_flush();
	for (;;)
		;
}
