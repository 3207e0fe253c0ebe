/* Interrupt vectors for the privileged payload: a big-endian stub at each vector records the interrupt. */
#ifndef PRIV_VECTORS_H
#define PRIV_VECTORS_H
#include <stdint.h>

/* What the stub saw, read back after run_probe() returned 1. */
struct taken {
	uint64_t vector, srr0, srr1, msr, lr, ctr, dar, dsisr, count;
};

/* Writes the stubs at every vector a guest can take (and the scv vectors) and the common handler. */
void vectors_install(void);
/*
 * The same stubs at 0x4000 + vector: where LPCR[AIL]=3 sends an interrupt taken with relocation on
 * (0xc000_0000_0000_4000 + vector, which the radix payload maps onto real 0x4000 + vector).
 */
void vectors_install_ail(void);
/* Where an interrupt resumes: probe_resume with this MSR (little-endian). */
void vectors_arm(uint64_t resume_msr);
void vectors_read(struct taken *t);

/* A probe (../priv/probes.S): run_probe() returns 0 when it completed (its result in probe_result), 1 when it took an interrupt. */
typedef long probe_fn(long);
long run_probe(probe_fn *fn, long arg);
extern long probe_result;

/*
 * Runs fn(arg) resuming with resume_msr and prints its "@@PRIV@@ name ..." line as the radix and hash payloads
 * compare it with TCG's: the result, or the vector with SRR0 relative to fn (DAR and DSISR for the storage ones).
 * *t holds what the vector stub saw.
 */
void probe_report(const char *name, probe_fn *fn, long arg, uint64_t resume_msr, struct taken *t);

#endif
