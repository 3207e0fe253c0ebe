// The nested L0's state as a blob (phv_vm_get_nested_state / phv_vm_set_nested_state, nested/migrate.cpp):
// round trips for both APIs, an L2 stopped in the middle of a run that continues on another VM, and every
// malformed field refused with the L0 left as it was.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "guest_code.h"
#include "nested_l1.h"
#include "nested/gsb.h"
#include "nested/l0.h"
#include "nested/migrate.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;
using namespace phv::nested;
using namespace phv::test::nested_l1;
using Blob = std::vector<uint8_t>;

using Ret = nested_l1::HcallRet;

constexpr uint64_t kBuf = 0x200000, kRunIn = 0x300000, kRunOut = 0x301000;
constexpr uint64_t kRoot = 0x100000, kDir1 = 0x110000, kDir2 = 0x111000, kL2Base = 0x400000, kL2Code = 0x1000;
constexpr uint32_t kBdnzBack4 = 0x4200fffc;   // bdnz .-4

// An L1 with nestedv2 on, guest 1 and vcpu 0, a partition-scoped tree mapping L2 0..4M at L1 kL2Base.
struct L1 : GuestCode {
    explicit L1(bool make = true) {
        EXPECT_EQ(phv_vm_enable_nested(vm, PHV_NESTED_V2), 0);
        if (!make)
            return;
        EXPECT_EQ(hc(hcall::kGuestSetCapabilities, {0, cap::kPower9 | cap::kPower10}).r3, 0);
        EXPECT_EQ(hc(hcall::kGuestCreate, {0, ~0ull}).r4, 1u);
        EXPECT_EQ(hc(hcall::kGuestCreateVcpu, {0, 1, 0}).r3, 0);
        be64(kRoot, kV | kDir1 | 9);
        be64(kDir1, kV | kDir2 | 9);
        be64(kDir2, kV | kL | kL2Base | (1 << 8) | (1 << 7) | 7);
        be64(kDir2 + 8, kV | kL | (kL2Base + 0x200000) | (1 << 8) | (1 << 7) | 7);
    }
    Ret hc(uint64_t nr, std::initializer_list<uint64_t> args) { return nested_l1::hcall(*this, nr, args); }
    void be64(uint64_t at, uint64_t v) { be_store(ram + at, 8, v); }
    int64_t set(uint64_t flags, uint64_t gid, uint64_t vid, const GsbWriter &w) {
        std::memcpy(ram + kBuf, w.bytes().data(), w.bytes().size());
        return hc(hcall::kGuestSetState, {flags, gid, vid, kBuf, w.bytes().size()}).r3;
    }
    uint64_t get(uint16_t id, unsigned len = 8, uint64_t flags = 0, unsigned skip = 0) {
        GsbWriter w;
        w.put_be(id, 8, 0);
        if (const ElementInfo *i = element_info(id); i && i->size != 8) {
            w = GsbWriter();
            std::vector<uint8_t> z(i->size);
            w.put(id, z.data(), i->size);
        }
        std::memcpy(ram + kBuf, w.bytes().data(), w.bytes().size());
        EXPECT_EQ(hc(hcall::kGuestGetState, {flags, 1, 0, kBuf, w.bytes().size()}).r3, 0) << std::hex << id;
        return be_load(ram + kBuf + 8 + skip, len);
    }
    // The state every test moves: tables, buffers, registers of several kinds, and one run's counters.
    void fill() {
        GsbWriter wide;
        wide.put_triple(gsid::kPartitionTable, kRoot, 52, 0x10000).put_pair(gsid::kProcessTable, 0x10000, 0x1000);
        wide.put_be(gsid::kTbOffset, 8, 0x123456).put_be(gsid::kLogicalPvr, 4, 0x0f000005);
        ASSERT_EQ(set(1ull << 63, 1, 0, wide), 0);
        GsbWriter w;
        w.put_pair(gsid::kRunInput, kRunIn, 0x1000).put_pair(gsid::kRunOutput, kRunOut, 0x1000);
        w.put_be(gsid::kNia, 8, kL2Code).put_be(gsid::kMsr, 8, kSF | kLE).put_be(gsid::kLpcr, 8, 1ull << 25);
        w.put_be(gsid::kGpr0 + 7, 8, 0x7777).put_be(gsid::kCtr, 8, 1000).put_be(gsid::kXer, 8, 0x20000005);
        w.put_be(gsid::kCr, 4, 0x12345678).put_be(gsid::kVpa, 8, 0x330000).put_be(0x1046, 8, 0xc000);   // AMR
        w.put_pair(gsid::kVsr0 + 40, 0x1111, 0x2222).put_be(gsid::kDecExpiryTb, 8, 0x99999);
        w.put_be(gsid::kHdecExpiryTb, 8, ~0ull).put_be(0x1036, 8, 0xabc);   // SPRG0
        ASSERT_EQ(set(0, 1, 0, w), 0);
        be_store(ram + kRunIn, 4, 0);
        // One run, so the counters and the exit-written SPRs are not 0: r4 counts CTR down, then sc 1.
        const uint32_t code[] = {addi(4, 4, 1), kBdnzBack4, addi(3, 0, 0x42), sc(1)};
        std::memcpy(ram + kL2Base + kL2Code, code, sizeof code);
        reinterpret_cast<phv::Vcpu *>(vcpu)->request_code_invalidate(kL2Base + kL2Code);
        const Ret r = hc(hcall::kGuestRunVcpu, {0, 1, 0});
        ASSERT_EQ(r.r3, 0);
        ASSERT_EQ(r.r4, 0xc00u);
    }
    Blob save(int expect = 0) {
        uint64_t size = 0;
        int r = phv_vm_get_nested_state(vm, nullptr, &size);
        if (size == 0) {
            EXPECT_EQ(r, 0);
            return {};
        }
        EXPECT_EQ(r, -E2BIG);
        Blob b(size);
        EXPECT_EQ(phv_vm_get_nested_state(vm, b.data(), &size), expect);
        EXPECT_EQ(size, b.size());
        return b;
    }
};

// Little-endian fields of a blob.
uint64_t le(const Blob &b, size_t at, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
        v |= uint64_t(b[at + i]) << (8 * i);
    return v;
}
Blob with(Blob b, size_t at, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i, v >>= 8)
        b[at + i] = uint8_t(v);
    return b;
}
// The offset of the k-th record with `tag` (its header), or 0.
size_t record(const Blob &b, uint16_t tag, unsigned k = 0) {
    for (size_t pos = blob::kHeaderSize; pos + 8 <= b.size(); pos += 8 + ((le(b, pos + 4, 4) + 7) & ~7ull))
        if (le(b, pos, 2) == tag && k-- == 0)
            return pos;
    return 0;
}

TEST(NestedMigrate, EmptyWithoutNestedState) {
    GuestCode g;
    uint64_t size = 123;
    EXPECT_EQ(phv_vm_get_nested_state(g.vm, nullptr, &size), 0);
    EXPECT_EQ(size, 0u);
    EXPECT_EQ(phv_vm_get_nested_state(nullptr, nullptr, &size), -EFAULT);
    EXPECT_EQ(phv_vm_get_nested_state(g.vm, nullptr, nullptr), -EFAULT);
    L1 e(false);   // enabled, nothing negotiated
    size = 0;
    EXPECT_EQ(phv_vm_get_nested_state(e.vm, nullptr, &size), 0);
    EXPECT_EQ(size, 0u);
    EXPECT_EQ(phv_vm_set_nested_state(e.vm, nullptr, 0, nullptr), 0);
    EXPECT_EQ(phv_vm_set_nested_state(e.vm, nullptr, 8, nullptr), -EFAULT);
}

TEST(NestedMigrate, V2RoundTripCarriesEveryKindOfState) {
    L1 a;
    a.fill();
    const Blob b = a.save();
    ASSERT_FALSE(b.empty());
    EXPECT_EQ(std::memcmp(b.data(), "phvnest", 8), 0);

    L1 d(false);
    std::memcpy(d.ram, a.ram, GuestCode::kRamSize);
    phv_nested_state_error err{};
    ASSERT_EQ(phv_vm_set_nested_state(d.vm, b.data(), b.size(), &err), 0) << err.reason;
    EXPECT_EQ(d.save(), b);   // nothing lost or added
    // The L1's view through GET_STATE on the destination.
    EXPECT_EQ(d.get(gsid::kGpr0 + 7), 0x7777u);
    EXPECT_EQ(d.get(gsid::kGpr0 + 4), 1000u);   // the run counted CTR down
    EXPECT_EQ(d.get(gsid::kCtr), 0u);
    EXPECT_EQ(d.get(gsid::kNia), kL2Code + 16);
    EXPECT_EQ(d.get(gsid::kXer), 0x20000005u);
    EXPECT_EQ(d.get(gsid::kCr, 4), 0x12345678u);
    EXPECT_EQ(d.get(0x1046), 0xc000u);
    EXPECT_EQ(d.get(0x1036), 0xabcu);
    EXPECT_EQ(d.get(gsid::kVsr0 + 40, 8, 0, 8), 0x2222u);
    EXPECT_EQ(d.get(gsid::kVpa), 0x330000u);
    EXPECT_EQ(d.get(gsid::kDecExpiryTb), 0x99999u);
    EXPECT_EQ(d.get(gsid::kRunOutput, 8), kRunOut);
    EXPECT_EQ(d.get(gsid::kLpcr), 1ull << 25);
    EXPECT_EQ(d.get(gsid::kTbOffset, 8, 1ull << 63), 0x123456u);
    EXPECT_EQ(d.get(gsid::kLogicalPvr, 4, 1ull << 63), 0x0f000005u);
    EXPECT_EQ(d.get(gsid::kPartitionTable, 8, 1ull << 63, 16), 0x10000u);
    EXPECT_EQ(d.get(gsid::kProcessTable, 8, 1ull << 63), 0x10000u);
    // The listing and counters came along; the capabilities too (a second guest can be made, id 2).
    phv_nested_guest gs[2];
    phv_nested_vcpu vs[2];
    phv_nested_info info{2, 2, gs, vs};
    ASSERT_EQ(phv_vm_get_nested(d.vm, &info), 0);
    ASSERT_EQ(info.nr_guests, 1u);
    EXPECT_EQ(vs[0].runs, 1u);
    EXPECT_EQ(vs[0].exits[PHV_NESTED_EXIT_HCALL], 1u);
    EXPECT_EQ(d.hc(hcall::kGuestCreate, {0, ~0ull}).r4, 2u);
    EXPECT_EQ(d.hc(hcall::kGuestCreateVcpu, {0, 1, 0}).r3, hret::kInUse);
    // The L2 runs on the destination: CTR = 5 more rounds.
    GsbWriter w;
    w.put_be(gsid::kCtr, 8, 5).put_be(gsid::kNia, 8, kL2Code);
    ASSERT_EQ(d.set(0, 1, 0, w), 0);
    const Ret r = d.hc(hcall::kGuestRunVcpu, {0, 1, 0});
    EXPECT_EQ(r.r3, 0);
    EXPECT_EQ(r.r4, 0xc00u);
    EXPECT_EQ(d.get(gsid::kGpr0 + 4), 1005u);
    // An empty import drops everything.
    ASSERT_EQ(phv_vm_set_nested_state(d.vm, nullptr, 0, nullptr), 0);
    EXPECT_TRUE(d.save().empty());
    EXPECT_EQ(d.hc(hcall::kGuestCreate, {0, ~0ull}).r3, hret::kState);   // capabilities gone too
}

// A vcpu kicked while it runs an L2 goes back to its L1 first; the L2's state is then the L0's, and the L2
// continues where it was on another VM.
TEST(NestedMigrate, L2StoppedMidRunContinuesElsewhere) {
    L1 a;
    a.fill();
    GsbWriter w;
    w.put_be(gsid::kCtr, 8, 1ull << 40).put_be(gsid::kNia, 8, kL2Code).put_be(gsid::kGpr0 + 4, 8, 0);
    ASSERT_EQ(a.set(0, 1, 0, w), 0);
    a.set_gpr(3, hcall::kGuestRunVcpu);
    a.run_data->papr_hcall.ret = hcall::kGuestRunVcpu;
    const uint64_t args[] = {0, 1, 0};
    for (unsigned i = 0; i < 9; ++i)
        a.run_data->papr_hcall.args[i] = i < 3 ? args[i] : 0;
    a.load(with_done({sc(1), ori(20, 3, 0), ori(21, 4, 0)}));
    reinterpret_cast<phv::Vcpu *>(a.vcpu)->request_code_invalidate(GuestCode::kCodeBase);
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        phv_vcpu_kick(a.vcpu);
    });
    ASSERT_EQ(a.GuestCode::run(), uint32_t(PHV_EXIT_INTR));
    t.join();
    EXPECT_EQ(a.gpr(4), 0u);   // the unspecified exit
    const uint64_t done = a.get(gsid::kGpr0 + 4), ctr = a.get(gsid::kCtr), nia = a.get(gsid::kNia);
    EXPECT_GT(done, 0u);
    EXPECT_EQ(done + ctr, (1ull << 40) + (nia == kL2Code + 4));   // at the bdnz: r4 counted, CTR not yet
    EXPECT_TRUE(nia == kL2Code || nia == kL2Code + 4) << std::hex << nia;
    const Blob b = a.save();

    L1 d(false);
    std::memcpy(d.ram, a.ram, GuestCode::kRamSize);
    ASSERT_EQ(phv_vm_set_nested_state(d.vm, b.data(), b.size(), nullptr), 0);
    EXPECT_EQ(d.get(gsid::kGpr0 + 4), done);
    EXPECT_EQ(d.get(gsid::kNia), nia);
    GsbWriter fewer;
    fewer.put_be(gsid::kCtr, 8, 3);
    ASSERT_EQ(d.set(0, 1, 0, fewer), 0);
    const Ret r = d.hc(hcall::kGuestRunVcpu, {0, 1, 0});
    EXPECT_EQ(r.r4, 0xc00u);
    EXPECT_EQ(d.get(gsid::kGpr0 + 4), done + 3 - (nia == kL2Code + 4 ? 1 : 0));
    EXPECT_EQ(d.get(gsid::kGpr0 + 3), 0x42u);
}

TEST(NestedMigrate, RefusedWhileAVcpuIsInPhvVcpuRun) {
    L1 a;
    a.fill();
    const Blob saved = a.save();
    L1 d(false);
    d.load(with_done({enc::b(0)}));
    std::atomic<bool> stop{false};
    std::thread t([&] {
        // the vcpu spins in b . until kicked
        while (!stop.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        phv_vcpu_kick(d.vcpu);
    });
    std::thread runner([&] { d.GuestCode::run(); });
    int r = 0;
    for (int i = 0; i < 2000 && r != -EBUSY; ++i) {
        r = phv_vm_set_nested_state(d.vm, saved.data(), saved.size(), nullptr);
        if (r == 0) {
            ASSERT_EQ(phv_vm_set_nested_state(d.vm, nullptr, 0, nullptr), 0);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    stop = true;
    t.join();
    runner.join();
    EXPECT_EQ(r, -EBUSY);
    EXPECT_TRUE(d.save().empty());
}

TEST(NestedMigrate, V1RoundTrip) {
    GuestCode a;
    ASSERT_EQ(phv_vm_enable_nested(a.vm, PHV_NESTED_V1), 0);
    // A blob as a nestedv1 L0 writes it: PTCR, then (LPID, token) records with counters.
    Blob b(24, 0);
    std::memcpy(b.data(), "phvnest", 8);
    b = with(b, 8, 1, 4);
    b = with(b, 12, 1, 4);
    auto add = [&](uint16_t tag, std::vector<uint64_t> q, std::vector<uint32_t> head = {}) {
        const size_t at = b.size();
        b.resize(at + 8 + 4 * head.size() + 8 * q.size());
        b = with(b, at, tag, 2);
        b = with(b, at + 4, 4 * head.size() + 8 * q.size(), 4);
        size_t p = at + 8;
        for (uint32_t h : head)
            b = with(b, p, h, 4), p += 4;
        for (uint64_t x : q)
            b = with(b, p, x, 8), p += 8;
    };
    add(blob::kV1Ptcr, {0x100000 | 4});
    std::vector<uint64_t> counters = {5, 3, 0, 0, 0, 0, 1, 1, 10, 20, 30};
    add(blob::kV1Vcpu, counters, {7, 0});
    add(blob::kV1Vcpu, counters, {7, 2});
    add(blob::kV1Vcpu, counters, {9, 1});
    b = with(b, 16, b.size(), 4);
    b = with(b, 20, 4, 4);
    phv_nested_state_error err{};
    ASSERT_EQ(phv_vm_set_nested_state(a.vm, b.data(), b.size(), &err), 0) << err.reason;
    uint64_t size = 4096;
    Blob out(size);
    ASSERT_EQ(phv_vm_get_nested_state(a.vm, out.data(), &size), 0);
    out.resize(size);
    EXPECT_EQ(out, b);
    phv_nested_guest gs[4];
    phv_nested_vcpu vs[4];
    phv_nested_info info{4, 4, gs, vs};
    ASSERT_EQ(phv_vm_get_nested(a.vm, &info), 0);
    ASSERT_EQ(info.nr_guests, 2u);
    EXPECT_EQ(gs[0].id, 7u);
    EXPECT_EQ(gs[0].nr_vcpus, 2u);
    EXPECT_EQ(vs[2].vcpu_id, 1u);
    EXPECT_EQ(vs[2].l2_to_l1_tb, 30u);
    // Into a nestedv2 VM, or one with nesting off: refused.
    GuestCode v2;
    ASSERT_EQ(phv_vm_enable_nested(v2.vm, PHV_NESTED_V2), 0);
    EXPECT_EQ(phv_vm_set_nested_state(v2.vm, b.data(), b.size(), &err), -EINVAL);
    EXPECT_EQ(err.offset, 12u);
    GuestCode off;
    EXPECT_EQ(phv_vm_set_nested_state(off.vm, b.data(), b.size(), &err), -EINVAL);

    // Every malformed v1 field.
    const size_t p = record(b, blob::kV1Ptcr), v = record(b, blob::kV1Vcpu), v2nd = record(b, blob::kV1Vcpu, 1);
    const std::vector<std::pair<std::string, Blob>> bad = {
        {"ptcr 0", with(b, p + 8, 0, 8)},
        {"ptcr reserved bit", with(b, p + 8, 0x100000 | 4 | (1ull << 62), 8)},
        {"ptcr PATS 5", with(b, p + 8, 0x100000 | 5, 8)},
        {"ptcr length", with(b, p + 4, 16, 4)},
        {"lpid 0", with(b, v + 8, 0, 4)},
        {"lpid past the table", with(b, v + 8, 4096, 4)},
        {"token 2048", with(b, v + 12, 2048, 4)},
        {"duplicate", with(b, v2nd + 12, 0, 4)},
        {"exits > runs", with(b, v + 16, 1, 8)},
        {"v2 tag", with(b, v, blob::kV2Caps, 2)},
        {"vcpu first", with(with(b, p, blob::kV1Vcpu, 2), v, blob::kV1Ptcr, 2)},
        // (7, 2) before (7, 0): a save would write them the other way round (fuzz-nested-migrate's finding).
        {"vcpu records out of order", with(with(b, v + 12, 2, 4), v2nd + 12, 0, 4)},
    };
    for (const auto &[name, blob] : bad) {
        err = {};
        EXPECT_EQ(phv_vm_set_nested_state(a.vm, blob.data(), blob.size(), &err), -EINVAL) << name;
        EXPECT_NE(err.reason, nullptr) << name;
        size = 4096;
        Blob now(size);
        ASSERT_EQ(phv_vm_get_nested_state(a.vm, now.data(), &size), 0);
        now.resize(size);
        EXPECT_EQ(now, b) << name << ": the refused load changed the L0";
    }
}

TEST(NestedMigrate, EveryMalformedV2FieldIsRefusedAndChangesNothing) {
    L1 a;
    a.fill();
    const Blob b = a.save();
    const size_t c = record(b, blob::kV2Caps), g = record(b, blob::kV2Guest), v = record(b, blob::kV2Vcpu);
    ASSERT_TRUE(c && g && v);
    const size_t vb = v + 8;   // the vcpu record's body
    const size_t regs = vb + 8 + 56 + 88, msr = regs + 256 + 8, xer = msr + 24, vscr = msr + 44;
    const size_t nspr = vscr + 4 + 1024;
    const uint32_t n = uint32_t(le(b, nspr, 4));
    ASSERT_GT(n, 2u);
    const size_t spr0 = nspr + 8;
    // The index of LPCR's entry among the SPRs.
    size_t lpcr = 0;
    for (uint32_t k = 0; k < n; ++k)
        if (le(b, spr0 + 16 * k, 4) == 318)
            lpcr = spr0 + 16 * k;
    ASSERT_NE(lpcr, 0u);
    auto truncated = [&](size_t len) { return Blob(b.begin(), b.begin() + len); };
    // A copy of the guest record with another id, inserted at `at`, the header fixed up.
    auto second_guest = [&](uint32_t id, size_t at) {
        Blob r(b.begin() + long(g), b.begin() + long(g) + 8 + 56);
        r = with(r, 8, id, 4);
        Blob two = b;
        two.insert(two.begin() + long(at), r.begin(), r.end());
        return with(with(two, 16, two.size(), 4), 20, le(b, 20, 4) + 1, 4);
    };
    {   // in the order a save writes (guest 1, guest 2, then the vcpus): accepted and read back as it was
        const Blob two = second_guest(2, v);
        phv_nested_state_error err{};
        ASSERT_EQ(phv_vm_set_nested_state(a.vm, two.data(), two.size(), &err), 0) << err.reason;
        EXPECT_EQ(a.save(), two);
        ASSERT_EQ(phv_vm_set_nested_state(a.vm, b.data(), b.size(), &err), 0) << err.reason;
    }
    Blob padded = with(b, c + 4, 7, 4);   // caps record 7 bytes long, its padding byte not 0
    padded[c + 8 + 7] = 1;

    const std::vector<std::pair<std::string, Blob>> bad = {
        {"short header", truncated(20)},
        {"magic", with(b, 0, 'P', 1)},
        {"version", with(b, 8, 2, 4)},
        {"api 3", with(b, 12, 3, 4)},
        {"api v1", with(b, 12, 1, 4)},
        {"total size", with(b, 16, b.size() + 8, 4)},
        {"truncated", with(truncated(b.size() - 8), 16, b.size() - 8, 4)},
        {"record count", with(b, 20, le(b, 20, 4) + 1, 4)},
        {"record flags", with(b, g + 2, 1, 2)},
        {"record past the end", with(b, g + 4, 1u << 20, 4)},
        {"padding not 0", padded},
        {"unknown tag", with(b, g, 99, 2)},
        {"v1 tag", with(b, g, blob::kV1Vcpu, 2)},
        {"caps 0", with(b, c + 8, 0, 8)},
        {"caps POWER11", with(b, c + 8, cap::kPower11, 8)},
        {"caps length", with(b, c + 4, 16, 4)},
        {"guest before caps", with(with(b, c, blob::kV2Guest, 2), g, blob::kV2Caps, 2)},
        {"guest length", with(b, g + 4, 48, 4)},
        {"guest id 0", with(b, g + 8, 0, 4)},
        {"guest id 4096", with(b, g + 8, 4096, 4)},
        {"lpvr", with(b, g + 12, 0x0f000007, 4)},
        {"partition table EA bits", with(b, g + 8 + 24, 48, 8)},
        {"partition table base", with(b, g + 8 + 16, kRoot + 8, 8)},
        {"process table size", with(b, g + 8 + 48, 0x1800, 8)},
        {"vcpu of no guest", with(b, vb, 2, 4)},
        {"vcpu id 2048", with(b, vb + 4, 2048, 4)},
        {"vcpu short", with(b, v + 4, 100, 4)},
        {"run input size", with(b, vb + 8 + 24, 0x80, 8)},
        {"run input address 0", with(b, vb + 8 + 16, 0, 8)},
        {"run buffers overlap", with(b, vb + 8 + 32, kRunIn + 0x800, 8)},
        {"vpa alignment", with(b, vb + 8 + 48, 0x330040, 8)},
        {"exits > runs", with(b, vb + 64, 0, 8)},
        {"MSR HV", with(b, msr, kSF | kLE | (1ull << 60), 8)},
        {"MSR S", with(b, msr, kSF | kLE | (1ull << 22), 8)},
        {"XER", with(b, xer, 1ull << 40, 8)},
        {"VSCR", with(b, vscr, 2, 4)},
        {"SPR count", with(b, nspr, n + 1, 4)},
        {"SPR pad", with(b, nspr + 4, 1, 4)},
        {"SPR order", with(b, spr0 + 16, le(b, spr0, 4), 4)},
        {"SPR 1024", with(b, spr0 + 16 * (n - 1), 1024, 4)},
        {"SPR value 0", with(b, spr0 + 8, 0, 8)},
        {"SPR entry pad", with(b, spr0 + 4, 1, 4)},
        {"LPCR owned bits", with(b, lpcr + 8, (1ull << 25) | (1ull << 22), 8)},
        {"guests out of order", second_guest(2, g)},
        {"guest after a vcpu", second_guest(2, b.size())},
    };
    for (const auto &[name, blob] : bad) {
        phv_nested_state_error err{};
        EXPECT_EQ(phv_vm_set_nested_state(a.vm, blob.data(), blob.size(), &err), -EINVAL) << name;
        EXPECT_NE(err.reason, nullptr) << name;
        EXPECT_LE(err.offset, blob.size()) << name;
        EXPECT_EQ(a.save(), b) << name << ": the refused load changed the L0";
    }
    // Each distinct reason names its field (not one catch-all).
    phv_nested_state_error e1{}, e2{};
    const Blob m1 = with(b, msr, 1ull << 60, 8), m2 = with(b, xer, 1ull << 40, 8);
    phv_vm_set_nested_state(a.vm, m1.data(), m1.size(), &e1);
    phv_vm_set_nested_state(a.vm, m2.data(), m2.size(), &e2);
    EXPECT_EQ(e1.offset, msr);
    EXPECT_EQ(e2.offset, xer);
    EXPECT_STRNE(e1.reason, e2.reason);
    // The POWER10 capability into a POWER9 VM.
    GuestCode nine(PHV_CPU_POWER9);
    ASSERT_EQ(phv_vm_enable_nested(nine.vm, PHV_NESTED_V2), 0);
    EXPECT_EQ(phv_vm_set_nested_state(nine.vm, b.data(), b.size(), nullptr), -EINVAL);
}

} // namespace
