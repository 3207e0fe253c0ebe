// Host code memory for one vcpu's compiled blocks: a bump allocator over one executable mapping.
//
// Compiled code is never freed piece by piece. When the space runs out everything is dropped at once and the
// generation advances; a block whose code belongs to an older generation is compiled again when it next
// runs hot. Nothing runs from the buffer while it is flushed (compiling happens between blocks).
#pragma once
#include <cstddef>
#include <cstdint>

namespace phv::jit {

class CodeBuffer {
public:
    explicit CodeBuffer(size_t size);
    ~CodeBuffer();
    CodeBuffer(const CodeBuffer &) = delete;
    CodeBuffer &operator=(const CodeBuffer &) = delete;

    bool ok() const { return base_ != nullptr; }
    uint8_t *cursor() const { return base_ + used_; }
    size_t room() const { return size_ - used_; }
    // Takes n bytes at cursor() (n <= room()), 16-byte aligned for the next piece.
    void commit(size_t n) { used_ = (used_ + n + 15) & ~size_t(15); }
    void flush() { used_ = 0, ++generation_; }
    uint64_t generation() const { return generation_; }
    size_t used() const { return used_; }

private:
    uint8_t *base_ = nullptr;
    size_t size_ = 0, used_ = 0;
    uint64_t generation_ = 1;   // blocks start with generation 0: not compiled
};

} // namespace phv::jit
