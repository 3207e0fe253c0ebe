// RTAS without firmware: the guest calls the few big-endian instructions at linux,rtas-entry, which pass the
// argument buffer to the private hcall KVMPPC_H_RTAS (as QEMU and kvmtool do); phv-run then runs the
// function named by the buffer's token.
//
// The buffer (PAPR 7.2.7) is big-endian 32-bit cells: {token, nargs, nret, args[nargs], rets[nret]}; the
// first return cell is the RTAS status.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "debug_log.h"
#include "fdt_builder.h"
#include "guest_memory.h"
#include "hcalls.h"

namespace phvrun {

// Tokens: QEMU's pseries numbering, so a payload that hard-codes them runs under both.
namespace rtas_token {
constexpr uint32_t kDisplayCharacter = 0x2000;
constexpr uint32_t kGetTimeOfDay = 0x2001;
constexpr uint32_t kSetTimeOfDay = 0x2002;
constexpr uint32_t kPowerOff = 0x2003;
constexpr uint32_t kSystemReboot = 0x2004;
constexpr uint32_t kQueryCpuStoppedState = 0x2005;
constexpr uint32_t kStartCpu = 0x2006;
constexpr uint32_t kStopSelf = 0x2007;
constexpr uint32_t kIbmSetXive = 0x200a;
constexpr uint32_t kIbmGetXive = 0x200b;
constexpr uint32_t kIbmIntOff = 0x200c;
constexpr uint32_t kIbmIntOn = 0x200d;
constexpr uint32_t kEventScan = 0x200f;
constexpr uint32_t kIbmOsTerm = 0x201f;
} // namespace rtas_token

struct RtasContext {
    uint32_t vcpu_id;
    uint64_t nip;
    const GuestMemory &mem;
};

// One call, with the cells in host order. A function fills rets; rets[0] is the status.
struct RtasCall {
    uint32_t token = 0;
    std::vector<uint32_t> args;
    std::vector<uint32_t> rets;

    void set_status(int32_t status) {
        if (!rets.empty())
            rets[0] = uint32_t(status);
    }
};

using RtasFunction = std::function<void(const RtasContext &, RtasCall &)>;

class Rtas {
public:
    Rtas(const GuestMemory &mem, DebugLog &log) : mem_(mem), log_(log) {}

    // nargs/nret are what PAPR defines for the function; a call with other counts gets a parameter error
    // without reaching fn. False if the name or token is taken.
    bool register_function(const std::string &name, uint32_t token, uint32_t nargs, uint32_t nret, RtasFunction fn);

    // Registers KVMPPC_H_RTAS, whose r4 is the guest-real address of the buffer.
    bool register_hcall(HcallTable &table);

    // The token properties of /rtas.
    std::vector<RtasTokenProp> token_properties() const;

    // Serves one call: H_SUCCESS once the buffer has been read (the RTAS status is in the buffer),
    // H_PARAMETER if the buffer is not in guest RAM.
    int64_t handle(uint32_t vcpu_id, uint64_t nip, uint64_t buffer_gpa);

    // The code at linux,rtas-entry. RTAS is entered big-endian, so these are big-endian instruction words.
    static std::span<const uint8_t> entry_code();

private:
    struct Function {
        std::string name;
        uint32_t token, nargs, nret;
        RtasFunction fn;
    };
    const Function *find(uint32_t token) const;

    GuestMemory mem_;  // a view (pointer and size), kept by value so callers may pass a temporary
    DebugLog &log_;
    std::vector<Function> functions_;
};

} // namespace phvrun
