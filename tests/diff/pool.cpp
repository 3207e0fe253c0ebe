#include "pool.h"

#include <string_view>

#include "insn_gen.h"
#include "isa/decoder.h"

namespace phv::diff {

namespace {

using isa::InsnDef;
namespace flag = isa::flag;

// Rows whose results the two worlds cannot share, by mnemonic; each with the reason it is printed with.
struct Excluded {
    std::string_view mnemonic, reason;
};
constexpr Excluded kByName[] = {
    {"mftb", "timebase: differs between any two runs"},
    {"sc", "system call: a syscall under QEMU, an hcall exit under phv"},
    {"bctar", "branch to TAR: TAR is not set up in either world"},
    {"icbi", "instruction-cache management: no architected state to compare"},
};

// Load/store multiple and string exist only in big-endian mode; they run in the --big-endian pool.
constexpr std::string_view kBigEndianOnly[] = {"lmw", "stmw", "lswi", "lswx", "stswi", "stswx"};

// Scalar FP arithmetic, FMA, rounding, conversion and compare rows (rows/fp.inc) and the VSX floating-point
// rows (below): QEMU 7.2 gets FR, FX and more of their FPSCR wrong on nearly every instruction; each such
// divergence costs a bisection, which known_oracle_bugs_fp.cpp then forgives one quirk at a time. They run in
// the --pool vector run (diff-vector) only, so the fixed-point runs stay fast.
constexpr std::string_view kFpArithmetic[] = {
    "fadd", "fadds", "fsub", "fsubs", "fmul", "fmuls", "fdiv", "fdivs", "fsqrt", "fsqrts", "fre", "fres",
    "frsqrte", "frsqrtes", "fmadd", "fmadds", "fmsub", "fmsubs", "fnmadd", "fnmadds", "fnmsub", "fnmsubs",
    "frsp", "fctid", "fctidz", "fctidu", "fctiduz", "fctiw", "fctiwz", "fctiwu", "fctiwuz", "fcfid", "fcfidu",
    "fcfids", "fcfidus", "frin", "friz", "frip", "frim", "fcmpu", "fcmpo"};

// The VSX floating-point rows (rows/vsx_scalar_fp.inc, vsx_vector_fp.inc, vsx_quad.inc: xs*, xv* but xvtlsbb),
// except those that alter no FPSCR bit (sign, exponent and significand moves, the divide/square-root tests, the
// non-signalling conversions) or only FPCC (the exponent compares), where QEMU agrees; and the scalar FP ones.
bool fp_arithmetic(const InsnDef &def) {
    for (auto m : kFpArithmetic)
        if (def.mnemonic == m)
            return true;
    static constexpr std::string_view kVsxFpWithoutStatus[] = {
        "xsabsdp", "xsnabsdp", "xsnegdp", "xscpsgndp", "xvabsdp", "xvabssp", "xvnabsdp", "xvnabssp", "xvnegdp",
        "xvnegsp", "xvcpsgndp", "xvcpsgnsp", "xsxexpdp", "xsxsigdp", "xsiexpdp", "xvxexpdp", "xvxexpsp",
        "xvxsigdp", "xvxsigsp", "xviexpdp", "xviexpsp", "xstdivdp", "xstsqrtdp", "xvtdivdp", "xvtdivsp",
        "xvtsqrtdp", "xvtsqrtsp", "xscvspdpn", "xscvdpspn", "xvcvbf16spn", "xsabsqp", "xsnabsqp", "xsnegqp",
        "xscpsgnqp", "xsxexpqp", "xsxsigqp", "xsiexpqp", "xscmpexpdp", "xscmpexpqp"};
    for (auto m : kVsxFpWithoutStatus)
        if (def.mnemonic == m)
            return false;
    return (def.mnemonic.starts_with("xs") || def.mnemonic.starts_with("xv")) && def.mnemonic != "xvtlsbb";
}

std::string exclusion(const InsnDef &def, bool big_endian, PoolKind kind) {
    if (!big_endian)
        for (auto m : kBigEndianOnly)
            if (def.mnemonic == m)
                return "alignment interrupt in Little-Endian mode (Book I 3.3.6 Load and Store Multiple, 3.3.7 Move Assist): run with --big-endian";
    if (def.priv != isa::Priv::Any)
        return "privileged: a Linux process cannot run it";
    if (def.isa > isa::Isa::V310)
        return "not in POWER10";
    for (const auto &e : kByName)
        if (def.mnemonic == e.mnemonic)
            return std::string(e.reason);
    if (kind == PoolKind::All && fp_arithmetic(def))
        return "binary FP arithmetic: exercised by the --pool vector run (diff-vector)";
    if ((def.flags & flag::kBranch) && !is_generated_branch(def))
        return "branch the generator cannot aim within the case";
    if (def.flags & flag::kSync)
        return "context synchronising or waiting";
    return unsupported_reason(def);
}

// The generator and the decoder must agree: every word generated for a row decodes back to that row.
std::string self_check(uint16_t row, const InsnDef &def) {
    Rng rng(row);
    for (int i = 0; i < 64; ++i) {
        GenState st;
        const Unit u = generate(row, def, rng, st);
        const InsnDef *back = u.prefixed ? isa::find_prefixed(u.insn(), u.suffix()) : isa::find_insn(u.insn());
        if (back != &def) {
            char buf[128];
            snprintf(buf, sizeof buf, "generator bug: 0x%08x decodes to %s", u.insn(),
                     back ? std::string(back->mnemonic).c_str() : "nothing");
            return buf;
        }
    }
    return {};
}

} // namespace

bool uses_fp_or_vector(const InsnDef &def) {
    const unsigned po = def.match >> 26;
    if (!(def.flags & flag::kPrefixed) && (po == 59 || po == 60 || po == 63))
        return true;   // the FP and VSX opcode spaces (mcrfs, mtfsfi ... have no register operand); opcode 4
                       // also holds fixed-point rows (maddhd ...), so VMX rows count by their VR operands
    for (std::string_view k : {"FR", "VR", "XT", "XS", "XA", "XB", "XC", "AT"})
        if (def.operands.find(k) != std::string_view::npos)
            return true;
    return false;
}

Pool build_pool(bool big_endian, PoolKind kind) {
    Pool p;
    const auto table = isa::insn_table();
    for (size_t i = 0; i < table.size(); ++i) {
        const uint16_t row = uint16_t(i);
        if (kind == PoolKind::Vector && !uses_fp_or_vector(table[i]))
            continue;
        std::string why = exclusion(table[i], big_endian, kind);
        if (why.empty())
            why = self_check(row, table[i]);
        if (why.empty())
            p.eligible.push_back(row);
        else
            p.excluded.emplace_back(row, why);
    }
    return p;
}

std::string undrawn_fp_vector_rows(const Pool &pool, const std::vector<bool> &drawn) {
    const auto table = isa::insn_table();
    std::string out;
    for (size_t i = 0; i < table.size(); ++i) {
        const InsnDef &def = table[i];
        if (!uses_fp_or_vector(def) || def.priv != isa::Priv::Any || def.isa > isa::Isa::V310 ||
            (i < drawn.size() && drawn[i]))
            continue;
        out += " " + std::string(def.mnemonic);
        for (const auto &[row, why] : pool.excluded)
            if (row == i)
                out += " (excluded: " + why + ")";
    }
    return out;
}

} // namespace phv::diff
