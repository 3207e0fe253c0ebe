// What every VMX instruction shares (Book I chapter 6): the MSR[VEC] check, VR access as a 128-bit number,
// elements numbered as the ISA numbers them (element 0 is the most significant, in either endian mode),
// VSCR[SAT], and element-wise templates the rows instantiate with one operation each.
#pragma once
#include <cstring>
#include <bit>
#include <cstdint>
#include <type_traits>

#include "isa/semantics/common.h"

namespace phv::isa::sem {

using u128 = unsigned __int128;
using s128 = __int128;

// Book I chapter 6: every vector instruction starts "if MSR.VEC = 0 then Vector_Unavailable()".
inline bool vec_off(const Vcpu &c) { return !(c.st_.msr & msr::VEC); }
// vcpu/interrupts.cpp delivers VMX Unavailable (0xf20) for the whole vector opcode space, with its guard
// against an instruction sitting at that vector itself.
inline Flow vec_unavailable(Vcpu &c, const Decoded &d) { return c.illegal_instruction(d.word); }

// VR n is VSR 32+n (Book I 7.2.1); doubleword 0 is the high half.
inline u128 vr(const Vcpu &c, unsigned n) {
    const auto &v = c.st_.vsr[32 + n];
    return u128(v[0]) << 64 | v[1];
}
inline void set_vr(Vcpu &c, unsigned n, u128 x) {
    auto &v = c.st_.vsr[32 + n];
    v[0] = uint64_t(x >> 64);
    v[1] = uint64_t(x);
}

template <typename T>
constexpr unsigned kLanes = 16 / sizeof(T);

// Element i of width sizeof(T) (element 0 = bits 0:w-1 in the ISA's numbering, the most significant).
template <typename T>
constexpr T elem(u128 v, unsigned i) {
    if constexpr (sizeof(T) == 16)
        return T(v);
    else
        return T(v >> (128 - 8 * sizeof(T) * (i + 1)));
}
template <typename T>
constexpr void set_elem(u128 &v, unsigned i, T x) {
    if constexpr (sizeof(T) == 16) {
        v = u128(x);
    } else {
        using U = std::make_unsigned_t<T>;
        const unsigned sh = 128 - 8 * sizeof(T) * (i + 1);
        v = (v & ~(u128(U(~U(0))) << sh)) | u128(U(x)) << sh;
    }
}

inline void set_sat(Vcpu &c, bool sat) {
    if (sat)
        c.st_.vscr |= vscr::SAT;
}

// Saturating conversion of a wide intermediate to T (Book I 6.8 "Clamp"), noting saturation.
template <typename T, typename W>
constexpr T clamp(W v, bool &sat) {
    if constexpr (std::is_signed_v<T>) {
        if (v > W(std::numeric_limits<T>::max())) {
            sat = true;
            return std::numeric_limits<T>::max();
        }
        if (v < W(std::numeric_limits<T>::min())) {
            sat = true;
            return std::numeric_limits<T>::min();
        }
    } else {
        if (v < W(0)) {
            sat = true;
            return 0;
        }
        if (v > W(std::numeric_limits<T>::max())) {
            sat = true;
            return std::numeric_limits<T>::max();
        }
    }
    return T(v);
}

// ---- element-wise templates ------------------------------------------------------------------------------
// The elements of a register as an array in the host's memory order (on a little-endian host ISA element i
// is index kLanes - 1 - i): an element-wise operation does not care which is which, and the compiler
// vectorises a loop over an array where it cannot see through elem()/set_elem()'s shifts of a u128.
template <typename T>
struct Lanes {
    T e[kLanes<T>];
};
template <typename T>
inline Lanes<T> lanes(u128 v) {
    Lanes<T> l;
    std::memcpy(l.e, &v, sizeof v);
    return l;
}
template <typename T>
inline u128 from_lanes(const Lanes<T> &l) {
    u128 v;
    std::memcpy(&v, l.e, sizeof v);
    return v;
}

// VRT <- op(VRA, VRB) per element of type T.
template <typename T, T (*Op)(T, T)>
Flow v_binary(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const Lanes<T> a = lanes<T>(vr(c, d.ra)), b = lanes<T>(vr(c, d.rb));
    Lanes<T> r;
    for (unsigned i = 0; i < kLanes<T>; ++i)
        r.e[i] = Op(a.e[i], b.e[i]);
    set_vr(c, d.rt, from_lanes(r));
    return Flow::Next;
}

// The same with saturation noted in VSCR[SAT].
template <typename T, T (*Op)(T, T, bool &)>
Flow v_binary_sat(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const Lanes<T> a = lanes<T>(vr(c, d.ra)), b = lanes<T>(vr(c, d.rb));
    Lanes<T> r;
    bool sat = false;
    for (unsigned i = 0; i < kLanes<T>; ++i)
        r.e[i] = Op(a.e[i], b.e[i], sat);
    set_vr(c, d.rt, from_lanes(r));
    set_sat(c, sat);
    return Flow::Next;
}

// VRT <- op(VRB) per element.
template <typename T, T (*Op)(T)>
Flow v_unary(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const Lanes<T> b = lanes<T>(vr(c, d.rb));
    Lanes<T> r;
    for (unsigned i = 0; i < kLanes<T>; ++i)
        r.e[i] = Op(b.e[i]);
    set_vr(c, d.rt, from_lanes(r));
    return Flow::Next;
}

// VRT <- op(VRA, VRB, VRC) per element.
template <typename T, T (*Op)(T, T, T)>
Flow v_ternary(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const Lanes<T> a = lanes<T>(vr(c, d.ra)), b = lanes<T>(vr(c, d.rb)), cc = lanes<T>(vr(c, d.rc));
    Lanes<T> r;
    for (unsigned i = 0; i < kLanes<T>; ++i)
        r.e[i] = Op(a.e[i], b.e[i], cc.e[i]);
    set_vr(c, d.rt, from_lanes(r));
    return Flow::Next;
}

// Whole-register operations: VRT <- op(VRA, VRB) / op(VRB) / op(VRA, VRB, VRC) on 128-bit values.
template <u128 (*Op)(u128, u128)>
Flow v_whole2(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    set_vr(c, d.rt, Op(vr(c, d.ra), vr(c, d.rb)));
    return Flow::Next;
}
template <u128 (*Op)(u128, u128, bool &)>
Flow v_whole2_sat(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    bool sat = false;
    set_vr(c, d.rt, Op(vr(c, d.ra), vr(c, d.rb), sat));
    set_sat(c, sat);
    return Flow::Next;
}
template <u128 (*Op)(u128)>
Flow v_whole1(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    set_vr(c, d.rt, Op(vr(c, d.rb)));
    return Flow::Next;
}
template <u128 (*Op)(u128, u128, u128)>
Flow v_whole3(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    set_vr(c, d.rt, Op(vr(c, d.ra), vr(c, d.rb), vr(c, d.rc)));
    return Flow::Next;
}
template <u128 (*Op)(u128, u128, u128, bool &)>
Flow v_whole3_sat(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    bool sat = false;
    set_vr(c, d.rt, Op(vr(c, d.ra), vr(c, d.rb), vr(c, d.rc), sat));
    set_sat(c, sat);
    return Flow::Next;
}
// Operations that also take the instruction word (immediates, GPR operands): op(c, d) -> VRT.
template <u128 (*Op)(const Vcpu &, const Decoded &)>
Flow v_word(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    set_vr(c, d.rt, Op(c, d));
    return Flow::Next;
}
// Operations whose result goes to GPR RT.
template <uint64_t (*Op)(const Vcpu &, const Decoded &)>
Flow v_to_gpr(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    c.st_.gpr[d.rt] = Op(c, d);
    return Flow::Next;
}

} // namespace phv::isa::sem
