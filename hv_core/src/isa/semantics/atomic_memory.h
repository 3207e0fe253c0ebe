// ISA 3.0 Book II 4.5, Atomic Memory Operations: lwat/ldat (Load Atomic) and stwat/stdat (Store Atomic).
// EA = (RA|0); the FC field (bits 16:20) selects the function. The operand is the s-byte element at EA
// (s = 4 or 8), and for the "bounded"/"equal"/"twin" functions also its neighbour: mem(EA+s,s) for Fetch and
// Increment Bounded/Equal and Store Twin, mem(EA-s,s) for Fetch and Decrement Bounded (the ISA's
// lat(mem(EA-s,3s), ...)). Load Atomic reads RT+1 and RT+2 (register numbers modulo 32).
//
// On the host each operation is one compare-and-swap loop over the bytes it reads, so it is atomic with
// respect to every other vcpu's accesses; the store goes through note_store(), which (like any store) loses
// other vcpus' reservations on the granule (vm/reservation_table.h). A function that ends up storing nothing
// (Compare and Swap Not Equal that finds equal, a bound reached, Store Twin on unequal words) is no store.
//
// Function codes outside the ISA's lists are reserved: QEMU (the oracle; target/ppc/translate.c
// gen_ld_atomic/gen_st_atomic, and qemu-ppc64le answers SIGSEGV) invokes the data storage error handler, and
// so does phv: a Data Storage interrupt with DAR = EA and no DSISR cause bit (none of Book III 7.5.3's causes
// names a function code). Alignment (Book II 4.5): EA must be a multiple of s and the bytes the function
// reads must lie in one aligned 32-byte block, or the alignment error handler is invoked (Alignment
// interrupt, DAR = EA).
//
// Oracle difference: QEMU 7.2 compares Fetch and Decrement Bounded with mem(EA+s,s); the ISA (Book II 4.5.1,
// function code 11100) compares with mem(EA-s,s), which phv follows (tests/unit/test_atomic_memory.cpp).
#pragma once
#include <mutex>
#include <type_traits>

#include "isa/semantics/quadword.h"

namespace phv::isa::sem {

namespace amo {

// Load Atomic function codes (Book II 4.5.1) and Store Atomic function codes (4.5.2).
enum : unsigned {
    kAdd = 0, kXor = 1, kOr = 2, kAnd = 3, kMaxU = 4, kMaxS = 5, kMinU = 6, kMinS = 7, kSwap = 8,
    kCompareSwapNotEqual = 16, kIncBounded = 24, kIncEqual = 25, kDecBounded = 28, kStoreTwin = 24
};

// Where the neighbour of the element at EA is, in elements: +1, -1, or 0 for a function without one.
inline int neighbour(bool store, unsigned fc) {
    if (store)
        return fc == kStoreTwin ? 1 : 0;
    return fc == kIncBounded || fc == kIncEqual ? 1 : fc == kDecBounded ? -1 : 0;
}

inline bool defined(bool store, unsigned fc) {
    if (fc <= kMinS)
        return true;
    return store ? fc == kStoreTwin
                 : fc == kSwap || fc == kCompareSwapNotEqual || fc == kIncBounded || fc == kIncEqual ||
                       fc == kDecBounded;
}

// The eight arithmetic/logical functions both forms share: the new value of mem(EA,s) from t and the
// register operand a.
template <typename T>
T combine(unsigned fc, T t, T a) {
    using S = std::make_signed_t<T>;
    switch (fc) {
    case kAdd: return T(t + a);
    case kXor: return t ^ a;
    case kOr: return t | a;
    case kAnd: return t & a;
    case kMaxU: return t > a ? t : a;
    case kMaxS: return S(t) > S(a) ? t : a;
    case kMinU: return t < a ? t : a;
    case kMinS: return S(t) < S(a) ? t : a;
    default: return a;   // kSwap
    }
}

// One function applied to the elements it reads: e[0] = mem(EA,s), e[1] = the neighbour. Updates e[] to what
// memory must hold afterwards and returns whether the function stores; rt receives RT's new value (loads).
template <typename T>
bool apply(bool store, unsigned fc, T e[2], T a, T b, T &rt) {
    constexpr T kBoundReached = T(1) << (8 * sizeof(T) - 1);   // 0x8000...0: the "no value" result
    const T t = e[0];
    rt = t;
    if (store && fc == kStoreTwin) {
        if (e[0] != e[1])
            return false;
        e[0] = e[1] = a;
        return true;
    }
    if (store || fc <= kSwap) {
        e[0] = combine(fc, t, a);
        return true;
    }
    switch (fc) {
    case kCompareSwapNotEqual:
        if (t == a)
            return false;
        e[0] = b;
        return true;
    case kIncBounded:
    case kIncEqual:
    case kDecBounded:
        if ((fc == kIncEqual) != (t == e[1])) {
            rt = kBoundReached;
            return false;
        }
        e[0] = fc == kDecBounded ? T(t - 1) : T(t + 1);
        return true;
    default: return false;
    }
}

// Guest bytes <-> element values (guest byte order).
template <typename T>
T get(const uint8_t *p, bool be) { return phv::detail::from_guest<T>(p, be); }
template <typename T>
void put(uint8_t *p, T v, bool be) { phv::detail::to_guest<T>(p, v, be); }

// Runs the function atomically on host memory `p` (the lowest byte the function reads, `n` elements).
// One element: a compare-and-swap of it. Two: a 16-byte compare-and-swap of the aligned 16 bytes holding
// both; when the pair straddles a 16-byte boundary (only possible for the 32-byte-block-aligned cases s=4 at
// offset 12 and s=8 at offset 8) no host instruction covers it, and one lock serialises those operations
// with each other (a plain store racing into the pair is then not excluded).
template <typename T>
bool run_atomic(uint8_t *p, unsigned n, int at, bool be, bool store, unsigned fc, T a, T b, T &rt) {
    if (n == 1) {
        T raw = __atomic_load_n(reinterpret_cast<T *>(p), __ATOMIC_SEQ_CST);
        for (;;) {
            T e[2] = {get<T>(reinterpret_cast<uint8_t *>(&raw), be), 0};
            if (!apply(store, fc, e, a, b, rt))
                return false;
            T desired;
            put<T>(reinterpret_cast<uint8_t *>(&desired), e[0], be);
            if (__atomic_compare_exchange_n(reinterpret_cast<T *>(p), &raw, desired, false, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST))
                return true;
        }
    }
    // e[0] is at byte offset `at` * sizeof(T) from p, the neighbour at the other element.
    const size_t off0 = size_t(at) * sizeof(T), off1 = sizeof(T) - off0;
    const uintptr_t lo = reinterpret_cast<uintptr_t>(p);
    if ((lo & 15) + 2 * sizeof(T) <= 16) {
        uint8_t *w = reinterpret_cast<uint8_t *>(lo & ~uintptr_t(15));
        const size_t base = lo & 15;
        uint64_t seen[2] = {0, 0};
        detail_q::cas16(w, seen, seen);   // an atomic read
        for (;;) {
            const uint8_t *s = reinterpret_cast<const uint8_t *>(seen) + base;
            T e[2] = {get<T>(s + off0, be), get<T>(s + off1, be)};
            if (!apply(store, fc, e, a, b, rt))
                return false;
            uint64_t desired[2] = {seen[0], seen[1]};
            uint8_t *d = reinterpret_cast<uint8_t *>(desired) + base;
            put<T>(d + off0, e[0], be);
            put<T>(d + off1, e[1], be);
            if (detail_q::cas16(w, seen, desired))
                return true;
        }
    }
    static std::mutex straddling;
    std::lock_guard g(straddling);
    T *q0 = reinterpret_cast<T *>(p + off0), *q1 = reinterpret_cast<T *>(p + off1);
    T raw0 = __atomic_load_n(q0, __ATOMIC_SEQ_CST), raw1 = __atomic_load_n(q1, __ATOMIC_SEQ_CST);
    T e[2] = {get<T>(reinterpret_cast<uint8_t *>(&raw0), be), get<T>(reinterpret_cast<uint8_t *>(&raw1), be)};
    if (!apply(store, fc, e, a, b, rt))
        return false;
    put<T>(reinterpret_cast<uint8_t *>(&raw0), e[0], be);
    put<T>(reinterpret_cast<uint8_t *>(&raw1), e[1], be);
    __atomic_store_n(q0, raw0, __ATOMIC_SEQ_CST);
    __atomic_store_n(q1, raw1, __ATOMIC_SEQ_CST);
    return true;
}

} // namespace amo

// lwat/ldat (Store = false) and stwat/stdat (Store = true).
template <typename T, bool Store>
Flow atomic_memory(Vcpu &c, const Decoded &d) {
    constexpr unsigned s = sizeof(T);
    const unsigned fc = d.rb;   // the FC field sits where RB would
    const uint64_t ea = c.mask_ea(ra_or_0(c, d));
    if (!amo::defined(Store, fc)) {
        c.st_.spr[spr::DAR] = ea;
        c.st_.spr[spr::DSISR] = 0;
        return c.interrupt(vec::kDSI, c.st_.nip, 0);
    }
    const int nb = amo::neighbour(Store, fc);
    const uint64_t lo = nb < 0 ? ea - s : ea;   // the lowest byte the function reads
    const unsigned len = nb ? 2 * s : s;
    if (ea % s || (nb && (lo >> 5) != ((lo + len - 1) >> 5)))
        return alignment_interrupt(c, d, ea);
    // A store access (it needs write permission whether or not the function stores). The bytes lie in one
    // 32-byte block, so never across a page.
    Vcpu::DataRef r;
    if (const Flow f = c.translate_data<mmu::Access::Store>(c.mask_ea(lo), len, r); f != Flow::Next)
        return f;
    if (!r.host)
        return c.unemulatable_mmio(ea, r.gpa, true, "atomic memory operation");
    uint8_t *p = r.host;
    const bool be = !(c.st_.msr & msr::LE);
    const T a = T(c.st_.gpr[Store ? d.rt : (d.rt + 1) % 32]);
    const T b = T(c.st_.gpr[(d.rt + 2) % 32]);
    T rt = 0;
    if (amo::run_atomic<T>(p, nb ? 2 : 1, nb < 0 ? 1 : 0, be, Store, fc, a, b, rt))
        c.note_store(r.slot, r.gpa, len);
    if (!Store)
        c.st_.gpr[d.rt] = rt;   // zero-extended for lwat
    return Flow::Next;
}

} // namespace phv::isa::sem
