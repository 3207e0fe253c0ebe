// Book I 6.9.3 (integer) vector compares: each element of VRT becomes all ones where the predicate holds, and
// the record forms (Rc, bit 21 of the VC form) set CR6 to 0b1000 when it held for every element, 0b0010 when
// for none. vcmpsq/vcmpuq (ISA 3.1) set CR field BF like cmp does.
#pragma once
#include "isa/semantics/vmx_common.h"

namespace phv::isa::sem::vcmp {

template <typename T> constexpr bool eq(T a, T b) { return a == b; }
template <typename T> constexpr bool gt(T a, T b) { return a > b; }
template <typename T> constexpr bool ne(T a, T b) { return a != b; }
template <typename T> constexpr bool nez(T a, T b) { return a != b || a == 0 || b == 0; }

// CR6 for a vector compare: all true -> LT, none true -> EQ (Book I 6.9.3).
inline void set_cr6(Vcpu &c, bool all, bool none) { c.st_.set_crf(6, (all ? 8u : 0u) | (none ? 2u : 0u)); }

template <typename T, bool (*Pred)(T, T), bool Rc>
Flow cmp(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const u128 a = vr(c, d.ra), b = vr(c, d.rb);
    u128 r = 0;
    bool all = true, none = true;
    for (unsigned i = 0; i < kLanes<T>; ++i) {
        const bool p = Pred(elem<T>(a, i), elem<T>(b, i));
        set_elem<T>(r, i, p ? T(~T(0)) : T(0));
        all &= p;
        none &= !p;
    }
    set_vr(c, d.rt, r);
    if constexpr (Rc)
        set_cr6(c, all, none);
    return Flow::Next;
}

// vcmpsq/vcmpuq BF,VRA,VRB: CR[BF] <- LT/GT/EQ, SO = 0.
template <bool Signed>
Flow cmpq(Vcpu &c, const Decoded &d) {
    if (vec_off(c))
        return vec_unavailable(c, d);
    const u128 a = vr(c, d.ra), b = vr(c, d.rb);
    bool lt, gt;
    if constexpr (Signed) {
        lt = s128(a) < s128(b);
        gt = s128(a) > s128(b);
    } else {
        lt = a < b;
        gt = a > b;
    }
    c.st_.set_crf(field::BF(d.word), lt ? 8u : gt ? 4u : 2u);
    return Flow::Next;
}

} // namespace phv::isa::sem::vcmp
