// Explicit-endian loads and stores on byte buffers. The guest, the ELF file and the device tree each fix
// their own byte order, independent of the host's, so nothing here depends on the host being little-endian.
#pragma once
#include <cstdint>

namespace phvrun {

inline uint64_t load_be(const uint8_t *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
        v = (v << 8) | p[i];
    return v;
}

inline uint64_t load_le(const uint8_t *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

inline void store_be(uint8_t *p, uint64_t v, unsigned n) {
    for (unsigned i = n; i-- > 0; v >>= 8)
        p[i] = uint8_t(v);
}

inline uint32_t load_be32(const uint8_t *p) { return uint32_t(load_be(p, 4)); }
inline uint64_t load_be64(const uint8_t *p) { return load_be(p, 8); }
inline void store_be32(uint8_t *p, uint32_t v) { store_be(p, v, 4); }
inline void store_be64(uint8_t *p, uint64_t v) { store_be(p, v, 8); }

// Overflow-safe "does [start, start+len) fit in [0, limit)".
inline bool range_fits(uint64_t start, uint64_t len, uint64_t limit) {
    return start <= limit && len <= limit - start;
}

inline uint64_t align_up(uint64_t v, uint64_t align) { return (v + align - 1) & ~(align - 1); }
inline uint64_t align_down(uint64_t v, uint64_t align) { return v & ~(align - 1); }

} // namespace phvrun
