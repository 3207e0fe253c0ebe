// Native branch-facility rows (Book I 2.4-2.5, 3.3.17): the block-ending branches with their BO decoding,
// CR logical and field moves, mfcr/mtcrf, and mfspr/mtspr of LR, CTR and XER (user registers that no privilege,
// facility or PMU check applies to) and, in privileged blocks, of the plain privileged SPRs (spr_home); any
// other SPR goes through Vcpu::mfspr/mtspr. Each does what its
// semantic function (isa/semantics/branch.h, system.h) does in the block's mode.
#include "isa/semantics/branch.h"
#include "isa/semantics/system.h"
#include "jit/emitter.h"

namespace phv::jit {

using namespace Xbyak::util;

// Where SPR n lives in the Vcpu when the block may read and write it as plain storage, else -1: LR and CTR,
// and the privileged SPRs that Vcpu::mfspr and mtspr_value read and write as they are (SRR0/1, DAR, DSISR
// and SPRG0-3, which Linux's interrupt entry and exit move by the hundred thousand) when the block runs
// privileged (MSR[PR] is in its key; in problem state they are called, for the privileged-instruction
// interrupt). Every CPU model has them; no facility or PMU check applies to them.
int32_t BlockEmitter::spr_home(unsigned n) const {
    if (n == spr::LR || n == spr::CTR)
        return n == spr::LR ? lr_ : ctr_;
    const bool plain = n == spr::SRR0 || n == spr::SRR1 || n == spr::DAR || n == spr::DSISR ||
                       (n >= spr::SPRG0 && n <= spr::SPRG3);
    if (!plain || pr_)
        return -1;
    return int32_t(reinterpret_cast<const char *>(&v_.st_.spr[n]) - reinterpret_cast<const char *>(&v_));
}

bool BlockEmitter::e_mfspr(const isa::Decoded &d, const Variant &) {
    if (d.imm == spr::XER) {
        load_xer();
        mov(dst(d.rt).q(), rax);
        return true;
    }
    const int32_t at = spr_home(unsigned(d.imm));
    if (at < 0)
        return false;
    const Gpr t = dst(d.rt);
    if (t.in_reg()) {
        mov(t.reg(), qword[rbx + at]);
    } else {
        mov(rax, qword[rbx + at]);
        mov(t.q(), rax);
    }
    return true;
}

bool BlockEmitter::e_mtspr(const isa::Decoded &d, const Variant &) {
    const int32_t at = d.imm == spr::XER ? 0 : spr_home(unsigned(d.imm));
    if (at < 0)
        return false;
    const Gpr s = src(d.rt);
    if (d.imm == spr::XER) {
        mov(rax, s.q());
        store_xer();
    } else if (d.imm == spr::DSISR) {   // a 32-bit register: read back zero-extended (mtspr_value)
        mov(eax, s.d());
        mov(qword[rbx + at], rax);
    } else if (s.in_reg()) {
        mov(qword[rbx + at], s.reg());
    } else {
        mov(rax, s.q());
        mov(qword[rbx + at], rax);
    }
    return true;
}

// mfcr, and mfocrf (bit 11) with one field named; with another FXM RT is left alone (sem::mfcr).
bool BlockEmitter::e_mfcr(const isa::Decoded &d, const Variant &) {
    const uint32_t fxm = isa::field::FXM(d.word);
    const bool one = isa::bits(d.word, 11, 11);
    if (one && !isa::sem::one_field(fxm))
        return true;
    mov(eax, cr_read());
    if (one)
        and_(eax, isa::sem::fxm_mask(fxm));
    mov(dst(d.rt).q(), rax);
    return true;
}

bool BlockEmitter::e_mtcrf(const isa::Decoded &d, const Variant &) {
    const uint32_t fxm = isa::field::FXM(d.word);
    if (isa::bits(d.word, 11, 11) && !isa::sem::one_field(fxm))
        return true;
    const uint32_t m = isa::sem::fxm_mask(fxm);
    mov(eax, src(d.rt).d());
    and_(eax, m);
    const Xbyak::Reg32 cr = cr_write();
    and_(cr, ~m);
    or_(cr, eax);
    return true;
}

// CR[BT] = CR[BA] op CR[BB]; arg: 0 and, 1 andc, 2 or, 3 orc, 4 xor, 5 nand, 6 nor, 7 eqv.
bool BlockEmitter::e_crlogical(const isa::Decoded &d, const Variant &v) {
    mov(eax, cr_read());
    mov(ecx, eax);
    shr(ecx, 31 - d.ra);
    mov(edx, eax);
    shr(edx, 31 - d.rb);
    if (v.arg == 1 || v.arg == 3)
        not_(edx);
    switch (v.arg) {
    case 0: case 1: case 5: and_(ecx, edx); break;
    case 2: case 3: case 6: or_(ecx, edx); break;
    default: xor_(ecx, edx); break;
    }
    if (v.arg >= 5)
        not_(ecx);
    and_(ecx, 1);
    if (31 - d.rt)
        shl(ecx, 31 - d.rt);
    and_(eax, ~(1u << (31 - d.rt)));
    or_(eax, ecx);
    mov(cr_write(), eax);
    return true;
}

bool BlockEmitter::e_mcrf(const isa::Decoded &d, const Variant &) {
    const unsigned from = 28 - 4 * (d.ra >> 2), to = 28 - 4 * (d.rt >> 2);
    mov(eax, cr_read());
    mov(ecx, eax);
    if (from)
        shr(ecx, from);
    and_(ecx, 0xf);
    if (to)
        shl(ecx, to);
    and_(eax, ~(0xfu << to));
    or_(eax, ecx);
    mov(cr_write(), eax);
    return true;
}

// rax = the target of b or bc. The block's EA is not fixed (a block is shared by every EA that maps to its
// real address), so a relative target is computed from r12, the branch's own address.
void BlockEmitter::branch_target(const isa::Decoded &d) {
    if (d.word & 2) {
        load_imm(rax, sf_ ? uint64_t(d.imm) : uint32_t(d.imm));
    } else {
        lea(rax, ptr[r12 + int32_t(d.imm)]);
        mask_ea(rax);
    }
}

// LK: LR = the address after the branch's (r12's).
void BlockEmitter::set_lr(const isa::Decoded &d) {
    lea(rcx, ptr[r12 + d.len]);
    mask_ea(rcx);
    mov(qword[rbx + lr_], rcx);
}

// b/ba/bl/bla.
bool BlockEmitter::e_b(const isa::Decoded &d, const Variant &v) {
    advance_cia();
    if (loop_back(d)) {
        emit_loop_back(d);
        ended_ = true;
        return true;
    }
    if (const int k = internal_target(); k >= 0) {
        jump_internal(d, unsigned(k), unsigned(k) <= index_);
        ended_ = end_unreachable_ = true;
        return true;
    }
    branch_target(d);
    mov(qword[rbx + nip_], rax);
    if (v.rc)   // LK
        set_lr(d);
    ended_ = true;
    return true;
}

// isync (sem::context_sync): the block ends, as at a branch to the next instruction, whose fetch the exit
// makes again through its link slots and the run loop's tests (a code invalidation raises the attention
// flag and starts a new epoch, so a link to stale code is never taken). As a called row it returned to the
// run loop every time, unlinked: 210,000 times in the shell workload.
bool BlockEmitter::e_isync(const isa::Decoded &d, const Variant &) {
    if (d.fn != &isa::sem::context_sync)
        return false;
    advance_cia();
    lea(rax, ptr[r12 + d.len]);
    mask_ea(rax);
    mov(qword[rbx + nip_], rax);
    end_slots_ = 1;   // one successor
    ended_ = true;
    return true;
}

namespace {
constexpr unsigned kBoNoCtr = 0x04, kBoCtrZero = 0x02, kBoNoCond = 0x10, kBoCondTrue = 0x08;
}

void BlockEmitter::decrement_ctr() {
    if (slot_of(kCtr) >= 0) {   // loop mode's register (dirty from the loop's entry on)
        const Xbyak::Reg64 r = where(kCtr).reg();
        sub(r, 1);
        if (!sf_)
            test(r.cvt32(), r.cvt32());
        return;
    }
    sub(qword[rbx + ctr_], 1);
    if (!sf_)
        cmp(dword[rbx + ctr_], 0);
}

// bc/bca/bcl/bcla (sem::bc, sem::branch_taken): CTR decremented unless BO[2], then tested in the mode's
// width; CR[BI] tested unless BO[0]. Target in rax when taken. A conditional branch's taken way leaves
// through an exit of its own, with the GPRs written back and the registers left as they are for the
// fall-through: a side exit's (isa::side_exit) is a cold path, so that the block goes on straight; the
// block's last branch's is the block's end with one link slot. Each way then has its own compare and jump
// on the host, which predicts them apart, rather than both going through one chain of slot compares.
bool BlockEmitter::e_bc(const isa::Decoded &d, const Variant &v) {
    const unsigned bo = d.rt, bi = d.ra;
    // CR's register before the first jump: the paths that skip its test must see the same allocation. A
    // pending field's compare is made again instead (cr_lazy.cpp).
    const bool lazy = !(bo & kBoNoCond) && pending_[bi >> 2].live;
    const Xbyak::Reg32 cr = bo & kBoNoCond || lazy ? eax : cr_read();
    if (lazy) {   // its operands into registers, where the block names them again
        src(pending_[bi >> 2].ra);
        if (!pending_[bi >> 2].imm)
            src(pending_[bi >> 2].rb);
    }
    const bool conditional = (bo & (kBoNoCtr | kBoNoCond)) != (kBoNoCtr | kBoNoCond);
    const int internal = internal_target();
    // A branch in the middle goes on with r12 where it is: only its taken way, a cold path, needs the
    // branch's address (emit_side_exit, emit_internal_jump advance r12 there).
    if (conditional && mid_block()) {
        ColdPath &taken = cold_path(internal >= 0 ? &BlockEmitter::emit_internal_jump : &BlockEmitter::emit_side_exit);
        taken.d = &d, taken.set_lr = v.rc;
        if (internal >= 0)
            taken.target = unsigned(internal), taken.backward = unsigned(internal) <= index_;
        else
            taken.first_slot = slot_count_++;
        Label not_taken;
        if (!(bo & kBoNoCtr)) {
            decrement_ctr();
            // taken when (CTR == 0) == BO[3] (and the condition holds)
            const bool last = bo & kBoNoCond;
            if (bool(bo & kBoCtrZero) == last)
                jz(last ? taken.entry : not_taken, T_NEAR);
            else
                jnz(last ? taken.entry : not_taken, T_NEAR);
        }
        if (!(bo & kBoNoCond))
            jump_on_cr_bit(bi, cr, bo & kBoCondTrue, taken.entry);
        L(not_taken);
        capture(taken);
        return true;
    }
    advance_cia();
    Label not_taken, out;
    if (!(bo & kBoNoCtr)) {
        decrement_ctr();
        if (bo & kBoCtrZero)
            jnz(not_taken, T_NEAR);
        else
            jz(not_taken, T_NEAR);
    }
    if (!(bo & kBoNoCond))
        jump_on_cr_bit(bi, cr, !(bo & kBoCondTrue), not_taken);
    if (loop_back(d)) {
        emit_loop_back(d);
        end_slots_ = 1;   // the block's end is the fall-through's alone
    } else if (internal >= 0) {
        jump_internal(d, unsigned(internal), unsigned(internal) <= index_);
        if (!conditional) {
            ended_ = end_unreachable_ = true;
            return true;
        }
        end_slots_ = 1;
    } else {
        branch_target(d);
        if (conditional) {
            mov(qword[rbx + nip_], rax);
            if (v.rc)
                set_lr(d);
            write_back();
            add(qword[rbx + insns_], pending_insns_ + 1);
            const unsigned first = slot_count_++;
            emit_exit(first, 1, true);
            end_slots_ = 1;
        } else {
            jmp(out, T_NEAR);
        }
    }
    L(not_taken);
    lea(rax, ptr[r12 + d.len]);
    mask_ea(rax);
    L(out);
    mov(qword[rbx + nip_], rax);
    if (v.rc)
        set_lr(d);
    ended_ = true;
    return true;
}

// A side exit's taken bc, as e_bc leaves through the block's last conditional branch.
void BlockEmitter::emit_side_exit(ColdPath &c) {
    advance_cia();
    branch_target(*c.d);
    mov(qword[rbx + nip_], rax);
    if (c.set_lr)
        set_lr(*c.d);
    write_back();
    add(qword[rbx + insns_], pending_insns_ + 1);
    emit_exit(c.first_slot, 1, true);
}

// bclr/bcctr (+l), arg 0 LR, 1 CTR (sem::bc_reg): the target is read before LK writes LR. bcctr with
// BO[2]=0 is the test-and-decrement form: the old CTR is tested, and only if that passes decremented.
bool BlockEmitter::e_bc_reg(const isa::Decoded &d, const Variant &v) {
    const unsigned bo = d.rt, bi = d.ra;
    const bool ctr_target = v.arg == 1;
    const Xbyak::Reg32 cr = bo & kBoNoCond ? eax : cr_read();   // before the first jump, as in e_bc
    advance_cia();
    mov(rsi, qword[rbx + (ctr_target ? ctr_ : lr_)]);
    and_(rsi, -4);
    mask_ea(rsi);
    Label not_taken, out;
    if (!(bo & kBoNoCtr)) {
        if (ctr_target) {
            if (sf_)
                cmp(qword[rbx + ctr_], 0);
            else
                cmp(dword[rbx + ctr_], 0);
            // fails when (CTR == 0) != BO[3]
            if (bo & kBoCtrZero)
                jnz(not_taken, T_NEAR);
            else
                jz(not_taken, T_NEAR);
            sub(qword[rbx + ctr_], 1);
        } else {
            sub(qword[rbx + ctr_], 1);
            if (!sf_)
                cmp(dword[rbx + ctr_], 0);
            if (bo & kBoCtrZero)
                jnz(not_taken, T_NEAR);
            else
                jz(not_taken, T_NEAR);
        }
    }
    if (!(bo & kBoNoCond)) {
        test(cr, 1u << (31 - bi));
        if (bo & kBoCondTrue)
            jz(not_taken, T_NEAR);
        else
            jnz(not_taken, T_NEAR);
    }
    mov(rax, rsi);
    if ((bo & (kBoNoCtr | kBoNoCond)) != (kBoNoCtr | kBoNoCond)) {   // conditional: NIP may be the next
        jmp(out, T_NEAR);
        L(not_taken);
        lea(rax, ptr[r12 + d.len]);
        mask_ea(rax);
        L(out);
    }
    mov(qword[rbx + nip_], rax);
    if (v.rc) {
        lea(rcx, ptr[r12 + d.len]);
        mask_ea(rcx);
        mov(qword[rbx + lr_], rcx);
    }
    ended_ = true;
    return true;
}

} // namespace phv::jit
