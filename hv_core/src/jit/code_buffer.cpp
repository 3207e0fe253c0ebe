#include "jit/code_buffer.h"

#include <sys/mman.h>

#include "memory/zero_pages.h"

namespace phv::jit {

CodeBuffer::CodeBuffer(size_t size) {
    // Reserved, not committed: pages become resident only as code is written to them. In huge pages: a
    // Linux boot writes ~13 MiB of code, and in 4 KiB pages that was 3,300 page faults.
    if (void *p = map_huge_pages(size, PROT_READ | PROT_WRITE | PROT_EXEC))
        base_ = static_cast<uint8_t *>(p), size_ = size;
}

CodeBuffer::~CodeBuffer() { unmap_zero_pages(base_, size_); }

} // namespace phv::jit
