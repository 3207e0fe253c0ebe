// The JIT's loop mode (hv_core/src/jit/emitter.h): a block that branches back to its own start turns round
// inside its code, its GPRs and CR in host registers and each memory row's page in a cell of its own from
// one turn to the next. Random loops run in compiled code and in the interpreter must leave the same state.
#include <cstring>
#include <random>
#include <vector>

#include "jit_test_util.h"

namespace {

using phv::test::GuestCode;
using phv::test::stat;
using phv::test::vcpu_of;
using namespace phv::test::enc;

constexpr uint32_t kSrr0 = 26, kDec = 22, kCtr = 9;
constexpr uint64_t kLoadBuf = 0x200000, kStoreBuf = 0x300000, kBufBytes = 0x40000;

constexpr uint32_t op_update(uint32_t op, uint32_t rt, uint32_t ra, int32_t d) { return D(op, rt, ra, d); }
constexpr uint32_t ds_form(uint32_t op, uint32_t rt, uint32_t ra, int32_t ds, uint32_t xo) {
    return op << 26 | rt << 21 | ra << 16 | (uint32_t(ds) & 0xfffc) | xo;
}
constexpr uint32_t rldicl(uint32_t ra, uint32_t rs, unsigned sh, unsigned mb, uint32_t rc) {
    return 30u << 26 | rs << 21 | ra << 16 | (sh & 31) << 11 | ((mb & 31) << 1 | mb >> 5) << 5 | (sh >> 5) << 1 | rc;
}
constexpr uint32_t bc(uint32_t bo, uint32_t bi, int32_t disp) {
    return 16u << 26 | bo << 21 | bi << 16 | (uint32_t(disp) & 0xfffc);
}
constexpr uint32_t cmpld(uint32_t ra, uint32_t rb) { return X(31, 1, ra, rb, 32); }   // cr0, L=1

// One random loop: its words (a prologue that sets CTR and maybe arms the decrementer, ends with a branch to
// the loop's head so that the head starts a block, the body, the branch back, the end marker), and the GPRs
// to start with. Registers: r4-r9 data, r10 the load pointer, r11 the store pointer, r12 the load limit,
// r13 the address of the loop's first row, r15 the word a loop that rewrites it stores there.
struct Loop {
    std::vector<uint32_t> words;
    uint64_t gpr[32] = {};
    bool dec = false;
};

Loop random_loop(std::mt19937_64 &rng) {
    const auto pick = [&](uint64_t n) { return uint64_t(rng() % n); };
    Loop l;
    // A loop that rewrites its own first row every turn (addi r4,r4,1 becomes addi r4,r4,2 from the second
    // turn on, once the block is built again), counted by CTR with three data registers.
    const bool code_store = pick(8) == 0;
    // The branch back: bdnz, or a compare of the load pointer with its limit and blt (CR held too).
    const bool counted = code_store || pick(2);
    // Fewer data registers with the compare, so that most loops fit the eight host registers (some do not).
    const unsigned ndata = code_store ? 3 : counted ? 4 + unsigned(pick(3)) : 3 + unsigned(pick(3));
    const auto data = [&] { return 4 + uint32_t(pick(ndata)); };
    for (unsigned n = 4; n < 10; ++n)
        l.gpr[n] = rng();
    const unsigned turns = 1 + unsigned(pick(300));
    l.dec = pick(4) == 0;   // a decrementer interrupt pending from the start

    std::vector<uint32_t> body;
    if (code_store)
        body.push_back(addi(4, 4, 1));
    unsigned load_step = 0, store_step = 0;
    const unsigned rows = 2 + unsigned(pick(9));
    for (unsigned i = 0; i < rows; ++i) {
        const uint32_t rt = data(), ra = data(), rb = data(), rc = uint32_t(pick(2));
        switch (pick(14)) {
        case 0: body.push_back(addi(rt, ra, int32_t(pick(65536)) - 32768)); break;
        case 1: body.push_back(XO(rt, ra, rb, 266, 0, rc)); break;   // add
        case 2: body.push_back(XO(rt, ra, rb, 40, 0, rc)); break;    // subf
        case 3: body.push_back(X(31, ra, rt, rb, 316, rc)); break;   // xor
        case 4: body.push_back(X(31, ra, rt, rb, 28, rc)); break;    // and
        case 5: body.push_back(XO(rt, ra, rb, 233, 0, rc)); break;   // mulld
        case 6: body.push_back(rldicl(rt, ra, unsigned(pick(64)), unsigned(pick(64)), rc)); break;
        // Loads through r10 with update (a stream through pages, crossing them), or at an offset from it.
        case 7: body.push_back(op_update(35, rt, 10, 1)), load_step += 1; break;             // lbzu
        case 8: body.push_back(op_update(33, rt, 10, 4)), load_step += 4; break;             // lwzu
        case 9: body.push_back(ds_form(58, rt, 10, 8, 1)), load_step += 8; break;            // ldu
        case 10: body.push_back(D(40, rt, 10, int32_t(pick(64)))); break;                    // lhz
        // Stores through r11 with update, or at an offset from it.
        case 11: body.push_back(ds_form(62, rt, 11, 8, 1)), store_step += 8; break;          // stdu
        case 12: body.push_back(op_update(37, rt, 11, 4)), store_step += 4; break;           // stwu
        default: body.push_back(D(38, rt, 11, int32_t(pick(64)))); break;                    // stb
        }
    }
    if (code_store)
        body.push_back(stw(15, 13, 0));
    // The load stream ends at the limit after `turns` turns when the loop counts by its pointer.
    l.gpr[10] = kLoadBuf + pick(4096);
    l.gpr[11] = kStoreBuf + pick(4096);
    l.gpr[12] = l.gpr[10] + uint64_t(load_step ? load_step : 1) * turns;
    l.gpr[13] = GuestCode::kCodeBase + 4 * (l.dec ? 3 : 2);   // the loop's first row (after the prologue)
    l.gpr[15] = addi(4, 4, 2);
    if (!counted && !load_step)
        body.push_back(addi(10, 10, 1));   // something must move toward the limit
    l.gpr[14] = turns;
    l.gpr[22] = ~0ull;   // DEC = -1

    l.words = {mtspr(kCtr, 14)};
    if (l.dec)
        l.words.push_back(mtspr(kDec, 22));
    l.words.push_back(b(4));
    const int32_t back = -int32_t(4 * (body.size() + (counted ? 0 : 1)));
    l.words.insert(l.words.end(), body.begin(), body.end());
    if (counted) {
        l.words.push_back(bc(16, 0, back));   // bdnz
    } else {
        l.words.push_back(cmpld(10, 12));
        l.words.push_back(bc(12, 0, back - 4));   // blt
    }
    l.words.push_back(addi(3, 0, int32_t(GuestCode::kDone)));
    l.words.push_back(sc(1));
    return l;
}

struct Outcome {
    uint64_t gpr[32] = {}, cr = 0, ctr = 0, xer = 0, nip = 0, srr0 = 0, insns = 0;
    std::vector<uint8_t> loads, stores, code;
};

Outcome run_loop(const Loop &l, bool jit, uint64_t *loop_blocks) {
    GuestCode g;
    vcpu_of(g).set_jit(jit, 0, false);
    // 0x900: r30 = SRR0, end (the loop's registers are left as the interrupt found them).
    const uint32_t handler[] = {mfspr(30, kSrr0), addi(3, 0, int32_t(GuestCode::kDone)), sc(1)};
    std::memcpy(g.ram + 0x900, handler, sizeof handler);
    g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // LPCR[ILE]: the handler runs little-endian
    for (uint64_t i = 0; i < kBufBytes; ++i)
        g.ram[kLoadBuf + i] = uint8_t(i * 131 + (i >> 8));
    g.load(l.words);
    for (unsigned n = 0; n < 32; ++n)
        if (l.gpr[n])
            g.set_gpr(n, l.gpr[n]);
    if (l.dec)
        g.set_reg(PHV_REG_PPC_MSR, g.reg(PHV_REG_PPC_MSR) | 0x8000);   // EE
    const uint64_t before = stat(g, "insns_executed");
    g.run_to_done();
    Outcome o;
    for (unsigned n = 0; n < 32; ++n)
        o.gpr[n] = g.gpr(n);
    o.cr = g.reg(PHV_REG_PPC_CR), o.ctr = g.reg(PHV_REG_PPC_CTR), o.xer = g.reg(PHV_REG_PPC_XER);
    o.nip = g.reg(PHV_REG_PPC_NIP), o.srr0 = g.reg(PHV_REG_PPC_SRR0);
    o.insns = stat(g, "insns_executed") - before;
    o.loads.assign(g.ram + kLoadBuf, g.ram + kLoadBuf + kBufBytes);
    o.stores.assign(g.ram + kStoreBuf, g.ram + kStoreBuf + kBufBytes);
    o.code.assign(g.ram + GuestCode::kCodeBase, g.ram + GuestCode::kCodeBase + 4096);
    *loop_blocks = stat(g, "jit_loop_blocks");
    return o;
}

} // namespace

// 600 random loops (integer rows with and without Rc, loads and stores with update streaming through
// pages, some rewriting their own first row every turn, some interrupted by a decrementer pending from
// the start; counted by CTR or by a compare and blt): compiled (loop mode when the block's GPRs and CR fit
// the host registers) and interpreted, they leave the same GPRs, CR, CTR, XER, NIP, SRR0, instruction count
// and memory. Leaving out the dirty marks at the loop's entry, the count at the turn, the stamp test (the
// code-page stores) or the link stamp's test at the turn fails it.
TEST(JitLoop, RandomLoopsMatchTheInterpreter) {
    std::mt19937_64 rng(0x100b);
    uint64_t loop_blocks = 0, interrupted = 0;
    for (int i = 0; i < 600; ++i) {
        const Loop l = random_loop(rng);
        uint64_t none = 0, compiled_loops = 0;
        const Outcome a = run_loop(l, false, &none), b = run_loop(l, true, &compiled_loops);
        EXPECT_EQ(none, 0u);
        loop_blocks += compiled_loops;
        interrupted += a.gpr[30] != 0;
        SCOPED_TRACE(testing::Message() << "loop " << i);
        for (unsigned n = 0; n < 32; ++n)
            ASSERT_EQ(a.gpr[n], b.gpr[n]) << "r" << n;
        ASSERT_EQ(a.cr, b.cr);
        ASSERT_EQ(a.ctr, b.ctr);
        ASSERT_EQ(a.xer, b.xer);
        ASSERT_EQ(a.nip, b.nip);
        ASSERT_EQ(a.srr0, b.srr0);
        ASSERT_EQ(a.insns, b.insns);
        ASSERT_TRUE(a.loads == b.loads);
        ASSERT_TRUE(a.stores == b.stores);
        ASSERT_TRUE(a.code == b.code);
    }
    // Most loops ran in loop mode, and some were interrupted inside it.
    EXPECT_GT(loop_blocks, 300u);
    EXPECT_GT(interrupted, 20u);
}
