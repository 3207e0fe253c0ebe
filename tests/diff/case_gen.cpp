#include "case_gen.h"

#include "fixed_insns.h"
#include "fp/fpscr.h"

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
    case 12: return 0 - (1ull << k);   // -2^k, unsigned so k = 63 is no signed overflow
    case 13: return uint64_t(int64_t(int32_t(r.next())));   // a sign-extended word
    case 14: return uint32_t(r.next());
    default: return r.next();
    }
}

// Doublewords on the edges of binary64 (Book I 4.3): signed zeros, infinities, quiet and signalling NaNs with
// payloads, denormals, the extreme normals, values near 1 and near the integer/rounding boundaries (2^52).
uint64_t fp_dword(Rng &r) {
    const uint64_t sign = r.chance(50) ? 0x8000000000000000ull : 0, frac = r.next() & 0x000fffffffffffffull;
    switch (r.below(13)) {
    case 0: return sign;
    case 1: return sign | 0x7ff0000000000000ull;
    case 2: return sign | 0x7ff8000000000000ull | (r.chance(50) ? 0 : frac);
    case 3: return sign | 0x7ff0000000000000ull | (frac >> 1) | 1;   // SNaN: quiet bit 0, payload not 0
    case 4: return sign | (r.chance(50) ? 1 : frac);                  // denormal
    case 5: return sign | 0x7fefffffffffffffull;
    case 6: return sign | 0x0010000000000000ull | (r.chance(50) ? 0 : frac);
    case 7: return sign | 0x3ff0000000000000ull | (r.chance(50) ? 0 : frac >> r.below(52));
    case 8: return sign | uint64_t(0x3f0 + r.below(0x20)) << 52 | frac;   // near 1, full precision
    case 9: return sign | uint64_t(0x430 + r.below(8)) << 52 | frac;      // near 2^52: integer rounding
    case 10: return sign | uint64_t(0x36a + r.below(0x20)) << 52 | frac;  // near the binary32 range ends
    case 11: return sign | uint64_t(0x47e + r.below(4)) << 52 | frac;
    default: return sign | (r.next() & 0x7fffffffffffffffull);
    }
}

// The same for binary32 words.
uint32_t fp_word(Rng &r) {
    const uint32_t sign = r.chance(50) ? 0x80000000u : 0, frac = uint32_t(r.next()) & 0x7fffffu;
    switch (r.below(11)) {
    case 0: return sign;
    case 1: return sign | 0x7f800000u;
    case 2: return sign | 0x7fc00000u | (r.chance(50) ? 0 : frac);
    case 3: return sign | 0x7f800000u | (frac >> 1) | 1;
    case 4: return sign | (r.chance(50) ? 1 : frac);
    case 5: return sign | 0x7f7fffffu;
    case 6: return sign | 0x00800000u | (r.chance(50) ? 0 : frac);
    case 7: return sign | 0x3f800000u | (r.chance(50) ? 0 : frac >> r.below(23));
    case 8: return sign | uint32_t(0x78 + r.below(16)) << 23 | frac;
    case 9: return sign | uint32_t(0x94 + r.below(8)) << 23 | frac;   // near 2^23
    default: return uint32_t(r.next());
    }
}

// binary128 values (Book I 7.3.1; hi is bits 0:63, the sign, the 15-bit exponent and the fraction's first 48
// bits): the classes the quad test-data-class row tells apart, the extreme normals, and values where the quad
// roundings (xsrqpi to an integer, xsrqpxp to double precision) have something to decide.
diff_vsr fp_qword(Rng &r) {
    const uint64_t sign = r.chance(50) ? 0x8000000000000000ull : 0, fhi = r.next() & 0xffffffffffffull,
                   flo = r.next();
    auto q = [&](uint64_t exp, uint64_t hi_frac, uint64_t lo) { return diff_vsr{lo, sign | exp << 48 | hi_frac}; };
    switch (r.below(11)) {
    case 0: return q(0, 0, 0);
    case 1: return q(0x7fff, 0, 0);
    case 2: return q(0x7fff, 0x800000000000ull | (r.chance(50) ? 0 : fhi), r.chance(50) ? 0 : flo);   // QNaN
    case 3: return q(0x7fff, (fhi >> 1) & 0x7fffffffffffull, flo | 1);   // SNaN: quiet bit 0, payload not 0
    case 4: return q(0, r.chance(50) ? 0 : fhi, r.chance(50) ? 1 : flo | 1);   // denormal
    case 5: return q(0x7ffe, 0xffffffffffffull, ~0ull);
    case 6: return q(1, r.chance(50) ? 0 : fhi, r.chance(50) ? 0 : flo);
    case 7: {   // small values with few fraction bits: integers, halves (ties) and quarters
        const unsigned keep = unsigned(r.below(12));
        return q(0x3ffe + r.below(12), keep ? fhi >> (48 - keep) << (48 - keep) : 0, 0);
    }
    case 8: return q(0x3fff + 100 + r.below(16), fhi, flo);   // near 2^112, where every value is an integer
    case 9: {   // near the binary64 range ends (normal and denormal), and a tie below the 53rd bit
        const uint64_t exp = r.chance(50) ? 0x3bcc + r.below(0x38) : r.chance(50) ? 0x43fc + r.below(4)
                                                                                  : 0x3fff - 20 + r.below(40);
        return q(exp, fhi, r.chance(50) ? (flo & 0xf000000000000000ull) | 1ull << 59 : flo);
    }
    default: return {r.next(), r.next()};
    }
}

// A VSR: FP doublewords or words, binary128 values, integer edges, small integers per element, all zeros or ones, random.
diff_vsr vsr_value(Rng &r) {
    uint64_t hi, lo;
    switch (r.below(10)) {
    case 9: return fp_qword(r);
    case 0: hi = fp_dword(r), lo = fp_dword(r); break;
    case 1: hi = uint64_t(fp_word(r)) << 32 | fp_word(r), lo = uint64_t(fp_word(r)) << 32 | fp_word(r); break;
    case 2: hi = interesting(r), lo = interesting(r); break;
    case 3: {   // small signed integers in every byte, halfword or word
        const unsigned width = 8u << r.below(3);
        hi = lo = 0;
        for (unsigned b = 0; b < 64; b += width) {
            const uint64_t m = width == 64 ? ~0ull : (1ull << width) - 1;
            hi |= (uint64_t(r.range(-3, 3)) & m) << b;
            lo |= (uint64_t(r.range(-3, 3)) & m) << b;
        }
        break;
    }
    case 4: hi = lo = 0; break;
    case 5: hi = lo = ~0ull; break;
    case 6: hi = fp_dword(r), lo = r.next(); break;
    default: hi = r.next(), lo = r.next(); break;
    }
    return {lo, hi};
}

// FPSCR: any rounding mode, sometimes sticky exception bits and FR/FI/FPRF; FEX and VX as mtfsf computes
// them. Never an enable bit (nor NI): qemu-user runs with MSR[FE0,FE1] set, so an enabled exception would
// end the case with SIGFPE (insn_gen keeps mtfsf & co. from setting them too).
uint64_t fpscr_value(Rng &r) {
    using namespace phv::fp::fpscr;
    uint64_t f = r.below(4);
    if (r.chance(30))
        f |= r.next() & (kExceptions | FR | FI | FPRF | FX);
    return summarize(f);
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
    for (auto &v : c.in.vsr)
        v = vsr_value(r);
    c.in.fpscr = fpscr_value(r);
    c.in.vscr = {(r.chance(50) ? 1u << 16 : 0) | (r.chance(30) ? 1u : 0), 0};   // NJ, SAT
    for (size_t i = 0; i < c.data.size(); i += 8) {
        const uint64_t v = r.chance(25) ? fp_dword(r) : r.chance(10) ? uint64_t(fp_word(r)) << 32 | fp_word(r)
                                                                     : interesting(r);
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
