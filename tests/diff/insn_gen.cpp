#include "insn_gen.h"

#include <array>
#include <iterator>
#include <string_view>

#include "fixed_insns.h"
#include "insn_gen_storage.h"
#include "layout.h"

namespace phv::diff {

namespace {

using isa::InsnDef;
namespace flag = isa::flag;

// Places `v` in IBM bits from..to (bit 0 is the MSB) of an instruction word.
uint32_t put(uint32_t v, unsigned from, unsigned to) {
    const unsigned width = to - from + 1;
    return (v & ((1u << width) - 1)) << (31 - to);
}

std::vector<std::string_view> split_operands(std::string_view ops) {
    std::vector<std::string_view> out;
    while (!ops.empty()) {
        const size_t comma = ops.find(',');
        out.push_back(ops.substr(0, comma));
        ops = comma == std::string_view::npos ? std::string_view{} : ops.substr(comma + 1);
    }
    return out;
}

constexpr std::string_view kKnownOperands[] = {"RT", "RS", "RA", "RA0", "RB", "SI", "UI", "D(RA)", "DS(RA)",
                                               "BF", "BFA", "BT", "BA", "BB", "BC", "L", "SH", "MB",
                                               "ME", "SH6", "MB6", "ME6", "FXM", "FXMopt", "DX", "SPR",
                                               "LI", "BD", "BO", "BI", "BH", "RC", "CY", "DQ(RA)",
                                               "D34(RA)", "SI34", "R", "TO", "L14", "CT",
                                               // floating point (rows/fp.inc)
                                               "FRT", "FRS", "FRA", "FRB", "FRC", "FRTp", "FRSp", "FLM", "U",
                                               "BTF", "DRM", "RM",
                                               // test data class and quad rounding (rows/vsx_*.inc)
                                               "DCMX", "R15", "RMC",
                                               // VMX registers, VSX registers and immediates (Book I 6, 7)
                                               "VRT", "VRS", "VRA", "VRB", "VRC", "XT", "XS", "XA", "XB", "XC",
                                               "XTp", "XSp", "DM", "SHW", "UIM2", "UIM4", "IMM8", "IMM5", "UIM5",
                                               // VMX immediates (rows/vmx_*.inc)
                                               "UIM", "UIM3", "SIM", "SHB", "SH3", "ST", "SIX", "MP", "N", "BM16", "RAsrc", "STRM",
                                               "IX", "IMM32", "IMM8P", "UIM3P",
                                               // MMA (rows/vsx_mma.inc): accumulator, the pm* masks
                                               "AT", "XAp", "XMSK", "YMSK", "YMSK2", "PMSK8", "PMSK4", "PMSK2"};

// BO values with their "z" bits 0 (Book I 2.4, Figure 40); a/t hint bits vary. bcctr takes them all too:
// its invalid BO[2]=0 forms run as test-and-decrement on both sides (semantics/branch.h).
constexpr unsigned kBo[] = {0, 2, 4, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16, 17, 18, 19, 24, 25, 26, 27, 20};

// The SPRs both worlds hold the same way: XER, LR and CTR (compared after every case). The others differ
// between a Linux process and a guest, or are not readable in problem state.
constexpr unsigned kSharedSprs[] = {1, 8, 9};

bool has(const std::vector<std::string_view> &ops, std::string_view op) {
    for (auto o : ops)
        if (o == op)
            return true;
    return false;
}

unsigned gpr(Rng &r) { return unsigned(r.below(kCtxReg)); }   // r0..r30

// A source register: often one a recent instruction wrote, so results feed later instructions (carries,
// CR fields and odd values from one instruction become inputs of the next) instead of initial values only.
unsigned source_gpr(Rng &r, const GenState &st) { return r.chance(40) ? st.recent[r.below(4)] : gpr(r); }

void note_written(GenState &st, unsigned reg) {
    st.recent[st.next_recent] = reg;
    st.next_recent = (st.next_recent + 1) % 4;
}

// Immediates lean on the edges, where carries, sign extension and overflow change.
uint32_t imm16(Rng &r) {
    switch (r.below(6)) {
    case 0: return uint32_t(r.range(-16, 16));
    case 1: return 0x7fff;
    case 2: return 0x8000;
    case 3: return 0xffff;
    default: return uint32_t(r.next());
    }
}

// The quadword rows (lq, stq, lqarx, stqcx., plq, pstq) name an even/odd register pair (Book I 3.3.4, Load and Store Quadword).
bool quadword(const InsnDef &def) {
    const std::string_view m = def.mnemonic;
    return m == "lq" || m == "stq" || m == "lqarx" || m == "stqcx." || m == "plq" || m == "pstq";
}

// An even register whose pair stays clear of the set-up registers r28/r29 and of r30/r31.
unsigned even_gpr(Rng &r) { return 2 + unsigned(r.below(13)) * 2; }   // r2..r26: lq with RTp = RA (even RA=0) is invalid

// 34-bit immediates of paddi, on the edges and in between.
int64_t imm34(Rng &r) {
    switch (r.below(7)) {
    case 0: return r.range(-16, 16);
    case 1: return 0x1ffffffffll;
    case 2: return -0x200000000ll;
    case 3: return 0x7fff;
    case 4: return -0x8000;
    case 5: return int64_t(int32_t(r.next()));
    default: return int64_t(r.next() << 30) >> 30;
    }
}

// A VSR: often one a recent instruction wrote (see source_gpr), else any of the 64.
unsigned any_vsr(Rng &r, const GenState &st) { return r.chance(40) ? st.recent_vsr[r.below(4)] : unsigned(r.below(64)); }

void note_vsr(GenState &st, unsigned reg) {
    st.recent_vsr[st.next_recent_vsr] = reg;
    st.next_recent_vsr = (st.next_recent_vsr + 1) % 4;
}

// Where a VSX operand's 6-bit register number goes: the 5-bit field and its extension bit (Book I 7.6.1).
// XT/XS sit in bits 6:10 with TX/SX in bit 31 (XX1-XX4), 28 (lxv/stxv), 5 (plxv/pstxv suffix) or 15
// (xxspltiw & co. suffix); XA/XB/XC have AX/BX/CX in bits 29/30/28.
uint32_t put_vsx(std::string_view op, isa::Form form, unsigned n) {
    const uint32_t hi = n >> 5;
    if (op == "XTp" || op == "XSp")   // an even pair: Tp in bits 6:9, TX in bit 10
        return put((n & 31) >> 1, 6, 9) | put(hi, 10, 10);
    if (op == "XA")
        return put(n, 11, 15) | put(hi, 29, 29);
    if (op == "XB")
        return put(n, 16, 20) | put(hi, 30, 30);
    if (op == "XC")
        return put(n, 21, 25) | put(hi, 28, 28);
    const unsigned x = form == isa::Form::DQX ? 28 : form == isa::Form::LS8X ? 5 : form == isa::Form::RR8D ? 15 : 31;
    return put(n, 6, 10) | put(hi, x, x);
}

// lxvl/lxvll/stxvl/stxvll: EA = (RA|0), the length in bits 0:7 of RB (Book I 7.6.3).
bool length_in_rb(const InsnDef &def) {
    const std::string_view m = def.mnemonic;
    return m == "lxvl" || m == "lxvll" || m == "stxvl" || m == "stxvll";
}

// An FXM with exactly one bit: mtocrf/mfocrf (bit 11 set) with any other FXM are undefined (Book I 3.3.17).
uint32_t one_hot8(Rng &r) { return 1u << r.below(8); }

} // namespace

bool is_generated_branch(const InsnDef &def) {
    return def.mnemonic == "b" || def.mnemonic == "bc" || def.mnemonic == "bclr" || def.mnemonic == "bcctr";
}

bool is_memory_row(const InsnDef &def) {
    if (def.flags & (flag::kLoad | flag::kStore))
        return true;
    return def.operands == "RA0,RB";   // cache hints (dcbt, dcbf, ...): an address, no data
}

// Bytes a VSX or VMX load/store touches, by mnemonic (Book I 6.4, 7.6.3); 0 for a row that is not one.
unsigned vector_access_size(std::string_view m) {
    if (m.starts_with("p") && (m.starts_with("plx") || m.starts_with("pstx")))
        m.remove_prefix(1);
    if (m.starts_with("lx"))
        m.remove_prefix(2);
    else if (m.starts_with("stx"))
        m.remove_prefix(3);
    else
        return 0;
    if (m == "vp" || m == "vpx")
        return 32;
    if (m.starts_with("v"))   // lxv, lxvx, lxvd2x, lxvl, ...: 16; the splats and rightmost-element forms less
        return m == "vdsx" ? 8 : m == "vwsx" ? 4 : m == "vrbx" ? 1 : m == "vrhx" ? 2 : m == "vrwx" ? 4
               : m == "vrdx" ? 8 : 16;
    if (m == "sd" || m == "sdx")
        return 8;
    if (m == "ssp" || m == "sspx" || m == "siwax" || m == "siwzx" || m == "siwx")
        return 4;
    if (m == "sihzx" || m == "sihx")
        return 2;
    if (m == "sibzx" || m == "sibx")
        return 1;
    return 8;
}

unsigned access_size(const InsnDef &def) {
    std::string_view m = def.mnemonic;
    if (m.starts_with("dcb"))
        return 1;
    if (const unsigned v = vector_access_size(m))
        return v;
    if (def.flags & flag::kPrefixed)   // pld, pstw ...: the size letter follows as in the word forms
        m.remove_prefix(1);
    if (m.starts_with("lq") || m.starts_with("stq") || m.starts_with("lfdp") || m.starts_with("stfdp"))
        return 16;
    if (m.starts_with("st"))
        m.remove_prefix(2);
    else if (m.starts_with("l"))
        m.remove_prefix(1);
    switch (m.empty() ? 0 : m[0]) {
    case 'b': return 1;
    case 'h': return 2;
    case 'w': return 4;
    case 'd': return 8;
    default: return 8;
    }
}

std::string unsupported_reason(const InsnDef &def) {
    if (is_range_or_amo_row(def))
        return {};
    for (auto op : split_operands(def.operands)) {
        bool known = false;
        for (auto k : kKnownOperands)
            known |= op == k;
        if (!known)
            return "operand " + std::string(op) + " is not generated";
    }
    const auto ops = split_operands(def.operands);
    if (has(ops, "L") && !has(ops, "BF") && def.mnemonic != "sync")
        return "operand L outside cmp*/sync is not generated";
    if (has(ops, "R15") != has(ops, "RMC"))   // tlbie/tlbiel's R: privileged rows, never in the pool anyway
        return "operand R15 without RMC is not generated";
    if (is_memory_row(def) && !has(ops, "D(RA)") && !has(ops, "DS(RA)") && !has(ops, "DQ(RA)") &&
        !has(ops, "D34(RA)") && !(has(ops, "RA") && has(ops, "RB")) &&
        !(has(ops, "RA0") && has(ops, "RB")))
        return "memory row without an (RA) or RA,RB address";
    return {};
}

Unit generate(uint16_t row, const InsnDef &def, Rng &r, GenState &st) {
    if (is_range_or_amo_row(def))
        return generate_range_or_amo(row, def, r, st);
    Unit u{row, {}};
    u.prefixed = def.flags & flag::kPrefixed;
    uint32_t prefix = def.pmatch;   // prefixed rows: R and d0 go here
    const auto ops = split_operands(def.operands);
    const bool mem = is_memory_row(def);
    const bool update = def.flags & flag::kUpdate;
    const bool stores = def.flags & flag::kStore;
    uint32_t w = def.match;

    // Memory rows: choose an aligned offset in the data area, then the registers that reach it.
    int32_t offset = 0;
    if (mem) {
        const unsigned size = access_size(def);
        const unsigned slots = DIFF_DATA_SIZE / size;
        // POWER10 and QEMU perform misaligned ordinary loads and stores, so a few are misaligned; larx/stcx.
        // and quadword accesses never are (they take an Alignment interrupt when misaligned).
        const bool atomic = def.mnemonic.ends_with("arx") || def.mnemonic.ends_with("cx.") || quadword(def) ||
                            def.mnemonic.starts_with("lfdp") || def.mnemonic.starts_with("stfdp");
        if (st.last_offset >= 0 && st.last_offset % size == 0 && r.chance(30))
            offset = st.last_offset;
        else if (!atomic && size > 1 && r.chance(10))
            offset = int32_t(r.below(DIFF_DATA_SIZE - size + 1));
        else
            offset = int32_t(r.below(slots) * size);
        st.last_offset = offset;
        u.offset = offset;
    }
    const int32_t ea_off = DIFF_DATA_OFF + offset;   // the access, from r31 (ctx = DIFF_BASE)
    bool indexed_ra0 = false;

    for (size_t i = 0; i < ops.size(); ++i) {
        const std::string_view op = ops[i];
        // The first RT/RA operand is the target unless the row stores (the rule insn.h's dataflow() uses).
        const bool target = i == 0 && !stores;
        if (op == "RT" || op == "RS") {
            unsigned v = quadword(def) ? even_gpr(r) : target ? gpr(r) : source_gpr(r, st);
            // Update loads with RA=RT are invalid forms (Book I 3.3.2); RA is always the base register here.
            while (update && !stores && v == kBaseReg)
                v = gpr(r);
            w |= put(v, 6, 10);
            if (target)
                note_written(st, v);
        } else if (op == "RA0" && u.prefixed) {
            // paddi: R=1 (pla) adds CIA and needs RA=0; R=0 adds RA|0. Both worlds run at one address.
            if (r.chance(30))
                prefix |= put(1, 11, 11);
            else
                w |= put(r.chance(20) ? 0 : source_gpr(r, st), 11, 15);
        } else if ((op == "RA" || op == "RA0") && length_in_rb(def)) {
            w |= put(kBaseReg, 11, 15);   // RA = 0 would address 0: the base register always
        } else if (op == "RB" && length_in_rb(def)) {
            w |= put(kIndexReg, 16, 20);
        } else if (op == "RA" || op == "RA0") {
            if (mem) {
                // Memory rows: RA is the base of (RA|0) + RB. RA=0 reads as 0; update forms forbid it.
                indexed_ra0 = !update && r.chance(20);
                w |= put(indexed_ra0 ? 0 : kBaseReg, 11, 15);
            } else {
                const unsigned v = target ? gpr(r) : source_gpr(r, st);
                w |= put(v, 11, 15);
                if (target)
                    note_written(st, v);
            }
        } else if (op == "RB") {
            w |= put(mem ? kIndexReg : source_gpr(r, st), 16, 20);
        } else if (op == "SI" || op == "UI") {
            w |= put(imm16(r), 16, 31);
        } else if (op == "D(RA)" || op == "DS(RA)") {
            // EA = r29 + D: a random displacement with the base moved to compensate, so D itself is tested.
            const bool ds = op == "DS(RA)";
            int32_t d = r.chance(50) ? int32_t(r.range(-64, 64)) : int32_t(r.range(-20000, 20000));
            if (ds)
                d &= ~3;
            u.words.push_back(fixed::addi(kBaseReg, kCtxReg, ea_off - d));
            w |= put(kBaseReg, 11, 15) | (ds ? put(uint32_t(d) >> 2, 16, 29) : put(uint32_t(d), 16, 31));
        } else if (op == "DQ(RA)") {
            // lq: EA = r29 + DQ, DQ a multiple of 16 (bits 16:27 hold DQ >> 4).
            const int32_t d = (r.chance(50) ? int32_t(r.range(-64, 64)) : int32_t(r.range(-1600, 1600))) * 16;   // addi reach
            u.words.push_back(fixed::addi(kBaseReg, kCtxReg, ea_off - d));
            w |= put(kBaseReg, 11, 15) | put(uint32_t(d) >> 4, 16, 27);
        } else if (op == "D34(RA)") {
            // Prefixed loads: one in four is PC-relative (R=1, RA=0) with a small negative D, reading the
            // case's own code before it (the prologue and earlier units: the same in both worlds and in every
            // bisection prefix); stores never are (they would rewrite code). Otherwise EA = r29 + D34 with
            // r29 = r31 + (ea_off - D34) set up by addis/addi, so D34 may be far beyond 16 bits.
            int64_t d;
            if (!stores && r.chance(25)) {
                d = -int64_t(r.range(16, 96)) & ~int64_t(access_size(def) - 1);
                prefix |= put(1, 11, 11);
            } else {
                d = r.chance(40) ? r.range(-64, 64) : r.chance(50) ? r.range(-20000, 20000)
                                                                   : r.range(-(1ll << 30), 1ll << 30);
                const int64_t base = int64_t(ea_off) - d;
                const int32_t lo = int32_t(int16_t(base & 0xffff)), hi = int32_t((base - lo) >> 16);
                u.words.push_back(fixed::d_form(15, kBaseReg, kCtxReg, hi));   // addis r29,r31,hi
                u.words.push_back(fixed::addi(kBaseReg, kBaseReg, lo));
                w |= put(kBaseReg, 11, 15);
            }
            prefix |= put(uint32_t(uint64_t(d) >> 16), 14, 31);
            w |= put(uint32_t(d), 16, 31);
        } else if (op == "SI34") {
            const uint64_t si = uint64_t(imm34(r));
            prefix |= put(uint32_t(si >> 16), 14, 31);
            w |= put(uint32_t(si), 16, 31);
        } else if (op == "RC") {
            w |= put(source_gpr(r, st), 21, 25);   // VA form (maddld ...): the third source
        } else if (op == "CY" || op == "R") {
            // addex: CY=0, the only defined value. R is chosen with the address above.
        } else if (op == "BF" || op == "BFA") {
            w |= op == "BF" ? put(uint32_t(r.below(8)), 6, 8) : put(uint32_t(r.below(8)), 11, 13);
        } else if (op == "BT") {
            w |= put(uint32_t(r.below(32)), 6, 10);
        } else if (op == "BA") {
            w |= put(uint32_t(r.below(32)), 11, 15);
        } else if (op == "BB") {
            w |= put(uint32_t(r.below(32)), 16, 20);
        } else if (op == "BC") {
            w |= put(uint32_t(r.below(32)), 21, 25);
        } else if (op == "L") {
            // cmp*: L at bit 10. sync: L=0 (hwsync) or 1 (lwsync) in bits 9-10; the others are Book III's.
            w |= def.mnemonic == "sync" ? put(uint32_t(r.below(2)), 9, 10) : put(uint32_t(r.below(2)), 10, 10);
        } else if (op == "SH") {
            w |= put(uint32_t(r.below(32)), 16, 20);
        } else if (op == "MB") {
            w |= put(uint32_t(r.below(32)), 21, 25);
        } else if (op == "ME") {
            w |= put(uint32_t(r.below(32)), 26, 30);
        } else if (op == "SH6") {
            // MD/XS forms: sh0:4 in bits 16-20, sh5 in bit 30 (Book I 3.3.14).
            const uint32_t sh = uint32_t(r.below(64));
            w |= put(sh, 16, 20) | put(sh >> 5, 30, 30);
        } else if (op == "MB6" || op == "ME6") {
            // mb0:4 in bits 21-25, mb5 in bit 26.
            const uint32_t mb = uint32_t(r.below(64));
            w |= put(mb, 21, 25) | put(mb >> 5, 26, 26);
        } else if (op == "FXM") {
            w |= r.chance(25) ? put(1, 11, 11) | put(one_hot8(r), 12, 19) : put(uint32_t(r.below(256)), 12, 19);
        } else if (op == "FXMopt") {
            if (r.chance(25))
                w |= put(1, 11, 11) | put(one_hot8(r), 12, 19);
        } else if (op == "LI") {
            w |= put(2, 6, 29);   // +8: over the skipped word
        } else if (op == "BD") {
            w |= put(2, 16, 29);
        } else if (op == "TO") {
            // tw/td/twi/tdi: any condition set; TO=0 never traps, 31 always does.
            w |= put(uint32_t(r.below(32)), 6, 10);
        } else if (op == "L14") {
            // darn: L=0..2 are the defined kinds, 3 is reserved (both worlds answer the error value).
            w |= put(uint32_t(r.below(4)), 14, 15);
        } else if (op == "CT") {
            w |= put(uint32_t(r.below(16)), 7, 10);   // icbt's cache level: a hint
        } else if (op == "BO") {
            w |= put(kBo[r.below(std::size(kBo))], 6, 10);
        } else if (op == "BI") {
            w |= put(uint32_t(r.below(32)), 11, 15);
        } else if (op == "BH") {
            // BH=0: the hint that says nothing (1 and 3 are valid too, 2 is reserved); it does not change
            // the target, so it is not worth an invalid form.
        } else if (op == "SPR") {
            // The 10-bit SPR number is stored with its 5-bit halves swapped (Book I 3.3.17).
            const unsigned spr = kSharedSprs[r.below(std::size(kSharedSprs))];
            w |= put(spr & 0x1f, 11, 15) | put(spr >> 5, 16, 20);
        } else if (op == "FRT" || op == "FRS" || op == "FRA" || op == "FRB" || op == "FRC" || op == "VRT" ||
                   op == "VRS" || op == "VRA" || op == "VRB" || op == "VRC") {
            // FPRs are VSR0-31, VRs VSR32-63: chain through the VSR numbers the recent list keeps.
            const bool vr = op[0] == 'V';
            const unsigned base = vr ? 32 : 0;
            // The target is the first operand; xsrqpi & co. name R before VRT (R15,VRT,VRB,RMC).
            const bool dest = op.ends_with('T') && (i == 0 || (i == 1 && ops[0] == "R15"));
            unsigned n = unsigned(r.below(32));
            if (!dest && r.chance(40)) {
                const unsigned c = st.recent_vsr[r.below(4)];
                if (c >= base && c < base + 32)
                    n = c - base;
            }
            const unsigned at = op.ends_with('T') || op.ends_with('S') ? 6 : op.ends_with('A') ? 11 : op.ends_with('B') ? 16 : 21;
            w |= put(n, at, at + 4);
            if (dest)
                note_vsr(st, base + n);
        } else if (op == "FRTp" || op == "FRSp") {
            w |= put(uint32_t(r.below(16)) * 2, 6, 10);
        } else if (op == "AT") {
            // An accumulator: ACC[AT] is VSR 4*AT..4*AT+3 (Book I 7.2.1.x, as both worlds hold it).
            const unsigned at = unsigned(r.below(8));
            w |= put(at, 6, 8);
            for (unsigned k = 0; k < 4; ++k)
                note_vsr(st, 4 * at + k);
        } else if (op == "XT" || op == "XS" || op == "XA" || op == "XB" || op == "XC" || op == "XTp" || op == "XSp" ||
                   op == "XAp") {
            const bool dest = (op == "XT" || op == "XTp") && i == 0;
            unsigned n = dest ? unsigned(r.below(64)) : any_vsr(r, st);
            if (op == "XTp" || op == "XSp" || op == "XAp")
                n &= ~1u;
            // The GER sources must not overlap the accumulator they update (Book I 7.6, xvf32ger ...: such a
            // form is invalid); XAp's pair lies in one group of four with n even.
            if (has(ops, "AT"))
                while (n / 4 == ((w >> (31 - 8)) & 7))
                    n = unsigned(r.below(64)) & (op == "XAp" ? ~1u : ~0u);
            w |= put_vsx(op == "XAp" ? "XA" : op, def.form, n);
            if (dest)
                note_vsr(st, n);
        } else if (op == "FLM") {
            // FPSCR fields 6 and 7 hold the enable bits and NI (FLM bits 13, 14): never written, see below.
            w |= put(uint32_t(r.below(256)) & ~3u, 7, 14);
        } else if (op == "U") {
            // mtfsfi BF,U: field 6 is VE OE UE ZE, field 7 XE NI RN; only RN may change there.
            const unsigned bf = (w >> 23) & 7;
            w = (w & ~put(7, 6, 8)) | put(bf == 6 ? 5 : bf, 6, 8);
            w |= put(uint32_t(r.below(16)) & (bf >= 6 ? 3u : 15u), 16, 19);
        } else if (op == "BTF") {
            // mtfsb1 never sets VE..XE or NI (FPSCR bits 56:61, BT 24..29).
            unsigned bt = unsigned(r.below(32));
            if (def.mnemonic == "mtfsb1" && bt >= 24 && bt <= 29)
                bt -= 8;
            w |= put(bt, 6, 10);
        } else if (op == "DCMX") {
            // The data-class mask (Book I 7.6, xststdcdp): bit 0 (64) NaN, 1 +inf, 2 -inf, 3 +0, 4 -0,
            // 5 +denormal, 6 -denormal. Half the time one class alone, so a match tells which class the
            // operand is in; else any of the 128 masks, none and all included.
            const uint32_t dcmx = r.chance(50) ? 1u << r.below(7) : uint32_t(r.below(128));
            if (def.mnemonic.starts_with("xvtstdc"))   // dc (bit 25) || dm (bit 29) || dx (bits 11:15)
                w |= put(dcmx >> 6, 25, 25) | put(dcmx >> 5, 29, 29) | put(dcmx, 11, 15);
            else   // xststdcsp/dp/qp: bits 9:15
                w |= put(dcmx, 9, 15);
        } else if (op == "R15") {
            // xsrqpi/xsrqpix/xsrqpxp: R (bit 15) with RMC (bits 21:22) picks the rounding (Book I 7.6, xsrqpi):
            // R=1: RMC = nearest even, zero, +inf, -inf; R=0: RMC=0 nearest away, RMC=3 FPSCR[RN]. R=0 with
            // RMC 1 or 2 is a reserved value, so an invalid form whose result is boundedly undefined (Book I
            // 1.8.2): never generated. RMC is placed here, with R, so the two are chosen together.
            static constexpr std::array<std::array<uint32_t, 2>, 6> kRRmc = {{{1, 0}, {1, 1}, {1, 2}, {1, 3}, {0, 0}, {0, 3}}};
            const auto [rbit, rmc] = kRRmc[r.below(kRRmc.size())];
            w |= put(rbit, 15, 15) | put(rmc, 21, 22);
        } else if (op == "RMC") {
            // Chosen with R15 above.
        } else if (op == "DRM") {
            w |= put(uint32_t(r.below(8)), 18, 20);
        } else if (op == "RM") {
            w |= put(uint32_t(r.below(4)), 19, 20);
        } else if (op == "DM" || op == "SHW") {
            w |= put(uint32_t(r.below(4)), 22, 23);
        } else if (op == "UIM" || op == "SIM") {
            // vcfsx/vctsxs scale, vspltis* value (sign-extended): bits 11:15.
            w |= put(uint32_t(r.below(32)), 11, 15);
        } else if (op == "RAsrc") {
            // dst*: RA=0 is an invalid form (illegal on QEMU and phv); the harness keeps to valid ones.
            unsigned v = source_gpr(r, st);
            while (v == 0)
                v = gpr(r);
            w |= put(v, 11, 15);
        } else if (op == "STRM") {
            w |= put(uint32_t(r.below(4)), 9, 10);
        } else if (op == "UIM3") {
            w |= put(uint32_t(r.below(8)), 13, 15);
        } else if (op == "SHB") {
            w |= put(uint32_t(r.below(16)), 22, 25);
        } else if (op == "SH3") {
            w |= put(uint32_t(r.below(8)), 23, 25);
        } else if (op == "ST") {
            w |= put(uint32_t(r.below(2)), 16, 16);
        } else if (op == "SIX") {
            w |= put(uint32_t(r.below(16)), 17, 20);
        } else if (op == "MP") {
            w |= put(uint32_t(r.below(2)), 15, 15);
        } else if (op == "N") {
            w |= put(2 + uint32_t(r.below(6)), 13, 15);   // vgnb: N = 0 and 1 are invalid forms
        } else if (op == "BM16") {
            // mtvsrbmi: b0 (bits 16:25) || b1 (11:15) || b2 (31).
            const uint32_t bm = uint32_t(r.below(65536));
            w |= put(bm >> 6, 16, 25) | put(bm >> 1, 11, 15) | put(bm, 31, 31);
        } else if (op == "UIM2") {
            w |= put(uint32_t(r.below(4)), 14, 15);
        } else if (op == "UIM4") {
            w |= put(uint32_t(r.below(13)), 12, 15);   // xxextractuw/xxinsertw: UIM > 12 is undefined
        } else if (op == "IMM8") {
            w |= put(r.chance(30) ? uint32_t(r.range(-4, 4)) : uint32_t(r.next()), 13, 20);
        } else if (op == "IMM5") {
            w |= put(uint32_t(r.below(4)), 11, 15);   // xxgenpcv*m: 0-3, the others are reserved
        } else if (op == "UIM5") {
            // lxvkq: the constants 1-9 and 16-24; the others are reserved.
            const uint32_t k = uint32_t(r.below(18));
            w |= put(k < 9 ? k + 1 : k + 7, 16, 20);
        } else if (op == "IX") {
            w |= put(uint32_t(r.below(2)), 14, 14);
        } else if (op == "IMM32") {
            // Single-precision edges half the time (xxspltidp widens them), else any word.
            const uint32_t v = r.chance(50) ? uint32_t(r.next()) : std::array<uint32_t, 8>{0, 0x80000000u, 0x7f800000u,
                0x7fc00001u, 0x7f800001u, 0x00000001u, 0x3f800000u, 0xffffffffu}[r.below(8)];
            prefix |= put(v >> 16, 16, 31);
            w |= put(v, 16, 31);
        } else if (op == "IMM8P") {
            prefix |= put(uint32_t(r.below(256)), 24, 31);
        } else if (op == "UIM3P") {
            prefix |= put(uint32_t(r.below(8)), 29, 31);
        } else if (op == "XMSK" || op == "YMSK") {
            // pm* masks in the prefix: XMSK bits 24:27, YMSK 28:31; all ones often (the unmasked result).
            const unsigned at = op == "XMSK" ? 24 : 28;
            prefix |= put(r.chance(30) ? 15u : uint32_t(r.below(16)), at, at + 3);
        } else if (op == "YMSK2") {
            prefix |= put(r.chance(30) ? 3u : uint32_t(r.below(4)), 28, 29);
        } else if (op == "PMSK8" || op == "PMSK4" || op == "PMSK2") {
            const unsigned bits = unsigned(op[4] - '0');
            prefix |= put(r.chance(30) ? (1u << bits) - 1 : uint32_t(r.below(1u << bits)), 16, 15 + bits);
        } else if (op == "DX") {
            // addpcis: d = d0 || d1 || d2 with d0 in bits 16-25, d1 in 11-15, d2 in 31.
            const uint32_t d = imm16(r);
            w |= put(d >> 6, 16, 25) | put(d >> 1, 11, 15) | put(d, 31, 31);
        }
    }

    if (mem && length_in_rb(def)) {
        // EA = RA; RB = length << 56, the length often beyond 16 (which means 16).
        const unsigned len = r.chance(70) ? unsigned(r.below(17)) : unsigned(r.below(256));
        u.words.push_back(fixed::addi(kBaseReg, kCtxReg, ea_off));
        u.words.push_back(fixed::addi(kIndexReg, 0, int32_t(len)));
        u.words.push_back(fixed::rldicr(kIndexReg, kIndexReg, 56, 7));
    } else
    // The X-form address set-up: RA|0 + RB = target.
    if (mem && !has(ops, "D(RA)") && !has(ops, "DS(RA)") && !has(ops, "DQ(RA)") && !has(ops, "D34(RA)")) {
        if (indexed_ra0) {
            u.words.push_back(fixed::addi(kIndexReg, kCtxReg, ea_off));
        } else {
            const int32_t idx = r.chance(50) ? int32_t(r.range(-64, 64)) : int32_t(r.range(-20000, 20000));
            u.words.push_back(fixed::addi(kBaseReg, kCtxReg, ea_off - idx));
            u.words.push_back(fixed::addi(kIndexReg, 0, idx));
        }
    }

    // Rc, or LK for branches: bit 31 either way.
    if (def.flags & flag::kRc)   // the VC form (vcmp*., vstri*.) has its Rc in bit 21
        w |= def.form == isa::Form::VC ? put(uint32_t(r.below(2)), 21, 21) : put(uint32_t(r.below(2)), 31, 31);
    if (def.flags & flag::kBranch) {
        // bclr/bcctr: point LR/CTR past the skipped word. bcl 20,31,$+4 reads the address of the next
        // word (A); the branch sits at A+12, the skipped word at A+16, the target is A+20.
        const bool to_lr = def.mnemonic == "bclr", to_ctr = def.mnemonic == "bcctr";
        if (to_lr || to_ctr) {
            u.words.push_back(fixed::bcl_next());
            u.words.push_back(fixed::mfspr(kIndexReg, fixed::kLr));
            u.words.push_back(fixed::addi(kIndexReg, kIndexReg, 20));
            u.words.push_back(fixed::mtspr(to_lr ? fixed::kLr : fixed::kCtr, kIndexReg));
        }
    }
    if (def.flags & flag::kOE)
        w |= put(uint32_t(r.below(2)), 21, 21);
    // Operand fields never overlap the row's fixed bits; if a row's mask claims one, keep the row's value.
    w = (w & ~def.mask) | def.match;
    u.insn_pos = u.words.size();
    if (u.prefixed)
        u.words.push_back((prefix & ~def.pmask) | def.pmatch);
    u.words.push_back(w);
    if (def.flags & flag::kBranch) {
        // The word a taken branch skips: it changes a register, so taken and not taken look different.
        const unsigned reg = gpr(r);
        u.words.push_back(fixed::addi(reg, reg, 1));
    }
    return u;
}

} // namespace phv::diff
