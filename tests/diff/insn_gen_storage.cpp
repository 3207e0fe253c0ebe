#include "insn_gen_storage.h"

#include <iterator>
#include <string_view>

#include "fixed_insns.h"
#include "layout.h"

namespace phv::diff {

namespace {

using isa::InsnDef;

uint32_t put(uint32_t v, unsigned from, unsigned to) {
    const unsigned width = to - from + 1;
    return (v & ((1u << width) - 1)) << (31 - to);
}

void note_written(GenState &st, unsigned reg) {
    st.recent[st.next_recent] = reg;
    st.next_recent = (st.next_recent + 1) % 4;
}

int32_t displacement(Rng &r) { return r.chance(50) ? int32_t(r.range(-64, 64)) : int32_t(r.range(-20000, 20000)); }

// An offset in the data area for an access of `len` bytes, a multiple of `align`.
int32_t offset_for(Rng &r, unsigned len, unsigned align) {
    return int32_t(r.below((DIFF_DATA_SIZE - len) / align + 1) * align);
}

// XER[57:63] = n, the other XER bits kept, through r28 (the index register, set again afterwards).
void set_xer_count(std::vector<uint32_t> &w, unsigned n) {
    w.push_back(fixed::mfspr(kIndexReg, fixed::kXer));
    w.push_back(fixed::d_form(24, kIndexReg, kIndexReg, 0x7f));              // ori: low 7 bits all ones
    w.push_back(fixed::d_form(26, kIndexReg, kIndexReg, int32_t(0x7f ^ n)));  // xori: ... now n
    w.push_back(fixed::mtspr(fixed::kXer, kIndexReg));
}

// Load/store multiple (Book I 3.3.6, Load and Store Multiple): RT..r31 to/from consecutive words. lmw loads r31 too, and r31 must
// come back as the ctx address: the set-up first stores the ctx address's low word (the whole address:
// it fits in 32 bits) where lmw will read r31 from. RA must not be among the loaded registers (invalid
// form), so lmw uses a base register below RT instead of r29.
Unit multiple(uint16_t row, const InsnDef &def, Rng &r, GenState &st) {
    Unit u{row, {}};
    const bool load = def.mnemonic == "lmw";
    const unsigned rt = load ? unsigned(r.range(2, 30)) : unsigned(r.below(31));
    const unsigned base = load ? unsigned(r.range(1, rt - 1)) : kBaseReg;
    const unsigned len = 4 * (32 - rt);
    const int32_t off = offset_for(r, len, 4);
    const int32_t d = displacement(r) & ~3;
    u.offset = off;
    st.last_offset = off;
    u.words.push_back(fixed::addi(base, kCtxReg, DIFF_DATA_OFF + off - d));
    if (load) {
        u.words.push_back(fixed::d_form(36, kCtxReg, base, d + int32_t(len) - 4));   // stw r31 at r31's word
        for (unsigned n = rt; n < 31; ++n)
            note_written(st, n);
    }
    u.insn_pos = u.words.size();
    u.words.push_back(def.match | put(rt, 6, 10) | put(base, 11, 15) | put(uint32_t(d), 16, 31));
    return u;
}

// Load/store string (Book I 3.3.7, Move Assist): n bytes to/from RT, RT+1, ... (wrapping r31 to r0), four a register.
// Loads keep the registers they fill clear of r31 (the ctx pointer) and of RA/RB (invalid forms); lswx
// with n = 0 leaves RT undefined, so it always moves at least one byte.
Unit string(uint16_t row, const InsnDef &def, Rng &r, GenState &st) {
    Unit u{row, {}};
    const bool load = def.flags & isa::flag::kLoad;
    const bool immediate = def.mnemonic.ends_with("i");
    unsigned n;
    if (immediate)
        n = unsigned(r.range(1, 32));
    else
        n = load ? unsigned(r.range(1, 64)) : unsigned(r.range(0, 127));
    const unsigned regs = (n + 3) / 4;
    // Loads: RT..RT+regs-1 within r0..r27, below the set-up registers r28/r29.
    const unsigned rt = load ? unsigned(r.range(0, 28 - regs)) : unsigned(r.below(31));
    const int32_t off = offset_for(r, n ? n : 1, 1);
    u.offset = off;
    st.last_offset = off;
    uint32_t w = def.match | put(rt, 6, 10) | put(kBaseReg, 11, 15);
    if (immediate) {
        u.words.push_back(fixed::addi(kBaseReg, kCtxReg, DIFF_DATA_OFF + off));
        w |= put(n == 32 ? 0 : n, 16, 20);
    } else {
        set_xer_count(u.words, n);
        const int32_t idx = displacement(r);
        u.words.push_back(fixed::addi(kBaseReg, kCtxReg, DIFF_DATA_OFF + off - idx));
        u.words.push_back(fixed::addi(kIndexReg, 0, idx));
        w |= put(kIndexReg, 16, 20);
    }
    if (load)
        for (unsigned i = 0; i < regs; ++i)
            note_written(st, rt + i);
    u.insn_pos = u.words.size();
    u.words.push_back(w);
    return u;
}

// Atomic memory operations (Book II 4.5): EA = (RA), a multiple of the element size; the functions with a
// neighbour (Fetch and Increment Bounded/Equal and Store Twin read mem(EA+s), Fetch and Decrement Bounded
// mem(EA-s)) need both elements in one aligned 32-byte block. Only defined function codes are generated.
Unit atomic_memory(uint16_t row, const InsnDef &def, Rng &r, GenState &st) {
    static constexpr unsigned kLoadFc[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 24, 25, 28};
    static constexpr unsigned kStoreFc[] = {0, 1, 2, 3, 4, 5, 6, 7, 24};
    Unit u{row, {}};
    const bool store = def.flags & isa::flag::kStore;
    const unsigned s = def.mnemonic[1] == 'w' || def.mnemonic.starts_with("stw") ? 4 : 8;
    const unsigned fc = store ? kStoreFc[r.below(std::size(kStoreFc))] : kLoadFc[r.below(std::size(kLoadFc))];
    const int neighbour = (!store && (fc == 24 || fc == 25)) || (store && fc == 24) ? 1 : !store && fc == 28 ? -1 : 0;
    int32_t off;
    for (;;) {
        off = offset_for(r, s, s);
        if (neighbour > 0 && off % 32 + 2 * int32_t(s) > 32)
            continue;
        if (neighbour < 0 && off % 32 < int32_t(s))
            continue;
        break;
    }
    // Keep the previous access's offset now and then, so atomics meet other loads and stores.
    if (neighbour == 0 && st.last_offset >= 0 && st.last_offset % int32_t(s) == 0 && r.chance(30))
        off = st.last_offset;
    u.offset = off;
    st.last_offset = off;
    unsigned rt = unsigned(r.below(kCtxReg));
    while (!store && rt == kBaseReg)
        rt = unsigned(r.below(kCtxReg));
    if (!store)
        note_written(st, rt);
    u.words.push_back(fixed::addi(kBaseReg, kCtxReg, DIFF_DATA_OFF + off));
    u.insn_pos = u.words.size();
    u.words.push_back(def.match | put(rt, 6, 10) | put(kBaseReg, 11, 15) | put(fc, 16, 20));
    return u;
}

} // namespace

bool is_range_or_amo_row(const InsnDef &def) {
    const std::string_view m = def.mnemonic;
    return m == "lmw" || m == "stmw" || m == "lswi" || m == "lswx" || m == "stswi" || m == "stswx" ||
           m == "lwat" || m == "ldat" || m == "stwat" || m == "stdat";
}

Unit generate_range_or_amo(uint16_t row, const InsnDef &def, Rng &r, GenState &st) {
    const std::string_view m = def.mnemonic;
    if (m == "lmw" || m == "stmw")
        return multiple(row, def, r, st);
    if (m.find("sw") != std::string_view::npos)
        return string(row, def, r, st);
    return atomic_memory(row, def, r, st);
}

} // namespace phv::diff
