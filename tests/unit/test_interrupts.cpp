// Interrupt delivery as a KVM-HV guest sees it: vector, SRR0, SRR1 and the new MSR for each interrupt a guest
// can take, LPCR[ILE] and LPCR[AIL], and what the hypervisor-bound interrupts turn into.
#include <gtest/gtest.h>

#include "guest_code.h"
#include "isa/decoder.h"
#include "vcpu/cpu_state.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;
namespace msr = phv::msr;
namespace spr = phv::spr;

constexpr uint64_t kSrr1Illegal = 1ull << (63 - 44), kSrr1Privileged = 1ull << (63 - 45),
                   kSrr1Trap = 1ull << (63 - 46);
constexpr uint64_t kMsr = msr::SF | msr::ME | msr::LE;   // what GuestCode starts with
constexpr uint64_t kIle = 1ull << 25;

constexpr uint32_t tw(uint32_t to, uint32_t ra, uint32_t rb) { return X(31, to, ra, rb, 4); }
constexpr uint32_t scv(uint32_t lev) { return 17u << 26 | lev << 5 | 1; }
constexpr uint32_t rfscv() { return X(19, 0, 0, 0, 82); }
constexpr uint32_t hrfid() { return X(19, 0, 0, 0, 274); }
constexpr uint32_t msgsndp(uint32_t rb) { return X(31, 0, 0, rb, 142); }
constexpr uint32_t msgclrp(uint32_t rb) { return X(31, 0, 0, rb, 174); }
constexpr uint32_t msgsnd(uint32_t rb) { return X(31, 0, 0, rb, 206); }
constexpr uint32_t wait_wc(uint32_t wc, uint32_t pl) { return X(31, wc, pl, 0, 30); }
constexpr uint32_t kFadd = 0xfc21102a, kVaddubm = 0x10000000, kXxlor = 0xf0000490;
constexpr uint32_t kIllegalWord = 0x00000000;

// A guest whose interrupts arrive little-endian, with a handler at each vector that records which vector it
// is (r30 = vector >> 4) and ends the run.
struct Guest : GuestCode {
    explicit Guest(uint32_t model = PHV_CPU_POWER10) : GuestCode(model) {
        set_reg(PHV_REG_PPC_LPCR_64, kIle);
        for (uint64_t v : {0x500, 0x600, 0x700, 0x800, 0x900, 0xa00, 0xc00, 0xd00, 0xe40, 0xf20, 0xf40, 0xf60,
                           0xf80, 0x17000, 0x17020, 0x17fe0})
            vector_stub(v);
    }
    uint64_t take(std::initializer_list<uint32_t> body) { return run_until_vector(body); }
    phv::Vcpu &vcpu_() { return *reinterpret_cast<phv::Vcpu *>(vcpu); }
    uint64_t srr0() { return reg(PHV_REG_PPC_SRR0); }
    uint64_t srr1() { return reg(PHV_REG_PPC_SRR1); }
    uint64_t msr_() { return reg(PHV_REG_PPC_MSR); }
    uint64_t spr_(unsigned n) { return vcpu_().state().spr[n]; }
};

constexpr uint64_t at(unsigned i) { return GuestCode::kCodeBase + 4 * i; }

TEST(Interrupts, SystemCallSavesNextInstructionAndMsr) {
    Guest g;
    EXPECT_EQ(g.take({addi(5, 0, 1), sc(0)}), 0xc00u);
    EXPECT_EQ(g.srr0(), at(2));
    EXPECT_EQ(g.srr1(), kMsr);
    EXPECT_EQ(g.msr_(), kMsr);   // SF, ME kept, LE = LPCR[ILE]
}

TEST(Interrupts, ScLev2IsASystemCallWithoutAnUltravisor) {
    Guest g;
    EXPECT_EQ(g.take({sc(2)}), 0xc00u);
    EXPECT_EQ(g.srr0(), at(1));
}

// KVM-HV: a radix guest (LPCR[HR]) cannot run PR KVM, so sc 1 from its user space is a privilege fault.
TEST(Interrupts, ScLev1FromProblemStateOfARadixGuestIsPrivileged) {
    Guest g;
    g.vcpu_().state().spr[spr::LPCR] |= 1ull << (63 - 43);   // HR
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::PR);
    EXPECT_EQ(g.take({sc(1)}), 0x700u);
    EXPECT_EQ(g.srr0(), at(0));
    EXPECT_EQ(g.srr1(), kMsr | msr::PR | kSrr1Privileged);
}

TEST(Interrupts, ScLev1FromProblemStateIsReflectedAsSystemCall) {   // a hash guest
    Guest g;
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::PR);   // real mode problem state: only a test can reach it
    EXPECT_EQ(g.take({sc(1)}), 0xc00u);
    EXPECT_EQ(g.srr1() & msr::PR, msr::PR);
    EXPECT_EQ(g.msr_() & msr::PR, 0u);
}

TEST(Interrupts, InterruptMsrClearsEverythingButSfMeHvS) {
    Guest g;
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::EE | msr::FP | msr::RI | msr::VEC | msr::VSX | msr::FE0);
    EXPECT_EQ(g.take({sc(0)}), 0xc00u);
    EXPECT_EQ(g.msr_(), kMsr);
    EXPECT_EQ(g.srr1(), kMsr | msr::EE | msr::FP | msr::RI | msr::VEC | msr::VSX | msr::FE0);
}

TEST(Interrupts, IleClearSelectsBigEndian) {
    Guest g;
    g.set_reg(PHV_REG_PPC_LPCR_64, 0);
    auto &v = g.vcpu_();
    v.interrupt(phv::vec::kProgram, 0x1234, kSrr1Trap);
    EXPECT_EQ(v.state().msr, msr::SF | msr::ME);
    EXPECT_EQ(v.state().nip, 0x700u);
    EXPECT_EQ(v.state().spr[spr::SRR1], kMsr | kSrr1Trap);
}

TEST(Interrupts, Srr1CauseBitsOnlyFromTheCause) {
    Guest g;
    auto &v = g.vcpu_();
    v.state().msr = kMsr | (1ull << (63 - 44));   // a stale bit 44 in the MSR image is not copied
    v.interrupt(phv::vec::kSystemCall, 0, 0);
    EXPECT_EQ(v.state().spr[spr::SRR1], kMsr);
}

TEST(Interrupts, AilThreeRelocatesWhenTranslationWasOn) {
    Guest g;
    auto &v = g.vcpu_();
    v.state().spr[spr::LPCR] = kIle | phv::lpcr::AIL;
    v.state().msr = kMsr | msr::IR | msr::DR;
    v.interrupt(phv::vec::kSystemCall, 0x100, 0);
    EXPECT_EQ(v.state().nip, 0xc000000000004c00ull);
    EXPECT_EQ(v.state().msr, kMsr | msr::IR | msr::DR);
    // Only one of IR/DR: no relocation.
    v.state().msr = kMsr | msr::IR;
    v.interrupt(phv::vec::kSystemCall, 0x100, 0);
    EXPECT_EQ(v.state().nip, 0xc00u);
    EXPECT_EQ(v.state().msr, kMsr);
    // System reset and machine check never relocate.
    v.state().msr = kMsr | msr::IR | msr::DR;
    v.interrupt(phv::vec::kMachineCheck, 0x100, 0);
    EXPECT_EQ(v.state().nip, 0x200u);
}

TEST(Interrupts, AilTwoIsPower9Only) {
    Guest p9(PHV_CPU_POWER9), p10(PHV_CPU_POWER10);
    for (Guest *g : {&p9, &p10}) {
        auto &v = g->vcpu_();
        v.state().spr[spr::LPCR] = kIle | (2ull << phv::lpcr::kAilShift);
        v.state().msr = kMsr | msr::IR | msr::DR;
        v.interrupt(phv::vec::kDecrementer, 0x100, 0);
    }
    EXPECT_EQ(p9.vcpu_().state().nip, 0x18900u);
    EXPECT_EQ(p9.vcpu_().state().msr & (msr::IR | msr::DR), msr::IR | msr::DR);
    EXPECT_EQ(p10.vcpu_().state().nip, 0x900u);   // ISA 3.1: AIL=2 is reserved
    EXPECT_EQ(p10.vcpu_().state().msr & (msr::IR | msr::DR), 0u);
}

TEST(Interrupts, ScvVectorsAndAil) {
    Guest g;
    auto &v = g.vcpu_();
    v.state().spr[spr::LPCR] = kIle | phv::lpcr::AIL;
    v.state().msr = kMsr | msr::IR | msr::DR | msr::EE | msr::PR;
    v.system_call_vectored(3, 0x4000);
    EXPECT_EQ(v.state().nip, 0xc000000000003060ull);
    EXPECT_EQ(v.state().msr, kMsr | msr::IR | msr::DR | msr::EE);
    EXPECT_EQ(v.state().lr, 0x4000u);
    EXPECT_EQ(v.state().ctr, kMsr | msr::IR | msr::DR | msr::EE | msr::PR);
}

TEST(Interrupts, ScvNeedsFscrScv) {
    Guest g;
    EXPECT_EQ(g.take({scv(0)}), 0xf60u);
    EXPECT_EQ(g.srr0(), at(0));
    EXPECT_EQ(g.spr_(spr::FSCR) >> 56, uint64_t(phv::fscr::SCV));
}

TEST(Interrupts, ScvAndRfscvRoundTrip) {
    Guest g;
    g.vcpu_().state().spr[spr::FSCR] = phv::fscr::bit(phv::fscr::SCV);
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::EE);
    EXPECT_EQ(g.take({scv(1)}), 0x17020u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_LR), at(1));
    EXPECT_EQ(g.reg(PHV_REG_PPC_CTR), kMsr | msr::EE);
    EXPECT_EQ(g.msr_(), kMsr | msr::EE);   // EE survives scv
    // rfscv back to a marker: LR = where to go, CTR = the MSR.
    g.set_reg(PHV_REG_PPC_LR, at(3));
    g.set_reg(PHV_REG_PPC_CTR, kMsr);
    EXPECT_EQ(g.take({rfscv(), addi(9, 0, 1), addi(9, 0, 2), addi(10, 0, 7)}), 0u);
    EXPECT_EQ(g.gpr(10), 7u);
    EXPECT_EQ(g.msr_(), kMsr);
}

TEST(Interrupts, IllegalInstructionIsProgramWithHeir) {
    Guest g;
    EXPECT_EQ(g.take({addi(5, 0, 1), kIllegalWord}), 0x700u);
    EXPECT_EQ(g.srr0(), at(1));
    EXPECT_EQ(g.srr1(), kMsr | kSrr1Illegal);
    EXPECT_EQ(g.spr_(spr::HEIR), kIllegalWord);
}

TEST(Interrupts, PrivilegedInstructionInProblemState) {
    Guest g;
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::PR);
    EXPECT_EQ(g.take({mfmsr(5)}), 0x700u);
    EXPECT_EQ(g.srr1(), kMsr | msr::PR | kSrr1Privileged);
}

TEST(Interrupts, TrapSetsTheTrapBit) {
    Guest g;
    EXPECT_EQ(g.take({addi(5, 0, 3), tw(4, 5, 5)}), 0x700u);   // TO=4: equal
    EXPECT_EQ(g.srr0(), at(1));
    EXPECT_EQ(g.srr1(), kMsr | kSrr1Trap);
    EXPECT_EQ(g.take({addi(5, 0, 3), tw(8, 5, 5), addi(6, 0, 1)}), 0u);   // TO=8 (>): no trap
}

TEST(Interrupts, HypervisorInstructionsReflectAsIllegal) {
    Guest g;
    EXPECT_EQ(g.take({hrfid()}), 0x700u);
    EXPECT_EQ(g.srr1(), kMsr | kSrr1Illegal);
    EXPECT_EQ(g.spr_(spr::HEIR), hrfid());
    EXPECT_EQ(g.take({msgsnd(5)}), 0x700u);
    EXPECT_EQ(g.srr1(), kMsr | kSrr1Illegal);
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::PR);
    EXPECT_EQ(g.take({hrfid()}), 0x700u);
    EXPECT_EQ(g.srr1(), kMsr | msr::PR | kSrr1Privileged);
}

TEST(Interrupts, FacilityUnavailableForFpVmxVsxOpcodes) {
    Guest g;
    EXPECT_EQ(g.take({kFadd}), 0x800u);
    EXPECT_EQ(g.srr0(), at(0));
    EXPECT_EQ(g.srr1(), kMsr);
    EXPECT_EQ(g.take({kVaddubm}), 0xf20u);
    EXPECT_EQ(g.take({kXxlor}), 0xf40u);
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::VEC);
    EXPECT_EQ(g.take({kXxlor}), 0xf40u);   // VSX needs MSR[VSX], not VEC
}

// Decimal floating point (Book I chapter 5) is not implemented: with MSR[FP]=1 its words are what they are on
// a CPU without DFP, illegal instructions (Hypervisor Emulation Assistance with the word in HEIR, reflected
// as KVM does into an illegal-instruction Program interrupt); with MSR[FP]=0 FP Unavailable comes first, as
// for every opcode 59/63 word. X (dadd, dsub., daddq, dcmpu, dcffixqq), Z22 (dtstdc, dscli) and Z23 (dquai,
// drintn) forms.
TEST(Interrupts, DecimalFpWordsAreIllegal) {
    constexpr auto x = [](uint32_t op, uint32_t xo, uint32_t rc = 0) {
        return op << 26 | 1u << 21 | 2u << 16 | 4u << 11 | xo << 1 | rc;
    };
    constexpr auto z22 = [](uint32_t op, uint32_t xo) { return op << 26 | 1u << 21 | 2u << 16 | 5u << 10 | xo << 1; };
    constexpr auto z23 = [](uint32_t op, uint32_t xo) { return op << 26 | 1u << 21 | 2u << 16 | 4u << 11 | 1u << 9 | xo << 1; };
    const uint32_t words[] = {x(59, 2), x(59, 514, 1), x(63, 2), x(59, 642), x(63, 994), z22(59, 194), z22(63, 66),
                              z23(59, 67), z23(63, 227)};
    for (const uint32_t w : words) {
        ASSERT_EQ(phv::isa::find_insn(w), nullptr) << std::hex << w;
        Guest g;
        g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::FP);
        EXPECT_EQ(g.take({w}), 0x700u) << std::hex << w;
        EXPECT_EQ(g.srr0(), at(0));
        EXPECT_EQ(g.srr1(), kMsr | msr::FP | kSrr1Illegal);
        EXPECT_EQ(g.spr_(spr::HEIR), w);
        g.set_reg(PHV_REG_PPC_MSR, kMsr);
        EXPECT_EQ(g.take({w}), 0x800u) << std::hex << w;
    }
}

// MSR[FP]=1: a word of the FP opcode space that is no instruction (opcode 63 with the unused A-form XO 17)
// is an illegal instruction, reflected from HEA as for any undefined word.
TEST(Interrupts, UndefinedFpSpaceWordWithFpOnIsIllegal) {
    Guest g;
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::FP);
    constexpr uint32_t kUndefined63 = 63u << 26 | 1u << 21 | 2u << 16 | 3u << 11 | 17u << 1;   // XO 17: none
    EXPECT_EQ(g.take({kUndefined63}), 0x700u);
    EXPECT_EQ(g.srr1(), kMsr | msr::FP | kSrr1Illegal);
    EXPECT_EQ(g.spr_(spr::HEIR), kUndefined63);
}

// The same for the VSX opcode 60 with MSR[VSX]=1: a word that is no instruction (XX3 XO 4) is illegal.
TEST(Interrupts, UndefinedVsxOpcode60WordWithVsxOnIsIllegal) {
    Guest g;
    constexpr uint32_t kUndefined60 = 60u << 26 | 1u << 21 | 2u << 16 | 3u << 11 | 4u << 3;
    ASSERT_EQ(phv::isa::find_insn(kUndefined60), nullptr);
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::VSX);
    EXPECT_EQ(g.take({kUndefined60}), 0x700u);
    EXPECT_EQ(g.srr1(), kMsr | msr::VSX | kSrr1Illegal);
    EXPECT_EQ(g.spr_(spr::HEIR), kUndefined60);
    g.set_reg(PHV_REG_PPC_MSR, kMsr);
    EXPECT_EQ(g.take({kUndefined60}), 0xf40u);   // with the unit off, VSX unavailable first
}

TEST(Interrupts, DirectedPrivilegedDoorbell) {
    Guest g;
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::EE);
    g.set_gpr(5, 5u << 27);
    EXPECT_EQ(g.take({msgsndp(5), addi(6, 0, 1)}), 0xa00u);
    EXPECT_EQ(g.srr0(), at(1));
    EXPECT_EQ(g.srr1(), kMsr | msr::EE);
    EXPECT_EQ(g.spr_(spr::DPDES), 0u);   // consumed by the interrupt
    // EE off: pending in DPDES until msgclrp; another thread number or type is ignored.
    g.set_reg(PHV_REG_PPC_MSR, kMsr);
    g.set_gpr(7, 5u << 27 | 1);
    g.set_gpr(8, 4u << 27);
    EXPECT_EQ(g.take({msgsndp(7), msgsndp(8), mfspr(10, spr::DPDES), msgsndp(5), mfspr(11, spr::DPDES),
                      msgclrp(5), mfspr(12, spr::DPDES)}),
              0u);
    EXPECT_EQ(g.gpr(10), 0u);
    EXPECT_EQ(g.gpr(11), 1u);
    EXPECT_EQ(g.gpr(12), 0u);
}

// KVM-HV emulates msgsndp/msgclrp/mfspr DPDES/TIR for its guests with emul_smt_mode 1 (one thread per
// virtual core, kvmppc_emulate_doorbell_instr), and phv models the same core: the type is RB bits 32:36 (5
// bits), the thread RB bits 57:63 (7 bits), every other bit ignored; a thread >= 1 is no one, not another
// vcpu; msgclrp clears this vcpu's doorbell whatever thread it names; TIR reads 0 on every vcpu.
TEST(Interrupts, DirectedPrivilegedDoorbellAsKvmEmulSmtMode1) {
    Guest g;
    phv_vcpu *other = nullptr;
    ASSERT_EQ(phv_create_vcpu(g.vm, 1, &other), 0);
    g.set_reg(PHV_REG_PPC_MSR, kMsr);
    g.set_gpr(5, 5u << 27 | 1);                              // thread 1: no such thread in this core
    g.set_gpr(6, 5u << 27 | 0x80 | 1ull << 40 | 1ull << 63);   // thread 0; bits outside type/thread ignored
    g.set_gpr(7, 21u << 27);                                 // type 21 (bit 32 set): not type 5
    g.set_gpr(8, 5u << 27 | 0x7f);                           // msgclrp names thread 127: still this vcpu
    EXPECT_EQ(g.take({msgsndp(5), mfspr(10, spr::DPDES), msgsndp(7), mfspr(11, spr::DPDES), msgsndp(6),
                      mfspr(12, spr::DPDES), msgclrp(8), mfspr(13, spr::DPDES), mfspr(14, spr::TIR)}),
              0u);
    EXPECT_EQ(g.gpr(10), 0u);
    EXPECT_EQ(g.gpr(11), 0u);
    EXPECT_EQ(g.gpr(12), 1u);
    EXPECT_EQ(g.gpr(13), 0u);
    EXPECT_EQ(g.gpr(14), 0u);
    // The other vcpu (its own core, thread 0) never saw any of it.
    uint64_t dpdes = 1;
    phv_one_reg r{PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xa9, uint64_t(&dpdes)};   // KVM_REG_PPC_DPDES
    ASSERT_EQ(phv_get_one_reg(other, &r), 0);
    EXPECT_EQ(dpdes, 0u);
}

TEST(Interrupts, DecrementerWhenNegativeAndEnabled) {
    Guest g;
    g.set_gpr(5, uint64_t(-1));
    g.set_gpr(6, msr::EE);
    // DEC = -1 with EE off: nothing; mtmsrd L=1 EE=1: taken after it.
    EXPECT_EQ(g.take({mtspr(spr::DEC, 5), addi(7, 0, 1), mtmsrd(6, 1), addi(8, 0, 1)}), 0x900u);
    EXPECT_EQ(g.srr0(), at(3));
    EXPECT_EQ(g.srr1(), kMsr | msr::EE);
}

TEST(Interrupts, LargeDecrementerWidth) {
    Guest p9(PHV_CPU_POWER9), p8(PHV_CPU_POWER8);
    for (Guest *g : {&p9, &p8}) {
        g->set_reg(PHV_REG_PPC_LPCR_64, kIle | phv::lpcr::LD);
        g->vcpu_().write_dec(0x100000000ull);
    }
    // 56 bits on POWER9: 2^32 is a positive count; POWER8 has no LD and keeps 32 bits (0).
    EXPECT_GT(int64_t(p9.vcpu_().read_dec()), 0x80000000ll);
    EXPECT_LE(int64_t(p8.vcpu_().read_dec()), 0);
    p9.vcpu_().write_dec(0x00ffffffffffffffull);   // -1 in 56 bits, sign-extended on read
    EXPECT_LT(int64_t(p9.vcpu_().read_dec()), 0);
    EXPECT_EQ(p9.vcpu_().read_dec() >> 56, 0xffu);
}

TEST(Interrupts, ExternalFromTheInterruptLine) {
    Guest g;
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::EE);
    ASSERT_EQ(phv_interrupt(g.vcpu, PHV_INTERRUPT_SET), 0);
    EXPECT_EQ(g.take({addi(5, 0, 1)}), 0x500u);
    EXPECT_EQ(g.srr0(), at(0));
    ASSERT_EQ(phv_interrupt(g.vcpu, PHV_INTERRUPT_UNSET), 0);
}

TEST(Interrupts, SingleStepTracesEachInstruction) {
    Guest g;
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::SE);
    EXPECT_EQ(g.take({addi(5, 0, 1), addi(6, 0, 2)}), 0xd00u);
    EXPECT_EQ(g.srr0(), at(1));
    EXPECT_EQ(g.srr1(), kMsr | msr::SE);
    EXPECT_EQ(g.msr_(), kMsr);
    EXPECT_EQ(g.gpr(6), 0u);
}

TEST(Interrupts, BranchTraceOnlyAfterBranches) {
    Guest g;
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::BE);
    EXPECT_EQ(g.take({addi(5, 0, 1), b(8), addi(6, 0, 1), addi(7, 0, 1)}), 0xd00u);
    EXPECT_EQ(g.srr0(), at(3));
    EXPECT_EQ(g.gpr(5), 1u);
    EXPECT_EQ(g.gpr(6), 0u);
}

TEST(Interrupts, WaitForms) {
    Guest p10, p9(PHV_CPU_POWER9);
    EXPECT_EQ(p10.take({wait_wc(1, 0), wait_wc(2, 1), addi(5, 0, 1)}), 0u);   // no-ops
    EXPECT_EQ(p10.take({wait_wc(3, 0)}), 0x700u);
    EXPECT_EQ(p10.take({wait_wc(0, 1)}), 0x700u);
    EXPECT_EQ(p9.take({wait_wc(1, 0)}), 0x700u);
}

TEST(Interrupts, MtmsrdKeepsLeMeAndL1MovesOnlyEeRi) {
    Guest g;
    g.set_gpr(5, msr::SF | msr::EE | msr::FP);   // LE, ME clear in RS
    EXPECT_EQ(g.take({mtmsrd(5, 0), mfmsr(6)}), 0u);
    EXPECT_EQ(g.gpr(6), kMsr | msr::EE | msr::FP);
    g.set_gpr(5, msr::RI | msr::FP);
    g.set_gpr(6, 0);
    EXPECT_EQ(g.take({mtmsrd(5, 1), mfmsr(6)}), 0u);
    EXPECT_EQ(g.gpr(6), kMsr | msr::RI | msr::FP);   // EE cleared, RI set, FP untouched
}


// Book III 7.5.9: turning MSR[FE0 FE1] on while FPSCR[FEX]=1 takes the FP enabled Program interrupt before
// the next instruction (SRR0 there, SRR1[43] and [47]); turning them on with FEX=0, or changing a non-zero
// mode, takes none. The payload checks mtmsrd (tests/guest/priv); here rfid and the edge cases.
TEST(Interrupts, EnablingFpExceptionsWithFexPendingInterruptsAtTheNextInstruction) {
    constexpr uint64_t kFEX = 1ull << (63 - 33), kZX = 1ull << (63 - 37), kZE = 1ull << (63 - 59);
    constexpr uint64_t kSrr1FP = 1ull << (63 - 43), kSrr1Subsequent = 1ull << (63 - 47);
    Guest g;
    g.vcpu_().state().fpscr = kFEX | kZX | kZE;
    g.set_gpr(5, kMsr | msr::FP | msr::FE0);
    g.set_gpr(6, at(4));
    EXPECT_EQ(g.take({mtspr(spr::SRR1, 5), mtspr(spr::SRR0, 6), rfid(), addi(7, 0, 1), addi(8, 0, 1)}), 0x700u);
    EXPECT_EQ(g.srr0(), at(4));   // the rfid's target, not executed
    EXPECT_EQ(g.srr1(), kMsr | msr::FP | msr::FE0 | kSrr1FP | kSrr1Subsequent);
    EXPECT_EQ(g.gpr(7), 0u);
    EXPECT_EQ(g.gpr(8), 0u);

    Guest quiet;   // FEX=0: nothing
    quiet.set_gpr(5, kMsr | msr::FP | msr::FE0 | msr::FE1);
    EXPECT_EQ(quiet.take({mtmsrd(5, 0), addi(7, 0, 1)}), 0u);
    EXPECT_EQ(quiet.gpr(7), 1u);

    Guest modes;   // FE already non-zero: a mode change is no transition from 00
    modes.set_reg(PHV_REG_PPC_MSR, kMsr | msr::FP | msr::FE1);
    modes.vcpu_().state().fpscr = kFEX | kZX | kZE;
    modes.set_gpr(5, kMsr | msr::FP | msr::FE0 | msr::FE1);
    EXPECT_EQ(modes.take({mtmsrd(5, 0), addi(7, 0, 1)}), 0u);
    EXPECT_EQ(modes.gpr(7), 1u);
}

TEST(Interrupts, ScvIsIllegalOnPower8) {
    Guest g(PHV_CPU_POWER8);
    g.vcpu_().state().spr[spr::FSCR] = phv::fscr::bit(phv::fscr::SCV);
    EXPECT_EQ(g.take({scv(0)}), 0x700u);
    EXPECT_EQ(g.srr1(), kMsr | kSrr1Illegal);
}

TEST(Interrupts, HailDoesNotMoveGuestInterrupts) {
    // LPCR[HAIL] is about interrupts taken in hypervisor state; a guest's go by LPCR[AIL] alone.
    Guest g;
    auto &v = g.vcpu_();
    v.state().spr[spr::LPCR] = kIle | phv::lpcr::HAIL;
    v.state().msr = kMsr | msr::IR | msr::DR;
    v.interrupt(phv::vec::kSystemCall, 0x100, 0);
    EXPECT_EQ(v.state().nip, 0xc00u);
}

TEST(Interrupts, RfebbSetsGeAndBranchesToEbbrr) {
    Guest g;
    constexpr uint32_t rfebb1 = X(19, 0, 0, 1, 146);
    g.vcpu_().state().spr[spr::EBBRR] = at(3);
    EXPECT_EQ(g.take({rfebb1, addi(9, 0, 1), addi(9, 0, 2), addi(10, 0, 7)}), 0u);
    EXPECT_EQ(g.gpr(10), 7u);
    EXPECT_EQ(g.spr_(spr::BESCR) >> 63, 1u);
    // Problem state needs FSCR[EBB].
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::PR);
    const uint32_t done[] = {addi(3, 0, int32_t(GuestCode::kDone)), sc(1)};
    std::memcpy(g.ram + 0xc00, done, sizeof done);   // sc 1 from problem state arrives at 0xc00
    EXPECT_EQ(g.take({rfebb1}), 0xf60u);
    EXPECT_EQ(g.spr_(spr::FSCR) >> 56, uint64_t(phv::fscr::EBB));
}


TEST(Interrupts, IndexedFpVectorAndVsxFormsCheckTheirMsrBit) {
    Guest g;
    const uint32_t lfdx = X(31, 1, 0, 4, 599), lvx = X(31, 1, 0, 4, 103), lxvx = X(31, 1, 0, 4, 268),
                   lxvx_tx = X(31, 1, 0, 4, 268, 1), lxv = 61u << 26 | 1u << 21 | 1, lxv_tx = lxv | 8;
    EXPECT_EQ(g.take({lfdx}), 0x800u);
    EXPECT_EQ(g.take({lvx}), 0xf20u);
    EXPECT_EQ(g.take({lxvx}), 0xf40u);
    EXPECT_EQ(g.take({lxv}), 0xf40u);
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::VSX);
    EXPECT_EQ(g.take({lxvx_tx}), 0xf20u);   // TX=1 names VSR32-63, which are the vector registers
    g.set_reg(PHV_REG_PPC_MSR, kMsr | msr::VSX);
    EXPECT_EQ(g.take({lxv_tx}), 0xf20u);
}


TEST(Interrupts, FormsTheModelLacksAreIllegalWhateverTheMsr) {
    Guest p8(PHV_CPU_POWER8);
    const uint32_t lxvx = X(31, 1, 0, 4, 268), lxvd2x = X(31, 1, 0, 4, 844);
    EXPECT_EQ(p8.take({lxvx}), 0x700u);     // ISA 3.0
    EXPECT_EQ(p8.srr1(), kMsr | kSrr1Illegal);
    EXPECT_EQ(p8.take({lxvd2x}), 0xf40u);   // ISA 2.06: VSX unavailable
}


TEST(Interrupts, UnavailableAtItsOwnVectorIsAnInternalError) {
    Guest g;
    const uint32_t fadd_at_vector[] = {kFadd};
    std::memcpy(g.ram + 0x800, fadd_at_vector, sizeof fadd_at_vector);
    g.set_reg(PHV_REG_PPC_NIP, 0x800);
    ASSERT_EQ(g.run(), uint32_t(PHV_EXIT_INTERNAL_ERROR));
    EXPECT_EQ(g.run_data->internal.insn, kFadd);
}

} // namespace
