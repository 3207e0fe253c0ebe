// What the JIT's unit tests (test_jit*.cpp) share: a vcpu's named statistic, the core's Vcpu behind a handle.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "phv/phv.h"
#include "vcpu/vcpu.h"

namespace phv::test {

inline uint64_t stat(GuestCode &g, const char *name) {
    for (size_t i = 0; i < phv_vcpu_stat_count(); ++i) {
        uint64_t v = 0;
        if (std::string(phv_vcpu_stat(g.vcpu, i, &v)) == name)
            return v;
    }
    ADD_FAILURE() << "no stat " << name;
    return 0;
}

inline phv::Vcpu &vcpu_of(GuestCode &g) { return *reinterpret_cast<phv::Vcpu *>(g.vcpu); }

// What an exit shows, for comparing the interpreter's run of a program with the compiled one: the reason,
// NIP, r0-r31, CR, CTR, XER and, for MMIO, the access (a load is completed with a value made from its
// address, the same in both runs).
inline std::vector<uint64_t> exit_state(GuestCode &g, uint32_t why) {
    std::vector<uint64_t> s{why, g.reg(PHV_REG_PPC_NIP)};
    for (unsigned i = 0; i < 32; ++i)
        s.push_back(g.gpr(i));
    s.push_back(g.reg(PHV_REG_PPC_CR));
    s.push_back(g.reg(PHV_REG_PPC_CTR));
    s.push_back(g.reg(PHV_REG_PPC_XER));
    if (why == PHV_EXIT_MMIO) {
        auto &m = g.run_data->mmio;
        s.insert(s.end(), {m.phys_addr, m.len, m.is_write});
        if (!m.is_write) {
            const uint64_t v = m.phys_addr * 0x9e3779b97f4a7c15ull;
            std::memcpy(m.data, &v, 8);
        }
    }
    return s;
}

} // namespace phv::test
