// Power ISA 3.1B Book I, "Hash Instructions" (3.3.17.2): hashst, hashchk, hashstp, hashchkp.
//
// They store, or check, a keyed 64-bit digest of (RA) and (RB) in the doubleword at (RA) - 8*(64 - DW): a
// return-address signature. The digest is the ISA's HashDigest, a SIMON-like 32/64 block cipher run on four
// lanes. Whether they do anything depends on the model, the privilege state and the DEXCR/HDEXCR aspects:
//  * POWER8/9: the four encodings lie in the "reserved no-op" space of primary opcode 31 (ISA 2.07/3.0 Book I
//    chapter 1, "Reserved No-op Instructions"): they execute as no-ops in every privilege state, which is why
//    compilers may emit them unconditionally (QEMU 7.2 and 10.0 agree: no store, no interrupt, -cpu power9).
//  * POWER10, aspect disabled in the effective DEXCR: a no-op.
//  * POWER10, enabled: hashst/hashstp store the digest; hashchk/hashchkp trap when the doubleword differs.
#pragma once
#include "isa/semantics/common.h"
#include "vcpu/spr_table.h"
#include "vm/vm.h"

namespace phv::isa::sem {

namespace hash {

constexpr uint16_t rotl16(uint16_t v, unsigned n) { return uint16_t(v << n | v >> (16 - n)); }
constexpr uint16_t rotr16(uint16_t v, unsigned n) { return uint16_t(v >> n | v << (16 - n)); }

// The SIMON-like 32/64 block cipher of HashDigest: 32 rounds over a 32-bit block with a 64-bit key. It is
// SIMON32/64 (z0 sequence, constant c = 0xfffc) with the ISA's word order, where the key's most significant
// halfword is k0 and the block's least significant halfword starts as the left word, and with the four key
// words of each group rotated by the lane number so the four lanes of one digest use different round keys.
constexpr uint32_t simon_like(uint32_t block, uint64_t key, unsigned lane) {
    constexpr uint64_t z0 = 0xfa2561cdf44ac398ull;   // z0, first bit in the most significant position
    uint16_t k[32] = {};
    for (unsigned i = 0; i < 4; ++i)
        k[i] = uint16_t(key >> (48 - 16 * i));
    for (unsigned i = 4; i < 32; ++i) {
        uint16_t t = uint16_t(rotr16(k[i - 1], 3) ^ k[i - 3]);
        t = uint16_t(t ^ rotr16(t, 1));
        const uint16_t z = uint16_t((z0 >> (63 - (i - 4))) & 1);
        k[i] = uint16_t(0xfffc ^ z ^ k[i - 4] ^ t);
    }
    uint16_t left = uint16_t(block), right = uint16_t(block >> 16);
    for (unsigned i = 0; i < 32; ++i) {
        const uint16_t round_key = k[(i & ~3u) + ((i + lane) & 3u)];
        const uint16_t f = uint16_t((rotl16(left, 1) & rotl16(left, 8)) ^ rotl16(left, 2));
        const uint16_t next = uint16_t(right ^ f ^ round_key);
        right = left;
        left = next;
    }
    return uint32_t(right) << 16 | left;
}

// HashDigest(x, y, key): interleave the bytes of x and y into two doublewords, encrypt each of their four
// words on its own lane and fold the halves together. Byte n below counts from the least significant end:
// the high doubleword takes x's upper word and y's lower word, the low doubleword x's lower word and y's
// upper word, x's bytes ascending in the even bytes and y's bytes descending in the odd ones.
constexpr uint64_t digest(uint64_t x, uint64_t y, uint64_t key) {
    auto byte = [](uint64_t v, unsigned n) { return (v >> (8 * n)) & 0xff; };
    uint64_t hi = 0, lo = 0;
    for (unsigned i = 0; i < 4; ++i) {
        hi |= byte(x, 4 + i) << (16 * i) | byte(y, 3 - i) << (16 * i + 8);
        lo |= byte(x, i) << (16 * i) | byte(y, 7 - i) << (16 * i + 8);
    }
    const uint64_t h = uint64_t(simon_like(uint32_t(hi >> 32), key, 0)) << 32 | simon_like(uint32_t(hi), key, 1);
    const uint64_t l = uint64_t(simon_like(uint32_t(lo >> 32), key, 2)) << 32 | simon_like(uint32_t(lo), key, 3);
    return h ^ l;
}

// Aspects of the DEXCR and HDEXCR (Book III, "Dynamic Execution Control Registers"), by ISA bit number.
// DEXCR[0:31] applies in privileged non-hypervisor state (PNH), DEXCR[32:63] in problem state (PRO);
// HDEXCR[0:31] applies in hypervisor state (HNU) and HDEXCR[32:63] is enforced in both other states (ENF).
constexpr unsigned kNPHIE = 5;   // non-privileged hash instruction enable: hashst, hashchk
constexpr unsigned kPHIE = 6;    // privileged hash instruction enable: hashstp, hashchkp
constexpr uint64_t ibm_bit(unsigned n) { return 1ull << (63 - n); }

// Whether `aspect` is enabled for the current privilege state: the effective DEXCR.
inline bool enabled(const Vcpu &c, unsigned aspect) {
    const uint64_t dexcr = c.st_.spr[spr::DEXCR], hdexcr = c.st_.spr[spr::HDEXCR];
    const bool enforced = hdexcr & ibm_bit(32 + aspect);
    if (c.st_.msr & msr::PR)
        return (dexcr & ibm_bit(32 + aspect)) || enforced;
    if (c.st_.msr & msr::HV)
        return hdexcr & ibm_bit(aspect);
    return (dexcr & ibm_bit(aspect)) || enforced;
}

// EA = (RA) + EXTS(0b111_1111 || DW || 0b000), DW = DX || D: one of the 64 doublewords below (RA).
inline uint64_t effective_address(const Vcpu &c, const Decoded &d) {
    const uint64_t dw = uint64_t(bits(d.word, 31, 31) << 5 | bits(d.word, 6, 10));
    return c.mask_ea(c.st_.gpr[d.ra] - (64 - dw) * 8);
}

} // namespace hash

// Privileged: the hashstp/hashchkp forms. Store: hashst/hashstp, else the check forms.
template <bool Privileged, bool Store>
Flow hash_insn(Vcpu &c, const Decoded &d) {
    if (uint8_t(c.vm().model().isa) < uint8_t(Isa::V310))
        return Flow::Next;   // a reserved no-op before ISA 3.1 (see the top of this file)
    if (Privileged && c.problem_state())
        return c.program_interrupt(srr1::kPrivileged);
    if (!hash::enabled(c, Privileged ? hash::kPHIE : hash::kNPHIE))
        return Flow::Next;
    const uint64_t key = c.st_.spr[Privileged ? spr::HASHPKEYR : spr::HASHKEYR];
    const uint64_t digest = hash::digest(c.st_.gpr[d.ra], c.st_.gpr[d.rb], key);
    const uint64_t ea = hash::effective_address(c, d);
    if constexpr (Store) {
        return c.store<uint64_t>(ea, digest);
    } else {
        uint64_t stored = 0;
        if (const Flow f = c.load_value(ea, stored); f != Flow::Next)
            return f;
        return stored == digest ? Flow::Next : c.program_interrupt(srr1::kTrap);
    }
}

} // namespace phv::isa::sem
