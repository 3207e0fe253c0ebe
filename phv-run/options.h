// Command-line options of phv-run. Parsing is pure (no I/O, no exit) so it can be tested; main prints the
// error as "phv-run: <message>" and exits with status 2.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cpu_model.h"
#include "debug_log.h"
#include "expected.h"

namespace phvrun {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;
constexpr uint64_t kTiB = 1ull << 40;

constexpr uint64_t kMinMemory = 64 * kMiB;
constexpr uint64_t kMaxMemory = kTiB;
constexpr unsigned kMaxSmp = 256;

struct Options {
    CpuModel cpu = CpuModel::Power10;
    uint64_t mem_size = kGiB;
    unsigned smp = 1;
    std::string kernel;
    std::string initrd;  // empty: none
    std::string append;
    bool trace = false;
    std::string trace_file;  // --trace=FILE; empty with trace: stderr
    unsigned debug = 0;  // DebugCategory bits
    unsigned nested = 0; // --nested[=v1|v2]: the guest may run guests of its own (phv as the L0): 1 or 2
    bool interp = false;     // --interp: the interpreter only (PHV_VM_INTERPRETER)
    bool perf_map = false;   // --perf-map: PHV_VM_PERF_MAP
    bool help = false;   // --help: nothing else is validated
    bool version = false;
};

// Parses a size: decimal digits with an optional binary suffix K, M, G or T (optionally followed by "B"
// or "iB"), case-insensitive: 512M, 1G, 1073741824, 64MiB. Returns nullopt for anything else or on overflow.
std::optional<uint64_t> parse_size(std::string_view text);

// Parses "hcall,unimp,..." into DebugCategory bits.
Expected<unsigned> parse_debug_categories(std::string_view text);

// args excludes argv[0]. Accepts "--opt value" and "--opt=value".
Expected<Options> parse_options(std::span<const std::string_view> args);

// The --help text.
std::string usage_text();

} // namespace phvrun
