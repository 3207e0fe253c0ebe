// Per-vcpu counters, exposed by name through phv_vcpu_stat() (KVM's names where KVM has the counter).
#pragma once
#include <cstddef>
#include <cstdint>

namespace phv {

#define PHV_VCPU_STATS(X)                                                                                      \
    X(sum_exits)                                                                                               \
    X(hcall_exits)                                                                                             \
    X(mmio_exits)                                                                                              \
    X(halt_exits)                                                                                              \
    X(signal_exits)                                                                                            \
    X(internal_error_exits)                                                                                    \
    X(debug_exits)                                                                                             \
    X(insns_executed)                                                                                          \
    X(blocks_built)                                                                                            \
    X(blocks_invalidated)                                                                                      \
    X(jit_blocks_compiled)                                                                                     \
    X(jit_code_flushes)                                                                                        \
    X(jit_blocks_chained)                                                                                      \
    X(jit_links_patched)                                                                                       \
    X(jit_link_lookups)                                                                                        \
    X(jit_loop_blocks)                                                                                         \
    X(interrupts_delivered)                                                                                    \
    X(dec_interrupts)                                                                                          \
    X(ext_interrupts)                                                                                          \
    X(program_interrupts)                                                                                      \
    X(syscall_interrupts)                                                                                      \
    X(nested_entries)                                                                                          \
    X(nested_exits)                                                                                            \
    X(nested_l1_to_l2_tb)                                                                                      \
    X(nested_l2_runtime_tb)                                                                                    \
    X(nested_l2_to_l1_tb)

struct Stats {
#define PHV_STAT_FIELD(name) uint64_t name = 0;
    PHV_VCPU_STATS(PHV_STAT_FIELD)
#undef PHV_STAT_FIELD
};

size_t stat_count();
const char *stat_get(const Stats &s, size_t i, uint64_t *value);

} // namespace phv
