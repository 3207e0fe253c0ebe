#include "insn_trace.h"

#include <cerrno>
#include <cstring>

namespace phvrun {

Expected<std::unique_ptr<InsnTrace>> InsnTrace::open(const std::string &path, unsigned vcpus) {
    if (path.empty())
        return std::make_unique<InsnTrace>(stderr, false, vcpus);
    std::FILE *f = std::fopen(path.c_str(), "w");
    if (!f)
        return Error{"--trace: cannot create " + path + ": " + std::strerror(errno)};
    // Fully buffered: a trace file grows by millions of lines; the destructor flushes it.
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
    return std::make_unique<InsnTrace>(f, true, vcpus);
}

InsnTrace::~InsnTrace() {
    if (owns_)
        std::fclose(out_);
    else
        std::fflush(out_);
}

std::string InsnTrace::format(bool multi_vcpu, uint32_t vcpu_id, uint64_t nip, uint32_t insn, uint32_t suffix) {
    char dis[128];
    phv_disassemble(insn, suffix, nip, dis, sizeof dis);
    char line[192];
    if (multi_vcpu)
        std::snprintf(line, sizeof line, "cpu%u 0x%016llx: %s", vcpu_id, (unsigned long long)nip, dis);
    else
        std::snprintf(line, sizeof line, "0x%016llx: %s", (unsigned long long)nip, dis);
    return line;
}

void InsnTrace::record(uint32_t vcpu_id, uint64_t nip, uint32_t insn, uint32_t suffix) {
    // One fputs per line: stderr is unbuffered, and one write keeps the line whole next to other output.
    const std::string line = format(multi_, vcpu_id, nip, insn, suffix) + '\n';
    std::lock_guard g(lock_);
    std::fputs(line.c_str(), out_);
}

void InsnTrace::callback(void *opaque, uint32_t vcpu_id, uint64_t nip, uint32_t insn, uint32_t suffix) {
    static_cast<InsnTrace *>(opaque)->record(vcpu_id, nip, insn, suffix);
}

} // namespace phvrun
