#include "fdt_writer.h"

#include <libfdt.h>

#include "byte_order.h"

namespace phvrun {

// Property names are not shared in the strings block: libfdt finds a shared name by a memcmp at every byte
// offset of the block, per property, which is most of the time a build takes (half of every fuzz-fdt
// execution went to the sanitizer hooks on those memcmps); sharing would save about a kilobyte of a
// tree that Linux copies and unflattens once.
FdtWriter::FdtWriter(size_t buffer_size) : buf_(buffer_size) {
    check(fdt_create_with_flags(buf_.data(), int(buf_.size()), FDT_CREATE_FLAG_NO_NAME_DEDUP), "fdt_create");
}

void FdtWriter::check(int rc, std::string_view what) {
    if (rc < 0 && err_ == 0) {
        err_ = rc;
        where_ = what;
    }
}

void FdtWriter::reserve(uint64_t address, uint64_t size) {
    if (err_)
        return;
    check(fdt_add_reservemap_entry(buf_.data(), address, size), "memory reservation");
}

void FdtWriter::start_structure() {
    if (!reserve_done_) {
        reserve_done_ = true;
        if (!err_)
            check(fdt_finish_reservemap(buf_.data()), "memory reservation map");
    }
}

void FdtWriter::begin_node(const std::string &name) {
    start_structure();
    if (err_)
        return;
    check(fdt_begin_node(buf_.data(), name.c_str()), name.empty() ? "/" : name);
}

void FdtWriter::end_node() {
    if (err_)
        return;
    check(fdt_end_node(buf_.data()), "end of node");
}

void FdtWriter::prop_bytes(const char *name, std::span<const uint8_t> bytes) {
    if (err_)
        return;
    check(fdt_property(buf_.data(), name, bytes.data(), int(bytes.size())), name);
}

void FdtWriter::prop_empty(const char *name) { prop_bytes(name, {}); }

void FdtWriter::prop_u32(const char *name, uint32_t value) { prop_cells(name, {value}); }

void FdtWriter::prop_u64(const char *name, uint64_t value) {
    uint8_t b[8];
    store_be64(b, value);
    prop_bytes(name, b);
}

void FdtWriter::prop_cells(const char *name, std::initializer_list<uint32_t> cells) {
    prop_cells(name, std::span<const uint32_t>(cells.begin(), cells.size()));
}

void FdtWriter::prop_cells(const char *name, std::span<const uint32_t> cells) {
    std::vector<uint8_t> b(cells.size() * 4);
    for (size_t i = 0; i < cells.size(); ++i)
        store_be32(&b[i * 4], cells[i]);
    prop_bytes(name, b);
}

void FdtWriter::prop_string(const char *name, std::string_view value) {
    std::vector<uint8_t> b(value.begin(), value.end());
    b.push_back(0);
    prop_bytes(name, b);
}

void FdtWriter::prop_strings(const char *name, std::span<const std::string> values) {
    std::vector<uint8_t> b;
    for (const std::string &v : values) {
        b.insert(b.end(), v.begin(), v.end());
        b.push_back(0);
    }
    prop_bytes(name, b);
}

int FdtWriter::finish() {
    start_structure();
    if (!err_)
        check(fdt_finish(buf_.data()), "fdt_finish");
    return err_;
}

std::vector<uint8_t> FdtWriter::take_blob() {
    if (err_)
        return {};
    buf_.resize(fdt_totalsize(buf_.data()));
    return std::move(buf_);
}

} // namespace phvrun
