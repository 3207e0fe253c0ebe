// Builds small ELF64 images in memory, in either byte order, so the loader is tested against exact bytes
// (and against deliberately broken headers) without files.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace phvrun::test {

struct SegmentSpec {
    uint64_t vaddr;
    uint64_t paddr;
    std::vector<uint8_t> data;  // file contents
    uint64_t mem_size;          // >= data.size() normally; 0 means data.size()
    uint32_t type = 1;          // PT_LOAD
};

struct ElfSpec {
    bool big_endian = false;
    uint16_t machine = 21;  // EM_PPC64
    uint16_t type = 2;      // ET_EXEC
    uint64_t entry = 0;
    std::vector<SegmentSpec> segments;
};

// Layout: header, program headers, then each segment's data at a 16-byte aligned offset.
std::vector<uint8_t> make_elf(const ElfSpec &spec);

// Offsets of fields inside the image make_elf() builds, for tests that corrupt them.
constexpr size_t kPhdrOffset = 64;
constexpr size_t kPhdrSize = 56;
inline size_t phdr_field(unsigned index, size_t field) { return kPhdrOffset + index * kPhdrSize + field; }
constexpr size_t kPhOffsetField = 8, kPhFileszField = 32, kPhMemszField = 40;

void put(std::vector<uint8_t> &image, size_t offset, uint64_t value, unsigned bytes, bool big_endian);

} // namespace phvrun::test
