// The HPT hcalls a hash guest makes and KVM-HV serves in the kernel (LoPAPR, "Page Frame Table
// Access"; KVM's book3s_hv_rm_mmu.c is the model for the argument checks and return codes): H_ENTER, H_REMOVE,
// H_READ, H_PROTECT, H_BULK_REMOVE, H_CLEAR_REF and H_CLEAR_MOD. Every change to an entry that a TLB may
// hold is followed by a tlbie of that page on every vcpu, complete before the hcall returns, as KVM's
// do_tlbies.
//
// The HPT holds exactly what the guest entered (a guest real address is a guest-physical address, so there
// is no RPN to rewrite), plus the R/C bits translation sets. H_RESIZE_HPT_PREPARE/COMMIT are not in-core
// hcalls in KVM either (QEMU serves them through KVM_PPC_RESIZE_HPT_*); they go to the VMM.
#include <cstring>

#include "mmu/hash.h"
#include "mmu/hpt.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv {

using isa::Flow;
using namespace mmu;

namespace {

constexpr int64_t kH_FUNCTION = -2, kH_PARAMETER = -4, kH_PTEG_FULL = -6, kH_NOT_FOUND = -7;

// Flags (r4), PAPR / Linux hvcall.h bit numbers.
constexpr uint64_t kH_EXACT = 1ull << (63 - 24);
constexpr uint64_t kH_READ_4 = 1ull << (63 - 26);
constexpr uint64_t kH_AVPN = 1ull << (63 - 32);
constexpr uint64_t kH_ANDCOND = 1ull << (63 - 33);
constexpr uint64_t kH_ZERO_PAGE = 1ull << (63 - 48);

// H_BULK_REMOVE's translation specifier high doubleword: type (0:1), response code (2:3), R/C (4:5),
// flags (6:7) and the PTE index.
namespace bulk {
constexpr uint64_t kRequest = 1, kEnd = 3;     // type
constexpr uint64_t kResponse = 0x80;           // top byte of a response: type 10
constexpr uint64_t kNotFound = 0x10, kParam = 0x20;
constexpr uint64_t kIndexMask = (1ull << 56) - 1;
} // namespace bulk

// Drops the page an HPTE mapped from this vcpu's TLB and queues the same for every other vcpu (a tlbie).
// Called under the entry's lock, which keeps translation from setting R/C on it meanwhile; the caller's
// tlbsync, once every lock is released (a vcpu waiting for a lock cannot apply its queue), completes it.
void invalidate_hpte(Vcpu &c, const Hpt &hpt, uint64_t index, uint64_t v, uint64_t r) {
    unsigned base = 12;
    const unsigned shift = hpte_page_shift_any(v, r, &base);
    Invalidation inv;   // an entry whose size cannot be told (it never translated) still goes with everything
    if (shift)
        inv = {Invalidation::Scope::Va, hpte_va(v, index, hpt.pteg_mask(), base, shift), shift, 0};
    c.tlb_invalidate(inv, true);
}

// H_ENTER(flags, pte_index, pteh, ptel) -> r4 = the index used.
int64_t h_enter(Vcpu &c, Hpt &hpt, uint64_t flags, uint64_t index, uint64_t v, uint64_t r, uint64_t &out) {
    if ((v >> 62) & 2)   // B = 1x: a reserved segment size
        return kH_PARAMETER;
    const unsigned shift = hpte_page_shift_any(v, r);
    if (!shift)
        return kH_PARAMETER;
    if (index >= hpt.entries())
        return kH_PARAMETER;
    // A page entirely in one memory slot is RAM; one entirely outside every slot is I/O (MMIO exits); one
    // that straddles is refused, as KVM refuses a page its memslot cannot back.
    const uint64_t size = 1ull << shift;
    const uint64_t gpa = (r & hpte::R_RPN) & ~(size - 1);
    Memslot *slot = nullptr;
    uint8_t *host = c.ram(gpa, size, false, &slot);
    if (!host) {
        for (uint64_t a = gpa; a - gpa < size; a += 0x1000)
            if (c.ram(a, 1, false))
                return kH_PARAMETER;
    }
    // The entry is made valid whatever V the guest passed, as KVM does (it owns V).
    v = (v | hpte::V_V);
    std::unique_lock g(hpt.lock(index));
    if (!(flags & kH_EXACT)) {
        index &= ~7ull;
        unsigned i = 0;
        while (i < 8 && (hpt.v(index + i) & hpte::V_V))
            ++i;
        if (i == 8)
            return kH_PTEG_FULL;
        index += i;
    } else if (hpt.v(index) & hpte::V_V) {
        return kH_PTEG_FULL;
    }
    // PAPR's H_ZERO_PAGE: the page is cleared before it is mapped (ignored for I/O pages). KVM and QEMU ignore
    // the flag; a guest that asks for it gets what PAPR promises.
    if ((flags & kH_ZERO_PAGE) && host && !(slot->flags & PHV_MEM_READONLY)) {
        std::memset(host, 0, size);
        c.note_store(slot, gpa, size);
    }
    hpt.write(index, v, r);
    out = index;
    return 0;
}

// The AVPN / ANDCOND conditions of H_REMOVE, H_PROTECT and H_BULK_REMOVE: `cond` against doubleword 0.
bool matches(uint64_t v, bool avpn, bool andcond, uint64_t cond) {
    if (avpn && (v & ~0x7full) != cond)
        return false;
    if (andcond && (v & cond))
        return false;
    return true;
}

// Removes a valid entry and returns its doubleword 1 with the final R/C (no translation can set them once
// V is clear, and setting them needs the lock held here).
uint64_t remove(Vcpu &c, Hpt &hpt, uint64_t index, uint64_t v) {
    const uint64_t r = hpt.r(index);
    hpt.set_v(index, 0);
    invalidate_hpte(c, hpt, index, v, r);
    return r;
}

} // namespace

Flow Vcpu::hpt_hcall(uint64_t nr) {
    Hpt &hpt = vm_.mmu().hpt;
    uint64_t *a = &st_.gpr[4];   // arguments in, results out
    const uint64_t flags = a[0], index = a[1];
    int64_t rc = 0;
    if (!mmu_.hash || !hpt.present()) {
        rc = kH_FUNCTION;   // a radix partition has no HPT (KVM: kvm_is_radix)
    } else if (nr == kH_ENTER) {
        uint64_t used = 0;
        rc = h_enter(*this, hpt, flags, index, a[2], a[3], used);
        if (rc == 0)
            a[0] = used;
    } else if (nr == kH_BULK_REMOVE) {
        // Up to four (specifier, AVPN/ANDCOND value) pairs in r4..r11; each specifier is rewritten as its
        // response. A parameter error ends the list.
        for (unsigned i = 0; i < 4; ++i) {
            uint64_t &spec = a[2 * i];
            const uint64_t cond = a[2 * i + 1];
            const unsigned type = unsigned(spec >> 62), fl = unsigned(spec >> 56) & 3;
            const uint64_t idx = spec & bulk::kIndexMask;
            if (type == bulk::kEnd)
                break;
            if (type != bulk::kRequest || fl == 3 || idx >= hpt.entries()) {
                spec = ((bulk::kResponse | bulk::kParam | fl) << 56) | idx;
                rc = kH_PARAMETER;
                break;
            }
            std::unique_lock g(hpt.lock(idx));
            const uint64_t v = hpt.v(idx);
            if (!(v & hpte::V_V) || !matches(v, fl == 2, fl == 1, cond)) {
                spec = ((bulk::kResponse | bulk::kNotFound | fl) << 56) | idx;
                continue;
            }
            const uint64_t r = remove(*this, hpt, idx, v);
            // R and C go to bits 4:5 of the response.
            spec = ((bulk::kResponse | fl) << 56) | ((r & (hpte::R_R | hpte::R_C)) << 51) | idx;
        }
    } else if (index >= hpt.entries()) {
        rc = kH_PARAMETER;
    } else if (nr == kH_READ) {
        // One entry, or with H_READ_4 the four of the aligned quad holding it, in r4..r11.
        const unsigned n = (flags & kH_READ_4) ? 4 : 1;
        const uint64_t first = (flags & kH_READ_4) ? index & ~3ull : index;
        for (unsigned i = 0; i < n; ++i) {
            std::unique_lock g(hpt.lock(first + i));
            a[2 * i] = hpt.v(first + i);
            a[2 * i + 1] = hpt.r(first + i);
        }
    } else {
        std::unique_lock g(hpt.lock(index));
        const uint64_t v = hpt.v(index), r = hpt.r(index);
        if (!(v & hpte::V_V)) {
            rc = kH_NOT_FOUND;
        } else if (nr == kH_REMOVE) {
            // H_REMOVE(flags, index, avpn) -> r4, r5 = the entry as it was (with its final R/C).
            if (!matches(v, flags & kH_AVPN, flags & kH_ANDCOND, a[2])) {
                rc = kH_NOT_FOUND;
            } else {
                a[1] = remove(*this, hpt, index, v);
                a[0] = v;
            }
        } else if (nr == kH_PROTECT) {
            // H_PROTECT(flags, index, avpn): new PP0 (flags bit 55), PP1:2, N and key from the flags.
            if (!matches(v, flags & kH_AVPN, false, a[2])) {
                rc = kH_NOT_FOUND;
            } else {
                constexpr uint64_t mask = hpte::R_PP0 | hpte::R_PP | hpte::R_N | hpte::R_KEY_HI | hpte::R_KEY_LO;
                const uint64_t bits = ((flags << 55) & hpte::R_PP0) | ((flags << 48) & hpte::R_KEY_HI) |
                                      (flags & (hpte::R_PP | hpte::R_N | hpte::R_KEY_LO));
                if (const uint64_t changed = (r & ~mask) | bits; changed != r) {
                    hpt.set_r(index, changed);
                    invalidate_hpte(*this, hpt, index, v, r);
                }
            }
        } else {
            // H_CLEAR_REF / H_CLEAR_MOD(flags, index) -> r4 = doubleword 1 before the bit was cleared. The
            // TLB entries go too: they exist only while R (loads) and C (stores) are set.
            const uint64_t bit = nr == kH_CLEAR_REF ? hpte::R_R : hpte::R_C;
            a[0] = r;
            if (r & bit) {
                hpt.set_r(index, r & ~bit);
                invalidate_hpte(*this, hpt, index, v, r);
            }
        }
    }
    tlbsync();   // every lock is released: the other vcpus can apply what was queued
    st_.gpr[3] = uint64_t(rc);
    st_.nip = mask_ea(st_.nip + 4);
    return Flow::Jump;
}

} // namespace phv
