// Data access for the instruction semantics (included by vcpu.h). Guest memory is reached only through
// Vcpu::ram(), which bounds-checks against the memslots; anything else becomes an MMIO exit.
//
// With MSR[DR]=0 an effective address is a real address (real_address()), unless the VRMA translates real
// mode (a hash partition with LPCR[VPM0]: then as below, in the TLB's real-mode context). With MSR[DR]=1 it is translated:
// the software TLB is the fast path (one tag compare, then the cached host pointer), the radix walk in
// mmu/translate.cpp the slow path, which also delivers the storage interrupts.
#pragma once
#include <bit>

#include "vcpu/spr_table.h"

namespace phv {

namespace detail {
// std::byteswap is C++23; the builtins are what it compiles to.
template <typename T>
constexpr T bswap(T v) {
    if constexpr (sizeof(T) == 1)
        return v;
    else if constexpr (sizeof(T) == 2)
        return T(__builtin_bswap16(v));
    else if constexpr (sizeof(T) == 4)
        return T(__builtin_bswap32(v));
    else
        return T(__builtin_bswap64(v));
}

template <typename T>
T from_guest(const uint8_t *p, bool big_endian) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return big_endian ? bswap(v) : v;   // hosts are little-endian (x86-64)
}
template <typename T>
void to_guest(uint8_t *p, T v, bool big_endian) {
    if (big_endian)
        v = bswap(v);
    std::memcpy(p, &v, sizeof v);
}
} // namespace detail

template <mmu::Access A>
isa::Flow Vcpu::translate_data(uint64_t ea, unsigned len, DataRef &out) {
    if (debug_.n_watch) [[unlikely]] {
        if (const isa::Flow f = debug_watch(A == mmu::Access::Store, ea, len); f != isa::Flow::Next)
            return f;
    }
    // An L2's real-mode accesses are translated too (the L1's partition-scoped tree), and so are a hash
    // partition's through the VRMA: the real-mode TLB context, then the slow path.
    const bool real = !(st_.msr & msr::DR);
    if (real && !mmu_.l2.active && !mmu_.vrma) {
        out.gpa = ea & kRealModeMask;   // real_address() without the call
        out.host = ram(out.gpa, len, A == mmu::Access::Store, &out.slot);
        out.split = false;
        // Across a page into another slot (or out of RAM): the pieces, as under translation.
        if (!out.host && (out.gpa & 0xfff) + len > 0x1000) [[unlikely]]
            return real_cross_page(out.gpa, len, A == mmu::Access::Store, out);
        return isa::Flow::Next;
    }
    if (real)
        ea &= 0x0fffffffffffffffull;   // real mode ignores the top 4 EA bits (translate_data_slow does the same)
    const mmu::TlbEntry *e = mmu_.tlb->lookup(A, ea, real ? mmu::Tlb::kRealContext : tlb_context());
    if (e && (ea & 0xfff) + len <= 0x1000) [[likely]] {
        const uint64_t off = ea & 0xfff;
        out.host = e->host ? e->host + off : nullptr;
        out.gpa = e->gpa + off;
        out.slot = e->slot;
        out.split = false;
        return isa::Flow::Next;
    }
    return translate_data_slow(A, ea, len, out);
}

template <typename T, bool Sign, bool Reverse>
isa::Flow Vcpu::load_gpr(unsigned rt, uint64_t ea) {
    static_assert(std::is_unsigned_v<T>);
    DataRef r;
    if (const isa::Flow f = translate_data<mmu::Access::Load>(ea, sizeof(T), r); f != isa::Flow::Next)
        return f;
    const bool be = !(st_.msr & msr::LE) != Reverse;
    if (r.host) {
        const T v = detail::from_guest<T>(r.host, be);
        st_.gpr[rt] = Sign ? uint64_t(int64_t(std::make_signed_t<T>(v))) : uint64_t(v);
        return isa::Flow::Next;
    }
    pending_load_ = {true, uint8_t(rt), uint8_t(sizeof(T)), Sign, be};
    return mmio_exit(r.gpa, sizeof(T), false, nullptr);
}

template <typename T, bool Reverse>
isa::Flow Vcpu::store(uint64_t ea, T value) {
    static_assert(std::is_unsigned_v<T>);
    DataRef r;
    if (const isa::Flow f = translate_data<mmu::Access::Store>(ea, sizeof(T), r); f != isa::Flow::Next)
        return f;
    const bool be = !(st_.msr & msr::LE) != Reverse;
    if (r.host) {
        detail::to_guest<T>(r.host, value, be);
        if (r.split) [[unlikely]]
            commit_split_store(sizeof(T));
        else
            note_store(r.slot, r.gpa, sizeof(T));
        return isa::Flow::Next;
    }
    uint8_t bytes[sizeof(T)];
    detail::to_guest<T>(bytes, value, be);
    return mmio_exit(r.gpa, sizeof(T), true, bytes);
}

template <typename T>
isa::Flow Vcpu::load_fpr(unsigned frt, uint64_t ea, FprLoad kind) {
    static_assert(std::is_unsigned_v<T>);
    DataRef r;
    if (const isa::Flow f = translate_data<mmu::Access::Load>(ea, sizeof(T), r); f != isa::Flow::Next)
        return f;
    const bool be = !(st_.msr & msr::LE);
    if (r.host) {
        const uint64_t raw = detail::from_guest<T>(r.host, be);
        st_.set_fpr(frt, kind == FprLoad::Double ? raw : fpr_image(kind, raw));   // lfd needs no call
        return isa::Flow::Next;
    }
    pending_load_ = {true, uint8_t(frt), uint8_t(sizeof(T)), false, be, true, kind};
    return mmio_exit(r.gpa, sizeof(T), false, nullptr);
}

template <typename T>
isa::Flow Vcpu::load_value(uint64_t ea, T &out) {
    DataRef r;
    if (const isa::Flow f = translate_data<mmu::Access::Load>(ea, sizeof(T), r); f != isa::Flow::Next)
        return f;
    if (r.host) {
        out = detail::from_guest<T>(r.host, !(st_.msr & msr::LE));
        return isa::Flow::Next;
    }
    return unemulatable_mmio(ea, r.gpa, false, "load");
}

} // namespace phv
