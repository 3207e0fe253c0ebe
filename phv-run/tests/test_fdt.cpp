// The device tree read back with libfdt: what Linux's prom.c and the bare-metal payload look for.
#include <gtest/gtest.h>

#include <phv/phv.h>

#include "fdt_builder.h"
#include "fdt_cpu.h"
#include "fdt_read.h"

namespace phvrun {
namespace {

using namespace test;

FdtConfig base_config() {
    FdtConfig c;
    c.cpu = CpuModel::Power10;
    c.pvr = 0x00800200;
    c.smp = 3;
    c.ram_size = 0x140000000ull;  // 5 GiB: the size needs both cells
    c.bootargs = "console=hvc0 root=/dev/vda";
    c.initrd = std::make_pair(0x1000000ull, 0x1234567ull);
    c.rtas_base = 0xfe00000;
    c.rtas_size = 0x10000;
    c.rtas_entry = 0xfe00000;
    c.rtas_tokens = {{"power-off", 0x2003}, {"ibm,os-term", 0x201f}, {"start-cpu", 0x2006}};
    c.hypertas = {"hcall-term", "hcall-foo"};
    return c;
}

std::vector<uint8_t> build(const FdtConfig &c) {
    auto r = build_fdt(c, 1 << 20);
    EXPECT_TRUE(r) << r.error();
    if (!r)
        return {};
    EXPECT_EQ(fdt_check_header(r->data()), 0);
    EXPECT_EQ(fdt_totalsize(r->data()), r->size());
    return std::move(*r);
}

TEST(Fdt, MemoryNodeCoversRam) {
    const auto blob = build(base_config());
    const void *fdt = blob.data();
    EXPECT_EQ(prop_string(fdt, "/memory@0", "device_type"), "memory");
    EXPECT_EQ(prop_cells(fdt, "/memory@0", "reg", 8), (std::vector<uint64_t>{0, 0x140000000ull}));
    EXPECT_EQ(prop_cells(fdt, "/", "#address-cells"), std::vector<uint64_t>{2});
    EXPECT_EQ(prop_cells(fdt, "/", "#size-cells"), std::vector<uint64_t>{2});
}

TEST(Fdt, OneCpuNodePerVcpu) {
    const auto blob = build(base_config());
    const void *fdt = blob.data();
    EXPECT_EQ(count_children(fdt, "/cpus"), 3);
    for (unsigned i = 0; i < 3; ++i) {
        const std::string path = "/cpus/PowerPC,POWER10@" + std::to_string(i);
        SCOPED_TRACE(path);
        EXPECT_EQ(prop_string(fdt, path.c_str(), "device_type"), "cpu");
        EXPECT_EQ(prop_cells(fdt, path.c_str(), "reg"), std::vector<uint64_t>{i});
        EXPECT_EQ(prop_cells(fdt, path.c_str(), "ibm,ppc-interrupt-server#s"), std::vector<uint64_t>{i});
        EXPECT_EQ(prop_cells(fdt, path.c_str(), "cpu-version"), std::vector<uint64_t>{0x00800200});
        EXPECT_EQ(prop_cells(fdt, path.c_str(), "timebase-frequency"), std::vector<uint64_t>{512000000});
        EXPECT_TRUE(prop(fdt, path.c_str(), "ibm,processor-radix-AP-encodings"));
        EXPECT_FALSE(prop(fdt, path.c_str(), "ibm,pft-size"));
    }
}

TEST(Fdt, ChosenHasBootargsInitrdAndStdout) {
    const auto blob = build(base_config());
    const void *fdt = blob.data();
    EXPECT_EQ(prop_string(fdt, "/chosen", "bootargs"), "console=hvc0 root=/dev/vda");
    EXPECT_EQ(prop_cells(fdt, "/chosen", "linux,initrd-start", 8), std::vector<uint64_t>{0x1000000});
    EXPECT_EQ(prop_cells(fdt, "/chosen", "linux,initrd-end", 8), std::vector<uint64_t>{0x1234567});
    EXPECT_EQ(prop_string(fdt, "/chosen", "linux,stdout-path"), "/vdevice/vty@71000000");
    // The stdout path resolves to the vty, whose reg is the termno of H_PUT_TERM_CHAR.
    EXPECT_GE(fdt_path_offset(fdt, "/vdevice/vty@71000000"), 0);
    EXPECT_EQ(prop_cells(fdt, "/vdevice/vty@71000000", "reg"), std::vector<uint64_t>{0x71000000});
    EXPECT_EQ(prop_string(fdt, "/vdevice/vty@71000000", "compatible"), "hvterm1");
}

TEST(Fdt, NoInitrdMeansNoInitrdProperties) {
    FdtConfig c = base_config();
    c.initrd.reset();
    c.bootargs.clear();
    const auto blob = build(c);
    EXPECT_FALSE(prop(blob.data(), "/chosen", "linux,initrd-start"));
    EXPECT_FALSE(prop(blob.data(), "/chosen", "linux,initrd-end"));
    EXPECT_EQ(prop_string(blob.data(), "/chosen", "bootargs"), "");
}

TEST(Fdt, RtasNodeAndReservation) {
    const auto blob = build(base_config());
    const void *fdt = blob.data();
    EXPECT_EQ(prop_cells(fdt, "/rtas", "linux,rtas-base"), std::vector<uint64_t>{0xfe00000});
    EXPECT_EQ(prop_cells(fdt, "/rtas", "linux,rtas-entry"), std::vector<uint64_t>{0xfe00000});
    EXPECT_EQ(prop_cells(fdt, "/rtas", "rtas-size"), std::vector<uint64_t>{0x10000});
    EXPECT_EQ(prop_cells(fdt, "/rtas", "power-off"), std::vector<uint64_t>{0x2003});
    EXPECT_EQ(prop_cells(fdt, "/rtas", "ibm,os-term"), std::vector<uint64_t>{0x201f});
    EXPECT_EQ(prop_cells(fdt, "/rtas", "start-cpu"), std::vector<uint64_t>{0x2006});
    EXPECT_EQ(prop_strings(fdt, "/rtas", "ibm,hypertas-functions"),
              (std::vector<std::string>{"hcall-term", "hcall-foo"}));
    ASSERT_EQ(fdt_num_mem_rsv(fdt), 1);
    uint64_t addr = 0, size = 0;
    ASSERT_EQ(fdt_get_mem_rsv(fdt, 0, &addr, &size), 0);
    EXPECT_EQ(addr, 0xfe00000u);
    EXPECT_EQ(size, 0x10000u);
}

TEST(Fdt, RadixForPower9And10HashForPower8) {
    for (CpuModel m : {CpuModel::Power8, CpuModel::Power9, CpuModel::Power10}) {
        FdtConfig c = base_config();
        c.cpu = m;
        c.smp = 1;
        c.hpt_shift = 24;
        const auto blob = build(c);
        const auto vec5 = prop(blob.data(), "/chosen", "ibm,architecture-vec-5");
        ASSERT_TRUE(vec5);
        ASSERT_EQ(vec5->size(), 27u);
        EXPECT_EQ((*vec5)[0], 25);
        const std::string cpu = "/cpus/PowerPC," + std::string(cpu_model_dt_name(m)) + "@0";
        if (m == CpuModel::Power8) {
            EXPECT_EQ((*vec5)[24], 0) << "hash";
            EXPECT_EQ(prop_cells(blob.data(), cpu.c_str(), "ibm,pft-size"), (std::vector<uint64_t>{0, 24}));
            EXPECT_FALSE(prop(blob.data(), cpu.c_str(), "ibm,processor-radix-AP-encodings"));
        } else {
            EXPECT_EQ((*vec5)[24], 0x40) << "radix";
            EXPECT_EQ((*vec5)[26], 0x40) << "GTSE";
        }
        // ibm,dec-bits = 56 on POWER9/10 and absent on POWER8, as in qemu-system-ppc64 -M pseries' tree.
        if (m == CpuModel::Power8)
            EXPECT_FALSE(prop(blob.data(), cpu.c_str(), "ibm,dec-bits"));
        else
            EXPECT_EQ(prop_cells(blob.data(), cpu.c_str(), "ibm,dec-bits"), (std::vector<uint64_t>{56}));
        const auto pa = prop(blob.data(), cpu.c_str(), "ibm,pa-features");
        ASSERT_TRUE(pa);
        EXPECT_EQ(pa->size(), size_t((*pa)[0]) + 2);
    }
}

// The vector units are advertised only as far as they are implemented: ibm,vmx and the pa-features bits of
// VMX (byte 16, and SIMD in byte 48 on ISA 3.0) and VSX (byte 18, quad-precision BFP in byte 50).
TEST(FdtCpu, VectorUnitsAdvertisedOnlyWhenImplemented) {
    auto bit = [](const std::vector<uint8_t> &pa, unsigned byte) { return (pa[2 + byte] & 0x80) != 0; };
    const auto none = pa_features(CpuModel::Power10, {false, false});
    const auto vmx = pa_features(CpuModel::Power10, {true, false});
    const auto both = pa_features(CpuModel::Power10, {true, true});
    EXPECT_FALSE(bit(none, 16) || bit(none, 18) || bit(none, 48) || bit(none, 50));
    EXPECT_TRUE(bit(vmx, 16) && bit(vmx, 48));
    EXPECT_FALSE(bit(vmx, 18) || bit(vmx, 50));
    EXPECT_TRUE(bit(both, 16) && bit(both, 18) && bit(both, 48) && bit(both, 50));
    EXPECT_TRUE(bit(none, 0) && bit(none, 40)) << "MMU and radix stay";
    // Neither DFP (byte 54) nor the vector BCD instructions (byte 56) are implemented, so never offered.
    EXPECT_FALSE(bit(both, 54) || bit(both, 56));
    const auto tree = build(base_config());
    ASSERT_TRUE(prop(tree.data(), "/cpus/PowerPC,POWER10@0", "ibm,pa-features"));
    EXPECT_FALSE(prop(tree.data(), "/cpus/PowerPC,POWER10@0", "ibm,dfp")) << "Linux's DFP hwcap";
    const auto p8 = pa_features(CpuModel::Power8, {true, true});
    EXPECT_EQ(p8.size(), 26u);
    EXPECT_TRUE(bit(p8, 16) && bit(p8, 18));
    // The tree says what the config says.
    FdtConfig c = base_config();
    c.smp = 1;
    EXPECT_FALSE(prop(build(c).data(), "/cpus/PowerPC,POWER10@0", "ibm,vmx"));
    c.vector = {true, false};
    EXPECT_EQ(prop_cells(build(c).data(), "/cpus/PowerPC,POWER10@0", "ibm,vmx"), std::vector<uint64_t>{1});
    c.vector = {true, true};
    EXPECT_EQ(prop_cells(build(c).data(), "/cpus/PowerPC,POWER10@0", "ibm,vmx"), std::vector<uint64_t>{2});
}

// The units phv-run offers are those whose instructions the core's table decodes.
TEST(FdtCpu, CoreVectorUnitsFollowTheInstructionTable) {
    char buf[96];
    const bool has_vperm = phv_disassemble(0x100110eb, 0, 0, buf, sizeof buf) != 0;
    const bool has_xxpermdi = phv_disassemble(0xf0011050, 0, 0, buf, sizeof buf) != 0;
    const VectorUnits u = core_vector_units();
    if (!has_vperm) {
        EXPECT_FALSE(u.vmx);
    }
    if (!has_xxpermdi) {
        EXPECT_FALSE(u.vsx);
    }
    EXPECT_TRUE(!u.vsx || u.vmx);
}

// The platform nodes appear only when phv-run serves what they announce.
TEST(Fdt, PlatformNodesFollowTheServices) {
    FdtConfig c = base_config();
    const auto bare = build(c);
    EXPECT_LT(fdt_path_offset(bare.data(), "/interrupt-controller"), 0);
    EXPECT_LT(fdt_path_offset(bare.data(), "/ibm,platform-facilities"), 0);
    EXPECT_FALSE(prop(bare.data(), "/rtas", "rtas-event-scan-rate"));
    c.xics = c.random = c.event_scan = true;
    const auto blob = build(c);
    const void *fdt = blob.data();
    EXPECT_EQ(prop_string(fdt, "/interrupt-controller", "compatible"), "IBM,ppc-xicp");
    EXPECT_TRUE(prop(fdt, "/interrupt-controller", "interrupt-controller"));
    EXPECT_EQ(prop_cells(fdt, "/interrupt-controller", "ibm,interrupt-server-ranges"), (std::vector<uint64_t>{0, 3}));
    EXPECT_EQ(prop_cells(fdt, "/interrupt-controller", "#interrupt-cells"), std::vector<uint64_t>{2});
    EXPECT_EQ(prop_string(fdt, "/ibm,platform-facilities/ibm,random-v1", "compatible"), "ibm,random");
    EXPECT_EQ(prop_cells(fdt, "/rtas", "rtas-event-scan-rate"), std::vector<uint64_t>{kRtasEventScanRate});
    EXPECT_EQ(prop_cells(fdt, "/rtas", "rtas-error-log-max"), std::vector<uint64_t>{kRtasErrorLogMax});
    EXPECT_TRUE(prop(fdt, "/vdevice", "interrupt-controller"));
    EXPECT_FALSE(prop(fdt, kVtyPath, "interrupts")) << "no vty interrupt asked for";
    c.vty_irq = 0x1000;
    const auto with_irq = build(c);
    EXPECT_EQ(prop_cells(with_irq.data(), kVtyPath, "interrupts"), (std::vector<uint64_t>{0x1000, 0}));
}

// ibm,segment-page-sizes, ibm,slb-size and ibm,processor-storage-keys come from the core's SMMU info.
TEST(FdtCpu, HashGeometryFromTheCore) {
    phv_ppc_smmu_info info{};
    info.slb_size = 32;
    info.data_keys = 32;
    info.instr_keys = 16;
    info.sps[0] = {12, 0x000, {{12, 0x0}, {16, 0x7}}};
    info.sps[1] = {24, 0x100, {{24, 0x0}}};
    EXPECT_EQ(segment_page_sizes_from(info),
              (std::vector<uint32_t>{12, 0x000, 2, 12, 0x0, 16, 0x7, 24, 0x100, 1, 24, 0x0}));
    FdtConfig c = base_config();
    c.cpu = CpuModel::Power8;
    c.smp = 1;
    c.smmu = info;
    const auto blob = build(c);
    const char *cpu = "/cpus/PowerPC,POWER8@0";
    EXPECT_EQ(prop_cells(blob.data(), cpu, "ibm,segment-page-sizes"),
              (std::vector<uint64_t>{12, 0x000, 2, 12, 0x0, 16, 0x7, 24, 0x100, 1, 24, 0x0}));
    EXPECT_EQ(prop_cells(blob.data(), cpu, "ibm,processor-storage-keys"), (std::vector<uint64_t>{32, 16}));
    EXPECT_EQ(prop_cells(blob.data(), cpu, "ibm,slb-size"), std::vector<uint64_t>{32});
}

TEST(Fdt, TooSmallBufferIsAnError) {
    auto r = build_fdt(base_config(), 512);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("does not fit"), std::string::npos) << r.error();
}

TEST(Fdt, ManyCpusGrowTheBuffer) {
    FdtConfig c = base_config();
    c.smp = 256;
    const auto blob = build(c);
    EXPECT_EQ(count_children(blob.data(), "/cpus"), 256);
    EXPECT_GT(blob.size(), 16u * 1024);
}

TEST(FdtCpu, HptShiftIsRamOver128WithinLimits) {
    EXPECT_EQ(hpt_shift_for_ram(1ull << 30), 23u);
    EXPECT_EQ(hpt_shift_for_ram((1ull << 30) + 1), 24u);
    EXPECT_EQ(hpt_shift_for_ram(1ull << 20), 18u);
    EXPECT_EQ(hpt_shift_for_ram(0), 18u);
}

} // namespace
} // namespace phvrun
