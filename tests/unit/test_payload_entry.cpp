// What the bare-metal payload (tests/guest/payload) relies on beyond plain arithmetic: the endian fix-up
// that firmware and phv-run enter big-endian, byte-reversed accesses (device-tree and RTAS cells) and the
// one-field CR moves gcc emits around calls. The payload run proves them together; these pin each one.
#include <cstring>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "vcpu/cpu_state.h"

namespace {
using namespace phv::test;
using namespace phv::test::enc;

constexpr uint32_t kLR = 8, kSRR0 = 26, kSRR1 = 27;

constexpr uint32_t xori(uint32_t ra, uint32_t rs, uint32_t ui) { return D(26, rs, ra, int32_t(ui)); }
constexpr uint32_t tdi(uint32_t to, uint32_t ra, int32_t si) { return D(2, to, ra, si); }
constexpr uint32_t bcl_next() { return 16u << 26 | 20u << 21 | 31u << 16 | 4 | 1; }   // bcl 20,31,$+4
constexpr uint32_t mtocrf(uint32_t fxm, uint32_t rs) { return 31u << 26 | rs << 21 | 1u << 20 | fxm << 12 | 144u << 1; }
constexpr uint32_t mfocrf(uint32_t rt, uint32_t fxm) { return 31u << 26 | rt << 21 | 1u << 20 | fxm << 12 | 19u << 1; }

// The payload's first words (tests/guest/payload/start.S), in memory order. Read little-endian, word 0 is
// `tdi 0,0,0x48` (never traps) and word 1 branches to le_path. Read big-endian, word 0 is `b .+8` and
// words 2..12 are stored byte-swapped so that they decode big-endian: r31 = 1, flip MSR[LE], rfid to the
// word after the sequence.
std::vector<uint32_t> fixup_image(std::initializer_list<uint32_t> after, std::initializer_list<uint32_t> le_path) {
    const uint32_t be_seq[] = {
        addi(31, 0, 1), mfmsr(11),     xori(11, 11, 1),   addi(12, 0, 0),    mtmsrd(12, 1), bcl_next(),
        mfspr(12, kLR), addi(12, 12, 20), mtspr(kSRR0, 12), mtspr(kSRR1, 11), rfid(),
    };
    const std::vector<uint32_t> tail = with_done(after);
    const uint32_t le_offset = uint32_t(4 * (2 + std::size(be_seq) + tail.size()));
    std::vector<uint32_t> img = {tdi(0, 0, 0x48), b(int32_t(le_offset - 4))};
    for (uint32_t w : be_seq)
        img.push_back(__builtin_bswap32(w));
    img.insert(img.end(), tail.begin(), tail.end());
    const std::vector<uint32_t> le = with_done(le_path);
    img.insert(img.end(), le.begin(), le.end());
    return img;
}

TEST(EndianFixup, BigEndianEntryArrivesLittleEndian) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_MSR, phv::msr::SF | phv::msr::ME);   // phv-run's entry: 64-bit, big-endian
    g.set_gpr(31, 7);
    g.load(fixup_image({mfmsr(7)}, {addi(31, 0, 2)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(31), 1u);   // the big-endian path ran
    EXPECT_EQ(g.gpr(7), phv::msr::SF | phv::msr::ME | phv::msr::LE);
}

TEST(EndianFixup, LittleEndianEntrySkipsTheSequence) {
    GuestCode g;   // MSR[LE] = 1
    g.set_gpr(31, 7);
    g.load(fixup_image({addi(31, 0, 3)}, {addi(31, 0, 2)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(31), 2u);   // tdi did not trap and the branch went to le_path
}

TEST(ByteReversed, LoadsSwapTheBytesOfTheAccess) {
    GuestCode g;
    const uint64_t v = 0x0123456789abcdefull;
    std::memcpy(g.ram + 0x200, &v, 8);
    g.set_gpr(4, 0x200);
    // lwbrx r5,0,r4; ldbrx r6,0,r4; lhbrx r7,0,r4
    g.load(with_done({X(31, 5, 0, 4, 534), X(31, 6, 0, 4, 532), X(31, 7, 0, 4, 790)}));
    g.run_to_done();
    EXPECT_EQ(g.gpr(5), 0xefcdab89u);
    EXPECT_EQ(g.gpr(6), 0xefcdab8967452301u);
    EXPECT_EQ(g.gpr(7), 0xefcdu);
}

TEST(ByteReversed, StoresWriteBigEndianInLittleEndianMode) {
    GuestCode g;
    g.set_gpr(4, 0x300);
    g.set_gpr(5, 0x310);
    g.set_gpr(6, 0x320);
    g.set_gpr(9, 0x1122334455667788ull);
    // stwbrx r9,0,r4; stdbrx r9,0,r5; sthbrx r9,0,r6
    g.load(with_done({X(31, 9, 0, 4, 662), X(31, 9, 0, 5, 660), X(31, 9, 0, 6, 918)}));
    g.run_to_done();
    const uint8_t w[] = {0x55, 0x66, 0x77, 0x88};
    const uint8_t d[] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    const uint8_t h[] = {0x77, 0x88};
    EXPECT_EQ(std::memcmp(g.ram + 0x300, w, sizeof(w)), 0);
    EXPECT_EQ(std::memcmp(g.ram + 0x310, d, sizeof(d)), 0);
    EXPECT_EQ(std::memcmp(g.ram + 0x320, h, sizeof(h)), 0);
}

TEST(CrField, OneFieldMovesTouchOnlyTheirField) {
    GuestCode g;
    g.set_reg(PHV_REG_PPC_CR, 0xffffffffu);
    g.set_gpr(11, 0x5a5a5a5au);
    // mtocrf 0x08,r11 (CR4); mfocrf r12,0x08; mfocrf r13,0x80 (CR0)
    g.load(with_done({mtocrf(0x08, 11), mfocrf(12, 0x08), mfocrf(13, 0x80)}));
    g.run_to_done();
    EXPECT_EQ(uint32_t(g.reg(PHV_REG_PPC_CR)), 0xffff5fffu);
    EXPECT_EQ(g.gpr(12), 0x5000u);   // the other fields read 0, as on QEMU
    EXPECT_EQ(g.gpr(13), 0xf0000000u);
}

} // namespace
