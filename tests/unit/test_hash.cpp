// hashst/hashchk/hashstp/hashchkp (Power ISA 3.1B Book I 3.3.17.2) with DEXCR and the hash keys set through
// one-reg ids 0xc6-0xc8, and the ISA's HashDigest against known answers.
#include <cerrno>
#include <cstring>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "isa/semantics/hash.h"
#include "vcpu/cpu_state.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

// Known answers from qemu-system-ppc64 7.2 (-M pseries -cpu power10, which implements the digest): a
// bare-metal program sets HASHKEYR with mtspr, runs hashst and reads the doubleword back. The program and
// the script that reruns it are tests/unit/data/hash_kat.S and gen_hash_kat.sh.
struct Kat {
    uint64_t key, ra, rb, digest;
};
constexpr Kat kKats[] = {
    {0, 0x100000, 0, 0xa77702f4b8783a36},
    {0x0123456789abcdef, 0x100000, 0, 0x6693c57e57cb242f},
    {0, 0x100000, 0x1122334455667788, 0xc5a47bc2d3023385},
    {0x0123456789abcdef, 0x123458, 0xfedcba9876543210, 0xb5833bf13f441ca9},
    {0xffffffffffffffff, 0x7ff0000, 0xffffffffffffffff, 0x991110945f641a13},
    {0x8000000000000001, 0x200008, 0x8000000000000000, 0xeb2b1bb0301005b2},
    {0x5555aaaa3333cccc, 0x300000, 0x0000000000000001, 0x02e3e3521dc411f5},
    {0x0f1e2d3c4b5a6978, 0x400000, 0xdeadbeefcafebabe, 0x65d2b025a7b51be2},
    {0x1111111111111111, 0x1000000, 0x00000000ffffffff, 0xe8489a972321619a},
};

TEST(Hash, DigestKnownAnswers) {
    for (const Kat &k : kKats)
        EXPECT_EQ(phv::isa::sem::hash::digest(k.ra, k.rb, k.key), k.digest) << std::hex << k.key << " " << k.ra;
}
static_assert(phv::isa::sem::hash::digest(0x100000, 0, 0) == 0xa77702f4b8783a36ull);

// X-form with the split DW offset: offset = -8 * (64 - DW), DW = DX || D.
constexpr uint32_t hash_x(uint32_t xo, uint32_t rb, int32_t offset, uint32_t ra) {
    const uint32_t dw = uint32_t(64 + offset / 8);
    return 31u << 26 | (dw & 31) << 21 | ra << 16 | rb << 11 | xo << 1 | dw >> 5;
}
constexpr uint32_t hashst(uint32_t rb, int32_t off, uint32_t ra) { return hash_x(722, rb, off, ra); }
constexpr uint32_t hashchk(uint32_t rb, int32_t off, uint32_t ra) { return hash_x(754, rb, off, ra); }
constexpr uint32_t hashstp(uint32_t rb, int32_t off, uint32_t ra) { return hash_x(658, rb, off, ra); }
constexpr uint32_t hashchkp(uint32_t rb, int32_t off, uint32_t ra) { return hash_x(690, rb, off, ra); }
static_assert(hashst(5, -8, 3) == 0x7fe32da5u);   // objdump: hashst r5,-8(r3)

constexpr uint64_t ibm(unsigned n) { return 1ull << (63 - n); }
constexpr uint64_t kPnhNphie = ibm(5), kPnhPhie = ibm(6), kProNphie = ibm(37);
constexpr uint64_t kSrr1Trap = 1ull << (63 - 46), kSrr1Privileged = 1ull << (63 - 45);
constexpr uint64_t kBuf = 0x8000;   // (RA): the slots are the 64 doublewords below it
constexpr uint64_t kKey = 0x0123456789abcdef, kRb = 0xfedcba9876543210;

int set_one(GuestCode &g, uint64_t id, uint64_t v) {
    phv_one_reg r{id, reinterpret_cast<uint64_t>(&v)};
    return phv_set_one_reg(g.vcpu, &r);
}
uint64_t ram64(GuestCode &g, uint64_t gpa) {
    uint64_t v;
    std::memcpy(&v, g.ram + gpa, 8);   // the guest runs little-endian, as does every supported host
    return v;
}

// A P10 guest in privileged state with r3 = kBuf, r4 = kRb and a Program handler that records r5 = 0x70.
struct Guest {
    GuestCode g;
    explicit Guest(uint32_t model = PHV_CPU_POWER10) : g(model) {
        g.set_reg(PHV_REG_PPC_LPCR_64, 1ull << 25);   // LPCR[ILE]: the handler runs little-endian
        g.load(with_done({addi(5, 0, 0x70)}), 0x700);
        g.set_gpr(3, kBuf);
        g.set_gpr(4, kRb);
    }
    void run(std::initializer_list<uint32_t> body) {
        g.load(with_done(body));
        g.run_to_done();
    }
};

TEST(Hash, HashstStoresTheDigestWhenEnabled) {
    Guest t;
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_DEXCR, kPnhNphie), 0);
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_HASHKEYR, kKey), 0);
    t.run({hashst(4, -8, 3), hashst(4, -512, 3), hashchk(4, -8, 3), hashchk(4, -512, 3)});
    const uint64_t want = phv::isa::sem::hash::digest(kBuf, kRb, kKey);
    EXPECT_EQ(ram64(t.g, kBuf - 8), want);
    EXPECT_EQ(ram64(t.g, kBuf - 512), want);
    EXPECT_EQ(t.g.gpr(5), 0u) << "hashchk of a matching doubleword must not trap";
}

TEST(Hash, HashchkMismatchIsATrap) {
    Guest t;
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_DEXCR, kPnhNphie), 0);
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_HASHKEYR, kKey), 0);
    // Store with r4, check with r6 = r4 + 1: a different return address.
    t.run({hashst(4, -16, 3), addi(6, 4, 1), addi(7, 0, 1), hashchk(6, -16, 3), addi(7, 0, 2)});
    EXPECT_EQ(t.g.gpr(5), 0x70u);
    EXPECT_EQ(t.g.gpr(7), 1u);
    EXPECT_EQ(t.g.reg(PHV_REG_PPC_SRR0), GuestCode::kCodeBase + 12);
    EXPECT_NE(t.g.reg(PHV_REG_PPC_SRR1) & kSrr1Trap, 0u);
}

TEST(Hash, DisabledAspectMakesThemNoOps) {
    Guest t;
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_HASHKEYR, kKey), 0);
    // PRO.NPHIE alone does not enable privileged-state hashst; PNH.PHIE is the hashstp aspect.
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_DEXCR, kProNphie | kPnhPhie), 0);
    std::memset(t.g.ram + kBuf - 8, 0xa5, 8);
    t.run({hashst(4, -8, 3), hashchk(4, -16, 3)});
    EXPECT_EQ(ram64(t.g, kBuf - 8), 0xa5a5a5a5a5a5a5a5ull);
    EXPECT_EQ(t.g.gpr(5), 0u);
}

TEST(Hash, PrivilegedFormsUseHashpkeyr) {
    Guest t;
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_DEXCR, kPnhPhie), 0);
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_HASHKEYR, kKey), 0);
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_HASHPKEYR, ~kKey), 0);
    t.run({hashstp(4, -8, 3), hashchkp(4, -8, 3), hashst(4, -16, 3)});
    EXPECT_EQ(ram64(t.g, kBuf - 8), phv::isa::sem::hash::digest(kBuf, kRb, ~kKey));
    EXPECT_EQ(ram64(t.g, kBuf - 16), 0u) << "NPHIE is off: hashst is a no-op";
    EXPECT_EQ(t.g.gpr(5), 0u);
}

TEST(Hash, ProblemStateUsesTheProblemStateAspect) {
    Guest t;
    t.g.load(with_done({}), 0xc00);   // sc 0 from problem state ends the test
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_DEXCR, kProNphie), 0);
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_HASHKEYR, kKey), 0);
    t.g.load({hashst(4, -8, 3), hashchk(4, -8, 3), sc(0)});
    t.g.set_reg(PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME | phv::msr::LE | phv::msr::PR);
    t.g.run_to_done();
    EXPECT_EQ(ram64(t.g, kBuf - 8), phv::isa::sem::hash::digest(kBuf, kRb, kKey));
    EXPECT_EQ(t.g.gpr(5), 0u);
}

TEST(Hash, HashstpInProblemStateIsPrivileged) {
    Guest t;
    ASSERT_EQ(set_one(t.g, PHV_REG_PPC_DEXCR, ~0ull), 0);
    t.g.load({hashstp(4, -8, 3)});
    t.g.set_reg(PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME | phv::msr::LE | phv::msr::PR);
    t.g.run_to_done();
    EXPECT_EQ(t.g.gpr(5), 0x70u);
    EXPECT_NE(t.g.reg(PHV_REG_PPC_SRR1) & kSrr1Privileged, 0u);
}

// POWER9 has no DEXCR or hash keys (one-reg says -ENXIO) and the encodings are reserved no-ops there: no
// store, no trap, no illegal-instruction interrupt, in either privilege state.
TEST(Hash, Power9TreatsThemAsReservedNoOps) {
    Guest t(PHV_CPU_POWER9);
    EXPECT_EQ(set_one(t.g, PHV_REG_PPC_DEXCR, kPnhNphie), -ENXIO);
    EXPECT_EQ(set_one(t.g, PHV_REG_PPC_HASHKEYR, kKey), -ENXIO);
    EXPECT_EQ(set_one(t.g, PHV_REG_PPC_HASHPKEYR, kKey), -ENXIO);
    std::memset(t.g.ram + kBuf - 8, 0xa5, 8);
    t.run({hashst(4, -8, 3), hashchk(4, -16, 3), hashstp(4, -8, 3), hashchkp(4, -16, 3)});
    EXPECT_EQ(ram64(t.g, kBuf - 8), 0xa5a5a5a5a5a5a5a5ull);
    EXPECT_EQ(t.g.gpr(5), 0u);
}

} // namespace
