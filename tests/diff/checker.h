// One round of the differential test: run cases in both worlds, bisect every case whose results differ to
// the first instruction at which the worlds diverge, and ask known_oracle_bugs whether a rule explains it.
#pragma once
#include <string>
#include <vector>

#include "batch.h"
#include "case_gen.h"
#include "known_oracle_bugs.h"
#include "qemu_oracle.h"

namespace phv::diff {

struct Finding {
    const Case *c;
    size_t job;                      // in the round's batch
    int unit = -1;                   // the diverging unit
    std::vector<std::string> diffs;  // at that unit (or of the whole case)
    diff_regs before{};              // state both worlds agree on before the unit
    Result qemu_after;               // the oracle's state after the unit (to resume the case from)
    const Rule *rule = nullptr;      // set when a documented rule explains it
};

struct Round {
    Batch batch;
    std::vector<Result> qemu;        // per case, for the harness's own sanity check
    std::vector<Finding> findings;
};

// Runs a batch in both worlds at once; false with *error when either could not run at all.
bool run_both(const Oracle &o, const Batch &b, std::vector<Result> &phv, std::vector<Result> &qemu, std::string *error);

// False with *error when a world could not run at all.
bool check_round(const Oracle &o, const std::vector<Case> &cases, Round &out, std::string *error);

} // namespace phv::diff
