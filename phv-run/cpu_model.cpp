#include "cpu_model.h"

#include <cctype>
#include <string>

namespace phvrun {

std::optional<CpuModel> parse_cpu_model(std::string_view name) {
    std::string lower;
    for (char c : name)
        lower += char(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "power8")
        return CpuModel::Power8;
    if (lower == "power9")
        return CpuModel::Power9;
    if (lower == "power10")
        return CpuModel::Power10;
    return std::nullopt;
}

std::string_view cpu_model_dt_name(CpuModel model) {
    switch (model) {
    case CpuModel::Power8:
        return "POWER8";
    case CpuModel::Power9:
        return "POWER9";
    case CpuModel::Power10:
        return "POWER10";
    }
    return "POWER10";
}

} // namespace phvrun
