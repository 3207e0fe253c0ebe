// What the JIT's unit tests (test_jit*.cpp) share: a vcpu's named statistic, the core's Vcpu behind a handle.
#pragma once
#include <cstdint>
#include <string>

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

} // namespace phv::test
