/*
 * What the nested payload's files share: hcall and guest-state-buffer helpers, the check line, the L1's
 * memory layout and the L2's code labels (nested.c runs the L2, l2_probes.c probes its isolation).
 */
#ifndef NESTED_H
#define NESTED_H

#include <stdint.h>

#define H_FUNCTION			(-2)
#define H_PARAMETER			(-4)
#define H_P2				(-55)
#define H_P3				(-56)
#define H_P4				(-57)
#define H_INVALID_ELEMENT_ID		(-79)
#define H_INVALID_ELEMENT_SIZE		(-80)
#define H_INVALID_ELEMENT_VALUE		(-81)
#define H_PARTITION_PAGE_TABLE_NOT_DEFINED (-86)
#define H_REGISTER_VPA			0xdc
#define H_GUEST_GET_CAPABILITIES	0x460
#define H_GUEST_SET_CAPABILITIES	0x464
#define H_GUEST_CREATE			0x470
#define H_GUEST_CREATE_VCPU		0x474
#define H_GUEST_GET_STATE		0x478
#define H_GUEST_SET_STATE		0x47c
#define H_GUEST_RUN_VCPU		0x480
#define H_GUEST_DELETE			0x488
#define H_SET_PARTITION_TABLE		0xf800
#define H_ENTER_NESTED			0xf804
#define H_TLB_INVALIDATE		0xf808
#define CAP_POWER9			(1ull << 62)
#define CAP_POWER10			(1ull << 61)
#define WIDE				(1ull << 63)

/* Guest state element ids (kvm-nested.rst). */
#define GS_PARTITION_TABLE	0x0005
#define GS_LOGICAL_PVR		0x0003
#define GS_RUN_INPUT		0x0c00
#define GS_RUN_OUTPUT		0x0c01
#define GS_GPR(n)		(0x1000 + (n))
#define GS_HDEC_EXPIRY		0x1020
#define GS_NIA			0x1021
#define GS_MSR			0x1022
#define GS_LPCR			0x102c
#define GS_CR			0x2000
#define GS_VSR(n)		(0x3000 + (n))
#define GS_HDAR			0xf000
#define GS_HDSISR		0xf001
#define GS_HEIR			0xf002
#define GS_ASDR			0xf003

/* L1 memory the payload uses (phv-run gives 1 GiB; the image and its stack sit below 8 MiB). */
#define ROOT		0x4000000ull	/* partition-scoped root, 2^13 entries (64 KiB aligned) */
#define DIR1		0x4010000ull
#define DIR2		0x4011000ull
#define RUN_IN		0x4100000ull
#define RUN_OUT		0x4101000ull
#define SCRATCH		0x4102000ull
#define VPA		0x4103000ull
#define V1_HV		0x4104000ull	/* nestedv1: struct hv_guest_state */
#define V1_REGS		0x4105000ull	/* ... and struct pt_regs */
#define V1_PATB		0x4020000ull	/* nestedv1: the L1's partition table, 4 KiB */
#define L2_MEM		0x4200000ull	/* L2 real 0..2M */
#define L2_MEM2		0x4400000ull	/* L2 real 8M..10M, mapped late */
#define L2_CODE		0x1000ull	/* where the L2's code goes, L2 real */

#define PTE_V		(1ull << 63)
#define PTE_L		(1ull << 62)
#define PTE_R		(1ull << 8)
#define PTE_C		(1ull << 7)
#define PTE_RWX		7ull

extern const uint32_t nested_l2_start[], nested_l2_end[], nested_l2_count[], nested_l2_load[],
	nested_l2_illegal[], nested_l2_spin[];

extern const uint32_t nested_l2_store[], nested_l2_reloc_load[], nested_l2_sc[], nested_l2_vector[];

/* The time limit each run gets (as a KVM L1 gives its L2 the time to its next timer): 2^29 ticks, about a
 * second at 512 MHz. An expiry that does not fit the hypervisor decrementer (e.g. ~0) is in the past for
 * QEMU's L0, which loads HDEC with it. */
#define HDEC_SLICE	(1ull << 29)

struct ret {
	long r3;
	uint64_t r4, r5;
};

/* A guest state buffer under construction. */
struct gsb {
	uint8_t *p;
	uint32_t n, len;
};

#define HV(off)		(*(volatile uint64_t *)(V1_HV + (off)))
#define REG(off)	(*(volatile uint64_t *)(V1_REGS + (off)))
#define GPR(n)		REG(8 * (n))
#define NIP		REG(0x100)

extern long gid;

uint64_t tb_now(void);
struct ret hc(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
struct ret hc6(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6);
void check(const char *name, uint64_t got, uint64_t want);
void be64(uint64_t addr, uint64_t v);
uint64_t rd64(uint64_t addr);
void gsb_start(struct gsb *b, uint64_t addr);
void gsb_put(struct gsb *b, uint16_t id, unsigned size, const uint64_t *dw);
void put64(struct gsb *b, uint16_t id, uint64_t v);
void put128(struct gsb *b, uint16_t id, uint64_t hi, uint64_t lo);
uint64_t gsb_find(uint64_t addr, uint16_t id);
long set_state(uint64_t flags, struct gsb *b);
uint64_t get1(uint16_t id, unsigned size);
uint64_t l2_label(const uint32_t *label);

/* l2_probes.c: the L2's isolation probes, through nestedv2 (gid) or nestedv1 (LPID 1, V1_HV/V1_REGS). */
void l2_probes(int v1, uint64_t ram_end, const char *skip);
/* A probe that stops the whole VM (an L2 reaching L1 memory that is not RAM): "l2probe=NAME" runs only it. */
void l2_fatal_probe(int v1, const char *name, uint64_t ram_end);

#endif
