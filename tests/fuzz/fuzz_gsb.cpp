// libFuzzer target: the nestedv2 guest state buffer parser (nested/gsb.h), which reads buffers an L1 guest
// hands in H_GUEST_GET_STATE / H_GUEST_SET_STATE / H_GUEST_RUN_VCPU. The input's first byte picks the use and
// scope, the rest is the buffer, copied to end at a guard page so a read past it faults. Beyond "no crash":
// an accepted buffer's elements lie inside it, have the sizes, scope and access their table rows allow, and
// written out again with GsbWriter they parse to the same elements; a refused one names an element inside it.
#include <cstring>
#include <set>
#include <vector>

#include "fuzz_common.h"
#include "guarded_memory.h"
#include "nested/gsb.h"

namespace {

using namespace phv::nested;

bool known_error(int64_t rc) {
    return rc == hret::kP5 || rc == hret::kInvalidElementId || rc == hret::kInvalidElementSize ||
           rc == hret::kInvalidElementValue;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > (1u << 16))
        return 0;
    const Use use = Use(data[0] % 3);
    const Scope scope = use == Use::RunInput ? Scope::Vcpu : Scope(1 + (data[0] >> 2) % 3);
    const size_t n = size - 1;
    phvfuzz::GuardedMemory mem((n + 4095) / 4096 * 4096 + 4096);
    uint8_t *buf = mem.data() + mem.size() - n;
    if (n)
        std::memcpy(buf, data + 1, n);

    std::vector<Element> out;
    const ParseStatus st = parse_gsb({buf, n}, use, scope, out);
    if (!st.ok()) {
        if (!known_error(st.rc))
            phvfuzz::fail("parse_gsb returned an error it does not document", uint64_t(st.rc));
        if (st.rc != hret::kP5 && (st.offset + 4ull > n))
            phvfuzz::fail("an element error names an offset outside the buffer", st.offset, n);
        return 0;
    }
    std::set<uint16_t> seen;
    GsbWriter again;
    for (const Element &e : out) {
        if (e.offset + 4ull + e.len > n)
            phvfuzz::fail("an element reaches past the buffer", e.offset, e.len);
        if (be_load(buf + e.offset, 2) != e.id || be_load(buf + e.offset + 2, 2) != e.len)
            phvfuzz::fail("an element's id or length is not what the buffer holds", e.offset);
        if (!e.info || e.info != element_info(e.id) || e.id == gsid::kNop)
            phvfuzz::fail("an element without its table row (or a Nop) was returned", e.id);
        if (e.len != e.info->size && !(e.info->alt_size && e.len == e.info->alt_size))
            phvfuzz::fail("an element of a size its row does not allow was accepted", e.id, e.len);
        if (e.info->scope != scope)
            phvfuzz::fail("an element of another scope was accepted", e.id);
        if (use != Use::Get && e.info->read_only)
            phvfuzz::fail("a read-only element was accepted for a set", e.id);
        if (use == Use::Set && !seen.insert(e.id).second)
            phvfuzz::fail("the same element twice in one set was accepted", e.id);
        again.put(e.id, buf + e.offset + 4, e.len);
    }
    std::vector<Element> out2;
    const ParseStatus st2 = parse_gsb(again.bytes(), use, scope, out2);
    if (!st2.ok() || out2.size() != out.size())
        phvfuzz::fail("the accepted elements, written out again, do not parse", uint64_t(st2.rc), out2.size());
    for (size_t i = 0; i < out.size(); ++i)
        if (out2[i].id != out[i].id || out2[i].len != out[i].len ||
            std::memcmp(again.bytes().data() + out2[i].offset + 4, buf + out[i].offset + 4, out[i].len) != 0)
            phvfuzz::fail("an element changed on the way through GsbWriter", out[i].id);
    return 0;
}
