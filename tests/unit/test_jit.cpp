// The JIT tier (hv_core/src/jit): compiled blocks behave as the interpreter does, die with their block when
// the guest rewrites its code, and a full code buffer is flushed and refilled.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <random>
#include <string_view>

#include "guest_code.h"
#include "jit_test_util.h"
#include "fp/fpscr.h"
#include "isa/decoder.h"
#include "jit/code_buffer.h"
#include "jit/compiler.h"
#include "mmu/tlb.h"
#include "vcpu/pmu.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

// An empty block at the code base in the mode `msr` gives, as block_lookup() starts one.
phv::Block block_at_code_base(uint64_t msr) {
    phv::Block b;
    b.key = phv::BlockCache::key(GuestCode::kCodeBase, msr);
    b.start = b.real_start = GuestCode::kCodeBase;
    return b;
}

// b compiled into buf, flushed first if it is full (null only if b does not fit an empty buffer).
phv::jit::BlockFn compile_or_flush(phv::Vcpu &v, phv::Block &b, phv::jit::CodeBuffer &buf, unsigned &native) {
    if (phv::jit::BlockFn fn = phv::jit::compile(v, b, buf, false, &native))
        return fn;
    buf.flush();
    return phv::jit::compile(v, b, buf, false, &native);
}

// The block at kCodeBase runs hot (compiled after Vm::kJitThreshold interpreted runs, on the vcpu's thread; the
// compile worker's side is test_compile_worker.cpp), then a guest store from another page
// rewrites it: the next run executes the new instruction, from a block compiled again.
TEST(Jit, BlockRewrittenByAGuestStoreRunsTheNewCode) {
    GuestCode g;
    ASSERT_TRUE(vcpu_of(g).jit_enabled());
    vcpu_of(g).set_jit(true, phv::Vm::kJitThreshold, false);   // compiled on this thread: the count is exact
    const auto body = with_done({addi(20, 0, 1), addi(20, 20, 10)});
    g.load(body);
    for (unsigned i = 0; i < phv::Vm::kJitThreshold + 4; ++i) {
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
    for (unsigned i = 0; i < phv::Vm::kJitThreshold + 4; ++i) {
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
    phv::Block b = block_at_code_base(v.st_.msr);
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

// A counting loop (its block branches back to itself) runs chained in compiled code: the same registers
// and instruction count as the interpreter, and the chain went through the link from the block to itself.
// Then a guest store from another page rewrites the loop's addi: the link dies with the block, and the next
// run counts with the new instruction (fewer times round), chained again.
TEST(Jit, ChainedBlocksMatchTheInterpreterAndUnlinkOnInvalidation) {
    constexpr uint32_t kCmpwi_r20_1000 = 11u << 26 | 0u << 23 | 20u << 16 | 1000u;
    constexpr uint32_t kBne_minus8 = 16u << 26 | 4u << 21 | 2u << 16 | (uint32_t(-8) & 0xfffc);
    const auto loop = with_done({addi(20, 0, 0), addi(20, 20, 1), kCmpwi_r20_1000, kBne_minus8});
    uint64_t insns[2] = {};
    for (int jit = 0; jit < 2; ++jit) {
        GuestCode g;
        vcpu_of(g).set_jit(jit, 0, false);
        g.load(loop);
        const uint64_t before = stat(g, "insns_executed");
        g.run_to_done();
        EXPECT_EQ(g.gpr(20), 1000u);
        insns[jit] = stat(g, "insns_executed") - before;
        if (!jit) {
            EXPECT_EQ(stat(g, "jit_blocks_chained"), 0u);
            continue;
        }
        // 999 branches back; the loop's timer checks (one block in 64) go through the run loop.
        const uint64_t chained = stat(g, "jit_blocks_chained");
        EXPECT_GE(chained, 900u);
        EXPECT_LE(chained, 1000u);

        const uint64_t patcher = GuestCode::kCodeBase + 0x1000;
        g.load(with_done({stw(25, 26, 0)}), patcher);
        g.set_gpr(25, addi(20, 20, 4));
        g.set_gpr(26, GuestCode::kCodeBase + 4);
        g.run_to_done();
        const uint64_t invalidated = stat(g, "blocks_invalidated"), chained2 = stat(g, "jit_blocks_chained");
        g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        const uint64_t before2 = stat(g, "insns_executed");
        g.run_to_done();
        EXPECT_EQ(g.gpr(20), 1000u);   // 250 times round, adding 4
        EXPECT_EQ(stat(g, "insns_executed") - before2, insns[1] - 3 * 750);
        EXPECT_GT(stat(g, "blocks_invalidated"), invalidated);
        EXPECT_GE(stat(g, "jit_blocks_chained") - chained2, 200u);
        EXPECT_LE(stat(g, "jit_blocks_chained") - chained2, 250u);
    }
    EXPECT_EQ(insns[0], insns[1]);
}

// Direct links: a loop of two blocks (one ending in a branch forward to the other, which branches back
// while r20 is not 3000) runs in linked compiled code, each link patched once and then taken without the
// call into Vcpu::jit_link; the result and instruction count are the interpreter's.
TEST(Jit, DirectLinksArePatchedOnceAndTaken) {
    constexpr uint32_t kCmpwi_r20_3000 = 11u << 26 | 0u << 23 | 20u << 16 | 3000u;
    constexpr uint32_t kBne_minus20 = 16u << 26 | 4u << 21 | 2u << 16 | (uint32_t(-20) & 0xfffc);
    const auto loop = with_done({addi(20, 0, 0), addi(20, 20, 1), kCmpwi_r20_3000, b(8), addi(22, 22, 1),
                                 addi(21, 21, 2), kBne_minus20});
    uint64_t insns[2] = {}, r21[2] = {};
    for (int jit = 0; jit < 2; ++jit) {
        GuestCode g;
        vcpu_of(g).set_jit(jit, 0, false);
        g.load(loop);
        const uint64_t before = stat(g, "insns_executed");
        g.run_to_done();
        EXPECT_EQ(g.gpr(20), 3000u);
        insns[jit] = stat(g, "insns_executed") - before;
        r21[jit] = g.gpr(21);
        if (!jit) {
            EXPECT_EQ(stat(g, "jit_links_patched"), 0u);
            continue;
        }
        // ~6000 block ends go on to the next block, less the loop's timer checks (one block in 257); the
        // two links of the loop are patched once each (again after a timer check only if a slot was lost).
        EXPECT_GE(stat(g, "jit_blocks_chained"), 5800u);
        EXPECT_LE(stat(g, "jit_links_patched"), 4u);
        EXPECT_GE(stat(g, "jit_links_patched"), 2u);
    }
    EXPECT_EQ(insns[0], insns[1]);
    EXPECT_EQ(r21[0], r21[1]);
    EXPECT_EQ(r21[1], 2u * 3000);
}

// The performance monitor started by an mtspr inside compiled code whose links were patched while it was
// off (the first pass of an outer loop writes MMCR0 = FC, the second starts counting with PMC5 10
// instructions short of overflowing, alerts and their interrupt enabled): the block's end goes back to the
// run loop instead of taking its link, and every block after it runs from the loop while the monitor
// counts, whose per-block bookkeeping notices the overflow at the block it happens in. So the Performance
// Monitor interrupt is taken where the interpreter takes it (SRR0, the loop count, the instructions
// executed); a block end that took its link would notice it only at the loop's next timer check, up to
// 256 blocks later.
TEST(Jit, PerformanceMonitorStartedInLinkedCodeAlertsWhereTheInterpreterDoes) {
    constexpr uint32_t kMmcr0 = 795, kPmc5 = 791, kSrr0 = 26;
    constexpr uint32_t kCmpwi_r20_1000 = 11u << 26 | 0u << 23 | 20u << 16 | 1000u;
    constexpr uint32_t kCmpwi_r23_3 = 11u << 26 | 0u << 23 | 23u << 16 | 3u;
    constexpr uint32_t kBne_minus8 = 16u << 26 | 4u << 21 | 2u << 16 | (uint32_t(-8) & 0xfffc);
    constexpr uint32_t kBne_minus36 = 16u << 26 | 4u << 21 | 2u << 16 | (uint32_t(-36) & 0xfffc);
    // MMCR0 = r24: FC, FC, then r25 (r26 carries it one pass late).
    const auto code = with_done({addi(23, 0, 0),
                                 mtspr(kMmcr0, 24), addi(20, 0, 0),             // outer:
                                 addi(20, 20, 1), kCmpwi_r20_1000, kBne_minus8,  // inner:
                                 addi(23, 23, 1), ori(24, 26, 0), ori(26, 25, 0), kCmpwi_r23_3, kBne_minus36});
    uint64_t seen[2][3] = {};
    for (int jit = 0; jit < 2; ++jit) {
        GuestCode g;
        phv::Vcpu &v = vcpu_of(g);
        v.set_jit(jit, 0, false);
        // 0xf00: r21 = SRR0, end.
        const uint32_t handler[] = {mfspr(21, kSrr0), addi(3, 0, int32_t(GuestCode::kDone)), sc(1)};
        std::memcpy(g.ram + 0xf00, handler, sizeof handler);
        g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // LPCR[ILE]: the handler runs little-endian
        g.set_gpr(25, phv::pmu::PMAE | phv::pmu::FCECE | phv::pmu::PMCjCE);
        g.set_gpr(24, phv::pmu::FC);
        g.set_gpr(26, phv::pmu::FC);
        v.st_.spr[kPmc5] = 0x80000000u - 10;
        g.load(code);
        g.set_reg(PHV_REG_PPC_MSR, g.reg(PHV_REG_PPC_MSR) | 0x8000);   // EE
        const uint64_t before = stat(g, "insns_executed");
        g.run_to_done();
        seen[jit][0] = g.gpr(20), seen[jit][1] = g.gpr(21), seen[jit][2] = stat(g, "insns_executed") - before;
        EXPECT_EQ(g.gpr(23), 2u);   // in the third pass
        EXPECT_GE(g.gpr(21), GuestCode::kCodeBase + 12);   // in the inner loop
        EXPECT_LE(g.gpr(21), GuestCode::kCodeBase + 20);
        if (jit) {
            EXPECT_GT(stat(g, "jit_links_patched"), 0u);
        }
    }
    EXPECT_LT(seen[0][0], 1000u);   // the alert came before the inner loop ended
    EXPECT_EQ(seen[0][0], seen[1][0]);
    EXPECT_EQ(seen[0][1], seen[1][1]);
    EXPECT_EQ(seen[0][2], seen[1][2]);
}

// A decrementer interrupt that becomes pending inside a linked loop is taken at the same instruction
// boundary as in the interpreter: the loop's timer countdown runs in linked code as in the run loop, so
// SRR0, the loop count and the instructions executed agree exactly. The same for a kick: a self-linked
// `b .` loop ends with PHV_EXIT_INTR when another thread kicks the vcpu.
TEST(Jit, DecrementerInALinkedLoopIsTakenWhereTheInterpreterTakesIt) {
    constexpr uint32_t kSrr0 = 26;
    uint64_t seen[2][3] = {};
    for (int jit = 0; jit < 2; ++jit) {
        GuestCode g;
        vcpu_of(g).set_jit(jit, 0, false);
        // 0x900: r21 = SRR0, end.
        const uint32_t handler[] = {mfspr(21, kSrr0), addi(3, 0, int32_t(GuestCode::kDone)), sc(1)};
        std::memcpy(g.ram + 0x900, handler, sizeof handler);
        g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // LPCR[ILE]: the handler runs little-endian
        g.set_gpr(22, ~0ull);   // DEC = -1: pending from the mtdec on
        g.load({addi(20, 0, 0), mtspr(22, 22), addi(20, 20, 1), b(-4)});
        g.set_reg(PHV_REG_PPC_MSR, g.reg(PHV_REG_PPC_MSR) | 0x8000);   // EE
        const uint64_t before = stat(g, "insns_executed");
        g.run_to_done();
        seen[jit][0] = g.gpr(20), seen[jit][1] = g.gpr(21), seen[jit][2] = stat(g, "insns_executed") - before;
        EXPECT_EQ(stat(g, "dec_interrupts"), 1u);
        EXPECT_EQ(g.gpr(21), GuestCode::kCodeBase + 8);
        if (jit) {
            EXPECT_GE(stat(g, "jit_blocks_chained"), 32u);
        }
    }
    EXPECT_GT(seen[0][0], 16u);   // the loop ran a while before the timer check
    EXPECT_EQ(seen[0][0], seen[1][0]);
    EXPECT_EQ(seen[0][1], seen[1][1]);
    EXPECT_EQ(seen[0][2], seen[1][2]);

    GuestCode g;
    vcpu_of(g).set_jit(true, 0, false);
    g.load({b(0)});
    std::atomic<bool> done{false};
    std::thread kicker([&] {
        // Kick until the run has returned (a kick that lands before the loop is linked ends it as well).
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        while (!done.load()) {
            phv_vcpu_kick(g.vcpu);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    const uint32_t reason = g.run();
    done = true;
    kicker.join();
    EXPECT_EQ(reason, uint32_t(PHV_EXIT_INTR));
    EXPECT_EQ(g.reg(PHV_REG_PPC_NIP), GuestCode::kCodeBase);
}

// ---- native rows against the interpreter ----------------------------------------------------------------

// The rows the compiler emits as host code (jit/compiler.cpp kNativeRows), the branches apart: they end a
// block.
constexpr std::string_view kNativeBody[] = {
    "addi", "addis", "add", "subf", "addc", "subfc", "adde", "subfe", "addme", "addze", "subfme", "subfze",
    "neg", "addic", "addic.", "subfic", "and", "andc", "or", "orc", "xor", "nand", "nor", "eqv", "andi.",
    "andis.", "ori", "oris", "xori", "xoris", "extsb", "extsh", "extsw", "cmp", "cmpl", "cmpi", "cmpli",
    "rlwinm", "rlwnm", "rlwimi", "rldicl", "rldicr", "rldic", "rldimi", "rldcl", "rldcr", "slw", "srw", "sld",
    "srd", "sraw", "srawi", "srad", "sradi", "extswsli", "mfspr", "mtspr", "mfcr", "mtcrf", "crand", "crandc",
    "cror", "crorc", "crxor", "crnand", "crnor", "creqv", "mcrf", "mulli", "mullw", "mulld", "mulhw", "mulhwu",
    "mulhd", "mulhdu", "divw", "divwu", "divd", "divdu", "cntlzw", "cntlzd", "cnttzw", "cnttzd", "popcntw",
    "popcntd", "isel", "mfmsr", "cmpb"};
constexpr std::string_view kNativeBranches[] = {"b", "bc", "bclr", "bcctr", "isync"};

size_t row_index(std::string_view mnemonic) {
    const auto t = phv::isa::insn_table();
    for (size_t i = 0; i < t.size(); ++i)
        if (t[i].mnemonic == mnemonic)
            return i;
    ADD_FAILURE() << "no row " << mnemonic;
    return 0;
}

struct RowGen {
    std::mt19937_64 rng;
    // Operands worth hitting: signs, word boundaries, zero, small counts (shifts, CTR).
    uint64_t value() {
        static constexpr uint64_t kEdges[] = {0, 1, 2, 31, 32, 33, 63, 64, 65, 127, 0x7fffffff, 0x80000000,
                                              0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000,
                                              ~0ull, ~0ull - 1, 0xffffffff80000000, 0x00000000ffff0000};
        switch (rng() % 4) {
        case 0: return kEdges[rng() % std::size(kEdges)];
        case 1: return rng() % 8;
        default: return rng();
        }
    }
    // A word of row `mnemonic` with random fields (mfspr/mtspr naming LR, CTR, XER or SPRG0, the last called).
    phv::isa::Decoded insn(std::string_view mnemonic, const phv::isa::DecodeContext &ctx) {
        const size_t idx = row_index(mnemonic);
        const phv::isa::InsnDef &def = phv::isa::insn_table()[idx];
        for (;;) {
            uint32_t w = def.match | (uint32_t(rng()) & ~def.mask);
            if (mnemonic == "mfspr" || mnemonic == "mtspr") {
                // LR, CTR, XER; SPRG0, SRR0, DAR and DSISR (native in privileged blocks); VRSAVE (called)
                static constexpr unsigned kSprs[] = {8, 9, 1, 272, 26, 19, 18, 256};
                const unsigned n = kSprs[rng() % std::size(kSprs)];
                w = (w & ~(0x3ffu << 11)) | (n & 0x1f) << 16 | (n >> 5) << 11;
            }
            const phv::isa::Decoded d = phv::isa::decode(w, ctx);
            if (d.def == idx)
                return d;
        }
    }
};

struct Observed {
    uint64_t gpr[32], lr, ctr, nip, insns;
    uint32_t cr;
    uint8_t so, ov, ov32, ca, ca32;
    bool operator==(const Observed &) const = default;
};
Observed observe(phv::Vcpu &v) {
    Observed o{};
    std::memcpy(o.gpr, v.st_.gpr.data(), sizeof o.gpr);
    o.lr = v.st_.lr, o.ctr = v.st_.ctr, o.nip = v.st_.nip, o.insns = v.stats().insns_executed, o.cr = v.st_.cr;
    o.so = v.st_.so, o.ov = v.st_.ov, o.ov32 = v.st_.ov32, o.ca = v.st_.ca, o.ca32 = v.st_.ca32;
    return o;
}
std::string describe(const phv::Block &b, const Observed &want, const Observed &got) {
    std::string s;
    for (const auto &d : b.insns)
        s += std::string(phv::isa::insn_table()[d.def].mnemonic) + " " + std::to_string(d.word) + "; ";
    for (int i = 0; i < 32; ++i)
        if (want.gpr[i] != got.gpr[i])
            s += " r" + std::to_string(i) + " " + std::to_string(want.gpr[i]) + "/" + std::to_string(got.gpr[i]);
    s += " cr " + std::to_string(want.cr) + "/" + std::to_string(got.cr);
    s += " ca " + std::to_string(want.ca) + std::to_string(want.ca32) + "/" + std::to_string(got.ca) + std::to_string(got.ca32);
    s += " ov " + std::to_string(want.ov) + std::to_string(want.ov32) + std::to_string(want.so) + "/" +
         std::to_string(got.ov) + std::to_string(got.ov32) + std::to_string(got.so);
    s += " nip " + std::to_string(want.nip) + "/" + std::to_string(got.nip);
    s += " lr " + std::to_string(want.lr) + "/" + std::to_string(got.lr);
    s += " ctr " + std::to_string(want.ctr) + "/" + std::to_string(got.ctr);
    return s;
}

// A random register state for one block: MSR as given, random GPRs, CR, LR, CTR and XER, NIP at nip.
void random_state(phv::Vcpu &v, RowGen &gen, uint64_t msr, uint64_t nip) {
    v.st_.msr = msr;
    for (auto &r : v.st_.gpr)
        r = gen.value();
    v.st_.cr = uint32_t(gen.rng());
    v.st_.lr = gen.value(), v.st_.ctr = gen.value();
    v.st_.set_xer(gen.rng() & 0xe00c007f);
    v.st_.nip = nip;
}

// Random blocks of the native rows, every variant (OE, Rc, L, BO, LK, AA) and random operands, in 64-bit
// and in 32-bit mode: the compiled block leaves exactly the state the rows' semantic functions leave when
// run one after the other as run_block does, and every instruction but mfspr/mtspr VRSAVE was native.
TEST(Jit, NativeRowsMatchTheirSemantics) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(1u << 20);
    ASSERT_TRUE(buf.ok());
    RowGen gen{std::mt19937_64(0x6a17)};
    const uint64_t msr0 = v.st_.msr;
    unsigned blocks = 0, natives = 0;
    for (int mode = 0; mode < 2; ++mode) {
        const uint64_t msr = mode ? msr0 & ~phv::msr::SF : msr0 | phv::msr::SF;
        for (int n = 0; n < 6000; ++n) {
            phv::Block b = block_at_code_base(msr);
            const unsigned len = 1 + gen.rng() % 6;
            for (unsigned i = 0; i < len; ++i)
                b.insns.push_back(gen.insn(kNativeBody[gen.rng() % std::size(kNativeBody)], ctx));
            if (gen.rng() % 2)
                b.insns.push_back(gen.insn(kNativeBranches[gen.rng() % std::size(kNativeBranches)], ctx));
            unsigned expect_native = 0;
            for (const auto &d : b.insns) {
                const auto name = phv::isa::insn_table()[d.def].mnemonic;
                expect_native += !((name == "mfspr" || name == "mtspr") && d.imm == 256);
            }

            // One random state for both runs.
            random_state(v, gen, msr, mode ? (gen.rng() & 0xfffffffc) : (gen.rng() & ~3ull));
            const phv::CpuState start = v.st_;
            const uint64_t insns0 = v.stats().insns_executed;

            for (const auto &d : b.insns) {
                ++v.stats().insns_executed;
                const phv::isa::Flow f = d.fn(v, d);
                if (f != phv::isa::Flow::Next)
                    break;
                v.st_.nip = v.next_nip(d);
            }
            const Observed want = observe(v);

            v.st_ = start;
            v.stats().insns_executed = insns0;
            unsigned native = 0;
            phv::jit::BlockFn fn = compile_or_flush(v, b, buf, native);
            ASSERT_NE(fn, nullptr);
            EXPECT_EQ(fn(&v), phv::isa::Flow::Jump);
            const Observed got = observe(v);
            ASSERT_EQ(native, expect_native) << describe(b, want, got);
            ASSERT_TRUE(want == got) << (mode ? "32-bit: " : "64-bit: ") << describe(b, want, got);
            ++blocks, natives += native;
        }
    }
    v.st_.msr = msr0;
    EXPECT_EQ(blocks, 12000u);
    EXPECT_GT(natives, 40000u);
}

// The multiply, divide and count rows against their semantic functions on every pair of edge operands
// (division by zero, the most negative number by -1, products that overflow a word or a doubleword, zero
// for the counts), in every OE/Rc variant, in 64- and 32-bit mode, with XER[SO] clear and set: the same
// GPRs, CR and XER, and each compiled as host code.
TEST(Jit, NativeMultiplyDivideCountEdgesMatchTheirSemantics) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(4u << 20);
    ASSERT_TRUE(buf.ok());
    constexpr uint64_t kEdges[] = {0, 1, 2, 3, 7, ~0ull, ~0ull - 1, 0x7fffffff, 0x80000000, 0xffffffff,
                                   0x80000001, 0x100000000, 0xffffffff80000000, 0x7fffffffffffffff,
                                   0x8000000000000000, 0x123456789abcdef0, 0xfedcba9876543210,
                                   0x0000000100000001, 0x00000000fffffffe, 0xffffffff00000000};
    constexpr std::string_view kXo[] = {"mullw", "mulld", "mulhw", "mulhwu", "mulhd", "mulhdu",
                                        "divw", "divwu", "divd", "divdu"};
    constexpr std::string_view kUnary[] = {"cntlzw", "cntlzd", "cnttzw", "cnttzd", "popcntw", "popcntd"};
    const uint64_t msr0 = v.st_.msr;
    unsigned checked = 0;
    const auto check = [&](std::string_view name, bool unary) {
        const phv::isa::InsnDef &def = phv::isa::insn_table()[row_index(name)];
        for (unsigned variant = 0; variant < 4; ++variant) {
            if (!def.exec[variant])
                continue;
            // XO: RT=6, RA=4, RB=5; X (count): RS=4, RA=6.
            const uint32_t w = def.match | (unary ? (4u << 21 | 6u << 16) : (6u << 21 | 4u << 16 | 5u << 11)) |
                               (variant & 2 ? 1u << 10 : 0) | (variant & 1);
            phv::Block b;
            b.insns.push_back(phv::isa::decode(w, ctx));
            ASSERT_EQ(b.insns[0].fn, def.exec[variant]) << name << " " << variant;
            for (int mode = 0; mode < 2; ++mode) {
                const uint64_t msr = mode ? (msr0 & ~phv::msr::SF) : msr0;
                b.key = phv::BlockCache::key(GuestCode::kCodeBase, msr);
                unsigned native = 0;
                phv::jit::BlockFn fn = phv::jit::compile(v, b, buf, false, &native);
                ASSERT_NE(fn, nullptr);
                ASSERT_EQ(native, 1u) << name;
                for (uint64_t a : kEdges)
                    for (uint64_t c : kEdges)
                        for (uint8_t so = 0; so < 2; ++so) {
                            v.st_.msr = msr;
                            v.st_.gpr[4] = a, v.st_.gpr[5] = c, v.st_.gpr[6] = 0x5555aaaa5555aaaa;
                            v.st_.cr = 0x12345678;
                            v.st_.set_xer(0);
                            v.st_.so = so;
                            v.st_.nip = GuestCode::kCodeBase;
                            const phv::CpuState start = v.st_;
                            const uint64_t insns0 = v.stats().insns_executed;
                            ++v.stats().insns_executed;
                            ASSERT_EQ(b.insns[0].fn(v, b.insns[0]), phv::isa::Flow::Next);
                            v.st_.nip = v.next_nip(b.insns[0]);
                            const Observed want = observe(v);
                            v.st_ = start;
                            v.stats().insns_executed = insns0;
                            EXPECT_EQ(fn(&v), phv::isa::Flow::Jump);
                            const Observed got = observe(v);
                            ASSERT_TRUE(want == got) << name << " variant " << variant << (mode ? " 32-bit " : " 64-bit ")
                                                     << std::hex << a << " " << c << ": " << describe(b, want, got);
                            ++checked;
                        }
            }
        }
    };
    for (std::string_view n : kXo)
        check(n, false);
    for (std::string_view n : kUnary)
        check(n, true);
    v.st_.msr = msr0;
    // 10 XO rows: 4 variants (mulh*: 2); 6 count rows: 2 variants (popcnt*: 1); 2 modes, 400 pairs, 2 SO.
    EXPECT_EQ(checked, (6u * 4 + 4u * 2 + 4u * 2 + 2u * 1) * 2 * 400 * 2);
}

constexpr std::string_view kNativeMemory[] = {
    "lbz", "lbzu", "lbzx", "lbzux", "lhz", "lhzu", "lhzx", "lhzux", "lha", "lhau", "lhax", "lhaux", "lwz",
    "lwzu", "lwzx", "lwzux", "lwa", "lwax", "lwaux", "ld", "ldu", "ldx", "ldux", "lhbrx", "lwbrx", "ldbrx",
    "stb", "stbu", "stbx", "stbux", "sth", "sthu", "sthx", "sthux", "stw", "stwu", "stwx", "stwux", "std",
    "stdu", "stdx", "stdux", "sthbrx", "stwbrx", "stdbrx", "dcbz", "lwarx", "ldarx", "lbarx", "lharx", "stwcx.",
    "stdcx.", "stbcx.", "sthcx."};

// Random blocks of loads and stores (every form, both byte orders, 64- and 32-bit mode, real mode) mixed
// with native arithmetic, from bases near the end of RAM so that some accesses cross it (the slow path: an
// MMIO exit) and near a page holding a block (a store there takes the slow path to invalidate it): GPRs,
// NIP, the count and memory end as the semantic functions leave them, and every access was native code.
// The MSR of a random memory-block test's mode: bit 0 clears SF (32-bit), bit 1 clears LE, bit 2 sets DR.
uint64_t mode_msr(uint64_t msr0, int mode) {
    uint64_t msr = mode & 1 ? msr0 & ~phv::msr::SF : msr0 | phv::msr::SF;
    msr = mode & 2 ? msr & ~phv::msr::LE : msr | phv::msr::LE;
    return mode & 4 ? msr | phv::msr::DR : msr & ~phv::msr::DR;
}

// What the random memory blocks can reach, saved and compared: the code page's neighbourhood (stores there
// are noted) and RAM from `from` to its end (accesses may run off it).
struct ReachableRam {
    GuestCode &g;
    uint64_t from;
    static constexpr uint64_t kLow = GuestCode::kCodeBase - 0x1000, kLowSize = 0x4000;
    std::vector<uint8_t> snapshot() const {
        std::vector<uint8_t> m(g.ram + kLow, g.ram + kLow + kLowSize);
        m.insert(m.end(), g.ram + from, g.ram + GuestCode::kRamSize);
        return m;
    }
    void restore(const std::vector<uint8_t> &m) const {
        std::memcpy(g.ram + kLow, m.data(), kLowSize);
        std::memcpy(g.ram + from, m.data() + kLowSize, GuestCode::kRamSize - from);
    }
};

TEST(Jit, NativeLoadsAndStoresMatchTheirSemantics) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(1u << 20);
    ASSERT_TRUE(buf.ok());
    RowGen gen{std::mt19937_64(0x10ad)};
    const uint64_t msr0 = v.st_.msr;
    // The data: the last 8 KiB of RAM (accesses may run off its end) and the code page's neighbourhood.
    constexpr uint64_t kData = GuestCode::kRamSize - 0x2000;
    g.load(with_done({addi(20, 0, 1)}));   // a block built from kCodeBase's page: stores there are noted
    g.run_to_done();
    const ReachableRam reach{g, kData};
    const auto snapshot = [&] { return reach.snapshot(); };
    const auto restore = [&](const std::vector<uint8_t> &m) { reach.restore(m); };
    unsigned blocks = 0, exits = 0;
    for (int mode = 0; mode < 4; ++mode) {
        uint64_t msr = mode & 1 ? msr0 & ~phv::msr::SF : msr0 | phv::msr::SF;
        msr = mode & 2 ? msr & ~phv::msr::LE : msr | phv::msr::LE;
        for (int n = 0; n < 1500; ++n) {
            phv::Block b = block_at_code_base(msr);
            const unsigned len = 1 + gen.rng() % 8;
            for (unsigned i = 0; i < len; ++i) {
                if (gen.rng() % 4 == 0) {
                    b.insns.push_back(gen.insn(kNativeBody[gen.rng() % 24], ctx));
                    continue;
                }
                const std::string_view name = kNativeMemory[gen.rng() % std::size(kNativeMemory)];
                const size_t idx = row_index(name);
                const auto &def = phv::isa::insn_table()[idx];
                for (;;) {
                    uint32_t w = def.match | (uint32_t(gen.rng()) & ~def.mask);
                    // RT/RS in r0-r15, RA a base in r20-r23, RB an index in r24-r27, D within +-1 KiB.
                    const uint32_t rt = gen.rng() % 16, ra = 20 + gen.rng() % 4, rb = 24 + gen.rng() % 4;
                    if (def.form == phv::isa::Form::X)
                        w = (w & ~0x03fff800u) | rt << 21 | ra << 16 | rb << 11;
                    else
                        w = (w & ~0x03ff0000u & ~(def.form == phv::isa::Form::DS ? 0xfffcu : 0xffffu)) | rt << 21 |
                            ra << 16 | ((uint32_t(int32_t(gen.rng() % 2048) - 1024)) & (def.form == phv::isa::Form::DS ? 0xfffcu : 0xffffu));
                    const phv::isa::Decoded d = phv::isa::decode(w, ctx);
                    if (d.def == idx) {
                        b.insns.push_back(d);
                        break;
                    }
                }
            }
            v.st_.msr = msr;
            for (unsigned r = 0; r < 32; ++r)
                v.st_.gpr[r] = gen.value();
            const uint64_t region = gen.rng() % 2 ? kData : GuestCode::kCodeBase - 0x800;
            for (unsigned r = 20; r < 24; ++r)
                v.st_.gpr[r] = region + gen.rng() % 0x1000 + (gen.rng() % 8 == 0 ? 0x1400 : 0);
            for (unsigned r = 24; r < 28; ++r)
                v.st_.gpr[r] = gen.rng() % 0x400;
            v.st_.nip = GuestCode::kCodeBase;
            // Each run starts holding no reservation (the table's share is not part of CpuState).
            v.drop_reservation();
            for (uint64_t a = kData; a < GuestCode::kRamSize; a += 8) {
                const uint64_t x = gen.value();
                std::memcpy(g.ram + a, &x, 8);
            }
            const std::vector<uint8_t> mem0 = snapshot();
            const phv::CpuState start = v.st_;
            const uint64_t insns0 = v.stats().insns_executed;

            phv::isa::Flow wf = phv::isa::Flow::Jump;
            for (const auto &d : b.insns) {
                ++v.stats().insns_executed;
                const phv::isa::Flow f = d.fn(v, d);
                if (f != phv::isa::Flow::Next) {
                    wf = phv::Vcpu::jit_leave(&v, &d, f);
                    break;
                }
                v.st_.nip = v.next_nip(d);
            }
            const Observed want = observe(v);
            const std::vector<uint8_t> want_mem = snapshot();

            v.drop_reservation();
            v.st_ = start;
            v.stats().insns_executed = insns0;
            restore(mem0);
            unsigned native = 0;
            phv::jit::BlockFn fn = compile_or_flush(v, b, buf, native);
            ASSERT_NE(fn, nullptr);
            const phv::isa::Flow gf = fn(&v);
            const Observed got = observe(v);
            ASSERT_EQ(native, b.insns.size());
            ASSERT_EQ(gf, wf) << describe(b, want, got);
            ASSERT_TRUE(want == got) << "mode " << mode << ": " << describe(b, want, got);
            ASSERT_TRUE(snapshot() == want_mem) << describe(b, want, got);
            restore(mem0);
            ++blocks, exits += gf == phv::isa::Flow::Exit;
        }
    }
    v.st_.msr = msr0;
    EXPECT_EQ(blocks, 6000u);
    EXPECT_GT(exits, 100u);   // the slow path ran
}

// ---- guest GPRs held in host registers (jit/gpr_cache.cpp) ----------------------------------------------

// What an interrupt leaves besides the registers Observed has.
struct ObservedAll {
    Observed o;
    uint64_t msr, srr0, srr1, dar, dsisr;
    bool operator==(const ObservedAll &) const = default;
};
ObservedAll observe_all(phv::Vcpu &v) {
    return {observe(v), v.st_.msr, v.st_.spr[phv::spr::SRR0], v.st_.spr[phv::spr::SRR1],
            v.st_.spr[phv::spr::DAR], v.st_.spr[phv::spr::DSISR]};
}

// The block run as run_block<false, false> runs it: each row's semantic function, and for Jump or Exit the
// JIT's own leaving (Vcpu::jit_leave), which is the interpreter's.
phv::isa::Flow run_semantics(phv::Vcpu &v, const phv::Block &b) {
    for (const auto &d : b.insns) {
        ++v.stats().insns_executed;
        const phv::isa::Flow f = d.fn(v, d);
        if (f != phv::isa::Flow::Next)
            return phv::Vcpu::jit_leave(&v, &d, f);
        v.st_.nip = v.next_nip(d);
    }
    return phv::isa::Flow::Jump;
}

phv::isa::Flow run_compiled(phv::Vcpu &v, phv::Block &b, phv::jit::CodeBuffer &buf, unsigned &native) {
    phv::jit::BlockFn fn = compile_or_flush(v, b, buf, native);
    EXPECT_NE(fn, nullptr);
    return fn ? fn(&v) : phv::isa::Flow::Exit;
}

// The block from the current state through its semantic functions, then from the same state compiled: the
// flow and what `observe` sees after each, and how many rows ran native.
template <typename Obs> struct BothRuns {
    phv::isa::Flow want_flow, got_flow;
    Obs want, got;
    unsigned native = 0;
};
template <typename Obs>
BothRuns<Obs> run_both(phv::Vcpu &v, phv::Block &b, phv::jit::CodeBuffer &buf, Obs (*observe_fn)(phv::Vcpu &)) {
    BothRuns<Obs> r;
    const phv::CpuState start = v.st_;
    const uint64_t insns0 = v.stats().insns_executed;
    r.want_flow = run_semantics(v, b);
    r.want = observe_fn(v);
    v.st_ = start;
    v.stats().insns_executed = insns0;
    r.got_flow = run_compiled(v, b, buf, r.native);
    r.got = observe_fn(v);
    return r;
}

// A row of `mnemonic` whose register fields (bits 21-25, 16-20, 11-15 and an A-form's RC in 6-10) name
// r0-r11 (or fewer) only, more GPRs than the cache has registers but few enough that a block reads again what it
// wrote: values stay dirty in host registers across many rows before a call, an exit or an interrupt.
phv::isa::Decoded narrow_insn(RowGen &gen, std::string_view mnemonic, const phv::isa::DecodeContext &ctx,
                              unsigned regs = 12) {
    const size_t idx = row_index(mnemonic);
    const bool spr_move = mnemonic == "mfspr" || mnemonic == "mtspr";
    for (;;) {
        uint32_t w = gen.insn(mnemonic, ctx).word;
        for (unsigned at : {21u, 16u, 11u, 6u}) {
            if ((0x1fu << at) & phv::isa::insn_table()[idx].mask || (spr_move && at != 21))
                continue;   // opcode bits, and the SPR number, stay
            w = (w & ~(0x1fu << at)) | ((w >> at & 0x1f) % regs) << at;
        }
        const phv::isa::Decoded d = phv::isa::decode(w, ctx);
        if (d.def == idx)
            return d;
    }
}

// Called rows between native ones: integer rows that read GPRs the native rows before them may hold dirty
// (prtyd, popcntb, prtyw, bpermd, maddld read up to three) and write one, rows that read or write CR, which
// the native compares and branches hold in a register too (setb, cmprb, cmpeqb), and the traps (native rows
// whose trap is their semantic call), whose program interrupt is taken mid-block with the registers as the
// interpreter has them. Random blocks in both modes: everything the interpreter leaves (GPRs, CR, XER, LR,
// CTR, NIP, the count, MSR, SRR0/1) agrees.
TEST(Jit, CachedGprsAreInCpuStateForCalledRowsAndInterrupts) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(1u << 20);
    ASSERT_TRUE(buf.ok());
    RowGen gen{std::mt19937_64(0xca11)};
    // The last two trap; setb reads CR, cmprb and cmpeqb write a CR field.
    constexpr std::string_view kCalled[] = {"prtyd", "popcntb", "prtyw", "bpermd", "maddld", "setb", "cmprb", "cmpeqb",
                                            "twi", "tdi"};
    const uint64_t msr0 = v.st_.msr;
    unsigned blocks = 0, traps = 0, calls = 0;
    for (int mode = 0; mode < 2; ++mode) {
        const uint64_t msr = mode ? msr0 & ~phv::msr::SF : msr0 | phv::msr::SF;
        for (int n = 0; n < 4000; ++n) {
            phv::Block b = block_at_code_base(msr);
            const unsigned len = 2 + gen.rng() % 10;
            unsigned called = 0;
            for (unsigned i = 0; i < len; ++i) {
                const bool call = gen.rng() % 4 == 0;
                // A trap taken at random would end most blocks early: one in four of the called rows.
                const std::string_view name = call ? kCalled[gen.rng() % 4 == 0 ? 8 + gen.rng() % 2 : gen.rng() % 8]
                                                   : kNativeBody[gen.rng() % std::size(kNativeBody)];
                b.insns.push_back(narrow_insn(gen, name, ctx));
                called += (call && name != "twi" && name != "tdi") ||
                          ((name == "mfspr" || name == "mtspr") && b.insns.back().imm == 256);
            }
            if (gen.rng() % 2)
                b.insns.push_back(narrow_insn(gen, kNativeBranches[gen.rng() % std::size(kNativeBranches)], ctx));
            random_state(v, gen, msr, GuestCode::kCodeBase);
            v.st_.spr[phv::spr::SRR0] = v.st_.spr[phv::spr::SRR1] = 0;
            const auto [wf, gf, want, got, native] = run_both(v, b, buf, observe_all);
            ASSERT_EQ(native, b.insns.size() - called);
            ASSERT_EQ(gf, wf) << describe(b, want.o, got.o);
            ASSERT_TRUE(want == got) << (mode ? "32-bit: " : "64-bit: ") << describe(b, want.o, got.o) << " srr0 "
                                     << want.srr0 << "/" << got.srr0 << " msr " << want.msr << "/" << got.msr;
            ++blocks, calls += called, traps += want.srr0 != 0;
        }
    }
    v.st_.msr = msr0;
    EXPECT_EQ(blocks, 8000u);
    EXPECT_GT(calls, 8000u);
    EXPECT_GT(traps, 200u);   // program interrupts mid-block
}

// Loads and stores in blocks that keep r0-r7 dirty in host registers (r0-r11 in use, more than it has): under MSR[DR]=1 with nothing mapped
// the first access takes the storage interrupt in its slow path, which restarts the instruction, and the
// interrupt sees the registers the native rows before it wrote; under MSR[DR]=0 accesses at the end of
// RAM leave the block with an MMIO exit mid-block, others take the fast path and keep their results in
// host registers. lmw and stmw (called) read and write most GPRs at once; under MSR[LE]=1 they take the
// alignment interrupt. Everything the interpreter leaves agrees, memory included.
TEST(Jit, CachedGprsAreInCpuStateAtFaultsAndExits) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(1u << 20);
    ASSERT_TRUE(buf.ok());
    RowGen gen{std::mt19937_64(0xfa17)};
    constexpr uint64_t kData = GuestCode::kRamSize - 0x2000;
    const auto snapshot = [&] { return std::vector<uint8_t>(g.ram + kData, g.ram + GuestCode::kRamSize); };
    const auto restore = [&](const std::vector<uint8_t> &m) { std::memcpy(g.ram + kData, m.data(), m.size()); };
    const uint64_t msr0 = v.st_.msr;
    unsigned blocks = 0, faults = 0, exits = 0, fast = 0;
    for (int mode = 0; mode < 8; ++mode) {
        const uint64_t msr = mode_msr(msr0, mode);
        for (int n = 0; n < 750; ++n) {
            phv::Block b = block_at_code_base(msr);
            const unsigned len = 2 + gen.rng() % 10;
            unsigned called = 0;
            for (unsigned i = 0; i < len; ++i) {
                const unsigned kind = gen.rng() % 8;
                if (kind < 4) {
                    b.insns.push_back(narrow_insn(gen, kNativeBody[gen.rng() % 24], ctx, 8));   // not the bases
                    continue;
                }
                // RT/RS in r0-r7, RA a base in r8-r9, RB an index in r10-r11; stmw from r4-r7 up, lmw from
                // r12-r15 up (loading the bases would send later accesses to memory the test does not restore;
                // the previous test has called rows writing cached GPRs).
                const bool multiple = kind == 7, lmw = multiple && gen.rng() % 2;
                const std::string_view name = multiple ? (lmw ? "lmw" : "stmw")
                                                       : kNativeMemory[gen.rng() % std::size(kNativeMemory)];
                const auto &def = phv::isa::insn_table()[row_index(name)];
                for (;;) {
                    uint32_t w = def.match | (uint32_t(gen.rng()) & ~def.mask);
                    const uint32_t rt = (lmw ? 12 : multiple ? 4 : 0) + gen.rng() % (multiple ? 4 : 8), ra = 8 + gen.rng() % 2,
                                   rb = 10 + gen.rng() % 2;
                    const uint32_t dmask = def.form == phv::isa::Form::DS ? 0xfffcu : 0xffffu;
                    if (def.form == phv::isa::Form::X)
                        w = (w & ~0x03fff800u) | rt << 21 | ra << 16 | rb << 11;
                    else
                        w = (w & ~0x03ff0000u & ~dmask) | rt << 21 | ra << 16 | (uint32_t(int32_t(gen.rng() % 512) - 256) & dmask);
                    const phv::isa::Decoded d = phv::isa::decode(w, ctx);
                    if (d.def == row_index(name)) {
                        b.insns.push_back(d);
                        break;
                    }
                }
                called += multiple;
            }
            random_state(v, gen, msr, GuestCode::kCodeBase);
            for (unsigned r = 8; r < 10; ++r)
                v.st_.gpr[r] = kData + 0x1000 + gen.rng() % 0x1100;   // some accesses run off the end of RAM
            for (unsigned r = 10; r < 12; ++r)
                v.st_.gpr[r] = gen.rng() % 0x200;
            for (auto s : {phv::spr::SRR0, phv::spr::SRR1, phv::spr::DAR, phv::spr::DSISR})
                v.st_.spr[s] = 0;
            for (uint64_t a = kData; a < GuestCode::kRamSize; a += 8) {
                const uint64_t x = gen.value();
                std::memcpy(g.ram + a, &x, 8);
            }
            const std::vector<uint8_t> mem0 = snapshot();
            const phv::CpuState start = v.st_;
            const uint64_t insns0 = v.stats().insns_executed;
            const uint64_t fast0 = v.stats().insns_executed;
            const phv::isa::Flow wf = run_semantics(v, b);
            const ObservedAll want = observe_all(v);
            const std::vector<uint8_t> want_mem = snapshot();

            v.st_ = start;
            v.stats().insns_executed = insns0;
            restore(mem0);
            unsigned native = 0;
            const phv::isa::Flow gf = run_compiled(v, b, buf, native);
            const ObservedAll got = observe_all(v);
            ASSERT_EQ(native, b.insns.size() - called);
            ASSERT_EQ(gf, wf) << describe(b, want.o, got.o);
            ASSERT_TRUE(want == got) << "mode " << mode << ": " << describe(b, want.o, got.o) << " srr0 " << want.srr0
                                     << "/" << got.srr0 << " dar " << want.dar << "/" << got.dar;
            ASSERT_TRUE(snapshot() == want_mem) << describe(b, want.o, got.o);
            restore(mem0);
            ++blocks;
            faults += want.srr0 != 0;
            exits += gf == phv::isa::Flow::Exit;
            fast += want.srr0 == 0 && gf != phv::isa::Flow::Exit && want.o.insns - fast0 > 2;
        }
    }
    v.st_.msr = msr0;
    EXPECT_EQ(blocks, 6000u);
    EXPECT_GT(faults, 1000u);   // storage and alignment interrupts mid-block
    EXPECT_GT(exits, 200u);     // MMIO exits mid-block
    EXPECT_GT(fast, 500u);      // blocks that ran through to their end
}

// The rows computed in the target's own register when their operands are held (addi, addis, add, and, or,
// xor, srdi, sldi, mulli, mulld: lea, a shift or one ALU op instead of going through rax), on r0-r3 so that targets and
// sources alias in every way, in blocks of four where each value is used again: the semantic functions'
// results in both modes.
TEST(Jit, InPlaceRowsMatchTheirSemantics) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(1u << 20);
    ASSERT_TRUE(buf.ok());
    RowGen gen{std::mt19937_64(0x1ea)};
    constexpr std::string_view kRows[] = {"addi", "addis", "add", "and", "or", "xor", "rldicl", "rldicr", "mulli", "mulld"};
    // One instance of a row in its plain form (no OE, no Rc; rldicl as srdi, rldicr as sldi).
    const auto plain = [&](std::string_view name) {
        const phv::isa::InsnDef &def = phv::isa::insn_table()[row_index(name)];
        const bool rotate = name == "rldicl" || name == "rldicr";
        for (;;) {
            // A rotate keeps its random SH and MB (narrowing would move them): only RS and RA narrowed.
            uint32_t w = gen.insn(name, ctx).word;
            w = (w & ~(0x3ffu << 16)) | uint32_t(gen.rng() % 4) << 21 | uint32_t(gen.rng() % 4) << 16;
            const phv::isa::Decoded d = rotate ? phv::isa::decode(w, ctx) : narrow_insn(gen, name, ctx, 4);
            const bool shape = name == "rldicl" ? d.sh && d.sh + d.mb == 64 : name == "rldicr" ? d.mb + d.sh == 63 : true;
            if (d.fn == def.exec[0] && shape)
                return d;
        }
    };
    const uint64_t msr0 = v.st_.msr;
    unsigned blocks = 0;
    for (int mode = 0; mode < 2; ++mode) {
        const uint64_t msr = mode ? msr0 & ~phv::msr::SF : msr0 | phv::msr::SF;
        for (int n = 0; n < 3000; ++n) {
            phv::Block b = block_at_code_base(msr);
            for (int i = 0; i < 4; ++i)
                b.insns.push_back(plain(kRows[gen.rng() % std::size(kRows)]));
            random_state(v, gen, msr, GuestCode::kCodeBase);
            const auto [wf, gf, want, got, native] = run_both(v, b, buf, observe);
            ASSERT_EQ(native, 4u);
            ASSERT_EQ(gf, wf);
            ASSERT_TRUE(want == got) << (mode ? "32-bit: " : "64-bit: ") << describe(b, want, got);
            ++blocks;
        }
    }
    v.st_.msr = msr0;
    EXPECT_EQ(blocks, 6000u);
}

// ---- FP and vector loads and stores (jit/native_memory.cpp e_fp_load ... e_vec_store) -------------------

constexpr std::string_view kNativeFpVec[] = {
    "lfd", "lfdu", "lfdx", "lfdux", "lfs", "lfsu", "lfsx", "lfsux", "stfd", "stfdu", "stfdx", "stfdux", "stfs",
    "stfsu", "stfsx", "stfsux", "lvx", "lvxl", "stvx", "stvxl", "lxvx", "lxv", "stxvx", "stxv"};

// A VSR doubleword for the FP stores: stfs's cases (single normal range, the single denormal range where
// the native row hands over to the semantic function, zeros, infinities, NaNs, below the denormal range)
// and random bits.
uint64_t fp_value(RowGen &gen) {
    static constexpr uint64_t kEdges[] = {0, 0x8000000000000000, 0x3ff0000000000000, 0xbff8000000000000,
                                          0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000001,
                                          0x7ff0000000000001, 0x3810000000000000, 0x3800000000000000,
                                          0x37ffffffffffffff, 0x36a0000000000000, 0x369fffffffffffff,
                                          0x0000000000000001, 0x47efffffe0000000, 0x47f0000000000000};
    return gen.rng() % 2 ? kEdges[gen.rng() % std::size(kEdges)] : gen.rng() % 2 ? gen.value() : gen.rng();
}
// A memory word for lfs: normal singles, zeros, denormals, infinities and NaNs of either sign.
uint32_t single_word(RowGen &gen) {
    static constexpr uint32_t kEdges[] = {0, 0x80000000, 1, 0x807fffff, 0x00400000, 0x7f800000, 0xff800000,
                                          0x7fc00000, 0x7f800001, 0x3f800000, 0x00800000, 0x7f7fffff};
    return gen.rng() % 2 ? kEdges[gen.rng() % std::size(kEdges)] : uint32_t(gen.rng());
}

// Random blocks of FP and vector loads and stores (every form of lfd, lfs, stfd, stfs, lvx, stvx, and lxv,
// lxvx, stxv, stxvx on all 64 VSRs) mixed
// with integer loads, stores and arithmetic that keep r0-r7 dirty in host registers, in both byte orders,
// 64- and 32-bit mode, and under MSR[DR]=1 with nothing mapped (a storage interrupt at the first access)
// or MSR[DR]=0 (bases near the end of RAM: page crossings and MMIO exits for the unaligned forms, and near
// the code page: stores that must invalidate it); in one block in four MSR[FP], MSR[VEC] or MSR[VSX] is
// off (the unavailable interrupt from the slow path; lxv/stxv need MSR[VSX] for VSR 0-31, MSR[VEC] above). Singles and doubles from the edge cases of the conversions.
// GPRs, the whole VSR file, CR, XER, NIP, the count, MSR, SRR0/1, DAR, DSISR and memory end as the semantic
// functions leave them, and every row was native code.
TEST(Jit, NativeFpAndVectorLoadsAndStoresMatchTheirSemantics) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(1u << 20);
    ASSERT_TRUE(buf.ok());
    RowGen gen{std::mt19937_64(0xf10a7)};
    // The data: the last 8 KiB of RAM (randomized) and the page below (a negative D reaches it).
    constexpr uint64_t kData = GuestCode::kRamSize - 0x2000, kBelow = kData - 0x1000;
    g.load(with_done({addi(20, 0, 1)}));   // a block built from kCodeBase's page: stores there are noted
    g.run_to_done();
    const ReachableRam reach{g, kBelow};
    const auto snapshot = [&] { return reach.snapshot(); };
    const auto restore = [&](const std::vector<uint8_t> &m) { reach.restore(m); };
    const auto vsr_diff = [](const phv::CpuState &a, const phv::CpuState &b) {
        std::string s;
        for (unsigned i = 0; i < 64; ++i)
            for (unsigned h = 0; h < 2; ++h)
                if (a.vsr[i][h] != b.vsr[i][h])
                    s += " vsr" + std::to_string(i) + "." + std::to_string(h) + " " + std::to_string(a.vsr[i][h]) +
                         "/" + std::to_string(b.vsr[i][h]);
        return s;
    };
    const uint64_t msr0 = v.st_.msr;
    unsigned blocks = 0, faults = 0, unavailable = 0, exits = 0, fast = 0;
    for (int mode = 0; mode < 8; ++mode) {
        const uint64_t msr = mode_msr(msr0, mode);
        for (int n = 0; n < 750; ++n) {
            phv::Block b = block_at_code_base(msr);
            const unsigned len = 2 + gen.rng() % 10;
            for (unsigned i = 0; i < len; ++i) {
                const unsigned kind = gen.rng() % 8;
                if (kind < 2) {
                    b.insns.push_back(narrow_insn(gen, kNativeBody[gen.rng() % 24], ctx, 8));   // not the bases
                    continue;
                }
                // FPR/VR anywhere, a GPR in r0-r7; RA a base in r8-r9, RB an index in r10-r11.
                const bool fpvec = kind >= 4;
                const std::string_view name = fpvec ? kNativeFpVec[gen.rng() % std::size(kNativeFpVec)]
                                                    : kNativeMemory[gen.rng() % std::size(kNativeMemory)];
                const auto &def = phv::isa::insn_table()[row_index(name)];
                for (;;) {
                    uint32_t w = def.match | (uint32_t(gen.rng()) & ~def.mask);
                    const uint32_t rt = gen.rng() % (fpvec ? 32 : 8), ra = 8 + gen.rng() % 2, rb = 10 + gen.rng() % 2;
                    // DQ: a multiple of 16 (the low bits are the row's), the VSX forms' TX bit random.
                    const uint32_t dmask = def.form == phv::isa::Form::DS ? 0xfffcu : def.form == phv::isa::Form::DQX ? 0xfff0u : 0xffffu;
                    if (def.form == phv::isa::Form::X || def.form == phv::isa::Form::XX1)
                        w = (w & ~0x03fff800u) | rt << 21 | ra << 16 | rb << 11;
                    else
                        w = (w & ~0x03ff0000u & ~dmask) | rt << 21 | ra << 16 | (uint32_t(int32_t(gen.rng() % 512) - 256) & dmask);
                    const phv::isa::Decoded d = phv::isa::decode(w, ctx);
                    if (d.def == row_index(name)) {
                        b.insns.push_back(d);
                        break;
                    }
                }
            }
            uint64_t m = msr | phv::msr::FP | phv::msr::VEC | phv::msr::VSX;
            if (gen.rng() % 4 == 0) {
                static constexpr uint64_t kFacility[] = {phv::msr::FP, phv::msr::VEC, phv::msr::VSX};
                m &= ~kFacility[gen.rng() % 3];
            }
            random_state(v, gen, m, GuestCode::kCodeBase);
            const uint64_t region = gen.rng() % 4 ? kData : GuestCode::kCodeBase - 0x800;
            for (unsigned r = 8; r < 10; ++r)
                v.st_.gpr[r] = region + gen.rng() % 0x2100;   // pages crossed, the end of RAM run off
            for (unsigned r = 10; r < 12; ++r)
                v.st_.gpr[r] = gen.rng() % 0x200;
            for (auto &x : v.st_.vsr)
                x = {fp_value(gen), fp_value(gen)};
            for (auto s : {phv::spr::SRR0, phv::spr::SRR1, phv::spr::DAR, phv::spr::DSISR})
                v.st_.spr[s] = 0;
            for (uint64_t a = kBelow; a < GuestCode::kRamSize; a += 4) {
                const uint32_t x = single_word(gen);
                std::memcpy(g.ram + a, &x, 4);
            }
            const std::vector<uint8_t> mem0 = snapshot();
            const phv::CpuState start = v.st_;
            const uint64_t insns0 = v.stats().insns_executed;
            const phv::isa::Flow wf = run_semantics(v, b);
            const ObservedAll want = observe_all(v);
            const phv::CpuState want_st = v.st_;
            const std::vector<uint8_t> want_mem = snapshot();

            // A vector access's MMIO exit leaves its pieces served so far in the vcpu, for the instruction's
            // next run; an interrupt forgets them (interrupts.cpp), so that the compiled run starts afresh.
            (void)v.program_interrupt(0);
            v.st_ = start;
            v.stats().insns_executed = insns0;
            restore(mem0);
            unsigned native = 0;
            const phv::isa::Flow gf = run_compiled(v, b, buf, native);
            const ObservedAll got = observe_all(v);
            const phv::CpuState got_st = v.st_;
            (void)v.program_interrupt(0);
            ASSERT_EQ(native, b.insns.size());
            ASSERT_EQ(gf, wf) << describe(b, want.o, got.o);
            ASSERT_TRUE(want == got) << "mode " << mode << ": " << describe(b, want.o, got.o) << " srr0 " << want.srr0
                                     << "/" << got.srr0 << " srr1 " << want.srr1 << "/" << got.srr1;
            ASSERT_TRUE(want_st.vsr == got_st.vsr) << "mode " << mode << ": " << describe(b, want.o, got.o)
                                                   << vsr_diff(want_st, got_st);
            ASSERT_TRUE(snapshot() == want_mem) << "mode " << mode << ": " << describe(b, want.o, got.o);
            restore(mem0);
            ++blocks;
            const bool interrupted = want.srr0 != 0;
            faults += interrupted && (start.msr & phv::msr::DR) != 0;
            const uint64_t all = phv::msr::FP | phv::msr::VEC | phv::msr::VSX;
            unavailable += interrupted && (start.msr & all) != all;
            exits += gf == phv::isa::Flow::Exit;
            fast += !interrupted && gf != phv::isa::Flow::Exit && want.o.insns - insns0 == b.insns.size();
        }
    }
    v.st_.msr = msr0;
    EXPECT_EQ(blocks, 6000u);
    EXPECT_GT(faults, 1000u);       // storage interrupts mid-block (MSR[DR]=1)
    EXPECT_GT(unavailable, 300u);   // FP and VMX unavailable mid-block
    EXPECT_GT(exits, 200u);         // MMIO exits mid-block
    EXPECT_GT(fast, 500u);          // blocks that ran through to their end
}

// ---- FP arithmetic (jit/native_fp.cpp) ---------------------------------------------------------------------

constexpr std::string_view kNativeFpArith[] = {"fadd", "fsub", "fmul", "fdiv", "fsqrt", "fmadd", "fmsub",
                                               "fnmadd", "fnmsub", "fmr", "fneg", "fabs", "fnabs",
                                               "fcfid", "fctidz"};
constexpr std::string_view kFpMixInteger[] = {"add", "addi", "subf", "or", "xor", "rlwinm", "cmp", "cmpi",
                                              "crxor", "mcrf", "mfcr", "mtcrf", "isel"};

// A binary64 operand for the arithmetic rows: zeros of both signs, denormals, the exponents at each quick
// path's bounds and one either side (host_fast.cpp: results at 2 (kMinExp), 0x7fd and 0x7fe (kMaxAddExp,
// kMaxExp), products and quotients whose exponents sum near kMinExpSum (1080), square roots near
// kMinSqrtExp (540, operands near 57)), fctidz's (2^52, 2^63), max and min normals, infinities, quiet and signalling NaNs, and
// small integers and short fractions (exact sums and products) beside full fractions (inexact ones), and
// integers for fcfid (small, and 2^53 and one beyond of either sign).
uint64_t fp_operand_value(RowGen &gen) {
    static constexpr uint64_t kExps[] = {0,    1,    2,    3,    55,   56,   57,   58,   59,   538,
                                         539,  540,  541,  542,  1021, 1022, 1023, 1024, 1025, 1074,
                                         1075, 1076, 1085, 1086, 0x7fc, 0x7fd, 0x7fe, 0x7ff};
    static constexpr uint64_t kValues[] = {0, 0x8000000000000000, 0x0000000000000001, 0x800fffffffffffff,
                                           0x0010000000000000, 0x7fefffffffffffff, 0xffefffffffffffff,
                                           0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
                                           0xfff8000000000001, 0x7ff0000000000001, 0x7ff4000000000000,
                                           0x3ff0000000000000, 0x4008000000000000, 0xc000000000000000,
                                           0x3fd5555555555555, 0x3ff0000000000001, 0x4340000000000000};
    const uint64_t sign = gen.rng() % 2 ? 0x8000000000000000 : 0;
    static constexpr int64_t kIntegers[] = {0, 1, -1, 1ll << 53, -(1ll << 53), (1ll << 53) + 1, -(1ll << 53) - 1,
                                            (1ll << 53) - 1, INT64_MIN, INT64_MAX};
    switch (gen.rng() % 9) {
    case 8:   // integers for fcfid: small ones and the bounds of exact conversion
        return gen.rng() % 2 ? uint64_t(kIntegers[gen.rng() % std::size(kIntegers)]) : uint64_t(int64_t(gen.rng() % 4001) - 2000);
    case 0: return kValues[gen.rng() % std::size(kValues)];
    case 1: return gen.rng();
    case 2: case 3: {   // an edge exponent, a short (exact) or full fraction
        const uint64_t e = kExps[gen.rng() % std::size(kExps)];
        const uint64_t frac = gen.rng() % 2 ? (gen.rng() % 16) << 48 : gen.rng() & 0xfffffffffffff;
        return sign | e << 52 | frac;
    }
    default: {   // moderate numbers, mostly exact or mostly inexact
        const uint64_t e = 1023 - 8 + gen.rng() % 16;
        const uint64_t frac = gen.rng() % 2 ? (gen.rng() % 256) << 44 : gen.rng() & 0xfffffffffffff;
        return sign | e << 52 | frac;
    }
    }
}

// Random blocks of the native FP arithmetic and move rows (every Rc form) mixed with lfd/stfd and integer
// rows (compares, CR rows, mtcrf, isel that share CR with the record forms), FPRs f0-f7 so that results feed
// later rows, operands from fp_operand_value(); FPSCR random (summarized or not) with RN in all four modes
// and XE, VE, OE, UE, ZE on and off, MSR[FP] off in one block in eight and MSR[FE0/FE1] random (enabled
// exceptions interrupt on the slow path); in both byte orders and modes, once per way of computing FI and
// FR the host has (AVX-512's embedded rounding, MXCSR). GPRs, all VSRs, FPSCR, CR, XER, NIP, the count,
// MSR, SRR0/1 and memory as the semantic functions leave them, every row compiled native.
TEST(Jit, NativeFpArithmeticMatchesItsSemantics) {
    const phv::jit::FpHost host = phv::jit::fp_host();
    if (host == phv::jit::FpHost::None)
        GTEST_SKIP() << "no FMA on this host: the FP arithmetic rows are called";
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(1u << 20);
    ASSERT_TRUE(buf.ok());
    RowGen gen{std::mt19937_64(0xf3add)};
    constexpr uint64_t kData = GuestCode::kRamSize - 0x2000;
    const ReachableRam reach{g, kData};
    const uint64_t msr0 = v.st_.msr;
    unsigned blocks = 0, arith = 0, quick = 0, interrupted = 0;
    const auto vsr_diff = [](const phv::CpuState &a, const phv::CpuState &b) {
        std::string s;
        for (unsigned i = 0; i < 64; ++i)
            for (unsigned h = 0; h < 2; ++h)
                if (a.vsr[i][h] != b.vsr[i][h])
                    s += " vsr" + std::to_string(i) + "." + std::to_string(h) + " " + std::to_string(a.vsr[i][h]) +
                         "/" + std::to_string(b.vsr[i][h]);
        return s;
    };
    for (phv::jit::FpHost tier : {phv::jit::FpHost::Avx512, phv::jit::FpHost::Mxcsr}) {
        if (tier > host)
            continue;
        phv::jit::limit_fp_host(tier);
        for (int mode = 0; mode < 4; ++mode) {
            const uint64_t msr = mode_msr(msr0, mode);
            for (int n = 0; n < 1500; ++n) {
                phv::Block b = block_at_code_base(msr);
                const unsigned len = 1 + gen.rng() % 10;
                for (unsigned i = 0; i < len; ++i) {
                    const unsigned kind = gen.rng() % 8;
                    if (kind == 0) {
                        b.insns.push_back(narrow_insn(gen, kFpMixInteger[gen.rng() % std::size(kFpMixInteger)], ctx, 8));
                    } else if (kind == 1) {
                        // lfd/stfd of f0-f7 from a base in r8-r9.
                        const std::string_view name = gen.rng() % 2 ? "lfd" : "stfd";
                        const auto &def = phv::isa::insn_table()[row_index(name)];
                        const uint32_t w = def.match | uint32_t(gen.rng() % 8) << 21 | uint32_t(8 + gen.rng() % 2) << 16 |
                                           uint32_t(gen.rng() % 64) * 8;
                        b.insns.push_back(phv::isa::decode(w, ctx));
                    } else {
                        b.insns.push_back(narrow_insn(gen, kNativeFpArith[gen.rng() % std::size(kNativeFpArith)], ctx, 8));
                        ++arith;
                    }
                }
                uint64_t m = msr | phv::msr::FP;
                if (gen.rng() % 8 == 0)
                    m &= ~phv::msr::FP;
                if (gen.rng() % 4 == 0)
                    m |= gen.rng() % 2 ? phv::msr::FE0 : phv::msr::FE1;
                random_state(v, gen, m, GuestCode::kCodeBase);
                for (unsigned r = 8; r < 10; ++r)
                    v.st_.gpr[r] = kData + gen.rng() % 0x1000;
                for (auto &x : v.st_.vsr)
                    x = {fp_operand_value(gen), gen.rng() % 2 ? 0 : gen.rng()};
                uint64_t f = gen.rng() & phv::fp::fpscr::kDefined;
                if (gen.rng() % 2)
                    f &= ~(phv::fp::fpscr::RN | phv::fp::fpscr::XE);   // the quick environment, half the time
                if (gen.rng() % 2)
                    f &= ~(gen.rng() & 0xfffffff8);   // fewer sticky bits and enables
                if (gen.rng() % 4 == 0) {
                    // One sticky exception bit, its enable or not, the summaries set or not (an FPSCR the
                    // summary test of the native rows must not take for summarized).
                    using namespace phv::fp::fpscr;
                    static constexpr uint64_t kOne[] = {OX, UX, ZX, VXSNAN, VXISI, VXCVI, XX, 0};
                    static constexpr uint64_t kEnable[] = {OE, UE, ZE, VE, VE, VE, XE, 0};
                    const unsigned i = gen.rng() % std::size(kOne);
                    f = kOne[i] | (gen.rng() % 2 ? kEnable[i] : 0) | (gen.rng() % 2 ? FEX : 0) |
                        (gen.rng() % 2 ? VX : 0) | (gen.rng() % 2 ? gen.rng() & (RN | XE) : 0) |
                        (gen.rng() & (FR | FI | FPRF | XX | FX));
                }
                if (gen.rng() % 4)
                    f = phv::fp::fpscr::summarize(f);   // as the ISA keeps it; else as ONE_REG may set it
                v.st_.fpscr = f;
                for (auto s : {phv::spr::SRR0, phv::spr::SRR1})
                    v.st_.spr[s] = 0;
                for (uint64_t a = kData; a < GuestCode::kRamSize; a += 8) {
                    const uint64_t x = fp_operand_value(gen);
                    std::memcpy(g.ram + a, &x, 8);
                }
                const std::vector<uint8_t> mem0 = reach.snapshot();
                const phv::CpuState start = v.st_;
                const uint64_t insns0 = v.stats().insns_executed;
                const phv::isa::Flow wf = run_semantics(v, b);
                const ObservedAll want = observe_all(v);
                const phv::CpuState want_st = v.st_;
                const std::vector<uint8_t> want_mem = reach.snapshot();
                v.st_ = start;
                v.stats().insns_executed = insns0;
                reach.restore(mem0);
                unsigned native = 0;
                const phv::isa::Flow gf = run_compiled(v, b, buf, native);
                const ObservedAll got = observe_all(v);
                const phv::CpuState got_st = v.st_;
                ASSERT_EQ(native, b.insns.size());
                ASSERT_EQ(gf, wf) << describe(b, want.o, got.o);
                ASSERT_TRUE(want == got) << "mode " << mode << ": " << describe(b, want.o, got.o) << " srr0 "
                                         << want.srr0 << "/" << got.srr0 << " srr1 " << want.srr1 << "/" << got.srr1;
                ASSERT_EQ(want_st.fpscr, got_st.fpscr) << "mode " << mode << " fpscr0 " << std::hex << start.fpscr
                                                       << ": " << describe(b, want.o, got.o);
                ASSERT_TRUE(want_st.vsr == got_st.vsr) << "mode " << mode << ": " << describe(b, want.o, got.o)
                                                       << vsr_diff(want_st, got_st);
                ASSERT_TRUE(reach.snapshot() == want_mem) << "mode " << mode << ": " << describe(b, want.o, got.o);
                reach.restore(mem0);
                ++blocks;
                interrupted += want.srr0 != 0;
                // Rows that ran on the quick path: the block ran through, in the quick environment, and
                // set FI or FR, or the FPRF of a normal number, somewhere (a proxy: most such blocks do).
                quick += wf == phv::isa::Flow::Jump && (start.fpscr & 0xb) == 0 && (start.msr & phv::msr::FP) &&
                         ((want_st.fpscr ^ start.fpscr) & (phv::fp::fpscr::FI | phv::fp::fpscr::FR | phv::fp::fpscr::XX));
            }
        }
    }
    phv::jit::limit_fp_host(phv::jit::FpHost::Avx512);
    v.st_.msr = msr0;
    // Per way of computing FI and FR the host has (6000 blocks each).
    const unsigned ways = blocks / 6000;
    EXPECT_GE(ways, 1u);
    EXPECT_GT(arith, 20000u * ways);
    EXPECT_GT(quick, 800u * ways);         // the inline path ran
    EXPECT_GT(interrupted, 300u * ways);   // FP unavailable and enabled-exception interrupts (slow path)
}

// The native VMX rows (native_vmx.cpp) in random blocks, any VRs, between integer rows: every VSR, GPR, CR,
// NIP and count is the semantic functions' (VSCR untouched), and with MSR[VEC] off the block stops at the
// first of them with the interpreter's Vector Unavailable interrupt.
constexpr std::string_view kNativeVmx[] = {"vand", "vandc", "vor", "vorc", "vxor", "vnand", "vnor", "veqv",
                                           "vaddubm", "vadduhm", "vadduwm", "vaddudm", "vsububm", "vsubuhm",
                                           "vsubuwm", "vsubudm", "vslw", "vsrw", "vsraw", "vmulouh", "vmuleuh",
                                           "vmuluwm", "vmsumuhm", "vperm", "vspltisb", "vspltish", "vspltisw"};

struct ObservedVec {
    ObservedAll a;
    std::array<std::array<uint64_t, 2>, 64> vsr;
    uint32_t vscr;
    bool operator==(const ObservedVec &) const = default;
};
ObservedVec observe_vec(phv::Vcpu &v) { return {observe_all(v), v.st_.vsr, v.st_.vscr}; }

TEST(Jit, NativeVmxRowsMatchTheirSemantics) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(1u << 20);
    ASSERT_TRUE(buf.ok());
    RowGen gen{std::mt19937_64(0x7ec70)};
    const uint64_t msr0 = v.st_.msr;
    unsigned blocks = 0, rows = 0, unavailable = 0;
    for (int mode = 0; mode < 2; ++mode) {
        const uint64_t msr = mode ? msr0 & ~phv::msr::SF : msr0 | phv::msr::SF;
        for (int n = 0; n < 3000; ++n) {
            phv::Block b = block_at_code_base(msr);
            const unsigned len = 1 + gen.rng() % 10;
            unsigned vmx = 0;
            for (unsigned i = 0; i < len; ++i) {
                if (gen.rng() % 4 == 0) {
                    b.insns.push_back(narrow_insn(gen, kFpMixInteger[gen.rng() % std::size(kFpMixInteger)], ctx, 8));
                } else {
                    // VRs from a small set half the time, so that rows read what earlier ones wrote.
                    const std::string_view name = kNativeVmx[gen.rng() % std::size(kNativeVmx)];
                    b.insns.push_back(gen.rng() % 2 ? narrow_insn(gen, name, ctx, 4) : gen.insn(name, ctx));
                    ++vmx;
                }
            }
            uint64_t m = msr | phv::msr::VEC;
            if (gen.rng() % 8 == 0)
                m &= ~phv::msr::VEC;
            random_state(v, gen, m, GuestCode::kCodeBase);
            // Doublewords with the lanes' edges: zero and all-ones halves and words, shift counts past 31.
            for (auto &x : v.st_.vsr)
                x = {gen.value(), gen.value()};
            v.st_.vscr = uint32_t(gen.rng() % 2 ? 1u << 16 : 0) | uint32_t(gen.rng() % 2);
            for (auto s : {phv::spr::SRR0, phv::spr::SRR1})
                v.st_.spr[s] = 0;
            const auto [wf, gf, want, got, native] = run_both(v, b, buf, observe_vec);
            ASSERT_EQ(native, b.insns.size()) << describe(b, want.a.o, got.a.o);
            ASSERT_EQ(gf, wf) << describe(b, want.a.o, got.a.o);
            ASSERT_TRUE(want == got) << describe(b, want.a.o, got.a.o) << " srr0 " << want.a.srr0 << "/" << got.a.srr0;
            ++blocks, rows += vmx;
            unavailable += want.a.srr0 != 0;
        }
    }
    v.st_.msr = msr0;
    EXPECT_EQ(blocks, 6000u);
    EXPECT_GT(rows, 20000u);
    EXPECT_GT(unavailable, 400u);   // MSR[VEC] off: the slow path's interrupt
}

} // namespace

// The barriers and cache hints between native rows: sync (every L), eieio, dcbt, dcbtst and dcbst are native
// (nothing is written back or reloaded around them), and the block leaves what the interpreter leaves, with
// one vcpu and with a second one created (which makes hwsync a host fence, sem::sync).
TEST(Jit, BarriersAndCacheHintsAreNativeBetweenNativeRows) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(1u << 20);
    ASSERT_TRUE(buf.ok());
    RowGen gen{std::mt19937_64(0x5e7c)};
    constexpr std::string_view kBarriers[] = {"sync", "eieio", "dcbt", "dcbtst", "dcbst"};
    unsigned blocks = 0, barriers = 0;
    for (int smp = 0; smp < 2; ++smp) {
        if (smp) {
            phv_vcpu *second = nullptr;
            ASSERT_EQ(phv_create_vcpu(g.vm, 1, &second), 0);
        }
        ASSERT_EQ(v.vm().vcpu_count(), 1u + smp);
        for (int n = 0; n < 500; ++n) {
            phv::Block b = block_at_code_base(v.st_.msr);
            const unsigned len = 2 + gen.rng() % 12;
            for (unsigned i = 0; i < len; ++i) {
                const bool barrier = gen.rng() % 3 == 0;
                const std::string_view name = barrier ? kBarriers[gen.rng() % std::size(kBarriers)]
                                                      : kNativeBody[gen.rng() % std::size(kNativeBody)];
                b.insns.push_back(barrier ? gen.insn(name, ctx) : narrow_insn(gen, name, ctx));
                barriers += barrier;
                if (!barrier && (name == "mfspr" || name == "mtspr") && b.insns.back().imm == 256)
                    b.insns.back() = narrow_insn(gen, "add", ctx);   // VRSAVE is a called row
            }
            random_state(v, gen, v.st_.msr, GuestCode::kCodeBase);
            const auto [wf, gf, want, got, native] = run_both(v, b, buf, observe_all);
            ASSERT_EQ(native, b.insns.size());
            ASSERT_EQ(gf, wf) << describe(b, want.o, got.o);
            ASSERT_TRUE(want == got) << describe(b, want.o, got.o);
            ++blocks;
        }
    }
    EXPECT_EQ(blocks, 1000u);
    EXPECT_GT(barriers, 1000u);
}

// The native VSX rows (native_vsx.cpp) and the VMX rows called in place (e_call: the compares, record forms
// included, splats, vsldoi, vbpermq, lvsl/lvsr) between native GPR rows: every VSR, random contents, and MSR[FP],
// MSR[VEC] and MSR[VSX] each on or off, so that some rows raise their unavailable interrupt from the slow
// path mid-block. The VSRs, GPRs and everything an interrupt leaves agree with the semantic functions, and
// every row ran native.
struct ObservedVsx {
    ObservedAll all;
    std::array<std::array<uint64_t, 2>, 64> vsr;
    bool operator==(const ObservedVsx &) const = default;
};
ObservedVsx observe_vsx(phv::Vcpu &v) { return {observe_all(v), v.st_.vsr}; }

TEST(Jit, NativeVsxRowsMatchTheirSemantics) {
    GuestCode g;
    phv::Vcpu &v = vcpu_of(g);
    const phv::isa::DecodeContext ctx{phv::isa::Isa::V310, false};
    phv::jit::CodeBuffer buf(1u << 20);
    ASSERT_TRUE(buf.ok());
    RowGen gen{std::mt19937_64(0x75c)};
    constexpr std::string_view kVsx[] = {"mfvsrd", "mfvsrwz", "mtvsrd", "mtvsrwz", "xxland", "xxlandc", "xxlor",
                                         "xxlorc", "xxlxor", "xxlnand", "xxlnor", "xxleqv", "xxpermdi",
                                         // VMX rows called in place (compiler.cpp's e_call)
                                         "vcmpequb", "vcmpequh", "vcmpequw", "vsldoi", "vspltb", "vsplth", "vspltw",
                                         "vbpermq", "lvsl", "lvsr"};
    const uint64_t msr0 = v.st_.msr;
    unsigned blocks = 0, vsx = 0, unavailable = 0;
    for (int n = 0; n < 3000; ++n) {
        uint64_t msr = msr0 & ~(phv::msr::FP | phv::msr::VEC | phv::msr::VSX);
        if (gen.rng() % 8)   // mostly all three on
            msr |= phv::msr::FP | phv::msr::VEC | phv::msr::VSX;
        else
            msr |= gen.rng() % 2 ? phv::msr::FP : 0, msr |= gen.rng() % 2 ? phv::msr::VEC : 0,
                msr |= gen.rng() % 2 ? phv::msr::VSX : 0;
        phv::Block b = block_at_code_base(msr);
        const unsigned len = 2 + gen.rng() % 10;
        for (unsigned i = 0; i < len; ++i) {
            if (gen.rng() % 2) {
                b.insns.push_back(gen.insn(kVsx[gen.rng() % std::size(kVsx)], ctx));
                ++vsx;
            } else {
                b.insns.push_back(narrow_insn(gen, kNativeBody[gen.rng() % 24], ctx));
            }
        }
        random_state(v, gen, msr, GuestCode::kCodeBase);
        for (auto &r : v.st_.vsr)
            r = {gen.value(), gen.value()};
        v.st_.spr[phv::spr::SRR0] = v.st_.spr[phv::spr::SRR1] = 0;
        const auto [wf, gf, want, got, native] = run_both(v, b, buf, observe_vsx);
        ASSERT_EQ(native, b.insns.size());
        ASSERT_EQ(gf, wf) << describe(b, want.all.o, got.all.o);
        ASSERT_TRUE(want == got) << describe(b, want.all.o, got.all.o) << " msr " << want.all.msr << "/"
                                 << got.all.msr << " srr0 " << want.all.srr0 << "/" << got.all.srr0;
        ++blocks, unavailable += want.all.srr0 != 0;
    }
    v.st_.msr = msr0;
    EXPECT_EQ(blocks, 3000u);
    EXPECT_GT(vsx, 8000u);
    EXPECT_GT(unavailable, 50u);
}
