// The body of one vcpu thread: phv_vcpu_run() until the run ends, serving each exit the way a KVM VMM's
// vcpu loop does (hcalls to the table, cede as a sleep, errors as the end of the run). Secondary vcpus
// start parked, as pSeries threads do before RTAS start-cpu.
#pragma once
#include <cstdint>
#include <vector>

#include <phv/phv.h>

#include "debug_log.h"
#include "hcalls.h"
#include "splpar.h"
#include "vm_control.h"

namespace phvrun {

// MSR of a thread that firmware (or RTAS start-cpu) starts: 64-bit, machine checks enabled, big-endian,
// translation off (kvmtool and QEMU use the same value).
constexpr uint64_t kMsrSF = 1ull << 63;
constexpr uint64_t kMsrME = 1ull << 12;
constexpr uint64_t kEntryMsr = kMsrSF | kMsrME;
constexpr uint64_t kLpcrILE = 1ull << 25;

struct VcpuThreads {
    VmControl &control;
    const HcallTable &hcalls;
    DebugLog &log;
    std::vector<phv_vcpu *> vcpus;  // indexed by vcpu id
    // Set when the core must know each vcpu's VPA (nesting): after each hcall a vcpu passes its own
    // registration on (vpa_synced: what it last told the core; each entry touched by its vcpu only).
    const VpaRegistry *vpa = nullptr;
    std::vector<uint64_t> vpa_synced = {};
};

// The flattened-device-tree entry state (shared/docs/fdt-boot.md): nip, r3 = tree, r4 = kernel, r5 = 0.
// Returns 0 or the core's negative errno.
int set_boot_state(phv_vcpu *vcpu, uint64_t nip, uint64_t fdt, uint64_t kernel);

// What every vcpu starts with before any OS code runs: LPCR[LD] (the large decrementer) on POWER9/10, as
// QEMU's pseries machine sets it by default (spapr cap-large-decr) and advertises in ibm,dec-bits.
constexpr uint64_t kLpcrLD = 1ull << (63 - 46);
constexpr uint64_t kLpcrVPM0 = 1ull << 63;
// LPCR[LD] as the CPU model has it, and LPCR[VPM0] on every model: whenever the guest runs with the hash MMU
// its real mode goes through the VRMA the core makes in its HPT, as under KVM-HV (which sets VPM0 on POWER8 and
// gets VPM0=1 behaviour on ISA 3.0, where the bit is reserved); hv_core/src/mmu/vrma.cpp.
int set_initial_lpcr(phv_vcpu *vcpu, bool large_decrementer);

// The state RTAS start-cpu gives a stopped thread.
int set_start_state(phv_vcpu *vcpu, const CpuStart &start);

// Whether the vcpu takes interrupts little-endian (LPCR[ILE]). Called only from the vcpu's own thread.
bool vcpu_interrupts_le(phv_vcpu *vcpu);

// The thread body for vcpu `id`; returns once the run is ending.
void run_vcpu(VcpuThreads &t, uint32_t id);

} // namespace phvrun
