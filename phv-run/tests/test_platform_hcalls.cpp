// The splpar hcalls (H_REGISTER_VPA, H_PROD, H_CONFER), H_RANDOM, H_LOGICAL_CI_LOAD/STORE and event-scan.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "byte_order.h"
#include "fakes.h"
#include "papr.h"
#include "platform_hcalls.h"
#include "splpar.h"

namespace phvrun {
namespace {

constexpr uint64_t kRegVpa = 1ull << 45, kRegDtl = 2ull << 45, kRegSlb = 3ull << 45, kDeregVpa = 5ull << 45,
                   kDeregDtl = 6ull << 45, kDeregSlb = 7ull << 45;

struct PlatformTest : ::testing::Test {
    std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 16, 0);
    GuestMemory mem{ram.data(), ram.size()};
    VmControl control{2};
    VpaRegistry vpa{mem, 2};
    HcallTable hcalls;

    void SetUp() override {
        ASSERT_TRUE(register_splpar_hcalls(hcalls, vpa, control));
        ASSERT_TRUE(register_platform_hcalls(hcalls, mem));
    }
    int64_t hcall(uint64_t opcode, std::vector<uint64_t> args, HcallArgs *out = nullptr) {
        HcallArgs a;
        a.opcode = opcode;
        std::copy(args.begin(), args.end(), a.args.begin());
        const int64_t rc = hcalls.call({0, 0}, a).value_or(-999);
        if (out)
            *out = a;
        return rc;
    }
    // An area whose length field (16 bits for a VPA, 32 for the others) is at offset 4.
    void area16(uint64_t gpa, uint16_t len) { ram[gpa + 4] = uint8_t(len >> 8), ram[gpa + 5] = uint8_t(len); }
    void area32(uint64_t gpa, uint32_t len) { store_be32(&ram[gpa + 4], len); }
};

TEST_F(PlatformTest, VpaThenDtlAndSlbShadowInPaprOrder) {
    area16(0x2000, 0x280);
    area32(0x3000, 48 * 10);
    area32(0x4000, 0x100);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegDtl, 1, 0x3000}), papr::H_RESOURCE) << "no VPA yet";
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegSlb, 1, 0x4000}), papr::H_RESOURCE);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegVpa, 1, 0x2000}), papr::H_SUCCESS);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegDtl, 1, 0x3000}), papr::H_SUCCESS);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegSlb, 1, 0x4000}), papr::H_SUCCESS);
    const auto a = vpa.areas(1);
    EXPECT_EQ(a.vpa, 0x2000u);
    EXPECT_EQ(a.dtl, 0x3000u);
    EXPECT_EQ(a.dtl_size, 480u);
    EXPECT_EQ(a.slb_shadow, 0x4000u);
    EXPECT_EQ(vpa.areas(0).vpa, 0u) << "per vcpu";
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kDeregVpa, 1, 0}), papr::H_RESOURCE) << "DTL and SLB still there";
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kDeregDtl, 1, 0}), papr::H_SUCCESS);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kDeregSlb, 1, 0}), papr::H_SUCCESS);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kDeregVpa, 1, 0}), papr::H_SUCCESS);
    EXPECT_EQ(vpa.areas(1).vpa, 0u);
}

TEST_F(PlatformTest, BadVpaRegistrationsAreParameterErrors) {
    area16(0x2000, 0x280);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegVpa, 2, 0x2000}), papr::H_PARAMETER) << "no such vcpu";
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegVpa, 0, 0x2040}), papr::H_PARAMETER) << "not a cache line";
    area16(0x2f80, 0x280);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegVpa, 0, 0x2f80}), papr::H_PARAMETER) << "crosses a page";
    area16(0x5000, 0x100);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegVpa, 0, 0x5000}), papr::H_PARAMETER) << "too short";
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegVpa, 0, 1 << 20}), papr::H_PARAMETER) << "outside RAM";
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {0, 0, 0x2000}), papr::H_PARAMETER) << "no subfunction";
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {4ull << 45, 0, 0x2000}), papr::H_PARAMETER);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegVpa, 0, 0x2000}), papr::H_SUCCESS);
    area32(0x3000, 40);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegDtl, 0, 0x3000}), papr::H_PARAMETER) << "less than one entry";
    area32(0xff00, 0x1000);
    EXPECT_EQ(hcall(papr::H_REGISTER_VPA, {kRegDtl, 0, 0xff00}), papr::H_PARAMETER) << "runs out of RAM";
}

TEST_F(PlatformTest, ProdWakesACededVcpu) {
    EXPECT_EQ(hcall(papr::H_PROD, {2}), papr::H_PARAMETER);
    const auto start = std::chrono::steady_clock::now();
    std::thread sleeper([&] { control.sleep(1, start + std::chrono::seconds(20)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(hcall(papr::H_PROD, {1}), papr::H_SUCCESS);
    sleeper.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    // A prod before the cede makes the cede return at once.
    EXPECT_EQ(hcall(papr::H_PROD, {0}), papr::H_SUCCESS);
    const auto t0 = std::chrono::steady_clock::now();
    control.sleep(0, t0 + std::chrono::seconds(20));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

TEST_F(PlatformTest, ConferTakesAnyCpuOrAll) {
    EXPECT_EQ(hcall(papr::H_CONFER, {uint64_t(-1), 0}), papr::H_SUCCESS);
    EXPECT_EQ(hcall(papr::H_CONFER, {1, 7}), papr::H_SUCCESS);
    EXPECT_EQ(hcall(papr::H_CONFER, {2, 0}), papr::H_PARAMETER);
    EXPECT_EQ(hcalls.hypertas(), std::vector<std::string>{"hcall-splpar"});
}

TEST_F(PlatformTest, CpuCharacteristicsNeedNoMitigation) {
    HcallArgs out;
    out.args[0] = out.args[1] = 0xdead;
    ASSERT_EQ(hcall(papr::H_GET_CPU_CHARACTERISTICS, {}, &out), papr::H_SUCCESS);
    EXPECT_EQ(out.args[0], 0u);
    // No FAVOUR_SECURITY (bit 0), no L1D_FLUSH_PR (1), no BNDS_CHK_SPEC_BAR (2); NO_L1D_FLUSH_ENTRY (7),
    // NO_L1D_FLUSH_UACCESS (8), NO_STF_BARRIER (9).
    EXPECT_EQ(out.args[1], 0x01c0000000000000u);
}

TEST_F(PlatformTest, RandomGivesFreshBits) {
    HcallArgs a, b;
    ASSERT_EQ(hcall(papr::H_RANDOM, {}, &a), papr::H_SUCCESS);
    ASSERT_EQ(hcall(papr::H_RANDOM, {}, &b), papr::H_SUCCESS);
    EXPECT_NE(a.args[0], b.args[0]) << "2^-64 odds";
}

TEST_F(PlatformTest, LogicalCiAccessIsBigEndianAndAligned) {
    EXPECT_EQ(hcall(papr::H_LOGICAL_CI_STORE, {4, 0x100, 0x11223344}), papr::H_SUCCESS);
    EXPECT_EQ(ram[0x100], 0x11);
    EXPECT_EQ(ram[0x103], 0x44);
    HcallArgs out;
    EXPECT_EQ(hcall(papr::H_LOGICAL_CI_LOAD, {2, 0x102}, &out), papr::H_SUCCESS);
    EXPECT_EQ(out.args[0], 0x3344u);
    EXPECT_EQ(hcall(papr::H_LOGICAL_CI_STORE, {8, 0x108, 0x0102030405060708}), papr::H_SUCCESS);
    EXPECT_EQ(hcall(papr::H_LOGICAL_CI_LOAD, {8, 0x108}, &out), papr::H_SUCCESS);
    EXPECT_EQ(out.args[0], 0x0102030405060708u);
    EXPECT_EQ(hcall(papr::H_LOGICAL_CI_LOAD, {1, 0x10f}, &out), papr::H_SUCCESS);
    EXPECT_EQ(out.args[0], 8u);
    EXPECT_EQ(hcall(papr::H_LOGICAL_CI_LOAD, {3, 0x100}), papr::H_PARAMETER);
    EXPECT_EQ(hcall(papr::H_LOGICAL_CI_LOAD, {4, 0x102}), papr::H_PARAMETER) << "unaligned";
    EXPECT_EQ(hcall(papr::H_LOGICAL_CI_LOAD, {8, 1 << 16}), papr::H_PARAMETER) << "outside RAM";
    EXPECT_EQ(hcall(papr::H_LOGICAL_CI_STORE, {8, 1 << 16, 0}), papr::H_PARAMETER);
}

TEST(RtasEvents, EventScanFindsNothing) {
    std::vector<uint8_t> ram(0x2000, 0);
    GuestMemory mem{ram.data(), ram.size()};
    test::CapturedLog cap;
    Rtas rtas{mem, cap.log()};
    ASSERT_TRUE(register_rtas_events(rtas));
    const uint32_t cells[] = {rtas_token::kEventScan, 4, 1, 0xffffffff, 0, 0x1800, 2048, 0xdead};
    for (size_t i = 0; i < 8; ++i)
        store_be32(&ram[0x100 + 4 * i], cells[i]);
    EXPECT_EQ(rtas.handle(0, 0, 0x100), papr::H_SUCCESS);
    EXPECT_EQ(load_be32(&ram[0x100 + 28]), uint32_t(papr::RTAS_OUT_NO_ERRORS_FOUND));
}

} // namespace
} // namespace phvrun
