// phv-run: boots a pSeries guest on the phv core without firmware. See run_guest.h for the work and
// options.h for the command line.
#include <cstdio>
#include <string_view>
#include <vector>

#include <phv/phv.h>

#include "fdt_cpu.h"
#include "options.h"
#include "run_guest.h"
#include "vm_control.h"

int main(int argc, char **argv) {
    const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + (argc > 0 ? argc : 0));
    const auto opts = phvrun::parse_options(args);
    if (!opts) {
        std::fprintf(stderr, "phv-run: %s\n", opts.error().c_str());
        return phvrun::kExitUsage;
    }
    if (opts->help) {
        std::fputs(phvrun::usage_text().c_str(), stdout);
        return 0;
    }
    if (opts->version) {
        std::printf("phv-run %s (phv core API %d)\n", PHV_RUN_VERSION, phv_get_api_version());
        // What the guest's device tree offers of the vector units (tests read this line).
        const phvrun::VectorUnits v = phvrun::core_vector_units();
        std::printf("vector units: %s\n", v.vmx ? (v.vsx ? "vmx vsx" : "vmx") : "none");
        return 0;
    }
    return phvrun::run_guest(*opts);
}
