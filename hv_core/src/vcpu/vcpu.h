// One virtual processor: architected state, the run loop, memory access and interrupt delivery.
#pragma once
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "isa/insn.h"
#include "memory/memslots.h"
#include "mmu/vcpu_mmu.h"
#include "phv/phv.h"
#include "vcpu/block_cache.h"
#include "vcpu/cpu_state.h"
#include "vcpu/spr_table.h"
#include "vcpu/stats.h"
#include "vm/reservation_table.h"

namespace phv {

class Vm;
struct Memslot;
namespace nested {
struct Frame;
}
namespace jit {
class CodeBuffer;
class BlockEmitter;
class CompileWorker;
}

uint64_t host_ns();   // CLOCK_MONOTONIC in ns (timers.cpp)

// Interrupt vectors (Book III 7.5) and the SRR1 cause bits of the Program interrupt (Book III 7.5.9).
namespace vec {
constexpr uint64_t kSystemReset = 0x100, kMachineCheck = 0x200, kDSI = 0x300, kISI = 0x400,
                   kExternal = 0x500, kAlignment = 0x600, kProgram = 0x700, kFPUnavailable = 0x800,
                   kDecrementer = 0x900, kHDecrementer = 0x980, kDoorbell = 0xa00, kSystemCall = 0xc00,
                   kTrace = 0xd00, kHEmulationAssist = 0xe40, kHDoorbell = 0xe80, kHVirtualization = 0xea0,
                   kPerfMonitor = 0xf00, kVMXUnavailable = 0xf20, kVSXUnavailable = 0xf40,
                   kFacilityUnavailable = 0xf60, kHFacilityUnavailable = 0xf80, kSystemCallVectored = 0x17000;
} // namespace vec
namespace srr1 {
constexpr uint64_t kFPEnabled = 1ull << (63 - 43), kIllegal = 1ull << (63 - 44), kPrivileged = 1ull << (63 - 45),
                   kTrap = 1ull << (63 - 46), kSubsequentAddress = 1ull << (63 - 47);
} // namespace srr1

// PAPR hcall numbers and return codes the core itself serves.
constexpr uint64_t kH_SUCCESS = 0, kH_REMOVE = 0x04, kH_ENTER = 0x08, kH_READ = 0x0c, kH_CLEAR_MOD = 0x10,
                   kH_CLEAR_REF = 0x14, kH_PROTECT = 0x18, kH_BULK_REMOVE = 0x124, kH_CEDE = 0xe0, kH_SET_MODE = 0x31c, kH_REGISTER_PROC_TBL = 0x37c,
                   kH_RPT_INVALIDATE = 0x448;

class Vcpu {
public:
    Vcpu(Vm &vm, uint32_t id);
    ~Vcpu();

    Vm &vm() { return vm_; }
    uint32_t id() const { return id_; }
    CpuState &state() { return st_; }
    struct ::phv_run &run_struct() { return run_; }
    Stats &stats() { return stats_; }

    int run();
    void kick();
    int set_irq_line(bool level);
    void set_trace(phv_trace_fn fn, void *opaque) { trace_fn_ = fn, trace_opaque_ = opaque; }
    // The JIT tier (jit/compiler.h): off runs every block in the interpreter; a block is compiled once it
    // has run `threshold` times (0: before its first run). perf_map names compiled code for perf. async: on a
    // thread of its own while the block keeps running in the interpreter (jit/compile_worker.h), else on the
    // vcpu's thread before the block's next run.
    void set_jit(bool on, unsigned threshold, bool perf_map, bool async = false);
    // The size of the code buffer, made at the first compile (tests: a small one fills and starts again).
    void set_jit_code_size(size_t bytes) { jit_code_size_ = bytes; }
    bool jit_enabled() const { return jit_on_; }
    // Compiled code calls this when an instruction returns Jump or Exit: what run_block<false, false> does then.
    static isa::Flow jit_leave(Vcpu *v, const isa::Decoded *d, isa::Flow f);
    // Compiled code calls this at an exit when none of its link slots matched (jit/link.cpp): the next
    // block's linked entry, the link patched for next time into one of the exit's slots (`slots`: the first
    // in bits 0:7, how many in bits 8:15), or nullptr for the run loop (vcpu.cpp).
    static const uint8_t *jit_link(Vcpu *v, Block *from, unsigned slots);
    void request_code_invalidate(uint64_t gpa);
    // An HPT resize commit has raised PartitionMmu::hold: look at it at the next block boundary (the per-block
    // MMU check does not read `hold`; the attention flag, already read there, carries it).
    void request_hold_check() { attention_.store(true, std::memory_order_release); }
    // The partition's MMU set-up (PartitionMmu::generation) or the memslots changed: mmu_sync() picks it up at
    // the next block boundary the run loop sees. Compiled code that goes from block to block checks only the
    // attention flag, not the generations, so whoever bumps one raises the flag too (Vm::mmu_changed).
    void request_mmu_sync() { attention_.store(true, std::memory_order_release); }

    // --- used by the instruction semantics -------------------------------------------------------------
    CpuState st_;

    bool problem_state() const { return st_.msr & msr::PR; }
    bool mode64() const { return st_.msr & msr::SF; }
    // NIP of the next instruction, truncated in 32-bit mode (Book III 4.2.1, MSR[SF]).
    uint64_t next_nip(const isa::Decoded &d) const { return mask_ea(st_.nip + d.len); }
    uint64_t mask_ea(uint64_t ea) const { return mode64() ? ea : uint32_t(ea); }

    // Loads `size` bytes at ea into GPR rt (zero- or sign-extended, optionally byte-reversed). On an access
    // outside RAM it sets up an MMIO exit that completes the load on the next run.
    template <typename T, bool Sign = false, bool Reverse = false>
    [[gnu::always_inline]] isa::Flow load_gpr(unsigned rt, uint64_t ea);
    template <typename T, bool Reverse = false>
    [[gnu::always_inline]] isa::Flow store(uint64_t ea, T value);
    // A load whose value the instruction uses itself (larx, lmw ...): MMIO is not allowed for it.
    template <typename T>
    isa::Flow load_value(uint64_t ea, T &out);
    // FP loads (lfs, lfd, lfiwax, lfiwzx and their forms): `size` bytes at ea into FPR frt, converted as
    // `kind` says. Outside RAM it is an MMIO exit like load_gpr's, the conversion done when it completes.
    enum class FprLoad : uint8_t { Double, Single, WordAlgebraic, WordZero };
    template <typename T>
    [[gnu::always_inline]] isa::Flow load_fpr(unsigned frt, uint64_t ea, FprLoad kind);
    static uint64_t fpr_image(FprLoad kind, uint64_t raw);
    // lfdp/stfdp move two doublewords. When the first went to MMIO, the instruction is not complete after
    // that exit: it runs again (NIP kept) and does only the second, which may be an MMIO exit of its own.
    bool first_half_was_mmio() {
        const bool done = pair_first_done_ && pair_nip_ == st_.nip;
        pair_first_done_ = false;
        return done;
    }
    void mmio_exit_is_first_half() {
        mmio_advance_ = false;
        pair_first_done_ = true;
        pair_nip_ = st_.nip;
    }
    // VSX loads and stores of n bytes (up to 32) outside RAM: one MMIO exit per piece of at most max_piece
    // bytes (8; 4 for lxvw4x/stxvw4x), in address order, as KVM's emulate_loadstore splits them into exits. The instruction runs again after each exit (NIP kept)
    // until every piece is served; then a load gets the n bytes in storage order and completes. Pieces in RAM
    // (an access that straddles RAM and MMIO at a piece boundary) are moved directly.
    isa::Flow vsx_mmio(uint64_t ea, unsigned n, bool write, uint8_t *bytes, unsigned max_piece = 8);
    // dcbz: zero the aligned block around ea.
    isa::Flow zero_block(uint64_t ea, unsigned block);

    // Interrupt delivery (interrupts.cpp): SRR0/1, the new MSR and the vector with LPCR[AIL]/[ILE] applied.
    isa::Flow interrupt(uint64_t vector, uint64_t srr0, uint64_t srr1_cause);
    isa::Flow program_interrupt(uint64_t cause) { return interrupt(vec::kProgram, st_.nip, cause); }
    isa::Flow system_call_vectored(unsigned lev, uint64_t nia);
    // FSCR-controlled facility unavailable (0xf60, FSCR[IC] = facility).
    isa::Flow facility_unavailable(unsigned facility);
    // What a guest sees for an interrupt that goes to the hypervisor: KVM reflects it (see interrupts.cpp).
    isa::Flow hv_emulation_assist(uint32_t word);
    isa::Flow hv_facility_unavailable(unsigned facility);
    // A word that is no instruction of this CPU: FP/VMX/VSX unavailable, or illegal (via HEA, as KVM does).
    isa::Flow illegal_instruction(uint32_t word);
    // FP, VMX or VSX Unavailable (vec::kFPUnavailable, kVMXUnavailable, kVSXUnavailable) for `word`, whose
    // enable bit in the MSR is off; an internal error when the word sits at that vector itself.
    isa::Flow unit_unavailable(uint64_t vector, uint32_t word);
    // Problem-state use of an FSCR facility is allowed (privileged state is never FSCR-gated).
    bool fscr_allows(unsigned facility) const;
    // Directed privileged doorbells (msgsndp/msgclrp): DPDES, delivered at 0xa00.
    void set_doorbell(bool pending);
    // After an MMCR0 write: a pending Performance Monitor exception (MMCR0[PMAO]) is looked at at once.
    isa::Flow mmcr0_written();
    // ---- performance monitor counting (pmu.cpp) ---------------------------------------------------------
    // Brings the counters up to date (instructions completed so far in this block, including the current
    // one, and cycles), before an SPR access that reads a counter or changes what is counted.
    void pmu_sync();
    // Recomputes what is counted from MMCR0/1/2, the MSR and CTRL[RUN] (after pmu_sync()).
    void pmu_refresh();
    // ---- guest debugging for a gdbstub (debug.cpp; PHV_SET_GUEST_DEBUG) --------------------------------
    int set_guest_debug(const phv_guest_debug &dbg);
    bool sw_breakpoints() const { return debug_.sw_bp; }
    isa::Flow debug_exit(uint64_t address, uint32_t status);
    // A watchpoint check for a data access (translate_data): Next, or the debug exit.
    isa::Flow debug_watch(bool store, uint64_t ea, unsigned len);
    isa::Flow hcall();
    isa::Flow hcall_exit();
    // H_SET_MODE (hcalls_mode.cpp): LPCR[ILE]/[AIL] for every vcpu; another vcpu's change arrives through
    // request_lpcr_update() and is applied by this vcpu's thread at its next block boundary.
    isa::Flow h_set_mode();
    void request_lpcr_update(uint64_t mask, uint64_t bits);
    isa::Flow wait();
    isa::Flow internal_error(uint32_t suberror, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
    // An access to a gpa in no slot by an instruction no MMIO exit can carry (larx/stcx., lq, an atomic
    // memory operation): the guest's fault, not the VMM's (vcpu.cpp).
    isa::Flow unemulatable_mmio(uint64_t ea, uint64_t gpa, bool store, const char *what);

    // Timebase, decrementer, PURR/SPURR/VTB (timers.cpp; n: one of spr::counts_with_tb).
    uint64_t read_tb() const;
    uint64_t read_purr(unsigned n) const;
    unsigned dec_bits() const;
    uint64_t read_dec() const;
    void write_dec(uint64_t v);
    isa::Flow mfspr(unsigned rt, unsigned n);
    // word: the mtspr instruction, for HEIR when the access ends in hypervisor emulation assistance.
    isa::Flow mtspr(unsigned n, uint64_t v, uint32_t word = 0);
    isa::Flow mtspr_value(unsigned n, uint64_t v);
    void write_msr(uint64_t v);

    // gpa -> host pointer for `len` bytes of RAM, or nullptr when not RAM (bounds-checked against slots).
    // The last slot hit answers inline (one range check and a pointer add); ram_slow() finds the others.
    [[gnu::always_inline]] uint8_t *ram(uint64_t gpa, uint64_t len, bool write, Memslot **slot_out = nullptr) {
        Memslot *s = slot_cache_;
        if (s && slot_cache_gen_ == slots_->generation() && s->contains(gpa, len) &&
            !(write && (s->flags & PHV_MEM_READONLY))) [[likely]] {
            if (slot_out)
                *slot_out = s;
            return s->host + (gpa - s->gpa);
        }
        return ram_slow(gpa, len, write, slot_out);
    }
    uint8_t *ram_slow(uint64_t gpa, uint64_t len, bool write, Memslot **slot_out);
    // Dirty logging, code invalidation and other vcpus' reservations for a store that went straight to RAM.
    // Inline for the common store: within one page, no dirty log, no code built there, nobody reserved.
    [[gnu::always_inline]] void note_store(Memslot *s, uint64_t gpa, uint64_t len) {
        const uint64_t off = gpa - s->gpa, page = off / PHV_PAGE_SIZE;
        if ((off + len - 1) / PHV_PAGE_SIZE == page && s->dirty.empty() && !s->code_pages[page] &&
            !reservations_->maybe_reserved(gpa, len)) [[likely]]
            return;
        note_store_slow(s, gpa, len);
    }
    void note_store_slow(Memslot *s, uint64_t gpa, uint64_t len);
    // This vcpu's count in the reservation table (vm/reservation_table.h), apart from st_: register state
    // can be copied and restored, a count must be given back exactly once.
    ReservationTable::Holder &reservation_hold() { return reservation_hold_; }
    // Ends the reservation (stcx., interrupts, rfid): the granule's slot stops flagging stores.
    void drop_reservation() {
        st_.reserve_valid = false;
        reservations_->release(reservation_hold_);
    }
    // The real address a data access to ea uses: ea itself with MSR[DR]=0, else its translation without side
    // effects (no interrupt, no R/C update), or kNoRealAddress when it has none (mmu/translate.cpp).
    static constexpr uint64_t kNoRealAddress = ~0ull;
    // Real addressing ignores the top 4 bits of the EA (Book III 5.7.3).
    static constexpr uint64_t kRealModeMask = 0x0fffffffffffffffull;
    uint64_t real_address(uint64_t ea);

    // ---- MMU (mmu/translate.cpp, mmu/process_table.cpp, mmu/invalidate.cpp) ------------------------------
    // Where a data access of len bytes at ea goes: host memory (host, slot), or MMIO at gpa (host null). A
    // translation fault delivers its storage interrupt and returns that Flow. `split`: the access crosses
    // into a page that is not contiguous in host memory; host then points to a bounce buffer that
    // commit_split_store() writes back.
    struct DataRef {
        uint8_t *host = nullptr;
        uint64_t gpa = 0;
        Memslot *slot = nullptr;
        bool split = false;
    };
    template <mmu::Access A>
    // Inlined into every load and store: the TLB hit (or real mode) is the whole access, a call would double it.
    [[gnu::always_inline]] isa::Flow translate_data(uint64_t ea, unsigned len, DataRef &out);
    isa::Flow translate_data_slow(mmu::Access a, uint64_t ea, unsigned len, DataRef &out);
    void commit_split_store(unsigned len);
    // The pieces of an access that crosses from page `first` into page `second` (both 4K-aligned guest real
    // addresses with their host pages, null when not RAM): one host range, the bounce buffer, or MMIO.
    isa::Flow cross_page(const mmu::TlbEntry &first, const mmu::TlbEntry &second, uint64_t ea, unsigned off,
                         unsigned len, DataRef &out);
    isa::Flow real_cross_page(uint64_t gpa, unsigned len, bool write, DataRef &out);
    // Instruction fetch: the real address of nip, or false after an ISI/segment interrupt (f = Jump) or an
    // error exit (f = Exit).
    bool fetch_address(uint64_t nip, uint64_t &ra, isa::Flow &f);
    // At a block boundary (a context-synchronising point): pick up PIDR, the partition's process table,
    // memslot changes and other vcpus' tlbie.
    // Inline: the common case is that nothing changed, which costs a few compares.
    void mmu_sync() {
        if ((partition_mmu_generation_->load(std::memory_order_acquire) != mmu_.generation && !mmu_.l2.active) ||
            slots_->generation() != mmu_.slots_generation ||
            (!mmu_.hash && (st_.spr[spr::PIDR] & 0xffffffffull) != mmu_.tlb->pid()) ||
            mmu_.pending.load(std::memory_order_acquire)) [[unlikely]]
            mmu_sync_slow();
    }
    void mmu_sync_slow();
    // Waits here while an HPT resize commit holds the partition (mmu/invalidate.cpp).
    void park_while_held();
    isa::Flow h_register_proc_tbl();
    isa::Flow h_rpt_invalidate();
    // The HPT hcalls (mmu/hpt_hcalls.cpp): r3 = nr, arguments from r4; results in r3 (return code) and r4...
    isa::Flow hpt_hcall(uint64_t nr);
    // A hash partition gets KVM's default HPT at its first run if the VMM allocated none, and its VRMA
    // HPTEs once LPCR[VPM0] asks for them (mmu/vrma.cpp).
    void ensure_hpt();
    void setup_vrma();
    void decide_vrma();
    // The TLB tag context of a relocated access now: MSR[PR] and the key context of AMR/IAMR (translated
    // real-mode accesses use Tlb::kRealContext).
    uint64_t tlb_context() const { return mmu::Tlb::context(st_.msr, mmu_.key_context); }
    // AMR or IAMR changed (mtspr, one-reg) or the MMU mode did: recompute the key context.
    void keys_changed();
    // The SLB through the C ABI (mmu/partition_api.cpp).
    void get_slb(phv_ppc_slb_entry *out) const;
    int set_slb(const phv_ppc_slb_entry *in);
    // Drops what inv names from this vcpu's TLB and, for tlbie, from every other vcpu's (tlbsync waits).
    void tlb_invalidate(const mmu::Invalidation &inv, bool broadcast);
    void tlbsync();
    mmu::VcpuMmu mmu_;

    uint64_t tb_offset_ = 0;
    uint64_t dec_expiry_ = 0;   // TB value at which DEC passes 0
    // The guest's VPA (KVM_REG_PPC_VPA_ADDR, set by the VMM that serves H_REGISTER_VPA), 0 when none: the
    // nested L0 adds the L2 context-switch counters there.
    uint64_t vpa_addr_ = 0;

    // ---- nested: this vcpu runs an L2 for its L1 (nested/run.cpp) -----------------------------------
    // While in_l2_, st_ and the MMU context are the L2's and l2_ holds the L1's to return to. Anything
    // that would leave the core (an exit to the VMM) or enter the L0 hypervisor ends the L2's run first.
    bool in_l2_ = false;
    std::unique_ptr<nested::Frame> l2_;
    // Ends the L2's run with `trap` as H_GUEST_RUN_VCPU's exit vector; the vcpu continues in the L1.
    isa::Flow leave_l2(uint64_t trap);
    isa::Flow leave_l2_hdsi();                 // HDAR/HDSISR/ASDR already set in the L2's state
    isa::Flow leave_l2_hisi(uint32_t cause);   // ASDR set; cause as HSRR1 would carry it
    // HDEC and the L1's own interrupts, looked at with the timers while an L2 runs.
    isa::Flow l2_poll();
    bool l2_take_external();
    // The MMU side of the switch (mmu/l2_context.cpp): the L2's TLB (kept per LPID), its tables and
    // partition-scoped root; and back to what the L1 had.
    void enter_l2_mmu(uint64_t lpid, uint64_t generation, uint64_t root, uint64_t process_table);
    void leave_l2_mmu(mmu::Tlb *l1_tlb, uint64_t l1_slots_generation, uint64_t l1_process_table, bool l1_hash);

private:
    // The block being run, for the performance monitor: where it started, the instruction and interrupt
    // counts at its start, and the insns_executed value up to which the counters are up to date.
    struct Debug {
        bool active = false;   // single step or hardware breakpoints/watchpoints: run_block<..., true>
        bool step = false, sw_bp = false;
        bool block_irq = false;       // PHV_GUESTDBG_BLOCKIRQ: asynchronous interrupts wait until it is cleared
        bool resuming = false;        // the run resumes at resume_nip after a breakpoint/watchpoint stop
        bool suppress_watch = false;  // the instruction let through once is running
        bool step_pending = false;    // a stepped instruction exited: its step is reported next run
        uint64_t resume_nip = 0;
        unsigned n_exec = 0, n_watch = 0;
        uint64_t exec[PHV_GUESTDBG_MAX_HW_BP] = {};
        phv_guest_debug_bp watch[PHV_GUESTDBG_MAX_HW_BP] = {};
    } debug_;
    bool debug_exec_hit() const;

    struct PmuRun {
        const Block *block = nullptr;
        uint64_t nip = 0, first = 0, irqs = 0, mark = 0;
        uint64_t irq_srr0 = 0;    // SRR0 (or the scv return address) of the last interrupt delivered
        uint64_t cycles_ns = 0;   // host time up to which cycles are counted
        uint8_t insns = 0, cycles = 0;   // pmu::Counting of the current state
        bool on = false;
    } pmu_;
    void pmu_block_start();
    void pmu_block_end(isa::Flow f);
    void pmu_count(uint64_t n);
    void pmu_update_cycles();
    void pmu_alert(uint64_t siar);
    uint64_t pmu_insn_address(uint64_t index) const;

    template <bool Trace, bool Step, bool Debug = false>
    isa::Flow run_block(Block &b);
    // run_block<false, false> or the block's compiled code (compiling it once it is hot).
    isa::Flow run_block_fast(Block &b);
    isa::Flow run_compiled(isa::Flow (*fn)(Vcpu *));   // a block's code (Block::jit), counting jit_blocks_chained
    bool jit_on_ = true, jit_perf_map_ = false, jit_async_ = false;
    unsigned jit_threshold_ = 0;   // Vm::create_vcpu sets it (set_jit)
    std::unique_ptr<jit::CodeBuffer> jit_code_;
    // Host code space (reserved, resident only as used): tens of thousands of blocks before a flush. The
    // shell workload (bench.py) writes ~31 MiB of code in ~15,000 blocks; at 32 MiB it flushed once and
    // compiled 24,000.
    size_t jit_code_size_ = 64u << 20;
    // Made at the first block queued with jit_async_; destroyed first of all (~Vcpu).
    std::unique_ptr<jit::CompileWorker> jit_worker_;
    bool jit_code_ready();   // makes the code buffer, false if there is no executable memory
    void jit_request(Block &b);
    // Installs the code the worker finished. With `pages` (4 KiB real page numbers), first takes back
    // every block of those pages from the worker, waiting for it if it compiles one: they are dropped next.
    // With `all`, takes back everything (before the buffer is flushed or the tier changes).
    void jit_collect(const std::vector<uint64_t> *pages = nullptr, bool all = false);
    // Blocks until the run loop's next timer and interrupt check (run(), and linked compiled code).
    unsigned timer_countdown_ = 0;
    // What a called row inside compiled code took off the countdown by zeroing it (zero_countdown): a
    // linked block end takes one from it, which is how jit_blocks_chained is counted (run_block_fast).
    unsigned countdown_zeroed_ = 0;
    void zero_countdown() {
        countdown_zeroed_ += timer_countdown_;
        timer_countdown_ = 0;
    }
    isa::Flow trace_after(const isa::Decoded &d, uint64_t msr_before, isa::Flow f);
    bool deliver_pending_interrupt();
    isa::Flow exit_intr();
    void complete_exit();
    void apply_code_invalidations();
    void apply_lpcr_updates();
    // Whether the instruction fetch at nip would use block b (a link or jump-cache entry proposes it): in
    // untranslated real mode the EA itself, otherwise what the fetch TLB maps it to (real mode is translated
    // for an L2 and through the VRMA, in the TLB's real-mode context). A block is the only one for its real
    // address and mode, so that match makes it the right one.
    bool fetch_matches(uint64_t nip, const Block *b) const {
        const bool real = !(st_.msr & msr::IR);
        if (real && !mmu_.l2.active && !mmu_.vrma)
            return (nip & kRealModeMask) == b->real_start;
        const uint64_t ea = real ? nip & kRealModeMask : nip;
        const mmu::TlbEntry *e = mmu_.tlb->lookup(mmu::Access::Fetch, ea, real ? mmu::Tlb::kRealContext : tlb_context());
        return e && e->gpa + (ea & 0xfff) == b->real_start;
    }
    // A link of compiled code to the block at nip, which fetch_matches() approved, is about to be made: the
    // fetch TLB entry it used (none in untranslated real mode) moves the link stamp when it goes.
    bool mark_fetch_linked(uint64_t nip) {
        const bool real = !(st_.msr & msr::IR);
        if (real && !mmu_.l2.active && !mmu_.vrma)
            return true;
        const uint64_t ea = real ? nip & kRealModeMask : nip;
        return mmu_.tlb->mark_linked(mmu::Access::Fetch, ea, real ? mmu::Tlb::kRealContext : tlb_context());
    }
    // The block at nip: prev's link, the jump cache, block_lookup() for the rest. prev is the block that
    // ran last, when it started with the MSR there is now (so in the mode the next block needs), else null.
    Block *block_at(uint64_t nip, isa::Flow &f, Block *prev) {
        mmu_sync();
        const uint64_t epoch = blocks_.epoch();
        Block *b;
        if (prev) {
            if (b = prev->linked(nip, epoch); b && fetch_matches(nip, b)) [[likely]]
                return b;
        }
        if (b = blocks_.jump_lookup(nip, BlockCache::mode(st_.msr)); !b || !fetch_matches(nip, b)) [[unlikely]] {
            const uint64_t msr_before = st_.msr;
            b = block_lookup(nip, f);
            // An ISI on the way moves NIP and may change the MSR: no link for that.
            if (!b || st_.msr != msr_before)
                return b;
            nip = st_.nip;
        }
        if (prev)
            prev->link(nip, epoch, b);
        return b;
    }
    Block *block_lookup(uint64_t nip, isa::Flow &f);
    isa::Flow mmio_exit(uint64_t gpa, unsigned len, bool write, const uint8_t *data);

    Vm &vm_;
    uint32_t id_;
    struct ::phv_run run_{};
    Stats stats_;
    BlockCache blocks_{&mmu_.link_stamp};

    // Compiled code reads the memslot cache (and the MMU's state) as ram() and translate_data() do.
    friend class jit::BlockEmitter;

    // Per-vcpu memslot cache: the last slot hit and the layout generation it belongs to.
    const Memslots *slots_;
    const std::atomic<uint64_t> *partition_mmu_generation_;
    ReservationTable *reservations_;
    ReservationTable::Holder reservation_hold_;
    Memslot *slot_cache_ = nullptr;
    uint64_t slot_cache_gen_ = 0;
    // Compiled code's page of the last load [0] and store [1] (jit/native_memory.cpp): the EA's page, and what
    // to add to an EA in it for its host address and, for a store, its GPA. Valid while compiled code runs without
    // calling out: everything that changes a translation, the key context, MSR or a page's code runs in C++
    // (a called row, jit_link's mmu_sync(), the run loop), and compiled code empties the cells when C++ enters it and
    // after a called row or jit_link. A page another vcpu builds a block from is noticed at the
    // latest at the next timer check, as in loop mode (jit/README.md).
    struct JitPage {
        // No EA matches it: compiled code compares the page with the EA less the page-offset bits above
        // the access's alignment, and bit 11 is never among those kept.
        static constexpr uint64_t kEmpty = 0x800;
        uint64_t page = kEmpty;
        uint64_t host = 0;
        uint64_t gpa = 0;
    };
    JitPage jit_page_[2];
    // A self-looping block's cells, one per memory row (jit/emitter.h, loop mode): the page the row used
    // last, kept from one turn of the loop to the next. The block's entry empties the ones it uses.
    static constexpr unsigned kJitLoopCells = 8;
    JitPage jit_loop_page_[kJitLoopCells];

    // A load that went to MMIO and waits for run_.mmio.data.
    struct PendingLoad {
        bool active = false;
        uint8_t rt = 0, size = 0;
        bool sign = false, big_endian = false;
        bool fpr = false;                  // the target is FPR rt, converted as fpr_kind says
        FprLoad fpr_kind = FprLoad::Double;
        // A load partly from RAM (mmu_.mixed): its RAM bytes, and where the MMIO bytes go among them.
        bool partial = false;
        uint8_t mmio_off = 0, mmio_len = 0;
        uint8_t bytes[16] = {};
    } pending_load_;
    // A VSX access being served piece by piece (vsx_mmio); any interrupt forgets it.
    struct VsxMmio {
        bool active = false, waiting_load = false;
        uint64_t nip = 0, ea = 0;
        uint8_t n = 0, done = 0, piece = 0;
        uint8_t bytes[32] = {};
    } vsx_mmio_;
    bool pending_hcall_ = false;
    bool mmio_advance_ = false;   // the instruction that exited for MMIO is complete once served
    bool pair_first_done_ = false;   // see first_half_was_mmio(); any interrupt forgets it
    uint64_t pair_nip_ = 0;

    std::atomic<bool> kick_{false};
    std::atomic<bool> irq_line_{false};
    std::atomic<bool> attention_{false};
    std::mutex invalidate_lock_;
    std::vector<uint64_t> invalidate_pages_;
    uint64_t lpcr_update_mask_ = 0, lpcr_update_bits_ = 0;   // under invalidate_lock_ too

    phv_trace_fn trace_fn_ = nullptr;
    void *trace_opaque_ = nullptr;
};

} // namespace phv

#include "vcpu/vcpu_memory.inl"
