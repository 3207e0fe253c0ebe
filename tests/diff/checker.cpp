#include "checker.h"

#include "compare.h"
#include "phv_side.h"

namespace phv::diff {

namespace {

bool run_both(const Oracle &o, const Batch &b, std::vector<Result> &phv, std::vector<Result> &qemu,
              std::string *err) {
    return run_oracle(o, b, qemu, err) && run_phv(b, phv, err);
}

} // namespace

bool check_round(const Oracle &o, const std::vector<Case> &cases, Round &out, std::string *error) {
    std::vector<Job> jobs;
    for (const Case &c : cases)
        jobs.push_back({&c, c.units.size()});
    out.batch = build_batch(jobs);
    std::vector<Result> phv_res;
    if (!run_both(o, out.batch, phv_res, out.qemu, error))
        return false;

    std::vector<size_t> failing;
    for (size_t i = 0; i < cases.size(); ++i)
        if (!differences(phv_res[i], out.qemu[i]).empty())
            failing.push_back(i);
    if (failing.empty())
        return true;

    // Every prefix (0..n units) of every failing case, in one more batch per world: the first prefix
    // whose results differ ends with the culprit. Prefix 0 gives the state before the first unit.
    std::vector<Job> pj;
    std::vector<size_t> first_job;
    for (size_t f : failing) {
        first_job.push_back(pj.size());
        for (size_t n = 0; n <= cases[f].units.size(); ++n)
            pj.push_back({&cases[f], n});
    }
    const Batch prefixes = build_batch(pj);
    std::vector<Result> pp, pq;
    if (!run_both(o, prefixes, pp, pq, error))
        return false;
    const auto table = isa::insn_table();
    for (size_t k = 0; k < failing.size(); ++k) {
        const Case &c = cases[failing[k]];
        Finding f{&c, failing[k]};
        f.diffs = differences(phv_res[failing[k]], out.qemu[failing[k]]);
        for (size_t n = 1; n <= c.units.size(); ++n) {
            const size_t j = first_job[k] + n;
            auto d = differences(pp[j], pq[j]);
            if (d.empty())
                continue;
            f.unit = int(n - 1);
            f.diffs = std::move(d);
            f.before = pq[j - 1].regs;
            f.qemu_after = pq[j];
            const Unit &u = c.units[n - 1];
            f.rule = explain({c, n - 1, table[u.row], u.insn(), f.before, pp[j], pq[j]});
            break;
        }
        out.findings.push_back(std::move(f));
    }
    return true;
}

} // namespace phv::diff
