#include "mmu/radix.h"

namespace phv::mmu {

namespace {

constexpr unsigned kRead = 1, kWrite = 2, kExec = 4;

// Encoded Access Authority (Book III 6.7.10.3): R, RW (which includes read) and X.
unsigned eaa_rights(uint64_t p) {
    return ((p & pte::EAA_R) ? kRead : 0) | ((p & pte::EAA_RW) ? kRead | kWrite : 0) |
           ((p & pte::EAA_X) ? kExec : 0);
}

// AMR/IAMR key 0 (Book III 6.7.13, "Virtual Page Class Key Protection" as radix uses it): AMR bit 0 denies
// stores, bit 1 loads, IAMR bit 1 instruction fetch. Linux's KUAP and KUEP are exactly this.
unsigned key0_rights(const Context &c) {
    const unsigned amr = unsigned(c.amr >> 62), iamr = unsigned(c.iamr >> 62);
    return ((amr & 2) ? 0 : kWrite) | ((amr & 1) ? 0 : kRead) | ((iamr & 1) ? 0 : kExec);
}

// The permission check of a process-scoped PTE. Privileged pages are closed to problem state; privileged
// accesses to non-privileged pages also need key 0 of AMR/IAMR. A fetch that is refused reports "guarded or
// no-execute" (SRR1 bit 35), a data access "protection" (DSISR bit 36); a key-0 refusal on radix reports
// the same protection bit (Linux: "For radix this will be a storage protection fault (DSISR_PROTFAULT)").
uint32_t check_rights(const Context &c, uint64_t p, Access a) {
    if (a == Access::Fetch && (p & pte::ATT) == pte::ATT_NI_IO)
        return cause::kNoExecGuard;   // non-idempotent I/O is treated as guarded storage
    unsigned rights;
    if ((p & pte::EAA_PRIV) && c.problem_state)
        rights = 0;
    else if (c.problem_state || (p & pte::EAA_PRIV))
        rights = eaa_rights(p);
    else
        rights = eaa_rights(p) & key0_rights(c);
    const unsigned need = a == Access::Fetch ? kExec : a == Access::Store ? kWrite : kRead;
    if (rights & need)
        return 0;
    return a == Access::Fetch ? cause::kNoExecGuard : cause::kProtection;
}

// The radix tree shapes POWER9 and POWER10 support (their user's manuals, "Supported Radix Tree
// Configurations"): a 52-bit tree whose root has 2^13 entries and whose lower levels have 2^9 (the last may
// have 2^5, giving 64K pages). Anything else is a bad configuration, as under QEMU.
bool valid_level(unsigned level, unsigned size, uint64_t nls) {
    switch (level) {
    case 0: return size == 52 && nls == 13;
    case 1:
    case 2: return nls == 9;
    case 3: return nls == 9 || nls == 5;
    default: return false;
    }
}

// Walks a tree from its root directory (base, 2^nls entries, covering 2^size bytes) to the leaf for
// `addr`; on success r.pte/r.pte_gpa/r.page_shift are the leaf's, else r.cause says why.
bool walk_tree(uint64_t base, uint64_t nls, unsigned size, uint64_t addr, ReadPhys read, void *opaque, Result &r) {
    uint64_t entry = 0, entry_gpa = 0;
    for (unsigned level = 0;; ++level) {
        if (!valid_level(level, size, nls) || nls >= size) {
            r.cause = cause::kBadConfig;
            return false;
        }
        // A directory is aligned to its own size; the low bits of a misaligned base are ignored.
        base &= ~((8ull << nls) - 1);
        size -= unsigned(nls);
        entry_gpa = base + ((addr >> size) & ((1ull << nls) - 1)) * 8;
        if (!read(opaque, entry_gpa, entry))
            entry = 0;   // a table outside RAM reads as invalid entries (QEMU: unassigned memory is 0)
        if (!(entry & pte::V)) {
            r.cause = cause::kNoPte;
            return false;
        }
        if (entry & pte::L)
            break;
        base = entry & pte::NLB;
        nls = entry & pte::NLS;
    }
    r.pte = entry;
    r.pte_gpa = entry_gpa;
    r.page_shift = size;
    return true;
}

} // namespace

Result radix_partition_translate(uint64_t root, uint64_t ra, Access access, ReadPhys read, void *opaque) {
    Result r;
    // Partition scope has no quadrants: a guest real address is 52 bits at most.
    if (ra >> 52) {
        r.cause = cause::kNoPte;
        return r;
    }
    if (!walk_tree(root, 13, 52, ra, read, opaque, r))
        return r;
    // The rights are the PTE's EAA alone: no privilege split and no AMR/IAMR key, which belong to the
    // process scope (Book III 6.7.11); non-idempotent I/O is guarded, so never fetched from.
    const uint64_t p = r.pte;
    const bool ok = access == Access::Fetch ? (p & pte::EAA_X) && (p & pte::ATT) != pte::ATT_NI_IO
                    : access == Access::Store ? (p & pte::EAA_RW) != 0
                                              : (p & (pte::EAA_R | pte::EAA_RW)) != 0;
    if (!ok) {
        r.cause = access == Access::Fetch ? cause::kNoExecGuard : cause::kProtection;
        return r;
    }
    const uint64_t mask = (1ull << r.page_shift) - 1;
    r.gpa = ((p & pte::RPN) & ~mask) | (ra & mask);
    return r;
}

Result radix_translate(const Context &ctx, uint64_t ea, Access access, ReadPhys read, void *opaque) {
    Result r;
    // Quadrants (Book III 6.7.10.1): 0 is the process PIDR names, 3 is PID 0 (the OS); a guest has no
    // quadrants 1 and 2. Those and a set bit in EA[2:11] are a segment interrupt.
    const unsigned quadrant = unsigned(ea >> 62);
    if ((ea & ea::kReserved) || quadrant == 1 || quadrant == 2) {
        r.segment_fault = true;
        return r;
    }
    const uint64_t pid = quadrant == 3 ? 0 : ctx.pid;

    // Process table entry (Book III 6.7.10.2): 16 bytes per PID in a table of 2^(12+PRTS) bytes.
    const uint64_t prtb = ctx.process_table & pate1::PRTB;
    const uint64_t prt_size = 1ull << ((ctx.process_table & pate1::PRTS) + 12);
    if (prtb & (prt_size - 1)) {
        r.cause = cause::kBadConfig;
        return r;
    }
    if (pid >= prt_size / 16) {
        r.cause = cause::kNoPte;
        return r;
    }
    uint64_t prte0 = 0;
    if (!read(opaque, prtb + pid * 16, prte0))
        prte0 = 0;
    // Linux leaves the entry of a PID without user space zero so that NULL faults; the hardware sees an
    // unsupported (zero-sized) tree.
    if (!prte0) {
        r.cause = cause::kBadConfig;
        return r;
    }
    // RTS is split: bits 1:2 and 56:58; the tree covers 2^(RTS+31) bytes.
    unsigned size = unsigned(((prte0 >> 58) & 0x18) | ((prte0 >> 5) & 7)) + 31;
    uint64_t base = prte0 & pte::NLB, nls = prte0 & pte::NLS;
    const uint64_t addr = ea & ea::kTranslated;

    if (!walk_tree(base, nls, size, addr, read, opaque, r))
        return r;
    if (const uint32_t c = check_rights(ctx, r.pte, access)) {
        r.cause = c;
        r.pte = 0;
        return r;
    }
    const uint64_t mask = (1ull << r.page_shift) - 1;
    r.gpa = ((r.pte & pte::RPN) & ~mask) | (ea & mask);
    return r;
}

} // namespace phv::mmu
