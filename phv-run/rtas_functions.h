// The RTAS functions phv-run implements, grouped by what they touch. Each register_* returns false if a
// name or token is already taken.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include "console.h"
#include "debug_log.h"
#include "rtas.h"
#include "vm_control.h"

namespace phvrun {

// display-character.
bool register_rtas_console(Rtas &rtas, Console &console);

// power-off, system-reboot (phv-run exits rather than reboot) and ibm,os-term.
bool register_rtas_power(Rtas &rtas, VmControl &vm, DebugLog &log);

// start-cpu, query-cpu-stopped-state, stop-self. interrupts_le(id) tells whether vcpu id takes interrupts
// little-endian (LPCR[ILE]), which a thread it starts inherits as on QEMU.
bool register_rtas_cpu(Rtas &rtas, VmControl &vm, std::function<bool(uint32_t)> interrupts_le);

// get-time-of-day and set-time-of-day: host UTC plus the offset the guest last set.
struct DateTime {
    int32_t year;
    uint32_t month, day, hour, minute, second;  // month and day from 1
    uint32_t ns;
};

// nullopt for a date that does not exist or a field out of range.
std::optional<int64_t> datetime_to_unix_ns(const DateTime &dt);
DateTime unix_ns_to_datetime(int64_t ns);

class TimeOfDay {
public:
    // now_ns: nanoseconds since the Unix epoch, UTC. The default reads the host's CLOCK_REALTIME.
    explicit TimeOfDay(std::function<int64_t()> now_ns = {});

    DateTime now() const;
    void set(int64_t unix_ns);

private:
    std::function<int64_t()> now_ns_;
    std::atomic<int64_t> offset_ns_{0};
};

bool register_rtas_time(Rtas &rtas, TimeOfDay &tod);

} // namespace phvrun
