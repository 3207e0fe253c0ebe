// A batch: the cases (or case prefixes) run together, laid out in one region image, and what each world
// reports for each of them.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "case_gen.h"
#include "layout.h"

namespace phv::diff {

struct Job {
    const Case *c;
    size_t nunits;     // run only the first nunits units (all of them outside bisection)
    uint64_t at = 0;   // where its code goes; 0: after the previous job's
};

struct Batch {
    std::vector<Job> jobs;
    bool big_endian = false;                 // the region holds code and ctx big-endian, run with MSR[LE]=0
    std::vector<uint8_t> region;             // ctx, data, stub, then every job's code
    std::vector<uint64_t> code_addr;         // per job: address of its first word
    std::vector<std::vector<uint64_t>> unit_insn;   // per job, per unit: address of its instruction
};

// Lays out the jobs' code. A prefix of a case must run at the case's own address: addpcis makes results
// depend on it, and bisection compares a prefix with the case it came from. Jobs placed with `at` must not
// overlap (bisection runs at most one prefix per case in a batch).
Batch build_batch(std::vector<Job> jobs, bool big_endian);

// What one world did with one job.
struct Result {
    diff_regs regs{};
    std::array<uint8_t, DIFF_DATA_SIZE> data{};
    std::string error;     // non-empty: the job did not reach its end (signal, phv exit other than the hcall)
    uint64_t error_nip = 0;   // the instruction that caused it, when known
    // The Linux signal the job ended with (phv: the one Linux would send for the interrupt it took), 0 if
    // none. Two worlds that end with the same signal at the same instruction in the same state agree.
    uint64_t signal = 0;
    uint64_t traps = 0, trap_hash = 0;   // traps taken and continued after (layout.h)
};

} // namespace phv::diff
