// A partition: its CPU model, its guest-physical memory and its vcpus.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "isa/insn.h"
#include "memory/memslots.h"
#include "mmu/partition.h"
#include "phv/phv.h"
#include "vm/reservation_table.h"

namespace phv {

class Vcpu;
namespace nested {
class L0;
}

struct CpuModel {
    uint32_t id;             // enum phv_cpu_model
    const char *name;
    uint32_t pvr;
    isa::Isa isa;
};

const CpuModel *cpu_model(uint32_t id);

class Vm {
public:
    explicit Vm(const CpuModel &model, uint64_t tb_freq);
    ~Vm();

    const CpuModel &model() const { return model_; }
    uint64_t tb_freq() const { return tb_freq_; }
    Memslots &memslots() { return memslots_; }
    // phv_set_user_memory_region. Vcpus hold Memslot pointers and host addresses taken from the slots (TLB
    // entries, the slot cache, compiled code's page cells) without a lock, which is why API v0 changes slots
    // only while no vcpu is inside phv_vcpu_run(); a caller that breaks that rule gets -EBUSY instead of a
    // vcpu reading freed memory.
    int set_memory_region(const phv_userspace_memory_region &r);
    // phv_get_dirty_log: beside running vcpus (the bits are taken atomically), but not beside a slot update.
    int get_dirty_log(uint32_t slot, void *bitmap) {
        std::lock_guard g(memslots_update_);
        return memslots_.get_dirty_log(slot, bitmap);
    }
    // Vcpu::run's half of that handshake: a vcpu entering while a slot update is under way waits it out.
    void wait_for_memslots() const;
    // Which granules other vcpus stored to since a larx (vm/reservation_table.h).
    ReservationTable &reservations() { return *reservations_; }

    int create_vcpu(uint32_t id, Vcpu **out);
    // How many vcpus there are (only ever grows): while there is one, no other host thread can see the
    // order of its memory accesses (sem::sync).
    uint32_t vcpu_count() const { return vcpu_count_.load(std::memory_order_relaxed); }
    const std::atomic<uint32_t> *vcpu_count_address() const { return &vcpu_count_; }
    // Interpreted runs of a block before it is compiled, unless PHV_JIT_THRESHOLD says otherwise. A Linux
    // boot builds tens of thousands of blocks that run a few dozen times at most (initcalls, probing): at
    // 16 compiling them cost more than it saved (boot CPU 2.4-2.9 s against 1.8-2.0 s at 128), while the hot
    // loops of the payload workloads run millions of times and do not notice the difference.
    static constexpr unsigned kJitThreshold = 128;
    // The same with compiling on a thread of its own (PHV_JIT_ASYNC, on where the host has two cores or
    // more): the vcpu pays only for the interpreted runs until the code is ready, so blocks are compiled
    // sooner. Boot to /init against TCG in the same runs (medians of 7): 0.58 at 128 on the vcpu's thread,
    // 0.52 with the worker at 64, 0.57 at 32 (more blocks queued, each waiting longer); `shell` 1.49, 1.33, 1.34.
    static constexpr unsigned kJitAsyncThreshold = 64;
    // The JIT tier for vcpus created from now on (phv_vm_config flags; PHV_JIT=0, PHV_JIT_THRESHOLD=n and
    // PHV_PERF_MAP=1 in the environment set the defaults).
    void set_jit(bool on, bool perf_map) { jit_on_ = on, jit_perf_map_ = perf_map; }
    bool jit_enabled() const { return jit_on_; }
    bool jit_perf_map() const { return jit_perf_map_; }

    // Drops every predecoded block built from the guest page at gpa (another vcpu's store hit code).
    void invalidate_code_page(uint64_t gpa);
    // The VMM wrote [gpa, gpa+size) (phv_invalidate_code): drops the blocks built from those pages.
    int invalidate_code_range(uint64_t gpa, uint64_t size);
    // icbi: drops the blocks built from gpa's page if any vcpu built one since the page was last dropped
    // (its memslot's mark); nothing for a page no block came from (Linux's icache flushes icbi every
    // 128-byte line of what it wrote), nor for an address outside RAM.
    void invalidate_code_page_if_built(uint64_t gpa);

    // The partition's radix set-up (H_REGISTER_PROC_TBL) and tlbie ordering (mmu/partition.h).
    mmu::PartitionMmu &mmu() { return mmu_; }
    // PHV_PPC_ALLOCATE_HTAB: a cleared HPT of 2^order bytes, the partition in hash mode (phv.h).
    int allocate_htab(unsigned order);
    // PHV_PPC_CONFIGURE_V3_MMU and its read-back; HPT entries in and out (mmu/partition_api.cpp).
    int configure_v3_mmu(uint64_t flags, uint64_t process_table);
    void get_v3_mmu(uint64_t &flags, uint64_t &process_table);
    int htab_access(uint64_t index, uint64_t n, uint64_t *read, const uint64_t *write);
    // The HPT's record of changed groups for a migration (phv_vm_htab_record, phv_vm_take_htab_changes).
    int htab_record(int on);
    int64_t take_htab_changes(uint32_t order, uint64_t first, uint64_t n, uint64_t *bitmap);
    // PHV_PPC_RESIZE_HPT_PREPARE / _COMMIT (mmu/hpt_resize.cpp, phv.h 4.17).
    int resize_hpt_prepare(uint64_t flags, uint32_t shift);
    int resize_hpt_commit(uint64_t flags, uint32_t shift);
    // The nested L0 serving this partition's H_GUEST_* hcalls (nested/l0.h).
    nested::L0 &nested() { return *nested_; }

    // Calls f(Vcpu &) for every vcpu, under the vcpu list lock (f must not create vcpus).
    template <typename F>
    void for_each_vcpu(F f) {
        std::lock_guard g(vcpus_lock_);
        for (auto &[id, v] : vcpus_)
            f(*v);
    }
    // PartitionMmu::generation moves on (every vcpu's TLB starts again at its next block boundary), or the
    // memslots changed (mmu_changed(false)): each vcpu's attention flag is raised with it, which is all
    // that linked compiled code looks at between blocks.
    void mmu_changed(bool partition = true);

private:
    const CpuModel &model_;
    uint64_t tb_freq_;
    bool jit_on_ = true, jit_perf_map_ = false;
    bool jit_async_ = false;
    unsigned jit_threshold_ = kJitThreshold;
    Memslots memslots_;
    std::mutex memslots_update_;   // one slot update or dirty-log read at a time
    std::atomic<bool> memslots_updating_{false};
    std::unique_ptr<ReservationTable> reservations_ = ReservationTable::create();
    std::mutex vcpus_lock_;
    std::map<uint32_t, std::unique_ptr<Vcpu>> vcpus_;
    std::atomic<uint32_t> vcpu_count_{0};
    mmu::PartitionMmu mmu_;
    std::unique_ptr<nested::L0> nested_;
};

} // namespace phv
