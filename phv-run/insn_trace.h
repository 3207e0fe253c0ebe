// --trace: one line per executed guest instruction, "0x<NIP>: <disassembly>" (phv_disassemble's text, so
// extended mnemonics as objdump prints them), on stderr or in a file. Each line is written whole under a lock
// so vcpu threads do not interleave; with more than one vcpu a line starts "cpuN ".
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include <phv/phv.h>

#include "expected.h"

namespace phvrun {

class InsnTrace {
public:
    // `path` empty: stderr (unbuffered, as the rest of the diagnostics); else the file, created or truncated.
    static Expected<std::unique_ptr<InsnTrace>> open(const std::string &path, unsigned vcpus);
    InsnTrace(std::FILE *out, bool owns_out, unsigned vcpus) : out_(out), owns_(owns_out), multi_(vcpus > 1) {}
    ~InsnTrace();
    InsnTrace(const InsnTrace &) = delete;
    InsnTrace &operator=(const InsnTrace &) = delete;

    // Starts tracing v: the core then calls record() before each instruction it executes.
    void attach(phv_vcpu *v) { phv_vcpu_set_trace(v, &InsnTrace::callback, this); }
    void record(uint32_t vcpu_id, uint64_t nip, uint32_t insn, uint32_t suffix);

    // The line for one instruction, without the newline.
    static std::string format(bool multi_vcpu, uint32_t vcpu_id, uint64_t nip, uint32_t insn, uint32_t suffix);

private:
    static void callback(void *opaque, uint32_t vcpu_id, uint64_t nip, uint32_t insn, uint32_t suffix);

    std::FILE *out_;
    bool owns_;
    bool multi_;
    std::mutex lock_;
};

} // namespace phvrun
