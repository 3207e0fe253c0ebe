// Data access for the instruction semantics (included by vcpu.h). Guest memory is reached only through
// Vcpu::ram(), which bounds-checks against the memslots; anything else becomes an MMIO exit.
#pragma once
#include <bit>

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

template <typename T, bool Sign, bool Reverse>
isa::Flow Vcpu::load_gpr(unsigned rt, uint64_t ea) {
    static_assert(std::is_unsigned_v<T>);
    const uint64_t gpa = real_address(ea);
    const bool be = !(st_.msr & msr::LE) != Reverse;
    if (const uint8_t *p = ram(gpa, sizeof(T), false)) {
        const T v = detail::from_guest<T>(p, be);
        st_.gpr[rt] = Sign ? uint64_t(int64_t(std::make_signed_t<T>(v))) : uint64_t(v);
        return isa::Flow::Next;
    }
    pending_load_ = {true, uint8_t(rt), uint8_t(sizeof(T)), Sign, be};
    return mmio_exit(gpa, sizeof(T), false, nullptr);
}

template <typename T, bool Reverse>
isa::Flow Vcpu::store(uint64_t ea, T value) {
    static_assert(std::is_unsigned_v<T>);
    const uint64_t gpa = real_address(ea);
    const bool be = !(st_.msr & msr::LE) != Reverse;
    Memslot *slot = nullptr;
    if (uint8_t *p = ram(gpa, sizeof(T), true, &slot)) {
        detail::to_guest<T>(p, value, be);
        note_store(slot, gpa, sizeof(T));
        return isa::Flow::Next;
    }
    uint8_t bytes[sizeof(T)];
    detail::to_guest<T>(bytes, value, be);
    return mmio_exit(gpa, sizeof(T), true, bytes);
}

template <typename T>
isa::Flow Vcpu::load_value(uint64_t ea, T &out) {
    const uint64_t gpa = real_address(ea);
    if (const uint8_t *p = ram(gpa, sizeof(T), false)) {
        out = detail::from_guest<T>(p, !(st_.msr & msr::LE));
        return isa::Flow::Next;
    }
    return internal_error(PHV_INTERNAL_ERROR_EMULATION, "load of %zu bytes from non-RAM gpa 0x%llx by an "
                          "instruction that cannot complete through MMIO", sizeof(T), (unsigned long long)gpa);
}

} // namespace phv
