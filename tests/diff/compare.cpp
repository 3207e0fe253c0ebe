#include "compare.h"

#include <cstdio>
#include <cstring>

namespace phv::diff {

namespace {

std::string line(const char *name, uint64_t p, uint64_t q) {
    char buf[96];
    snprintf(buf, sizeof buf, "%-8s phv 0x%016llx  qemu 0x%016llx", name, (unsigned long long)p, (unsigned long long)q);
    return buf;
}

// A VSR as the ISA writes it: doubleword 0 first.
std::string vsr_text(const diff_vsr &v) {
    char buf[40];
    snprintf(buf, sizeof buf, "%016llx_%016llx", (unsigned long long)v.hi, (unsigned long long)v.lo);
    return buf;
}

std::string vsr_line(unsigned n, const diff_vsr &p, const diff_vsr &q) {
    char buf[128];
    snprintf(buf, sizeof buf, "%-8s phv %s  qemu %s", ("vs" + std::to_string(n) + ":").c_str(), vsr_text(p).c_str(),
             vsr_text(q).c_str());
    return buf;
}

} // namespace

bool same_vector_state(const diff_regs &p, const diff_regs &q) {
    for (unsigned n = 0; n < 64; ++n)
        if (p.vsr[n].hi != q.vsr[n].hi || p.vsr[n].lo != q.vsr[n].lo)
            return false;
    return p.fpscr == q.fpscr && ((p.vscr.lo ^ q.vscr.lo) & DIFF_VSCR_BITS) == 0;
}

std::vector<std::string> differences(const Result &p, const Result &q) {
    std::vector<std::string> d;
    const bool same_fault = p.signal && p.signal == q.signal && p.error_nip == q.error_nip;
    if ((!p.error.empty() || !q.error.empty()) && !same_fault) {
        char buf[64];
        snprintf(buf, sizeof buf, " (at 0x%llx)", (unsigned long long)(p.error.empty() ? q.error_nip : p.error_nip));
        d.push_back((p.error.empty() ? q.error : p.error) + buf);
        return d;
    }
    for (unsigned n = 0; n < 31; ++n)
        if (p.regs.gpr[n] != q.regs.gpr[n])
            d.push_back(line(("r" + std::to_string(n) + ":").c_str(), p.regs.gpr[n], q.regs.gpr[n]));
    if (p.regs.cr != q.regs.cr)
        d.push_back(line("cr:", p.regs.cr, q.regs.cr));
    if (p.regs.xer != q.regs.xer)
        d.push_back(line("xer:", p.regs.xer, q.regs.xer));
    if (p.regs.lr != q.regs.lr)
        d.push_back(line("lr:", p.regs.lr, q.regs.lr));
    if (p.regs.ctr != q.regs.ctr)
        d.push_back(line("ctr:", p.regs.ctr, q.regs.ctr));
    if (p.traps != q.traps || p.trap_hash != q.trap_hash) {
        char buf[96];
        snprintf(buf, sizeof buf, "traps:   phv %llu  qemu %llu (or at other addresses)", (unsigned long long)p.traps,
                 (unsigned long long)q.traps);
        d.push_back(buf);
    }
    for (unsigned n = 0; n < 64; ++n)
        if (p.regs.vsr[n].hi != q.regs.vsr[n].hi || p.regs.vsr[n].lo != q.regs.vsr[n].lo)
            d.push_back(vsr_line(n, p.regs.vsr[n], q.regs.vsr[n]));
    if (p.regs.fpscr != q.regs.fpscr)
        d.push_back(line("fpscr:", p.regs.fpscr, q.regs.fpscr));
    if ((p.regs.vscr.lo ^ q.regs.vscr.lo) & DIFF_VSCR_BITS)
        d.push_back(line("vscr:", p.regs.vscr.lo & DIFF_VSCR_BITS, q.regs.vscr.lo & DIFF_VSCR_BITS));
    for (size_t off = 0; off < DIFF_DATA_SIZE; off += 8) {
        if (std::memcmp(&p.data[off], &q.data[off], 8) == 0)
            continue;
        uint64_t a, b;
        std::memcpy(&a, &p.data[off], 8);
        std::memcpy(&b, &q.data[off], 8);
        char name[32];
        snprintf(name, sizeof name, "mem+%#zx:", off);
        d.push_back(line(name, a, b));
    }
    return d;
}

std::vector<std::string> format_regs(const diff_regs &r) {
    std::vector<std::string> out;
    char buf[160];
    // r31 is never stored by the epilogue: it is the ctx pointer in both worlds.
    uint64_t g[32];
    std::memcpy(g, r.gpr, sizeof g);
    g[31] = DIFF_BASE + DIFF_CTX_OFF;
    for (unsigned n = 0; n < 32; n += 4) {
        snprintf(buf, sizeof buf, "r%-2u %016llx  r%-2u %016llx  r%-2u %016llx  r%-2u %016llx", n,
                 (unsigned long long)g[n], n + 1, (unsigned long long)g[n + 1], n + 2, (unsigned long long)g[n + 2],
                 n + 3, (unsigned long long)g[n + 3]);
        out.push_back(buf);
    }
    snprintf(buf, sizeof buf, "cr  %08llx  xer %016llx  lr %016llx  ctr %016llx", (unsigned long long)r.cr,
             (unsigned long long)r.xer, (unsigned long long)r.lr, (unsigned long long)r.ctr);
    out.push_back(buf);
    snprintf(buf, sizeof buf, "fpscr %016llx  vscr %08llx", (unsigned long long)r.fpscr,
             (unsigned long long)(r.vscr.lo & DIFF_VSCR_BITS));
    out.push_back(buf);
    for (unsigned n = 0; n < 64; n += 2)
        out.push_back("vs" + std::to_string(n) + (n < 10 ? "  " : " ") + vsr_text(r.vsr[n]) + "  vs" +
                      std::to_string(n + 1) + (n + 1 < 10 ? "  " : " ") + vsr_text(r.vsr[n + 1]));
    return out;
}

} // namespace phv::diff
