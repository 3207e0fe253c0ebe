// The JIT tier: a predecoded block compiled into x86-64 host code (xbyak).
//
// Call-threaded with native rows: the integer rows of compiler.cpp's kNativeRows (arithmetic, logical,
// compares, rotates and shifts, CR and LR/CTR moves, the block-ending branches) become host code; every
// other instruction calls the very semantic function the interpreter dispatches to, with its Decoded record
// as an immediate, and follows its Flow exactly as run_block<false, false> does.
// What vanishes is the interpreter's loop: the load of each record's function pointer, the indirect call that
// follows it, and the NIP bookkeeping, which becomes an add of a constant. The semantics stay the
// interpreter's, so every row is exact in both tiers by construction.
#pragma once
#include "isa/insn.h"
#include "vcpu/block_cache.h"

namespace phv {
class Vcpu;
} // namespace phv

namespace phv::jit {

class CodeBuffer;
using BlockFn = isa::Flow (*)(Vcpu *);

// b's code in buf, or nullptr when the buffer has no room for it (the caller flushes and tries again).
// Sets b's linked entry and link slots; the caller sets b.jit and its generation.
// perf_map: name the code in /tmp/perf-<pid>.map. native: if given, how many of b's instructions became
// host code rather than calls (the tests check that the rows they exercise are the native ones). loop: if
// given, whether the code turns round to the block's start inside itself (loop mode, jit/emitter.h).
BlockFn compile(Vcpu &v, Block &b, CodeBuffer &buf, bool perf_map, unsigned *native = nullptr, bool *loop = nullptr);

// compile() in two halves, for compiling on another thread (jit/compile_worker.h): emit() writes b's code into
// buf and touches nothing else (b.jit_slots must exist: the code holds the address of its stamps); adopt()
// gives b what the code needs of it (its linked entry, the link slots' offsets). fn is null when buf had no
// room.
struct Compiled {
    BlockFn fn = nullptr;
    const uint8_t *linked_entry = nullptr;
    Block::JitSlot slot[Block::kJitSlots];
    uint8_t slot_count = 0;
    bool loop = false;
    unsigned native = 0;
};
Compiled emit(Vcpu &v, const Block &b, CodeBuffer &buf, bool perf_map);
void adopt(Block &b, const Compiled &c);

// Links one exit of `from`'s compiled code (the `count` slots from `first`: Block::jit_slots) straight to
// `to`'s, for NIP = nip in the current translation regime, the block cache's epoch and under the vcpu's link
// stamp as they are now (Vcpu::jit_link has checked that the fetch at nip uses `to`, marked the fetch TLB
// entry that says so, and that both are compiled). False when every slot of the exit holds a live link to
// another NIP, or the range is not the block's (nothing patched).
bool patch_link(Vcpu &v, Block &from, uint64_t nip, const Block &to, uint64_t epoch, unsigned first, unsigned count);

// How the native FP arithmetic rows (native_fp.cpp) compute FI and FR on this host: not at all (no FMA or
// AVX: the rows are called), with MXCSR set around the operation, or with AVX-512's embedded rounding.
enum class FpHost : uint8_t { None, Mxcsr, Avx512 };
FpHost fp_host();
// Tests: blocks compiled from now on use at most `limit` (so that the MXCSR path is tested on an AVX-512
// host); returns fp_host().
FpHost limit_fp_host(FpHost limit);

} // namespace phv::jit
