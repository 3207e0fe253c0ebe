// The generator's random numbers: small, fast and the same on every host, so a printed seed reproduces a run
// bit for bit (std::mt19937 would do too, but the distributions on top of it are not portable).
#pragma once
#include <cstdint>

namespace phv::diff {

class Rng {
public:
    explicit Rng(uint64_t seed) : s_(seed) {}
    // splitmix64: every seed, including 0, gives a full-period stream.
    uint64_t next() {
        uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n). The modulo bias is irrelevant for test generation.
    uint64_t below(uint64_t n) { return n ? next() % n : 0; }
    int64_t range(int64_t lo, int64_t hi) { return lo + int64_t(below(uint64_t(hi - lo + 1))); }
    bool chance(unsigned percent) { return below(100) < percent; }

private:
    uint64_t s_;
};

// Case i of a run has its own stream, so one case can be regenerated from (seed, i) alone.
inline uint64_t case_seed(uint64_t run_seed, uint64_t index) {
    Rng r(run_seed ^ (index * 0xd1342543de82ef95ull));
    return r.next();
}

} // namespace phv::diff
