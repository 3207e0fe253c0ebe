// nestedv1 (KVM's API: KVM_CAP_PPC_NESTED_HV, QEMU's cap-nested-hv): H_SET_PARTITION_TABLE, H_ENTER_NESTED,
// H_TLB_INVALIDATE, H_COPY_TOFROM_GUEST (kvm-book3s-reference.md section 4). The L0 keeps only the L1's
// partition table register; every entry hands it the whole L2 state in `struct hv_guest_state` and
// `struct pt_regs` (in the L1's byte order) and every exit hands it back. The L2 runs through the same
// in-place switch as nestedv2 (run.cpp).
#include <algorithm>
#include <cstring>

#include "mmu/partition.h"
#include "mmu/radix.h"
#include "nested/gsb.h"
#include "nested/run.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv::nested {

using isa::Flow;

namespace {

constexpr int64_t kH_NOT_FOUND = -7;

// struct hv_guest_state (version 1: 0xE8 bytes, version 2 adds DAWR1/DAWRX1: 0xF8) and struct pt_regs.
namespace hvs {
constexpr unsigned kVersion = 0x00, kLpid = 0x08, kVcpuToken = 0x0c, kLpcr = 0x10, kPcr = 0x18, kAmor = 0x20,
                   kDpdes = 0x28, kHfscr = 0x30, kTbOffset = 0x38, kDawr0 = 0x40, kDawrx0 = 0x48, kCiabr = 0x50,
                   kHdecExpiry = 0x58, kPurr = 0x60, kSpurr = 0x68, kIc = 0x70, kVtb = 0x78, kHdar = 0x80,
                   kHdsisr = 0x88, kHeir = 0x90, kAsdr = 0x98, kSrr0 = 0xa0, kSrr1 = 0xa8, kSprg = 0xb0,
                   kPidr = 0xd0, kCfar = 0xd8, kPpr = 0xe0, kDawr1 = 0xe8, kDawrx1 = 0xf0;
constexpr unsigned kSizeV1 = 0xe8, kSizeV2 = 0xf8;
} // namespace hvs
namespace ptr {
constexpr unsigned kGpr = 0x000, kNip = 0x100, kMsr = 0x108, kCtr = 0x118, kLink = 0x120, kXer = 0x128,
                   kCcr = 0x130, kDar = 0x148, kDsisr = 0x150, kSize = 0x160;
} // namespace ptr

// The hv_guest_state fields that are plain SPRs, both directions.
struct SprField {
    unsigned off;
    uint16_t spr;
};
constexpr SprField kSprFields[] = {
    {hvs::kAmor, spr::AMOR},   {hvs::kDpdes, spr::DPDES}, {hvs::kDawr0, spr::DAWR0}, {hvs::kDawrx0, spr::DAWRX0},
    {hvs::kCiabr, spr::CIABR}, {hvs::kPurr, spr::PURR},   {hvs::kSpurr, spr::SPURR}, {hvs::kIc, spr::IC},
    {hvs::kVtb, spr::VTB},     {hvs::kSrr0, spr::SRR0},   {hvs::kSrr1, spr::SRR1},   {hvs::kSprg, spr::SPRG0},
    {hvs::kSprg + 8, spr::SPRG1}, {hvs::kSprg + 16, spr::SPRG2}, {hvs::kSprg + 24, spr::SPRG3},
    {hvs::kPidr, spr::PIDR},   {hvs::kCfar, spr::CFAR},   {hvs::kPpr, spr::PPR},
};
constexpr SprField kSprFieldsV2[] = {{hvs::kDawr1, spr::DAWR1}, {hvs::kDawrx1, spr::DAWRX1}};

// The L1 may choose these LPCR bits for its L2 (KVM: DPFD, ILE, TC, AIL, LD, MER).
constexpr uint64_t kL2LpcrV1 = (7ull << (63 - 11)) | lpcr::ILE | (1ull << (63 - 54)) | lpcr::AIL | lpcr::LD |
                               (1ull << (63 - 52));

// The structures are in the L1's byte order.
uint64_t rd(const uint8_t *p, bool le) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return le ? v : __builtin_bswap64(v);
}
uint32_t rd32(const uint8_t *p, bool le) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return le ? v : __builtin_bswap32(v);
}
void wr(uint8_t *p, uint64_t v, bool le) {
    if (!le)
        v = __builtin_bswap64(v);
    std::memcpy(p, &v, 8);
}

Flow done(Vcpu &l1, int64_t rc) {
    l1.st_.gpr[3] = uint64_t(rc);
    l1.st_.nip = l1.mask_ea(l1.st_.nip + 4);
    return Flow::Jump;
}

// The partition-table entry of `lpid` in the table the L1 registered, as {dw0, dw1}; false when the lpid
// is outside the table or the table is not in L1 RAM.
bool read_pate(Vcpu &l1, uint64_t ptcr, uint64_t lpid, uint64_t &dw0, uint64_t &dw1) {
    const uint64_t entries = (1ull << ((ptcr & 0x1f) + 12)) / 16;
    if (!lpid || lpid >= entries)
        return false;
    const uint8_t *p = l1.ram((ptcr & 0x0ffffffffffff000ull) + lpid * 16, 16, false);
    if (!p)
        return false;
    dw0 = be_load(p, 8);
    dw1 = be_load(p + 8, 8);
    return true;
}

// A radix PATE (HR) whose partition-scoped tree has the one shape phv walks: RTS for 52 bits, a 2^13 root.
bool radix_pate(uint64_t dw0) {
    const unsigned rts = unsigned(((dw0 >> 58) & 0x18) | ((dw0 >> 5) & 7));
    return (dw0 >> 63) && rts == 52 - 31 && (dw0 & 0x1f) == 13;
}

} // namespace

Flow L0::set_partition_table(Vcpu &l1) {
    const uint64_t ptcr = l1.st_.gpr[4];
    // At most 4096 entries (Linux's limit); the table must be L1 memory.
    if ((ptcr & 0x1f) + 12 - 4 > 12)
        return done(l1, hret::kParameter);
    if (ptcr && !l1.ram(ptcr & 0x0ffffffffffff000ull, 1ull << ((ptcr & 0x1f) + 12), false))
        return done(l1, hret::kParameter);
    std::lock_guard g(lock_);
    ptcr_ = ptcr;
    v1_guests_.clear();   // KVM-HV drops every nested guest with the table (kvmhv_set_ptbl)
    return done(l1, hret::kSuccess);
}

Flow L0::enter_nested(Vcpu &c) {
    auto &r = c.st_.gpr;
    const uint64_t hv_addr = r[4], regs_addr = r[5];
    uint64_t ptcr;
    {
        std::lock_guard g(lock_);
        ptcr = ptcr_;
    }
    if (!ptcr)
        return done(c, hret::kNotAvailable);
    const bool le = c.st_.msr & msr::LE;
    const uint8_t *vp = c.ram(hv_addr, 8, false);
    if (!vp)
        return done(c, hret::kParameter);
    const uint64_t version = rd(vp, le);
    if (version > 2)
        return done(c, hret::kP2);
    if (version == 0)
        return done(c, hret::kParameter);
    const unsigned hv_size = version == 1 ? hvs::kSizeV1 : hvs::kSizeV2;
    const uint8_t *hvp = c.ram(hv_addr, hv_size, true);
    const uint8_t *rp = c.ram(regs_addr, ptr::kSize, true);
    if (!hvp || !rp)
        return done(c, hret::kParameter);
    uint8_t hv[hvs::kSizeV2] = {}, regs[ptr::kSize];
    std::memcpy(hv, hvp, hv_size);
    std::memcpy(regs, rp, ptr::kSize);
    const uint64_t lpid = rd32(hv + hvs::kLpid, le);
    if (rd32(hv + hvs::kVcpuToken, le) >= PHV_MAX_VCPUS)
        return done(c, hret::kParameter);
    uint64_t dw0, dw1;
    if (!read_pate(c, ptcr, lpid, dw0, dw1) || !radix_pate(dw0))
        return done(c, hret::kParameter);

    if (!c.l2_)
        c.l2_ = std::make_unique<Frame>();
    Frame &f = *c.l2_;
    f = Frame{};
    f.v1 = true;
    f.v1_le = le;
    f.v1_version = unsigned(version);
    f.v1_hv = hv_addr;
    f.v1_regs = regs_addr;
    f.v1_token = rd32(hv + hvs::kVcpuToken, le);
    f.lpid = lpid;
    f.hdec_expiry = rd(hv + hvs::kHdecExpiry, le);
    f.tb_offset = rd(hv + hvs::kTbOffset, le);
    f.entry_tb = c.read_tb();
    f.l1 = c.st_;
    f.l1.nip = c.mask_ea(c.st_.nip + 4);
    f.l1_dec_expiry = c.dec_expiry_;
    f.l1_tb_offset = c.tb_offset_;
    f.l1_process_table = c.mmu_.process_table;
    f.l1_hash = c.mmu_.hash;
    f.l1_slots_generation = c.mmu_.slots_generation;
    f.l1_tlb = c.mmu_.tlb;

    // Registers outside the two structures stay as the L1 left them (kvm-nested.rst: "the L0 ensures they
    // end up as the L2 state by not touching them"): the L2 starts from the L1's CpuState.
    CpuState &s = c.st_;
    for (unsigned i = 0; i < 32; ++i)
        s.gpr[i] = rd(regs + ptr::kGpr + 8 * i, le);
    s.nip = rd(regs + ptr::kNip, le);
    s.msr = (rd(regs + ptr::kMsr, le) | msr::ME) & ~(msr::HV | msr::S);
    s.ctr = rd(regs + ptr::kCtr, le);
    s.lr = rd(regs + ptr::kLink, le);
    s.set_xer(rd(regs + ptr::kXer, le));
    s.cr = uint32_t(rd(regs + ptr::kCcr, le));
    s.spr[spr::DAR] = rd(regs + ptr::kDar, le);
    s.spr[spr::DSISR] = uint32_t(rd(regs + ptr::kDsisr, le));
    for (const SprField &x : kSprFields)
        s.spr[x.spr] = rd(hv + x.off, le);
    if (version >= 2)
        for (const SprField &x : kSprFieldsV2)
            s.spr[x.spr] = rd(hv + x.off, le);
    // HFSCR: what the L1 allows its L2, within what the L1 itself has.
    s.spr[spr::HFSCR] = rd(hv + hvs::kHfscr, le) & f.l1.spr[spr::HFSCR];
    f.l2_lpcr = rd(hv + hvs::kLpcr, le);
    s.spr[spr::LPCR] = (f.l1.spr[spr::LPCR] & ~(kL2LpcrV1 | mmu::lpcr::kOwned)) | (f.l2_lpcr & kL2LpcrV1) |
                       mmu::lpcr::UPRT | mmu::lpcr::HR | mmu::lpcr::GTSE;
    // The DEC is one of the registers left alone: the L2 finds the L1's.
    c.tb_offset_ = f.l1_tb_offset + f.tb_offset;
    c.dec_expiry_ = f.l1_dec_expiry + f.tb_offset;
    purr_to_running(c);
    // The L2's TLB is kept per LPID and reused while its partition-table entry is the same one.
    const uint64_t generation = dw0 * 0x9e3779b97f4a7c15ull ^ dw1;
    c.enter_l2_mmu(lpid, generation, dw0 & 0x0fffffffffffff00ull,
                   mmu::pate1::GR | (dw1 & (mmu::pate1::PRTB | mmu::pate1::PRTS)));
    c.in_l2_ = true;
    ++c.stats().nested_entries;
    {
        std::lock_guard g(lock_);
        V1Vcpu &v = v1_guests_[lpid][f.v1_token];
        ++v.running;
        ++v.counters.runs;
    }
    f.l2_start_tb = c.read_tb() - f.tb_offset;
    return Flow::Jump;
}

Flow L0::leave_v1(Vcpu &c, uint64_t trap) {
    Frame &f = *c.l2_;
    const bool le = f.v1_le;
    const CpuState &s = c.st_;
    const uint64_t exit_tb = c.read_tb() - f.tb_offset;
    purr_to_stopped(c);
    uint8_t hv[hvs::kSizeV2] = {}, regs[ptr::kSize] = {};
    const unsigned hv_size = f.v1_version == 1 ? hvs::kSizeV1 : hvs::kSizeV2;
    uint8_t *hvp = c.ram(f.v1_hv, hv_size, true);
    uint8_t *rp = c.ram(f.v1_regs, ptr::kSize, true);
    if (hvp)
        std::memcpy(hv, hvp, hv_size);
    if (rp)
        std::memcpy(regs, rp, ptr::kSize);
    for (const SprField &x : kSprFields)
        if (x.off != hvs::kAmor && x.off != hvs::kDawr0 && x.off != hvs::kDawrx0 && x.off != hvs::kCiabr)
            wr(hv + x.off, s.spr[x.spr], le);
    switch (trap) {
    case trap::kHdsi:
        wr(hv + hvs::kHdar, s.spr[spr::HDAR], le);
        wr(hv + hvs::kHdsisr, s.spr[spr::HDSISR], le);
        wr(hv + hvs::kAsdr, s.spr[spr::ASDR], le);
        break;
    case trap::kHisi: wr(hv + hvs::kAsdr, s.spr[spr::ASDR], le); break;
    case trap::kHea: wr(hv + hvs::kHeir, uint32_t(s.spr[spr::HEIR]), le); break;
    case trap::kHfac: {
        constexpr uint64_t kIc = 0xffull << 56;
        wr(hv + hvs::kHfscr, (rd(hv + hvs::kHfscr, le) & ~kIc) | (s.spr[spr::HFSCR] & kIc), le);
        break;
    }
    default: break;
    }
    for (unsigned i = 0; i < 32; ++i)
        wr(regs + ptr::kGpr + 8 * i, s.gpr[i], le);
    wr(regs + ptr::kNip, s.nip, le);
    wr(regs + ptr::kMsr, s.msr | (trap == trap::kHisi ? f.hisi_cause : 0), le);
    wr(regs + ptr::kCtr, s.ctr, le);
    wr(regs + ptr::kLink, s.lr, le);
    wr(regs + ptr::kXer, s.get_xer(), le);
    wr(regs + ptr::kCcr, s.cr, le);
    wr(regs + ptr::kDar, s.spr[spr::DAR], le);
    wr(regs + ptr::kDsisr, s.spr[spr::DSISR], le);

    // Back to the L1: what the two structures carried is the L1's again; the rest stays as the L2 left it
    // (the L1 saves it itself), the DEC included, in the L1's timebase.
    const uint64_t l2_dec = c.dec_expiry_ - f.tb_offset;
    CpuState l2 = c.st_;
    c.st_ = f.l1;
    c.st_.vsr = l2.vsr;
    c.st_.fpscr = l2.fpscr;
    c.st_.vscr = l2.vscr;
    for (unsigned n : {unsigned(spr::DAR), unsigned(spr::DSISR), unsigned(spr::AMR), unsigned(spr::IAMR),
                       unsigned(spr::UAMOR), unsigned(spr::FSCR), unsigned(spr::DSCR), unsigned(spr::TAR),
                       unsigned(spr::VRSAVE), unsigned(spr::PSPB), unsigned(spr::EBBHR), unsigned(spr::EBBRR),
                       unsigned(spr::BESCR), unsigned(spr::TIDR), unsigned(spr::DEXCR), unsigned(spr::HASHKEYR),
                       unsigned(spr::HASHPKEYR), unsigned(spr::MMCR0), unsigned(spr::MMCR1), unsigned(spr::MMCR2),
                       unsigned(spr::MMCRA), unsigned(spr::SIAR), unsigned(spr::SDAR), unsigned(spr::SIER),
                       unsigned(spr::PMC1), unsigned(spr::PMC2), unsigned(spr::PMC3), unsigned(spr::PMC4),
                       unsigned(spr::PMC5), unsigned(spr::PMC6)})
        c.st_.spr[n] = l2.spr[n];
    c.dec_expiry_ = l2_dec;
    c.tb_offset_ = f.l1_tb_offset;
    c.leave_l2_mmu(f.l1_tlb, f.l1_slots_generation, f.l1_process_table, f.l1_hash);
    c.in_l2_ = false;
    // R3 = the vector that ended the run. An unspecified end (the L1's interrupt line, a kick, a stop for a
    // snapshot or a migration) is reported as the hypervisor decrementer: KVM's L0 answers H_INTERRUPT when a
    // signal cuts the run short, but a Linux L1 (6.12) has no case for that trap and fails its KVM_RUN with
    // KVM_EXIT_UNKNOWN, while an HDEC exit it simply resumes, with the L2's state as it was written back.
    c.st_.gpr[3] = trap ? trap : 0x980;
    ++c.stats().nested_exits;
    if (hvp) {
        std::memcpy(hvp, hv, hv_size);
        if (Memslot *slot = nullptr; c.ram(f.v1_hv, hv_size, true, &slot))
            c.note_store(slot, f.v1_hv, hv_size);
    }
    if (rp) {
        std::memcpy(rp, regs, ptr::kSize);
        if (Memslot *slot = nullptr; c.ram(f.v1_regs, ptr::kSize, true, &slot))
            c.note_store(slot, f.v1_regs, ptr::kSize);
    }
    auto &st = c.stats();
    const uint64_t back_tb = c.read_tb();
    st.nested_l1_to_l2_tb += f.l2_start_tb - f.entry_tb;
    st.nested_l2_runtime_tb += exit_tb - f.l2_start_tb;
    st.nested_l2_to_l1_tb += back_tb - exit_tb;
    c.request_lpcr_update(0, 0);
    std::lock_guard g(lock_);
    // The record may be gone: the L1 set another partition table meanwhile, from another vcpu.
    if (auto git = v1_guests_.find(f.lpid); git != v1_guests_.end())
        if (auto vit = git->second.find(f.v1_token); vit != git->second.end()) {
            vit->second.running -= vit->second.running > 0;
            vit->second.counters.count_exit(trap, f.l2_start_tb - f.entry_tb, exit_tb - f.l2_start_tb,
                                            back_tb - exit_tb);
        }
    return Flow::Jump;
}

void L0::v1_lpid_flushed(Vcpu &l1, uint64_t lpid) {
    std::lock_guard g(lock_);
    auto it = v1_guests_.find(lpid);
    if (it == v1_guests_.end())
        return;
    uint64_t dw0 = 0, dw1 = 0;
    if (!ptcr_ || !read_pate(l1, ptcr_, lpid, dw0, dw1) || !radix_pate(dw0))
        v1_guests_.erase(it);
}

// H_TLB_INVALIDATE(instruction, RS, RB): the L1's tlbie for its L2s. Only the instruction's RIC, PRS and R
// fields count (Linux passes just those, H_TLBIE_P1_ENC, without the opcode), with the forms KVM's L0
// refuses refused: R=0 (an L2 is radix), PRS=1 (process scope is the L2's own), RIC=3, IS=1 (RB bits
// 52:53), and IS=0 with RIC 1 or 2 (no such tlbie in Book III 5.9.3.3). phv's TLBs hold no per-entry record
// of which L2 tree entry they came from, so every valid form drops every L2 translation on every vcpu.
Flow L0::tlb_invalidate(Vcpu &c) {
    const uint64_t insn = c.st_.gpr[4], rb = c.st_.gpr[6];
    const unsigned ric = (insn >> 18) & 3, prs = (insn >> 17) & 1, r = (insn >> 16) & 1, is = (rb >> 10) & 3;
    if (!r || prs || ric == 3 || is == 1 || (is == 0 && (ric == 1 || ric == 2)))
        return done(c, hret::kParameter);
    c.tlb_invalidate(mmu::Invalidation{}, true);
    c.tlbsync();
    if (ric == 2 && is == 2)   // everything of the LPID in RS: the L1 may have retired the L2
        v1_lpid_flushed(c, c.st_.gpr[5]);
    return done(c, hret::kSuccess);
}

// H_COPY_TOFROM_GUEST(lpid, pid, eaddr, to, from, n): copies n bytes between L1 memory (`to` or `from`,
// exactly one non-zero) and the L2's effective address eaddr under PID `pid`, walking both trees.
Flow L0::copy_tofrom_guest(Vcpu &c) {
    auto &r = c.st_.gpr;
    const uint64_t lpid = r[4], pid = r[5], ea = r[6], to = r[7], from = r[8], n = r[9];
    uint64_t ptcr;
    {
        std::lock_guard g(lock_);
        ptcr = ptcr_;
    }
    if ((to && from) || (!to && !from) || (ea & (0xfffull << 52)))
        return done(c, hret::kParameter);
    uint64_t dw0, dw1;
    if (!ptcr || !read_pate(c, ptcr, lpid, dw0, dw1) || !radix_pate(dw0))
        return done(c, hret::kParameter);
    if (n > (1ull << 24))
        return done(c, hret::kNoMem);
    const uint64_t root = dw0 & 0x0fffffffffffff00ull;
    struct Reader {
        Vcpu *c;
        uint64_t root;
        static bool l1(void *o, uint64_t gpa, uint64_t &v) {
            const uint8_t *p = static_cast<Reader *>(o)->c->ram(gpa, 8, false);
            if (!p)
                return false;
            v = be_load(p, 8);
            return true;
        }
        static bool l2(void *o, uint64_t ra, uint64_t &v) {
            auto *self = static_cast<Reader *>(o);
            const mmu::Result p = mmu::radix_partition_translate(self->root, ra, mmu::Access::Load, l1, o);
            return !p.cause && l1(o, p.gpa, v);
        }
    } rdr{&c, root};
    const mmu::Context ctx{mmu::pate1::GR | (dw1 & (mmu::pate1::PRTB | mmu::pate1::PRTS)), pid, 0, 0, false};
    const mmu::Access a = to ? mmu::Access::Load : mmu::Access::Store;   // `to`: from the L2 into the L1
    for (uint64_t done_bytes = 0; done_bytes < n;) {
        const uint64_t e = ea + done_bytes;
        const uint64_t chunk = std::min<uint64_t>(n - done_bytes, 0x1000 - (e & 0xfff));
        const mmu::Result pr = mmu::radix_translate(ctx, e, a, Reader::l2, &rdr);
        if (pr.cause || pr.segment_fault)
            return done(c, kH_NOT_FOUND);
        const mmu::Result part = mmu::radix_partition_translate(root, pr.gpa, a, Reader::l1, &rdr);
        if (part.cause)
            return done(c, kH_NOT_FOUND);
        Memslot *s2 = nullptr, *s1 = nullptr;
        uint8_t *l2p = c.ram(part.gpa, chunk, a == mmu::Access::Store, &s2);
        uint8_t *l1p = c.ram((to ? to : from) + done_bytes, chunk, bool(to), &s1);
        if (!l2p || !l1p)
            return done(c, kH_NOT_FOUND);
        // The L1's buffer may be the L2's own memory, overlapping the bytes copied: a move, not a copy.
        if (to) {
            std::memmove(l1p, l2p, chunk);
            c.note_store(s1, to + done_bytes, chunk);
        } else {
            std::memmove(l2p, l1p, chunk);
            c.note_store(s2, part.gpa, chunk);
        }
        done_bytes += chunk;
    }
    return done(c, hret::kSuccess);
}

} // namespace phv::nested
