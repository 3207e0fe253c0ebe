// The nestedv2 hcalls (kvm-nested.rst "HCALL Details"), checked as documented and answered with the
// documented codes. QEMU 10's L0 (hw/ppc/spapr_nested.c) is the behavioural reference where the document
// is silent; where phv differs, nested/README.md says so.
#include "nested/l0.h"

#include <bit>
#include <cerrno>
#include <cstring>

#include "nested/gsb.h"
#include "nested/run.h"
#include "nested/state.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace phv::nested {

using isa::Flow;

namespace {

constexpr uint64_t kGuestWide = 1ull << 63, kHostWide = 1ull << 62;   // GET/SET_STATE flags (IBM bits 0, 1)
constexpr uint64_t kDeleteAll = 1ull << 63;                            // H_GUEST_DELETE flag
constexpr uint64_t kMaxStateBuffer = 1ull << 24;                       // GET/SET buffers the L0 copies

// PAPR's H_UNSUPPORTED_FLAG range: -256 - n for the first unsupported flag, IBM bit n.
int64_t unsupported_flag(uint64_t flags) { return hret::kUnsupportedFlag - std::countl_zero(flags); }

// The logical PVR an L2 of each negotiated mode runs as, and the capability it needs.
struct Mode {
    uint64_t cap;
    uint32_t lpvr;
};
constexpr Mode kModes[] = {{cap::kPower10, 0x0f000006}, {cap::kPower9, 0x0f000005}};

} // namespace

int L0::enable(Api api) {
    std::lock_guard g(lock_);
    if (api != Api::None && vm_.model().isa < isa::Isa::V300)
        return -EINVAL;       // both APIs need radix partitions: POWER9 and later
    if (api == api_)
        return 0;
    if (!guests_.empty())
        return -EBUSY;
    api_ = api;
    caps_set_ = false;
    caps_ = 0;
    ptcr_ = 0;
    v1_guests_.clear();
    return 0;
}

int L0::snapshot(phv_nested_info &info) {
    std::lock_guard g(lock_);
    size_t nv = 0;
    for (const auto &[id, guest] : guests_)
        nv += guest->vcpus.size();
    for (const auto &[lpid, guest] : v1_guests_)
        nv += guest.size();
    const size_t ng = guests_.size() + v1_guests_.size();
    if (ng > info.nr_guests || nv > info.nr_vcpus || (ng && !info.guests) || (nv && !info.vcpus)) {
        info.nr_guests = uint32_t(ng);
        info.nr_vcpus = uint32_t(nv);
        return -E2BIG;
    }
    uint32_t gi = 0, vi = 0;
    auto put_vcpu = [&](uint32_t id, bool running, const L2Counters &k) {
        phv_nested_vcpu &o = info.vcpus[vi++];
        o = {};
        o.vcpu_id = id;
        o.state = running ? PHV_NESTED_VCPU_RUNNING : PHV_NESTED_VCPU_IDLE;
        o.runs = k.runs;
        std::memcpy(o.exits, k.exits, sizeof o.exits);
        o.l1_to_l2_tb = k.l1_to_l2_tb;
        o.l2_runtime_tb = k.l2_runtime_tb;
        o.l2_to_l1_tb = k.l2_to_l1_tb;
    };
    auto put_guest = [&](uint64_t id, uint32_t api, uint32_t lpvr, size_t n) {
        phv_nested_guest &o = info.guests[gi++];
        o = {};
        o.id = uint32_t(id);
        o.api = api;
        o.first_vcpu = vi;
        o.nr_vcpus = uint32_t(n);
        o.logical_pvr = lpvr;
    };
    // Only one API is enabled at a time and enabling the other drops what the first made, so the two
    // id spaces never mix in one list.
    for (const auto &[id, guest] : guests_) {
        put_guest(id, PHV_NESTED_V2, guest->lpvr, guest->vcpus.size());
        for (const auto &[vid, v] : guest->vcpus)
            put_vcpu(vid, v->running, v->counters);
    }
    for (const auto &[lpid, guest] : v1_guests_) {
        put_guest(lpid, PHV_NESTED_V1, 0, guest.size());
        for (const auto &[token, v] : guest)
            put_vcpu(token, v.running > 0, v.counters);
    }
    info.nr_guests = gi;
    info.nr_vcpus = vi;
    return 0;
}

uint64_t L0::offered_caps() const {
    uint64_t c = cap::kPower9;
    if (vm_.model().isa >= isa::Isa::V310)
        c |= cap::kPower10;
    return c;
}

uint64_t L0::heap_in_use() const { return guests_.size() * sizeof(L2Guest) + l2_vcpus_ * sizeof(L2Vcpu); }
uint64_t L0::heap_max() const { return kMaxGuestId * sizeof(L2Guest) + kMaxL2Vcpus * sizeof(L2Vcpu); }

int64_t L0::get_capabilities(Vcpu &l1) {
    if (l1.st_.gpr[4])
        return hret::kParameter;
    l1.st_.gpr[4] = offered_caps();
    return hret::kSuccess;
}

int64_t L0::set_capabilities(Vcpu &l1) {
    auto &r = l1.st_.gpr;
    const uint64_t flags = r[4], caps = r[5];
    if (flags)
        return hret::kParameter;
    // R4 = how many bitmaps are wrong, R5 = which (bitmap 1 is the only one).
    if (!caps || (caps & ~offered_caps())) {
        r[4] = 1;
        r[5] = 1;
        return hret::kP2;
    }
    // A kexec'd L1 negotiates again; a change under existing L2s is refused.
    if (caps_set_ && caps != caps_ && !guests_.empty())
        return hret::kState;
    caps_ = caps;
    caps_set_ = true;
    return hret::kSuccess;
}

int64_t L0::create(Vcpu &l1) {
    auto &r = l1.st_.gpr;
    const uint64_t flags = r[4], token = r[5];
    if (flags)
        return unsupported_flag(flags);
    if (token != ~0ull)
        return hret::kP2;   // phv never answers H_BUSY, so there is no continuation to resume
    if (!caps_set_)
        return hret::kState;
    uint64_t id = 1;
    for (const auto &[gid, g] : guests_) {
        if (gid != id)
            break;
        ++id;
    }
    if (id > kMaxGuestId)
        return hret::kNotEnoughResources;
    auto guest = std::make_unique<L2Guest>();
    guest->generation = ++generation_;
    for (const Mode &m : kModes)
        if (caps_ & m.cap) {
            guest->lpvr = m.lpvr;
            break;
        }
    guests_.emplace(id, std::move(guest));
    r[4] = id;
    return hret::kSuccess;
}

int64_t L0::create_vcpu(Vcpu &l1) {
    auto &r = l1.st_.gpr;
    const uint64_t flags = r[4], gid = r[5], vid = r[6];
    if (flags)
        return unsupported_flag(flags);
    auto it = guests_.find(gid);
    if (it == guests_.end())
        return hret::kP2;
    if (vid > kMaxVcpuId)
        return hret::kP3;
    auto &vcpus = it->second->vcpus;
    if (vcpus.count(uint32_t(vid)))
        return hret::kInUse;
    if (l2_vcpus_ >= kMaxL2Vcpus)
        return hret::kNotEnoughResources;
    auto v = std::make_unique<L2Vcpu>();
    // A thread as the L1 finds it before setting anything: 64-bit, machine checks on, translation off, the
    // partition's PVR, and the facilities KVM gives its guests.
    v->st.msr = msr::SF | msr::ME;
    v->st.spr[spr::PVR] = vm_.model().pvr;
    v->st.spr[spr::PIR] = uint32_t(vid);
    v->st.spr[spr::AMOR] = ~0ull;
    v->st.spr[spr::HFSCR] = l1.st_.spr[spr::HFSCR];
    vcpus.emplace(uint32_t(vid), std::move(v));
    ++l2_vcpus_;
    return hret::kSuccess;
}

int64_t L0::get_set_state(Vcpu &l1, bool set) {
    auto &r = l1.st_.gpr;
    const uint64_t flags = r[4], gid = r[5], vid = r[6], addr = r[7], size = r[8];
    const uint64_t allowed = set ? kGuestWide : kGuestWide | kHostWide;
    if ((flags & ~allowed) || (flags & kGuestWide && flags & kHostWide))
        return hret::kParameter;
    const Scope scope = flags & kHostWide ? Scope::Host : flags & kGuestWide ? Scope::Guest : Scope::Vcpu;
    L2Guest *g = nullptr;
    L2Vcpu *v = nullptr;
    if (scope != Scope::Host) {
        auto it = guests_.find(gid);
        if (it == guests_.end())
            return hret::kP2;
        g = it->second.get();
        if (scope == Scope::Vcpu) {
            auto vit = vid <= kMaxVcpuId ? g->vcpus.find(uint32_t(vid)) : g->vcpus.end();
            if (vit == g->vcpus.end())
                return hret::kP3;
            v = vit->second.get();
            if (v->running)
                return hret::kBusy;   // another L1 vcpu runs it: the L1's wrappers retry
        }
    }
    if (size < 4 || size > kMaxStateBuffer)
        return hret::kP5;
    Memslot *slot = nullptr;
    uint8_t *host = l1.ram(addr, size, !set, &slot);
    if (!host)
        return hret::kP4;
    // Parse a private copy: another L1 vcpu may write the buffer meanwhile, and what is applied must be
    // what was checked.
    std::vector<uint8_t> buf(host, host + size);
    std::vector<Element> els;
    const ParseStatus ps = parse_gsb(buf, set ? Use::Set : Use::Get, scope, els);
    if (!ps.ok()) {
        r[4] = ps.index;
        return ps.rc;
    }
    if (!set) {
        const L2Guest none{};   // host-wide elements belong to no guest
        for (const Element &e : els)
            read_element(*this, g ? *g : none, v, e, buf.data() + e.offset + 4);
        std::memcpy(host, buf.data(), size);
        l1.note_store(slot, addr, size);
        return hret::kSuccess;
    }
    // Checks that depend on the L0's state, all before anything changes.
    uint64_t in[2] = {v ? v->run_in[0] : 0, v ? v->run_in[1] : 0};
    uint64_t out[2] = {v ? v->run_out[0] : 0, v ? v->run_out[1] : 0};
    for (uint32_t i = 0; i < els.size(); ++i) {
        const Element &e = els[i];
        const uint8_t *val = buf.data() + e.offset + 4;
        bool ok = true;
        if (e.id == gsid::kLogicalPvr) {
            ok = false;
            for (const Mode &m : kModes)
                ok |= (caps_ & m.cap) && be_load(val, 4) == m.lpvr;
        } else if (e.id == gsid::kRunInput || e.id == gsid::kRunOutput) {
            uint64_t *mine = e.id == gsid::kRunInput ? in : out, *other = e.id == gsid::kRunInput ? out : in;
            mine[0] = be_load(val, 8);
            mine[1] = be_load(val + 8, 8);
            // The L0 reads one while it writes the other: they must not share a byte.
            ok = !other[1] || mine[0] + mine[1] <= other[0] || other[0] + other[1] <= mine[0];
        }
        if (!ok) {
            // The index among all elements, NOPs included: find it again from the offset.
            uint32_t index = 0;
            for (size_t pos = 4; pos < e.offset; ++index)
                pos += 4 + be_load(buf.data() + pos + 2, 2);
            r[4] = index;
            return hret::kInvalidElementValue;
        }
    }
    for (const Element &e : els) {
        write_element(*g, v, e, buf.data() + e.offset + 4);
        if (e.id == gsid::kPartitionTable || e.id == gsid::kProcessTable)
            g->generation = ++generation_;
    }
    return hret::kSuccess;
}

int64_t L0::del(Vcpu &l1) {
    auto &r = l1.st_.gpr;
    const uint64_t flags = r[4], gid = r[5];
    if (flags & ~kDeleteAll)
        return unsupported_flag(flags & ~kDeleteAll);
    auto busy = [](const L2Guest &g) {
        for (const auto &[id, v] : g.vcpus)
            if (v->running)
                return true;
        return false;
    };
    if (flags & kDeleteAll) {
        for (const auto &[id, g] : guests_)
            if (busy(*g))
                return hret::kBusy;
        guests_.clear();
        l2_vcpus_ = 0;
        return hret::kSuccess;
    }
    auto it = guests_.find(gid);
    if (it == guests_.end())
        return hret::kP2;
    if (busy(*it->second))
        return hret::kBusy;
    l2_vcpus_ -= it->second->vcpus.size();
    guests_.erase(it);
    return hret::kSuccess;
}

Flow L0::hcall(Vcpu &l1) {
    auto &r = l1.st_.gpr;
    const uint64_t nr = r[3];
    int64_t ret;
    if (api_ == Api::V1 && nr >= hcall::kSetPartitionTable) {
        switch (nr) {
        case hcall::kSetPartitionTable: return set_partition_table(l1);
        case hcall::kEnterNested: return enter_nested(l1);
        case hcall::kTlbInvalidate: return tlb_invalidate(l1);
        default: return copy_tofrom_guest(l1);
        }
    }
    if (api_ != Api::V2 || nr > hcall::kGuestDelete) {
        // Nesting not enabled for this partition (or the other API is): as KVM, the hcall does not exist.
        ret = hret::kFunction;
    } else if (nr == hcall::kGuestRunVcpu) {
        return run_vcpu(l1);
    } else {
        std::lock_guard g(lock_);
        switch (nr) {
        case hcall::kGuestGetCapabilities: ret = get_capabilities(l1); break;
        case hcall::kGuestSetCapabilities: ret = set_capabilities(l1); break;
        case hcall::kGuestCreate: ret = create(l1); break;
        case hcall::kGuestCreateVcpu: ret = create_vcpu(l1); break;
        case hcall::kGuestGetState: ret = get_set_state(l1, false); break;
        case hcall::kGuestSetState: ret = get_set_state(l1, true); break;
        case hcall::kGuestDelete: ret = del(l1); break;
        // H_GUEST_COPY_MEMORY belongs to the COPY_MEM capability, which phv does not offer.
        default: ret = hret::kFunction; break;
        }
    }
    r[3] = uint64_t(ret);
    l1.st_.nip = l1.mask_ea(l1.st_.nip + 4);
    return Flow::Jump;
}

} // namespace phv::nested
