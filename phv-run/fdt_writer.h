// A thin layer over libfdt's sequential-write API that keeps the first error, so the tree-building code reads
// as a list of nodes and properties and still checks every libfdt return code.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace phvrun {

class FdtWriter {
public:
    explicit FdtWriter(size_t buffer_size);

    void reserve(uint64_t address, uint64_t size);  // before the first begin_node()
    void begin_node(const std::string &name);
    void end_node();

    void prop_empty(const char *name);
    void prop_u32(const char *name, uint32_t value);
    void prop_u64(const char *name, uint64_t value);
    void prop_cells(const char *name, std::initializer_list<uint32_t> cells);
    void prop_cells(const char *name, std::span<const uint32_t> cells);
    void prop_string(const char *name, std::string_view value);
    void prop_strings(const char *name, std::span<const std::string> values);  // NUL-separated list
    void prop_bytes(const char *name, std::span<const uint8_t> bytes);

    // Ends the tree. Returns 0 or the first libfdt error (negative FDT_ERR_*).
    int finish();
    int error() const { return err_; }
    const char *where() const { return where_.c_str(); }  // the node or property the error happened at

    // The finished blob, trimmed to its total size.
    std::vector<uint8_t> take_blob();

private:
    void check(int rc, std::string_view what);
    void start_structure();

    std::vector<uint8_t> buf_;
    int err_ = 0;
    bool reserve_done_ = false;
    std::string where_;
};

} // namespace phvrun
