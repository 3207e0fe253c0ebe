#include "splpar.h"

#include <thread>

namespace phvrun {

namespace {

constexpr unsigned kVpaFuncShift = 63 - 18;
constexpr uint64_t kRegisterVpa = 1, kRegisterDtl = 2, kRegisterSlb = 3, kDeregisterVpa = 5,
                   kDeregisterDtl = 6, kDeregisterSlb = 7;

constexpr uint64_t kVpaMinSize = 640;       // the architected part of the lppaca
constexpr uint64_t kVpaAlign = 128;         // a cache line
constexpr uint64_t kDtlEntrySize = 48;
constexpr uint64_t kSlbShadowMinSize = 8;   // the header: persistent entry count and buffer length
constexpr uint64_t kPage = 4096;

bool crosses_page(uint64_t addr, uint64_t size) { return addr / kPage != (addr + size - 1) / kPage; }

uint64_t be16_at(const GuestMemory &m, uint64_t gpa) {
    uint8_t b[2];
    return m.read(gpa, b, 2) ? uint64_t(b[0]) << 8 | b[1] : 0;
}

} // namespace

int64_t VpaRegistry::h_register_vpa(uint64_t flags, uint64_t proc, uint64_t addr) {
    std::lock_guard g(lock_);
    if (proc >= cpus_.size())
        return papr::H_PARAMETER;
    Areas &a = cpus_[proc];
    switch ((flags >> kVpaFuncShift) & 7) {
    case kRegisterVpa: {
        // The area's length is the 16-bit field at offset 4; it lies within one page of RAM.
        if (addr % kVpaAlign || !mem_.contains(addr, 8))
            return papr::H_PARAMETER;
        const uint64_t size = be16_at(mem_, addr + 4);
        if (size < kVpaMinSize || crosses_page(addr, size) || !mem_.contains(addr, size))
            return papr::H_PARAMETER;
        a.vpa = addr;
        return papr::H_SUCCESS;
    }
    case kRegisterDtl:
    case kRegisterSlb: {
        const bool dtl = ((flags >> kVpaFuncShift) & 7) == kRegisterDtl;
        // Length: the 32-bit field at offset 4.
        const auto size = mem_.contains(addr, 8) ? mem_.read_be32(addr + 4) : std::nullopt;
        if (!size || *size < (dtl ? kDtlEntrySize : kSlbShadowMinSize) || !mem_.contains(addr, *size) ||
            (!dtl && crosses_page(addr, *size)))
            return papr::H_PARAMETER;
        if (!a.vpa)
            return papr::H_RESOURCE;
        (dtl ? a.dtl : a.slb_shadow) = addr;
        (dtl ? a.dtl_size : a.slb_shadow_size) = *size;
        return papr::H_SUCCESS;
    }
    case kDeregisterVpa:
        if (a.dtl || a.slb_shadow)
            return papr::H_RESOURCE;
        a.vpa = 0;
        return papr::H_SUCCESS;
    case kDeregisterDtl:
        a.dtl = a.dtl_size = 0;
        return papr::H_SUCCESS;
    case kDeregisterSlb:
        a.slb_shadow = a.slb_shadow_size = 0;
        return papr::H_SUCCESS;
    default:
        return papr::H_PARAMETER;
    }
}

VpaRegistry::Areas VpaRegistry::areas(uint32_t cpu) const {
    std::lock_guard g(lock_);
    return cpu < cpus_.size() ? cpus_[cpu] : Areas{};
}

bool register_splpar_hcalls(HcallTable &t, VpaRegistry &vpa, VmControl &control) {
    bool ok = t.register_hcall(papr::H_REGISTER_VPA, [&vpa](const HcallContext &, HcallArgs &a) {
        return vpa.h_register_vpa(a.args[0], a.args[1], a.args[2]);
    });
    // H_PROD(proc): wake a ceded vcpu, or make its next H_CEDE return at once.
    ok = ok && t.register_hcall(papr::H_PROD, [&control](const HcallContext &, HcallArgs &a) {
        if (a.args[0] > UINT32_MAX || !control.valid_cpu(uint32_t(a.args[0])))
            return papr::H_PARAMETER;
        control.wake(uint32_t(a.args[0]));
        return papr::H_SUCCESS;
    });
    // H_CONFER(proc or -1, dispatch count): give the rest of the time slice away. Every vcpu has a host
    // thread of its own, so handing it to the host scheduler is what is left to do.
    ok = ok && t.register_hcall(papr::H_CONFER, [&control](const HcallContext &, HcallArgs &a) {
        const int64_t target = int64_t(a.args[0]);
        if (target != -1 && (target < 0 || target > INT32_MAX || !control.valid_cpu(uint32_t(target))))
            return papr::H_PARAMETER;
        std::this_thread::yield();
        return papr::H_SUCCESS;
    });
    if (ok)
        t.add_hypertas("hcall-splpar");
    return ok;
}

} // namespace phvrun
