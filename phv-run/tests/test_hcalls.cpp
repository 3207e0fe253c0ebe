// The hcall table, the unknown-hcall answer (H_FUNCTION plus one log line) and the vty hcalls.
#include <gtest/gtest.h>

#include "fakes.h"
#include "hcall_dispatch.h"
#include "hcalls.h"
#include "vty.h"

namespace phvrun {
namespace {

using test::CapturedLog;
using test::FakeConsole;

HcallHandler returns(int64_t v) {
    return [v](const HcallContext &, HcallArgs &) { return v; };
}

TEST(HcallTable, RegistersOnlyValidOpcodesOnce) {
    HcallTable t;
    EXPECT_TRUE(t.register_hcall(0x58, returns(1)));
    EXPECT_FALSE(t.register_hcall(0x58, returns(2))) << "second handler for one opcode";
    EXPECT_FALSE(t.register_hcall(0, returns(1))) << "opcode 0";
    EXPECT_FALSE(t.register_hcall(0x5a, returns(1))) << "not a multiple of 4";
    EXPECT_FALSE(t.register_hcall(papr::MAX_HCALL_OPCODE + 4, returns(1))) << "beyond PAPR's range";
    EXPECT_FALSE(t.register_hcall(0x2000000, returns(1)));
    EXPECT_TRUE(t.register_hcall(0xf000, returns(3))) << "KVMPPC_H_RTAS";
    EXPECT_FALSE(t.register_hcall(0xf000 + HcallTable::kPrivateCount, returns(1)));
    EXPECT_FALSE(t.register_hcall(0x5c, HcallHandler{})) << "empty handler";
    EXPECT_TRUE(t.has(0x58));
    EXPECT_TRUE(t.has(0xf000));
    EXPECT_FALSE(t.has(0x5c));
    EXPECT_FALSE(t.has(~0ull));

    HcallArgs a;
    a.opcode = 0xf000;
    EXPECT_EQ(t.call({0, 0}, a), 3);
    a.opcode = 0x5c;
    EXPECT_FALSE(t.call({0, 0}, a));
}

TEST(HcallTable, HypertasSetsAreListedOnce) {
    HcallTable t;
    t.add_hypertas("hcall-term");
    t.add_hypertas("hcall-term");
    t.add_hypertas("hcall-splpar");
    EXPECT_EQ(t.hypertas(), (std::vector<std::string>{"hcall-term", "hcall-splpar"}));
}

TEST(HcallDispatch, UnknownHcallIsHFunctionWithOneLogLine) {
    HcallTable t;
    CapturedLog cap;
    HcallArgs a;
    a.opcode = 0x31c;  // H_SET_MODE
    a.args[0] = 7;
    for (int i = 0; i < 5; ++i) {
        HcallArgs copy = a;
        EXPECT_EQ(dispatch_hcall(t, cap.log(), {1, 0x1234}, copy), papr::H_FUNCTION);
        EXPECT_EQ(copy.args, a.args) << "outputs are untouched";
    }
    auto lines = cap.lines();
    ASSERT_EQ(lines.size(), 1u) << cap.text();
    EXPECT_NE(lines[0].find("phv-run: cpu 1: unimplemented H_SET_MODE (0x31c) at nip 0x1234"), std::string::npos)
        << lines[0];
    EXPECT_NE(lines[0].find("H_FUNCTION"), std::string::npos);

    // A different opcode, including one with no name and one outside every range, gets its own line.
    HcallArgs b;
    b.opcode = 0x4444;
    EXPECT_EQ(dispatch_hcall(t, cap.log(), {0, 0}, b), papr::H_FUNCTION);
    b.opcode = ~0ull;
    EXPECT_EQ(dispatch_hcall(t, cap.log(), {0, 0}, b), papr::H_FUNCTION);
    lines = cap.lines();
    ASSERT_EQ(lines.size(), 3u) << cap.text();
    EXPECT_NE(lines[1].find("hcall 0x4444"), std::string::npos) << lines[1];
}

TEST(HcallDispatch, ManyDistinctUnknownHcallsAreCappedWithANotice) {
    HcallTable t;
    CapturedLog cap;
    for (uint64_t i = 1; i <= 200; ++i) {
        HcallArgs a;
        a.opcode = 4 * i;
        EXPECT_EQ(dispatch_hcall(t, cap.log(), {0, 0}, a), papr::H_FUNCTION);
    }
    const auto lines = cap.lines();
    ASSERT_EQ(lines.size(), DebugLog::kMaxKeysPerKind + 1) << cap.text();
    EXPECT_NE(lines.back().find("further 'hcall' messages are suppressed"), std::string::npos) << lines.back();
}

TEST(HcallDispatch, KnownProbesAreAnsweredQuietly) {
    HcallTable t;
    test::CapturedLog quiet, loud(kDebugUnimp);
    HcallArgs a;
    a.opcode = 0x398;   // H_QUERY_VAS_CAPABILITIES
    EXPECT_EQ(dispatch_hcall(t, quiet.log(), {0, 0}, a), papr::H_FUNCTION);
    EXPECT_TRUE(quiet.lines().empty());
    EXPECT_EQ(dispatch_hcall(t, loud.log(), {0, 0}, a), papr::H_FUNCTION);
    EXPECT_EQ(loud.lines().size(), 1u);
}

TEST(HcallDispatch, DebugUnimpLogsEveryCall) {
    HcallTable t;
    CapturedLog cap(kDebugUnimp);
    for (int i = 0; i < 3; ++i) {
        HcallArgs a;
        a.opcode = 0x31c;
        dispatch_hcall(t, cap.log(), {0, 0}, a);
    }
    EXPECT_EQ(cap.lines().size(), 3u);
}

TEST(HcallDispatch, KnownHcallsAreSilentUnlessAsked) {
    HcallTable t;
    t.register_hcall(0x58, [](const HcallContext &, HcallArgs &a) {
        a.args[0] = 99;
        return int64_t(-4);
    });
    CapturedLog quiet;
    HcallArgs a;
    a.opcode = 0x58;
    EXPECT_EQ(dispatch_hcall(t, quiet.log(), {0, 0}, a), -4);
    EXPECT_EQ(a.args[0], 99u);
    EXPECT_EQ(quiet.text(), "");

    CapturedLog loud(kDebugHcall);
    dispatch_hcall(t, loud.log(), {0, 0}, a);
    ASSERT_EQ(loud.lines().size(), 1u);
    EXPECT_NE(loud.lines()[0].find("H_PUT_TERM_CHAR (0x58)"), std::string::npos) << loud.text();
}

TEST(HcallNames, KnowsCommonOpcodes) {
    EXPECT_STREQ(papr::hcall_name(0x58), "H_PUT_TERM_CHAR");
    EXPECT_STREQ(papr::hcall_name(0xe0), "H_CEDE");
    EXPECT_STREQ(papr::hcall_name(0xf000), "KVMPPC_H_RTAS");
    EXPECT_EQ(papr::hcall_name(0x5a), nullptr);
}

struct VtyTest : ::testing::Test {
    HcallTable table;
    FakeConsole console;
    void SetUp() override { ASSERT_TRUE(register_vty_hcalls(table, console)); }

    int64_t call(uint64_t opcode, std::array<uint64_t, 9> &args) {
        HcallArgs a;
        a.opcode = opcode;
        a.args = args;
        auto r = table.call({0, 0}, a);
        EXPECT_TRUE(r);
        args = a.args;
        return r.value_or(-999);
    }
};

TEST_F(VtyTest, PutTermCharUnpacksBigEndianRegisters) {
    std::array<uint64_t, 9> a{0x71000000, 10, 0x48656c6c6f2c2077ull /* "Hello, w" */, 0x6f0a000000000000ull};
    EXPECT_EQ(call(papr::H_PUT_TERM_CHAR, a), papr::H_SUCCESS);
    EXPECT_EQ(console.out, "Hello, wo\n");
    // termno 0 is the console too (early payload output).
    std::array<uint64_t, 9> b{0, 1, 0x2100000000000000ull};
    EXPECT_EQ(call(papr::H_PUT_TERM_CHAR, b), papr::H_SUCCESS);
    EXPECT_EQ(console.out, "Hello, wo\n!");
    EXPECT_EQ(table.hypertas(), std::vector<std::string>{"hcall-term"});
}

TEST_F(VtyTest, PutTermCharRejectsBadArguments) {
    std::array<uint64_t, 9> too_long{0x71000000, 17};
    EXPECT_EQ(call(papr::H_PUT_TERM_CHAR, too_long), papr::H_PARAMETER);
    std::array<uint64_t, 9> other_vty{0x71000001, 1, 0x4100000000000000ull};
    EXPECT_EQ(call(papr::H_PUT_TERM_CHAR, other_vty), papr::H_PARAMETER);
    std::array<uint64_t, 9> huge{0x71000000, ~0ull};
    EXPECT_EQ(call(papr::H_PUT_TERM_CHAR, huge), papr::H_PARAMETER);
    EXPECT_EQ(console.out, "");
}

TEST_F(VtyTest, GetTermCharReturnsCountAndPackedBytes) {
    std::array<uint64_t, 9> a{0x71000000};
    EXPECT_EQ(call(papr::H_GET_TERM_CHAR, a), papr::H_SUCCESS);
    EXPECT_EQ(a[0], 0u) << "nothing pending";

    console.in = "abcdefghijklmnopqrstu";  // 21 bytes: 16 now, 5 next time
    std::array<uint64_t, 9> b{0x71000000};
    EXPECT_EQ(call(papr::H_GET_TERM_CHAR, b), papr::H_SUCCESS);
    EXPECT_EQ(b[0], 16u);
    EXPECT_EQ(b[1], 0x6162636465666768ull);
    EXPECT_EQ(b[2], 0x696a6b6c6d6e6f70ull);
    std::array<uint64_t, 9> c{0};
    EXPECT_EQ(call(papr::H_GET_TERM_CHAR, c), papr::H_SUCCESS);
    EXPECT_EQ(c[0], 5u);
    EXPECT_EQ(c[1], 0x7172737475000000ull);

    std::array<uint64_t, 9> bad{0x12345678};
    EXPECT_EQ(call(papr::H_GET_TERM_CHAR, bad), papr::H_PARAMETER);
}

} // namespace
} // namespace phvrun
