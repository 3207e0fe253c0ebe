// phv as the nested L0: the L2 guests an L1 partition created through the PAPR nestedv2 hcalls, and the
// hcall entry point the core's dispatcher calls (Vcpu::hcall).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "isa/insn.h"
#include "nested/migrate.h"
#include "phv/phv.h"
#include "vcpu/cpu_state.h"

namespace phv {
class Vcpu;
class Vm;
} // namespace phv

namespace phv::nested {

// hcall numbers (Linux hvcall.h; kvm-nested.rst).
namespace hcall {
constexpr uint64_t kGuestGetCapabilities = 0x460, kGuestSetCapabilities = 0x464, kGuestCreate = 0x470,
                   kGuestCreateVcpu = 0x474, kGuestGetState = 0x478, kGuestSetState = 0x47C,
                   kGuestRunVcpu = 0x480, kGuestCopyMemory = 0x484, kGuestDelete = 0x488;
constexpr uint64_t kSetPartitionTable = 0xF800, kEnterNested = 0xF804, kTlbInvalidate = 0xF808,
                   kCopyToFromGuest = 0xF80C;
// Whether `nr` is one of the nested API's (either version): the dispatcher sends those here.
constexpr bool is_nested(uint64_t nr) {
    return (nr >= kGuestGetCapabilities && nr <= kGuestDelete && nr != 0x468 && nr != 0x46C) ||
           nr == kSetPartitionTable || nr == kEnterNested || nr == kTlbInvalidate || nr == kCopyToFromGuest;
}
} // namespace hcall

// H_GUEST_GET_CAPABILITIES bitmap 1 (IBM bit numbers 0-3).
namespace cap {
constexpr uint64_t kCopyMem = 1ull << 63, kPower9 = 1ull << 62, kPower10 = 1ull << 61, kPower11 = 1ull << 60;
} // namespace cap

// Limits: L2 ids are LPIDs (1..4095, 0 is the L1's own); vcpu ids 0..2047 (kvm-nested.rst); and a bound on
// what all L2 vcpus of one L1 may hold in the L0 (each keeps a full CpuState), reported as
// L0_GUEST_HEAP_MAX.
constexpr uint64_t kMaxGuestId = 4095, kMaxVcpuId = 2047, kMaxL2Vcpus = 4096;

enum class Api : uint32_t { None = 0, V1 = 1, V2 = 2 };

// What one L2 vcpu's runs cost and how they ended (phv_vm_get_nested), in L1 timebase ticks.
struct L2Counters {
    uint64_t runs = 0;
    uint64_t exits[PHV_NESTED_EXIT_NR] = {};
    uint64_t l1_to_l2_tb = 0, l2_runtime_tb = 0, l2_to_l1_tb = 0;

    void count_exit(uint64_t trap, uint64_t l1_to_l2, uint64_t runtime, uint64_t l2_to_l1);
};

struct L2Vcpu {
    CpuState st;                   // the L2 thread's architected state while the L1 does not run it
    uint64_t dec_expiry = 0;       // absolute, L1 timebase (the element's unit: L2 timebase - tb_offset)
    uint64_t hdec_expiry = 0;      // absolute, L1 timebase: when a run must return to the L1
    uint64_t run_in[2] = {}, run_out[2] = {};   // registered run buffers {L1 real address, size}
    uint64_t vpa = 0;              // the L2 vcpu's VPA (L1 real address), 0 = none
    bool running = false;          // inside H_GUEST_RUN_VCPU on some L1 vcpu
    L2Counters counters;
};

struct L2Guest {
    uint64_t generation = 0;           // changes whenever its tables do (vcpus' kept TLBs check it)
    uint32_t lpvr = 0;                 // logical PVR (0x0F00000x)
    uint64_t tb_offset = 0;            // L2 timebase = L1 timebase + tb_offset
    uint64_t partition_table[3] = {};  // {root base, EA bits, root size}: the partition-scoped tree in L1 memory
    uint64_t process_table[2] = {};    // {base, size} in L2 real addresses
    std::map<uint32_t, std::unique_ptr<L2Vcpu>> vcpus;
};

// A nestedv1 L2 as the L0 has met it: the L0 keeps no L2 state under nestedv1 (every H_ENTER_NESTED hands it
// over whole), only what phv_vm_get_nested reports, per vcpu_token.
struct V1Vcpu {
    uint32_t running = 0;   // L1 vcpus inside H_ENTER_NESTED with this token (nestedv1 does not exclude two)
    L2Counters counters;
};
using V1Guest = std::map<uint32_t, V1Vcpu>;

class L0 {
public:
    explicit L0(Vm &vm) : vm_(vm) {}

    // PHV_ENABLE_NESTED: which API the L1 may use (None disables; refused while L2s exist).
    int enable(Api api);
    Api api() const { return api_; }

    // One nested hcall made by `l1` (r3 = number, arguments from r4): results in r3..; the Flow is what
    // the run loop does next.
    isa::Flow hcall(Vcpu &l1);

    // H_GUEST_RUN_VCPU (nested/run.cpp): switches `l1` to the L2 vcpu; and the way back.
    isa::Flow run_vcpu(Vcpu &l1);
    isa::Flow leave(Vcpu &c, uint64_t trap);
    // nestedv1 (nested/v1.cpp).
    isa::Flow set_partition_table(Vcpu &l1);
    isa::Flow enter_nested(Vcpu &l1);
    isa::Flow leave_v1(Vcpu &c, uint64_t trap);
    isa::Flow tlb_invalidate(Vcpu &l1);
    isa::Flow copy_tofrom_guest(Vcpu &l1);

    // phv_vm_get_nested: a copy of the guests, their vcpus and counters, taken under the lock.
    int snapshot(phv_nested_info &info);
    // nestedv1: the L1 flushed everything of `lpid` (H_TLB_INVALIDATE RIC=2 IS=2, H_RPT_INVALIDATE NESTED
    // with PAT); as KVM-HV, the L2 is forgotten if its partition-table entry is no longer a radix one.
    void v1_lpid_flushed(Vcpu &l1, uint64_t lpid);

    // phv_vm_get_nested_state / phv_vm_set_nested_state (nested/migrate.cpp): the L0's state as a blob
    // (empty when it holds nothing), and back. Export refuses (-EBUSY) while an L2 vcpu is inside a run;
    // import while any vcpu is inside phv_vcpu_run(), or (-EINVAL, `err` says where and why) a blob it
    // could not have made, and then changes nothing. An empty import drops every L2.
    int export_state(std::vector<uint8_t> &out);
    int import_state(std::span<const uint8_t> in, BlobError &err);

    // Host-wide counters (GSIDs 0x0800-0x0804).
    uint64_t heap_in_use() const;
    uint64_t heap_max() const;

private:
    int64_t get_capabilities(Vcpu &l1);
    int64_t set_capabilities(Vcpu &l1);
    int64_t create(Vcpu &l1);
    int64_t create_vcpu(Vcpu &l1);
    int64_t get_set_state(Vcpu &l1, bool set);
    int64_t del(Vcpu &l1);
    uint64_t offered_caps() const;

    Vm &vm_;
    Api api_ = Api::None;
    std::mutex lock_;
    bool caps_set_ = false;
    uint64_t caps_ = 0;
    std::map<uint64_t, std::unique_ptr<L2Guest>> guests_;
    uint64_t l2_vcpus_ = 0;
    uint64_t generation_ = 0;
    uint64_t ptcr_ = 0;   // nestedv1: the L1's partition table register (H_SET_PARTITION_TABLE)
    std::map<uint64_t, V1Guest> v1_guests_;   // nestedv1: by LPID
};

} // namespace phv::nested
