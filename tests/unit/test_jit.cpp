// The JIT tier (hv_core/src/jit): compiled blocks behave as the interpreter does, die with their block when
// the guest rewrites its code, and a full code buffer is flushed and refilled.
#include <gtest/gtest.h>

#include <cstring>

#include "guest_code.h"
#include "isa/decoder.h"
#include "jit/code_buffer.h"
#include "jit/compiler.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

uint64_t stat(GuestCode &g, const char *name) {
    for (size_t i = 0; i < phv_vcpu_stat_count(); ++i) {
        uint64_t v = 0;
        if (std::string(phv_vcpu_stat(g.vcpu, i, &v)) == name)
            return v;
    }
    ADD_FAILURE() << "no stat " << name;
    return 0;
}

phv::Vcpu &vcpu_of(GuestCode &g) { return *reinterpret_cast<phv::Vcpu *>(g.vcpu); }

// The block at kCodeBase runs hot (compiled after 16 interpreted runs), then a guest store from another page
// rewrites it: the next run executes the new instruction, from a block compiled again.
TEST(Jit, BlockRewrittenByAGuestStoreRunsTheNewCode) {
    GuestCode g;
    ASSERT_TRUE(vcpu_of(g).jit_enabled());
    const auto body = with_done({addi(20, 0, 1), addi(20, 20, 10)});
    g.load(body);
    for (int i = 0; i < 20; ++i) {
        g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        g.run_to_done();
        ASSERT_EQ(g.gpr(20), 11u);
    }
    const uint64_t compiled = stat(g, "jit_blocks_compiled");
    EXPECT_GE(compiled, 1u);
    // stw r25, 0(r26) at a second page, then done (not r4-r12: the return from the hcall exit sets those).
    const uint64_t patcher = GuestCode::kCodeBase + 0x1000;
    g.load(with_done({stw(25, 26, 0)}), patcher);
    g.set_gpr(25, addi(20, 0, 7));
    g.set_gpr(26, GuestCode::kCodeBase);
    g.run_to_done();
    uint32_t patched = 0;
    std::memcpy(&patched, g.ram + GuestCode::kCodeBase, 4);
    ASSERT_EQ(patched, addi(20, 0, 7));
    for (int i = 0; i < 20; ++i) {
        g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        g.run_to_done();
        ASSERT_EQ(g.gpr(20), 17u) << "run " << i;
    }
    EXPECT_GE(stat(g, "blocks_invalidated"), 1u);
    EXPECT_GT(stat(g, "jit_blocks_compiled"), compiled);
}

// PHV_VM_INTERPRETER: nothing is compiled, the result is the same.
TEST(Jit, InterpreterFlagCompilesNothing) {
    phv_vm_config cfg{};
    cfg.flags = PHV_VM_INTERPRETER;
    phv_vm *vm = nullptr;
    ASSERT_EQ(phv_create_vm(&cfg, &vm), 0);
    phv_destroy_vm(vm);
    cfg.flags = 1u << 7;
    EXPECT_EQ(phv_create_vm(&cfg, &vm), -EINVAL);

    GuestCode g;
    vcpu_of(g).set_jit(false, 0, false);
    g.load(with_done({addi(20, 0, 1), addi(20, 20, 10)}));
    for (int i = 0; i < 20; ++i) {
        g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        g.run_to_done();
    }
    EXPECT_EQ(g.gpr(20), 11u);
    EXPECT_EQ(stat(g, "jit_blocks_compiled"), 0u);
}

// A block of native rows and a called one, compiled straight into a small buffer: it runs as the
// interpreter would (GPRs, NIP, the instruction count), and once the buffer is full compile() says so and a
// flush makes room under a new generation.
TEST(Jit, CompiledBlockAndCodeBufferFlush) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::Block b;
    b.key = phv::BlockCache::key(GuestCode::kCodeBase, v.st_.msr);
    b.start = b.real_start = GuestCode::kCodeBase;
    const uint32_t rlwinm_r7_r3_4_0_27 = 21u << 26 | 3u << 21 | 7u << 16 | 4u << 11 | 0u << 6 | 27u << 1;
    for (uint32_t w : {addi(3, 0, 5), addis(4, 3, 1), XO(5, 3, 4, 40, 0, 0) /* subf r5,r3,r4 */,
                       rlwinm_r7_r3_4_0_27, ori(8, 7, 0x8000), XO(9, 3, 0, 104, 0, 0) /* neg r9,r3 */})
        b.insns.push_back(phv::isa::decode(w, ctx));

    phv::jit::CodeBuffer buf(4096);
    ASSERT_TRUE(buf.ok());
    const uint64_t gen = buf.generation();
    phv::jit::BlockFn fn = phv::jit::compile(v, b, buf, false);
    ASSERT_NE(fn, nullptr);
    v.st_.nip = GuestCode::kCodeBase;
    const uint64_t insns = v.stats().insns_executed;
    EXPECT_EQ(fn(&v), phv::isa::Flow::Jump);
    EXPECT_EQ(v.st_.gpr[3], 5u);
    EXPECT_EQ(v.st_.gpr[4], 0x10005u);
    EXPECT_EQ(v.st_.gpr[5], 0x10000u);
    EXPECT_EQ(v.st_.gpr[7], 0x50u);
    EXPECT_EQ(v.st_.gpr[8], 0x8050u);
    EXPECT_EQ(v.st_.gpr[9], uint64_t(-5));
    EXPECT_EQ(v.st_.nip, GuestCode::kCodeBase + 24);
    EXPECT_EQ(v.stats().insns_executed, insns + 6);

    // Fill the page: the compile that does not fit fails and takes nothing.
    int n = 0;
    while (phv::jit::compile(v, b, buf, false))
        ASSERT_LT(++n, 4096);
    EXPECT_GT(n, 0);
    const size_t used = buf.used();
    EXPECT_EQ(phv::jit::compile(v, b, buf, false), nullptr);
    EXPECT_EQ(buf.used(), used);
    buf.flush();
    EXPECT_EQ(buf.generation(), gen + 1);
    EXPECT_EQ(buf.used(), 0u);
    fn = phv::jit::compile(v, b, buf, false);
    ASSERT_NE(fn, nullptr);
    v.st_.gpr[3] = 0;
    v.st_.nip = GuestCode::kCodeBase;
    EXPECT_EQ(fn(&v), phv::isa::Flow::Jump);
    EXPECT_EQ(v.st_.gpr[8], 0x8050u);
}

} // namespace
