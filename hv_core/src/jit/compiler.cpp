#include "jit/compiler.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "jit/code_buffer.h"
#include "jit/emitter.h"
#include "jit/perf_map.h"
#include "vcpu/vcpu.h"

namespace phv::jit {

namespace {

using namespace Xbyak::util;

static_assert(uint8_t(isa::Flow::Next) == 0, "the code tests Next with test al, al");
static_assert(std::endian::native == std::endian::little, "word-sized native rows read a GPR's low half at its address");

// The rows emitted as host code, by mnemonic. A row is here only if its emitter reproduces every variant
// it accepts exactly (GPRs, CR, XER, LR, CTR, NIP); an emitter declines what it does not cover (mfspr of an
// SPR other than LR/CTR...) and that instruction is called like any other row. The argument selects
// among rows sharing an emitter (native_fixedpoint.cpp, native_branch.cpp give its meaning).
// What compiling a row needs to know besides its emitter: whether its rows load or store through the page
// cells, and whether their RT field, or every register field, names something other than a GPR (FRT, FRA,
// FRB, FRC; VRT, VRA, VRB, VRC). Most emitters' rows share theirs (kEmitterTraits); a row may add its own.
enum RowTrait : uint8_t { kLoads = 1, kStores = 2, kRtNotGpr = 4, kNoGpr = 8 };
struct NativeRow {
    std::string_view mnemonic;
    EmitFn emit;
    unsigned arg = 0;
    uint8_t traits = 0;
};
using E = BlockEmitter;
const NativeRow kNativeRows[] = {
    {"addi", &E::e_addi, 0}, {"addis", &E::e_addi, 16},
    // The add family: arg = a | b << 2 | cin << 4 | sets_ca << 6 (native_fixedpoint.cpp, AddShape).
    {"add", &E::e_add_family, 0x00}, {"subf", &E::e_add_family, 0x11}, {"addc", &E::e_add_family, 0x40},
    {"subfc", &E::e_add_family, 0x51}, {"adde", &E::e_add_family, 0x60}, {"subfe", &E::e_add_family, 0x61},
    {"addme", &E::e_add_family, 0x6c}, {"addze", &E::e_add_family, 0x68}, {"subfme", &E::e_add_family, 0x6d},
    {"subfze", &E::e_add_family, 0x69}, {"neg", &E::e_add_family, 0x19}, {"addic", &E::e_add_family, 0x44},
    {"addic.", &E::e_add_family, 0x144}, {"subfic", &E::e_add_family, 0x55},
    {"and", &E::e_logical, 0}, {"andc", &E::e_logical, 1}, {"or", &E::e_logical, 2}, {"orc", &E::e_logical, 3},
    {"xor", &E::e_logical, 4}, {"nand", &E::e_logical, 5}, {"nor", &E::e_logical, 6}, {"eqv", &E::e_logical, 7},
    {"andi.", &E::e_logical_imm, 0}, {"andis.", &E::e_logical_imm, 1}, {"ori", &E::e_logical_imm, 2},
    {"oris", &E::e_logical_imm, 3}, {"xori", &E::e_logical_imm, 4}, {"xoris", &E::e_logical_imm, 5},
    {"extsb", &E::e_extend, 1}, {"extsh", &E::e_extend, 2}, {"extsw", &E::e_extend, 4},
    {"cmp", &E::e_cmp, 2}, {"cmpl", &E::e_cmp, 0}, {"cmpi", &E::e_cmp, 3}, {"cmpli", &E::e_cmp, 1},
    {"rlwinm", &E::e_rotate_word, 0}, {"rlwnm", &E::e_rotate_word, 1}, {"rlwimi", &E::e_rotate_word, 2},
    {"rldicl", &E::e_rotate_double, 0}, {"rldicr", &E::e_rotate_double, 1}, {"rldic", &E::e_rotate_double, 2},
    {"rldimi", &E::e_rotate_double, 3}, {"rldcl", &E::e_rotate_double, 4}, {"rldcr", &E::e_rotate_double, 5},
    {"slw", &E::e_shift, 0}, {"srw", &E::e_shift, 1}, {"sld", &E::e_shift, 2}, {"srd", &E::e_shift, 3},
    {"sraw", &E::e_shift_algebraic, 0}, {"srawi", &E::e_shift_algebraic, 1}, {"srad", &E::e_shift_algebraic, 2},
    {"sradi", &E::e_shift_algebraic, 3}, {"extswsli", &E::e_extswsli, 0},
    {"mfspr", &E::e_mfspr, 0}, {"mtspr", &E::e_mtspr, 0}, {"mfcr", &E::e_mfcr, 0}, {"mtcrf", &E::e_mtcrf, 0},
    {"crand", &E::e_crlogical, 0}, {"crandc", &E::e_crlogical, 1}, {"cror", &E::e_crlogical, 2},
    {"crorc", &E::e_crlogical, 3}, {"crxor", &E::e_crlogical, 4}, {"crnand", &E::e_crlogical, 5},
    {"crnor", &E::e_crlogical, 6}, {"creqv", &E::e_crlogical, 7}, {"mcrf", &E::e_mcrf, 0},
    {"mulli", &E::e_mul, 0}, {"mullw", &E::e_mul, 1}, {"mulld", &E::e_mul, 2}, {"mulhw", &E::e_mul, 3},
    {"mulhwu", &E::e_mul, 4}, {"mulhd", &E::e_mul, 5}, {"mulhdu", &E::e_mul, 6},
    {"divw", &E::e_div, 0}, {"divwu", &E::e_div, 1}, {"divd", &E::e_div, 2}, {"divdu", &E::e_div, 3},
    {"cntlzw", &E::e_count, 0}, {"cntlzd", &E::e_count, 1}, {"cnttzw", &E::e_count, 2},
    {"cnttzd", &E::e_count, 3}, {"popcntw", &E::e_count, 4}, {"popcntd", &E::e_count, 5},
    {"isel", &E::e_isel, 0}, {"mfmsr", &E::e_mfmsr, 0}, {"cmpb", &E::e_cmpb, 0},
    // Traps: arg 1 word, 2 immediate.
    {"td", &E::e_trap, 0}, {"tw", &E::e_trap, 1}, {"tdi", &E::e_trap, 2}, {"twi", &E::e_trap, 3},
    // Rows run by their semantic function as a slow path is (call_slow), keeping the registers: nothing else
    // of the vcpu's state changes in them that the code keeps (translation, MSR, code). arg: 1 writes RT, 2
    // writes CR, 4 writes CR in the record form.
    {"lbarx", &E::e_call, 1}, {"lharx", &E::e_call, 1}, {"lwarx", &E::e_call, 1}, {"ldarx", &E::e_call, 1},
    {"stbcx.", &E::e_call, 2}, {"sthcx.", &E::e_call, 2}, {"stwcx.", &E::e_call, 2}, {"stdcx.", &E::e_call, 2},
    {"vcmpequb", &E::e_call, 4, kNoGpr}, {"vcmpequh", &E::e_call, 4, kNoGpr}, {"vcmpequw", &E::e_call, 4, kNoGpr},
    {"vsldoi", &E::e_call, 0, kNoGpr}, {"vspltb", &E::e_call, 0, kNoGpr}, {"vsplth", &E::e_call, 0, kNoGpr},
    {"vspltw", &E::e_call, 0, kNoGpr}, {"vbpermq", &E::e_call, 0, kNoGpr}, {"lvsl", &E::e_call, 0, kRtNotGpr},
    {"lvsr", &E::e_call, 0, kRtNotGpr},
    // Rows whose semantics are sem::nop (the cache hints): nothing to emit, and the registers stay where
    // they are (a call would write them all back); the barriers as sem::sync and sem::eieio order.
    {"dcbst", &E::e_nop, 0}, {"dcbt", &E::e_nop, 0}, {"dcbtst", &E::e_nop, 0}, {"slbsync", &E::e_nop, 0},
    {"sync", &E::e_sync, 0}, {"eieio", &E::e_sync, 1},
    {"b", &E::e_b, 0}, {"bc", &E::e_bc, 0}, {"bclr", &E::e_bc_reg, 0}, {"bcctr", &E::e_bc_reg, 1},
    {"isync", &E::e_isync, 0, kNoGpr},
    // Loads and stores: arg = size in bytes | 0x10 sign-extending | 0x20 X-form | 0x40 update | 0x80
    // byte-reversed (native_memory.cpp).
    {"lbz", &E::e_load, 0x01}, {"lbzu", &E::e_load, 0x41}, {"lbzx", &E::e_load, 0x21}, {"lbzux", &E::e_load, 0x61},
    {"lhz", &E::e_load, 0x02}, {"lhzu", &E::e_load, 0x42}, {"lhzx", &E::e_load, 0x22}, {"lhzux", &E::e_load, 0x62},
    {"lha", &E::e_load, 0x12}, {"lhau", &E::e_load, 0x52}, {"lhax", &E::e_load, 0x32}, {"lhaux", &E::e_load, 0x72},
    {"lwz", &E::e_load, 0x04}, {"lwzu", &E::e_load, 0x44}, {"lwzx", &E::e_load, 0x24}, {"lwzux", &E::e_load, 0x64},
    {"ld", &E::e_load, 0x08}, {"ldu", &E::e_load, 0x48}, {"ldx", &E::e_load, 0x28}, {"ldux", &E::e_load, 0x68},
    {"lwa", &E::e_load, 0x14}, {"lwax", &E::e_load, 0x34}, {"lwaux", &E::e_load, 0x74}, {"lhbrx", &E::e_load, 0xa2},
    {"lwbrx", &E::e_load, 0xa4}, {"ldbrx", &E::e_load, 0xa8},
    {"stb", &E::e_store, 0x01}, {"stbu", &E::e_store, 0x41}, {"stbx", &E::e_store, 0x21},
    {"stbux", &E::e_store, 0x61}, {"sth", &E::e_store, 0x02}, {"sthu", &E::e_store, 0x42},
    {"sthx", &E::e_store, 0x22}, {"sthux", &E::e_store, 0x62}, {"stw", &E::e_store, 0x04},
    {"stwu", &E::e_store, 0x44}, {"stwx", &E::e_store, 0x24}, {"stwux", &E::e_store, 0x64},
    {"std", &E::e_store, 0x08}, {"stdu", &E::e_store, 0x48}, {"stdx", &E::e_store, 0x28},
    {"stdux", &E::e_store, 0x68}, {"sthbrx", &E::e_store, 0xa2}, {"stwbrx", &E::e_store, 0xa4},
    {"stdbrx", &E::e_store, 0xa8}, {"dcbz", &E::e_dcbz, 0}, {"icbi", &E::e_icbi, 0},
    // FP loads and stores: arg = size in bytes (8 double, 4 single) | 0x20 X-form | 0x40 update; the
    // quadword vector forms: arg = 0 the VMX form, 1 the VSX X-form, 2 the VSX DQ-form (native_memory.cpp).
    {"lfd", &E::e_fp_load, 0x08}, {"lfdu", &E::e_fp_load, 0x48}, {"lfdx", &E::e_fp_load, 0x28},
    {"lfdux", &E::e_fp_load, 0x68}, {"lfs", &E::e_fp_load, 0x04}, {"lfsu", &E::e_fp_load, 0x44},
    {"lfsx", &E::e_fp_load, 0x24}, {"lfsux", &E::e_fp_load, 0x64},
    {"stfd", &E::e_fp_store, 0x08}, {"stfdu", &E::e_fp_store, 0x48}, {"stfdx", &E::e_fp_store, 0x28},
    {"stfdux", &E::e_fp_store, 0x68}, {"stfs", &E::e_fp_store, 0x04}, {"stfsu", &E::e_fp_store, 0x44},
    {"stfsx", &E::e_fp_store, 0x24}, {"stfsux", &E::e_fp_store, 0x64},
    {"lvx", &E::e_vec_load, 0}, {"lvxl", &E::e_vec_load, 0}, {"lxvx", &E::e_vec_load, 1}, {"lxv", &E::e_vec_load, 2},
    {"stvx", &E::e_vec_store, 0}, {"stvxl", &E::e_vec_store, 0}, {"stxvx", &E::e_vec_store, 1},
    {"stxv", &E::e_vec_store, 2},
    // FP arithmetic, binary64: arg = the operation (native_fp.cpp's Op); conversions: arg = fcfid, fctidz;
    // FP moves: arg = mr, neg, abs, nabs.
    {"fadd", &E::e_fp_arith, 0}, {"fsub", &E::e_fp_arith, 1}, {"fmul", &E::e_fp_arith, 2},
    {"fdiv", &E::e_fp_arith, 3}, {"fsqrt", &E::e_fp_arith, 4}, {"fmadd", &E::e_fp_arith, 5},
    {"fmsub", &E::e_fp_arith, 6}, {"fnmadd", &E::e_fp_arith, 7}, {"fnmsub", &E::e_fp_arith, 8},
    {"fcfid", &E::e_fp_convert, 0}, {"fctidz", &E::e_fp_convert, 1},
    {"fmr", &E::e_fp_move, 0}, {"fneg", &E::e_fp_move, 1}, {"fabs", &E::e_fp_move, 2}, {"fnabs", &E::e_fp_move, 3},
    // VMX (native_vmx.cpp): logical rows, arg as e_logical's; modular add/subtract, arg = element bytes |
    // 0x10 subtract; word shifts; the halfword multiplies and vmsumuhm; vperm; splats of an immediate, arg =
    // element bytes.
    {"vand", &E::e_vlogical, 0}, {"vandc", &E::e_vlogical, 1}, {"vor", &E::e_vlogical, 2}, {"vorc", &E::e_vlogical, 3},
    {"vxor", &E::e_vlogical, 4}, {"vnand", &E::e_vlogical, 5}, {"vnor", &E::e_vlogical, 6}, {"veqv", &E::e_vlogical, 7},
    {"vaddubm", &E::e_vadd_modulo, 0x01}, {"vadduhm", &E::e_vadd_modulo, 0x02}, {"vadduwm", &E::e_vadd_modulo, 0x04},
    {"vaddudm", &E::e_vadd_modulo, 0x08}, {"vsububm", &E::e_vadd_modulo, 0x11}, {"vsubuhm", &E::e_vadd_modulo, 0x12},
    {"vsubuwm", &E::e_vadd_modulo, 0x14}, {"vsubudm", &E::e_vadd_modulo, 0x18},
    {"vslw", &E::e_vshift_word, 0}, {"vsrw", &E::e_vshift_word, 1}, {"vsraw", &E::e_vshift_word, 2},
    {"vmulouh", &E::e_vmul_word, 0}, {"vmuleuh", &E::e_vmul_word, 1}, {"vmuluwm", &E::e_vmul_word, 2},
    {"vmsumuhm", &E::e_vmul_word, 3}, {"vperm", &E::e_vperm, 0},
    {"vspltisb", &E::e_vsplti, 1}, {"vspltish", &E::e_vsplti, 2}, {"vspltisw", &E::e_vsplti, 4},
    // VSX (native_vsx.cpp): the GPR moves, arg 0 mfvsrd, 1 mfvsrwz, 2 mtvsrd, 3 mtvsrwz; the logical rows,
    // arg as e_logical's; xxpermdi.
    {"mfvsrd", &E::e_vsx_move, 0}, {"mfvsrwz", &E::e_vsx_move, 1}, {"mtvsrd", &E::e_vsx_move, 2},
    {"mtvsrwz", &E::e_vsx_move, 3},
    {"xxland", &E::e_vsx_logical, 0}, {"xxlandc", &E::e_vsx_logical, 1}, {"xxlor", &E::e_vsx_logical, 2},
    {"xxlorc", &E::e_vsx_logical, 3}, {"xxlxor", &E::e_vsx_logical, 4}, {"xxlnand", &E::e_vsx_logical, 5},
    {"xxlnor", &E::e_vsx_logical, 6}, {"xxleqv", &E::e_vsx_logical, 7}, {"xxpermdi", &E::e_xxpermdi, 0},
};

// The traits of every row of an emitter: one line per emitter that has any.
struct EmitterTraits {
    EmitFn emit;
    uint8_t traits;
};
const EmitterTraits kEmitterTraits[] = {
    {&E::e_load, kLoads}, {&E::e_store, kStores}, {&E::e_dcbz, kStores},
    {&E::e_fp_load, kLoads | kRtNotGpr}, {&E::e_fp_store, kStores | kRtNotGpr},
    {&E::e_vec_load, kLoads | kRtNotGpr}, {&E::e_vec_store, kStores | kRtNotGpr},
    {&E::e_fp_arith, kNoGpr}, {&E::e_fp_move, kNoGpr}, {&E::e_fp_convert, kNoGpr},
    {&E::e_vlogical, kNoGpr}, {&E::e_vadd_modulo, kNoGpr}, {&E::e_vshift_word, kNoGpr},
    {&E::e_vmul_word, kNoGpr}, {&E::e_vperm, kNoGpr}, {&E::e_vsplti, kNoGpr}, {&E::e_nop, kNoGpr}, {&E::e_sync, kNoGpr},
    {&E::e_vsx_move, kRtNotGpr}, {&E::e_vsx_logical, kNoGpr}, {&E::e_xxpermdi, kNoGpr},
};
// Each kNativeRows row's traits, found once: compiling asks several times per instruction.
uint8_t traits(const NativeRow &r) {
    static const auto by_row = [] {
        std::array<uint8_t, std::size(kNativeRows)> v{};
        for (size_t i = 0; i < v.size(); ++i) {
            v[i] = kNativeRows[i].traits;
            for (const EmitterTraits &t : kEmitterTraits)
                if (t.emit == kNativeRows[i].emit)
                    v[i] |= t.traits;
        }
        return v;
    }();
    return by_row[size_t(&r - kNativeRows)];
}
// 1 for a load, 2 for a store that uses the page cells, else 0.
unsigned memory_kind(const NativeRow &r) {
    const uint8_t t = traits(r);
    return t & kLoads ? 1 : t & kStores ? 2 : 0;
}
bool rt_not_gpr(const NativeRow &r) { return traits(r) & kRtNotGpr; }
bool names_no_gpr(const NativeRow &r) { return traits(r) & kNoGpr; }

// kNativeRows by table row, built once.
const std::vector<const NativeRow *> &native_by_def() {
    static const std::vector<const NativeRow *> by_def = [] {
        const auto table = isa::insn_table();
        std::vector<const NativeRow *> v(table.size(), nullptr);
        for (size_t i = 0; i < table.size(); ++i)
            for (const NativeRow &r : kNativeRows)
                if (table[i].mnemonic == r.mnemonic)
                    v[i] = &r;
        return v;
    }();
    return by_def;
}

// Whether native row d may read or write CR: the compares, the CR rows, isel, the conditional branches and
// the record forms (a hint for the register choice only).
bool names_cr(const isa::InsnDef &def, const isa::Decoded &d) {
    const std::string_view m = def.mnemonic;
    return d.fn == def.exec[1] || d.fn == def.exec[3] || m.starts_with("cmp") || m.starts_with("cr") ||
           m.starts_with("bc") || m == "mcrf" || m == "mfcr" || m == "mtcrf" || m == "isel" || m.ends_with('.');
}

// The GPRs (bit n) and CR (bit 32) native row d may read or write, from the table's data flow; a
// conditional branch reads CR only when its BO tests a bit. `written`: those it may write.
uint64_t regs_named(const isa::InsnDef &def, const isa::Decoded &d, const NativeRow &row, bool written) {
    using namespace isa::reg;
    constexpr unsigned kCrBit = 32;
    uint64_t m = 0;
    if (!names_no_gpr(row)) {
        if (!rt_not_gpr(row) && def.io & (written ? kOutRT : kOutRT | kInRS))
            m |= 1ull << (d.rt & 31);
        if (def.io & (written ? kOutRA : kInRA | kOutRA))
            m |= 1ull << (d.ra & 31);
        if (!written && def.io & kInRB)
            m |= 1ull << (d.rb & 31);
    }
    bool cr;
    if (row.emit == &E::e_bc || row.emit == &E::e_bc_reg)
        cr = !written && !(d.rt & 0x10);   // BO[0]: no condition
    else if (row.emit == &E::e_b)
        cr = false;
    else   // the data flow's CR output of an Rc row is its record form's: names_cr() looks at the variant
        cr = names_cr(def, d) || def.io & kInCR || def.flags & isa::flag::kCR ||
             (def.io & kOutCR && !(def.flags & isa::flag::kRc));
    return m | uint64_t(cr) << kCrBit;
}

// What row d does to the pending CR fields (BlockEmitter::CrRole, cr_lazy.cpp). A row that may change
// XER[SO] (an OE form, mtspr) observes them: building a field reads SO.
uint8_t cr_role(const isa::InsnDef &def, const isa::Decoded &d, const NativeRow &row, bool names_cr) {
    if (row.emit == &E::e_cmp)
        return E::kCrCompare;
    if (row.emit == &E::e_bc)
        return E::kCrBranch;
    if (d.fn == def.exec[2] || d.fn == def.exec[3] || row.emit == &E::e_mtspr)
        return E::kCrObserves;
    // Rows that compute GPRs (and CA) and cannot leave. Those that record their Rc form (record(): CR0 as a
    // compare of the result with 0, CR their only use of it) write CR0 whole, as a compare does; a row
    // whose table entry has an Rc form its emitter ignores (cmpb) observes, to be safe.
    static constexpr EmitFn kRecording[] = {&E::e_add_family, &E::e_logical, &E::e_logical_imm, &E::e_extend,
                                            &E::e_rotate_word, &E::e_rotate_double, &E::e_shift,
                                            &E::e_shift_algebraic, &E::e_extswsli, &E::e_mul, &E::e_count};
    const bool records = std::find(std::begin(kRecording), std::end(kRecording), row.emit) != std::end(kRecording);
    if (records || row.emit == &E::e_addi || row.emit == &E::e_cmpb) {
        if (!names_cr)
            return E::kCrPure;
        if (records)
            return E::kCrCompare;
    }
    return names_cr ? E::kCrObserves : E::kCrTransparent;
}

} // namespace

void BlockEmitter::jump(Label &l, LabelType t, uint8_t short_op, uint8_t near_op, uint8_t near_prefix) {
    const unsigned near_len = near_prefix ? 6 : 5;
    if (l.at_ != Label::kUnbound) {
        const int64_t back = int64_t(l.at_) - int64_t(getSize());
        if (t != T_NEAR && back - 2 >= -128) {
            db(short_op);
            db(uint8_t(int8_t(back - 2)));
            return;
        }
        if (near_prefix)
            db(near_prefix);
        db(near_op);
        dd(uint32_t(int32_t(back - near_len)));
        return;
    }
    uint8_t size = 1;
    if (t == T_NEAR) {
        if (near_prefix)
            db(near_prefix);
        db(near_op);
        dd(0);
        size = 4;
    } else {
        db(short_op);
        db(0);
    }
    const Label::Fixup f{uint32_t(getSize()), size};
    if (l.n_ < std::size(l.first_))
        l.first_[l.n_++] = f;
    else
        l.more_.push_back(f);
    ++unbound_;
}

void BlockEmitter::L(Label &l) {
    if (l.at_ != Label::kUnbound)
        throw Xbyak::Error(Xbyak::ERR_LABEL_IS_REDEFINED);
    l.at_ = uint32_t(getSize());
    if (l.n_)   // jumps land here: the flags are no longer what the code just before left
        flags_field_ = -1;
    auto *code = const_cast<uint8_t *>(getCode());   // the caller's buffer, written in place
    const auto patch = [&](const Label::Fixup &f) {
        const int64_t rel = int64_t(l.at_) - int64_t(f.end);
        if (f.size == 1) {
            if (rel > 127)
                throw Xbyak::Error(Xbyak::ERR_LABEL_IS_TOO_FAR);
            code[f.end - 1] = uint8_t(int8_t(rel));
        } else {
            const int32_t rel32 = int32_t(rel);
            std::memcpy(code + f.end - 4, &rel32, 4);
        }
        --unbound_;
    };
    for (unsigned i = 0; i < l.n_; ++i)
        patch(l.first_[i]);
    for (const Label::Fixup &f : l.more_)
        patch(f);
    l.n_ = 0;
    l.more_.clear();
}

int32_t BlockEmitter::page_cell(bool store) const {
    return int32_t(reinterpret_cast<const char *>(&v_.jit_page_[store].page) - reinterpret_cast<const char *>(&v_));
}

// NIP = the instruction after everything that ran, truncated as next_nip() does outside 64-bit mode.
void BlockEmitter::sync_nip() {
    advance_cia();
    if (!nip_stored_)
        mov(qword[rbx + nip_], r12);
    nip_stored_ = true;
}

void BlockEmitter::advance_cia() {
    if (!pending_bytes_)
        return;
    add(r12, pending_bytes_);
    if (!sf_)
        mov(r12d, r12d);
    pending_bytes_ = 0;
    nip_stored_ = false;
}

// r = a 64-bit immediate, the shortest way.
void BlockEmitter::load_imm(const Xbyak::Reg64 &r, uint64_t v) {
    if (v <= 0xffffffffull)
        mov(r.cvt32(), uint32_t(v));
    else if (int64_t(v) == int64_t(int32_t(v)))
        mov(r, int32_t(v));
    else
        mov(r, v);
}

void BlockEmitter::mask_ea(const Xbyak::Reg64 &r) {
    if (!sf_)
        mov(r.cvt32(), r.cvt32());
}

BlockEmitter::BlockEmitter(Vcpu &v, const Block &b, void *at, size_t room, bool allow_loop, uint64_t settle_at)
    : Xbyak::CodeGenerator(room, at), v_(v), block_(b) {
    settle_at_ = settle_at;
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v));
    };
    nip_ = offset(&v.st_.nip), insns_ = offset(&v.stats().insns_executed), gpr_ = offset(&v.st_.gpr[0]);
    cr_ = offset(&v.st_.cr), lr_ = offset(&v.st_.lr), ctr_ = offset(&v.st_.ctr), so_ = offset(&v.st_.so);
    ov_ = offset(&v.st_.ov), ov32_ = offset(&v.st_.ov32), ca_ = offset(&v.st_.ca), ca32_ = offset(&v.st_.ca32);
    xer_bc_ = offset(&v.st_.xer_bc), msr_ = offset(&v.st_.msr);
    // A block runs only in the mode it was built for (BlockCache::key), MSR[SF] included.
    const uint64_t mode = BlockCache::key_mode(b.key);
    sf_ = mode & 4, le_ = mode & 1, pr_ = mode & 2, dr_ = mode & 16;

    // Six pushes and 8 bytes keep the stack 16-byte aligned for the calls.
    push(rbx);
    push(r12);
    push(r13);
    push(r14);
    push(r15);
    push(rbp);
    sub(rsp, 8);
    mov(rbx, rdi);
    // Entered from C++, which may have changed anything the page cells stand for (Vcpu::JitPage).
    empty_page_cells(true, true);
    mov(r12, qword[rbx + nip_]);
    // A linked block jumps in here, its frame (the same registers pushed) still on the stack, with r12 =
    // NIP (the link had it in a register for its compare: no reload of the NIP it has just stored).
    linked_entry_ = here();
    Label done;
    const auto table = isa::insn_table();
    uint64_t loop_regs = 0, loop_written = 0;
    unsigned memory_rows = 0, branch_at = 0, ctr_rows = 0;
    for (const isa::Decoded &d : b.insns) {
        const NativeRow *row = d.def < table.size() ? native_by_def()[d.def] : nullptr;
        names_.push_back(!row ? kCallBarrier
                         : names_no_gpr(*row)
                             ? uint64_t(names_cr(table[d.def], d)) << kCr
                             : (rt_not_gpr(*row) ? 0 : 1ull << (d.rt & 31)) | 1ull << (d.ra & 31) | 1ull << (d.rb & 31) |
                                   uint64_t(names_cr(table[d.def], d)) << kCr);
        cr_role_.push_back(row ? cr_role(table[d.def], d, *row, names_.back() >> kCr & 1) : uint8_t(kCrObserves));
        cmp_field_.push_back(row && row->emit == &E::e_cmp ? uint8_t(d.rt >> 2) : 0);   // a record form: CR0
        gprs_written_.push_back(row ? uint32_t(regs_named(table[d.def], d, *row, true)) : ~0u);
        const unsigned kind = row ? memory_kind(*row) : 0;
        loop_cell_.push_back(kind == 1 || kind == 2
                                 ? int8_t(memory_rows < Vcpu::kJitLoopCells ? memory_rows++ : -1)
                                 : int8_t(-1));
        if (row) {
            loop_regs |= regs_named(table[d.def], d, *row, false);
            loop_written |= regs_named(table[d.def], d, *row, true);
        }
        if (d.def < table.size()) {   // the branches' data flow names CTR; mfctr and mtctr name it by number
            const std::string_view m = table[d.def].mnemonic;
            ctr_rows += (table[d.def].io & (isa::reg::kInCTR | isa::reg::kOutCTR)) ||
                        ((m == "mfspr" || m == "mtspr") && d.imm == spr::CTR);
        }
        branch_at += &d == &b.insns.back() ? 0 : d.len;
    }
    // Loop mode: the block ends with a relative b or bc (not LK) back to its own start, every row is
    // native (nothing leaves the code but a memory row's slow path and a side exit's taken bc, which
    // writes the registers back as the end does), and the GPRs and CR it names fit in the host registers,
    // so that each keeps its register from one turn to the next.
    if (allow_loop && !b.insns.empty()) {
        const isa::Decoded &last = b.insns.back();
        const NativeRow *row = last.def < table.size() ? native_by_def()[last.def] : nullptr;
        loop_ = row && (row->emit == &E::e_b || row->emit == &E::e_bc) && !(last.word & 3) &&
                last.imm == -int64_t(branch_at) &&
                std::find(names_.begin(), names_.end(), kCallBarrier) == names_.end() &&
                std::popcount(loop_regs) <= int(kCachedGprs);
        // CTR in a register of its own too when one is left and the branch back is the block's only row
        // that names it (bdnz): the turn's decrement is then no load and store through memory, whose chain
        // from one turn to the next was the floor of a short loop's turn.
        if (loop_ && ctr_rows == 1 && !(last.rt & 0x04) && std::popcount(loop_regs) < int(kCachedGprs))
            loop_regs |= 1ull << kCtr, loop_written |= 1ull << kCtr;
    }
    if (loop_)
        emit_loop_entry(loop_regs, loop_written);
    // The cells hold a page or nothing at the start of any block (Vcpu::JitPage); a loop's rows use their own.
    page_known_[0] = page_known_[1] = !loop_;
    // Only a called mtspr can start the performance monitor (MMCR0[FC] cleared; the native mtspr rows are
    // LR, CTR and XER), or an hcall served in the core that loads a nested guest's MMCR0 (sc); anything
    // else that changes what it counts does so while it counts, when the loop sees every block.
    for (size_t i = 0; i < b.insns.size(); ++i) {
        const isa::Decoded &d = b.insns[i];
        const std::string_view m = d.def < table.size() ? table[d.def].mnemonic : std::string_view{};
        if (names_[i] == kCallBarrier && (m == "mtspr" || m == "sc")) {
            emit_pmu_entry(b);
            break;
        }
    }
    if (!loop_)
        find_internal_branches(b);
    for (const isa::Decoded &d : b.insns) {
        index_ = size_t(&d - b.insns.data());
        if (ended_)   // nothing follows a branch (isa::ends_block); kept for a block built otherwise
            break;
        if (!join_.empty() && join_[index_])
            join();
        ++stamp_;
        if (d.def < table.size()) {
            if (const NativeRow *row = native_by_def()[d.def]) {
                const isa::InsnDef &def = table[d.def];
                Variant var{false, false, row->arg};
                int which = -1;
                for (int i = 0; i < 4; ++i)
                    if (def.exec[i] == d.fn)
                        which = i;
                var.oe = which >= 2, var.rc = which & 1;
                cr_before_row();
                if (which >= 0 && (this->*row->emit)(d, var)) {
                    ++native_;
                    ++pending_insns_;
                    pending_bytes_ += d.len;
                    if (ended_)
                        pending_bytes_ = 0;   // the branch set NIP
                    continue;
                }
            }
        }
        loop_broken_ |= loop_;   // a row that declined: loop mode needs every row native
        sync_nip();
        flush();   // the semantic function reads GPRs, and may raise or exit with them, from CpuState
        // The count first, this instruction included: a semantic that reads a PMU counter sees itself.
        add(qword[rbx + insns_], pending_insns_ + 1);
        pending_insns_ = 0;
        Label next;
        mov(rdi, rbx);
        mov(rsi, reinterpret_cast<uint64_t>(&d));
        mov(rax, reinterpret_cast<uint64_t>(d.fn));
        call(rax);
        test(al, al);
        jz(next);
        // Jump or Exit: the rest of the interpreter's handling with this record.
        mov(rsi, reinterpret_cast<uint64_t>(&d));
        jmp(leave_, T_NEAR);
        L(next);
        forget();   // it may have written any GPR
        page_known_[0] = page_known_[1] = false;   // and may have changed the translation (tlbie, AMR...)
        pending_bytes_ = d.len;
    }
    if (!end_unreachable_) {
        if (!ended_)   // else the branch stored NIP
            sync_nip();
        flush();   // the run loop and a linked successor read CpuState
        if (pending_insns_)
            add(qword[rbx + insns_], pending_insns_);
        // The end of the block, as run_block returns Jump: straight into the next block's code when the run
        // loop would have nothing to do first (jit/link.cpp).
        emit_block_end(ended_);
    }
    L(to_loop_);
    L(loop_exit_);
    mov(eax, uint32_t(isa::Flow::Jump));
    L(done);
    add(rsp, 8);
    pop(rbp);
    pop(r15);
    pop(r14);
    pop(r13);
    pop(r12);
    pop(rbx);
    ret();
    L(leave_);
    mov(rdi, rbx);
    movzx(edx, al);
    mov(rax, reinterpret_cast<uint64_t>(&Vcpu::jit_leave));
    call(rax);
    jmp(done);
    emit_cold_paths();
}

// A row whose semantic function is called where the row is, as a native row's slow path calls it: the dirty
// registers written back first and, after it, what it wrote and the caller-saved registers reloaded, where a
// called row would forget every register and the page cells. For rows that change nothing else the code
// keeps (the atomics, VMX rows the code has no host form for): Linux's locks and glibc's string functions.
bool BlockEmitter::e_call(const isa::Decoded &d, const Variant &v) {
    call_slow(d, (v.arg & 1 ? 1ull << d.rt : 0) | (v.arg & 2 || (v.arg & 4 && v.rc) ? 1ull << kCr : 0));
    return true;
}

// Which relative branches without LK (b, bc) have their target among the block's instructions: those go
// there within the code (jit/README.md, "Branches within a block").
void BlockEmitter::find_internal_branches(const Block &b) {
    const size_t n = b.insns.size();
    std::vector<int64_t> at(n);
    int64_t a = 0;
    for (size_t i = 0; i < n; ++i)
        at[i] = a, a += b.insns[i].len;
    internal_.assign(n, -1);
    join_.assign(n, false);
    labels_.resize(n);
    label_cache_.resize(n);
    label_pending_.resize(n);
    const auto table = isa::insn_table();
    for (size_t i = 0; i < n; ++i) {
        const isa::Decoded &d = b.insns[i];
        const NativeRow *row = d.def < table.size() ? native_by_def()[d.def] : nullptr;
        if (!row || (row->emit != &E::e_b && row->emit != &E::e_bc) || (d.word & 3))
            continue;
        const auto k = std::find(at.begin(), at.end(), at[i] + d.imm);
        // A branch back that ends the block to an instruction after its start closes a loop the block
        // former left to a block of its own (one that may run in loop mode): it leaves.
        if (k == at.end() || (i + 1 == n && k != at.begin() && d.imm < 0))
            continue;
        internal_[i] = int(k - at.begin());
        join_[size_t(internal_[i])] = true;
    }
}

// The fall-through into a label: its registers become the label's state, which every jump to it conforms
// to (jump_internal), dirty ones included: a loop's turn writes nothing back. Those the block does not name
// again before a call are written back and let go, so that jumps have less to match.
void BlockEmitter::join() {
    // A label holds the fall-through's pending compares (jump_internal checks every jump brings the same),
    // or none where settle_at says so; a field dead from here on is dropped either way.
    for (unsigned f = 0; f < pending_.size(); ++f)
        if (pending_[f].live && field_dead_from(index_, f))
            pending_[f].live = false;
    if (settle_at_ >> index_ & 1u)
        settle_cr();
    label_pending_[index_] = pending_;
    advance_cia();
    for (unsigned i = 0; i < kCachedGprs; ++i) {
        if (cache_[i].gpr < 0 || named_from(index_, unsigned(cache_[i].gpr)))
            continue;
        if (cache_[i].dirty)
            store_home(i);
        cache_[i] = CachedGpr{};
    }
    std::copy(std::begin(cache_), std::end(cache_), label_cache_[index_].begin());
    if (pending_insns_)
        add(qword[rbx + insns_], pending_insns_);
    pending_insns_ = 0;
    empty_page_cells(!page_known_[0], !page_known_[1]);
    page_known_[0] = page_known_[1] = true;
    nip_stored_ = false;   // a jump to the label moves r12 only
    L(labels_[index_]);
}

// This path's registers brought to the label's state: first every dirty value the label does not hold
// dirty in the same register is written back, so that CpuState has it; then each register of the label
// that holds another GPR here is loaded. The compile-time state stays this path's.
void BlockEmitter::conform_to(const std::array<CachedGpr, kCachedGprs> &label) {
    for (unsigned i = 0; i < kCachedGprs; ++i)
        if (cache_[i].dirty && (label[i].gpr != cache_[i].gpr || !label[i].dirty))
            store_home(i);
    for (unsigned i = 0; i < kCachedGprs; ++i)
        if (label[i].gpr >= 0 && cache_[i].gpr != label[i].gpr)
            load_into(i, unsigned(label[i].gpr));
}

// The branch (r12 = its address) to the label of instruction `target`. A jump ahead is a cold path, emitted
// once the label is bound, so the label's state is known for either way.
void BlockEmitter::jump_internal(const isa::Decoded &d, unsigned target, bool backward) {
    const auto offset = [&](const void *field) {
        return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v_));
    };
    // The compile-time state is kept for the code after a conditional jump, which builds nothing here.
    CachedGpr cache[kCachedGprs];
    std::copy(std::begin(cache_), std::end(cache_), std::begin(cache));
    const auto pending = pending_;
    // The fields the label holds pending stay so (the same compare on this path, else the label is
    // broken); those it has dropped as dead are dropped here too; the others are built.
    // On the way back to the run loop all are built (write_back): it may deliver an interrupt there.
    const std::array<PendingCmp, 8> &want = label_pending_[target];
    bool built[8] = {};
    for (unsigned f = 0; f < pending_.size(); ++f) {
        if (want[f].live && !same_compare(want[f], pending_[f]))
            labels_broken_ |= 1ull << target;
        if (want[f].live || field_dead_from(target, f))
            pending_[f].live = false;
        built[f] = pending_[f].live;
    }
    settle_cr();
    for (unsigned f = 0; f < pending_.size(); ++f)
        pending_[f].live = pending[f].live && !built[f];
    empty_page_cells(!page_known_[0], !page_known_[1]);
    add(qword[rbx + insns_], pending_insns_ + 1);
    // The run loop's tests, as a linked exit makes them (jit/link.cpp), then on to the target; when the loop
    // has work to do, NIP = the target, the registers written back, and back to it. The countdown is taken
    // at every jump, as the interpreter, which leaves the block there, takes it for the target's block: the
    // performance monitor, which zeroes it while it counts, then sees every block run in sequence from its
    // start (Vcpu::pmu_insn_address). A jump ahead cannot loop, so the attention flag waits for the block's
    // end.
    Label expired, leave;
    if (backward) {
        cmp(byte[rbx + offset(&v_.attention_)], 0);
        jne(leave, T_NEAR);
    }
    sub(dword[rbx + offset(&v_.timer_countdown_)], 1);
    jb(expired, T_NEAR);
    conform_to(label_cache_[target]);
    lea(r12, ptr[r12 + int32_t(d.imm)]);
    mask_ea(r12);
    jmp(labels_[target], T_NEAR);
    L(expired);
    mov(dword[rbx + offset(&v_.timer_countdown_)], 0);
    L(leave);
    write_back();
    lea(rax, ptr[r12 + int32_t(d.imm)]);
    mask_ea(rax);
    mov(qword[rbx + nip_], rax);
    jmp(to_loop_, T_NEAR);
    std::copy(std::begin(cache), std::end(cache), std::begin(cache_));
    pending_ = pending;
}

void BlockEmitter::emit_internal_jump(ColdPath &c) {
    advance_cia();
    jump_internal(*c.d, c.target, c.backward);
}

BlockEmitter::ColdPath &BlockEmitter::cold_path(void (BlockEmitter::*emit)(ColdPath &)) {
    ColdPath &c = cold_.emplace_back();
    c.emit = emit;
    return c;
}

void BlockEmitter::capture(ColdPath &c) {
    std::copy(std::begin(cache_), std::end(cache_), std::begin(c.cache));
    c.pending_insns = pending_insns_, c.pending_bytes = pending_bytes_, c.nip_stored = nip_stored_;
    c.page_known[0] = page_known_[0], c.page_known[1] = page_known_[1];
    c.pending = pending_;
}

// Each cold path with the compile-time state its rejoin() took (the block's end is emitted: nothing after
// them reads the state).
void BlockEmitter::emit_cold_paths() {
    for (size_t i = 0; i < cold_.size(); ++i) {
        ColdPath &c = cold_[i];
        std::copy(std::begin(c.cache), std::end(c.cache), std::begin(cache_));
        pending_insns_ = c.pending_insns, pending_bytes_ = c.pending_bytes, nip_stored_ = c.nip_stored;
        page_known_[0] = c.page_known[0], page_known_[1] = c.page_known[1];
        pending_ = c.pending;
        L(c.entry);
        (this->*c.emit)(c);
    }
}

Compiled emit(Vcpu &v, const Block &b, CodeBuffer &buf, bool perf_map) {
    Compiled c;
    try {
        std::optional<BlockEmitter> emitted;
        emitted.emplace(v, b, buf.cursor(), buf.room(), true);
        if (emitted->loop_broken())   // written over: nothing of it was committed
            emitted.emplace(v, b, buf.cursor(), buf.room(), false);
        // A label that a jump came to with other pending compares settles its fields; after two passes,
        // every label does.
        uint64_t settle = 0;
        for (int pass = 0; emitted->labels_broken(); ++pass) {
            settle = pass < 2 ? settle | emitted->labels_broken() : ~0ull;
            emitted.emplace(v, b, buf.cursor(), buf.room(), false, settle);
        }
        BlockEmitter &e = *emitted;
        // No ready(): the buffer is already executable, and ready() would change its protection.
        if (e.unbound_jumps())   // jit::Label only: xbyak's own labels are not used
            return c;
        const size_t n = e.getSize();
        uint8_t *code = buf.cursor();
        buf.commit(n);
        if (perf_map)
            perf_map_add(code, n, b.start);
        c.fn = reinterpret_cast<BlockFn>(code);
        c.linked_entry = code + e.linked_entry();
        std::copy(e.slots(), e.slots() + Block::kJitSlots, c.slot);
        c.slot_count = uint8_t(e.slot_count());
        c.loop = e.loop_mode();
        c.native = e.native_insns();
        return c;
    } catch (const Xbyak::Error &) {
        return c;   // out of room (the only error these instructions can raise)
    }
}

void adopt(Block &b, const Compiled &c) {
    b.jit_linked_entry = c.linked_entry;
    Block::JitSlots &slots = *b.jit_slots;
    std::copy(std::begin(c.slot), std::end(c.slot), slots.slot);
    std::fill(std::begin(slots.link), std::end(slots.link), Block::JitLink{});
    slots.count = c.slot_count;
}

BlockFn compile(Vcpu &v, Block &b, CodeBuffer &buf, bool perf_map, unsigned *native, bool *loop) {
    if (!b.jit_slots)   // before the code, which holds the address of its stamps
        b.jit_slots = std::make_unique<Block::JitSlots>();
    const Compiled c = emit(v, b, buf, perf_map);
    if (!c.fn)
        return nullptr;
    adopt(b, c);
    if (native)
        *native = c.native;
    if (loop)
        *loop = c.loop;
    return c.fn;
}

} // namespace phv::jit
