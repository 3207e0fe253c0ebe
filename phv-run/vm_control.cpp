#include "vm_control.h"

#include <cstdio>

namespace phvrun {

VmControl::VmControl(unsigned ncpus) : cpus_(ncpus) {}

void VmControl::request_exit(int status) {
    std::function<void()> notify;
    {
        std::lock_guard g(lock_);
        if (ending_)
            return;
        ending_ = true;
        status_ = status;
        notify = on_exit_;
    }
    cv_.notify_all();
    if (notify)
        notify();
}

bool VmControl::ending() const {
    std::lock_guard g(lock_);
    return ending_;
}

int VmControl::exit_status() const {
    std::lock_guard g(lock_);
    return status_;
}

void VmControl::wait_for_exit() {
    std::unique_lock g(lock_);
    cv_.wait(g, [&] { return ending_; });
}

CpuRunState VmControl::state(uint32_t id) const {
    std::lock_guard g(lock_);
    if (id >= cpus_.size())
        return CpuRunState::Stopped;
    // A vcpu with a start pending counts as started: the caller of start-cpu must not see it stopped.
    return cpus_[id].pending_start ? CpuRunState::Running : cpus_[id].state;
}

bool VmControl::parked(uint32_t id) const {
    std::lock_guard g(lock_);
    return id < cpus_.size() && cpus_[id].state == CpuRunState::Stopped;
}

void VmControl::set_running(uint32_t id) {
    std::lock_guard g(lock_);
    if (id < cpus_.size())
        cpus_[id].state = CpuRunState::Running;
}

bool VmControl::start_cpu(uint32_t id, const CpuStart &start) {
    {
        std::lock_guard g(lock_);
        if (id >= cpus_.size() || cpus_[id].state != CpuRunState::Stopped || cpus_[id].pending_start)
            return false;
        cpus_[id].pending_start = start;
    }
    cv_.notify_all();
    return true;
}

bool VmControl::all_stopped_locked() const {
    for (const Cpu &c : cpus_)
        if (c.state != CpuRunState::Stopped || c.pending_start)
            return false;
    return true;
}

void VmControl::stop_self(uint32_t id) {
    bool dead = false;
    {
        std::lock_guard g(lock_);
        if (id >= cpus_.size())
            return;
        cpus_[id].state = CpuRunState::Stopped;
        dead = !ending_ && all_stopped_locked();
    }
    // No vcpu is left to call start-cpu: the guest can never run again.
    if (dead) {
        std::fprintf(stderr, "phv-run: every vcpu has stopped itself; ending the run\n");
        request_exit(kExitCheckstop);
    }
}

std::optional<CpuStart> VmControl::wait_for_start(uint32_t id) {
    std::unique_lock g(lock_);
    if (id >= cpus_.size())
        return std::nullopt;
    Cpu &c = cpus_[id];
    cv_.wait(g, [&] { return ending_ || c.pending_start; });
    if (ending_)
        return std::nullopt;
    CpuStart s = *c.pending_start;
    c.pending_start.reset();
    c.state = CpuRunState::Running;
    return s;
}

void VmControl::sleep(uint32_t id, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock g(lock_);
    if (id >= cpus_.size())
        return;
    Cpu &c = cpus_[id];
    cv_.wait_until(g, deadline, [&] { return ending_ || c.wake; });
    c.wake = false;
}

void VmControl::wake(uint32_t id) {
    {
        std::lock_guard g(lock_);
        if (id >= cpus_.size())
            return;
        cpus_[id].wake = true;
    }
    cv_.notify_all();
}

} // namespace phvrun
