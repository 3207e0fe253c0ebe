// The C ABI (phv.h): argument checks and error codes; no exception crosses this boundary.
#include <cerrno>
#include <cstring>
#include <vector>
#include <new>

#include "isa/disasm.h"
#include "mmu/hash.h"
#include "nested/l0.h"
#include "phv/phv.h"
#include "vcpu/one_reg.h"
#include "vcpu/vcpu.h"
#include "vm/vm.h"

struct phv_vm {
    phv::Vm vm;
};

namespace {
phv::Vcpu *as_vcpu(phv_vcpu *v) { return reinterpret_cast<phv::Vcpu *>(v); }
const phv::Vcpu *as_vcpu(const phv_vcpu *v) { return reinterpret_cast<const phv::Vcpu *>(v); }

template <typename F>
int guarded(F &&f) {
    try {
        return f();
    } catch (const std::bad_alloc &) {
        return -ENOMEM;
    } catch (...) {
        return -EFAULT;
    }
}
} // namespace

extern "C" {

int phv_get_api_version(void) { return PHV_API_VERSION; }

int phv_create_vm(const struct phv_vm_config *cfg, phv_vm **out) {
    if (!out)
        return -EFAULT;
    *out = nullptr;
    phv_vm_config c{};
    if (cfg)
        c = *cfg;
    if (c.flags & ~uint32_t(PHV_VM_INTERPRETER | PHV_VM_PERF_MAP))
        return -EINVAL;
    const phv::CpuModel *model = phv::cpu_model(c.cpu_model ? c.cpu_model : uint32_t(PHV_CPU_POWER10));
    if (!model)
        return -EINVAL;
    const uint64_t tb = c.timebase_freq ? c.timebase_freq : 512000000ull;
    if (tb < 1000000 || tb > 10000000000ull)
        return -EINVAL;
    return guarded([&] {
        *out = new phv_vm{phv::Vm(*model, tb)};
        // A flag only adds to what the environment asked for.
        phv::Vm &vm = (*out)->vm;
        if (c.flags & (PHV_VM_INTERPRETER | PHV_VM_PERF_MAP))
            vm.set_jit(vm.jit_enabled() && !(c.flags & PHV_VM_INTERPRETER), vm.jit_perf_map() || (c.flags & PHV_VM_PERF_MAP));
        return 0;
    });
}

void phv_destroy_vm(phv_vm *vm) { delete vm; }

uint32_t phv_vm_pvr(const phv_vm *vm) { return vm ? vm->vm.model().pvr : 0; }

int phv_set_user_memory_region(phv_vm *vm, const struct phv_userspace_memory_region *r) {
    if (!vm || !r)
        return -EFAULT;
    return guarded([&] { return vm->vm.set_memory_region(*r); });
}

int phv_get_dirty_log(phv_vm *vm, uint32_t slot, void *bitmap) {
    if (!vm)
        return -EFAULT;
    return vm->vm.get_dirty_log(slot, bitmap);
}

int phv_invalidate_code(phv_vm *vm, uint64_t gpa, uint64_t size) {
    if (!vm)
        return -EFAULT;
    return vm->vm.invalidate_code_range(gpa, size);
}

int phv_create_vcpu(phv_vm *vm, uint32_t id, phv_vcpu **out) {
    if (!vm || !out)
        return -EFAULT;
    *out = nullptr;
    return guarded([&] {
        phv::Vcpu *v = nullptr;
        const int r = vm->vm.create_vcpu(id, &v);
        if (r == 0)
            *out = reinterpret_cast<phv_vcpu *>(v);
        return r;
    });
}

int phv_get_one_reg(phv_vcpu *vcpu, const struct phv_one_reg *reg) {
    if (!vcpu || !reg)
        return -EFAULT;
    return phv::get_one_reg(*as_vcpu(vcpu), *reg);
}

int phv_set_one_reg(phv_vcpu *vcpu, const struct phv_one_reg *reg) {
    if (!vcpu || !reg)
        return -EFAULT;
    return phv::set_one_reg(*as_vcpu(vcpu), *reg);
}

struct phv_run *phv_vcpu_run_struct(phv_vcpu *vcpu) { return vcpu ? &as_vcpu(vcpu)->run_struct() : nullptr; }

int phv_vcpu_run(phv_vcpu *vcpu) {
    if (!vcpu)
        return -EINVAL;
    return guarded([&] { return as_vcpu(vcpu)->run(); });
}

int phv_vcpu_set_guest_debug(phv_vcpu *vcpu, const struct phv_guest_debug *dbg) {
    if (!vcpu || !dbg)
        return -EINVAL;
    return guarded([&] { return as_vcpu(vcpu)->set_guest_debug(*dbg); });
}

void phv_vcpu_kick(phv_vcpu *vcpu) {
    if (vcpu)
        as_vcpu(vcpu)->kick();
}

int phv_interrupt(phv_vcpu *vcpu, uint32_t irq) {
    if (!vcpu)
        return -EFAULT;
    if (irq != PHV_INTERRUPT_SET && irq != PHV_INTERRUPT_UNSET)
        return -EINVAL;
    return as_vcpu(vcpu)->set_irq_line(irq == PHV_INTERRUPT_SET);
}

size_t phv_vcpu_stat_count(void) { return phv::stat_count(); }

const char *phv_vcpu_stat(const phv_vcpu *vcpu, size_t i, uint64_t *value) {
    if (!vcpu)
        return nullptr;
    return phv::stat_get(const_cast<phv::Vcpu *>(as_vcpu(vcpu))->stats(), i, value);
}

int phv_disassemble(uint32_t insn, uint32_t suffix, uint64_t nip, char *buf, size_t buflen) {
    return phv::isa::disassemble(insn, suffix, nip, buf, buflen);
}

void phv_vcpu_set_trace(phv_vcpu *vcpu, phv_trace_fn fn, void *opaque) {
    if (vcpu)
        as_vcpu(vcpu)->set_trace(fn, opaque);
}

int phv_vm_allocate_htab(phv_vm *vm, uint32_t order) {
    if (!vm)
        return -EFAULT;
    return guarded([&] { return vm->vm.allocate_htab(order); });
}

int phv_vm_resize_hpt_prepare(phv_vm *vm, uint64_t flags, uint32_t shift) {
    if (!vm)
        return -EFAULT;
    return guarded([&] { return vm->vm.resize_hpt_prepare(flags, shift); });
}

int phv_vm_resize_hpt_commit(phv_vm *vm, uint64_t flags, uint32_t shift) {
    if (!vm)
        return -EFAULT;
    return guarded([&] { return vm->vm.resize_hpt_commit(flags, shift); });
}

int phv_vm_configure_v3_mmu(phv_vm *vm, const struct phv_ppc_mmuv3_cfg *cfg) {
    if (!vm || !cfg)
        return -EFAULT;
    return vm->vm.configure_v3_mmu(cfg->flags, cfg->process_table);
}

int phv_vm_get_v3_mmu(phv_vm *vm, struct phv_ppc_mmuv3_cfg *cfg) {
    if (!vm || !cfg)
        return -EFAULT;
    vm->vm.get_v3_mmu(cfg->flags, cfg->process_table);
    return 0;
}

int phv_vm_get_rmmu_info(phv_vm *vm, struct phv_ppc_rmmu_info *info) {
    if (!vm || !info)
        return -EFAULT;
    if (vm->vm.model().isa < phv::isa::Isa::V300)
        return -EINVAL;
    *info = {};
    // The trees POWER9/10 walk (mmu/radix.cpp): a 2^13-entry root, then 2^9, 2^9, and 2^9 (4K) or 2^5 (64K)
    // leaves; and the radix AP encodings 0 (4K), 5 (64K), 1 (2M), 2 (1G).
    info->geometries[0] = {12, {9, 9, 9, 13}, {}};
    info->geometries[1] = {16, {5, 9, 9, 13}, {}};
    const uint32_t aps[][2] = {{0, 12}, {5, 16}, {1, 21}, {2, 30}};
    for (unsigned i = 0; i < 4; ++i)
        info->ap_encodings[i] = aps[i][0] << 29 | aps[i][1];
    return 0;
}

int phv_vcpu_get_slb(phv_vcpu *vcpu, struct phv_ppc_slb_entry *slb) {
    if (!vcpu || !slb)
        return -EFAULT;
    as_vcpu(vcpu)->get_slb(slb);
    return 0;
}

int phv_vcpu_set_slb(phv_vcpu *vcpu, const struct phv_ppc_slb_entry *slb) {
    if (!vcpu || !slb)
        return -EFAULT;
    return as_vcpu(vcpu)->set_slb(slb);
}

int phv_vm_read_htab(phv_vm *vm, uint64_t index, uint64_t n, uint64_t *hptes) {
    if (!vm || !hptes)
        return -EFAULT;
    return vm->vm.htab_access(index, n, hptes, nullptr);
}

int phv_vm_write_htab(phv_vm *vm, uint64_t index, uint64_t n, const uint64_t *hptes) {
    if (!vm || !hptes)
        return -EFAULT;
    return vm->vm.htab_access(index, n, nullptr, hptes);
}

int phv_vm_htab_record(phv_vm *vm, int on) {
    if (!vm)
        return -EFAULT;
    return guarded([&] { return vm->vm.htab_record(on); });
}

int64_t phv_vm_take_htab_changes(phv_vm *vm, uint32_t order, uint64_t first, uint64_t n, uint64_t *bitmap) {
    if (!vm || (n && !bitmap))
        return -EFAULT;
    return vm->vm.take_htab_changes(order, first, n, bitmap);
}

int phv_vm_get_smmu_info(phv_vm *vm, struct phv_ppc_smmu_info *info) {
    if (!vm || !info)
        return -EFAULT;
    *info = {};
    info->flags = PHV_PPC_PAGE_SIZES_REAL | PHV_PPC_1T_SEGMENTS;
    info->slb_size = phv::mmu::slb::kEntries;
    info->data_keys = 32;
    info->instr_keys = 32;
    unsigned i = 0;
    for (const auto &s : phv::mmu::kSegmentPageSizes) {
        auto &out = info->sps[i++];
        out.page_shift = s.shift;
        out.slb_enc = s.slb_enc;
        unsigned j = 0;
        for (const auto &e : s.enc)
            if (e.shift)
                out.enc[j++] = {e.shift, e.pte_enc};
    }
    return 0;
}

int phv_vm_enable_nested(phv_vm *vm, uint32_t api) {
    if (!vm)
        return -EFAULT;
    if (api > PHV_NESTED_V2)
        return -EINVAL;
    return vm->vm.nested().enable(phv::nested::Api(api));
}

int phv_vm_get_nested(phv_vm *vm, struct phv_nested_info *info) {
    if (!vm || !info)
        return -EFAULT;
    return vm->vm.nested().snapshot(*info);
}

int phv_vm_get_nested_state(phv_vm *vm, void *buf, uint64_t *size) {
    if (!vm || !size)
        return -EFAULT;
    std::vector<uint8_t> blob;
    if (const int r = vm->vm.nested().export_state(blob))
        return r;
    const uint64_t cap = *size;
    *size = blob.size();
    if (blob.size() > cap)
        return -E2BIG;
    if (!blob.empty()) {
        if (!buf)
            return -EFAULT;
        std::memcpy(buf, blob.data(), blob.size());
    }
    return 0;
}

int phv_vm_set_nested_state(phv_vm *vm, const void *buf, uint64_t size, struct phv_nested_state_error *err) {
    if (!vm || (size && !buf))
        return -EFAULT;
    phv::nested::BlobError e;
    const int r = vm->vm.nested().import_state({static_cast<const uint8_t *>(buf), size_t(size)}, e);
    if (r && err)
        *err = {e.offset, 0, e.reason};
    return r;
}

const char *phv_nested_exit_name(uint32_t i) {
    static const char *const kNames[PHV_NESTED_EXIT_NR] = {"hcall", "hdsi", "hisi", "hea", "hfac", "hdec", "other"};
    return i < PHV_NESTED_EXIT_NR ? kNames[i] : nullptr;
}

} // extern "C"
