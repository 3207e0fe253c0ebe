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
enum class Form : uint8_t { I, B, SC, D, DS, DQ, X, XL, XFX, XO, A, M, MD, MDS, XS, DX, Z23 };

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
} // namespace flag

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
};

// One instruction decoded once, when its block is built. The fields are the ones its form has, under the
// ISA's names; fields a form does not have are 0.
struct Decoded {
    ExecFn fn;
    uint32_t word;
    uint16_t def;        // row in the table
    uint8_t len;         // 4, or 8 for a prefixed instruction
    uint8_t rt;          // RT / RS / BO / BF / TO / BT
    uint8_t ra;          // RA / BI / BA
    uint8_t rb;          // RB / SH(5) / NB / BB
    uint8_t rc;          // A-form RC (isel's BC)
    uint8_t sh;          // 6-bit SH of MD/XS forms
    uint8_t mb;          // MB (5- or 6-bit)
    uint8_t me;          // ME
    int64_t imm;         // SI / UI / D / DS / BD / LI / SPR number / LEV
};

std::span<const InsnDef> insn_table();

} // namespace phv::isa
