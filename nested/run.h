// H_GUEST_RUN_VCPU: an L1 vcpu runs an L2 vcpu in the core until an exit the L1 must see.
//
// The switch is in place: the L1's registers are set aside in a Frame, the L2's CpuState becomes the
// vcpu's, and the interpreter simply goes on at the L2's NIA. Translation uses the L2's process table and
// the L1's partition-scoped tree (mmu/translate.cpp) through a TLB of the L2's own, so neither switch
// direction drops a translation. Whatever would enter the L0 hypervisor from the L2 (hcall, HDEC,
// partition-scoped fault, emulation assistance, facility unavailable, an interrupt or exit for the L1)
// ends the run: the L2's state goes back to its L2Vcpu, the output buffer is written, and the L1 resumes
// after its hcall with R3 = H_SUCCESS and R4 = the vector.
#pragma once
#include <cstdint>

#include "nested/l0.h"
#include "vcpu/cpu_state.h"

namespace phv::mmu {
class Tlb;
}

namespace phv::nested {

// Exit vectors (R4) of H_GUEST_RUN_VCPU (kvm-nested.rst; Book III 7.5).
namespace trap {
constexpr uint64_t kUnspecified = 0x000, kHdec = 0x980, kHcall = 0xC00, kHdsi = 0xE00, kHisi = 0xE20,
                   kHea = 0xE40, kHfac = 0xF80;
} // namespace trap

struct Frame {
    // nestedv1 (v1.cpp): the L2's state lives in the L1's hv_guest_state and pt_regs, written back on exit.
    bool v1 = false;
    bool v1_le = false;           // the L1's byte order, that of both structures
    unsigned v1_version = 0;      // hv_guest_state version (1 or 2)
    uint64_t v1_hv = 0, v1_regs = 0;
    uint32_t v1_token = 0;        // hv_guest_state vcpu_token (the L0's record of this L2 vcpu)
    L2Guest *guest = nullptr;
    L2Vcpu *vcpu = nullptr;
    uint64_t lpid = 0;
    uint64_t hdec_expiry = 0;     // L1 timebase
    uint64_t tb_offset = 0;       // the L2's timebase over the L1's, for this run
    uint64_t l2_lpcr = 0;         // the LPCR as the L1 gave it (the vcpu runs with the merged value)
    bool ext_pending = false;     // H_GUEST_RUN_VCPU flag generateExternalInterrupt
    uint32_t hisi_cause = 0;      // SRR1-style cause bits of an HISI (returned in MSR, as HSRR1 has them)
    uint64_t entry_tb = 0;        // L1 timebase when the L1 made the hcall
    uint64_t l2_start_tb = 0;     // ... and when the L2 began running
    // The L1 to return to.
    CpuState l1;
    uint64_t l1_dec_expiry = 0, l1_tb_offset = 0;
    uint64_t l1_process_table = 0, l1_slots_generation = 0;
    bool l1_hash = false;
    mmu::Tlb *l1_tlb = nullptr;
};

// The vcpu keeps PURR, SPURR and VTB as offsets from its timebase (vcpu/timers.cpp), while an L2's state outside
// a run (its L2Vcpu, the L1's hv_guest_state) holds the counters themselves. Called with the vcpu's timebase
// already (still) the L2's, so the counters neither jump nor advance across the switch.
void purr_to_running(Vcpu &c);
// The index into phv_nested_vcpu.exits[] of an exit vector.
unsigned exit_index(uint64_t trap);
void purr_to_stopped(Vcpu &c);

} // namespace phv::nested
