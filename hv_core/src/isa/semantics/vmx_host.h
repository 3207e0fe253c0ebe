// VMX instructions on the host's SSE units where those give exactly the ISA's result (Book I 6.12 and 6.8.6),
// with the element-at-a-time semantics (vmx_fp.h, vmx_permute.h) as the definition and the fallback. Each
// routine answers false when it cannot be sure: the caller then runs the element loop.
#pragma once
#include <cstdint>

namespace phv::isa::sem::vhost {

using u128 = unsigned __int128;

enum class FpOp : uint8_t { Add, Sub, MAdd, NMSub };

// vaddfp, vsubfp (a, b), vmaddfp, vnmsubfp (a*c + b, -(a*c - b)): answered when every operand word is a
// normal number or zero and every result word a normal number (not the smallest exponent, where NJ's
// tininess rule applies) or zero, on a host rounding to nearest without FTZ/DAZ (and with FMA for the fused
// forms). Then NaN selection, VSCR[NJ] flushing and the default NaN cannot arise and IEEE's result is the ISA's.
bool fp(FpOp op, u128 a, u128 b, u128 c, u128 &r);

// vperm (Reverse = vpermr): needs the host's SSSE3 (pshufb).
bool perm(u128 a, u128 b, u128 c, bool reverse, u128 &r);

} // namespace phv::isa::sem::vhost
