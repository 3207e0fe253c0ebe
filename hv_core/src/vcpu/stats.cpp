#include "vcpu/stats.h"

namespace phv {

namespace {
struct StatDesc {
    const char *name;
    uint64_t Stats::*field;
};
#define PHV_STAT_DESC(name) {#name, &Stats::name},
constexpr StatDesc kStats[] = {PHV_VCPU_STATS(PHV_STAT_DESC)};
#undef PHV_STAT_DESC
} // namespace

size_t stat_count() { return sizeof(kStats) / sizeof(kStats[0]); }

const char *stat_get(const Stats &s, size_t i, uint64_t *value) {
    if (i >= stat_count())
        return nullptr;
    if (value)
        *value = s.*kStats[i].field;
    return kStats[i].name;
}

} // namespace phv
