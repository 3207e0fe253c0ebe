/*
 * phv.h — the phv hypervisor core API (version 0).
 *
 * phv runs Power ISA 3.1 Book III-S pSeries guests on hosts that are not POWER. This header is the only
 * boundary between the C++20 core and its users (phv-run, the QEMU accelerator, tests). It is plain C,
 * includes nothing but <stdint.h> and <stddef.h>, and mirrors Linux KVM's Book3S-HV API so that a KVM user
 * recognises every call: a call here is named after the ioctl it stands for.
 *
 * Conventions (as with the KVM ioctls):
 *   - Every call returns 0 (or a non-negative value where stated) on success and a negative errno value
 *     (-EINVAL, -ENOENT, -EEXIST, -ENOMEM, -EFAULT, -ENXIO, -EBUSY, -E2BIG) on failure. No call aborts the
 *     process on bad input; a failing call changes no state.
 *   - Guest-physical addresses ("gpa") are what the guest sees with translation off (MSR[IR]=MSR[DR]=0).
 *   - Registers are read and written one at a time through KVM's one-reg ids (KVM_REG_PPC_*), whose bits
 *     55..52 encode the value's size; the buffer passed must have exactly that size.
 *   - A vm or vcpu handle is used by one thread at a time, except phv_vcpu_kick(), which any thread may call.
 */
#ifndef PHV_PHV_H
#define PHV_PHV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PHV_API_VERSION 0

typedef struct phv_vm phv_vm;
typedef struct phv_vcpu phv_vcpu;

/* ---------------------------------------------------------------------------------------------------------
 * 4.1 PHV_GET_API_VERSION
 *
 * Returns: PHV_API_VERSION of the library that is linked in.
 */
int phv_get_api_version(void);

/* ---------------------------------------------------------------------------------------------------------
 * 4.2 PHV_CREATE_VM
 *
 * Parameters: cfg (in, may be NULL for the defaults), vm (out).
 * Returns: 0, -EINVAL if cfg names an unknown CPU model, -ENOMEM.
 *
 * Creates a pSeries partition (MSR[HV]=0 guest) with no memory and no vcpus. cpu_model selects the
 * processor the guest sees: the PVR it reads and the instructions it may execute.
 */
enum phv_cpu_model {
	PHV_CPU_POWER8 = 8,
	PHV_CPU_POWER9 = 9,
	PHV_CPU_POWER10 = 10,
};

/* phv_vm_config.flags. The core runs hot guest code as compiled x86-64 host code (the JIT tier) unless
 * PHV_VM_INTERPRETER (or PHV_JIT=0 in the environment) asks for the interpreter only, for debugging; both tiers
 * behave identically. Where the host has two cores or more, each vcpu compiles on a thread of its own ("phv-jit",
 * started at its first hot block) while it goes on running the block in the interpreter; PHV_JIT_ASYNC=0 compiles on
 * the vcpu's thread instead. PHV_VM_PERF_MAP (or PHV_PERF_MAP=1) appends "start size phv:GUEST_EA" lines for each
 * compiled block to /tmp/perf-<pid>.map, so perf can attribute host time to guest code. */
#define PHV_VM_INTERPRETER	(1u << 0)
#define PHV_VM_PERF_MAP		(1u << 1)

struct phv_vm_config {
	uint32_t cpu_model;		/* enum phv_cpu_model; 0 = POWER10 */
	uint32_t flags;			/* PHV_VM_* */
	uint64_t timebase_freq;		/* Hz; 0 = 512000000, the POWER9/10 timebase */
};

int phv_create_vm(const struct phv_vm_config *cfg, phv_vm **vm);

/* Destroys the VM and every vcpu it owns. NULL is accepted and ignored. Guest memory stays the caller's. */
void phv_destroy_vm(phv_vm *vm);

/* Returns the PVR value of the VM's CPU model (e.g. 0x00800200 for POWER10 DD2.0). */
uint32_t phv_vm_pvr(const phv_vm *vm);

/* ---------------------------------------------------------------------------------------------------------
 * 4.3 PHV_SET_USER_MEMORY_REGION  (KVM_SET_USER_MEMORY_REGION)
 *
 * Parameters: struct phv_userspace_memory_region (in).
 * Returns: 0; -EINVAL for a bad slot number, unknown flags, an unaligned base/size/host pointer, a size of
 *          more than 2^48 or a region that wraps; -EEXIST if the range overlaps another slot; -EFAULT for a
 *          NULL host pointer; -ENOMEM; -EBUSY while any vcpu of the VM is inside phv_vcpu_run().
 *
 * Maps memory_size bytes of the caller's memory at userspace_addr to guest-physical guest_phys_addr as slot
 * `slot`. guest_phys_addr, memory_size and userspace_addr must be multiples of PHV_PAGE_SIZE (4 KiB). A slot
 * that exists is replaced (its guest range may then overlap only itself); memory_size 0 deletes it.
 * The caller keeps ownership of the memory and must keep it mapped while the slot exists.
 *
 * PHV_MEM_LOG_DIRTY_PAGES enables dirty tracking for the slot (see PHV_GET_DIRTY_LOG).
 * PHV_MEM_READONLY makes guest stores to the slot exit with PHV_EXIT_MMIO instead of writing it.
 * Guest accesses to a gpa that is in no slot exit with PHV_EXIT_MMIO.
 * In API v0 slots may change only while no vcpu of the VM is inside phv_vcpu_run(): a call made while one
 * is fails with -EBUSY and changes nothing (kick the vcpus out first, as a VMM's memory listener does), and
 * a vcpu that enters phv_vcpu_run() during an update waits for it to finish.
 */
#define PHV_PAGE_SIZE 4096u
#define PHV_MAX_MEMSLOTS 512u

#define PHV_MEM_LOG_DIRTY_PAGES (1u << 0)
#define PHV_MEM_READONLY (1u << 1)

struct phv_userspace_memory_region {
	uint32_t slot;
	uint32_t flags;
	uint64_t guest_phys_addr;
	uint64_t memory_size;		/* bytes */
	uint64_t userspace_addr;	/* start of the host memory */
};

int phv_set_user_memory_region(phv_vm *vm, const struct phv_userspace_memory_region *region);

/* ---------------------------------------------------------------------------------------------------------
 * 4.4 PHV_GET_DIRTY_LOG  (KVM_GET_DIRTY_LOG)
 *
 * Parameters: slot, bitmap (out): one bit per 4 KiB page of the slot, bit n of byte n/8 for page n, the
 *             buffer at least ceil(pages / 64) * 8 bytes.
 * Returns: 0; -EINVAL for a bad slot number; -ENOENT if the slot does not exist or has no
 *          PHV_MEM_LOG_DIRTY_PAGES; -EFAULT for a NULL bitmap.
 *
 * Copies the pages the guest wrote since the last call and clears the log. Any thread may call it while
 * vcpus run (a live migration's iterations): each word is taken and cleared atomically, so no store is lost.
 */
int phv_get_dirty_log(phv_vm *vm, uint32_t slot, void *bitmap);

/* ---------------------------------------------------------------------------------------------------------
 * 4.4a PHV_INVALIDATE_CODE  (no KVM ioctl: KVM runs on hardware, whose instruction cache the host keeps)
 *
 * Parameters: gpa, size (bytes).
 * Returns: 0; -EINVAL if the range wraps; -EFAULT for a NULL vm.
 *
 * Tells the core that the caller itself wrote guest memory in [gpa, gpa+size) — a firmware or kernel image
 * reloaded at reset, an hcall that copied code — so instructions it had decoded from there are decoded
 * again. Guest stores (and the guest's icbi) need no call. Any thread may call it; each vcpu applies it
 * before its next instruction block.
 */
int phv_invalidate_code(phv_vm *vm, uint64_t gpa, uint64_t size);

/* ---------------------------------------------------------------------------------------------------------
 * 4.5 PHV_CREATE_VCPU
 *
 * Parameters: id (the vcpu's hardware thread id, which the guest sees in PIR and the device tree), vcpu (out).
 * Returns: 0; -EINVAL if id >= PHV_MAX_VCPUS; -EEXIST if the id is taken; -ENOMEM.
 *
 * The new vcpu is in the state of a freshly started pSeries thread: 64-bit mode, MSR = SF|ME, translation
 * off, every GPR and SPR 0 except PVR, PIR and the timebase.
 */
#define PHV_MAX_VCPUS 2048u

int phv_create_vcpu(phv_vm *vm, uint32_t id, phv_vcpu **vcpu);

/* ---------------------------------------------------------------------------------------------------------
 * 4.6 PHV_GET_ONE_REG / PHV_SET_ONE_REG  (KVM_GET_ONE_REG / KVM_SET_ONE_REG)
 *
 * Parameters: struct phv_one_reg (in): id = a KVM_REG_PPC_* id, addr = address of a buffer of the id's size.
 * Returns: 0; -EINVAL for an id that is not a PPC register id, whose size does not match the register, or
 *          that this core does not implement; -EFAULT for a NULL addr; -ENXIO for a register of a facility the
 *          CPU model does not have (e.g. DEXCR on POWER9).
 *
 * Besides KVM's ids, phv serves GPRs, NIP, MSR, CR, LR, CTR, XER, SRR0/1, SPRG0-3 and PVR under the ids
 * below (KVM moves these through KVM_GET_REGS/KVM_GET_SREGS; there is one path here). The full list is in
 * hv_core/src/vcpu/one_reg_table.cpp.
 *
 * LPCR: a VMM sets DPFD, ILE, TC, AIL, LD and VPM0 (KVM: the first five; it always sets VPM0 itself). VPM0
 * puts a hash partition's real mode through the VRMA: before its first run the core enters KVM's VRMA HPTEs
 * (64K pages over the memory slot at 0) and sets VRMASD, which reads back here. Without VPM0, real mode is
 * untranslated, as under QEMU TCG's pseries.
 */
struct phv_one_reg {
	uint64_t id;
	uint64_t addr;
};

#define PHV_REG_PPC 0x1000000000000000ull
#define PHV_REG_SIZE_SHIFT 52
#define PHV_REG_SIZE_MASK 0x00f0000000000000ull
#define PHV_REG_SIZE_U32 0x0020000000000000ull
#define PHV_REG_SIZE_U64 0x0030000000000000ull
#define PHV_REG_SIZE_U128 0x0040000000000000ull
#define PHV_REG_SIZE(id) (1u << (((id) & PHV_REG_SIZE_MASK) >> PHV_REG_SIZE_SHIFT))

/* KVM ids (index values from Linux arch/powerpc/include/uapi/asm/kvm.h). */
#define PHV_REG_PPC_DABR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x08)
#define PHV_REG_PPC_DSCR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x09)
#define PHV_REG_PPC_PURR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x0a)
#define PHV_REG_PPC_SPURR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x0b)
#define PHV_REG_PPC_DAR		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x0c)
#define PHV_REG_PPC_DSISR	(PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x0d)
#define PHV_REG_PPC_AMR		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x0e)
#define PHV_REG_PPC_UAMOR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x0f)
#define PHV_REG_PPC_FPR(n)	(PHV_REG_PPC | PHV_REG_SIZE_U64 | (0x20 + (n)))
#define PHV_REG_PPC_VR(n)	(PHV_REG_PPC | PHV_REG_SIZE_U128 | (0x40 + (n)))
#define PHV_REG_PPC_VSR(n)	(PHV_REG_PPC | PHV_REG_SIZE_U128 | (0x60 + (n)))
#define PHV_REG_PPC_FPSCR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x80)
#define PHV_REG_PPC_VSCR	(PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x81)
#define PHV_REG_PPC_VPA_ADDR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x82)	/* the guest's VPA, 0 = none; 128-byte aligned */
#define PHV_REG_PPC_TB_OFFSET	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x9c)
#define PHV_REG_PPC_IAMR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x9f)
#define PHV_REG_PPC_FSCR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xa3)
#define PHV_REG_PPC_TAR		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xa8)
#define PHV_REG_PPC_PID		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xb2)
#define PHV_REG_PPC_VRSAVE	(PHV_REG_PPC | PHV_REG_SIZE_U32 | 0xb4)
#define PHV_REG_PPC_LPCR	(PHV_REG_PPC | PHV_REG_SIZE_U32 | 0xb5)
#define PHV_REG_PPC_LPCR_64	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xb5)
#define PHV_REG_PPC_PPR		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xb6)
#define PHV_REG_PPC_ARCH_COMPAT	(PHV_REG_PPC | PHV_REG_SIZE_U32 | 0xb7)
#define PHV_REG_PPC_TIDR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xbc)
#define PHV_REG_PPC_PSSCR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xbd)
#define PHV_REG_PPC_DEC_EXPIRY	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xbe)
#define PHV_REG_PPC_ONLINE	(PHV_REG_PPC | PHV_REG_SIZE_U32 | 0xbf)
#define PHV_REG_PPC_DEXCR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xc6)
#define PHV_REG_PPC_HASHKEYR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xc7)
#define PHV_REG_PPC_HASHPKEYR	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0xc8)

/*
 * phv ids for the state KVM moves with KVM_GET_REGS/KVM_GET_SREGS. They live in an index range KVM leaves
 * unused on PPC (0x1000-0x10ff), so they can never collide with a KVM id.
 */
#define PHV_REG_PPC_GPR(n)	(PHV_REG_PPC | PHV_REG_SIZE_U64 | (0x1000 + (n)))
#define PHV_REG_PPC_NIP		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x1020)
#define PHV_REG_PPC_MSR		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x1021)
#define PHV_REG_PPC_CR		(PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x1022)
#define PHV_REG_PPC_LR		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x1023)
#define PHV_REG_PPC_CTR		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x1024)
#define PHV_REG_PPC_XER		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x1025)
#define PHV_REG_PPC_SRR0	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x1026)
#define PHV_REG_PPC_SRR1	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x1027)
#define PHV_REG_PPC_SPRG(n)	(PHV_REG_PPC | PHV_REG_SIZE_U64 | (0x1028 + (n)))	/* n = 0..3 */
#define PHV_REG_PPC_PVR		(PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x102c)
#define PHV_REG_PPC_DEC		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x102d)
#define PHV_REG_PPC_PIR		(PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x102e)
#define PHV_REG_PPC_TB		(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x102f)	/* read-only: guest timebase */
/*
 * The timebase offset without KVM's granule: PHV_REG_PPC_TB_OFFSET rounds up to a multiple of 2^24 ticks as
 * the hardware register does, which would make a VMM that keeps the guest's timebase continuous across a
 * stop or a migration (QEMU's vm clock) step it forward by up to 32 ms each time. Both ids read the same
 * offset; all vcpus of a partition should have the same one.
 */
#define PHV_REG_PPC_TB_OFFSET_EXACT	(PHV_REG_PPC | PHV_REG_SIZE_U64 | 0x1030)

int phv_get_one_reg(phv_vcpu *vcpu, const struct phv_one_reg *reg);
int phv_set_one_reg(phv_vcpu *vcpu, const struct phv_one_reg *reg);

/* ---------------------------------------------------------------------------------------------------------
 * 4.7 PHV_VCPU_RUN  (KVM_RUN)
 *
 * Returns: 0 with run->exit_reason set; -EINVAL for a NULL vcpu.
 *
 * Runs the vcpu until something needs the caller and describes it in the vcpu's struct phv_run (see
 * phv_vcpu_run_struct(); the pointer stays valid for the vcpu's lifetime, like KVM's mmap'd kvm_run).
 * Before re-entering, the core completes the previous exit from that struct as KVM does:
 *   PHV_EXIT_PAPR_HCALL  papr_hcall.ret goes to GPR3 and papr_hcall.args[0..8] to GPR4..12;
 *   PHV_EXIT_MMIO        for a load, mmio.data (host byte order of the guest access, i.e. the bytes as they
 *                        would be in memory) goes to the target register.
 * Setting run->immediate_exit makes the call return PHV_EXIT_INTR at once, before any guest instruction.
 */
enum phv_exit_reason {
	PHV_EXIT_UNKNOWN = 0,
	PHV_EXIT_DEBUG = 4,
	PHV_EXIT_HLT = 5,		/* vcpu ceded (H_CEDE) or executed `wait` with nothing pending */
	PHV_EXIT_MMIO = 6,
	PHV_EXIT_SHUTDOWN = 8,		/* checkstop: machine check with MSR[ME]=0 */
	PHV_EXIT_INTR = 10,		/* phv_vcpu_kick() or immediate_exit */
	PHV_EXIT_INTERNAL_ERROR = 17,
	PHV_EXIT_PAPR_HCALL = 19,
};

enum phv_internal_error {
	PHV_INTERNAL_ERROR_EMULATION = 1,	/* an instruction the core cannot execute here */
	PHV_INTERNAL_ERROR_FETCH = 2,		/* instruction fetch from a gpa in no slot */
};

struct phv_run {
	uint8_t immediate_exit;		/* in */
	uint8_t padding1[3];
	uint32_t exit_reason;		/* out: enum phv_exit_reason */
	uint64_t nip;			/* out: address of the instruction that caused the exit */
	union {
		/* PHV_EXIT_PAPR_HCALL: `sc 1` from privileged state; nr = GPR3, args = GPR4..12. */
		struct {
			uint64_t nr;
			uint64_t ret;
			uint64_t args[9];
		} papr_hcall;
		/*
		 * PHV_EXIT_MMIO: a load or store to a gpa outside RAM (or a store to a read-only slot). An access
		 * no exit can carry (larx/stcx., lq/lqarx/stqcx., atomic memory operations) does not exit: the
		 * guest takes a Data Storage interrupt with DSISR[49] ("bad access"; [38] for a store) and DAR =
		 * the EA, as under KVM-HV.
		 */
		struct {
			uint64_t phys_addr;
			uint8_t data[8];
			uint32_t len;
			uint8_t is_write;
		} mmio;
		/*
		 * PHV_EXIT_HLT: the vcpu ceded (H_CEDE, which also sets MSR[EE]) or executed `wait`, and no
		 * interrupt is pending. The caller sleeps until deadline_ns (CLOCK_MONOTONIC; when the
		 * decrementer fires; UINT64_MAX if it never will) or until it raises an interrupt, then calls
		 * phv_vcpu_run() again, which resumes after the cede and delivers what became pending.
		 */
		struct {
			uint64_t deadline_ns;
		} hlt;
		/* PHV_EXIT_DEBUG */
		struct {
			uint64_t address;
			uint32_t status;
		} debug;
		/* PHV_EXIT_INTERNAL_ERROR */
		struct {
			uint32_t suberror;	/* enum phv_internal_error */
			uint32_t insn;		/* the instruction word, when there is one */
			char reason[96];	/* NUL-terminated, human-readable */
		} internal;
		uint8_t padding[256];
	};
};

struct phv_run *phv_vcpu_run_struct(phv_vcpu *vcpu);
int phv_vcpu_run(phv_vcpu *vcpu);

/* Makes a running phv_vcpu_run() return PHV_EXIT_INTR soon. Safe to call from any thread. */
void phv_vcpu_kick(phv_vcpu *vcpu);

/* ---------------------------------------------------------------------------------------------------------
 * 4.8 PHV_INTERRUPT  (KVM_INTERRUPT with KVM_INTERRUPT_SET / _UNSET / _SET_LEVEL)
 *
 * Parameters: irq (in): PHV_INTERRUPT_SET raises the external interrupt line, PHV_INTERRUPT_UNSET lowers it.
 * Returns: 0; -EINVAL for any other value.
 *
 * The line is level-triggered: the guest takes an External interrupt (0x500) whenever it is raised and
 * MSR[EE]=1.
 */
#define PHV_INTERRUPT_SET ((uint32_t)-1)
#define PHV_INTERRUPT_UNSET ((uint32_t)-2)

int phv_interrupt(phv_vcpu *vcpu, uint32_t irq);

/* ---------------------------------------------------------------------------------------------------------
 * 4.9 Statistics (KVM_GET_STATS_FD, as name/value pairs)
 *
 * phv_vcpu_stat_count() returns the number of per-vcpu counters; phv_vcpu_stat() returns the name of counter
 * i and stores its value, or NULL for an index out of range. Names are stable and match KVM's where KVM has
 * the counter (sum_exits, hcall_exits, mmio_exits, ...).
 */
size_t phv_vcpu_stat_count(void);
const char *phv_vcpu_stat(const phv_vcpu *vcpu, size_t i, uint64_t *value);

/* ---------------------------------------------------------------------------------------------------------
 * 4.10 Disassembly (for traces and debug output)
 *
 * Writes the disassembly of the 32-bit instruction word (and `suffix`, the second word of a prefixed
 * instruction) into buf as a NUL-terminated string and returns the number of instruction bytes it covers
 * (4 or 8), or 0 with ".long 0x..." in buf for a word that decodes to no instruction.
 */
int phv_disassemble(uint32_t insn, uint32_t suffix, uint64_t nip, char *buf, size_t buflen);

/* Trace callback: called before each executed instruction when set (slow; for --trace). NULL disables. */
typedef void (*phv_trace_fn)(void *opaque, uint32_t vcpu_id, uint64_t nip, uint32_t insn, uint32_t suffix);
void phv_vcpu_set_trace(phv_vcpu *vcpu, phv_trace_fn fn, void *opaque);

/* ---------------------------------------------------------------------------------------------------------
 * 4.11 PHV_PPC_ALLOCATE_HTAB  (KVM_PPC_ALLOCATE_HTAB)
 *
 * Parameters: order (in): log2 of the hashed page table's size in bytes, 18..46.
 * Returns: 0; -EINVAL for an order outside 18..46; -EBUSY while any vcpu of the VM is inside phv_vcpu_run();
 *          -ENOMEM when the host cannot map the table (the previous table, if any, is kept).
 *
 * Gives the VM a hypervisor-owned HPT for a hash (PAPR LPAR) guest, which fills it with H_ENTER and the other
 * HPT hcalls, all served in the core. As with KVM: a table of another order replaces the existing one; the
 * same order clears every entry of the existing one; either way the partition is in hash mode afterwards
 * (a radix process table registered before is forgotten, LPCR[UPRT, HR, GTSE] are cleared) and every vcpu
 * starts with an empty TLB. If a hash-mode VM has no HPT when a vcpu first runs, the core allocates a 2^24-
 * byte one (KVM's default). Host memory is reserved lazily: an untouched table costs address space only.
 * Tell the guest the size in the device tree (ibm,pft-size = <0 order> in each cpu node, as QEMU does).
 *
 * A guest chooses radix itself with H_REGISTER_PROC_TBL (served in the core).
 */
#define PHV_PPC_MIN_HPT_ORDER 18
#define PHV_PPC_MAX_HPT_ORDER 46
#define PHV_PPC_DEFAULT_HPT_ORDER 24

int phv_vm_allocate_htab(phv_vm *vm, uint32_t order);

/* ---------------------------------------------------------------------------------------------------------
 * 4.12 PHV_PPC_GET_SMMU_INFO  (KVM_PPC_GET_SMMU_INFO)
 *
 * Parameters: info (out).
 * Returns: 0; -EFAULT for a NULL pointer.
 *
 * The hash MMU geometry a guest may use, in KVM's layout: SLB size (32), 32 data and 32 instruction keys,
 * 1T segments, and per base page size (4K, 64K, 16M) its SLB L||LP encoding and the actual page sizes with
 * their PTE LP encodings. This is what QEMU turns into ibm,segment-page-sizes, ibm,slb-size and
 * ibm,processor-storage-keys; phv-run should do the same.
 */
#define PHV_PPC_PAGE_SIZES_MAX_SZ 8
#define PHV_PPC_PAGE_SIZES_REAL 0x00000001
#define PHV_PPC_1T_SEGMENTS 0x00000002
#define PHV_PPC_NO_HASH 0x00000004

struct phv_ppc_one_page_size {
	uint32_t page_shift;	/* page shift (or 0 for the end of the list) */
	uint32_t pte_enc;	/* LP encoding in the HPTE (>> 12) */
};

struct phv_ppc_one_seg_page_size {
	uint32_t page_shift;	/* base page shift of the segment (or 0) */
	uint32_t slb_enc;	/* SLB L||LP bits as slbmte's RS holds them */
	struct phv_ppc_one_page_size enc[PHV_PPC_PAGE_SIZES_MAX_SZ];
};

struct phv_ppc_smmu_info {
	uint64_t flags;
	uint32_t slb_size;
	uint16_t data_keys;
	uint16_t instr_keys;
	struct phv_ppc_one_seg_page_size sps[PHV_PPC_PAGE_SIZES_MAX_SZ];
};

int phv_vm_get_smmu_info(phv_vm *vm, struct phv_ppc_smmu_info *info);

/* ---------------------------------------------------------------------------------------------------------
 * 4.13 PHV_PPC_CONFIGURE_V3_MMU  (KVM_PPC_CONFIGURE_V3_MMU) and its read-back
 *
 * Parameters: cfg (in / out).
 * Returns: 0; -EINVAL for a POWER8 VM (ISA 3.0 MMU only), unknown flags, a process_table whose GR bit does
 *          not match PHV_PPC_MMUV3_RADIX or whose PRTS is above 24; -EBUSY when the MMU type would change
 *          while a vcpu of the VM is inside phv_vcpu_run(); -EFAULT for a NULL pointer.
 *
 * Sets what H_REGISTER_PROC_TBL sets from inside the guest: radix or hash, the second doubleword of the
 * guest's partition table entry (GR | PRTB | PRTS for radix), and LPCR[GTSE] (tlbie allowed to the guest).
 * A VMM uses it after its own handling of ibm,client-architecture-support and when restoring a migrated
 * guest; phv_vm_get_v3_mmu() reads the same back (QEMU keeps it as spapr->patb_entry). Going to hash keeps
 * the HPT (allocate one with phv_vm_allocate_htab() if there is none); every vcpu starts with an empty TLB.
 */
#define PHV_PPC_MMUV3_RADIX	1
#define PHV_PPC_MMUV3_GTSE	2

struct phv_ppc_mmuv3_cfg {
	uint64_t flags;		/* PHV_PPC_MMUV3_* */
	uint64_t process_table;	/* second doubleword of the partition table entry */
};

int phv_vm_configure_v3_mmu(phv_vm *vm, const struct phv_ppc_mmuv3_cfg *cfg);
int phv_vm_get_v3_mmu(phv_vm *vm, struct phv_ppc_mmuv3_cfg *cfg);

/* ---------------------------------------------------------------------------------------------------------
 * 4.14 PHV_PPC_GET_RMMU_INFO  (KVM_PPC_GET_RMMU_INFO)
 *
 * Parameters: info (out).
 * Returns: 0; -EINVAL for a POWER8 VM; -EFAULT for a NULL pointer.
 *
 * The radix tree shapes and page sizes a guest may use, in KVM's layout: geometries (page shift and the bits
 * each level resolves, leaf level first) and AP encodings (AP << 29 | page shift), as QEMU puts them in
 * ibm,processor-radix-AP-encodings.
 */
struct phv_ppc_radix_geom {
	uint8_t page_shift;
	uint8_t level_bits[4];
	uint8_t pad[3];
};

struct phv_ppc_rmmu_info {
	struct phv_ppc_radix_geom geometries[8];
	uint32_t ap_encodings[8];
};

int phv_vm_get_rmmu_info(phv_vm *vm, struct phv_ppc_rmmu_info *info);

/* ---------------------------------------------------------------------------------------------------------
 * 4.15 SLB and HPT state (KVM_GET_SREGS / KVM_SET_SREGS slb[], KVM_PPC_GET_HTAB_FD)
 *
 * phv_vcpu_get_slb() / phv_vcpu_set_slb(): all PHV_PPC_SLB_SIZE entries of a vcpu's SLB, each as slbmte
 * takes it (slbe = ESID | V | entry number, slbv = the VSID half). set checks every entry as slbmte does and
 * changes nothing on -EINVAL (wrong entry number, reserved bits, segment size or page size encoding).
 * Returns 0, -EINVAL, -EFAULT.
 *
 * phv_vm_read_htab() / phv_vm_write_htab(): n HPTEs from entry `index`, two doublewords each (the first,
 * with V, then the second; host byte order, in the layout the HPT hcalls use). write checks nothing but the
 * range and drops every vcpu's TLB; only while no vcpu runs (-EBUSY). Returns 0; -EINVAL for a range beyond
 * the table (or no table); -EFAULT. A VMM builds KVM's HTAB migration stream from these and the record below.
 */
#define PHV_PPC_SLB_SIZE 32u

struct phv_ppc_slb_entry {
	uint64_t slbe;
	uint64_t slbv;
};

int phv_vcpu_get_slb(phv_vcpu *vcpu, struct phv_ppc_slb_entry *slb);
int phv_vcpu_set_slb(phv_vcpu *vcpu, const struct phv_ppc_slb_entry *slb);
int phv_vm_read_htab(phv_vm *vm, uint64_t index, uint64_t n, uint64_t *hptes);
int phv_vm_write_htab(phv_vm *vm, uint64_t index, uint64_t n, const uint64_t *hptes);

/*
 * phv_vm_htab_record() / phv_vm_take_htab_changes(): the record of changed HPTE groups a VMM iterates on to
 * migrate a hash guest while it runs, as KVM's HTAB fd sends every entry once and then only those with
 * HPTE_GR_MODIFIED. A group is 8 entries (a PTEG, 128 bytes): group g holds entries 8g..8g+7.
 *
 * phv_vm_htab_record(vm, 1) starts the record with no group marked (started again: cleared);
 * phv_vm_htab_record(vm, 0) stops it. Returns 0; -EINVAL for another value of on; -ENOMEM when the host
 * cannot map the record's bitmap (a bit per group). Read the whole table after starting: what was written
 * before the start is in no record.
 *
 * While it is on, every write to an entry marks the entry's group once the entry is written: H_ENTER,
 * H_REMOVE, H_PROTECT, H_BULK_REMOVE, H_CLEAR_REF, H_CLEAR_MOD, phv_vm_write_htab(), the VRMA entries the
 * core enters at a hash guest's first run; phv_vm_allocate_htab() (a new or cleared table) and a resize
 * commit mark every group of the table that results. R and C set by translation mark nothing (KVM's record
 * and QEMU's TCG table do not keep them either). Off, the record costs a write one load of a flag.
 *
 * phv_vm_take_htab_changes(vm, order, first, n, bitmap): takes and clears the marks of groups first..first+n-1:
 * bit i % 64 of bitmap[i / 64] is set when group first + i changed since the previous take of it (or since
 * the start); bitmap holds (n + 63) / 64 words, the bits past n are 0. order is the log2 size of the table
 * the caller is sending. Read the marked groups after the take: a write after it marks the group again for
 * the next take. Returns the number of marked groups (>= 0); -ENXIO when no record is on; -ESTALE when the
 * VM has no table or one of another order (reallocated or resized since the caller looked: nothing is taken,
 * start again with the new size); -EINVAL when first is not a multiple of 64 or the range goes beyond the
 * table; -EFAULT.
 */
int phv_vm_htab_record(phv_vm *vm, int on);
int64_t phv_vm_take_htab_changes(phv_vm *vm, uint32_t order, uint64_t first, uint64_t n, uint64_t *bitmap);

/* ---------------------------------------------------------------------------------------------------------
 * 4.16 PHV_ENABLE_NESTED  (KVM_ENABLE_CAP(KVM_CAP_PPC_NESTED_HV); QEMU's cap-nested-hv / cap-nested-papr)
 *
 * Parameters: api: PHV_NESTED_NONE, PHV_NESTED_V1 (H_SET_PARTITION_TABLE, H_ENTER_NESTED, ...) or
 *             PHV_NESTED_V2 (PAPR H_GUEST_* with guest state buffers).
 * Returns: 0; -EINVAL for an unknown api or a POWER8 VM (nested guests are radix partitions, ISA 3.0 on);
 *          -EBUSY when the VM has nestedv2 L2 guests and api differs from the enabled one; -EFAULT for a
 *          NULL vm.
 *
 * Lets the guest act as a nested hypervisor (L1) with phv as its L0: the core then serves that API's
 * hcalls itself, as KVM-HV serves H_ENTER_NESTED. The two APIs exclude each other (the last call wins).
 * While no API is enabled the nested hcalls answer H_FUNCTION without leaving the core. A VMM that
 * enables PHV_NESTED_V2 tells the guest so in the device tree (ibm,hypertas-functions gets nothing new:
 * the L1 probes with H_GUEST_GET_CAPABILITIES).
 */
#define PHV_NESTED_NONE	0u
#define PHV_NESTED_V1	1u
#define PHV_NESTED_V2	2u

int phv_vm_enable_nested(phv_vm *vm, uint32_t api);

/* ---------------------------------------------------------------------------------------------------------
 * 4.16.1 Nested guests of a VM (phv's own: KVM-HV keeps its nested guests to itself)
 *
 * Parameters: struct phv_nested_info (in/out): nr_guests and nr_vcpus (in) are the capacities of guests[]
 *             and vcpus[] (either array may be NULL with capacity 0).
 * Returns: 0 with nr_guests/nr_vcpus (out) the numbers filled in; -E2BIG when either array is too small,
 *          with nr_guests/nr_vcpus (out) the numbers needed and nothing else written; -EFAULT for a NULL
 *          vm or info.
 *
 * A snapshot of the L2 guests the L1 has made through the enabled nested API, taken under the L0's lock
 * (values only, no pointers into live state): nestedv2 guests from H_GUEST_CREATE to H_GUEST_DELETE, with
 * their vcpus; nestedv1 L2s as the L0 has met them in H_ENTER_NESTED (an LPID and the vcpu_tokens run
 * under it), forgotten, as KVM-HV forgets its nested guests, when the L1 sets another partition table or
 * flushes the whole LPID (H_TLB_INVALIDATE RIC=2 IS=2, H_RPT_INVALIDATE NESTED with PAT) and the LPID's
 * partition-table entry is then no longer a radix one. Guests are in ascending id order, each guest's vcpus
 * in ascending id order at vcpus[first_vcpu .. first_vcpu + nr_vcpus - 1]. The counters are those of
 * phv_vcpu_stat()'s nested_* for this one L2 vcpu, in L1 timebase ticks.
 */
#define PHV_NESTED_VCPU_IDLE	0u	/* not being run by any L1 vcpu */
#define PHV_NESTED_VCPU_RUNNING	1u	/* inside H_GUEST_RUN_VCPU / H_ENTER_NESTED on some L1 vcpu */

/* Exit reasons, the index into phv_nested_vcpu.exits[] (the vector that ended the run). */
#define PHV_NESTED_EXIT_HCALL		0u	/* 0xC00: sc 1 */
#define PHV_NESTED_EXIT_HDSI		1u	/* 0xE00 */
#define PHV_NESTED_EXIT_HISI		2u	/* 0xE20 */
#define PHV_NESTED_EXIT_HEA		3u	/* 0xE40: hypervisor emulation assistance */
#define PHV_NESTED_EXIT_HFAC		4u	/* 0xF80: hypervisor facility unavailable */
#define PHV_NESTED_EXIT_HDEC		5u	/* 0x980 */
#define PHV_NESTED_EXIT_OTHER		6u	/* 0: the L1's interrupt, a kick, an idle L2, a VMM exit */
#define PHV_NESTED_EXIT_NR		7u

struct phv_nested_vcpu {
	uint32_t vcpu_id;	/* nestedv2: the L2 vcpu id; nestedv1: the hv_guest_state vcpu_token */
	uint32_t state;		/* PHV_NESTED_VCPU_* */
	uint64_t runs;		/* entries into the L2 */
	uint64_t exits[PHV_NESTED_EXIT_NR];
	uint64_t l1_to_l2_tb;	/* hcall to the L2's first instruction, summed */
	uint64_t l2_runtime_tb;	/* in the L2 */
	uint64_t l2_to_l1_tb;	/* the L2's exit to the L1's resumption */
};

struct phv_nested_guest {
	uint32_t id;		/* nestedv2: the guest id H_GUEST_CREATE returned; nestedv1: the LPID */
	uint32_t api;		/* PHV_NESTED_V1 or PHV_NESTED_V2 */
	uint32_t first_vcpu;	/* index into phv_nested_info.vcpus */
	uint32_t nr_vcpus;
	uint32_t logical_pvr;	/* nestedv2: the guest's logical PVR (0x0F00000x); nestedv1: 0 */
	uint32_t pad;
};

struct phv_nested_info {
	uint32_t nr_guests;	/* in: capacity of guests[]; out: filled (or needed, with -E2BIG) */
	uint32_t nr_vcpus;	/* in: capacity of vcpus[]; out: filled (or needed) */
	struct phv_nested_guest *guests;
	struct phv_nested_vcpu *vcpus;
};

int phv_vm_get_nested(phv_vm *vm, struct phv_nested_info *info);

/* The name of exit reason i ("hcall", "hdsi", "hisi", "hea", "hfac", "hdec", "other"), NULL past the end. */
const char *phv_nested_exit_name(uint32_t i);

/* ---------------------------------------------------------------------------------------------------------
 * 4.16.2 Nested L0 state for migration (phv's own: KVM-HV cannot migrate an L1 with nested guests)
 *
 * phv_vm_get_nested_state(vm, buf, size):
 * Parameters: buf (out, may be NULL when *size is 0); size (in/out): the capacity of buf, then the bytes
 *             the state takes.
 * Returns: 0 with *size the bytes written (0 when the L0 holds nothing: no API enabled, or nestedv1 without
 *          a partition table, or nestedv2 before H_GUEST_SET_CAPABILITIES and without guests: a VMM then
 *          needs to send nothing); -E2BIG with *size the bytes needed and nothing written; -EBUSY while a
 *          vcpu runs an L2 (stop the vcpus first); -EFAULT for a NULL vm or size.
 *
 * phv_vm_set_nested_state(vm, buf, size, err):
 * Parameters: buf, size (in): what get wrote on the source (size 0: drop every L2 the L0 holds, as after a
 *             load of a stream without nested state); err (out, may be NULL): on -EINVAL the byte offset
 *             of the refused record or field and a constant message saying why.
 * Returns: 0; -EINVAL for a blob the L0 could not have made (every field is checked: magic, version, the
 *          enabled API, sizes, record tags and lengths, ids, capabilities this VM's CPU offers, logical
 *          PVR, tables, run buffers, VPA alignment, MSR/LPCR/XER/VSCR bits, SPR numbers, counters), and
 *          then the L0's state is as it was; -EBUSY while a vcpu is inside phv_vcpu_run(); -EFAULT.
 *
 * What the L0 keeps for its L1 between hcalls, as one versioned, self-describing blob (the layout is
 * nested/README.md's): nestedv1 the L1's PTCR and the (LPID, vcpu_token) records with their counters;
 * nestedv2 the negotiated capabilities, every guest (logical PVR, timebase offset, partition and process
 * tables) and every L2 vcpu (all registers, SPRs by number, DEC/HDEC expiry, run buffers, VPA, counters).
 * A vcpu stopped while it runs an L2 returns to its L1 first (an unspecified exit: vector 0 for
 * H_GUEST_RUN_VCPU, 0x980 (HDEC) for H_ENTER_NESTED), so the blob never holds a run in progress; the L1
 * runs the L2 again after the load. The destination enables the same API (phv_vm_enable_nested) before
 * it loads the blob. Timebase values in it are L1 timebase, which the VMM keeps continuous.
 */
struct phv_nested_state_error {
	uint32_t offset;	/* of the refused record or field in the blob */
	uint32_t pad;
	const char *reason;	/* a constant string */
};

int phv_vm_get_nested_state(phv_vm *vm, void *buf, uint64_t *size);
int phv_vm_set_nested_state(phv_vm *vm, const void *buf, uint64_t size, struct phv_nested_state_error *err);

/* ---------------------------------------------------------------------------------------------------------
 * 4.17 PHV_PPC_RESIZE_HPT_PREPARE / PHV_PPC_RESIZE_HPT_COMMIT  (KVM_PPC_RESIZE_HPT_PREPARE / _COMMIT)
 *
 * Parameters: flags (in): must be 0; shift (in): log2 of the new HPT's size, 18..46, or 0 (prepare: cancel).
 * Returns (prepare): 0 when a table of 2^shift bytes is ready (phv prepares it at once, so a positive
 *          "milliseconds still to wait", which KVM may return, never comes back); 0 after a cancel;
 *          -EINVAL for flags, a shift outside 0 and 18..46, or a radix partition; -ENOMEM.
 * Returns (commit): 0; -EINVAL as for prepare; -ENXIO when no table of that shift was prepared (or there is
 *          no HPT); -ENOSPC when two bolted entries meet in one slot of a smaller table (the old table
 *          stays); -EBUSY when a running vcpu does not stop at an instruction boundary within a second;
 *          -ENOMEM when the change record (4.15) is on and cannot map its bitmap for the new table (the old
 *          table stays).
 *
 * The core leaves PAPR's H_RESIZE_HPT_PREPARE (0x36c) and H_RESIZE_HPT_COMMIT (0x370) to the VMM (as
 * PHV_EXIT_PAPR_HCALL), as KVM leaves them to QEMU, which checks its own policy (QEMU: H_AUTHORITY when
 * resizing is off, H_RESOURCE above one order more than it would give the RAM) and calls these; it turns the
 * results into hcall returns as QEMU's resize_hpt_convert_rc does (-EINVAL H_PARAMETER, -ENXIO H_CLOSED,
 * -ENOSPC H_PTEG_FULL, -EBUSY H_BUSY, -ENOMEM H_NO_MEM), and advertises "hcall-hpt-resize".
 * Commit holds every running vcpu at an instruction boundary, moves each valid bolted entry (software bit
 * 0x10 of doubleword 0, Linux's HPTE_V_BOLTED) to its hash group in the new table (same slot, same primary or
 * secondary hash, R and C kept), drops the others, makes the new table current and empties every TLB; the
 * prepared table is used up whatever the result; a change record that is on marks every group of the new
 * table (phv_vm_take_htab_changes() then says -ESTALE to a caller of the old order). As with KVM the guest
 * must be quiescent around the commit (Linux calls it from stop_machine); if it is not, it sees entries
 * vanish, never host memory.
 */
int phv_vm_resize_hpt_prepare(phv_vm *vm, uint64_t flags, uint32_t shift);
int phv_vm_resize_hpt_commit(phv_vm *vm, uint64_t flags, uint32_t shift);

/* ---------------------------------------------------------------------------------------------------------
 * 4.18 PHV_SET_GUEST_DEBUG  (KVM_SET_GUEST_DEBUG)
 *
 * Parameters: struct phv_guest_debug (in).
 * Returns: 0; -EINVAL for a NULL argument, an unknown control bit, more than PHV_GUESTDBG_MAX_HW_BP entries
 *          or an entry whose type is not PHV_DEBUG_BREAKPOINT or a non-empty set of the WATCH bits, or whose
 *          watch length is not 1..4096.
 *
 * What a VMM's gdbstub needs from the core. Without PHV_GUESTDBG_ENABLE everything is off (the default).
 *   PHV_GUESTDBG_SINGLESTEP  every instruction that completes (or takes an interrupt) ends the run with
 *                            PHV_EXIT_DEBUG, status PHV_DEBUG_SINGLESTEP, address = nip = the next one.
 *                            An instruction that exits for MMIO or an hcall reports its step on the next
 *                            phv_vcpu_run(), once the exit is complete, before running anything.
 *   PHV_GUESTDBG_USE_SW_BP   the word PHV_SW_BREAKPOINT_INSN (what KVM-HV's KVM_REG_PPC_DEBUG_INST gives QEMU
 *                            for kvm_arch_insert_sw_breakpoint; readable as PHV_REG_PPC_DEBUG_INST) ends the
 *                            run with PHV_EXIT_DEBUG, status 0, address = nip = its address, instead of being
 *                            an illegal instruction (a Program interrupt, as without the flag).
 *   PHV_GUESTDBG_USE_HW_BP   bp[0..nr_bp-1]: PHV_DEBUG_BREAKPOINT stops before the instruction at addr runs
 *                            (status PHV_DEBUG_BREAKPOINT, address = nip = addr); PHV_DEBUG_WATCH_READ and/or
 *                            _WRITE stop before a load or store that touches [addr, addr+len) (status the
 *                            kind that matched, address = addr, nip = the instruction, which has not run).
 *   PHV_GUESTDBG_BLOCKIRQ    (KVM_GUESTDBG_BLOCKIRQ, same value) asynchronous interrupts are held: external
 *                            (the line, or an L2's injected one), decrementer, privileged doorbell,
 *                            performance monitor, and for a nested L2 run the L1's HDEC and interrupt line
 *                            that would end it. Nothing is lost: each stays pending and is taken on the
 *                            first phv_vcpu_run() after the flag is cleared, if MSR[EE] allows it then.
 *                            Interrupts an instruction causes (program, DSI/ISI, alignment, system call,
 *                            facility unavailable, trace...) are taken as without it. A `wait` or H_CEDE
 *                            meanwhile still exits PHV_EXIT_HLT, with deadline_ns = now (a held interrupt
 *                            may be pending). Time is not held: the timebase and DEC count on, only the
 *                            interrupt is deferred (what QEMU's SSTEP_NOIRQ asks of a step; its NOTIMER
 *                            stops the VMM's timer callbacks, not the guest's clock).
 * Addresses are effective addresses, compared as the guest issues them. When the run resumes at the nip of a
 * breakpoint or watchpoint stop, that first instruction is let through once (as the POWER debug facilities
 * do), so "continue" needs no step-over; a VMM that changes NIP in between gets its new NIP checked.
 */
#define PHV_GUESTDBG_ENABLE	0x00000001u
#define PHV_GUESTDBG_SINGLESTEP	0x00000002u
#define PHV_GUESTDBG_USE_SW_BP	0x00010000u
#define PHV_GUESTDBG_USE_HW_BP	0x00020000u
#define PHV_GUESTDBG_BLOCKIRQ	0x00100000u
#define PHV_GUESTDBG_MAX_HW_BP	16

/* Entry types and run->debug.status bits (KVM's KVMPPC_DEBUG_*; SINGLESTEP is phv's). */
#define PHV_DEBUG_SINGLESTEP	(1u << 0)
#define PHV_DEBUG_BREAKPOINT	(1u << 1)
#define PHV_DEBUG_WATCH_WRITE	(1u << 2)
#define PHV_DEBUG_WATCH_READ	(1u << 3)

/* KVMPPC_INST_SW_BREAKPOINT: a word of primary opcode 0, illegal on every POWER CPU. */
#define PHV_SW_BREAKPOINT_INSN	0x00dddd00u
#define PHV_REG_PPC_DEBUG_INST	(PHV_REG_PPC | PHV_REG_SIZE_U32 | 0x8b)

struct phv_guest_debug_bp {
	uint64_t addr;
	uint32_t type;		/* PHV_DEBUG_BREAKPOINT, or PHV_DEBUG_WATCH_READ and/or PHV_DEBUG_WATCH_WRITE */
	uint32_t len;		/* watchpoints: bytes from addr */
};

struct phv_guest_debug {
	uint32_t control;	/* PHV_GUESTDBG_* */
	uint32_t nr_bp;		/* entries of bp[] in use (PHV_GUESTDBG_USE_HW_BP) */
	struct phv_guest_debug_bp bp[PHV_GUESTDBG_MAX_HW_BP];
};

int phv_vcpu_set_guest_debug(phv_vcpu *vcpu, const struct phv_guest_debug *dbg);

#ifdef __cplusplus
}
#endif

#endif /* PHV_PHV_H */
