#include "report.h"

#include <cstdio>

#include "compare.h"
#include "phv/phv.h"

namespace phv::diff {

std::string disasm(uint32_t w, uint64_t nip) { return disasm(w, 0, nip); }

std::string disasm(uint32_t w, uint32_t suffix, uint64_t nip) {
    char buf[96];
    phv_disassemble(w, suffix, nip, buf, sizeof buf);
    return buf;
}

void print_finding(uint64_t seed, unsigned insns, const Finding &f, const Batch &batch) {
    const Case &c = *f.c;
    const auto table = isa::insn_table();
    const auto &addr = batch.unit_insn[f.job];
    printf("# %s seed %#llx case %u: reproduce with phv-diff --seed %#llx --insns %u --case %u%s\n",
           f.rule ? "FORGIVEN" : "MISMATCH", (unsigned long long)seed, c.index, (unsigned long long)seed, insns,
           c.index, batch.big_endian ? " --big-endian" : "");
    if (c.resumed_at)
        printf("#   (in the case's tail from instruction %u, rerun from the oracle's state after a divergence a "
               "rule forgave; numbers below count from there)\n", c.resumed_at);
    // Bisection ends at an instruction that turned agreeing state into differing state.
    const Unit &u = c.units[size_t(f.unit)];
    printf("#   diverging instruction %d of %zu: %s  [%08x] %s\n", f.unit, c.units.size(),
           std::string(table[u.row].mnemonic).c_str(), u.insn(), disasm(u.insn(), u.suffix(), addr[size_t(f.unit)]).c_str());
    for (size_t i = 0; i < u.words.size(); ++i)
        if (i != u.insn_pos && !(u.prefixed && i == u.insn_pos + 1))
            printf("#     %s %s\n", i < u.insn_pos ? "after set-up" : "then (skipped if taken)",
                   disasm(u.words[i], 0).c_str());
    printf("#   state before it (both worlds agree):\n");
    for (const auto &l : format_regs(f.before))
        printf("#     %s\n", l.c_str());
    printf("#   differences:\n");
    for (const auto &d : f.diffs)
        printf("#     %s\n", d.c_str());
    printf("#   the case up to it:\n");
    for (size_t i = 0; i <= size_t(f.unit); ++i) {
        const Unit &v = c.units[i];
        printf("#     %3zu %#llx  %08x  %s\n", i, (unsigned long long)addr[i], v.insn(), disasm(v.insn(), v.suffix(), addr[i]).c_str());
    }
}

} // namespace phv::diff
