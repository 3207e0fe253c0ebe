// libFuzzer target: the nested L0's migration blob (phv_vm_set_nested_state, nested/migrate.cpp). A source
// L1 (tests/fuzz/nested_l1_vm.h) builds real L0 state through the hcalls, with values from the input:
// nestedv1 a partition table and L2 runs under several (LPID, vcpu_token); nestedv2 capabilities, guests,
// vcpus and H_GUEST_SET_STATE elements of either scope. Its blob is loaded into a destination VM, and then
// the candidate: the input's raw bytes, or the real blob mutated (fields overwritten with edge values,
// records dropped, repeated or swapped, the blob cut or extended). What must hold besides "no crash, no
// sanitizer report, no leak" (the import builds its state on the side: a refusal must free all of it):
//   - the real blob is accepted and read back byte for byte;
//   - the candidate is refused with -EINVAL, an offset inside it and a reason, and the destination's blob
//     is still the real one; or it is accepted and read back byte for byte (the L0 holds exactly it).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "nested/gsb.h"
#include "nested/l0.h"
#include "nested_l1_vm.h"

namespace {

using phvfuzz::fail;
using namespace phv::nested;

constexpr uint64_t kRamSize = 2u << 20;
constexpr uint64_t kPatb = 0x10000, kRoot = 0x20000, kDirs = 0x30000, kHv = 0x40000, kRegs = 0x41000;
constexpr uint64_t kGsb = 0x50000, kL2Code = 0x1000;
constexpr uint64_t kV = 1ull << 63, kL = 1ull << 62;

phvfuzz::GuardedMemory &src_ram() {
    static phvfuzz::GuardedMemory m(kRamSize);
    return m;
}
phvfuzz::GuardedMemory &dst_ram() {
    static phvfuzz::GuardedMemory m(kRamSize);
    return m;
}

std::vector<uint8_t> get_state(phv_vm *vm) {
    uint64_t n = 0;
    int rc = phv_vm_get_nested_state(vm, nullptr, &n);
    if (rc != 0 && rc != -E2BIG)
        fail("phv_vm_get_nested_state (size)", uint64_t(-rc));
    std::vector<uint8_t> b(n);
    rc = phv_vm_get_nested_state(vm, b.data(), &n);
    if (rc != 0 || n != b.size())
        fail("phv_vm_get_nested_state", uint64_t(-rc), n);
    return b;
}

void le64(uint8_t *p, uint64_t v) { std::memcpy(p, &v, 8); }

// nestedv1: a partition table whose entries 1..3 map L2 real 0..2M onto the L1's RAM, an L2 that makes
// an hcall at once, and H_ENTER_NESTED under LPIDs and vcpu_tokens from the input.
void build_v1(FuzzedDataProvider &in, phvfuzz::NestedL1 &l1) {
    uint8_t *m = src_ram().data();
    const uint64_t pats = in.ConsumeIntegralInRange<uint64_t>(0, 4);
    for (uint64_t lpid = 1; lpid <= 8; ++lpid)
        be_store(m + kPatb + 16 * lpid, 8, (1ull << 63) | (1ull << 62) | (5ull << 5) | 13 | kRoot);
    be_store(m + kRoot, 8, kV | kDirs | 9);
    be_store(m + kDirs, 8, kV | (kDirs + 0x1000) | 9);
    be_store(m + kDirs + 0x1000, 8, kV | kL | 7);   // a 2M leaf: L2 real 0 = L1 real 0
    le64(m + kHv, 2);
    le64(m + kHv + 0x58, ~0ull);                     // no HDEC
    le64(m + kRegs + 0x100, kL2Code);
    le64(m + kRegs + 0x108, (1ull << 63) | 1);
    const uint32_t sc1 = 0x44000022;
    std::memcpy(m + kL2Code, &sc1, 4);
    if (l1.returned(hcall::kSetPartitionTable, {kPatb | pats}, 16) != hret::kSuccess)
        fail("H_SET_PARTITION_TABLE of a good table failed");
    for (unsigned n = in.ConsumeIntegralInRange<unsigned>(0, 6); n; --n) {
        const uint32_t lpid = in.ConsumeIntegralInRange<uint32_t>(1, 8), token = in.ConsumeIntegralInRange<uint32_t>(0, 2047);
        std::memcpy(m + kHv + 8, &lpid, 4);
        std::memcpy(m + kHv + 12, &token, 4);
        le64(m + kHv + 0x58, in.ConsumeBool() ? ~0ull : 0);   // an HDEC exit now and then
        for (unsigned k = in.ConsumeIntegralInRange<unsigned>(1, 3); k; --k) {
            le64(m + kRegs + 0x100, kL2Code);
            l1.hcall(hcall::kEnterNested, {kHv, kRegs}, 64);
        }
    }
}

// One element for H_GUEST_SET_STATE: a row of the table, often with a value the L0 takes.
void put_element(FuzzedDataProvider &in, GsbWriter &w, Scope scope) {
    const auto table = element_table();
    const ElementInfo *row = nullptr;
    for (int tries = 0; tries < 8 && !row; ++tries) {
        const ElementInfo &r = table[in.ConsumeIntegralInRange<size_t>(0, table.size() - 1)];
        if (r.scope == scope && !r.read_only && r.size)
            row = &r;
    }
    if (!row)
        return;
    const uint16_t id = uint16_t(row->first + in.ConsumeIntegralInRange<uint16_t>(0, uint16_t(row->last - row->first)));
    uint8_t v[64] = {};
    const uint16_t len = std::min<uint16_t>(row->size, sizeof v);
    switch (id) {
    case gsid::kLogicalPvr: be_store(v, 4, in.ConsumeBool() ? 0x0f000005 : 0x0f000006); break;
    case gsid::kPartitionTable:
        be_store(v, 8, in.ConsumeIntegralInRange<uint64_t>(0, kRamSize >> 16) << 16);
        be_store(v + 8, 8, 52);
        be_store(v + 16, 8, 1u << 16);
        break;
    case gsid::kProcessTable: {
        const unsigned shift = in.ConsumeIntegralInRange<unsigned>(12, 16);
        be_store(v, 8, in.ConsumeIntegralInRange<uint64_t>(0, kRamSize >> shift) << shift);
        be_store(v + 8, 8, 1ull << shift);
        break;
    }
    case gsid::kRunInput:
    case gsid::kRunOutput:
        be_store(v, 8, 0x60000 + in.ConsumeIntegralInRange<uint64_t>(0, 15) * 0x1000);
        be_store(v + 8, 8, 0x1000);
        break;
    case gsid::kVpa: be_store(v, 8, in.ConsumeIntegralInRange<uint64_t>(0, kRamSize / 128) * 128); break;
    default: {
        const auto bytes = in.ConsumeBytes<uint8_t>(len);
        if (!bytes.empty())
            std::memcpy(v, bytes.data(), bytes.size());
        if (len == 4 || len == 8)
            be_store(v, len, be_load(v, len) & row->mask);
    }
    }
    w.put(id, v, len);
}

// nestedv2: the capabilities, guests, their vcpus, and state set in them.
void build_v2(FuzzedDataProvider &in, phvfuzz::NestedL1 &l1) {
    const phvfuzz::NestedL1::Ret caps = l1.hcall(hcall::kGuestGetCapabilities, {0}, 16);
    if (caps.r3 != hret::kSuccess)
        fail("H_GUEST_GET_CAPABILITIES failed", uint64_t(caps.r3));
    const uint64_t want = in.ConsumeIntegralInRange<int>(0, 7) ? caps.r4 & (cap::kPower9 | cap::kPower10 |
                                                                             in.ConsumeIntegral<uint64_t>())
                                                                : in.ConsumeIntegral<uint64_t>();
    l1.hcall(hcall::kGuestSetCapabilities, {0, want}, 16);
    std::vector<uint64_t> guests;
    for (unsigned n = in.ConsumeIntegralInRange<unsigned>(0, 3); n; --n) {
        const phvfuzz::NestedL1::Ret g = l1.hcall(hcall::kGuestCreate, {0, ~0ull}, 16);
        if (g.r3 == hret::kSuccess)
            guests.push_back(g.r4);
    }
    for (unsigned n = guests.empty() ? 0 : in.ConsumeIntegralInRange<unsigned>(0, 8); n; --n) {
        const uint64_t gid = guests[in.ConsumeIntegralInRange<size_t>(0, guests.size() - 1)];
        const uint64_t vid = in.ConsumeIntegralInRange<uint64_t>(0, 3);
        l1.hcall(hcall::kGuestCreateVcpu, {0, gid, vid}, 16);
        const bool guest_wide = in.ConsumeIntegralInRange<int>(0, 3) == 0;
        GsbWriter w;
        for (unsigned k = in.ConsumeIntegralInRange<unsigned>(1, 6); k; --k)
            put_element(in, w, guest_wide ? Scope::Guest : Scope::Vcpu);
        std::vector<uint8_t> b = w.bytes();
        be_store(b.data(), 4, w.count());
        std::memcpy(src_ram().data() + kGsb, b.data(), b.size());
        l1.hcall(hcall::kGuestSetState, {guest_wide ? 1u : 0u, gid, vid, kGsb, b.size()}, 16);
    }
}

// The real blob with the input's changes.
std::vector<uint8_t> mutate(FuzzedDataProvider &in, std::vector<uint8_t> b) {
    static constexpr uint64_t kValues[] = {0, 1, 2, 3, 4, 5, 7, 8, 0xff, 0x1000, 0x7ff, 0x800, 0xfff, 0x1000,
                                           0xffffffff, 0x0f000005, 0x0f000006, ~0ull, 1ull << 63};
    // Record boundaries, for the structural changes.
    std::vector<std::pair<size_t, size_t>> recs;
    for (size_t pos = 24; pos + 8 <= b.size();) {
        uint32_t len;
        std::memcpy(&len, b.data() + pos + 4, 4);
        const size_t end = pos + 8 + ((size_t(len) + 7) & ~size_t(7));
        if (end > b.size())
            break;
        recs.push_back({pos, end});
        pos = end;
    }
    for (unsigned n = in.ConsumeIntegralInRange<unsigned>(1, 4); n && !b.empty(); --n) {
        switch (in.ConsumeIntegralInRange<int>(0, 6)) {
        case 0:
        case 1: {   // a field: u8/u16/u32/u64 at an aligned offset
            const unsigned width = 1u << in.ConsumeIntegralInRange<unsigned>(0, 3);
            if (b.size() < width)
                break;
            const size_t at = in.ConsumeIntegralInRange<size_t>(0, (b.size() - width) / width) * width;
            const uint64_t v = in.ConsumeBool() ? kValues[in.ConsumeIntegralInRange<size_t>(0, std::size(kValues) - 1)]
                                                : in.ConsumeIntegral<uint64_t>();
            std::memcpy(b.data() + at, &v, width);
            break;
        }
        case 2: b[in.ConsumeIntegralInRange<size_t>(0, b.size() - 1)] ^= uint8_t(1u << in.ConsumeIntegralInRange<int>(0, 7)); break;
        case 3: b.resize(in.ConsumeIntegralInRange<size_t>(0, b.size())); break;
        case 4: {   // a record repeated or dropped (the header's count and size maybe fixed up)
            if (recs.empty())
                break;
            const auto [s, e] = recs[in.ConsumeIntegralInRange<size_t>(0, recs.size() - 1)];
            if (e > b.size())
                break;
            if (in.ConsumeBool())
                b.insert(b.begin() + long(e), b.begin() + long(s), b.begin() + long(e));
            else
                b.erase(b.begin() + long(s), b.begin() + long(e));
            recs.clear();
            if (in.ConsumeBool() && b.size() >= 24) {
                const uint32_t size = uint32_t(b.size());
                std::memcpy(b.data() + 16, &size, 4);
            }
            break;
        }
        case 5: {   // two records swapped
            if (recs.size() < 2)
                break;
            const size_t i = in.ConsumeIntegralInRange<size_t>(0, recs.size() - 2);
            const auto [s1, e1] = recs[i];
            const auto [s2, e2] = recs[i + 1];
            if (e2 > b.size())
                break;
            std::vector<uint8_t> swapped(b.begin() + long(s2), b.begin() + long(e2));
            swapped.insert(swapped.end(), b.begin() + long(s1), b.begin() + long(e1));
            std::copy(swapped.begin(), swapped.end(), b.begin() + long(s1));
            recs.clear();
            break;
        }
        default: {   // bytes appended
            const auto more = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(1, 64));
            b.insert(b.end(), more.begin(), more.end());
        }
        }
    }
    return b;
}

// PHV_FUZZ_SAVE_BLOB=FILE writes the real blob (how the raw seeds in corpus/nested-migrate were made).
void save_blob(const std::vector<uint8_t> &b) {
    const char *path = std::getenv("PHV_FUZZ_SAVE_BLOB");
    if (!path || b.empty())
        return;
    if (std::FILE *f = std::fopen(path, "wb")) {
        std::fwrite(b.data(), 1, b.size(), f);
        std::fclose(f);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FuzzedDataProvider in(data, size);
    const bool raw = in.ConsumeIntegralInRange<int>(0, 3) == 0;
    const uint32_t api = in.ConsumeBool() ? PHV_NESTED_V1 : PHV_NESTED_V2;
    const uint32_t model = in.ConsumeBool() ? PHV_CPU_POWER9 : PHV_CPU_POWER10;
    src_ram().clear();
    dst_ram().clear();
    std::vector<uint8_t> real;
    {
        phvfuzz::NestedL1 src(src_ram(), model, api, true);
        if (api == PHV_NESTED_V1)
            build_v1(in, src);
        else
            build_v2(in, src);
        real = get_state(src.vm);
        phvfuzz::guest_insns() += src.executed;
    }
    save_blob(real);
    phvfuzz::NestedL1 dst(dst_ram(), model, api, true);
    phv_nested_state_error err{};
    if (const int rc = phv_vm_set_nested_state(dst.vm, real.data(), real.size(), &err); rc != 0)
        fail(err.reason ? err.reason : "a real blob was refused", uint64_t(-rc), err.offset);
    if (get_state(dst.vm) != real)
        fail("a real blob did not read back as it was loaded", real.size());

    const std::vector<uint8_t> cand = raw ? in.ConsumeRemainingBytes<uint8_t>() : mutate(in, real);
    err = {};
    const int rc = phv_vm_set_nested_state(dst.vm, cand.data(), cand.size(), &err);
    const std::vector<uint8_t> after = get_state(dst.vm);
    if (rc == -EINVAL) {
        if (!err.reason || err.offset > cand.size())
            fail("a refusal without a reason or with an offset outside the blob", err.offset, cand.size());
        if (after != real)
            fail("a refused blob changed the L0's state", rc, err.offset);
    } else if (rc == 0) {
        if (after != cand)
            fail("an accepted blob does not read back as it was loaded", cand.size(), after.size());
    } else {
        fail("phv_vm_set_nested_state returned neither 0 nor -EINVAL", uint64_t(-rc));
    }
    return 0;
}
