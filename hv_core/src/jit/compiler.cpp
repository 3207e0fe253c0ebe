#include "jit/compiler.h"

#include <xbyak/xbyak.h>

#include <bit>
#include <string_view>
#include <utility>

#include "jit/code_buffer.h"
#include "jit/perf_map.h"
#include "vcpu/vcpu.h"

namespace phv::jit {

namespace {

using namespace Xbyak::util;

static_assert(uint8_t(isa::Flow::Next) == 0, "the code tests Next with test al, al");
static_assert(std::endian::native == std::endian::little, "extsw reads the low word of a GPR at its address");

// rbx holds the Vcpu, r12 the current instruction's address (the interpreter's cia), both callee-saved so
// they survive the semantic calls. Three pushes leave the stack 16-byte aligned for those calls.
// The rows emitted as host code: GPR-to-GPR arithmetic and logic that cannot raise an interrupt, set no
// CR, XER or CA (the Rc=0, OE=0 variants only: d.fn must be the row's exec[0]) and touch nothing but
// GPRs. Everything else calls its semantic function.
enum class Native { None, Addi, Addis, Add, Subf, Neg, And, Or, Xor, Ori, Oris, Xori, Xoris, Extsw };

Native native_kind(const isa::Decoded &d) {
    if (d.def >= isa::insn_table().size())   // no row: an illegal word
        return Native::None;
    const isa::InsnDef &def = isa::insn_table()[d.def];
    if (d.fn != def.exec[0])
        return Native::None;
    static constexpr std::pair<std::string_view, Native> kRows[] = {
        {"addi", Native::Addi}, {"addis", Native::Addis}, {"add", Native::Add},   {"subf", Native::Subf},
        {"neg", Native::Neg},   {"and", Native::And},     {"or", Native::Or},     {"xor", Native::Xor},
        {"ori", Native::Ori},   {"oris", Native::Oris},   {"xori", Native::Xori}, {"xoris", Native::Xoris},
        {"extsw", Native::Extsw},
    };
    for (const auto &[name, kind] : kRows)
        if (def.mnemonic == name)
            return kind;
    return Native::None;
}

// rbx holds the Vcpu, r12 the address of the instruction last made current (the interpreter's cia), both
// callee-saved so they survive the semantic calls. Three pushes leave the stack 16-byte aligned for those
// calls. Native instructions leave NIP and the instruction count behind; both are brought up to date
// before anything that can see them (a call, the end of the block), so what the semantics and the run loop
// observe is what the interpreter would show.
class BlockEmitter : public Xbyak::CodeGenerator {
public:
    BlockEmitter(Vcpu &v, const Block &b, void *at, size_t room) : Xbyak::CodeGenerator(room, at) {
        const auto offset = [&](const void *field) {
            return int32_t(reinterpret_cast<const char *>(field) - reinterpret_cast<const char *>(&v));
        };
        nip_ = offset(&v.st_.nip), insns_ = offset(&v.stats().insns_executed), gpr_ = offset(&v.st_.gpr[0]);
        // A block runs only in the mode it was built for (BlockCache::key), MSR[SF] included.
        sf_ = (b.key >> 60) & 4;

        push(rbx);
        push(r12);
        push(r13);
        mov(rbx, rdi);
        mov(r12, qword[rbx + nip_]);
        Xbyak::Label leave, done;
        for (const isa::Decoded &d : b.insns) {
            if (const Native k = native_kind(d); k != Native::None) {
                emit_native(k, d);
                ++pending_insns_;
                pending_bytes_ += d.len;
                continue;
            }
            sync_nip();
            // The count first, this instruction included: a semantic that reads a PMU counter sees itself.
            add(qword[rbx + insns_], pending_insns_ + 1);
            pending_insns_ = 0;
            Xbyak::Label next;
            mov(rdi, rbx);
            mov(rsi, reinterpret_cast<uint64_t>(&d));
            mov(rax, reinterpret_cast<uint64_t>(d.fn));
            call(rax);
            test(al, al);
            jz(next);
            // Jump or Exit: the rest of the interpreter's handling with this record.
            mov(rsi, reinterpret_cast<uint64_t>(&d));
            jmp(leave, T_NEAR);
            L(next);
            pending_bytes_ = d.len;
        }
        sync_nip();
        if (pending_insns_)
            add(qword[rbx + insns_], pending_insns_);
        mov(eax, uint32_t(isa::Flow::Jump));   // the end of the block, as run_block returns
        L(done);
        pop(r13);
        pop(r12);
        pop(rbx);
        ret();
        L(leave);
        mov(rdi, rbx);
        movzx(edx, al);
        mov(rax, reinterpret_cast<uint64_t>(&Vcpu::jit_leave));
        call(rax);
        jmp(done);
    }

private:
    int32_t nip_ = 0, insns_ = 0, gpr_ = 0;
    bool sf_ = true;
    unsigned pending_insns_ = 0, pending_bytes_ = 0;

    Xbyak::Address gpr(unsigned n) { return qword[rbx + gpr_ + int32_t(8 * n)]; }

    // NIP = the instruction after everything that ran, truncated as next_nip() does outside 64-bit mode.
    void sync_nip() {
        if (!pending_bytes_)
            return;
        add(r12, pending_bytes_);
        if (!sf_)
            mov(r12d, r12d);
        mov(qword[rbx + nip_], r12);
        pending_bytes_ = 0;
    }

    // rax = a 64-bit immediate, the shortest way.
    void load_imm(const Xbyak::Reg64 &r, uint64_t v) {
        if (int64_t(v) == int64_t(int32_t(v)))
            mov(r, int32_t(v));
        else
            mov(r, v);
    }

    void emit_native(Native k, const isa::Decoded &d) {
        switch (k) {
        case Native::Addi:
        case Native::Addis: {
            const uint64_t imm = k == Native::Addi ? uint64_t(d.imm) : uint64_t(d.imm) << 16;
            load_imm(rax, imm);
            if (d.ra)
                add(rax, gpr(d.ra));
            mov(gpr(d.rt), rax);
            break;
        }
        case Native::Add:
            mov(rax, gpr(d.ra));
            add(rax, gpr(d.rb));
            mov(gpr(d.rt), rax);
            break;
        case Native::Subf:   // RB - RA
            mov(rax, gpr(d.rb));
            sub(rax, gpr(d.ra));
            mov(gpr(d.rt), rax);
            break;
        case Native::Neg:
            mov(rax, gpr(d.ra));
            neg(rax);
            mov(gpr(d.rt), rax);
            break;
        case Native::And:
        case Native::Or:
        case Native::Xor:   // RA = RS op RB
            mov(rax, gpr(d.rt));
            if (k == Native::And)
                and_(rax, gpr(d.rb));
            else if (k == Native::Or)
                or_(rax, gpr(d.rb));
            else
                xor_(rax, gpr(d.rb));
            mov(gpr(d.ra), rax);
            break;
        case Native::Ori:
        case Native::Oris:
        case Native::Xori:
        case Native::Xoris: {   // RA = RS op UI (shifted)
            const bool shifted = k == Native::Oris || k == Native::Xoris;
            load_imm(rcx, uint64_t(d.imm) << (shifted ? 16 : 0));
            mov(rax, gpr(d.rt));
            if (k == Native::Ori || k == Native::Oris)
                or_(rax, rcx);
            else
                xor_(rax, rcx);
            mov(gpr(d.ra), rax);
            break;
        }
        case Native::Extsw:
            movsxd(rax, dword[rbx + gpr_ + int32_t(8 * d.rt)]);
            mov(gpr(d.ra), rax);
            break;
        case Native::None:
            break;
        }
    }
};

} // namespace

BlockFn compile(Vcpu &v, const Block &b, CodeBuffer &buf, bool perf_map) {
    try {
        BlockEmitter e(v, b, buf.cursor(), buf.room());
        // No ready(): the buffer is already executable, and ready() would change its protection.
        if (e.hasUndefinedLabel())
            return nullptr;
        const size_t n = e.getSize();
        void *code = buf.cursor();
        buf.commit(n);
        if (perf_map)
            perf_map_add(code, n, b.start);
        return reinterpret_cast<BlockFn>(code);
    } catch (const Xbyak::Error &) {
        return nullptr;   // out of room (the only error these instructions can raise)
    }
}

} // namespace phv::jit
