#include "vm/vm.h"

#include <cerrno>

#include "vcpu/vcpu.h"

namespace phv {

namespace {
// PVRs of the architected (compatibility-mode) processors pSeries guests see, as PowerVM and KVM report
// them for DD2.x parts.
constexpr CpuModel kModels[] = {
    {PHV_CPU_POWER8, "power8", 0x004d0200, isa::Isa::V207},
    {PHV_CPU_POWER9, "power9", 0x004e1202, isa::Isa::V300},
    {PHV_CPU_POWER10, "power10", 0x00800200, isa::Isa::V310},
};
} // namespace

const CpuModel *cpu_model(uint32_t id) {
    for (const auto &m : kModels)
        if (m.id == id)
            return &m;
    return nullptr;
}

Vm::Vm(const CpuModel &model, uint64_t tb_freq) : model_(model), tb_freq_(tb_freq) {}

Vm::~Vm() = default;

int Vm::create_vcpu(uint32_t id, Vcpu **out) {
    if (id >= PHV_MAX_VCPUS)
        return -EINVAL;
    std::lock_guard g(vcpus_lock_);
    if (vcpus_.count(id))
        return -EEXIST;
    auto v = std::make_unique<Vcpu>(*this, id);
    *out = v.get();
    vcpus_.emplace(id, std::move(v));
    return 0;
}

void Vm::invalidate_code_page(uint64_t gpa) {
    std::lock_guard g(vcpus_lock_);
    for (auto &[id, v] : vcpus_)
        v->request_code_invalidate(gpa);
}

} // namespace phv
