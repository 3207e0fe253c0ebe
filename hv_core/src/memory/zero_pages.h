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
#include <utility>
#include <vector>

namespace phv {

// `bytes` of zeroed memory, page-aligned; throws std::bad_alloc when the kernel refuses.
void *map_zero_pages(size_t bytes);
void unmap_zero_pages(void *p, size_t bytes);
// The same, 2 MiB-aligned and advised for transparent huge pages: for memory written densely as it grows
// (compiled code, blocks, an HPT's groups), where one fault per 2 MiB instead of per 4 KiB matters on a
// host whose faults are dear (itself a guest). prot may add PROT_EXEC. Null when the kernel refuses;
// without THP the mapping is ordinary pages. Unmapped with unmap_zero_pages.
void *map_huge_pages(size_t bytes, int prot);

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

// An array of n zero-initialised T in a mapping of its own: nothing is written or faulted in until used, so
// its cost follows what is touched, not n (a memslot's per-page tables for a slot the VMM registered sparse,
// terabytes of address space). `data` is its first member: compiled code reads the pointer at the object's
// address.
template <typename T>
class ZeroedArray {
public:
    ZeroedArray() = default;
    // Throws std::bad_alloc when the kernel refuses the mapping.
    explicit ZeroedArray(size_t n) : data(n ? static_cast<T *>(map_zero_pages(bytes_for(n))) : nullptr), n_(n) {}
    ~ZeroedArray() { unmap_zero_pages(data, bytes_for(n_)); }
    ZeroedArray(ZeroedArray &&o) noexcept : data(o.data), n_(o.n_) { o.data = nullptr, o.n_ = 0; }
    ZeroedArray &operator=(ZeroedArray &&o) noexcept {
        std::swap(data, o.data);
        std::swap(n_, o.n_);
        return *this;
    }
    ZeroedArray(const ZeroedArray &) = delete;
    ZeroedArray &operator=(const ZeroedArray &) = delete;

    T &operator[](size_t i) { return data[i]; }
    const T &operator[](size_t i) const { return data[i]; }
    size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }

    // Public so that the type is standard-layout (offsetof, for compiled code); use the members above.
    T *data = nullptr;
    size_t n_ = 0;

private:
    static size_t bytes_for(size_t n) { return (n * sizeof(T) + 4095) & ~size_t(4095); }
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
