// tlbie/tlbiel decoding, the TLB side of a vcpu's invalidations (local, broadcast, tlbsync) and the
// block-boundary synchronisation that picks up what others changed.
#include "mmu/invalidate.h"

#include <thread>

#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv::mmu {

unsigned ap_shift(unsigned ap) {
    switch (ap) {
    case 0: return 12;
    case 5: return 16;
    case 1: return 21;
    case 2: return 30;
    default: return 0;
    }
}

unsigned hash_rb_shift(uint64_t rb) {
    if (!(rb & 1))
        return 12;
    // A large page's LP sits above bit 12 of RB as in the PTE (the tlbie description, Book III 6.9.3, for
    // L=1): 64K pages have a 4-bit LP (1 in a 64K segment; 7 in a 4K one, which phv does not offer but a
    // tlbie may still name), 16M pages an 8-bit one (0, 8 or 0x38); the two sets differ in their low 4 bits.
    const unsigned lp4 = unsigned(rb >> 12) & 0xf, lp8 = unsigned(rb >> 12) & 0xff;
    if (lp4 == 1 || lp4 == 7)
        return 16;
    if (lp8 == 0 || lp8 == 8 || lp8 == 0x38)
        return 24;
    return 0;
}

bool decode_tlbie(const TlbieOperands &op, Invalidation &out) {
    out = {};
    if (op.ric == 1)
        return false;
    // Hash (R=0), IS=0: one page named by its virtual address (RB holds VA bits 14:65, the low 64 bits of
    // the 78-bit VA, and the page size), which indexes the TLB like an EA since the two share their low 28
    // bits. Other hash forms invalidate the whole TLB (IS=2/3: the LPID or everything).
    if (!op.r) {
        const unsigned is = unsigned(op.rb >> 10) & 3;
        if (is == 0 && op.ric == 0) {
            if (const unsigned shift = hash_rb_shift(op.rb)) {
                out.scope = Invalidation::Scope::Va;
                out.shift = shift;
                out.ea = op.rb & ~((1ull << shift) - 1);
            }
        }
        return true;
    }
    // Forms phv's TLB cannot tell apart get the widest reading: partition-scoped (PRS=0) ones (every entry of
    // phv's TLB depends on the partition-scoped "table", the memslots), and the reserved RIC=3.
    if (!op.prs || op.ric == 3)
        return true;
    const unsigned is = unsigned(op.rb >> 10) & 3;
    out.pid = op.rs >> 32;
    switch (is) {
    case 0:
        if (const unsigned shift = ap_shift(unsigned(op.rb >> 5) & 7)) {
            out.scope = Invalidation::Scope::Page;
            out.ea = op.rb & ~0xfffull;
            out.shift = shift;
        } else {
            out.scope = Invalidation::Scope::Pid;   // an AP with no page size: the whole PID
        }
        return true;
    case 1: out.scope = Invalidation::Scope::Pid; return true;
    // IS=2: the whole LPID, process-scoped; IS=3: everything (tlbie) or one TLB congruence class (tlbiel,
    // whose set number has no meaning for phv's TLB, so every entry is the class).
    default: out.scope = Invalidation::Scope::All; return true;
    }
}

} // namespace phv::mmu

namespace phv {

namespace {
void apply_remote(mmu::VcpuMmu &m) {
    std::vector<mmu::Invalidation> q;
    uint64_t upto;
    {
        std::lock_guard g(m.lock);
        q.swap(m.queue);
        upto = m.pushed;
        m.pending.store(false, std::memory_order_relaxed);
    }
    for (const auto &inv : q)
        m.for_each_tlb([&](mmu::Tlb &t) { t.invalidate(inv); });
    m.applied.store(upto, std::memory_order_release);
}
} // namespace

void Vcpu::park_while_held() {
    auto &pm = vm_.mmu();
    // An HPT resize commit swaps the tables under everyone's feet: wait at this boundary until it is done
    // (it then bumps the generation, so the next mmu_sync flushes the TLB). seq_cst pairs with the commit's
    // store of `hold` and load of `running`: a vcpu entering the run loop during a commit is seen, or sees
    // the hold here (run() calls this on entry; later boundaries learn of a hold through the attention flag).
    if (pm.hold.load(std::memory_order_seq_cst)) [[unlikely]] {
        mmu_.parked.store(true, std::memory_order_seq_cst);
        while (pm.hold.load(std::memory_order_seq_cst))
            std::this_thread::yield();
        mmu_.parked.store(false, std::memory_order_release);
    }
}

void Vcpu::mmu_sync_slow() {
    auto &pm = vm_.mmu();
    park_while_held();
    // The partition's own registration is the L1's: an L2 has its tables from the nested L0 (the change is
    // picked up at the first block boundary back in the L1).
    if (const uint64_t gen = pm.generation.load(std::memory_order_acquire); gen != mmu_.generation && !mmu_.l2.active) {
        mmu_.generation = gen;
        mmu_.process_table = pm.process_table.load(std::memory_order_relaxed);
        mmu_.hash = !(mmu_.process_table & mmu::pate1::GR);
        st_.spr[spr::LPCR] = (st_.spr[spr::LPCR] & ~(mmu::lpcr::kOwned | mmu::lpcr::VRMASD)) |
                             pm.lpcr_bits.load(std::memory_order_relaxed) | pm.vrmasd.load(std::memory_order_relaxed);
        mmu_.tlb->flush();
        for (auto &k : mmu_.key_pairs)
            k.used = false;
        keys_changed();
    }
    // Host pointers in the TLB belong to one memslot layout.
    if (const uint64_t sg = vm_.memslots().generation(); sg != mmu_.slots_generation) {
        mmu_.slots_generation = sg;
        mmu_.tlb->flush();
    }
    // A new PIDR takes effect at a context-synchronising point (Book III 6.7.10.1 and the synchronisation
    // table: mtspr PIDR needs a CSI before the accesses that use it), which a block boundary always is.
    // (The hash MMU has no PID: its entries belong to the SLB's segments instead.)
    if (!mmu_.hash)
        mmu_.tlb->set_pid(st_.spr[spr::PIDR] & 0xffffffffull);
    if (mmu_.pending.load(std::memory_order_acquire))
        apply_remote(mmu_);
    decide_vrma();
}

// Real mode through the VRMA (mmu/vrma.cpp), decided when the partition's MMU set-up or VRMASD changed and
// when the VMM sets LPCR. A VRMASD that names no page size phv offers leaves real-mode accesses without a
// translation.
void Vcpu::decide_vrma() {
    const uint64_t lpcr = st_.spr[spr::LPCR];
    const bool vrma = mmu_.hash && !mmu_.l2.active && (lpcr & mmu::lpcr::VPM0) && (lpcr & mmu::lpcr::VRMASD);
    if (vrma != mmu_.vrma)
        mmu_.move_link_stamp();   // real-mode links were made under the other regime
    mmu_.vrma = vrma;
    if (mmu_.vrma) {
        const uint64_t llp = ((lpcr & mmu::lpcr::VRMASD) >> mmu::lpcr::kVrmasdShift) << 4;
        mmu_.vrma_slb = {mmu::slb::V, mmu::slb::B_1T | mmu::kVrmaVsid << 24 | (llp & mmu::slb::LLP)};
    }
}

void Vcpu::keys_changed() {
    const uint64_t amr = st_.spr[spr::AMR], iamr = st_.spr[spr::IAMR];
    if (!mmu_.hash) {
        mmu_.set_key_context(mmu::Tlb::radix_key_context(amr, iamr));
        return;
    }
    constexpr unsigned n = sizeof mmu_.key_pairs / sizeof mmu_.key_pairs[0];
    for (unsigned i = 0; i < n; ++i) {
        const auto &k = mmu_.key_pairs[i];
        if (k.used && k.amr == amr && k.iamr == iamr) {
            mmu_.set_key_context(uint64_t(i) << 2);
            return;
        }
    }
    const unsigned i = mmu_.key_next++ % n;
    auto &k = mmu_.key_pairs[i];
    if (k.used)
        mmu_.tlb->invalidate({mmu::Invalidation::Scope::Context, 0, 12, uint64_t(i) << 2});
    k = {amr, iamr, true};
    mmu_.set_key_context(uint64_t(i) << 2);
}

void Vcpu::ensure_hpt() {
    auto &pm = vm_.mmu();
    if (!mmu_.hash)
        return;
    if (!pm.hpt.present()) {
        std::lock_guard g(pm.hpt_setup);
        if (!pm.hpt.present())
            pm.hpt.allocate(mmu::Hpt::kDefaultOrder);   // on failure the guest finds no PTEs
    }
    if ((st_.spr[spr::LPCR] & mmu::lpcr::VPM0) && !pm.vrmasd.load(std::memory_order_acquire))
        setup_vrma();
}

void Vcpu::tlb_invalidate(const mmu::Invalidation &inv, bool broadcast) {
    mmu_.for_each_tlb([&](mmu::Tlb &t) { t.invalidate(inv); });
    if (!broadcast)
        return;
    vm_.for_each_vcpu([&](Vcpu &v) {
        if (&v == this)
            return;
        uint64_t pos;
        {
            std::lock_guard g(v.mmu_.lock);
            v.mmu_.queue.push_back(inv);
            pos = ++v.mmu_.pushed;
            v.mmu_.pending.store(true, std::memory_order_release);
        }
        v.request_mmu_sync();   // linked compiled code does not read `pending`
        // One wait per target is enough: positions only grow.
        for (auto &u : mmu_.unsynced)
            if (u.first == &v.mmu_) {
                u.second = pos;
                return;
            }
        mmu_.unsynced.emplace_back(&v.mmu_, pos);
    });
}

// tlbsync (Book III 6.9.3): every tlbie this vcpu issued is done on all processors. A target that is not
// running synchronises on its next entry, so it need not be waited for; while waiting, this vcpu keeps
// applying what others send it, so two vcpus in tlbsync cannot wait for each other.
void Vcpu::tlbsync() {
    for (auto [target, pos] : mmu_.unsynced) {
        while (target->running.load(std::memory_order_seq_cst) &&
               target->applied.load(std::memory_order_acquire) < pos) {
            if (mmu_.pending.load(std::memory_order_acquire))
                apply_remote(mmu_);
            std::this_thread::yield();
        }
    }
    mmu_.unsynced.clear();
}

} // namespace phv
