// Book I chapter 2: branches and condition-register logic.
#pragma once
#include "isa/semantics/common.h"
#include "vcpu/spr_table.h"

namespace phv::isa::sem {

// BO bits (Book I 2.4, Fig. 40) in the 5-bit field: BO[0] = 0x10 ... BO[4] = 0x01.
inline bool branch_taken(Vcpu &c, unsigned bo, unsigned bi) {
    if (!(bo & 0x04)) {
        c.st_.ctr -= 1;
        const uint64_t ctr = c.mode64() ? c.st_.ctr : uint32_t(c.st_.ctr);
        if ((ctr != 0) == bool(bo & 0x02))
            return false;
    }
    return (bo & 0x10) || c.st_.crbit(bi) == bool(bo & 0x08);
}

// LK is the Rc-position bit, so the table's Rc variant selects the linking form.
template <bool LK>
Flow b(Vcpu &c, const Decoded &d) {
    const uint64_t target = (d.word & 2) ? uint64_t(d.imm) : c.st_.nip + uint64_t(d.imm);
    if constexpr (LK)
        c.st_.lr = c.next_nip(d);
    c.st_.nip = c.mask_ea(target);
    return Flow::Jump;
}

template <bool LK>
Flow bc(Vcpu &c, const Decoded &d) {
    const bool taken = branch_taken(c, d.rt, d.ra);
    if constexpr (LK)
        c.st_.lr = c.next_nip(d);
    if (!taken)   // Next, NIP left for the caller to advance: a block may go on past it (isa::side_exit)
        return Flow::Next;
    const uint64_t target = (d.word & 2) ? uint64_t(d.imm) : c.st_.nip + uint64_t(d.imm);
    c.st_.nip = c.mask_ea(target);
    return Flow::Jump;
}

enum class Target { LR, CTR, TAR };
// bcctr with BO[2]=0 is an invalid form (Book I 2.4). Server processors since ISA 2.x run it as "test and
// decrement", as their user manuals describe and QEMU models: the old CTR is tested against zero as BO[3]
// asks, and only if that passes is CTR decremented and the CR condition checked; the target is the old CTR.
// Linux's count-cache flush (PPC_BCCTR_FLUSH, bcctr 2,0,0 with CTR = 0x7fff) depends on it falling through.
inline bool bcctr_test_and_decrement(Vcpu &c, unsigned bo, unsigned bi) {
    const uint64_t ctr = c.mode64() ? c.st_.ctr : uint32_t(c.st_.ctr);
    if ((ctr == 0) != bool(bo & 0x02))
        return false;
    c.st_.ctr -= 1;
    return (bo & 0x10) || c.st_.crbit(bi) == bool(bo & 0x08);
}

template <Target T, bool LK>
Flow bc_reg(Vcpu &c, const Decoded &d) {
    const uint64_t target = (T == Target::LR ? c.st_.lr : T == Target::CTR ? c.st_.ctr : c.st_.spr[spr::TAR]) & ~3ull;
    const bool taken = T == Target::CTR && !(d.rt & 0x04) ? bcctr_test_and_decrement(c, d.rt, d.ra)
                                                         : branch_taken(c, d.rt, d.ra);
    if constexpr (LK)
        c.st_.lr = c.next_nip(d);
    c.st_.nip = taken ? c.mask_ea(target) : c.next_nip(d);
    return Flow::Jump;
}

// CR logical: BT = rt, BA = ra, BB = rb.
using CrOp = bool (*)(bool a, bool b);
template <CrOp Op>
Flow crlogical(Vcpu &c, const Decoded &d) {
    c.st_.set_crbit(d.rt, Op(c.st_.crbit(d.ra), c.st_.crbit(d.rb)));
    return Flow::Next;
}
inline bool cr_and(bool a, bool b) { return a && b; }
inline bool cr_or(bool a, bool b) { return a || b; }
inline bool cr_xor(bool a, bool b) { return a != b; }
inline bool cr_nand(bool a, bool b) { return !(a && b); }
inline bool cr_nor(bool a, bool b) { return !(a || b); }
inline bool cr_eqv(bool a, bool b) { return a == b; }
inline bool cr_andc(bool a, bool b) { return a && !b; }
inline bool cr_orc(bool a, bool b) { return a || !b; }

inline Flow mcrf(Vcpu &c, const Decoded &d) {
    c.st_.set_crf(d.rt >> 2, c.st_.crf(d.ra >> 2));
    return Flow::Next;
}

// mfocrf/mtocrf are mfcr/mtcrf with bit 11 set. Their FXM should name exactly one field; otherwise the
// result is undefined (Book I 3.3.17), and phv does what QEMU, the oracle, does: mfocrf leaves RT and
// mtocrf leaves CR unchanged. mfocrf sets the other fields of RT to 0.
inline uint32_t fxm_mask(uint32_t fxm) {
    uint32_t m = 0;
    for (unsigned i = 0; i < 8; ++i)
        if (fxm & (0x80u >> i))
            m |= 0xf0000000u >> (4 * i);
    return m;
}
inline bool one_field(uint32_t fxm) { return fxm && !(fxm & (fxm - 1)); }

inline Flow mfcr(Vcpu &c, const Decoded &d) {
    const uint32_t fxm = field::FXM(d.word);
    if (!bits(d.word, 11, 11))
        c.st_.gpr[d.rt] = c.st_.cr;
    else if (one_field(fxm))
        c.st_.gpr[d.rt] = c.st_.cr & fxm_mask(fxm);
    return Flow::Next;
}

inline Flow mtcrf(Vcpu &c, const Decoded &d) {
    const uint32_t fxm = field::FXM(d.word);
    if (bits(d.word, 11, 11) && !one_field(fxm))
        return Flow::Next;
    const uint32_t m = fxm_mask(fxm);
    c.st_.cr = (c.st_.cr & ~m) | (uint32_t(c.st_.gpr[d.rt]) & m);
    return Flow::Next;
}

// mcrxrx (ISA 3.0): CR[BF] = OV || OV32 || CA || CA32.
inline Flow mcrxrx(Vcpu &c, const Decoded &d) {
    c.st_.set_crf(d.rt >> 2, (c.st_.ov << 3) | (c.st_.ov32 << 2) | (c.st_.ca << 1) | c.st_.ca32);
    return Flow::Next;
}

// setb (ISA 3.0): -1 if CR[BFA] LT, else 1 if GT, else 0.
inline Flow setb(Vcpu &c, const Decoded &d) {
    const uint32_t f = c.st_.crf(d.ra >> 2);
    c.st_.gpr[d.rt] = (f & 8) ? ~0ull : (f & 4) ? 1 : 0;
    return Flow::Next;
}

} // namespace phv::isa::sem
