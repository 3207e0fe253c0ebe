// Native VMX rows (Book I 6.8-6.9): the logical rows, modular add and subtract, the word shifts, the
// unsigned halfword multiplies and vmsumuhm, the splats of an immediate, and vperm, on the host's SSE/AVX2 units. Each gives exactly
// what its semantic function (isa/semantics/vmx_logical.h, vmx_integer.h, vmx_permute.h) gives: none of
// them rounds, saturates or touches VSCR. MSR[VEC] is not in the block's key, so each row tests it at run
// time and, when it is off, calls the semantic function, which raises Vector Unavailable.
//
// VR n is VSR 32+n: CpuState keeps doubleword 0 (the ISA's high half) first, each doubleword as a host
// integer, so a 16-byte load puts doubleword 0 in the low quadword. Element-wise rows need nothing more (a
// host lane of any width holds one element, as a value); vperm's byte numbering is worked out below.
#include <xbyak/xbyak_util.h>

#include "jit/emitter.h"
#include "vcpu/vcpu.h"

namespace phv::jit {

using namespace Xbyak::util;

namespace {
// AVX2 brings everything the rows use: pshufb (SSSE3), pmulld (SSE4.1), the variable shifts and VEX blends.
bool host_ok() { return host_cpu().has(Xbyak::util::Cpu::tAVX2); }

alignas(16) constexpr uint32_t kWord31[4] = {31, 31, 31, 31};
alignas(16) constexpr uint32_t kLowHalf[4] = {0xffff, 0xffff, 0xffff, 0xffff};
alignas(16) constexpr uint8_t kByte07[16] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
alignas(16) constexpr uint8_t kByte0f[16] = {15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15};
} // namespace

Xbyak::Address BlockEmitter::vr(unsigned n) const {
    return xword[rbx + vsr_dw(32 + (n & 31), 0)];
}

// The frame of every row: false (the row is called) on a host without AVX2; else the MSR[VEC] test, VRA
// and VRB in xmm0 and xmm1 if `load_ab`, the row's code (its result in xmm0), VRT, and the semantic call as
// the slow path.
template <typename F>
bool BlockEmitter::vmx_row(const isa::Decoded &d, bool load_ab, F compute) {
    if (!host_ok())
        return false;
    ColdPath &slow = slow_call();
    slow.d = &d;
    need_facility(msr::VEC, slow.entry);
    if (load_ab) {
        vmovdqu(xmm0, vr(d.ra));
        vmovdqu(xmm1, vr(d.rb));
    }
    compute();
    vmovdqu(vr(d.rt), xmm0);
    rejoin(slow);
    return true;
}

// arg: 0 vand, 1 vandc, 2 vor, 3 vorc, 4 vxor, 5 vnand, 6 vnor, 7 veqv (sem vlog::*).
bool BlockEmitter::e_vlogical(const isa::Decoded &d, const Variant &v) {
    return vmx_row(d, true, [&] {
        if (v.arg == 1 || v.arg == 3) {   // b complemented
            vpcmpeqd(xmm2, xmm2, xmm2);
            vpxor(xmm1, xmm1, xmm2);
        }
        switch (v.arg) {
        case 0: case 1: case 5: vpand(xmm0, xmm0, xmm1); break;
        case 2: case 3: case 6: vpor(xmm0, xmm0, xmm1); break;
        default: vpxor(xmm0, xmm0, xmm1); break;
        }
        if (v.arg >= 5) {
            vpcmpeqd(xmm2, xmm2, xmm2);
            vpxor(xmm0, xmm0, xmm2);
        }
    });
}

// arg: element size in bytes (1, 2, 4, 8) | 0x10 subtract (vaddu*m, vsubu*m: modulo 2^width).
bool BlockEmitter::e_vadd_modulo(const isa::Decoded &d, const Variant &v) {
    return vmx_row(d, true, [&] {
        const bool sub = v.arg & 0x10;
        switch (v.arg & 0xf) {
        case 1: sub ? vpsubb(xmm0, xmm0, xmm1) : vpaddb(xmm0, xmm0, xmm1); break;
        case 2: sub ? vpsubw(xmm0, xmm0, xmm1) : vpaddw(xmm0, xmm0, xmm1); break;
        case 4: sub ? vpsubd(xmm0, xmm0, xmm1) : vpaddd(xmm0, xmm0, xmm1); break;
        default: sub ? vpsubq(xmm0, xmm0, xmm1) : vpaddq(xmm0, xmm0, xmm1); break;
        }
    });
}

// arg: 0 vslw, 1 vsrw, 2 vsraw (sem vlog::sl, sr, sra): each word of VRA shifted by the low 5 bits of
// VRB's word (the host's variable shifts would take the whole count, so it is masked first).
bool BlockEmitter::e_vshift_word(const isa::Decoded &d, const Variant &v) {
    return vmx_row(d, true, [&] {
        mov(rax, reinterpret_cast<uint64_t>(kWord31));
        vpand(xmm1, xmm1, ptr[rax]);
        switch (v.arg) {
        case 0: vpsllvd(xmm0, xmm0, xmm1); break;
        case 1: vpsrlvd(xmm0, xmm0, xmm1); break;
        default: vpsravd(xmm0, xmm0, xmm1); break;
        }
    });
}

// arg: 0 vmulouh (the odd, low-order halfword of each word), 1 vmuleuh (the even, high-order one), 2 vmuluwm
// (the low word of each word product), 3 vmsumuhm (both halfword products of each word plus VRC's word,
// modulo 2^32). A halfword product of unsigned halfwords fits a word, so pmulld's low word is exact.
bool BlockEmitter::e_vmul_word(const isa::Decoded &d, const Variant &v) {
    return vmx_row(d, true, [&] {
        mov(rax, reinterpret_cast<uint64_t>(kLowHalf));
        switch (v.arg) {
        case 0:
            vpand(xmm0, xmm0, ptr[rax]);
            vpand(xmm1, xmm1, ptr[rax]);
            vpmulld(xmm0, xmm0, xmm1);
            break;
        case 1:
            vpsrld(xmm0, xmm0, 16);
            vpsrld(xmm1, xmm1, 16);
            vpmulld(xmm0, xmm0, xmm1);
            break;
        case 2:
            vpmulld(xmm0, xmm0, xmm1);
            break;
        default:
            vpsrld(xmm2, xmm0, 16);
            vpsrld(xmm3, xmm1, 16);
            vpmulld(xmm2, xmm2, xmm3);
            vpand(xmm0, xmm0, ptr[rax]);
            vpand(xmm1, xmm1, ptr[rax]);
            vpmulld(xmm0, xmm0, xmm1);
            vpaddd(xmm0, xmm0, xmm2);
            vpaddd(xmm0, xmm0, vr(d.rc));
            break;
        }
    });
}

// arg: element size in bytes: vspltisb, vspltish, vspltisw (sem vperm::splat_imm), SIM sign-extended into
// every element. The value is known when the block is compiled, and every element is the same, so the
// layout does not matter.
bool BlockEmitter::e_vsplti(const isa::Decoded &d, const Variant &v) {
    const unsigned size = v.arg;
    const uint64_t e = uint64_t(int64_t(int32_t(d.word << 11) >> 27));   // SIM, bits 11:15
    uint64_t dw = 0;
    for (unsigned at = 0; at < 64; at += 8 * size)
        dw |= (e & (~0ull >> (64 - 8 * size))) << at;
    return vmx_row(d, false, [&] {
        mov(rax, dw);
        vmovq(xmm0, rax);
        vpunpcklqdq(xmm0, xmm0, xmm0);
    });
}

// vperm (sem vperm::perm<false>): byte k of VRT (the ISA's numbering, 0 the most significant) is byte
// VRC[k] & 31 of VRA || VRB. In a register, byte k of a VR sits at host byte k ^ 7 (doubleword 0 in the low
// quadword, each doubleword little-endian), so the index for the result's host byte j is VRC's host byte j
// itself (the ISA's byte j ^ 7), and the byte it names, m = index & 15, is at host byte m ^ 7 of VRA or
// VRB: pshufb on both with (index & 15) ^ 7, and bit 4 of the index picks which.
bool BlockEmitter::e_vperm(const isa::Decoded &d, const Variant &) {
    return vmx_row(d, false, [&] {
        vmovdqu(xmm3, vr(d.rc));
        vpsllw(xmm2, xmm3, 3);   // bit 4 of each index byte to bit 7: the blend's choice
        mov(rax, reinterpret_cast<uint64_t>(kByte0f));
        vpand(xmm3, xmm3, ptr[rax]);
        mov(rax, reinterpret_cast<uint64_t>(kByte07));
        vpxor(xmm3, xmm3, ptr[rax]);
        vmovdqu(xmm0, vr(d.ra));
        vpshufb(xmm0, xmm0, xmm3);
        vmovdqu(xmm1, vr(d.rb));
        vpshufb(xmm1, xmm1, xmm3);
        vpblendvb(xmm0, xmm0, xmm1, xmm2);
    });
}

} // namespace phv::jit
