// Guest GPRs held in host registers within a compiled block (jit/emitter.h, "GPR cache").
//
// The allocation is decided while emitting, in program order: the block's code is straight-line but for
// the memory rows' slow paths and the branch at its end, so the compile-time state (which GPR is in which
// host register, which are dirty) is the run-time state at every point of the code. A GPR is loaded on its
// first read, written in its host register, and stored back to CpuState (written back) when its register is
// taken for another GPR, before every call into C++ (a called row, a memory slow path: whatever the
// semantic function reads, raises or exits with sees the interpreter's GPRs) and at the block's end (the
// run loop, a linked successor and Vcpu::jit_link read CpuState). After a called row nothing is known to
// be in a register any more: its semantic function may have written any GPR.
//
// The registers are callee-saved (the prologue pushes them), so a value survives the slow path's call;
// that path reloads what the row wrote.
#include "jit/emitter.h"

namespace phv::jit {

using namespace Xbyak::util;

namespace {
const Xbyak::Reg64 kHostRegs[BlockEmitter::kCachedGprs] = {rbp, r13, r14, r15};
} // namespace

int BlockEmitter::slot_of(unsigned n) const {
    for (unsigned i = 0; i < kCachedGprs; ++i)
        if (cache_[i].gpr == int(n))
            return int(i);
    return -1;
}

// A free register, else the least recently used one whose GPR the current instruction does not use (a
// clean one before a dirty one of the same age), written back first if dirty.
unsigned BlockEmitter::take_slot() {
    int best = -1;
    for (unsigned i = 0; i < kCachedGprs; ++i) {
        const CachedGpr &c = cache_[i];
        if (c.gpr < 0)
            return i;
        if (c.used == stamp_)
            continue;
        if (best < 0 || c.used < cache_[best].used || (c.used == cache_[best].used && !c.dirty && cache_[best].dirty))
            best = int(i);
    }
    // Every row names at most three GPRs, so one of the four is always free to take.
    CachedGpr &c = cache_[best];
    if (c.dirty)
        mov(gpr(unsigned(c.gpr)), kHostRegs[best]);
    c = CachedGpr{};
    return unsigned(best);
}

Xbyak::Reg64 BlockEmitter::use(unsigned n) {
    int i = slot_of(n);
    if (i < 0) {
        i = int(take_slot());
        cache_[i].gpr = int(n);
        mov(kHostRegs[i], gpr(n));
    }
    cache_[i].used = stamp_;
    return kHostRegs[i];
}

Xbyak::Reg64 BlockEmitter::claim(unsigned n) {
    int i = slot_of(n);
    if (i < 0) {
        i = int(take_slot());
        cache_[i].gpr = int(n);   // not loaded: the caller writes it on every path before it is read
    }
    cache_[i].used = stamp_;
    return kHostRegs[i];
}

Xbyak::Reg64 BlockEmitter::def(unsigned n) {
    const Xbyak::Reg64 r = claim(n);
    mark_dirty(n);
    return r;
}

void BlockEmitter::mark_dirty(unsigned n) {
    if (const int i = slot_of(n); i >= 0)
        cache_[i].dirty = true;
}

void BlockEmitter::reload(unsigned n) {
    if (const int i = slot_of(n); i >= 0)
        mov(kHostRegs[i], gpr(n));
}

void BlockEmitter::write_back() {
    for (unsigned i = 0; i < kCachedGprs; ++i)
        if (cache_[i].dirty)
            mov(gpr(unsigned(cache_[i].gpr)), kHostRegs[i]);
}

void BlockEmitter::flush() {
    write_back();
    for (CachedGpr &c : cache_)
        c.dirty = false;
}

void BlockEmitter::forget() {
    for (CachedGpr &c : cache_)
        c = CachedGpr{};
}

} // namespace phv::jit
