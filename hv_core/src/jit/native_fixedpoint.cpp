// Native fixed-point rows (Book I 3.3.9-3.3.14): arithmetic with its CA/OV/SO outcomes, logical, compares
// into CR, rotates and shifts, each with its record form. Every emitter computes what the row's semantic
// function (isa/semantics/fixedpoint.h) computes, in the block's mode; tests/unit/test_jit.cpp runs random
// instances of each against those functions in 64-bit and 32-bit mode.
#include "isa/semantics/fixedpoint.h"
#include "jit/emitter.h"

namespace phv::jit {

using namespace Xbyak::util;

void BlockEmitter::cr_from_flags(bool is_signed) {
    mov(ecx, 2);
    mov(edx, 4);
    if (is_signed)
        cmovg(ecx, edx);
    else
        cmova(ecx, edx);
    mov(edx, 8);
    if (is_signed)
        cmovl(ecx, edx);
    else
        cmovb(ecx, edx);
}

void BlockEmitter::set_crf(unsigned bf) {
    const unsigned shift = 28 - 4 * bf;
    movzx(edx, byte[rbx + so_]);
    or_(ecx, edx);
    if (shift)
        shl(ecx, shift);
    const Xbyak::Reg32 cr = cr_write();
    and_(cr, ~(0xfu << shift));
    or_(cr, ecx);
}

// record(): CR0 from the result (GPR `result`) as a signed doubleword in 64-bit mode, its low word
// sign-extended in 32-bit mode: a pending compare with 0 (cr_lazy.cpp).
void BlockEmitter::record(const Variant &v, unsigned result) {
    if (!v.rc)
        return;
    pending_[0] = PendingCmp{true, true, sf_, true, uint8_t(result), 0, 0};
    flags_field_ = -1;
}

bool BlockEmitter::e_addi(const isa::Decoded &d, const Variant &v) {
    const int64_t imm = int64_t(uint64_t(d.imm) << v.arg);
    if (d.ra && imm == int64_t(int32_t(imm))) {
        const Gpr a = src(d.ra), t = dst(d.rt);
        if (in_registers({a}, t)) {
            lea(t.reg(), ptr[a.reg() + int32_t(imm)]);
            return true;
        }
    }
    if (!d.ra) {   // li, lis
        const Gpr t = dst(d.rt);
        load_imm(t.in_reg() ? t.reg() : rax, uint64_t(imm));
        if (!t.in_reg())
            mov(t.q(), rax);
        return true;
    }
    load_imm(rax, uint64_t(imm));
    add(rax, src(d.ra).q());
    mov(dst(d.rt).q(), rax);
    return true;
}

// The add family is a + b + carry-in (sem::add_family): arg bits 0:1 say what a is (0 RA, 1 ~RA), bits 2:3
// b (0 RB, 1 the immediate, 2 zero, 3 all ones), bits 4:5 the carry in (0, 1, 2 = CA), bit 6 whether CA is
// set, bit 8 a record form whatever the variant (addic.).
bool BlockEmitter::e_add_family(const isa::Decoded &d, const Variant &v) {
    const unsigned a = v.arg & 3, b = (v.arg >> 2) & 3, cin = (v.arg >> 4) & 3;
    const bool sets_ca = v.arg & 0x40;
    if (v.arg == 0 && !v.oe && !v.rc) {   // add
        const Gpr a = src(d.ra), b = src(d.rb), t = dst(d.rt);
        if (in_registers({a, b}, t)) {
            lea(t.reg(), ptr[a.reg() + b.reg()]);
            return true;
        }
        if (a.in_reg() && b.in_reg()) {   // RT not named again before a call: to CpuState
            lea(rax, ptr[a.reg() + b.reg()]);
            mov(t.q(), rax);
            return true;
        }
    }
    Variant rec = v;
    rec.rc = v.rc || (v.arg & 0x100);
    mov(rcx, src(d.ra).q());
    if (a == 1)
        not_(rcx);
    if (b == 0)
        mov(rdx, src(d.rb).q());
    else if (b == 1)
        load_imm(rdx, uint64_t(d.imm));
    else if (b == 2)
        xor_(edx, edx);
    else
        mov(rdx, -1);
    if (cin == 2) {
        movzx(esi, byte[rbx + ca_]);
        bt(esi, 0);   // CF = CA
    }
    mov(rax, rcx);
    if (cin == 0)
        add(rax, rdx);
    else {
        if (cin == 1)
            stc();
        adc(rax, rdx);
    }
    if (sets_ca) {
        // CA32 is the carry into bit 32, bit 32 of a ^ b ^ sum; CA the carry out of the doubleword in
        // 64-bit mode and CA32 in 32-bit mode (sem::set_ca).
        setc(sil);
        mov(rdi, rcx);
        xor_(rdi, rdx);
        xor_(rdi, rax);
        shr(rdi, 32);
        and_(edi, 1);
        mov(byte[rbx + ca32_], dil);
        mov(byte[rbx + ca_], sf_ ? sil : dil);
    }
    if (v.oe) {
        // Overflow: a and b of one sign and the sum of the other, at bit 0 (OV) and bit 32 (OV32).
        mov(rsi, rcx);
        xor_(rsi, rax);
        mov(rdi, rdx);
        xor_(rdi, rax);
        and_(rsi, rdi);
        mov(rdi, rsi);
        shr(rdi, 31);
        and_(edi, 1);
        shr(rsi, 63);
        mov(byte[rbx + ov32_], dil);
        const Xbyak::Reg8 &ov = sf_ ? sil : dil;
        mov(byte[rbx + ov_], ov);
        or_(byte[rbx + so_], ov);
    }
    mov(dst(d.rt).q(), rax);
    record(rec, d.rt);
    return true;
}

// RA = RS op RB; arg: 0 and, 1 andc, 2 or, 3 orc, 4 xor, 5 nand, 6 nor, 7 eqv.
bool BlockEmitter::e_logical(const isa::Decoded &d, const Variant &v) {
    if ((v.arg == 0 || v.arg == 2 || v.arg == 4) && !v.rc) {   // and, or, xor: commutative
        const Gpr s = src(d.rt), b = src(d.rb), t = dst(d.ra);
        if (in_registers({s, b}, t) && s.reg() == b.reg() && v.arg != 4) {   // mr (or Rx,Ry,Ry), and Rx,Ry,Ry
            if (t.reg() != s.reg())
                mov(t.reg(), s.reg());
            return true;
        }
        if (in_registers({s, b}, t)) {
            const Xbyak::Reg64 &other = t.reg() == b.reg() ? s.reg() : b.reg();
            if (t.reg() != b.reg() && t.reg() != s.reg())
                mov(t.reg(), s.reg());
            if (v.arg == 0)
                and_(t.reg(), other);
            else if (v.arg == 2)
                or_(t.reg(), other);
            else
                xor_(t.reg(), other);
            return true;
        }
    }
    mov(rax, src(d.rt).q());
    mov(rcx, src(d.rb).q());
    if (v.arg == 1 || v.arg == 3)
        not_(rcx);
    switch (v.arg) {
    case 0: case 1: case 5: and_(rax, rcx); break;
    case 2: case 3: case 6: or_(rax, rcx); break;
    default: xor_(rax, rcx); break;
    }
    if (v.arg >= 5)
        not_(rax);
    mov(dst(d.ra).q(), rax);
    record(v, d.ra);
    return true;
}

// RA = RS op UI; arg: 0 andi., 1 andis. (both record), 2 ori, 3 oris, 4 xori, 5 xoris.
bool BlockEmitter::e_logical_imm(const isa::Decoded &d, const Variant &v) {
    load_imm(rcx, uint64_t(d.imm) << (v.arg & 1 ? 16 : 0));
    mov(rax, src(d.rt).q());
    if (v.arg < 2)
        and_(rax, rcx);
    else if (v.arg < 4)
        or_(rax, rcx);
    else
        xor_(rax, rcx);
    mov(dst(d.ra).q(), rax);
    record({false, v.arg < 2, 0}, d.ra);
    return true;
}

// extsb/extsh/extsw: arg is the source width in bytes.
bool BlockEmitter::e_extend(const isa::Decoded &d, const Variant &v) {
    const Xbyak::Reg64 s = use(d.rt);   // its byte and halfword: a register
    if (v.arg == 1)
        movsx(rax, s.cvt8());
    else if (v.arg == 2)
        movsx(rax, s.cvt16());
    else
        movsxd(rax, s.cvt32());
    mov(dst(d.ra).q(), rax);
    record(v, d.ra);
    return true;
}

// cmp/cmpl/cmpi/cmpli: arg bit 0 = immediate, bit 1 = signed. BF is RT's top three bits and L its low bit;
// L=0 compares the low words (sem::cmp). Nothing is emitted: the field is pending until something observes
// it (cr_lazy.cpp), and the branch that reads it loads the operands it compares.
bool BlockEmitter::e_cmp(const isa::Decoded &d, const Variant &v) {
    const bool imm = v.arg & 1;
    // SI sign-extended or UI (< 2^16): as a 32-bit immediate either is the operand's low word, and
    // sign-extended to 64 bits it is the doubleword.
    pending_[d.rt >> 2] = PendingCmp{true, bool(v.arg & 2), bool(d.rt & 1), imm, uint8_t(d.ra), uint8_t(d.rb),
                                     int32_t(d.imm)};
    flags_field_ = -1;   // the flags may be the field's compare before this one
    return true;
}

// rlwinm (SH in RB's field), rlwnm (RB & 31), rlwimi: arg 0, 1, 2. The rotate is of the low word
// replicated into both halves (sem::rotl32); under a mask within the low word, that is a 32-bit rotate.
bool BlockEmitter::e_rotate_word(const isa::Decoded &d, const Variant &v) {
    const uint64_t m = isa::sem::mask64(d.mb + 32u, d.me + 32u);
    const bool low = (m >> 32) == 0;
    // rlwinm under a mask within the low word, in RA's own register as a 32-bit operation (which clears the
    // high word, as the mask does): slwi and srwi a plain shift, the others a rotate and an and.
    if (v.arg == 0 && !v.rc && low) {
        const Gpr s = src(d.rt), t = dst(d.ra);
        if (in_registers({s}, t)) {
            const Xbyak::Reg32 r = t.reg().cvt32();
            const unsigned sh = d.rb;
            const uint32_t m32 = uint32_t(m);
            mov(r, s.reg().cvt32());
            if (sh && m32 == uint32_t(0xffffffffu << sh)) {
                shl(r, sh);
            } else if (sh && m32 == 0xffffffffu >> (32 - sh)) {
                shr(r, 32 - sh);
            } else {
                if (sh)
                    rol(r, sh);
                if (m32 != 0xffffffffu)
                    and_(r, m32);
            }
            return true;
        }
    }
    mov(eax, src(d.rt).d());
    if (!low) {
        mov(rdx, rax);
        shl(rdx, 32);
        or_(rax, rdx);
    }
    if (v.arg == 1) {
        mov(ecx, src(d.rb).d());
        and_(ecx, 31);
        if (low)
            rol(eax, cl);
        else
            rol(rax, cl);
    } else if (d.rb) {
        if (low)
            rol(eax, d.rb);
        else
            rol(rax, d.rb);
    }
    load_imm(rdx, m);
    and_(rax, rdx);
    if (v.arg == 2) {
        load_imm(rcx, ~m);
        and_(rcx, src(d.ra).q());
        or_(rax, rcx);
    }
    mov(dst(d.ra).q(), rax);
    record(v, d.ra);
    return true;
}

// rldicl, rldicr, rldic, rldimi, rldcl, rldcr: arg 0-5 (sem::rld_imm, sem::rld_reg). d.mb holds MB, or ME
// for the "r" forms.
// r &= m, the shortest way: nothing, a zero-extension of the low word, an immediate, or through rdx.
void BlockEmitter::and_mask(const Xbyak::Reg64 &r, uint64_t m) {
    if (m == ~0ull)
        return;
    if (m == 0xffffffffull) {
        mov(r.cvt32(), r.cvt32());
    } else if (int64_t(m) == int64_t(int32_t(m))) {
        and_(r, int32_t(m));
    } else {
        load_imm(rdx, m);
        and_(r, rdx);
    }
}

bool BlockEmitter::e_rotate_double(const isa::Decoded &d, const Variant &v) {
    using isa::sem::mask64;
    uint64_t m;
    switch (v.arg) {
    case 0: case 4: m = mask64(d.mb, 63); break;
    case 1: case 5: m = mask64(0, d.mb); break;
    default: m = mask64(d.mb, 63u - d.sh); break;
    }
    // In RA's own register: srdi (rldicl SH=64-MB) and sldi (rldicr ME=63-SH) as a plain shift, clrldi
    // (rldicl SH=0) as one and (a zero-extension at MB=32), the other rldicl, rldicr and rldic as a rotate
    // and an and.
    const bool srdi = v.arg == 0 && d.sh && d.sh + d.mb == 64, sldi = v.arg == 1 && d.mb + d.sh == 63;
    if (v.arg <= 2 && !v.rc) {
        const Gpr s = src(d.rt), t = dst(d.ra);
        if (in_registers({s}, t)) {
            const Xbyak::Reg64 &r = t.reg();
            if (v.arg == 2 && d.sh && m == 0xffffffffull << d.sh) {   // clrlsldi of the low word
                mov(r.cvt32(), s.reg().cvt32());
                shl(r, d.sh);
                return true;
            }
            if (v.arg == 0 && !d.sh && d.mb == 32) {   // clrldi 32: a 32-bit move zero-extends
                mov(r.cvt32(), s.reg().cvt32());
                return true;
            }
            if (r != s.reg())
                mov(r, s.reg());
            if (srdi) {
                shr(r, d.mb);
            } else if (sldi) {
                if (d.sh)
                    shl(r, d.sh);
            } else {
                if (d.sh)
                    rol(r, d.sh);
                and_mask(r, m);
            }
            return true;
        }
    }
    mov(rax, src(d.rt).q());
    if (v.arg >= 4) {
        mov(rcx, src(d.rb).q());
        rol(rax, cl);   // the count is taken mod 64, as RB & 63
    } else if (d.sh) {
        rol(rax, d.sh);
    }
    and_mask(rax, m);
    if (v.arg == 3) {
        load_imm(rcx, ~m);
        and_(rcx, src(d.ra).q());
        or_(rax, rcx);
    }
    mov(dst(d.ra).q(), rax);
    record(v, d.ra);
    return true;
}

// slw, srw, sld, srd: arg 0-3. The count is RB's low 6 (word) or 7 (doubleword) bits; the host shift takes
// the low 5 or 6, and the bit above them says the result is 0.
bool BlockEmitter::e_shift(const isa::Decoded &d, const Variant &v) {
    const bool dbl = v.arg >= 2, left = !(v.arg & 1);
    mov(rcx, src(d.rb).q());
    xor_(edx, edx);
    if (dbl) {
        mov(rax, src(d.rt).q());
        if (left)
            shl(rax, cl);
        else
            shr(rax, cl);
        test(ecx, 64);
        cmovnz(rax, rdx);
    } else {
        mov(eax, src(d.rt).d());
        if (left)
            shl(eax, cl);
        else
            shr(eax, cl);
        test(ecx, 32);
        cmovnz(eax, edx);
    }
    mov(dst(d.ra).q(), rax);
    record(v, d.ra);
    return true;
}

// sraw, srawi, srad, sradi: arg 0-3 (sem::sra). The word forms shift the sign-extended word as a
// doubleword: any count up to 63 then gives the ISA's result and CA, so only srad needs the count >= 64
// case. CA = CA32 = the source is negative and 1-bits were shifted out.
bool BlockEmitter::e_shift_algebraic(const isa::Decoded &d, const Variant &v) {
    const bool word = v.arg < 2, immediate = v.arg & 1;
    if (word)
        movsxd(rax, src(d.rt).d());
    else
        mov(rax, src(d.rt).q());
    mov(rsi, rax);
    shr(rsi, 63);   // the sign
    if (immediate) {
        const unsigned n = word ? d.rb : d.sh;
        load_imm(rdx, n ? (1ull << n) - 1 : 0);
        and_(rdx, rax);
        if (n)
            sar(rax, n);
        test(rdx, rdx);
        setnz(dl);
    } else {
        mov(rcx, src(d.rb).q());
        xor_(edi, edi);
        if (word) {
            and_(ecx, 63);
        } else {
            // 64 or more: all sign bits and CA = the sign; as a count of 63 with "bits were lost" forced.
            and_(ecx, 127);
            mov(edx, 63);
            cmp(ecx, edx);
            seta(dil);
            cmova(ecx, edx);
        }
        mov(rdx, -1);
        shl(rdx, cl);
        not_(rdx);
        and_(rdx, rax);
        sar(rax, cl);
        or_(rdx, rdi);
        test(rdx, rdx);
        setnz(dl);
    }
    and_(dl, sil);
    mov(byte[rbx + ca_], dl);
    mov(byte[rbx + ca32_], dl);
    mov(dst(d.ra).q(), rax);
    record(v, d.ra);
    return true;
}

bool BlockEmitter::e_extswsli(const isa::Decoded &d, const Variant &v) {
    movsxd(rax, src(d.rt).d());
    if (d.sh)
        shl(rax, d.sh);
    mov(dst(d.ra).q(), rax);
    record(v, d.ra);
    return true;
}

} // namespace phv::jit
