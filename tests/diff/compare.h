// Comparing what the two worlds did with one job: every GPR but r31, CR, XER, LR, CTR and the data area.
#pragma once
#include <string>
#include <vector>

#include "batch.h"

namespace phv::diff {

// One line per difference ("r5: phv 0x.. qemu 0x.."); empty when the results agree.
std::vector<std::string> differences(const Result &phv, const Result &qemu);

// The registers of a state, four to a line, for reports.
std::vector<std::string> format_regs(const diff_regs &r);

} // namespace phv::diff
