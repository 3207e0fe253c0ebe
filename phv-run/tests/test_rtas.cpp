// RTAS through KVMPPC_H_RTAS: argument-buffer validation (bad counts and addresses are errors, never
// crashes) and the functions phv-run implements.
#include <gtest/gtest.h>

#include <cstring>

#include "byte_order.h"
#include "fakes.h"
#include "rtas.h"
#include "rtas_functions.h"
#include "services.h"

namespace phvrun {
namespace {

using test::CapturedLog;
using test::FakeConsole;

constexpr uint64_t kRam = 1 << 20;
constexpr uint64_t kBuf = 0x8000;

// 2023-11-14 22:13:20.5 UTC
constexpr int64_t kFixedNow = 1700000000ll * 1000000000 + 500000000;

struct RtasTest : ::testing::Test {
    std::vector<uint8_t> ram = std::vector<uint8_t>(kRam, 0);
    GuestMemory mem{ram.data(), ram.size()};
    CapturedLog cap;
    FakeConsole console;
    VmControl control{2};
    TimeOfDay tod{[] { return kFixedNow; }};
    HcallTable hcalls;
    Rtas rtas{mem, cap.log()};
    Xics xics{2, {}};
    VpaRegistry vpa{mem, 2};

    void SetUp() override {
        control.set_running(0);
        auto ok = register_services({hcalls, rtas, console, control, tod, cap.log(), {}, xics, vpa, mem});
        ASSERT_TRUE(ok) << ok.error();
    }

    // Clears 256 bytes at gpa, then writes {token, nargs, nret, args..., 0xffffffff x nret} (the counts as
    // given, but at most 16 return cells, so a corrupt count stays a small buffer).
    void write_call(uint64_t gpa, uint32_t token, uint32_t nargs, uint32_t nret, std::vector<uint32_t> args) {
        std::fill(ram.begin() + long(gpa), ram.begin() + long(std::min(gpa + 256, kRam)), 0);
        std::vector<uint32_t> cells{token, nargs, nret};
        cells.insert(cells.end(), args.begin(), args.end());
        for (uint32_t i = 0; i < std::min(nret, 16u); ++i)
            cells.push_back(0xffffffff);
        for (size_t i = 0; i < cells.size(); ++i)
            store_be32(&ram[gpa + 4 * i], cells[i]);
    }
    uint32_t cell(uint64_t gpa, unsigned i) { return load_be32(&ram[gpa + 4 * i]); }

    // The full guest path: the private hcall with r4 = buffer.
    int64_t hcall_rtas(uint64_t r4) {
        HcallArgs a;
        a.opcode = papr::KVMPPC_H_RTAS;
        a.args[0] = r4;
        return hcalls.call({0, 0x100}, a).value_or(-999);
    }

    // Returns the status cell of a well-formed call.
    int32_t call(uint32_t token, uint32_t nargs, uint32_t nret, std::vector<uint32_t> args) {
        write_call(kBuf, token, nargs, nret, args);
        EXPECT_EQ(hcall_rtas(kBuf), papr::H_SUCCESS);
        return int32_t(cell(kBuf, 3 + nargs));
    }
};

TEST_F(RtasTest, TokensAreAdvertisedForTheTree) {
    const auto props = rtas.token_properties();
    auto token_of = [&](const std::string &name) -> int64_t {
        for (const auto &p : props)
            if (p.name == name)
                return p.token;
        return -1;
    };
    EXPECT_EQ(token_of("power-off"), 0x2003);
    EXPECT_EQ(token_of("ibm,os-term"), 0x201f);
    EXPECT_EQ(token_of("get-time-of-day"), 0x2001);
    EXPECT_EQ(token_of("display-character"), 0x2000);
    EXPECT_EQ(token_of("start-cpu"), 0x2006);
    EXPECT_EQ(token_of("query-cpu-stopped-state"), 0x2005);
    EXPECT_FALSE(rtas.register_function("power-off", 0x3000, 0, 1, [](const RtasContext &, RtasCall &) {}));
    EXPECT_FALSE(rtas.register_function("other", 0x2003, 0, 1, [](const RtasContext &, RtasCall &) {}));
}

TEST_F(RtasTest, PowerOffEndsTheRunWithStatusZero) {
    EXPECT_EQ(call(rtas_token::kPowerOff, 2, 1, {0xffffffff, 0xffffffff}), papr::RTAS_OUT_SUCCESS);
    EXPECT_TRUE(control.ending());
    EXPECT_EQ(control.exit_status(), kExitPowerOff);
}

TEST_F(RtasTest, WrongArgumentCountsAreParameterErrors) {
    EXPECT_EQ(call(rtas_token::kPowerOff, 1, 1, {0}), papr::RTAS_OUT_PARAM_ERROR);
    EXPECT_EQ(call(rtas_token::kPowerOff, 2, 2, {0, 0}), papr::RTAS_OUT_PARAM_ERROR);
    EXPECT_EQ(call(rtas_token::kGetTimeOfDay, 0, 1, {}), papr::RTAS_OUT_PARAM_ERROR);
    EXPECT_FALSE(control.ending()) << "a malformed power-off must not power off";
    // nret 0: nothing can be returned, and nothing is written.
    write_call(kBuf, rtas_token::kPowerOff, 2, 0, {1, 2});
    EXPECT_EQ(hcall_rtas(kBuf), papr::H_SUCCESS);
    EXPECT_EQ(cell(kBuf, 5), 0u);
    EXPECT_FALSE(control.ending());
}

TEST_F(RtasTest, UnknownTokenIsAParameterErrorLoggedOnce) {
    EXPECT_EQ(call(0x2999, 0, 1, {}), papr::RTAS_OUT_PARAM_ERROR);
    EXPECT_EQ(call(0x2999, 0, 1, {}), papr::RTAS_OUT_PARAM_ERROR);
    const auto lines = cap.lines();
    ASSERT_EQ(lines.size(), 1u) << cap.text();
    EXPECT_NE(lines[0].find("unhandled RTAS token 0x2999"), std::string::npos);
}

TEST_F(RtasTest, BuffersOutsideRamAreRejectedWithoutTouchingMemory) {
    const std::vector<uint8_t> before = ram;
    EXPECT_EQ(hcall_rtas(kRam), papr::H_PARAMETER);
    EXPECT_EQ(hcall_rtas(kRam - 8), papr::H_PARAMETER) << "header runs past RAM";
    EXPECT_EQ(hcall_rtas(~0ull), papr::H_PARAMETER);
    EXPECT_EQ(hcall_rtas(~0ull - 3), papr::H_PARAMETER);
    EXPECT_EQ(hcall_rtas(0x0fffffffffffffffull), papr::H_PARAMETER);
    EXPECT_EQ(ram, before);

    // Header inside RAM, return cells beyond it.
    write_call(kRam - 16, rtas_token::kPowerOff, 2, 1, {});
    EXPECT_EQ(hcall_rtas(kRam - 16), papr::H_PARAMETER);
    // Absurd counts (a corrupt buffer) neither allocate nor read.
    write_call(kBuf, rtas_token::kPowerOff, 0xffffffff, 0xffffffff, {});
    EXPECT_EQ(hcall_rtas(kBuf), papr::H_PARAMETER);
    write_call(kBuf, rtas_token::kPowerOff, 2000, 1, {});
    EXPECT_EQ(hcall_rtas(kBuf), papr::H_PARAMETER);
    EXPECT_FALSE(control.ending());
    EXPECT_NE(cap.text().find("claims nargs 4294967295 nret 4294967295"), std::string::npos) << cap.text();
    EXPECT_NE(cap.text().find("is not in guest RAM"), std::string::npos) << cap.text();
}

TEST_F(RtasTest, KernelLinearMapAddressesWork) {
    write_call(kBuf, rtas_token::kDisplayCharacter, 1, 1, {'x'});
    EXPECT_EQ(hcall_rtas(0xc000000000000000ull | kBuf), papr::H_SUCCESS);
    EXPECT_EQ(cell(kBuf, 4), 0u);
    EXPECT_EQ(console.out, "x");
}

TEST_F(RtasTest, DisplayCharacterWritesTheConsole) {
    EXPECT_EQ(call(rtas_token::kDisplayCharacter, 1, 1, {'O'}), 0);
    EXPECT_EQ(call(rtas_token::kDisplayCharacter, 1, 1, {'K'}), 0);
    EXPECT_EQ(console.out, "OK");
}

TEST_F(RtasTest, GetTimeOfDayReturnsUtcFields) {
    EXPECT_EQ(call(rtas_token::kGetTimeOfDay, 0, 8, {}), 0);
    const uint32_t want[] = {2023, 11, 14, 22, 13, 20, 500000000};
    for (unsigned i = 0; i < 7; ++i)
        EXPECT_EQ(cell(kBuf, 4 + i), want[i]) << "field " << i;
}

TEST_F(RtasTest, SetTimeOfDayShiftsWhatGetReturns) {
    EXPECT_EQ(call(rtas_token::kSetTimeOfDay, 7, 1, {2000, 2, 29, 1, 2, 3, 4}), 0);
    EXPECT_EQ(call(rtas_token::kGetTimeOfDay, 0, 8, {}), 0);
    const uint32_t want[] = {2000, 2, 29, 1, 2, 3, 4};
    for (unsigned i = 0; i < 7; ++i)
        EXPECT_EQ(cell(kBuf, 4 + i), want[i]) << "field " << i;
    EXPECT_EQ(call(rtas_token::kSetTimeOfDay, 7, 1, {2001, 2, 29, 0, 0, 0, 0}), papr::RTAS_OUT_PARAM_ERROR);
    EXPECT_EQ(call(rtas_token::kSetTimeOfDay, 7, 1, {2001, 1, 1, 24, 0, 0, 0}), papr::RTAS_OUT_PARAM_ERROR);
    EXPECT_EQ(call(rtas_token::kSetTimeOfDay, 7, 1, {0xffffffff, 1, 1, 0, 0, 0, 0}), papr::RTAS_OUT_PARAM_ERROR);
}

TEST_F(RtasTest, OsTermLogsTheMessageAndExitsWithOne) {
    std::strcpy(reinterpret_cast<char *>(&ram[0x9000]), "kernel panic\x1b[2J");
    EXPECT_EQ(call(rtas_token::kIbmOsTerm, 1, 1, {0x9000}), 0);
    EXPECT_EQ(control.exit_status(), kExitOsTerm);
    EXPECT_NE(cap.text().find("OS terminated: kernel panic?[2J"), std::string::npos) << cap.text();
}

TEST_F(RtasTest, OsTermWithABadPointerStillTerminates) {
    EXPECT_EQ(call(rtas_token::kIbmOsTerm, 1, 1, {0xfffffff0}), 0);
    EXPECT_EQ(control.exit_status(), kExitOsTerm);
    EXPECT_NE(cap.text().find("not in RAM"), std::string::npos) << cap.text();
}

TEST_F(RtasTest, StartCpuAndQueryStoppedState) {
    EXPECT_EQ(call(rtas_token::kQueryCpuStoppedState, 1, 2, {1}), 0);
    EXPECT_EQ(cell(kBuf, 5), uint32_t(CpuRunState::Stopped));
    EXPECT_EQ(call(rtas_token::kQueryCpuStoppedState, 1, 2, {0}), 0);
    EXPECT_EQ(cell(kBuf, 5), uint32_t(CpuRunState::Running));
    EXPECT_EQ(call(rtas_token::kQueryCpuStoppedState, 1, 2, {7}), papr::RTAS_OUT_PARAM_ERROR);

    EXPECT_EQ(call(rtas_token::kStartCpu, 3, 1, {1, 0x6000, 42}), 0);
    EXPECT_EQ(call(rtas_token::kQueryCpuStoppedState, 1, 2, {1}), 0);
    EXPECT_EQ(cell(kBuf, 5), uint32_t(CpuRunState::Running));
    EXPECT_EQ(call(rtas_token::kStartCpu, 3, 1, {1, 0x6000, 42}), papr::RTAS_OUT_HW_ERROR) << "already started";
    EXPECT_EQ(call(rtas_token::kStartCpu, 3, 1, {0, 0x6000, 42}), papr::RTAS_OUT_HW_ERROR) << "running";
    EXPECT_EQ(call(rtas_token::kStartCpu, 3, 1, {2, 0x6000, 42}), papr::RTAS_OUT_PARAM_ERROR) << "no such cpu";

    const auto start = control.wait_for_start(1);
    ASSERT_TRUE(start);
    EXPECT_EQ(start->nip, 0x6000u);
    EXPECT_EQ(start->r3, 42u);
    EXPECT_FALSE(start->interrupts_le);
}

TEST(DateTime, RoundTripsAndRejectsImpossibleDates) {
    const DateTime t = unix_ns_to_datetime(0);
    EXPECT_EQ(t.year, 1970);
    EXPECT_EQ(t.month, 1u);
    EXPECT_EQ(t.day, 1u);
    EXPECT_EQ(datetime_to_unix_ns({1970, 1, 1, 0, 0, 1, 5}), 1000000005);
    const DateTime before = unix_ns_to_datetime(-1);
    EXPECT_EQ(before.year, 1969);
    EXPECT_EQ(before.second, 59u);
    EXPECT_EQ(before.ns, 999999999u);
    EXPECT_EQ(datetime_to_unix_ns(before), -1);
    EXPECT_FALSE(datetime_to_unix_ns({2023, 13, 1, 0, 0, 0, 0}));
    EXPECT_FALSE(datetime_to_unix_ns({2023, 4, 31, 0, 0, 0, 0}));
    EXPECT_FALSE(datetime_to_unix_ns({2023, 1, 1, 0, 60, 0, 0}));
    EXPECT_FALSE(datetime_to_unix_ns({2023, 1, 1, 0, 0, 0, 1000000000}));
}

} // namespace
} // namespace phvrun
