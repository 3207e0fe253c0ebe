// The partition's MMU set-up, shared by all its vcpus: what the guest registered with H_REGISTER_PROC_TBL
// (the process-table half of its partition table entry) and the LPCR bits that go with it.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "mmu/hpt.h"

namespace phv::mmu {

// LPCR bits the process-table registration owns (Book III 2.2): UPRT (use process table), HR (host radix:
// the partition uses radix translation) and GTSE (guest translation shootdown: the guest may tlbie).
namespace lpcr {
constexpr uint64_t UPRT = 1ull << (63 - 41);
constexpr uint64_t HR = 1ull << (63 - 43);
constexpr uint64_t GTSE = 1ull << (63 - 53);
constexpr uint64_t kOwned = UPRT | HR | GTSE;
// Virtual real mode (Book III 5.7.3): VPM0 sends a hash partition's real-mode accesses through the VRMA,
// whose base page size VRMASD gives as the SLB's L||LP bits (ISA 2.07; ISA 3.0 keeps VRMASD and makes
// VPM0=1 the only behaviour).
constexpr uint64_t VPM0 = 1ull << 63;
constexpr uint64_t VRMASD = 0x1full << (63 - 16);
constexpr unsigned kVrmasdShift = 63 - 16;
} // namespace lpcr

// The VRMA's segment (KVM's VRMA_VSID, which Linux's HPTE_V_VRMA_MASK also knows): 1T, VSID 0x1ffffff.
constexpr uint64_t kVrmaVsid = 0x1ffffff;

struct PartitionMmu {
    // PATE doubleword 1 as the guest registered it (pate1::GR | PRTB | PRTS), 0 before it has.
    std::atomic<uint64_t> process_table{0};
    // LPCR[UPRT, HR, GTSE] for every vcpu of the partition.
    std::atomic<uint64_t> lpcr_bits{0};
    // Bumped on every registration and HPT (re)allocation; a vcpu that sees a new value reloads both and
    // drops its TLB.
    std::atomic<uint64_t> generation{0};
    // The hashed page table, used while the partition is not radix (LPCR[HR]=0).
    Hpt hpt;
    std::mutex hpt_setup;   // serialises allocation and resizing
    // HPT resize (PHV_PPC_RESIZE_HPT_PREPARE/COMMIT): the prepared table, and the flag that holds every
    // running vcpu at its next block boundary while the commit rehashes and swaps the tables.
    std::unique_ptr<Hpt> pending;
    std::atomic<bool> hold{false};
    // LPCR[VRMASD] once the VRMA's HPTEs exist (mmu/vrma.cpp), 0 before; the HPT's (re)allocation and a
    // radix registration clear it.
    std::atomic<uint64_t> vrmasd{0};
};

} // namespace phv::mmu
