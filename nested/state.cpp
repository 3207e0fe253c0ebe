// Element values <-> L2 state. The L2 vcpu's registers are a CpuState, the same structure the interpreter
// runs, so H_GUEST_RUN_VCPU can switch to it without translating anything.
#include "nested/state.h"

#include "vcpu/spr_table.h"

namespace phv::nested {

namespace {

uint64_t guest_value(const L0 &l0, const L2Guest &g, uint16_t id) {
    switch (id) {
    case gsid::kHostStateSize: return sizeof(L2Vcpu);
    case gsid::kRunOutputMinSize: return kRunBufferMin;
    case gsid::kLogicalPvr: return g.lpvr;
    case gsid::kTbOffset: return g.tb_offset;
    case gsid::kL0GuestHeap: return l0.heap_in_use();
    case gsid::kL0GuestHeapMax: return l0.heap_max();
    // phv walks the L1's partition-scoped tables in place and keeps no shadow tables: none are in use and
    // none are ever reclaimed.
    case gsid::kL0GuestPgtable:
    case gsid::kL0GuestPgtableMax:
    case gsid::kL0GuestPgtableReclaim: return 0;
    default: return 0;
    }
}

uint64_t vcpu_value(const L2Vcpu &v, const Element &e) {
    const CpuState &st = v.st;
    const ElementInfo &i = *e.info;
    switch (i.target) {
    case Target::Gpr: return st.gpr[e.id - i.first + i.index];
    case Target::Spr: return st.spr[i.index];
    case Target::Nia: return st.nip;
    case Target::Msr: return st.msr;
    case Target::Lr: return st.lr;
    case Target::Ctr: return st.ctr;
    case Target::Xer: return st.get_xer();
    case Target::Cr: return st.cr;
    case Target::Fpscr: return st.fpscr;
    case Target::Vscr: return st.vscr;
    case Target::DecExpiry: return v.dec_expiry;
    case Target::HdecExpiry: return v.hdec_expiry;
    default: return e.id == gsid::kVpa ? v.vpa : 0;
    }
}

} // namespace

void read_element(const L0 &l0, const L2Guest &g, const L2Vcpu *v, const Element &e, uint8_t *out) {
    switch (e.id) {
    case gsid::kPartitionTable:
        for (int k = 0; k < 3; ++k)
            be_store(out + 8 * k, 8, g.partition_table[k]);
        return;
    case gsid::kProcessTable:
        be_store(out, 8, g.process_table[0]);
        be_store(out + 8, 8, g.process_table[1]);
        return;
    case gsid::kRunInput:
    case gsid::kRunOutput: {
        const uint64_t *b = e.id == gsid::kRunInput ? v->run_in : v->run_out;
        be_store(out, 8, b[0]);
        be_store(out + 8, 8, b[1]);
        return;
    }
    default: break;
    }
    if (e.info->target == Target::Vsr) {
        const auto &r = v->st.vsr[e.id - e.info->first];
        be_store(out, 8, r[0]);
        be_store(out + 8, 8, r[1]);
        return;
    }
    const uint64_t val = e.info->scope == Scope::Vcpu ? vcpu_value(*v, e) : guest_value(l0, g, e.id);
    be_store(out, e.len, val);
}

void write_element(L2Guest &g, L2Vcpu *v, const Element &e, const uint8_t *in) {
    switch (e.id) {
    case gsid::kLogicalPvr: g.lpvr = uint32_t(be_load(in, 4)); return;
    case gsid::kTbOffset: g.tb_offset = be_load(in, 8); return;
    case gsid::kPartitionTable:
        for (int k = 0; k < 3; ++k)
            g.partition_table[k] = be_load(in + 8 * k, 8);
        return;
    case gsid::kProcessTable:
        g.process_table[0] = be_load(in, 8);
        g.process_table[1] = be_load(in + 8, 8);
        return;
    case gsid::kRunInput:
    case gsid::kRunOutput: {
        uint64_t *b = e.id == gsid::kRunInput ? v->run_in : v->run_out;
        b[0] = be_load(in, 8);
        b[1] = be_load(in + 8, 8);
        return;
    }
    case gsid::kVpa: v->vpa = be_load(in, 8); return;
    default: break;
    }
    CpuState &st = v->st;
    const ElementInfo &i = *e.info;
    if (i.target == Target::Vsr) {
        auto &r = st.vsr[e.id - i.first];
        r[0] = be_load(in, 8);
        r[1] = be_load(in + 8, 8);
        return;
    }
    const uint64_t val = be_load(in, e.len);
    switch (i.target) {
    case Target::Gpr: st.gpr[e.id - i.first + i.index] = val; break;
    case Target::Spr: st.spr[i.index] = val; break;
    case Target::Nia: st.nip = val; break;
    case Target::Msr: st.msr = val; break;
    case Target::Lr: st.lr = val; break;
    case Target::Ctr: st.ctr = val; break;
    case Target::Xer: st.set_xer(val); break;
    case Target::Cr: st.cr = uint32_t(val); break;
    case Target::Fpscr: st.fpscr = val; break;
    case Target::Vscr: st.vscr = uint32_t(val) & (vscr::NJ | vscr::SAT); break;
    case Target::DecExpiry: v->dec_expiry = val; break;
    case Target::HdecExpiry: v->hdec_expiry = val; break;
    default: break;
    }
}

} // namespace phv::nested
