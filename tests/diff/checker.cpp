#include "checker.h"

#include "compare.h"
#include "phv_side.h"

#include <thread>

namespace phv::diff {

namespace {

// darn's result is new in every run, so prefixes that run past it are not reproducible: a later prefix can
// agree by chance (a popcount of two random numbers) and mislead the bisection. It tests the prefix that
// ends at the first darn before any longer one, so the search lands on the darn or stays before it.
size_t first_darn_end(const Case &c) {
    const auto table = isa::insn_table();
    for (size_t u = 0; u < c.units.size(); ++u)
        if (table[c.units[u].row].mnemonic == "darn")
            return u + 1;
    return 0;
}

} // namespace

// phv runs in a thread while qemu runs in its process: the two are independent until compared.
bool run_both(const Oracle &o, const Batch &b, std::vector<Result> &phv, std::vector<Result> &qemu,
              std::string *err) {
    std::string phv_err;
    bool phv_ok = false;
    std::thread t([&] { phv_ok = run_phv(b, phv, &phv_err); });
    const bool qemu_ok = run_oracle(o, b, qemu, err);
    t.join();
    if (qemu_ok && !phv_ok)
        *err = phv_err;
    return qemu_ok && phv_ok;
}

bool check_round(const Oracle &o, const std::vector<Case> &cases, Round &out, std::string *error) {
    std::vector<Job> jobs;
    for (const Case &c : cases)
        jobs.push_back({&c, c.units.size()});
    out.batch = build_batch(jobs, o.big_endian);
    std::vector<Result> phv_res;
    if (!run_both(o, out.batch, phv_res, out.qemu, error))
        return false;

    std::vector<size_t> failing;
    for (size_t i = 0; i < cases.size(); ++i)
        if (!differences(phv_res[i], out.qemu[i]).empty())
            failing.push_back(i);
    if (failing.empty())
        return true;

    // Bisection over prefixes: for each failing case, `lo` units agree and `hi` units differ. Prefix 0 is
    // the initial state (both worlds start from it); prefix n is the full run. Each step runs the middle
    // prefix of every unfinished case in one batch per world.
    struct Search {
        size_t lo, hi;
        Result lo_phv, lo_qemu, hi_phv, hi_qemu;
    };
    std::vector<Search> search;
    for (size_t f : failing) {
        Result start;
        start.regs = cases[f].in;
        start.data = cases[f].data;
        search.push_back({0, cases[f].units.size(), start, start, phv_res[f], out.qemu[f]});
    }
    for (;;) {
        std::vector<Job> pj;
        std::vector<size_t> who;
        for (size_t k = 0; k < search.size(); ++k)
            if (search[k].hi - search[k].lo > 1) {
                const size_t darn = first_darn_end(cases[failing[k]]);
                const size_t mid = darn > search[k].lo && darn < search[k].hi ? darn : (search[k].lo + search[k].hi) / 2;
                pj.push_back({&cases[failing[k]], mid, out.batch.code_addr[failing[k]]});
                who.push_back(k);
            }
        if (pj.empty())
            break;
        const Batch mid = build_batch(pj, o.big_endian);
        std::vector<Result> pp, pq;
        if (!run_both(o, mid, pp, pq, error))
            return false;
        for (size_t i = 0; i < who.size(); ++i) {
            Search &sr = search[who[i]];
            if (differences(pp[i], pq[i]).empty()) {
                sr.lo = pj[i].nunits;
                sr.lo_phv = pp[i];
                sr.lo_qemu = pq[i];
            } else {
                sr.hi = pj[i].nunits;
                sr.hi_phv = pp[i];
                sr.hi_qemu = pq[i];
            }
        }
    }
    const auto table = isa::insn_table();
    for (size_t k = 0; k < failing.size(); ++k) {
        const Case &c = cases[failing[k]];
        const Search &sr = search[k];
        Finding f{&c, failing[k]};
        f.unit = int(sr.hi - 1);
        f.diffs = differences(sr.hi_phv, sr.hi_qemu);
        f.before = sr.lo_qemu.regs;
        f.qemu_after = sr.hi_qemu;
        const Unit &u = c.units[sr.hi - 1];
        f.rule = explain({c, sr.hi - 1, table[u.row], u.insn(), f.before, sr.hi_phv, sr.hi_qemu, o.big_endian});
        out.findings.push_back(std::move(f));
    }
    return true;
}

} // namespace phv::diff
