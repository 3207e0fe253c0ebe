#include "mmu/tlb.h"

#include <cstring>

namespace phv::mmu {

namespace {
// Quadrant 3 (EA bit 0 set, as quadrants 1 and 2 never enter the TLB) is PID 0's.
bool os_quadrant(uint64_t tag) { return tag >> 63; }
} // namespace

void Tlb::insert(Access a, uint64_t ea, uint64_t ctx, const TlbEntry &e) {
    const unsigned i = index(ea);
    TlbEntry &slot = sets_[unsigned(a)][i];
    if (slot.linked)   // a fill over an empty or unmarked entry leaves every link valid
        unlink();
    slot = e;
    slot.tag = (ea & kPageMask) | ctx;
    slot.linked = 0;
    const uint64_t chunk = 1ull << (unsigned(a) * kChunksPerSet + i / kChunk);
    written_ |= chunk;
    live_ |= chunk;
    if (recent_n_ < kRecent)
        recent_[recent_n_++] = uint16_t(unsigned(a) * kEntries + i);
    else
        recent_n_ = kRecent + 1;
}

bool Tlb::mark_linked(Access a, uint64_t ea, uint64_t ctx) {
    TlbEntry &e = sets_[unsigned(a)][index(ea)];
    if (e.tag != ((ea & kPageMask) | ctx))
        return false;
    e.linked = 1;
    return true;
}

void Tlb::flush() {
    if (written_)   // rare: not worth knowing whether a marked entry was among them
        unlink();
    for (uint64_t w = written_; w; w &= w - 1) {
        const unsigned c = unsigned(__builtin_ctzll(w));
        std::memset(&sets_[c / kChunksPerSet][(c % kChunksPerSet) * kChunk], 0, kChunk * sizeof(TlbEntry));
    }
    written_ = 0;
    live_ = 0;
    recent_n_ = 0;
}

void Tlb::set_pid(uint64_t pid) {
    if (pid == pid_)
        return;
    pid_ = pid;
    for_each_written([this](TlbEntry &e) {
        if (e.tag && !os_quadrant(e.tag))
            drop(e);
    });
}

bool Tlb::matches(const TlbEntry &e, const Invalidation &inv) const {
    if (!e.tag)
        return false;
    switch (inv.scope) {
    case Invalidation::Scope::All:
        return true;
    case Invalidation::Scope::Va: {
        const uint64_t mask = ~((1ull << inv.shift) - 1);
        return ((e.va ^ inv.ea) & mask) == 0;
    }
    case Invalidation::Scope::Segment: {
        const uint64_t mask = ~((1ull << inv.shift) - 1);
        return ((e.tag ^ inv.ea) & mask) == 0;
    }
    case Invalidation::Scope::Context:
        return (e.tag & kKeyContextMask) == inv.pid;
    default:
        break;
    }
    const uint64_t pid = os_quadrant(e.tag) ? 0 : pid_;
    if (pid != inv.pid)
        return false;
    if (inv.scope == Invalidation::Scope::Pid)
        return true;
    // A page names the translation of that size containing ea, so every 4K entry inside it. (The ISA leaves
    // a tlbie whose AP is not the translation's real page size undefined; Linux always names the real size.)
    const uint64_t size = 1ull << inv.shift;
    const uint64_t base = inv.ea & ~(size - 1) & kPageMask;
    return (e.tag & kPageMask) - base < size;
}

unsigned Tlb::invalidate(const Invalidation &inv) {
    // A process's entries are here only while it is the TLB's PID (quadrant 0) or PID 0 (quadrant 3): Linux
    // flushes an mm wherever it has run (a PID tlbie at exit and exec, a page's at every unmap), mostly on
    // vcpus where another process runs, and there nothing can match.
    const bool by_pid = inv.scope == Invalidation::Scope::Page || inv.scope == Invalidation::Scope::Pid;
    if (by_pid && inv.pid != pid_ && inv.pid != 0)
        return 0;
    unsigned n = 0;
    auto drop_named = [&](TlbEntry &e) {
        if (matches(e, inv)) {
            drop(e);
            ++n;
        }
    };
    // A page smaller than the array's reach touches only the slots its 4K pages index (a 4K or 64K tlbie
    // looks at 3 or 48 entries); anything wider looks at every slot.
    const bool by_page = inv.scope == Invalidation::Scope::Page || inv.scope == Invalidation::Scope::Va ||
                         inv.scope == Invalidation::Scope::Segment;
    if (by_page && inv.shift < 40 && (1ull << (inv.shift - 12)) < kEntries) {
        const uint64_t size = 1ull << inv.shift;
        const uint64_t base = inv.ea & ~(size - 1);
        for (auto &set : sets_)
            for (uint64_t a = base; a - base < size; a += 0x1000)
                drop_named(set[index(a)]);
        return n;
    }
    for_each_written(drop_named);
    return n;
}

} // namespace phv::mmu
