// What the nested unit tests share: the test's guest as an L1 hypervisor making hcalls with `sc 1`, the
// radix entries it writes for its L2's partition-scoped tree, and reading a vcpu's named statistics.
#pragma once
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

#include "guest_code.h"
#include "nested/gsb.h"
#include "vcpu/vcpu.h"

namespace phv::test::nested_l1 {

struct HcallRet {
    int64_t r3;
    uint64_t r4, r5;
};

// Makes hcall `nr` with arguments r4.. and returns r3..r5 as the guest saw them. The code is rewritten at the
// same address for every call, so the vcpu is told to drop what it predecoded there.
inline HcallRet hcall(GuestCode &g, uint64_t nr, std::initializer_list<uint64_t> args) {
    using namespace enc;
    std::vector<uint64_t> a(args);
    a.resize(9, 0);
    g.set_gpr(3, nr);
    g.run_data->papr_hcall.ret = nr;   // re-entry after the previous kDone exit writes these to r3..r12
    for (unsigned i = 0; i < 9; ++i) {
        g.set_gpr(4 + i, a[i]);
        g.run_data->papr_hcall.args[i] = a[i];
    }
    g.load(with_done({sc(1), ori(20, 3, 0), ori(21, 4, 0), ori(22, 5, 0)}));
    reinterpret_cast<phv::Vcpu *>(g.vcpu)->request_code_invalidate(GuestCode::kCodeBase);
    g.run_to_done();
    return {int64_t(g.gpr(20)), g.gpr(21), g.gpr(22)};
}

// Radix PTE/PDE bits (Book III 6.7.10.2): valid, leaf, reference, change, read/write/execute.
constexpr uint64_t kV = 1ull << 63, kL = 1ull << 62, kR = 1ull << 8, kC = 1ull << 7, kRwx = 7;
constexpr uint64_t kSF = 1ull << 63, kLE = 1, kIR = 1ull << 5, kDR = 1ull << 4;

// A directory entry pointing at `next` with 2^nls entries, and a leaf mapping `l1_addr`, written big-endian
// into the L1's memory as the hardware table walk reads them.
inline void put_pde(GuestCode &g, uint64_t dir, unsigned index, uint64_t next, unsigned nls = 9) {
    phv::nested::be_store(g.ram + dir + 8 * index, 8, kV | next | nls);
}
inline void put_leaf(GuestCode &g, uint64_t dir, unsigned index, uint64_t l1_addr, uint64_t bits = kRwx) {
    phv::nested::be_store(g.ram + dir + 8 * index, 8, kV | kL | l1_addr | bits);
}

// The value of the vcpu statistic `name` (a test failure if there is none).
inline uint64_t vcpu_stat(phv_vcpu *v, const char *name) {
    for (size_t i = 0; i < phv_vcpu_stat_count(); ++i) {
        uint64_t val = 0;
        const char *n = phv_vcpu_stat(v, i, &val);
        if (n && std::strcmp(n, name) == 0)
            return val;
    }
    ADD_FAILURE() << "no stat " << name;
    return 0;
}

} // namespace phv::test::nested_l1
