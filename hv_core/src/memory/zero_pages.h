// Zero-filled memory straight from the kernel: an anonymous private mapping whose pages cost nothing until
// first touched (a read maps the shared zero page, a write gets a fresh one).
//
// For the large per-vcpu and per-VM tables whose empty state is all-zero bits (the TLB, the jump cache, the
// reservation granules): creating a vcpu then costs no writing and faulting in of a quarter of a MiB, most of
// which a short-lived or idle vcpu never uses. A table that dies gives its mapping back to a small pool
// instead of unmapping it, cleared again by its owner (who knows which parts it wrote): munmap of touched
// pages costs a TLB shootdown, which under a virtualised host kernel is dearer than the whole table was.
// (Small objects stay on the heap: a mapping is at least a page.)
#pragma once
#include <cstddef>
#include <mutex>
#include <vector>

namespace phv {

// `bytes` of zeroed memory, page-aligned; throws std::bad_alloc when the kernel refuses.
void *map_zero_pages(size_t bytes);
void unmap_zero_pages(void *p, size_t bytes);

// Mappings of one size, all-zero bits: new ones, or ones given back cleared. Keeps at most `keep`.
class ZeroPagePool {
public:
    ZeroPagePool(size_t bytes, size_t keep) : bytes_(bytes), keep_(keep) { free_.reserve(keep); }
    void *take();
    // p must be all-zero bits again.
    void give(void *p);

private:
    const size_t bytes_, keep_;
    std::mutex lock_;
    std::vector<void *> free_;
};

// Base of a class T whose objects each live in zero pages of their own (`new T` only, never on the stack or
// inside another object: give T a private constructor and a factory). The members T's constructor leaves
// alone (no initialiser, no mem-initialiser) read as zero bits until written; T's destructor must leave
// exactly those as zero bits again, for the next object that gets the mapping.
template <typename T>
struct OnZeroPages {
    static void *operator new(size_t) { return pool().take(); }
    static void operator delete(void *p) { pool().give(p); }

private:
    // Never destroyed: an object may die after static destructors have run (a VM a VMM never freed).
    static ZeroPagePool &pool() {
        static ZeroPagePool *p = new ZeroPagePool(sizeof(T), T::kPooled);
        return *p;
    }
};

} // namespace phv
