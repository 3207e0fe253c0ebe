// libFuzzer target: phv-run's command line and device-tree builder. The input is split into arguments at NUL
// bytes and parsed as phv-run's command line (sizes, CPU names, debug categories, --opt=value forms); an
// accepted command line then feeds build_fdt() with fuzzed extras (initrd range, RTAS tokens and hypertas
// names with odd bytes, the hash MMU geometry). Every tree built must pass libfdt's full check and respect
// the size limit it was given.
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include <libfdt.h>
}

#include "fdt_builder.h"
#include "fuzz_common.h"
#include "options.h"

using namespace phvrun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FuzzedDataProvider in(data, size);
    std::vector<std::string> strings;
    const unsigned nargs = in.ConsumeIntegralInRange<unsigned>(0, 12);
    for (unsigned i = 0; i < nargs; ++i)
        strings.push_back(in.ConsumeRandomLengthString(64));
    std::vector<std::string_view> args(strings.begin(), strings.end());
    for (std::string_view s : args) {
        (void)parse_size(s);
        (void)parse_debug_categories(s);
    }
    auto opts = parse_options(args);
    if (!opts)
        return 0;
    if (opts->smp == 0 || opts->smp > kMaxSmp || opts->mem_size < kMinMemory || opts->mem_size > kMaxMemory)
        phvfuzz::fail("parse_options accepted an out-of-range value", opts->smp, opts->mem_size);

    FdtConfig cfg;
    cfg.cpu = opts->cpu;
    cfg.pvr = in.ConsumeIntegral<uint32_t>();
    cfg.smp = opts->smp;
    cfg.ram_size = opts->mem_size;
    cfg.timebase_hz = in.ConsumeIntegral<uint32_t>();
    cfg.hpt_shift = in.ConsumeIntegralInRange<uint32_t>(0, 46);
    cfg.bootargs = opts->append;
    if (in.ConsumeBool()) {
        const uint64_t a = in.ConsumeIntegral<uint64_t>();
        cfg.initrd = std::make_pair(a, in.ConsumeBool() ? a + in.ConsumeIntegral<uint32_t>() : in.ConsumeIntegral<uint64_t>());
    }
    cfg.rtas_base = in.ConsumeIntegral<uint64_t>();
    cfg.rtas_size = in.ConsumeIntegral<uint32_t>();
    cfg.rtas_entry = in.ConsumeIntegral<uint64_t>();
    const unsigned ntok = in.ConsumeIntegralInRange<unsigned>(0, 6);
    for (unsigned i = 0; i < ntok; ++i)
        cfg.rtas_tokens.push_back({in.ConsumeRandomLengthString(32), in.ConsumeIntegral<uint32_t>()});
    const unsigned nhyp = in.ConsumeIntegralInRange<unsigned>(0, 6);
    for (unsigned i = 0; i < nhyp; ++i)
        cfg.hypertas.push_back(in.ConsumeRandomLengthString(32));
    cfg.xics = in.ConsumeBool();
    cfg.random = in.ConsumeBool();
    cfg.event_scan = in.ConsumeBool();
    cfg.vty_irq = in.ConsumeIntegral<uint32_t>();
    if (in.ConsumeBool()) {
        phv_ppc_smmu_info smmu{};
        const auto raw = in.ConsumeBytes<uint8_t>(sizeof smmu);
        if (!raw.empty())
            std::memcpy(&smmu, raw.data(), raw.size());
        cfg.smmu = smmu;
    }
    const size_t max_size = in.ConsumeBool() ? 1u << 20 : in.ConsumeIntegralInRange<size_t>(0, 1u << 16);
    auto fdt = build_fdt(cfg, max_size);
    if (!fdt)
        return 0;
    if (fdt->size() > max_size)
        phvfuzz::fail("build_fdt exceeded its size limit", fdt->size(), max_size);
    if (const int rc = fdt_check_full(fdt->data(), fdt->size()); rc != 0)
        phvfuzz::fail("build_fdt produced a malformed tree", uint64_t(-rc));
    return 0;
}
