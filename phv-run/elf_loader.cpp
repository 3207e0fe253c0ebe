#include "elf_loader.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "byte_order.h"

namespace phvrun {

namespace {

// ELF constants (System V gABI, ELF64 and the 64-bit PowerPC ELF supplement).
constexpr size_t kEhdrSize = 64;
constexpr size_t kPhdrSize = 56;
constexpr uint8_t kElfClass64 = 2;
constexpr uint8_t kElfData2Lsb = 1, kElfData2Msb = 2;
constexpr uint8_t kEvCurrent = 1;
constexpr uint16_t kEtExec = 2, kEtDyn = 3;
constexpr uint16_t kEmPpc64 = 21;
constexpr uint16_t kPnXnum = 0xffff;
constexpr uint32_t kPtLoad = 1;

class Reader {
public:
    Reader(std::span<const uint8_t> f, bool be) : f_(f), be_(be) {}
    // Callers have checked that [off, off+n) is inside the file.
    uint64_t get(uint64_t off, unsigned n) const { return be_ ? load_be(&f_[off], n) : load_le(&f_[off], n); }
    uint16_t u16(uint64_t off) const { return uint16_t(get(off, 2)); }
    uint32_t u32(uint64_t off) const { return uint32_t(get(off, 4)); }
    uint64_t u64(uint64_t off) const { return get(off, 8); }

private:
    std::span<const uint8_t> f_;
    bool be_;
};

} // namespace

Expected<ElfImage> parse_elf(std::span<const uint8_t> file, uint64_t ram_size) {
    const uint64_t fsize = file.size();
    if (fsize < 4 || file[0] != 0x7f || file[1] != 'E' || file[2] != 'L' || file[3] != 'F')
        return Error{"not an ELF file"};
    if (fsize < kEhdrSize)
        return Error{"truncated ELF header (" + std::to_string(fsize) + " bytes)"};
    if (file[4] != kElfClass64)
        return Error{file[4] == 1 ? "32-bit ELF; a 64-bit PowerPC ELF is needed" : "bad ELF class"};
    if (file[5] != kElfData2Lsb && file[5] != kElfData2Msb)
        return Error{"bad ELF byte order"};
    if (file[6] != kEvCurrent)
        return Error{"bad ELF version"};

    ElfImage img;
    img.big_endian = file[5] == kElfData2Msb;
    const Reader r(file, img.big_endian);

    const uint16_t type = r.u16(16);
    const uint16_t machine = r.u16(18);
    const uint64_t entry = r.u64(24);
    const uint64_t phoff = r.u64(32);
    const uint16_t phentsize = r.u16(54);
    const uint16_t phnum = r.u16(56);

    if (machine != kEmPpc64)
        return Error{"ELF machine " + std::to_string(machine) + " is not 64-bit PowerPC (21)"};
    if (type != kEtExec && type != kEtDyn)
        return Error{"ELF type " + std::to_string(type) + " is not an executable"};
    if (phnum == 0)
        return Error{"ELF has no program headers"};
    if (phnum == kPnXnum)
        return Error{"ELF with more than 65534 program headers is not supported"};
    if (phentsize != kPhdrSize)
        return Error{"bad ELF program header size " + std::to_string(phentsize)};
    if (!range_fits(phoff, uint64_t(phnum) * kPhdrSize, fsize))
        return Error{"ELF program headers lie beyond the end of the file"};

    for (unsigned i = 0; i < phnum; ++i) {
        const uint64_t ph = phoff + uint64_t(i) * kPhdrSize;
        if (r.u32(ph) != kPtLoad)
            continue;
        ElfSegment s;
        s.file_offset = r.u64(ph + 8);
        s.vaddr = r.u64(ph + 16);
        const uint64_t paddr = r.u64(ph + 24);
        s.file_size = r.u64(ph + 32);
        s.mem_size = r.u64(ph + 40);
        const std::string name = "ELF segment " + std::to_string(i);
        if (s.file_size > s.mem_size)
            return Error{name + ": file size " + hex(s.file_size) + " exceeds memory size " + hex(s.mem_size)};
        if (!range_fits(s.file_offset, s.file_size, fsize))
            return Error{name + " lies beyond the end of the file (offset " + hex(s.file_offset) + ", size " +
                         hex(s.file_size) + ", file " + hex(fsize) + ")"};
        if (s.mem_size == 0)
            continue;
        s.load_addr = elf_load_address(paddr);
        if (!range_fits(s.load_addr, s.mem_size, ram_size))
            return Error{name + " (" + hex(s.mem_size) + " bytes at " + hex(s.load_addr) +
                         ") does not fit in guest RAM (" + hex(ram_size) + " bytes)"};
        for (const ElfSegment &o : img.segments)
            if (s.load_addr < o.load_addr + o.mem_size && o.load_addr < s.load_addr + s.mem_size)
                return Error{name + " overlaps another segment at " + hex(o.load_addr)};
        img.segments.push_back(s);
    }
    if (img.segments.empty())
        return Error{"ELF has no loadable segment"};

    img.load_lo = UINT64_MAX;
    for (const ElfSegment &s : img.segments) {
        img.load_lo = std::min(img.load_lo, s.load_addr);
        img.load_hi = std::max(img.load_hi, s.load_addr + s.mem_size);
    }
    // QEMU's pseries firmwares jump to the lowest load address; a kernel's e_entry is that address anyway,
    // and translating e_entry keeps images whose entry is elsewhere in their first segment working.
    img.entry = img.load_lo;
    for (const ElfSegment &s : img.segments) {
        if (entry >= s.vaddr && entry - s.vaddr < s.mem_size) {
            img.entry = s.load_addr + (entry - s.vaddr);
            break;
        }
    }
    return img;
}

Expected<bool> load_elf(const ElfImage &image, std::span<const uint8_t> file, const GuestMemory &ram) {
    for (const ElfSegment &s : image.segments) {
        if (!range_fits(s.file_offset, s.file_size, file.size()))
            return Error{"ELF segment lies beyond the end of the file"};
        if (!ram.write(s.load_addr, file.data() + s.file_offset, s.file_size) ||
            !ram.fill(s.load_addr + s.file_size, 0, s.mem_size - s.file_size))
            return Error{"ELF segment at " + hex(s.load_addr) + " does not fit in guest RAM"};
    }
    return true;
}

} // namespace phvrun
