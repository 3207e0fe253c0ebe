// XICS: the presentation and source state machines, and the hcalls and RTAS calls that drive them.
#include <gtest/gtest.h>

#include <vector>

#include "byte_order.h"
#include "fakes.h"
#include "papr.h"
#include "rtas.h"
#include "xics.h"
#include "xics_services.h"

namespace phvrun {
namespace {

constexpr uint32_t kSrc = Xics::kFirstSource;

// Records every change of each server's external interrupt line.
struct Lines {
    std::vector<int> level = std::vector<int>(4, 0);
    std::vector<int> raises = std::vector<int>(4, 0);
    Xics::Output output() {
        return [this](uint32_t s, bool l) {
            level[s] = l;
            raises[s] += l;
        };
    }
};

TEST(Xics, IpiIsPresentedAcceptedAndEnded) {
    Lines lines;
    Xics x(2, lines.output());
    ASSERT_TRUE(x.set_mfrr(1, 5));
    EXPECT_EQ(lines.level[1], 1);
    EXPECT_EQ(lines.level[0], 0);
    EXPECT_EQ(x.poll(1)->xirr, 0xff000002u) << "presented, not yet accepted";
    EXPECT_EQ(x.poll(1)->mfrr, 5);
    EXPECT_EQ(x.accept(1), 0xff000002u);
    EXPECT_EQ(lines.level[1], 0);
    EXPECT_EQ(x.poll(1)->xirr, 0x05000000u) << "CPPR is now the IPI's priority";
    EXPECT_EQ(x.accept(1), 0x05000000u) << "nothing more";
    ASSERT_TRUE(x.set_mfrr(1, 0xff));
    ASSERT_TRUE(x.eoi(1, 0xff000002));
    EXPECT_EQ(lines.level[1], 0);
    EXPECT_EQ(lines.raises[1], 1);
    EXPECT_EQ(x.poll(1)->xirr, 0xff000000u);
}

TEST(Xics, IpiLeftInMfrrComesBackAfterEoi) {
    Lines lines;
    Xics x(1, lines.output());
    x.set_mfrr(0, 4);
    x.accept(0);
    x.eoi(0, 0xff000002);   // the OS forgot to clear MFRR: the IPI is still asked for
    EXPECT_EQ(lines.level[0], 1);
    EXPECT_EQ(x.accept(0), 0xff000002u);
}

TEST(Xics, SourceFollowsItsXive) {
    Lines lines;
    Xics x(2, lines.output());
    EXPECT_EQ(x.get_xive(kSrc)->priority, 0xff) << "sources start masked";
    ASSERT_TRUE(x.set_xive(kSrc + 7, 1, 5));
    EXPECT_EQ(x.get_xive(kSrc + 7)->server, 1u);
    EXPECT_EQ(x.get_xive(kSrc + 7)->priority, 5);
    ASSERT_TRUE(x.trigger(kSrc + 7));
    EXPECT_EQ(lines.level[1], 1);
    EXPECT_EQ(x.accept(1), 0xff001007u);
    EXPECT_TRUE(x.eoi(1, 0xff001007));
    EXPECT_EQ(x.poll(1)->xirr, 0xff000000u);
}

TEST(Xics, MaskedSourceKeepsItsInterruptUntilIntOn) {
    Lines lines;
    Xics x(1, lines.output());
    x.set_xive(kSrc, 0, 5);
    ASSERT_TRUE(x.int_off(kSrc));
    EXPECT_EQ(x.get_xive(kSrc)->priority, 0xff);
    x.trigger(kSrc);
    EXPECT_EQ(lines.level[0], 0);
    ASSERT_TRUE(x.int_on(kSrc));
    EXPECT_EQ(x.get_xive(kSrc)->priority, 5) << "int-on restores the priority int-off saved";
    EXPECT_EQ(lines.level[0], 1);
    EXPECT_EQ(x.accept(0), 0xff001000u);
}

TEST(Xics, CpprHoldsBackLessFavouredSources) {
    Lines lines;
    Xics x(1, lines.output());
    x.set_xive(kSrc, 0, 5);
    x.set_cppr(0, 5);   // only priorities 0..4 get through
    x.trigger(kSrc);
    EXPECT_EQ(lines.level[0], 0);
    x.set_cppr(0, 6);
    EXPECT_EQ(lines.level[0], 1) << "resent once the CPPR allows it";
    EXPECT_EQ(x.accept(0), 0x06001000u);
}

TEST(Xics, RaisingCpprWithdrawsWhatNoLongerQualifies) {
    Lines lines;
    Xics x(1, lines.output());
    x.set_xive(kSrc, 0, 5);
    x.trigger(kSrc);
    EXPECT_EQ(lines.level[0], 1);
    x.set_cppr(0, 3);
    EXPECT_EQ(lines.level[0], 0);
    EXPECT_EQ(x.poll(0)->xirr, 0x03000000u);
    x.set_cppr(0, 0xff);
    EXPECT_EQ(x.accept(0), 0xff001000u) << "the source was rejected, not lost";
}

TEST(Xics, MoreFavouredInterruptReplacesAndTheOtherReturns) {
    Lines lines;
    Xics x(1, lines.output());
    x.set_xive(kSrc, 0, 5);
    x.trigger(kSrc);
    x.set_mfrr(0, 2);   // IPI, more favoured
    EXPECT_EQ(x.accept(0), 0xff000002u);
    x.set_mfrr(0, 0xff);
    x.eoi(0, 0xff000002);
    EXPECT_EQ(lines.level[0], 1);
    EXPECT_EQ(x.accept(0), 0xff001000u);
    // And the other way round: a less favoured source does not displace the IPI.
    x.eoi(0, 0xff001000);
    x.set_mfrr(0, 2);
    x.trigger(kSrc);
    EXPECT_EQ(x.accept(0), 0xff000002u);
}

TEST(Xics, LevelSourceComesBackWhileAsserted) {
    Lines lines;
    Xics x(1, lines.output());
    x.set_xive(kSrc + 1, 0, 5);
    x.set_level(kSrc + 1, true);
    EXPECT_EQ(x.accept(0), 0xff001001u);
    x.eoi(0, 0xff001001);
    EXPECT_EQ(lines.level[0], 1) << "still asserted";
    EXPECT_EQ(x.accept(0), 0xff001001u);
    x.set_level(kSrc + 1, false);
    x.eoi(0, 0xff001001);
    EXPECT_EQ(lines.level[0], 0);
    EXPECT_EQ(x.accept(0), 0xff000000u);
}

TEST(Xics, ResetIsPowerOn) {
    Lines lines;
    Xics x(2, lines.output());
    // State everywhere: an IPI presented on server 0, a level source asserted and accepted on server 1 (CPPR
    // now its priority), a masked source waiting with a saved priority.
    x.set_mfrr(0, 3);
    x.set_xive(kSrc + 1, 1, 5);
    x.set_level(kSrc + 1, true);
    ASSERT_EQ(x.accept(1), 0xff001001u);
    x.set_xive(kSrc + 9, 0, 4);
    x.int_off(kSrc + 9);
    x.trigger(kSrc + 9);
    ASSERT_EQ(lines.level[0], 1);

    x.reset();
    EXPECT_EQ(lines.level[0], 0) << "the presented IPI's line goes down";
    EXPECT_EQ(lines.level[1], 0);
    for (uint32_t s : {0u, 1u}) {
        EXPECT_EQ(x.poll(s)->xirr, 0xff000000u) << "CPPR 0xff, nothing presented";
        EXPECT_EQ(x.poll(s)->mfrr, 0xff);
    }
    for (uint32_t irq : {kSrc + 1, kSrc + 9}) {
        EXPECT_EQ(x.get_xive(irq)->server, 0u);
        EXPECT_EQ(x.get_xive(irq)->priority, 0xff) << "masked again";
    }
    ASSERT_TRUE(x.int_on(kSrc + 9));
    EXPECT_EQ(x.get_xive(kSrc + 9)->priority, 0xff) << "no saved priority survives";
    EXPECT_EQ(lines.level[0], 0) << "nor the waiting interrupt";
    x.set_xive(kSrc + 1, 1, 5);
    EXPECT_EQ(lines.level[1], 0) << "the level is forgotten too";

    // And it works as a new one.
    x.set_xive(kSrc + 7, 1, 5);
    x.trigger(kSrc + 7);
    EXPECT_EQ(x.accept(1), 0xff001007u);
    x.set_mfrr(0, 5);
    EXPECT_EQ(x.accept(0), 0xff000002u);
}

TEST(Xics, BadServersAndSourcesAreRefused) {
    Xics x(2, {});
    EXPECT_FALSE(x.set_mfrr(2, 5));
    EXPECT_FALSE(x.set_cppr(7, 0));
    EXPECT_FALSE(x.accept(2));
    EXPECT_FALSE(x.poll(2));
    EXPECT_FALSE(x.set_xive(kSrc, 2, 5)) << "no such server";
    EXPECT_FALSE(x.set_xive(kSrc - 1, 0, 5));
    EXPECT_FALSE(x.set_xive(kSrc + Xics::kSourceCount, 0, 5));
    EXPECT_FALSE(x.get_xive(5));
    EXPECT_FALSE(x.trigger(3));
    EXPECT_TRUE(x.eoi(0, 0xff123456)) << "an EOI for an unknown source still sets the CPPR";
}

struct XicsServicesTest : ::testing::Test {
    std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 16, 0);
    GuestMemory mem{ram.data(), ram.size()};
    test::CapturedLog cap;
    HcallTable hcalls;
    Rtas rtas{mem, cap.log()};
    Lines lines;
    Xics xics{2, lines.output()};

    void SetUp() override { ASSERT_TRUE(register_xics_services(hcalls, rtas, xics)); }

    int64_t hcall(uint32_t cpu, uint64_t opcode, std::vector<uint64_t> args, HcallArgs *out = nullptr) {
        HcallArgs a;
        a.opcode = opcode;
        std::copy(args.begin(), args.end(), a.args.begin());
        const int64_t rc = hcalls.call({cpu, 0, [] { return uint64_t(0x1234); }}, a).value_or(-999);
        if (out)
            *out = a;
        return rc;
    }
    // RTAS call at 0x1000: returns the return cells.
    std::vector<uint32_t> rtas_call(uint32_t token, std::vector<uint32_t> args, uint32_t nret) {
        std::vector<uint32_t> cells{token, uint32_t(args.size()), nret};
        cells.insert(cells.end(), args.begin(), args.end());
        for (size_t i = 0; i < cells.size() + nret; ++i)
            store_be32(&ram[0x1000 + 4 * i], i < cells.size() ? cells[i] : 0xdead);
        EXPECT_EQ(rtas.handle(0, 0, 0x1000), papr::H_SUCCESS);
        std::vector<uint32_t> rets;
        for (uint32_t i = 0; i < nret; ++i)
            rets.push_back(load_be32(&ram[0x1000 + 4 * (cells.size() + i)]));
        return rets;
    }
};

TEST_F(XicsServicesTest, HcallsDriveTheIcps) {
    EXPECT_EQ(hcall(0, papr::H_IPI, {1, 4}), papr::H_SUCCESS);
    EXPECT_EQ(lines.level[1], 1);
    HcallArgs out;
    EXPECT_EQ(hcall(1, papr::H_IPOLL, {1}, &out), papr::H_SUCCESS);
    EXPECT_EQ(out.args[0], 0xff000002u);
    EXPECT_EQ(out.args[1], 4u);
    EXPECT_EQ(hcall(1, papr::H_XIRR_X, {}, &out), papr::H_SUCCESS);
    EXPECT_EQ(out.args[0], 0xff000002u);
    EXPECT_EQ(out.args[1], 0x1234u) << "the timebase";
    EXPECT_EQ(hcall(1, papr::H_IPI, {1, 0xff}), papr::H_SUCCESS);
    EXPECT_EQ(hcall(1, papr::H_EOI, {0xff000002}), papr::H_SUCCESS);
    EXPECT_EQ(hcall(1, papr::H_CPPR, {0}), papr::H_SUCCESS);
    EXPECT_EQ(hcall(1, papr::H_XIRR, {}, &out), papr::H_SUCCESS);
    EXPECT_EQ(out.args[0], 0u);
    EXPECT_EQ(hcall(0, papr::H_IPI, {2, 4}), papr::H_PARAMETER);
    EXPECT_EQ(hcall(0, papr::H_IPI, {1ull << 32, 4}), papr::H_PARAMETER);
    EXPECT_EQ(hcall(0, papr::H_IPOLL, {9}), papr::H_PARAMETER);
    EXPECT_EQ(hcall(5, papr::H_XIRR, {}), papr::H_PARAMETER) << "a caller with no ICP";
}

TEST_F(XicsServicesTest, RtasConfiguresTheSources) {
    using namespace rtas_token;
    EXPECT_EQ(rtas_call(kIbmSetXive, {kSrc + 3, 1, 5}, 1), std::vector<uint32_t>{0});
    EXPECT_EQ(rtas_call(kIbmGetXive, {kSrc + 3}, 3), (std::vector<uint32_t>{0, 1, 5}));
    EXPECT_EQ(rtas_call(kIbmIntOff, {kSrc + 3}, 1), std::vector<uint32_t>{0});
    EXPECT_EQ(rtas_call(kIbmGetXive, {kSrc + 3}, 3), (std::vector<uint32_t>{0, 1, 0xff}));
    EXPECT_EQ(rtas_call(kIbmIntOn, {kSrc + 3}, 1), std::vector<uint32_t>{0});
    EXPECT_EQ(rtas_call(kIbmGetXive, {kSrc + 3}, 3)[2], 5u);
    const uint32_t param_error = uint32_t(papr::RTAS_OUT_PARAM_ERROR);
    EXPECT_EQ(rtas_call(kIbmSetXive, {kSrc + 3, 1, 0x100}, 1), std::vector<uint32_t>{param_error});
    EXPECT_EQ(rtas_call(kIbmSetXive, {kSrc + 3, 2, 5}, 1), std::vector<uint32_t>{param_error});
    EXPECT_EQ(rtas_call(kIbmGetXive, {17}, 3)[0], param_error);
    EXPECT_EQ(rtas_call(kIbmIntOn, {17}, 1)[0], param_error);
    EXPECT_EQ(rtas_call(kIbmIntOff, {17}, 1)[0], param_error);
    EXPECT_EQ(hcalls.hypertas(), std::vector<std::string>{"hcall-interrupt"});
}

} // namespace
} // namespace phvrun
