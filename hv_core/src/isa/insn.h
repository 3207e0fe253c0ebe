// The shape of one row of the instruction table and of one predecoded instruction.
//
// The table (insn_table.cpp) is the single description of the ISA: the decoder, the interpreter dispatch,
// the disassembler and the tests are all driven by it. A row names the instruction, its form, its encoding
// (match/mask), the CPU models that have it, its privilege, data-flow flags and its semantics.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace phv {
class Vcpu;
}

namespace phv::isa {

// How control leaves an instruction's semantics.
enum class Flow : uint8_t {
    Next,    // fall through to the next instruction (the loop advances NIP)
    Jump,    // the instruction set NIP (branch, rfid, interrupt delivered)
    Exit,    // leave the run loop: an exit for the caller is in phv_run, NIP is set
};

struct Decoded;
using ExecFn = Flow (*)(Vcpu &, const Decoded &);

// Instruction forms (Power ISA 3.1 Book I 1.6). They decide where the extended opcode and operands sit.
enum class Form : uint8_t { I, B, SC, D, DS, DQ, X, XL, XFX, XO, A, M, MD, MDS, XS, DX, Z23, VA,
                           // VSX (Book I 7.6): 6-bit VSR numbers, the low five bits in the usual field and the
                           // high bit (TX/SX, AX, BX, CX) elsewhere; decode() puts whole VSR numbers in rt/ra/rb/rc.
                           XX1, XX2, XX3, XX4,
                           DQX,   // lxv/stxv: DQ-form with TX/SX in bit 28
                           DQP,   // lxvp/stxvp (and the X-form lxvpx/stxvpx): XTp = 32*TX(bit 10) + 2*Tp(bits 6:9)
                           // VMX (Book I 1.6.21-1.6.23): VX has an 11-bit XO; VC has its Rc in bit 21; VN is
                           // vsldbi/vsrdbi.
                           VX, VC, VN,
                           // Prefixed (ISA 3.1 Book I 1.6.3): an 8-byte instruction, prefix word first.
                           LS8, MLS,
                           LS8X,    // plxv/pstxv: 8LS with TX/SX in suffix bit 5
                           LS8P,    // plxvp/pstxvp: 8LS with XTp as DQP has it
                           RR8X4,   // 8RR:XX4 (xxeval, xxpermx, xxblendv*): imm = prefix bits 24:31
                           RR8D,    // 8RR:D (xxspltiw, xxspltidp, xxsplti32dx): TX in suffix bit 15, imm = imm0 || imm1
                           MMIRR }; // pm*ger* (MMA): the suffix is XX3 with AT in bits 6:8, the prefix holds the masks

// Which CPU models implement the instruction: the ISA version that introduced it.
enum class Isa : uint8_t { V207 = 8, V300 = 9, V310 = 10 };

enum class Priv : uint8_t { Any, Privileged, Hypervisor };

namespace flag {
constexpr uint32_t kRc = 1u << 0;          // the Rc bit selects a record form
constexpr uint32_t kOE = 1u << 1;          // the OE bit selects an overflow-recording form
constexpr uint32_t kBranch = 1u << 2;      // may change NIP: ends a predecoded block
constexpr uint32_t kLoad = 1u << 3;
constexpr uint32_t kStore = 1u << 4;
constexpr uint32_t kSync = 1u << 5;        // context synchronising / may change MSR: ends a block
constexpr uint32_t kUImm = 1u << 6;        // D-form immediate is UI (zero-extended), not SI
constexpr uint32_t kSetsCA = 1u << 7;
constexpr uint32_t kReadsCA = 1u << 8;
constexpr uint32_t kCR = 1u << 9;          // reads or writes CR fields other than through Rc
constexpr uint32_t kXer = 1u << 10;        // reads or writes XER as a whole
constexpr uint32_t kUpdate = 1u << 11;     // load/store with update: also writes RA
constexpr uint32_t kPrefixed = 1u << 12;   // 8 bytes: match/mask describe the suffix, pmatch/pmask the prefix
} // namespace flag

// Registers an instruction reads and writes (the data flow a JIT's liveness analysis needs). Derived from
// the row's operand list and flags by dataflow(), so it cannot drift from the operands.
namespace reg {
constexpr uint32_t kInRA = 1u << 0, kInRB = 1u << 1, kInRS = 1u << 2, kOutRT = 1u << 3, kOutRA = 1u << 4,
                   kInCR = 1u << 5, kOutCR = 1u << 6, kInLR = 1u << 7, kOutLR = 1u << 8, kInCTR = 1u << 9,
                   kOutCTR = 1u << 10, kInCA = 1u << 11, kOutCA = 1u << 12, kOutOV = 1u << 13, kMemory = 1u << 14;
} // namespace reg

struct InsnDef {
    std::string_view mnemonic;
    Form form;
    uint32_t match;
    uint32_t mask;
    Isa isa;
    Priv priv;
    uint32_t flags;
    // Operands for the disassembler, in the ISA's own syntax, e.g. "RT,RA,SI" or "RT,D(RA)".
    std::string_view operands;
    // Semantics, one per (OE, Rc) variant so the interpreter never tests those bits: exec[OE << 1 | Rc].
    ExecFn exec[4];
    // reg:: bits: what the instruction may read and write (Rc/OE/LK-dependent outputs included).
    uint32_t io;
    // Prefixed rows only (flag::kPrefixed): the prefix word's encoding; match/mask above are the suffix's.
    uint32_t pmatch = 0, pmask = 0;
};

// The data flow of an instruction from its form, operand list and flags: the first GPR operand is the
// target unless the instruction stores; branches read CTR/LR as their BO and target say.
constexpr uint32_t dataflow(std::string_view mnemonic, Form form, uint32_t flags, std::string_view ops) {
    using namespace reg;
    uint32_t io = 0;
    bool first = true;
    const bool stores = flags & flag::kStore;
    while (!ops.empty()) {
        const size_t comma = ops.find(',');
        const std::string_view op = ops.substr(0, comma);
        ops = comma == std::string_view::npos ? std::string_view{} : ops.substr(comma + 1);
        if (op == "RT")
            io |= first && !stores ? kOutRT : kInRS;
        else if (op == "RS")
            io |= kInRS;
        else if (op == "RA")
            io |= first && !stores ? kOutRA : kInRA;
        else if (op == "RA0" || op == "RAsrc")   // RA|0 is always a base or an addend; RAsrc a plain source
            io |= kInRA;
        else if (op == "RB")
            io |= kInRB;
        else if (op == "D(RA)" || op == "DS(RA)" || op == "DQ(RA)" || op == "D34(RA)" || op == "DW(RA)")
            io |= kInRA;
        else if (op == "BI" || op == "BA" || op == "BB" || op == "BFA" || op == "BC")
            io |= kInCR;
        else if (op == "BT" || op == "BF" || op == "FXM")
            io |= kOutCR;
        else if (op == "FXMopt")
            io |= kInCR;
        first = false;
    }
    if (flags & flag::kUpdate)
        io |= kOutRA;
    if (flags & (flag::kLoad | flag::kStore))
        io |= kMemory;
    if (flags & flag::kReadsCA)
        io |= kInCA;
    if (flags & flag::kSetsCA)
        io |= kOutCA;
    if (flags & flag::kOE)
        io |= kOutOV;
    if (flags & flag::kBranch) {
        if (flags & flag::kRc)   // LK
            io |= kOutLR;
        // unless BO[2] says otherwise; bcctr too, in its test-and-decrement form (semantics/branch.h)
        if (form == Form::B || mnemonic == "bclr" || mnemonic == "bctar" || mnemonic == "bcctr")
            io |= kInCTR | kOutCTR;
        if (mnemonic == "bclr")
            io |= kInLR;
    } else if (flags & flag::kRc) {
        io |= kOutCR;
    }
    if (mnemonic.ends_with('.'))   // andi., stwcx. ...: fixed record forms
        io |= kOutCR;
    return io;
}

// One instruction decoded once, when its block is built. The fields are the ones its form has, under the
// ISA's names; fields a form does not have are 0.
struct Decoded {
    ExecFn fn;
    uint32_t word;
    uint16_t def;        // row in the table
    uint8_t len;         // 4, or 8 for a prefixed instruction (then word is the prefix)
    uint8_t rt;          // RT / RS / BO / BF / TO / BT
    uint8_t ra;          // RA / BI / BA
    uint8_t rb;          // RB / SH(5) / NB / BB
    uint8_t rc;          // A-form RC (isel's BC)
    uint8_t sh;          // 6-bit SH of MD/XS forms
    uint8_t mb;          // MB (5- or 6-bit)
    uint8_t me;          // ME
    int64_t imm;         // SI / UI / D / DS / DQ / BD / LI / SPR number / LEV; prefixed: d0 || d1 (34 bits)
    uint32_t suffix;     // the second word of a prefixed instruction, 0 otherwise
};

std::span<const InsnDef> insn_table();

} // namespace phv::isa
