// The hcalls phv-run serves itself (those the core passes out as PHV_EXIT_PAPR_HCALL), in kvmtool's shape:
// a table indexed by opcode/4 that refuses a second handler for the same opcode, plus one for the
// platform-private range at 0xf000 (KVMPPC_H_RTAS and friends, nested-v1 hcalls at 0xf800).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "papr.h"

namespace phvrun {

struct HcallContext {
    uint32_t vcpu_id;
    uint64_t nip;
    // The calling vcpu's timebase (H_XIRR_X returns it); empty where there is no vcpu (unit tests).
    std::function<uint64_t()> timebase = {};
};

// What the guest passed in r3 and r4..r12. A handler leaves its output values in args: they go back to
// r4..r12 (struct phv_run's papr_hcall.args).
struct HcallArgs {
    uint64_t opcode = 0;
    std::array<uint64_t, 9> args{};
};

// Returns the value for r3 (H_SUCCESS, H_PARAMETER, ...).
using HcallHandler = std::function<int64_t(const HcallContext &, HcallArgs &)>;

class HcallTable {
public:
    static constexpr uint64_t kPrivateBase = 0xf000;
    static constexpr uint64_t kPrivateCount = 0x1000;

    HcallTable();

    // False if the opcode is not a valid hcall number or already has a handler.
    bool register_hcall(uint64_t opcode, HcallHandler handler);
    bool has(uint64_t opcode) const;

    // Runs the handler; nullopt if there is none.
    std::optional<int64_t> call(const HcallContext &ctx, HcallArgs &a) const;

    // ibm,hypertas-functions: the hcall sets ("hcall-term", ...) whose hcalls are all registered.
    void add_hypertas(const std::string &set);
    const std::vector<std::string> &hypertas() const { return hypertas_; }

private:
    const HcallHandler *slot(uint64_t opcode) const;

    std::array<HcallHandler, papr::MAX_HCALL_OPCODE / 4 + 1> papr_;
    std::vector<HcallHandler> private_;
    std::vector<std::string> hypertas_;
};

} // namespace phvrun
