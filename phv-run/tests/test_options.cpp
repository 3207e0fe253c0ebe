// Command-line parsing: sizes, models, counts and the errors a user sees for bad values.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "options.h"

namespace phvrun {
namespace {

Expected<Options> parse(std::vector<std::string_view> args) { return parse_options(args); }

TEST(ParseSize, AcceptsPlainAndSuffixedSizes) {
    EXPECT_EQ(parse_size("0"), 0u);
    EXPECT_EQ(parse_size("1073741824"), 1073741824u);
    EXPECT_EQ(parse_size("512M"), 512ull << 20);
    EXPECT_EQ(parse_size("512m"), 512ull << 20);
    EXPECT_EQ(parse_size("4K"), 4096u);
    EXPECT_EQ(parse_size("2G"), 2ull << 30);
    EXPECT_EQ(parse_size("1T"), 1ull << 40);
    EXPECT_EQ(parse_size("64MiB"), 64ull << 20);
    EXPECT_EQ(parse_size("64MB"), 64ull << 20);
}

TEST(ParseSize, RejectsGarbageAndOverflow) {
    EXPECT_FALSE(parse_size(""));
    EXPECT_FALSE(parse_size("M"));
    EXPECT_FALSE(parse_size("-1G"));
    EXPECT_FALSE(parse_size("1X"));
    EXPECT_FALSE(parse_size("1GG"));
    EXPECT_FALSE(parse_size("1.5G"));
    EXPECT_FALSE(parse_size(" 1G"));
    EXPECT_FALSE(parse_size("99999999999999999999"));
    EXPECT_FALSE(parse_size("17179869184G"));  // 2^34 GiB = 2^64 bytes
}

TEST(ParseOptions, Defaults) {
    auto o = parse({"--kernel", "vmlinux"});
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->kernel, "vmlinux");
    EXPECT_EQ(o->cpu, CpuModel::Power10);
    EXPECT_EQ(o->mem_size, 1ull << 30);
    EXPECT_EQ(o->smp, 1u);
    EXPECT_TRUE(o->initrd.empty());
    EXPECT_TRUE(o->append.empty());
    EXPECT_FALSE(o->trace);
    EXPECT_EQ(o->debug, 0u);
}

TEST(ParseOptions, AllOptionsBothSpellings) {
    auto o = parse({"--cpu", "POWER9", "--mem=2G", "--smp", "4", "-k", "k.elf", "--initrd=rd.img", "--append",
                    "console=hvc0 quiet", "-dhcall,rtas", "--trace"});
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->cpu, CpuModel::Power9);
    EXPECT_EQ(o->mem_size, 2ull << 30);
    EXPECT_EQ(o->smp, 4u);
    EXPECT_EQ(o->kernel, "k.elf");
    EXPECT_EQ(o->initrd, "rd.img");
    EXPECT_EQ(o->append, "console=hvc0 quiet");
    EXPECT_EQ(o->debug, unsigned(kDebugHcall | kDebugRtas));
    EXPECT_TRUE(o->trace);
}

TEST(ParseOptions, TraceToStderrOrAFile) {
    auto plain = parse({"-k", "k", "--trace"});
    ASSERT_TRUE(plain) << plain.error();
    EXPECT_TRUE(plain->trace);
    EXPECT_EQ(plain->trace_file, "");
    auto file = parse({"-k", "k", "--trace=out.txt"});
    ASSERT_TRUE(file) << file.error();
    EXPECT_TRUE(file->trace);
    EXPECT_EQ(file->trace_file, "out.txt");
    EXPECT_FALSE(parse({"-k", "k", "--trace="}));
    // "--trace FILE" would be ambiguous: the file is an unexpected argument.
    auto spaced = parse({"-k", "k", "--trace", "out.txt"});
    ASSERT_FALSE(spaced);
    EXPECT_NE(spaced.error().find("unexpected argument 'out.txt'"), std::string::npos) << spaced.error();
}

TEST(ParseOptions, EmptyAppendIsAllowed) {
    auto o = parse({"--kernel", "k", "--append", ""});
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->append, "");
}

TEST(ParseOptions, KernelIsRequired) {
    auto o = parse({"--mem", "1G"});
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().find("--kernel"), std::string::npos) << o.error();
}

TEST(ParseOptions, HelpNeedsNoKernel) {
    auto o = parse({"--help"});
    ASSERT_TRUE(o) << o.error();
    EXPECT_TRUE(o->help);
}

struct BadCase {
    std::vector<std::string_view> args;
    std::string_view expect;  // part of the message
};

TEST(ParseOptions, BadValuesGiveOneLineErrors) {
    const BadCase cases[] = {
        {{"--kernel", "k", "--cpu", "power7"}, "unknown CPU model 'power7'"},
        {{"--kernel", "k", "--mem", "lots"}, "bad size 'lots'"},
        {{"--kernel", "k", "--mem", "1M"}, "out of range"},
        {{"--kernel", "k", "--mem", "2T"}, "out of range"},
        {{"--kernel", "k", "--mem", "100000K"}, "not a multiple of 1M"},
        {{"--kernel", "k", "--smp", "0"}, "not a vcpu count"},
        {{"--kernel", "k", "--smp", "257"}, "not a vcpu count"},
        {{"--kernel", "k", "--smp", "two"}, "not a vcpu count"},
        {{"--kernel", "k", "--smp", "-1"}, "not a vcpu count"},
        {{"--kernel", "k", "-d", "hcall,bogus"}, "unknown category 'bogus'"},
        {{"--kernel", "k", "--frobnicate"}, "unknown option '--frobnicate'"},
        {{"--kernel", "k", "stray"}, "unexpected argument 'stray'"},
        {{"--kernel"}, "--kernel needs a value"},
        {{"--kernel", ""}, "empty file name"},
        {{"--kernel", "k", "--initrd="}, "empty file name"},
    };
    for (const BadCase &c : cases) {
        auto o = parse(c.args);
        ASSERT_FALSE(o) << "accepted: " << c.args.back();
        EXPECT_NE(o.error().find(c.expect), std::string::npos) << o.error();
        EXPECT_EQ(o.error().find('\n'), std::string::npos) << o.error();
    }
}

TEST(ParseOptions, DebugAllSetsEveryCategory) {
    auto bits = parse_debug_categories("all");
    ASSERT_TRUE(bits);
    EXPECT_EQ(*bits, unsigned(kDebugHcall | kDebugRtas | kDebugMmio | kDebugUnimp | kDebugStats | kDebugBoot));
    EXPECT_FALSE(parse_debug_categories(""));
    EXPECT_FALSE(parse_debug_categories("hcall,"));
}

TEST(CpuModel, NamesRoundTrip) {
    EXPECT_EQ(parse_cpu_model("power8"), CpuModel::Power8);
    EXPECT_EQ(parse_cpu_model("Power10"), CpuModel::Power10);
    EXPECT_FALSE(parse_cpu_model("power11"));
    EXPECT_EQ(cpu_model_dt_name(CpuModel::Power9), "POWER9");
}

} // namespace
} // namespace phvrun

namespace phvrun {
namespace {

TEST(ParseOptions, Nested) {
    auto o = parse({"--kernel", "k"});
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->nested, 0u);
    o = parse({"--nested", "--kernel", "k"});
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->nested, 2u);
    o = parse({"--nested=v1", "--kernel", "k"});
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->nested, 1u);
    o = parse({"--nested=v2", "--kernel", "k"});
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->nested, 2u);
    o = parse({"--nested=v3", "--kernel", "k"});
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().find("not v1 or v2"), std::string::npos);
}

} // namespace
} // namespace phvrun
