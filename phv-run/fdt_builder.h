// The flattened device tree phv-run hands to the guest in r3. There is no firmware and no
// client-architecture-support negotiation, so the tree states the negotiated result directly (radix or hash
// in /chosen/ibm,architecture-vec-5), as kvmtool does. See shared/docs/fdt-boot.md.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <phv/phv.h>

#include "cpu_model.h"
#include "fdt_cpu.h"
#include "expected.h"

namespace phvrun {

constexpr uint32_t kVtyReg = 0x71000000;
constexpr const char *kVtyPath = "/vdevice/vty@71000000";

struct RtasTokenProp {
    std::string name;
    uint32_t token;
};

struct FdtConfig {
    CpuModel cpu = CpuModel::Power10;
    uint32_t pvr = 0;
    unsigned smp = 1;
    uint64_t ram_size = 0;
    uint32_t timebase_hz = 512000000;
    uint32_t hpt_shift = 0;  // hash MMU (POWER8) only
    std::string bootargs;
    std::optional<std::pair<uint64_t, uint64_t>> initrd;  // [start, end)
    uint64_t rtas_base = 0, rtas_size = 0, rtas_entry = 0;
    std::vector<RtasTokenProp> rtas_tokens;
    std::vector<std::string> hypertas;  // ibm,hypertas-functions
    // The platform phv-run serves, each only when its calls are registered.
    bool xics = false;               // /interrupt-controller (servers 0..smp-1)
    bool random = false;             // /ibm,platform-facilities/ibm,random-v1 (H_RANDOM)
    bool event_scan = false;         // /rtas rtas-event-scan-rate and rtas-error-log-max
    uint32_t vty_irq = 0;            // the vty's input interrupt (an XICS source), 0 for none
    VectorUnits vector{};            // what ibm,vmx and ibm,pa-features offer (core_vector_units())
    // The core's hash MMU (phv_vm_get_smmu_info), for every cpu node; nullopt: built-in defaults.
    std::optional<struct phv_ppc_smmu_info> smmu;
};

constexpr uint32_t kXicsPhandle = 0x1000;
constexpr uint32_t kRtasEventScanRate = 1;     // scans per minute, what QEMU's pseries says
constexpr uint32_t kRtasErrorLogMax = 2048;

// /chosen/ibm,architecture-vec-5 as it stands after CAS: {length-1, option vector 5 bytes 1..26}.
std::vector<uint8_t> architecture_vec5(CpuModel model);

// Builds the tree; fails if it would exceed max_size bytes.
Expected<std::vector<uint8_t>> build_fdt(const FdtConfig &cfg, size_t max_size);

} // namespace phvrun
