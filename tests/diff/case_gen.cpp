#include "case_gen.h"

#include "fixed_insns.h"

namespace phv::diff {

namespace {

// Register values that sit on the edges where carries, overflow, sign extension and masks change.
uint64_t interesting(Rng &r) {
    const unsigned k = unsigned(r.below(64));
    switch (r.below(16)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return ~0ull;
    case 3: return 0x7fffffffull;
    case 4: return 0x80000000ull;
    case 5: return 0x7fffffffffffffffull;
    case 6: return 0x8000000000000000ull;
    case 7: return 0xffffffffull;
    case 8: return 0xffffffff80000000ull;
    case 9: return uint64_t(r.range(-300, 300));
    case 10: return 1ull << k;
    case 11: return (1ull << k) - 1;
    case 12: return uint64_t(-(int64_t(1) << k));
    case 13: return uint64_t(int64_t(int32_t(r.next())));   // a sign-extended word
    case 14: return uint32_t(r.next());
    default: return r.next();
    }
}

// XER bits a program can set and read back: SO, OV, CA, OV32, CA32 (Book I 3.2.2).
constexpr uint64_t kXerFlags = 1ull << 31 | 1ull << 30 | 1ull << 29 | 1ull << 19 | 1ull << 18;

} // namespace

Case generate_case(uint64_t run_seed, uint32_t index, const Pool &pool, unsigned ninsns) {
    Case c;
    c.run_seed = run_seed;
    c.index = index;
    Rng r(case_seed(run_seed, index));
    for (unsigned i = 0; i < 31; ++i)
        c.in.gpr[i] = interesting(r);
    c.in.gpr[kCtxReg] = DIFF_BASE + DIFF_CTX_OFF;   // what r31 holds in both worlds
    c.in.cr = uint32_t(r.next());
    c.in.xer = r.next() & kXerFlags;
    c.in.ctr = interesting(r);
    c.in.lr = interesting(r);
    for (size_t i = 0; i < c.data.size(); i += 8) {
        const uint64_t v = interesting(r);
        for (size_t b = 0; b < 8; ++b)
            c.data[i + b] = uint8_t(v >> (8 * b));
    }
    const auto table = isa::insn_table();
    GenState st;
    for (unsigned i = 0; i < ninsns; ++i) {
        const uint16_t row = pool.eligible[r.below(pool.eligible.size())];
        c.units.push_back(generate(row, table[row], r, st));
    }
    return c;
}

Case resume_case(const Case &c, size_t unit, const diff_regs &regs, const std::array<uint8_t, DIFF_DATA_SIZE> &data) {
    Case t;
    t.run_seed = c.run_seed;
    t.index = c.index;
    t.resumed_at = c.resumed_at + uint32_t(unit) + 1;
    t.in = regs;
    t.in.gpr[kCtxReg] = DIFF_BASE + DIFF_CTX_OFF;
    // Reserved XER bits the oracle kept (see known_oracle_bugs' xer-reserved) are not carried over.
    t.in.xer &= kXerFlags | 0x7f;
    t.data = data;
    t.units.assign(c.units.begin() + long(unit) + 1, c.units.end());
    return t;
}

Code build_code(const Case &c, size_t nunits) {
    using namespace fixed;
    Code code;
    auto &w = code.words;
    const unsigned ctx = kCtxReg;
    // Clear any reservation left by earlier code (glibc's locks, the previous case): stdcx. always does.
    w.push_back(addi(0, 0, DIFF_SCRATCH));
    w.push_back(stdcx(0, ctx, 0));
    // Special registers first, through r0, then the GPRs; all relative to r31 = ctx.
    w.push_back(ld(0, ctx, DIFF_IN_CR));
    w.push_back(mtcrf(0xff, 0));
    w.push_back(ld(0, ctx, DIFF_IN_XER));
    w.push_back(mtspr(kXer, 0));
    w.push_back(ld(0, ctx, DIFF_IN_CTR));
    w.push_back(mtspr(kCtr, 0));
    w.push_back(ld(0, ctx, DIFF_IN_LR));
    w.push_back(mtspr(kLr, 0));
    for (unsigned n = 0; n < 31; ++n)
        w.push_back(ld(n, ctx, DIFF_IN_GPR(n)));
    for (size_t i = 0; i < nunits; ++i) {
        // A prefixed instruction may not cross a 64-byte boundary (ISA 3.1 Book I 1.6.3); cases start
        // 64-byte aligned (build_batch), so a nop in front keeps the prefix out of a block's last word.
        const Unit &u = c.units[i];
        if (u.prefixed && (w.size() + u.insn_pos) % 16 == 15)
            w.push_back(0x60000000u);   // nop (ori 0,0,0)
        code.unit_start.push_back(w.size());
        w.insert(w.end(), u.words.begin(), u.words.end());
    }
    code.unit_start.push_back(w.size());
    // GPRs before anything that needs r0 as a scratch register.
    for (unsigned n = 0; n < 31; ++n)
        w.push_back(std_(n, ctx, DIFF_OUT + DIFF_IN_GPR(n)));
    w.push_back(mfcr(0));
    w.push_back(std_(0, ctx, DIFF_OUT + DIFF_IN_CR));
    w.push_back(mfspr(0, kXer));
    w.push_back(std_(0, ctx, DIFF_OUT + DIFF_IN_XER));
    w.push_back(mfspr(0, kCtr));
    w.push_back(std_(0, ctx, DIFF_OUT + DIFF_IN_CTR));
    w.push_back(mfspr(0, kLr));
    w.push_back(std_(0, ctx, DIFF_OUT + DIFF_IN_LR));
    w.push_back(ld(0, ctx, DIFF_RET));
    w.push_back(mtspr(kLr, 0));
    w.push_back(blr());
    return code;
}

} // namespace phv::diff
