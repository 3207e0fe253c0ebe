// Native FP arithmetic (Book I 4.6.5, 4.6.6: fadd, fsub, fmul, fdiv, fsqrt, fmadd, fmsub, fnmadd, fnmsub,
// Rc=0 and 1), moves (4.6.4: fmr, fneg, fabs, fnabs) and the exact or XX-only cases of fcfid and fctidz
// (4.6.7.2). The arithmetic rows do inline what sem::fp_arith does on its quick path (fp_arith_quick,
// then fp_commit_quick): under FPSCR[RN]=0 and [XE]=0, operands zero or normal and a normal result inside
// the exponent bounds host_fast.cpp uses, the result is the host's correctly rounded one and FPSCR changes
// only in XX (and FX), FR, FI and FPRF. Anything else (MSR[FP] off, another rounding mode, XE set, a NaN,
// an infinity, a denormal, a result near underflow or overflow, a zero result) calls the row's semantic
// function, which does the whole instruction again from CpuState.
// The FPRs are not held in host registers: the rows read and write CpuState::vsr.
//
// FI and FR: FI says the result is inexact, FR that it was rounded away from zero (its magnitude above the
// exact one). Two ways, chosen at compile time from the host's CPUID:
// * AVX-512: the operation three times with EVEX embedded rounding (nearest, down, up, exceptions
//   suppressed): inexact exactly when down and up differ, rounded away exactly when the nearest result
//   differs from the one toward zero (down for a positive result, up for a negative one). What
//   fp::host::fma finds with its MXCSR flag and its second run toward zero, with no MXCSR access at all.
// * otherwise (FMA and AVX without AVX-512): host_fast.cpp's run(): MXCSR set to nearest with every
//   exception masked and its flags clear, the operation, its flags read, and when inexact the operation again
//   toward zero; then MXCSR as it was.
// Neither depends on the thread's MXCSR, which belongs to whoever called phv (host_fast's residual routines
// check it on every operation; these need not): the embedded rounding ignores MXCSR[RC] and suppresses its
// flags, and FTZ/DAZ cannot act on the zero or normal operands and normal results the row accepts (its
// checks come before any result is used); the MXCSR path sets the whole register itself. Without FMA (or
// AVX) on the host the rows are called, as host_fast's fma declines there too.
#include <algorithm>
#include <atomic>
#include <xbyak/xbyak_util.h>

#include "fp/fpscr.h"
#include "jit/compiler.h"
#include "jit/emitter.h"
#include "vcpu/vcpu.h"

namespace phv::jit {

using namespace Xbyak::util;

namespace {

FpHost detect() {
    const Xbyak::util::Cpu cpu;
    if (!cpu.has(Xbyak::util::Cpu::tFMA) || !cpu.has(Xbyak::util::Cpu::tAVX))
        return FpHost::None;
    return cpu.has(Xbyak::util::Cpu::tAVX512F) ? FpHost::Avx512 : FpHost::Mxcsr;
}

std::atomic<FpHost> g_limit{FpHost::Avx512};

// arg of e_fp_arith (compiler.cpp's kNativeRows).
enum Op : unsigned { Add, Sub, Mul, Div, Sqrt, MAdd, MSub, NMAdd, NMSub };

// host_fast.cpp's bounds on biased exponents: the result's (kMinExp, kMaxExp), TwoSum's (kMaxAddExp), the
// product's or quotient's residual (kMinExpSum), the square root's (kMinSqrtExp). The quick path declines
// outside them, so the row does too: inside them it gives the quick path's results by construction.
constexpr unsigned kMinExp = 2, kMaxExp = 0x7fe, kMaxAddExp = 0x7fd;
constexpr unsigned kBias = 1023, kMinExpSum = 2 * kBias - 970 + 4, kMinSqrtExp = kBias - 485 + 2;

// MXCSR: every exception masked, flags clear, FTZ and DAZ off; RC toward zero; the flags.
constexpr uint32_t kMasked = 0x1f80, kTowardZero = 3u << 13, kInexact = 0x20;

} // namespace

FpHost fp_host() {
    static const FpHost host = detect();
    return std::min(host, g_limit.load(std::memory_order_relaxed));
}

FpHost limit_fp_host(FpHost limit) {
    g_limit.store(limit, std::memory_order_relaxed);
    return fp_host();
}

int32_t BlockEmitter::fpscr_off() const {
    return int32_t(reinterpret_cast<const char *>(&v_.st_.fpscr) - reinterpret_cast<const char *>(&v_));
}

// operand_ok() of host_fast.cpp for FPR n (zero, or normal), its biased exponent at most max_e: else a jump
// to slow. e = the exponent (0 for a zero).
void BlockEmitter::fp_operand(unsigned n, const Xbyak::Reg32 &e, unsigned max_e, Label &slow) {
    const Xbyak::Reg64 e64 = e.cvt64();
    Label ok;
    mov(e64, qword[rbx + vsr_dw(n, 0)]);
    add(e64, e64);   // the sign out: zero for +-0
    jz(ok);
    shr(e64, 53);
    jz(slow, T_NEAR);   // a denormal
    cmp(e, max_e);
    ja(slow, T_NEAR);   // an infinity or a NaN (0x7ff), or above max_e
    L(ok);
}

// CR1 <- FPSCR[FX FEX VX OX] from the FPSCR word in `f` (record_fp); trashes ecx.
void BlockEmitter::record_fp_cr(const Xbyak::Reg32 &f) {
    const Xbyak::Reg32 cr = cr_write();
    mov(ecx, f);
    shr(ecx, 4);
    and_(ecx, 0x0f000000);
    and_(cr, 0xf0ffffff);
    or_(cr, ecx);
}

// FPSCR as fp_update() leaves it for an outcome raising XX at most, under XE=0: XX and FX when esi (FI: 0
// or 1) is set and XX was clear (only when `inexact_possible`), the bits `replaced` taken from ecx, then
// summarize(). edx = FPSCR's new low word, which holds every bit that changes; trashes ecx and esi.
void BlockEmitter::commit_fpscr(uint32_t replaced, bool inexact_possible) {
    using namespace fp::fpscr;
    Label sticky, summarized;
    mov(edx, dword[rbx + fpscr_off()]);
    if (inexact_possible) {
        test(esi, esi);
        jz(sticky);
        test(edx, uint32_t(XX));
        jnz(sticky);
        or_(edx, uint32_t(XX | FX));
        L(sticky);
    }
    and_(edx, ~replaced);
    or_(edx, ecx);
    // summarize(): VX from the invalid-operation bits, FEX from the exceptions and their enables. With XE=0
    // neither depends on what changed, but FPSCR may come from outside (ONE_REG) not summarized, and the
    // semantic function summarizes it. With no exception bit and no summary set (a guest loop's usual
    // FPSCR) there is nothing to do; the branch keeps the rest off the chain.
    static_assert(VX == 1u << 29 && FEX == 1u << 30 && (kVxAll >> 32) == 0);
    static_assert(OX >> 22 == OE && UX >> 22 == UE && ZX >> 22 == ZE && VX >> 22 == VE);
    test(edx, uint32_t(kVxAll | OX | UX | ZX | FEX | VX));
    jz(summarized);
    and_(edx, ~uint32_t(FEX | VX));
    xor_(ecx, ecx);
    test(edx, uint32_t(kVxAll));
    setnz(cl);
    shl(ecx, 29);
    or_(edx, ecx);
    mov(ecx, edx);
    shr(ecx, 22);
    and_(ecx, edx);
    xor_(esi, esi);
    test(ecx, 0xf0);   // VX&VE, OX&OE, UX&UE, ZX&ZE
    setnz(sil);
    shl(esi, 30);
    or_(edx, esi);
    L(summarized);
    mov(dword[rbx + fpscr_off()], edx);
}

bool BlockEmitter::e_fp_arith(const isa::Decoded &d, const Variant &v) {
    const FpHost host = fp_host();
    if (host == FpHost::None)
        return false;
    using namespace fp::fpscr;
    const Op op = Op(v.arg);
    const bool fma = op >= MAdd;
    ColdPath &call = slow_call();
    Label &slow = call.entry;
    if (v.rc)
        cr_read();   // CR's register taken before the paths split, so that both leave the same allocation

    need_facility(msr::FP, slow);
    // fp_quick_env: round to nearest, inexact exception disabled.
    test(dword[rbx + fpscr_off()], int32_t(RN | XE));
    jnz(slow, T_NEAR);
    // The operands: FRA, FRB for add, sub and div; FRA, FRC for mul; FRB for sqrt; FRA, FRC, FRB for the
    // multiply-adds. Each passes operand_ok, and the bounds of its quick routine.
    const unsigned max_e = op == Add || op == Sub ? kMaxAddExp : kMaxExp;
    switch (op) {
    case Add: case Sub:
        fp_operand(d.ra, eax, max_e, slow);
        fp_operand(d.rb, eax, max_e, slow);
        break;
    case Mul:
        fp_operand(d.ra, eax, max_e, slow);
        fp_operand(d.rc, edx, max_e, slow);
        add(eax, edx);
        cmp(eax, kMinExpSum);
        jb(slow, T_NEAR);
        break;
    case Div:
        fp_operand(d.ra, eax, max_e, slow);
        fp_operand(d.rb, edi, max_e, slow);   // edi = FRB's exponent, for the quotient's bound below
        test(edi, edi);
        jz(slow, T_NEAR);   // a zero divisor
        break;
    case Sqrt:
        fp_operand(d.rb, eax, max_e, slow);
        bt(qword[rbx + vsr_dw(d.rb, 0)], 63);
        jc(slow, T_NEAR);   // a negative operand (-0 included)
        break;
    default:
        fp_operand(d.ra, eax, max_e, slow);
        fp_operand(d.rc, eax, max_e, slow);
        fp_operand(d.rb, eax, max_e, slow);
        break;
    }

    // xmm0 = FRA (FRB for sqrt), xmm1 = FRB or FRC, xmm2 = FRB for the multiply-adds.
    const auto fpr = [&](unsigned n) { return qword[rbx + vsr_dw(n, 0)]; };
    switch (op) {
    case Mul: vmovsd(xmm0, fpr(d.ra)); vmovsd(xmm1, fpr(d.rc)); break;
    case Sqrt: vmovsd(xmm0, fpr(d.rb)); break;
    default: vmovsd(xmm0, fpr(d.ra)); vmovsd(xmm1, fpr(fma ? d.rc : d.rb)); break;
    }
    if (fma)
        vmovsd(xmm2, fpr(d.rb));
    // x = the operation, rounded as `rounding` says (EVEX embedded rounding), or as MXCSR does when null.
    // The multiply-adds compute FRA*FRC +- FRB: the negating forms negate the rounded result below, which is
    // rounding the negated sum under round to nearest (fp_arith_quick does the same), FR and FI speaking of
    // magnitudes.
    const auto compute = [&](const Xbyak::Xmm &x, const Xbyak::EvexModifierRounding *rounding) {
        const auto r = [&](const Xbyak::Xmm &src) -> Xbyak::Operand {
            return rounding ? Xbyak::Operand(src | *rounding) : Xbyak::Operand(src);
        };
        switch (op) {
        case Add: vaddsd(x, xmm0, r(xmm1)); break;
        case Sub: vsubsd(x, xmm0, r(xmm1)); break;
        case Mul: vmulsd(x, xmm0, r(xmm1)); break;
        case Div: vdivsd(x, xmm0, r(xmm1)); break;
        case Sqrt: vsqrtsd(x, xmm0, r(xmm0)); break;
        default:
            vmovapd(x, xmm0);
            if (op == MAdd || op == NMAdd)
                vfmadd213sd(x, xmm1, r(xmm2));
            else
                vfmsub213sd(x, xmm1, r(xmm2));
            break;
        }
    };

    // rax = the rounded result, esi = FI, edi = FR (0 or 1); the jumps to slow leave MXCSR as it was.
    if (host == FpHost::Avx512) {
        compute(xmm3, &T_rn_sae);
        compute(xmm4, &T_rd_sae);
        compute(xmm5, &T_ru_sae);
    } else {
        // host_fast's run(): the thread's MXCSR kept in the frame's spare word at [rsp] (the prologue's
        // padding), the working values passed through [rsp + 4].
        Label exact;
        stmxcsr(dword[rsp]);
        mov(dword[rsp + 4], kMasked);
        ldmxcsr(dword[rsp + 4]);
        compute(xmm3, nullptr);
        stmxcsr(dword[rsp + 4]);
        mov(eax, dword[rsp + 4]);
        and_(eax, 0x3f);
        vmovapd(xmm4, xmm3);
        cmp(eax, kInexact);
        jne(exact);
        mov(dword[rsp + 4], kMasked | kTowardZero);
        ldmxcsr(dword[rsp + 4]);
        compute(xmm4, nullptr);
        L(exact);
        ldmxcsr(dword[rsp]);
        // Invalid, denormal, zero-divide, overflow, underflow: the exact path (host_fast's finish()).
        test(eax, 0x1f);
        jnz(slow, T_NEAR);
        mov(esi, eax);
        shr(esi, 5);   // FI: the inexact flag alone
    }
    vmovq(rax, xmm3);
    // The result's exponent inside the quick path's bounds (quick_result(), and nearest_add's,
    // nearest_div's and nearest_sqrt's own).
    mov(rdx, rax);
    shr(rdx, 52);
    and_(edx, 0x7ff);
    cmp(edx, op == Sqrt ? kMinSqrtExp : kMinExp);
    jb(slow, T_NEAR);
    cmp(edx, op == Add || op == Sub ? kMaxAddExp : kMaxExp);
    ja(slow, T_NEAR);
    if (op == Div) {
        add(edx, edi);
        cmp(edx, kMinExpSum);
        jb(slow, T_NEAR);
    }
    if (host == FpHost::Avx512) {
        vmovq(rcx, xmm4);   // rounded down
        vmovq(rdx, xmm5);   // rounded up
        xor_(esi, esi);
        cmp(rcx, rdx);
        setne(sil);
        test(rax, rax);
        cmovs(rcx, rdx);    // toward zero
        xor_(edi, edi);
        cmp(rax, rcx);
        setne(dil);
    } else {
        vmovq(rcx, xmm4);   // toward zero (the result itself when exact)
        xor_(edi, edi);
        cmp(rax, rcx);
        setne(dil);
    }
    if (op == NMAdd || op == NMSub)
        btc(rax, 63);

    // fp_commit_quick: XX and FX when inexact and XX was clear; FR, FI and FPRF (a normal of the result's
    // sign). All of them and FX are in FPSCR's low word (IBM bits 32:63), as are the summaries. The new
    // FR, FI and FPRF first (ecx), so that FPSCR's read-modify-write, which the next FP row waits for, is
    // short.
    static_assert(FR == 1u << 18 && FI == 1u << 17 && kFprfShift == 12);
    static_assert(fp::fprf::kPosNormal == 4 && fp::fprf::kNegNormal == 8);
    shl(edi, 18);
    mov(ecx, esi);
    shl(ecx, 17);
    or_(ecx, edi);
    mov(rdx, rax);
    shr(rdx, 63);
    lea(edx, ptr[rdx * 4 + 4]);   // FPRF: +normal 0x04, -normal 0x08
    shl(edx, kFprfShift);
    or_(ecx, edx);
    commit_fpscr(FR | FI | FPRF, true);
    end_fp_row(d, v, edx, call);
    return true;
}

// fcfid (arg 0) and fctidz (arg 1), Book I 4.6.7.2, where they are exact or raise XX at most, under XE=0
// (sem::fcfid, sem::fcti). fcfid: an integer of at most 53 significant bits, which fp::from_integer
// converts exactly (no XX; FR and FI cleared; FPRF of the result: +0, +normal or -normal). fctidz: FRB
// finite below 2^63 in magnitude, truncated in integer arithmetic (no MXCSR involved): FI when bits were
// dropped (XX and FX as fp_update raises them), FR cleared (truncation never rounds away), FPRF kept as
// phv does. Anything else (NaN, infinity, too large: VXCVI) is called.
bool BlockEmitter::e_fp_convert(const isa::Decoded &d, const Variant &v) {
    if (fp_host() == FpHost::None)
        return false;   // the VEX conversion below
    using namespace fp::fpscr;
    ColdPath &call = slow_call();
    Label &slow = call.entry;
    if (v.rc)
        cr_read();
    need_facility(msr::FP, slow);
    test(dword[rbx + fpscr_off()], int32_t(XE));
    jnz(slow, T_NEAR);
    mov(rax, qword[rbx + vsr_dw(d.rb, 0)]);
    if (v.arg == 0) {
        mov(rcx, uint64_t(1) << 53);
        add(rcx, rax);
        mov(rdx, uint64_t(1) << 54);
        cmp(rcx, rdx);
        ja(slow, T_NEAR);   // outside [-2^53, 2^53]
        vcvtsi2sd(xmm0, xmm0, rax);
        static_assert(fp::fprf::kPosZero == 2 && fp::fprf::kPosNormal == 4 && fp::fprf::kNegNormal == 8);
        mov(ecx, fp::fprf::kPosZero << kFprfShift);
        mov(edx, fp::fprf::kPosNormal << kFprfShift);
        test(rax, rax);
        cmovg(ecx, edx);
        mov(edx, fp::fprf::kNegNormal << kFprfShift);
        cmovl(ecx, edx);
        vmovq(rax, xmm0);
        commit_fpscr(uint32_t(FR | FI | FPRF), false);
    } else {
        Label small, left, sign, positive;
        mov(rdx, rax);
        shr(rdx, 52);
        and_(edx, 0x7ff);
        cmp(edx, 1023 + 62);
        ja(slow, T_NEAR);   // |FRB| >= 2^63, an infinity or a NaN
        cmp(edx, 1023);
        jb(small);
        mov(rdi, rax);   // the significand
        shl(rdi, 12);
        shr(rdi, 12);
        bts(rdi, 52);
        mov(ecx, 1075);   // 1023 + 52: the exponent of the significand's last bit
        sub(ecx, edx);
        jle(left);
        mov(rsi, rdi);    // a fraction: 1-52 bits dropped
        shr(rdi, cl);
        neg(ecx);
        add(ecx, 64);
        shl(rsi, cl);     // the dropped bits, at the top
        setnz(dl);
        movzx(esi, dl);
        jmp(sign);
        L(left);          // an integer: 0-10 bits added
        neg(ecx);
        shl(rdi, cl);
        xor_(esi, esi);
        jmp(sign);
        L(small);         // |FRB| < 1: 0, inexact unless FRB is a zero
        xor_(edi, edi);
        mov(rsi, rax);
        add(rsi, rsi);
        setnz(dl);
        movzx(esi, dl);
        L(sign);
        test(rax, rax);
        jns(positive);
        neg(rdi);
        L(positive);
        mov(rax, rdi);
        mov(ecx, esi);
        shl(ecx, 17);   // FI
        commit_fpscr(uint32_t(FR | FI), true);
    }
    end_fp_row(d, v, edx, call);
    return true;
}

// The end every FP row shares: FRT = rax as set_fpr writes it (doubleword 1 of the VSR zeroed), CR1 from
// the FPSCR in `fpscr` for Rc=1, then the slow path (the semantic function, which redoes the instruction).
void BlockEmitter::end_fp_row(const isa::Decoded &d, const Variant &v, const Xbyak::Reg32 &fpscr, ColdPath &slow) {
    mov(qword[rbx + vsr_dw(d.rt, 0)], rax);
    mov(qword[rbx + vsr_dw(d.rt, 1)], 0);
    if (v.rc)
        record_fp_cr(fpscr);
    slow.d = &d;
    slow.written = v.rc ? 1ull << kCr : 0;
    rejoin(slow);
}

// fmr, fneg, fabs, fnabs (sem::fp_move_op): arg 0-3. Bits moved, FPSCR untouched; Rc=1 copies its
// FX FEX VX OX to CR1.
bool BlockEmitter::e_fp_move(const isa::Decoded &d, const Variant &v) {
    ColdPath &call = slow_call();
    Label &slow = call.entry;
    if (v.rc)
        cr_read();
    need_facility(msr::FP, slow);
    mov(rax, qword[rbx + vsr_dw(d.rb, 0)]);
    switch (v.arg) {
    case 1: btc(rax, 63); break;
    case 2: btr(rax, 63); break;
    case 3: bts(rax, 63); break;
    default: break;
    }
    if (v.rc)
        mov(edx, dword[rbx + fpscr_off()]);
    end_fp_row(d, v, edx, call);
    return true;
}

} // namespace phv::jit
