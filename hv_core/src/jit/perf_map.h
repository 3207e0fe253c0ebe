// The perf map (PHV_PERF_MAP=1, phv-run --perf-map): `start size name` lines in /tmp/perf-<pid>.map, which
// `perf report` reads to name samples that fall in JIT code. Each compiled block is named by its guest EA.
#pragma once
#include <cstddef>
#include <cstdint>

namespace phv::jit {

void perf_map_add(const void *start, size_t size, uint64_t guest_ea);

} // namespace phv::jit
