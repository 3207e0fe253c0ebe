// Random programs with loops, run whole by the vcpu in the interpreter and compiled: every exit (MMIO, an
// hcall, the final one) shows the same NIP, GPRs, CR, CTR, XER and access, and memory ends the same. The row tests
// (test_jit.cpp) run straight blocks; here the code has what the block former and the compiler arrange
// around control flow: loop-mode blocks, loops too large for it turning within their block, an `if`'s
// jump ahead, labels and the state both ways into them bring, and slow paths (page crossings, MMIO) at any
// of those places and on any turn. A slow path after a label once left with a stale NIP (test_side_exits.cpp
// has that case written out).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "guest_code.h"
#include "jit_test_util.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint64_t kData = GuestCode::kRamSize - 0x3000;   // what the programs' accesses reach in RAM
constexpr uint32_t kCtr = 9;
constexpr int32_t kHcall = 0x7ff0;   // no hcall of the core's: it leaves for the VMM

constexpr uint32_t rlwinm(uint32_t ra, uint32_t rs, uint32_t sh, uint32_t mb, uint32_t me) {
    return 21u << 26 | rs << 21 | ra << 16 | sh << 11 | mb << 6 | me << 1;
}
constexpr uint32_t bc(uint32_t bo, uint32_t bi, int32_t disp) {
    return 16u << 26 | bo << 21 | bi << 16 | (uint32_t(disp) & 0xfffc);
}

// Data rows name r0-r7 (r1 included: nothing here is a stack); r8 and r9 are bases near the end of RAM,
// r10 and r11 small indexes, r12 the turn count.
struct ProgramGen {
    std::mt19937_64 rng;
    // More rows that read and write CR and XER[SO], and loops closed by a compare and a branch on it
    // rather than bdnz: the webs of compares and branches the lazy CR fields are built for (cr_lazy.cpp).
    bool cr_web = false;
    unsigned r(unsigned n) { return unsigned(rng() % n); }
    uint32_t data_row() {
        const uint32_t t = r(8), a = r(8), b = r(8);
        switch (r(cr_web ? 19 : 12)) {
        case 0: return addi(t, a == 0 ? 1 : a, int32_t(r(200)) - 100);
        case 1: return XO(t, a, b, 266, 0, r(2));        // add[.]
        case 2: return XO(t, a, b, 40, 0, r(2));         // subf[.]
        case 3: return X(31, a, t, b, 316, r(2));        // xor[.]
        case 4: return X(31, a, t, b, 28);               // and
        case 5: return X(31, a, t, b, 444);              // or
        case 6: return rlwinm(t, a, r(32), r(32), r(32));
        case 7: return X(31, 0, a, b, 0) | r(2) << 21;   // cmpw / cmpd
        case 8: return D(11, r(8) << 2 | 1, a, int32_t(r(64)) - 32);   // cmpdi crN
        case 9: return XO(t, a, b, 233, 0, 0);           // mulld
        case 10: return X(31, a, t, r(32), 824);         // srawi
        case 11: return X(31, a, t, b, 27);              // sld
        case 12: return X(31, r(8) << 2 | r(2), a, b, 32);                // cmplw / cmpld crN
        case 13: return D(10, r(8) << 2 | r(2), a, int32_t(r(64)));       // cmplwi / cmpldi crN
        case 14: return X(31, t, 0, 0, 19);                               // mfcr
        case 15: return 31u << 26 | t << 21 | a << 16 | b << 11 | r(32) << 6 | 15u << 1;   // isel
        case 16: return 19u << 26 | r(32) << 21 | r(32) << 16 | r(32) << 11 | 449u << 1;  // cror
        case 17: return XO(t, a, b, 266, 1, r(2));                        // addo[.]: XER[SO]
        default: return r(4) ? X(31, 0, a, b, 0) | r(8) << 23 : mtspr(1, a);   // cmpw crN, mtxer
        }
    }
    uint32_t memory_row() {
        const uint32_t t = r(8), base = 8 + r(2), idx = 10 + r(2);
        const int32_t d = r(3) ? int32_t(r(64)) * 8 - 256 : 0;
        switch (r(10)) {
        case 0: return ld(t, base, d);
        case 1: return lwz(t, base, d + 4 * int32_t(r(2)));
        case 2: return D(34, t, base, d + int32_t(r(8)));   // lbz
        case 3: return X(31, t, base, idx, 21);             // ldx
        case 4: return X(31, t, base, idx, 23);             // lwzx
        case 5: return std_(t, base, d);
        case 6: return stw(t, base, d + 4 * int32_t(r(2)));
        case 7: return X(31, t, base, idx, 149);            // stdx
        case 8: return D(33, t, base, int32_t(r(8)) * 4);   // lwzu: the base moves
        default: return D(38, t, base, d + int32_t(r(8)));  // stb
        }
    }
    // A body of n rows, one in three an access, sometimes an `if` (a forward bc over the next one or two),
    // now and then an hcall.
    void body(std::vector<uint32_t> &code, unsigned n) {
        unsigned covered = 0;   // rows an if may skip: not an hcall, whose li the skip could leave out
        for (unsigned i = 0; i < n; ++i, covered -= covered > 0) {
            if (i + 2 < n && r(6) == 0) {
                const unsigned skip = 1 + r(2);
                code.push_back(bc(r(2) ? 12 : 4, r(32), int32_t(4 * (skip + 1))));
                covered = skip + 1;
                continue;
            }
            if (!covered && r(16) == 0) {   // an hcall the VMM serves: a called row that leaves
                code.push_back(addi(3, 0, kHcall));
                code.push_back(sc(1));
                continue;
            }
            code.push_back(r(3) == 0 ? memory_row() : data_row());
        }
    }
    // Straight code, then one or two counted loops (each moving a base a step per turn, so that later turns
    // run off the end of RAM), then straight code and the end.
    std::vector<uint32_t> program() {
        std::vector<uint32_t> code;
        body(code, r(6));
        for (unsigned loops = 1 + r(2); loops; --loops) {
            const bool by_compare = cr_web && r(2);   // r13 counted down to 0, a compare and bne
            if (by_compare)
                code.push_back(addi(13, 12, 0));
            code.push_back(mtspr(kCtr, 12));
            const size_t head = code.size();
            // Half the loops start with an access, whose slow path then follows the jump back; a third are
            // short enough (few GPRs) to run in loop mode.
            if (r(3)) {
                if (r(2))
                    code.push_back(memory_row());
                body(code, 2 + r(14));
            } else {   // short: an access at the head, and a doubleword load that may cross a page
                code.push_back(memory_row());
                body(code, r(3));
                code.push_back(ld(r(8), 8 + r(2), 0));
            }
            static constexpr int32_t kSteps[] = {8, 0x100, 0x400, 0x800, 0x1000, -8};
            const uint32_t base = 8 + r(2);
            code.push_back(addi(base, base, kSteps[r(6)]));
            if (by_compare) {
                const uint32_t f = r(8);
                code.push_back(addi(13, 13, -1));
                code.push_back(D(11, f << 2, 13, 0));   // cmpwi crf, r13, 0
                code.push_back(bc(4, f * 4 + 2, -4 * int32_t(code.size() - head)));   // bne crf, head
            } else {
                code.push_back(bc(16, 0, -4 * int32_t(code.size() - head)));   // bdnz head
            }
        }
        body(code, r(6));
        for (uint32_t w : with_done({}))
            code.push_back(w);
        return code;
    }
};

struct Outcome {
    std::vector<std::vector<uint64_t>> exits;   // reason, NIP, r0-r31, CR, CTR, XER, MMIO address/length/direction
    std::vector<uint8_t> memory;
    uint64_t insns = 0;
    bool operator==(const Outcome &) const = default;
};

Outcome run_program(bool jit, const std::vector<uint32_t> &code, const std::vector<uint64_t> &gprs,
                    const std::vector<uint8_t> &data) {
    GuestCode g;
    vcpu_of(g).set_jit(jit, 0, false);
    std::memcpy(g.ram + kData, data.data(), data.size());
    g.load(code);
    for (unsigned i = 0; i < 32; ++i)
        g.set_gpr(i, gprs[i]);
    Outcome o;
    for (unsigned n = 0; n < 400; ++n) {
        const uint32_t why = g.run();
        o.exits.push_back(exit_state(g, why));
        if (why == PHV_EXIT_PAPR_HCALL && g.run_data->papr_hcall.nr == uint64_t(kHcall)) {
            // Completed with the registers as they are (the completion writes r3-r12).
            g.run_data->papr_hcall.ret = g.gpr(3);
            for (unsigned i = 0; i < 9; ++i)
                g.run_data->papr_hcall.args[i] = g.gpr(4 + i);
            continue;
        }
        if (why != PHV_EXIT_MMIO)
            break;
    }
    o.memory.assign(g.ram + kData, g.ram + GuestCode::kRamSize);
    o.insns = stat(g, "insns_executed");
    return o;
}

struct Tally {
    unsigned exits = 0, mmio = 0, left = 0;
};

// n programs of gen, each run in the interpreter and compiled: the same exits, memory and count.
Tally check_programs(ProgramGen &gen, unsigned n) {
    Tally t;
    for (unsigned p = 0; p < n; ++p) {
        const std::vector<uint32_t> code = gen.program();
        std::vector<uint64_t> gprs(32);
        for (auto &x : gprs)
            x = gen.rng() % 4 == 0 ? gen.rng() % 16 : gen.rng();
        // Bases anywhere in the last pages, or just below a page boundary, where accesses cross it.
        for (unsigned b : {8u, 9u})
            gprs[b] = gen.r(2) ? GuestCode::kRamSize - 0x100 - gen.r(0x1000)
                               : GuestCode::kRamSize - 0x1000 * (1 + gen.r(3)) - 1 - gen.r(7);
        gprs[10] = gen.r(0x100), gprs[11] = gen.r(0x100);
        gprs[12] = 1 + gen.r(40);
        std::vector<uint8_t> data(GuestCode::kRamSize - kData);
        for (auto &b : data)
            b = uint8_t(gen.rng());
        const Outcome want = run_program(false, code, gprs, data), got = run_program(true, code, gprs, data);
        EXPECT_EQ(want.exits.size(), got.exits.size()) << "program " << p;
        if (want.exits.size() != got.exits.size())
            return t;
        for (size_t i = 0; i < want.exits.size(); ++i)
            for (size_t k = 0; k < want.exits[i].size(); ++k) {
                EXPECT_EQ(want.exits[i][k], got.exits[i][k]) << "program " << p << " exit " << i << " field " << k;
                if (want.exits[i][k] != got.exits[i][k])
                    return t;
            }
        EXPECT_TRUE(want.memory == got.memory) << "program " << p;
        EXPECT_EQ(want.insns, got.insns) << "program " << p;
        EXPECT_EQ(want.exits.back()[0], uint32_t(PHV_EXIT_PAPR_HCALL)) << "program " << p;
        EXPECT_EQ(want.exits.back()[5], uint64_t(GuestCode::kDone)) << "program " << p;   // r3
        t.exits += unsigned(want.exits.size());
        t.mmio += unsigned(want.exits.size() - 1);
        t.left += want.exits.size() > 1;
    }
    return t;
}

TEST(JitPrograms, RandomLoopsExitAsTheInterpreterDoes) {
    ProgramGen gen{std::mt19937_64(0x100b5)};
    const Tally t = check_programs(gen, 300);
    // The programs do what they are for: most leave at an access past the end of RAM, many times over.
    EXPECT_GT(t.mmio, 1000u);
    EXPECT_GT(t.left, 150u);
}

// The same with the compare-and-branch webs: compares into every field, signed and unsigned, branches on
// any bit (SO's included, which addo and mtxer set), CR read by mfcr, isel and cror between them, loops
// that close on a compare.
TEST(JitPrograms, CompareWebsExitAsTheInterpreterDoes) {
    ProgramGen gen{std::mt19937_64(0xc0ffee), true};
    const Tally t = check_programs(gen, 300);
    EXPECT_GT(t.mmio, 1000u);
    EXPECT_GT(t.left, 150u);
}

} // namespace
