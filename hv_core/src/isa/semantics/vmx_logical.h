// Book I 6.9.2-6.9.4 and 6.8.8: vector logical, rotate and shift instructions, element-wise and on the whole
// quadword.
#pragma once
#include "isa/semantics/vmx_common.h"

namespace phv::isa::sem::vlog {

// ---- logical (6.9.2) -------------------------------------------------------------------------------------
constexpr u128 and_(u128 a, u128 b) { return a & b; }
constexpr u128 andc(u128 a, u128 b) { return a & ~b; }
constexpr u128 or_(u128 a, u128 b) { return a | b; }
constexpr u128 orc(u128 a, u128 b) { return a | ~b; }
constexpr u128 xor_(u128 a, u128 b) { return a ^ b; }
constexpr u128 nor(u128 a, u128 b) { return ~(a | b); }
constexpr u128 nand(u128 a, u128 b) { return ~(a & b); }
constexpr u128 eqv(u128 a, u128 b) { return ~(a ^ b); }
// vsel: VRB's bit where VRC's is 1, else VRA's.
constexpr u128 sel(u128 a, u128 b, u128 c) { return (a & ~c) | (b & c); }

// ---- element rotates and shifts (6.9.3, 6.9.4): the count is the low log2(width) bits of VRB's element --
template <typename T> constexpr unsigned count(T b) { return unsigned(b) & (8 * sizeof(T) - 1); }
template <typename T> constexpr T rl(T a, T b) { return std::rotl(a, int(count(b))); }
template <typename T> constexpr T sl(T a, T b) { return T(a << count(b)); }
template <typename T> constexpr T sr(T a, T b) { return T(a >> count(b)); }
template <typename T> constexpr T sra(T a, T b) {
    using S = std::make_signed_t<T>;
    return T(S(a) >> count(b));
}

// The ISA's MASK(mb, me) over a w-bit element (IBM numbering: ones from bit mb to bit me, wrapping).
template <typename T>
constexpr T mask(unsigned mb, unsigned me) {
    constexpr unsigned w = 8 * sizeof(T);
    const T ones = T(~T(0));
    const T from_mb = T(ones >> mb);                        // bits mb..w-1
    const T to_me = T(ones << (w - 1 - me));                // bits 0..me
    return mb <= me ? T(from_mb & to_me) : T(from_mb | to_me);
}

// vrlwnm/vrldnm/vrlwmi/vrldmi (ISA 3.0): VRB's element holds MB, ME and SH in the low bits of its last three
// bytes (word: bits 11:15, 19:23, 27:31; doubleword: 42:47, 50:55, 58:63).
template <typename T, bool Insert>
Flow rl_mask(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    constexpr unsigned w = 8 * sizeof(T), m = w - 1;
    const u128 a = vr(c, d.ra), b = vr(c, d.rb), t = vr(c, d.rt);
    u128 r = 0;
    for (unsigned i = 0; i < kLanes<T>; ++i) {
        const T e = elem<T>(b, i);
        const unsigned mb = unsigned(e >> 16) & m, me = unsigned(e >> 8) & m, sh = unsigned(e) & m;
        const T rot = std::rotl(elem<T>(a, i), int(sh)), k = mask<T>(mb, me);
        set_elem<T>(r, i, Insert ? T((rot & k) | (elem<T>(t, i) & ~k)) : T(rot & k));
    }
    set_vr(c, d.rt, r);
    return Flow::Next;
}

// ---- quadword rotates and shifts (ISA 3.1): the count is VRB bits 57:63 --------------------------------
constexpr unsigned qcount(u128 b) { return unsigned(b >> 64) & 127; }
constexpr u128 rotl128(u128 a, unsigned n) { return n ? a << n | a >> (128 - n) : a; }
constexpr u128 rlq(u128 a, u128 b) { return rotl128(a, qcount(b)); }
constexpr u128 slq(u128 a, u128 b) { return a << qcount(b); }
constexpr u128 srq(u128 a, u128 b) { return a >> qcount(b); }
constexpr u128 sraq(u128 a, u128 b) { return u128(s128(a) >> qcount(b)); }
constexpr u128 mask128(unsigned mb, unsigned me) {
    const u128 ones = ~u128(0);
    const u128 from_mb = ones >> mb, to_me = ones << (127 - me);
    return mb <= me ? from_mb & to_me : from_mb | to_me;
}
// vrlqnm/vrlqmi: MB in VRB bits 41:47, ME in 49:55, SH in 57:63.
template <bool Insert>
Flow rlq_mask(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const u128 a = vr(c, d.ra), b = vr(c, d.rb), t = vr(c, d.rt);
    const uint64_t hi = uint64_t(b >> 64);
    const unsigned mb = unsigned(hi >> 16) & 127, me = unsigned(hi >> 8) & 127, sh = unsigned(hi) & 127;
    const u128 rot = rotl128(a, sh), k = mask128(mb, me);
    set_vr(c, d.rt, Insert ? (rot & k) | (t & ~k) : rot & k);
    return Flow::Next;
}

// ---- whole-register shifts (6.8.8) ----------------------------------------------------------------------
// vsl/vsr: by VRB bits 125:127 (the ISA requires every byte of VRB to hold the same count; phv, as QEMU,
// uses the last byte's).
constexpr u128 sl_bits(u128 a, u128 b) { return a << (unsigned(b) & 7); }
constexpr u128 sr_bits(u128 a, u128 b) { return a >> (unsigned(b) & 7); }
// vslo/vsro: by octets, VRB bits 121:124.
constexpr u128 sl_octets(u128 a, u128 b) {
    const unsigned n = (unsigned(b) >> 3) & 15;
    return n ? a << (8 * n) : a;
}
constexpr u128 sr_octets(u128 a, u128 b) {
    const unsigned n = (unsigned(b) >> 3) & 15;
    return n ? a >> (8 * n) : a;
}
// vslv/vsrv (ISA 3.0): each byte shifted by its own count with the bits of its neighbour shifted in.
inline u128 slv(u128 a, u128 b) {
    u128 r = 0;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned pair = unsigned(elem<uint8_t>(a, i)) << 8 | (i < 15 ? elem<uint8_t>(a, i + 1) : 0);
        set_elem<uint8_t>(r, i, uint8_t((pair << (elem<uint8_t>(b, i) & 7)) >> 8));
    }
    return r;
}
inline u128 srv(u128 a, u128 b) {
    u128 r = 0;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned pair = (i > 0 ? unsigned(elem<uint8_t>(a, i - 1)) << 8 : 0) | elem<uint8_t>(a, i);
        set_elem<uint8_t>(r, i, uint8_t(pair >> (elem<uint8_t>(b, i) & 7)));
    }
    return r;
}

// vsldoi: bytes SHB..SHB+15 of VRA || VRB (SHB in bits 22:25).
inline u128 sldoi(const Vcpu &c, const Decoded &d) {
    const unsigned shb = bits(d.word, 22, 25);
    const u128 a = vr(c, d.ra), b = vr(c, d.rb);
    return shb ? a << (8 * shb) | b >> (128 - 8 * shb) : a;
}
// vsldbi/vsrdbi (ISA 3.1): VRA || VRB shifted left (right) by SH bits (bits 23:25), the high (low) half.
template <bool Right>
u128 shift_double(const Vcpu &c, const Decoded &d) {
    const unsigned sh = bits(d.word, 23, 25);
    const u128 a = vr(c, d.ra), b = vr(c, d.rb);
    if (!sh)
        return Right ? b : a;
    return Right ? b >> sh | a << (128 - sh) : a << sh | b >> (128 - sh);
}

} // namespace phv::isa::sem::vlog
