/*
 * phv accelerator: the vcpu's registers between QEMU's env and the core, one register at a time through
 * the one-reg ids of phv.h (KVM's KVM_REG_PPC_* ids plus phv's ids for what KVM moves with KVM_GET_REGS).
 *
 * QEMU keeps SPRs in env->spr[] indexed by the architected SPR number, so one table of (id, SPR) pairs
 * covers most of the state; the rest needs QEMU's accessors for their side effects (CR fields, XER bits,
 * FPSCR, hflags after MSR). KVM's own table (ppc_spr_t.one_reg_id) exists only with CONFIG_KVM, which
 * an x86 host never has for ppc64 (qemu-integration.md §3.4).
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "cpu.h"
#include "helper_regs.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_cpu_core.h"
#include "mmu-hash64.h"
#include "phv-int.h"

static const struct {
    uint64_t id;
    int spr;
} spr_regs[] = {
    { PHV_REG_PPC_SRR0, SPR_SRR0 },
    { PHV_REG_PPC_SRR1, SPR_SRR1 },
    { PHV_REG_PPC_SPRG(0), SPR_SPRG0 },
    { PHV_REG_PPC_SPRG(1), SPR_SPRG1 },
    { PHV_REG_PPC_SPRG(2), SPR_SPRG2 },
    { PHV_REG_PPC_SPRG(3), SPR_SPRG3 },
    { PHV_REG_PPC_DSCR, SPR_DSCR },
    { PHV_REG_PPC_DAR, SPR_DAR },
    { PHV_REG_PPC_DSISR, SPR_DSISR },
    { PHV_REG_PPC_AMR, SPR_AMR },
    { PHV_REG_PPC_UAMOR, SPR_UAMOR },
    { PHV_REG_PPC_IAMR, SPR_IAMR },
    { PHV_REG_PPC_FSCR, SPR_FSCR },
    { PHV_REG_PPC_TAR, SPR_TAR },
    { PHV_REG_PPC_PID, SPR_BOOKS_PID },
    { PHV_REG_PPC_VRSAVE, SPR_VRSAVE },
    { PHV_REG_PPC_PPR, SPR_PPR },
    { PHV_REG_PPC_TIDR, SPR_TIDR },
    { PHV_REG_PPC_PSSCR, SPR_PSSCR },
    { PHV_REG_PPC_DEXCR, SPR_DEXCR },
    { PHV_REG_PPC_HASHKEYR, SPR_HASHKEYR },
    { PHV_REG_PPC_HASHPKEYR, SPR_HASHPKEYR },
};

/*
 * State QEMU's hcalls never touch, so it is fetched only when QEMU wants the whole vcpu (migration, the
 * monitor) and put back only when env was loaded or reset: the PMU, event-based branches, the doorbell
 * state, watchpoint registers the core keeps for the guest, and the utilisation counters (which advance with
 * the timebase, so putting an old value back after every hcall would hold them still).
 */
static const struct {
    uint64_t id;
    int spr;
} extra_regs[] = {
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x10, SPR_POWER_MMCR0 },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x11, SPR_POWER_MMCR1 },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x12, SPR_POWER_MMCRA },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x13, SPR_POWER_MMCR2 },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x15, SPR_POWER_SIAR },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x16, SPR_POWER_SDAR },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x17, SPR_POWER_SIER },
    { PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x18, SPR_POWER_PMC1 },
    { PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x19, SPR_POWER_PMC2 },
    { PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x1a, SPR_POWER_PMC3 },
    { PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x1b, SPR_POWER_PMC4 },
    { PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x1c, SPR_POWER_PMC5 },
    { PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x1d, SPR_POWER_PMC6 },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xc1, SPR_POWER_MMCR3 },
    { PHV_REG_PPC | PHV_REG_SIZE_U32 | 0xa4, SPR_PSPB },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xa5, SPR_EBBHR },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xa6, SPR_EBBRR },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xa7, SPR_BESCR },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xa9, SPR_DPDES },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xaa, SPR_DAWR0 },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xab, SPR_DAWRX0 },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xac, SPR_CIABR },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xc4, SPR_DAWR1 },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xc5, SPR_DAWRX1 },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xad, SPR_IC },
    { PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xae, SPR_VTB },
    { PHV_REG_PPC_PURR, SPR_PURR },
    { PHV_REG_PPC_SPURR, SPR_SPURR },
};

/*
 * The LPCR bits the core decides: those a VMM may set (DPFD, ILE, TC, AIL, LD: KVM's mask) and the MMU mode the
 * guest chose with H_REGISTER_PROC_TBL (HR, UPRT, GTSE). The others (LPES, the power-saving exit enables PDEE
 * HDEE EEE DEE OEE, HVICE ...) are the machine's as QEMU set them (spapr_cpu_reset, RTAS start-cpu), and a TCG
 * destination of a migration needs them so: without DEE and EEE a vcpu that was in H_CEDE at the migration
 * waits there until a hypervisor doorbell, and Linux reports its CPUs stuck (RCU stalls, hard lockups).
 */
#define LPCR_FROM_CORE (LPCR_DPFD | LPCR_ILE | LPCR_TC | LPCR_AIL | LPCR_LD | LPCR_HR | LPCR_UPRT | LPCR_GTSE)

/*
 * Registers the core refused once (a facility the CPU model lacks: -ENXIO, or one it does not implement:
 * -EINVAL) are skipped afterwards; the refusal is not an error of the guest.
 */
static GHashTable *unsupported;

static bool reg_skip(uint64_t id)
{
    return unsupported && g_hash_table_contains(unsupported, &id);
}

static int reg_failed(uint64_t id, int ret)
{
    if (ret == -ENXIO || ret == -EINVAL) {
        uint64_t *key = g_new(uint64_t, 1);

        *key = id;
        if (!unsupported) {
            unsupported = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        }
        g_hash_table_add(unsupported, key);
        return 0;
    }
    return ret;
}

static int reg_get(phv_vcpu *v, uint64_t id, void *buf)
{
    struct phv_one_reg r = { .id = id, .addr = (uintptr_t)buf };
    int ret;

    if (reg_skip(id)) {
        return 1;
    }
    ret = phv_get_one_reg(v, &r);
    if (ret < 0) {
        return reg_failed(id, ret) ? ret : 1;
    }
    return 0;
}

static int reg_put(phv_vcpu *v, uint64_t id, const void *buf)
{
    struct phv_one_reg r = { .id = id, .addr = (uintptr_t)buf };
    int ret;

    if (reg_skip(id)) {
        return 1;
    }
    ret = phv_set_one_reg(v, &r);
    if (ret < 0) {
        return reg_failed(id, ret) ? ret : 1;
    }
    return 0;
}

/* Reads a register of 4 or 8 bytes (the id says which) as a uint64_t; returns false if it is not there. */
static bool get_u64(phv_vcpu *v, uint64_t id, uint64_t *val)
{
    if (PHV_REG_SIZE(id) == 4) {
        uint32_t w;

        if (reg_get(v, id, &w) != 0) {
            return false;
        }
        *val = w;
        return true;
    }
    return reg_get(v, id, val) == 0;
}

static void put_u64(phv_vcpu *v, uint64_t id, uint64_t val)
{
    if (PHV_REG_SIZE(id) == 4) {
        uint32_t w = val;

        reg_put(v, id, &w);
    } else {
        reg_put(v, id, &val);
    }
}

int phv_regs_get(CPUState *cs)
{
    CPUPPCState *env = cpu_env(cs);
    phv_vcpu *v = cs->accel->vcpu;
    uint64_t val, vsr[2];

    for (int i = 0; i < 32; i++) {
        get_u64(v, PHV_REG_PPC_GPR(i), &val);
        env->gpr[i] = val;
    }
    if (get_u64(v, PHV_REG_PPC_NIP, &val)) {
        env->nip = val;
    }
    if (get_u64(v, PHV_REG_PPC_CR, &val)) {
        ppc_set_cr(env, val);
    }
    if (get_u64(v, PHV_REG_PPC_LR, &val)) {
        env->lr = val;
    }
    if (get_u64(v, PHV_REG_PPC_CTR, &val)) {
        env->ctr = val;
    }
    if (get_u64(v, PHV_REG_PPC_XER, &val)) {
        cpu_write_xer(env, val);
    }
    for (size_t i = 0; i < ARRAY_SIZE(spr_regs); i++) {
        if (get_u64(v, spr_regs[i].id, &val)) {
            env->spr[spr_regs[i].spr] = val;
        }
    }
    if (get_u64(v, PHV_REG_PPC_LPCR_64, &val)) {
        env->spr[SPR_LPCR] = (env->spr[SPR_LPCR] & ~LPCR_FROM_CORE) | (val & LPCR_FROM_CORE);
    }
    for (int i = 0; i < 64; i++) {
        uint64_t id = i < 32 ? PHV_REG_PPC_VSR(i) : PHV_REG_PPC_VR(i - 32);

        if (reg_get(v, id, vsr) == 0) {
            *(uint64_t *)((uintptr_t)env + vsr64_offset(i, true)) = vsr[0];
            *(uint64_t *)((uintptr_t)env + vsr64_offset(i, false)) = vsr[1];
        } else if (i < 32 && get_u64(v, PHV_REG_PPC_FPR(i), &val)) {
            *cpu_fpr_ptr(env, i) = val;
        }
    }
    if (get_u64(v, PHV_REG_PPC_FPSCR, &val)) {
        ppc_store_fpscr(env, val);
    }
    if (get_u64(v, PHV_REG_PPC_VSCR, &val)) {
        ppc_store_vscr(env, val);
    }
    /* MSR last: hflags depend on it and on LPCR. */
    if (get_u64(v, PHV_REG_PPC_MSR, &val)) {
        env->msr = val;
        hreg_compute_hflags(env);
    }
    return 0;
}

/* The vcpu's VPA address on a pseries machine (0: none, or another machine). */
static uint64_t phv_regs_vpa_addr(CPUState *cs)
{
    PowerPCCPU *cpu = POWERPC_CPU(cs);

    if (!cpu->vhyp || !object_dynamic_cast(OBJECT(cpu->vhyp), TYPE_SPAPR_MACHINE) || !cpu->machine_data) {
        return 0;
    }
    return spapr_cpu_state(cpu)->vpa_addr;
}

/*
 * The rest of the vcpu: the extra SPRs, the decrementer (relative to the timebase, as QEMU's vmstate keeps
 * it) and the SLB (QEMU migrates env->slb; a hash guest's bolted kernel segments must survive).
 */
int phv_regs_get_extra(CPUState *cs)
{
    PowerPCCPU *cpu = POWERPC_CPU(cs);
    CPUPPCState *env = cpu_env(cs);
    phv_vcpu *v = cs->accel->vcpu;
    struct phv_ppc_slb_entry slb[PHV_PPC_SLB_SIZE];
    uint64_t val;

    for (size_t i = 0; i < ARRAY_SIZE(extra_regs); i++) {
        if (get_u64(v, extra_regs[i].id, &val)) {
            env->spr[extra_regs[i].spr] = val;
        }
    }
    if (cs->accel->dec_saved) {
        env->spr[SPR_DECR] = cs->accel->dec_value;  /* held still while the vm is stopped */
    } else if (get_u64(v, PHV_REG_PPC_DEC, &val)) {
        env->spr[SPR_DECR] = val;   /* the core owns the decrementer */
    }
    if (cpu->hash64_opts && phv_vcpu_get_slb(v, slb) == 0) {
        for (int i = 0; i < MIN(cpu->hash64_opts->slb_size, (int)PHV_PPC_SLB_SIZE); i++) {
            target_ulong esid = slb[i].slbe & (SLB_ESID_ESID | SLB_ESID_V);

            /*
             * ppc_store_slb also finds the page sizes QEMU's own MMU code wants. An invalid entry's other bits
             * mean nothing, and QEMU checks every entry it loads (slb_post_load): it travels as zeros.
             */
            if (!(esid & SLB_ESID_V) || ppc_store_slb(cpu, i, esid, slb[i].slbv) < 0) {
                env->slb[i].esid = env->slb[i].vsid = 0;
                env->slb[i].sps = NULL;
            }
        }
    }
    return 0;
}

static void put_extra(CPUState *cs, bool with_dec)
{
    PowerPCCPU *cpu = POWERPC_CPU(cs);
    CPUPPCState *env = cpu_env(cs);
    phv_vcpu *v = cs->accel->vcpu;
    struct phv_ppc_slb_entry slb[PHV_PPC_SLB_SIZE] = { 0 };
    int ret;

    for (size_t i = 0; i < ARRAY_SIZE(extra_regs); i++) {
        put_u64(v, extra_regs[i].id, env->spr[extra_regs[i].spr]);
    }
    if (with_dec) {
        put_u64(v, PHV_REG_PPC_DEC, env->spr[SPR_DECR]);
    }
    if (cpu->hash64_opts) {
        for (int i = 0; i < MIN(cpu->hash64_opts->slb_size, (int)PHV_PPC_SLB_SIZE); i++) {
            slb[i].slbe = (env->slb[i].esid & (SLB_ESID_ESID | SLB_ESID_V)) | i;
            slb[i].slbv = env->slb[i].vsid;
        }
        ret = phv_vcpu_set_slb(v, slb);
        if (ret < 0) {
            /* QEMU checked every entry when it loaded them (slb_post_load); the core differs from it. */
            error_report("phv: vcpu %d: the core refuses the SLB: %s", cs->cpu_index, strerror(-ret));
        }
    }
}

int phv_regs_put(CPUState *cs, PhvPutLevel level)
{
    CPUPPCState *env = cpu_env(cs);
    phv_vcpu *v = cs->accel->vcpu;
    uint64_t vsr[2];

    for (int i = 0; i < 32; i++) {
        put_u64(v, PHV_REG_PPC_GPR(i), env->gpr[i]);
    }
    put_u64(v, PHV_REG_PPC_NIP, env->nip);
    put_u64(v, PHV_REG_PPC_CR, ppc_get_cr(env));
    put_u64(v, PHV_REG_PPC_LR, env->lr);
    put_u64(v, PHV_REG_PPC_CTR, env->ctr);
    put_u64(v, PHV_REG_PPC_XER, cpu_read_xer(env));
    for (size_t i = 0; i < ARRAY_SIZE(spr_regs); i++) {
        put_u64(v, spr_regs[i].id, env->spr[spr_regs[i].spr]);
    }
    put_u64(v, PHV_REG_PPC_LPCR_64, env->spr[SPR_LPCR]);
    for (int i = 0; i < 64; i++) {
        uint64_t id = i < 32 ? PHV_REG_PPC_VSR(i) : PHV_REG_PPC_VR(i - 32);

        vsr[0] = *(uint64_t *)((uintptr_t)env + vsr64_offset(i, true));
        vsr[1] = *(uint64_t *)((uintptr_t)env + vsr64_offset(i, false));
        if (reg_put(v, id, vsr) != 0 && i < 32) {
            put_u64(v, PHV_REG_PPC_FPR(i), vsr[0]);
        }
    }
    put_u64(v, PHV_REG_PPC_FPSCR, env->fpscr);
    put_u64(v, PHV_REG_PPC_VSCR, ppc_get_vscr(env));
    if (level != PHV_PUT_RUNTIME) {
        put_extra(cs, level == PHV_PUT_FULL);
    }
    put_u64(v, PHV_REG_PPC_MSR, env->msr);
    /*
     * The VPA is registered with QEMU (H_REGISTER_VPA is spapr's); the core writes the nested L2
     * context-switch counters there, so it gets the address as KVM does (kvm_put_vpa: KVM_REG_PPC_VPA_ADDR).
     * Between runs only H_REGISTER_VPA changes it; after a reset or a load it is put whatever the cache says,
     * since env (and spapr's per-vcpu state) then came from elsewhere than this process's last put.
     */
    if (level != PHV_PUT_RUNTIME || cs->accel->vpa_put != phv_regs_vpa_addr(cs)) {
        cs->accel->vpa_put = phv_regs_vpa_addr(cs);
        put_u64(v, PHV_REG_PPC_VPA_ADDR, cs->accel->vpa_put);
    }
    return 0;
}
