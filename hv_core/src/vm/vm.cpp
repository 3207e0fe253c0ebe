#include "vm/vm.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "nested/l0.h"
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

Vm::Vm(const CpuModel &model, uint64_t tb_freq)
    : model_(model), tb_freq_(tb_freq), nested_(std::make_unique<nested::L0>(*this)) {
    // The switches for debugging (interpreter only) and profiling, read once per VM.
    if (const char *e = std::getenv("PHV_JIT"))
        jit_on_ = std::strcmp(e, "0") != 0;
    // Compiling on a thread of its own pays when the host has a core for it.
    jit_async_ = std::thread::hardware_concurrency() > 1;
    if (const char *e = std::getenv("PHV_JIT_ASYNC"))
        jit_async_ = std::strcmp(e, "0") != 0;
    jit_threshold_ = jit_async_ ? kJitAsyncThreshold : kJitThreshold;
    if (const char *e = std::getenv("PHV_JIT_THRESHOLD"))
        jit_threshold_ = unsigned(std::strtoul(e, nullptr, 10));
    if (const char *e = std::getenv("PHV_PERF_MAP"))
        jit_perf_map_ = std::strcmp(e, "0") != 0;
}

Vm::~Vm() = default;

int Vm::create_vcpu(uint32_t id, Vcpu **out) {
    if (id >= PHV_MAX_VCPUS)
        return -EINVAL;
    std::lock_guard g(vcpus_lock_);
    if (vcpus_.count(id))
        return -EEXIST;
    auto v = std::make_unique<Vcpu>(*this, id);
    v->set_jit(jit_on_, jit_threshold_, jit_perf_map_, jit_async_);
    *out = v.get();
    vcpus_.emplace(id, std::move(v));
    vcpu_count_.fetch_add(1, std::memory_order_seq_cst);
    return 0;
}

// A Dekker handshake with Vcpu::run, both sides sequentially consistent: the updater raises its flag and
// then looks for running vcpus, a vcpu marks itself running and then looks for the flag, so at least one of
// them sees the other. The updater then declines; the vcpu waits until the update is over.
int Vm::set_memory_region(const phv_userspace_memory_region &r) {
    std::lock_guard g(memslots_update_);
    memslots_updating_.store(true, std::memory_order_seq_cst);
    bool running = false;
    for_each_vcpu([&](Vcpu &v) { running |= v.mmu_.running.load(std::memory_order_seq_cst); });
    const int rc = running ? -EBUSY : memslots_.set(r);
    memslots_updating_.store(false, std::memory_order_release);
    if (rc == 0)
        mmu_changed(false);   // every vcpu's slot cache and TLB start again at its next block boundary
    return rc;
}

void Vm::wait_for_memslots() const {
    while (memslots_updating_.load(std::memory_order_seq_cst))
        std::this_thread::yield();
}

int Vm::allocate_htab(unsigned order) {
    std::lock_guard g(mmu_.hpt_setup);
    bool running = false;
    for_each_vcpu([&](Vcpu &v) { running |= v.mmu_.running.load(); });
    if (running)
        return -EBUSY;
    if (const int r = mmu_.hpt.allocate(order))
        return r;
    // The partition is a hash one from now on, as KVM's HTAB allocation switches a radix guest back; every
    // vcpu drops its TLB at its next run.
    mmu_.process_table.store(0, std::memory_order_relaxed);
    mmu_.lpcr_bits.store(0, std::memory_order_relaxed);
    mmu_.vrmasd.store(0, std::memory_order_relaxed);   // the VRMA HPTEs went with the table: made again at the next run
    mmu_.generation.fetch_add(1, std::memory_order_release);
    return 0;
}

void Vm::invalidate_code_page(uint64_t gpa) {
    std::lock_guard g(vcpus_lock_);
    for (auto &[id, v] : vcpus_)
        v->request_code_invalidate(gpa);
}

// Only pages a block was built from need a request; the slot's marks say which, so a reset that reloads
// the whole of RAM costs one pass over the marks.
int Vm::invalidate_code_range(uint64_t gpa, uint64_t size) {
    if (size == 0)
        return 0;
    if (gpa + size < gpa)
        return -EINVAL;
    // As invalidate_code_page_if_built: the VMM's stores of new code before the marks are read, against a
    // vcpu's mark-then-read in Vcpu::block_lookup (found by ThreadSanitizer: the marks were read and cleared
    // with plain accesses, and x86 lets a load pass earlier stores).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    memslots_.for_each_overlapping(gpa, size, [&](Memslot &s) {
        const uint64_t from = std::max(gpa, s.gpa), to = std::min(gpa + size, s.gpa + s.size);
        for (uint64_t p = (from - s.gpa) / PHV_PAGE_SIZE; p <= (to - 1 - s.gpa) / PHV_PAGE_SIZE; ++p) {
            std::atomic_ref<uint8_t> mark(s.code_pages[p]);
            if (mark.load(std::memory_order_relaxed) && mark.exchange(0, std::memory_order_relaxed))
                invalidate_code_page(s.gpa + p * PHV_PAGE_SIZE);
        }
    });
    return 0;
}

void Vm::invalidate_code_page_if_built(uint64_t gpa) {
    const uint64_t page = gpa & ~uint64_t(PHV_PAGE_SIZE - 1);
    if (page > ~uint64_t(0) - PHV_PAGE_SIZE)   // Vcpu::kNoRealAddress: the EA had no translation
        return;
    // The guest's stores before its icbi, ordered against Vcpu::block_lookup's mark-then-read.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    memslots_.for_each_overlapping(page, PHV_PAGE_SIZE, [&](Memslot &s) {
        if (std::atomic_ref<uint8_t>(s.code_pages[(page - s.gpa) / PHV_PAGE_SIZE]).exchange(0, std::memory_order_relaxed))
            invalidate_code_page(page);
    });
}

void Vm::mmu_changed(bool partition) {
    if (partition)
        mmu_.generation.fetch_add(1, std::memory_order_release);
    for_each_vcpu([](Vcpu &v) { v.request_mmu_sync(); });
}

} // namespace phv
