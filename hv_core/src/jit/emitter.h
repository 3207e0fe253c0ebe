// The x86-64 code generator for one block (jit/compiler.h), shared by the files that emit native rows.
//
// Register use: rbx holds the Vcpu and r12 the address of the instruction last made current (the
// interpreter's cia), both callee-saved so they survive the semantic calls; rbp, r13, r14, r15 and r8-r11
// hold guest GPRs and CR (gpr_cache.cpp). Native rows may use rax, rcx, rdx, rsi and rdi freely: nothing
// lives in them from one instruction to the next. A native row reads a GPR with src() (or use()) and
// writes it with dst() (or claim()), CR with cr_read()/cr_write(), never through CpuState themselves.
#pragma once
#include <optional>
#include <xbyak/xbyak.h>

#include <cstdint>
#include <array>
#include <deque>
#include <initializer_list>
#include <vector>

#include "isa/insn.h"
#include "vcpu/block_cache.h"

namespace phv {
class Vcpu;
} // namespace phv

namespace Xbyak::util {
class Cpu;
} // namespace Xbyak::util

namespace phv::jit {

class BlockEmitter;

// A jump target in one block's code. xbyak's own labels keep hash maps of definitions and of pending jumps,
// and a set of live labels, per generator, each entry a heap node; a block has dozens of labels (every
// memory row's slow path, every exit's link slots), and that upkeep was a fifth of compiling a block. This
// one holds its offset once bound (L) and, until then, where the jumps waiting for it end.
class Label {
public:
    Label() = default;
    Label(const Label &) = delete;
    Label &operator=(const Label &) = delete;

private:
    friend class BlockEmitter;
    static constexpr uint32_t kUnbound = ~0u;
    struct Fixup {
        uint32_t end;   // code offset just past the jump's displacement
        uint8_t size;   // 1 (short jump) or 4 (near)
    };
    uint32_t at_ = kUnbound;
    uint8_t n_ = 0;
    Fixup first_[6];
    std::vector<Fixup> more_;   // a label with many jumps to it (a row's slow path, the block's leave_)
};

// The host's CPUID, read once: native rows that need an extension decline without it.
const Xbyak::util::Cpu &host_cpu();

// How a native row was selected: which of the row's exec[] variants the record holds (OE, Rc) and the
// table's argument for rows that share an emitter (the operand shapes of the add family, a logical op...).
struct Variant {
    bool oe = false, rc = false;
    unsigned arg = 0;
};
// Emits d as host code and returns true, or returns false having emitted nothing (the row is then called).
using EmitFn = bool (BlockEmitter::*)(const isa::Decoded &d, const Variant &v);

class BlockEmitter : public Xbyak::CodeGenerator {
public:
    // What an instruction of the block does to the pending CR fields (cr_lazy.cpp): observes CR (or SO, or
    // is called: every field built first), a compare (its field pending), a conditional branch (reads its
    // field's compare again), a pure row (computes GPRs and can neither leave nor call: a field may be
    // dropped across it), or another row, which leaves or calls only through write_back(), which builds the
    // fields on that path.
    enum CrRole : uint8_t { kCrObserves, kCrTransparent, kCrPure, kCrCompare, kCrBranch };

    // allow_loop: a block that branches back to its own start may be compiled in loop mode (below).
    // settle_at: bit i, the label of instruction i (a branch within the block lands there) holds no pending
    // CR field (cr_lazy.cpp); the other labels hold the fall-through's, which every jump to them must have.
    BlockEmitter(Vcpu &v, const Block &b, void *at, size_t room, bool allow_loop, uint64_t settle_at = 0);
    unsigned native_insns() const { return native_; }
    // Loop mode: the block's code turns round to its own start without leaving it, its GPRs and CR held in
    // host registers from one turn to the next. It needs every row native and every GPR the block names in
    // a register of its own for the whole block; when the code turned out otherwise (a row declined, a
    // register had to be taken), the block is compiled again without it.
    bool loop_mode() const { return loop_; }
    bool loop_broken() const { return loop_broken_; }
    // The labels a jump came to with other pending compares than the label holds: the code is wrong, and
    // is compiled again with these in settle_at.
    uint64_t labels_broken() const { return labels_broken_; }
    // Offsets into the code: where a linking block jumps in, and the link slots (Block::jit_slots).
    uint32_t linked_entry() const { return linked_entry_; }
    const Block::JitSlot *slots() const { return slots_; }
    unsigned slot_count() const { return slot_count_; }
    static constexpr unsigned kCachedGprs = 8;   // host registers holding guest GPRs (and CR)

    // ---- native rows (native_fixedpoint.cpp) ----
    bool e_addi(const isa::Decoded &d, const Variant &v);
    bool e_add_family(const isa::Decoded &d, const Variant &v);
    bool e_logical(const isa::Decoded &d, const Variant &v);
    bool e_logical_imm(const isa::Decoded &d, const Variant &v);
    bool e_extend(const isa::Decoded &d, const Variant &v);
    bool e_cmp(const isa::Decoded &d, const Variant &v);
    bool e_rotate_word(const isa::Decoded &d, const Variant &v);
    bool e_rotate_double(const isa::Decoded &d, const Variant &v);
    bool e_shift(const isa::Decoded &d, const Variant &v);
    bool e_shift_algebraic(const isa::Decoded &d, const Variant &v);
    bool e_extswsli(const isa::Decoded &d, const Variant &v);
    // ---- native rows (native_branch.cpp) ----
    bool e_mfspr(const isa::Decoded &d, const Variant &v);
    bool e_mtspr(const isa::Decoded &d, const Variant &v);
    bool e_mfcr(const isa::Decoded &d, const Variant &v);
    bool e_mtcrf(const isa::Decoded &d, const Variant &v);
    bool e_crlogical(const isa::Decoded &d, const Variant &v);
    bool e_mcrf(const isa::Decoded &d, const Variant &v);
    bool e_b(const isa::Decoded &d, const Variant &v);
    bool e_bc(const isa::Decoded &d, const Variant &v);
    bool e_bc_reg(const isa::Decoded &d, const Variant &v);
    bool e_isync(const isa::Decoded &d, const Variant &v);
    int32_t spr_home(unsigned n) const;
    // ---- native rows (native_arith.cpp) ----
    bool e_mul(const isa::Decoded &d, const Variant &v);
    bool e_div(const isa::Decoded &d, const Variant &v);
    bool e_count(const isa::Decoded &d, const Variant &v);
    bool e_isel(const isa::Decoded &d, const Variant &v);
    bool e_mfmsr(const isa::Decoded &d, const Variant &v);
    bool e_nop(const isa::Decoded &d, const Variant &v);
    // A row called in place, keeping the registers (compiler.cpp).
    bool e_call(const isa::Decoded &d, const Variant &v);
    bool e_cmpb(const isa::Decoded &d, const Variant &v);
    bool e_trap(const isa::Decoded &d, const Variant &v);
    bool e_sync(const isa::Decoded &d, const Variant &v);
    // ---- native rows (native_memory.cpp) ----
    bool e_load(const isa::Decoded &d, const Variant &v);
    bool e_store(const isa::Decoded &d, const Variant &v);
    bool e_dcbz(const isa::Decoded &d, const Variant &v);
    bool e_icbi(const isa::Decoded &d, const Variant &v);
    bool e_fp_load(const isa::Decoded &d, const Variant &v);
    bool e_fp_store(const isa::Decoded &d, const Variant &v);
    bool e_vec_load(const isa::Decoded &d, const Variant &v);
    bool e_vec_store(const isa::Decoded &d, const Variant &v);
    // ---- native rows (native_fp.cpp) ----
    bool e_fp_arith(const isa::Decoded &d, const Variant &v);
    bool e_fp_move(const isa::Decoded &d, const Variant &v);
    bool e_fp_convert(const isa::Decoded &d, const Variant &v);
    // ---- native rows (native_vmx.cpp) ----
    bool e_vlogical(const isa::Decoded &d, const Variant &v);
    bool e_vadd_modulo(const isa::Decoded &d, const Variant &v);
    bool e_vshift_word(const isa::Decoded &d, const Variant &v);
    bool e_vmul_word(const isa::Decoded &d, const Variant &v);
    bool e_vperm(const isa::Decoded &d, const Variant &v);
    bool e_vsplti(const isa::Decoded &d, const Variant &v);
    // ---- native rows (native_vsx.cpp) ----
    bool e_vsx_move(const isa::Decoded &d, const Variant &v);
    bool e_vsx_logical(const isa::Decoded &d, const Variant &v);
    bool e_xxpermdi(const isa::Decoded &d, const Variant &v);

    // Jumps bound to a Label not bound yet: the code is incomplete while any is left (compile() checks).
    unsigned unbound_jumps() const { return unbound_; }

    // Jumps to a jit::Label and its binding, in the forms xbyak's own take (T_AUTO: short when the target
    // is behind and near, or, ahead, when the caller says nothing; a short jump too far is an Xbyak::Error).
    using Xbyak::CodeGenerator::L;
    using Xbyak::CodeGenerator::ja;
    using Xbyak::CodeGenerator::jae;
    using Xbyak::CodeGenerator::jb;
    using Xbyak::CodeGenerator::jc;
    using Xbyak::CodeGenerator::je;
    using Xbyak::CodeGenerator::jg;
    using Xbyak::CodeGenerator::jl;
    using Xbyak::CodeGenerator::jle;
    using Xbyak::CodeGenerator::jge;
    using Xbyak::CodeGenerator::jbe;
    using Xbyak::CodeGenerator::jmp;
    using Xbyak::CodeGenerator::jne;
    using Xbyak::CodeGenerator::jns;
    using Xbyak::CodeGenerator::jnz;
    using Xbyak::CodeGenerator::jz;
    void L(Label &l);
    void jmp(Label &l, LabelType t = T_AUTO) { jump(l, t, 0xeb, 0xe9, 0); }
    void ja(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x77, 0x87, 0x0f); }
    void jae(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x73, 0x83, 0x0f); }
    void jb(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x72, 0x82, 0x0f); }
    void jc(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x72, 0x82, 0x0f); }
    void je(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x74, 0x84, 0x0f); }
    void jg(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x7f, 0x8f, 0x0f); }
    void jl(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x7c, 0x8c, 0x0f); }
    void jle(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x7e, 0x8e, 0x0f); }
    void jge(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x7d, 0x8d, 0x0f); }
    void jbe(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x76, 0x86, 0x0f); }
    void jne(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x75, 0x85, 0x0f); }
    void jns(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x79, 0x89, 0x0f); }
    void jnz(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x75, 0x85, 0x0f); }
    void jz(Label &l, LabelType t = T_AUTO) { jump(l, t, 0x74, 0x84, 0x0f); }

private:
    unsigned unbound_ = 0;
    void jump(Label &l, LabelType t, uint8_t short_op, uint8_t near_op, uint8_t near_prefix);

    // Offsets into the Vcpu (rbx) of the state the native rows touch.
    int32_t nip_ = 0, insns_ = 0, gpr_ = 0, cr_ = 0, lr_ = 0, ctr_ = 0, so_ = 0, ov_ = 0, ov32_ = 0, ca_ = 0,
            ca32_ = 0, xer_bc_ = 0, msr_ = 0;
    Vcpu &v_;
    bool sf_ = true;   // MSR[SF] of the block's mode (BlockCache::key): 64-bit compares, CTR and EA widths
    bool le_ = true;   // MSR[LE]: the byte order of loads and stores
    bool pr_ = false;  // MSR[PR]: part of the TLB context
    bool dr_ = false;  // MSR[DR]: loads and stores relocated (the TLB) or real
    // The per-vcpu cells of the page last accessed (Vcpu::JitPage), loads [0] and stores [1]: whether the
    // cell still holds what a row (of this block or one linked before it) found there, or nothing
    // (JitPage::kEmpty): no called row since, so that a row may use it. Outside loop mode every access fills
    // its kind's cell on the TLB path (a later row, or a block linked after this one, may come to the page).
    bool page_known_[2] = {false, false};
    int32_t page_cell(bool store) const;
    void empty_page_cells(bool load, bool store);
    Label leave_;   // rsi = the record, al = its Flow (Jump or Exit): Vcpu::jit_leave and return
    unsigned pending_insns_ = 0, pending_bytes_ = 0, native_ = 0;
    // CpuState's NIP is r12 (then NIP of the current instruction is r12 + pending_bytes_). False where r12
    // moved without a store: advance_cia(), a label, the head of a loop-mode block, which a jump back enters
    // with NIP still what a slow path of the turn before stored.
    bool nip_stored_ = true;
    bool ended_ = false;   // a native branch wrote NIP: nothing of the block follows
    uint32_t linked_entry_ = 0;
    const Block &block_;
    Block::JitSlot slots_[Block::kJitSlots];
    unsigned slot_count_ = 0;   // Block::JitSlots::count: the slots of the exits emitted so far
    unsigned end_slots_ = 0;    // the block's end's slots when its last row decided them (e_bc), else 0
    // An exit (jit/link.cpp): the run loop's checks between blocks inline, then the link slots, then
    // Vcpu::jit_link for a block not linked yet. Goes to to_loop_ when the loop has work to do. The block's
    // end is one, and so is a side exit's taken branch (isa::side_exit).
    Label to_loop_;
    // nip_in_rax: rax holds NIP already (a native branch put it there), else the exit loads it.
    void emit_block_end(bool nip_in_rax);
    // The exit's link slots are slots [first, first + count) of the block (reserved by the caller, in the
    // exits' order).
    void emit_exit(unsigned first, unsigned count, bool nip_in_rax);
    void emit_link_slot(const Block &b, unsigned k, Label &slow, Label &recheck);
    // The shared routine that checks a slot again once the link stamp has moved (jit/link.cpp).
    static const void *link_check(const Vcpu &v);
    void emit_pmu_entry(const Block &b);
    // Loop mode (compiler.cpp decides it, link.cpp emits the turn): at the linked entry, the block's loop
    // cells emptied and its GPRs loaded; at its branch back (taken), the run loop's two tests, then straight
    // back to loop_head_, else NIP set, the GPRs written back and back to the loop.
    bool loop_ = false, loop_broken_ = false;
    // The instruction being emitted is not the block's last (a side exit's bc).
    bool mid_block() const { return index_ + 1 < names_.size(); }
    Label loop_head_, loop_exit_;
    std::vector<int8_t> loop_cell_;   // per instruction, the memory row's Vcpu::jit_loop_page_ cell, or -1
    void emit_loop_entry(uint64_t regs, uint64_t written);
    bool loop_back(const isa::Decoded &d) const { return loop_ && index_ + 1 == names_.size() && !(d.word & 3); }
    void emit_loop_back(const isa::Decoded &d);
    // Branches within the block (outside loop mode): a relative b or bc without LK whose target is an
    // instruction of the block jumps to that instruction's label rather than leaving. Every label is a
    // join: there, the registers hold what the fall-through held (label_cache_), the count and r12 are up to
    // date (r12 = the label's instruction's address) and the page cells hold a page or nothing. A branch back
    // makes the run loop's two tests first, as a linked exit does, so that a loop inside a block still sees
    // a kick or a timer.
    std::vector<int> internal_;         // per instruction: the index of its branch's target, or -1
    std::vector<bool> join_;            // per instruction: the target of an internal branch
    std::deque<Label> labels_;          // per instruction: its label when join_
    bool end_unreachable_ = false;      // the block's last row always jumps within it: no end to emit
    void find_internal_branches(const Block &b);
    void join();   // the fall-through into the current instruction's label
    int internal_target() const { return internal_.empty() ? -1 : internal_[index_]; }
    void jump_internal(const isa::Decoded &d, unsigned target, bool backward);
    uint32_t here() const { return uint32_t(getSize()); }

    // GPR n in CpuState: only the GPR cache reads and writes it there.
    Xbyak::Address gpr(unsigned n) { return qword[rbx + gpr_ + int32_t(8 * n)]; }
    Xbyak::Address gpr32(unsigned n) { return dword[rbx + gpr_ + int32_t(8 * n)]; }

    // ---- guest GPRs in host registers (gpr_cache.cpp) ----
    struct CachedGpr {
        int gpr = -1;        // the GPR held, -1 none
        bool dirty = false;  // written since CpuState was: it must be written back
        unsigned used = 0;   // the last instruction (stamp_) that named it
    };
    CachedGpr cache_[kCachedGprs];
    // Per instruction: what its label holds (join() leaves there the registers of the fall-through that the
    // block names again before a call, dirty or not; a jump conforms to it).
    std::vector<std::array<CachedGpr, kCachedGprs>> label_cache_;
    void conform_to(const std::array<CachedGpr, kCachedGprs> &label);
    unsigned stamp_ = 0;   // counts the instructions emitted: the current one's GPRs are never evicted
    // Per instruction of the block, the GPRs its RT, RA and RB fields could name and (bit kCr) whether it
    // reads or writes CR, if it is a native row, or kCallBarrier for a called row (nothing stays in a
    // register across it): next_use()'s source.
    static constexpr uint64_t kCallBarrier = ~0ull;
    std::vector<uint64_t> names_;
    // CR is held like a GPR, as register number kCr (its low word; CpuState keeps it in a word); so is CTR,
    // kCtr, in loop mode only (a loop whose only row naming it is the bdnz back).
    static constexpr unsigned kCr = 32, kCtr = 33;
    // bc's decrement of CTR, ZF set as the block's mode tests it (== 0).
    void decrement_ctr();
    Xbyak::Address home(unsigned n);   // where register n lives in CpuState, in its width
    void load_home(unsigned slot);
    void load_into(unsigned slot, unsigned n);   // slot's host register = register n from CpuState
    void store_home(unsigned slot);
    // CR's register, to read; to write (marked dirty).
    Xbyak::Reg32 cr_read() { return use(kCr).cvt32(); }
    Xbyak::Reg32 cr_write() {
        const Xbyak::Reg32 r = use(kCr).cvt32();
        mark_dirty(kCr);
        return r;
    }
    size_t index_ = 0;   // the instruction being emitted

    // ---- lazy CR fields (cr_lazy.cpp) ----
    // A compare whose CR field is not built yet: its operands (RA, and RB or the immediate) hold what the
    // compare saw until the field is built or dropped.
    struct PendingCmp {
        bool live = false;
        bool is_signed = false, l = false, imm = false;
        uint8_t ra = 0, rb = 0;
        int32_t simm = 0;
    };
    std::array<PendingCmp, 8> pending_{};
    std::vector<uint8_t> cr_role_, cmp_field_;   // per instruction: its CrRole, a compare's field
    std::vector<uint32_t> gprs_written_;   // per instruction, the GPRs a native row may write
    void cr_before_row();
    bool field_dead_from(size_t i, unsigned f) const;
    static bool same_compare(const PendingCmp &a, const PendingCmp &b);
    void compare_again(const PendingCmp &p);
    void build_field(unsigned f);
    void materialize_fields();   // on this path, the state unchanged
    void settle_field(unsigned f);   // built, and no longer pending
    void settle_cr();
    void jump_on_cr_bit(unsigned bi, const Xbyak::Reg32 &cr, bool set, Label &to);
    // The field whose compare jump_on_cr_bit() made last, and the code offset just after its jump: a field
    // built right there uses the flags as they are. Cleared where another jump lands on that offset.
    uint64_t settle_at_ = 0, labels_broken_ = 0;
    std::vector<std::array<PendingCmp, 8>> label_pending_;   // per instruction: what its label holds pending
    int flags_field_ = -1;
    uint32_t flags_at_ = 0;
    bool flags_hold(unsigned f) const;

    // ---- code off the common path (compiler.cpp, emit_cold_paths) ----
    // What runs rarely (a memory row's TLB lookup after its page cell missed, a reserved granule's check, a
    // row's semantic call when its fast path declines) is emitted after the block's end, so that the
    // common path runs straight through, with no taken jump over code it does not run, in fewer cache
    // lines. Such a path is emitted later with the compile-time state of the point that jumps to it, which
    // rejoin() takes where it goes back to the common path (its `resume`, bound there).
    struct ColdPath {
        Label entry;    // where the common path jumps to it
        Label resume;   // where it goes back to the common path
        void (BlockEmitter::*emit)(ColdPath &) = nullptr;
        CachedGpr cache[kCachedGprs];
        unsigned pending_insns = 0, pending_bytes = 0;
        bool nip_stored = true;
        bool page_known[2] = {};
        std::array<PendingCmp, 8> pending{};
        // A semantic call (emit_slow_call): the row, and what it writes (reload_after_call's mask).
        const isa::Decoded *d = nullptr;
        uint64_t written = 0;
        // A memory row's TLB path (emit_tlb_path) or reservation check (emit_reservation_path): the access's
        // length and kind, its page cell (an offset in the Vcpu) and whether the TLB path fills it, and the
        // row's semantic call.
        unsigned len = 0;
        bool store = false, fill_cell = false;
        int32_t cell = 0;
        Label *slow = nullptr;
        // A side exit's taken bc (emit_side_exit): LK, and its link slot.
        bool set_lr = false;
        unsigned first_slot = 0;
        // A bc's taken way within the block (emit_internal_jump): the target's index, and whether it is
        // behind the branch.
        unsigned target = 0;
        bool backward = false;
    };
    std::deque<ColdPath> cold_;   // a deque: the labels stay where the jumps to them were recorded
    ColdPath &cold_path(void (BlockEmitter::*emit)(ColdPath &));
    // The row's semantic call as its cold path: the row jumps to `entry` when its fast path declines.
    ColdPath &slow_call() { return cold_path(&BlockEmitter::emit_slow_call); }
    // The common path's state taken for c; and its resume bound here, where c goes back to it.
    void capture(ColdPath &c);
    void rejoin(ColdPath &c) {
        capture(c);
        L(c.resume);
    }
    void emit_side_exit(ColdPath &c);
    void emit_internal_jump(ColdPath &c);
    void branch_target(const isa::Decoded &d);
    void set_lr(const isa::Decoded &d);
    void emit_slow_call(ColdPath &c);
    void emit_tlb_path(ColdPath &c);
    void emit_reservation_path(ColdPath &c);
    void emit_cold_paths();
    // host_address()'s parts: the TLB lookup (or real mode's memslot) and note_store()'s page checks, which
    // fill the page cell at `cell` when `fill_cell`; the reserved-granule check of a store with rcx = its GPA.
    void tlb_lookup(unsigned len, bool store, int32_t cell, bool fill_cell, Label &slow);
    void reservation_check(unsigned len, Label &slow, bool held = false);
    static constexpr unsigned kNever = ~0u;
    // How many instructions after the current one register n is named next, or kNever when not before the next
    // called row or the block's end (its register is then only worth a write-back).
    unsigned next_use(unsigned n) const;
    int slot_of(unsigned n) const;
    // Whether instruction i or one after it names register n before the next called row.
    bool named_from(size_t i, unsigned n) const;
    unsigned take_slot();
    // The host register holding GPR n, loaded from CpuState if it was not held.
    Xbyak::Reg64 use(unsigned n);
    // A GPR operand for one row: its host register or, when not held and not worth holding, its CpuState
    // slot. q() is the doubleword, d() the low word.
    class Gpr {
    public:
        Gpr(const Xbyak::Reg64 &r, const Xbyak::Address &m, const Xbyak::Address &m32, bool in_reg)
            : r_(r), r32_(r.cvt32()), m_(m), m32_(m32), in_reg_(in_reg) {}
        const Xbyak::Operand &q() const { return in_reg_ ? static_cast<const Xbyak::Operand &>(r_) : m_; }
        const Xbyak::Operand &d() const { return in_reg_ ? static_cast<const Xbyak::Operand &>(r32_) : m32_; }
        bool in_reg() const { return in_reg_; }
        const Xbyak::Reg64 &reg() const { return r_; }
    private:
        Xbyak::Reg64 r_;
        Xbyak::Reg32 r32_;
        Xbyak::Address m_, m32_;
        bool in_reg_;
    };
    Gpr held(unsigned n, int slot);
    // Where GPR n (or CR) is now, nothing loaded or taken.
    Gpr where(unsigned n);
    // A row of the form RT = op(sources) computed in RT's own register: true when it and every source are
    // in registers (the sources are read first, so RT's register never is one not loaded yet).
    bool in_registers(std::initializer_list<Gpr> sources, const Gpr &target) const {
        for (const Gpr &g : sources)
            if (!g.in_reg())
                return false;
        return target.in_reg();
    }
    // GPR n to read: held (loaded on this first use) when the block names it again before a call.
    Gpr src(unsigned n);
    // GPR n to write now: marked dirty in its register, or CpuState itself when the block does not name
    // it again before a call.
    Gpr dst(unsigned n);
    // GPR n to write on each of two paths (a memory row's fast and slow path) that mark_dirty() where they
    // meet: as dst(), neither loaded nor marked dirty.
    Gpr claim(unsigned n);
    void mark_dirty(unsigned n);
    // After a slow path's call: the registers of the GPRs in `written` (bit n for GPR n, bit kCr for CR:
    // what the semantic function wrote) and every caller-saved register reloaded from CpuState.
    void reload_after_call(uint64_t written);
    // The pending CR fields built and the dirty registers stored to CpuState, the compile-time state
    // unchanged: on a path that does not come back to the code that follows (or comes back to it with the
    // same registers, as a slow path does).
    void write_back();
    // write_back(), then all clean: before a call whose return continues on this path, and at the end.
    void flush();
    // Nothing held any more: after a call that may have written any GPR.
    void forget();
    void sync_nip();
    void load_imm(const Xbyak::Reg64 &r, uint64_t v);
    // ecx = 8, 4 or 2 from the flags of the compare just made (signed: l/g, unsigned: b/a); trashes edx.
    void cr_from_flags(bool is_signed);
    // CR field bf = ecx | XER[SO]; trashes ecx and edx.
    void set_crf(unsigned bf);
    // Rc=1: CR0 from the result, GPR `result` (written by the row), as record() compares it in the block's
    // mode.
    void record(const Variant &v, unsigned result);
    // OV = OV32 = the byte register ov, SO |= ov (sem::set_ov with equal 64- and 32-bit overflows).
    void set_ov_both(const Xbyak::Reg8 &ov);
    // rax = XER (CpuState::get_xer); XER = rax (set_xer). Trash rcx.
    void load_xer();
    void store_xer();
    // r &= m (e_rotate_double's masks); may use rdx.
    void and_mask(const Xbyak::Reg64 &r, uint64_t m);
    // The EA mask of the block's mode applied to r.
    void mask_ea(const Xbyak::Reg64 &r);
    // r12 = the current instruction's address (the branch being emitted), nothing stored.
    void advance_cia();
    // The interpreter's call of d's semantic function, for a native row's slow path: NIP and the count
    // brought up to date without moving r12 or the pending counts, which the fast path leaves as they are.
    // Falls through on Next; Jump or Exit leave the block.
    // The dirty GPRs are written back first; after the call, `written` (reload_after_call's mask) are reloaded.
    void call_slow(const isa::Decoded &d, uint64_t written);
    // What every memory row ends with once its fast path is emitted: RA's update (the new EA in rsi) when
    // `ra`, the slow path at `slow` (the page cell made unusable for later rows, the semantic call, which
    // writes RT when `writes_rt` and RA when `ra`), and what the block knows after the row.
    void end_memory_row(const isa::Decoded &d, bool store, const std::optional<Gpr> &ra, bool writes_rt,
                        ColdPath &slow);
    // rdi + rsi = the host address of the len-byte access at the EA in rsi, or a jump to slow: what
    // translate_data() finds without its slow path (the page cell of this kind when page_known_, else a
    // TLB hit or real mode in one memslot, as the block's MSR[DR] says). Stores are also sent to slow when
    // note_store() would have work to do. Fills the cell outside loop mode. Uses rax, rcx, rdx and rdi
    // only.
    void host_address(unsigned len, bool store, Label &slow);
    void byte_reverse(unsigned len);
    // The FP and vector rows: a jump to slow when MSR's facility bit is off; where a VSR doubleword lives.
    void need_facility(uint64_t msr_bit, Label &slow);
    int32_t vsr_dw(unsigned n, unsigned dw) const;
    // The FP arithmetic rows (native_fp.cpp): FPSCR's offset; FPR n's operand checks; CR1 from FPSCR.
    int32_t fpscr_off() const;
    void fp_operand(unsigned n, const Xbyak::Reg32 &e, unsigned max_e, Label &slow);
    void record_fp_cr(const Xbyak::Reg32 &f);
    void end_fp_row(const isa::Decoded &d, const Variant &v, const Xbyak::Reg32 &fpscr, ColdPath &slow);
    void commit_fpscr(uint32_t replaced, bool inexact_possible);
    // VR n in CpuState, 16 bytes; a VMX row's frame: MSR[VEC] tested, compute() leaves VRT's value in xmm0,
    // the semantic function as the slow path (native_vmx.cpp).
    Xbyak::Address vr(unsigned n) const;
    template <typename F>
    bool vmx_row(const isa::Decoded &d, bool load_ab, F compute);
    // rsi = the EA of a quadword vector row (e_vec_load's arg), its facility tested; returns its VSR.
    unsigned quad_operand(const isa::Decoded &d, unsigned arg, Label &slow);
    // rsi = the EA of a D/DS- or X-form load or store, as sem::effective_address computes it.
    void effective_address(const isa::Decoded &d, bool x_form, bool update);
};

} // namespace phv::jit
