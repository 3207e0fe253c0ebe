// libfdt read-back helpers for the device-tree tests.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <libfdt.h>

namespace phvrun::test {

inline std::optional<std::vector<uint8_t>> prop(const void *fdt, const char *path, const char *name) {
    const int node = fdt_path_offset(fdt, path);
    if (node < 0)
        return std::nullopt;
    int len = 0;
    const auto *p = static_cast<const uint8_t *>(fdt_getprop(fdt, node, name, &len));
    if (!p)
        return std::nullopt;
    return std::vector<uint8_t>(p, p + len);
}

inline std::optional<std::string> prop_string(const void *fdt, const char *path, const char *name) {
    auto p = prop(fdt, path, name);
    if (!p || p->empty() || p->back() != 0)
        return std::nullopt;
    return std::string(p->begin(), p->end() - 1);
}

// All cells of a property, big-endian decoded.
inline std::vector<uint64_t> prop_cells(const void *fdt, const char *path, const char *name, unsigned cell_bytes = 4) {
    std::vector<uint64_t> out;
    auto p = prop(fdt, path, name);
    if (!p)
        return out;
    for (size_t i = 0; i + cell_bytes <= p->size(); i += cell_bytes) {
        uint64_t v = 0;
        for (unsigned b = 0; b < cell_bytes; ++b)
            v = (v << 8) | (*p)[i + b];
        out.push_back(v);
    }
    return out;
}

// NUL-separated string list.
inline std::vector<std::string> prop_strings(const void *fdt, const char *path, const char *name) {
    std::vector<std::string> out;
    auto p = prop(fdt, path, name);
    if (!p)
        return out;
    std::string cur;
    for (uint8_t c : *p) {
        if (c == 0) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += char(c);
        }
    }
    return out;
}

inline int count_children(const void *fdt, const char *path) {
    const int parent = fdt_path_offset(fdt, path);
    int n = 0;
    int child;
    fdt_for_each_subnode(child, fdt, parent) ++n;
    return n;
}

} // namespace phvrun::test
