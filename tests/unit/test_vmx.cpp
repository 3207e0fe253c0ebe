// VMX (Book I chapter 6) beyond the QEMU oracle (test_vmx_oracle.cpp): known-answer tests of the crypto
// instructions against the standards (FIPS-197 AES-128, FIPS 180-4 SHA-256/SHA-512 of "abc"), vpmsumd against
// the host's own carry-less multiply, VMX Unavailable before anything else, VSCR through ONE_REG, and the
// big-endian element placement of the loads and stores (the oracle runs little-endian only).
#include <array>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "vcpu/cpu_state.h"
#include "vcpu/vcpu.h"

namespace phv::test {
namespace {

using u128 = unsigned __int128;

// VX/VA encodings for the handful of instructions used here.
constexpr uint32_t vx(uint32_t vrt, uint32_t vra, uint32_t vrb, uint32_t xo) {
    return 4u << 26 | vrt << 21 | vra << 16 | vrb << 11 | xo;
}
constexpr uint32_t kVcipher = 1288, kVcipherlast = 1289, kVncipher = 1352, kVncipherlast = 1353, kVsbox = 1480,
                   kVshasigmaw = 1666, kVshasigmad = 1730, kVpmsumd = 1224;

struct Vmx {
    GuestCode g;
    Vcpu &v = *reinterpret_cast<Vcpu *>(g.vcpu);
    uint32_t loaded = 0;
    Vmx() { g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE | msr::VEC); }
    void set(unsigned n, u128 x) { v.state().vsr[32 + n] = {uint64_t(x >> 64), uint64_t(x)}; }
    u128 get(unsigned n) { return u128(v.state().vsr[32 + n][0]) << 64 | v.state().vsr[32 + n][1]; }
    // Runs one instruction word on the current state.
    void exec(uint32_t word) {
        if (word != loaded) {
            g.load(with_done({word}));
            v.request_code_invalidate(GuestCode::kCodeBase);
            loaded = word;
        }
        g.set_reg(PHV_REG_PPC_NIP, GuestCode::kCodeBase);
        g.run_data->papr_hcall.ret = g.gpr(3);
        for (unsigned i = 0; i < 9; ++i)
            g.run_data->papr_hcall.args[i] = g.gpr(4 + i);
        g.run_to_done();
    }
    // VRT(1) <- op(VRA(2), VRB(3)).
    u128 op(uint32_t xo, u128 a, u128 b, uint32_t extra = 0) {
        set(2, a);
        set(3, b);
        exec(vx(1, 2, 3, xo) | extra);
        return get(1);
    }
};

u128 from_hex(const char *s) {
    u128 v = 0;
    for (; *s; ++s)
        v = v << 4 | u128(*s <= '9' ? *s - '0' : *s - 'a' + 10);
    return v;
}

// ---- AES (FIPS-197 Appendix C.1, AES-128) ----------------------------------------------------------------
// The key schedule (FIPS-197 5.2), with the S-box taken from vsbox itself: a wrong vsbox shows up as a wrong
// ciphertext too, and vsbox on its own is checked against FIPS-197 Figure 7 below.
std::array<u128, 11> expand_key(Vmx &m, u128 key) {
    std::array<uint32_t, 44> w{};
    for (unsigned i = 0; i < 4; ++i)
        w[i] = uint32_t(key >> (96 - 32 * i));
    uint32_t rcon = 1;
    for (unsigned i = 4; i < 44; ++i) {
        uint32_t t = w[i - 1];
        if (i % 4 == 0) {
            t = t << 8 | t >> 24;
            t = uint32_t(m.op(kVsbox, t, 0));   // SubWord on the low word
            t ^= rcon << 24;
            rcon = (rcon << 1) ^ ((rcon & 0x80) ? 0x11b : 0);
        }
        w[i] = w[i - 4] ^ t;
    }
    std::array<u128, 11> rk{};
    for (unsigned r = 0; r < 11; ++r)
        for (unsigned j = 0; j < 4; ++j)
            rk[r] = rk[r] << 32 | w[4 * r + j];
    return rk;
}

TEST(VmxCrypto, VsboxIsTheAesSbox) {
    Vmx m;
    // FIPS-197 Figure 7: S-box(00..0f) = 63 7c 77 7b f2 6b 6f c5 30 01 67 2b fe d7 ab 76.
    EXPECT_TRUE(m.op(kVsbox, from_hex("000102030405060708090a0b0c0d0e0f"), 0) ==
                from_hex("637c777bf26b6fc53001672bfed7ab76"));
}

TEST(VmxCrypto, Aes128KnownAnswer) {
    Vmx m;
    const auto rk = expand_key(m, from_hex("000102030405060708090a0b0c0d0e0f"));
    EXPECT_TRUE(rk[10] == from_hex("13111d7fe3944a17f307a78b4d2b30c5"));   // FIPS-197 C.1 round[10].k_sch
    const u128 pt = from_hex("00112233445566778899aabbccddeeff"), ct = from_hex("69c4e0d86a7b0430d8cdb78070b4c55a");
    u128 s = pt ^ rk[0];
    for (unsigned r = 1; r < 10; ++r)
        s = m.op(kVcipher, s, rk[r]);
    s = m.op(kVcipherlast, s, rk[10]);
    EXPECT_TRUE(s == ct);
    // The inverse cipher with vncipher's order (InvShiftRows, InvSubBytes, AddRoundKey, InvMixColumns).
    u128 d = ct ^ rk[10];
    for (unsigned r = 9; r >= 1; --r)
        d = m.op(kVncipher, d, rk[r]);
    d = m.op(kVncipherlast, d, rk[0]);
    EXPECT_TRUE(d == pt);
}

// ---- SHA-2 (FIPS 180-4): the sigma functions from vshasigmaw/vshasigmad ----------------------------------
template <typename T>
T sigma(Vmx &m, bool st, bool one, T x) {
    constexpr bool word = sizeof(T) == 4;
    u128 in = 0;
    for (unsigned i = 0; i < 16 / sizeof(T); ++i)
        in = in << (8 * sizeof(T)) | x;
    const uint32_t six = one ? 0xf : 0;
    m.set(2, in);
    m.exec(vx(1, 2, 0, word ? kVshasigmaw : kVshasigmad) | uint32_t(st) << 15 | six << 11);   // ST bit 16, SIX 17:20
    return T(m.get(1) >> (128 - 8 * sizeof(T)));
}

template <typename T, unsigned Rounds>
std::array<T, 8> sha2_abc(Vmx &m, const std::array<T, 8> &h0, const std::array<T, Rounds> &k) {
    std::array<T, Rounds> w{};
    w[0] = T(0x61626380) << (8 * sizeof(T) - 32);   // "abc" || 0x80
    w[15] = 24;                                      // the length in bits
    for (unsigned t = 16; t < Rounds; ++t)
        w[t] = sigma<T>(m, false, true, w[t - 2]) + w[t - 7] + sigma<T>(m, false, false, w[t - 15]) + w[t - 16];
    std::array<T, 8> h = h0;
    T a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (unsigned t = 0; t < Rounds; ++t) {
        const T t1 = hh + sigma<T>(m, true, true, e) + ((e & f) ^ (~e & g)) + k[t] + w[t];
        const T t2 = sigma<T>(m, true, false, a) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    const T out[8] = {a, b, c, d, e, f, g, hh};
    for (unsigned i = 0; i < 8; ++i)
        h[i] += out[i];
    return h;
}

TEST(VmxCrypto, Sha256AbcKnownAnswer) {
    Vmx m;
    constexpr std::array<uint32_t, 64> k = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    constexpr std::array<uint32_t, 8> h0 = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const auto h = sha2_abc<uint32_t, 64>(m, h0, k);
    constexpr std::array<uint32_t, 8> expect = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                                                0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
    EXPECT_EQ(h, expect);
}

TEST(VmxCrypto, Sha512AbcKnownAnswer) {
    Vmx m;
    constexpr std::array<uint64_t, 80> k = {
        0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
        0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
        0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
        0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
        0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
        0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
        0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
        0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
        0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
        0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
        0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
        0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
        0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
        0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
        0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
        0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817};
    constexpr std::array<uint64_t, 8> h0 = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                                            0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                            0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
    const auto h = sha2_abc<uint64_t, 80>(m, h0, k);
    constexpr std::array<uint64_t, 8> expect = {0xddaf35a193617aba, 0xcc417349ae204131, 0x12e6fa4e89a97ea2,
                                                0x0a9eeee64b55d39a, 0x2192992a274fc1a8, 0x36ba3c23a3feebbd,
                                                0x454d4423643ce80e, 0x2a9ac94fa54ca49f};
    EXPECT_EQ(h, expect);
}

// ---- vpmsumd against the host's PCLMULQDQ ------------------------------------------------------------------
__attribute__((target("pclmul,sse2"))) u128 host_clmul(uint64_t a, uint64_t b) {
    typedef long long v2di __attribute__((vector_size(16)));
    const v2di x = {(long long)a, 0}, y = {(long long)b, 0};
    const v2di p = __builtin_ia32_pclmulqdq128(x, y, 0);
    return u128(uint64_t(p[1])) << 64 | uint64_t(p[0]);
}

TEST(VmxCrypto, VpmsumdMatchesHostCarrylessMultiply) {
    if (!__builtin_cpu_supports("pclmul"))
        GTEST_SKIP() << "host without PCLMULQDQ";
    Vmx m;
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200; ++i) {
        const uint64_t a0 = rng(), a1 = rng(), b0 = rng(), b1 = rng();
        const u128 got = m.op(kVpmsumd, u128(a0) << 64 | a1, u128(b0) << 64 | b1);
        EXPECT_TRUE(got == (host_clmul(a0, b0) ^ host_clmul(a1, b1))) << i;
    }
}

// ---- VMX Unavailable, VSCR, big-endian element placement -------------------------------------------------
TEST(VmxUnavailable, VectorRowsCheckMsrVec) {
    GuestCode g;
    g.vector_stub(0xf20);
    g.set_reg(PHV_REG_PPC_LPCR_64, lpcr::ILE);
    g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE | msr::FP | msr::VSX);   // MSR[VEC] = 0
    g.set_gpr(3, 0x20000);
    EXPECT_EQ(g.run_until_vector({vx(1, 2, 3, 0) /* vaddubm */}), 0xf20u);
    EXPECT_EQ(g.run_until_vector({enc::X(31, 1, 0, 3, 103) /* lvx v1,0,r3 */}), 0xf20u);
    EXPECT_EQ(g.run_until_vector({enc::X(31, 1, 0, 3, 231) /* stvx */}), 0xf20u);
    EXPECT_EQ(g.run_until_vector({vx(1, 0, 0, 1540) /* mfvscr */}), 0xf20u);
    EXPECT_EQ(g.run_until_vector({vx(1, 2, 3, 44) /* vsldoi */}), 0xf20u);
    EXPECT_EQ(g.run_until_vector({vx(1, 2, 3, 1024 | 6) /* vcmpequb. */}), 0xf20u);
}

// The decimal instructions (bcdadd. ...) are not implemented: with MSR[VEC]=1 they are illegal instructions
// (Program interrupt via Hypervisor Emulation Assistance, as KVM reflects it), as on a CPU without them;
// with MSR[VEC]=0 VMX Unavailable comes first, as for every opcode-4 word.
TEST(VmxUnavailable, DecimalInstructionsAreIllegal) {
    GuestCode g;
    g.vector_stub(0x700);
    g.vector_stub(0xf20);
    g.set_reg(PHV_REG_PPC_LPCR_64, lpcr::ILE);
    constexpr uint32_t kBcdadd = vx(1, 2, 3, 1025), kBcdctsq = vx(1, 0, 3, 1409);
    for (uint32_t w : {kBcdadd, kBcdctsq}) {
        g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE | msr::VEC);
        EXPECT_EQ(g.run_until_vector({w}), 0x700u);
        EXPECT_TRUE(g.reg(PHV_REG_PPC_SRR1) & (1ull << (63 - 44)));   // illegal instruction
    }
    g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::LE);
    EXPECT_EQ(g.run_until_vector({kBcdadd}), 0xf20u);
}

TEST(Vscr, MtvscrMfvscrAndOneReg) {
    Vmx m;
    m.set(3, 0x00010001);   // NJ | SAT in word 3
    m.set(1, ~u128(0));
    m.exec(vx(0, 0, 3, 1604));   // mtvscr v3
    EXPECT_EQ(m.g.reg(PHV_REG_PPC_VSCR), 0x10001u);
    m.g.set_reg(PHV_REG_PPC_VSCR, 0x10000);
    m.exec(vx(1, 0, 0, 1540));   // mfvscr v1: word 3, the rest 0
    EXPECT_TRUE(m.get(1) == 0x10000);
    // A saturating add sets SAT and leaves NJ.
    m.op(512 /* vaddubs */, ~u128(0), 1);
    EXPECT_EQ(m.g.reg(PHV_REG_PPC_VSCR), 0x10001u);
}

TEST(VmxBigEndian, LoadStoreElementPlacement) {
    Vmx m;
    m.g.set_reg(PHV_REG_PPC_MSR, msr::SF | msr::ME | msr::VEC);   // big-endian
    auto run_be = [&](uint32_t word) {
        std::vector<uint32_t> code = with_done({word});
        for (auto &w : code)
            w = __builtin_bswap32(w);   // GuestCode::load stores little-endian words
        m.g.load(code);
        m.v.request_code_invalidate(GuestCode::kCodeBase);
        m.loaded = 0;
        m.g.run_data->papr_hcall.ret = m.g.gpr(3);
        for (unsigned i = 0; i < 9; ++i)
            m.g.run_data->papr_hcall.args[i] = m.g.gpr(4 + i);
        m.g.run_to_done();
    };
    constexpr uint64_t kData = 0x20000;
    for (unsigned i = 0; i < 32; ++i)
        m.g.ram[kData + i] = uint8_t(0x10 + i);
    m.g.set_gpr(4, 0);
    m.g.set_gpr(3, kData + 5);
    run_be(enc::X(31, 1, 0, 3, 103));   // lvx v1,0,r3: the aligned quadword, byte i of the VR = storage byte i
    EXPECT_TRUE(m.get(1) == from_hex("101112131415161718191a1b1c1d1e1f"));
    m.set(2, 0);
    m.g.set_gpr(3, kData + 6);
    run_be(enc::X(31, 2, 0, 3, 39));   // lvehx v2,0,r3: halfword at byte 6 of the VR
    EXPECT_TRUE(m.get(2) == from_hex("00000000000016170000000000000000"));
    m.g.set_gpr(3, kData + 16 + 8);
    m.set(1, from_hex("00112233445566778899aabbccddeeff"));
    run_be(enc::X(31, 1, 0, 3, 199));   // stvewx v1,0,r3: word element 2 to its own address
    EXPECT_EQ(m.g.ram[kData + 24], 0x88);
    EXPECT_EQ(m.g.ram[kData + 27], 0xbb);
    EXPECT_EQ(m.g.ram[kData + 28], 0x2c);   // the bytes around it untouched
    m.g.set_gpr(3, kData + 3);
    run_be(enc::X(31, 3, 0, 3, 6));   // lvsl v3,0,r3: 3, 4, ..., 18
    EXPECT_TRUE(m.get(3) == from_hex("030405060708090a0b0c0d0e0f101112"));
    m.g.set_gpr(3, kData + 16);
    m.set(1, from_hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"));
    run_be(enc::X(31, 1, 0, 3, 231));   // stvx: storage byte i = VR byte i
    EXPECT_EQ(m.g.ram[kData + 16], 0xf0);
    EXPECT_EQ(m.g.ram[kData + 31], 0xff);
}

} // namespace
} // namespace phv::test
