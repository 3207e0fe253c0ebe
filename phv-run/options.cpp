#include "options.h"

#include <cctype>
#include <charconv>
#include <string>
#include <vector>

namespace phvrun {

namespace {

struct DebugName {
    std::string_view name;
    unsigned bits;
};

constexpr DebugName kDebugNames[] = {
    {"hcall", kDebugHcall}, {"rtas", kDebugRtas},   {"mmio", kDebugMmio},
    {"unimp", kDebugUnimp}, {"stats", kDebugStats}, {"boot", kDebugBoot},
    {"all", kDebugHcall | kDebugRtas | kDebugMmio | kDebugUnimp | kDebugStats | kDebugBoot},
};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::optional<unsigned> parse_unsigned(std::string_view text) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return v;
}

std::string human_size(uint64_t bytes) {
    if (bytes % kGiB == 0)
        return std::to_string(bytes / kGiB) + "G";
    if (bytes % kMiB == 0)
        return std::to_string(bytes / kMiB) + "M";
    return std::to_string(bytes);
}

// Options that take a value, long and short spellings.
enum class Opt { Cpu, Mem, Smp, Kernel, Initrd, Append, Debug, Trace, Nested, Interp, PerfMap, Help, Version };

struct OptName {
    std::string_view name;
    Opt opt;
    bool takes_value;
};

constexpr OptName kOptNames[] = {
    {"--cpu", Opt::Cpu, true},       {"--mem", Opt::Mem, true},       {"-m", Opt::Mem, true},
    {"--smp", Opt::Smp, true},       {"--kernel", Opt::Kernel, true}, {"-k", Opt::Kernel, true},
    {"--initrd", Opt::Initrd, true}, {"-i", Opt::Initrd, true},       {"--append", Opt::Append, true},
    {"-a", Opt::Append, true},       {"--debug", Opt::Debug, true},   {"-d", Opt::Debug, true},
    {"--trace", Opt::Trace, false},  {"--help", Opt::Help, false},    {"-h", Opt::Help, false},
    {"--version", Opt::Version, false},  {"--nested", Opt::Nested, false},
    {"--interp", Opt::Interp, false},    {"--perf-map", Opt::PerfMap, false},
};

} // namespace

std::optional<uint64_t> parse_size(std::string_view text) {
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
        ++digits;
    if (digits == 0)
        return std::nullopt;
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value);
    if (ec != std::errc() || end != text.data() + digits)
        return std::nullopt;

    std::string_view suffix = text.substr(digits);
    unsigned shift = 0;
    if (!suffix.empty()) {
        switch (std::tolower(static_cast<unsigned char>(suffix[0]))) {
        case 'k': shift = 10; break;
        case 'm': shift = 20; break;
        case 'g': shift = 30; break;
        case 't': shift = 40; break;
        default: return std::nullopt;
        }
        suffix.remove_prefix(1);
        if (!suffix.empty() && !iequals(suffix, "b") && !iequals(suffix, "ib"))
            return std::nullopt;
    }
    if (shift && value > (UINT64_MAX >> shift))
        return std::nullopt;
    return value << shift;
}

Expected<unsigned> parse_debug_categories(std::string_view text) {
    unsigned bits = 0;
    while (true) {
        const size_t comma = text.find(',');
        const std::string_view word = text.substr(0, comma);
        bool known = false;
        for (const DebugName &d : kDebugNames) {
            if (iequals(word, d.name)) {
                bits |= d.bits;
                known = true;
            }
        }
        if (!known) {
            std::string names;
            for (const DebugName &d : kDebugNames)
                names += (names.empty() ? "" : ", ") + std::string(d.name);
            return Error{"-d: unknown category '" + std::string(word) + "' (known: " + names + ")"};
        }
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    return bits;
}

Expected<Options> parse_options(std::span<const std::string_view> args) {
    Options o;
    bool have_kernel = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const OptName *match = nullptr;
        std::optional<std::string_view> value;
        for (const OptName &n : kOptNames) {
            if (arg == n.name) {
                match = &n;
                break;
            }
            // "--mem=1G", and "-dhcall" for the one-letter -d as with QEMU. --trace takes an optional
            // "=FILE" only in this spelling, as "--trace FILE" could not tell a file from the next option;
            // --nested an optional "=v1"/"=v2" the same way.
            if ((n.takes_value || n.opt == Opt::Trace || n.opt == Opt::Nested) && arg.size() > n.name.size() && arg.starts_with(n.name) &&
                (arg[n.name.size()] == '=' || n.name == "-d")) {
                match = &n;
                value = arg.substr(n.name.size() + (arg[n.name.size()] == '=' ? 1 : 0));
                break;
            }
        }
        if (!match) {
            if (arg.starts_with("-"))
                return Error{"unknown option '" + std::string(arg) + "' (see --help)"};
            return Error{"unexpected argument '" + std::string(arg) + "' (see --help)"};
        }
        if (match->takes_value && !value) {
            if (i + 1 >= args.size())
                return Error{std::string(match->name) + " needs a value"};
            value = args[++i];
        }
        const std::string name(match->name);
        switch (match->opt) {
        case Opt::Cpu: {
            auto model = parse_cpu_model(*value);
            if (!model)
                return Error{name + ": unknown CPU model '" + std::string(*value) + "' (power8, power9, power10)"};
            o.cpu = *model;
            break;
        }
        case Opt::Mem: {
            auto size = parse_size(*value);
            if (!size)
                return Error{name + ": bad size '" + std::string(*value) + "' (e.g. 512M, 1G, 1073741824)"};
            if (*size < kMinMemory || *size > kMaxMemory)
                return Error{name + ": " + std::string(*value) + " is out of range (" + human_size(kMinMemory) +
                             " to " + human_size(kMaxMemory) + ")"};
            if (*size % kMiB)
                return Error{name + ": " + std::string(*value) + " is not a multiple of 1M"};
            o.mem_size = *size;
            break;
        }
        case Opt::Smp: {
            auto n = parse_unsigned(*value);
            if (!n || *n < 1 || *n > kMaxSmp)
                return Error{name + ": '" + std::string(*value) + "' is not a vcpu count from 1 to " +
                             std::to_string(kMaxSmp)};
            o.smp = *n;
            break;
        }
        case Opt::Kernel:
            if (value->empty())
                return Error{name + ": empty file name"};
            o.kernel = *value;
            have_kernel = true;
            break;
        case Opt::Initrd:
            if (value->empty())
                return Error{name + ": empty file name"};
            o.initrd = *value;
            break;
        case Opt::Append:
            o.append = *value;
            break;
        case Opt::Debug: {
            auto bits = parse_debug_categories(*value);
            if (!bits)
                return Error{bits.error()};
            o.debug |= *bits;
            break;
        }
        case Opt::Trace:
            if (value && value->empty())
                return Error{name + "=: empty file name"};
            o.trace = true;
            o.trace_file = value ? std::string(*value) : std::string();
            break;
        case Opt::Nested:
            if (!value || *value == "v2")
                o.nested = 2;
            else if (*value == "v1")
                o.nested = 1;
            else
                return Error{name + ": '" + std::string(*value) + "' is not v1 or v2"};
            break;
        case Opt::Interp:
            o.interp = true;
            break;
        case Opt::PerfMap:
            o.perf_map = true;
            break;
        case Opt::Help:
            o.help = true;
            break;
        case Opt::Version:
            o.version = true;
            break;
        }
    }
    if (!o.help && !o.version && !have_kernel)
        return Error{"--kernel is required (see --help)"};
    return o;
}

std::string usage_text() {
    return "Usage: phv-run [options] --kernel ELF\n"
           "Runs a POWER pSeries guest (a Linux kernel or a bare-metal ELF) on the phv hypervisor core.\n"
           "\n"
           "  --cpu MODEL      power8, power9 or power10 (default power10)\n"
           "  -m, --mem SIZE   guest RAM, e.g. 512M, 4G (default 1G; 64M to 1T, a multiple of 1M)\n"
           "  --smp N          number of vcpus, 1 to 256 (default 1)\n"
           "  -k, --kernel F   the guest: a 64-bit PowerPC ELF, little- or big-endian\n"
           "  -i, --initrd F   an initial ramdisk, placed after the kernel\n"
           "  -a, --append S   the kernel command line (/chosen/bootargs)\n"
           "  --trace[=FILE]   print every executed guest instruction, \"0x<address>: <disassembly>\"\n"
           "                   (\"cpuN 0x...\" with --smp > 1), to stderr or FILE (slow)\n"
           "  --nested[=v1|v2] let the guest be a hypervisor, served in the core (power9 and power10):\n"
           "                   v2 (default) the PAPR nestedv2 hcalls (H_GUEST_*), v1 KVM's H_ENTER_NESTED\n"
           "  --interp         run every guest instruction in the interpreter (no JIT; also PHV_JIT=0)\n"
           "  --perf-map       name compiled guest code in /tmp/perf-<pid>.map for perf (also PHV_PERF_MAP=1)\n"
           "  -d LIST          debug output on stderr, comma-separated:\n"
           "                     hcall  every hypercall      rtas   every RTAS call\n"
           "                     mmio   every MMIO access    unimp  every unimplemented call\n"
           "                     stats  vcpu counters at exit boot   the memory layout\n"
           "                     all    everything above\n"
           "  -h, --help       this text\n"
           "  --version        the phv-run and core API versions\n"
           "\n"
           "Exit status: 0 guest powered off (or asked to reboot), 1 guest called ibm,os-term,\n"
           "2 bad arguments, unusable kernel/initrd or a checkstop, 3 hypervisor internal error,\n"
           "4 debug exit, 128+N killed by signal N.\n";
}

} // namespace phvrun
