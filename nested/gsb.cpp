// The guest state buffer parser (gsb.h): a pure function of the bytes, strict about every element.
#include <cstring>

#include "nested/gsb.h"

namespace phv::nested {

namespace {

constexpr size_t kHeader = 4, kElementHeader = 4;

ParseStatus fail(int64_t rc, uint32_t index, uint32_t offset, uint16_t id) { return {rc, index, offset, id}; }

bool size_fits(const ElementInfo &e, uint16_t len) {
    return e.scope == Scope::Nop || len == e.size || (e.alt_size && len == e.alt_size);
}

} // namespace

ParseStatus parse_gsb(std::span<const uint8_t> buf, Use use, Scope scope, std::vector<Element> &out) {
    out.clear();
    if (use == Use::RunInput)
        scope = Scope::Vcpu;
    if (buf.size() < kHeader)
        return fail(hret::kP5, 0, 0, 0);
    const uint64_t count = be_load(buf.data(), 4);
    // Every element takes at least its 4-byte header, so a count the buffer cannot hold is caught before
    // anything is allocated for it.
    if (count > (buf.size() - kHeader) / kElementHeader)
        return fail(hret::kP5, 0, 0, 0);
    out.reserve(size_t(count));
    const bool setting = use != Use::Get;
    // Ids seen so far in a SET: one value per element per call, or which one counts would be a guess. A run
    // input buffer may repeat an id and the last one counts: Linux's L1 (6.12, kvmhv_vcpu_entry_nestedv2)
    // appends the LPCR for this run to a buffer that already holds the vcpu's dirty LPCR.
    const bool once = use == Use::Set;
    std::vector<uint64_t> seen(once ? 65536 / 64 : 0);
    size_t pos = kHeader;
    for (uint32_t i = 0; i < count; ++i) {
        const uint32_t at = uint32_t(pos);
        if (buf.size() - pos < kElementHeader)
            return fail(hret::kP5, i, at, 0);
        const uint16_t id = uint16_t(be_load(buf.data() + pos, 2));
        const uint16_t len = uint16_t(be_load(buf.data() + pos + 2, 2));
        if (buf.size() - pos - kElementHeader < len)
            return fail(hret::kP5, i, at, id);
        const uint8_t *value = buf.data() + pos + kElementHeader;
        pos += kElementHeader + len;
        const ElementInfo *e = element_info(id);
        if (!e)
            return fail(hret::kInvalidElementId, i, at, id);
        if (e->scope == Scope::Nop)
            continue;
        if (e->scope != scope || (setting && e->read_only))
            return fail(hret::kInvalidElementId, i, at, id);
        if (once) {
            uint64_t &word = seen[id / 64];
            if (word & (1ull << (id % 64)))
                return fail(hret::kInvalidElementId, i, at, id);
            word |= 1ull << (id % 64);
        }
        if (!size_fits(*e, len))
            return fail(hret::kInvalidElementSize, i, at, id);
        if (setting) {
            if ((len == 4 || len == 8) && (be_load(value, len) & ~e->mask))
                return fail(hret::kInvalidElementValue, i, at, id);
            if (e->valid && !e->valid(value, len))
                return fail(hret::kInvalidElementValue, i, at, id);
        }
        out.push_back({id, len, at, e});
    }
    return {};
}

GsbWriter &GsbWriter::put(uint16_t id, const uint8_t *value, uint16_t len) {
    const size_t at = bytes_.size();
    bytes_.resize(at + 4 + len);
    be_store(bytes_.data() + at, 2, id);
    be_store(bytes_.data() + at + 2, 2, len);
    if (len)
        std::memcpy(bytes_.data() + at + 4, value, len);
    be_store(bytes_.data(), 4, ++count_);
    return *this;
}

GsbWriter &GsbWriter::put_be(uint16_t id, uint16_t len, uint64_t v) {
    uint8_t b[8];
    be_store(b, len, v);
    return put(id, b, len);
}

GsbWriter &GsbWriter::put_pair(uint16_t id, uint64_t a, uint64_t b) {
    uint8_t v[16];
    be_store(v, 8, a);
    be_store(v + 8, 8, b);
    return put(id, v, 16);
}

GsbWriter &GsbWriter::put_triple(uint16_t id, uint64_t a, uint64_t b, uint64_t c) {
    uint8_t v[24];
    be_store(v, 8, a);
    be_store(v + 8, 8, b);
    be_store(v + 16, 8, c);
    return put(id, v, 24);
}

} // namespace phv::nested
