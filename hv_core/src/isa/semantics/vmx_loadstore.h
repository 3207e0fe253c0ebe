// Book I 6.7: vector loads and stores. lvx/stvx move an aligned quadword (EA with its low 4 bits cleared);
// the element forms move one byte, halfword or word to or from the element position EA selects. In little-
// endian mode the register's byte order is reversed relative to storage (byte i of the VR is the storage
// byte at 15 - i), as the ISA's endian-neutral description of these instructions says.
//
// Outside RAM each is MMIO exits (load_bytes/store_bytes, Vcpu::vsx_mmio) as KVM's emulate_loadstore makes
// them: lvx/stvx two doublewords, the element forms one exit of the element's size.
#pragma once
#include "isa/semantics/loadstore.h"
#include "isa/semantics/vmx_common.h"
#include "isa/semantics/vsx_common.h"

namespace phv::isa::sem::vls {

inline bool little(const Vcpu &c) { return c.st_.msr & msr::LE; }

// lvx/lvxl (the L form only hints that the block is least recently used).
inline Flow lvx(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const uint64_t ea = effective_address<Addr::X, false>(c, d) & ~15ull;
    uint8_t b[16];
    if (const Flow f = load_bytes(c, ea, 16, b); f != Flow::Next)
        return f;
    set_vr(c, d.rt, from_bytes(b, !little(c)));
    return Flow::Next;
}
inline Flow stvx(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const uint64_t ea = effective_address<Addr::X, false>(c, d) & ~15ull;
    uint8_t b[16];
    to_bytes(vr(c, d.rt), b, !little(c));
    return store_bytes(c, ea, 16, b);
}

// lve[bhw]x: the element at EA (aligned to its size) into its position in VRT; the other elements are
// undefined, and phv leaves them as they were, as QEMU does.
template <typename T>
Flow lve(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const uint64_t ea = effective_address<Addr::X, false>(c, d) & ~uint64_t(sizeof(T) - 1);
    uint8_t b[sizeof(T)];
    if (const Flow f = load_bytes(c, ea, sizeof(T), b); f != Flow::Next)
        return f;
    const T v = T(elem_from_bytes<sizeof(T)>(b, !little(c)));
    const unsigned eb = unsigned(ea) & 15;
    const u128 m = u128(T(~T(0))), t = vr(c, d.rt);
    // Big-endian: bytes eb.. of the VR from the left; little-endian: bytes eb.. from the right.
    const unsigned sh = little(c) ? 8 * eb : 128 - 8 * (eb + sizeof(T));
    set_vr(c, d.rt, (t & ~(m << sh)) | u128(v) << sh);
    return Flow::Next;
}
template <typename T>
Flow stve(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const uint64_t ea = effective_address<Addr::X, false>(c, d) & ~uint64_t(sizeof(T) - 1);
    const unsigned eb = unsigned(ea) & 15;
    const unsigned sh = little(c) ? 8 * eb : 128 - 8 * (eb + sizeof(T));
    uint8_t b[sizeof(T)];
    elem_to_bytes<sizeof(T)>(T(vr(c, d.rt) >> sh), b, !little(c));
    return store_bytes(c, ea, sizeof(T), b);
}

// lvsl/lvsr: the permute control vectors for an unaligned EA; the same in either endian mode.
template <bool Right>
Flow lvs(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const unsigned sh = unsigned(effective_address<Addr::X, false>(c, d)) & 15;
    u128 r = 0;
    for (unsigned i = 0; i < 16; ++i)
        set_elem<uint8_t>(r, i, uint8_t((Right ? 16 - sh : sh) + i));
    set_vr(c, d.rt, r);
    return Flow::Next;
}

// dss/dssall: no architected effect.
inline Flow stream_hint(Vcpu &, const Decoded &) { return Flow::Next; }
// dst/dstt/dstst/dststt: none either, but RA=0 is an invalid form (the data stream needs a base address),
// which QEMU makes an illegal instruction; phv does the same.
inline Flow stream_touch(Vcpu &c, const Decoded &d) { return d.ra ? Flow::Next : c.illegal_instruction(d.word); }

} // namespace phv::isa::sem::vls
