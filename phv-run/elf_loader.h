// Loads a 64-bit PowerPC ELF (little- or big-endian) the way QEMU's pseries machine does, so one image runs
// unchanged under both: each PT_LOAD goes to guest-physical (p_paddr & 0x0fffffff) + 0x400000, and the
// entry is e_entry translated through the segment that contains it.
//
// parse_elf() checks everything against the file and against guest RAM before anything is copied, so a
// malformed file is an error message, never an out-of-bounds access.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "expected.h"
#include "guest_memory.h"

namespace phvrun {

constexpr uint64_t kKernelLoadBase = 0x400000;
constexpr uint64_t kKernelPaddrMask = 0x0fffffff;

struct ElfSegment {
    uint64_t file_offset;
    uint64_t file_size;
    uint64_t mem_size;   // > file_size: the rest is .bss, zeroed
    uint64_t vaddr;
    uint64_t load_addr;  // guest-physical
};

struct ElfImage {
    bool big_endian = false;
    uint64_t entry = 0;     // guest-physical
    uint64_t load_lo = 0;   // lowest load address
    uint64_t load_hi = 0;   // end of the highest segment (exclusive)
    std::vector<ElfSegment> segments;
};

// The load address QEMU's pseries gives a segment with this p_paddr.
inline uint64_t elf_load_address(uint64_t paddr) { return (paddr & kKernelPaddrMask) + kKernelLoadBase; }

Expected<ElfImage> parse_elf(std::span<const uint8_t> file, uint64_t ram_size);

// Copies the segments of a parsed image into RAM and zeroes their .bss. Fails only if `ram` is smaller than
// the ram_size the image was parsed against.
Expected<bool> load_elf(const ElfImage &image, std::span<const uint8_t> file, const GuestMemory &ram);

} // namespace phvrun
