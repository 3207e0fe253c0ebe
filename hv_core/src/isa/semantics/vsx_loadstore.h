// Book I 7.6.3 (ISA 3.1): VSX loads and stores. Element order follows MSR[LE] exactly as each instruction's
// RTL says: lxv/lxvx/plxv move the quadword as one little-endian number in LE mode (its bytes reversed);
// lxvd2x/lxvw4x/lxvh8x keep element order and reverse the bytes within each element; lxvb16x and the
// left-justified length forms (lxvll/stxvll) never reorder; lxvl/stxvl fill from the right end in LE mode;
// lxvp/stxvp move 32 bytes, the pair swapped in LE mode. Accesses of non-RAM are MMIO exits piece by piece
// (vsx_common.h, vmem_mmio_piece).
#pragma once
#include "fp/format.h"
#include "isa/semantics/loadstore.h"
#include "isa/semantics/vsx_common.h"

namespace phv::isa::sem {

// What one load or store moves.
enum class VMem : uint8_t {
    Quad,             // lxv, lxvx, plxv: 16 bytes as one quadword
    D2, W4, H8, B16,  // lxvd2x, lxvw4x, lxvh8x, lxvb16x: 16 bytes element by element
    DSplat, WSplat,   // lxvdsx, lxvwsx: one element into every element
    SD, SSP,          // lxsdx/lxsd, lxsspx/lxssp: doubleword 0 (single widened to double)
    IWA, IWZ, IHZ, IBZ,   // lxsiwax, lxsiwzx, lxsihzx, lxsibzx: integer into doubleword 0
    RD, RW, RH, RB,   // lxvr[dwhb]x: the rightmost element, the rest 0
};

// Which register and enable bit: XT/XS with TX/SX (VSX or VEC by half), VRT/VRS (VSR 32+RT, MSR[VEC]),
// or an XT that always needs MSR[VSX].
enum class VReg : uint8_t { Split, Vr, Vsx };

constexpr unsigned vmem_size(VMem k) {
    switch (k) {
    case VMem::Quad: case VMem::D2: case VMem::W4: case VMem::H8: case VMem::B16: return 16;
    case VMem::DSplat: case VMem::SD: case VMem::RD: return 8;
    case VMem::WSplat: case VMem::SSP: case VMem::IWA: case VMem::IWZ: case VMem::RW: return 4;
    case VMem::IHZ: case VMem::RH: return 2;
    case VMem::IBZ: case VMem::RB: return 1;
    }
    return 16;
}

template <VReg R>
inline unsigned vreg(const Decoded &d) { return R == VReg::Vr ? 32u + (d.rt & 31) : d.rt; }

template <VReg R>
inline bool vreg_enabled(Vcpu &c, const Decoded &d, Flow &f) {
    if constexpr (R == VReg::Vr)
        return vec_enabled(c, d, f);
    else if constexpr (R == VReg::Vsx)
        return vsx_enabled(c, d, f);
    else
        return vsr_enabled(c, d, d.rt, f);
}

template <unsigned W>
inline u128 elements_from_bytes(const uint8_t *b, bool be) {
    u128 v = 0;
    for (unsigned i = 0; i < 16 / W; ++i)
        v = with_elem<W>(v, i, elem_from_bytes<W>(b + i * W, be));
    return v;
}
template <unsigned W>
inline void elements_to_bytes(u128 v, uint8_t *b, bool be) {
    for (unsigned i = 0; i < 16 / W; ++i)
        elem_to_bytes<W>(elem<W>(v, i), b + i * W, be);
}

// The size of each MMIO exit, as KVM's emulate_loadstore splits a VSX access (its element size): 4 bytes for
// lxvw4x/stxvw4x, otherwise doublewords (lxvd2x), the whole access when smaller (the scalar forms). KVM
// emulates no other 16-byte VSX form (lxv/lxvx/lxvh8x/lxvb16x/lxvl/lxvp queue a Program interrupt there);
// phv serves them too, in doublewords.
constexpr unsigned vmem_mmio_piece(VMem k) { return k == VMem::W4 ? 4 : 8; }

template <VMem K, Addr A, VReg R>
Flow vsx_load(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vreg_enabled<R>(c, d, f))
        return f;
    const uint64_t ea = effective_address<A, false>(c, d);
    constexpr unsigned n = vmem_size(K);
    uint8_t b[16];
    if (const Flow lf = load_bytes(c, ea, n, b, vmem_mmio_piece(K)); lf != Flow::Next)
        return lf;
    const bool be = big_endian(c);
    const unsigned t = vreg<R>(d);
    u128 v = vsr_get(c, t);
    // Doubleword 0 of a scalar load; lxsd/lxssp (VRT) set doubleword 1 to 0, the X-forms leave it as it was
    // (the ISA leaves it undefined; QEMU, the oracle, keeps it).
    auto scalar = [&](uint64_t dw0) { v = u128(dw0) << 64 | (R == VReg::Vr ? 0 : uint64_t(v)); };
    switch (K) {
    case VMem::Quad: v = from_bytes(b, be); break;
    case VMem::D2: v = elements_from_bytes<8>(b, be); break;
    case VMem::W4: v = elements_from_bytes<4>(b, be); break;
    case VMem::H8: v = elements_from_bytes<2>(b, be); break;
    case VMem::B16: v = elements_from_bytes<1>(b, be); break;
    case VMem::DSplat: {
        const uint64_t x = elem_from_bytes<8>(b, be);
        v = u128(x) << 64 | x;
        break;
    }
    case VMem::WSplat: {
        const uint64_t x = elem_from_bytes<4>(b, be);
        v = u128(x << 32 | x) << 64 | (x << 32 | x);
        break;
    }
    case VMem::SD: scalar(elem_from_bytes<8>(b, be)); break;
    case VMem::SSP: scalar(fp::single_to_double(uint32_t(elem_from_bytes<4>(b, be)))); break;
    case VMem::IWA: scalar(uint64_t(int64_t(int32_t(uint32_t(elem_from_bytes<4>(b, be)))))); break;
    case VMem::IWZ: scalar(elem_from_bytes<4>(b, be)); break;
    case VMem::IHZ: scalar(elem_from_bytes<2>(b, be)); break;
    case VMem::IBZ: scalar(elem_from_bytes<1>(b, be)); break;
    case VMem::RD: v = elem_from_bytes<8>(b, be); break;
    case VMem::RW: v = elem_from_bytes<4>(b, be); break;
    case VMem::RH: v = elem_from_bytes<2>(b, be); break;
    case VMem::RB: v = elem_from_bytes<1>(b, be); break;
    }
    vsr_set(c, t, v);
    return Flow::Next;
}

template <VMem K, Addr A, VReg R>
Flow vsx_store(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vreg_enabled<R>(c, d, f))
        return f;
    const uint64_t ea = effective_address<A, false>(c, d);
    constexpr unsigned n = vmem_size(K);
    const bool be = big_endian(c);
    const u128 v = vsr_get(c, vreg<R>(d));
    const uint64_t dw0 = uint64_t(v >> 64), dw1 = uint64_t(v);
    uint8_t b[16];
    switch (K) {
    case VMem::Quad: to_bytes(v, b, be); break;
    case VMem::D2: elements_to_bytes<8>(v, b, be); break;
    case VMem::W4: elements_to_bytes<4>(v, b, be); break;
    case VMem::H8: elements_to_bytes<2>(v, b, be); break;
    case VMem::B16: elements_to_bytes<1>(v, b, be); break;
    case VMem::SD: elem_to_bytes<8>(dw0, b, be); break;
    case VMem::SSP: elem_to_bytes<4>(fp::double_to_single(dw0), b, be); break;
    case VMem::IWZ: elem_to_bytes<4>(dw0, b, be); break;   // stxsiwx: bits 32:63 of doubleword 0
    case VMem::IHZ: elem_to_bytes<2>(dw0, b, be); break;   // stxsihx
    case VMem::IBZ: elem_to_bytes<1>(dw0, b, be); break;   // stxsibx
    case VMem::RD: elem_to_bytes<8>(dw1, b, be); break;    // stxvr[dwhb]x: the rightmost element
    case VMem::RW: elem_to_bytes<4>(dw1, b, be); break;
    case VMem::RH: elem_to_bytes<2>(dw1, b, be); break;
    case VMem::RB: elem_to_bytes<1>(dw1, b, be); break;
    default: break;   // no store has the splat or sign-extending kinds
    }
    return store_bytes(c, ea, n, b, vmem_mmio_piece(K));
}

// lxvl/lxvll/stxvl/stxvll: EA = (RA|0), nb = RB[0:7] bytes (16 when larger). Left-justified (ll) forms
// always fill byte elements 0..nb-1 in storage order; lxvl/stxvl in LE mode use elements 15..16-nb.
// lxvl zeroes the rest of XT; nb = 0 touches no storage.
template <bool Store, bool LeftJustified>
Flow vsx_length(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsr_enabled(c, d, d.rt, f))
        return f;
    const uint64_t ea = c.mask_ea(ra_or_0(c, d));
    const unsigned nb = unsigned(std::min<uint64_t>(c.st_.gpr[d.rb] >> 56, 16));
    const bool reversed = !LeftJustified && !big_endian(c);
    auto index = [&](unsigned i) { return reversed ? 15 - i : i; };
    uint8_t b[16] = {};
    if constexpr (Store) {
        if (nb == 0)
            return Flow::Next;
        const u128 v = vsr_get(c, d.rt);
        for (unsigned i = 0; i < nb; ++i)
            b[i] = uint8_t(elem<1>(v, index(i)));
        return store_bytes(c, ea, nb, b);
    } else {
        if (nb)
            if (const Flow lf = load_bytes(c, ea, nb, b); lf != Flow::Next)
                return lf;
        u128 v = 0;
        for (unsigned i = 0; i < nb; ++i)
            v = with_elem<1>(v, index(i), b[i]);
        vsr_set(c, d.rt, v);
        return Flow::Next;
    }
}

// lxvp/lxvpx/plxvp and their stores: VSR pair XTp, XTp+1 from 32 bytes. Big-endian: XTp from EA, XTp+1
// from EA+16; little-endian: the 32 bytes are one number, so XTp+1 comes from EA and XTp from EA+16, each
// quadword byte-reversed. MSR[VSX] whichever half the pair is in.
template <bool Store, Addr A>
Flow vsx_pair(Vcpu &c, const Decoded &d) {
    Flow f;
    if (!vsx_enabled(c, d, f))
        return f;
    const uint64_t ea = effective_address<A, false>(c, d);
    const bool be = big_endian(c);
    const unsigned first = be ? d.rt : d.rt + 1, second = be ? d.rt + 1 : d.rt;
    uint8_t b[32];
    if constexpr (Store) {
        to_bytes(vsr_get(c, first), b, be);
        to_bytes(vsr_get(c, second), b + 16, be);
        return store_bytes(c, ea, 32, b);
    } else {
        if (const Flow lf = load_bytes(c, ea, 32, b); lf != Flow::Next)
            return lf;
        vsr_set(c, first, from_bytes(b, be));
        vsr_set(c, second, from_bytes(b + 16, be));
        return Flow::Next;
    }
}

} // namespace phv::isa::sem
