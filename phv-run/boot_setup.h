// Puts everything a flattened-device-tree boot needs into guest RAM: the kernel's segments, the initrd, the
// RTAS entry code and the device tree (shared/docs/fdt-boot.md). It only writes RAM, so it is tested with a
// plain buffer; setting the entry registers is the vcpu code's job.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <optional>
#include <vector>

#include "cpu_model.h"
#include "elf_loader.h"
#include "expected.h"
#include "fdt_builder.h"
#include "guest_memory.h"
#include "layout.h"

namespace phvrun {

struct BootRequest {
    CpuModel cpu = CpuModel::Power10;
    uint32_t pvr = 0;
    unsigned smp = 1;
    uint32_t timebase_hz = 512000000;
    std::span<const uint8_t> kernel;  // the ELF file
    std::span<const uint8_t> initrd;  // empty: no initrd
    std::string bootargs;
    std::vector<RtasTokenProp> rtas_tokens;
    std::vector<std::string> hypertas;
    bool xics = false, random = false, event_scan = false;  // see FdtConfig
    uint32_t vty_irq = 0;
    VectorUnits vector{};
    uint32_t hpt_shift = 0;                                 // 0: hpt_shift_for_ram()
    std::optional<struct phv_ppc_smmu_info> smmu;
};

// Where things ended up, and the flattened-tree entry state (Linux booting.rst: r3 = tree, r4 = kernel).
struct BootInfo {
    ElfImage kernel;
    Layout layout;
    uint64_t fdt_addr = 0;
    uint64_t fdt_size = 0;
    uint64_t entry = 0;        // first instruction
    uint64_t kernel_addr = 0;  // r4: the kernel's lowest load address
};

Expected<BootInfo> prepare_boot(const BootRequest &req, const GuestMemory &ram);

} // namespace phvrun
