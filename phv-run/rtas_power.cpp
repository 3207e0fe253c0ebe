#include <string>

#include "rtas_functions.h"

namespace phvrun {

namespace {

constexpr size_t kMaxOsTermMessage = 1024;

// The message comes from the guest: keep the terminal safe from its control characters.
std::string printable(const std::string &s) {
    std::string out;
    for (unsigned char c : s) {
        if (c == '\n' || c == '\r' || c == '\t')
            out += ' ';
        else if (c >= 0x20 && c < 0x7f)
            out += char(c);
        else
            out += '?';
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

} // namespace

bool register_rtas_power(Rtas &rtas, VmControl &vm, DebugLog &log) {
    bool ok = rtas.register_function("power-off", rtas_token::kPowerOff, 2, 1, [&vm](const RtasContext &, RtasCall &c) {
        c.set_status(papr::RTAS_OUT_SUCCESS);
        vm.request_exit(kExitPowerOff);
    });
    ok = ok && rtas.register_function("system-reboot", rtas_token::kSystemReboot, 0, 1,
                                      [&vm, &log](const RtasContext &, RtasCall &c) {
                                          log.print("guest asked for a reboot; phv-run does not reboot, exiting");
                                          c.set_status(papr::RTAS_OUT_SUCCESS);
                                          vm.request_exit(kExitPowerOff);
                                      });
    // PAPR: ibm,os-term reports that the OS has ended (a panic, for Linux) and does not return.
    ok = ok && rtas.register_function("ibm,os-term", rtas_token::kIbmOsTerm, 1, 1,
                                      [&vm, &log](const RtasContext &ctx, RtasCall &c) {
                                          const uint64_t gpa = c.args[0];
                                          auto msg = ctx.mem.read_string(gpa, kMaxOsTermMessage);
                                          if (msg)
                                              log.print("OS terminated: %s", printable(*msg).c_str());
                                          else
                                              log.print("OS terminated (message address 0x%llx is not in RAM)",
                                                        static_cast<unsigned long long>(gpa));
                                          c.set_status(papr::RTAS_OUT_SUCCESS);
                                          vm.request_exit(kExitOsTerm);
                                      });
    return ok;
}

} // namespace phvrun
