// The per-model properties of a /cpus/PowerPC,POWERn@N node that describe the processor rather than the
// machine: architecture features, MMU page sizes and cache geometry.
#pragma once
#include <cstdint>
#include <vector>

#include "cpu_model.h"

namespace phvrun {

class FdtWriter;

// The vector units the tree advertises (ibm,vmx and their ibm,pa-features bits). Linux uses VMX/VSX in the
// kernel (and Debian's user space needs VSX) only when the tree says they exist, so this must say exactly
// what the core executes.
struct VectorUnits {
    bool vmx = false;
    bool vsx = false;  // needs vmx
};

// What hv_core implements today: its VMX and VSX rows are still landing (issues 8-10); flip these once
// they are complete.
constexpr VectorUnits kCoreVectorUnits{false, false};

struct CpuNodeInfo {
    CpuModel model;
    uint32_t id;            // hardware thread id: reg, PIR, interrupt server
    uint32_t pvr;
    uint32_t timebase_hz;
    uint32_t hpt_shift;     // log2 of the hashed page table size (hash MMU only)
    VectorUnits vector = kCoreVectorUnits;
};

// ibm,pa-features: {length, type 0, attribute bytes...}, bits numbered from the MSB as in PAPR.
std::vector<uint8_t> pa_features(CpuModel model, VectorUnits vector = kCoreVectorUnits);

// Writes the properties of one cpu node (the caller opens and closes the node).
void write_cpu_properties(FdtWriter &w, const CpuNodeInfo &cpu);

// log2 of the hashed page table a guest with this much RAM gets: 1/128 of RAM rounded up to a power of
// two, within the architected 256 KiB to 64 TiB.
uint32_t hpt_shift_for_ram(uint64_t ram_size);

} // namespace phvrun
