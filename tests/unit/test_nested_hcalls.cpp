// The nestedv2 hcalls other than H_GUEST_RUN_VCPU (nested/l0.cpp), made by a guest with `sc 1`: enabling,
// capability negotiation, guest and vcpu lifecycle, GET/SET_STATE round trips and every documented error.
#include <gtest/gtest.h>

#include <cstring>

#include "guest_code.h"
#include "nested_l1.h"
#include "nested/gsb.h"
#include "nested/l0.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;
using namespace phv::nested;

using Ret = nested_l1::HcallRet;
constexpr auto &hc = nested_l1::hcall;

constexpr uint64_t kBuf = 0x200000;   // where the tests put guest state buffers
constexpr uint64_t kWide = 1ull << 63, kHost = 1ull << 62;

void put(GuestCode &g, const GsbWriter &w, uint64_t at = kBuf) { std::memcpy(g.ram + at, w.bytes().data(), w.bytes().size()); }

// A VM with nestedv2 on and P9|P10 negotiated; guest 1 with vcpu 0.
struct L1 : GuestCode {
    L1(uint32_t model = PHV_CPU_POWER10, uint64_t caps = cap::kPower9 | cap::kPower10) : GuestCode(model) {
        EXPECT_EQ(phv_vm_enable_nested(vm, PHV_NESTED_V2), 0);
        EXPECT_EQ(hc(*this, hcall::kGuestSetCapabilities, {0, caps}).r3, 0);
        const Ret c = hc(*this, hcall::kGuestCreate, {0, ~0ull});
        EXPECT_EQ(c.r3, 0);
        EXPECT_EQ(c.r4, 1u);
        EXPECT_EQ(hc(*this, hcall::kGuestCreateVcpu, {0, 1, 0}).r3, 0);
    }
    Ret set(uint64_t flags, uint64_t gid, uint64_t vid, const GsbWriter &w) {
        put(*this, w);
        return hc(*this, hcall::kGuestSetState, {flags, gid, vid, kBuf, w.bytes().size()});
    }
    Ret get(uint64_t flags, uint64_t gid, uint64_t vid, const GsbWriter &w) {
        put(*this, w);
        return hc(*this, hcall::kGuestGetState, {flags, gid, vid, kBuf, w.bytes().size()});
    }
    // Value of the n-th element of the buffer at kBuf (after a GET), big-endian, `len` bytes at `skip`.
    uint64_t value(unsigned n, unsigned skip = 0, unsigned len = 8) {
        size_t pos = 4;
        for (unsigned i = 0; i < n; ++i)
            pos += 4 + be_load(ram + kBuf + pos + 2, 2);
        return be_load(ram + kBuf + pos + 4 + skip, len);
    }
};

TEST(NestedHcalls, RefusedUnlessEnabled) {
    GuestCode g;
    for (uint64_t nr : {hcall::kGuestGetCapabilities, hcall::kGuestSetCapabilities, hcall::kGuestCreate,
                        hcall::kGuestCreateVcpu, hcall::kGuestGetState, hcall::kGuestSetState,
                        hcall::kGuestCopyMemory, hcall::kGuestDelete, hcall::kSetPartitionTable,
                        hcall::kEnterNested, hcall::kTlbInvalidate, hcall::kCopyToFromGuest})
        EXPECT_EQ(hc(g, nr, {}).r3, hret::kFunction) << std::hex << nr;
    // With v2 on, the v1 hcalls still do not exist.
    ASSERT_EQ(phv_vm_enable_nested(g.vm, PHV_NESTED_V2), 0);
    EXPECT_EQ(hc(g, hcall::kEnterNested, {}).r3, hret::kFunction);
    EXPECT_EQ(hc(g, hcall::kGuestCopyMemory, {}).r3, hret::kFunction);   // COPY_MEM is not offered
    EXPECT_EQ(phv_vm_enable_nested(g.vm, PHV_NESTED_NONE), 0);
    EXPECT_EQ(hc(g, hcall::kGuestGetCapabilities, {0}).r3, hret::kFunction);
}

TEST(NestedHcalls, EnableRules) {
    GuestCode p8(PHV_CPU_POWER8);
    EXPECT_EQ(phv_vm_enable_nested(p8.vm, PHV_NESTED_V2), -EINVAL);
    EXPECT_EQ(phv_vm_enable_nested(nullptr, PHV_NESTED_V2), -EFAULT);
    L1 g;
    EXPECT_EQ(phv_vm_enable_nested(g.vm, 3), -EINVAL);
    EXPECT_EQ(phv_vm_enable_nested(g.vm, PHV_NESTED_V1), -EBUSY);   // the other API, with an L2
    EXPECT_EQ(phv_vm_enable_nested(g.vm, PHV_NESTED_V2), 0);        // already on
    EXPECT_EQ(phv_vm_enable_nested(g.vm, PHV_NESTED_NONE), -EBUSY);  // an L2 exists
    EXPECT_EQ(hc(g, hcall::kGuestDelete, {kWide, 0}).r3, 0);
    EXPECT_EQ(phv_vm_enable_nested(g.vm, PHV_NESTED_NONE), 0);
}

TEST(NestedHcalls, Capabilities) {
    GuestCode p10, p9(PHV_CPU_POWER9);
    ASSERT_EQ(phv_vm_enable_nested(p10.vm, PHV_NESTED_V2), 0);
    ASSERT_EQ(phv_vm_enable_nested(p9.vm, PHV_NESTED_V2), 0);
    Ret r = hc(p10, hcall::kGuestGetCapabilities, {0});
    EXPECT_EQ(r.r3, 0);
    EXPECT_EQ(r.r4, cap::kPower9 | cap::kPower10);
    EXPECT_EQ(hc(p9, hcall::kGuestGetCapabilities, {0}).r4, cap::kPower9);
    EXPECT_EQ(hc(p10, hcall::kGuestGetCapabilities, {1}).r3, hret::kParameter);
    // Creating before negotiating.
    EXPECT_EQ(hc(p10, hcall::kGuestCreate, {0, ~0ull}).r3, hret::kState);
    for (uint64_t bad : {uint64_t(0), cap::kCopyMem | cap::kPower10, cap::kPower11, uint64_t(1)}) {
        r = hc(p10, hcall::kGuestSetCapabilities, {0, bad});
        EXPECT_EQ(r.r3, hret::kP2) << std::hex << bad;
        EXPECT_EQ(r.r4, 1u);
        EXPECT_EQ(r.r5, 1u);
    }
    EXPECT_EQ(hc(p9, hcall::kGuestSetCapabilities, {0, cap::kPower10}).r3, hret::kP2);
    EXPECT_EQ(hc(p10, hcall::kGuestSetCapabilities, {4, cap::kPower10}).r3, hret::kParameter);
    EXPECT_EQ(hc(p10, hcall::kGuestSetCapabilities, {0, cap::kPower10}).r3, 0);
    EXPECT_EQ(hc(p10, hcall::kGuestSetCapabilities, {0, cap::kPower10}).r3, 0);   // again (kexec)
    EXPECT_EQ(hc(p10, hcall::kGuestCreate, {0, ~0ull}).r3, 0);
    // A different set while an L2 exists.
    EXPECT_EQ(hc(p10, hcall::kGuestSetCapabilities, {0, cap::kPower9}).r3, hret::kState);
}

TEST(NestedHcalls, GuestAndVcpuLifecycle) {
    L1 g;
    EXPECT_EQ(hc(g, hcall::kGuestCreate, {1, ~0ull}).r3, hret::kUnsupportedFlag - 63);
    EXPECT_EQ(hc(g, hcall::kGuestCreate, {1ull << 63, ~0ull}).r3, hret::kUnsupportedFlag);
    EXPECT_EQ(hc(g, hcall::kGuestCreate, {0, 5}).r3, hret::kP2);
    EXPECT_EQ(hc(g, hcall::kGuestCreate, {0, ~0ull}).r4, 2u);
    EXPECT_EQ(hc(g, hcall::kGuestCreate, {0, ~0ull}).r4, 3u);
    EXPECT_EQ(hc(g, hcall::kGuestDelete, {0, 2}).r3, 0);
    EXPECT_EQ(hc(g, hcall::kGuestCreate, {0, ~0ull}).r4, 2u);   // the lowest free id again
    EXPECT_EQ(hc(g, hcall::kGuestDelete, {0, 2}).r3, 0);
    EXPECT_EQ(hc(g, hcall::kGuestDelete, {0, 2}).r3, hret::kP2);
    EXPECT_EQ(hc(g, hcall::kGuestDelete, {1, 3}).r3, hret::kUnsupportedFlag - 63);

    EXPECT_EQ(hc(g, hcall::kGuestCreateVcpu, {0, 9, 0}).r3, hret::kP2);
    EXPECT_EQ(hc(g, hcall::kGuestCreateVcpu, {0, 1, 2048}).r3, hret::kP3);
    EXPECT_EQ(hc(g, hcall::kGuestCreateVcpu, {0, 1, 0}).r3, hret::kInUse);
    EXPECT_EQ(hc(g, hcall::kGuestCreateVcpu, {2, 1, 1}).r3, hret::kUnsupportedFlag - 62);
    EXPECT_EQ(hc(g, hcall::kGuestCreateVcpu, {0, 1, 2047}).r3, 0);   // any id, not only the next one
    EXPECT_EQ(hc(g, hcall::kGuestCreateVcpu, {0, 3, 0}).r3, 0);

    // Host-wide heap in use counts guests and vcpus.
    GsbWriter w;
    w.put_be(gsid::kL0GuestHeap, 8, 0).put_be(gsid::kL0GuestHeapMax, 8, 0).put_be(gsid::kL0GuestPgtable, 8, 7);
    EXPECT_EQ(g.get(kHost, 0, 0, w).r3, 0);
    const uint64_t before = g.value(0);
    EXPECT_GT(before, 0u);
    EXPECT_GT(g.value(1), before);
    EXPECT_EQ(g.value(2), 0u);   // no shadow page tables
    EXPECT_EQ(hc(g, hcall::kGuestDelete, {0, 3}).r3, 0);
    EXPECT_EQ(g.get(kHost, 0, 0, w).r3, 0);
    EXPECT_LT(g.value(0), before);

    EXPECT_EQ(hc(g, hcall::kGuestDelete, {kWide, 0}).r3, 0);   // delete all
    EXPECT_EQ(hc(g, hcall::kGuestCreateVcpu, {0, 1, 1}).r3, hret::kP2);
    EXPECT_EQ(hc(g, hcall::kGuestCreate, {0, ~0ull}).r4, 1u);
}

TEST(NestedHcalls, VcpuStateRoundTrip) {
    L1 g;
    GsbWriter w;
    for (uint16_t i = 0; i < 32; ++i)
        w.put_be(gsid::kGpr0 + i, 8, 0x1111111100000000ull | i);
    w.put_be(gsid::kNia, 8, 0xc000000000001000ull).put_be(gsid::kMsr, 8, (1ull << 63) | 0x8033);
    w.put_be(gsid::kCr, 4, 0x24000480).put_be(gsid::kXer, 8, 0x20000000).put_be(gsid::kLr, 8, 0x1234);
    w.put_be(gsid::kCtr, 8, 0x5678).put_be(gsid::kSrr0, 8, 0xaa).put_be(gsid::kLpcr, 8, 3ull << 23);
    w.put_pair(gsid::kVsr0 + 40, 0x0102030405060708ull, 0x1112131415161718ull);
    w.put_be(gsid::kDecExpiryTb, 8, 0x99999).put_be(gsid::kHdecExpiryTb, 8, 0x88888);
    w.put_be(0x2007, 4, 0xabcd);   // PMC1
    w.put_pair(gsid::kRunInput, 0x300000, 0x1000).put_pair(gsid::kRunOutput, 0x301000, 0x1000);
    w.put_be(gsid::kVpa, 8, 0x302000);
    ASSERT_EQ(g.set(0, 1, 0, w).r3, 0);

    GsbWriter q;   // the same ids, values zero, plus the read-only exit registers
    q.put_be(gsid::kGpr0 + 7, 8, 0).put_be(gsid::kNia, 8, 0).put_be(gsid::kMsr, 8, 0).put_be(gsid::kCr, 4, 0);
    q.put_be(gsid::kXer, 8, 0).put_pair(gsid::kVsr0 + 40, 0, 0).put_be(gsid::kDecExpiryTb, 8, 0);
    q.put_be(0x2007, 4, 0).put_pair(gsid::kRunOutput, 0, 0).put_be(gsid::kVpa, 8, 0).put_be(gsid::kLpcr, 8, 0);
    q.put_be(gsid::kHdar, 8, 1).put_be(gsid::kHeir, 4, 1).put_be(gsid::kHeir, 8, 1);
    ASSERT_EQ(g.get(0, 1, 0, q).r3, 0);
    EXPECT_EQ(g.value(0), 0x1111111100000007ull);
    EXPECT_EQ(g.value(1), 0xc000000000001000ull);
    EXPECT_EQ(g.value(2), (1ull << 63) | 0x8033);
    EXPECT_EQ(g.value(3, 0, 4), 0x24000480u);
    EXPECT_EQ(g.value(4), 0x20000000u);
    EXPECT_EQ(g.value(5, 0), 0x0102030405060708ull);
    EXPECT_EQ(g.value(5, 8), 0x1112131415161718ull);
    EXPECT_EQ(g.value(6), 0x99999u);
    EXPECT_EQ(g.value(7, 0, 4), 0xabcdu);
    EXPECT_EQ(g.value(8, 0), 0x301000u);
    EXPECT_EQ(g.value(8, 8), 0x1000u);
    EXPECT_EQ(g.value(9), 0x302000u);
    EXPECT_EQ(g.value(10), 3ull << 23);
    EXPECT_EQ(g.value(11), 0u);   // nothing has exited yet
    EXPECT_EQ(g.value(12, 0, 4), 0u);
    EXPECT_EQ(g.value(13), 0u);
    // Another vcpu's state is its own.
    ASSERT_EQ(hc(g, hcall::kGuestCreateVcpu, {0, 1, 5}).r3, 0);
    ASSERT_EQ(g.get(0, 1, 5, q).r3, 0);
    EXPECT_EQ(g.value(0), 0u);
    EXPECT_EQ(g.value(2), (1ull << 63) | (1ull << 12));   // SF|ME, as created
}

TEST(NestedHcalls, GuestWideStateRoundTrip) {
    L1 g;
    GsbWriter w;
    w.put_be(gsid::kLogicalPvr, 4, 0x0f000005).put_be(gsid::kTbOffset, 8, uint64_t(-(1ll << 24)));
    w.put_triple(gsid::kPartitionTable, 0x400000, 52, 0x10000).put_pair(gsid::kProcessTable, 0x500000, 0x1000);
    ASSERT_EQ(g.set(kWide, 1, 0, w).r3, 0);
    GsbWriter q;
    q.put_be(gsid::kLogicalPvr, 4, 0).put_be(gsid::kTbOffset, 8, 0).put_triple(gsid::kPartitionTable, 0, 0, 0);
    q.put_pair(gsid::kProcessTable, 0, 0).put_be(gsid::kRunOutputMinSize, 8, 0).put_be(gsid::kHostStateSize, 8, 0);
    ASSERT_EQ(g.get(kWide, 1, 0, q).r3, 0);
    EXPECT_EQ(g.value(0, 0, 4), 0x0f000005u);
    EXPECT_EQ(g.value(1), uint64_t(-(1ll << 24)));
    EXPECT_EQ(g.value(2, 0), 0x400000u);
    EXPECT_EQ(g.value(2, 8), 52u);
    EXPECT_EQ(g.value(2, 16), 0x10000u);
    EXPECT_EQ(g.value(3, 0), 0x500000u);
    EXPECT_EQ(g.value(3, 8), 0x1000u);
    EXPECT_EQ(g.value(4), kRunBufferMin);
    EXPECT_GT(g.value(5), 0u);
    // A new guest starts with the highest negotiated mode's logical PVR.
    EXPECT_EQ(hc(g, hcall::kGuestCreate, {0, ~0ull}).r4, 2u);
    ASSERT_EQ(g.get(kWide, 2, 0, q).r3, 0);
    EXPECT_EQ(g.value(0, 0, 4), 0x0f000006u);
}

TEST(NestedHcalls, StateErrors) {
    L1 g;
    GsbWriter w;
    w.put_be(gsid::kGpr0, 8, 1);
    EXPECT_EQ(g.set(kHost, 1, 0, w).r3, hret::kParameter);        // no host-wide SET
    EXPECT_EQ(g.set(1, 1, 0, w).r3, hret::kParameter);            // reserved flag
    EXPECT_EQ(g.get(kWide | kHost, 1, 0, w).r3, hret::kParameter);
    EXPECT_EQ(g.set(0, 7, 0, w).r3, hret::kP2);
    EXPECT_EQ(g.set(0, 1, 3, w).r3, hret::kP3);
    EXPECT_EQ(g.set(0, 1, 1ull << 40, w).r3, hret::kP3);
    put(g, w);
    EXPECT_EQ(hc(g, hcall::kGuestSetState, {0, 1, 0, GuestCode::kRamSize - 8, 16}).r3, hret::kP4);   // past RAM
    EXPECT_EQ(hc(g, hcall::kGuestSetState, {0, 1, 0, 1ull << 40, 16}).r3, hret::kP4);
    EXPECT_EQ(hc(g, hcall::kGuestSetState, {0, 1, 0, kBuf, 3}).r3, hret::kP5);
    EXPECT_EQ(hc(g, hcall::kGuestSetState, {0, 1, 0, kBuf, 8}).r3, hret::kP5);   // the element is cut off
    EXPECT_EQ(hc(g, hcall::kGuestSetState, {0, 1, 0, kBuf, 1ull << 30}).r3, hret::kP5);

    // Element errors report the element's index in R4, and a failing SET changes nothing.
    GsbWriter bad;
    bad.put_be(gsid::kGpr0 + 2, 8, 0xdead).put(gsid::kNop, nullptr, 0).put_be(gsid::kMsr, 8, 1ull << 60);
    Ret r = g.set(0, 1, 0, bad);
    EXPECT_EQ(r.r3, hret::kInvalidElementValue);
    EXPECT_EQ(r.r4, 2u);
    GsbWriter q;
    q.put_be(gsid::kGpr0 + 2, 8, 0);
    ASSERT_EQ(g.get(0, 1, 0, q).r3, 0);
    EXPECT_EQ(g.value(0), 0u);
    GsbWriter scope;
    scope.put_be(gsid::kGpr0, 8, 0).put_be(gsid::kTbOffset, 8, 0);
    r = g.set(0, 1, 0, scope);
    EXPECT_EQ(r.r3, hret::kInvalidElementId);
    EXPECT_EQ(r.r4, 1u);
    r = g.get(kWide, 1, 0, scope);
    EXPECT_EQ(r.r3, hret::kInvalidElementId);
    EXPECT_EQ(r.r4, 0u);
    GsbWriter size;
    size.put_be(gsid::kCr, 8, 0);
    r = g.get(0, 1, 0, size);
    EXPECT_EQ(r.r3, hret::kInvalidElementSize);
    EXPECT_EQ(r.r4, 0u);
    GsbWriter ro;
    ro.put_be(gsid::kAsdr, 8, 0);
    EXPECT_EQ(g.set(0, 1, 0, ro).r3, hret::kInvalidElementId);
}

TEST(NestedHcalls, ValuesCheckedAgainstTheL0) {
    // Only POWER9 negotiated: a POWER10 logical PVR is refused.
    L1 g(PHV_CPU_POWER10, cap::kPower9);
    GsbWriter w;
    w.put_be(gsid::kTbOffset, 8, 5).put_be(gsid::kLogicalPvr, 4, 0x0f000006);
    Ret r = g.set(kWide, 1, 0, w);
    EXPECT_EQ(r.r3, hret::kInvalidElementValue);
    EXPECT_EQ(r.r4, 1u);
    GsbWriter q;
    q.put_be(gsid::kTbOffset, 8, 0).put_be(gsid::kLogicalPvr, 4, 0);
    ASSERT_EQ(g.get(kWide, 1, 0, q).r3, 0);
    EXPECT_EQ(g.value(0), 0u);                    // the whole SET was refused
    EXPECT_EQ(g.value(1, 0, 4), 0x0f000005u);
    // Run buffers may not overlap, whether set together or one after the other.
    GsbWriter both;
    both.put_pair(gsid::kRunInput, 0x300000, 0x1000).put_pair(gsid::kRunOutput, 0x300800, 0x1000);
    r = g.set(0, 1, 0, both);
    EXPECT_EQ(r.r3, hret::kInvalidElementValue);
    EXPECT_EQ(r.r4, 1u);
    GsbWriter in, out;
    in.put_pair(gsid::kRunInput, 0x300000, 0x1000);
    out.put_pair(gsid::kRunOutput, 0x2ff001, 0x1000);
    ASSERT_EQ(g.set(0, 1, 0, in).r3, 0);
    EXPECT_EQ(g.set(0, 1, 0, out).r3, hret::kInvalidElementValue);
    GsbWriter adjacent;
    adjacent.put_pair(gsid::kRunOutput, 0x2ff000, 0x1000);
    EXPECT_EQ(g.set(0, 1, 0, adjacent).r3, 0);
}

} // namespace
