// The vcpu loop against the real core: a few hand-assembled big-endian instructions booted the way phv-run
// boots a kernel (ELF, device tree in r3, RTAS blob), printing through H_PUT_TERM_CHAR, calling an hcall
// nobody serves, starting a secondary with RTAS start-cpu and powering off.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <phv/phv.h>

#include "boot_setup.h"
#include "byte_order.h"
#include "elf_image.h"
#include "fakes.h"
#include "guest_ram.h"
#include "insn_trace.h"
#include "services.h"
#include "vcpu_loop.h"

namespace phvrun {
namespace {

using test::CapturedLog;
using test::FakeConsole;

constexpr uint64_t kRamSize = 64ull << 20;
constexpr uint64_t kBase = 0x400000;  // where the test image runs (vaddr 0x400000, paddr 0)

// Image: code words from offset 0, then `cells` (big-endian) placed at byte offsets given with them.
struct Image {
    std::vector<uint8_t> bytes = std::vector<uint8_t>(0x400, 0);
    void code(uint64_t offset, std::initializer_list<uint32_t> words) {
        for (uint32_t w : words) {
            store_be32(&bytes[offset], w);
            offset += 4;
        }
    }
    std::vector<uint8_t> elf() const {
        test::ElfSpec s;
        s.big_endian = true;
        s.entry = kBase;
        s.segments.push_back({kBase, 0, bytes, 0});
        return test::make_elf(s);
    }
};

uint64_t get_reg(phv_vcpu *v, uint64_t id) {
    uint64_t value = 0;
    const phv_one_reg r{id, reinterpret_cast<uint64_t>(&value)};
    EXPECT_EQ(phv_get_one_reg(v, &r), 0);
    return value;
}

void set_reg(phv_vcpu *v, uint64_t id, uint64_t value) {
    const phv_one_reg r{id, reinterpret_cast<uint64_t>(&value)};
    ASSERT_EQ(phv_set_one_reg(v, &r), 0);
}

struct RunLoopTest : ::testing::Test {
    phv_vm *vm = nullptr;
    GuestRam ram;
    std::vector<phv_vcpu *> vcpus;
    FakeConsole console;
    CapturedLog cap;
    std::unique_ptr<VmControl> control;
    TimeOfDay tod;
    HcallTable hcalls;
    std::unique_ptr<Rtas> rtas;
    std::unique_ptr<Xics> xics;
    std::unique_ptr<VpaRegistry> vpa;
    BootInfo boot;

    void boot_image(const Image &img, unsigned ncpus) {
        ASSERT_EQ(phv_create_vm(nullptr, &vm), 0);
        auto r = GuestRam::allocate(kRamSize);
        ASSERT_TRUE(r) << r.error();
        ram = std::move(*r);
        const phv_userspace_memory_region region{0, 0, 0, ram.size(), reinterpret_cast<uint64_t>(ram.data())};
        ASSERT_EQ(phv_set_user_memory_region(vm, &region), 0);
        vcpus.assign(ncpus, nullptr);
        for (unsigned i = 0; i < ncpus; ++i)
            ASSERT_EQ(phv_create_vcpu(vm, i, &vcpus[i]), 0);

        control = std::make_unique<VmControl>(ncpus);
        rtas = std::make_unique<Rtas>(ram.memory(), cap.log());
        xics = std::make_unique<Xics>(ncpus, [this](uint32_t server, bool level) {
            phv_interrupt(vcpus[server], level ? PHV_INTERRUPT_SET : PHV_INTERRUPT_UNSET);
            if (level)
                control->wake(server);
        });
        vpa = std::make_unique<VpaRegistry>(ram.memory(), ncpus);
        auto ok = register_services({hcalls, *rtas, console, *control, tod, cap.log(), {}, *xics, *vpa, ram.memory()});
        ASSERT_TRUE(ok) << ok.error();

        const std::vector<uint8_t> elf = img.elf();
        BootRequest req;
        req.pvr = phv_vm_pvr(vm);
        req.smp = ncpus;
        req.kernel = elf;
        req.rtas_tokens = rtas->token_properties();
        req.hypertas = hcalls.hypertas();
        auto b = prepare_boot(req, ram.memory());
        ASSERT_TRUE(b) << b.error();
        boot = *b;
        ASSERT_EQ(set_boot_state(vcpus[0], boot.entry, boot.fdt_addr, boot.kernel_addr), 0);
        control->on_exit_requested([this] {
            for (phv_vcpu *v : vcpus)
                phv_vcpu_kick(v);
        });
        control->set_running(0);
    }

    // Runs every vcpu on its own thread until the guest ends the run; a watchdog ends a hung guest.
    void run() {
        std::atomic<bool> done{false};
        std::thread watchdog([&] {
            for (int i = 0; i < 200 && !done; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (!done)
                control->request_exit(99);
        });
        VcpuThreads t{*control, hcalls, cap.log(), vcpus};
        std::vector<std::thread> threads;
        for (uint32_t id = 1; id < vcpus.size(); ++id)
            threads.emplace_back(run_vcpu, std::ref(t), id);
        run_vcpu(t, 0);
        control->request_exit(98);  // vcpu 0 stopped without ending the run: end the others
        for (auto &th : threads)
            th.join();
        done = true;
        watchdog.join();
    }

    void TearDown() override { phv_destroy_vm(vm); }
};

TEST_F(RunLoopTest, BootsPrintsAndPowersOff) {
    Image img;
    img.code(0, {
        0x80e30000,  // lwz r7,0(r3)        the tree's magic
        0x7c962378,  // mr r22,r4
        0x7cb72b78,  // mr r23,r5
        0x38600058,  // li r3,H_PUT_TERM_CHAR
        0x38800000,  // li r4,0
        0x38a00003,  // li r5,3
        0x3cc04f4b,  // lis r6,0x4f4b        "OK\n"
        0x60c60a00,  // ori r6,r6,0x0a00
        0x78c607c6,  // sldi r6,r6,32
        0x44000022,  // sc 1
        0x7c741b78,  // mr r20,r3
        0x386002ec,  // li r3,H_HOME_NODE_ASSOCIATIVITY   not served by phv-run
        0x3880004d,  // li r4,77
        0x44000022,  // sc 1
        0x7c751b78,  // mr r21,r3
        0x7c982378,  // mr r24,r4
        0x3c600040,  // lis r3,0x40
        0x60630100,  // ori r3,r3,0x100     RTAS buffer at 0x400100
        0x7f2903a6,  // mtctr r25           RTAS entry (set by the test)
        0x4e800421,  // bctrl
        0x48000000,  // b .
    });
    img.code(0x100, {0x2003, 2, 1, 0xffffffff, 0xffffffff, 0xffffffff});  // power-off
    boot_image(img, 1);
    set_reg(vcpus[0], PHV_REG_PPC_GPR(25), boot.layout.rtas_base);

    run();

    EXPECT_EQ(control->exit_status(), kExitPowerOff) << cap.text();
    EXPECT_EQ(console.out, "OK\n");
    EXPECT_EQ(get_reg(vcpus[0], PHV_REG_PPC_GPR(7)), 0xd00dfeedu) << "r3 pointed at the tree";
    EXPECT_EQ(get_reg(vcpus[0], PHV_REG_PPC_GPR(22)), kBase) << "r4 = kernel";
    EXPECT_EQ(get_reg(vcpus[0], PHV_REG_PPC_GPR(23)), 0u) << "r5 = 0";
    EXPECT_EQ(get_reg(vcpus[0], PHV_REG_PPC_GPR(20)), 0u) << "H_PUT_TERM_CHAR status";
    EXPECT_EQ(int64_t(get_reg(vcpus[0], PHV_REG_PPC_GPR(21))), papr::H_FUNCTION);
    EXPECT_EQ(get_reg(vcpus[0], PHV_REG_PPC_GPR(24)), 77u);
    EXPECT_EQ(load_be32(ram.data() + kBase + 0x100 + 20), 0u) << "power-off status cell";
    const auto lines = cap.lines();
    ASSERT_EQ(lines.size(), 1u) << cap.text();
    EXPECT_NE(lines[0].find("unimplemented H_HOME_NODE_ASSOCIATIVITY"), std::string::npos) << lines[0];
}

TEST_F(RunLoopTest, SecondaryWaitsForStartCpu) {
    Image img;
    // cpu 0: start-cpu(1, 0x400200, 0x1234) through the hcall, then spin until the run ends.
    img.code(0, {
        0x38600000,  // li r3,0
        0x6063f000,  // ori r3,r3,0xf000    KVMPPC_H_RTAS
        0x3c800040,  // lis r4,0x40
        0x60840100,  // ori r4,r4,0x100
        0x44000022,  // sc 1
        0x48000000,  // b .
    });
    img.code(0x100, {0x2006, 3, 1, 1, 0x400200, 0x1234, 0xffffffff});  // start-cpu
    img.code(0x140, {0x2003, 2, 1, 0xffffffff, 0xffffffff, 0xffffffff});  // power-off
    // cpu 1: keep r3, power off.
    img.code(0x200, {
        0x7c7a1b78,  // mr r26,r3
        0x38600000,  // li r3,0
        0x6063f000,  // ori r3,r3,0xf000
        0x3c800040,  // lis r4,0x40
        0x60840140,  // ori r4,r4,0x140
        0x44000022,  // sc 1
        0x48000000,  // b .
    });
    boot_image(img, 2);
    EXPECT_EQ(control->state(1), CpuRunState::Stopped);

    run();

    EXPECT_EQ(control->exit_status(), kExitPowerOff) << cap.text();
    EXPECT_EQ(load_be32(ram.data() + kBase + 0x100 + 24), 0u) << "start-cpu status";
    EXPECT_EQ(get_reg(vcpus[1], PHV_REG_PPC_GPR(26)), 0x1234u) << "r3 from start-cpu";
    EXPECT_EQ(get_reg(vcpus[1], PHV_REG_PPC_MSR) & kEntryMsr, kEntryMsr);
    EXPECT_EQ(cap.text(), "");
}

// XICS on the real core: vcpu 0 sends vcpu 1 an IPI (H_IPI) while vcpu 1 cedes; vcpu 1 takes the external
// interrupt at 0x500 whichever comes first (H_CEDE enables MSR[EE]), accepts it with H_XIRR and powers off.
TEST_F(RunLoopTest, IpiWakesACededVcpu) {
    Image img;
    img.code(0, {
        0x38600000,  // li r3,0
        0x6063f000,  // ori r3,r3,0xf000    KVMPPC_H_RTAS: start-cpu(1, 0x400200, 0)
        0x3c800040,  // lis r4,0x40
        0x60840100,  // ori r4,r4,0x100
        0x44000022,  // sc 1
        0x3860006c,  // li r3,H_IPI
        0x38800001,  // li r4,1
        0x38a00005,  // li r5,5
        0x44000022,  // sc 1
        0x7c7c1b78,  // mr r28,r3
        0x48000000,  // b .
    });
    img.code(0x100, {0x2006, 3, 1, 1, 0x400200, 0, 0xffffffff});          // start-cpu
    img.code(0x140, {0x2003, 2, 1, 0xffffffff, 0xffffffff, 0xffffffff});  // power-off
    img.code(0x200, {
        0x386000e0,  // li r3,H_CEDE
        0x44000022,  // sc 1
        0x48000000,  // b .                 (not reached: the interrupt comes first)
    });
    boot_image(img, 2);
    // The external interrupt vector, in real mode and big-endian (LPCR[ILE] = 0).
    const uint32_t handler[] = {
        0x38600074,  // li r3,H_XIRR
        0x44000022,  // sc 1
        0x7c9b2378,  // mr r27,r4
        0x38600000,  // li r3,0
        0x6063f000,  // ori r3,r3,0xf000
        0x3c800040,  // lis r4,0x40
        0x60840140,  // ori r4,r4,0x140     power-off
        0x44000022,  // sc 1
        0x48000000,  // b .
    };
    for (size_t i = 0; i < std::size(handler); ++i)
        store_be32(ram.data() + 0x500 + 4 * i, handler[i]);

    run();

    EXPECT_EQ(control->exit_status(), kExitPowerOff) << cap.text();
    EXPECT_EQ(get_reg(vcpus[0], PHV_REG_PPC_GPR(28)), 0u) << "H_IPI status";
    EXPECT_EQ(get_reg(vcpus[1], PHV_REG_PPC_GPR(27)), 0xff000002u) << "XIRR: the IPI, CPPR was 0xff";
    EXPECT_EQ(get_reg(vcpus[1], PHV_REG_PPC_SRR0), kBase + 0x208) << "taken after the cede";
    EXPECT_EQ(cap.text(), "");
}

TEST_F(RunLoopTest, StopSelfParksUntilTheNextStartCpu) {
    Image img;
    // cpu 0: start cpu 1, wait until it has stopped itself, start it again elsewhere with r3 = 0x55.
    img.code(0, {
        0x3fc00040,  // lis r30,0x40
        0x38600000,  // li r3,0
        0x6063f000,  // ori r3,r3,0xf000
        0x389e0100,  // addi r4,r30,0x100    start-cpu(1, 0x400200, 1)
        0x44000022,  // sc 1
        0x38600000,  // 1: li r3,0
        0x6063f000,  // ori r3,r3,0xf000
        0x389e0140,  // addi r4,r30,0x140    query-cpu-stopped-state(1)
        0x44000022,  // sc 1
        0x80be0154,  // lwz r5,0x154(r30)    its state
        0x2c050000,  // cmpwi r5,0
        0x4082ffe8,  // bne 1b
        0x38600000,  // li r3,0
        0x6063f000,  // ori r3,r3,0xf000
        0x389e0180,  // addi r4,r30,0x180    start-cpu(1, 0x400240, 0x55)
        0x44000022,  // sc 1
        0x48000000,  // b .
    });
    img.code(0x100, {0x2006, 3, 1, 1, 0x400200, 1, 0xffffffff});
    img.code(0x140, {0x2005, 1, 2, 1, 0xffffffff, 0xffffffff});
    img.code(0x180, {0x2006, 3, 1, 1, 0x400240, 0x55, 0xffffffff});
    img.code(0x1c0, {0x2007, 0, 1, 0xffffffff});                      // stop-self
    img.code(0x1e0, {0x2003, 2, 1, 0xffffffff, 0xffffffff, 0xffffffff});  // power-off
    // cpu 1, first start: stop-self. The `b .` after it must never run.
    img.code(0x200, {
        0x38600000,  // li r3,0
        0x6063f000,  // ori r3,r3,0xf000
        0x3c800040,  // lis r4,0x40
        0x608401c0,  // ori r4,r4,0x1c0
        0x44000022,  // sc 1
        0x48000000,  // b .
    });
    // cpu 1, second start: keep r3, power off.
    img.code(0x240, {
        0x7c7a1b78,  // mr r26,r3
        0x38600000,  // li r3,0
        0x6063f000,  // ori r3,r3,0xf000
        0x3c800040,  // lis r4,0x40
        0x608401e0,  // ori r4,r4,0x1e0
        0x44000022,  // sc 1
        0x48000000,  // b .
    });
    boot_image(img, 2);

    run();

    EXPECT_EQ(control->exit_status(), kExitPowerOff) << cap.text();
    EXPECT_EQ(load_be32(ram.data() + kBase + 0x180 + 24), 0u) << "second start-cpu status";
    // r3 comes from start-cpu, not from the completion of the stop-self hcall (which would make it 0).
    EXPECT_EQ(get_reg(vcpus[1], PHV_REG_PPC_GPR(26)), 0x55u);
    EXPECT_EQ(cap.text(), "");
}

} // namespace
} // namespace phvrun

namespace phvrun {
namespace {

// --trace against the real core: every executed instruction, in order, as "0x<nip>: <disassembly>".
TEST_F(RunLoopTest, TraceListsEachExecutedInstruction) {
    Image img;
    img.code(0, {
        0x3c600040,  // lis r3,0x40
        0x60630100,  // ori r3,r3,0x100     RTAS buffer at 0x400100
        0x7f2903a6,  // mtctr r25           RTAS entry (set by the test)
        0x4e800421,  // bctrl
        0x48000000,  // b .
    });
    img.code(0x100, {0x2003, 2, 1, 0xffffffff, 0xffffffff, 0xffffffff});  // power-off
    boot_image(img, 1);
    set_reg(vcpus[0], PHV_REG_PPC_GPR(25), boot.layout.rtas_base);
    std::FILE *f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
        InsnTrace trace(f, false, 1);
        trace.attach(vcpus[0]);
        run();
        phv_vcpu_set_trace(vcpus[0], nullptr, nullptr);
    }
    EXPECT_EQ(control->exit_status(), kExitPowerOff) << cap.text();
    std::rewind(f);
    std::vector<std::string> lines;
    char buf[256];
    while (std::fgets(buf, sizeof buf, f))
        lines.emplace_back(buf);
    std::fclose(f);
    char entry[32];
    std::snprintf(entry, sizeof entry, "0x%016llx: ", (unsigned long long)boot.entry);
    ASSERT_GE(lines.size(), 5u);
    EXPECT_EQ(lines[0], std::string(entry) + "lis     r3,64\n");
    EXPECT_EQ(lines[1].substr(20), "ori     r3,r3,256\n");
    EXPECT_EQ(lines[2].substr(20), "mtctr   r25\n");
    EXPECT_EQ(lines[3].substr(20), "bctrl\n");
    char rtas[32];
    std::snprintf(rtas, sizeof rtas, "0x%016llx: ", (unsigned long long)boot.layout.rtas_base);
    EXPECT_EQ(lines[4].substr(0, 20), rtas) << "then the first instruction of the RTAS blob";
}

TEST(InsnTrace, LineFormat) {
    EXPECT_EQ(InsnTrace::format(false, 0, 0x400000, 0x38600001, 0), "0x0000000000400000: li      r3,1");
    EXPECT_EQ(InsnTrace::format(true, 3, 0x10, 0x4e800020, 0), "cpu3 0x0000000000000010: blr");
    EXPECT_EQ(InsnTrace::format(false, 0, 0x20, 0, 0), "0x0000000000000020: .long 0x00000000");
}

TEST(InsnTrace, OpenFailsWithTheReason) {
    auto t = InsnTrace::open("/nonexistent-dir/trace.txt", 1);
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().find("--trace: cannot create /nonexistent-dir/trace.txt"), std::string::npos) << t.error();
}

} // namespace
} // namespace phvrun
