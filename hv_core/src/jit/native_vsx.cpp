// Native VSX moves and logical rows (Book I 7.6): mfvsrd, mfvsrwz, mtvsrd, mtvsrwz (the GPR <-> doubleword 0
// moves, isa/semantics/vsx_permute.h's vsx_move), the eight xxl* logical rows (xxlogic) and xxpermdi. glibc's
// string and memory functions run them by the million (the shell workload: 1.6 M of them were called rows,
// each writing every dirty GPR back and reloading it). Each tests at run time the MSR bit its semantic
// function tests (the move's FP or VEC half as fpr_or_vr_enabled says, MSR[VSX] for the others) and calls
// that function when it is off, which raises the unavailable interrupt. A VSR is CpuState::vsr[n], doubleword
// 0 first, each a host integer; the logical rows do not care how the two are laid out, being bitwise.
#include "isa/fields.h"
#include "jit/emitter.h"
#include "vcpu/vcpu.h"

namespace phv::jit {

using namespace Xbyak::util;

// arg: 0 mfvsrd, 1 mfvsrwz, 2 mtvsrd, 3 mtvsrwz. RT holds XS/XT (0-63), RA the GPR.
bool BlockEmitter::e_vsx_move(const isa::Decoded &d, const Variant &v) {
    ColdPath &call = slow_call();
    const bool to_vsr = v.arg >= 2, word = v.arg & 1;
    // The GPR's register before the jump, so that both paths leave the same allocation.
    const Gpr g = to_vsr ? src(d.ra) : claim(d.ra);
    need_facility(d.rt < 32 ? msr::FP : msr::VEC, call.entry);
    if (to_vsr) {
        if (word)
            mov(eax, g.d());
        else
            mov(rax, g.q());
        mov(qword[rbx + vsr_dw(d.rt, 0)], rax);
    } else {
        if (word)
            mov(eax, dword[rbx + vsr_dw(d.rt, 0)]);
        else
            mov(rax, qword[rbx + vsr_dw(d.rt, 0)]);
        mov(g.q(), rax);
    }
    call.d = &d;
    call.written = to_vsr ? 0 : 1ull << d.ra;
    rejoin(call);
    if (!to_vsr)
        mark_dirty(d.ra);
    return true;
}

// arg as e_logical's: 0 and, 1 andc, 2 or, 3 orc, 4 xor, 5 nand, 6 nor, 7 eqv (xxlogic).
bool BlockEmitter::e_vsx_logical(const isa::Decoded &d, const Variant &v) {
    ColdPath &call = slow_call();
    need_facility(msr::VSX, call.entry);
    movdqu(xmm0, xword[rbx + vsr_dw(d.ra, 0)]);
    movdqu(xmm1, xword[rbx + vsr_dw(d.rb, 0)]);
    if (v.arg == 1 || v.arg == 3 || v.arg >= 5)
        pcmpeqd(xmm2, xmm2);   // all ones
    if (v.arg == 1 || v.arg == 3)
        pxor(xmm1, xmm2);   // b complemented
    switch (v.arg) {
    case 0: case 1: case 5: pand(xmm0, xmm1); break;
    case 2: case 3: case 6: por(xmm0, xmm1); break;
    default: pxor(xmm0, xmm1); break;
    }
    if (v.arg >= 5)
        pxor(xmm0, xmm2);
    movdqu(xword[rbx + vsr_dw(d.rt, 0)], xmm0);
    call.d = &d;
    rejoin(call);
    return true;
}

// xxpermdi (sem::xxpermdi): XT = XA's doubleword DM[0], XB's doubleword DM[1], both read before XT is written.
bool BlockEmitter::e_xxpermdi(const isa::Decoded &d, const Variant &) {
    ColdPath &call = slow_call();
    const unsigned dm = isa::bits(d.word, 22, 23);
    need_facility(msr::VSX, call.entry);
    mov(rax, qword[rbx + vsr_dw(d.ra, dm >> 1)]);
    mov(rcx, qword[rbx + vsr_dw(d.rb, dm & 1)]);
    mov(qword[rbx + vsr_dw(d.rt, 0)], rax);
    mov(qword[rbx + vsr_dw(d.rt, 1)], rcx);
    call.d = &d;
    rejoin(call);
    return true;
}

} // namespace phv::jit
