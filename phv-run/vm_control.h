// Run state shared by the vcpu threads, RTAS and main: which vcpus are stopped (pSeries secondaries wait
// in the RTAS stopped state until start-cpu), the wake-ups of ceded vcpus, and the end of the run with
// its exit status.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace phvrun {

// Exit statuses of phv-run (see usage_text()).
enum ExitStatus : int {
    kExitPowerOff = 0,
    kExitOsTerm = 1,
    kExitUsage = 2,
    kExitCheckstop = 2,
    kExitInternal = 3,
    kExitDebug = 4,
};

// What query-cpu-stopped-state reports (PAPR 7.3.10.2).
enum class CpuRunState { Stopped = 0, Running = 2 };

struct CpuStart {
    uint64_t nip;
    uint64_t r3;
    bool interrupts_le;  // the starter's LPCR[ILE], which the new thread inherits
};

class VmControl {
public:
    explicit VmControl(unsigned ncpus);

    unsigned ncpus() const { return unsigned(cpus_.size()); }

    // Ends the run with `status` unless it is already ending (the first reason wins). Thread-safe.
    void request_exit(int status);
    bool ending() const;
    int exit_status() const;
    // Called (outside the lock) once, when the run starts ending: main kicks the vcpus from there.
    void on_exit_requested(std::function<void()> fn) { on_exit_ = std::move(fn); }
    // Blocks until request_exit().
    void wait_for_exit();

    bool valid_cpu(uint32_t id) const { return id < cpus_.size(); }
    // What query-cpu-stopped-state reports: a vcpu with a start-cpu pending already counts as running.
    CpuRunState state(uint32_t id) const;
    // What the vcpu thread asks before each phv_vcpu_run(): has the vcpu stopped itself (stop-self) and not
    // been restarted yet? Unlike state(), a pending start-cpu does not count, so the thread still picks it up
    // through wait_for_start() instead of running on in the old context.
    bool parked(uint32_t id) const;

    // The boot vcpu starts running without start-cpu.
    void set_running(uint32_t id);
    // RTAS start-cpu: false if the vcpu is not stopped.
    bool start_cpu(uint32_t id, const CpuStart &start);
    // RTAS stop-self: the vcpu thread sees it before its next phv_vcpu_run().
    void stop_self(uint32_t id);

    // vcpu thread: waits while stopped. Returns the start-cpu parameters, or nullopt if the run ends first.
    std::optional<CpuStart> wait_for_start(uint32_t id);

    // vcpu thread after PHV_EXIT_HLT: sleeps until the deadline, a wake(), or the end of the run.
    void sleep(uint32_t id, std::chrono::steady_clock::time_point deadline);
    void wake(uint32_t id);

private:
    struct Cpu {
        CpuRunState state = CpuRunState::Stopped;
        std::optional<CpuStart> pending_start;
        bool wake = false;
    };

    bool all_stopped_locked() const;

    mutable std::mutex lock_;
    std::condition_variable cv_;
    std::vector<Cpu> cpus_;
    bool ending_ = false;
    int status_ = 0;
    std::function<void()> on_exit_;
};

} // namespace phvrun
