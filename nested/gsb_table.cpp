// The guest state buffer element table (kvm-nested.rst "Guest State Buffer", ids 0x0000-0xF003), as data:
// size, scope, read-only, the bits the L1 may set and where each vcpu element lives in the L2's state.
#include <algorithm>

#include "nested/gsb.h"
#include "vcpu/spr_table.h"

namespace phv::nested {

namespace {

constexpr uint64_t kAll = ~0ull;

// MSR: the L1 never sets HV, S or ME for its L2 (Linux's kvmppc_gsid_mask; the L0 forces ME on).
constexpr uint64_t kMsrMask = ~((1ull << 60) | (1ull << 22) | (1ull << 12));
// LPCR: the L2 may choose DPFD (bits 9:11), ILE (38), AIL (39:40), LD (46), GTSE (53) and MER (52); the
// partition-owned bits (HR, UPRT, LPES, HVICE ...) are the L0's (Book III 2.2; Linux's kvmppc_gsid_mask).
constexpr uint64_t kLpcrMask = (7ull << (63 - 11)) | (1ull << (63 - 38)) | (3ull << (63 - 40)) |
                               (1ull << (63 - 46)) | (1ull << (63 - 52)) | (1ull << (63 - 53));
// HDEXCR: the hypervisor-enforced aspects are the low word (Book III 9.4; QEMU declares the same mask).
constexpr uint64_t kHdexcrMask = 0xffffffffull;

// Logical PVRs (PAPR "Processor Compatibility Modes"): ISA 3.00 (POWER9), 3.1 (POWER10), 3.1 POWER11.
// 0 is not one: Linux sends its own level when the L2 has no compatibility mode set.
bool valid_lpvr(const uint8_t *v, uint16_t) {
    const uint64_t pvr = be_load(v, 4);
    return pvr == 0x0f000005 || pvr == 0x0f000006 || pvr == 0x0f000007;
}

// Partition-scoped table {root base, EA bits, root size}: the tree shape POWER9/10 walk (52-bit EA, a
// 2^13-entry root), the root aligned to its size; all zero withdraws it.
bool valid_partition_table(const uint8_t *v, uint16_t) {
    const uint64_t base = be_load(v, 8), bits = be_load(v + 8, 8), size = be_load(v + 16, 8);
    if (!base && !bits && !size)
        return true;
    return bits == kPartitionTableEaBits && size == kPartitionRootSize && !(base & (size - 1)) &&
           !(base >> 60);
}

// Process table {base, size}: 2^(12+PRTS) bytes with PRTS a 5-bit field (Book III 6.7.6.2), aligned to its
// size; all zero withdraws it.
bool valid_process_table(const uint8_t *v, uint16_t) {
    const uint64_t base = be_load(v, 8), size = be_load(v + 8, 8);
    if (!base && !size)
        return true;
    const bool pow2 = size && !(size & (size - 1));
    return pow2 && size >= (1ull << 12) && size <= (1ull << 43) && !(base & (size - 1)) && !(base >> 60);
}

// A run buffer {address, size}: somewhere, and big enough for what the L0 writes on any exit.
bool valid_run_buffer(const uint8_t *v, uint16_t) {
    const uint64_t addr = be_load(v, 8), size = be_load(v + 8, 8);
    return addr && size >= kRunBufferMin && size <= kRunBufferMax && addr + size > addr;
}

// The L2 vcpu's VPA: 0 (none) or a cache-line-aligned lppaca (PAPR: 128-byte aligned, within a 4K page).
bool valid_vpa(const uint8_t *v, uint16_t) {
    const uint64_t a = be_load(v, 8);
    return !(a & 127);
}

// A row for a run of consecutive ids.
constexpr ElementInfo row(uint16_t first, uint16_t last, const char *name, uint16_t size, Scope scope,
                          bool ro, Target t = Target::None, uint16_t index = 0, uint64_t mask = kAll,
                          bool (*valid)(const uint8_t *, uint16_t) = nullptr, uint16_t alt = 0) {
    return {first, last, name, size, alt, scope, ro, mask, valid, t, index};
}
constexpr ElementInfo vspr(uint16_t id, const char *name, uint16_t n, uint16_t size = 8, uint64_t mask = kAll) {
    return row(id, id, name, size, Scope::Vcpu, false, Target::Spr, n, mask);
}

constexpr Scope G = Scope::Guest, T = Scope::Vcpu, H = Scope::Host;

constexpr ElementInfo kTable[] = {
    row(0x0000, 0x0000, "NOP", 0, Scope::Nop, false),
    row(0x0001, 0x0001, "HOST_STATE_SIZE", 8, G, true),
    row(0x0002, 0x0002, "RUN_OUTPUT_MIN_SIZE", 8, G, true),
    row(0x0003, 0x0003, "LOGICAL_PVR", 4, G, false, Target::None, 0, kAll, valid_lpvr),
    row(0x0004, 0x0004, "TB_OFFSET", 8, G, false),
    row(0x0005, 0x0005, "PARTITION_TABLE", 24, G, false, Target::None, 0, kAll, valid_partition_table),
    row(0x0006, 0x0006, "PROCESS_TABLE", 16, G, false, Target::None, 0, kAll, valid_process_table),
    row(0x0800, 0x0800, "L0_GUEST_HEAP", 8, H, true),
    row(0x0801, 0x0801, "L0_GUEST_HEAP_MAX", 8, H, true),
    row(0x0802, 0x0802, "L0_GUEST_PGTABLE_SIZE", 8, H, true),
    row(0x0803, 0x0803, "L0_GUEST_PGTABLE_SIZE_MAX", 8, H, true),
    row(0x0804, 0x0804, "L0_GUEST_PGTABLE_RECLAIM", 8, H, true),
    row(0x0C00, 0x0C00, "RUN_INPUT", 16, T, false, Target::None, 0, kAll, valid_run_buffer),
    row(0x0C01, 0x0C01, "RUN_OUTPUT", 16, T, false, Target::None, 0, kAll, valid_run_buffer),
    row(0x0C02, 0x0C02, "VPA", 8, T, false, Target::None, 0, kAll, valid_vpa),
    row(0x1000, 0x101F, "GPR", 8, T, false, Target::Gpr, 0),
    row(0x1020, 0x1020, "HDEC_EXPIRY_TB", 8, T, false, Target::HdecExpiry),
    row(0x1021, 0x1021, "NIA", 8, T, false, Target::Nia),
    row(0x1022, 0x1022, "MSR", 8, T, false, Target::Msr, 0, kMsrMask),
    row(0x1023, 0x1023, "LR", 8, T, false, Target::Lr),
    row(0x1024, 0x1024, "XER", 8, T, false, Target::Xer),
    row(0x1025, 0x1025, "CTR", 8, T, false, Target::Ctr),
    vspr(0x1026, "CFAR", spr::CFAR),
    vspr(0x1027, "SRR0", spr::SRR0),
    vspr(0x1028, "SRR1", spr::SRR1),
    vspr(0x1029, "DAR", spr::DAR),
    row(0x102A, 0x102A, "DEC_EXPIRY_TB", 8, T, false, Target::DecExpiry),
    vspr(0x102B, "VTB", spr::VTB),
    vspr(0x102C, "LPCR", spr::LPCR, 8, kLpcrMask),
    vspr(0x102D, "HFSCR", spr::HFSCR),
    vspr(0x102E, "FSCR", spr::FSCR),
    row(0x102F, 0x102F, "FPSCR", 8, T, false, Target::Fpscr),
    vspr(0x1030, "DAWR0", spr::DAWR0),
    vspr(0x1031, "DAWR1", spr::DAWR1),
    vspr(0x1032, "CIABR", spr::CIABR),
    vspr(0x1033, "PURR", spr::PURR),
    vspr(0x1034, "SPURR", spr::SPURR),
    vspr(0x1035, "IC", spr::IC),
    vspr(0x1036, "SPRG0", spr::SPRG0),
    vspr(0x1037, "SPRG1", spr::SPRG1),
    vspr(0x1038, "SPRG2", spr::SPRG2),
    vspr(0x1039, "SPRG3", spr::SPRG3),
    vspr(0x103A, "PPR", spr::PPR),
    vspr(0x103B, "MMCR0", spr::MMCR0),
    vspr(0x103C, "MMCR1", spr::MMCR1),
    vspr(0x103D, "MMCR2", spr::MMCR2),
    vspr(0x103E, "MMCR3", spr::MMCR3),
    vspr(0x103F, "MMCRA", spr::MMCRA),
    vspr(0x1040, "SIER", spr::SIER),
    vspr(0x1041, "SIER2", spr::SIER2),
    vspr(0x1042, "SIER3", spr::SIER3),
    vspr(0x1043, "BESCR", spr::BESCR),
    vspr(0x1044, "EBBHR", spr::EBBHR),
    vspr(0x1045, "EBBRR", spr::EBBRR),
    vspr(0x1046, "AMR", spr::AMR),
    vspr(0x1047, "IAMR", spr::IAMR),
    vspr(0x1048, "AMOR", spr::AMOR),
    vspr(0x1049, "UAMOR", spr::UAMOR),
    vspr(0x104A, "SDAR", spr::SDAR),
    vspr(0x104B, "SIAR", spr::SIAR),
    vspr(0x104C, "DSCR", spr::DSCR),
    vspr(0x104D, "TAR", spr::TAR),
    vspr(0x104E, "DEXCR", spr::DEXCR),
    vspr(0x104F, "HDEXCR", spr::HDEXCR, 8, kHdexcrMask),
    vspr(0x1050, "HASHKEYR", spr::HASHKEYR),
    vspr(0x1051, "HASHPKEYR", spr::HASHPKEYR),
    vspr(0x1052, "CTRL", spr::CTRL_R),
    vspr(0x1053, "DPDES", spr::DPDES),
    row(0x2000, 0x2000, "CR", 4, T, false, Target::Cr),
    vspr(0x2001, "PIDR", spr::PIDR, 4),
    vspr(0x2002, "DSISR", spr::DSISR, 4),
    row(0x2003, 0x2003, "VSCR", 4, T, false, Target::Vscr),
    vspr(0x2004, "VRSAVE", spr::VRSAVE, 4),
    vspr(0x2005, "DAWRX0", spr::DAWRX0, 4),
    vspr(0x2006, "DAWRX1", spr::DAWRX1, 4),
    vspr(0x2007, "PMC1", spr::PMC1, 4),
    vspr(0x2008, "PMC2", spr::PMC2, 4),
    vspr(0x2009, "PMC3", spr::PMC3, 4),
    vspr(0x200A, "PMC4", spr::PMC4, 4),
    vspr(0x200B, "PMC5", spr::PMC5, 4),
    vspr(0x200C, "PMC6", spr::PMC6, 4),
    vspr(0x200D, "WORT", spr::WORT, 4),
    vspr(0x200E, "PSPB", spr::PSPB, 4),
    row(0x3000, 0x303F, "VSR", 16, T, false, Target::Vsr, 0),
    row(0xF000, 0xF000, "HDAR", 8, T, true, Target::Spr, spr::HDAR),
    row(0xF001, 0xF001, "HDSISR", 4, T, true, Target::Spr, spr::HDSISR),
    // PAPR and QEMU give HEIR 4 bytes; Linux's L1 types it as a doubleword and rejects anything else. Both
    // are accepted here, and a GET is answered in the length it asked for.
    row(0xF002, 0xF002, "HEIR", 4, T, true, Target::Spr, spr::HEIR, kAll, nullptr, 8),
    row(0xF003, 0xF003, "ASDR", 8, T, true, Target::Spr, spr::ASDR),
};

constexpr bool sorted_and_disjoint() {
    for (size_t i = 1; i < std::size(kTable); ++i)
        if (kTable[i].first <= kTable[i - 1].last || kTable[i].first > kTable[i].last)
            return false;
    return true;
}
static_assert(sorted_and_disjoint(), "element rows must be sorted by id and must not overlap");

} // namespace

std::span<const ElementInfo> element_table() { return kTable; }

const ElementInfo *element_info(uint16_t id) {
    const auto *end = std::end(kTable);
    const auto *it = std::upper_bound(std::begin(kTable), end, id,
                                      [](uint16_t v, const ElementInfo &e) { return v < e.first; });
    if (it == std::begin(kTable))
        return nullptr;
    --it;
    return id <= it->last ? it : nullptr;
}

} // namespace phv::nested
