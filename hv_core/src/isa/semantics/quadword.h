// Book I 3.3.5 (lq/stq, plq/pstq) and Book II 4.4.2 (lqarx/stqcx.): the quadword accesses to an even/odd
// GPR pair. In big-endian mode the even register is the doubleword at EA. In little-endian mode lq, stq,
// lqarx and stqcx. treat the quadword as one little-endian value, so the even register (its high half) is
// the doubleword at EA+8; the prefixed plq/pstq keep the even register at EA in both modes, as QEMU (the
// oracle) does.
#pragma once
#include <mutex>

#include "isa/semantics/loadstore.h"
#include "memory/memslots.h"
#include "isa/semantics/semantics.h"

namespace phv::isa::sem {

namespace detail_q {
// Which register of the pair goes to EA (the other goes to EA+8).
template <bool Prefixed = false>
inline unsigned at_ea(const Vcpu &c, unsigned even) { return !Prefixed && (c.st_.msr & msr::LE) ? even + 1 : even; }

// A 16-byte compare-and-swap on host memory (16-aligned, writable); on failure `expected` receives what is
// there. x86-64 has cmpxchg16b; elsewhere one lock for all quadword accesses keeps them atomic with respect
// to each other (not to plain stores).
inline bool cas16(uint8_t *p, uint64_t expected[2], const uint64_t desired[2]) {
#if defined(__x86_64__)
    uint64_t lo = expected[0], hi = expected[1];
    bool ok;
    asm volatile("lock cmpxchg16b %1"
                 : "=@ccz"(ok), "+m"(*reinterpret_cast<volatile unsigned __int128 *>(p)), "+a"(lo), "+d"(hi)
                 : "b"(desired[0]), "c"(desired[1])
                 : "memory");
    expected[0] = lo, expected[1] = hi;
    return ok;
#else
    static std::mutex lock;
    std::lock_guard g(lock);
    if (std::memcmp(p, expected, 16) != 0) {
        std::memcpy(expected, p, 16);
        return false;
    }
    std::memcpy(p, desired, 16);
    return true;
#endif
}

// An aligned quadword in writable RAM, for single-copy atomic lq/stq (Book II 1.4: aligned quadword
// accesses of lq, stq, plq, pstq are single-copy atomic), in p, or p = nullptr (then two doubleword accesses
// do: unaligned, MMIO, or a read-only slot, which the compare-and-swap that reads atomically cannot touch).
// Under translation (MSR[DR]=1) the quadword is translated once, as a load or a store (storage interrupts,
// R/C); an aligned quadword never crosses a page. A fault returns its Flow.
inline Flow atomic_quadword(Vcpu &c, uint64_t ea, bool store, uint8_t *&p, uint64_t &gpa, Memslot **slot) {
    p = nullptr;
    if (ea % 16)
        return Flow::Next;
    if (c.st_.msr & msr::DR) {
        Vcpu::DataRef r;
        const Flow f = store ? c.translate_data<mmu::Access::Store>(ea, 16, r)
                             : c.translate_data<mmu::Access::Load>(ea, 16, r);
        if (f != Flow::Next)
            return f;
        if (r.host && !r.split && r.slot && !(r.slot->flags & PHV_MEM_READONLY)) {
            p = r.host;
            gpa = r.gpa;
            *slot = r.slot;
        }
        return Flow::Next;
    }
    gpa = c.real_address(ea);
    p = c.ram(gpa, 16, true, slot);
    return Flow::Next;
}
} // namespace detail_q

// lq RTp,DQ(RA) and plq: RTp odd or equal to RA is an invalid form, illegal as in QEMU. QEMU (the oracle)
// raises no Alignment interrupt for an unaligned lq, and neither does phv.
template <bool Prefixed>
Flow lq(Vcpu &c, const Decoded &d) {
    if ((d.rt & 1) || d.rt == d.ra)
        return illegal(c, d);
    const uint64_t ea = effective_address_of<Prefixed>(c, d);
    uint64_t first = 0, second = 0, gpa = 0;
    Memslot *slot = nullptr;
    uint8_t *p;
    if (const Flow f = detail_q::atomic_quadword(c, ea, false, p, gpa, &slot); f != Flow::Next)
        return f;
    if (p) {
        uint64_t raw[2] = {0, 0};
        detail_q::cas16(p, raw, raw);   // reads atomically (writes back only what is there)
        const bool be = !(c.st_.msr & msr::LE);
        first = phv::detail::from_guest<uint64_t>(reinterpret_cast<uint8_t *>(&raw[0]), be);
        second = phv::detail::from_guest<uint64_t>(reinterpret_cast<uint8_t *>(&raw[1]), be);
    } else {
        if (Flow f = c.load_value(ea, first); f != Flow::Next)
            return f;
        if (Flow f = c.load_value(c.mask_ea(ea + 8), second); f != Flow::Next)
            return f;
    }
    const unsigned r = detail_q::at_ea<Prefixed>(c, d.rt);
    c.st_.gpr[r] = first;
    c.st_.gpr[r ^ 1] = second;
    return Flow::Next;
}

// stq RSp,DS(RA) and pstq: RSp odd is an invalid form.
template <bool Prefixed>
Flow stq(Vcpu &c, const Decoded &d) {
    if (d.rt & 1)
        return illegal(c, d);
    const uint64_t ea = effective_address_of<Prefixed>(c, d);
    const unsigned r = detail_q::at_ea<Prefixed>(c, d.rt);
    uint64_t gpa = 0;
    Memslot *slot = nullptr;
    uint8_t *p;
    if (const Flow f = detail_q::atomic_quadword(c, ea, true, p, gpa, &slot); f != Flow::Next)
        return f;
    if (p) {
        const bool be = !(c.st_.msr & msr::LE);
        uint64_t desired[2], seen[2] = {0, 0};
        phv::detail::to_guest<uint64_t>(reinterpret_cast<uint8_t *>(&desired[0]), c.st_.gpr[r], be);
        phv::detail::to_guest<uint64_t>(reinterpret_cast<uint8_t *>(&desired[1]), c.st_.gpr[r ^ 1], be);
        while (!detail_q::cas16(p, seen, desired)) {
        }
        c.note_store(slot, gpa, 16);
        return Flow::Next;
    }
    if (Flow f = c.store<uint64_t>(ea, c.st_.gpr[r]); f != Flow::Next)
        return f;
    return c.store<uint64_t>(c.mask_ea(ea + 8), c.st_.gpr[r ^ 1]);
}

// lqarx: quadword-aligned or Alignment interrupt; RTp odd or equal to RA or RB is invalid. The reservation
// keeps the 16 bytes as they are in guest memory, for stqcx.'s compare-and-swap.
inline Flow lqarx(Vcpu &c, const Decoded &d) {
    if ((d.rt & 1) || d.rt == d.ra || d.rt == d.rb)
        return illegal(c, d);
    const uint64_t ea = effective_address<Addr::X, false>(c, d);
    if (ea % 16)
        return alignment_interrupt(c, d, ea);
    const uint64_t gpa = c.real_address(ea);
    const uint64_t gen = c.vm().reservations().reserve(gpa, c.reservation_hold());
    const uint8_t *p = c.ram(gpa, 16, false);
    if (!p)
        return c.unemulatable_mmio(ea, gpa, false, "lqarx");
    uint64_t raw[2];
    __atomic_load(reinterpret_cast<const uint64_t *>(p), &raw[0], __ATOMIC_SEQ_CST);
    __atomic_load(reinterpret_cast<const uint64_t *>(p) + 1, &raw[1], __ATOMIC_SEQ_CST);
    const bool be = !(c.st_.msr & msr::LE);
    const uint64_t first = phv::detail::from_guest<uint64_t>(reinterpret_cast<uint8_t *>(&raw[0]), be);
    const uint64_t second = phv::detail::from_guest<uint64_t>(reinterpret_cast<uint8_t *>(&raw[1]), be);
    const unsigned r = detail_q::at_ea(c, d.rt);
    c.st_.gpr[r] = first;
    c.st_.gpr[r ^ 1] = second;
    c.st_.reserve_valid = true;
    c.st_.reserve_addr = ea;
    c.st_.reserve_len = 16;
    c.st_.reserve_gpa = gpa;
    c.st_.reserve_gen = gen;
    c.st_.reserve_val = raw[0];
    c.st_.reserve_val_hi = raw[1];
    return Flow::Next;
}

inline Flow stqcx(Vcpu &c, const Decoded &d) {
    if (d.rt & 1)
        return illegal(c, d);
    const uint64_t ea = effective_address<Addr::X, false>(c, d);
    if (ea % 16)
        return alignment_interrupt(c, d, ea);
    bool ok = false;
    if (c.st_.reserve_valid && c.st_.reserve_addr == ea && c.st_.reserve_len == 16 &&
        c.vm().reservations().unchanged(c.st_.reserve_gpa, c.st_.reserve_gen, c.reservation_hold())) {
        Vcpu::DataRef ref;   // translated as a store (permission, C bit, storage interrupts)
        if (const Flow f = c.translate_data<mmu::Access::Store>(ea, 16, ref); f != Flow::Next)
            return f;
        const uint64_t gpa = ref.gpa;
        Memslot *slot = ref.slot;
        uint8_t *p = ref.split ? nullptr : ref.host;
        if (!p)
            return c.unemulatable_mmio(ea, gpa, true, "stqcx.");
        const bool be = !(c.st_.msr & msr::LE);
        const unsigned r = detail_q::at_ea(c, d.rt);
        uint64_t desired[2];
        phv::detail::to_guest<uint64_t>(reinterpret_cast<uint8_t *>(&desired[0]), c.st_.gpr[r], be);
        phv::detail::to_guest<uint64_t>(reinterpret_cast<uint8_t *>(&desired[1]), c.st_.gpr[r ^ 1], be);
        uint64_t expected[2] = {c.st_.reserve_val, c.st_.reserve_val_hi};
        ok = detail_q::cas16(p, expected, desired);
        if (ok)
            c.note_store(slot, gpa, 16);
    }
    c.drop_reservation();
    c.st_.set_crf(0, (ok ? 2u : 0u) | (c.st_.so ? 1u : 0u));
    return Flow::Next;
}

} // namespace phv::isa::sem
