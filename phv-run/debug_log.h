// Diagnostic lines on stderr, each "phv-run: ..." and written whole so vcpu threads do not interleave, and
// the once-per-key filter that keeps a guest looping on an unimplemented call from flooding the log.
#pragma once
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace phvrun {

// -d categories.
enum DebugCategory : unsigned {
    kDebugHcall = 1u << 0,  // every hcall and its result
    kDebugRtas = 1u << 1,   // every RTAS call
    kDebugMmio = 1u << 2,   // every MMIO access (otherwise once per page)
    kDebugUnimp = 1u << 3,  // every unimplemented hcall/RTAS call (otherwise once per number)
    kDebugStats = 1u << 4,  // the core's per-vcpu counters at exit
    kDebugBoot = 1u << 5,   // the guest-physical layout
};

class DebugLog {
public:
    explicit DebugLog(unsigned categories = 0, std::FILE *out = stderr) : categories_(categories), out_(out) {}

    bool enabled(unsigned category) const { return categories_ & category; }

    void print(const char *fmt, ...) __attribute__((format(printf, 2, 3)));

    // True the first time (kind, key) is seen, for at most kMaxKeysPerKind keys of one kind: a guest
    // scanning memory or hcall numbers gets that many lines and then one saying the rest are suppressed.
    static constexpr size_t kMaxKeysPerKind = 64;
    bool first_time(std::string_view kind, uint64_t key);

private:
    unsigned categories_;
    std::FILE *out_;
    std::mutex lock_;
    std::set<std::pair<std::string, uint64_t>, std::less<>> seen_;
    std::map<std::string, size_t, std::less<>> per_kind_;
};

} // namespace phvrun
