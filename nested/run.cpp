// H_GUEST_RUN_VCPU and the way back (nested/run.h).
#include "nested/run.h"

#include <bit>
#include <cstring>

#include "mmu/partition.h"
#include "mmu/radix.h"
#include "nested/gsb.h"
#include "nested/state.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv::nested {

using isa::Flow;

namespace {

constexpr uint64_t kFlagExternal = 1ull << 63, kFlagDoorbell = 1ull << 62, kFlagSystemReset = 1ull << 61;

// The LPCR bits the L1 chooses for its L2 (the element's mask); the rest are the L0's. An L2 is a radix
// guest with its own process table (HR, UPRT), whatever the L1 itself is.
constexpr uint64_t kL2LpcrBits = (7ull << (63 - 11)) | lpcr::ILE | lpcr::AIL | lpcr::LD | (1ull << (63 - 52)) |
                                 mmu::lpcr::GTSE;

// lppaca fields of the L2 context-switch counters (kvm-book3s-reference.md 5.4), in the L1's VPA.
constexpr uint64_t kVpaCountersEnable = 0xbc, kVpaL1ToL2 = 0x1a0, kVpaL2ToL1 = 0x1a8, kVpaL2Runtime = 0x1b0;

// L1 timebase now, whichever partition the vcpu runs.
uint64_t l1_tb(const Vcpu &c, const Frame *f) { return f ? c.read_tb() - f->tb_offset : c.read_tb(); }

// The hcall fails: R3 = rc and the L1 goes on after its sc.
Flow fail(Vcpu &l1, int64_t rc) {
    l1.st_.gpr[3] = uint64_t(rc);
    l1.st_.nip = l1.mask_ea(l1.st_.nip + 4);
    return Flow::Jump;
}

// Adds to one of the L1's counters when its VPA asks for them (l2_counters_enable).
void add_counter(Vcpu &c, uint64_t off, uint64_t ticks) {
    const uint64_t vpa = c.vpa_addr_;
    if (!vpa)
        return;
    Memslot *slot = nullptr;
    uint8_t *p = c.ram(vpa, 0x280, true, &slot);
    if (!p || !p[kVpaCountersEnable])
        return;
    be_store(p + off, 8, be_load(p + off, 8) + ticks);
    c.note_store(slot, vpa + off, 8);
}

// The partition-scoped root as the walker takes it: PATE doubleword 0 of a 52-bit tree (RTS = 52 - 31,
// RPDS = 13) with the root base.
uint64_t partition_root(const L2Guest &g) { return g.partition_table[0]; }

// PATE doubleword 1 for the L2's process table {base, size}.
uint64_t process_table_dw1(const L2Guest &g) {
    const uint64_t base = g.process_table[0], size = g.process_table[1];
    if (!size)
        return mmu::pate1::GR;
    return mmu::pate1::GR | (base & mmu::pate1::PRTB) | uint64_t(std::countr_zero(size) - 12);
}

} // namespace

Flow L0::run_vcpu(Vcpu &c) {
    auto &r = c.st_.gpr;
    const uint64_t flags = r[4], gid = r[5], vid = r[6];
    std::unique_lock g(lock_);
    if (flags & ~(kFlagExternal | kFlagDoorbell | kFlagSystemReset))
        return fail(c, hret::kParameter);
    auto git = guests_.find(gid);
    if (git == guests_.end())
        return fail(c, hret::kP2);
    L2Guest &guest = *git->second;
    auto vit = vid <= kMaxVcpuId ? guest.vcpus.find(uint32_t(vid)) : guest.vcpus.end();
    if (vit == guest.vcpus.end())
        return fail(c, hret::kP3);
    L2Vcpu &v = *vit->second;
    if (v.running)
        return fail(c, hret::kInUse);
    if (!guest.partition_table[2])
        return fail(c, hret::kPartitionPageTableNotDefined);
    if (!v.run_in[0])
        return fail(c, hret::kInputBufferNotDefined);
    if (!v.run_out[0])
        return fail(c, hret::kOutputBufferNotDefined);
    const uint8_t *in = c.ram(v.run_in[0], v.run_in[1], false);
    if (!in)
        return fail(c, hret::kInputBufferNotDefined);
    if (!c.ram(v.run_out[0], v.run_out[1], true))
        return fail(c, hret::kOutputBufferNotDefined);
    if (v.run_out[1] < kRunBufferMin)
        return fail(c, hret::kOutputBufferTooSmall);

    // The input buffer: vcpu elements to set before running. Its size is what was registered; a count
    // that does not fit is the "too small" error, an element error names the element's byte offset.
    std::vector<uint8_t> buf(in, in + v.run_in[1]);
    std::vector<Element> els;
    ParseStatus ps = parse_gsb(buf, Use::RunInput, Scope::Vcpu, els);
    if (ps.ok()) {
        // The buffers themselves cannot be moved by the buffer being read.
        for (const Element &e : els)
            if (e.id == gsid::kRunInput || e.id == gsid::kRunOutput) {
                ps = {hret::kInvalidElementId, 0, e.offset, e.id};
                break;
            }
    }
    if (!ps.ok()) {
        r[4] = ps.offset;
        return fail(c, ps.rc == hret::kP5 ? hret::kInputBufferTooSmall : ps.rc);
    }
    for (const Element &e : els)
        write_element(guest, &v, e, buf.data() + e.offset + 4);
    v.running = true;
    ++v.counters.runs;
    // The lock stays held to the end of the switch: a guest-wide SET meanwhile waits, so the tables and
    // timebase offset below are one consistent set.

    // ---- switch to the L2 -------------------------------------------------------------------------
    if (!c.l2_)
        c.l2_ = std::make_unique<Frame>();
    Frame &f = *c.l2_;
    f.v1 = false;
    f.guest = &guest;
    f.vcpu = &v;
    f.lpid = gid;
    f.hdec_expiry = v.hdec_expiry;
    f.tb_offset = guest.tb_offset;   // a guest-wide SET during the run applies from the next one
    f.ext_pending = flags & kFlagExternal;
    f.hisi_cause = 0;
    f.entry_tb = c.read_tb();
    f.l1 = c.st_;
    f.l1.nip = c.mask_ea(c.st_.nip + 4);
    f.l1_dec_expiry = c.dec_expiry_;
    f.l1_tb_offset = c.tb_offset_;
    f.l1_process_table = c.mmu_.process_table;
    f.l1_hash = c.mmu_.hash;
    f.l1_slots_generation = c.mmu_.slots_generation;
    f.l1_tlb = c.mmu_.tlb;
    f.l2_lpcr = v.st.spr[spr::LPCR];

    const uint64_t l1_lpcr = c.st_.spr[spr::LPCR];
    c.st_ = v.st;
    c.st_.spr[spr::LPCR] = (l1_lpcr & ~(kL2LpcrBits | mmu::lpcr::kOwned)) | (f.l2_lpcr & kL2LpcrBits) |
                           mmu::lpcr::UPRT | mmu::lpcr::HR;
    // The L2 never runs in hypervisor or secure state, and machine checks stay enabled (the L0's rule).
    c.st_.msr = (c.st_.msr | msr::ME) & ~(msr::HV | msr::S);
    c.tb_offset_ = f.l1_tb_offset + f.tb_offset;
    c.dec_expiry_ = v.dec_expiry + f.tb_offset;
    purr_to_running(c);
    c.enter_l2_mmu(gid, guest.generation, partition_root(guest), process_table_dw1(guest));
    c.in_l2_ = true;
    ++c.stats().nested_entries;

    g.unlock();
    if (flags & kFlagDoorbell)
        c.st_.spr[spr::DPDES] |= 1;
    f.l2_start_tb = l1_tb(c, &f);
    if (flags & kFlagSystemReset)
        return c.interrupt(vec::kSystemReset, c.st_.nip, 0);
    return Flow::Jump;
}

void purr_to_running(Vcpu &c) {
    for (unsigned n : {unsigned(spr::PURR), unsigned(spr::SPURR), unsigned(spr::VTB)})
        c.st_.spr[n] -= c.read_tb();
}

void purr_to_stopped(Vcpu &c) {
    for (unsigned n : {unsigned(spr::PURR), unsigned(spr::SPURR), unsigned(spr::VTB)})
        c.st_.spr[n] = c.read_purr(n);
}

static_assert(4 + 13 * 12 <= kRunBufferMin, "the largest exit output must fit the least output buffer");

Flow L0::leave(Vcpu &c, uint64_t trap) {
    Frame &f = *c.l2_;
    if (f.v1)
        return leave_v1(c, trap);
    L2Vcpu &v = *f.vcpu;
    const uint64_t exit_tb = l1_tb(c, &f);

    // The L2's state back into its L2Vcpu.
    purr_to_stopped(c);
    v.st = c.st_;
    v.st.spr[spr::LPCR] = f.l2_lpcr;
    v.dec_expiry = c.dec_expiry_ - f.tb_offset;

    // What the L1 needs for this exit (kvm-nested.rst: e.g. GPR3-12 for an hcall), then NIA and MSR.
    GsbWriter w;
    const CpuState &s = c.st_;
    switch (trap) {
    case trap::kHcall:
        for (unsigned i = 3; i <= 12; ++i)
            w.put_be(uint16_t(gsid::kGpr0 + i), 8, s.gpr[i]);
        break;
    case trap::kHdsi:
        w.put_be(gsid::kHdar, 8, s.spr[spr::HDAR]).put_be(gsid::kHdsisr, 4, s.spr[spr::HDSISR]);
        w.put_be(gsid::kAsdr, 8, s.spr[spr::ASDR]);
        break;
    case trap::kHisi:
        w.put_be(gsid::kAsdr, 8, s.spr[spr::ASDR]);
        break;
    case trap::kHea:
        // HEIR as Linux reads it (a doubleword); see README on the 4-byte PAPR length.
        w.put_be(gsid::kHeir, 8, uint32_t(s.spr[spr::HEIR]));
        break;
    case trap::kHfac:
        w.put_be(gsid::kHfscr, 8, s.spr[spr::HFSCR]);
        break;
    default: break;
    }
    w.put_be(gsid::kNia, 8, s.nip).put_be(gsid::kMsr, 8, s.msr | (trap == trap::kHisi ? f.hisi_cause : 0));
    w.put_be(gsid::kDecExpiryTb, 8, v.dec_expiry);

    // ---- back to the L1 ---------------------------------------------------------------------------
    c.st_ = f.l1;
    c.dec_expiry_ = f.l1_dec_expiry;
    c.tb_offset_ = f.l1_tb_offset;
    c.leave_l2_mmu(f.l1_tlb, f.l1_slots_generation, f.l1_process_table, f.l1_hash);
    c.in_l2_ = false;
    c.st_.gpr[3] = uint64_t(hret::kSuccess);
    c.st_.gpr[4] = trap;
    ++c.stats().nested_exits;

    Memslot *slot = nullptr;
    if (uint8_t *out = c.ram(v.run_out[0], v.run_out[1], true, &slot)) {
        const auto &b = w.bytes();
        std::memcpy(out, b.data(), std::min<size_t>(b.size(), v.run_out[1]));
        c.note_store(slot, v.run_out[0], std::min<size_t>(b.size(), v.run_out[1]));
    }
    const uint64_t back_tb = c.read_tb();
    add_counter(c, kVpaL1ToL2, f.l2_start_tb - f.entry_tb);
    add_counter(c, kVpaL2Runtime, exit_tb - f.l2_start_tb);
    add_counter(c, kVpaL2ToL1, back_tb - exit_tb);

    auto &st = c.stats();
    st.nested_l1_to_l2_tb += f.l2_start_tb - f.entry_tb;
    st.nested_l2_runtime_tb += exit_tb - f.l2_start_tb;
    st.nested_l2_to_l1_tb += back_tb - exit_tb;
    c.request_lpcr_update(0, 0);   // H_SET_MODE changes made meanwhile are the L1's: apply them now

    std::lock_guard g(lock_);
    v.running = false;
    v.counters.count_exit(trap, f.l2_start_tb - f.entry_tb, exit_tb - f.l2_start_tb, back_tb - exit_tb);
    return Flow::Jump;
}

unsigned exit_index(uint64_t trap) {
    switch (trap) {
    case trap::kHcall: return PHV_NESTED_EXIT_HCALL;
    case trap::kHdsi: return PHV_NESTED_EXIT_HDSI;
    case trap::kHisi: return PHV_NESTED_EXIT_HISI;
    case trap::kHea: return PHV_NESTED_EXIT_HEA;
    case trap::kHfac: return PHV_NESTED_EXIT_HFAC;
    case trap::kHdec: return PHV_NESTED_EXIT_HDEC;
    default: return PHV_NESTED_EXIT_OTHER;
    }
}

void L2Counters::count_exit(uint64_t trap, uint64_t l1_to_l2, uint64_t runtime, uint64_t l2_to_l1) {
    ++exits[exit_index(trap)];
    l1_to_l2_tb += l1_to_l2;
    l2_runtime_tb += runtime;
    l2_to_l1_tb += l2_to_l1;
}

} // namespace phv::nested

namespace phv {

using isa::Flow;

Flow Vcpu::leave_l2(uint64_t trap) { return vm_.nested().leave(*this, trap); }

Flow Vcpu::leave_l2_hdsi() { return leave_l2(nested::trap::kHdsi); }

Flow Vcpu::leave_l2_hisi(uint32_t cause) {
    l2_->hisi_cause = cause;
    return leave_l2(nested::trap::kHisi);
}

// HDEC (the L1's time limit for the run, in its timebase) and the L1's external interrupt line: either ends
// the run. The line is the L1's "outstanding interrupt" of kvm-nested.rst's unspecified exit. Both are
// asynchronous: while the debugger holds interrupts (PHV_GUESTDBG_BLOCKIRQ) a step stays in the L2, and the
// next poll after it is cleared ends the run.
Flow Vcpu::l2_poll() {
    if (debug_.block_irq)
        return Flow::Next;
    if (read_tb() - l2_->tb_offset >= l2_->hdec_expiry)
        return leave_l2(nested::trap::kHdec);
    if (irq_line_.load(std::memory_order_relaxed))
        return leave_l2(nested::trap::kUnspecified);
    return Flow::Next;
}

bool Vcpu::l2_take_external() {
    const bool pending = l2_->ext_pending;
    l2_->ext_pending = false;
    return pending;
}

} // namespace phv
