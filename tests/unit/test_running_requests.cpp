// Requests other threads make of a vcpu while it is running: the interrupt line, code invalidation (by the
// VMM or by another vcpu's store) and an LPCR update from another vcpu's H_SET_MODE. Each must reach a vcpu
// that loops on blocks it finds in the jump cache without leaving its run loop (kicks and the HPT resize hold
// have their own tests: RunExit.KickStopsALoopingGuest, HptResize.CommitHoldsARunningVcpu), and a block
// dropped meanwhile is not reached through another block's direct link. A watchdog
// kicks the vcpu after a few seconds, so a request that is never seen fails the test instead of hanging it.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "guest_code.h"
#include "vcpu/cpu_state.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint32_t kNop = 0x60000000;   // ori 0,0,0

class Watchdog {
public:
    explicit Watchdog(phv_vcpu *v)
        : thread_([this, v] {
              std::unique_lock l(m_);
              if (!cv_.wait_for(l, std::chrono::seconds(5), [this] { return stopped_; })) {
                  fired_ = true;
                  phv_vcpu_kick(v);
              }
          }) {}
    ~Watchdog() { stop(); }
    // Whether it had to kick.
    bool stop() {
        {
            std::lock_guard l(m_);
            stopped_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable())
            thread_.join();
        return fired_;
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    bool stopped_ = false, fired_ = false;
    std::thread thread_;   // last: it starts once the rest is constructed
};

void set(phv_vcpu *v, uint64_t id, uint64_t val) {
    phv_one_reg r{id, reinterpret_cast<uint64_t>(&val)};
    ASSERT_EQ(phv_set_one_reg(v, &r), 0);
}

uint64_t get(phv_vcpu *v, uint64_t id) {
    uint64_t val = 0;
    phv_one_reg r{id, reinterpret_cast<uint64_t>(&val)};
    EXPECT_EQ(phv_get_one_reg(v, &r), 0);
    return val;
}

void pause() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

TEST(RunningRequests, InterruptLineReachesALoopingVcpu) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // ILE: the handler runs little-endian like the test code
    g.load(with_done({addi(5, 0, 5)}), 0x500);
    g.load({b(0)});
    g.set_reg(PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME | phv::msr::LE | phv::msr::EE);
    Watchdog w(g.vcpu);
    std::thread raiser([&] {
        pause();
        phv_interrupt(g.vcpu, PHV_INTERRUPT_SET);
    });
    g.run_to_done();
    raiser.join();
    EXPECT_FALSE(w.stop());
    EXPECT_EQ(g.gpr(5), 5u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), GuestCode::kCodeBase);
    ASSERT_EQ(phv_interrupt(g.vcpu, PHV_INTERRUPT_UNSET), 0);
}

TEST(RunningRequests, VmmCodeInvalidationReachesALoopingVcpu) {
    GuestCode g;
    g.load(with_done({b(0), addi(20, 0, 7)}));
    Watchdog w(g.vcpu);
    std::thread rewriter([&] {
        pause();
        __atomic_store_n(reinterpret_cast<uint32_t *>(g.ram + GuestCode::kCodeBase), kNop, __ATOMIC_RELEASE);
        phv_invalidate_code(g.vm, GuestCode::kCodeBase, 4);
    });
    g.run_to_done();
    rewriter.join();
    EXPECT_FALSE(w.stop());
    EXPECT_EQ(g.gpr(20), 7u);
}

// Block A (one page) and block B (the next) branch to each other, so each is linked to the other. The VMM
// rewrites B's page: A's link to the dropped B must not be followed (the block cache's epoch has moved on).
// The new B goes back to A once before it ends, so A's stale link is met whichever block runs first.
TEST(RunningRequests, DroppedBlocksAreNotReachedThroughLinks) {
    GuestCode g;
    constexpr uint64_t kB = GuestCode::kCodeBase + 0x1000;
    g.load({addi(5, 5, 1), b(0x1000 - 4)});
    g.load({addi(6, 6, 1), b(-0x1000 - 4)}, kB);
    g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
    Watchdog w(g.vcpu);
    std::thread rewriter([&] {
        pause();
        const uint32_t cmpwi_r20_2 = D(11, 0, 20, 2), beq_plus12 = 16u << 26 | 12u << 21 | 2u << 16 | 12;
        const uint32_t words[] = {addi(20, 20, 1), cmpwi_r20_2, beq_plus12, b(-0x100c), kNop,
                                  addi(3, 0, int32_t(GuestCode::kDone)), sc(1)};
        for (size_t i = 0; i < std::size(words); ++i)
            __atomic_store_n(reinterpret_cast<uint32_t *>(g.ram + kB) + i, words[i], __ATOMIC_RELEASE);
        phv_invalidate_code(g.vm, kB, 4096);
    });
    g.run_to_done();
    rewriter.join();
    EXPECT_FALSE(w.stop());
    EXPECT_EQ(g.gpr(20), 2u);
    EXPECT_GT(g.gpr(5), 1u);   // A and B ran in turn, linked to each other
    EXPECT_GT(g.gpr(6), 0u);
}

// Vcpu 1 stores over the branch vcpu 0 is looping on: vcpu 0 drops the block at its next boundary.
TEST(RunningRequests, AnotherVcpusStoreReachesALoopingVcpu) {
    GuestCode g;
    g.load(with_done({b(0), addi(20, 0, 8)}));
    phv_vcpu *v1 = nullptr;
    ASSERT_EQ(phv_create_vcpu(g.vm, 1, &v1), 0);
    constexpr uint64_t kStorer = 0x20000;
    g.load(with_done({stw(7, 4, 0)}), kStorer);
    g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
    set(v1, PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME | phv::msr::LE);
    set(v1, PHV_REG_PPC_NIP, kStorer);
    set(v1, PHV_REG_PPC_GPR(4), GuestCode::kCodeBase);
    set(v1, PHV_REG_PPC_GPR(7), kNop);

    Watchdog w(g.vcpu);
    std::thread looper([&] { g.run_to_done(); });
    pause();   // vcpu 0 has built its block and loops in it
    EXPECT_EQ(phv_vcpu_run(v1), 0);
    EXPECT_EQ(phv_vcpu_run_struct(v1)->exit_reason, uint32_t(PHV_EXIT_PAPR_HCALL));
    looper.join();
    EXPECT_FALSE(w.stop());
    EXPECT_EQ(g.gpr(20), 8u);
}

// Vcpu 0's H_SET_MODE(LPCR[ILE]) reaches vcpu 1 while it spins on a flag; its system call then enters the
// handler little-endian. Were the update not applied, the handler's words would decode big-endian and never
// reach the end marker.
TEST(RunningRequests, LpcrUpdateReachesALoopingVcpu) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_LPCR_64, 0);
    phv_vcpu *v1 = nullptr;
    ASSERT_EQ(phv_create_vcpu(g.vm, 1, &v1), 0);
    set(v1, PHV_REG_PPC_LPCR_64, 0);
    constexpr uint64_t kSpin = 0x20000, kFlag = 0x30000;
    const uint32_t cmpwi_r5_0 = D(11, 0, 5, 0), beq_minus8 = 16u << 26 | 12u << 21 | 2u << 16 | (uint32_t(-8) & 0xfffc);
    g.load({lwz(5, 4, 0), cmpwi_r5_0, beq_minus8, sc(0)}, kSpin);
    g.load(with_done({addi(30, 0, 0xc)}), 0xc00);
    set(v1, PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME | phv::msr::LE);
    set(v1, PHV_REG_PPC_NIP, kSpin);
    set(v1, PHV_REG_PPC_GPR(4), kFlag);

    Watchdog w(v1);
    int rc = -1;
    std::thread spinner([&] { rc = phv_vcpu_run(v1); });
    pause();
    // H_SET_MODE(mflags=1, resource=4): LPCR[ILE]=1 for every vcpu.
    g.load(with_done({addi(3, 0, 0x31c), addi(4, 0, 1), addi(5, 0, 4), addi(6, 0, 0), addi(7, 0, 0), sc(1),
                      ori(20, 3, 0)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(20), 0u);
    __atomic_store_n(reinterpret_cast<uint32_t *>(g.ram + kFlag), 1u, __ATOMIC_RELEASE);
    spinner.join();
    EXPECT_FALSE(w.stop());
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(phv_vcpu_run_struct(v1)->exit_reason, uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(get(v1, PHV_REG_PPC_GPR(30)), 0xcu);
    EXPECT_EQ(get(v1, PHV_REG_PPC_SRR0), kSpin + 16);
    EXPECT_NE(get(v1, PHV_REG_PPC_MSR) & phv::msr::LE, 0u);
}

} // namespace
