// Compiling on the vcpu's compile worker (jit/compile_worker.h): hot blocks keep running in the interpreter
// until their code is ready, code the guest rewrites while it is queued or being compiled never runs, and a
// full code buffer starts again. The worker's timing is the host's, so each test runs the guest until what it
// waits for has happened (within a bound far above what it takes) and checks every run's result on the way.
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "jit_test_util.h"
#include "vm/vm.h"

namespace phv::test {
namespace {

using namespace enc;

constexpr unsigned kMaxRuns = 200000;

// Runs the program at kCodeBase until `stat_name` reaches `want`, expecting r20 == `r20` after every run;
// returns the number of runs it took (kMaxRuns if it never got there).
unsigned run_until(GuestCode &g, const char *stat_name, uint64_t want, uint64_t r20) {
    for (unsigned i = 0; i < kMaxRuns; ++i) {
        g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        g.run_to_done();
        EXPECT_EQ(g.gpr(20), r20) << "run " << i;
        if (g.gpr(20) != r20 || stat(g, stat_name) >= want)
            return i;
    }
    return kMaxRuns;
}

// A vcpu compiling on its worker after `threshold` runs.
class CompileWorker : public ::testing::Test {
protected:
    void SetUp() override {
        if (!vcpu_of(g).jit_enabled())
            GTEST_SKIP() << "PHV_JIT=0";
    }
    void compile_after(unsigned threshold) { vcpu_of(g).set_jit(true, threshold, false, true); }
    GuestCode g;
};

TEST_F(CompileWorker, HotBlockIsCompiledBesideTheInterpreterOnce) {
    compile_after(4);
    g.load(with_done({addi(20, 0, 1), addi(20, 20, 10)}));
    EXPECT_LT(run_until(g, "jit_blocks_compiled", 1, 11), kMaxRuns);
    const uint64_t compiled = stat(g, "jit_blocks_compiled");
    EXPECT_EQ(compiled, 1u);
    // Installed and run from now on: not queued again.
    for (int i = 0; i < 1000; ++i) {
        g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        g.run_to_done();
        ASSERT_EQ(g.gpr(20), 11u);
    }
    EXPECT_EQ(stat(g, "jit_blocks_compiled"), compiled);
}

// A guest store from another page rewrites the block right after the run that queued it: the block dies while
// it waits, is being compiled, or is compiled and not yet installed, as the worker's timing falls. Every run
// after a store executes the new instruction, and the worker's code for the dead block is never installed.
TEST_F(CompileWorker, BlockRewrittenWhileCompilingRunsTheNewCode) {
    compile_after(0);
    g.load(with_done({addi(20, 0, 0), addi(20, 20, 100)}));
    const uint64_t patcher = GuestCode::kCodeBase + 0x1000;
    g.load(with_done({stw(25, 26, 0)}), patcher);
    for (int round = 1; round <= 300; ++round) {
        g.set_gpr(25, addi(20, 0, round));
        g.set_gpr(26, GuestCode::kCodeBase);
        g.set_reg(PHV_REG_PPC_NIP, patcher);
        g.run_to_done();
        for (int i = 0; i < round % 4 + 1; ++i) {
            g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
            g.run_to_done();
            ASSERT_EQ(g.gpr(20), uint64_t(round + 100)) << "round " << round << " run " << i;
        }
    }
    EXPECT_GE(stat(g, "blocks_invalidated"), 299u);
    // The last version still gets compiled and runs.
    EXPECT_LT(run_until(g, "jit_blocks_compiled", stat(g, "jit_blocks_compiled") + 1, 400), kMaxRuns);
}

// 64 blocks of two instructions in a chain, and a code buffer that holds a few of them: the worker runs out
// of room, the vcpu flushes the buffer and the blocks are compiled again, every run still counting to 64.
TEST_F(CompileWorker, FullBufferStartsAgain) {
    compile_after(0);
    vcpu_of(g).set_jit_code_size(16 << 10);
    std::vector<uint32_t> chain = {addi(20, 0, 0)};
    for (int i = 0; i < 64; ++i) {
        chain.push_back(addi(20, 20, 1));
        chain.push_back(b(4));
    }
    chain.push_back(addi(3, 0, int32_t(GuestCode::kDone)));
    chain.push_back(sc(1));
    g.load(chain);
    EXPECT_LT(run_until(g, "jit_code_flushes", 3, 64), kMaxRuns);
    EXPECT_GE(stat(g, "jit_blocks_compiled"), 64u);
}

} // namespace
} // namespace phv::test
