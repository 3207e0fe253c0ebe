// Radix translation as a KVM-HV guest sees it: H_REGISTER_PROC_TBL, the process-scoped walk for each page
// size, hardware R/C updates, permission and segment faults with their exact DAR/DSISR/SRR1, KUAP through
// AMR key 0, and the TLB: targeted tlbie/tlbiel and H_RPT_INVALIDATE leave other entries alive.
#include <gtest/gtest.h>

#include <cstring>

#include "guest_code.h"
#include "mmu/invalidate.h"
#include "mmu/radix.h"
#include "mmu/tlb.h"
#include "vcpu/cpu_state.h"
#include "vcpu/spr_table.h"
#include "vcpu/vcpu.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;
namespace msr = phv::msr;
namespace spr = phv::spr;
namespace pte = phv::mmu::pte;

constexpr uint64_t kIle = 1ull << 25;
constexpr uint64_t kMsrReal = msr::SF | msr::ME | msr::LE;
constexpr uint64_t kMsrVirt = kMsrReal | msr::IR | msr::DR;

// H_REGISTER_PROC_TBL flags.
constexpr uint64_t kModify = 0x10, kRegister = 0x08, kRadix = 0x04, kGtse = 0x01;
constexpr uint64_t kProcTable = 0x100000;   // 4 KiB: PRTS = 0, 256 PIDs

constexpr uint32_t mr(uint32_t ra, uint32_t rs) { return X(31, rs, ra, rs, 444); }
constexpr uint32_t tlbiel(uint32_t rb, uint32_t rs, uint32_t ric, uint32_t prs, uint32_t r) {
    return 31u << 26 | rs << 21 | ric << 18 | prs << 17 | r << 16 | rb << 11 | 274u << 1;
}
constexpr uint32_t tlbie(uint32_t rb, uint32_t rs, uint32_t ric, uint32_t prs, uint32_t r) {
    return 31u << 26 | rs << 21 | ric << 18 | prs << 17 | r << 16 | rb << 11 | 306u << 1;
}
constexpr uint32_t tlbsync() { return X(31, 0, 0, 0, 566); }
constexpr uint32_t stb(uint32_t rs, uint32_t ra, int32_t d) { return D(38, rs, ra, d); }

// A guest with a radix tree for PID 0 (and optionally more), handlers at the storage vectors that record
// which vector was taken (r30 = vector >> 4) and end the run.
struct Radix : GuestCode {
    uint64_t next_table = 0x800000;   // page tables are carved from 8 MiB up
    uint64_t roots[4] = {};
    uint64_t code_gpa = 0x20000;

    Radix() {
        set_reg(PHV_REG_PPC_LPCR_64, kIle);
        for (uint64_t v : {0x300, 0x380, 0x400, 0x480, 0x700}) {
            const uint32_t words[] = {addi(30, 0, int32_t(v >> 4)), addi(3, 0, int32_t(kDone)), sc(1)};
            std::memcpy(ram + v, words, sizeof words);
        }
    }
    phv::Vcpu &v() { return *reinterpret_cast<phv::Vcpu *>(vcpu); }

    void put_be(uint64_t gpa, uint64_t val) {
        const uint64_t be = __builtin_bswap64(val);
        std::memcpy(ram + gpa, &be, 8);
    }
    void put_le(uint64_t gpa, uint64_t val) { std::memcpy(ram + gpa, &val, 8); }   // data, as the LE guest sees it
    uint64_t get_be(uint64_t gpa) {
        uint64_t be;
        std::memcpy(&be, ram + gpa, 8);
        return __builtin_bswap64(be);
    }
    uint64_t alloc(uint64_t bytes) {
        next_table = (next_table + bytes - 1) & ~(bytes - 1);
        const uint64_t a = next_table;
        next_table += bytes;
        std::memset(ram + a, 0, bytes);
        return a;
    }
    // The process table entry of `pid`: a 52-bit tree (RTS = 21) with a 2^13-entry root.
    void make_process(unsigned pid) {
        roots[pid] = alloc(8 << 13);
        constexpr uint64_t rts = 52 - 31;
        put_be(kProcTable + 16 * pid, ((rts & 0x18) << 58) | ((rts & 7) << 5) | roots[pid] | 13);
    }
    // The entry at `index` of the directory at `dir` as a directory of 2^nls entries (made if absent).
    uint64_t subdir(uint64_t dir, uint64_t index, unsigned nls) {
        const uint64_t e = get_be(dir + 8 * index);
        if (e & pte::V)
            return e & pte::NLB;
        const uint64_t sub = alloc(std::max<uint64_t>(8ull << nls, 256));
        put_be(dir + 8 * index, pte::V | sub | nls);
        return sub;
    }
    // Maps the page of 2^shift bytes at ea to gpa with the given R/C/ATT/EAA bits; returns the PTE's gpa.
    uint64_t map(unsigned pid, uint64_t ea, uint64_t gpa, unsigned shift, uint64_t bits) {
        const uint64_t a = ea & phv::mmu::ea::kTranslated;
        uint64_t dir = roots[pid];
        const uint64_t leaf = pte::V | pte::L | (gpa & pte::RPN) | bits;
        const uint64_t l1 = subdir(dir, (a >> 39) & 0x1fff, 9);
        if (shift == 30) {
            put_be(l1 + 8 * ((a >> 30) & 0x1ff), leaf);
            return l1 + 8 * ((a >> 30) & 0x1ff);
        }
        const uint64_t l2 = subdir(l1, (a >> 30) & 0x1ff, 9);
        if (shift == 21) {
            put_be(l2 + 8 * ((a >> 21) & 0x1ff), leaf);
            return l2 + 8 * ((a >> 21) & 0x1ff);
        }
        const unsigned nls = shift == 16 ? 5 : 9;
        const uint64_t l3 = subdir(l2, (a >> 21) & 0x1ff, nls);
        const uint64_t at = l3 + 8 * ((a >> shift) & ((1u << nls) - 1));
        put_be(at, leaf);
        return at;
    }
    // Runs code in real mode (then done).
    void run_real(std::initializer_list<uint32_t> body) {
        resume();
        set_reg(PHV_REG_PPC_MSR, kMsrReal);
        load(with_done(body), next_code());
        run_to_done();
    }
    // H_REGISTER_PROC_TBL from the guest; returns its r3.
    int64_t register_table(uint64_t flags, uint64_t base, uint64_t page_size, uint64_t table_size) {
        set_gpr(4, flags), set_gpr(5, base), set_gpr(6, page_size), set_gpr(7, table_size);
        run_real({addi(3, 0, 0x37c), sc(1), mr(20, 3)});
        return int64_t(gpr(20));
    }
    void radix_on(uint64_t flags = kModify | kRegister | kRadix | kGtse) {
        make_process(0);
        ASSERT_EQ(register_table(flags, kProcTable, 0, 0), 0);
        // Kernel code lives at 0xc000000000000000 + its real address, as Linux maps it.
        for (uint64_t page = 0x20000; page < 0x40000; page += 0x1000)
            map(0, 0xc000000000000000ull | page, page, 12, pte::R | pte::C | pte::EAA_PRIV | pte::EAA_RW | pte::EAA_X);
    }
    // Runs code with translation on, from its kernel address; returns the vector taken (0 for none).
    uint64_t run_virt(std::initializer_list<uint32_t> body, uint64_t msr_bits = kMsrVirt) {
        resume();
        set_gpr(30, 0);
        const uint64_t gpa = next_code();
        load(with_done(body), gpa);
        set_reg(PHV_REG_PPC_MSR, msr_bits);
        set_reg(PHV_REG_PPC_NIP, 0xc000000000000000ull | gpa);
        run_to_done();
        return gpr(30) << 4;
    }
    // Each program gets fresh code space, so no predecoded block is ever stale.
    uint64_t next_code() {
        const uint64_t a = code_gpa;
        code_gpa += 0x100;
        return a;
    }
    // The last run ended in an hcall that completes on re-entry by writing r3..r12: hand back what the test
    // put there since.
    void resume() {
        run_data->papr_hcall.ret = gpr(3);
        for (unsigned i = 0; i < 9; ++i)
            run_data->papr_hcall.args[i] = gpr(4 + i);
    }
    uint64_t dar() { return reg(PHV_REG_PPC_DAR); }
    uint64_t dsisr() { return reg(PHV_REG_PPC_DSISR); }
    uint64_t srr0() { return reg(PHV_REG_PPC_SRR0); }
    uint64_t srr1() { return reg(PHV_REG_PPC_SRR1); }
};

// Loads the doubleword at the address in r5 into r6 (li r6 first so a fault leaves a marker).
std::initializer_list<uint32_t> load_r5() { static const auto p = {addi(6, 0, -1), ld(6, 5, 0)}; return p; }

constexpr uint64_t kRw = pte::R | pte::C | pte::EAA_RW;   // user read/write, R and C already set

// ---- H_REGISTER_PROC_TBL -------------------------------------------------------------------------------

TEST(RegisterProcTbl, RadixSetsLpcrAndTurnsTranslationOn) {
    Radix g;
    g.radix_on();
    const uint64_t lpcr = g.reg(PHV_REG_PPC_LPCR_64);
    EXPECT_EQ(lpcr & (phv::mmu::lpcr::UPRT | phv::mmu::lpcr::HR | phv::mmu::lpcr::GTSE), phv::mmu::lpcr::kOwned);
    EXPECT_EQ(lpcr & kIle, kIle);   // the VMM's bits are kept
    g.put_le(0x5000, 0x1122334455667788ull);
    g.map(0, 0xc000000000005000ull, 0x5000, 12, kRw | pte::EAA_PRIV);
    g.set_gpr(5, 0xc000000000005000ull);
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
    EXPECT_EQ(g.gpr(6), 0x1122334455667788ull);
}

TEST(RegisterProcTbl, ArgumentChecks) {
    Radix g;
    constexpr int64_t kParameter = -4, kP2 = -55, kP3 = -56, kP4 = -57;
    EXPECT_EQ(g.register_table(0x20 | kModify | kRegister | kRadix, kProcTable, 0, 0), kParameter);
    EXPECT_EQ(g.register_table(kModify | kRegister | kRadix, kProcTable + 8, 0, 0), kP2);
    EXPECT_EQ(g.register_table(kModify | kRegister | kRadix, 1ull << 60, 0, 0), kP2);
    EXPECT_EQ(g.register_table(kModify | kRegister | kRadix, kProcTable, 1, 0), kP3);
    EXPECT_EQ(g.register_table(kModify | kRegister | kRadix, kProcTable, 0, 25), kP4);
    EXPECT_EQ(g.register_table(kModify | kRegister | 0x02, kProcTable, 0, 0), kParameter);   // hash + seg tables
    // "Keep the registration" must name the MMU type registered (none yet: hash).
    EXPECT_EQ(g.register_table(kRadix, 0, 0, 0), kParameter);
    EXPECT_EQ(g.register_table(kModify | kRegister | kRadix, kProcTable, 0, 24), 0);
    EXPECT_EQ(g.register_table(kRadix, 0, 0, 0), 0);
    EXPECT_EQ(g.register_table(0, 0, 0, 0), kParameter);
    // Without GTSE, tlbie is the hypervisor's: the guest sees an illegal instruction (KVM's reflection).
    EXPECT_EQ(g.reg(PHV_REG_PPC_LPCR_64) & phv::mmu::lpcr::GTSE, 0u);
    // Deregistering keeps the MMU type.
    EXPECT_EQ(g.register_table(kModify | kRadix, 0, 0, 0), 0);
    EXPECT_EQ(g.v().mmu_.process_table, phv::mmu::pate1::GR);
}

// ---- the walk -------------------------------------------------------------------------------------------

TEST(RadixWalk, EachPageSize) {
    Radix g;
    g.radix_on();
    struct Case {
        uint64_t ea, gpa;
        unsigned shift;
    } cases[] = {
        {0x0000000010000000ull, 0x00006000, 12},    // 4K
        {0x0000000020000000ull, 0x00050000, 16},    // 64K
        {0x0000000040000000ull, 0x00400000, 21},    // 2M
        {0x0000004000000000ull, 0x00000000, 30},    // 1G (the first 16 MiB of it are RAM)
    };
    for (const Case &c : cases) {
        const uint64_t off = c.shift == 12 ? 0x7f8 : c.shift == 30 ? 0xa01230 : 0x1238;
        g.map(0, c.ea, c.gpa, c.shift, kRw);
        g.put_le(c.gpa + off, c.ea ^ 0x5a5a);
        g.set_gpr(5, c.ea + off);
        EXPECT_EQ(g.run_virt(load_r5()), 0u) << c.shift;
        EXPECT_EQ(g.gpr(6), c.ea ^ 0x5a5a) << c.shift;
        // The other end of the page is the same translation.
        const uint64_t last = (1ull << std::min(c.shift, 24u)) - 8;
        g.put_le(c.gpa + last, 77 + c.shift);
        g.set_gpr(5, c.ea + last);
        EXPECT_EQ(g.run_virt(load_r5()), 0u) << c.shift;
        EXPECT_EQ(g.gpr(6), 77u + c.shift) << c.shift;
    }
}

TEST(RadixWalk, HardwareSetsReferenceAndChange) {
    Radix g;
    g.radix_on();
    const uint64_t ea = 0x10000000;
    const uint64_t at = g.map(0, ea, 0x7000, 12, pte::EAA_RW);
    g.set_gpr(5, ea);
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
    EXPECT_EQ(g.get_be(at) & (pte::R | pte::C), pte::R);
    g.set_gpr(7, 0x99);
    EXPECT_EQ(g.run_virt({std_(7, 5, 0)}), 0u);
    EXPECT_EQ(g.get_be(at) & (pte::R | pte::C), pte::R | pte::C);
    EXPECT_EQ(g.get_be(0x7000), 0x99ull << 56);   // LE store of 0x99 read back big-endian
}

TEST(RadixWalk, ReferenceAndChangeMarkTheTablePageDirty) {
    Radix g;
    phv_userspace_memory_region r{0, PHV_MEM_LOG_DIRTY_PAGES, 0, GuestCode::kRamSize, reinterpret_cast<uint64_t>(g.ram)};
    ASSERT_EQ(phv_set_user_memory_region(g.vm, &r), 0);
    g.radix_on();
    const uint64_t at = g.map(0, 0x10000000, 0x7000, 12, pte::EAA_RW);
    std::vector<uint64_t> bitmap(GuestCode::kRamSize / 4096 / 64);
    ASSERT_EQ(phv_get_dirty_log(g.vm, 0, bitmap.data()), 0);   // clear
    g.set_gpr(5, 0x10000000);
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
    ASSERT_EQ(phv_get_dirty_log(g.vm, 0, bitmap.data()), 0);
    const uint64_t page = at / 4096;
    EXPECT_TRUE(bitmap[page / 64] >> (page % 64) & 1);
}

// ---- storage interrupts ---------------------------------------------------------------------------------

TEST(RadixFault, NoTranslationIsDsiWithDarAndDsisr) {
    Radix g;
    g.radix_on();
    g.set_gpr(5, 0x30000008);
    EXPECT_EQ(g.run_virt(load_r5()), 0x300u);
    EXPECT_EQ(g.dar(), 0x30000008u);
    EXPECT_EQ(g.dsisr(), 0x40000000u);
    EXPECT_EQ(g.gpr(6), ~0ull);   // the load did not happen
    EXPECT_EQ(g.srr1() & (msr::IR | msr::DR), msr::IR | msr::DR);
    // A store reports bit 38 as well.
    EXPECT_EQ(g.run_virt({std_(6, 5, 0)}), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x42000000u);
}

TEST(RadixFault, StoreToReadOnlyPageIsProtection) {
    Radix g;
    g.radix_on();
    g.map(0, 0x10000000, 0x7000, 12, pte::R | pte::C | pte::EAA_R);
    g.set_gpr(5, 0x10000010);
    EXPECT_EQ(g.run_virt(load_r5()), 0u);   // reading is fine
    EXPECT_EQ(g.run_virt({stb(6, 5, 0)}), 0x300u);
    EXPECT_EQ(g.dar(), 0x10000010u);
    EXPECT_EQ(g.dsisr(), 0x0a000000u);
}

TEST(RadixFault, ProblemStateCannotTouchPrivilegedPages) {
    Radix g;
    g.radix_on();
    // User code and a privileged data page.
    g.map(0, 0x40000, 0x30000, 12, pte::R | pte::C | pte::EAA_R | pte::EAA_X);
    g.map(0, 0x10000000, 0x7000, 12, kRw | pte::EAA_PRIV);
    g.set_gpr(5, 0x10000000);
    g.resume();
    g.set_gpr(30, 0);
    g.load(with_done({addi(6, 0, -1), ld(6, 5, 0)}), 0x30000);
    g.set_reg(PHV_REG_PPC_MSR, kMsrVirt | msr::PR);
    g.set_reg(PHV_REG_PPC_NIP, 0x40000);
    g.run_to_done();
    EXPECT_EQ(g.gpr(30) << 4, 0x300u);
    EXPECT_EQ(g.dsisr(), 0x08000000u);
    EXPECT_EQ(g.srr0(), 0x40004u);
    EXPECT_EQ(g.srr1() & msr::PR, msr::PR);
}

TEST(RadixFault, KuapBlocksPrivilegedAccessToUserPages) {
    Radix g;
    g.radix_on();
    g.map(0, 0x10000000, 0x7000, 12, kRw);
    g.set_gpr(5, 0x10000000);
    // AMR key 0 = 0b11: no loads, no stores (Linux's AMR_KUAP_BLOCKED).
    g.v().state().spr[spr::AMR] = 3ull << 62;
    EXPECT_EQ(g.run_virt(load_r5()), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x08000000u);
    // Unlocked for reads only (bit 0 still set: stores blocked).
    g.v().state().spr[spr::AMR] = 2ull << 62;
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
    EXPECT_EQ(g.run_virt({std_(6, 5, 0)}), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x0a000000u);
    g.v().state().spr[spr::AMR] = 0;
    EXPECT_EQ(g.run_virt({std_(6, 5, 0)}), 0u);
    // A privileged page ignores AMR.
    g.map(0, 0x10001000, 0x8000, 12, kRw | pte::EAA_PRIV);
    g.v().state().spr[spr::AMR] = 3ull << 62;
    g.set_gpr(5, 0x10001000);
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
}

TEST(RadixFault, FetchFromNoExecuteOrUnmappedIsIsi) {
    Radix g;
    g.radix_on();
    // A data page without X: branching there is an ISI with SRR1 bit 35.
    g.map(0, 0xc000000000050000ull, 0x50000, 12, kRw | pte::EAA_PRIV);
    g.set_gpr(5, 0xc000000000050000ull);
    EXPECT_EQ(g.run_virt({mtspr(9, 5), 0x4e800420 /* bctr */}), 0x400u);
    EXPECT_EQ(g.srr0(), 0xc000000000050000ull);
    EXPECT_EQ(g.srr1() & 0x78000000ull, 0x10000000ull);
    // Nothing mapped: SRR1 bit 33.
    g.set_gpr(5, 0xc000000000060000ull);
    EXPECT_EQ(g.run_virt({mtspr(9, 5), 0x4e800420}), 0x400u);
    EXPECT_EQ(g.srr1() & 0x78000000ull, 0x40000000ull);
    // KUEP: IAMR key 0 forbids privileged execution of user pages.
    g.map(0, 0xc000000000070000ull, 0x30000, 12, pte::R | pte::C | pte::EAA_R | pte::EAA_X);
    std::memcpy(g.ram + 0x30000, (const uint32_t[]){addi(3, 0, int32_t(GuestCode::kDone)), sc(1)}, 8);
    g.v().state().spr[spr::IAMR] = 1ull << 62;
    g.set_gpr(5, 0xc000000000070000ull);
    EXPECT_EQ(g.run_virt({mtspr(9, 5), 0x4e800420}), 0x400u);
    EXPECT_EQ(g.srr1() & 0x78000000ull, 0x10000000ull);
    g.v().state().spr[spr::IAMR] = 0;
    EXPECT_EQ(g.run_virt({mtspr(9, 5), 0x4e800420}), 0u);
}

TEST(RadixFault, BadQuadrantsAreSegmentInterrupts) {
    Radix g;
    g.radix_on();
    g.set_gpr(5, 0x4000000000001000ull);   // quadrant 1
    EXPECT_EQ(g.run_virt(load_r5()), 0x380u);
    EXPECT_EQ(g.dar(), 0x4000000000001000ull);
    g.set_gpr(5, 0x0010000000000000ull);   // EA bit 11 set
    EXPECT_EQ(g.run_virt(load_r5()), 0x380u);
    g.set_gpr(5, 0x8000000000000000ull);
    EXPECT_EQ(g.run_virt({mtspr(9, 5), 0x4e800420}), 0x480u);
    EXPECT_EQ(g.srr0(), 0x8000000000000000ull);
}

TEST(RadixFault, ZeroProcessTableEntryIsBadConfig) {
    Radix g;
    g.radix_on();
    g.v().state().spr[spr::PIDR] = 7;   // no entry for PID 7
    g.set_gpr(5, 0x10000000);
    EXPECT_EQ(g.run_virt(load_r5()), 0x300u);
    EXPECT_EQ(g.dsisr(), 0x00080000u);
}

TEST(RadixWalk, PidSelectsQuadrantZeroTree) {
    Radix g;
    g.radix_on();
    g.make_process(1);
    g.map(0, 0x10000000, 0x7000, 12, kRw);
    g.map(1, 0x10000000, 0x8000, 12, kRw);
    g.put_le(0x7000, 100);
    g.put_le(0x8000, 101);
    g.set_gpr(5, 0x10000000);
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
    EXPECT_EQ(g.gpr(6), 100u);
    g.v().state().spr[spr::PIDR] = 1;
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
    EXPECT_EQ(g.gpr(6), 101u);
    // Quadrant 3 stays PID 0's whatever PIDR says.
    g.set_gpr(5, 0xc000000000020000ull);
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
}

TEST(RadixWalk, AccessCrossingIntoAnotherPage) {
    Radix g;
    g.radix_on();
    // Two adjacent EA pages mapped to non-adjacent real pages.
    g.map(0, 0x10000000, 0x9000, 12, kRw);
    g.map(0, 0x10001000, 0x7000, 12, kRw);
    for (int i = 0; i < 8; ++i) {
        g.ram[0x9ffc + i] = uint8_t(0x10 + i);   // only the first 4 are the load's
        g.ram[0x7000 + i] = uint8_t(0x20 + i);
    }
    g.set_gpr(5, 0x10000ffc);
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
    EXPECT_EQ(g.gpr(6), 0x2322212013121110ull);   // little-endian
    g.set_gpr(7, 0x0102030405060708ull);
    EXPECT_EQ(g.run_virt({std_(7, 5, 0)}), 0u);
    EXPECT_EQ(g.ram[0x9ffc], 0x08);
    EXPECT_EQ(g.ram[0x7003], 0x01);
    // The second page unmapped: DSI for its first byte, nothing stored.
    g.set_gpr(5, 0x10001ffc);
    EXPECT_EQ(g.run_virt({std_(7, 5, 0)}), 0x300u);
    EXPECT_EQ(g.dar(), 0x10002000u);
}

// ---- TLB ------------------------------------------------------------------------------------------------

TEST(Tlb, TargetedInvalidationLeavesOtherEntriesAlive) {
    using phv::mmu::Access;
    using phv::mmu::Invalidation;
    const auto tlbp = phv::mmu::Tlb::create();
    phv::mmu::Tlb &tlb = *tlbp;
    const uint64_t ctx = phv::mmu::Tlb::context(0, 0);
    auto fill = [&](uint64_t ea, unsigned shift) {
        phv::mmu::TlbEntry e{};
        e.gpa = ea & 0xfffff000;
        e.shift = uint8_t(shift);
        for (Access a : {Access::Load, Access::Store, Access::Fetch})
            tlb.insert(a, ea, ctx, e);
    };
    auto alive = [&](uint64_t ea) { return tlb.lookup(Access::Load, ea, ctx) != nullptr; };
    tlb.set_pid(5);
    fill(0x10000000, 12);
    fill(0x10001000, 12);
    fill(0x20010000, 16);   // slots differ from the 4K pages' (the TLB is direct-mapped by EA page)
    fill(0x2001f000, 16);
    fill(0xc000000000200000ull, 21);
    fill(0xc0000000003ff000ull, 21);
    // A 4K page of PID 5.
    EXPECT_EQ(tlb.invalidate({Invalidation::Scope::Page, 0x10000000, 12, 5}), 3u);
    EXPECT_FALSE(alive(0x10000000));
    EXPECT_TRUE(alive(0x10001000));
    // The wrong PID names nothing.
    EXPECT_EQ(tlb.invalidate({Invalidation::Scope::Page, 0x10001000, 12, 6}), 0u);
    // A 64K page takes all its 4K entries and nothing else.
    EXPECT_EQ(tlb.invalidate({Invalidation::Scope::Page, 0x20014000, 16, 5}), 6u);
    EXPECT_TRUE(alive(0x10001000));
    // Kernel 2M page (PID 0, quadrant 3).
    EXPECT_EQ(tlb.invalidate({Invalidation::Scope::Page, 0xc000000000200000ull, 21, 0}), 6u);
    EXPECT_TRUE(alive(0x10001000));
    // Whole PID 5: the user entry goes, quadrant 3 would stay.
    fill(0xc000000000200000ull, 21);
    EXPECT_EQ(tlb.invalidate({Invalidation::Scope::Pid, 0, 12, 5}), 3u);
    EXPECT_TRUE(alive(0xc000000000200000ull));
    // A new PIDR drops quadrant 0 only.
    fill(0x10001000, 12);
    tlb.set_pid(6);
    EXPECT_FALSE(alive(0x10001000));
    EXPECT_TRUE(alive(0xc000000000200000ull));
    // Context: the same page under another AMR is another entry.
    EXPECT_EQ(tlb.lookup(Access::Load, 0xc000000000200000ull, phv::mmu::Tlb::context(0, phv::mmu::Tlb::radix_key_context(3ull << 62, 0))), nullptr);
}

// A PID or full flush walks the entries filled since the TLB was last empty: from a short list of them while
// they are few (Tlb::recent_), else by chunks. Either way it must find every entry it names, once, and leave
// the rest; the counts straddle the list's size (48 entries, 16 pages in three access kinds), with pages
// filled twice (listed twice), entries of another PID surviving a walk (kept in the list) and PID switches.
TEST(Tlb, WideInvalidationsFindEveryEntryByListOrByChunk) {
    using phv::mmu::Access;
    using phv::mmu::Invalidation;
    const uint64_t ctx = phv::mmu::Tlb::context(0, 0);
    for (unsigned n : {1u, 7u, 8u, 15u, 16u, 17u, 24u, 100u, 300u}) {
        SCOPED_TRACE(n);
        const auto tlbp = phv::mmu::Tlb::create();
        phv::mmu::Tlb &tlb = *tlbp;
        tlb.set_pid(5);
        // Kernel page k and user page k never share a slot (indices k and 512 + k).
        const auto kernel = [](unsigned k) { return 0xc000000000000000ull + uint64_t(k) * 0x1000; };
        const auto user = [](unsigned k) { return 0x10200000ull + uint64_t(k) * 0x1000; };
        auto fill = [&](uint64_t ea) {
            phv::mmu::TlbEntry e{};
            e.gpa = ea & 0xfffff000;
            e.shift = 12;
            for (Access a : {Access::Load, Access::Store, Access::Fetch})
                tlb.insert(a, ea, ctx, e);
        };
        const auto alive = [&](uint64_t ea) {
            for (Access a : {Access::Load, Access::Store, Access::Fetch})
                if (!tlb.lookup(a, ea, ctx))
                    return false;
            return true;
        };
        const auto none = [&](uint64_t ea) {
            for (Access a : {Access::Load, Access::Store, Access::Fetch})
                if (tlb.lookup(a, ea, ctx))
                    return false;
            return true;
        };
        // Kernel pages alone, the first half filled twice.
        for (unsigned k = 0; k < n; ++k)
            fill(kernel(k));
        for (unsigned k = 0; k < n / 2; ++k)
            fill(kernel(k));
        EXPECT_EQ(tlb.invalidate({Invalidation::Scope::Pid, 0, 12, 0}), 3 * n);
        for (unsigned k = 0; k < n; ++k)
            ASSERT_TRUE(none(kernel(k))) << k;
        // Kernel and user pages: a kernel flush leaves the user's, then kernel pages filled again go too.
        for (unsigned k = 0; k < n; ++k)
            fill(user(k)), fill(kernel(k));
        EXPECT_EQ(tlb.invalidate({Invalidation::Scope::Pid, 0, 12, 0}), 3 * n);
        for (unsigned k = 0; k < n; ++k)
            ASSERT_TRUE(alive(user(k)) && none(kernel(k))) << k;
        for (unsigned k = 0; k < n; k += 2)
            fill(kernel(k));
        EXPECT_EQ(tlb.invalidate({Invalidation::Scope::Pid, 0, 12, 0}), 3 * ((n + 1) / 2));
        for (unsigned k = 0; k < n; ++k)
            ASSERT_TRUE(alive(user(k)) && none(kernel(k))) << k;
        // A new PIDR drops the user's; then a kernel page and a full flush.
        fill(kernel(0));
        tlb.set_pid(6);
        for (unsigned k = 0; k < n; ++k)
            ASSERT_TRUE(none(user(k))) << k;
        EXPECT_TRUE(alive(kernel(0)));
        fill(user(0));
        EXPECT_EQ(tlb.invalidate({Invalidation::Scope::All, 0, 12, 0}), 6u);
        EXPECT_TRUE(none(kernel(0)) && none(user(0)));
        EXPECT_TRUE(tlb.invalidate({Invalidation::Scope::All, 0, 12, 0}) == 0);
    }
}

// icbi finds the real address of the code it names in whichever TLB holds the page (the kernel patches text
// through another mapping, so its text pages are in the fetch TLB, seldom in the load TLB). F is called
// (its fetch entry filled), rewritten behind the core's back, and its PTE cleared without a tlbie: the TLB
// entry is still the translation until invalidated, so the icbi must reach F's page from it and drop the
// block, and the next call runs the new word. (A walk finds no translation, drops nothing, and the old
// block runs.)
TEST(RadixWalk, IcbiReachesCodeThroughTheFetchTlb) {
    constexpr uint32_t kBlr = 0x4e800020, kBctrl = 0x4e800421, kIsync = 0x4c00012c;
    constexpr uint64_t kF = 0x30000, kFea = 0xc000000000000000ull | kF;
    Radix r;
    r.radix_on();
    r.load({addi(5, 0, 1), kBlr}, kF);
    r.set_gpr(7, kFea);
    ASSERT_EQ(r.run_virt({mtspr(9, 7), kBctrl, ori(8, 5, 0)}), 0u);
    EXPECT_EQ(r.gpr(8), 1u);
    const uint32_t two = addi(5, 0, 2);
    std::memcpy(r.ram + kF, &two, 4);
    r.put_be(r.map(0, kFea, kF, 12, pte::R | pte::C | pte::EAA_PRIV | pte::EAA_RW | pte::EAA_X), 0);
    ASSERT_EQ(r.run_virt({X(31, 0, 0, 7, 982), kIsync, mtspr(9, 7), kBctrl, ori(11, 5, 0)}), 0u);
    EXPECT_EQ(r.gpr(11), 2u);
}

// The same compiled (every block before its first run): icbi is a native row whose common case (a page no
// block was built from) decides inline from the TLB and the page's mark. Here the page of the called
// function is in the fetch TLB only and marked, so the row goes to its semantic function, which drops the
// block; an icbi of a data page no block came from changes nothing, and neither leaves the block's code.
TEST(RadixWalk, CompiledIcbiDropsOnlyBlocksOfMarkedPages) {
    constexpr uint32_t kBlr = 0x4e800020, kBctrl = 0x4e800421, kIsync = 0x4c00012c;
    constexpr uint64_t kF = 0x30000, kFea = 0xc000000000000000ull | kF, kData = 0x38000;
    Radix r;
    r.v().set_jit(true, 0, false);
    r.radix_on();
    r.load({addi(5, 0, 1), kBlr}, kF);
    r.set_gpr(7, kFea);
    r.set_gpr(6, 0xc000000000000000ull | kData);
    ASSERT_EQ(r.run_virt({mtspr(9, 7), kBctrl, ori(8, 5, 0)}), 0u);
    EXPECT_EQ(r.gpr(8), 1u);
    const uint64_t dropped = r.v().stats().blocks_invalidated;
    ASSERT_EQ(r.run_virt({ld(10, 6, 0), X(31, 0, 0, 6, 982), addi(9, 0, 3)}), 0u);   // the data page: load, icbi
    EXPECT_EQ(r.gpr(9), 3u);
    EXPECT_EQ(r.v().stats().blocks_invalidated, dropped);
    const uint32_t two = addi(5, 0, 2);
    std::memcpy(r.ram + kF, &two, 4);
    ASSERT_EQ(r.run_virt({X(31, 0, 0, 7, 982), kIsync, mtspr(9, 7), kBctrl, ori(11, 5, 0)}), 0u);
    EXPECT_EQ(r.gpr(11), 2u);
    EXPECT_GT(r.v().stats().blocks_invalidated, dropped);
    EXPECT_GT(r.v().stats().jit_blocks_compiled, 0u);
}

TEST(Tlb, DecodeTlbieForms) {
    using phv::mmu::Invalidation;
    Invalidation inv;
    // IS=0, AP=1 (2M), RIC=0, PRS=1, R=1, PID 9.
    ASSERT_TRUE(phv::mmu::decode_tlbie({0xc000000000200000ull | 1u << 5, 9ull << 32, 0, 1, 1}, inv));
    EXPECT_EQ(inv.scope, Invalidation::Scope::Page);
    EXPECT_EQ(inv.shift, 21u);
    EXPECT_EQ(inv.pid, 9u);
    ASSERT_TRUE(phv::mmu::decode_tlbie({1u << 10, 9ull << 32, 2, 1, 1}, inv));   // IS=1
    EXPECT_EQ(inv.scope, Invalidation::Scope::Pid);
    ASSERT_TRUE(phv::mmu::decode_tlbie({2u << 10, 0, 2, 1, 1}, inv));            // IS=2
    EXPECT_EQ(inv.scope, Invalidation::Scope::All);
    EXPECT_FALSE(phv::mmu::decode_tlbie({0, 0, 1, 1, 1}, inv));                   // RIC=1: page-walk cache only
    ASSERT_TRUE(phv::mmu::decode_tlbie({0, 0, 0, 0, 1}, inv));                    // partition-scoped
    EXPECT_EQ(inv.scope, Invalidation::Scope::All);
}

// A translation stays cached after the PTE changes until a tlbiel/tlbie names it; naming one page leaves the
// others cached.
TEST(Tlb, GuestTlbielAndTlbie) {
    Radix g;
    g.radix_on();
    const uint64_t a = 0x10000000, b = 0x10001000;
    g.map(0, a, 0x7000, 12, kRw);
    g.map(0, b, 0x8000, 12, kRw);
    g.put_le(0x7000, 1), g.put_le(0x8000, 2), g.put_le(0x9000, 3), g.put_le(0xa000, 4);
    g.set_gpr(5, a), g.set_gpr(8, b);
    const auto both = {ld(6, 5, 0), ld(9, 8, 0)};
    EXPECT_EQ(g.run_virt(both), 0u);
    EXPECT_EQ(g.gpr(6), 1u);
    EXPECT_EQ(g.gpr(9), 2u);
    // Remap both behind the TLB's back: still the old pages.
    g.map(0, a, 0x9000, 12, kRw);
    g.map(0, b, 0xa000, 12, kRw);
    EXPECT_EQ(g.run_virt(both), 0u);
    EXPECT_EQ(g.gpr(6), 1u);
    EXPECT_EQ(g.gpr(9), 2u);
    // tlbiel of page a (IS=0, AP=0, RIC=0, PRS=1, R=1, PID 0 in RS): a moves, b does not.
    g.set_gpr(10, a), g.set_gpr(11, 0);
    EXPECT_EQ(g.run_virt({tlbiel(10, 11, 0, 1, 1), ld(6, 5, 0), ld(9, 8, 0)}), 0u);
    EXPECT_EQ(g.gpr(6), 3u);
    EXPECT_EQ(g.gpr(9), 2u);
    // tlbie of the whole PID (IS=1), then tlbsync.
    g.set_gpr(10, 1u << 10);
    EXPECT_EQ(g.run_virt({tlbie(10, 11, 0, 1, 1), tlbsync(), ld(9, 8, 0)}), 0u);
    EXPECT_EQ(g.gpr(9), 4u);
    // RIC=1 (page-walk cache) drops no translation.
    g.map(0, b, 0x8000, 12, kRw);
    g.set_gpr(10, 2u << 10);
    EXPECT_EQ(g.run_virt({tlbie(10, 11, 1, 1, 1), ld(9, 8, 0)}), 0u);
    EXPECT_EQ(g.gpr(9), 4u);
}

TEST(Tlb, TlbieWithoutGtseIsTheHypervisors) {
    Radix g;
    g.radix_on(kModify | kRegister | kRadix);
    g.set_gpr(10, 0), g.set_gpr(11, 0);
    EXPECT_EQ(g.run_virt({tlbie(10, 11, 0, 1, 1)}), 0x700u);
    EXPECT_EQ(g.run_virt({tlbiel(10, 11, 0, 1, 1)}), 0u);   // tlbiel stays the guest's
}

TEST(Tlb, HRptInvalidateNamesPagesOfOnePid) {
    Radix g;
    g.radix_on();
    const uint64_t a = 0x10000000, b = 0x10001000;
    g.map(0, a, 0x7000, 12, kRw);
    g.map(0, b, 0x8000, 12, kRw);
    g.put_le(0x7000, 1), g.put_le(0x8000, 2), g.put_le(0x9000, 3), g.put_le(0xa000, 4);
    g.set_gpr(5, a), g.set_gpr(8, b);
    EXPECT_EQ(g.run_virt({ld(6, 5, 0), ld(9, 8, 0)}), 0u);
    g.map(0, a, 0x9000, 12, kRw);
    g.map(0, b, 0xa000, 12, kRw);
    // H_RPT_INVALIDATE(pid 0, target CMMU, type TLB, 4K pages, [a, a + 4K)).
    g.set_gpr(14, 0), g.set_gpr(15, 1), g.set_gpr(16, 2), g.set_gpr(17, 1), g.set_gpr(18, a), g.set_gpr(19, a + 0x1000);
    g.set_gpr(21, a), g.set_gpr(22, b);
    EXPECT_EQ(g.run_virt({mr(4, 14), mr(6, 16), mr(7, 17), mr(9, 19), addi(3, 0, 0x448), mr(8, 18), mr(5, 15), sc(1),
                          mr(20, 3), ld(6, 21, 0), ld(9, 22, 0)}),
              0u);
    EXPECT_EQ(g.gpr(20), 0u);
    EXPECT_EQ(g.gpr(6), 3u);
    EXPECT_EQ(g.gpr(9), 2u);
}

// A range in the last pages of the address space: the page walk must not wrap past 2^64 (it used to loop
// for ever, pushing invalidations until the host ran out of memory).
TEST(Tlb, HRptInvalidateAtTheTopOfTheAddressSpaceEnds) {
    Radix g;
    g.radix_on();
    const uint64_t a = 0x10000000;
    g.map(0, a, 0x7000, 12, kRw);
    g.put_le(0x7000, 1), g.put_le(0x8000, 2);
    g.set_gpr(5, a);
    EXPECT_EQ(g.run_virt({ld(6, 5, 0)}), 0u);
    g.map(0, a, 0x8000, 12, kRw);
    for (const uint64_t sizes : {1ull, 2ull, 4ull, 8ull, 15ull}) {   // 4K, 64K, 2M, 1G, all
        // H_RPT_INVALIDATE(pid 0, target CMMU, type TLB, sizes, [2^64 - 0x2000, 2^64 - 2)).
        g.set_gpr(14, 0), g.set_gpr(15, 1), g.set_gpr(16, 2), g.set_gpr(17, sizes);
        g.set_gpr(18, ~0ull - 0x1fff), g.set_gpr(19, ~0ull - 1);
        EXPECT_EQ(g.run_virt({mr(4, 14), mr(6, 16), mr(7, 17), mr(9, 19), addi(3, 0, 0x448), mr(8, 18), mr(5, 15),
                              sc(1), mr(20, 3)}),
                  0u);
        EXPECT_EQ(g.gpr(20), 0u) << sizes;
    }
    g.set_gpr(5, a);
    EXPECT_EQ(g.run_virt({ld(6, 5, 0)}), 0u);
    EXPECT_EQ(g.gpr(6), 1u) << "a page elsewhere keeps its translation";
}

} // namespace

namespace {
using namespace phv::test::enc;
constexpr uint32_t ldarx(uint32_t rt, uint32_t ra, uint32_t rb) { return X(31, rt, ra, rb, 84); }
constexpr uint32_t stdcx(uint32_t rs, uint32_t ra, uint32_t rb) { return X(31, rs, ra, rb, 214, 1); }

// larx/stcx. translate like the loads and stores they are: stdcx. to a page the PTE makes read-only is a
// DSI (a copy-on-write page must not be written), and a successful one sets C.
TEST(RadixAtomics, StcxIsAStoreForTranslation) {
    Radix g;
    g.radix_on();
    const uint64_t ro = g.map(0, 0x10000000, 0x7000, 12, pte::R | pte::C | pte::EAA_R);
    (void)ro;
    g.set_gpr(5, 0x10000000), g.set_gpr(0, 0), g.set_gpr(7, 0x55);
    EXPECT_EQ(g.run_virt({ldarx(6, 0, 5), stdcx(7, 0, 5)}), 0x300u);
    EXPECT_EQ(g.dar(), 0x10000000u);
    EXPECT_EQ(g.dsisr(), 0x0a000000u);
    EXPECT_EQ(g.ram[0x7000], 0u);
    const uint64_t rw = g.map(0, 0x10001000, 0x8000, 12, pte::R | pte::EAA_RW);
    g.set_gpr(5, 0x10001000);
    EXPECT_EQ(g.run_virt({ldarx(6, 0, 5), stdcx(7, 0, 5)}), 0u);
    EXPECT_EQ(g.ram[0x8000], 0x55u);
    EXPECT_EQ(g.get_be(rw) & pte::C, pte::C);
}
} // namespace

namespace {
// tlbie reaches every vcpu of the partition: vcpu 1's tlbie drops the translation vcpu 0 has cached, and
// tlbsync does not wait for a vcpu that is not running (it synchronises when it next enters).
TEST(Tlb, TlbieReachesOtherVcpus) {
    Radix g;
    g.radix_on();
    phv_vcpu *other = nullptr;
    ASSERT_EQ(phv_create_vcpu(g.vm, 1, &other), 0);
    const uint64_t a = 0x10000000;
    g.map(0, a, 0x7000, 12, kRw);
    g.put_le(0x7000, 1), g.put_le(0x9000, 3);
    g.set_gpr(5, a);
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
    EXPECT_EQ(g.gpr(6), 1u);
    g.map(0, a, 0x9000, 12, kRw);
    // vcpu 1: tlbie (IS=0, 4K, PID 0) of a, tlbsync, done; in real mode (tlbie takes real RB/RS values).
    const std::vector<uint32_t> prog = with_done({addi(10, 0, 0), addis(10, 10, 0x1000), addi(11, 0, 0),
                                                  tlbie(10, 11, 0, 1, 1), tlbsync()});
    std::memcpy(g.ram + 0x3f000, prog.data(), prog.size() * 4);
    auto *v1 = reinterpret_cast<phv::Vcpu *>(other);
    v1->state().msr = kMsrReal;
    v1->state().nip = 0x3f000;
    ASSERT_EQ(phv_vcpu_run(other), 0);
    ASSERT_EQ(phv_vcpu_run_struct(other)->exit_reason, uint32_t(PHV_EXIT_PAPR_HCALL));
    EXPECT_EQ(phv_vcpu_run_struct(other)->papr_hcall.nr, GuestCode::kDone);
    EXPECT_EQ(v1->state().gpr[30], 0u);   // no interrupt: vcpu 1 has LPCR[GTSE] from the registration too
    EXPECT_EQ(v1->state().spr[spr::LPCR] & phv::mmu::lpcr::GTSE, phv::mmu::lpcr::GTSE);
    // vcpu 0 sees the new page.
    EXPECT_EQ(g.run_virt(load_r5()), 0u);
    EXPECT_EQ(g.gpr(6), 3u);
}
} // namespace
