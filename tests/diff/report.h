// How a mismatch is shown: enough to reproduce it (seed, case, command line) and to read it without
// rerunning (the instruction, the state before it, what differs, the case up to it).
#pragma once
#include <cstdint>
#include <string>

#include "checker.h"

namespace phv::diff {

std::string disasm(uint32_t word, uint64_t nip);
// Also prefixed instructions: suffix is the word after `word`, used only when `word` is a prefix.
std::string disasm(uint32_t word, uint32_t suffix, uint64_t nip);

void print_finding(uint64_t seed, unsigned insns, const Finding &f, const Batch &batch);

} // namespace phv::diff
