// Hashed page table translation (Power ISA 3.1 Book III 5.7.7, "Virtual to Real Translation"): the segment
// lookaside buffer, the hash that finds a PTE group, the PTE's page size, protection (PP with Ks/Kp, N, G,
// AMR/IAMR keys) and the fault causes, as a KVM-HV guest partition sees them.
//
// The HPT belongs to the hypervisor (mmu/hpt.h): the guest fills it through H_ENTER and friends and never
// addresses it. It holds PTEs in the format the hcalls speak (the pre-ISA-3.0 layout with B in doubleword 0,
// which is also what KVM hands its guests on POWER9), big-endian as in memory.
#pragma once
#include <cstdint>

#include "mmu/radix.h"

namespace phv::mmu {

class Hpt;

// SLB entry fields (Book III 5.7.6.1), as slbmte's RB (esid) and RS (vsid) carry them.
namespace slb {
constexpr uint64_t ESID_256M = 0xfffffffff0000000ull;
constexpr uint64_t ESID_1T = 0xffffff0000000000ull;
constexpr uint64_t V = 0x0000000008000000ull;          // RB bit 36
constexpr uint64_t kIndexMask = 0xfff;                 // RB bits 52:63: the entry number
constexpr uint64_t B = 0xc000000000000000ull;          // segment size: 00 256 MB, 01 1 TB
constexpr uint64_t B_1T = 0x4000000000000000ull;
constexpr uint64_t VSID = 0x3ffffffffffff000ull;       // VSID in bits 2:51 (256 MB) or 2:39 (1 TB)
constexpr uint64_t KS = 0x800, KP = 0x400, N = 0x200, L = 0x100, C = 0x80, LP = 0x30;
constexpr uint64_t LLP = L | LP;
constexpr unsigned kEntries = 32;                      // what POWER8/9/10 report in ibm,slb-size
} // namespace slb

// HPTE doubleword 0 and 1 (Book III 5.7.7.1, "Page Table Entry", in the layout the hcalls use).
namespace hpte {
constexpr uint64_t V_B = 0xc000000000000000ull;        // segment size, as the SLB's B
constexpr uint64_t V_AVPN = 0x3fffffffffffff80ull;     // abbreviated virtual page number: VA bits 0:54
constexpr uint64_t V_SW = 0x78;                        // software bits
constexpr uint64_t V_BOLTED = 0x10;                    // a software bit PAPR guests set on bolted entries
constexpr uint64_t V_L = 0x4;                          // large page: the size is encoded in R's LP bits
constexpr uint64_t V_H = 0x2;                          // secondary hash
constexpr uint64_t V_V = 0x1;
constexpr uint64_t V_COMPARE = 0xffffffffffffff83ull;  // what a lookup compares: B, AVPN, H, V
constexpr uint64_t R_PP0 = 0x8000000000000000ull;
constexpr uint64_t R_TS = 0x4000000000000000ull;
constexpr uint64_t R_KEY_HI = 0x3000000000000000ull;   // key bits 0:1
constexpr uint64_t R_RPN = 0x0ffffffffffff000ull;      // real page number (its low bits hold LP for large pages)
constexpr uint64_t R_KEY_LO = 0xe00;                   // key bits 2:4
constexpr uint64_t R_R = 0x100, R_C = 0x80;
constexpr uint64_t R_W = 0x40, R_I = 0x20, R_M = 0x10, R_G = 0x8, R_WIMG = 0x78;
constexpr uint64_t R_N = 0x4;                          // no-execute
constexpr uint64_t R_PP = 0x3;
constexpr unsigned key(uint64_t r) { return unsigned(((r & R_KEY_HI) >> 57) | ((r & R_KEY_LO) >> 9)); }
} // namespace hpte

// Cause bits of hash-only faults, in DSISR for a DSI and in SRR1 for an ISI (Book III 7.5.3, 7.5.5).
namespace cause {
constexpr uint32_t kKey = 0x00200000;   // 42: virtual page class key (AMR for data, IAMR for fetch)
} // namespace cause

// A base page size of a segment and the actual page sizes a PTE may give it, with their encodings: the
// SLB's L||LP and the PTE's LP (low RPN bits). These are the ones KVM reports for POWER8/9/10 in
// KVM_PPC_GET_SMMU_INFO (one size per segment plus 16M MPSS; no 64K pages in 4K segments, which QEMU's
// pseries also drops "so that TCG and KVM guests see a consistent environment") and QEMU puts in
// ibm,segment-page-sizes; Linux uses exactly these.
struct PageSizeEnc {
    unsigned shift;
    uint32_t pte_enc;
};
struct SegmentPageSizes {
    unsigned shift;
    uint32_t slb_enc;     // SLB L||LP bits (slb::LLP)
    PageSizeEnc enc[3];   // shift 0 ends the list
};
inline constexpr SegmentPageSizes kSegmentPageSizes[] = {
    {12, 0x000, {{12, 0x0}, {24, 0x38}, {0, 0}}},
    {16, 0x110, {{16, 0x1}, {24, 0x8}, {0, 0}}},
    {24, 0x100, {{24, 0x0}, {0, 0}, {0, 0}}},
};

// The base page size of an SLB entry's L||LP, or nullptr for an encoding phv does not offer.
const SegmentPageSizes *segment_page_sizes(uint64_t slb_vsid);
// The actual page shift of a PTE in a segment of base size `sps`, 0 when the PTE does not fit it.
unsigned hpte_page_shift(const SegmentPageSizes &sps, uint64_t v, uint64_t r);
// The actual page shift of a PTE whatever the segment: H_ENTER knows no SLB. 0 when none fits. `base`
// receives the base page size the LP encoding belongs to (each LP value belongs to one).
unsigned hpte_page_shift_any(uint64_t v, uint64_t r, unsigned *base = nullptr);
// The low 64 bits of the virtual address of the page the HPTE at `index` maps (page-aligned), rebuilt from
// its AVPN and the hash that placed it, as a tlbie for it names it.
uint64_t hpte_va(uint64_t v, uint64_t index, uint64_t pteg_mask, unsigned base_shift, unsigned actual_shift);
// The primary hash (Book III 5.7.7.3) that places the HPTE at `index`, rebuilt the same way, in full: an HPT
// resize moves each kept entry to the group this hash selects in the new table.
uint64_t hpte_hash(uint64_t v, uint64_t index, uint64_t pteg_mask, unsigned base_shift);

struct SlbEntry {
    uint64_t esid = 0;   // ESID | V, as slbmte's RB without the index
    uint64_t vsid = 0;   // B | VSID | Ks | Kp | N | L | C | LP, as slbmte's RS
    bool valid() const { return esid & slb::V; }
    bool one_tb() const { return (vsid & slb::B) == slb::B_1T; }
    unsigned segment_shift() const { return one_tb() ? 40 : 28; }
    bool contains(uint64_t ea) const {
        return valid() && (esid & ~slb::V) == (ea & (one_tb() ? slb::ESID_1T : slb::ESID_256M));
    }
};

struct Slb {
    SlbEntry e[slb::kEntries];
    const SlbEntry *find(uint64_t ea) const {
        for (const SlbEntry &s : e)
            if (s.contains(ea))
                return &s;
        return nullptr;
    }
};

// The low 64 bits of the virtual address an EA maps to through a segment (page offset included).
inline uint64_t virtual_address(const SlbEntry &s, uint64_t ea) {
    if (s.one_tb())
        return ((s.vsid & slb::VSID) >> 24) << 40 | (ea & ((1ull << 40) - 1));
    return ((s.vsid & slb::VSID) >> 12) << 28 | (ea & ((1ull << 28) - 1));
}

struct HashContext {
    const Hpt *hpt;
    uint64_t amr, iamr;
    bool problem_state;
};

struct HashResult {
    uint64_t gpa = 0;          // guest real address of the byte at `ea`
    uint64_t va = 0;           // low 64 bits of the virtual address of the byte at `ea`
    uint64_t pte_index = 0;    // the HPTE used, for the R/C update
    uint64_t v = 0, r = 0;     // that HPTE (host byte order)
    unsigned page_shift = 0;   // actual page size
    uint32_t cause = 0;        // non-zero: a storage interrupt with these bits
    bool segment_fault = false;   // no SLB entry: a segment interrupt instead
};

// Translates ea through the segment `s` (nullptr: no segment, a segment fault) for `access`. Checks
// permissions but changes nothing (the caller updates R/C under the HPT's lock).
HashResult hash_translate(const HashContext &ctx, const SlbEntry *s, uint64_t ea, Access access);

// The R and C bits an access needs in its HPTE (Book III 5.7.8, "Reference and Change Recording").
constexpr uint64_t hash_rc_needed(Access a) { return a == Access::Store ? (hpte::R_R | hpte::R_C) : hpte::R_R; }

} // namespace phv::mmu
