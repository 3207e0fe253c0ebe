// Radix tree translation (Power ISA 3.1 Book III 6.7.10-6.7.11): the process-scoped walk from a 52-bit
// effective address to a guest real address, as a KVM-HV guest partition sees it.
//
// The partition-scoped half is phv's own: a guest real address is a guest-physical address, and the memslot
// lookup is the partition-scoped "table". The walker therefore reads guest tables through a guest-physical
// accessor; a nested hypervisor later gives it one that walks the L1's partition-scoped tree instead.
#pragma once
#include <cstdint>

namespace phv::mmu {

enum class Access : uint8_t { Load = 0, Store = 1, Fetch = 2 };

// Effective address layout under radix (Book III 6.7.10.1): bits 0:1 select the quadrant, bits 2:11 must be
// zero (the trees phv accepts cover 2^52 bytes), bits 12:63 are translated.
namespace ea {
constexpr uint64_t kQuadrant = 3ull << 62;
constexpr uint64_t kReserved = 0x3ff0000000000000ull;
constexpr uint64_t kTranslated = 0x000fffffffffffffull;
} // namespace ea

// Process table entry doubleword 0 and radix page directory / table entries (Book III 6.7.10.2-6.7.10.3,
// figures "Process Table Entry" and "Radix Tree Page Directory/Table Entry"). All are big-endian in memory.
namespace pte {
constexpr uint64_t V = 1ull << 63;                      // valid
constexpr uint64_t L = 1ull << 62;                      // leaf (a PTE rather than a PDE)
constexpr uint64_t RPN = 0x01fffffffffff000ull;         // real page number (bits 7:51)
constexpr uint64_t NLB = 0x0fffffffffffff00ull;         // next level base (bits 4:55)
constexpr uint64_t NLS = 0x1full;                       // next level size, log2 of the entry count
constexpr uint64_t R = 1ull << 8;                       // reference
constexpr uint64_t C = 1ull << 7;                       // change
constexpr uint64_t ATT = 3ull << 4;                     // attributes
constexpr uint64_t ATT_NI_IO = 2ull << 4;               // non-idempotent I/O: guarded
constexpr uint64_t EAA_PRIV = 1ull << 3;                // encoded access authority: privileged only
constexpr uint64_t EAA_R = 1ull << 2;                   // read
constexpr uint64_t EAA_RW = 1ull << 1;                  // read and write
constexpr uint64_t EAA_X = 1ull << 0;                   // execute
} // namespace pte

// The partition table entry's process table half as H_REGISTER_PROC_TBL sets it (PATE doubleword 1):
// GR (radix guest), PRTB (process table base) and PRTS (size 2^(12+PRTS) bytes).
namespace pate1 {
constexpr uint64_t GR = 1ull << 63;
constexpr uint64_t PRTB = 0x0ffffffffffff000ull;
constexpr uint64_t PRTS = 0x1full;
} // namespace pate1

// Cause bits a storage interrupt reports: in DSISR for a Data Storage interrupt, in SRR1 for an Instruction
// Storage interrupt (Book III 7.5.3 and 7.5.5; same bit positions, IBM numbering in the comments).
namespace cause {
constexpr uint32_t kNoPte = 0x40000000;        // 33: no valid translation
constexpr uint32_t kNoExecGuard = 0x10000000;  // 35: fetch from guarded or no-execute storage
constexpr uint32_t kProtection = 0x08000000;   // 36: not permitted by EAA (and, on radix, AMR/IAMR key 0)
constexpr uint32_t kStore = 0x02000000;        // 38: the access was a store
constexpr uint32_t kBadConfig = 0x00080000;    // 44: unsupported radix tree configuration
} // namespace cause

// What translation needs from the vcpu besides the address.
struct Context {
    uint64_t process_table;   // PATE dw1 (pate1::*)
    uint64_t pid;             // PIDR
    uint64_t amr, iamr;       // key 0 is what radix uses (KUAP/KUEP)
    bool problem_state;       // MSR[PR]
};

struct Result {
    uint64_t gpa = 0;          // guest real address of the byte at `ea`
    uint64_t pte = 0;          // the leaf PTE as translation used it (host byte order)
    uint64_t pte_gpa = 0;      // where it lives, for the R/C update
    unsigned page_shift = 0;   // log2 of the page size: 12, 16, 21, 30
    uint32_t cause = 0;        // non-zero: a storage interrupt with these bits
    bool segment_fault = false;   // quadrant 1/2 or EA bits 2:11 set: a segment interrupt instead
};

// Reads a big-endian doubleword of guest-physical memory; returns false when gpa is not RAM.
using ReadPhys = bool (*)(void *opaque, uint64_t gpa, uint64_t &value);

// Translates `ea` for `access`; checks permissions but does not update R/C (the caller does, atomically,
// once it knows the access goes ahead).
Result radix_translate(const Context &ctx, uint64_t ea, Access access, ReadPhys read, void *opaque);

// Partition-scoped translation (Book III 6.7.11) of guest real address `ra` through the tree whose root
// directory is at `root` (a 52-bit tree with a 2^13-entry root, the one shape POWER9/10 walk): what a nested
// L0 does for the L2 of an L1, whose partition-scoped tables live in the L1's memory. Rights come from the
// PTE's EAA only. A failure sets `cause` (kNoPte, kProtection, kNoExecGuard, kBadConfig).
Result radix_partition_translate(uint64_t root, uint64_t ra, Access access, ReadPhys read, void *opaque);

// Cause bit of a partition-scoped fault met while translating the address of a process-scoped table
// entry (HDSISR bit 46, "the access was for a page table walk").
namespace cause {
constexpr uint32_t kTableWalk = 0x00020000;
} // namespace cause

// The R and C bits an access needs in its PTE (Book III 6.7.12, Reference and Change Recording).
constexpr uint64_t rc_needed(Access a) { return a == Access::Store ? (pte::R | pte::C) : pte::R; }

} // namespace phv::mmu
