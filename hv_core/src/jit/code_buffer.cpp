#include "jit/code_buffer.h"

#include <sys/mman.h>

namespace phv::jit {

namespace {
constexpr size_t kHugePage = size_t(2) << 20;
}

CodeBuffer::CodeBuffer(size_t size) {
    // Reserved, not committed: pages become resident only as code is written to them. In transparent huge
    // pages where the host allows it: a Linux boot writes ~13 MiB of code, and in 4 KiB pages each was a
    // page fault of its own (a tenth of the boot's system time on a virtualised host). So the mapping is
    // cut to 2 MiB alignment.
    const size_t map = size + kHugePage;
    void *p = mmap(nullptr, map, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return;
    auto *raw = static_cast<uint8_t *>(p);
    auto *base = reinterpret_cast<uint8_t *>((reinterpret_cast<uintptr_t>(raw) + kHugePage - 1) & ~(kHugePage - 1));
    if (base != raw)
        munmap(raw, size_t(base - raw));
    if (const size_t tail = size_t(raw + map - (base + size)))
        munmap(base + size, tail);
#ifdef MADV_HUGEPAGE
    madvise(base, size, MADV_HUGEPAGE);   // advice only: without THP the buffer works as before
#endif
    base_ = base, size_ = size;
}

CodeBuffer::~CodeBuffer() {
    if (base_)
        munmap(base_, size_);
}

} // namespace phv::jit
