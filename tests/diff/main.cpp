// phv-diff: differential test of phv's fixed-point instructions against qemu-ppc64le -cpu power10.
//
// Generates random cases from the instruction table, runs them in both worlds at the same addresses,
// compares registers and memory, and bisects each mismatch to the first instruction at which the worlds
// diverge. Output is TAP: one line per table row exercised, then an overall line. Every run prints its
// seed; `--seed S --case I` reruns one case alone.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <unistd.h>

#include "case_gen.h"
#include "compare.h"
#include "known_oracle_bugs.h"
#include "phv/phv.h"
#include "checker.h"
#include "report.h"
#include "pool.h"
#include "qemu_oracle.h"

using namespace phv::diff;

namespace {

struct Options {
    uint64_t seed = 0;
    bool seed_given = false;
    uint32_t cases = 4000;
    unsigned insns = 32;
    long only_case = -1;
    unsigned max_reports = 10;   // mismatches printed in full; the rest are counted
    bool show_forgiven = false;  // print forgiven divergences too (to review the rules)
    bool prefixes = false;       // with --case: run every prefix and print where the worlds differ
    PoolKind pool = PoolKind::All;   // --pool vector: FP, VMX and VSX rows only
    bool require_coverage = false;   // fail unless every FP/vector row was drawn (pool.h)
    Oracle oracle;
};

void usage() {
    fprintf(stderr, "usage: phv-diff --exec DIFF_EXEC [--qemu PATH] [--seed N] [--cases N] [--insns K]\n"
                    "                [--case I] [--soak] [--max-reports N] [--show-forgiven]\n"
                    "                [--case I --prefixes] [--big-endian] [--pool all|vector]\n"
                    "                [--require-coverage]\n"
                    "--big-endian runs the cases with MSR[LE]=0 against qemu-ppc64 through diff-exec-be\n"
                    "--pool vector draws only FP, VMX and VSX rows\n"
                    "--require-coverage adds a test that fails unless every FP/vector row a POWER10 process\n"
                    "  can run was drawn (for --pool vector runs)\n");
    exit(2);
}

Options parse(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto val = [&]() -> const char * {
            if (i + 1 >= argc)
                usage();
            return argv[++i];
        };
        if (a == "--exec") o.oracle.exec = val();
        else if (a == "--qemu") o.oracle.qemu = val();
        else if (a == "--seed") { o.seed = strtoull(val(), nullptr, 0); o.seed_given = true; }
        else if (a == "--cases") o.cases = uint32_t(strtoul(val(), nullptr, 0));
        else if (a == "--insns") o.insns = unsigned(strtoul(val(), nullptr, 0));
        else if (a == "--case") o.only_case = strtol(val(), nullptr, 0);
        else if (a == "--soak") o.cases = 100000;
        else if (a == "--max-reports") o.max_reports = unsigned(strtoul(val(), nullptr, 0));
        else if (a == "--show-forgiven") o.show_forgiven = true;
        else if (a == "--prefixes") o.prefixes = true;
        else if (a == "--big-endian") o.oracle.big_endian = true;
        else if (a == "--require-coverage") o.require_coverage = true;
        else if (a == "--pool") {
            const std::string v = val();
            if (v == "all") o.pool = PoolKind::All;
            else if (v == "vector") o.pool = PoolKind::Vector;
            else usage();
        }
        else usage();
    }
    if (!o.seed_given)
        o.seed = uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) ^ (uint64_t(getpid()) << 32);
    if (o.insns == 0 || o.cases == 0)
        usage();
    return o;
}

} // namespace

int main(int argc, char **argv) {
    Options o = parse(argc, argv);
    setvbuf(stdout, nullptr, _IOLBF, 0);
    const auto t0 = std::chrono::steady_clock::now();
    printf("# phv-diff seed %#llx, %u cases of %u instructions%s\n", (unsigned long long)o.seed, o.cases, o.insns,
           o.oracle.big_endian ? ", big-endian" : "");

    // The oracle is a required package: its absence fails the test rather than skipping it.
    const char *qemu_name = o.oracle.big_endian ? "qemu-ppc64" : "qemu-ppc64le";
    o.oracle.qemu = find_qemu(o.oracle.qemu, qemu_name);
    if (o.oracle.qemu.empty() || o.oracle.exec.empty() || access(o.oracle.exec.c_str(), R_OK) != 0) {
        printf("1..1\nnot ok 1 - oracle: %s%s\n", o.oracle.qemu.empty() ? qemu_name : "",
               o.oracle.qemu.empty() ? " not found (install qemu-user)"
                                     : "diff-exec not built (powerpc64le-linux-gnu-gcc missing?)");
        return 1;
    }

    const Pool pool = build_pool(o.oracle.big_endian, o.pool);
    const auto table = phv::isa::insn_table();
    std::vector<Case> cases;
    if (o.only_case >= 0)
        cases.push_back(generate_case(o.seed, uint32_t(o.only_case), pool, o.insns));
    else
        for (uint32_t i = 0; i < o.cases; ++i)
            cases.push_back(generate_case(o.seed, i, pool, o.insns));
    const uint32_t ncases = uint32_t(cases.size());

    // Debugging aid: every prefix of one case, with what differs after each instruction.
    if (o.prefixes && o.only_case >= 0) {
        // One batch per prefix, so that each runs at the case's own address (addpcis sees it).
        for (size_t n = 1; n <= cases[0].units.size(); ++n) {
            const Batch b = build_batch({{&cases[0], n}}, o.oracle.big_endian);
            std::vector<Result> p, q;
            std::string err;
            if (!run_both(o.oracle, b, p, q, &err)) {
                printf("# %s\n", err.c_str());
                return 1;
            }
            const Unit &u = cases[0].units[n - 1];
            printf("# %3zu %08x  %-28s", n - 1, u.insn(), disasm(u.insn(), u.suffix(), b.unit_insn[0][n - 1]).c_str());
            const auto d = differences(p[0], q[0]);
            printf("%s\n", d.empty() ? "agree" : "");
            for (const auto &l : d)
                printf("#       %s\n", l.c_str());
        }
        return 0;
    }

    // Rounds: the cases, then the tails of cases whose first divergence a rule forgave, resumed from the
    // oracle's state after it, until nothing is left to resume.
    std::map<uint16_t, uint64_t> executions, failures;
    uint64_t total = 0;
    for (const Case &c : cases)
        for (const Unit &u : c.units) {
            executions[u.row]++;
            total++;
        }
    std::map<std::string, uint64_t> masked;
    uint64_t real = 0, forgiven = 0, resumed = 0, traps = 0, faults = 0;
    unsigned reported = 0;
    std::string err;
    std::vector<Case> current = std::move(cases);
    for (unsigned round = 0; !current.empty(); ++round) {
        Round r;
        if (!check_round(o.oracle, current, r, &err)) {
            printf("1..1\nnot ok 1 - oracle run: %s\n", err.c_str());
            return 1;
        }
        if (round == 0) {
            for (const Result &q : r.qemu) {
                traps += q.traps;
                faults += q.signal != 0;
            }
            // The harness checks itself: only mtspr and branches write LR or CTR, so without them both must come back
            // unchanged from the oracle; otherwise the prologue/epilogue or the executor is broken.
            auto moves_lr_ctr = [&](const Case &c) {
                for (const Unit &u : c.units)
                    if (table[u.row].mnemonic == "mtspr" || (table[u.row].flags & phv::isa::flag::kBranch))
                        return true;
                return false;
            };
            for (size_t i = 0; i < current.size(); ++i)
                if (r.qemu[i].error.empty() && !moves_lr_ctr(current[i]) &&
                    (r.qemu[i].regs.lr != current[i].in.lr || r.qemu[i].regs.ctr != current[i].in.ctr)) {
                    printf("1..1\nnot ok 1 - oracle: case %zu came back with LR/CTR changed: harness broken\n", i);
                    return 1;
                }
            // Likewise the FP and vector state the trampoline loads and stores: a case without an FP or vector
            // instruction must bring it back unchanged.
            auto touches_vector = [&](const Case &c) {
                for (const Unit &u : c.units)
                    if (uses_fp_or_vector(table[u.row]))
                        return true;
                return false;
            };
            for (size_t i = 0; i < current.size(); ++i)
                if (r.qemu[i].error.empty() && !touches_vector(current[i]) &&
                    !same_vector_state(r.qemu[i].regs, current[i].in)) {
                    printf("1..1\nnot ok 1 - oracle: case %zu came back with VSRs/FPSCR/VSCR changed: harness "
                           "broken\n", i);
                    return 1;
                }
        }
        std::vector<Case> next;
        for (const Finding &f : r.findings) {
            if (f.rule) {
                masked[f.rule->id]++;
                forgiven++;
                if (o.show_forgiven && reported++ < o.max_reports) {
                    printf("# forgiven by rule %s (%s):\n", f.rule->id, f.rule->isa_ref);
                    print_finding(o.seed, o.insns, f, r.batch);
                }
                if (size_t(f.unit) + 1 < f.c->units.size()) {
                    next.push_back(resume_case(*f.c, size_t(f.unit), f.qemu_after.regs, f.qemu_after.data));
                    resumed++;
                }
                continue;
            }
            real++;
            failures[f.c->units[size_t(f.unit)].row]++;
            if (reported++ < o.max_reports)
                print_finding(o.seed, o.insns, f, r.batch);
        }
        current = std::move(next);
    }

    size_t n = 0;
    printf("1..%zu\n", executions.size() + 2 + (o.require_coverage ? 1 : 0));
    printf("ok %zu - oracle: %s -cpu power10 ran %u cases\n", ++n, o.oracle.qemu.c_str(), ncases);
    for (const auto &[row, count] : executions) {
        const uint64_t bad = failures.count(row) ? failures[row] : 0;
        printf("%s %zu - %s (%llu executions", bad ? "not ok" : "ok", ++n, std::string(table[row].mnemonic).c_str(),
               (unsigned long long)count);
        if (bad)
            printf(", %llu mismatches", (unsigned long long)bad);
        printf(")\n");
    }
    bool uncovered = false;
    if (o.require_coverage) {
        std::vector<bool> drawn(table.size());
        for (const auto &[row, count] : executions)
            drawn[row] = true;
        const std::string missing = undrawn_fp_vector_rows(pool, drawn);
        printf("%s %zu - coverage: every FP/VMX/VSX/MMA row a POWER10 process can run was drawn%s%s\n",
               missing.empty() ? "ok" : "not ok", ++n, missing.empty() ? "" : "; never drawn:", missing.c_str());
        uncovered = !missing.empty();
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    printf("%s %zu - %u cases, %llu random instructions: %llu mismatches; %llu divergences forgiven by "
           "known_oracle_bugs rules, %llu case tails rerun after them\n",
           real ? "not ok" : "ok", ++n, ncases, (unsigned long long)total, (unsigned long long)real,
           (unsigned long long)forgiven, (unsigned long long)resumed);
    printf("# the oracle took %llu traps (continued after) and ended %llu cases with another signal\n",
           (unsigned long long)traps, (unsigned long long)faults);
    for (const auto &[id, count] : masked)
        printf("# rule %s forgave %llu cases\n", id.c_str(), (unsigned long long)count);

    // Coverage: what the generator could use but did not draw, and what it leaves out and why.
    std::string unexercised;
    for (uint16_t row : pool.eligible)
        if (!executions.count(row))
            unexercised += " " + std::string(table[row].mnemonic);
    printf("# coverage: %zu of %zu table rows eligible, %zu exercised%s%s\n", pool.eligible.size(), table.size(),
           executions.size(), unexercised.empty() ? "" : "; never drawn:", unexercised.c_str());
    for (const auto &[row, why] : pool.excluded)
        printf("# excluded %-8s %s\n", std::string(table[row].mnemonic).c_str(), why.c_str());
    printf("# seed %#llx; %.1f s\n", (unsigned long long)o.seed, secs);
    return real || uncovered ? 1 : 0;
}
