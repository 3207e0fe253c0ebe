#include "hcall_dispatch.h"

#include <cstdio>
#include <string>

namespace phvrun {

namespace {

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

std::string hcall_label(uint64_t opcode) {
    const char *name = papr::hcall_name(opcode);
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", ull(opcode));
    return name ? std::string(name) + " (" + buf + ")" : std::string("hcall ") + buf;
}

// Hcalls Linux makes at boot to ask for facilities phv does not offer: H_FUNCTION is PAPR's "not there"
// and the kernel carries on, so they get no line on stderr unless -d unimp asks for every one.
constexpr uint64_t kKnownProbes[] = {
    0x398,   // H_QUERY_VAS_CAPABILITIES: no VAS (NX gzip/crypto) windows
    0xf080,  // H_GET_PERF_COUNTER_INFO: no hv-24x7/hv-gpci hypervisor counters
};

bool known_probe(uint64_t opcode) {
    for (uint64_t p : kKnownProbes)
        if (p == opcode)
            return true;
    return false;
}

} // namespace

int64_t dispatch_hcall(const HcallTable &table, DebugLog &log, const HcallContext &ctx, HcallArgs &a) {
    const HcallArgs in = a;
    const auto ret = table.call(ctx, a);
    if (!ret) {
        if (log.enabled(kDebugUnimp) || (!known_probe(a.opcode) && log.first_time("hcall", a.opcode)))
            log.print("cpu %u: unimplemented %s at nip 0x%llx (args 0x%llx 0x%llx 0x%llx): returning H_FUNCTION",
                      ctx.vcpu_id, hcall_label(a.opcode).c_str(), ull(ctx.nip), ull(in.args[0]), ull(in.args[1]),
                      ull(in.args[2]));
        return papr::H_FUNCTION;
    }
    if (log.enabled(kDebugHcall))
        log.print("cpu %u: %s(0x%llx, 0x%llx, 0x%llx, 0x%llx) = %lld", ctx.vcpu_id, hcall_label(a.opcode).c_str(),
                  ull(in.args[0]), ull(in.args[1]), ull(in.args[2]), ull(in.args[3]), static_cast<long long>(*ret));
    return *ret;
}

} // namespace phvrun
