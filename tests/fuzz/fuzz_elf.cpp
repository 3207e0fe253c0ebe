// libFuzzer target: phv-run's ELF loader and boot set-up. The input is the kernel file itself (followed, when
// it parses, by the initrd, bootargs and CPU choices taken from its last bytes). The file ends at a guard
// page (and what lies in front of it is poisoned) and guest RAM sits between two, so reading past the file
// or writing past RAM faults at once.
// parse_elf() either refuses the file or describes segments that lie in the file and in RAM; load_elf() and
// prepare_boot() then must succeed, and the tree prepare_boot() writes must pass libfdt's full check.
#include <sanitizer/asan_interface.h>

#include <algorithm>
#include <cstring>

extern "C" {
#include <libfdt.h>
}

#include "boot_setup.h"
#include "elf_loader.h"
#include "fuzz_common.h"
#include "guarded_memory.h"

namespace {

using namespace phvrun;

constexpr uint64_t kRamSize = 32u << 20;   // room for the RTAS area and tree below the kernel's 4 MiB

phvfuzz::GuardedMemory &ram() {
    static phvfuzz::GuardedMemory m(kRamSize);
    return m;
}

// Room for the largest file, which each input is copied to the end of, against the guard page there. One
// mapping for all inputs (a mapping per input cost a TLB shootdown at each munmap, a third of the target's
// time); the bytes in front of the file are poisoned for ASan, so reading before its start is caught too.
constexpr size_t kMaxFile = 1u << 20;
phvfuzz::GuardedMemory &file_room() {
    static phvfuzz::GuardedMemory m(kMaxFile);
    return m;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > kMaxFile)
        return 0;
    // A copy that ends at a guard page, with nothing addressable in front of it.
    uint8_t *const room = file_room().data();
    uint8_t *start = room + kMaxFile - size;
    ASAN_UNPOISON_MEMORY_REGION(room, kMaxFile);
    ASAN_POISON_MEMORY_REGION(room, kMaxFile - size);
    if (size)
        std::memcpy(start, data, size);
    const std::span<const uint8_t> bytes(start, size);

    // The ELF parser sees RAM sizes around what the image needs as well as the real one.
    FuzzedDataProvider tail(data, size);
    const uint64_t ram_size = tail.ConsumeBool() ? kRamSize : tail.ConsumeIntegralInRange<uint64_t>(0, kRamSize);
    const GuestMemory mem(ram().data(), ram_size);
    auto image = parse_elf(bytes, ram_size);
    if (!image)
        return 0;
    for (const ElfSegment &s : image->segments) {
        if (s.file_offset > size || s.file_size > size - s.file_offset)
            phvfuzz::fail("a segment's file range lies outside the file", s.file_offset, s.file_size);
        if (s.load_addr > ram_size || s.mem_size > ram_size - s.load_addr || s.file_size > s.mem_size)
            phvfuzz::fail("a segment's load range lies outside RAM", s.load_addr, s.mem_size);
    }
    if (image->entry >= ram_size)
        phvfuzz::fail("the entry point lies outside RAM", image->entry);
    if (auto ok = load_elf(*image, bytes, mem); !ok)
        phvfuzz::fail("load_elf refused an image parse_elf accepted");

    BootRequest req;
    req.cpu = std::array{CpuModel::Power8, CpuModel::Power9, CpuModel::Power10}[tail.ConsumeIntegralInRange<int>(0, 2)];
    req.smp = tail.ConsumeIntegralInRange<unsigned>(1, 16);
    req.kernel = bytes;
    req.initrd = bytes.subspan(0, tail.ConsumeIntegralInRange<size_t>(0, size));
    req.bootargs = tail.ConsumeRandomLengthString(300);
    req.rtas_tokens = {{"power-off", 0x2000}, {tail.ConsumeRandomLengthString(40), 0x2001}};
    req.hypertas = {"hcall-term", tail.ConsumeRandomLengthString(40)};
    req.xics = tail.ConsumeBool();
    req.random = tail.ConsumeBool();
    req.event_scan = tail.ConsumeBool();
    req.vty_irq = tail.ConsumeIntegral<uint32_t>();
    auto boot = prepare_boot(req, mem);
    if (!boot)
        return 0;   // e.g. a kernel that leaves no room for the initrd or the tree
    const BootInfo &b = *boot;
    if (b.fdt_addr > ram_size || b.fdt_size > ram_size - b.fdt_addr)
        phvfuzz::fail("the device tree lies outside RAM", b.fdt_addr, b.fdt_size);
    if (const int rc = fdt_check_full(ram().data() + b.fdt_addr, b.fdt_size); rc != 0)
        phvfuzz::fail("prepare_boot wrote a malformed device tree", uint64_t(-rc));
    return 0;
}
