// ELF loading follows QEMU's pseries rule (segment at (p_paddr & 0x0fffffff) + 0x400000) and turns every
// malformed or misplaced image into a message before touching guest RAM.
#include <gtest/gtest.h>

#include <vector>

#include "elf_image.h"
#include "elf_loader.h"

namespace phvrun {
namespace {

using test::ElfSpec;
using test::make_elf;
using test::put;

constexpr uint64_t kRam = 64ull << 20;

std::vector<uint8_t> bytes(size_t n, uint8_t first) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = uint8_t(first + i);
    return v;
}

// The bare-metal payload's shape: linked at 0x400000 with load address 0, plus .bss.
ElfSpec payload_like(bool be) {
    ElfSpec s;
    s.big_endian = be;
    s.entry = 0x400000;
    s.segments.push_back({0x400000, 0, bytes(256, 1), 0x3000});
    return s;
}

void expect_error(const std::vector<uint8_t> &img, const std::string &part, uint64_t ram = kRam) {
    auto r = parse_elf(img, ram);
    ASSERT_FALSE(r) << "accepted an image that should fail with: " << part;
    EXPECT_NE(r.error().find(part), std::string::npos) << r.error();
}

TEST(ElfLoader, LoadAddressFollowsQemuPseries) {
    EXPECT_EQ(elf_load_address(0), 0x400000u);
    EXPECT_EQ(elf_load_address(0x1000), 0x401000u);
    EXPECT_EQ(elf_load_address(0xc000000000000000ull), 0x400000u);  // a Linux vmlinux's paddr bits above 28 go
    EXPECT_EQ(elf_load_address(0x10002000), 0x402000u);
}

TEST(ElfLoader, LittleEndianPayloadLoadsAtItsLinkAddress) {
    for (bool be : {false, true}) {
        SCOPED_TRACE(be ? "big-endian" : "little-endian");
        const auto img = make_elf(payload_like(be));
        auto r = parse_elf(img, kRam);
        ASSERT_TRUE(r) << r.error();
        EXPECT_EQ(r->big_endian, be);
        ASSERT_EQ(r->segments.size(), 1u);
        EXPECT_EQ(r->segments[0].load_addr, 0x400000u);
        EXPECT_EQ(r->load_lo, 0x400000u);
        EXPECT_EQ(r->load_hi, 0x403000u);
        EXPECT_EQ(r->entry, 0x400000u);

        std::vector<uint8_t> ram(kRam, 0xaa);
        ASSERT_TRUE(load_elf(*r, img, GuestMemory(ram.data(), ram.size())));
        EXPECT_EQ(ram[0x400000], 1);
        EXPECT_EQ(ram[0x4000ff], 0);  // byte 255 = uint8_t(1 + 255)
        EXPECT_EQ(ram[0x4000fe], 255);
        EXPECT_EQ(ram[0x400100], 0);  // .bss zeroed
        EXPECT_EQ(ram[0x402fff], 0);
        EXPECT_EQ(ram[0x403000], 0xaa);  // nothing past memsz
        EXPECT_EQ(ram[0x3fffff], 0xaa);
    }
}

TEST(ElfLoader, EntryIsTranslatedThroughItsSegment) {
    ElfSpec s;
    s.big_endian = true;
    s.entry = 0xc000000000000100ull;
    s.segments.push_back({0xc000000000000000ull, 0, bytes(0x200, 0), 0});
    s.segments.push_back({0xc000000000010000ull, 0x10000, bytes(0x10, 0), 0});
    auto r = parse_elf(make_elf(s), kRam);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->entry, 0x400100u);
    EXPECT_EQ(r->segments[1].load_addr, 0x410000u);
    EXPECT_EQ(r->load_hi, 0x410010u);
}

TEST(ElfLoader, EntryOutsideEverySegmentFallsBackToTheLowestAddress) {
    ElfSpec s = payload_like(false);
    s.entry = 0x12345678;
    auto r = parse_elf(make_elf(s), kRam);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->entry, 0x400000u);
}

TEST(ElfLoader, NonLoadSegmentsAreIgnored) {
    ElfSpec s = payload_like(false);
    s.segments.push_back({0, 0x7fffffff, bytes(8, 0), 0, 4 /* PT_NOTE */});
    auto r = parse_elf(make_elf(s), kRam);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->segments.size(), 1u);
}

TEST(ElfLoader, RejectsFilesThatAreNotPpc64Executables) {
    expect_error({}, "not an ELF file");
    expect_error({'M', 'Z', 0, 0, 0}, "not an ELF file");
    auto img = make_elf(payload_like(false));
    expect_error(std::vector<uint8_t>(img.begin(), img.begin() + 40), "truncated ELF header");

    auto c32 = img;
    c32[4] = 1;
    expect_error(c32, "32-bit ELF");
    auto bad_order = img;
    bad_order[5] = 3;
    expect_error(bad_order, "byte order");

    ElfSpec x86 = payload_like(false);
    x86.machine = 62;
    expect_error(make_elf(x86), "not 64-bit PowerPC");
    ElfSpec rel = payload_like(false);
    rel.type = 1;
    expect_error(make_elf(rel), "not an executable");
    ElfSpec none = payload_like(false);
    none.segments.clear();
    expect_error(make_elf(none), "no program headers");
}

TEST(ElfLoader, RejectsTruncatedImages) {
    auto img = make_elf(payload_like(true));
    // Program headers cut off.
    expect_error(std::vector<uint8_t>(img.begin(), img.begin() + 80), "program headers lie beyond");
    // Segment data cut off.
    expect_error(std::vector<uint8_t>(img.begin(), img.end() - 1), "beyond the end of the file");
    // A file offset far out, and one that wraps around.
    auto far = img;
    put(far, test::phdr_field(0, test::kPhOffsetField), 1ull << 40, 8, true);
    expect_error(far, "beyond the end of the file");
    auto wrap = img;
    put(wrap, test::phdr_field(0, test::kPhOffsetField), ~0ull - 8, 8, true);
    expect_error(wrap, "beyond the end of the file");
    // Huge phnum against a short file.
    auto phnum = img;
    put(phnum, 56, 1000, 2, true);
    expect_error(phnum, "program headers lie beyond");
}

TEST(ElfLoader, RejectsFileSizeAboveMemorySize) {
    auto img = make_elf(payload_like(false));
    put(img, test::phdr_field(0, test::kPhMemszField), 16, 8, false);
    expect_error(img, "exceeds memory size");
}

TEST(ElfLoader, RejectsOverlappingSegments) {
    ElfSpec s = payload_like(false);
    s.segments.push_back({0x402000, 0x2000, bytes(16, 0), 0});  // inside the first one's .bss
    expect_error(make_elf(s), "overlaps another segment");
}

TEST(ElfLoader, RejectsSegmentsOutsideRam) {
    ElfSpec big = payload_like(false);
    big.segments[0].mem_size = kRam;  // 0x400000 + RAM size: past the end
    expect_error(make_elf(big), "does not fit in guest RAM");

    ElfSpec high = payload_like(false);
    high.segments[0].paddr = 0x0ff00000;  // loads at 0x10300000, beyond 64 MiB
    expect_error(make_elf(high), "does not fit in guest RAM");

    // Near-2^64 memsz must not wrap into "fits".
    auto img = make_elf(payload_like(false));
    put(img, test::phdr_field(0, test::kPhMemszField), ~0ull, 8, false);
    expect_error(img, "does not fit in guest RAM");
}

TEST(ElfLoader, RejectsImagesWithNothingToLoad) {
    ElfSpec s = payload_like(false);
    s.segments[0].type = 6;  // PT_PHDR only
    expect_error(make_elf(s), "no loadable segment");
}

TEST(ElfLoader, LoadFailsCleanlyIntoSmallerRam) {
    const auto img = make_elf(payload_like(false));
    auto r = parse_elf(img, kRam);
    ASSERT_TRUE(r);
    std::vector<uint8_t> small(0x401000);
    auto loaded = load_elf(*r, img, GuestMemory(small.data(), small.size()));
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find("does not fit"), std::string::npos) << loaded.error();
}

} // namespace
} // namespace phvrun
