// The CPU models phv-run offers, as the user names them and as the device tree names them.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace phvrun {

// Values equal enum phv_cpu_model, so a CpuModel converts to the core's config without a table.
enum class CpuModel : uint32_t {
    Power8 = 8,
    Power9 = 9,
    Power10 = 10,
};

// "power8" / "POWER9" / "Power10" ... (case-insensitive).
std::optional<CpuModel> parse_cpu_model(std::string_view name);

// "POWER10": the suffix of the device-tree cpu node name "PowerPC,POWER10@N".
std::string_view cpu_model_dt_name(CpuModel model);

// POWER9 and later boot with the radix MMU (what KVM on POWER9+ offers); POWER8 has only the hash MMU.
inline bool cpu_model_uses_radix(CpuModel model) { return model != CpuModel::Power8; }

} // namespace phvrun
