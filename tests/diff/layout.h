/*
 * The memory layout and file formats shared by phv-diff (host, C++) and diff-exec (ppc64le, C).
 *
 * Both worlds see the same bytes at the same absolute address, so a generated case runs unchanged in each
 * and the results compare byte for byte: under qemu-ppc64le the executor maps the region at DIFF_BASE;
 * under phv it is a memslot at gpa DIFF_BASE and the vcpu runs in real mode.
 *
 *   DIFF_BASE + 0x0000  ctx: inputs, outputs, RET, SAVED_SP, scratch, fault report  (struct diff_ctx)
 *   DIFF_BASE + 0x1000  data area, DIFF_DATA_SIZE bytes: the only memory random loads/stores touch
 *   DIFF_BASE + 0x2000  `li r3,0; sc 1`: phv's return address for a case (qemu's is the executor's trampoline)
 *   DIFF_BASE + 0x3000  code of every case, one after the other
 *
 * Blob (phv-diff -> diff-exec): struct diff_blob_header, the region image (header.region_size bytes,
 * code included), then header.ncases records of struct diff_case_in followed by DIFF_DATA_SIZE data bytes.
 * Result (diff-exec -> phv-diff): header.ncases records of struct diff_case_out, each followed by the data
 * area as the case left it. Fields are in the byte order of the world the cases run in: little-endian for
 * diff-exec under qemu-ppc64le, big-endian for diff-exec-be under qemu-ppc64 (phv-diff --big-endian).
 */
#ifndef PHV_DIFF_LAYOUT_H
#define PHV_DIFF_LAYOUT_H

#define DIFF_BASE 0x40000000
#define DIFF_CTX_OFF 0x0
#define DIFF_DATA_OFF 0x1000
#define DIFF_DATA_SIZE 1024
#define DIFF_STUB_OFF 0x2000
#define DIFF_CODE_OFF 0x3000
#define DIFF_MAGIC 0x66696476u /* "vdif" */

/* Offsets the generated code and the trampoline use (checked against the struct in the C++ side). */
#define DIFF_IN_GPR(n) ((n) * 8)
#define DIFF_IN_CR (32 * 8)
#define DIFF_IN_XER (33 * 8)
#define DIFF_IN_CTR (34 * 8)
#define DIFF_IN_LR (35 * 8)
#define DIFF_IN_FPSCR (36 * 8)
#define DIFF_IN_VSCR 304
#define DIFF_IN_VSR(n) (320 + (n) * 16)
#define DIFF_REGS_SIZE 1344
#define DIFF_OUT DIFF_REGS_SIZE
#define DIFF_RET (2 * DIFF_REGS_SIZE)
#define DIFF_SAVED_SP (DIFF_RET + 8)
#define DIFF_SCRATCH (DIFF_RET + 16)
#define DIFF_FAULT_SIG (DIFF_RET + 24)
#define DIFF_FAULT_NIP (DIFF_RET + 32)
#define DIFF_RECOVER (DIFF_RET + 40)
#define DIFF_TRAPS (DIFF_RET + 48)
#define DIFF_TRAP_HASH (DIFF_RET + 56)

/* VSCR bits the harness compares: NJ and SAT (Book I 6.3.1); the others do not exist. */
#define DIFF_VSCR_BITS 0x00010001u

#ifndef __ASSEMBLER__
#include <stdint.h>

/*
 * A VSR as lxv/stxv move it: a 128-bit number in the world's byte order. Little-endian (and a 16-byte
 * ONE_REG on the host) keeps the low doubleword (doubleword 1, ISA bits 64:127) first; in a big-endian
 * world's ctx the two are swapped as well as byte-reversed (qemu_oracle.cpp).
 */
struct diff_vsr {
	uint64_t lo; /* doubleword 1 */
	uint64_t hi; /* doubleword 0: the FPR of VSR0-31 */
};

/*
 * Architected state a case reads and writes, in this order in memory. The generated code moves the GPRs and
 * CR/XER/CTR/LR; the FP and vector state is loaded and stored around the case by the executor's trampoline
 * (qemu) and through ONE_REG (phv), so a case's prologue stays the same for both worlds.
 */
struct diff_regs {
	uint64_t gpr[32]; /* r31 is the ctx pointer: never loaded, stored or written */
	uint64_t cr;
	uint64_t xer;
	uint64_t ctr;
	uint64_t lr;
	uint64_t fpscr;
	uint64_t pad0;
	struct diff_vsr vscr; /* as mtvscr/mfvscr move it: VSCR is word element 3, the low 32 bits of .lo */
	struct diff_vsr vsr[64];
};

struct diff_ctx {
	struct diff_regs in;
	struct diff_regs out;
	uint64_t ret;      /* where the epilogue's blr goes */
	uint64_t saved_sp; /* executor's r1 while a case runs */
	uint64_t scratch;  /* target of the prologue's reservation-clearing stdcx. */
	uint64_t fault_sig; /* executor: signal that ended the case, 0 if none */
	uint64_t fault_nip;
	uint64_t recover;  /* executor: where its signal handler sends a case that faulted */
	uint64_t traps;     /* trap interrupts the case took and continued after (tw/td/twi/tdi) */
	uint64_t trap_hash; /* diff_trap_hash() over their addresses, in order */
};

struct diff_blob_header {
	uint32_t magic;
	uint32_t ncases;
	uint64_t base;
	uint64_t region_size;
};

struct diff_case_in {
	uint64_t code_off; /* from DIFF_BASE */
	struct diff_regs regs;
};

/* A case that faulted (fault_sig != 0) reports the registers at the faulting instruction. */
struct diff_case_out {
	uint64_t fault_sig;
	uint64_t fault_nip;
	struct diff_regs regs;
	uint64_t traps;
	uint64_t trap_hash;
};

/*
 * A trap that fires is not the end of a case: both worlds note its address and go on after it (Linux
 * delivers SIGTRAP with the trap's address, phv-diff sees the Program interrupt), so "trapped at the same
 * places with the same state" is compared like any other result.
 */
static inline uint64_t diff_trap_hash(uint64_t hash, uint64_t nip) {
	return (hash ^ nip) * 0x100000001b3ull + 1;
}

#endif /* __ASSEMBLER__ */

#endif
