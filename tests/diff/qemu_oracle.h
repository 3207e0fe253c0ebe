// The oracle: runs a batch under `qemu-ppc64le -cpu power10` through the diff-exec program, or with
// big_endian under `qemu-ppc64 -cpu power10` through diff-exec-be.
#pragma once
#include <string>
#include <vector>

#include "batch.h"

namespace phv::diff {

struct Oracle {
    std::string qemu;   // qemu-ppc64le (qemu-ppc64 when big_endian), found on PATH when empty
    std::string exec;   // the cross-compiled diff-exec (diff-exec-be)
    bool big_endian = false;
};

// The results, one per job; false with *error set when the oracle could not run at all.
bool run_oracle(const Oracle &o, const Batch &b, std::vector<Result> &out, std::string *error);

// The qemu to use: the given path, or the first `name` on PATH; empty if there is none.
std::string find_qemu(const std::string &given, const char *name);

} // namespace phv::diff
