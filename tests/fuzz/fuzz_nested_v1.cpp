// libFuzzer target: nestedv1 (nested/v1.cpp), through the real hcall path. An L1 (tests/fuzz/nested_l1_vm.h)
// in 2 MiB of guarded RAM makes H_SET_PARTITION_TABLE, H_ENTER_NESTED, H_TLB_INVALIDATE and
// H_COPY_TOFROM_GUEST with arguments from the input. Its memory starts as a working set-up (a partition
// table, a partition-scoped tree mapping L2 real 0..1M to the L1's upper MiB, an L2 process table and tree,
// hv_guest_state v1/v2 and pt_regs in the L1's byte order, L2 code), which the input then corrupts: table
// entries, structure fields, instruction words. Each L2 run is bounded by an instruction budget. What must
// hold besides "no crash, no sanitizer report":
//   - every hcall returns a code its row of nested/README.md lists (H_ENTER_NESTED: or an exit vector),
//     and every phv_vcpu_run() ends in a defined exit with the vcpu back in its L1;
//   - L1 memory changes only where the L1 let it: pages a partition-scoped leaf maps (every tree reachable
//     from a radix entry of the table, since the last H_TLB_INVALIDATE: the TLB may keep older ones), R and
//     C bits in the tree's own entries, hv_guest_state and pt_regs on an exit, H_COPY_TOFROM_GUEST's `to`
//     buffer; a refused hcall changes nothing;
//   - after an exit the L1 has its own registers back except R3 (GPRs, NIP after the sc, MSR, CR, LR, CTR,
//     XER and every SPR hv_guest_state carries), DAR/DSISR are what pt_regs got, the hv_guest_state fields
//     the write-back does not define are unchanged, and the L2's MSR written back has neither HV nor S.
#include <algorithm>
#include <bitset>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "nested/gsb.h"
#include "nested/l0.h"
#include "nested_l1_vm.h"
#include "vcpu/spr_table.h"

namespace {

using phvfuzz::fail;
using namespace phv::nested;
namespace spr = phv::spr;

constexpr uint64_t kRamSize = 2u << 20, kPage = 4096;
// L1 memory layout.
constexpr uint64_t kPatb = 0x10000;                  // partition table, up to 64 KiB (PATS 4)
constexpr uint64_t kRoot = 0x20000;                  // partition-scoped root: 2^13 entries
constexpr uint64_t kDirs = 0x30000, kNumDirs = 16;   // lower-level directories
constexpr uint64_t kHv = 0x40000, kRegs = 0x41000;   // hv_guest_state, pt_regs
constexpr uint64_t kBufs = 0x42000;                  // H_COPY_TOFROM_GUEST buffers
constexpr uint64_t kL2Base = 0x100000;               // the L2's memory (L2 real 0 at first)
// L2 real layout.
constexpr uint64_t kL2Code = 0x1000, kL2Prtb = 0x10000, kL2Root = 0x20000, kL2Dir = 0x30000;

constexpr uint64_t kV = 1ull << 63, kL = 1ull << 62, kRc = 3ull << 7, kRwx = 7;
constexpr uint64_t kPateRadix = (1ull << 63) | (1ull << 62) | (5ull << 5) | 13;   // HR, 52 bits, RPDS 13
constexpr uint64_t kNlb = 0x0fffffffffffff00ull, kRpn = 0x01fffffffffff000ull;
constexpr int64_t kNotFound = -7;
constexpr uint64_t kVectors[] = {0xc00, 0xe00, 0xe20, 0xe40, 0xf80, 0x980};

// hv_guest_state and pt_regs offsets (Linux's arch/powerpc/include/asm/hvcall.h).
constexpr uint64_t kHvVersion = 0, kHvLpid = 8, kHvToken = 0xc, kHvLpcr = 0x10, kHvPcr = 0x18, kHvAmor = 0x20,
                   kHvHfscr = 0x30, kHvTbOffset = 0x38, kHvDawr0 = 0x40, kHvDawrx0 = 0x48, kHvCiabr = 0x50,
                   kHvHdecExpiry = 0x58, kHvSizeV2 = 0xf8;
constexpr uint64_t kRegsNip = 0x100, kRegsMsr = 0x108, kRegsDar = 0x148, kRegsDsisr = 0x150, kRegsSize = 0x160;
// The fields the write-back leaves alone (HFSCR but for its IC byte on an 0xF80 exit).
constexpr uint64_t kHvKept[] = {kHvVersion, kHvLpcr, kHvPcr, kHvAmor, kHvTbOffset, kHvDawr0, kHvDawrx0, kHvCiabr,
                                kHvHdecExpiry};
// SPRs hv_guest_state carries, and LPCR/HFSCR: the L1's own again after an exit.
constexpr unsigned kL1Sprs[] = {spr::SRR0,  spr::SRR1,  spr::SPRG0,  spr::SPRG1,  spr::SPRG2, spr::SPRG3,
                                spr::PIDR,  spr::PPR,   spr::AMOR,   spr::DPDES,  spr::DAWR0, spr::DAWRX0,
                                spr::DAWR1, spr::DAWRX1, spr::CIABR, spr::LPCR,   spr::HFSCR};

phvfuzz::GuardedMemory &ram() {
    static phvfuzz::GuardedMemory m(kRamSize);
    return m;
}
uint8_t *mem() { return ram().data(); }

uint64_t be64(uint64_t at) { return be_load(mem() + at, 8); }
void put_be64(uint64_t at, uint64_t v) { be_store(mem() + at, 8, v); }

// Fields in the L1's byte order.
struct Order {
    bool le;
    uint64_t get(uint64_t at, unsigned n = 8) const {
        uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i)
            v |= uint64_t(mem()[at + i]) << (le ? 8 * i : 8 * (n - 1 - i));
        return v;
    }
    void put(uint64_t at, uint64_t v, unsigned n = 8) const {
        for (unsigned i = 0; i < n; ++i)
            mem()[at + i] = uint8_t(v >> (le ? 8 * i : 8 * (n - 1 - i)));
    }
};

bool in_ram(uint64_t at, uint64_t len) { return at < kRamSize && len <= kRamSize - at; }

// What the partition table maps, computed independently of the core: every leaf of every tree reachable
// from a radix entry (the shapes walk_tree accepts: 13, then 9, 9, and 9 or 5 bits), and which words of
// L1 memory are tree entries (those may gain R and C) or table entries. Those words come in whole tables,
// kept as byte ranges (and the pages they touch), not as a flag per word of RAM: a Mapping is made and
// copied for every call.
struct Mapping {
    std::bitset<kRamSize / kPage> pages;
    std::vector<std::pair<uint64_t, uint64_t>> tree_ranges;   // [from, to) in L1 memory
    std::bitset<kRamSize / kPage> tree_pages;
    bool tables_mapped = false;   // the L2 can rewrite its own tree: memory is not checked then

    void tree(uint64_t from, uint64_t to) {
        tree_ranges.emplace_back(from, to);
        for (uint64_t p = from / kPage; p <= (to - 1) / kPage; ++p)
            tree_pages.set(p);
    }
    bool tree_word(uint64_t at) const {
        for (const auto &[from, to] : tree_ranges)
            if (at >= from && at < to)
                return true;
        return false;
    }

    void leaf(uint64_t pte, unsigned shift) {
        const uint64_t base = (pte & kRpn) & ~((1ull << shift) - 1);
        for (uint64_t p = base / kPage; p < kRamSize / kPage && p * kPage < base + (1ull << shift); ++p)
            pages.set(p);
    }
    void walk(uint64_t base, unsigned level, unsigned size, unsigned nls, std::set<std::pair<uint64_t, unsigned>> &seen) {
        const bool ok = level == 0 ? nls == 13 : level <= 2 ? nls == 9 : level == 3 && (nls == 9 || nls == 5);
        if (!ok || nls >= size)
            return;
        base &= ~((8ull << nls) - 1);
        size -= nls;
        if (!in_ram(base, 8ull << nls) || !seen.insert({base, level}).second)
            return;
        tree(base, base + (8ull << nls));
        for (uint64_t i = 0; i < (1ull << nls); ++i) {
            const uint64_t e = be64(base + 8 * i);
            if (!(e & kV))
                continue;
            if (e & kL)
                leaf(e, size);
            else
                walk(e & kNlb, level + 1, size, unsigned(e & 0x1f), seen);
        }
    }
    void add_table(uint64_t ptcr) {
        if (!ptcr || (ptcr & 0x1f) > 4)
            return;
        const uint64_t patb = ptcr & 0x0ffffffffffff000ull, entries = 256ull << (ptcr & 0x1f);
        if (!in_ram(patb, 16 * entries))
            return;
        std::set<std::pair<uint64_t, unsigned>> seen;
        if (entries > 1)
            tree(patb + 16, patb + 16 * entries);
        for (uint64_t lpid = 1; lpid < entries; ++lpid) {
            const uint64_t dw0 = be64(patb + 16 * lpid);
            if ((dw0 >> 63) && (((dw0 >> 58) & 0x18) | ((dw0 >> 5) & 7)) == 21 && (dw0 & 0x1f) == 13)
                walk(dw0 & kNlb, 0, 52, 13, seen);
        }
    }
    void finish() { tables_mapped = (tree_pages & pages).any(); }
};

// Changes to L1 memory since `before`, each word judged against what the call allowed.
struct Allowed {
    const Mapping *map = nullptr;   // null: no page mapped, and no tree entry may change
    uint64_t lo[3] = {}, hi[3] = {};
    unsigned ranges = 0;
    void range(uint64_t at, uint64_t len) {
        lo[ranges] = at;
        hi[ranges++] = at + len;
    }
};

// L1 memory as it was before the call being checked. Rather than copied whole before every call (2 MiB, and
// compared word by word after it: most of an input's time), the copy is kept equal to memory: a check
// compares page by page and copies back the pages that changed, and whatever else may write memory between
// checks (the input's own edits, a call that is not checked) marks the copy stale, so that take() brings it
// up to date the same way before the next call.
struct Snapshot {
    std::vector<uint8_t> bytes = std::vector<uint8_t>(kRamSize);
    bool stale = true;

    // Calls changed(page) for every page whose bytes differ from the copy, then copies it.
    template <typename F>
    void sync(F &&changed) {
        for (uint64_t p = 0; p < kRamSize / kPage; ++p) {
            uint8_t *b = bytes.data() + p * kPage;
            const uint8_t *m = mem() + p * kPage;
            if (std::memcmp(b, m, kPage) == 0)
                continue;
            changed(p);
            std::memcpy(b, m, kPage);
        }
        stale = false;
    }
    void take() {
        if (stale)
            sync([](uint64_t) {});
    }
};

void check_memory(Snapshot &before, const Allowed &a, uint64_t nr) {
    if (a.map && a.map->tables_mapped) {
        before.stale = true;
        return;
    }
    before.sync([&](uint64_t page) {
        for (uint64_t at = page * kPage; at < (page + 1) * kPage; at += 8) {
            uint64_t o, n;
            std::memcpy(&o, before.bytes.data() + at, 8);
            std::memcpy(&n, mem() + at, 8);
            if (o == n)
                continue;
            bool ok = false;
            for (unsigned i = 0; i < a.ranges && !ok; ++i)
                ok = at + 8 > a.lo[i] && at < a.hi[i];
            if (!ok && a.map) {
                const uint64_t ob = __builtin_bswap64(o), nb = __builtin_bswap64(n);
                ok = a.map->pages.test(at / kPage) || (a.map->tree_word(at) && !((ob ^ nb) & ~kRc) && (nb & ob) == ob);
            }
            if (!ok)
                fail("L1 memory the L1 did not give away changed", at, nr);
        }
    });
}

// The input's values: mostly what a working L1 would pass, sometimes edges and garbage.
uint64_t l1_addr(FuzzedDataProvider &in, uint64_t good) {
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return phvfuzz::edgy_u64(in);
    case 1: return kRamSize - in.ConsumeIntegralInRange<uint64_t>(0, 0x200);
    case 2: return in.ConsumeIntegralInRange<uint64_t>(0, kRamSize);
    default: return good;
    }
}

uint64_t table_entry(FuzzedDataProvider &in) {
    const uint64_t perms = in.ConsumeIntegralInRange<int>(0, 3) ? kRwx : in.ConsumeIntegralInRange<uint64_t>(0, 0x1ff);
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: return kV | (kDirs + kPage * in.ConsumeIntegralInRange<uint64_t>(0, kNumDirs - 1)) |
                   (in.ConsumeBool() ? 9 : in.ConsumeIntegralInRange<uint64_t>(0, 31));
    case 1: return kV | kL | (kL2Base + kPage * in.ConsumeIntegralInRange<uint64_t>(0, 255)) | perms;
    case 2: return kV | kL | (in.ConsumeIntegralInRange<uint64_t>(0, kRamSize / kPage + 16) * kPage) | perms;
    case 3: return 0;
    default: return in.ConsumeIntegral<uint64_t>();
    }
}

// Somewhere in the tables: the partition table, the root, a directory, or the L2's own tables.
uint64_t table_slot(FuzzedDataProvider &in) {
    switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0: return kPatb + 8 * in.ConsumeIntegralInRange<uint64_t>(0, 15);
    case 1: return kRoot + 8 * (in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<uint64_t>(0, 8191));
    case 2: return kDirs + 8 * in.ConsumeIntegralInRange<uint64_t>(0, kNumDirs * 512 - 1);
    case 3: return kL2Base + kL2Prtb + 8 * in.ConsumeIntegralInRange<uint64_t>(0, 7);
    default: return kL2Base + kL2Root + 8 * in.ConsumeIntegralInRange<uint64_t>(0, 3 * 512);
    }
}

// L2 instruction words: raw, or instructions that reach the L0 (sc, hypervisor-only and storage ones).
uint32_t l2_word(FuzzedDataProvider &in) {
    static constexpr uint32_t kWords[] = {
        0x44000022 /* sc 1 */,   0x44000002 /* sc */,       0x7c00007c /* wait */,  0x4c000024 /* rfid */,
        0x4c000224 /* hrfid */,  0x7c000264 /* tlbie */,    0x7c0004ac /* hwsync */, 0x00000200 /* attn */,
        0x7c7e4aa6 /* mfspr r3,HDEC */, 0x7c7603a6 /* mtdec */, 0x48000000 /* b . */, 0x7c210164 /* mtmsrd */};
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return kWords[in.ConsumeIntegralInRange<size_t>(0, std::size(kWords) - 1)];
    case 4:
    case 5: return (14u << 26) | (in.ConsumeIntegral<uint32_t>() & 0x3ffffff);   // addi: the L2 goes on
    case 1: return (58u << 26) | (in.ConsumeIntegralInRange<uint32_t>(0, 31) << 21) |   // ld rT, d(r4..r7)
                   (in.ConsumeIntegralInRange<uint32_t>(4, 7) << 16) | (in.ConsumeIntegral<uint16_t>() & 0xfffc);
    case 2: return (62u << 26) | (in.ConsumeIntegralInRange<uint32_t>(0, 31) << 21) |   // std rS, d(r4..r7)
                   (in.ConsumeIntegralInRange<uint32_t>(4, 7) << 16) | (in.ConsumeIntegral<uint16_t>() & 0xfffc);
    case 3: return (31u << 26) | (in.ConsumeIntegralInRange<uint32_t>(0, 31) << 21) |   // mtspr/mfspr
                   (in.ConsumeIntegral<uint16_t>() & 0x3ff) << 11 | (in.ConsumeBool() ? 467u : 339u) << 1;
    default: return in.ConsumeIntegral<uint32_t>();
    }
}

void initial_memory(FuzzedDataProvider &in, const Order &o) {
    // Written, not given back: the memory check compares every page after each call, and a page given
    // back faults on that read (~500 faults a check, which made the target fifteen times slower).
    ram().zero();
    // The partition-scoped tree: L2 real 0..1M -> kL2Base in 4K pages (R and C clear: the core sets them).
    put_be64(kRoot, kV | kDirs | 9);
    put_be64(kDirs, kV | (kDirs + kPage) | 9);
    put_be64(kDirs + kPage, kV | (kDirs + 2 * kPage) | 9);
    for (uint64_t i = 0; i < 256; ++i)
        put_be64(kDirs + 2 * kPage + 8 * i, kV | kL | (kL2Base + i * kPage) | kRwx);
    for (uint64_t lpid = 1; lpid <= 3; ++lpid) {
        put_be64(kPatb + 16 * lpid, kPateRadix | kRoot);
        put_be64(kPatb + 16 * lpid + 8, kL2Prtb);   // the L2's process table, 4K
    }
    // The L2's process-scoped tree: EA 0..2M of every PID to L2 real 0..2M.
    uint8_t *l2 = mem() + kL2Base;
    for (unsigned pid = 0; pid < 4; ++pid)
        be_store(l2 + kL2Prtb + 16 * pid, 8, (1ull << 62) | (5ull << 5) | kL2Root | 13);
    be_store(l2 + kL2Root, 8, kV | kL2Dir | 9);
    be_store(l2 + kL2Dir, 8, kV | (kL2Dir + kPage) | 9);
    be_store(l2 + kL2Dir + kPage, 8, kV | kL | kRc | kRwx);

    const uint64_t version = in.ConsumeIntegralInRange<int>(0, 7) ? in.ConsumeIntegralInRange<uint64_t>(1, 2)
                                                                  : phvfuzz::edgy_u64(in);
    o.put(kHv + kHvVersion, version);
    o.put(kHv + kHvLpid, in.ConsumeIntegralInRange<int>(0, 7) ? in.ConsumeIntegralInRange<uint32_t>(1, 3)
                                                               : in.ConsumeIntegral<uint32_t>(), 4);
    o.put(kHv + kHvToken, in.ConsumeIntegralInRange<int>(0, 7) ? in.ConsumeIntegralInRange<uint32_t>(0, 3)
                                                                : in.ConsumeIntegral<uint32_t>(), 4);
    o.put(kHv + kHvLpcr, in.ConsumeBool() ? (o.le ? 1ull << 25 : 0) : in.ConsumeIntegral<uint64_t>());
    o.put(kHv + kHvAmor, ~0ull);
    o.put(kHv + kHvHfscr, in.ConsumeBool() ? ~0ull : in.ConsumeIntegral<uint64_t>());
    o.put(kHv + kHvTbOffset, in.ConsumeBool() ? 0 : in.ConsumeIntegral<uint64_t>());
    o.put(kHv + kHvHdecExpiry, in.ConsumeBool() ? ~0ull : in.ConsumeIntegral<uint64_t>());
    for (uint64_t off = kHvDawr0; off < kHvSizeV2; off += 8)
        if (off != kHvHdecExpiry && in.ConsumeIntegralInRange<int>(0, 3) == 0)
            o.put(kHv + off, in.ConsumeIntegral<uint64_t>());
    for (unsigned r = 0; r < 32; ++r)
        o.put(kRegs + 8 * r, in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 0x200000)
                                              : in.ConsumeIntegral<uint64_t>());
    o.put(kRegs + kRegsNip, in.ConsumeIntegralInRange<int>(0, 7) ? kL2Code : in.ConsumeIntegral<uint64_t>());
    // Real or translated, in the L1's byte order or not; sometimes anything.
    const uint64_t msr = (1ull << 63) | (in.ConsumeBool() ? 0x30 : 0) | (in.ConsumeBool() ? 1 : 0);
    o.put(kRegs + kRegsMsr, in.ConsumeIntegralInRange<int>(0, 7) ? msr : in.ConsumeIntegral<uint64_t>());
    const bool l2_le = o.get(kRegs + kRegsMsr) & 1;
    const unsigned nwords = in.ConsumeIntegralInRange<unsigned>(1, 48);
    for (unsigned i = 0; i < nwords; ++i) {
        const uint32_t w = l2_word(in);
        for (unsigned b = 0; b < 4; ++b)
            l2[kL2Code + 4 * i + b] = uint8_t(l2_le ? w >> (8 * b) : w >> (24 - 8 * b));
    }
    for (unsigned n = in.ConsumeIntegralInRange<unsigned>(0, 8); n; --n)
        put_be64(table_slot(in), table_entry(in));
}

struct L1Regs {
    phv::CpuState st;
    void check(phv::Vcpu &c, const Order &o, uint64_t hv, uint64_t regs) const {
        const phv::CpuState &now = c.st_;
        for (unsigned i = 0; i < 32; ++i)
            if (i != 3 && now.gpr[i] != st.gpr[i])
                fail("an L1 GPR differs after H_ENTER_NESTED", i, now.gpr[i]);
        if (now.msr != st.msr || now.cr != st.cr || now.lr != st.lr || now.ctr != st.ctr ||
            now.get_xer() != st.get_xer())
            fail("the L1's MSR, CR, LR, CTR or XER differs after H_ENTER_NESTED", now.msr, st.msr);
        for (unsigned n : kL1Sprs)
            if (now.spr[n] != st.spr[n])
                fail("an L1 SPR that hv_guest_state carries differs after H_ENTER_NESTED", n, now.spr[n]);
        if (regs + kRegsSize <= hv || hv + kHvSizeV2 <= regs) {   // pt_regs was written last
            if (now.spr[spr::DAR] != o.get(regs + kRegsDar) || now.spr[spr::DSISR] != o.get(regs + kRegsDsisr))
                fail("the L1's DAR/DSISR are not what pt_regs got", now.spr[spr::DAR], now.spr[spr::DSISR]);
        }
        if (o.get(regs + kRegsMsr) & (phv::msr::HV | phv::msr::S))
            fail("the L2's MSR written back has HV or S", o.get(regs + kRegsMsr));
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FuzzedDataProvider in(data, size);
    const uint32_t model = in.ConsumeBool() ? PHV_CPU_POWER9 : PHV_CPU_POWER10;
    const Order o{in.ConsumeIntegralInRange<int>(0, 3) != 0};
    initial_memory(in, o);
    phvfuzz::NestedL1 l1(ram(), model, PHV_NESTED_V1, o.le);
    static Snapshot before;
    before.stale = true;   // initial_memory() wrote it
    uint64_t ptcr = 0;           // what the L0 took, as far as the L1 knows
    Mapping stale;               // everything mapped since the last H_TLB_INVALIDATE
    bool stale_valid = false;    // the TLB has seen no table yet
    bool unknown = false;        // an L2 could rewrite its tables: what the TLB holds is unknown until a flush
    if (in.ConsumeIntegralInRange<int>(0, 7)) {   // mostly a table from the start, as a running L1 has
        if (l1.returned(hcall::kSetPartitionTable, {kPatb}, 16) != hret::kSuccess)
            fail("H_SET_PARTITION_TABLE of a good table failed");
        ptcr = kPatb;
    }

    for (int step = 0; step < 16 && in.remaining_bytes(); ++step) {
        // The L1's own code, as its kernel keeps it: an L2 it let write its page 0 may have hit the stub.
        if (l1.restore_stub(ram()))
            before.stale = true;
        const int op = in.ConsumeIntegralInRange<int>(0, 9);
        if (op == 0) {   // H_SET_PARTITION_TABLE
            const uint64_t pats = in.ConsumeIntegralInRange<uint64_t>(0, 5);
            const uint64_t p = in.ConsumeIntegralInRange<int>(0, 5) ? kPatb | pats
                               : in.ConsumeBool()                   ? 0
                                                                    : phvfuzz::edgy_u64(in);
            before.take();
            const int64_t rc = l1.returned(hcall::kSetPartitionTable, {p}, 16);
            if (rc == hret::kSuccess)
                ptcr = p;
            else if (rc != hret::kParameter)
                fail("H_SET_PARTITION_TABLE returned a code it does not document", uint64_t(rc));
            check_memory(before, Allowed{}, hcall::kSetPartitionTable);
        } else if (op == 1) {   // the L1 edits its memory between calls (tables, structures, L2 code)
            const int what = in.ConsumeIntegralInRange<int>(0, 2);
            if (what == 0)
                put_be64(table_slot(in), table_entry(in));
            else if (what == 1)
                o.put(kHv + 8 * in.ConsumeIntegralInRange<uint64_t>(0, kHvSizeV2 / 8 - 1), in.ConsumeIntegral<uint64_t>());
            else
                o.put(kL2Base + kL2Code + 4 * in.ConsumeIntegralInRange<uint64_t>(0, 63), l2_word(in), 4);
            l1.core().request_code_invalidate(kL2Base + kL2Code);
            before.stale = true;
        } else if (op == 2) {   // H_TLB_INVALIDATE
            const uint64_t insn = in.ConsumeBool() ? (in.ConsumeIntegralInRange<uint64_t>(0, 3) << 18) |
                                                         (in.ConsumeIntegralInRange<uint64_t>(0, 3) << 16)
                                                   : in.ConsumeIntegral<uint64_t>();
            const uint64_t rs = in.ConsumeIntegralInRange<uint64_t>(0, 4), rb = in.ConsumeIntegral<uint64_t>();
            before.take();
            const int64_t rc = l1.returned(hcall::kTlbInvalidate, {insn, rs, rb}, 16);
            if (rc == hret::kSuccess)
                stale_valid = unknown = false;
            else if (rc != hret::kParameter)
                fail("H_TLB_INVALIDATE returned a code it does not document", uint64_t(rc));
            check_memory(before, Allowed{}, hcall::kTlbInvalidate);
        } else if (op == 3) {   // H_COPY_TOFROM_GUEST
            const uint64_t lpid = in.ConsumeIntegralInRange<int>(0, 3) ? in.ConsumeIntegralInRange<uint64_t>(1, 3)
                                                                       : phvfuzz::edgy_u64(in);
            const uint64_t pid = in.ConsumeIntegralInRange<uint64_t>(0, 4);
            const uint64_t ea = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 0x120000)
                                                 : phvfuzz::edgy_u64(in);
            // Sometimes a buffer inside the L2's own memory, near what `ea` reaches (the default trees map
            // EA x to L1 kL2Base + x): source and destination of the copy may overlap.
            const uint64_t buf = in.ConsumeIntegralInRange<int>(0, 3) == 0
                                     ? kL2Base + ea + in.ConsumeIntegralInRange<uint64_t>(0, 64) - 32
                                     : l1_addr(in, kBufs + in.ConsumeIntegralInRange<uint64_t>(0, 0x10000));
            const int dir = in.ConsumeIntegralInRange<int>(0, 4);
            const uint64_t to = dir == 0 || dir >= 3 ? buf : 0, from = dir == 1 || dir == 3 ? buf : 0;
            const uint64_t n = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 0x3000) : phvfuzz::edgy_u64(in);
            Mapping m = stale_valid ? stale : Mapping{};
            m.add_table(ptcr);
            m.finish();
            m.tables_mapped |= unknown;
            Allowed a;
            a.map = &m;
            if (to)
                a.range(to, n);
            before.take();
            const int64_t rc = l1.returned(hcall::kCopyToFromGuest, {lpid, pid, ea, to, from, n}, 16);
            if (rc != hret::kSuccess && rc != hret::kParameter && rc != hret::kNoMem && rc != kNotFound)
                fail("H_COPY_TOFROM_GUEST returned a code it does not document", uint64_t(rc));
            if (rc == hret::kParameter || rc == hret::kNoMem)
                a = Allowed{};
            check_memory(before, a, hcall::kCopyToFromGuest);
        } else if (op == 4) {   // the L1's external interrupt line: an unspecified end of the next run
            phv_interrupt(l1.vcpu, in.ConsumeBool() ? PHV_INTERRUPT_SET : PHV_INTERRUPT_UNSET);
        } else {   // H_ENTER_NESTED, the common case
            const uint64_t hv = l1_addr(in, kHv), regs = l1_addr(in, kRegs);
            const uint64_t budget = in.ConsumeIntegralInRange<uint64_t>(16, 2048);
            Mapping m = stale_valid ? stale : Mapping{};
            m.add_table(ptcr);
            m.finish();
            m.tables_mapped |= unknown;
            before.take();
            l1.prepare(hcall::kEnterNested, {hv, regs});
            L1Regs r{l1.core().st_};
            uint64_t kept[std::size(kHvKept)] = {};
            const bool hv_ok = in_ram(hv, kHvSizeV2) && in_ram(regs, kRegsSize);
            if (hv_ok)
                for (size_t i = 0; i < std::size(kHvKept); ++i)
                    kept[i] = o.get(hv + kHvKept[i]);
            const uint64_t hfscr = hv_ok ? o.get(hv + kHvHfscr) : 0;
            const uint64_t lpid = hv_ok ? o.get(hv + kHvLpid, 4) : 0;
            const phvfuzz::NestedL1::Ret ret = l1.run(budget);
            if (ret.exit == PHV_EXIT_INTERNAL_ERROR)
                break;   // the L2 reached an L1 address that is not RAM: the VMM stops here
            if (!ret.done)
                fail("H_ENTER_NESTED did not return to the L1", ret.exit, l1.core().st_.nip);
            const bool ran = std::find(std::begin(kVectors), std::end(kVectors), uint64_t(ret.r3)) != std::end(kVectors);
            if (!ran) {
                if (ret.r3 != hret::kNotAvailable && ret.r3 != hret::kParameter && ret.r3 != hret::kP2)
                    fail("H_ENTER_NESTED returned a code it does not document", uint64_t(ret.r3));
                check_memory(before, Allowed{}, hcall::kEnterNested);
                continue;
            }
            if (!hv_ok || !lpid)
                fail("H_ENTER_NESTED ran an L2 from structures it should have refused", hv, regs);
            stale = m;
            stale_valid = true;
            unknown = m.tables_mapped;
            Allowed a;
            a.map = &m;
            a.range(hv, kHvSizeV2);
            a.range(regs, kRegsSize);
            check_memory(before, a, hcall::kEnterNested);
            r.check(l1.core(), o, hv, regs);
            const bool hv_private = !m.tables_mapped && (regs + kRegsSize <= hv || hv + kHvSizeV2 <= regs) &&
                                    !m.pages.test(hv / kPage) && !m.pages.test((hv + kHvSizeV2 - 1) / kPage);
            if (hv_private) {
                for (size_t i = 0; i < std::size(kHvKept); ++i)
                    if (o.get(hv + kHvKept[i]) != kept[i])
                        fail("an hv_guest_state field the write-back does not define changed", kHvKept[i]);
                if (o.get(hv + kHvLpid, 4) != lpid)
                    fail("hv_guest_state's lpid changed");
                const uint64_t ic = 0xffull << 56;
                if ((o.get(hv + kHvHfscr) & ~(ret.r3 == 0xf80 ? ic : 0)) != (hfscr & ~(ret.r3 == 0xf80 ? ic : 0)))
                    fail("hv_guest_state's HFSCR changed beyond its IC field", o.get(hv + kHvHfscr), hfscr);
            }
        }
    }
    phvfuzz::guest_insns() += l1.executed;
    return 0;
}
