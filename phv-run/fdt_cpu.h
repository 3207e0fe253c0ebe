// The per-model properties of a /cpus/PowerPC,POWERn@N node that describe the processor rather than the
// machine: architecture features, MMU page sizes and cache geometry.
#pragma once
#include <cstdint>
#include <vector>

#include <phv/phv.h>

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

// What hv_core implements, read from its instruction table (the one that drives the interpreter, through
// phv_disassemble): a unit counts once the core decodes every instruction of a set that Linux's VMX/VSX
// code and glibc's start with (loads and stores, moves, permutes, integer and FP arithmetic, VSCR).
VectorUnits core_vector_units();

struct CpuNodeInfo {
    CpuModel model;
    uint32_t id;            // hardware thread id: reg, PIR, interrupt server
    uint32_t pvr;
    uint32_t timebase_hz;
    uint32_t hpt_shift;     // log2 of the hashed page table size (hash MMU only)
    VectorUnits vector{};
    // The hash MMU geometry the core offers (phv_vm_get_smmu_info); empty: the built-in POWER7+ set.
    const std::vector<uint32_t> *segment_page_sizes = nullptr;
    uint32_t slb_size = 32;
    std::pair<uint32_t, uint32_t> storage_keys{0, 0};   // data, instruction; {0, 0}: none
};

// ibm,pa-features: {length, type 0, attribute bytes...}, bits numbered from the MSB as in PAPR.
std::vector<uint8_t> pa_features(CpuModel model, VectorUnits vector);

// ibm,segment-page-sizes from the core's hash MMU description (KVM_PPC_GET_SMMU_INFO's layout): per base
// page size {shift, SLB encoding, count, {shift, PTE LP encoding}...}, as QEMU builds it.
std::vector<uint32_t> segment_page_sizes_from(const struct phv_ppc_smmu_info &info);

// Writes the properties of one cpu node (the caller opens and closes the node).
void write_cpu_properties(FdtWriter &w, const CpuNodeInfo &cpu);

// log2 of the hashed page table a guest with this much RAM gets: 1/128 of RAM rounded up to a power of
// two, within the architected 256 KiB to 64 TiB.
uint32_t hpt_shift_for_ram(uint64_t ram_size);

} // namespace phvrun
