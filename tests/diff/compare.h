// Comparing what the two worlds did with one job: every GPR but r31, CR, XER, LR, CTR, the 64 VSRs, FPSCR,
// VSCR's NJ and SAT, and the data area.
#pragma once
#include <string>
#include <vector>

#include "batch.h"

namespace phv::diff {

// One line per difference ("r5: phv 0x.. qemu 0x.."); empty when the results agree.
std::vector<std::string> differences(const Result &phv, const Result &qemu);

// The VSRs, FPSCR and VSCR (NJ, SAT) agree.
bool same_vector_state(const diff_regs &p, const diff_regs &q);

// The registers of a state, four to a line, for reports.
std::vector<std::string> format_regs(const diff_regs &r);

} // namespace phv::diff
