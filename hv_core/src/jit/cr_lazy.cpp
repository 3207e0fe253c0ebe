// Lazy CR fields: a compare's field is built only where something can observe it (jit/emitter.h).
//
// Building a compare's field costs ten host instructions (the three-way result, XER[SO], the insert into
// CR), and most fields are read once, by a conditional branch a few rows later, or not at all: the next
// compare writes the same field again. So a compare emits nothing but the loads of its operands; it is
// remembered (PendingCmp), and a branch that tests its LT, GT or EQ bit compares again and jumps on the
// host's flags. The field is built where CR may be observed, and only there:
//   - before a row that reads or writes CR in another way, can change XER[SO], or is called;
//   - on every path that leaves the code or calls out (write_back(): side exits, slow paths, the block's
//     end), and before a jump to a label or back to a loop's head (whose state has nothing pending);
//   - before a row that writes one of its operands, unless a compare writes the field again before
//     anything could observe it (no exit, call or CR read in between): then it is dropped unbuilt.
// Building reads XER[SO] as it is then: every row that can change SO builds the pending fields first, so
// it is SO as the compare saw it.
#include "jit/emitter.h"

namespace phv::jit {

using namespace Xbyak::util;

void BlockEmitter::cr_before_row() {
    bool any = false;
    for (const PendingCmp &p : pending_)
        any |= p.live;
    if (!any)
        return;
    if (cr_role_[index_] == kCrObserves) {
        settle_cr();
        return;
    }
    const uint32_t written = gprs_written_[index_];
    for (unsigned f = 0; f < pending_.size(); ++f) {
        PendingCmp &p = pending_[f];
        if (!p.live || !((written >> p.ra & 1u) || (!p.imm && (written >> p.rb & 1u))))
            continue;
        if (field_dead_from(index_, f))
            p.live = false;
        else
            settle_field(f);
    }
}

bool BlockEmitter::same_compare(const PendingCmp &a, const PendingCmp &b) {
    return a.live == b.live && a.is_signed == b.is_signed && a.l == b.l && a.imm == b.imm && a.ra == b.ra &&
           (a.imm ? a.simm == b.simm : a.rb == b.rb);
}

// From instruction i on, nothing but rows that cannot leave the code, call out or read CR, up to a compare
// into field f.
bool BlockEmitter::field_dead_from(size_t i, unsigned f) const {
    for (size_t k = i; k < cr_role_.size(); ++k) {
        if (cr_role_[k] == kCrCompare && cmp_field_[k] == f)
            return true;
        if (cr_role_[k] != kCrPure && cr_role_[k] != kCrCompare)
            return false;
    }
    return false;
}

// The compare again, its operands where they are now (no register is taken: the callers may be on a path
// whose allocation must stay as it is). Uses rcx.
void BlockEmitter::compare_again(const PendingCmp &p) {
    const Gpr a = where(p.ra);
    Xbyak::Reg64 ra = rcx;
    if (a.in_reg())
        ra = a.reg();
    else
        mov(rcx, a.q());
    if (p.imm) {
        if (p.l)
            cmp(ra, p.simm);
        else
            cmp(ra.cvt32(), p.simm);
        return;
    }
    const Gpr b = where(p.rb);
    if (p.l)
        cmp(ra, b.q());
    else
        cmp(ra.cvt32(), b.d());
}

// Field f of CR's register, or of CpuState's CR when no register holds it, from its compare. Uses rcx, rdx.
void BlockEmitter::build_field(unsigned f) {
    const PendingCmp &p = pending_[f];
    if (!flags_hold(f))
        compare_again(p);
    flags_field_ = -1;
    cr_from_flags(p.is_signed);
    const unsigned shift = 28 - 4 * f;
    movzx(edx, byte[rbx + so_]);
    or_(ecx, edx);
    if (shift)
        shl(ecx, shift);
    if (const int s = slot_of(kCr); s >= 0) {
        const Xbyak::Reg32 cr = where(kCr).reg().cvt32();
        and_(cr, ~(0xfu << shift));
        or_(cr, ecx);
    } else {
        and_(dword[rbx + cr_], ~(0xfu << shift));
        or_(dword[rbx + cr_], ecx);
    }
}

// Every pending field built, on this path only: the compile-time state stays as it is, and CpuState gets
// a register that was clean and is no longer (a dirty one is written back by the caller, or stays dirty).
void BlockEmitter::materialize_fields() {
    // The field whose compare the flags still hold first, with no compare.
    const int first = flags_field_ >= 0 && flags_hold(unsigned(flags_field_)) ? flags_field_ : -1;
    if (first >= 0)
        build_field(unsigned(first));
    bool built = first >= 0;
    for (unsigned f = 0; f < pending_.size(); ++f)
        if (pending_[f].live && int(f) != first) {
            build_field(f);
            built = true;
        }
    if (const int s = slot_of(kCr); built && s >= 0 && !cache_[s].dirty)
        store_home(unsigned(s));
}

void BlockEmitter::settle_field(unsigned f) {
    build_field(f);
    pending_[f].live = false;
    mark_dirty(kCr);
}

void BlockEmitter::settle_cr() {
    if (flags_field_ >= 0 && flags_hold(unsigned(flags_field_)))   // first, while the flags are its compare's
        settle_field(unsigned(flags_field_));
    for (unsigned f = 0; f < pending_.size(); ++f)
        if (pending_[f].live)
            settle_field(f);
}

// A jump to `to` when CR bit bi is `set`: from CR's register, or from the flags of its field's compare made
// again (the SO bit is XER[SO], which nothing that leaves a field pending changes).
void BlockEmitter::jump_on_cr_bit(unsigned bi, const Xbyak::Reg32 &cr, bool set, Label &to) {
    const PendingCmp &p = pending_[bi >> 2];
    if (!p.live) {
        test(cr, 1u << (31 - bi));
        set ? jnz(to, T_NEAR) : jz(to, T_NEAR);
        return;
    }
    switch (bi & 3) {
    case 0:   // LT
        compare_again(p);
        if (p.is_signed)
            set ? jl(to, T_NEAR) : jge(to, T_NEAR);
        else
            set ? jb(to, T_NEAR) : jae(to, T_NEAR);
        break;
    case 1:   // GT
        compare_again(p);
        if (p.is_signed)
            set ? jg(to, T_NEAR) : jle(to, T_NEAR);
        else
            set ? ja(to, T_NEAR) : jbe(to, T_NEAR);
        break;
    case 2:   // EQ
        compare_again(p);
        set ? je(to, T_NEAR) : jne(to, T_NEAR);
        break;
    default:   // SO
        cmp(byte[rbx + so_], 0);
        set ? jne(to, T_NEAR) : je(to, T_NEAR);
        return;
    }
    flags_field_ = int(bi >> 2);
    flags_at_ = here();
}

// Whether the host's flags are still field f's compare: nothing emitted since the jump on them, and no
// other jump lands here (the caller says so by keeping flags_field_).
bool BlockEmitter::flags_hold(unsigned f) const {
    return flags_field_ == int(f) && here() == flags_at_ && pending_[f].live;
}

} // namespace phv::jit
