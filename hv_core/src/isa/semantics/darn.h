// darn (Book I 3.3.9, Fixed-Point Arithmetic Instructions: "Deliver A Random Number") from the host's random source.
#pragma once
#include <sys/random.h>

#include "isa/semantics/common.h"

namespace phv::isa::sem {

// L=0: a conditioned 32-bit number in RT[32:63]; L=1: a conditioned 64-bit number; L=2: a raw 64-bit
// number. 0xFFFF_FFFF_FFFF_FFFF means "no number available": it is returned when the host has none, and
// for the reserved L=3, as QEMU does. A 64-bit draw of all ones is drawn again so it never reads as an error.
inline Flow darn(Vcpu &c, const Decoded &d) {
    constexpr uint64_t kError = ~0ull;
    const unsigned l = d.ra & 3;   // L is bits 14:15; 11:13 are reserved
    uint64_t v = kError;
    if (l != 3) {
        for (int tries = 0; tries < 8; ++tries) {
            uint64_t r;
            if (getrandom(&r, sizeof r, GRND_NONBLOCK) != ssize_t(sizeof r)) {
                v = kError;
                break;
            }
            v = l == 0 ? uint32_t(r) : r;
            if (v != kError)
                break;
        }
    }
    c.st_.gpr[d.rt] = v;
    return Flow::Next;
}

} // namespace phv::isa::sem
