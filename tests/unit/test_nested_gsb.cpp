// The nestedv2 guest state buffer table and parser (nested/gsb.h): every kind of malformed buffer gets its
// error code and the failing element's index, offset and id; good buffers parse to their elements.
#include <gtest/gtest.h>

#include <random>

#include "nested/gsb.h"

namespace {
using namespace phv::nested;

ParseStatus parse(const std::vector<uint8_t> &b, Use use, Scope scope, std::vector<Element> *els = nullptr) {
    std::vector<Element> tmp;
    return parse_gsb(b, use, scope, els ? *els : tmp);
}

// Raw element bytes, for buffers the writer would not produce.
std::vector<uint8_t> raw(uint32_t count, std::initializer_list<std::pair<uint16_t, std::vector<uint8_t>>> els,
                         uint16_t len_override = 0xffff) {
    std::vector<uint8_t> b(4);
    be_store(b.data(), 4, count);
    for (const auto &[id, v] : els) {
        const size_t at = b.size();
        b.resize(at + 4);
        be_store(b.data() + at, 2, id);
        be_store(b.data() + at + 2, 2, len_override == 0xffff ? v.size() : len_override);
        b.insert(b.end(), v.begin(), v.end());
    }
    return b;
}

TEST(NestedGsbTable, SortedCompleteAndConsistent) {
    unsigned ids = 0;
    for (const auto &e : element_table()) {
        ids += e.last - e.first + 1u;
        EXPECT_EQ(element_info(e.first), &e);
        EXPECT_EQ(element_info(e.last), &e);
        if (e.scope != Scope::Nop) {
            EXPECT_TRUE(e.size == 4 || e.size == 8 || e.size == 16 || e.size == 24) << e.name;
        }
    }
    // 1 NOP + 6 guest-wide + 5 host-wide + 3 meta + 84 doubleword + 15 word + 64 VSR + 4 read-only
    // exit registers (kvm-nested.rst with DPDES and the host-wide counters).
    EXPECT_EQ(ids, 1u + 6 + 5 + 3 + 84 + 15 + 64 + 4);
    for (uint16_t reserved : {0x0007, 0x07ff, 0x0805, 0x0bff, 0x0c03, 0x0fff, 0x1054, 0x1fff, 0x200f, 0x2fff,
                              0x3040, 0xefff, 0xf004, 0xffff})
        EXPECT_EQ(element_info(reserved), nullptr) << std::hex << reserved;
    EXPECT_EQ(element_info(0x1005)->target, Target::Gpr);
    EXPECT_EQ(element_info(0x303f)->target, Target::Vsr);
    EXPECT_TRUE(element_info(0xf000)->read_only);
    EXPECT_EQ(element_info(0x0003)->scope, Scope::Guest);
    EXPECT_EQ(element_info(0x0801)->scope, Scope::Host);
    EXPECT_EQ(element_info(0x0c00)->scope, Scope::Vcpu);
}

TEST(NestedGsb, GoodBuffersParse) {
    GsbWriter w;
    w.put_be(gsid::kGpr0 + 3, 8, 0x1234).put_be(gsid::kCr, 4, 0x20000000).put_pair(gsid::kVsr0 + 63, 1, 2);
    w.put(gsid::kNop, nullptr, 0).put_be(gsid::kNia, 8, 0x4000);
    std::vector<Element> els;
    ASSERT_TRUE(parse(w.bytes(), Use::Set, Scope::Vcpu, &els).ok());
    ASSERT_EQ(els.size(), 4u);   // the NOP is skipped
    EXPECT_EQ(els[0].id, 0x1003);
    EXPECT_EQ(els[0].offset, 4u);
    EXPECT_EQ(els[1].len, 4u);
    EXPECT_EQ(els[2].len, 16u);
    EXPECT_EQ(els[3].id, gsid::kNia);
    // The same ids in a GET: values are not looked at.
    EXPECT_TRUE(parse(w.bytes(), Use::Get, Scope::Vcpu).ok());
    EXPECT_TRUE(parse(w.bytes(), Use::RunInput, Scope::Guest).ok());   // run input is vcpu scope whatever asked
    // An empty buffer and one with room to spare after its elements.
    EXPECT_TRUE(parse(raw(0, {}), Use::Set, Scope::Guest).ok());
    auto spare = w.bytes();
    spare.resize(spare.size() + 100, 0xee);
    EXPECT_TRUE(parse(spare, Use::Set, Scope::Vcpu).ok());
    // A NOP of any length, in any scope.
    EXPECT_TRUE(parse(raw(2, {{0, std::vector<uint8_t>(37)}, {0, {}}}), Use::Set, Scope::Guest).ok());
    EXPECT_TRUE(parse(raw(1, {{0, std::vector<uint8_t>(3)}}), Use::Get, Scope::Host).ok());
}

TEST(NestedGsb, TruncatedBuffers) {
    for (size_t n = 0; n < 4; ++n)
        EXPECT_EQ(parse(std::vector<uint8_t>(n), Use::Set, Scope::Vcpu).rc, hret::kP5) << n;
    // A count that 4-byte headers alone could not fit.
    EXPECT_EQ(parse(raw(1, {}), Use::Set, Scope::Vcpu).rc, hret::kP5);
    EXPECT_EQ(parse(raw(0xffffffff, {{0x1000, std::vector<uint8_t>(8)}}), Use::Get, Scope::Vcpu).rc, hret::kP5);
    // The second element's header is cut.
    auto b = raw(3, {{0x1000, std::vector<uint8_t>(8)}, {0x1001, std::vector<uint8_t>(8)}});
    b.resize(b.size() + 2);   // two bytes of a third header
    b.resize(b.size() + 2);   // count still fits 4-byte headers; the third header is complete but no value
    be_store(b.data() + b.size() - 4, 2, 0x1002);
    be_store(b.data() + b.size() - 2, 2, 8);
    ParseStatus s = parse(b, Use::Set, Scope::Vcpu);
    EXPECT_EQ(s.rc, hret::kP5);
    EXPECT_EQ(s.index, 2u);
    EXPECT_EQ(s.offset, 28u);
    EXPECT_EQ(s.id, 0x1002);
    // A value running past the end of the buffer.
    b = raw(1, {{0x1000, std::vector<uint8_t>(8)}});
    b.resize(b.size() - 1);
    s = parse(b, Use::Get, Scope::Vcpu);
    EXPECT_EQ(s.rc, hret::kP5);
    EXPECT_EQ(s.index, 0u);
    // A length field that claims more than the buffer holds.
    b = raw(1, {{0x1000, std::vector<uint8_t>(8)}}, 0xfff0);
    EXPECT_EQ(parse(b, Use::Set, Scope::Vcpu).rc, hret::kP5);
}

TEST(NestedGsb, UnknownAndReservedIds) {
    for (uint16_t id : {0x0007, 0x0800 - 1, 0x0805, 0x0c03, 0x1054, 0x200f, 0x3040, 0xf004, 0xffff}) {
        auto b = raw(2, {{0x1000, std::vector<uint8_t>(8)}, {id, std::vector<uint8_t>(8)}});
        for (Use use : {Use::Get, Use::Set, Use::RunInput}) {
            const ParseStatus s = parse(b, use, Scope::Vcpu);
            EXPECT_EQ(s.rc, hret::kInvalidElementId) << std::hex << id;
            EXPECT_EQ(s.index, 1u);
            EXPECT_EQ(s.offset, 16u);
            EXPECT_EQ(s.id, id);
        }
    }
}

TEST(NestedGsb, WrongScope) {
    struct {
        uint16_t id;
        unsigned len;
        Scope bad;
    } cases[] = {
        {gsid::kTbOffset, 8, Scope::Vcpu},     {gsid::kLogicalPvr, 4, Scope::Host},
        {gsid::kGpr0, 8, Scope::Guest},        {gsid::kRunInput, 16, Scope::Guest},
        {gsid::kL0GuestHeap, 8, Scope::Guest}, {gsid::kL0GuestHeap, 8, Scope::Vcpu},
        {gsid::kHdar, 8, Scope::Guest},        {gsid::kVsr0, 16, Scope::Host},
    };
    for (const auto &c : cases) {
        auto b = raw(1, {{c.id, std::vector<uint8_t>(c.len)}});
        const ParseStatus s = parse(b, Use::Get, c.bad);
        EXPECT_EQ(s.rc, hret::kInvalidElementId) << std::hex << c.id;
        EXPECT_EQ(s.id, c.id);
    }
    // Guest-wide ids in a run input buffer.
    auto b = raw(2, {{gsid::kGpr0, std::vector<uint8_t>(8)}, {gsid::kTbOffset, std::vector<uint8_t>(8)}});
    const ParseStatus s = parse(b, Use::RunInput, Scope::Vcpu);
    EXPECT_EQ(s.rc, hret::kInvalidElementId);
    EXPECT_EQ(s.index, 1u);
    EXPECT_EQ(s.offset, 16u);
}

TEST(NestedGsb, ReadOnlyElementsCannotBeSet) {
    const std::pair<uint16_t, Scope> ro[] = {{gsid::kHostStateSize, Scope::Guest},
                                             {gsid::kRunOutputMinSize, Scope::Guest},
                                             {gsid::kL0GuestPgtableReclaim, Scope::Host},
                                             {gsid::kHdar, Scope::Vcpu},
                                             {gsid::kHdsisr, Scope::Vcpu},
                                             {gsid::kHeir, Scope::Vcpu},
                                             {gsid::kAsdr, Scope::Vcpu}};
    for (const auto &[id, scope] : ro) {
        const ElementInfo *e = element_info(id);
        auto b = raw(1, {{id, std::vector<uint8_t>(e->size)}});
        EXPECT_TRUE(parse(b, Use::Get, scope).ok()) << std::hex << id;
        EXPECT_EQ(parse(b, Use::Set, scope).rc, hret::kInvalidElementId) << std::hex << id;
        if (scope == Scope::Vcpu) {
            EXPECT_EQ(parse(b, Use::RunInput, scope).rc, hret::kInvalidElementId) << std::hex << id;
        }
    }
}

TEST(NestedGsb, WrongSizes) {
    for (const auto &e : element_table()) {
        if (e.scope == Scope::Nop)
            continue;
        for (unsigned len : {0u, 1u, 2u, 3u, 4u, 7u, 8u, 12u, 16u, 24u, 32u}) {
            if (len == e.size || len == e.alt_size)
                continue;
            auto b = raw(1, {{e.first, std::vector<uint8_t>(len)}});
            const ParseStatus s = parse(b, Use::Get, e.scope);
            EXPECT_EQ(s.rc, hret::kInvalidElementSize) << e.name << " " << len;
            EXPECT_EQ(s.id, e.first);
        }
    }
    // HEIR: PAPR's 4 bytes and Linux's 8 both pass.
    EXPECT_TRUE(parse(raw(1, {{gsid::kHeir, std::vector<uint8_t>(4)}}), Use::Get, Scope::Vcpu).ok());
    EXPECT_TRUE(parse(raw(1, {{gsid::kHeir, std::vector<uint8_t>(8)}}), Use::Get, Scope::Vcpu).ok());
}

TEST(NestedGsb, MasksAreEnforcedOnSetOnly) {
    const uint64_t hv = 1ull << 60, me = 1ull << 12, s_bit = 1ull << 22;
    for (uint64_t bad : {hv, me, s_bit}) {
        GsbWriter w;
        w.put_be(gsid::kGpr0, 8, ~0ull).put_be(gsid::kMsr, 8, (1ull << 63) | bad);
        const ParseStatus s = parse(w.bytes(), Use::Set, Scope::Vcpu);
        EXPECT_EQ(s.rc, hret::kInvalidElementValue);
        EXPECT_EQ(s.index, 1u);
        EXPECT_EQ(s.id, gsid::kMsr);
        EXPECT_EQ(parse(w.bytes(), Use::RunInput, Scope::Vcpu).rc, hret::kInvalidElementValue);
        EXPECT_TRUE(parse(w.bytes(), Use::Get, Scope::Vcpu).ok());
    }
    GsbWriter ok;
    ok.put_be(gsid::kMsr, 8, (1ull << 63) | 0x8033).put_be(gsid::kLpcr, 8, (3ull << 23) | (1ull << 25));
    EXPECT_TRUE(parse(ok.bytes(), Use::Set, Scope::Vcpu).ok());
    // LPCR[HR] and LPCR[UPRT] belong to the L0; HDEXCR's high word is not the L1's.
    for (auto [id, v] : {std::pair<uint16_t, uint64_t>{gsid::kLpcr, 1ull << 20}, {gsid::kLpcr, 1ull << 22},
                         {0x104F, 1ull << 32}}) {
        GsbWriter w;
        w.put_be(id, 8, v);
        EXPECT_EQ(parse(w.bytes(), Use::Set, Scope::Vcpu).rc, hret::kInvalidElementValue) << std::hex << v;
    }
}

TEST(NestedGsb, ValueChecks) {
    auto set_guest = [](GsbWriter &w) { return parse(w.bytes(), Use::Set, Scope::Guest).rc; };
    auto set_vcpu = [](GsbWriter &w) { return parse(w.bytes(), Use::Set, Scope::Vcpu).rc; };
    for (uint32_t pvr : {0x0f000005u, 0x0f000006u, 0x0f000007u}) {
        GsbWriter w;
        w.put_be(gsid::kLogicalPvr, 4, pvr);
        EXPECT_EQ(set_guest(w), 0) << std::hex << pvr;
    }
    for (uint32_t pvr : {0u, 0x0f000004u, 0x0f000008u, 0x00800200u}) {
        GsbWriter w;
        w.put_be(gsid::kLogicalPvr, 4, pvr);
        EXPECT_EQ(set_guest(w), hret::kInvalidElementValue) << std::hex << pvr;
    }
    struct Pt {
        uint64_t base, bits, size;
        bool ok;
    } pts[] = {{0x100000, 52, 0x10000, true}, {0, 0, 0, true},          {0x100000, 48, 0x10000, false},
               {0x108000, 52, 0x10000, false}, {0x100000, 52, 0x8000, false}, {1ull << 62, 52, 0x10000, false}};
    for (const auto &p : pts) {
        GsbWriter w;
        w.put_triple(gsid::kPartitionTable, p.base, p.bits, p.size);
        EXPECT_EQ(set_guest(w), p.ok ? 0 : hret::kInvalidElementValue) << std::hex << p.base << " " << p.size;
    }
    struct Prt {
        uint64_t base, size;
        bool ok;
    } prts[] = {{0x200000, 0x1000, true}, {0x1000000, 0x1000000, true}, {0, 0, true}, {0x200000, 0x1800, false},
                {0x200800, 0x1000, false}, {0x200000, 0x800, false},  {0x200000, 0, false}};
    for (const auto &p : prts) {
        GsbWriter w;
        w.put_pair(gsid::kProcessTable, p.base, p.size);
        EXPECT_EQ(set_guest(w), p.ok ? 0 : hret::kInvalidElementValue) << std::hex << p.base << " " << p.size;
    }
    struct Rb {
        uint64_t addr, size;
        bool ok;
    } rbs[] = {{0x300000, 0x1000, true},  {0x300000, 0x100, true}, {0, 0x1000, false},
               {0x300000, 0xff, false},   {0x300000, 0, false},    {0x300000, (1ull << 20) + 1, false},
               {~0ull - 0x100, 0x1000, false}};
    for (uint16_t id : {gsid::kRunInput, gsid::kRunOutput})
        for (const auto &r : rbs) {
            GsbWriter w;
            w.put_pair(id, r.addr, r.size);
            EXPECT_EQ(set_vcpu(w), r.ok ? 0 : hret::kInvalidElementValue) << std::hex << r.addr << " " << r.size;
        }
    for (auto [vpa, ok] : {std::pair<uint64_t, bool>{0, true}, {0x5000, true}, {0x5080, true}, {0x5040, false}}) {
        GsbWriter w;
        w.put_be(gsid::kVpa, 8, vpa);
        EXPECT_EQ(set_vcpu(w), ok ? 0 : hret::kInvalidElementValue) << std::hex << vpa;
    }
}

TEST(NestedGsb, DuplicateIdsInOneSet) {
    GsbWriter w;
    w.put_be(gsid::kGpr0 + 1, 8, 1).put_be(gsid::kNia, 8, 2).put_be(gsid::kGpr0 + 1, 8, 3);
    const ParseStatus s = parse(w.bytes(), Use::Set, Scope::Vcpu);
    EXPECT_EQ(s.rc, hret::kInvalidElementId);
    EXPECT_EQ(s.index, 2u);
    EXPECT_EQ(s.offset, 28u);
    EXPECT_TRUE(parse(w.bytes(), Use::Get, Scope::Vcpu).ok());   // asking twice is harmless
    // A run input buffer may repeat one (Linux appends the run's LPCR after the dirty one): all are returned
    // in order, so the last one is applied last.
    std::vector<Element> out;
    ASSERT_TRUE(parse_gsb(w.bytes(), Use::RunInput, Scope::Vcpu, out).ok());
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[2].id, gsid::kGpr0 + 1);
    EXPECT_EQ(out[2].offset, 28u);
}

// Random and mutated buffers never crash the parser and every failure names an element inside the buffer.
TEST(NestedGsb, RandomBuffersAreRejectedCleanly) {
    std::mt19937_64 rng(9);
    GsbWriter base;
    for (uint16_t id = 0x1000; id < 0x1020; ++id)
        base.put_be(id, 8, rng());
    base.put_be(gsid::kCr, 4, 0).put_pair(gsid::kVsr0, 1, 2).put_be(gsid::kMsr, 8, 1ull << 63);
    unsigned ok = 0, errors = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::vector<uint8_t> b = base.bytes();
        const unsigned flips = 1 + rng() % 4;
        for (unsigned f = 0; f < flips; ++f)
            b[rng() % b.size()] ^= uint8_t(1u << (rng() % 8));
        if (rng() % 4 == 0)
            b.resize(rng() % (b.size() + 1));
        for (Use use : {Use::Get, Use::Set, Use::RunInput}) {
            std::vector<Element> els;
            const ParseStatus s = parse_gsb(b, use, Scope::Vcpu, els);
            if (s.ok()) {
                ++ok;
                for (const Element &e : els)
                    ASSERT_LE(e.offset + 4u + e.len, b.size());
            } else {
                ++errors;
                ASSERT_TRUE(s.rc == hret::kP5 || (s.rc <= hret::kInvalidElementId && s.rc >= hret::kInvalidElementValue));
                ASSERT_LE(s.offset, b.size());
            }
        }
    }
    EXPECT_GT(ok, 0u);
    EXPECT_GT(errors, 0u);
}

} // namespace
