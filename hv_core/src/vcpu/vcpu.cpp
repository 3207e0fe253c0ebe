#include "vcpu/vcpu.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <system_error>

#include "fp/format.h"
#include "isa/decoder.h"
#include "isa/fields.h"
#include "jit/code_buffer.h"
#include "jit/compile_worker.h"
#include "jit/compiler.h"
#include "nested/l0.h"
#include "nested/run.h"
#include "vcpu/pmu.h"
#include "vcpu/spr_table.h"
#include "vm/vm.h"

namespace phv {

using isa::Flow;

namespace {
// How many blocks run between looks at the clock for the decrementer (and at pending interrupts, the L2's
// HDEC, a counting PMU's cycles): every such look goes back to the run loop from linked code. At 256 a
// look comes every ~1,000-5,000 guest instructions, a few microseconds; from 64 that cut callgrind's count
// of host instructions by 2.4% (fib), 2.6% (sort) and 5.7% (crc) on the bench payload.
constexpr unsigned kTimerCheckInterval = 256;
} // namespace

Vcpu::Vcpu(Vm &vm, uint32_t id)
    : vm_(vm), id_(id), slots_(&vm.memslots()), partition_mmu_generation_(&vm.mmu().generation), reservations_(&vm.reservations()) {
    // A pSeries thread as firmware leaves it for the OS: 64-bit, machine checks enabled, translation off.
    st_.msr = msr::SF | msr::ME;
    st_.spr[spr::PVR] = vm.model().pvr;
    st_.spr[spr::PIR] = id;
    // KVM gives a guest every bit of AMOR (it may use all of AMR) and the facilities it implements in HFSCR.
    st_.spr[spr::AMOR] = ~0ull;
    st_.spr[spr::HFSCR] = ~(0xffull << fscr::kIcShift);
    // The counters start frozen, as KVM creates a vcpu (and QEMU resets MMCR0): nothing counts until the
    // guest clears MMCR0[FC].
    st_.spr[spr::MMCR0] = pmu::FC;
    write_dec(0x7fffffff);
}

// The VM destroys its vcpus before its reservation table (vm.h member order).
Vcpu::~Vcpu() {
    jit_worker_.reset();   // it reads blocks and writes the code buffer
    reservations_->release(reservation_hold_);
}

// ---- exits ----------------------------------------------------------------------------------------------

Flow Vcpu::hcall_exit() {
    run_.exit_reason = PHV_EXIT_PAPR_HCALL;
    run_.nip = st_.nip;
    run_.papr_hcall.nr = st_.gpr[3];
    run_.papr_hcall.ret = 0;
    for (int i = 0; i < 9; ++i)
        run_.papr_hcall.args[i] = st_.gpr[4 + i];
    pending_hcall_ = true;
    ++stats_.hcall_exits;
    st_.nip = mask_ea(st_.nip + 4);   // resume after the sc
    return Flow::Exit;
}

// In-core hypercalls: those KVM handles in the kernel. Everything else goes to the VMM. An L2's hcall
// belongs to its L1: the run ends with vector 0xC00 and the L2 resumes after the sc when it runs again.
Flow Vcpu::hcall() {
    if (in_l2_) [[unlikely]] {
        st_.nip = mask_ea(st_.nip + 4);
        return leave_l2(0xc00);
    }
    switch (st_.gpr[3]) {
    case kH_CEDE:
        st_.gpr[3] = kH_SUCCESS;
        st_.msr |= msr::EE;   // PAPR H_CEDE: the caller is enabled for interrupts on return
        return wait();
    case kH_SET_MODE:
        return h_set_mode();
    case kH_REGISTER_PROC_TBL:
        return h_register_proc_tbl();
    case kH_RPT_INVALIDATE:
        return h_rpt_invalidate();
    case kH_REMOVE:
    case kH_ENTER:
    case kH_READ:
    case kH_CLEAR_MOD:
    case kH_CLEAR_REF:
    case kH_PROTECT:
    case kH_BULK_REMOVE:
        return hpt_hcall(st_.gpr[3]);
    default:
        if (nested::hcall::is_nested(st_.gpr[3]))
            return vm_.nested().hcall(*this);
        return hcall_exit();
    }
}

// H_CEDE and `wait`: resume at the next instruction once an interrupt is pending; if none is, let the
// caller sleep (PHV_EXIT_HLT) until the decrementer's deadline or an interrupt it raises.
Flow Vcpu::wait() {
    st_.nip = mask_ea(st_.nip + 4);
    if (deliver_pending_interrupt())
        return Flow::Jump;
    // An idle L2 gives the processor back to its L1 (an unspecified exit; the L2 resumes after its wait,
    // as after any wake-up).
    if (in_l2_)
        return leave_l2(0);
    run_.exit_reason = PHV_EXIT_HLT;
    run_.nip = st_.nip;
    const int64_t ticks = int64_t(read_dec());
    const uint64_t wait_ns = ticks <= 0 ? 0 : uint64_t((unsigned __int128)ticks * 1000000000u / vm_.tb_freq());
    // While the debugger holds interrupts (BLOCKIRQ) one may be pending already: sleeping would wait for a
    // wake-up that has come and gone, so the VMM is told not to.
    run_.hlt.deadline_ns = debug_.block_irq ? host_ns() : host_ns() + wait_ns;
    ++stats_.halt_exits;
    return Flow::Exit;
}

// KVM-HV answers an instruction that reaches emulated MMIO but that it cannot emulate (kvmppc_emulate_mmio,
// EMULATE_FAIL) with a Data Storage interrupt: DSISR[49] "bad access" (Linux's DSISR_BADACCESS), [38] for a
// store, DAR = the EA. The guest sees an architected fault it can report; the VMM is not involved. An L2
// that gets here leaves as for any MMIO access (mmio_exit).
Flow Vcpu::unemulatable_mmio(uint64_t ea, uint64_t gpa, bool store, const char *what) {
    if (in_l2_) [[unlikely]]
        return internal_error(PHV_INTERNAL_ERROR_EMULATION, "nested guest %s at L1 address 0x%llx, which is not RAM",
                              what, (unsigned long long)gpa);
    constexpr uint64_t kBadAccess = 0x00004000;   // DSISR bit 49
    st_.spr[spr::DAR] = ea;
    st_.spr[spr::DSISR] = kBadAccess | (store ? mmu::cause::kStore : 0);
    return interrupt(vec::kDSI, st_.nip, 0);
}

Flow Vcpu::mmio_exit(uint64_t gpa, unsigned len, bool write, const uint8_t *data) {
    if (in_l2_) [[unlikely]] {
        // An L2 reaching an L1 address that is not RAM: its L1 mapped a device page into it, which phv
        // does not pass through (the VMM serves MMIO for the L1 only). The L1 gets its processor back
        // and the VMM a clear error.
        pending_load_.active = false;
        leave_l2(0);
        return internal_error(PHV_INTERNAL_ERROR_EMULATION,
                              "nested guest access of %u bytes to L1 address 0x%llx, which is not RAM", len,
                              (unsigned long long)gpa);
    }
    auto &m = mmu_.mixed;
    if (m.insn == stats_.insns_executed && m.gpa == gpa && m.len == len) [[unlikely]] {
        // Part of the access is RAM (mmu/translate.cpp cross_page): those bytes here, the rest exits.
        m.insn = ~0ull;
        if (write) {
            std::memcpy(m.ram_host, data + m.ram_off, m.ram_len);
            note_store(m.ram_slot, m.ram_gpa, m.ram_len);
        } else if (pending_load_.active && pending_load_.size == len) {
            pending_load_.partial = true;
            pending_load_.mmio_off = uint8_t(m.mmio_off);
            pending_load_.mmio_len = uint8_t(m.mmio_len);
            std::memcpy(pending_load_.bytes + m.ram_off, m.ram_host, m.ram_len);
        }
        gpa = m.mmio_gpa;
        data = write ? data + m.mmio_off : data;
        len = m.mmio_len;
    }
    run_.exit_reason = PHV_EXIT_MMIO;
    run_.nip = st_.nip;
    run_.mmio.phys_addr = gpa;
    run_.mmio.len = len;
    run_.mmio.is_write = write;
    std::memset(run_.mmio.data, 0, sizeof run_.mmio.data);
    if (write)
        std::memcpy(run_.mmio.data, data, len);
    ++stats_.mmio_exits;
    // The access is done once the caller has served it, so the guest resumes after the instruction.
    mmio_advance_ = true;
    return Flow::Exit;
}

Flow Vcpu::vsx_mmio(uint64_t ea, unsigned n, bool write, uint8_t *bytes, unsigned max_piece) {
    VsxMmio &s = vsx_mmio_;
    if (!s.active || s.nip != st_.nip || s.ea != ea || s.n != n) {
        s = VsxMmio{};
        s.active = true;
        s.nip = st_.nip;
        s.ea = ea;
        s.n = uint8_t(n);
    }
    while (s.done < n) {
        const unsigned piece = std::min(max_piece, n - s.done);
        const uint64_t a = mask_ea(ea + s.done);
        DataRef r;
        const Flow f = write ? translate_data<mmu::Access::Store>(a, piece, r) : translate_data<mmu::Access::Load>(a, piece, r);
        if (f != Flow::Next) {   // a storage interrupt: the instruction starts again after it
            s.active = false;
            return f;
        }
        if (r.host) {
            if (write) {
                std::memcpy(r.host, bytes + s.done, piece);
                if (r.split)
                    commit_split_store(piece);
                else
                    note_store(r.slot, r.gpa, piece);
            } else {
                std::memcpy(s.bytes + s.done, r.host, piece);
            }
            s.done = uint8_t(s.done + piece);
            continue;
        }
        s.piece = uint8_t(piece);
        s.waiting_load = !write;
        const Flow e = mmio_exit(r.gpa, piece, write, bytes + s.done);
        if (write)
            s.done = uint8_t(s.done + piece);   // served when the caller returns
        // The last store piece completes the instruction; otherwise it runs again for the next piece.
        mmio_advance_ = write && s.done == n;
        if (mmio_advance_)
            s.active = false;
        return e;
    }
    if (!write)
        std::memcpy(bytes, s.bytes, n);
    s.active = false;
    return Flow::Next;
}

Flow Vcpu::internal_error(uint32_t suberror, const char *fmt, ...) {
    if (in_l2_)
        leave_l2(0);   // the VMM sees the L1, as after every exit
    run_.exit_reason = PHV_EXIT_INTERNAL_ERROR;
    run_.nip = st_.nip;
    run_.internal.suberror = suberror;
    run_.internal.insn = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(run_.internal.reason, sizeof run_.internal.reason, fmt, ap);
    va_end(ap);
    ++stats_.internal_error_exits;
    return Flow::Exit;
}

// Finishes the previous exit with what the caller filled in (KVM_RUN does the same on re-entry).
// What an FP load puts in the FPR (Book I 4.6.2): a doubleword as it is, a single widened exactly, a word
// sign- or zero-extended.
uint64_t Vcpu::fpr_image(FprLoad kind, uint64_t raw) {
    switch (kind) {
    case FprLoad::Single: return fp::single_to_double(uint32_t(raw));
    case FprLoad::WordAlgebraic: return uint64_t(int64_t(int32_t(uint32_t(raw))));
    case FprLoad::WordZero: return uint32_t(raw);
    default: return raw;
    }
}

void Vcpu::complete_exit() {
    if (pending_hcall_) {
        pending_hcall_ = false;
        st_.gpr[3] = run_.papr_hcall.ret;
        for (int i = 0; i < 9; ++i)
            st_.gpr[4 + i] = run_.papr_hcall.args[i];
    }
    if (vsx_mmio_.waiting_load) {
        vsx_mmio_.waiting_load = false;
        std::memcpy(vsx_mmio_.bytes + vsx_mmio_.done, run_.mmio.data, vsx_mmio_.piece);
        vsx_mmio_.done = uint8_t(vsx_mmio_.done + vsx_mmio_.piece);
    }
    if (pending_load_.active) {
        pending_load_.active = false;
        uint64_t v = 0;
        const unsigned n = pending_load_.size;
        // The bytes in memory order: all from the exit, or (partial) the RAM ones with the exit's in place.
        const uint8_t *bytes = run_.mmio.data;
        if (pending_load_.partial) {
            pending_load_.partial = false;
            std::memcpy(pending_load_.bytes + pending_load_.mmio_off, run_.mmio.data, pending_load_.mmio_len);
            bytes = pending_load_.bytes;
        }
        for (unsigned i = 0; i < n; ++i) {
            const unsigned shift = pending_load_.big_endian ? 8 * (n - 1 - i) : 8 * i;
            v |= uint64_t(bytes[i]) << shift;
        }
        if (pending_load_.sign && n < 8)
            v = uint64_t(isa::sext(v, 8 * n));
        if (pending_load_.fpr)
            st_.set_fpr(pending_load_.rt, fpr_image(pending_load_.fpr_kind, v));
        else
            st_.gpr[pending_load_.rt] = v;
    }
}

// ---- memory ---------------------------------------------------------------------------------------------

uint8_t *Vcpu::ram_slow(uint64_t gpa, uint64_t len, bool write, Memslot **slot_out) {
    auto &slots = vm_.memslots();
    Memslot *s = slot_cache_;
    if (!s || slot_cache_gen_ != slots.generation() || !s->contains(gpa, len)) {
        s = slots.find(gpa, len);
        if (!s)
            return nullptr;
        slot_cache_ = s;
        slot_cache_gen_ = slots.generation();
    }
    if (write && (s->flags & PHV_MEM_READONLY))
        return nullptr;
    if (slot_out)
        *slot_out = s;
    return s->host + (gpa - s->gpa);
}

void Vcpu::note_store_slow(Memslot *s, uint64_t gpa, uint64_t len) {
    const uint64_t first = (gpa - s->gpa) / PHV_PAGE_SIZE, last = (gpa + len - 1 - s->gpa) / PHV_PAGE_SIZE;
    for (uint64_t p = first; p <= last; ++p) {
        if (!s->dirty.empty()) {
            // Atomic: other vcpus set bits in the same word, and the VMM's phv_get_dirty_log() takes and
            // clears words while this vcpu runs (a live migration); a plain |= could lose a written page.
            std::atomic_ref<uint64_t> word(s->dirty[p / 64]);
            const uint64_t bit = 1ull << (p % 64);
            if (!(word.load(std::memory_order_relaxed) & bit))
                word.fetch_or(bit, std::memory_order_relaxed);
        }
        if (s->code_pages[p]) {
            s->code_pages[p] = 0;
            vm_.invalidate_code_page(s->gpa + p * PHV_PAGE_SIZE);
        }
    }
    // Other vcpus' reservations on these granules are lost; this vcpu's own survives (Book II 1.7.3.1).
    vm_.reservations().note_store(gpa, len, st_.reserve_valid, st_.reserve_gpa, st_.reserve_gen);
}

Flow Vcpu::zero_block(uint64_t ea, unsigned block) {
    DataRef r;   // an aligned block never crosses a page, so it is never split
    if (const Flow f = translate_data<mmu::Access::Store>(ea & ~uint64_t(block - 1), block, r); f != Flow::Next)
        return f;
    if (r.host) {
        std::memset(r.host, 0, block);
        note_store(r.slot, r.gpa, block);
        return Flow::Next;
    }
    // dcbz outside RAM is an alignment interrupt on real hardware (Book II 4.3.2: caching-inhibited storage).
    st_.spr[spr::DAR] = ea;
    return interrupt(vec::kAlignment, st_.nip, 0);
}

void Vcpu::request_code_invalidate(uint64_t gpa) {
    std::lock_guard g(invalidate_lock_);
    invalidate_pages_.push_back(gpa >> 12);
    attention_.store(true, std::memory_order_release);
}

void Vcpu::apply_code_invalidations() {
    std::vector<uint64_t> pages;
    {
        std::lock_guard g(invalidate_lock_);
        pages.swap(invalidate_pages_);
    }
    if (jit_worker_ && !pages.empty())
        jit_collect(&pages);   // the worker must let go of the blocks about to die
    for (uint64_t p : pages)
        stats_.blocks_invalidated += blocks_.invalidate_page(p);
}

namespace {
// The block's last instruction, a conditional branch back to an instruction of the block, closes a loop
// small enough for loop mode (isa::kLoopRegs): the block ends there, so that the loop, started at its
// target, is a block of its own. A larger loop's branch back is a side exit the block runs on past.
bool ends_small_loop(const isa::Decoded *insns, const uint16_t *offset, size_t n) {
    const isa::Decoded &br = insns[n - 1];
    const int64_t target = int64_t(offset[n - 1]) + br.imm;
    if (br.imm > 0 || target < 0)
        return false;
    uint64_t regs = 0;
    for (size_t i = n; i-- > 0;) {
        regs |= isa::regs_named(insns[i]);
        if (offset[i] == target)
            return std::popcount(regs) <= int(isa::kLoopRegs);
    }
    return false;
}
} // namespace

// ---- the run loop ---------------------------------------------------------------------------------------

Block *Vcpu::block_lookup(uint64_t nip, Flow &f) {
    // Blocks are keyed by real address, so translation changes (tlbie, PIDR) never invalidate them: each
    // block entry translates its NIP again (mmu/translate.cpp; a fetch-TLB hit). block_at() has synced the MMU.
    uint64_t ra;
    while (!fetch_address(nip, ra, f)) {
        if (f == Flow::Exit)
            return nullptr;
        nip = st_.nip;   // an ISI or instruction segment interrupt was delivered: fetch its vector
    }
    // An ISI on the way may have changed the MSR as well as the NIP.
    const uint64_t mode_now = BlockCache::mode(st_.msr);
    const uint64_t key = BlockCache::key(ra, st_.msr);
    if (Block *b = blocks_.find(key)) {
        blocks_.jump_fill(nip, mode_now, b);
        return b;
    }
    // A block never crosses a page, so it can be dropped by page when that page is written.
    const uint64_t page_end = (ra | (PHV_PAGE_SIZE - 1)) + 1;
    Memslot *slot = nullptr;
    // Block keys hold the real address below the mode bits (BlockCache::key): code in RAM placed above
    // them cannot be keyed (no ISA real address is that large; only a memslot put there makes one).
    const uint8_t *code = ra >> BlockCache::kModeShift ? nullptr : ram(ra, 4, false, &slot);
    if (!code) {
        f = internal_error(PHV_INTERNAL_ERROR_FETCH, "instruction fetch from gpa 0x%llx, which is not RAM",
                           (unsigned long long)ra);
        return nullptr;
    }
    // The page is marked before its words are read: an icbi on another vcpu that stored to the page first
    // either sees the mark (and drops this block once it is built) or came before it, and then this read
    // sees the new words (Vm::invalidate_code_page_if_built; the fences make the pair a Dekker handshake).
    std::atomic_ref<uint8_t>(slot->code_pages[(ra - slot->gpa) / PHV_PAGE_SIZE]).store(1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    auto b = std::make_unique<Block>();
    b->key = key;
    b->start = nip;
    b->real_start = ra;
    const bool be = !(st_.msr & msr::LE);
    const isa::DecodeContext ctx{vm_.model().isa, problem_state()};
    // Decoded into a buffer on the stack and copied into the block at its exact size: growing the block's
    // vector one instruction at a time reallocated it several times per block, a cost the boot (tens of
    // thousands of blocks) felt.
    isa::Decoded insns[isa::kMaxBlockInsns];
    uint16_t offset[isa::kMaxBlockInsns];
    size_t n = 0;
    unsigned side_exits = 0;
    for (uint64_t a = ra; a < page_end && n < isa::kMaxBlockInsns;) {
        const uint32_t word = detail::from_guest<uint32_t>(code + (a - ra), be);
        isa::Decoded d;
        if (isa::is_prefix(word)) {
            // The suffix is read only when it lies in the same 64-byte block (and so in this page).
            const bool crosses = (a & 63) == 60;
            const uint32_t suffix = crosses ? 0 : detail::from_guest<uint32_t>(code + (a + 4 - ra), be);
            d = isa::decode_prefixed(word, suffix, crosses, ctx);
        } else {
            d = isa::decode(word, ctx);
        }
        offset[n] = uint16_t(a - ra);
        a += d.len;
        insns[n++] = d;
        if (isa::ends_block(d) &&
            (!isa::side_exit(d) || ++side_exits > isa::kMaxSideExits || ends_small_loop(insns, offset, n)))
            break;
    }
    b->insns.assign(insns, insns + n);
    ++stats_.blocks_built;
    Block *built = blocks_.insert(std::move(b));
    blocks_.jump_fill(nip, mode_now, built);
    return built;
}

// Step: MSR[SE] or MSR[BE] was on when the block started, so each instruction may end in a trace interrupt
// (a block ends at every MSR change, so the choice holds for the whole block).
template <bool Trace, bool Step, bool Debug>
Flow Vcpu::run_block(Block &b) {
    // Between instructions that fall through NIP only advances, so it is kept in a register as well: reading
    // it back from st_ after each call would chain every instruction to the previous one's store. The mask
    // holds for the whole block because an instruction that writes the MSR returns Jump (semantics/system.h).
    uint64_t cia = st_.nip;
    const uint64_t ea_mask = mode64() ? ~0ull : 0xffffffffull;
    for (const isa::Decoded &d : b.insns) {
        if constexpr (Debug) {
            // The instruction a breakpoint or watchpoint stopped at runs once when the run resumes there.
            const bool resume = debug_.resuming && st_.nip == debug_.resume_nip;
            debug_.resuming = false;
            debug_.suppress_watch = resume;
            if (!resume && debug_exec_hit())
                return debug_exit(st_.nip, PHV_DEBUG_BREAKPOINT);
        }
        if constexpr (Trace)
            trace_fn_(trace_opaque_, id_, st_.nip, d.word, d.suffix);
        ++stats_.insns_executed;
        [[maybe_unused]] const uint64_t msr_before = st_.msr;
        [[maybe_unused]] const uint64_t delivered = stats_.interrupts_delivered;
        [[maybe_unused]] const uint64_t nip_before = st_.nip;
        Flow f = d.fn(*this, d);
        if constexpr (Debug)
            debug_.suppress_watch = false;
        if constexpr (!Step && !Debug) {
            // The common case first: one compare per instruction on the way to the next.
            if (f == Flow::Next) [[likely]] {
                cia = (cia + d.len) & ea_mask;
                st_.nip = cia;
                continue;
            }
        }
        if (f == Flow::Exit) {
            if (mmio_advance_) {
                mmio_advance_ = false;
                st_.nip = next_nip(d);
            }
            // A stepped instruction that completed with an exit (MMIO, hcall): its step comes next run.
            if constexpr (Debug)
                debug_.step_pending = debug_.step && run_.exit_reason != PHV_EXIT_DEBUG && st_.nip != nip_before;
            return f;
        }
        if (f == Flow::Next)
            st_.nip = next_nip(d);
        if constexpr (Step) {
            if (stats_.interrupts_delivered == delivered)
                f = trace_after(d, msr_before, f);
        }
        if constexpr (Debug) {
            if (debug_.step)
                return debug_exit(st_.nip, PHV_DEBUG_SINGLESTEP);
        }
        if (f != Flow::Next)
            return f;
    }
    return Flow::Jump;
}

Flow Vcpu::jit_leave(Vcpu *v, const isa::Decoded *d, Flow f) {
    if (f == Flow::Exit && v->mmio_advance_) {
        v->mmio_advance_ = false;
        v->st_.nip = v->next_nip(*d);
    }
    return f;
}

// What the run loop does between two blocks, for compiled code that ends with NIP moved by a native branch
// or by falling through and found no link slot of its own for it (jit/link.cpp): the next block's linked
// entry if the loop would run it compiled right away with nothing else to do first, else nullptr (the
// block returns and the loop does it all). So it declines when the attention flag is up, while the
// performance monitor counts (pmu_block_start/end would run), when no link or jump-cache entry names a
// block the fetch at NIP uses, or when that block is not compiled. The block's end has taken the countdown
// to the timer check for the next block already (and gives it back when this declines). The MSR is the one `from` started with (an instruction that changes it ends the block through
// Jump, not here), so the mode, MSR[SE/BE] and the choice of tier hold; links die with the cache's epoch,
// so invalidated blocks are never chained to. A block found is patched into one of from's link slots.
// jit_blocks_chained is counted by run_block_fast (from the countdown), not here.
const uint8_t *Vcpu::jit_link(Vcpu *v, Block *from, unsigned slots) {
    ++v->stats_.jit_link_lookups;
    if (v->attention_.load(std::memory_order_relaxed) || !(v->st_.spr[spr::MMCR0] & pmu::FC) || v->pmu_.on ||
        !v->jit_code_) [[unlikely]]
        return nullptr;
    v->mmu_sync();
    const uint64_t nip = v->st_.nip, epoch = v->blocks_.epoch();
    Block *b = from->linked(nip, epoch);
    if (!b || !v->fetch_matches(nip, b)) [[unlikely]] {
        b = v->blocks_.jump_lookup(nip, BlockCache::mode(v->st_.msr));
        if (!b || !v->fetch_matches(nip, b))
            return nullptr;
        from->link(nip, epoch, b);
    }
    const uint64_t generation = v->jit_code_->generation();
    if (!b->jit || b->jit_generation != generation) [[unlikely]]
        return nullptr;
    // A hand-compiled block (tests) has no code of its own in the buffer to patch. The slot is made under
    // the link stamp as it is now (mmu_sync above may have moved it), and the fetch TLB entry the link
    // depends on is marked first, so that the stamp moves when that entry goes.
    if (from->jit && from->jit_generation == generation && v->mark_fetch_linked(nip) &&
        jit::patch_link(*v, *from, nip, *b, epoch, slots & 0xff, slots >> 8 & 0xff))
        ++v->stats_.jit_links_patched;
    v->pmu_.block = b;
    v->pmu_.nip = nip;
    v->pmu_.first = v->stats_.insns_executed;
    v->pmu_.irqs = v->stats_.interrupts_delivered;
    return b->jit_linked_entry;
}

bool Vcpu::jit_code_ready() {
    if (!jit_code_) {
        jit_code_ = std::make_unique<jit::CodeBuffer>(jit_code_size_);
        if (!jit_code_->ok())   // no executable memory: the interpreter does everything
            jit_on_ = false;
    }
    return jit_on_;
}

void Vcpu::set_jit(bool on, unsigned threshold, bool perf_map, bool async) {
    if (jit_worker_ && (!async || perf_map != jit_perf_map_)) {
        jit_collect(nullptr, true);
        jit_worker_.reset();
    }
    jit_on_ = on, jit_threshold_ = threshold, jit_perf_map_ = perf_map, jit_async_ = async;
}

void Vcpu::jit_request(Block &b) {
    if (!b.jit_slots)   // made here, not by the worker: the block pool belongs to this thread's work
        b.jit_slots = std::make_unique<Block::JitSlots>();
    if (!jit_worker_) {
        try {
            jit_worker_ = std::make_unique<jit::CompileWorker>(*this, *jit_code_, jit_perf_map_, attention_);
        } catch (const std::system_error &) {
            jit_async_ = false;   // no thread to be had: compile on this one from now on
            return;
        }
    }
    b.jit_queued = true;
    jit_worker_->request(b);
}

void Vcpu::jit_collect(const std::vector<uint64_t> *pages, bool all) {
    std::vector<jit::CompileWorker::Done> done;
    std::vector<Block *> dropped;
    if (all)
        jit_worker_->forget([](const Block &) { return true; }, done, dropped);
    else if (pages)
        jit_worker_->forget([&](const Block &b) { return std::find(pages->begin(), pages->end(), BlockCache::page_of(b)) != pages->end(); },
                            done, dropped);
    else
        jit_worker_->take(done);
    for (Block *b : dropped)
        b->jit_queued = false;
    bool full = false;
    for (const jit::CompileWorker::Done &d : done) {
        Block &b = *d.block;
        b.jit_queued = false;
        if (!d.code.fn) {
            full = true;
            continue;
        }
        // The code buffer is flushed only with the worker idle and every result collected (below), so
        // what the worker finished belongs to the buffer as it is.
        jit::adopt(b, d.code);
        b.jit = d.code.fn;
        b.jit_generation = jit_code_->generation();
        ++stats_.jit_blocks_compiled;
        stats_.jit_loop_blocks += d.code.loop;
    }
    if (full && !all) {   // start the buffer again: every block's code goes, and every link into it
        jit_collect(nullptr, true);
        jit_code_->flush();
        blocks_.new_epoch();
        ++stats_.jit_code_flushes;
    }
}

Flow Vcpu::run_block_fast(Block &b) {
    if (b.jit && jit_on_ && b.jit_generation == jit_code_->generation()) [[likely]]
        return run_compiled(b.jit);
    if (!jit_on_ || b.runs < jit_threshold_ || b.jit_queued || !jit_code_ready()) {
        ++b.runs;
        return run_block<false, false>(b);
    }
    if (jit_async_) {
        jit_request(b);
        if (jit_async_) {
            ++b.runs;
            return run_block<false, false>(b);
        }
    }
    bool loop = false;
    jit::BlockFn fn = jit::compile(*this, b, *jit_code_, jit_perf_map_, nullptr, &loop);
    if (!fn) {   // the buffer is full: start it again (every other block's code goes with it)
        jit_code_->flush();
        blocks_.new_epoch();   // and every link into it
        ++stats_.jit_code_flushes;
        fn = jit::compile(*this, b, *jit_code_, jit_perf_map_, nullptr, &loop);
        if (!fn)
            return run_block<false, false>(b);
    }
    b.jit = fn;
    b.jit_generation = jit_code_->generation();
    ++stats_.jit_blocks_compiled;
    stats_.jit_loop_blocks += loop;
    return run_compiled(fn);
}

Flow Vcpu::run_compiled(Flow (*fn)(Vcpu *)) {
    // Every block end that goes straight on (a link slot taken, or jit_link's answer) has taken one from the
    // countdown and given nothing back; every other block end leaves it as it found it (jit/link.cpp). So
    // the chained block ends are what the countdown lost, less what a called row zeroed.
    const unsigned countdown = timer_countdown_;
    countdown_zeroed_ = 0;
    const Flow f = fn(this);
    stats_.jit_blocks_chained += countdown - timer_countdown_ - countdown_zeroed_;
    return f;
}

Flow Vcpu::exit_intr() {
    if (in_l2_)
        leave_l2(0);   // kicked while running an L2: the L1 gets its processor back first
    run_.exit_reason = PHV_EXIT_INTR;
    run_.nip = st_.nip;
    ++stats_.signal_exits;
    return Flow::Exit;
}

int Vcpu::run() {
    const mmu::RunningScope running(mmu_);   // tlbsync on other vcpus waits only for running ones
    vm_.wait_for_memslots();                 // after marking itself running: Vm::set_memory_region
    complete_exit();
    ensure_hpt();
    if (debug_.step_pending) [[unlikely]] {
        debug_.step_pending = false;
        if (debug_.step) {
            debug_exit(st_.nip, PHV_DEBUG_SINGLESTEP);
            return 0;
        }
    }
    ++stats_.sum_exits;
    if (run_.immediate_exit) {
        exit_intr();
        return 0;
    }
    park_while_held();
    timer_countdown_ = 0;
    // The block that ran last and the MSR it started with, for direct linking (block_at). Anything between
    // two blocks that could deliver an interrupt or drop blocks forgets it.
    Block *prev = nullptr;
    uint64_t prev_msr = 0;
    for (;;) {
        // Other threads ask for attention (kick, interrupt line, code invalidation, LPCR update, HPT resize
        // hold) through one flag, so that the common case costs one load per block. Taking it with an
        // exchange loses no request: one raised after the exchange stays for the next block, one raised
        // before it is seen with everything its raiser stored first (the hold, say).
        if (attention_.load(std::memory_order_relaxed) && attention_.exchange(false, std::memory_order_acq_rel)) {
            park_while_held();
            prev = nullptr;
            apply_code_invalidations();
            if (jit_worker_)
                jit_collect();
            if (!in_l2_)   // LPCR changes are the L1's: applied when it runs again
                apply_lpcr_updates();
            else
                timer_countdown_ = 0;   // the L1's interrupt line may have risen: l2_poll looks
            if (kick_.exchange(false)) {
                exit_intr();
                return 0;
            }
            timer_countdown_ = 0;
        }
        if (timer_countdown_-- == 0) {
            timer_countdown_ = kTimerCheckInterval;
            prev = nullptr;
            if (in_l2_) [[unlikely]]
                l2_poll();
            if (pmu_.cycles) [[unlikely]]
                pmu_update_cycles();   // a cycle counter may have become negative
            deliver_pending_interrupt();
        }
        Flow f = Flow::Next;
        Block *b = block_at(st_.nip, f, st_.msr == prev_msr ? prev : nullptr);
        if (!b)
            return 0;
        prev = b, prev_msr = st_.msr;
        const bool ee_was_off = !(st_.msr & msr::EE);
        // The performance monitor counts only while MMCR0[FC]=0 (pmu.cpp); an mtspr in the block may start it.
        pmu_.block = b;
        pmu_.nip = st_.nip;
        pmu_.first = stats_.insns_executed;
        pmu_.irqs = stats_.interrupts_delivered;
        if (!(st_.spr[spr::MMCR0] & pmu::FC) || pmu_.on) [[unlikely]] {
            pmu_block_start();
            timer_countdown_ = 0;   // a compiled block's end comes back here (jit/link.cpp)
        }
        if (debug_.active) [[unlikely]] {
            if (st_.msr & (msr::SE | msr::BE))
                f = trace_fn_ ? run_block<true, true, true>(*b) : run_block<false, true, true>(*b);
            else
                f = trace_fn_ ? run_block<true, false, true>(*b) : run_block<false, false, true>(*b);
        } else if (st_.msr & (msr::SE | msr::BE))
            f = trace_fn_ ? run_block<true, true>(*b) : run_block<false, true>(*b);
        else
            f = trace_fn_ ? run_block<true, false>(*b) : run_block_fast(*b);
        if (pmu_.on) [[unlikely]]
            pmu_block_end(f);
        pmu_.block = nullptr;
        if (f == Flow::Exit)
            return 0;
        if (ee_was_off && (st_.msr & msr::EE))   // rfid/mtmsrd enabled interrupts: look at once
            timer_countdown_ = 0;
    }
}

} // namespace phv
