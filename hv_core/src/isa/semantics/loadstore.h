// Book I 3.3.2-3.3.7 (loads and stores) and Book II 4.6 (load and reserve / store conditional).
#pragma once
#include "isa/semantics/common.h"
#include "vm/vm.h"

namespace phv::isa::sem {

// EA = (RA|0) + D, or (RA|0) + (RB), or for a prefixed instruction (RA|0) + D34 when its prefix's R is 0
// and CIA + D34 when R is 1 (ISA 3.1 Book I 1.6.3; R=1 with RA!=0 is refused by the decoder).
enum class Addr { D, X, P };

template <Addr A, bool Update>
inline uint64_t effective_address(const Vcpu &c, const Decoded &d) {
    if (A == Addr::P && bits(d.word, 11, 11))
        return c.mask_ea(c.st_.nip + uint64_t(d.imm));
    const uint64_t base = Update ? c.st_.gpr[d.ra] : ra_or_0(c, d);
    return c.mask_ea(base + (A == Addr::X ? c.st_.gpr[d.rb] : uint64_t(d.imm)));
}
// The D/DS/DQ-form address, or the prefixed form's.
template <bool Prefixed>
inline uint64_t effective_address_of(const Vcpu &c, const Decoded &d) {
    return effective_address<Prefixed ? Addr::P : Addr::D, false>(c, d);
}

template <typename T, bool Sign, Addr A, bool Update, bool Reverse = false>
Flow load(Vcpu &c, const Decoded &d) {
    const uint64_t ea = effective_address<A, Update>(c, d);
    const Flow f = c.load_gpr<T, Sign, Reverse>(d.rt, ea);
    // An MMIO load (Exit) completes later, but the update of RA is part of this instruction.
    if (Update && f != Flow::Jump)
        c.st_.gpr[d.ra] = ea;
    return f;
}

template <typename T, Addr A, bool Update, bool Reverse = false>
Flow store(Vcpu &c, const Decoded &d) {
    const uint64_t ea = effective_address<A, Update>(c, d);
    const Flow f = c.store<T, Reverse>(ea, T(c.st_.gpr[d.rt]));
    if (Update && f != Flow::Jump)
        c.st_.gpr[d.ra] = ea;
    return f;
}

// lmw/stmw: only defined in big-endian mode; in little-endian mode they cause an Alignment interrupt
// (Book I 3.3.6, Load and Store Multiple). A word that faults ends the instruction before its register is
// written: the registers loaded before it may stay so (Book III, Partially Executed Instructions), but the
// fault may have switched the vcpu's state to another context (an L2's partition-scoped fault leaves for
// the L1 inside the access), whose registers are not this instruction's to write.
template <bool Store>
Flow multiple(Vcpu &c, const Decoded &d) {
    uint64_t ea = effective_address<Addr::D, false>(c, d);
    if (c.st_.msr & msr::LE)
        return alignment_interrupt(c, d, ea);
    for (unsigned r = d.rt; r < 32; ++r, ea = c.mask_ea(ea + 4)) {
        if constexpr (Store) {
            if (const Flow f = c.store<uint32_t>(ea, uint32_t(c.st_.gpr[r])); f != Flow::Next)
                return f;
        } else {
            uint32_t v = 0;
            if (const Flow f = c.load_value(ea, v); f != Flow::Next)
                return f;
            c.st_.gpr[r] = v;
        }
    }
    return Flow::Next;
}

// larx: load and set a reservation on the aligned granule (Book II 4.4.2). A misaligned EA is an
// Alignment interrupt.
template <typename T>
Flow larx(Vcpu &c, const Decoded &d) {
    const uint64_t ea = effective_address<Addr::X, false>(c, d);
    if (ea % sizeof(T)) {
        c.st_.spr[spr::DAR] = ea;
        return c.interrupt(vec::kAlignment, c.st_.nip, 0);
    }
    // The granule's generation first: a store after it, even before the load, loses the reservation.
    const uint64_t gpa = c.real_address(ea);
    const uint64_t gen = c.vm().reservations().reserve(gpa, c.reservation_hold());
    T v = 0;
    if (const Flow f = c.load_value(ea, v); f != Flow::Next)
        return f;
    c.st_.gpr[d.rt] = v;
    c.st_.reserve_gpa = gpa;
    c.st_.reserve_gen = gen;
    c.st_.reserve_valid = true;
    c.st_.reserve_addr = ea;
    c.st_.reserve_len = sizeof(T);
    c.st_.reserve_val = v;
    return Flow::Next;
}

// stcx.: the store happens only while the reservation holds. Another vcpu's store to the granule since the
// larx loses it (vm/reservation_table.h); the store itself is a host compare-and-swap against the reserved
// value, so a store racing with this stcx. also makes it fail and larx/stcx. sequences stay atomic across
// vcpu threads. (Left open: another vcpu's store of the reserved value itself in the few instructions
// between the generation check and the compare-and-swap.) CR0 = 0b00 || success || XER[SO].
template <typename T>
Flow stcx(Vcpu &c, const Decoded &d) {
    const uint64_t ea = effective_address<Addr::X, false>(c, d);
    if (ea % sizeof(T)) {
        c.st_.spr[spr::DAR] = ea;
        return c.interrupt(vec::kAlignment, c.st_.nip, 0);
    }
    bool ok = false;
    if (c.st_.reserve_valid && c.st_.reserve_addr == ea && c.st_.reserve_len == sizeof(T) &&
        c.vm().reservations().unchanged(c.st_.reserve_gpa, c.st_.reserve_gen, c.reservation_hold())) {
        // Translated as the store it is: permission, C bit and storage interrupts as for any store.
        Vcpu::DataRef ref;
        if (const Flow f = c.translate_data<mmu::Access::Store>(ea, sizeof(T), ref); f != Flow::Next)
            return f;
        const uint64_t gpa = ref.gpa;
        Memslot *slot = ref.slot;
        uint8_t *p = ref.split ? nullptr : ref.host;   // aligned, so never split
        if (!p)
            return c.unemulatable_mmio(ea, gpa, true, "stcx.");
        const bool be = !(c.st_.msr & msr::LE);
        T expected, desired;
        detail::to_guest<T>(reinterpret_cast<uint8_t *>(&expected), T(c.st_.reserve_val), be);
        detail::to_guest<T>(reinterpret_cast<uint8_t *>(&desired), T(c.st_.gpr[d.rt]), be);
        ok = __atomic_compare_exchange_n(reinterpret_cast<T *>(p), &expected, desired, false, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST);
        if (ok)
            c.note_store(slot, gpa, sizeof(T));
    }
    c.drop_reservation();
    c.st_.set_crf(0, (ok ? 2u : 0u) | (c.st_.so ? 1u : 0u));
    return Flow::Next;
}

// dcbz zeroes the 128-byte block (the POWER8-10 cache-line size the device tree reports).
inline Flow dcbz(Vcpu &c, const Decoded &d) { return c.zero_block(effective_address<Addr::X, false>(c, d), 128); }

// icbi: drop predecoded code for the block on every vcpu (Book II 4.3.1 requires icbi after modifying code).
inline Flow icbi(Vcpu &c, const Decoded &d) {
    c.vm().invalidate_code_page_if_built(c.real_address(effective_address<Addr::X, false>(c, d)));
    return Flow::Next;
}

} // namespace phv::isa::sem
