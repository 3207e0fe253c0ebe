// What tlbie and tlbiel name (Book III 6.9.3, "TLB Management Instructions"), decoded into a TLB
// Invalidation.
#pragma once
#include <cstdint>

#include "mmu/tlb.h"

namespace phv::mmu {

// The instruction's fields: RB (EPN, IS, AP), RS (PID in bits 0:31), RIC, PRS, R.
struct TlbieOperands {
    uint64_t rb, rs;
    unsigned ric, prs, r;
};

// Returns false when the instruction invalidates nothing phv caches (RIC=1: the page-walk cache, which phv
// does not have: every TLB miss walks from the process table).
bool decode_tlbie(const TlbieOperands &op, Invalidation &out);

// Page size of a hash tlbie's RB (L, and LP in the page offset bits): 12, 16, 24, or 0 when it names none.
unsigned hash_rb_shift(uint64_t rb);

// Page size of a radix AP encoding (RB bits 56:58): 4K, 64K, 2M, 1G; 0 for an encoding with no size.
unsigned ap_shift(unsigned ap);

} // namespace phv::mmu
