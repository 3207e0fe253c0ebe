#include "qemu_oracle.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace phv::diff {

namespace {

// diff-exec reads and writes its records in its own byte order: every field is a 64-bit word but the
// header's first two.
template <typename T>
void swap_words(T &record) {
    static_assert(sizeof(T) % 8 == 0);
    uint64_t w[sizeof(T) / 8];
    std::memcpy(w, &record, sizeof w);
    for (auto &x : w)
        x = __builtin_bswap64(x);
    std::memcpy(&record, w, sizeof w);
}

// And a 128-bit value (a VSR, the VSCR quadword) keeps its high doubleword first in a big-endian world.
void swap_halves(diff_regs &r) {
    for (auto &v : r.vsr)
        std::swap(v.lo, v.hi);
    std::swap(r.vscr.lo, r.vscr.hi);
}

bool write_blob(const std::string &path, const Batch &b) {
    std::ofstream f(path, std::ios::binary);
    diff_blob_header h{DIFF_MAGIC, uint32_t(b.jobs.size()), DIFF_BASE, b.region.size()};
    if (b.big_endian) {
        h.magic = __builtin_bswap32(h.magic);
        h.ncases = __builtin_bswap32(h.ncases);
        h.base = __builtin_bswap64(h.base);
        h.region_size = __builtin_bswap64(h.region_size);
    }
    f.write(reinterpret_cast<const char *>(&h), sizeof h);
    f.write(reinterpret_cast<const char *>(b.region.data()), std::streamsize(b.region.size()));
    for (size_t i = 0; i < b.jobs.size(); ++i) {
        diff_case_in in{b.code_addr[i] - DIFF_BASE, b.jobs[i].c->in};
        if (b.big_endian) {
            swap_words(in);
            swap_halves(in.regs);
        }
        f.write(reinterpret_cast<const char *>(&in), sizeof in);
        f.write(reinterpret_cast<const char *>(b.jobs[i].c->data.data()), DIFF_DATA_SIZE);
    }
    return bool(f);
}

const char *signal_name(uint64_t sig) {
    switch (sig) {
    case SIGILL: return "SIGILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGTRAP: return "SIGTRAP";
    default: return "signal";
    }
}

} // namespace

std::string find_qemu(const std::string &given, const char *name) {
    if (!given.empty())
        return access(given.c_str(), X_OK) == 0 ? given : std::string{};
    const char *path = getenv("PATH");
    std::string p = path ? path : "/usr/bin:/bin";
    size_t pos = 0;
    while (pos <= p.size()) {
        const size_t colon = p.find(':', pos);
        const std::string dir = p.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
        const std::string cand = (dir.empty() ? "." : dir) + "/" + name;
        if (access(cand.c_str(), X_OK) == 0)
            return cand;
        if (colon == std::string::npos)
            break;
        pos = colon + 1;
    }
    return {};
}

bool run_oracle(const Oracle &o, const Batch &b, std::vector<Result> &out, std::string *error) {
    const char *tmp = getenv("TMPDIR");
    std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/phv-diff.XXXXXX";
    if (!mkdtemp(dir.data())) {
        *error = "mkdtemp: " + std::string(strerror(errno));
        return false;
    }
    const std::string blob = dir + "/cases.bin", res = dir + "/results.bin";
    auto cleanup = [&] {
        unlink(blob.c_str());
        unlink(res.c_str());
        rmdir(dir.c_str());
    };
    if (!write_blob(blob, b)) {
        *error = "cannot write " + blob;
        cleanup();
        return false;
    }
    const pid_t pid = fork();
    if (pid == 0) {
        execl(o.qemu.c_str(), o.qemu.c_str(), "-cpu", "power10", o.exec.c_str(), blob.c_str(), res.c_str(),
              (char *)nullptr);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char buf[160];
        snprintf(buf, sizeof buf, "%s -cpu power10 %s failed (wait status 0x%x)", o.qemu.c_str(), o.exec.c_str(),
                 status);
        *error = buf;
        cleanup();
        return false;
    }
    std::ifstream f(res, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    cleanup();
    const size_t rec = sizeof(diff_case_out) + DIFF_DATA_SIZE;
    if (bytes.size() != rec * b.jobs.size()) {
        *error = "diff-exec wrote a result file of the wrong size";
        return false;
    }
    out.assign(b.jobs.size(), Result{});
    for (size_t i = 0; i < b.jobs.size(); ++i) {
        diff_case_out o2;
        std::memcpy(&o2, &bytes[i * rec], sizeof o2);
        if (b.big_endian) {
            swap_words(o2);
            swap_halves(o2.regs);
        }
        out[i].regs = o2.regs;
        out[i].traps = o2.traps;
        out[i].trap_hash = o2.trap_hash;
        std::memcpy(out[i].data.data(), &bytes[i * rec + sizeof o2], DIFF_DATA_SIZE);
        if (o2.fault_sig) {
            out[i].error = std::string("qemu: ") + signal_name(o2.fault_sig);
            out[i].error_nip = o2.fault_nip;
            out[i].signal = o2.fault_sig;
        }
    }
    return true;
}

} // namespace phv::diff
