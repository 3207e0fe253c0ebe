// Native multiply, divide, count and select rows (Book I 3.3.9, 3.3.13, 3.3.12): mulli, mullw, mulld,
// mulhw(u), mulhd(u), divw(u), divd(u) with their OE and Rc forms, cntlzw/d, cnttzw/d, popcntw/d, isel,
// mfmsr, and the XER moves. Each computes what its semantic function (isa/semantics/fixedpoint.h,
// system.h) computes, including the values the ISA leaves undefined: a division by zero or of the most
// negative number by -1 gives 0 with OV set by the OE form, and the word forms leave RT[0:31] zero, as
// the interpreter (and QEMU, the oracle) does.
#include <xbyak/xbyak_util.h>

#include "isa/semantics/fixedpoint.h"
#include "isa/semantics/system.h"
#include "jit/emitter.h"

namespace phv::jit {

using namespace Xbyak::util;

const Xbyak::util::Cpu &host_cpu() {
    static const Xbyak::util::Cpu cpu;
    return cpu;
}

// OV and OV32 = ov (sil, 0 or 1) and SO |= ov: set_ov(c, ov, ov), the same in both modes.
void BlockEmitter::set_ov_both(const Xbyak::Reg8 &ov) {
    mov(byte[rbx + ov_], ov);
    mov(byte[rbx + ov32_], ov);
    or_(byte[rbx + so_], ov);
}

// arg: 0 mulli, 1 mullw, 2 mulld, 3 mulhw, 4 mulhwu, 5 mulhd, 6 mulhdu.
bool BlockEmitter::e_mul(const isa::Decoded &d, const Variant &v) {
    // mulli and mulld (no OE, no Rc) in the target's own register when the operands are held.
    if (v.arg == 0) {
        const Gpr a = src(d.ra), t = dst(d.rt);
        if (in_registers({a}, t)) {
            imul(t.reg(), a.reg(), int32_t(d.imm));
            return true;
        }
    } else if (v.arg == 2 && !v.oe && !v.rc) {
        const Gpr a = src(d.ra), b = src(d.rb), t = dst(d.rt);
        if (in_registers({a, b}, t)) {
            const Xbyak::Reg64 &other = t.reg() == b.reg() ? a.reg() : b.reg();
            if (t.reg() != b.reg() && t.reg() != a.reg())
                mov(t.reg(), a.reg());
            imul(t.reg(), other);
            return true;
        }
    }
    switch (v.arg) {
    case 0:
        mov(rax, src(d.ra).q());
        imul(rax, rax, int32_t(d.imm));
        mov(dst(d.rt).q(), rax);
        return true;
    case 1:
        movsxd(rax, src(d.ra).d());
        movsxd(rcx, src(d.rb).d());
        imul(rax, rcx);   // the exact product of two words
        if (v.oe) {
            movsxd(rdx, eax);
            cmp(rdx, rax);
            setne(sil);
            set_ov_both(sil);
        }
        break;
    case 2:
        mov(rax, src(d.ra).q());
        imul(rax, src(d.rb).q());   // OF: the product does not fit a signed doubleword
        if (v.oe) {
            seto(sil);
            set_ov_both(sil);
        }
        break;
    case 3:
    case 4:
        if (v.arg == 3) {
            movsxd(rax, src(d.ra).d());
            movsxd(rcx, src(d.rb).d());
        } else {
            mov(eax, src(d.ra).d());
            mov(ecx, src(d.rb).d());
        }
        imul(rax, rcx);
        shr(rax, 32);
        mov(eax, eax);   // the high word, zero-extended
        break;
    default:
        mov(rax, src(d.ra).q());
        if (v.arg == 5)
            imul(src(d.rb).q());
        else
            mul(src(d.rb).q());
        mov(rax, rdx);
        break;
    }
    mov(dst(d.rt).q(), rax);
    record(v, d.rt);
    return true;
}

// arg: 0 divw, 1 divwu, 2 divd, 3 divdu. An undefined quotient is 0 (sem::divw, sem::divd).
bool BlockEmitter::e_div(const isa::Decoded &d, const Variant &v) {
    const bool is_signed = !(v.arg & 1), dword = v.arg & 2;
    Label undefined, done;
    xor_(esi, esi);
    if (dword) {
        mov(rax, src(d.ra).q());
        mov(rcx, src(d.rb).q());
        test(rcx, rcx);
        jz(undefined);
        if (is_signed) {
            Label fine;
            cmp(rcx, -1);
            jne(fine);
            mov(rdx, 0x8000000000000000ull);
            cmp(rax, rdx);
            je(undefined);
            L(fine);
            cqo();
            idiv(rcx);
        } else {
            xor_(edx, edx);
            div(rcx);
        }
    } else {
        mov(eax, src(d.ra).d());
        mov(ecx, src(d.rb).d());
        test(ecx, ecx);
        jz(undefined);
        if (is_signed) {
            Label fine;
            cmp(ecx, -1);
            jne(fine);
            cmp(eax, 0x80000000u);
            je(undefined);
            L(fine);
            cdq();
            idiv(ecx);
        } else {
            xor_(edx, edx);
            div(ecx);
        }
        // a 32-bit result zero-extends: RT[0:31] = 0
    }
    jmp(done);
    L(undefined);
    xor_(eax, eax);
    mov(esi, 1);
    L(done);
    if (v.oe)
        set_ov_both(sil);
    mov(dst(d.rt).q(), rax);
    record(v, d.rt);
    return true;
}

// RA = count(RS); arg: 0 cntlzw, 1 cntlzd, 2 cnttzw, 3 cnttzd, 4 popcntw, 5 popcntd. The leading and
// trailing zero counts use bsr/bsf, which every x86-64 has (lzcnt/tzcnt need ABM/BMI1, which a host, or a
// hypervisor's CPUID, may not offer; on one without them they run as bsr/bsf and give other results): a
// zero operand sets ZF and the count is the operand's width. popcnt needs the host's POPCNT; without it
// the row is called.
bool BlockEmitter::e_count(const isa::Decoded &d, const Variant &v) {
    if (v.arg >= 4 && !host_cpu().has(Xbyak::util::Cpu::tPOPCNT))
        return false;
    switch (v.arg) {
    case 0:   // 31 - index of the highest one; 32 for zero (63 ^ 31)
        bsr(ecx, src(d.rt).d());
        mov(edx, 63);
        cmovz(ecx, edx);
        xor_(ecx, 31);
        mov(eax, ecx);
        break;
    case 1:   // 63 - index; 64 for zero (127 ^ 63)
        bsr(rcx, src(d.rt).q());
        mov(edx, 127);
        cmovz(ecx, edx);
        xor_(ecx, 63);
        mov(eax, ecx);
        break;
    case 2:
    case 3:
        if (v.arg == 2)
            bsf(ecx, src(d.rt).d());
        else
            bsf(rcx, src(d.rt).q());
        mov(edx, v.arg == 2 ? 32 : 64);
        cmovz(ecx, edx);
        mov(eax, ecx);
        break;
    case 4:
        mov(rcx, src(d.rt).q());
        popcnt(eax, ecx);
        shr(rcx, 32);
        popcnt(ecx, ecx);
        shl(rcx, 32);
        or_(rax, rcx);
        break;
    default: popcnt(rax, src(d.rt).q()); break;
    }
    mov(dst(d.ra).q(), rax);
    record(v, d.ra);
    return true;
}

// isel: RT = CR[BC] ? RA|0 : RB (BC in the record's rc field).
bool BlockEmitter::e_isel(const isa::Decoded &d, const Variant &) {
    if (d.ra)
        mov(rax, src(d.ra).q());
    else
        xor_(eax, eax);
    mov(rcx, src(d.rb).q());
    test(cr_read(), 1u << (31 - d.rc));
    cmovz(rax, rcx);
    mov(dst(d.rt).q(), rax);
    return true;
}

// mfmsr: only a privileged block decodes it to its semantic function; in problem state the record holds
// the privileged-instruction interrupt, which is no variant of the row and so is called.
bool BlockEmitter::e_mfmsr(const isa::Decoded &d, const Variant &) {
    mov(rax, qword[rbx + msr_]);
    mov(dst(d.rt).q(), rax);
    return true;
}

// A row the interpreter runs as sem::nop emits nothing (any other function the record holds is called).
bool BlockEmitter::e_nop(const isa::Decoded &d, const Variant &) { return d.fn == &isa::sem::nop; }

// cmpb (sem::cmpb): RA's byte i all ones where RS and RB have equal bytes i.
bool BlockEmitter::e_cmpb(const isa::Decoded &d, const Variant &) {
    mov(rax, src(d.rt).q());
    mov(rcx, src(d.rb).q());
    movq(xmm0, rax);
    movq(xmm1, rcx);
    pcmpeqb(xmm0, xmm1);
    movq(rax, xmm0);
    mov(dst(d.ra).q(), rax);
    return true;
}

// tw, twi, td, tdi (sem::trap; arg 1 word, 2 immediate): the compare, and a jump to the semantic function,
// which takes the trap, for each condition TO names (0x10 <, 0x08 >, 0x04 =, 0x02 <u, 0x01 >u). The word
// forms compare the low words as they are, which orders them as their sign extensions do.
bool BlockEmitter::e_trap(const isa::Decoded &d, const Variant &v) {
    const bool word = v.arg & 1, immediate = v.arg & 2;
    const unsigned to = d.rt;
    ColdPath &trap = slow_call();
    const Gpr a = src(d.ra);
    if (word)
        mov(eax, a.d());
    else
        mov(rax, a.q());
    if (immediate)
        word ? cmp(eax, int32_t(d.imm)) : cmp(rax, int32_t(d.imm));
    else
        word ? cmp(eax, src(d.rb).d()) : cmp(rax, src(d.rb).q());
    if (to & 0x10)
        jl(trap.entry, T_NEAR);
    if (to & 0x08)
        jg(trap.entry, T_NEAR);
    if (to & 0x04)
        je(trap.entry, T_NEAR);
    if (to & 0x02)
        jb(trap.entry, T_NEAR);
    if (to & 0x01)
        ja(trap.entry, T_NEAR);
    trap.d = &d;
    rejoin(trap);
    return true;
}

// sync and eieio (arg 1), as sem::sync and sem::eieio order: on x86-64 only the full barriers (hwsync,
// ptesync, phwsync) need an instruction, an mfence, and only while the partition has more than one vcpu.
bool BlockEmitter::e_sync(const isa::Decoded &d, const Variant &v) {
    if (d.fn != (v.arg ? &isa::sem::eieio : &isa::sem::sync))
        return false;
    if (v.arg || (isa::bits(d.word, 8, 10) & 3) == 1)
        return true;
    Label alone;
    mov(rax, reinterpret_cast<uint64_t>(v_.vm().vcpu_count_address()));
    cmp(dword[rax], 2);
    jb(alone);
    mfence();
    L(alone);
    return true;
}

// XER as CpuState::get_xer() assembles it from its split bytes.
void BlockEmitter::load_xer() {
    movzx(eax, byte[rbx + xer_bc_]);
    const std::pair<int32_t, int> bits[] = {{so_, 31}, {ov_, 30}, {ca_, 29}, {ov32_, 19}, {ca32_, 18}};
    for (const auto &[at, bit] : bits) {
        movzx(ecx, byte[rbx + at]);
        shl(ecx, bit);
        or_(eax, ecx);
    }
}

// ... and set_xer() splits it: rax = the value.
void BlockEmitter::store_xer() {
    mov(ecx, eax);
    and_(ecx, 0x7f);
    mov(byte[rbx + xer_bc_], cl);
    const std::pair<int32_t, int> bits[] = {{so_, 31}, {ov_, 30}, {ca_, 29}, {ov32_, 19}, {ca32_, 18}};
    for (const auto &[at, bit] : bits) {
        mov(ecx, eax);
        shr(ecx, bit);
        and_(ecx, 1);
        mov(byte[rbx + at], cl);
    }
}

} // namespace phv::jit
