// The system under test: runs a batch in a phv vcpu in real mode, the region mapped at gpa DIFF_BASE.
#pragma once
#include <string>
#include <vector>

#include "batch.h"

namespace phv::diff {

// The results, one per job; false with *error set when the VM could not be set up.
bool run_phv(const Batch &b, std::vector<Result> &out, std::string *error);

} // namespace phv::diff
