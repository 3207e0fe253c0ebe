// The hash MMU as a KVM-HV guest sees it: the HPT allocated through the C ABI, the SLB instructions, the
// translation of each base/actual page size in 256M and 1T segments, R/C, every fault with its exact
// DAR/DSISR/SRR1, AMR/IAMR keys, the HPT hcalls with their return codes, and the TLB: hash tlbie, slbie and
// the hcalls drop what they name and nothing else; HPT resizing, the VRMA, and the record of changed groups
// a migration iterates on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "guest_code.h"
#include "mmu/hash.h"
#include "mmu/invalidate.h"
#include "mmu/tlb.h"
#include "vcpu/cpu_state.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;
namespace msr = phv::msr;
using phv::mmu::Access;

constexpr uint64_t kMsrReal = msr::SF | msr::ME | msr::LE;
constexpr uint64_t kMsrData = kMsrReal | msr::DR;
constexpr unsigned kOrder = 18;   // 2^11 PTE groups
constexpr uint64_t kGroupMask = (1ull << (kOrder - 7)) - 1;

constexpr int64_t kH_FUNCTION = -2, kH_PARAMETER = -4, kH_PTEG_FULL = -6, kH_NOT_FOUND = -7;
constexpr uint64_t kH_EXACT = 1ull << 39, kH_READ_4 = 1ull << 37, kH_AVPN = 1ull << 31, kH_ANDCOND = 1ull << 30,
                   kH_ZERO_PAGE = 1ull << 15;

// HPTE bits (Book III 5.7.7.1), written out here rather than taken from the core.
constexpr uint64_t kV = 1, kH = 2, kL = 4, kB1T = 1ull << 62;
constexpr uint64_t kR = 0x100, kC = 0x80, kM = 0x10, kG = 0x8, kN = 0x4, kPP0 = 1ull << 63;
// SLB VSID-half bits.
constexpr uint64_t kKs = 0x800, kKp = 0x400, kSlbN = 0x200, kSlbC = 0x80, kLLP64K = 0x110, kLLP16M = 0x100;
constexpr uint64_t kEsidV = 0x08000000;

constexpr uint32_t slbmte(uint32_t rs, uint32_t rb) { return X(31, rs, 0, rb, 402); }
constexpr uint32_t slbmfee(uint32_t rt, uint32_t rb) { return X(31, rt, 0, rb, 915); }
constexpr uint32_t slbmfev(uint32_t rt, uint32_t rb) { return X(31, rt, 0, rb, 851); }
constexpr uint32_t slbie(uint32_t rb) { return X(31, 0, 0, rb, 434); }
constexpr uint32_t slbieg(uint32_t rs, uint32_t rb) { return X(31, rs, 0, rb, 466); }
constexpr uint32_t slbia(uint32_t ih) { return X(31, ih, 0, 0, 498); }
constexpr uint32_t slbfee(uint32_t rt, uint32_t rb) { return X(31, rt, 0, rb, 979, 1); }
constexpr uint32_t tlbiel(uint32_t rb) { return X(31, 0, 0, rb, 274); }
constexpr uint32_t mr(uint32_t ra, uint32_t rs) { return X(31, rs, ra, rs, 444); }
constexpr uint32_t mfcr(uint32_t rt) { return X(31, rt, 0, 0, 19); }
constexpr uint32_t kAmr = 29;

// A segment: VSID, size, base page size.
struct Seg {
    uint64_t esid_ea;   // an EA in the segment
    uint64_t vsid;
    bool one_tb = false;
    unsigned base = 12;
    uint64_t flags = 0;   // Ks/Kp/N/C
    uint64_t rb() const { return (esid_ea & (one_tb ? 0xffffff0000000000ull : 0xfffffffff0000000ull)) | kEsidV; }
    uint64_t rs() const {
        const uint64_t llp = base == 16 ? kLLP64K : base == 24 ? kLLP16M : 0;
        return (one_tb ? kB1T | vsid << 24 : vsid << 12) | llp | flags;
    }
    // The primary (or secondary) PTE group of ea and the doubleword 0 that matches it (ISA 5.7.7.3-4).
    uint64_t group(uint64_t ea, bool secondary = false) const {
        const uint64_t off = ea & ((1ull << (one_tb ? 40 : 28)) - 1);
        uint64_t h = (one_tb ? vsid ^ (vsid << 25) : vsid) ^ (off >> base);
        if (secondary)
            h = ~h;
        return (h & kGroupMask) * 8;
    }
    uint64_t v(uint64_t ea, bool large, bool secondary = false) const {
        const uint64_t off = ea & ((1ull << (one_tb ? 40 : 28)) - 1) & ~((1ull << base) - 1);
        return (one_tb ? kB1T | vsid << 24 : vsid << 12) | ((off >> 16) & 0x3fffffffffffff80ull) |
               (large ? kL : 0) | (secondary ? kH : 0) | kV;
    }
};

struct Hash : GuestCode {
    uint64_t code_gpa = 0x20000;

    explicit Hash(uint32_t cpu = PHV_CPU_POWER10) : GuestCode(cpu) {
        EXPECT_EQ(phv_vm_allocate_htab(vm, kOrder), 0);
        set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // ILE: the stubs are little-endian like the rest
        // 0xc00: a problem-state body ends with sc 1, which is a system call there (not a fault).
        for (uint64_t vec : {0x300, 0x380, 0x400, 0x480, 0x700, 0xc00})
            vector_stub(vec);
    }
    phv::Vcpu &v() { return *reinterpret_cast<phv::Vcpu *>(vcpu); }
    uint64_t next_code() {
        const uint64_t a = code_gpa;
        code_gpa += 0x100;
        return a;
    }
    void resume() {
        run_data->papr_hcall.ret = gpr(3);
        for (unsigned i = 0; i < 9; ++i)
            run_data->papr_hcall.args[i] = gpr(4 + i);
    }
    // Runs body from real address space with the given MSR; returns the vector taken (0: none).
    uint64_t run_at(std::initializer_list<uint32_t> body, uint64_t msr_bits = kMsrData, uint64_t nip_ea = 0) {
        resume();
        set_gpr(30, 0);
        const uint64_t gpa = next_code();
        load(with_done(body), gpa);
        set_reg(PHV_REG_PPC_MSR, msr_bits);
        set_reg(PHV_REG_PPC_NIP, nip_ea ? nip_ea : gpa);
        run_to_done();
        const uint64_t vec = gpr(30) << 4;
        return vec == 0xc00 ? 0 : vec;
    }
    // An hcall with up to 8 arguments from r4; returns r3, the results stay in r4...
    int64_t hcall(uint64_t nr, std::initializer_list<uint64_t> args) {
        resume();
        unsigned i = 4;
        for (uint64_t a : args)
            set_gpr(i++, a);
        for (; i <= 11; ++i)
            set_gpr(i, 0);
        run_at({addi(3, 0, int32_t(nr)), sc(1), mr(20, 3)}, kMsrReal);
        return int64_t(gpr(20));
    }
    int64_t enter(uint64_t flags, uint64_t index, uint64_t v, uint64_t r) {
        return hcall(phv::kH_ENTER, {flags, index, v, r});
    }
    void slb(const Seg &s, unsigned index) {
        set_gpr(5, s.rb() | index), set_gpr(6, s.rs());
        ASSERT_EQ(run_at({slbmte(6, 5)}, kMsrReal), 0u);
    }
    // Maps the page of ea (actual size 2^shift) at gpa with PP bits etc. in `r_bits`; returns the HPTE index.
    uint64_t map(const Seg &s, uint64_t ea, uint64_t gpa, unsigned shift, uint64_t r_bits, uint64_t lp = 0) {
        const bool large = shift != 12;
        EXPECT_EQ(enter(0, s.group(ea), s.v(ea, large), (gpa & ~((1ull << shift) - 1)) | lp << 12 | r_bits), 0);
        return gpr(4);
    }
    uint64_t dar() { return reg(PHV_REG_PPC_DAR); }
    uint64_t dsisr() { return reg(PHV_REG_PPC_DSISR); }
    uint64_t srr1() { return reg(PHV_REG_PPC_SRR1); }
    uint64_t hpte_r(uint64_t index) {
        EXPECT_EQ(hcall(phv::kH_READ, {0, index}), 0);
        return gpr(5);
    }
    void put(uint64_t gpa, uint64_t val) { std::memcpy(ram + gpa, &val, 8); }
    uint64_t get(uint64_t gpa) {
        uint64_t v;
        std::memcpy(&v, ram + gpa, 8);
        return v;
    }
    const phv::mmu::TlbEntry *tlb(Access a, uint64_t ea, uint64_t msr_bits = kMsrData) {
        return v().mmu_.tlb->lookup(a, ea, phv::mmu::Tlb::context(msr_bits, v().mmu_.key_context));
    }
};

const Seg kSeg{0xc000000000000000ull, 0x123456};
constexpr uint64_t kEa = 0xc000000001234000ull;

// The data address is in r25, which the hcall helper leaves alone (it passes arguments in r4..r11).
std::initializer_list<uint32_t> load_ea() { static const auto p = {addi(6, 0, -1), ld(6, 25, 0)}; return p; }
std::initializer_list<uint32_t> store_ea() { static const auto p = {std_(6, 25, 0)}; return p; }

// ---- the C ABI -------------------------------------------------------------------------------------------

TEST(HashApi, AllocateHtabOrders) {
    GuestCode g;
    EXPECT_EQ(phv_vm_allocate_htab(g.vm, 17), -EINVAL);
    EXPECT_EQ(phv_vm_allocate_htab(g.vm, 47), -EINVAL);
    EXPECT_EQ(phv_vm_allocate_htab(nullptr, 18), -EFAULT);
    EXPECT_EQ(phv_vm_allocate_htab(g.vm, 18), 0);
    EXPECT_EQ(phv_vm_allocate_htab(g.vm, 30), 0);   // 1 GiB of address space, untouched
    auto &hpt = reinterpret_cast<phv::Vcpu *>(g.vcpu)->vm().mmu().hpt;
    EXPECT_EQ(hpt.order(), 30u);
    EXPECT_EQ(hpt.entries(), 1ull << 26);
}

TEST(HashApi, SameOrderClearsTheTableAndSwitchesToHash) {
    Hash g;
    const uint64_t idx = g.map(kSeg, kEa, 0x5000, 12, kM | 2);
    EXPECT_NE(g.hpte_r(idx), 0u);
    EXPECT_EQ(phv_vm_allocate_htab(g.vm, kOrder), 0);
    EXPECT_EQ(g.hcall(phv::kH_READ, {0, idx}), 0);
    EXPECT_EQ(g.gpr(4), 0u);
    EXPECT_EQ(g.gpr(5), 0u);
}

TEST(HashApi, DefaultTableAtFirstRun) {
    GuestCode g;
    g.load(with_done({addi(3, 0, int32_t(phv::kH_READ)), sc(1), mr(20, 3)}));
    g.set_gpr(4, 0), g.set_gpr(5, (1ull << 20) - 1);   // the last entry of a 2^24-byte table
    g.run_to_done();
    EXPECT_EQ(g.gpr(20), 0u);
    EXPECT_EQ(reinterpret_cast<phv::Vcpu *>(g.vcpu)->vm().mmu().hpt.order(), 24u);
}

TEST(HashApi, SmmuInfoIsKvmsPower9Geometry) {
    GuestCode g;
    phv_ppc_smmu_info info;
    EXPECT_EQ(phv_vm_get_smmu_info(g.vm, nullptr), -EFAULT);
    ASSERT_EQ(phv_vm_get_smmu_info(g.vm, &info), 0);
    EXPECT_EQ(info.flags, uint64_t(PHV_PPC_PAGE_SIZES_REAL | PHV_PPC_1T_SEGMENTS));
    EXPECT_EQ(info.slb_size, 32u);
    EXPECT_EQ(info.data_keys, 32u);
    EXPECT_EQ(info.instr_keys, 32u);
    EXPECT_EQ(info.sps[0].page_shift, 12u);
    EXPECT_EQ(info.sps[0].slb_enc, 0u);
    EXPECT_EQ(info.sps[0].enc[1].page_shift, 24u);
    EXPECT_EQ(info.sps[0].enc[1].pte_enc, 0x38u);
    EXPECT_EQ(info.sps[0].enc[2].page_shift, 0u);   // no 64K pages in 4K segments, as KVM
    EXPECT_EQ(info.sps[1].slb_enc, 0x110u);
    EXPECT_EQ(info.sps[1].enc[0].pte_enc, 1u);
    EXPECT_EQ(info.sps[1].enc[1].pte_enc, 8u);
    EXPECT_EQ(info.sps[2].page_shift, 24u);
    EXPECT_EQ(info.sps[2].slb_enc, 0x100u);
    EXPECT_EQ(info.sps[3].page_shift, 0u);
}

// ---- SLB instructions ------------------------------------------------------------------------------------

TEST(Slb, MoveToAndFromAndFind) {
    Hash g;
    g.slb(kSeg, 5);
    g.set_gpr(5, 5), g.set_gpr(7, 0xc000000001234567ull), g.set_gpr(9, 0xd000000000000000ull);
    EXPECT_EQ(g.run_at({slbmfee(10, 5), slbmfev(11, 5), slbfee(12, 7), mfcr(13), slbfee(14, 9), mfcr(15)},
                       kMsrReal), 0u);
    EXPECT_EQ(g.gpr(10), kSeg.rb());
    EXPECT_EQ(g.gpr(11), kSeg.rs());
    EXPECT_EQ(g.gpr(12), kSeg.rs());
    EXPECT_EQ(g.gpr(13) >> 28, 2u);   // CR0 = EQ
    EXPECT_EQ(g.gpr(14), 0u);
    EXPECT_EQ(g.gpr(15) >> 28, 0u);
}

TEST(Slb, BadOperandsAreIllegal) {
    Hash g;
    const uint64_t illegal = phv::srr1::kIllegal;
    g.set_gpr(5, kSeg.rb() | 32), g.set_gpr(6, kSeg.rs());
    EXPECT_EQ(g.run_at({slbmte(6, 5)}, kMsrReal), 0x700u);
    EXPECT_EQ(g.srr1() & illegal, illegal);
    g.set_gpr(5, kSeg.rb()), g.set_gpr(6, kSeg.rs() | 0x20);   // L=0, LP=10: no such base size
    EXPECT_EQ(g.run_at({slbmte(6, 5)}, kMsrReal), 0x700u);
    g.set_gpr(6, kSeg.rs() | (2ull << 62));   // B = 10
    EXPECT_EQ(g.run_at({slbmte(6, 5)}, kMsrReal), 0x700u);
    g.set_gpr(5, kSeg.rb() | 0x1000);          // reserved RB bit
    EXPECT_EQ(g.run_at({slbmte(6, 5)}, kMsrReal), 0x700u);
    g.set_gpr(5, 40);
    EXPECT_EQ(g.run_at({slbmfee(6, 5)}, kMsrReal), 0x700u);
    EXPECT_EQ(g.run_at({slbmfev(6, 5)}, kMsrReal), 0x700u);
    // Problem state: privileged instruction.
    g.set_gpr(5, 0);
    EXPECT_EQ(g.run_at({slbmfee(6, 5)}, kMsrReal | msr::PR), 0x700u);
    EXPECT_EQ(g.srr1() & phv::srr1::kPrivileged, phv::srr1::kPrivileged);
}

TEST(Slb, SlbiaVariants) {
    Hash g;
    Seg user{0x0000000010000000ull, 0x77, false, 12, kSlbC};
    Seg kern0 = kSeg;
    Seg kern1{0xd000000000000000ull, 0x99};
    auto valid = [&](unsigned i) {
        g.set_gpr(5, i);
        g.run_at({slbmfee(6, 5)}, kMsrReal);
        return (g.gpr(6) & kEsidV) != 0;
    };
    auto fill = [&] { g.slb(kern0, 0), g.slb(kern1, 1), g.slb(user, 2); };
    fill();
    EXPECT_EQ(g.run_at({slbia(0)}, kMsrReal), 0u);
    EXPECT_TRUE(valid(0));
    EXPECT_FALSE(valid(1));
    EXPECT_FALSE(valid(2));
    fill();
    EXPECT_EQ(g.run_at({slbia(3)}, kMsrReal), 0u);   // class 1 only, entry 0 included
    EXPECT_TRUE(valid(0));
    EXPECT_TRUE(valid(1));
    EXPECT_FALSE(valid(2));
    fill();
    EXPECT_EQ(g.run_at({slbia(4)}, kMsrReal), 0u);
    EXPECT_FALSE(valid(0));
    EXPECT_FALSE(valid(1));
    fill();
    EXPECT_EQ(g.run_at({slbia(7)}, kMsrReal), 0u);
    EXPECT_TRUE(valid(0) && valid(1) && valid(2));
    g.set_gpr(5, 0xd000000000001000ull);
    EXPECT_EQ(g.run_at({slbie(5)}, kMsrReal), 0u);
    EXPECT_FALSE(valid(1));
    EXPECT_TRUE(valid(0));
    g.set_gpr(5, 0x10000000ull);
    EXPECT_EQ(g.run_at({slbieg(0, 5)}, kMsrReal), 0u);
    EXPECT_FALSE(valid(2));
}

// ---- translation -------------------------------------------------------------------------------------------

TEST(HashTranslate, EachPageSizeAndSegmentSize) {
    struct Case {
        Seg seg;
        uint64_t ea, gpa;
        unsigned shift;
        uint64_t lp;
    } cases[] = {
        {kSeg, 0xc000000001234000ull, 0x6000, 12, 0},
        {{0xc000000000000000ull, 0x2222, false, 16}, 0xc000000005670000ull, 0x50000, 16, 0x1},
        {{0xc000000000000000ull, 0x4444, false, 24}, 0xc000000003000000ull, 0x0, 24, 0x0},
        {{0xc000000000000000ull, 0x5555, false, 16}, 0xc000000004000000ull, 0x0, 24, 0x8},
        {{0xc000000000000000ull, 0x6666, false, 12}, 0xc000000009000000ull, 0x0, 24, 0x38},
        {{0xc000010000000000ull, 0x7777, true, 12}, 0xc000012345678000ull, 0x8000, 12, 0},      // 1T
        {{0xc000020000000000ull, 0x8888, true, 16}, 0xc0000200abcd0000ull, 0x90000, 16, 0x1},
    };
    for (const Case &c : cases) {
        Hash g;
        g.slb(c.seg, 3);
        const uint64_t off = c.shift == 24 ? 0xabcd8 : 0x7f8;
        const uint64_t ea = c.ea + (off & ((1ull << c.shift) - 1));
        // The hash is of the page number at the segment's base size, so a large page in a smaller-base
        // segment needs an entry per base page touched (Linux's THP keeps one per 64K piece).
        const uint64_t idx = g.map(c.seg, ea, c.gpa, c.shift, kM | 2, c.lp);
        g.put(c.gpa + (ea & ((1ull << c.shift) - 1)), 0x1122334455667788ull ^ c.shift);
        g.set_gpr(25, ea);
        EXPECT_EQ(g.run_at(load_ea()), 0u) << c.shift;
        EXPECT_EQ(g.gpr(6), 0x1122334455667788ull ^ c.shift) << std::hex << c.ea;
        EXPECT_EQ(g.hpte_r(idx) & (kR | kC), kR) << std::hex << c.ea;
        g.set_gpr(6, 0xfeed);
        EXPECT_EQ(g.run_at(store_ea()), 0u);
        EXPECT_EQ(g.get(c.gpa + (ea & ((1ull << c.shift) - 1))), 0xfeedu);
        EXPECT_EQ(g.hpte_r(idx) & (kR | kC), kR | kC);
    }
}

TEST(HashTranslate, SecondaryGroupAndLargePageOutsideItsSegmentSize) {
    Hash g;
    g.slb(kSeg, 0);
    // Secondary hash.
    ASSERT_EQ(g.enter(0, kSeg.group(kEa, true), kSeg.v(kEa, false, true), 0x6000 | kM | 2), 0);
    g.put(0x6010, 42);
    g.set_gpr(25, kEa + 0x10);
    EXPECT_EQ(g.run_at(load_ea()), 0u);
    EXPECT_EQ(g.gpr(6), 42u);
    // A 64K PTE (LP=1, 64K base) in a 4K segment is not a match: no PTE.
    const uint64_t ea2 = 0xc000000002000000ull;
    ASSERT_EQ(g.enter(0, kSeg.group(ea2), kSeg.v(ea2, true), 0x10000 | 0x1000 | kM | 2), 0);
    g.set_gpr(25, ea2);
    EXPECT_EQ(g.run_at(load_ea()), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x40000000u);
    // A 64K page in a 4K segment (LP=7) is not offered (as under KVM): H_ENTER refuses it.
    EXPECT_EQ(g.enter(0, kSeg.group(ea2), kSeg.v(ea2, true), 0x10000 | 0x7000 | kM | 2), kH_PARAMETER);
}

TEST(HashFaults, SegmentAndNoPte) {
    Hash g;
    g.set_gpr(25, kEa + 8);
    EXPECT_EQ(g.run_at(load_ea()), 0x380u);
    EXPECT_EQ(g.dar(), kEa + 8);
    g.slb(kSeg, 0);
    EXPECT_EQ(g.run_at(load_ea()), 0x300u);
    EXPECT_EQ(g.dar(), kEa + 8);
    EXPECT_EQ(g.dsisr(), 0x40000000u);
    g.set_gpr(6, 1);
    EXPECT_EQ(g.run_at(store_ea()), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x42000000u);
    // An access crossing into an unmapped page reports the first byte of that page.
    g.map(kSeg, kEa, 0x6000, 12, kM | 2);
    g.set_gpr(25, kEa + 0xffc);
    EXPECT_EQ(g.run_at(load_ea()), 0x300u);
    EXPECT_EQ(g.dar(), kEa + 0x1000);
    // Instruction segment and instruction storage (no PTE) interrupts.
    EXPECT_EQ(g.run_at({}, kMsrReal | msr::IR, 0xe000000000000000ull), 0x480u);
    EXPECT_EQ(g.run_at({}, kMsrReal | msr::IR, 0xc000000000500000ull), 0x400u);
    EXPECT_EQ(g.srr1() & 0x78000000u, 0x40000000u);
}

TEST(HashFaults, PpKeysAndPrivilege) {
    struct Case {
        uint64_t pp;       // PP0 PP1 PP2
        bool kp, ks;
        bool pr;
        bool load_ok, store_ok;
    } cases[] = {
        {0, false, false, false, true, true},  {3, false, false, false, true, false},
        {6, false, false, false, true, false}, {4, false, false, false, false, false},
        {0, true, true, true, false, false},   {1, true, true, true, true, false},
        {2, true, true, true, true, true},     {3, true, true, true, true, false},
        {6, true, true, true, false, false},   {0, true, false, false, true, true},   // Ks=0 for privileged
    };
    for (const Case &c : cases) {
        Hash g;
        Seg s = kSeg;
        s.flags = (c.kp ? kKp : 0) | (c.ks ? kKs : 0);
        g.slb(s, 0);
        const uint64_t r = 0x6000 | kM | (c.pp & 3) | ((c.pp & 4) ? kPP0 : 0);
        g.map(s, kEa, 0x6000, 12, r);
        const uint64_t msr_bits = kMsrData | (c.pr ? msr::PR : 0);
        g.set_gpr(25, kEa);
        EXPECT_EQ(g.run_at(load_ea(), msr_bits), c.load_ok ? 0u : 0x300u) << c.pp << c.kp << c.pr;
        if (!c.load_ok)
            EXPECT_EQ(g.dsisr(), 0x08000000u);
        EXPECT_EQ(g.run_at(store_ea(), msr_bits), c.store_ok ? 0u : 0x300u) << c.pp << c.kp << c.pr;
        if (!c.store_ok)
            EXPECT_EQ(g.dsisr(), 0x0a000000u);
    }
}

TEST(HashFaults, AmrIamrAndNoExecute) {
    Hash g;
    g.slb(kSeg, 0);
    // Key 5: KEY_LO holds key bits 2:4 (0b101 -> 0xa00).
    const uint64_t key5 = 0xa00;
    g.map(kSeg, kEa, 0x6000, 12, kM | 2 | key5);
    g.set_gpr(25, kEa);
    g.set_gpr(7, 1ull << (63 - 11));   // AMR bit 11: key 5 read denied
    EXPECT_EQ(g.run_at({mtspr(kAmr, 7), addi(6, 0, -1), ld(6, 25, 0)}), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x00200000u);
    g.set_gpr(7, 1ull << (63 - 10));   // AMR bit 10: key 5 write denied; loads work again
    EXPECT_EQ(g.run_at({mtspr(kAmr, 7), ld(6, 25, 0)}), 0u);
    EXPECT_EQ(g.run_at({std_(6, 25, 0)}), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x02200000u);
    // Back to a former AMR value: its TLB context is reused and still right.
    g.set_gpr(7, 1ull << (63 - 11));
    EXPECT_EQ(g.run_at({mtspr(kAmr, 7), addi(6, 0, -1), ld(6, 25, 0)}), 0x300u);
    g.set_gpr(7, 0);
    EXPECT_EQ(g.run_at({mtspr(kAmr, 7), ld(6, 25, 0), std_(6, 25, 0)}), 0u);

    // Fetches: code mapped at 0xc000000000020000 (the code pages).
    for (uint64_t page = 0x20000; page < 0x22000; page += 0x1000)
        g.map(kSeg, 0xc000000000000000ull | page, page, 12, kM | 2 | key5);
    const uint64_t virt = kMsrReal | msr::IR | msr::DR;
    const uint64_t code = g.code_gpa;
    EXPECT_EQ(g.run_at({addi(20, 0, 1)}, virt, 0xc000000000000000ull | code), 0u);
    EXPECT_EQ(g.gpr(20), 1u);
    g.set_reg(PHV_REG_PPC_IAMR, 1ull << (63 - 11));
    EXPECT_EQ(g.run_at({}, virt, 0xc000000000000000ull | g.code_gpa), 0x400u);
    EXPECT_EQ(g.srr1() & 0x78200000u, 0x00200000u);
    g.set_reg(PHV_REG_PPC_IAMR, 0);
    // N in the PTE, G in the PTE, N in the SLB.
    const uint64_t nx = 0xc000000000100000ull, guarded = 0xc000000000101000ull;
    g.map(kSeg, nx, 0x21000, 12, kM | 2 | kN);
    g.map(kSeg, guarded, 0x21000, 12, kM | 2 | kG);
    EXPECT_EQ(g.run_at({}, virt, nx), 0x400u);
    EXPECT_EQ(g.srr1() & 0x78200000u, 0x10000000u);
    EXPECT_EQ(g.run_at({}, virt, guarded), 0x400u);
    EXPECT_EQ(g.srr1() & 0x78200000u, 0x10000000u);
    Seg noexec{0xd000000000000000ull, 0x4321, false, 12, kSlbN};
    g.slb(noexec, 1);
    g.map(noexec, 0xd000000000020000ull, 0x20000, 12, kM | 2);
    EXPECT_EQ(g.run_at({}, virt, 0xd000000000020000ull), 0x400u);
    EXPECT_EQ(g.srr1() & 0x78200000u, 0x10000000u);
    // pp=3 with Kp=1 in problem state is readable, so executable; pp=0 with Kp=1 is neither: protection.
    Seg user{0x0000000010000000ull, 0x99, false, 12, kKp};
    g.slb(user, 2);
    g.map(user, 0x10020000ull, 0x20000, 12, kM | 0);
    EXPECT_EQ(g.run_at({}, virt | msr::PR, 0x10020000ull), 0x400u);
    EXPECT_EQ(g.srr1() & 0x78200000u, 0x08000000u);
}

// ---- the hcalls ---------------------------------------------------------------------------------------------

TEST(HptHcalls, EnterChecksAndPlacement) {
    Hash g;
    const uint64_t grp = kSeg.group(kEa), v = kSeg.v(kEa, false);
    EXPECT_EQ(g.enter(0, 1ull << 14, v, 0x6000 | kM), kH_PARAMETER);           // beyond the table
    EXPECT_EQ(g.enter(0, grp, v | kL, 0x8000 | 0x3000 | kM), kH_PARAMETER);    // LP that names no size
    EXPECT_EQ(g.enter(0, grp, v | (2ull << 62), 0x6000 | kM), kH_PARAMETER);   // B = 10
    // A 16M page in RAM or entirely outside it (I/O) is accepted; one that is partly RAM is refused.
    EXPECT_EQ(g.enter(0, grp, v | kL, 0x00000000 | kM), 0);   // LP=0: 16M in a 16M segment
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {0, g.gpr(4), 0}), 0);
    EXPECT_EQ(g.enter(0, grp, v | kL, 0x01000000 | 0x20), 0);
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {0, g.gpr(4), 0}), 0);
    alignas(4096) static uint8_t extra[4096];
    const phv_userspace_memory_region r{1, 0, 0x02000000, sizeof extra, uint64_t(uintptr_t(extra))};
    ASSERT_EQ(phv_set_user_memory_region(g.vm, &r), 0);
    EXPECT_EQ(g.enter(0, grp, v | kL, 0x02000000 | kM), kH_PARAMETER);
    // Without H_EXACT the first free slot of the group is used, whatever slot was named.
    for (unsigned i = 0; i < 8; ++i) {
        EXPECT_EQ(g.enter(0, grp + 3, v, (0x6000 + i * 0x1000) | kM), 0);
        EXPECT_EQ(g.gpr(4), grp + i);
    }
    EXPECT_EQ(g.enter(0, grp, v, 0x6000 | kM), kH_PTEG_FULL);
    EXPECT_EQ(g.enter(kH_EXACT, grp + 5, v, 0x6000 | kM), kH_PTEG_FULL);
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {0, grp + 5, 0}), 0);
    EXPECT_EQ(g.enter(kH_EXACT, grp + 5, v & ~kV, 0x9000 | kM), 0);   // V is the hypervisor's: set anyway
    EXPECT_EQ(g.gpr(4), grp + 5);
    EXPECT_EQ(g.hcall(phv::kH_READ, {0, grp + 5}), 0);
    EXPECT_EQ(g.gpr(4), v);
    EXPECT_EQ(g.gpr(5), 0x9000 | kM);
}

TEST(HptHcalls, ZeroPage) {
    Hash g;
    g.put(0x7008, 0x55);
    EXPECT_EQ(g.enter(kH_ZERO_PAGE, kSeg.group(kEa), kSeg.v(kEa, false), 0x7000 | kM), 0);
    EXPECT_EQ(g.get(0x7008), 0u);
}

TEST(HptHcalls, ReadAndRead4) {
    Hash g;
    const uint64_t grp = kSeg.group(kEa), v = kSeg.v(kEa, false);
    for (unsigned i = 0; i < 3; ++i)
        g.enter(0, grp, v, (0x6000 + i * 0x1000) | kM);
    EXPECT_EQ(g.hcall(phv::kH_READ, {kH_READ_4, grp + 2}), 0);
    EXPECT_EQ(g.gpr(4), v);
    EXPECT_EQ(g.gpr(5), 0x6000 | kM);
    EXPECT_EQ(g.gpr(9), 0x8000 | kM);
    EXPECT_EQ(g.gpr(10), 0u);
    EXPECT_EQ(g.hcall(phv::kH_READ, {0, 1ull << 14}), kH_PARAMETER);
}

TEST(HptHcalls, RemoveConditionsAndTlb) {
    Hash g;
    g.slb(kSeg, 0);
    const uint64_t idx = g.map(kSeg, kEa, 0x6000, 12, kM | 2);
    const uint64_t v = kSeg.v(kEa, false);
    g.set_gpr(25, kEa);
    g.set_gpr(6, 7);
    EXPECT_EQ(g.run_at(store_ea()), 0u);
    ASSERT_NE(g.tlb(Access::Store, kEa), nullptr);
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {kH_AVPN, idx, (v & ~0x7full) ^ 0x80}), kH_NOT_FOUND);
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {kH_ANDCOND, idx, kV}), kH_NOT_FOUND);
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {kH_AVPN, 1ull << 14, 0}), kH_PARAMETER);
    EXPECT_NE(g.tlb(Access::Store, kEa), nullptr);   // nothing removed, nothing dropped
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {kH_AVPN, idx, v & ~0x7full}), 0);
    EXPECT_EQ(g.gpr(4), v);
    EXPECT_EQ(g.gpr(5), 0x6000 | kM | 2 | kR | kC);
    EXPECT_EQ(g.tlb(Access::Store, kEa), nullptr);
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {0, idx, 0}), kH_NOT_FOUND);
    EXPECT_EQ(g.run_at(load_ea()), 0x300u);
}

TEST(HptHcalls, ProtectDropsTheTranslation) {
    Hash g;
    g.slb(kSeg, 0);
    const uint64_t idx = g.map(kSeg, kEa, 0x6000, 12, kM | 2);
    g.set_gpr(25, kEa), g.set_gpr(6, 1);
    EXPECT_EQ(g.run_at(store_ea()), 0u);
    EXPECT_EQ(g.hcall(phv::kH_PROTECT, {kH_AVPN | 3, idx, 0}), kH_NOT_FOUND);
    // PP = 011 (read-only), N, key 0b10101 (KEY_HI = 10, KEY_LO = 101).
    EXPECT_EQ(g.hcall(phv::kH_PROTECT, {3 | 4 | 0x2000 | 0xa00, idx, 0}), 0);
    EXPECT_EQ(g.hpte_r(idx), 0x2000000000006000ull | kM | 3 | kN | 0xa00 | kR | kC);
    EXPECT_EQ(g.run_at(store_ea()), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x0a000000u);
    EXPECT_EQ(g.run_at(load_ea()), 0u);
    EXPECT_EQ(g.hcall(phv::kH_PROTECT, {0x100, idx, 0}), 0);   // PP0 set, PP1:2 = 00: 100, no access
    EXPECT_EQ(g.run_at(load_ea()), 0x300u);
}

TEST(HptHcalls, BulkRemove) {
    Hash g;
    const uint64_t grp = kSeg.group(kEa), v = kSeg.v(kEa, false);
    for (unsigned i = 0; i < 3; ++i)
        g.enter(0, grp, v, (0x6000 + i * 0x1000) | kM | (i == 1 ? kR | kC : 0));
    const uint64_t req = 1ull << 62, absolute = 0, andcond = 1ull << 56, avpn = 2ull << 56;
    EXPECT_EQ(g.hcall(phv::kH_BULK_REMOVE,
                      {req | absolute | grp, 0, req | avpn | (grp + 1), v & ~0x7full, req | andcond | (grp + 2), kV,
                       3ull << 62, 0}),
              0);
    EXPECT_EQ(g.gpr(4), (0x80ull << 56) | grp);
    EXPECT_EQ(g.gpr(6), (0x82ull << 56) | (3ull << 58) | (grp + 1));   // R and C in bits 4:5
    EXPECT_EQ(g.gpr(8), (0x91ull << 56) | (grp + 2));                  // ANDCOND failed: not found
    EXPECT_EQ(g.hcall(phv::kH_READ, {kH_READ_4, grp}), 0);
    EXPECT_EQ(g.gpr(4), 0u);
    EXPECT_EQ(g.gpr(6), 0u);
    EXPECT_EQ(g.gpr(8), v);
    // A bad type or index ends the list with H_PARAMETER and a parameter response.
    EXPECT_EQ(g.hcall(phv::kH_BULK_REMOVE, {req | (1ull << 14), 0, req | grp + 2, 0}), kH_PARAMETER);
    EXPECT_EQ(g.gpr(4), (0xa0ull << 56) | (1ull << 14));
    EXPECT_EQ(g.gpr(6), req | (grp + 2));   // not looked at
    EXPECT_EQ(g.hcall(phv::kH_BULK_REMOVE, {req | (3ull << 56) | grp, 0}), kH_PARAMETER);
}

TEST(HptHcalls, ClearRefAndMod) {
    Hash g;
    g.slb(kSeg, 0);
    const uint64_t idx = g.map(kSeg, kEa, 0x6000, 12, kM | 2);
    g.set_gpr(25, kEa), g.set_gpr(6, 1);
    EXPECT_EQ(g.run_at(store_ea()), 0u);
    EXPECT_EQ(g.hcall(phv::kH_CLEAR_MOD, {0, idx}), 0);
    EXPECT_EQ(g.gpr(4) & (kR | kC), kR | kC);
    EXPECT_EQ(g.hpte_r(idx) & (kR | kC), kR);
    EXPECT_EQ(g.tlb(Access::Store, kEa), nullptr);
    EXPECT_EQ(g.run_at(load_ea()), 0u);
    EXPECT_EQ(g.hpte_r(idx) & (kR | kC), kR);    // a load does not set C
    EXPECT_EQ(g.run_at(store_ea()), 0u);
    EXPECT_EQ(g.hpte_r(idx) & (kR | kC), kR | kC);
    EXPECT_EQ(g.hcall(phv::kH_CLEAR_REF, {0, idx}), 0);
    EXPECT_EQ(g.hpte_r(idx) & (kR | kC), kC);
    EXPECT_EQ(g.tlb(Access::Load, kEa), nullptr);
    EXPECT_EQ(g.run_at(load_ea()), 0u);
    EXPECT_EQ(g.hpte_r(idx) & (kR | kC), kR | kC);
    EXPECT_EQ(g.hcall(phv::kH_CLEAR_REF, {0, idx ^ 1}), kH_NOT_FOUND);
    EXPECT_EQ(g.hcall(phv::kH_CLEAR_MOD, {0, 1ull << 14}), kH_PARAMETER);
}

TEST(HptHcalls, RadixPartitionHasNone) {
    Hash g;
    // H_REGISTER_PROC_TBL radix: the HPT hcalls become H_FUNCTION, as under KVM.
    EXPECT_EQ(g.hcall(phv::kH_REGISTER_PROC_TBL, {0x10 | 0x08 | 0x04, 0x100000, 0, 0}), 0);
    EXPECT_EQ(g.hcall(phv::kH_READ, {0, 0}), kH_FUNCTION);
    // Allocating the HTAB again switches back to hash.
    EXPECT_EQ(phv_vm_allocate_htab(g.vm, kOrder), 0);
    EXPECT_EQ(g.hcall(phv::kH_READ, {0, 0}), 0);
}

// ---- the TLB: targeted invalidation --------------------------------------------------------------------------

TEST(HashTlb, TlbielVaSlbieAndSlbmteDropOnlyWhatTheyName) {
    Hash g;
    Seg other{0xd000000000000000ull, 0x4321};
    g.slb(kSeg, 0);
    g.slb(other, 1);
    const uint64_t ea2 = kEa + 0x1000, ea3 = 0xd000000000042000ull;
    g.map(kSeg, kEa, 0x6000, 12, kM | 2);
    g.map(kSeg, ea2, 0x7000, 12, kM | 2);
    g.map(other, ea3, 0x8000, 12, kM | 2);
    auto touch = [&] {
        g.set_gpr(25, kEa), g.set_gpr(7, ea2), g.set_gpr(8, ea3);
        EXPECT_EQ(g.run_at({ld(6, 25, 0), ld(6, 7, 0), ld(6, 8, 0)}), 0u);
        EXPECT_NE(g.tlb(Access::Load, kEa), nullptr);
        EXPECT_NE(g.tlb(Access::Load, ea2), nullptr);
        EXPECT_NE(g.tlb(Access::Load, ea3), nullptr);
    };
    touch();
    // tlbiel of the VA of kEa (4K: RB = VA & ~0xfff, low 64 bits).
    const uint64_t va = (kSeg.vsid << 28) | (kEa & 0xfffffff);
    g.set_gpr(9, va);
    EXPECT_EQ(g.run_at({tlbiel(9)}), 0u);
    EXPECT_EQ(g.tlb(Access::Load, kEa), nullptr);
    EXPECT_NE(g.tlb(Access::Load, ea2), nullptr);
    EXPECT_NE(g.tlb(Access::Load, ea3), nullptr);
    touch();
    g.set_gpr(9, ea3);
    EXPECT_EQ(g.run_at({slbie(9)}), 0u);
    EXPECT_EQ(g.tlb(Access::Load, ea3), nullptr);
    EXPECT_NE(g.tlb(Access::Load, kEa), nullptr);
    EXPECT_NE(g.tlb(Access::Load, ea2), nullptr);
    EXPECT_EQ(g.run_at(load_ea()), 0u);
    g.set_gpr(25, ea3);
    EXPECT_EQ(g.run_at(load_ea()), 0x380u);
    // slbmte over a valid entry drops what that entry translated.
    g.slb(other, 1);
    touch();
    g.slb(Seg{0xe000000000000000ull, 0x1}, 0);   // replaces kSeg's entry
    EXPECT_EQ(g.tlb(Access::Load, kEa), nullptr);
    EXPECT_EQ(g.tlb(Access::Load, ea2), nullptr);
    EXPECT_NE(g.tlb(Access::Load, ea3), nullptr);
}

TEST(HashTlb, DecodeHashTlbie) {
    phv::mmu::Invalidation inv;
    ASSERT_TRUE(phv::mmu::decode_tlbie({0x123456789000ull, 0, 0, 0, 0}, inv));
    EXPECT_EQ(inv.scope, phv::mmu::Invalidation::Scope::Va);
    EXPECT_EQ(inv.shift, 12u);
    EXPECT_EQ(inv.ea, 0x123456789000ull);
    ASSERT_TRUE(phv::mmu::decode_tlbie({0x123456780000ull | 0x1000 | 1, 0, 0, 0, 0}, inv));
    EXPECT_EQ(inv.shift, 16u);
    ASSERT_TRUE(phv::mmu::decode_tlbie({0x123456780000ull | 0x7000 | 1, 0, 0, 0, 0}, inv));
    EXPECT_EQ(inv.shift, 16u);
    EXPECT_EQ(inv.ea, 0x123456780000ull);
    ASSERT_TRUE(phv::mmu::decode_tlbie({0x123457000000ull | 0x38000 | 0xfe | 1, 0, 0, 0, 0}, inv));
    EXPECT_EQ(inv.shift, 24u);
    EXPECT_EQ(inv.ea, 0x123457000000ull);
    ASSERT_TRUE(phv::mmu::decode_tlbie({0x123456780000ull | 0x5000 | 1, 0, 0, 0, 0}, inv));
    EXPECT_EQ(inv.scope, phv::mmu::Invalidation::Scope::All);
    ASSERT_TRUE(phv::mmu::decode_tlbie({3 << 10, 0, 0, 0, 0}, inv));   // IS=3
    EXPECT_EQ(inv.scope, phv::mmu::Invalidation::Scope::All);
}

TEST(HashTlb, HpteVaRebuildsTheTlbieAddress) {
    // For each page size and segment size, the VA rebuilt from an HPTE's AVPN and group equals the EA's.
    struct Case {
        Seg seg;
        uint64_t ea;
        unsigned actual;
    } cases[] = {
        {kSeg, 0xc000000001234000ull, 12},
        {{0xc000000000000000ull, 0x2222, false, 16}, 0xc000000005670000ull, 16},
        {{0xc000000000000000ull, 0x6666, false, 12}, 0xc000000009000000ull, 24},
        {{0xc000010000000000ull, 0x7777, true, 12}, 0xc000012345678000ull, 12},
    };
    for (const Case &c : cases)
        for (bool secondary : {false, true}) {
            const uint64_t index = c.seg.group(c.ea, secondary) + 3;
            const uint64_t va = c.seg.one_tb ? (c.seg.vsid << 40) | (c.ea & ((1ull << 40) - 1))
                                             : (c.seg.vsid << 28) | (c.ea & 0xfffffff);
            EXPECT_EQ(phv::mmu::hpte_va(c.seg.v(c.ea, c.actual != 12, secondary), index, kGroupMask, c.seg.base,
                                        c.actual),
                      va & ~((1ull << c.actual) - 1))
                << std::hex << c.ea << secondary;
        }
}


// ---- HPT resize (PHV_PPC_RESIZE_HPT_PREPARE / _COMMIT, KVM's semantics) ---------------------------------------

constexpr uint64_t kBolted = 0x10;   // HPTE_V_BOLTED, a software bit of doubleword 0

// The group of a primary (or secondary) entry for ea in a table of 2^order bytes.
uint64_t group_in(const Seg &s, uint64_t ea, unsigned order, bool secondary = false) {
    const uint64_t off = ea & ((1ull << (s.one_tb ? 40 : 28)) - 1);
    uint64_t h = (s.one_tb ? s.vsid ^ (s.vsid << 25) : s.vsid) ^ (off >> s.base);
    return ((secondary ? ~h : h) & ((1ull << (order - 7)) - 1)) * 8;
}

TEST(HptResize, ArgumentsAndState) {
    Hash g;
    EXPECT_EQ(phv_vm_resize_hpt_prepare(g.vm, 1, 20), -EINVAL);
    EXPECT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, 17), -EINVAL);
    EXPECT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, 47), -EINVAL);
    EXPECT_EQ(phv_vm_resize_hpt_commit(g.vm, 0, 20), -ENXIO);   // nothing prepared
    EXPECT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, 19), 0);
    EXPECT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, 19), 0);        // the same again: ready
    EXPECT_EQ(phv_vm_resize_hpt_commit(g.vm, 0, 20), -ENXIO);   // another size: and the prepared one is gone
    EXPECT_EQ(phv_vm_resize_hpt_commit(g.vm, 0, 19), -ENXIO);
    EXPECT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, 19), 0);
    EXPECT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, 0), 0);         // cancel
    EXPECT_EQ(phv_vm_resize_hpt_commit(g.vm, 0, 19), -ENXIO);
    EXPECT_EQ(phv_vm_resize_hpt_prepare(nullptr, 0, 19), -EFAULT);
    // A radix partition has no HPT to resize.
    GuestCode radix;
    const phv_ppc_mmuv3_cfg cfg{PHV_PPC_MMUV3_RADIX, (1ull << 63) | 0x100000 | 4};
    ASSERT_EQ(phv_vm_configure_v3_mmu(radix.vm, &cfg), 0);
    EXPECT_EQ(phv_vm_resize_hpt_prepare(radix.vm, 0, 20), -EINVAL);
}

TEST(HptResize, BoltedEntriesMoveToTheirNewGroupsTheOthersGo) {
    struct Case {
        Seg seg;
        uint64_t ea, gpa;
        unsigned shift;
        uint64_t lp;
        bool secondary;
    } cases[] = {
        {kSeg, 0xc000000001234000ull, 0x6000, 12, 0, false},
        {kSeg, 0xc000000007654000ull, 0x7000, 12, 0, true},
        {{0xd000000000000000ull, 0x2222, false, 16}, 0xd000000005670000ull, 0x50000, 16, 0x1, false},
        {{0xe000000000000000ull, 0x4444, false, 24}, 0xe000000003000000ull, 0x0, 24, 0x0, false},
        {{0xc000010000000000ull, 0x7777, true, 12}, 0xc000012345678000ull, 0x8000, 12, 0, true},
    };   // (one segment each: the SLB finds the first entry that covers an EA)
    for (unsigned to : {20u, 18u}) {   // grow 2^19 -> 2^20, and shrink 2^19 -> 2^18
        Hash g;
        ASSERT_EQ(phv_vm_allocate_htab(g.vm, 19), 0);
        unsigned slot_n = 0;
        std::vector<uint64_t> slots;
        for (const Case &c : cases) {
            g.slb(c.seg, slot_n++);
            const uint64_t v = c.seg.v(c.ea, c.shift != 12, c.secondary) | kBolted;
            const uint64_t r = (c.gpa & ~((1ull << c.shift) - 1)) | c.lp << 12 | kM | 2;
            ASSERT_EQ(g.enter(0, group_in(c.seg, c.ea, 19, c.secondary), v, r), 0);
            slots.push_back(g.gpr(4) & 7);
            g.put(c.gpa + (c.ea & ((1ull << c.shift) - 1)), c.ea);
            g.set_gpr(25, c.ea);
            ASSERT_EQ(g.run_at(load_ea()), 0u) << std::hex << c.ea;   // in the TLB now, and R set
        }
        // One entry that is not bolted.
        const uint64_t loose = 0xc000000002345000ull;
        ASSERT_EQ(g.enter(0, group_in(kSeg, loose, 19), kSeg.v(loose, false), 0x9000 | kM | 2), 0);
        g.set_gpr(25, loose);
        ASSERT_EQ(g.run_at(load_ea()), 0u);

        ASSERT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, to), 0);
        ASSERT_EQ(phv_vm_resize_hpt_commit(g.vm, 0, to), 0);
        for (size_t i = 0; i < std::size(cases); ++i) {
            const Case &c = cases[i];
            const uint64_t index = group_in(c.seg, c.ea, to, c.secondary) + slots[i];
            EXPECT_EQ(g.hcall(phv::kH_READ, {0, index}), 0);
            EXPECT_EQ(g.gpr(4), c.seg.v(c.ea, c.shift != 12, c.secondary) | kBolted) << std::hex << c.ea << to;
            EXPECT_EQ(g.gpr(5) & kR, kR);   // R and C travel with the entry
            g.set_gpr(25, c.ea);
            EXPECT_EQ(g.run_at(load_ea()), 0u) << std::hex << c.ea << to;
            EXPECT_EQ(g.gpr(6), c.ea);
        }
        g.set_gpr(25, loose);   // its TLB entry went with the old table
        EXPECT_EQ(g.run_at(load_ea()), 0x300u);
        EXPECT_EQ(g.dsisr(), 0x40000000u);
    }
}

TEST(HptResize, TwoBoltedEntriesInOneSlotOfTheSmallerTableFailTheCommit) {
    Hash g;
    ASSERT_EQ(phv_vm_allocate_htab(g.vm, 19), 0);
    g.slb(kSeg, 0);
    // Pages 2^12 groups apart hash to groups that differ only in the bit the 2^18 table drops.
    const uint64_t a = 0xc000000001234000ull, b = a + (1ull << (12 + 11));
    ASSERT_NE(group_in(kSeg, a, 19), group_in(kSeg, b, 19));
    ASSERT_EQ(group_in(kSeg, a, 18), group_in(kSeg, b, 18));
    ASSERT_EQ(g.enter(kH_EXACT, group_in(kSeg, a, 19) + 2, kSeg.v(a, false) | kBolted, 0x6000 | kM | 2), 0);
    ASSERT_EQ(g.enter(kH_EXACT, group_in(kSeg, b, 19) + 2, kSeg.v(b, false) | kBolted, 0x7000 | kM | 2), 0);
    ASSERT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, 18), 0);
    EXPECT_EQ(phv_vm_resize_hpt_commit(g.vm, 0, 18), -ENOSPC);
    g.put(0x6000, 0x5555);   // the old table still translates
    g.set_gpr(25, a);
    EXPECT_EQ(g.run_at(load_ea()), 0u);
    EXPECT_EQ(g.gpr(6), 0x5555u);
    EXPECT_EQ(phv_vm_resize_hpt_commit(g.vm, 0, 18), -ENXIO);   // the prepared table was used up
    // Slots 2 and 3: no collision, the commit goes through.
    ASSERT_EQ(g.hcall(phv::kH_REMOVE, {0, group_in(kSeg, b, 19) + 2, 0}), 0);
    ASSERT_EQ(g.enter(kH_EXACT, group_in(kSeg, b, 19) + 3, kSeg.v(b, false) | kBolted, 0x7000 | kM | 2), 0);
    ASSERT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, 18), 0);
    EXPECT_EQ(phv_vm_resize_hpt_commit(g.vm, 0, 18), 0);
}

// The commit holds a vcpu that keeps running (translating through the table) at a block boundary, swaps
// the tables under it, and lets it go on through the new one.
TEST(HptResize, CommitHoldsARunningVcpu) {
    Hash g;
    g.slb(kSeg, 0);
    const uint64_t ea = 0xc000000001234000ull;
    ASSERT_EQ(g.enter(0, group_in(kSeg, ea, kOrder), kSeg.v(ea, false) | kBolted, 0x6000 | kM | 2), 0);
    g.put(0x6000, 42);
    g.resume();
    g.set_gpr(25, ea);
    g.set_gpr(7, 0);
    const uint64_t code = g.next_code();
    g.load({ld(6, 25, 0), addi(7, 7, 1), b(-8)}, code);
    g.set_reg(PHV_REG_PPC_MSR, kMsrData);
    g.set_reg(PHV_REG_PPC_NIP, code);
    int rc = -1;
    std::thread runner([&] { rc = phv_vcpu_run(g.vcpu); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, 21), 0);
    EXPECT_EQ(phv_vm_resize_hpt_commit(g.vm, 0, 21), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    phv_vcpu_kick(g.vcpu);
    runner.join();
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(g.run_data->exit_reason, uint32_t(PHV_EXIT_INTR));
    EXPECT_GT(g.gpr(7), 0u);
    EXPECT_EQ(g.gpr(6), 42u);
    const uint64_t nip = g.reg(PHV_REG_PPC_NIP);
    EXPECT_TRUE(nip >= code && nip < code + 12) << std::hex << nip;   // still in its loop: no fault
}

// ---- VRMA (Book III 5.7.3.4; KVM's kvmppc_map_vrma) ---------------------------------------------------------

constexpr uint64_t kVpm0 = 1ull << 63, kVrmasd64K = 0x11ull << (63 - 16), kIleBit = 1ull << 25;
constexpr uint64_t kVrmaV = kB1T | 0x1ffffffull << 24;   // Linux's HPTE_V_VRMA_MASK

// The VRMA HPTE of 64K page i: slot 0 of group ~i.
uint64_t vrma_index(uint64_t page) { return (~page & kGroupMask) * 8; }

struct Vrma : Hash {
    Vrma() { set_reg(PHV_REG_PPC_LPCR_64, kIleBit | kVpm0); }
};

TEST(Vrma, HptesAreMadeAtTheFirstRunAndLpcrNamesTheirSize) {
    Vrma g;
    // GuestCode's 16 MiB slot at 0: 256 pages of 64K, each in slot 0 of its group, bolted, R and C set.
    for (uint64_t page : {0ull, 1ull, 0x9ull, 0xffull}) {
        ASSERT_EQ(g.hcall(phv::kH_READ, {0, vrma_index(page)}), 0);
        EXPECT_EQ(g.gpr(4), kVrmaV | ((page << 16) >> 16 & 0x3fffffffffffff80ull) | kBolted | kL | kV) << page;
        EXPECT_EQ(g.gpr(5), page << 16 | 0x1000 | kR | kC | kM) << page;
    }
    EXPECT_EQ(g.hcall(phv::kH_READ, {0, vrma_index(0x100)}), 0);   // past the slot: none
    EXPECT_EQ(g.gpr(4) & kV, 0u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_LPCR_64) & (kVpm0 | (0x1full << (63 - 16))), kVpm0 | kVrmasd64K);
    // A new table (KVM_PPC_ALLOCATE_HTAB) takes them; the next run makes them again.
    ASSERT_EQ(phv_vm_allocate_htab(g.vm, kOrder), 0);
    EXPECT_EQ(g.hcall(phv::kH_READ, {0, vrma_index(1)}), 0);
    EXPECT_EQ(g.gpr(4) & ~0x7full, kVrmaV);
    // Without VPM0 (the default) there are none: real mode is untranslated.
    Hash plain;
    EXPECT_EQ(plain.hcall(phv::kH_READ, {0, vrma_index(1)}), 0);
    EXPECT_EQ(plain.gpr(4), 0u);
}

TEST(Vrma, RealModeAccessesTranslateThroughItAndFaultWithoutAnEntry) {
    Vrma g;
    g.put(0x90008, 0x1234);
    g.set_reg(PHV_REG_PPC_AMR, ~0ull);   // keys do not apply to real mode
    g.set_gpr(25, 0x90008);
    EXPECT_EQ(g.run_at(load_ea(), kMsrReal), 0u);
    EXPECT_EQ(g.gpr(6), 0x1234u);
    g.set_gpr(25, 0xc000000000090008ull);   // the top EA bits are ignored, as in any real mode
    EXPECT_EQ(g.run_at(load_ea(), kMsrReal), 0u);
    EXPECT_EQ(g.gpr(6), 0x1234u);
    g.set_reg(PHV_REG_PPC_AMR, 0);
    // The guest removes the VRMA entry of page 9: the TLB forgets it, and real-mode accesses there fault
    // with the no-PTE cause, as KVM-HV reflects a VRMA miss.
    ASSERT_EQ(g.hcall(phv::kH_REMOVE, {0, vrma_index(9), 0}), 0);
    g.set_gpr(25, 0x90008);
    EXPECT_EQ(g.run_at(load_ea(), kMsrReal), 0x300u);
    EXPECT_EQ(g.dar(), 0x90008u);
    EXPECT_EQ(g.dsisr(), 0x40000000u);
    EXPECT_EQ(g.run_at(store_ea(), kMsrReal), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x42000000u);
    // An instruction fetch there: ISI, no-PTE in SRR1.
    EXPECT_EQ(g.run_at({addi(6, 0, 1)}, kMsrReal, 0x90100), 0x400u);
    EXPECT_EQ(g.reg(PHV_REG_PPC_SRR0), 0x90100u);
    EXPECT_EQ(g.srr1() & 0x40000000u, 0x40000000u);
    // Beyond the memory slot the VRMA has no entry: a DSI, not an MMIO exit (as under KVM, where real-mode
    // device access goes through H_LOGICAL_CI_LOAD/STORE).
    g.set_gpr(25, GuestCode::kRamSize + 8);
    EXPECT_EQ(g.run_at(load_ea(), kMsrReal), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x40000000u);
}

// Real-mode and relocated accesses to the same EA keep apart in the TLB.
TEST(Vrma, RealAndRelocatedEntriesOfOneEaStayApart) {
    Vrma g;
    g.slb(kSeg, 0);
    const uint64_t ea = 0x90008;   // in segment 0 too once relocated: map it elsewhere
    const Seg low{0, 0x777, false, 12, 0};
    g.slb(low, 1);
    g.map(low, ea, 0x6000, 12, 2);
    g.put(0x90008, 0x1111);
    g.put(0x6008, 0x2222);
    g.set_gpr(25, ea);
    EXPECT_EQ(g.run_at(load_ea(), kMsrReal), 0u);
    EXPECT_EQ(g.gpr(6), 0x1111u);
    EXPECT_EQ(g.run_at(load_ea(), kMsrData), 0u);
    EXPECT_EQ(g.gpr(6), 0x2222u);
    EXPECT_EQ(g.run_at(load_ea(), kMsrReal), 0u);
    EXPECT_EQ(g.gpr(6), 0x1111u);
}

// ---- the record of changed groups (phv_vm_htab_record / phv_vm_take_htab_changes) ---------------------------

constexpr uint64_t kGroups = 1ull << (kOrder - 7);

// Every group the record marked since the last take, taken.
std::vector<uint64_t> changed(phv_vm *vm, unsigned order = kOrder) {
    const uint64_t groups = 1ull << (order - 7);
    std::vector<uint64_t> bits(groups / 64, ~0ull), out;
    EXPECT_GE(phv_vm_take_htab_changes(vm, order, 0, groups, bits.data()), 0);
    for (uint64_t g = 0; g < groups; ++g)
        if (bits[g / 64] >> (g % 64) & 1)
            out.push_back(g);
    return out;
}

using Groups = std::vector<uint64_t>;

TEST(HptRecord, ArgumentsAndOff) {
    Hash g;
    uint64_t bits[kGroups / 64];
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, 0, kGroups, bits), -ENXIO);   // never started
    EXPECT_EQ(phv_vm_htab_record(g.vm, 2), -EINVAL);
    EXPECT_EQ(phv_vm_htab_record(g.vm, -1), -EINVAL);
    EXPECT_EQ(phv_vm_htab_record(nullptr, 1), -EFAULT);
    EXPECT_EQ(phv_vm_take_htab_changes(nullptr, kOrder, 0, kGroups, bits), -EFAULT);
    // Off: writes go on as before and nothing is kept for them, not even the bitmap.
    EXPECT_EQ(g.enter(0, kSeg.group(kEa), kSeg.v(kEa, false), 0x6000 | kM), 0);
    auto &hpt = g.v().vm().mmu().hpt;
    EXPECT_FALSE(hpt.record_mapped());
    ASSERT_EQ(phv_vm_htab_record(g.vm, 1), 0);
    EXPECT_TRUE(hpt.record_mapped());
    EXPECT_EQ(changed(g.vm), Groups{});   // what was written before the start is in no record
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, 0, kGroups, nullptr), -EFAULT);
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder + 1, 0, 1, bits), -ESTALE);
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, 1, 1, bits), -EINVAL);        // not a multiple of 64
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, 64, kGroups, bits), -EINVAL); // beyond the table
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, kGroups, 1, bits), -EINVAL);
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, ~0ull & ~63ull, 64, bits), -EINVAL);
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, kGroups, 0, nullptr), 0);
    // Stopped: writes mark nothing, and a take says so.
    ASSERT_EQ(phv_vm_htab_record(g.vm, 0), 0);
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {0, g.gpr(4), 0}), 0);
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, 0, kGroups, bits), -ENXIO);
    ASSERT_EQ(phv_vm_htab_record(g.vm, 1), 0);
    EXPECT_EQ(changed(g.vm), Groups{});
    // A VM without a table: on, and -ESTALE until there is one (which is then new everywhere).
    GuestCode bare;
    ASSERT_EQ(phv_vm_htab_record(bare.vm, 1), 0);
    EXPECT_EQ(phv_vm_take_htab_changes(bare.vm, kOrder, 0, 64, bits), -ESTALE);
    ASSERT_EQ(phv_vm_allocate_htab(bare.vm, kOrder), 0);
    EXPECT_EQ(changed(bare.vm).size(), kGroups);
}

TEST(HptRecord, EveryWriterMarksItsGroupAndOnlyIt) {
    Hash g;
    g.slb(kSeg, 0);
    ASSERT_EQ(phv_vm_htab_record(g.vm, 1), 0);
    const uint64_t grp = kSeg.group(kEa) / 8, v = kSeg.v(kEa, false);
    ASSERT_EQ(g.enter(0, grp * 8, v, 0x6000 | kM | 2), 0);
    const uint64_t idx = g.gpr(4);
    EXPECT_EQ(changed(g.vm), Groups{grp}) << "H_ENTER";
    EXPECT_EQ(changed(g.vm), Groups{});   // taken and cleared
    // Reads, failed hcalls and translation's R/C mark nothing.
    EXPECT_EQ(g.hcall(phv::kH_READ, {kH_READ_4, idx}), 0);
    EXPECT_EQ(g.enter(kH_EXACT, idx, v, 0x7000 | kM), kH_PTEG_FULL);
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {kH_AVPN, idx, 0x80}), kH_NOT_FOUND);
    EXPECT_EQ(g.hcall(phv::kH_PROTECT, {0, idx + 1, 0}), kH_NOT_FOUND);
    g.set_gpr(25, kEa), g.set_gpr(6, 1);
    EXPECT_EQ(g.run_at(store_ea()), 0u);
    EXPECT_EQ(g.hpte_r(idx) & (kR | kC), kR | kC);
    EXPECT_EQ(changed(g.vm), Groups{});
    EXPECT_EQ(g.hcall(phv::kH_CLEAR_MOD, {0, idx}), 0);
    EXPECT_EQ(changed(g.vm), Groups{grp}) << "H_CLEAR_MOD";
    EXPECT_EQ(g.hcall(phv::kH_CLEAR_REF, {0, idx}), 0);
    EXPECT_EQ(changed(g.vm), Groups{grp}) << "H_CLEAR_REF";
    EXPECT_EQ(g.hcall(phv::kH_PROTECT, {3, idx, 0}), 0);
    EXPECT_EQ(changed(g.vm), Groups{grp}) << "H_PROTECT";
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {0, idx, 0}), 0);
    EXPECT_EQ(changed(g.vm), Groups{grp}) << "H_REMOVE";
    // H_BULK_REMOVE of entries in two groups far apart (one past the first word of the bitmap).
    const uint64_t other = (grp + 100) & kGroupMask;
    ASSERT_EQ(g.enter(kH_EXACT, grp * 8 + 3, v, 0x6000 | kM), 0);
    ASSERT_EQ(g.enter(kH_EXACT, other * 8 + 5, v ^ kH, 0x7000 | kM), 0);
    EXPECT_EQ(changed(g.vm), (Groups{std::min(grp, other), std::max(grp, other)}));
    const uint64_t req = 1ull << 62;
    EXPECT_EQ(g.hcall(phv::kH_BULK_REMOVE, {req | (grp * 8 + 3), 0, req | (other * 8 + 5), 0, 3ull << 62, 0}), 0);
    EXPECT_EQ(changed(g.vm), (Groups{std::min(grp, other), std::max(grp, other)})) << "H_BULK_REMOVE";
    // The VMM's writes: one group per entry written, across a group boundary.
    const uint64_t in[4] = {v, 0x6000, v, 0x7000};
    ASSERT_EQ(phv_vm_write_htab(g.vm, 8 * 9 + 7, 2, in), 0);
    EXPECT_EQ(changed(g.vm), (Groups{9, 10})) << "phv_vm_write_htab";
}

TEST(HptRecord, TakeClearsOnlyTheRangeItTakes) {
    Hash g;
    ASSERT_EQ(phv_vm_htab_record(g.vm, 1), 0);
    const uint64_t in[2] = {kSeg.v(kEa, false), 0x6000};
    for (uint64_t grp : std::initializer_list<uint64_t>{0, 63, 64, 130, 200, kGroups - 1})
        ASSERT_EQ(phv_vm_write_htab(g.vm, grp * 8 + 1, 1, in), 0);
    uint64_t bits[3] = {~0ull, ~0ull, ~0ull};
    // Groups 64..193: 130 is in, 200 is past the end and stays marked.
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, 64, 130, bits), 2);
    EXPECT_EQ(bits[0], 1ull);
    EXPECT_EQ(bits[1], 1ull << 2);
    EXPECT_EQ(bits[2], 0u);   // the bits past n are 0
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, 64, 130, bits), 0);
    EXPECT_EQ(changed(g.vm), (Groups{0, 63, 200, kGroups - 1}));
    // Started again: cleared.
    ASSERT_EQ(phv_vm_write_htab(g.vm, 8, 1, in), 0);
    ASSERT_EQ(phv_vm_htab_record(g.vm, 1), 0);
    EXPECT_EQ(changed(g.vm), Groups{});
}

TEST(HptRecord, NewClearedAndResizedTablesAreChangedEverywhere) {
    Hash g;
    g.slb(kSeg, 0);
    ASSERT_EQ(phv_vm_htab_record(g.vm, 1), 0);
    // The same order again clears the table: every group.
    ASSERT_EQ(phv_vm_allocate_htab(g.vm, kOrder), 0);
    EXPECT_EQ(changed(g.vm).size(), kGroups);
    // Another order: the caller's order is stale, the new table's groups all changed.
    ASSERT_EQ(phv_vm_allocate_htab(g.vm, kOrder + 1), 0);
    uint64_t bits[kGroups / 64];
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder, 0, kGroups, bits), -ESTALE);
    EXPECT_EQ(changed(g.vm, kOrder + 1).size(), 2 * kGroups);
    // A resize commit: the same, and the record keeps working on the new table.
    const uint64_t ea = 0xc000000001234000ull;
    ASSERT_EQ(g.enter(0, group_in(kSeg, ea, kOrder + 1), kSeg.v(ea, false) | kBolted, 0x6000 | kM | 2), 0);
    EXPECT_EQ(changed(g.vm, kOrder + 1), Groups{group_in(kSeg, ea, kOrder + 1) / 8});
    ASSERT_EQ(phv_vm_resize_hpt_prepare(g.vm, 0, kOrder + 2), 0);
    ASSERT_EQ(phv_vm_resize_hpt_commit(g.vm, 0, kOrder + 2), 0);
    EXPECT_EQ(phv_vm_take_htab_changes(g.vm, kOrder + 1, 0, 64, bits), -ESTALE);
    EXPECT_EQ(changed(g.vm, kOrder + 2).size(), 4 * kGroups);
    const uint64_t moved = group_in(kSeg, ea, kOrder + 2);
    EXPECT_EQ(g.hcall(phv::kH_REMOVE, {0, moved + (g.gpr(4) & 7), 0}), 0);
    EXPECT_EQ(changed(g.vm, kOrder + 2), Groups{moved / 8});
    // Off, a new table leaves no bitmap behind.
    ASSERT_EQ(phv_vm_htab_record(g.vm, 0), 0);
    ASSERT_EQ(phv_vm_allocate_htab(g.vm, kOrder), 0);
    EXPECT_FALSE(g.v().vm().mmu().hpt.record_mapped());
}

TEST(HptRecord, VrmaEntriesMarkTheirGroups) {
    Vrma g;   // the VRMA entries come at the first run
    ASSERT_EQ(phv_vm_htab_record(g.vm, 1), 0);
    EXPECT_EQ(g.hcall(phv::kH_READ, {0, vrma_index(0)}), 0);
    const Groups got = changed(g.vm);
    EXPECT_EQ(got.size(), 256u);   // GuestCode's 16 MiB at 0: 256 pages of 64K, one group each
    for (uint64_t page : {0ull, 1ull, 0xffull})
        EXPECT_TRUE(std::binary_search(got.begin(), got.end(), vrma_index(page) / 8)) << page;
}

} // namespace
