// Native loads and stores (Book I 3.3.2-3.3.5: the byte, halfword, word and doubleword forms, D/DS and X,
// with update, algebraic and byte-reversed): the EA, the access and RA's update in host code when
// translate_data() would take its fast path (a TLB hit within a page, relocated or a real-mode access that
// the VRMA or an L2's tree translates, or untranslated real mode inside the cached memslot) and, for a
// store, note_store() would have nothing to do. Anything else (a TLB miss, a fault, MMIO, a page crossing,
// dirty logging, code on the page, a reserved granule) calls the row's semantic function, which redoes the
// access from the start, so faults and exits leave exactly the interpreter's state. MSR[DR] is the block's
// (BlockCache::key), and an access first tries the page the last access of its kind found, in this block or
// in one linked before it, with no called row between (Vcpu::JitPage). The FP loads and stores (Book I 4.6.2-4.6.3: lfd, lfs,
// stfd, stfs) and the quadword vector ones (6.7: lvx, stvx; 7.6: lxv, lxvx, stxv, stxvx) take the same path
// after testing their facility's MSR bit, and move the data between memory and CpuState's VSR file.
#include <cstddef>
#include <optional>

#include "jit/emitter.h"
#include "memory/memslots.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv::jit {

using namespace Xbyak::util;

namespace {
// Offsets of Memslot's fields, taken from an object: Memslot is not standard-layout (ZeroedArray), so
// offsetof is not the tool.
struct SlotLayout {
    int32_t gpa, size, host, flags, code_pages;
    SlotLayout() {
        static const Memslot probe;
        const auto at = [&](const void *f) {
            return int32_t(reinterpret_cast<const char *>(f) - reinterpret_cast<const char *>(&probe));
        };
        gpa = at(&probe.gpa), size = at(&probe.size), host = at(&probe.host), flags = at(&probe.flags);
        code_pages = at(&probe.code_pages);
    }
};
// The code reads code_pages' pointer at the ZeroedArray's address (its first member).
static_assert(offsetof(ZeroedArray<uint8_t>, data) == 0);
const SlotLayout &slot_layout() {
    static const SlotLayout l;
    return l;
}
} // namespace

void BlockEmitter::call_slow(const isa::Decoded &d, uint64_t written) {
    // The semantic function reads the GPRs (and a fault or exit leaves with them) from CpuState; the fast
    // path keeps its registers dirty, so the compile-time state is left as it is.
    write_back();
    if (pending_bytes_ || !nip_stored_) {
        lea(rax, ptr[r12 + pending_bytes_]);
        mask_ea(rax);
        mov(qword[rbx + nip_], rax);
    }
    add(qword[rbx + insns_], pending_insns_ + 1);
    mov(rdi, rbx);
    mov(rsi, reinterpret_cast<uint64_t>(&d));
    mov(rax, reinterpret_cast<uint64_t>(d.fn));
    call(rax);
    Label next;
    test(al, al);
    jz(next);
    mov(rsi, reinterpret_cast<uint64_t>(&d));
    jmp(leave_, T_NEAR);
    L(next);
    reload_after_call(written);
    // Back to the fast path's bookkeeping: the count stays pending, as it does after a native instruction.
    sub(qword[rbx + insns_], pending_insns_ + 1);
}

void BlockEmitter::emit_slow_call(ColdPath &c) {
    call_slow(*c.d, c.written);
    jmp(c.resume, T_NEAR);
}

void BlockEmitter::end_memory_row(const isa::Decoded &d, bool store, const std::optional<Gpr> &ra,
                                  bool writes_rt, ColdPath &slow) {
    if (ra)
        mov(ra->q(), rsi);
    slow.d = &d;
    slow.written = (writes_rt ? 1ull << d.rt : 0) | (ra ? 1ull << d.ra : 0);
    rejoin(slow);
    // Whichever path ran, the cell holds a page whose checks passed (it is written only after them) or what
    // it held before: the semantic function changes no translation and builds no block.
    page_known_[store] = !loop_;
    if (writes_rt)
        mark_dirty(d.rt);
    if (ra)
        mark_dirty(d.ra);
}

void BlockEmitter::empty_page_cells(bool load, bool store) {
    for (bool kind : {false, true})
        if (kind ? store : load)
            mov(qword[rbx + page_cell(kind)], int32_t(Vcpu::JitPage::kEmpty));
}

void BlockEmitter::effective_address(const isa::Decoded &d, bool x_form, bool update) {
    if (!update && !d.ra) {
        if (x_form)
            mov(rsi, src(d.rb).q());
        else
            load_imm(rsi, uint64_t(d.imm));
    } else {
        const Gpr a = src(d.ra);
        if (x_form) {
            const Gpr b = src(d.rb);
            if (a.in_reg() && b.in_reg()) {
                lea(rsi, ptr[a.reg() + b.reg()]);
            } else {
                mov(rsi, a.q());
                add(rsi, b.q());
            }
        } else if (a.in_reg()) {
            lea(rsi, ptr[a.reg() + int32_t(d.imm)]);
        } else {
            mov(rsi, a.q());
            if (d.imm)
                add(rsi, int32_t(d.imm));
        }
    }
    mask_ea(rsi);
}

void BlockEmitter::host_address(unsigned len, bool store, Label &slow) {
    // In loop mode the row has a cell of its own (if one was left for it), which keeps its page from one
    // turn of the loop to the next: a loop walks through a page with each of its rows. A store's page had
    // note_store()'s checks passed when the cell was filled; a block another vcpu builds from it later is
    // noticed once the loop's timer check (every kTimerCheckInterval turns) has left the block, whose entry
    // empties the cells: a store that modifies code another processor runs needs icbi anyway (Book II 1.8),
    // and icbi drops the blocks.
    const int loop_cell = loop_ ? loop_cell_[index_] : -1;
    const Vcpu::JitPage &cell = loop_cell >= 0 ? v_.jit_loop_page_[loop_cell] : v_.jit_page_[store];
    const int32_t at = int32_t(reinterpret_cast<const char *>(&cell) - reinterpret_cast<const char *>(&v_));
    const bool use_cell = loop_cell >= 0 || page_known_[store], fill_cell = loop_cell >= 0 || !loop_;
    if (!use_cell) {
        tlb_lookup(len, store, at, fill_cell, slow);
        if (store)
            reservation_check(len, slow);
        return;
    }
    // The page the last access of this kind found (since the last called row or return to C++, which may
    // change the translation, the key context or what note_store() would do): the EA in the cached page
    // and the access within it, and the host address is the cached page's. A store's page had
    // note_store()'s page checks passed; the reservation check is per granule. The EA is compared with
    // its page offset cleared except for the bits its alignment needs clear: equal to the page
    // only for an aligned access in it, which cannot cross the page (an unaligned one looks in the TLB).
    // The TLB lookup and a reserved granule's check are cold paths, which come back after the tests.
    ColdPath &miss = cold_path(&BlockEmitter::emit_tlb_path);
    miss.len = len, miss.store = store, miss.fill_cell = fill_cell, miss.cell = at, miss.slow = &slow;
    mov(rdx, rsi);
    and_(rdx, int32_t(~0xfffu | (len - 1)));
    cmp(rdx, qword[rbx + at + int32_t(offsetof(Vcpu::JitPage, page))]);
    jne(miss.entry, T_NEAR);
    mov(rdi, qword[rbx + at + int32_t(offsetof(Vcpu::JitPage, host))]);
    if (store) {
        // No reservation to look for while no vcpu holds one (ReservationTable::holders).
        ColdPath &reserved = cold_path(&BlockEmitter::emit_reservation_path);
        reserved.len = len, reserved.cell = at, reserved.slow = &slow;
        mov(rax, reinterpret_cast<uint64_t>(v_.reservations_->holders()));
        cmp(dword[rax], 0);
        jne(reserved.entry, T_NEAR);
        rejoin(reserved);
    }
    rejoin(miss);
}

void BlockEmitter::emit_tlb_path(ColdPath &c) {
    tlb_lookup(c.len, c.store, c.cell, c.fill_cell, *c.slow);
    if (c.store)
        reservation_check(c.len, *c.slow);
    jmp(c.resume, T_NEAR);
}

// A store whose page came from its cell while some vcpu holds a reservation: rcx = the GPA, from the cell.
void BlockEmitter::emit_reservation_path(ColdPath &c) {
    mov(rcx, qword[rbx + c.cell + int32_t(offsetof(Vcpu::JitPage, gpa))]);
    add(rcx, rsi);
    reservation_check(c.len, *c.slow, true);
    jmp(c.resume, T_NEAR);
}

void BlockEmitter::tlb_lookup(unsigned len, bool store, int32_t cell, bool fill_cell, Label &slow) {
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v_));
    };
    const SlotLayout &ms = slot_layout();
    const mmu::Access access = store ? mmu::Access::Store : mmu::Access::Load;
    Label have;
    // Tlb::lookup() for the EA in `ea` with the context tlb_context() gives (MSR[PR] is the block's), or a
    // translated real-mode access (an L2's, or through the VRMA) in the TLB's real context. The tag is
    // built from the access's last byte, so that one compare also sends a page crossing to `slow` (QEMU's
    // TLB compare does the same with its own tags). rcx = the offset in the page, rdi = the host address
    // (less the EA at the end); for a store rcx = the GPA and rdx its memslot.
    // Every Tlb has the same layout: the L1's, which lives as long as the vcpu, gives the offsets (mmu_.tlb
    // moves to an L2's TLB and back while a worker compiles, jit/compile_worker.h).
    const mmu::Tlb &tlb = *v_.mmu_.l1_tlb;
    const int32_t set = int32_t(reinterpret_cast<const char *>(tlb.entries(access)) - reinterpret_cast<const char *>(&tlb));
    const auto tlb_hit = [&](const Xbyak::Reg64 &ea, bool real_context) {
        mov(rax, qword[rbx + offset(&v_.mmu_.tlb)]);
        mov(ecx, ea.cvt32());
        shr(ecx, 12);
        and_(ecx, mmu::Tlb::kEntries - 1);
        imul(ecx, ecx, int(sizeof(mmu::TlbEntry)));
        add(rax, rcx);   // the entry, less `set`
        lea(rdx, ptr[ea + len - 1]);
        and_(rdx, -4096);
        if (real_context) {
            or_(rdx, int32_t(mmu::Tlb::kRealContext));
        } else {
            or_(rdx, pr_ ? 3 : 1);
            or_(rdx, qword[rbx + offset(&v_.mmu_.key_context)]);
        }
        cmp(rdx, qword[rax + set + int32_t(offsetof(mmu::TlbEntry, tag))]);
        jne(slow, T_NEAR);
        mov(ecx, esi);   // the page offset: the real-mode mask leaves it alone
        and_(ecx, 0xfff);
        mov(rdi, qword[rax + set + int32_t(offsetof(mmu::TlbEntry, host))]);
        test(rdi, rdi);
        jz(slow, T_NEAR);
        add(rdi, rcx);
        if (store) {
            add(rcx, qword[rax + set + int32_t(offsetof(mmu::TlbEntry, gpa))]);
            mov(rdx, qword[rax + set + int32_t(offsetof(mmu::TlbEntry, slot))]);
        }
    };
    if (dr_) {
        // MSR[DR] is the block's (BlockCache::key): relocated, the TLB alone.
        tlb_hit(rsi, false);
    } else {
        // Real mode in an L2 or through the VRMA: translated in the real context, the top 4 EA bits ignored
        // (rdi gets that address; rsi keeps the EA for an update form's RA). Otherwise the real address is
        // in the vcpu's cached memslot, as ram() has it.
        Label memslot;
        movzx(eax, byte[rbx + offset(&v_.mmu_.l2.active)]);
        or_(al, byte[rbx + offset(&v_.mmu_.vrma)]);
        jz(memslot, T_NEAR);
        mov(rdi, rsi);
        shl(rdi, 4);   // & Vcpu::kRealModeMask
        shr(rdi, 4);
        tlb_hit(rdi, true);
        jmp(have, T_NEAR);
        L(memslot);
        mov(rdx, qword[rbx + offset(&v_.slot_cache_)]);
        test(rdx, rdx);
        jz(slow, T_NEAR);
        mov(rax, reinterpret_cast<uint64_t>(v_.slots_->generation_address()));
        mov(rax, qword[rax]);
        cmp(rax, qword[rbx + offset(&v_.slot_cache_gen_)]);
        jne(slow, T_NEAR);
        mov(rcx, rsi);
        shl(rcx, 4);   // & Vcpu::kRealModeMask
        shr(rcx, 4);
        mov(rdi, rcx);
        sub(rdi, qword[rdx + ms.gpa]);
        jb(slow, T_NEAR);
        mov(rax, qword[rdx + ms.size]);
        sub(rax, len);
        jb(slow, T_NEAR);
        cmp(rdi, rax);
        ja(slow, T_NEAR);
        if (store) {
            test(dword[rdx + ms.flags], PHV_MEM_READONLY);
            jnz(slow, T_NEAR);
        }
        if (store || fill_cell) {
            // Within one page (the TLB's tag compare does this for the translated paths): memslots are
            // page-aligned, so the real address's page offset is the offset into the slot's page.
            mov(eax, ecx);
            and_(eax, 0xfff);
            cmp(eax, 0x1000 - len);
            ja(slow, T_NEAR);
        }
        add(rdi, qword[rdx + ms.host]);
    }
    L(have);
    if (store) {
        // note_store()'s fast case for the page: no dirty log and no block built from it (the access is
        // within one page, as tested above). rcx = the GPA, rdx = its memslot.
        test(dword[rdx + ms.flags], PHV_MEM_LOG_DIRTY_PAGES);
        jnz(slow, T_NEAR);
        mov(rax, rcx);
        sub(rax, qword[rdx + ms.gpa]);
        shr(rax, 12);
        mov(rdx, qword[rdx + ms.code_pages]);
        cmp(byte[rdx + rax], 0);
        jne(slow, T_NEAR);
    }
    // The rows address the host's byte as rdi + rsi (the EA), as a cell's host field gives it.
    sub(rdi, rsi);
    if (fill_cell) {
        mov(rax, rsi);
        and_(rax, -4096);
        mov(qword[rbx + cell + int32_t(offsetof(Vcpu::JitPage, page))], rax);
        mov(qword[rbx + cell + int32_t(offsetof(Vcpu::JitPage, host))], rdi);
        if (store) {
            mov(rax, rcx);
            sub(rax, rsi);
            mov(qword[rbx + cell + int32_t(offsetof(Vcpu::JitPage, gpa))], rax);
        }
    }
}

// No reservation on the granule of the store's GPA in rcx (ReservationTable::maybe_reserved); a byte never
// crosses one. None to look for while no vcpu holds one (tested unless the caller has just seen some).
void BlockEmitter::reservation_check(unsigned len, Label &slow, bool held) {
    Label unreserved;
    if (!held) {
        mov(rax, reinterpret_cast<uint64_t>(v_.reservations_->holders()));
        cmp(dword[rax], 0);
        je(unreserved, T_NEAR);
    }
    if (len > 1) {
        lea(rax, ptr[rcx + len - 1]);
        xor_(rax, rcx);
        shr(rax, ReservationTable::kGranuleShift);
        jnz(slow, T_NEAR);
    }
    shr(rcx, ReservationTable::kGranuleShift);
    and_(ecx, ReservationTable::kSlots - 1);
    mov(rax, reinterpret_cast<uint64_t>(v_.reservations_->granules()));
    test(byte[rax + rcx * 8], 1);
    jnz(slow, T_NEAR);
    L(unreserved);
}

// rax's low len bytes (2, 4 or 8) in the other byte order: the access of a big-endian block or a
// byte-reversed row.
void BlockEmitter::byte_reverse(unsigned len) {
    if (len == 2)
        rol(ax, 8);
    else if (len == 4)
        bswap(eax);
    else if (len == 8)
        bswap(rax);
}

// arg: size in bytes | 0x10 sign-extending | 0x20 X-form | 0x40 update | 0x80 byte-reversed (sem::load).
bool BlockEmitter::e_load(const isa::Decoded &d, const Variant &v) {
    const unsigned len = v.arg & 0xf;
    const bool sign = v.arg & 0x10, big_endian = !le_ != bool(v.arg & 0x80);
    const bool update = v.arg & 0x40;
    ColdPath &call = slow_call();
    Label &slow = call.entry;
    effective_address(d, v.arg & 0x20, update);
    // RT's (and RA's) register is taken before the paths split, so that both leave the same allocation.
    const Gpr rt = claim(d.rt);
    const std::optional<Gpr> ra = update ? std::optional(claim(d.ra)) : std::nullopt;
    host_address(len, false, slow);
        if (!big_endian && rt.in_reg()) {
        // Straight into RT's register.
        const Xbyak::Reg64 &r = rt.reg();
        switch (len) {
        case 1: movzx(r.cvt32(), byte[rdi + rsi]); break;
        case 2: sign ? movsx(r, word[rdi + rsi]) : movzx(r.cvt32(), word[rdi + rsi]); break;
        case 4: sign ? movsxd(r, dword[rdi + rsi]) : mov(r.cvt32(), dword[rdi + rsi]); break;
        default: mov(r, qword[rdi + rsi]); break;
        }
    } else {
        switch (len) {
        case 1: movzx(eax, byte[rdi + rsi]); break;
        case 2: movzx(eax, word[rdi + rsi]); break;
        case 4: mov(eax, dword[rdi + rsi]); break;
        default: mov(rax, qword[rdi + rsi]); break;
        }
        if (big_endian)
            byte_reverse(len);
        if (sign && len == 2)
            movsx(rax, ax);
        else if (sign && len == 4)
            movsxd(rax, eax);
        mov(rt.q(), rax);
    }
    end_memory_row(d, false, ra, true, call);
    return true;
}

// arg as for e_load, without 0x10 (sem::store).
bool BlockEmitter::e_store(const isa::Decoded &d, const Variant &v) {
    const unsigned len = v.arg & 0xf;
    const bool big_endian = !le_ != bool(v.arg & 0x80);
    const bool update = v.arg & 0x40;
    ColdPath &call = slow_call();
    Label &slow = call.entry;
    effective_address(d, v.arg & 0x20, update);
    const Gpr rs = src(d.rt);   // before the paths split
    const std::optional<Gpr> ra = update ? std::optional(claim(d.ra)) : std::nullopt;
    host_address(len, true, slow);
    // From RS's register where no byte reversal needs a scratch one.
    const Xbyak::Reg64 r = !big_endian && rs.in_reg() ? rs.reg() : rax;
    if (r == rax)
        mov(rax, rs.q());
    if (big_endian)
        byte_reverse(len);
    switch (len) {
    case 1: mov(byte[rdi + rsi], r.cvt8()); break;
    case 2: mov(word[rdi + rsi], r.cvt16()); break;
    case 4: mov(dword[rdi + rsi], r.cvt32()); break;
    default: mov(qword[rdi + rsi], r); break;
    }
    end_memory_row(d, true, ra, false, call);
    return true;
}

// dcbz (Book II 4.3.2; sem::dcbz, Vcpu::zero_block): the 128-byte block the EA is in, translated as a store
// of its 128 bytes and zeroed. Anything else (a fault, MMIO and its alignment interrupt, a dirty-logged or
// code page, a reserved granule) is the semantic function's.
bool BlockEmitter::e_dcbz(const isa::Decoded &d, const Variant &) {
    ColdPath &call = slow_call();
    effective_address(d, true, false);
    and_(rsi, -128);
    host_address(128, true, call.entry);
    xorps(xmm0, xmm0);
    for (int at = 0; at < 128; at += 16)
        movups(xword[rdi + rsi + at], xmm0);
    end_memory_row(d, true, std::nullopt, false, call);
    return true;
}

// icbi (sem::icbi): the block the EA names is dropped on every vcpu if its page has blocks built from it
// (Vm::invalidate_code_page_if_built). Linux's cache flushes name pages no block was ever built from, by
// the hundred thousand in a boot (700,000 icbi, 56 on a marked page), so the common case is decided here:
// the page's entry in the load or the fetch TLB under the current context (real_address() looks in any
// kind's), and its mark in the memslot's code_pages clear. The mark is read after a full fence while
// another vcpu could be building a block (the handshake invalidate_code_page_if_built makes with
// block_lookup). A TLB miss, an L2, real mode or a marked page: the semantic function.
bool BlockEmitter::e_icbi(const isa::Decoded &d, const Variant &) {
    if (!dr_)
        return false;
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v_));
    };
    const mmu::Tlb &tlb = *v_.mmu_.l1_tlb;   // the layout every Tlb shares (host_address())
    const auto set = [&](mmu::Access a) {
        return int32_t(reinterpret_cast<const char *>(tlb.entries(a)) - reinterpret_cast<const char *>(&tlb));
    };
    const int32_t load = set(mmu::Access::Load), fetch = set(mmu::Access::Fetch);
    const int32_t tag = int32_t(offsetof(mmu::TlbEntry, tag)), gpa = int32_t(offsetof(mmu::TlbEntry, gpa)),
                  slot = int32_t(offsetof(mmu::TlbEntry, slot));
    const SlotLayout &ms = slot_layout();
    ColdPath &call = slow_call();
    Label fetched, have, alone;
    effective_address(d, true, false);
    cmp(byte[rbx + offset(&v_.mmu_.l2.active)], 0);
    jne(call.entry, T_NEAR);
    mov(rax, qword[rbx + offset(&v_.mmu_.tlb)]);
    mov(ecx, esi);
    shr(ecx, 12);
    and_(ecx, mmu::Tlb::kEntries - 1);
    imul(ecx, ecx, int(sizeof(mmu::TlbEntry)));
    add(rax, rcx);
    mov(rdx, rsi);
    and_(rdx, -4096);
    or_(rdx, pr_ ? 3 : 1);
    or_(rdx, qword[rbx + offset(&v_.mmu_.key_context)]);
    cmp(rdx, qword[rax + load + tag]);
    jne(fetched, T_NEAR);
    mov(rcx, qword[rax + load + gpa]);
    mov(rdx, qword[rax + load + slot]);
    jmp(have, T_NEAR);
    L(fetched);
    cmp(rdx, qword[rax + fetch + tag]);
    jne(call.entry, T_NEAR);
    mov(rcx, qword[rax + fetch + gpa]);
    mov(rdx, qword[rax + fetch + slot]);
    L(have);
    test(rdx, rdx);
    jz(call.entry, T_NEAR);
    sub(rcx, qword[rdx + ms.gpa]);
    shr(rcx, 12);
    mov(rdx, qword[rdx + ms.code_pages]);
    mov(rax, reinterpret_cast<uint64_t>(v_.vm().vcpu_count_address()));
    cmp(dword[rax], 2);
    jb(alone, T_NEAR);
    mfence();
    L(alone);
    cmp(byte[rdx + rcx], 0);
    jne(call.entry, T_NEAR);
    call.d = &d;
    rejoin(call);
    return true;
}

// Offset in the Vcpu of doubleword `dw` of VSR n (CpuState::vsr: [0] the high half). FPR n is doubleword 0
// of VSR n, VR n is VSR 32+n.
int32_t BlockEmitter::vsr_dw(unsigned n, unsigned dw) const {
    return int32_t(reinterpret_cast<const char *>(&v_.st_.vsr[n][dw]) - reinterpret_cast<const char *>(&v_));
}

// The facility the row needs (MSR[FP], MSR[VEC]) is not in the block's key, so it is tested here: when it
// is off, the slow path's semantic function raises the unavailable interrupt.
void BlockEmitter::need_facility(uint64_t msr_bit, Label &slow) {
    test(qword[rbx + msr_], int32_t(msr_bit));
    jz(slow, T_NEAR);
}

// arg: size in bytes (8 lfd, 4 lfs) | 0x20 X-form | 0x40 update (sem::fp_load, FpMem::Double and Single).
bool BlockEmitter::e_fp_load(const isa::Decoded &d, const Variant &v) {
    const unsigned len = v.arg & 0xf;
    const bool update = v.arg & 0x40;
    ColdPath &call = slow_call();
    Label &slow = call.entry;
    effective_address(d, v.arg & 0x20, update);
    const std::optional<Gpr> ra = update ? std::optional(claim(d.ra)) : std::nullopt;
    need_facility(msr::FP, slow);
    host_address(len, false, slow);
    if (len == 8) {
        mov(rax, qword[rdi + rsi]);
        if (!le_)
            bswap(rax);
    } else {
        mov(eax, dword[rdi + rsi]);
        if (!le_)
            bswap(eax);
        // fp::single_to_double for a normal single or a zero: the exponent rebiased (+896) by one add under
        // the fraction shifted into place. A denormal, an infinity or a NaN is left to the semantic
        // function, which loads the word again.
        Label zero, sign;
        mov(edx, eax);
        and_(edx, 0x7fffffff);
        test(edx, 0x7f800000);
        jz(zero);
        cmp(edx, 0x7f800000);
        jae(slow, T_NEAR);
        shl(rdx, 29);
        mov(rcx, uint64_t(896) << 52);
        add(rdx, rcx);
        jmp(sign);
        L(zero);
        test(edx, edx);
        jnz(slow, T_NEAR);
        L(sign);
        shr(eax, 31);
        shl(rax, 63);
        or_(rax, rdx);
    }
    // CpuState::set_fpr: doubleword 1 of the VSR is zeroed.
    mov(qword[rbx + vsr_dw(d.rt, 0)], rax);
    mov(qword[rbx + vsr_dw(d.rt, 1)], 0);
    end_memory_row(d, false, ra, false, call);
    return true;
}

// arg as for e_fp_load (sem::fp_store).
bool BlockEmitter::e_fp_store(const isa::Decoded &d, const Variant &v) {
    const unsigned len = v.arg & 0xf;
    const bool update = v.arg & 0x40;
    ColdPath &call = slow_call();
    Label &slow = call.entry;
    effective_address(d, v.arg & 0x20, update);
    const std::optional<Gpr> ra = update ? std::optional(claim(d.ra)) : std::nullopt;
    need_facility(msr::FP, slow);
    host_address(len, true, slow);
    mov(rax, qword[rbx + vsr_dw(d.rt, 0)]);
    if (len == 4) {
        // fp::double_to_single where it only selects bits: a biased exponent above 896 (the single normal
        // range, infinities and NaNs) or a zero. The single denormal range is left to the semantic function.
        Label bits;
        mov(rdx, rax);
        shr(rdx, 52);
        and_(edx, 0x7ff);
        cmp(edx, 896);
        ja(bits);
        mov(rdx, rax);
        add(rdx, rdx);   // the sign shifted out: zero for +-0
        jnz(slow, T_NEAR);
        L(bits);
        mov(rdx, rax);
        shr(rdx, 62);
        shl(edx, 30);
        shr(rax, 29);
        and_(eax, 0x3fffffff);
        or_(eax, edx);
        if (!le_)
            bswap(eax);
        mov(dword[rdi + rsi], eax);
    } else {
        if (!le_)
            bswap(rax);
        mov(qword[rdi + rsi], rax);
    }
    end_memory_row(d, true, ra, false, call);
    return true;
}

// The quadword vector rows: arg 0 lvx/lvxl (sem::vls::lvx: VR RT, EA & ~15, which never crosses a page,
// MSR[VEC]), 1 lxvx and 2 lxv (sem::vsx_load<VMem::Quad>: VSR RT (0-63, TX folded in by the decoder), any
// EA, MSR[VSX] for VSR 0-31 and MSR[VEC] for 32-63, as vsr_enabled() picks). The slow path's semantic
// function redoes the access, including a page crossing and the MMIO exits of its pieces.
// Big-endian, byte 0 is the most significant of the VSR (doubleword 0 is the first 8 bytes, byte-reversed
// on the host); little-endian, the whole quadword reversed (doubleword 1 is the first 8 bytes as the host
// reads them): vsx_common.h's from_bytes/to_bytes.
unsigned BlockEmitter::quad_operand(const isa::Decoded &d, unsigned arg, Label &slow) {
    effective_address(d, arg != 2, false);
    if (arg == 0)
        and_(rsi, -16);
    const unsigned vsr = arg == 0 ? 32 + (d.rt & 31) : d.rt & 63;
    need_facility(vsr < 32 ? msr::VSX : msr::VEC, slow);
    return vsr;
}

bool BlockEmitter::e_vec_load(const isa::Decoded &d, const Variant &v) {
    ColdPath &call = slow_call();
    Label &slow = call.entry;
    const unsigned t = quad_operand(d, v.arg, slow);
    host_address(16, false, slow);
    mov(rax, qword[rdi + rsi]);
    mov(rdx, qword[rdi + rsi + 8]);
    if (le_) {
        mov(qword[rbx + vsr_dw(t, 1)], rax);
        mov(qword[rbx + vsr_dw(t, 0)], rdx);
    } else {
        bswap(rax);
        bswap(rdx);
        mov(qword[rbx + vsr_dw(t, 0)], rax);
        mov(qword[rbx + vsr_dw(t, 1)], rdx);
    }
    end_memory_row(d, false, std::nullopt, false, call);
    return true;
}

// stvx/stvxl, stxvx, stxv (sem::vls::stvx, sem::vsx_store<VMem::Quad>): arg and layout as e_vec_load.
bool BlockEmitter::e_vec_store(const isa::Decoded &d, const Variant &v) {
    ColdPath &call = slow_call();
    Label &slow = call.entry;
    const unsigned s = quad_operand(d, v.arg, slow);
    host_address(16, true, slow);
    mov(rax, qword[rbx + vsr_dw(s, le_ ? 1 : 0)]);
    mov(rdx, qword[rbx + vsr_dw(s, le_ ? 0 : 1)]);
    if (!le_) {
        bswap(rax);
        bswap(rdx);
    }
    mov(qword[rdi + rsi], rax);
    mov(qword[rdi + rsi + 8], rdx);
    end_memory_row(d, true, std::nullopt, false, call);
    return true;
}

} // namespace phv::jit
