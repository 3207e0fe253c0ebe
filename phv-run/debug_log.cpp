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
    {
        std::lock_guard g(lock_);
        if (seen_.count({std::string(kind), key}))
            return false;
        size_t &n = per_kind_[std::string(kind)];
        if (n > kMaxKeysPerKind)
            return false;
        if (n++ < kMaxKeysPerKind) {
            seen_.emplace(std::string(kind), key);
            return true;
        }
    }
    // print() takes the lock itself.
    print("further '%.*s' messages are suppressed (use -d to see every one)", int(kind.size()), kind.data());
    return false;
}

} // namespace phvrun
