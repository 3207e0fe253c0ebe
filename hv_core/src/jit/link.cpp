// Direct block links: the end of a compiled block goes straight on into the next block's code.
//
// What the run loop does between two blocks, the block's code does inline when it is only the lookup. Of the
// loop's own work that is two tests: the attention flag, and the countdown to the loop's timer and interrupt
// check, taken for the next block. The rest comes to one of those two where it changes: the attention flag
// carries a kick, an interrupt line, a code invalidation, an LPCR update, an HPT hold, a PIDR write, and
// what mmu_sync() would pick up (another vcpu's tlbie, a partition or memslot change: their writers raise
// it, Vm::mmu_changed); a performance monitor that counts zeroes the countdown (the loop before every
// block, an mtspr that starts it), so that the loop's per-block bookkeeping runs. Then the link slots: each
// names one NIP and jumps into the block the fetch there used when the slot was patched, past its prologue.
// All of them were patched under one value of the vcpu's link stamp (mmu::VcpuMmu::link_stamp), which the
// block holds and compares once: the stamp moves whenever anything fetch_matches() looks at could have
// changed (a fetch TLB entry a link depends on, the key context, the real-mode regime, the TLB itself) or
// a block could have died (the block cache's epoch), so while it holds, every slot's fetch would still come
// to its block. A miss calls Vcpu::jit_link, which does the loop's lookup (mmu_sync() included) and, when it
// finds a compiled block, patches a slot (patch_link) for the next time.
//
// A slot is never unpatched in place: dropping any block (icbi, a store to a code page, phv_invalidate_code)
// or flushing the code buffer moves the stamp, after which no slot of any block matches until patched
// again. So a link never leads into dropped code or to a block that died.
#include <cstring>

#include "jit/compiler.h"
#include "jit/emitter.h"
#include "vcpu/vcpu.h"

namespace phv::jit {

using namespace Xbyak::util;

namespace {
// The placeholder of an unpatched stamp or NIP: the long (imm64) encoding the patches overwrite, and a value
// neither takes (the stamp counts up from 1, a NIP is word-aligned).
constexpr uint64_t kImm64 = 0x8000000000000001ull;
} // namespace

void BlockEmitter::emit_block_end(const Block &b, Xbyak::Label &to_loop) {
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v_));
    };
    Xbyak::Label slow, expired, declined;
    // The run loop's own work, in two tests. Everything else the loop would look at between blocks raises
    // the attention flag or zeroes the countdown where it changes: a kick, an interrupt line, a code
    // invalidation, an LPCR update, an HPT hold, a PIDR write, another vcpu's tlbie (mmu_.pending), a
    // partition or memslot change (Vm::mmu_changed), and the performance monitor starting to count (mtspr;
    // the loop zeroes the countdown before every block while it counts).
    cmp(byte[rbx + offset(&v_.attention_)], 0);
    jne(to_loop, T_NEAR);
    // The countdown is taken for the next block here, as the loop takes it (`timer_countdown_-- == 0`);
    // at 0 it is left at 0 for the loop's timer and interrupt check.
    sub(dword[rbx + offset(&v_.timer_countdown_)], 1);
    jb(expired, T_NEAR);
    // The slots hold while the link stamp has not moved since they were patched.
    mov(rax, kImm64);
    stamp_at_ = here() - 8;
    cmp(rax, qword[rbx + offset(&v_.mmu_.link_stamp)]);
    jne(slow, T_NEAR);
    mov(rax, qword[rbx + nip_]);
    for (unsigned i = 0; i < Block::kJitSlots; ++i)
        emit_link_slot(slots_[i], slow);
    L(slow);
    mov(rdi, rbx);
    mov(rsi, reinterpret_cast<uint64_t>(&b));
    mov(rax, reinterpret_cast<uint64_t>(&Vcpu::jit_link));
    call(rax);
    test(rax, rax);
    jz(declined, T_NEAR);
    jmp(rax);
    L(declined);   // the loop takes the countdown for the next block itself
    add(dword[rbx + offset(&v_.timer_countdown_)], 1);
    jmp(to_loop, T_NEAR);
    L(expired);
    mov(dword[rbx + offset(&v_.timer_countdown_)], 0);
    jmp(to_loop, T_NEAR);
}

// The loop's per-block bookkeeping for the performance monitor (pmu_insn_address() and pmu_block_end()
// need the running block, its NIP and counts at its start once counting begins). Counting can only begin
// inside a block at a called row (an mtspr of the monitor's SPRs, which then zeroes the countdown so that
// the block's end goes back to the loop), so a block entered by a link does it only when it has a called
// row; the loop itself does it for the block it enters.
void BlockEmitter::emit_pmu_entry(const Block &b) {
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v_));
    };
    mov(qword[rbx + offset(&v_.pmu_.nip)], r12);
    mov(rax, qword[rbx + insns_]);
    mov(qword[rbx + offset(&v_.pmu_.first)], rax);
    mov(rax, qword[rbx + offset(&v_.stats_.interrupts_delivered)]);
    mov(qword[rbx + offset(&v_.pmu_.irqs)], rax);
    mov(rax, reinterpret_cast<uint64_t>(&b));
    mov(qword[rbx + offset(&v_.pmu_.block)], rax);
}

// One slot: its NIP (rax holds NIP), then a jump to the successor's linked entry (until patched, the slow path).
void BlockEmitter::emit_link_slot(Block::JitSlot &s, Xbyak::Label &slow) {
    mov(rcx, kImm64);
    s.nip = here() - 8;
    cmp(rax, rcx);
    je(slow, T_NEAR);
    s.jmp = here() - 4;
}

bool patch_link(Vcpu &v, Block &from, uint64_t nip, const Block &to) {
    auto *code = reinterpret_cast<uint8_t *>(from.jit);
    const auto put = [&](uint32_t at, const auto &value) { std::memcpy(code + at, &value, sizeof value); };
    const auto get = [&](uint32_t at) {
        uint64_t x;
        std::memcpy(&x, code + at, sizeof x);
        return x;
    };
    // Slots patched under an older stamp are dead: they all become free, and the block takes the stamp.
    const uint64_t stamp = v.mmu_.link_stamp;
    if (get(from.jit_stamp) != stamp) {
        put(from.jit_stamp, stamp);
        for (const Block::JitSlot &s : from.jit_slots)
            put(s.nip, kImm64);
    }
    // A free slot (no slot names this NIP: under this stamp its link would have been taken). A live link
    // to another NIP is kept: an exit with more successors than slots (a return) would otherwise rewrite
    // its code at every turn, and each rewrite costs the host a pipeline flush; the others go through
    // jit_link's lookup instead.
    for (const Block::JitSlot &s : from.jit_slots) {
        if (get(s.nip) != kImm64)
            continue;
        put(s.nip, nip);
        put(s.jmp, int32_t(to.jit_linked_entry - (code + s.jmp + 4)));
        return true;
    }
    return false;
}

} // namespace phv::jit
