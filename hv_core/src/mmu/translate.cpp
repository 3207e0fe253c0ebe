// The slow path of address translation for a vcpu: TLB miss -> radix walk or HPT search -> R/C update -> TLB
// fill, and the storage interrupts a failed translation raises (Book III 7.5.3-7.5.6).
#include <algorithm>
#include <cstring>

#include "mmu/hash.h"
#include "mmu/radix.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

using isa::Flow;
using mmu::Access;

namespace {

// Segment interrupts (Book III 7.5.4, 7.5.6): on radix they report an EA outside the tree (quadrants 1/2
// for a guest, EA bits 2:11 set), on hash an EA no SLB entry covers.
constexpr uint64_t kDataSegment = 0x380, kInstructionSegment = 0x480;

constexpr uint64_t kRealModeMask = 0x0fffffffffffffffull;

bool read_phys(void *opaque, uint64_t gpa, uint64_t &value) {
    const uint8_t *p = static_cast<Vcpu *>(opaque)->ram(gpa, 8, false);
    if (!p)
        return false;
    value = detail::from_guest<uint64_t>(p, true);   // radix tables are big-endian whatever MSR[LE] says
    return true;
}

mmu::HashContext hash_context(Vcpu &c) {
    return {&c.vm().mmu().hpt, c.st_.spr[spr::AMR], c.st_.spr[spr::IAMR], c.problem_state()};
}

mmu::Context context_of(Vcpu &c) {
    return {c.mmu_.process_table, c.mmu_.tlb->pid(), c.st_.spr[spr::AMR], c.st_.spr[spr::IAMR],
            c.problem_state()};
}

// Sets the R (and for stores C) bit of the PTE translation used, as the hardware does for a radix guest
// (Book III 6.7.12, Reference and Change Recording): atomically, and only while the PTE is still the one the
// walk read, so that a guest clearing the PTE concurrently (Linux ptep_get_and_clear) never gets it back.
// Returns false when the PTE changed (walk again). A PTE in read-only or non-RAM memory is left alone.
bool update_rc(Vcpu &c, const mmu::Result &r, Access a) {
    const uint64_t need = mmu::rc_needed(a);
    if ((r.pte & need) == need)
        return true;
    Memslot *slot = nullptr;
    uint8_t *p = c.ram(r.pte_gpa, 8, true, &slot);
    if (!p)
        return true;
    uint64_t expected = detail::bswap(r.pte);
    const uint64_t desired = detail::bswap(r.pte | need);
    if (!__atomic_compare_exchange_n(reinterpret_cast<uint64_t *>(p), &expected, desired, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST))
        return false;
    c.note_store(slot, r.pte_gpa, 8);   // dirty log, code pages and reservations see the update
    return true;
}

// The same for a hash PTE (Book III 5.7.8): under the PTE group's lock, so an hcall that removes or changes
// the entry either sees the new R/C or makes this return false (search again).
bool update_rc_hash(Vcpu &c, const mmu::HashResult &r, Access a) {
    const uint64_t need = mmu::hash_rc_needed(a);
    if ((r.r & need) == need)
        return true;
    mmu::Hpt &hpt = c.vm().mmu().hpt;
    std::lock_guard g(hpt.lock(r.pte_index));
    const uint64_t cur = hpt.r(r.pte_index);
    if (hpt.v(r.pte_index) != r.v || ((cur ^ r.r) & ~(mmu::hpte::R_R | mmu::hpte::R_C)))
        return false;
    hpt.set_rc(r.pte_index, cur | need);
    return true;
}

// Translation result in the one shape both MMUs give.
struct Walk {
    uint64_t gpa = 0, va = 0;
    unsigned shift = 12;
    uint32_t cause = 0;
    bool segment_fault = false;
    // While an L2 runs: the fault is partition-scoped, an HDSI/HISI for its L1 at L2 real address `ra`.
    bool hv = false;
    uint64_t ra = 0;
};

// An L2's process-scoped tables live at L2 real addresses: each read goes through the partition-scoped
// tree first, and the first failure is remembered (it becomes an HDSI with the table-walk cause).
struct L2Read {
    Vcpu *c;
    bool fault = false;
    uint32_t cause = 0;
    uint64_t ra = 0;
};

bool l2_read_phys(void *opaque, uint64_t ra, uint64_t &value) {
    auto &rd = *static_cast<L2Read *>(opaque);
    Vcpu &c = *rd.c;
    const mmu::Result p = mmu::radix_partition_translate(c.mmu_.l2.root, ra, Access::Load, read_phys, &c);
    if (p.cause) {
        if (!rd.fault)
            rd.fault = true, rd.cause = p.cause, rd.ra = ra;
        return false;
    }
    update_rc(c, p, Access::Load);   // a changed PTE is simply seen on the next walk
    return read_phys(&c, p.gpa, value);
}

// The two-dimensional walk of an L2 access (Book III 6.7.11): the process-scoped tree (unless the access
// is in real mode) to an L2 real address, then the partition-scoped tree to the L1 real address. R and C
// are set in both leaves, as POWER9/10 do.
Walk walk_l2(Vcpu &c, Access a, uint64_t ea, bool real) {
    Walk w;
    uint64_t ra = ea & kRealModeMask;
    unsigned shift = 63;
    if (!real) {
        const mmu::Context mctx = context_of(c);
        for (int attempt = 0;; ++attempt) {
            L2Read rd{&c};
            mmu::Result r = mmu::radix_translate(mctx, ea, a, l2_read_phys, &rd);
            if (rd.fault) {
                w.hv = true, w.cause = rd.cause | mmu::cause::kTableWalk, w.ra = rd.ra;
                return w;
            }
            if (r.cause || r.segment_fault) {
                w.cause = r.cause, w.segment_fault = r.segment_fault;
                return w;
            }
            ra = r.gpa;
            shift = r.page_shift;
            if ((r.pte & mmu::rc_needed(a)) == mmu::rc_needed(a) || attempt == 16)
                break;
            // The PTE is at an L2 real address; its L1 real address is where R/C go.
            const mmu::Result loc = mmu::radix_partition_translate(c.mmu_.l2.root, r.pte_gpa, Access::Store,
                                                                   read_phys, &c);
            if (loc.cause)
                break;   // the L1 mapped the L2's table read-only: R/C stay as they are
            r.pte_gpa = loc.gpa;
            if (update_rc(c, r, a))
                break;
        }
    }
    for (int attempt = 0;; ++attempt) {
        const mmu::Result p = mmu::radix_partition_translate(c.mmu_.l2.root, ra, a, read_phys, &c);
        if (p.cause) {
            w.hv = true, w.cause = p.cause, w.ra = ra;
            return w;
        }
        if (update_rc(c, p, a) || attempt == 16) {
            w.gpa = p.gpa;
            w.shift = std::min(shift, p.page_shift);
            return w;
        }
    }
}

// One walk with its R/C update, retried while another vcpu or an hcall keeps changing the PTE. `real`:
// the access is in real mode (only an L2's and, through the VRMA, a hash partition's real-mode accesses
// are walked). Through the VRMA (Book III 5.7.3.4) the EA's low 40 bits are the offset in the VRMA's 1T
// segment, and no storage key applies.
Walk walk(Vcpu &c, Access a, uint64_t ea, bool real) {
    if (c.mmu_.l2.active)
        return walk_l2(c, a, ea, real);
    Walk w;
    if (c.mmu_.hash) {
        mmu::HashContext hctx = hash_context(c);
        const mmu::SlbEntry *s = real ? &c.mmu_.vrma_slb : c.mmu_.slb.find(ea);
        if (real) {
            hctx.amr = hctx.iamr = 0;
            ea &= (1ull << 40) - 1;
        }
        for (int attempt = 0;; ++attempt) {
            const mmu::HashResult r = mmu::hash_translate(hctx, s, ea, a);
            w = {r.gpa, r.va, r.page_shift, r.cause, r.segment_fault};
            if (r.cause || r.segment_fault || update_rc_hash(c, r, a) || attempt == 16)
                return w;
        }
    }
    const mmu::Context mctx = context_of(c);
    for (int attempt = 0;; ++attempt) {
        const mmu::Result r = mmu::radix_translate(mctx, ea, a, read_phys, &c);
        w = {r.gpa, 0, r.page_shift, r.cause, r.segment_fault};
        // Another vcpu that keeps rewriting the PTE: use this walk's answer after a while.
        if (r.cause || r.segment_fault || update_rc(c, r, a) || attempt == 16)
            return w;
    }
}

} // namespace


// One 4K page of a translation: from the TLB, or walked, R/C-updated and entered. On failure `fault`
// holds why.
static bool translate_page(Vcpu &c, Access a, uint64_t ea, mmu::TlbEntry &out, Walk &fault, bool real = false) {
    const uint64_t ctx = real ? mmu::Tlb::kRealContext : c.tlb_context();
    if (const mmu::TlbEntry *e = c.mmu_.tlb->lookup(a, ea, ctx)) {
        out = *e;
        return true;
    }
    const Walk w = walk(c, a, ea, real);
    if (w.cause || w.segment_fault) {
        fault = w;
        return false;
    }
    out = {};
    out.gpa = w.gpa & ~0xfffull;
    out.host = c.ram(out.gpa, 0x1000, a == Access::Store, &out.slot);
    out.shift = uint8_t(w.shift);
    out.va = w.va & ~0xfffull;
    c.mmu_.tlb->insert(a, ea, ctx, out);
    return true;
}

// A partition-scoped fault of an L2 ends its run: HDSI (Book III 7.5.17) with HDAR = the EA, HDSISR = the
// cause and ASDR = the L2 real address; a fault while walking the L2's own tables is an HDSI whatever the
// access was. An instruction fetch otherwise gets HISI, whose cause goes to HSRR1.
static Flow partition_fault(Vcpu &c, uint64_t ea, Access a, const Walk &r) {
    c.st_.spr[spr::ASDR] = r.ra;
    if (a == Access::Fetch && !(r.cause & mmu::cause::kTableWalk))
        return c.leave_l2_hisi(r.cause);
    c.st_.spr[spr::HDAR] = ea;
    c.st_.spr[spr::HDSISR] = r.cause | (a == Access::Store && !(r.cause & mmu::cause::kTableWalk) ? mmu::cause::kStore : 0);
    return c.leave_l2_hdsi();
}

static Flow data_fault(Vcpu &c, uint64_t ea, Access a, const Walk &r) {
    if (r.hv)
        return partition_fault(c, ea, a, r);
    c.st_.spr[spr::DAR] = ea;
    if (r.segment_fault)
        return c.interrupt(kDataSegment, c.st_.nip, 0);
    c.st_.spr[spr::DSISR] = r.cause | (a == Access::Store ? mmu::cause::kStore : 0);
    return c.interrupt(vec::kDSI, c.st_.nip, 0);
}

Flow Vcpu::translate_data_slow(Access a, uint64_t ea, unsigned len, DataRef &out) {
    mmu::TlbEntry first{}, second{};
    Walk fault;
    const bool real = !(st_.msr & msr::DR);   // an L2's real-mode accesses, and those through the VRMA
    if (real)
        ea &= kRealModeMask;
    if (!translate_page(*this, a, ea, first, fault, real))
        return data_fault(*this, ea, a, fault);
    const uint64_t off = ea & 0xfff;
    out.split = false;
    if (off + len <= 0x1000) {
        out.host = first.host ? first.host + off : nullptr;
        out.gpa = first.gpa + off;
        out.slot = first.slot;
        return Flow::Next;
    }
    // The access crosses into the next page: both must translate before any byte moves; the fault reports
    // the first byte of the page that failed.
    const uint64_t next = mask_ea((ea | 0xfff) + 1);
    if (!translate_page(*this, a, next, second, fault, real))
        return data_fault(*this, next, a, fault);
    return cross_page(first, second, ea, unsigned(off), len, out);
}

Flow Vcpu::real_cross_page(uint64_t gpa, unsigned len, bool write, DataRef &out) {
    mmu::TlbEntry first{}, second{};
    first.gpa = gpa & ~0xfffull;
    second.gpa = first.gpa + 0x1000;
    first.host = ram(first.gpa, 0x1000, write, &first.slot);
    second.host = ram(second.gpa, 0x1000, write, &second.slot);
    return cross_page(first, second, gpa, unsigned(gpa & 0xfff), len, out);
}

Flow Vcpu::cross_page(const mmu::TlbEntry &first, const mmu::TlbEntry &second, uint64_t ea, unsigned off,
                      unsigned len, DataRef &out) {
    const unsigned len1 = 0x1000 - off;
    out.split = false;
    if (first.host && second.host && first.slot == second.slot && first.host + 0x1000 == second.host) {
        out.host = first.host + off;
        out.gpa = first.gpa + off;
        out.slot = first.slot;
        return Flow::Next;
    }
    if (!first.host && !second.host && first.gpa + 0x1000 == second.gpa) {
        out.host = nullptr;   // MMIO that happens to be contiguous: one exit
        out.gpa = first.gpa + off;
        return Flow::Next;
    }
    if (len > sizeof mmu_.split.bounce)
        return internal_error(PHV_INTERNAL_ERROR_EMULATION, "access of %u bytes at 0x%llx is too wide to split",
                              len, (unsigned long long)ea);
    if (!first.host || !second.host) {
        // Part RAM, part MMIO: the caller sees an MMIO access (host null) and mmio_exit() does the RAM
        // bytes in core and exits with the others only. Two MMIO pages that are not adjacent are not one
        // device access: that stays an error.
        if (!first.host && !second.host)
            return internal_error(PHV_INTERNAL_ERROR_EMULATION,
                                  "access of %u bytes at 0x%llx spans two MMIO pages that are not adjacent", len,
                                  (unsigned long long)ea);
        auto &m = mmu_.mixed;
        m = {};
        m.insn = stats_.insns_executed;
        m.gpa = first.gpa + off;
        m.len = len;
        if (first.host) {
            m.ram_host = first.host + off, m.ram_slot = first.slot, m.ram_gpa = first.gpa + off;
            m.ram_off = 0, m.ram_len = len1;
            m.mmio_gpa = second.gpa, m.mmio_off = len1, m.mmio_len = len - len1;
        } else {
            m.ram_host = second.host, m.ram_slot = second.slot, m.ram_gpa = second.gpa;
            m.ram_off = len1, m.ram_len = len - len1;
            m.mmio_gpa = first.gpa + off, m.mmio_off = 0, m.mmio_len = len1;
        }
        out.host = nullptr;
        out.gpa = m.gpa;
        out.slot = nullptr;
        return Flow::Next;
    }
    // Two RAM pages that are not adjacent on the host: go through the bounce buffer.
    auto &s = mmu_.split;
    s = {first.host + off, first.gpa + off, first.slot, len1, second.host, second.gpa, second.slot};
    std::memcpy(s.bounce, s.host1, len1);
    std::memcpy(s.bounce + len1, s.host2, len - len1);
    out.host = s.bounce;
    out.gpa = s.gpa1;
    out.slot = s.slot1;
    out.split = true;
    return Flow::Next;
}

void Vcpu::commit_split_store(unsigned len) {
    auto &s = mmu_.split;
    std::memcpy(s.host1, s.bounce, s.len1);
    std::memcpy(s.host2, s.bounce + s.len1, len - s.len1);
    note_store(s.slot1, s.gpa1, s.len1);
    note_store(s.slot2, s.gpa2, len - s.len1);
}

uint64_t Vcpu::real_address(uint64_t ea) {
    // Real addressing mode ignores the top 4 bits of the EA (Book III 5.7.3), which is why a Linux kernel
    // linked at 0xc000... can run before it turns translation on.
    if (mmu_.l2.active) {
        // An L2's real address here is the L1 real address its access reaches (both trees walked).
        mmu::TlbEntry e{};
        Walk fault;
        const bool real = !(st_.msr & msr::DR);
        if (real)
            ea &= kRealModeMask;
        return translate_page(*this, Access::Load, ea, e, fault, real) ? e.gpa + (ea & 0xfff) : kNoRealAddress;
    }
    const bool real = !(st_.msr & msr::DR);
    if (real && !mmu_.vrma)
        return ea & kRealModeMask;
    if (real)
        ea &= kRealModeMask;
    // Any kind's entry under this context maps the page alike (the kinds differ only in permission, which
    // this lookup does not judge): icbi names code the kernel has just patched through another mapping, whose
    // page is in the fetch TLB but seldom in the load TLB, and the walk was most of an icbi's cost.
    const uint64_t ctx = real ? mmu::Tlb::kRealContext : tlb_context();
    for (const Access a : {Access::Load, Access::Fetch, Access::Store})
        if (const mmu::TlbEntry *e = mmu_.tlb->lookup(a, ea, ctx))
            return e->gpa + (ea & 0xfff);
    if (mmu_.hash) {
        mmu::HashContext hctx = hash_context(*this);
        if (real)
            hctx.amr = hctx.iamr = 0;
        const mmu::HashResult r = real ? mmu::hash_translate(hctx, &mmu_.vrma_slb, ea & ((1ull << 40) - 1), Access::Load)
                                       : mmu::hash_translate(hctx, mmu_.slb.find(ea), ea, Access::Load);
        return r.cause || r.segment_fault ? kNoRealAddress : r.gpa;
    }
    const mmu::Result r = mmu::radix_translate(context_of(*this), ea, Access::Load, read_phys, this);
    return r.cause || r.segment_fault ? kNoRealAddress : r.gpa;
}

bool Vcpu::fetch_address(uint64_t nip, uint64_t &ra, Flow &f) {
    const bool real = !(st_.msr & msr::IR);
    if (real && !mmu_.l2.active && !mmu_.vrma) {
        ra = nip & kRealModeMask;
        return true;
    }
    mmu::TlbEntry e{};
    Walk fault;
    const uint64_t ea = real ? nip & kRealModeMask : nip;
    if (translate_page(*this, Access::Fetch, ea, e, fault, real)) {
        ra = e.gpa + (ea & 0xfff);
        return true;
    }
    if (fault.hv) {
        f = partition_fault(*this, nip, Access::Fetch, fault);
        return false;
    }
    // An interrupt vector that itself does not translate would fault forever: tell the caller instead.
    if (fault.segment_fault) {
        f = interrupt(kInstructionSegment, nip, 0);
    } else {
        f = interrupt(vec::kISI, nip, fault.cause);
    }
    if (st_.nip == nip) {
        f = internal_error(PHV_INTERNAL_ERROR_FETCH, "instruction fetch at 0x%llx faults at its own vector",
                           (unsigned long long)nip);
    }
    return false;
}

} // namespace phv
