// Guest GPRs, and CR, held in host registers within a compiled block (jit/emitter.h, "GPR cache").
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
// The block is known whole when it is compiled, so the choice uses what comes next: a register is taken
// from the GPR named again last (or never before the next called row), and a GPR the block does not name
// again before a call is read from, or written to, CpuState directly rather than given a register.
//
// rbp and r13-r15 are callee-saved (the prologue pushes them), so their values survive a slow path's call,
// which reloads what its row wrote; r8-r11 do not, and that path reloads them all (it wrote the dirty
// ones back first). The native rows' scratch registers are rax, rcx, rdx, rsi and rdi.
#include "jit/emitter.h"

namespace phv::jit {

using namespace Xbyak::util;

namespace {
// The callee-saved ones first: they survive a slow path's call (the caller-saved ones are reloaded).
const Xbyak::Reg64 kHostRegs[BlockEmitter::kCachedGprs] = {rbp, r13, r14, r15, r8, r9, r10, r11};
constexpr unsigned kCalleeSaved = 4;
} // namespace

Xbyak::Address BlockEmitter::home(unsigned n) {
    return n == kCr ? dword[rbx + cr_] : n == kCtr ? qword[rbx + ctr_] : gpr(n);
}

void BlockEmitter::load_home(unsigned slot) {
    load_into(slot, unsigned(cache_[slot].gpr));
}

void BlockEmitter::load_into(unsigned slot, unsigned n) {
    if (n == kCr)
        mov(kHostRegs[slot].cvt32(), home(n));
    else
        mov(kHostRegs[slot], home(n));
}

void BlockEmitter::store_home(unsigned slot) {
    const unsigned n = unsigned(cache_[slot].gpr);
    if (n == kCr)
        mov(home(n), kHostRegs[slot].cvt32());
    else
        mov(home(n), kHostRegs[slot]);
}

unsigned BlockEmitter::next_use(unsigned n) const {
    for (size_t j = index_ + 1; j < names_.size(); ++j) {
        if (names_[j] == kCallBarrier)
            return kNever;
        if (names_[j] >> n & 1u)
            return unsigned(j - index_);
    }
    return kNever;
}

bool BlockEmitter::named_from(size_t i, unsigned n) const {
    for (size_t j = i; j < names_.size(); ++j) {
        if (names_[j] == kCallBarrier)
            return false;
        if (names_[j] >> n & 1u)
            return true;
    }
    return false;
}

int BlockEmitter::slot_of(unsigned n) const {
    for (unsigned i = 0; i < kCachedGprs; ++i)
        if (cache_[i].gpr == int(n))
            return int(i);
    return -1;
}

// A free register, else the one whose GPR the block names again last (Belady's choice: the block is known
// whole), a clean one before a dirty one; never one the current instruction names. Written back if dirty.
unsigned BlockEmitter::take_slot() {
    loop_broken_ |= loop_;   // loop mode gave every GPR of the block its register at the entry
    int best = -1;
    unsigned best_next = 0;
    for (unsigned i = 0; i < kCachedGprs; ++i) {
        const CachedGpr &c = cache_[i];
        if (c.gpr < 0)
            return i;
        if (c.used == stamp_)
            continue;
        const unsigned next = next_use(unsigned(c.gpr));
        if (best < 0 || next > best_next || (next == best_next && !c.dirty && cache_[best].dirty))
            best = int(i), best_next = next;
    }
    // Every row names at most three GPRs and CR, so one of the eight is always free to take.
    CachedGpr &c = cache_[best];
    if (c.dirty)
        store_home(unsigned(best));
    c = CachedGpr{};
    return unsigned(best);
}

BlockEmitter::Gpr BlockEmitter::held(unsigned n, int slot) {
    if (slot >= 0)
        cache_[slot].used = stamp_;
    return Gpr(kHostRegs[slot < 0 ? 0 : slot], gpr(n), gpr32(n), slot >= 0);
}

BlockEmitter::Gpr BlockEmitter::where(unsigned n) {
    const int i = slot_of(n);
    const Xbyak::Address m = n >= kCr ? home(n) : gpr(n), m32 = n >= kCr ? home(n) : gpr32(n);
    return Gpr(kHostRegs[i < 0 ? 0 : i], m, m32, i >= 0);
}

Xbyak::Reg64 BlockEmitter::use(unsigned n) {
    int i = slot_of(n);
    if (i < 0) {
        i = int(take_slot());
        cache_[i].gpr = int(n);
        load_home(unsigned(i));
    }
    cache_[i].used = stamp_;
    return kHostRegs[i];
}

BlockEmitter::Gpr BlockEmitter::src(unsigned n) {
    const int i = slot_of(n);
    if (i < 0 && next_use(n) == kNever)
        return held(n, -1);
    use(n);
    return held(n, slot_of(n));
}

BlockEmitter::Gpr BlockEmitter::claim(unsigned n) {
    int i = slot_of(n);
    if (i < 0 && next_use(n) == kNever)
        return held(n, -1);
    if (i < 0) {
        i = int(take_slot());
        cache_[i].gpr = int(n);   // not loaded: the caller writes it on every path before it is read
    }
    return held(n, i);
}

BlockEmitter::Gpr BlockEmitter::dst(unsigned n) {
    const Gpr r = claim(n);
    mark_dirty(n);
    return r;
}

void BlockEmitter::mark_dirty(unsigned n) {
    if (const int i = slot_of(n); i >= 0)
        cache_[i].dirty = true;
}

void BlockEmitter::reload_after_call(uint64_t written) {
    for (unsigned i = 0; i < kCachedGprs; ++i) {
        const int n = cache_[i].gpr;
        if (n >= 0 && (i >= kCalleeSaved || (written >> n & 1u)))
            load_home(i);
    }
}

void BlockEmitter::write_back() {
    materialize_fields();
    for (unsigned i = 0; i < kCachedGprs; ++i)
        if (cache_[i].dirty)
            store_home(i);
}

void BlockEmitter::flush() {
    write_back();
    for (CachedGpr &c : cache_)
        c.dirty = false;
    for (PendingCmp &p : pending_)
        p.live = false;
}

void BlockEmitter::forget() {
    for (CachedGpr &c : cache_)
        c = CachedGpr{};
}

} // namespace phv::jit
