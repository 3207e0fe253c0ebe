#include "jit/perf_map.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <mutex>

namespace phv::jit {

void perf_map_add(const void *start, size_t size, uint64_t guest_ea) {
    static std::mutex lock;
    static FILE *file = nullptr;
    static bool failed = false;
    std::lock_guard g(lock);
    if (!file && !failed) {
        char path[64];
        std::snprintf(path, sizeof path, "/tmp/perf-%d.map", int(getpid()));
        file = std::fopen(path, "a");
        failed = !file;
    }
    if (!file)
        return;
    // perf reads the map after the run: flushing per line keeps it whole if the process is killed.
    std::fprintf(file, "%" PRIxPTR " %zx phv:%" PRIx64 "\n", uintptr_t(start), size, guest_ea);
    std::fflush(file);
}

} // namespace phv::jit
