#include "debug_log.h"

#include <cstdarg>
#include <string>

namespace phvrun {

void DebugLog::print(const char *fmt, ...) {
    char line[512];
    int n = std::snprintf(line, sizeof line, "phv-run: ");
    va_list ap;
    va_start(ap, fmt);
    const int m = std::vsnprintf(line + n, sizeof line - size_t(n) - 1, fmt, ap);
    va_end(ap);
    n += m < 0 ? 0 : m;
    if (size_t(n) > sizeof line - 2)
        n = int(sizeof line - 2);
    line[n++] = '\n';
    line[n] = 0;
    std::lock_guard g(lock_);
    std::fputs(line, out_);
    std::fflush(out_);
}

bool DebugLog::first_time(std::string_view kind, uint64_t key) {
    std::lock_guard g(lock_);
    return seen_.emplace(std::string(kind), key).second;
}

} // namespace phvrun
