/* Radix page tables a test payload builds for itself (big-endian entries, as the MMU reads them). */
#ifndef PAYLOAD_RADIX_TREE_H
#define PAYLOAD_RADIX_TREE_H

#include <stdint.h>

#define PTE_V		(1ull << 63)
#define PTE_L		(1ull << 62)

/* A 52-bit tree: a root of 2^13 entries (64 KiB aligned), then 9-bit levels, pages for those from a pool. */
struct radix_tree {
	uint64_t *root;
	uint64_t (*pool)[512];
	unsigned pool_size, pool_used;
};

static inline void put(uint64_t *p, uint64_t v) { *(volatile uint64_t *)p = __builtin_bswap64(v); }
static inline uint64_t get(const uint64_t *p) { return __builtin_bswap64(*(volatile const uint64_t *)p); }
static inline void ptesync(void) { __asm__ volatile(".long 0x7c4004ac" : : : "memory"); }

/* The directory entry dir[index] points to, made (NLS nls) from a fresh pool page when invalid. */
uint64_t *radix_subdir(struct radix_tree *t, uint64_t *dir, unsigned index, unsigned nls);

/* The leaf entry of the 2^shift-byte page at ea (shift 12, 16, 21 or 30), with the directories above it. */
uint64_t *radix_leaf(struct radix_tree *t, uint64_t ea, unsigned shift);

/* Maps that page to ra with the attribute bits (R, C, EAA ...), ptesync; returns the leaf entry. */
uint64_t *radix_map(struct radix_tree *t, uint64_t ea, uint64_t ra, unsigned shift, uint64_t bits);

#endif
