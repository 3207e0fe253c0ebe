#include <chrono>
#include <ctime>

#include "rtas_functions.h"

namespace phvrun {

namespace {

constexpr int64_t kNsPerSec = 1000000000;

int64_t host_utc_ns() {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

} // namespace

std::optional<int64_t> datetime_to_unix_ns(const DateTime &dt) {
    using namespace std::chrono;
    // Outside these the seconds count could overflow int64 nanoseconds (year 2262).
    if (dt.year < 1900 || dt.year > 2200 || dt.hour > 23 || dt.minute > 59 || dt.second > 59 || dt.ns >= kNsPerSec)
        return std::nullopt;
    const year_month_day ymd{year{dt.year}, month{dt.month}, day{dt.day}};
    if (!ymd.ok())
        return std::nullopt;
    const int64_t days = sys_days(ymd).time_since_epoch().count();
    const int64_t secs = days * 86400 + int64_t(dt.hour) * 3600 + int64_t(dt.minute) * 60 + dt.second;
    return secs * kNsPerSec + dt.ns;
}

DateTime unix_ns_to_datetime(int64_t ns) {
    using namespace std::chrono;
    int64_t secs = ns / kNsPerSec, sub = ns % kNsPerSec;
    if (sub < 0)
        sub += kNsPerSec, secs -= 1;
    int64_t days = secs / 86400, tod = secs % 86400;
    if (tod < 0)
        tod += 86400, days -= 1;
    const year_month_day ymd{sys_days{std::chrono::days{days}}};
    return DateTime{int32_t(int(ymd.year())), unsigned(ymd.month()), unsigned(ymd.day()), uint32_t(tod / 3600),
                    uint32_t(tod / 60 % 60), uint32_t(tod % 60), uint32_t(sub)};
}

TimeOfDay::TimeOfDay(std::function<int64_t()> now_ns) : now_ns_(now_ns ? std::move(now_ns) : host_utc_ns) {}

DateTime TimeOfDay::now() const { return unix_ns_to_datetime(now_ns_() + offset_ns_.load()); }

void TimeOfDay::set(int64_t unix_ns) { offset_ns_.store(unix_ns - now_ns_()); }

bool register_rtas_time(Rtas &rtas, TimeOfDay &tod) {
    // get-time-of-day: rets {status, year, month, day, hour, minute, second, nanoseconds} (PAPR 7.3.7.2).
    bool ok = rtas.register_function("get-time-of-day", rtas_token::kGetTimeOfDay, 0, 8,
                                     [&tod](const RtasContext &, RtasCall &c) {
                                         const DateTime t = tod.now();
                                         c.set_status(papr::RTAS_OUT_SUCCESS);
                                         c.rets[1] = uint32_t(t.year);
                                         c.rets[2] = t.month;
                                         c.rets[3] = t.day;
                                         c.rets[4] = t.hour;
                                         c.rets[5] = t.minute;
                                         c.rets[6] = t.second;
                                         c.rets[7] = t.ns;
                                     });
    // set-time-of-day: args in the same order. The host clock is left alone; the guest sees the offset.
    ok = ok && rtas.register_function("set-time-of-day", rtas_token::kSetTimeOfDay, 7, 1,
                                      [&tod](const RtasContext &, RtasCall &c) {
                                          const DateTime t{int32_t(c.args[0]), c.args[1], c.args[2], c.args[3],
                                                           c.args[4],           c.args[5], c.args[6]};
                                          const auto ns = datetime_to_unix_ns(t);
                                          if (!ns) {
                                              c.set_status(papr::RTAS_OUT_PARAM_ERROR);
                                              return;
                                          }
                                          tod.set(*ns);
                                          c.set_status(papr::RTAS_OUT_SUCCESS);
                                      });
    return ok;
}

} // namespace phvrun
