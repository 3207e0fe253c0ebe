// The instruction table: one row per instruction of Power ISA 3.1 that phv implements, grouped by the ISA's
// chapters. Each row: mnemonic, form, encoding, first ISA version, privilege, flags, disassembly operands,
// semantics per (OE, Rc) variant. The decoder, the disassembler and the tests are built from this table.
#include <algorithm>
#include <array>
#include <tuple>

#include "isa/insn.h"
#include "isa/semantics/arith_ext.h"
#include "isa/semantics/atomic_memory.h"
#include "isa/semantics/bcd_assist.h"
#include "isa/semantics/bitmanip.h"
#include "isa/semantics/branch.h"
#include "isa/semantics/darn.h"
#include "isa/semantics/fixedpoint.h"
#include "isa/semantics/fp_arith.h"
#include "isa/semantics/fp_loadstore.h"
#include "isa/semantics/fp_move_compare.h"
#include "isa/semantics/fp_status.h"
#include "isa/semantics/hash.h"
#include "isa/semantics/loadstore.h"
#include "isa/semantics/prefixed.h"
#include "isa/semantics/quadword.h"
#include "isa/semantics/string.h"
#include "isa/semantics/system.h"
#include "isa/semantics/vsx_fp_arith.h"
#include "isa/semantics/vsx_fp_compare.h"
#include "isa/semantics/vsx_fp_convert.h"
#include "isa/semantics/vsx_fp_quad.h"
#include "isa/semantics/vsx_loadstore.h"
#include "isa/semantics/vsx_mma.h"
#include "isa/semantics/vsx_permute.h"
#include "isa/semantics/vmx_compare.h"
#include "isa/semantics/vmx_crypto.h"
#include "isa/semantics/vmx_fp.h"
#include "isa/semantics/vmx_integer.h"
#include "isa/semantics/vmx_loadstore.h"
#include "isa/semantics/vmx_logical.h"
#include "isa/semantics/vmx_permute.h"
#include "mmu/insns.h"

namespace phv::isa {

namespace {

// ---- encodings: match/mask per form ---------------------------------------------------------------------
struct Enc {
    uint32_t match, mask;
};
constexpr Enc opcd(uint32_t p) { return {p << 26, 0xfc000000u}; }
constexpr Enc x(uint32_t p, uint32_t xo) { return {p << 26 | xo << 1, 0xfc0007feu}; }      // X, XL, XFX
constexpr Enc xo9(uint32_t p, uint32_t xo) { return {p << 26 | xo << 1, 0xfc0003feu}; }    // XO
constexpr Enc xs(uint32_t p, uint32_t xo) { return {p << 26 | xo << 2, 0xfc0007fcu}; }     // XS
constexpr Enc md(uint32_t p, uint32_t xo) { return {p << 26 | xo << 2, 0xfc00001cu}; }     // MD
constexpr Enc mds(uint32_t p, uint32_t xo) { return {p << 26 | xo << 1, 0xfc00001eu}; }    // MDS
constexpr Enc a(uint32_t p, uint32_t xo) { return {p << 26 | xo << 1, 0xfc00003eu}; }      // A, DX
constexpr Enc ds(uint32_t p, uint32_t xo) { return {p << 26 | xo, 0xfc000003u}; }          // DS
constexpr Enc va(uint32_t p, uint32_t xo) { return {p << 26 | xo, 0xfc00003fu}; }          // VA
// VMX (primary opcode 4): VX has an 11-bit XO (bits 21:31); VC a 10-bit XO (22:31) after its Rc bit; a VX whose
// VRA field is a sub-opcode (vclzb, vnegw, vexpandbm ...) has it in the mask.
constexpr Enc vx(uint32_t xo) { return {4u << 26 | xo, 0xfc0007ffu}; }
constexpr Enc vxa(uint32_t xo, uint32_t ra) { return {vx(xo).match | ra << 16, vx(xo).mask | (0x1fu << 16)}; }
constexpr Enc vc(uint32_t xo) { return {4u << 26 | xo, 0xfc0003ffu}; }
constexpr Enc vca(uint32_t xo, uint32_t ra) { return {vc(xo).match | ra << 16, vc(xo).mask | (0x1fu << 16)}; }
// vsldoi: VA form with bit 21 0 and SHB in 22:25; vsldbi/vsrdbi: VN form, bits 21:22 select, SH in 23:25.
constexpr Enc vsldoi_enc() { return {4u << 26 | 44, 0xfc00043fu}; }
constexpr Enc vn(uint32_t xo, uint32_t sel) { return {4u << 26 | sel << 9 | xo, 0xfc00063fu}; }
// mtvsrbmi: DX form, XO 01010 in bits 26:30. vcntmb*: VX 1602 with bits 11:14 a sub-opcode, MP in 15.
constexpr Enc mtvsrbmi_enc() { return {4u << 26 | 10u << 1, 0xfc00003eu}; }
constexpr Enc vcntmb_enc(uint32_t sub) { return {vx(1602).match | sub << 17, vx(1602).mask | (0xfu << 17)}; }
// Prefix words (ISA 3.1 Book I 1.6.3): opcode 1, type (bits 6:7) and bit 8. Bits 9:10 and 12:13 are
// reserved and ignored, as QEMU ignores them; bit 11 is R, bits 14:31 are d0.
constexpr Enc pfx_8ls() { return {0x04000000u, 0xff800000u}; }   // type 0: 8-byte load/store
constexpr Enc pfx_mls() { return {0x06000000u, 0xff800000u}; }   // type 2: modified load/store/addi
// Type 1 (8RR, ISA 3.1 VSX): bits 8:11 must be 0, as QEMU decodes them; the rest of the prefix is immediate
// or ignored.
constexpr Enc pfx_8rr() { return {0x05000000u, 0xfff00000u}; }
// Type 3 (MMIRR, ISA 3.1 MMA): bits 8:11 are 9; the rest of the prefix holds the masks.
constexpr Enc pfx_mmirr() { return {0x07900000u, 0xfff00000u}; }
// MMA (rows/vsx_mma.inc): the accumulator moves (opcode 31 XO 177, sub-opcode in bits 11:15) and the XX3 GER
// instructions (opcode 59, XO in bits 21:28).
constexpr Enc acc_enc(uint32_t sub) { return {31u << 26 | sub << 16 | 177u << 1, 0xfc1f07feu}; }
constexpr Enc ger_enc(uint32_t xo) { return {59u << 26 | xo << 3, 0xfc0007f8u}; }
// Forms whose bit 31 is fixed at 1 (the store-conditionals) or 0.
constexpr Enc bit31(Enc e, uint32_t v) { return {e.match | v, e.mask | 1u}; }
// Reserved fields that must be 0 (rows/fp.inc), and X-forms whose RA field is part of the opcode (mffs*).
constexpr uint32_t kFldA = 0x1fu << 16, kFldB = 0x1fu << 11, kFldC = 0x1fu << 6, kFldL = 0x3u << 21;
constexpr Enc resv(Enc e, uint32_t fields) { return {e.match, e.mask | fields}; }
constexpr Enc xra(uint32_t p, uint32_t xo, uint32_t ra) { return {x(p, xo).match | ra << 16, x(p, xo).mask | kFldA}; }
// dst/dstst/dss with bit 6 (T, or A for dssall) set.
constexpr Enc stream_t(uint32_t xo) { return {bit31(x(31, xo), 0).match | 1u << 25, bit31(x(31, xo), 0).mask | 1u << 25}; }

// VSX (Book I 1.6.26-1.6.27): XX3 has its XO in bits 21:28, XX2 in bits 21:29 with bits 11:15 an opcode
// extension (or reserved 0); the data-class tests keep DCMX in the XO's place (bits 9:15, or dc/dm in 25/29).
constexpr Enc xx3(uint32_t xo) { return {60u << 26 | xo << 3, 0xfc0007f8u}; }
constexpr Enc xx2(uint32_t xo, uint32_t eo = 0) { return {60u << 26 | eo << 16 | xo << 2, 0xfc1f07fcu}; }
constexpr Enc xx2dcmx(uint32_t xo) { return {60u << 26 | xo << 2, 0xfc0007fcu}; }
constexpr Enc xx2dcmxv(uint32_t xo) { return {60u << 26 | xo << 2, 0xfc0007b8u}; }
constexpr uint32_t kBF2 = 0x3u << 21;   // bits 9:10 after a BF field
// XX2 rows whose bits 11:15 hold an operand (xxspltw's UIM, xxextractuw/xxinsertw's UIM4).
constexpr Enc xx2uim(uint32_t xo) { return {60u << 26 | xo << 2, 0xfc0007fcu}; }
// The quad-precision Z23 rows (xsrqpi, xsrqpxp): 8-bit XO in bits 23:30, bits 11:14 reserved, EX in bit 31.
constexpr Enc z23q(uint32_t xo, uint32_t ex) { return {63u << 26 | xo << 1 | ex, 0xfc1e01ffu}; }

struct Fns {
    ExecFn f[4];
};

constexpr InsnDef row(std::string_view m, Form form, Enc e, Isa isa, Priv priv, uint32_t flags,
                      std::string_view ops, Fns fns) {
    return InsnDef{m,   form,  e.match, e.mask, isa, priv, flags, ops, {fns.f[0], fns.f[1], fns.f[2], fns.f[3]},
                   dataflow(m, form, flags, ops)};
}

// A prefixed row: its prefix word's encoding and its suffix word's.
constexpr InsnDef prow(std::string_view m, Form form, Enc prefix, Enc suffix, Isa isa, Priv priv,
                       uint32_t flags, std::string_view ops, Fns fns) {
    InsnDef d = row(m, form, suffix, isa, priv, flags | flag::kPrefixed, ops, fns);
    d.pmatch = prefix.match;
    d.pmask = prefix.mask;
    return d;
}

using namespace sem;
using F = Form;
using P = Priv;
constexpr Isa v207 = Isa::V207, v300 = Isa::V300, v310 = Isa::V310;
using namespace flag;

// Variant lists: [OE<<1 | Rc].
#define ONE(...) Fns{{&__VA_ARGS__}}
#define RC(T, ...) Fns{{&T<__VA_ARGS__ __VA_OPT__(,) false>, &T<__VA_ARGS__ __VA_OPT__(,) true>}}
#define OE_RC(T, ...)                                                                                          \
    Fns{{&T<__VA_ARGS__ __VA_OPT__(,) false, false>, &T<__VA_ARGS__ __VA_OPT__(,) false, true>,              \
         &T<__VA_ARGS__ __VA_OPT__(,) true, false>, &T<__VA_ARGS__ __VA_OPT__(,) true, true>}}

constexpr uint32_t kXO = kRc | kOE;
constexpr uint32_t kLd = kLoad, kSt = kStore;

constexpr InsnDef kTable[] = {
#include "isa/rows/branch_cr.inc"
#include "isa/rows/loadstore.inc"
#include "isa/rows/atomic.inc"
#include "isa/rows/arith.inc"
#include "isa/rows/compare_trap_select.inc"
#include "isa/rows/logical.inc"
#include "isa/rows/rotate_shift.inc"
#include "isa/rows/storage_control.inc"
#include "isa/rows/system.inc"
#include "isa/rows/prefixed.inc"
#include "isa/rows/hash.inc"
#include "isa/rows/fp.inc"
#include "isa/rows/vsx_scalar_fp.inc"
#include "isa/rows/vsx_vector_fp.inc"
#include "isa/rows/vsx_quad.inc"
#include "isa/rows/vsx_loadstore.inc"
#include "isa/rows/vsx_permute.inc"
#include "isa/rows/vsx_mma.inc"
#include "isa/rows/vmx_loadstore.inc"
#include "isa/rows/vmx_integer.inc"
#include "isa/rows/vmx_logical.inc"
#include "isa/rows/vmx_compare.inc"
#include "isa/rows/vmx_permute.inc"
#include "isa/rows/vmx_crypto.inc"
#include "isa/rows/vmx_fp.inc"
};

#undef ONE
#undef RC
#undef OE_RC

constexpr bool no_two_rows_overlap() {
    // Two rows may share encodings only when one is strictly more specific (its mask covers the other's):
    // no two rows have the same mask, match and prefix encoding. With well over a thousand rows a pairwise
    // check exceeds the compiler's constexpr budget, so the keys are sorted and neighbours compared.
    struct Key {
        uint32_t mask, match, pmask, pmatch;
        constexpr bool operator<(const Key &o) const {
            return std::tie(mask, match, pmask, pmatch) < std::tie(o.mask, o.match, o.pmask, o.pmatch);
        }
        constexpr bool operator==(const Key &) const = default;
    };
    std::array<Key, std::size(kTable)> keys{};
    for (size_t i = 0; i < keys.size(); ++i)
        keys[i] = {kTable[i].mask, kTable[i].match & kTable[i].mask, kTable[i].pmask, kTable[i].pmatch};
    std::sort(keys.begin(), keys.end());
    for (size_t i = 1; i < keys.size(); ++i)
        if (keys[i] == keys[i - 1])
            return false;
    return true;
}
static_assert(no_two_rows_overlap(), "two instruction rows claim the same encoding");

} // namespace

std::span<const InsnDef> insn_table() { return kTable; }

} // namespace phv::isa
