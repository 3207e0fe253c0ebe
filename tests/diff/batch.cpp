#include "batch.h"

#include <algorithm>
#include <cstring>

#include "fixed_insns.h"

namespace phv::diff {

Batch build_batch(std::vector<Job> jobs, bool big_endian) {
    Batch b;
    b.big_endian = big_endian;
    b.jobs = std::move(jobs);
    std::vector<uint32_t> code;   // from DIFF_BASE + DIFF_CODE_OFF
    size_t next = 0;              // in words
    for (const Job &j : b.jobs) {
        const Code c = build_code(*j.c, j.nunits);
        const size_t at = j.at ? (j.at - DIFF_BASE - DIFF_CODE_OFF) / 4 : next;
        const uint64_t start = DIFF_BASE + DIFF_CODE_OFF + at * 4;
        b.code_addr.push_back(start);
        std::vector<uint64_t> insn;
        for (size_t u = 0; u < j.nunits; ++u)
            insn.push_back(start + (c.unit_start[u] + j.c->units[u].insn_pos) * 4);
        b.unit_insn.push_back(std::move(insn));
        if (code.size() < at + c.words.size())
            code.resize(at + c.words.size());
        std::copy(c.words.begin(), c.words.end(), code.begin() + long(at));
        // Cases start 64-byte aligned, which build_code relies on to place prefixed instructions.
        next = (std::max(next, at + c.words.size()) + 15) & ~size_t(15);
    }
    const size_t size = (DIFF_CODE_OFF + code.size() * 4 + 0xffff) & ~size_t(0xffff);   // whole 64 KiB pages
    b.region.assign(size, 0);
    // phv's way out: an hcall exit. r3 is the hcall number and the case leaves it random; 0 is no PAPR
    // hcall, so phv hands it to us instead of serving it in-core (H_CEDE would halt the vcpu).
    uint32_t stub[] = {fixed::addi(3, 0, 0), fixed::sc1()};
    if (big_endian) {
        for (auto &w : stub)
            w = __builtin_bswap32(w);
        for (auto &w : code)
            w = __builtin_bswap32(w);
    }
    std::memcpy(&b.region[DIFF_STUB_OFF], stub, sizeof stub);
    std::memcpy(&b.region[DIFF_CODE_OFF], code.data(), code.size() * 4);
    return b;
}

} // namespace phv::diff
