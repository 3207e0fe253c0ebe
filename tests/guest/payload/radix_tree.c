#include "radix_tree.h"
#include "platform.h"
#include "console.h"

uint64_t *radix_subdir(struct radix_tree *t, uint64_t *dir, unsigned index, unsigned nls)
{
	uint64_t e = get(&dir[index]);

	if (e & PTE_V)
		return (uint64_t *)(e & 0x0fffffffffffff00ull);
	if (t->pool_used == t->pool_size) {
		/* A payload bug, not a result: stop where the check scripts see no DONE line. */
		console_printf("@@PAYLOAD-ERROR@@ radix tree pool of %u pages exhausted\n", t->pool_size);
		platform_exit(0);
	}
	uint64_t *sub = t->pool[t->pool_used++];

	for (unsigned i = 0; i < 512; i++)
		sub[i] = 0;
	put(&dir[index], PTE_V | (uint64_t)sub | nls);
	return sub;
}

uint64_t *radix_leaf(struct radix_tree *t, uint64_t ea, unsigned shift)
{
	uint64_t a = ea & 0x000fffffffffffffull;
	uint64_t *l1 = radix_subdir(t, t->root, (a >> 39) & 0x1fff, 9);

	if (shift == 30)
		return &l1[(a >> 30) & 0x1ff];
	uint64_t *l2 = radix_subdir(t, l1, (a >> 30) & 0x1ff, 9);

	if (shift == 21)
		return &l2[(a >> 21) & 0x1ff];
	/* A 64K page's last level holds 2^5 entries of a 2M range. */
	unsigned nls = shift == 16 ? 5 : 9;
	uint64_t *l3 = radix_subdir(t, l2, (a >> 21) & 0x1ff, nls);

	return &l3[(a >> shift) & ((1u << nls) - 1)];
}

uint64_t *radix_map(struct radix_tree *t, uint64_t ea, uint64_t ra, unsigned shift, uint64_t bits)
{
	uint64_t *p = radix_leaf(t, ea, shift);

	put(p, PTE_V | PTE_L | (ra & 0x01fffffffffff000ull) | bits);
	ptesync();
	return p;
}
