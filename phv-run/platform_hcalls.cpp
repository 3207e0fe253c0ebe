#include "platform_hcalls.h"

#include <cerrno>
#include <sys/random.h>

namespace phvrun {

namespace {

bool valid_ci_size(uint64_t size) { return size == 1 || size == 2 || size == 4 || size == 8; }

// Caching-inhibited accesses are naturally aligned; the partition's storage is big-endian to them.
int64_t logical_ci_load(const GuestMemory &mem, HcallArgs &a) {
    const uint64_t size = a.args[0], addr = a.args[1];
    uint8_t b[8];
    if (!valid_ci_size(size) || addr % size || !mem.read(addr, b, size))
        return papr::H_PARAMETER;
    uint64_t v = 0;
    for (uint64_t i = 0; i < size; ++i)
        v = v << 8 | b[i];
    a.args[0] = v;
    return papr::H_SUCCESS;
}

int64_t logical_ci_store(const GuestMemory &mem, const HcallArgs &a) {
    const uint64_t size = a.args[0], addr = a.args[1], value = a.args[2];
    if (!valid_ci_size(size) || addr % size || !mem.contains(addr, size))
        return papr::H_PARAMETER;
    uint8_t b[8];
    for (uint64_t i = 0; i < size; ++i)
        b[i] = uint8_t(value >> (8 * (size - 1 - i)));
    return mem.write(addr, b, size) ? papr::H_SUCCESS : papr::H_PARAMETER;
}

} // namespace

// H_GET_CPU_CHARACTERISTICS behaviour bits (IBM numbering: bits 7, 8, 9).
constexpr uint64_t kBehavNoL1dFlushEntry = 1ull << 56, kBehavNoL1dFlushUaccess = 1ull << 55,
                   kBehavNoStfBarrier = 1ull << 54;

bool register_platform_hcalls(HcallTable &t, const GuestMemory &mem) {
    // H_GET_CPU_CHARACTERISTICS: r4 = characteristics, r5 = behaviour. phv's processor executes nothing
    // speculatively, so it has none of the side channels the mitigations close: no characteristic, and a
    // behaviour that says no flush, barrier or security-over-speed choice is needed (Linux then patches
    // every mitigation out instead of running its fallback flushes on each kernel exit).
    bool ok = t.register_hcall(papr::H_GET_CPU_CHARACTERISTICS, [](const HcallContext &, HcallArgs &a) {
        a.args[0] = 0;
        a.args[1] = kBehavNoL1dFlushEntry | kBehavNoL1dFlushUaccess | kBehavNoStfBarrier;
        return papr::H_SUCCESS;
    });
    // H_RANDOM: 64 random bits in r4, from the host's entropy pool.
    ok = ok && t.register_hcall(papr::H_RANDOM, [](const HcallContext &, HcallArgs &a) {
        uint64_t v = 0;
        size_t got = 0;
        while (got < sizeof v) {
            const ssize_t n = getrandom(reinterpret_cast<uint8_t *>(&v) + got, sizeof v - got, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return papr::H_HARDWARE;
            got += size_t(n);
        }
        a.args[0] = v;
        return papr::H_SUCCESS;
    });
    ok = ok && t.register_hcall(papr::H_LOGICAL_CI_LOAD, [mem](const HcallContext &, HcallArgs &a) {
        return logical_ci_load(mem, a);
    });
    ok = ok && t.register_hcall(papr::H_LOGICAL_CI_STORE, [mem](const HcallContext &, HcallArgs &a) {
        return logical_ci_store(mem, a);
    });
    return ok;
}

bool register_rtas_events(Rtas &rtas) {
    // event-scan(event mask, critical, buffer, length): phv-run raises no error or hot-plug events, so every
    // scan finds none (PAPR status 1).
    return rtas.register_function("event-scan", rtas_token::kEventScan, 4, 1, [](const RtasContext &, RtasCall &c) {
        c.set_status(papr::RTAS_OUT_NO_ERRORS_FOUND);
    });
}

} // namespace phvrun
