// prepare_boot() against a plain buffer: every piece lands where the tree says it is.
#include <gtest/gtest.h>

#include <cstring>

#include "boot_setup.h"
#include "elf_image.h"
#include "fdt_read.h"
#include "rtas.h"

namespace phvrun {
namespace {

using namespace test;

constexpr uint64_t kRam = 32ull << 20;

struct BootTest : ::testing::Test {
    std::vector<uint8_t> ram = std::vector<uint8_t>(kRam, 0);
    GuestMemory mem{ram.data(), ram.size()};
    std::vector<uint8_t> kernel = make_elf({true, 21, 2, 0x400010, {{0x400000, 0, {1, 2, 3, 4, 5, 6, 7, 8}, 0x20000}}});
    std::vector<uint8_t> initrd = std::vector<uint8_t>(100000, 0x5a);

    BootRequest request() {
        BootRequest r;
        r.cpu = CpuModel::Power9;
        r.pvr = 0x004e1202;
        r.smp = 2;
        r.kernel = kernel;
        r.bootargs = "quiet";
        r.rtas_tokens = {{"power-off", 0x2003}};
        r.hypertas = {"hcall-term"};
        return r;
    }
};

TEST_F(BootTest, PlacesKernelRtasAndTree) {
    auto b = prepare_boot(request(), mem);
    ASSERT_TRUE(b) << b.error();
    EXPECT_EQ(b->entry, 0x400010u);
    EXPECT_EQ(b->kernel_addr, 0x400000u);
    EXPECT_TRUE(b->kernel.big_endian);
    EXPECT_EQ(ram[0x400000], 1);
    EXPECT_EQ(ram[0x400007], 8);

    const auto code = Rtas::entry_code();
    EXPECT_EQ(std::memcmp(&ram[b->layout.rtas_base], code.data(), code.size()), 0);

    const void *fdt = &ram[b->fdt_addr];
    ASSERT_EQ(fdt_check_header(fdt), 0);
    EXPECT_EQ(fdt_totalsize(fdt), b->fdt_size);
    EXPECT_EQ(prop_string(fdt, "/chosen", "bootargs"), "quiet");
    EXPECT_FALSE(prop(fdt, "/chosen", "linux,initrd-start"));
    EXPECT_EQ(count_children(fdt, "/cpus"), 2);
    EXPECT_EQ(prop_cells(fdt, "/cpus/PowerPC,POWER9@1", "cpu-version"), std::vector<uint64_t>{0x004e1202});
    EXPECT_EQ(prop_cells(fdt, "/memory@0", "reg", 8), (std::vector<uint64_t>{0, kRam}));
    EXPECT_EQ(prop_cells(fdt, "/rtas", "linux,rtas-entry"), std::vector<uint64_t>{b->layout.rtas_base});
    EXPECT_EQ(prop_strings(fdt, "/rtas", "ibm,hypertas-functions"), std::vector<std::string>{"hcall-term"});
}

TEST_F(BootTest, InitrdIsCopiedAndAdvertised) {
    BootRequest r = request();
    r.initrd = initrd;
    auto b = prepare_boot(r, mem);
    ASSERT_TRUE(b) << b.error();
    const uint64_t start = b->layout.initrd_start, end = b->layout.initrd_end;
    EXPECT_EQ(start, 0x420000u);  // kernel ends at 0x420000, already 64 KiB aligned
    EXPECT_EQ(end - start, initrd.size());
    EXPECT_EQ(ram[start], 0x5a);
    EXPECT_EQ(ram[end - 1], 0x5a);
    EXPECT_EQ(ram[end], 0);
    const void *fdt = &ram[b->fdt_addr];
    EXPECT_EQ(prop_cells(fdt, "/chosen", "linux,initrd-start", 8), std::vector<uint64_t>{start});
    EXPECT_EQ(prop_cells(fdt, "/chosen", "linux,initrd-end", 8), std::vector<uint64_t>{end});
}

TEST_F(BootTest, ErrorsNameWhatFailed) {
    BootRequest r = request();
    const std::vector<uint8_t> junk(100, 0);
    r.kernel = junk;
    auto b = prepare_boot(r, mem);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error(), "kernel: not an ELF file");

    r = request();
    const std::vector<uint8_t> huge(kRam, 1);
    r.initrd = huge;
    b = prepare_boot(r, mem);
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().find("initrd"), std::string::npos) << b.error();
}

} // namespace
} // namespace phvrun
