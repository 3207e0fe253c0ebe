// PHV_CREATE_VM, PHV_SET_USER_MEMORY_REGION, PHV_GET_DIRTY_LOG and PHV_CREATE_VCPU: results and errors.
#include <cerrno>
#include <chrono>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "phv/phv.h"

namespace {

struct VmFixture : ::testing::Test {
    phv_vm *vm = nullptr;
    std::vector<uint8_t> mem = std::vector<uint8_t>(1 << 22);
    uint64_t host() { return (reinterpret_cast<uint64_t>(mem.data()) + 4095) & ~4095ull; }
    void SetUp() override { ASSERT_EQ(phv_create_vm(nullptr, &vm), 0); }
    void TearDown() override { phv_destroy_vm(vm); }
    int slot(uint32_t id, uint64_t gpa, uint64_t size, uint32_t flags = 0, uint64_t h = ~0ull) {
        phv_userspace_memory_region r{id, flags, gpa, size, h == ~0ull ? host() : h};
        return phv_set_user_memory_region(vm, &r);
    }
};

TEST(CreateVm, DefaultsToPower10) {
    phv_vm *vm = nullptr;
    ASSERT_EQ(phv_create_vm(nullptr, &vm), 0);
    EXPECT_EQ(phv_vm_pvr(vm), 0x00800200u);
    phv_destroy_vm(vm);
}

TEST(CreateVm, EachModelHasItsPvr) {
    const std::pair<uint32_t, uint32_t> models[] = {{PHV_CPU_POWER8, 0x004d0200}, {PHV_CPU_POWER9, 0x004e1202},
                                                    {PHV_CPU_POWER10, 0x00800200}};
    for (auto [model, pvr] : models) {
        phv_vm_config cfg{model, 0, 0};
        phv_vm *vm = nullptr;
        ASSERT_EQ(phv_create_vm(&cfg, &vm), 0);
        EXPECT_EQ(phv_vm_pvr(vm), pvr);
        phv_destroy_vm(vm);
    }
}

TEST(CreateVm, RejectsUnknownModelFlagsAndNull) {
    phv_vm *vm = reinterpret_cast<phv_vm *>(1);
    phv_vm_config cfg{7, 0, 0};
    EXPECT_EQ(phv_create_vm(&cfg, &vm), -EINVAL);
    EXPECT_EQ(vm, nullptr);
    cfg = {PHV_CPU_POWER9, 1u << 31, 0};   // no such PHV_VM_* flag
    EXPECT_EQ(phv_create_vm(&cfg, &vm), -EINVAL);
    cfg = {PHV_CPU_POWER9, 0, 5};
    EXPECT_EQ(phv_create_vm(&cfg, &vm), -EINVAL);
    EXPECT_EQ(phv_create_vm(nullptr, nullptr), -EFAULT);
    phv_destroy_vm(nullptr);
}

TEST_F(VmFixture, SlotAlignmentIsChecked) {
    EXPECT_EQ(slot(0, 0x1000, 0x1001), -EINVAL);
    EXPECT_EQ(slot(0, 0x1001, 0x1000), -EINVAL);
    EXPECT_EQ(slot(0, 0x1000, 0x1000, 0, host() + 8), -EINVAL);
    EXPECT_EQ(slot(0, 0, 0x1000), 0);
}

TEST_F(VmFixture, SlotBadNumberFlagsWrapAndNullHost) {
    EXPECT_EQ(slot(PHV_MAX_MEMSLOTS, 0, 0x1000), -EINVAL);
    EXPECT_EQ(slot(0, 0, 0x1000, 0x80), -EINVAL);
    EXPECT_EQ(slot(0, ~0ull & ~4095ull, 0x2000), -EINVAL);
    EXPECT_EQ(slot(0, 0, 0x1000, 0, 0), -EFAULT);
    EXPECT_EQ(phv_set_user_memory_region(vm, nullptr), -EFAULT);
    EXPECT_EQ(phv_set_user_memory_region(nullptr, nullptr), -EFAULT);
}

TEST_F(VmFixture, OverlappingSlotsAreRefused) {
    ASSERT_EQ(slot(0, 0x100000, 0x100000), 0);
    EXPECT_EQ(slot(1, 0x180000, 0x100000), -EEXIST);
    EXPECT_EQ(slot(1, 0x0ff000, 0x2000), -EEXIST);
    EXPECT_EQ(slot(1, 0x000000, 0x400000), -EEXIST);
    EXPECT_EQ(slot(1, 0x200000, 0x1000), 0);   // adjacent is fine
    EXPECT_EQ(slot(2, 0x0ff000, 0x1000), 0);
}

TEST_F(VmFixture, SlotCanBeReplacedAndDeleted) {
    ASSERT_EQ(slot(3, 0x100000, 0x100000), 0);
    EXPECT_EQ(slot(3, 0x100000, 0x200000), 0);   // a slot may overlap its own old range
    EXPECT_EQ(slot(3, 0, 0), 0);                 // size 0 deletes
    EXPECT_EQ(slot(3, 0, 0), -EINVAL);           // ... once
    EXPECT_EQ(slot(4, 0x100000, 0x1000), 0);     // and frees the range
}

// Resident memory of this process in bytes (/proc/self/statm's second field, in pages).
uint64_t resident_bytes() {
    unsigned long size = 0, resident = 0;
    if (FILE *f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        std::fclose(f);
    }
    return uint64_t(resident) * 4096;
}

// A slot as large as the core allows (2^48 bytes, 2^36 pages), dirty-logged: its per-page tables are
// address space until used (fuzz-capi found them value-initialised on the heap: 64 GiB written by a call
// any VMM could make). The host range is not touched until the guest uses it, as under KVM.
TEST_F(VmFixture, AHugeSparseSlotCommitsNoMemory) {
    // Only a kernel that never overcommits (vm.overcommit_memory=2) refuses 72 GiB of unreserved mappings.
    int overcommit = 0;
    if (FILE *f = std::fopen("/proc/sys/vm/overcommit_memory", "r")) {
        if (std::fscanf(f, "%d", &overcommit) != 1)
            overcommit = 0;
        std::fclose(f);
    }
    const uint64_t before = resident_bytes();
    const int rc = slot(5, 1ull << 48, 1ull << 48, PHV_MEM_LOG_DIRTY_PAGES, 1ull << 30);
    if (overcommit == 2)
        ASSERT_TRUE(rc == 0 || rc == -ENOMEM) << rc;
    else
        ASSERT_EQ(rc, 0);
    EXPECT_LT(resident_bytes(), before + (64u << 20));
    EXPECT_EQ(slot(5, 0, 0), rc == 0 ? 0 : -EINVAL);
}

// API v0: slots do not change under a running vcpu (it holds host pointers into them without a lock). A VMM
// that tries anyway gets -EBUSY and nothing changes: the vcpu, kicked out afterwards, still has its RAM.
TEST(Memslots, ChangingThemUnderARunningVcpuIsRefused) {
    phv::test::GuestCode g;
    g.load({phv::test::enc::b(0)});   // b .
    int rc = -1;
    std::thread runner([&] { rc = phv_vcpu_run(g.vcpu); });
    const phv_userspace_memory_region drop_ram{0, 0, 0, 0, 0};
    const phv_userspace_memory_region extra{7, 0, 0x40000000, 4096, reinterpret_cast<uint64_t>(g.ram)};
    int busy = 0;
    // The runner may not have entered phv_vcpu_run yet: until it has, the calls would succeed, so only the
    // harmless one (adding a slot, deleted again) is tried until the refusal shows.
    for (int i = 0; i < 20000 && !busy; ++i) {
        const int r = phv_set_user_memory_region(g.vm, &extra);
        if (r == -EBUSY) {
            busy = 1;
            break;
        }
        ASSERT_EQ(r, 0);
        const phv_userspace_memory_region del{7, 0, 0x40000000, 0, 0};
        ASSERT_EQ(phv_set_user_memory_region(g.vm, &del), 0);
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    EXPECT_EQ(busy, 1) << "the vcpu never seemed to run";
    EXPECT_EQ(phv_set_user_memory_region(g.vm, &drop_ram), -EBUSY);
    phv_vcpu_kick(g.vcpu);
    runner.join();
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(g.run_data->exit_reason, uint32_t(PHV_EXIT_INTR));
    // RAM is still slot 0: a program storing to it runs to its end (loaded elsewhere: `b .`'s block stays).
    using namespace phv::test::enc;
    g.load(phv::test::with_done({addi(4, 0, 0x5000), addi(5, 0, 99), stw(5, 4, 0)}), 0x20000);
    g.run_to_done();
    uint32_t stored;
    std::memcpy(&stored, g.ram + 0x5000, 4);
    EXPECT_EQ(stored, 99u);
    const phv_userspace_memory_region del{7, 0, 0x40000000, 0, 0};
    EXPECT_EQ(phv_set_user_memory_region(g.vm, &del), -EINVAL);   // the refused slot 7 was never added
}

TEST_F(VmFixture, DirtyLogNeedsTheFlag) {
    ASSERT_EQ(slot(0, 0, 0x10000), 0);
    uint64_t bitmap[1];
    EXPECT_EQ(phv_get_dirty_log(vm, 0, bitmap), -ENOENT);
    EXPECT_EQ(phv_get_dirty_log(vm, 9, bitmap), -ENOENT);
    EXPECT_EQ(phv_get_dirty_log(vm, PHV_MAX_MEMSLOTS, bitmap), -EINVAL);
    ASSERT_EQ(slot(0, 0, 0x10000, PHV_MEM_LOG_DIRTY_PAGES), 0);
    EXPECT_EQ(phv_get_dirty_log(vm, 0, nullptr), -EFAULT);
    EXPECT_EQ(phv_get_dirty_log(vm, 0, bitmap), 0);
}

TEST_F(VmFixture, VcpuIdsAreUniqueAndBounded) {
    phv_vcpu *a = nullptr, *b = nullptr;
    EXPECT_EQ(phv_create_vcpu(vm, 0, &a), 0);
    EXPECT_NE(a, nullptr);
    EXPECT_EQ(phv_create_vcpu(vm, 0, &b), -EEXIST);
    EXPECT_EQ(phv_create_vcpu(vm, PHV_MAX_VCPUS, &b), -EINVAL);
    EXPECT_EQ(phv_create_vcpu(vm, 5, nullptr), -EFAULT);
    EXPECT_EQ(phv_create_vcpu(vm, 5, &b), 0);
    EXPECT_NE(a, b);
}

TEST(Api, NullHandlesAreErrorsNotCrashes) {
    phv_one_reg r{PHV_REG_PPC_NIP, 0};
    EXPECT_EQ(phv_get_one_reg(nullptr, &r), -EFAULT);
    EXPECT_EQ(phv_set_one_reg(nullptr, &r), -EFAULT);
    EXPECT_EQ(phv_vcpu_run(nullptr), -EINVAL);
    EXPECT_EQ(phv_vcpu_run_struct(nullptr), nullptr);
    EXPECT_EQ(phv_interrupt(nullptr, PHV_INTERRUPT_SET), -EFAULT);
    EXPECT_EQ(phv_vcpu_stat(nullptr, 0, nullptr), nullptr);
    phv_vcpu_kick(nullptr);
    EXPECT_EQ(phv_get_api_version(), PHV_API_VERSION);
}

// Dirty logging sees guest stores, page by page, and the log clears on read.
TEST(DirtyLog, GuestStoresMarkPages) {
    phv::test::GuestCode g;
    phv_userspace_memory_region r{1, PHV_MEM_LOG_DIRTY_PAGES, 0x4000000, 0x10000,
                                  reinterpret_cast<uint64_t>(g.ram) + 0x800000};
    ASSERT_EQ(phv_set_user_memory_region(g.vm, &r), 0);
    using namespace phv::test::enc;
    g.load(phv::test::with_done({addis(4, 0, 0x400), stw(4, 4, 0x2000), stw(4, 4, 0x2ffc), std_(4, 4, 0x5000)}));
    g.run_to_done();
    uint64_t bitmap = 0;
    ASSERT_EQ(phv_get_dirty_log(g.vm, 1, &bitmap), 0);
    EXPECT_EQ(bitmap, (1ull << 2) | (1ull << 5));
    ASSERT_EQ(phv_get_dirty_log(g.vm, 1, &bitmap), 0);
    EXPECT_EQ(bitmap, 0u);
}

// A live migration reads the log while the guest runs: a store that lands while phv_get_dirty_log() copies
// and clears the log must be in this copy or the next, never in neither. Each round the guest writes each
// of 2048 pages exactly once while another thread keeps reading the log; the pages reported over the round
// (that thread's reads and a last one) must be all of them.
TEST(DirtyLog, ReadingWhileTheGuestStoresLosesNoPage) {
    phv::test::GuestCode g;
    constexpr uint64_t kPages = 2048;
    phv_userspace_memory_region r{1, PHV_MEM_LOG_DIRTY_PAGES, 0x4000000, kPages * 4096,
                                  reinterpret_cast<uint64_t>(g.ram) + 0x800000};
    ASSERT_EQ(phv_set_user_memory_region(g.vm, &r), 0);
    using namespace phv::test::enc;
    const uint32_t mtctr5 = mtspr(9, 5), bdnz_back2 = 16u << 26 | 16u << 21 | (uint32_t(-8) & 0xfffc);
    const auto prog = phv::test::with_done({addis(4, 0, 0x400), addi(5, 0, int32_t(kPages)), mtctr5,
                                            stw(4, 4, 0), addi(4, 4, 4096), bdnz_back2});
    std::mutex m;
    std::vector<uint64_t> seen(kPages / 64);
    auto take = [&] {
        uint64_t bm[kPages / 64];
        std::lock_guard<std::mutex> l(m);
        EXPECT_EQ(phv_get_dirty_log(g.vm, 1, bm), 0);
        for (size_t i = 0; i < kPages / 64; ++i)
            seen[i] |= bm[i];
    };
    std::atomic<bool> stop{false};
    std::thread reader([&] {
        while (!stop.load())
            take();
    });
    int rounds_short = 0;
    for (int round = 0; round < 300; ++round) {
        g.load(prog);
        g.run_to_done();
        take();
        std::lock_guard<std::mutex> l(m);
        uint64_t missing = 0;
        for (auto &w : seen) {
            missing += 64 - __builtin_popcountll(w);
            w = 0;
        }
        rounds_short += missing != 0;
    }
    stop = true;
    reader.join();
    EXPECT_EQ(rounds_short, 0);
}

// What a migration does with the log: a host thread keeps collecting it and copying each dirty page into a
// shadow while the guest stores to pseudo-random pages (an LCG picks page and offset); after the guest stops
// and one last collection, the shadow must equal guest memory byte for byte. A page whose bit is taken
// before its store lands, and not set again after, would leave the shadow stale.
TEST(DirtyLog, ShadowCopyOfAWriteHeavyGuestMatchesItsMemory) {
    phv::test::GuestCode g;
    constexpr uint64_t kPages = 1024, kBytes = kPages * 4096, kGpa = 0x4000000;
    uint8_t *const slot_mem = g.ram + 0x800000;
    phv_userspace_memory_region r{1, PHV_MEM_LOG_DIRTY_PAGES, kGpa, kBytes, reinterpret_cast<uint64_t>(slot_mem)};
    ASSERT_EQ(phv_set_user_memory_region(g.vm, &r), 0);
    std::vector<uint8_t> shadow(kBytes, 0);
    std::memset(slot_mem, 0, kBytes);
    uint64_t bm[kPages / 64];
    ASSERT_EQ(phv_get_dirty_log(g.vm, 1, bm), 0);   // start from a clean log

    // r5 = slot base, r6 = LCG state, r7 = value stored (counts up), r8/r9 = LCG constants, CTR = stores.
    const auto prog = phv::test::with_done({
        0x7cc641d2u,   // mulld  r6,r6,r8
        0x7cc64a14u,   // add    r6,r6,r9
        0x78ca55a0u,   // srdi   r10,r6,54          page: the top 10 bits
        0x78cba520u,   // rldicl r11,r6,20,52
        0x716b0ff8u,   // andi.  r11,r11,0xff8      offset: the next 12 bits, doubleword-aligned
        0x794a64e4u,   // sldi   r10,r10,12
        0x7d4a2a14u,   // add    r10,r10,r5
        0x7cea592au,   // stdx   r7,r10,r11
        0x38e70001u,   // addi   r7,r7,1
        0x4200ffdcu,   // bdnz   back to the mulld
    });
    std::mutex m;
    uint64_t collections = 0, pages_copied = 0;
    auto collect = [&] {
        std::lock_guard<std::mutex> l(m);
        EXPECT_EQ(phv_get_dirty_log(g.vm, 1, bm), 0);
        ++collections;
        for (uint64_t w = 0; w < kPages / 64; ++w)
            for (uint64_t bits = bm[w]; bits; bits &= bits - 1) {
                const uint64_t page = w * 64 + __builtin_ctzll(bits);
                // The guest may be storing to this page right now: a relaxed byte-wise copy is what a VMM
                // does, and the store that races it dirties the page again for the next collection.
                for (uint64_t i = 0; i < 4096; i += 8)
                    __atomic_load(reinterpret_cast<uint64_t *>(slot_mem + page * 4096 + i),
                                  reinterpret_cast<uint64_t *>(&shadow[page * 4096 + i]), __ATOMIC_RELAXED);
                ++pages_copied;
            }
    };
    std::atomic<bool> stop{false};
    std::thread collector([&] {
        while (!stop.load())
            collect();
    });
    uint64_t value = 1;
    for (int round = 0; round < 20; ++round) {
        g.load(prog);
        g.set_gpr(5, kGpa);
        g.set_gpr(6, 0x9e3779b97f4a7c15ull + uint64_t(round));
        g.set_gpr(7, value);
        g.set_gpr(8, 6364136223846793005ull);
        g.set_gpr(9, 1442695040888963407ull);
        g.set_reg(PHV_REG_PPC_CTR, 20000);
        g.run_to_done();
        value = g.gpr(7);
    }
    stop = true;
    collector.join();
    collect();
    EXPECT_EQ(value, 1u + 20 * 20000);
    uint64_t written = 0, stale = 0;
    for (uint64_t page = 0; page < kPages; ++page) {
        bool any = false;
        for (uint64_t i = 0; i < 4096 && !any; ++i)
            any = slot_mem[page * 4096 + i] != 0;
        written += any;
        stale += std::memcmp(&shadow[page * 4096], slot_mem + page * 4096, 4096) != 0;
    }
    EXPECT_EQ(written, kPages);   // 400000 stores over 1024 pages reach every one
    EXPECT_EQ(stale, 0u) << "after " << collections << " collections, " << pages_copied << " page copies";
}

} // namespace
