// The nested L0's state out of and back into the core (nested/migrate.h). The import is built on the side
// and checked whole before it replaces anything, so a refused blob costs the running L1 nothing.
#include "nested/migrate.h"

#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

#include "nested/gsb.h"
#include "nested/l0.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv::nested {

namespace {

constexpr char kMagic[8] = {'p', 'h', 'v', 'n', 'e', 's', 't', 0};
constexpr uint32_t kRecordHeader = 8;
constexpr uint32_t kCountersSize = 8 * (1 + PHV_NESTED_EXIT_NR + 3);
constexpr uint32_t kV1VcpuSize = 8 + kCountersSize;
constexpr uint32_t kV2GuestSize = 8 + 8 + 24 + 16;
// guest, vcpu; dec/hdec expiry, run_in, run_out, vpa; counters; GPRs; NIA MSR LR CTR XER FPSCR; CR VSCR;
// VSRs; the SPR count and a pad word; then 16 bytes per SPR.
constexpr uint32_t kV2VcpuFixed = 8 + 7 * 8 + kCountersSize + 32 * 8 + 6 * 8 + 8 + 64 * 16 + 8;

// Bits an L2's state can hold (what SET lets the L1 give and what a run leaves): the L2 never runs in
// hypervisor or secure state, and its LPCR is only the bits the L1 chooses (gsb_table.cpp's masks).
constexpr uint64_t kMsrL0Bits = msr::HV | msr::S;
constexpr uint64_t kL2LpcrBits = (7ull << (63 - 11)) | (1ull << (63 - 38)) | (3ull << (63 - 40)) |
                                 (1ull << (63 - 46)) | (1ull << (63 - 52)) | (1ull << (63 - 53));

class Writer {
public:
    std::vector<uint8_t> b;
    void u16(uint16_t v) { put(v, 2); }
    void u32(uint32_t v) { put(v, 4); }
    void u64(uint64_t v) { put(v, 8); }
    // The bytes of a field appended at once: a blob is tens of kilobytes of them, pushed one by one before.
    void put(uint64_t v, unsigned n) {
        uint8_t le[8];
        for (unsigned i = 0; i < 8; ++i)
            le[i] = uint8_t(v >> (8 * i));
        b.insert(b.end(), le, le + n);
    }
    // Starts a record; end() fills in its length and pads it.
    size_t begin(uint16_t tag) {
        u16(tag);
        u16(0);
        u32(0);
        ++records;
        return b.size();
    }
    void end(size_t start) {
        const uint32_t len = uint32_t(b.size() - start);
        for (unsigned i = 0; i < 4; ++i)
            b[start - 4 + i] = uint8_t(len >> (8 * i));
        while (b.size() % 8)
            b.push_back(0);
    }
    void counters(const L2Counters &k) {
        u64(k.runs);
        for (uint64_t e : k.exits)
            u64(e);
        u64(k.l1_to_l2_tb);
        u64(k.l2_runtime_tb);
        u64(k.l2_to_l1_tb);
    }
    uint32_t records = 0;
};

class Reader {
public:
    Reader(const uint8_t *p, uint32_t n) : p_(p), n_(n) {}
    // Every record's length is checked against its fields before they are read; a read past the end is
    // still never made (it gives 0 and is remembered), so a mistake there is a refusal, not an overread.
    uint64_t get(unsigned n) {
        if (n > n_ - pos_) {
            overrun_ = true;
            pos_ = n_;
            return 0;
        }
        uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i)
            v |= uint64_t(p_[pos_ + i]) << (8 * i);
        pos_ += n;
        return v;
    }
    uint16_t u16() { return uint16_t(get(2)); }
    uint32_t u32() { return uint32_t(get(4)); }
    uint64_t u64() { return get(8); }
    L2Counters counters() {
        L2Counters k;
        k.runs = u64();
        for (uint64_t &e : k.exits)
            e = u64();
        k.l1_to_l2_tb = u64();
        k.l2_runtime_tb = u64();
        k.l2_to_l1_tb = u64();
        return k;
    }
    uint32_t pos() const { return pos_; }
    bool overrun() const { return overrun_; }

private:
    const uint8_t *p_;
    uint32_t n_;
    uint32_t pos_ = 0;
    bool overrun_ = false;
};

bool counters_ok(const L2Counters &k) {
    uint64_t exits = 0;
    for (uint64_t e : k.exits)
        exits += e;
    return exits <= k.runs;   // every exit ended a counted run (and no run is under way at a save)
}

bool run_buffer_ok(const uint64_t b[2]) {
    if (!b[0] && !b[1])
        return true;   // never registered
    uint8_t v[16];
    be_store(v, 8, b[0]);
    be_store(v + 8, 8, b[1]);
    return element_info(gsid::kRunInput)->valid(v, 16);
}

bool table_ok(uint16_t id, const uint64_t *t, unsigned n) {
    uint8_t v[24];
    for (unsigned k = 0; k < n; ++k)
        be_store(v + 8 * k, 8, t[k]);
    return element_info(id)->valid(v, uint16_t(8 * n));
}

// What the import builds before it replaces the L0's state.
struct Staged {
    bool caps_set = false;
    uint64_t caps = 0;
    std::map<uint64_t, std::unique_ptr<L2Guest>> guests;
    uint64_t l2_vcpus = 0;
    uint64_t ptcr = 0;
    std::map<uint64_t, V1Guest> v1_guests;
};

} // namespace

int L0::export_state(std::vector<uint8_t> &out) {
    std::lock_guard g(lock_);
    out.clear();
    const bool empty = api_ == Api::None || (api_ == Api::V1 && !ptcr_ && v1_guests_.empty()) ||
                       (api_ == Api::V2 && !caps_set_ && guests_.empty());
    if (empty)
        return 0;
    for (const auto &[id, guest] : guests_)
        for (const auto &[vid, v] : guest->vcpus)
            if (v->running)
                return -EBUSY;   // its state is on an L1 vcpu inside phv_vcpu_run(): stop the vcpus first

    Writer w;
    w.b.insert(w.b.end(), kMagic, kMagic + 8);
    w.u32(blob::kVersion);
    w.u32(uint32_t(api_));
    w.u32(0);   // total size and record count, filled in below
    w.u32(0);
    if (api_ == Api::V1) {
        size_t r = w.begin(blob::kV1Ptcr);
        w.u64(ptcr_);
        w.end(r);
        for (const auto &[lpid, guest] : v1_guests_)
            for (const auto &[token, v] : guest) {
                r = w.begin(blob::kV1Vcpu);
                w.u32(uint32_t(lpid));
                w.u32(token);
                w.counters(v.counters);
                w.end(r);
            }
    } else {
        size_t r = w.begin(blob::kV2Caps);
        w.u64(caps_);
        w.end(r);
        for (const auto &[id, guest] : guests_) {
            r = w.begin(blob::kV2Guest);
            w.u32(uint32_t(id));
            w.u32(guest->lpvr);
            w.u64(guest->tb_offset);
            for (uint64_t t : guest->partition_table)
                w.u64(t);
            for (uint64_t t : guest->process_table)
                w.u64(t);
            w.end(r);
        }
        for (const auto &[id, guest] : guests_)
            for (const auto &[vid, v] : guest->vcpus) {
                const CpuState &s = v->st;
                r = w.begin(blob::kV2Vcpu);
                w.u32(uint32_t(id));
                w.u32(vid);
                w.u64(v->dec_expiry);
                w.u64(v->hdec_expiry);
                w.u64(v->run_in[0]);
                w.u64(v->run_in[1]);
                w.u64(v->run_out[0]);
                w.u64(v->run_out[1]);
                w.u64(v->vpa);
                w.counters(v->counters);
                for (uint64_t x : s.gpr)
                    w.u64(x);
                w.u64(s.nip);
                w.u64(s.msr);
                w.u64(s.lr);
                w.u64(s.ctr);
                w.u64(s.get_xer());
                w.u64(s.fpscr);
                w.u32(s.cr);
                w.u32(s.vscr);
                for (const auto &x : s.vsr) {
                    w.u64(x[0]);
                    w.u64(x[1]);
                }
                // Every SPR that is not 0, by number: the L2 thread's SPRs are whatever the L1 set and the
                // L2 itself wrote, more than the element table names. The load reservation is not kept: a
                // stcx. after the move fails, as it may after any interrupt.
                uint32_t n = 0;
                for (uint64_t x : s.spr)
                    n += x != 0;
                w.u32(n);
                w.u32(0);
                for (unsigned k = 0; k < s.spr.size(); ++k)
                    if (s.spr[k]) {
                        w.u32(k);
                        w.u32(0);
                        w.u64(s.spr[k]);
                    }
                w.end(r);
            }
    }
    const uint32_t size = uint32_t(w.b.size());
    for (unsigned i = 0; i < 4; ++i) {
        w.b[16 + i] = uint8_t(size >> (8 * i));
        w.b[20 + i] = uint8_t(w.records >> (8 * i));
    }
    out = std::move(w.b);
    return 0;
}

int L0::import_state(std::span<const uint8_t> in, BlobError &err) {
    auto refuse = [&](uint32_t off, const char *why) {
        err = {off, why};
        return -EINVAL;
    };
    Staged st;
    if (!in.empty()) {
        if (in.size() < blob::kHeaderSize)
            return refuse(0, "shorter than the 24-byte header");
        if (in.size() > UINT32_MAX)
            return refuse(0, "larger than 4 GiB");
        const uint32_t size = uint32_t(in.size());
        Reader h(in.data(), size);
        if (std::memcmp(in.data(), kMagic, 8))
            return refuse(0, "not a phv nested state (magic)");
        h.get(8);
        if (h.u32() != blob::kVersion)
            return refuse(8, "unknown version (this core reads version 1)");
        const uint32_t api = h.u32();
        if (api != uint32_t(Api::V1) && api != uint32_t(Api::V2))
            return refuse(12, "unknown nested API");
        if (Api(api) != api_)
            return refuse(12, api_ == Api::None ? "the VM has no nested API enabled (cap-nested-hv/papr off)"
                                                 : "the nested API differs from the one this VM enabled");
        if (h.u32() != size)
            return refuse(16, "total size differs from the blob's length");
        const uint32_t count = h.u32();
        uint32_t seen = 0;
        const uint64_t offered = offered_caps();
        std::set<std::pair<uint64_t, uint32_t>> v1_seen;
        // Records come in the order export writes them (nestedv1 by LPID and token; nestedv2 every guest by
        // id, then every vcpu by guest and id), so an accepted blob is exactly what a save of it gives back.
        std::pair<uint64_t, uint64_t> last_v1{0, 0}, last_vcpu{0, 0};
        uint64_t last_guest = 0;
        bool v1_any = false, vcpu_any = false;
        for (uint32_t pos = blob::kHeaderSize; pos < size; ++seen) {
            if (size - pos < kRecordHeader)
                return refuse(pos, "record header runs past the end");
            Reader rh(in.data() + pos, kRecordHeader);
            const uint16_t tag = rh.u16(), flags = rh.u16();
            const uint32_t len = rh.u32();
            const uint32_t body = pos + kRecordHeader;
            if (flags)
                return refuse(pos, "record flags not 0");
            if (len > size - body)
                return refuse(pos, "record runs past the end");
            const uint32_t next = body + ((len + 7) & ~7u);
            if (next > size)
                return refuse(pos, "record padding runs past the end");
            for (uint32_t k = body + len; k < next; ++k)
                if (in[k])
                    return refuse(k, "record padding not 0");
            Reader r(in.data() + body, len);
            const bool v1 = api_ == Api::V1;
            switch (tag) {
            case blob::kV1Ptcr: {
                if (!v1)
                    return refuse(pos, "a nestedv1 record in a nestedv2 blob");
                if (len != 8)
                    return refuse(pos, "PTCR record: length not 8");
                if (seen != 0)
                    return refuse(pos, "PTCR record not first");
                const uint64_t ptcr = r.u64();
                // The table H_SET_PARTITION_TABLE takes: base bits 4:51, PATS at most 4 (4096 entries).
                if (!ptcr)
                    return refuse(body, "PTCR 0 (an L0 without a table saves an empty blob)");
                if (ptcr & ~0x0ffffffffffff01full || (ptcr & 0x1f) > 4)
                    return refuse(body, "PTCR with reserved bits or more than 4096 entries");
                st.ptcr = ptcr;
                break;
            }
            case blob::kV1Vcpu: {
                if (!v1)
                    return refuse(pos, "a nestedv1 record in a nestedv2 blob");
                if (len != kV1VcpuSize)
                    return refuse(pos, "nestedv1 vcpu record: wrong length");
                if (!st.ptcr)
                    return refuse(pos, "nestedv1 vcpu without a partition table");
                const uint32_t lpid = r.u32(), token = r.u32();
                if (!lpid || lpid >= (16ull << (st.ptcr & 0x1f)) * 16)
                    return refuse(body, "nestedv1 LPID 0 or past the partition table");
                if (token > kMaxVcpuId)
                    return refuse(body + 4, "nestedv1 vcpu_token above 2047");
                if (!v1_seen.insert({lpid, token}).second)
                    return refuse(pos, "nestedv1 (LPID, vcpu_token) twice");
                if (v1_any && std::pair<uint64_t, uint64_t>{lpid, token} < last_v1)
                    return refuse(pos, "nestedv1 vcpu records not in (LPID, vcpu_token) order");
                last_v1 = {lpid, token};
                v1_any = true;
                V1Vcpu v;
                v.counters = r.counters();
                if (!counters_ok(v.counters))
                    return refuse(body + 8, "counters: more exits than runs");
                st.v1_guests[lpid][token] = v;
                break;
            }
            case blob::kV2Caps: {
                if (v1)
                    return refuse(pos, "a nestedv2 record in a nestedv1 blob");
                if (len != 8)
                    return refuse(pos, "capabilities record: length not 8");
                if (seen != 0)
                    return refuse(pos, "capabilities record not first");
                const uint64_t caps = r.u64();
                if (!caps || (caps & ~offered))
                    return refuse(body, "capabilities this VM's CPU does not offer");
                st.caps_set = true;
                st.caps = caps;
                break;
            }
            case blob::kV2Guest: {
                if (v1)
                    return refuse(pos, "a nestedv2 record in a nestedv1 blob");
                if (len != kV2GuestSize)
                    return refuse(pos, "guest record: wrong length");
                if (!st.caps_set)
                    return refuse(pos, "guest before the capabilities");
                auto g = std::make_unique<L2Guest>();
                const uint32_t id = r.u32();
                g->lpvr = r.u32();
                g->tb_offset = r.u64();
                for (uint64_t &t : g->partition_table)
                    t = r.u64();
                for (uint64_t &t : g->process_table)
                    t = r.u64();
                if (!id || id > kMaxGuestId)
                    return refuse(body, "guest id outside 1..4095");
                if (st.guests.count(id))
                    return refuse(body, "guest id twice");
                if (id < last_guest || vcpu_any)
                    return refuse(pos, "guest records not in id order before the vcpus");
                last_guest = id;
                if (!((st.caps & cap::kPower10 && g->lpvr == 0x0f000006) ||
                      (st.caps & cap::kPower9 && g->lpvr == 0x0f000005)))
                    return refuse(body + 4, "logical PVR of a mode not negotiated");
                if (!table_ok(gsid::kPartitionTable, g->partition_table, 3))
                    return refuse(body + 16, "partition table the L0 would refuse");
                if (!table_ok(gsid::kProcessTable, g->process_table, 2))
                    return refuse(body + 40, "process table the L0 would refuse");
                st.guests.emplace(id, std::move(g));
                break;
            }
            case blob::kV2Vcpu: {
                if (v1)
                    return refuse(pos, "a nestedv2 record in a nestedv1 blob");
                if (len < kV2VcpuFixed)
                    return refuse(pos, "vcpu record: shorter than its fixed part");
                const uint32_t gid = r.u32(), vid = r.u32();
                auto git = st.guests.find(gid);
                if (git == st.guests.end())
                    return refuse(body, "vcpu of a guest not (yet) in the blob");
                if (vid > kMaxVcpuId)
                    return refuse(body + 4, "vcpu id above 2047");
                if (git->second->vcpus.count(vid))
                    return refuse(body + 4, "vcpu id twice in one guest");
                if (vcpu_any && std::pair<uint64_t, uint64_t>{gid, vid} < last_vcpu)
                    return refuse(pos, "vcpu records not in (guest, vcpu) order");
                last_vcpu = {gid, vid};
                vcpu_any = true;
                if (st.l2_vcpus >= kMaxL2Vcpus)
                    return refuse(pos, "more L2 vcpus than the L0 allows");
                auto v = std::make_unique<L2Vcpu>();
                v->dec_expiry = r.u64();
                v->hdec_expiry = r.u64();
                v->run_in[0] = r.u64();
                v->run_in[1] = r.u64();
                v->run_out[0] = r.u64();
                v->run_out[1] = r.u64();
                v->vpa = r.u64();
                if (!run_buffer_ok(v->run_in))
                    return refuse(body + 24, "run input buffer the L0 would refuse");
                if (!run_buffer_ok(v->run_out))
                    return refuse(body + 40, "run output buffer the L0 would refuse");
                if (v->run_in[1] && v->run_out[1] && v->run_in[0] + v->run_in[1] > v->run_out[0] &&
                    v->run_out[0] + v->run_out[1] > v->run_in[0])
                    return refuse(body + 24, "run input and output buffers overlap");
                if (v->vpa & 127)
                    return refuse(body + 56, "VPA not 128-byte aligned");
                v->counters = r.counters();
                if (!counters_ok(v->counters))
                    return refuse(body + 64, "counters: more exits than runs");
                CpuState &s = v->st;
                for (uint64_t &x : s.gpr)
                    x = r.u64();
                s.nip = r.u64();
                const uint32_t msr_at = body + r.pos();
                s.msr = r.u64();
                if (s.msr & kMsrL0Bits)
                    return refuse(msr_at, "L2 MSR with HV or S set");
                s.lr = r.u64();
                s.ctr = r.u64();
                const uint64_t xer = r.u64();
                if (xer & ~xer::kBits)
                    return refuse(msr_at + 24, "XER bits that do not exist");
                s.set_xer(xer);
                s.fpscr = r.u64();
                s.cr = r.u32();
                s.vscr = r.u32();
                if (s.vscr & ~(vscr::NJ | vscr::SAT))
                    return refuse(msr_at + 44, "VSCR bits other than NJ and SAT");
                for (auto &x : s.vsr) {
                    x[0] = r.u64();
                    x[1] = r.u64();
                }
                const uint32_t nspr_at = body + r.pos();
                const uint32_t nspr = r.u32();
                if (r.u32())
                    return refuse(nspr_at + 4, "pad word not 0");
                if (nspr > s.spr.size() || len != kV2VcpuFixed + 16 * nspr)
                    return refuse(nspr_at, "SPR count does not match the record's length");
                int last = -1;
                for (uint32_t k = 0; k < nspr; ++k) {
                    const uint32_t at = body + r.pos();
                    const uint32_t n = r.u32();
                    const uint32_t pad = r.u32();
                    const uint64_t val = r.u64();
                    if (pad)
                        return refuse(at + 4, "pad word not 0");
                    if (n >= s.spr.size() || int(n) <= last)
                        return refuse(at, "SPR numbers not ascending below 1024");
                    if (!val)
                        return refuse(at + 8, "an SPR of value 0 (those are left out)");
                    if (n == spr::LPCR && (val & ~kL2LpcrBits))
                        return refuse(at + 8, "L2 LPCR with bits the L0 owns");
                    last = int(n);
                    s.spr[n] = val;
                }
                git->second->vcpus.emplace(vid, std::move(v));
                ++st.l2_vcpus;
                break;
            }
            default:
                return refuse(pos, "unknown record tag");
            }
            if (r.overrun())
                return refuse(pos, "record shorter than its fields");
            pos = next;
        }
        if (seen != count)
            return refuse(20, "record count differs from the records present");
        if (api_ == Api::V1 && !st.ptcr)
            return refuse(blob::kHeaderSize, "nestedv1 blob without its PTCR record");
        if (api_ == Api::V2 && !st.caps_set)
            return refuse(blob::kHeaderSize, "nestedv2 blob without its capabilities record");
    }

    // Nothing may be inside phv_vcpu_run(): an L1 vcpu could be switching to an L2 this replaces.
    bool busy = false;
    vm_.for_each_vcpu([&](Vcpu &c) { busy |= c.mmu_.running.load() || c.in_l2_; });
    if (busy) {
        err = {0, "a vcpu is running"};
        return -EBUSY;
    }
    std::lock_guard g(lock_);
    caps_set_ = st.caps_set;
    caps_ = st.caps;
    guests_ = std::move(st.guests);
    for (auto &[id, guest] : guests_)
        guest->generation = ++generation_;
    l2_vcpus_ = st.l2_vcpus;
    ptcr_ = st.ptcr;
    v1_guests_ = std::move(st.v1_guests);
    // Translations the vcpus kept for L2s belong to the state just replaced (and to the L1 memory the VMM
    // has just loaded, for nestedv1's, whose key is the partition-table entry alone).
    vm_.for_each_vcpu([](Vcpu &c) {
        for (auto &t : c.mmu_.l2_tlbs)
            if (t.tlb) {
                t.tlb->flush();
                t.lpid = 0;
            }
    });
    return 0;
}

} // namespace phv::nested
