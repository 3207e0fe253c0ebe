#include "fdt_builder.h"

#include <cstdio>
#include <libfdt.h>

#include "fdt_cpu.h"
#include "fdt_writer.h"

namespace phvrun {

namespace {

// Option vector 5 bytes (PAPR B.5.2, 1-based as in PAPR and in Linux's OV5_* constants).
constexpr unsigned kOv5Bytes = 26;
constexpr unsigned kOv5MmuByte = 24;      // bits 0-1: 00 hash only, 01 radix only
constexpr uint8_t kOv5MmuRadix = 0x40;
constexpr unsigned kOv5RadixGtseByte = 26;
constexpr uint8_t kOv5RadixGtse = 0x40;   // the guest may use tlbie itself (no H_RPT_INVALIDATE needed)

std::string unit_name(const std::string &base, uint64_t unit) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s@%llx", base.c_str(), static_cast<unsigned long long>(unit));
    return buf;
}

void write_tree(FdtWriter &w, const FdtConfig &cfg) {
    // Linux reserves kernel, initrd and the tree itself; the RTAS area it only learns about from here.
    w.reserve(cfg.rtas_base, cfg.rtas_size);

    w.begin_node("");
    w.prop_string("compatible", "qemu,pseries");
    w.prop_string("model", "IBM pSeries (emulated by phv)");
    w.prop_string("device_type", "chrp");  // what Linux's pSeries_probe() looks for
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);

    w.begin_node("cpus");
    w.prop_u32("#address-cells", 1);
    w.prop_u32("#size-cells", 0);
    const std::string cpu_base = "PowerPC," + std::string(cpu_model_dt_name(cfg.cpu));
    std::vector<uint32_t> sps;
    if (cfg.smmu)
        sps = segment_page_sizes_from(*cfg.smmu);
    for (unsigned i = 0; i < cfg.smp; ++i) {
        w.begin_node(unit_name(cpu_base, i));
        CpuNodeInfo info{cfg.cpu, i, cfg.pvr, cfg.timebase_hz, cfg.hpt_shift};
        info.vector = cfg.vector;
        if (cfg.smmu) {
            info.segment_page_sizes = &sps;
            info.slb_size = cfg.smmu->slb_size;
            info.storage_keys = {cfg.smmu->data_keys, cfg.smmu->instr_keys};
        }
        write_cpu_properties(w, info);
        w.end_node();
    }
    w.end_node();

    w.begin_node("memory@0");
    w.prop_string("device_type", "memory");
    w.prop_cells("reg", {0, 0, uint32_t(cfg.ram_size >> 32), uint32_t(cfg.ram_size)});
    w.end_node();

    w.begin_node("chosen");
    w.prop_string("bootargs", cfg.bootargs);
    if (cfg.initrd) {
        w.prop_u64("linux,initrd-start", cfg.initrd->first);
        w.prop_u64("linux,initrd-end", cfg.initrd->second);
    }
    w.prop_string("linux,stdout-path", kVtyPath);
    w.prop_string("stdout-path", kVtyPath);
    const std::vector<uint8_t> vec5 = architecture_vec5(cfg.cpu);
    w.prop_bytes("ibm,architecture-vec-5", vec5);
    w.end_node();

    w.begin_node("rtas");
    // Linux's early_init_dt_scan_rtas() reads these three as single cells.
    w.prop_u32("linux,rtas-base", uint32_t(cfg.rtas_base));
    w.prop_u32("linux,rtas-entry", uint32_t(cfg.rtas_entry));
    w.prop_u32("rtas-size", uint32_t(cfg.rtas_size));
    w.prop_strings("ibm,hypertas-functions", cfg.hypertas);
    if (cfg.event_scan) {
        w.prop_u32("rtas-event-scan-rate", kRtasEventScanRate);
        w.prop_u32("rtas-error-log-max", kRtasErrorLogMax);
    }
    for (const RtasTokenProp &t : cfg.rtas_tokens)
        w.prop_u32(t.name.c_str(), t.token);
    w.end_node();

    w.begin_node("vdevice");
    w.prop_string("device_type", "vdevice");
    w.prop_string("compatible", "IBM,vdevice");
    w.prop_u32("#address-cells", 1);
    w.prop_u32("#size-cells", 0);
    if (cfg.xics) {
        // Virtual devices name their XICS sources directly: {source, 0 = edge} (Linux's xics_host_xlate).
        w.prop_empty("interrupt-controller");
        w.prop_u32("#interrupt-cells", 2);
    }
    w.begin_node(unit_name("vty", kVtyReg));
    w.prop_string("device_type", "serial");
    w.prop_string("compatible", "hvterm1");
    w.prop_u32("reg", kVtyReg);
    if (cfg.xics && cfg.vty_irq)
        w.prop_cells("interrupts", {cfg.vty_irq, 0});
    w.end_node();
    w.end_node();

    if (cfg.xics) {
        // XICS through hcalls (Linux's icp-hv finds it by this compatible); servers are the vcpu ids.
        w.begin_node("interrupt-controller");
        w.prop_string("device_type", "PowerPC-External-Interrupt-Presentation");
        w.prop_string("compatible", "IBM,ppc-xicp");
        w.prop_empty("interrupt-controller");
        w.prop_cells("ibm,interrupt-server-ranges", {0, cfg.smp});
        w.prop_u32("#interrupt-cells", 2);
        w.prop_u32("linux,phandle", kXicsPhandle);
        w.prop_u32("phandle", kXicsPhandle);
        w.end_node();
    }

    if (cfg.random) {
        w.begin_node("ibm,platform-facilities");
        w.prop_string("device_type", "ibm,platform-facilities");
        w.prop_u32("#address-cells", 1);
        w.prop_u32("#size-cells", 0);
        w.begin_node("ibm,random-v1");
        w.prop_string("compatible", "ibm,random");
        w.end_node();
        w.end_node();
    }

    w.end_node();
}

} // namespace

std::vector<uint8_t> architecture_vec5(CpuModel model) {
    std::vector<uint8_t> v(1 + kOv5Bytes, 0);
    v[0] = kOv5Bytes - 1;  // PAPR encodes the vector length minus one
    if (cpu_model_uses_radix(model)) {
        v[kOv5MmuByte] = kOv5MmuRadix;
        v[kOv5RadixGtseByte] = kOv5RadixGtse;
    }
    return v;
}

Expected<std::vector<uint8_t>> build_fdt(const FdtConfig &cfg, size_t max_size) {
    // The sequential-write API needs its buffer up front; grow it until the tree fits.
    for (size_t size = 16 * 1024;; size *= 2) {
        if (size > max_size)
            size = max_size;
        FdtWriter w(size);
        write_tree(w, cfg);
        const int rc = w.finish();
        if (rc == 0)
            return w.take_blob();
        if (rc != -FDT_ERR_NOSPACE)
            return Error{std::string("device tree: libfdt error at ") + w.where() + ": " + fdt_strerror(rc)};
        if (size == max_size)
            return Error{"device tree does not fit in " + std::to_string(max_size) + " bytes"};
    }
}

} // namespace phvrun
