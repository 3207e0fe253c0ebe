// The oracle: runs a batch under `qemu-ppc64le -cpu power10` through the diff-exec program.
#pragma once
#include <string>
#include <vector>

#include "batch.h"

namespace phv::diff {

struct Oracle {
    std::string qemu;   // qemu-ppc64le, found on PATH when empty
    std::string exec;   // the cross-compiled diff-exec
};

// The results, one per job; false with *error set when the oracle could not run at all.
bool run_oracle(const Oracle &o, const Batch &b, std::vector<Result> &out, std::string *error);

// The qemu-ppc64le to use: the given path, or the first one on PATH; empty if there is none.
std::string find_qemu(const std::string &given);

} // namespace phv::diff
