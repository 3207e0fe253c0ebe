#include "elf_image.h"

namespace phvrun::test {

void put(std::vector<uint8_t> &image, size_t offset, uint64_t value, unsigned bytes, bool big_endian) {
    if (image.size() < offset + bytes)
        image.resize(offset + bytes);
    for (unsigned i = 0; i < bytes; ++i) {
        const unsigned shift = 8 * (big_endian ? bytes - 1 - i : i);
        image[offset + i] = uint8_t(value >> shift);
    }
}

std::vector<uint8_t> make_elf(const ElfSpec &spec) {
    std::vector<uint8_t> img(kPhdrOffset + spec.segments.size() * kPhdrSize, 0);
    const bool be = spec.big_endian;
    img[0] = 0x7f, img[1] = 'E', img[2] = 'L', img[3] = 'F';
    img[4] = 2;            // ELFCLASS64
    img[5] = be ? 2 : 1;   // ELFDATA2MSB / LSB
    img[6] = 1;            // EV_CURRENT
    put(img, 16, spec.type, 2, be);
    put(img, 18, spec.machine, 2, be);
    put(img, 20, 1, 4, be);
    put(img, 24, spec.entry, 8, be);
    put(img, 32, kPhdrOffset, 8, be);
    put(img, 52, 64, 2, be);
    put(img, 54, kPhdrSize, 2, be);
    put(img, 56, spec.segments.size(), 2, be);

    for (size_t i = 0; i < spec.segments.size(); ++i) {
        const SegmentSpec &s = spec.segments[i];
        const size_t off = (img.size() + 15) & ~size_t(15);
        img.resize(off);
        img.insert(img.end(), s.data.begin(), s.data.end());
        const size_t ph = kPhdrOffset + i * kPhdrSize;
        put(img, ph + 0, s.type, 4, be);
        put(img, ph + 4, 7, 4, be);  // RWX
        put(img, ph + 8, off, 8, be);
        put(img, ph + 16, s.vaddr, 8, be);
        put(img, ph + 24, s.paddr, 8, be);
        put(img, ph + 32, s.data.size(), 8, be);
        put(img, ph + 40, s.mem_size ? s.mem_size : s.data.size(), 8, be);
        put(img, ph + 48, 16, 8, be);
    }
    return img;
}

} // namespace phvrun::test
