// Helpers the fuzz targets share: an instruction budget (a fuzzed guest may loop forever, so each run is
// ended by a kick after a bounded number of instructions), the check that every exit is one phv.h defines
// with sane fields, and a few value pickers biased towards boundaries.
#pragma once
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <phv/phv.h>

namespace phvfuzz {

// A finding that is not a crash: print it and abort, so libFuzzer saves the input as a crash.
[[noreturn]] inline void fail(const char *what, unsigned long long a = 0, unsigned long long b = 0) {
    std::fprintf(stderr, "phv-fuzz: %s (0x%llx, 0x%llx)\n", what, a, b);
    std::abort();
}

// The fuzzer's own per-instruction code is left out of coverage: its branches say nothing about the code
// under test, and their trace-cmp calls cost as much as the counting they instrument.
#define PHVFUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))

// Counts the instructions a vcpu executes (through the trace hook) and kicks it when the budget is spent; the
// core looks at a kick at its next block boundary, so a run ends within one block after that.
struct Budget {
    phv_vcpu *vcpu = nullptr;
    uint64_t left = 0;
    uint64_t executed = 0;

    PHVFUZZ_NO_COVERAGE static void on_insn(void *opaque, uint32_t, uint64_t, uint32_t, uint32_t) {
        auto *b = static_cast<Budget *>(opaque);
        ++b->executed;
        if (b->left && --b->left == 0)
            phv_vcpu_kick(b->vcpu);
    }
    void attach(phv_vcpu *v) {
        vcpu = v;
        phv_vcpu_set_trace(v, &Budget::on_insn, this);
    }
};

// Total guest instructions executed by this process (printed at exit by the long runs).
inline uint64_t &guest_insns() {
    static uint64_t n = 0;
    static const bool reported = (std::atexit([] {
        if (guest_insns())
            std::fprintf(stderr, "phv-fuzz: guest instructions: %llu\n", (unsigned long long)guest_insns());
    }), true);
    (void)reported;
    return n;
}

// Every phv_vcpu_run() outcome must be a defined exit with consistent fields.
inline void check_exit(int rc, const phv_run *run) {
    if (rc != 0)
        fail("phv_vcpu_run failed on a valid vcpu", uint64_t(-int64_t(rc)));
    switch (run->exit_reason) {
    case PHV_EXIT_HLT:
    case PHV_EXIT_SHUTDOWN:
    case PHV_EXIT_INTR:
    case PHV_EXIT_PAPR_HCALL:
    case PHV_EXIT_DEBUG:
        return;
    case PHV_EXIT_MMIO:
        if (run->mmio.len == 0 || run->mmio.len > sizeof run->mmio.data)
            fail("MMIO exit with a bad length", run->mmio.len, run->mmio.phys_addr);
        return;
    case PHV_EXIT_INTERNAL_ERROR:
        if (run->internal.suberror != PHV_INTERNAL_ERROR_EMULATION &&
            run->internal.suberror != PHV_INTERNAL_ERROR_FETCH)
            fail("internal-error exit with an unknown suberror", run->internal.suberror);
        if (!std::memchr(run->internal.reason, 0, sizeof run->internal.reason))
            fail("internal-error reason is not NUL-terminated");
        return;
    default:
        fail("undefined exit reason", run->exit_reason, run->nip);
    }
}

// Completes an exit as a VMM would, with fuzzed answers.
inline void answer_exit(FuzzedDataProvider &in, phv_run *run) {
    if (run->exit_reason == PHV_EXIT_PAPR_HCALL) {
        run->papr_hcall.ret = in.ConsumeIntegral<uint64_t>();
    } else if (run->exit_reason == PHV_EXIT_MMIO && !run->mmio.is_write) {
        const uint64_t v = in.ConsumeIntegral<uint64_t>();
        std::memcpy(run->mmio.data, &v, sizeof v);
    }
}

// A 64-bit value, often one of the edges a bounds check gets wrong.
inline uint64_t edgy_u64(FuzzedDataProvider &in) {
    static constexpr uint64_t kEdges[] = {0, 1, 0xfff, 0x1000, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                          ~0ull, ~0ull - 0xfff, 0xffffffffull, 0x100000000ull, 0xc000000000000000ull};
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: return kEdges[in.ConsumeIntegralInRange<size_t>(0, sizeof kEdges / sizeof kEdges[0] - 1)];
    case 1: return in.ConsumeIntegralInRange<uint64_t>(0, 0x400000);
    default: return in.ConsumeIntegral<uint64_t>();
    }
}

} // namespace phvfuzz
