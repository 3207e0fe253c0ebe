// What the VSX instructions share (Book I chapter 7): the 128-bit view of a VSR with the ISA's element
// numbering, the enable-bit checks each instruction's RTL starts with, and 1-32 byte guest accesses.
#pragma once
#include <cstring>

#include "isa/semantics/common.h"

namespace phv::isa::sem {

using u128 = unsigned __int128;

// VSR n as one 128-bit number: bit 0 of the ISA (the most significant) is bit 127 here, so byte element i
// (i = 0 is the leftmost, Book I 7.2.1) is bits 127-8i .. 120-8i.
inline u128 vsr_get(const Vcpu &c, unsigned n) { return u128(c.st_.vsr[n][0]) << 64 | c.st_.vsr[n][1]; }
inline void vsr_set(Vcpu &c, unsigned n, u128 v) {
    c.st_.vsr[n][0] = uint64_t(v >> 64);
    c.st_.vsr[n][1] = uint64_t(v);
}

template <unsigned W>
constexpr uint64_t elem_mask() {
    if constexpr (W == 8)
        return ~0ull;
    else
        return (1ull << (8 * W)) - 1;
}
// Element i of width W bytes (1, 2, 4, 8), numbered from the left as the ISA does.
template <unsigned W>
inline uint64_t elem(u128 v, unsigned i) {
    return uint64_t(v >> (128 - 8 * W * (i + 1))) & elem_mask<W>();
}
template <unsigned W>
inline u128 with_elem(u128 v, unsigned i, uint64_t x) {
    const unsigned shift = 128 - 8 * W * (i + 1);
    const u128 mask = u128(elem_mask<W>()) << shift;
    return (v & ~mask) | ((u128(x) << shift) & mask);
}

// Each instruction's RTL begins with the enable bits of the registers it names (Book I 7.6): a VSR in the
// lower half needs MSR[VSX] ("if TX=0 & MSR.VSX=0 then VSX_Unavailable()"), one in the upper half (a VR)
// MSR[VEC]; instructions that name a VR as VRT/VRS check MSR[VEC] only, and the moves between GPRs and the
// FPR half check MSR[FP] (mfvsrd & co., ISA 3.0). Each returns true when the instruction may go on, else the
// interrupt is already delivered in `f`.
inline bool vsx_enabled(Vcpu &c, const Decoded &d, Flow &f) {
    if (c.st_.msr & msr::VSX)
        return true;
    f = c.unit_unavailable(vec::kVSXUnavailable, d.word);
    return false;
}
inline bool vec_enabled(Vcpu &c, const Decoded &d, Flow &f) {
    if (c.st_.msr & msr::VEC)
        return true;
    f = c.unit_unavailable(vec::kVMXUnavailable, d.word);
    return false;
}
inline bool fp_enabled(Vcpu &c, const Decoded &d, Flow &f) {
    if (c.st_.msr & msr::FP)
        return true;
    f = c.unit_unavailable(vec::kFPUnavailable, d.word);
    return false;
}
// By register half: VSR0-31 need MSR[VSX], VSR32-63 (the VRs) need MSR[VEC].
inline bool vsr_enabled(Vcpu &c, const Decoded &d, unsigned x, Flow &f) {
    return x < 32 ? vsx_enabled(c, d, f) : vec_enabled(c, d, f);
}
// mfvsrd, mfvsrwz, mtvsrd, mtvsrwa, mtvsrwz: the FPR half needs MSR[FP], the VR half MSR[VEC].
inline bool fpr_or_vr_enabled(Vcpu &c, const Decoded &d, unsigned x, Flow &f) {
    return x < 32 ? fp_enabled(c, d, f) : vec_enabled(c, d, f);
}

// n bytes (1..32) at ea in storage order: out[0] is the byte at ea. Memory that is not RAM is MMIO exits of at
// most `piece` bytes each (Vcpu::vsx_mmio), after which the instruction runs again.
inline Flow load_bytes(Vcpu &c, uint64_t ea, unsigned n, uint8_t *out, unsigned piece = 8) {
    Vcpu::DataRef r;
    if (const Flow f = c.translate_data<mmu::Access::Load>(ea, n, r); f != Flow::Next)
        return f;
    if (!r.host)
        return c.vsx_mmio(ea, n, false, out, piece);   // MMIO: exits, piece by piece
    std::memcpy(out, r.host, n);
    return Flow::Next;
}
inline Flow store_bytes(Vcpu &c, uint64_t ea, unsigned n, const uint8_t *in, unsigned piece = 8) {
    Vcpu::DataRef r;
    if (const Flow f = c.translate_data<mmu::Access::Store>(ea, n, r); f != Flow::Next)
        return f;
    if (!r.host)
        return c.vsx_mmio(ea, n, true, const_cast<uint8_t *>(in), piece);   // MMIO: exits, piece by piece
    std::memcpy(r.host, in, n);
    if (r.split)
        c.commit_split_store(n);
    else
        c.note_store(r.slot, r.gpa, n);
    return Flow::Next;
}

// A 128-bit value and the 16 bytes of its storage image. Big-endian: byte element 0 at the lowest address;
// little-endian: the whole quadword reversed (Book I 7.3, "Little-Endian storage" of lxv/stxv).
inline u128 from_bytes(const uint8_t *b, bool big_endian) {
    u128 v = 0;
    for (unsigned i = 0; i < 16; ++i)
        v = v << 8 | b[big_endian ? i : 15 - i];
    return v;
}
inline void to_bytes(u128 v, uint8_t *b, bool big_endian) {
    for (unsigned i = 0; i < 16; ++i)
        b[big_endian ? 15 - i : i] = uint8_t(v >> (8 * i));
}

// An element of W bytes from its storage image in the current byte order.
template <unsigned W>
inline uint64_t elem_from_bytes(const uint8_t *b, bool big_endian) {
    uint64_t v = 0;
    for (unsigned i = 0; i < W; ++i)
        v = v << 8 | b[big_endian ? i : W - 1 - i];
    return v;
}
template <unsigned W>
inline void elem_to_bytes(uint64_t v, uint8_t *b, bool big_endian) {
    for (unsigned i = 0; i < W; ++i)
        b[big_endian ? W - 1 - i : i] = uint8_t(v >> (8 * i));
}

inline bool big_endian(const Vcpu &c) { return !(c.st_.msr & msr::LE); }

} // namespace phv::isa::sem
