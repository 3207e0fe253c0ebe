#include "mmu/hash.h"

#include "mmu/hpt.h"

namespace phv::mmu {

namespace {

constexpr unsigned kRead = 1, kWrite = 2, kExec = 4;

// Basic protection (Book III 5.7.9.2, "Storage Protection, Address Translation Enabled"): the key is Kp in
// problem state and Ks otherwise, PP is PP0||PP1||PP2. The ISA leaves the remaining combinations reserved;
// they grant nothing here, as in QEMU. Execution needs read access.
unsigned pp_rights(bool key, uint64_t r) {
    const unsigned pp = unsigned(r & hpte::R_PP) | unsigned((r & hpte::R_PP0) >> 61);
    if (!key) {
        switch (pp) {
        case 0: case 1: case 2: return kRead | kWrite | kExec;
        case 3: case 6: return kRead | kExec;
        default: return 0;
        }
    }
    switch (pp) {
    case 1: case 3: return kRead | kExec;
    case 2: return kRead | kWrite | kExec;
    default: return 0;
    }
}

// Virtual page class keys (Book III 5.7.9.3): AMR bits 2k / 2k+1 deny stores / loads of key k, IAMR bit
// 2k+1 denies instruction fetch; in both privileged and problem state.
unsigned key_rights(const HashContext &c, unsigned key) {
    const unsigned amr = unsigned(c.amr >> (2 * (31 - key))) & 3, iamr = unsigned(c.iamr >> (2 * (31 - key))) & 3;
    return ((amr & 2) ? 0 : kWrite) | ((amr & 1) ? 0 : kRead) | ((iamr & 1) ? 0 : kExec);
}

unsigned need_of(Access a) { return a == Access::Fetch ? kExec : a == Access::Store ? kWrite : kRead; }

} // namespace

const SegmentPageSizes *segment_page_sizes(uint64_t slb_vsid) {
    for (const SegmentPageSizes &s : kSegmentPageSizes)
        if (s.slb_enc == (slb_vsid & slb::LLP))
            return &s;
    return nullptr;
}

unsigned hpte_page_shift(const SegmentPageSizes &sps, uint64_t v, uint64_t r) {
    if (!(v & hpte::V_L))
        return sps.shift == 12 ? 12 : 0;
    for (const PageSizeEnc &p : sps.enc) {
        if (!p.shift)
            break;
        if (p.shift == 12)
            continue;   // L=1 is never a 4K page
        // LP sits in the RPN bits below the page size (Book III 5.7.7.1, "LP").
        const uint64_t mask = ((1ull << p.shift) - 1) & hpte::R_RPN;
        if ((r & mask) == uint64_t(p.pte_enc) << 12)
            return p.shift;
    }
    return 0;
}

unsigned hpte_page_shift_any(uint64_t v, uint64_t r, unsigned *base) {
    // The encodings are chosen (by the processors that define them) so that at most one segment size
    // accepts a given LP.
    for (const SegmentPageSizes &s : kSegmentPageSizes)
        if (const unsigned shift = hpte_page_shift(s, v, r)) {
            if (base)
                *base = s.shift;
            return shift;
        }
    return 0;
}

namespace {
struct HpteSegment {
    unsigned seg_shift;
    uint64_t vsid, hash_vsid, offset;   // offset: the page's offset in its segment at base page size
};

HpteSegment hpte_segment(uint64_t v, uint64_t index, uint64_t pteg_mask, unsigned base_shift) {
    // The AVPN holds VA bits 0:54, i.e. the VSID and the segment offset down to 2^23; the offset bits below
    // come back out of the hash, whose low bits are the PTE group number (complemented for a secondary
    // entry).
    const bool one_tb = (v & hpte::V_B) == slb::B_1T;
    HpteSegment s;
    s.seg_shift = one_tb ? 40 : 28;
    s.vsid = one_tb ? (v & slb::VSID) >> 24 : (v & slb::VSID) >> 12;
    const uint64_t high = ((v >> 7) & ((1ull << (s.seg_shift - 23)) - 1)) << 23;
    uint64_t group = index >> 3;
    if (v & hpte::V_H)
        group = ~group;
    s.hash_vsid = one_tb ? s.vsid ^ (s.vsid << 25) : s.vsid;
    const uint64_t low = (((group ^ s.hash_vsid) & pteg_mask) << base_shift) & ((1ull << 23) - 1);
    s.offset = high | low;
    return s;
}
} // namespace

uint64_t hpte_va(uint64_t v, uint64_t index, uint64_t pteg_mask, unsigned base_shift, unsigned actual_shift) {
    const HpteSegment s = hpte_segment(v, index, pteg_mask, base_shift);
    // Bits inside the actual page do not matter.
    return s.vsid << s.seg_shift | (s.offset & ~((1ull << actual_shift) - 1));
}

uint64_t hpte_hash(uint64_t v, uint64_t index, uint64_t pteg_mask, unsigned base_shift) {
    const HpteSegment s = hpte_segment(v, index, pteg_mask, base_shift);
    return s.hash_vsid ^ (s.offset >> base_shift);
}

HashResult hash_translate(const HashContext &ctx, const SlbEntry *s, uint64_t ea, Access access) {
    HashResult res;
    if (!s) {
        res.segment_fault = true;
        return res;
    }
    // Segment-level no-execute (SLB[N]) is checked before the PTE is looked for.
    if (access == Access::Fetch && (s->vsid & slb::N)) {
        res.cause = cause::kNoExecGuard;
        return res;
    }
    const SegmentPageSizes *sps = segment_page_sizes(s->vsid);
    if (!sps || !ctx.hpt || !ctx.hpt->present()) {   // slbmte refuses the former; no table finds nothing
        res.cause = cause::kNoPte;
        return res;
    }
    // The hash (Book III 5.7.7.3): of the VSID and the page number within the segment at the base page size.
    const unsigned seg_shift = s->segment_shift();
    const uint64_t epn = ea & ((1ull << seg_shift) - 1) & ~((1ull << sps->shift) - 1);
    uint64_t hash;
    if (s->one_tb()) {
        const uint64_t vsid = (s->vsid & slb::VSID) >> 24;
        hash = vsid ^ (vsid << 25) ^ (epn >> sps->shift);
    } else {
        hash = ((s->vsid & slb::VSID) >> 12) ^ (epn >> sps->shift);
    }
    // What a matching PTE holds in doubleword 0: B, the AVPN (VA bits 0:54, so the VSID and the EA bits of
    // the segment offset above 2^23), and V.
    const uint64_t want = (s->vsid & (slb::B | slb::VSID)) | ((epn >> 16) & hpte::V_AVPN) | hpte::V_V;
    const Hpt &hpt = *ctx.hpt;
    for (unsigned secondary = 0; secondary < 2; ++secondary) {
        const uint64_t group = ((secondary ? ~hash : hash) & hpt.pteg_mask()) * 8;
        const uint64_t w = want | (secondary ? hpte::V_H : 0);
        for (unsigned i = 0; i < 8; ++i) {
            const uint64_t v = hpt.v(group + i);
            if (!(v & hpte::V_V))
                continue;
            const uint64_t r = hpt.r(group + i);
            const unsigned shift = hpte_page_shift(*sps, v, r);
            // A PTE for another base page size is not a match (Linux leaves such entries behind when it
            // changes a segment's page size). AVPN bits that lie inside the actual page are not compared.
            if (!shift)
                continue;
            const uint64_t inside = shift > 23 ? ((1ull << (shift - 16)) - 1) & hpte::V_AVPN : 0;
            if ((v ^ w) & hpte::V_COMPARE & ~inside)
                continue;
            res.pte_index = group + i;
            res.v = v;
            res.r = r;
            res.page_shift = shift;
            goto found;
        }
    }
    res.cause = cause::kNoPte;
    return res;

found:
    {
        const uint64_t r = res.r;
        const bool key = ctx.problem_state ? (s->vsid & slb::KP) : (s->vsid & slb::KS);
        const unsigned pp = pp_rights(key, r);
        const unsigned nx = (r & (hpte::R_N | hpte::R_G)) ? kRead | kWrite : kRead | kWrite | kExec;
        const unsigned keys = key_rights(ctx, hpte::key(r));
        const unsigned need = need_of(access);
        if (need & ~(pp & nx & keys)) {
            if (access == Access::Fetch) {
                if (!(nx & kExec))
                    res.cause |= cause::kNoExecGuard;
                else if (!(pp & kExec))
                    res.cause |= cause::kProtection;
                if (!(keys & kExec))
                    res.cause |= cause::kKey;
            } else {
                if (need & ~pp)
                    res.cause |= cause::kProtection;
                if (need & ~keys)
                    res.cause |= cause::kKey;
            }
            return res;
        }
        const uint64_t mask = (1ull << res.page_shift) - 1;
        res.gpa = ((r & hpte::R_RPN) & ~mask) | (ea & mask);
        res.va = virtual_address(*s, ea);
    }
    return res;
}

} // namespace phv::mmu
