#include "jit/code_buffer.h"

#include <sys/mman.h>

namespace phv::jit {

CodeBuffer::CodeBuffer(size_t size) {
    // Reserved, not committed: pages become resident only as code is written to them.
    void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED)
        base_ = static_cast<uint8_t *>(p), size_ = size;
}

CodeBuffer::~CodeBuffer() {
    if (base_)
        munmap(base_, size_);
}

} // namespace phv::jit
