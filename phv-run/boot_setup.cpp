#include "boot_setup.h"

#include <cstdio>

#include "fdt_cpu.h"
#include "rtas.h"

namespace phvrun {

Expected<BootInfo> prepare_boot(const BootRequest &req, const GuestMemory &ram) {
    BootInfo info;
    auto image = parse_elf(req.kernel, ram.size());
    if (!image)
        return Error{"kernel: " + image.error()};
    info.kernel = std::move(*image);

    LayoutRequest lr;
    lr.ram_size = ram.size();
    lr.kernel_lo = info.kernel.load_lo;
    lr.kernel_hi = info.kernel.load_hi;
    lr.initrd_size = req.initrd.size();
    auto layout = plan_layout(lr);
    if (!layout)
        return Error{layout.error()};
    info.layout = *layout;

    if (auto loaded = load_elf(info.kernel, req.kernel, ram); !loaded)
        return Error{"kernel: " + loaded.error()};
    if (!req.initrd.empty() && !ram.write(info.layout.initrd_start, req.initrd.data(), req.initrd.size()))
        return Error{"initrd does not fit at " + hex(info.layout.initrd_start)};

    const std::span<const uint8_t> rtas_code = Rtas::entry_code();
    if (rtas_code.size() > info.layout.rtas_size ||
        !ram.write(info.layout.rtas_base, rtas_code.data(), rtas_code.size()))
        return Error{"RTAS entry code does not fit at " + hex(info.layout.rtas_base)};

    FdtConfig cfg;
    cfg.cpu = req.cpu;
    cfg.pvr = req.pvr;
    cfg.smp = req.smp;
    cfg.ram_size = ram.size();
    cfg.timebase_hz = req.timebase_hz;
    cfg.hpt_shift = req.hpt_shift ? req.hpt_shift : hpt_shift_for_ram(ram.size());
    cfg.smmu = req.smmu;
    cfg.bootargs = req.bootargs;
    if (!req.initrd.empty())
        cfg.initrd = std::make_pair(info.layout.initrd_start, info.layout.initrd_end);
    cfg.rtas_base = info.layout.rtas_base;
    cfg.rtas_size = info.layout.rtas_size;
    cfg.rtas_entry = info.layout.rtas_base;
    cfg.rtas_tokens = req.rtas_tokens;
    cfg.hypertas = req.hypertas;
    cfg.xics = req.xics;
    cfg.random = req.random;
    cfg.event_scan = req.event_scan;
    cfg.vty_irq = req.vty_irq;
    cfg.vector = req.vector;
    auto fdt = build_fdt(cfg, info.layout.fdt_max_size);
    if (!fdt)
        return Error{fdt.error()};
    if (!ram.write(info.layout.fdt_base, fdt->data(), fdt->size()))
        return Error{"device tree does not fit at " + hex(info.layout.fdt_base)};
    info.fdt_addr = info.layout.fdt_base;
    info.fdt_size = fdt->size();

    info.entry = info.kernel.entry;
    info.kernel_addr = info.kernel.load_lo;
    return info;
}

} // namespace phvrun
