// Direct block links: the end of a compiled block goes straight on into the next block's code.
//
// What the run loop does between two blocks, the block's code does inline when it is only the lookup. Of the
// loop's own work that is two tests: the attention flag, and the countdown to the loop's timer and interrupt
// check, taken for the next block. The rest comes to one of those two where it changes: the attention flag
// carries a kick, an interrupt line, a code invalidation, an LPCR update, an HPT hold, a PIDR write, and
// what mmu_sync() would pick up (another vcpu's tlbie, a partition or memslot change: their writers raise
// it, Vm::mmu_changed); a performance monitor that counts zeroes the countdown (the loop before every
// block, an mtspr that starts it), so that the loop's per-block bookkeeping runs. Then the link slots: each
// names one NIP and jumps into the block the fetch there used when the slot was patched, past its prologue,
// while the vcpu's link stamp (mmu::VcpuMmu::link_stamp) is the one the slot was last checked under (kept
// in the slot's Block::JitLink, as data). The stamp moves whenever anything fetch_matches() looks at
// could have changed (a fetch TLB entry a link depends on, the key context, the real-mode regime, the TLB
// itself) or a block could have died (the block cache's epoch), so while it holds, every slot's fetch would
// still come to its block.
//
// Once the stamp has moved, a slot is checked again, as fetch_matches() checks a link, by one routine all
// slots share (link_check), from what the slot's JitLink says its link was made under: the block cache's
// epoch, then in real mode the regime, and (under MSR[IR], through the VRMA or an L2's tree) that the fetch
// TLB entry for the NIP still has the tag of the current context and maps the successor's page. If so, the
// entry is marked as one a link depends on, the slot takes the current stamp, and the link is taken, with
// no call into C++ and no code written: Linux flushes its kernel PID's translations on
// every text patch and vunmap, which moves the stamp, and the entries come back the same. A slot that fails
// calls Vcpu::jit_link, which does the loop's lookup (mmu_sync() included) and, when it finds a compiled
// block, patches a slot (patch_link) for the next time.
//
// A slot is never unpatched in place: dropping any block (icbi, a store to a code page, phv_invalidate_code)
// or flushing the code buffer starts a new epoch, which moves the stamp, and a slot made in an older epoch
// fails its check. So a link never leads into dropped code or to a block that died.
#include <cstring>
#include <string_view>

#include "jit/compiler.h"
#include "jit/emitter.h"
#include "vcpu/vcpu.h"

namespace phv::jit {

using namespace Xbyak::util;

namespace {
// The placeholder NIP that forces the long encoding a patch overwrites: no NIP (a NIP is word-aligned), so
// an unpatched slot is never taken.
constexpr uint64_t kImm64 = 0x8000000000000001ull;
constexpr uint8_t kRegimeNone = 0xff;   // matches neither real-mode regime (0 untranslated, 1 translated)

// Offset of the fetch TLB entry field for ea from a Tlb's start.
int32_t tlb_field(const mmu::Tlb &t, uint64_t ea, size_t field) {
    const auto *set = reinterpret_cast<const char *>(t.entries(mmu::Access::Fetch));
    return int32_t(set - reinterpret_cast<const char *>(&t) + mmu::Tlb::index(ea) * sizeof(mmu::TlbEntry) + field);
}
} // namespace

void BlockEmitter::emit_block_end(bool nip_in_rax) {
    const isa::Decoded *last = block_.insns.empty() ? nullptr : &block_.insns.back();
    const auto table = isa::insn_table();
    const std::string_view end = last && last->def < table.size() ? table[last->def].mnemonic : std::string_view{};
    const unsigned count = end_slots_ ? end_slots_ : end == "bclr" || end == "bcctr" ? Block::kEndSlots : 2;
    const unsigned first = slot_count_;
    slot_count_ += count;
    emit_exit(first, count, nip_in_rax);
}

// An exit with NIP, CpuState's GPRs and CR and the count of instructions up to date, whose successors get
// the `count` link slots from `first`.
void BlockEmitter::emit_exit(unsigned first, unsigned count, bool nip_in_rax) {
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v_));
    };
    const Block &b = block_;
    Label &to_loop = to_loop_;
    const unsigned end = first + count;
    Label slow, expired, declined;
    // A linked successor trusts the page cells (Vcpu::JitPage): the kinds a called row may have made stale
    // since they were last filled are emptied.
    empty_page_cells(!page_known_[0], !page_known_[1]);
    // The run loop's own work, in two tests. Everything else the loop would look at between blocks raises
    // the attention flag or zeroes the countdown where it changes: a kick, an interrupt line, a code
    // invalidation, an LPCR update, an HPT hold, a PIDR write, another vcpu's tlbie (mmu_.pending), a
    // partition or memslot change (Vm::mmu_changed), and the performance monitor starting to count (mtspr;
    // the loop zeroes the countdown before every block while it counts).
    cmp(byte[rbx + offset(&v_.attention_)], 0);
    jne(to_loop, T_NEAR);
    // The countdown is taken for the next block here, as the loop takes it (`timer_countdown_-- == 0`);
    // at 0 it is left at 0 for the loop's timer and interrupt check.
    sub(dword[rbx + offset(&v_.timer_countdown_)], 1);
    jb(expired, T_NEAR);
    if (!nip_in_rax)
        mov(rax, qword[rbx + nip_]);
    Label recheck;
    for (unsigned k = first; k < end; ++k)
        emit_link_slot(b, k, slow, recheck);
    L(slow);
    mov(rdi, rbx);
    mov(rsi, reinterpret_cast<uint64_t>(&b));
    mov(edx, first | count << 8);
    mov(rax, reinterpret_cast<uint64_t>(&Vcpu::jit_link));
    call(rax);
    test(rax, rax);
    jz(declined, T_NEAR);
    // jit_link's mmu_sync() may have applied another vcpu's tlbie, whose tlbsync then counts on no access
    // using the old translation.
    empty_page_cells(true, true);
    mov(r12, qword[rbx + nip_]);   // what a linked entry expects
    jmp(rax);
    L(declined);   // the loop takes the countdown for the next block itself
    add(dword[rbx + offset(&v_.timer_countdown_)], 1);
    jmp(to_loop, T_NEAR);
    L(expired);
    mov(dword[rbx + offset(&v_.timer_countdown_)], 0);
    jmp(to_loop, T_NEAR);
    // A slot whose stamp moved (rdx = its JitLink): the shared check, which goes on into the successor
    // when the link still holds and else returns here.
    L(recheck);
    mov(rax, reinterpret_cast<uint64_t>(link_check(v_)));
    call(rax);
    jmp(slow, T_NEAR);
}

// The loop's per-block bookkeeping for the performance monitor (pmu_insn_address() and pmu_block_end()
// need the running block, its NIP and counts at its start once counting begins). Counting can only begin
// inside a block at a called mtspr of the monitor's SPRs (which then zeroes the countdown so that the
// block's end goes back to the loop) or an in-core hcall that loads a nested guest's MMCR0, so a block
// entered by a link does it only when it has a called mtspr or sc (compiler.cpp); the loop itself does it
// for the block it enters.
void BlockEmitter::emit_pmu_entry(const Block &b) {
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v_));
    };
    mov(qword[rbx + offset(&v_.pmu_.nip)], r12);
    mov(rax, qword[rbx + insns_]);
    mov(qword[rbx + offset(&v_.pmu_.first)], rax);
    mov(rax, qword[rbx + offset(&v_.stats_.interrupts_delivered)]);
    mov(qword[rbx + offset(&v_.pmu_.irqs)], rax);
    mov(rax, reinterpret_cast<uint64_t>(&b));
    mov(qword[rbx + offset(&v_.pmu_.block)], rax);
}

// Slot k: its NIP (rax holds NIP; on a match r12 takes it, as a linked entry expects), the stamp it was last
// checked under (else `recheck`, with rdx = its JitLink), then a jump to the successor's linked entry (until
// patched, the slow path).
void BlockEmitter::emit_link_slot(const Block &b, unsigned k, Label &slow, Label &recheck) {
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v_));
    };
    Block::JitSlot &s = slots_[k];
    Label next;
    mov(rcx, kImm64);
    s.nip = here() - 8;
    cmp(rax, rcx);
    jne(next, T_NEAR);
    mov(r12, rax);   // the successor's linked entry expects NIP in r12
    mov(rdx, reinterpret_cast<uint64_t>(&b.jit_slots->link[k]));
    mov(rcx, qword[rbx + offset(&v_.mmu_.link_stamp)]);
    cmp(rcx, qword[rdx + int32_t(offsetof(Block::JitLink, stamp))]);
    jne(recheck, T_NEAR);
    jmp(slow, T_NEAR);
    s.jmp = here() - 4;
    L(next);
}

namespace {
// The shared link check (BlockEmitter::link_check), one routine per process: the Vcpu's layout is the
// class's, and everything else it reads comes from the slot's JitLink (rdx) and the Vcpu (rbx).
class LinkCheck : public Xbyak::CodeGenerator {
public:
    struct Layout {
        int32_t epoch, vrma, l2_active, tlb, key_context, link_stamp;
    };
    explicit LinkCheck(const Layout &o) : Xbyak::CodeGenerator(4096) {
        using Link = Block::JitLink;
        Xbyak::Label fail, checked, ir, compare;
        mov(rax, qword[rdx + int32_t(offsetof(Link, epoch))]);
        cmp(rax, qword[rbx + o.epoch]);
        jne(fail, T_NEAR);
        cmp(byte[rdx + int32_t(offsetof(Link, ir))], 0);
        jne(ir, T_NEAR);
        // Real mode: untranslated (regime 0) the NIP alone names the real address; translated (1: the VRMA,
        // an L2's tree) the fetch TLB's real-mode context says.
        movzx(eax, byte[rbx + o.vrma]);
        or_(al, byte[rbx + o.l2_active]);
        cmp(al, byte[rdx + int32_t(offsetof(Link, regime))]);
        jne(fail, T_NEAR);
        test(al, al);
        jz(checked, T_NEAR);
        mov(rax, qword[rbx + o.tlb]);
        mov(rsi, qword[rdx + int32_t(offsetof(Link, tag))]);
        jmp(compare, T_NEAR);
        L(ir);
        mov(rax, qword[rbx + o.tlb]);
        mov(rsi, qword[rdx + int32_t(offsetof(Link, tag))]);
        or_(rsi, qword[rbx + o.key_context]);
        L(compare);
        movsxd(rcx, dword[rdx + int32_t(offsetof(Link, tag_disp))]);
        cmp(rsi, qword[rax + rcx]);
        jne(fail, T_NEAR);
        mov(rsi, qword[rdx + int32_t(offsetof(Link, gpa))]);
        movsxd(rcx, dword[rdx + int32_t(offsetof(Link, gpa_disp))]);
        cmp(rsi, qword[rax + rcx]);
        jne(fail, T_NEAR);
        movsxd(rcx, dword[rdx + int32_t(offsetof(Link, linked_disp))]);
        mov(byte[rax + rcx], 1);   // TlbEntry::linked
        L(checked);
        mov(rcx, qword[rbx + o.link_stamp]);
        mov(qword[rdx + int32_t(offsetof(Link, stamp))], rcx);
        add(rsp, 8);   // not back to the slot: on into the successor, the block's frame as the slot left it
        jmp(qword[rdx + int32_t(offsetof(Link, target))]);
        L(fail);
        ret();
        ready();
    }
};
} // namespace

// A slot's check once the stamp has moved, as fetch_matches() checks a link (called, with rdx = the slot's
// JitLink and r12 = NIP): the block cache's epoch the link was made in, then in real mode the regime, and
// under MSR[IR], through the VRMA or an L2's tree, that the fetch TLB entry for the NIP still has the tag
// of the current context and maps the successor's page. If so, the entry is marked (the TLB moves the stamp
// when it goes), the slot takes the stamp now and the routine jumps into the successor; else it returns.
// Shared rather than emitted per slot: it was ~100 bytes of every slot, and a bclr's eight slots made up
// a third of a small block's code.
const void *BlockEmitter::link_check(const Vcpu &v) {
    static const LinkCheck routine([&] {
        const auto offset = [&](const void *field) {
            return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v));
        };
        return LinkCheck::Layout{offset(v.blocks_.epoch_address()), offset(&v.mmu_.vrma), offset(&v.mmu_.l2.active),
                                 offset(&v.mmu_.tlb), offset(&v.mmu_.key_context), offset(&v.mmu_.link_stamp)};
    }());
    return routine.getCode();
}

// Loop mode's entry, run each time the block is entered (from the loop or a link): the loop cells of its
// memory rows emptied (a cell holds a page only once a row of this run of the block put it there), and
// every GPR the block names loaded into a register of its own; those the block may write are dirty from
// the start, since at the loop's head they may have been written on the turn before.
void BlockEmitter::emit_loop_entry(uint64_t regs, uint64_t written) {
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v_));
    };
    for (const int8_t c : loop_cell_)
        if (c >= 0)
            mov(qword[rbx + offset(&v_.jit_loop_page_[c].page)], int32_t(Vcpu::JitPage::kEmpty));
    unsigned slot = 0;
    for (unsigned n = 0; n <= kCtr; ++n) {
        if (!(regs >> n & 1))
            continue;
        cache_[slot] = CachedGpr{int(n), bool(written >> n & 1), 0};
        load_home(slot++);
    }
    nip_stored_ = false;   // the jump back moves r12 only
    L(loop_head_);
}

// The taken branch back of a block in loop mode (r12 is the branch's address): the count of the turn, the
// run loop's two tests as a link's block end makes them, and back to the head with every register as it
// is. No link check: the fetch at the block's start still comes to this block, since what could change
// that (the translation, the key context, the regime, a block dropped) changes only in a called row, which
// a loop-mode block has none of, or raises the attention flag (another vcpu's tlbie, a store to a code
// page: the block cache drops blocks in the run loop). A memory row's slow path fills only the data TLB.
// Otherwise NIP = the block's start, the GPRs written back, and back to the run loop.
void BlockEmitter::emit_loop_back(const isa::Decoded &d) {
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v_));
    };
    Label expired, leave;
    materialize_fields();   // the head has nothing pending; CR's register is dirty there (emit_loop_entry)
    add(qword[rbx + insns_], pending_insns_ + 1);
    cmp(byte[rbx + offset(&v_.attention_)], 0);
    jne(leave, T_NEAR);
    sub(dword[rbx + offset(&v_.timer_countdown_)], 1);
    jb(expired, T_NEAR);
    lea(r12, ptr[r12 + int32_t(d.imm)]);
    mask_ea(r12);
    jmp(loop_head_, T_NEAR);
    L(expired);
    mov(dword[rbx + offset(&v_.timer_countdown_)], 0);
    L(leave);
    lea(rax, ptr[r12 + int32_t(d.imm)]);
    mask_ea(rax);
    mov(qword[rbx + nip_], rax);
    write_back();
    jmp(loop_exit_, T_NEAR);
}

bool patch_link(Vcpu &v, Block &from, uint64_t nip, const Block &to, uint64_t epoch, unsigned first, unsigned count) {
    auto *code = reinterpret_cast<uint8_t *>(from.jit);
    // Code is written only where it changes: a write to code the host may be running costs a pipeline flush.
    const auto put = [&](uint32_t at, const auto &value) {
        if (std::memcmp(code + at, &value, sizeof value))
            std::memcpy(code + at, &value, sizeof value);
    };
    const auto get = [&](uint32_t at) {
        uint64_t x;
        std::memcpy(&x, code + at, sizeof x);
        return x;
    };
    // The slot that names this NIP already (its check failed: the translation or the block changed), else
    // one that is free: never patched, or not checked under the current stamp. A live link to another NIP
    // is kept: an exit with more successors than slots (a return) would otherwise rewrite its code at every
    // turn, and each rewrite costs the host a pipeline flush; the others go through jit_link's lookup.
    const uint64_t stamp = v.mmu_.link_stamp;
    const unsigned n = first + count;
    if (!from.jit_slots || !count || n > from.jit_slots->count)
        return false;
    Block::JitSlots &slots = *from.jit_slots;
    unsigned i = n;
    for (unsigned k = first; k < n && i == n; ++k)
        if (get(slots.slot[k].nip) == nip)
            i = k;
    for (unsigned k = first; k < n && i == n; ++k)
        if (slots.link[k].stamp != stamp)
            i = k;
    if (i == n)
        return false;
    const Block::JitSlot &s = slots.slot[i];

    const bool ir = BlockCache::key_mode(from.key) & 8;
    const bool translated = ir || v.mmu_.vrma || v.mmu_.l2.active;
    const uint64_t ea = ir ? nip : nip & Vcpu::kRealModeMask;
    const uint64_t context = ir ? (1 | (BlockCache::key_mode(from.key) & 2)) : mmu::Tlb::kRealContext;   // key context at run time
    Block::JitLink &l = slots.link[i];
    put(s.nip, nip);
    l.epoch = epoch;
    l.ir = ir;
    l.regime = ir ? kRegimeNone : uint8_t(translated);
    if (translated) {
        const mmu::Tlb &t = *v.mmu_.tlb;
        l.tag = (ea & mmu::Tlb::kPageMask) | context;
        l.tag_disp = tlb_field(t, ea, offsetof(mmu::TlbEntry, tag));
        l.gpa = to.real_start - (ea & 0xfff);
        l.gpa_disp = tlb_field(t, ea, offsetof(mmu::TlbEntry, gpa));
        l.linked_disp = tlb_field(t, ea, offsetof(mmu::TlbEntry, linked));
    }
    l.target = to.jit_linked_entry;
    put(s.jmp, int32_t(to.jit_linked_entry - (code + s.jmp + 4)));
    l.stamp = stamp;
    return true;
}

} // namespace phv::jit
