#include "fdt_cpu.h"

#include <bit>
#include <initializer_list>
#include <span>

#include <phv/phv.h>

#include "fdt_writer.h"

namespace phvrun {

namespace {

// A bit of ibm,pa-features: attribute byte and bit within it, bit 0 being the most significant (PAPR).
struct PaBit {
    uint8_t byte, bit;
};

// Attributes of an ISA 2.07 processor (POWER8): bytes 0-23.
constexpr PaBit kPaIsa207[] = {
    {0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 5}, {0, 6},  // MMU, FPU, SLB, run latch, DABR, no-execute
    {1, 3}, {1, 4}, {1, 5}, {1, 6}, {1, 7},          // fri[nzpm], DABRX, SPRG3, SLB0, PP=110
    {2, 0}, {2, 1}, {2, 5}, {2, 6}, {2, 7},          // VPM, DS205, PPR, DS202, DS206
    {3, 0}, {3, 1},                                  // LSD, URG
    {4, 0},                                          // strong storage ordering
    {5, 0}, {5, 1}, {5, 2}, {5, 3},                  // true little-endian, CFAR, EBB, lq/stq
    {6, 0},                                          // DS207
};
constexpr PaBit kPaIsa207Vmx[] = {{16, 0}, {20, 0}};  // VMX, VMX crypto
constexpr PaBit kPaIsa207Vsx[] = {{18, 0}};           // VSX

// Added by ISA 3.0 (POWER9, and POWER10, which Linux treats alike here): bytes up to 65. Transactional
// memory (byte 22) is left out: POWER10 dropped it and phv does not implement it.
constexpr PaBit kPaIsa300[] = {
    {24, 0},  // large decrementer
    {26, 0},  // 64-bit facilities
    {28, 0},  // performance monitor facilities
    {30, 0},  // move-to/from MMR
    {32, 0},  // little-endian atomics
    {34, 0}, {34, 1},  // EBB, extended EBB
    {36, 0},  // summary-overflow SPR
    {38, 0},  // copy/paste
    {40, 0},  // radix MMU; Linux also takes it as "GTSE available"
    {42, 0},  // power management
    {44, 0},  // PC-relative addressing
    {46, 0},  // scv
    {52, 0},  // string instructions
    // 54 (DFP) stays clear: the core has no decimal floating point (its words are illegal instructions).
    {60, 0},  // non-mergeable atomics
};
// ISA 3.0 attributes that are vector instructions.
constexpr PaBit kPaIsa300Vmx[] = {
    {48, 0},  // SIMD
    // 56 (decimal integer, the vector BCD instructions) stays clear: the core does not implement them.
    {58, 0},  // SHA (vector)
};
constexpr PaBit kPaIsa300Vsx[] = {
    {50, 0},  // quad-precision BFP
};

// ibm,segment-page-sizes: for each base page size, the SLB L||LP encoding and the actual page sizes it can
// hold with their HPTE LP encodings (the POWER7-and-later set, which POWER8-10 share).
constexpr uint32_t kSegmentPageSizes[] = {
    12, 0x000, 3, /**/ 12, 0x00, 16, 0x07, 24, 0x38,  // 4K segments: 4K, 64K, 16M pages
    16, 0x110, 2, /**/ 16, 0x01, 24, 0x08,            // 64K: 64K, 16M
    24, 0x100, 1, /**/ 24, 0x00,                      // 16M
    34, 0x120, 1, /**/ 34, 0x03,                      // 16G
};

// ibm,processor-radix-AP-encodings: AP value in the top 3 bits, log2 page size below (4K, 64K, 2M, 1G).
constexpr uint32_t kRadixApEncodings[] = {0x0000000c, 0xa0000010, 0x20000015, 0x4000001e};

// ibm,processor-segment-sizes: 256 MiB and 1 TiB segments.
constexpr uint32_t kSegmentSizes[] = {28, 40, 0xffffffff, 0xffffffff};

constexpr uint32_t kCacheBlock = 128;
constexpr uint32_t kL1Size = 32 * 1024;
constexpr uint32_t kClockHz = 1000000000;
constexpr uint32_t kLargeDecrementerBits = 56;

} // namespace

namespace {

// Big-endian instruction words of each unit's probe set.
constexpr uint32_t kVmxProbe[] = {
    0x7c0018ce,  // lvx v0,0,r3
    0x7c0019ce,  // stvx v0,0,r3
    0x10011000,  // vaddubm v0,v1,v2
    0x100110eb,  // vperm v0,v1,v2,v3
    0x10011406,  // vcmpequb. v0,v1,v2
    0x1001112c,  // vsldoi v0,v1,v2,4
    0x10000604,  // mfvscr v0
    0x10000e44,  // mtvscr v1
};
constexpr uint32_t kVsxProbe[] = {
    0x7c001e98,  // lxvd2x vs0,0,r3
    0x7c001f98,  // stxvd2x vs0,0,r3
    0x7c030166,  // mtvsrd vs0,r3
    0x7c030066,  // mfvsrd r3,vs0
    0xf0010c90,  // xxlor vs0,vs1,vs1
    0xf0011050,  // xxpermdi vs0,vs1,vs2,0
    0xf0011100,  // xsadddp vs0,vs1,vs2
    0xf0011300,  // xvadddp vs0,vs1,vs2
};

bool core_decodes_all(std::span<const uint32_t> words) {
    char buf[96];
    for (uint32_t w : words)
        if (phv_disassemble(w, 0, 0, buf, sizeof buf) == 0)
            return false;
    return true;
}

} // namespace

VectorUnits core_vector_units() {
    static const VectorUnits units = [] {
        VectorUnits u;
        u.vmx = core_decodes_all(kVmxProbe);
        u.vsx = u.vmx && core_decodes_all(kVsxProbe);   // VSX includes the VMX registers and instructions
        return u;
    }();
    return units;
}

std::vector<uint8_t> pa_features(CpuModel model, VectorUnits vector) {
    const bool isa300 = model != CpuModel::Power8;
    const size_t nbytes = isa300 ? 66 : 24;
    std::vector<uint8_t> v(2 + nbytes, 0);
    v[0] = uint8_t(nbytes);
    v[1] = 0;  // type 0: the attribute bytes follow
    auto set = [&](PaBit b) { v[2 + b.byte] |= uint8_t(0x80 >> b.bit); };
    auto set_all = [&](std::span<const PaBit> bits) {
        for (PaBit b : bits)
            set(b);
    };
    set_all(kPaIsa207);
    if (vector.vmx)
        set_all(kPaIsa207Vmx);
    if (vector.vmx && vector.vsx)
        set_all(kPaIsa207Vsx);
    if (isa300) {
        set_all(kPaIsa300);
        if (vector.vmx)
            set_all(kPaIsa300Vmx);
        if (vector.vmx && vector.vsx)
            set_all(kPaIsa300Vsx);
    }
    return v;
}

std::vector<uint32_t> segment_page_sizes_from(const struct phv_ppc_smmu_info &info) {
    std::vector<uint32_t> v;
    for (const auto &sps : info.sps) {
        if (!sps.page_shift)
            break;
        v.push_back(sps.page_shift);
        v.push_back(sps.slb_enc);
        const size_t count_at = v.size();
        v.push_back(0);
        for (const auto &e : sps.enc) {
            if (!e.page_shift)
                break;
            v.push_back(e.page_shift);
            v.push_back(e.pte_enc);
            ++v[count_at];
        }
    }
    return v;
}

uint32_t hpt_shift_for_ram(uint64_t ram_size) {
    const uint64_t pow2 = std::bit_ceil(ram_size < 2 ? 2 : ram_size);
    int shift = std::countr_zero(pow2) - 7;
    if (shift < 18)
        shift = 18;
    if (shift > 46)
        shift = 46;
    return uint32_t(shift);
}

void write_cpu_properties(FdtWriter &w, const CpuNodeInfo &cpu) {
    w.prop_string("device_type", "cpu");
    w.prop_u32("reg", cpu.id);
    w.prop_u32("ibm,ppc-interrupt-server#s", cpu.id);
    w.prop_u32("cpu-version", cpu.pvr);
    w.prop_u32("timebase-frequency", cpu.timebase_hz);
    w.prop_u32("clock-frequency", kClockHz);
    w.prop_u32("d-cache-block-size", kCacheBlock);
    w.prop_u32("d-cache-line-size", kCacheBlock);
    w.prop_u32("i-cache-block-size", kCacheBlock);
    w.prop_u32("i-cache-line-size", kCacheBlock);
    w.prop_u32("d-cache-size", kL1Size);
    w.prop_u32("i-cache-size", kL1Size);
    w.prop_u32("slb-size", cpu.slb_size);
    w.prop_u32("ibm,slb-size", cpu.slb_size);
    w.prop_empty("64-bit");
    // Linux: ibm,vmx 1 = VMX, 2 = VMX and VSX; absent = neither.
    if (cpu.vector.vmx)
        w.prop_u32("ibm,vmx", cpu.vector.vsx ? 2 : 1);
    w.prop_cells("ibm,processor-segment-sizes", kSegmentSizes);
    if (cpu.segment_page_sizes && !cpu.segment_page_sizes->empty())
        w.prop_cells("ibm,segment-page-sizes", std::span<const uint32_t>(*cpu.segment_page_sizes));
    else
        w.prop_cells("ibm,segment-page-sizes", kSegmentPageSizes);
    // Linux uses storage keys (pkeys) on the hash MMU when this says how many there are.
    if (cpu.storage_keys.first || cpu.storage_keys.second)
        w.prop_cells("ibm,processor-storage-keys", {cpu.storage_keys.first, cpu.storage_keys.second});
    const std::vector<uint8_t> pa = pa_features(cpu.model, cpu.vector);
    w.prop_bytes("ibm,pa-features", pa);
    // The decrementer is 56 bits wide once the OS sets LPCR[LD], which phv-run starts every POWER9/10 vcpu
    // with, as QEMU's pseries does by default (cap-large-decr); QEMU's tree says so the same way.
    if (cpu.model != CpuModel::Power8)
        w.prop_u32("ibm,dec-bits", kLargeDecrementerBits);
    if (cpu_model_uses_radix(cpu.model)) {
        w.prop_cells("ibm,processor-radix-AP-encodings", kRadixApEncodings);
    } else {
        // PAPR: {HPT base (unused by a partition), log2 HPT size}.
        w.prop_cells("ibm,pft-size", {0, cpu.hpt_shift});
    }
    w.prop_string("status", "okay");
}

} // namespace phvrun
