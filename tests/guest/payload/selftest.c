#include "selftest.h"

/*
 * Inputs are read through a volatile table so the compiler cannot fold the
 * computations away: the instructions must really run on the guest CPU.
 * Everything avoids undefined and implementation-defined C (signed
 * overflow, INT64_MIN / -1, shifts >= width, plain char) so x86-64 and
 * ppc64le must agree bit for bit.
 */
static volatile const uint64_t in[] = {
	0x0123456789abcdefull, 0xfedcba9876543210ull, 0x8000000000000000ull,
	0x7fffffffffffffffull, 0xffffffffffffffffull, 0x00000000ffffffffull,
	0x00000000deadbeefull, 0x9e3779b97f4a7c15ull, 1, 2, 3, 7, 63, 0,
	0xffffffff80000000ull, 0x00000000000f4240ull,
};
#define N_IN (sizeof(in) / sizeof(in[0]))

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ull;
	return h ^ (h >> 31);
}

static uint64_t st_muldiv(void)
{
	uint64_t h = 0;

	for (unsigned i = 0; i < N_IN; i++) {
		for (unsigned j = 0; j < N_IN; j++) {
			uint64_t a = in[i], b = in[j];
			int64_t sa = (int64_t)a, sb = (int64_t)b;

			h = mix(h, a * b);
			h = mix(h, (uint32_t)a * (uint32_t)b);
			if (b) {
				h = mix(h, a / b);
				h = mix(h, a % b);
			}
			if ((uint32_t)b) {
				h = mix(h, (uint32_t)a / (uint32_t)b);
				h = mix(h, (uint32_t)a % (uint32_t)b);
			}
			if (sb && !(sa == INT64_MIN && sb == -1)) {
				h = mix(h, (uint64_t)(sa / sb));
				h = mix(h, (uint64_t)(sa % sb));
			}
			int32_t wa = (int32_t)(uint32_t)a, wb = (int32_t)(uint32_t)b;

			if (wb && !(wa == INT32_MIN && wb == -1))
				h = mix(h, (uint64_t)(int64_t)(wa / wb));
		}
		/* Division by -1 and by 1: negation through the divider. */
		int64_t m1 = -(int64_t)in[8];

		if ((int64_t)in[i] != INT64_MIN)
			h = mix(h, (uint64_t)((int64_t)in[i] / m1));
		h = mix(h, in[i] / in[8]);
	}
	return h;
}

static uint64_t rotl64(uint64_t x, unsigned n)
{
	n &= 63;
	return n ? (x << n) | (x >> (64 - n)) : x;
}

static uint32_t rotl32(uint32_t x, unsigned n)
{
	n &= 31;
	return n ? (x << n) | (x >> (32 - n)) : x;
}

static uint64_t st_shift(void)
{
	uint64_t h = 0;

	for (unsigned i = 0; i < N_IN; i++) {
		uint64_t x = in[i];

		for (unsigned n = 0; n < 64; n += 5) {
			h = mix(h, rotl64(x, n));
			h = mix(h, rotl32((uint32_t)x, n));
			h = mix(h, x << n);
			h = mix(h, x >> n);
			h = mix(h, (uint64_t)((int64_t)x >> n));		/* gcc: arithmetic */
			h = mix(h, (uint64_t)(int64_t)((int32_t)(uint32_t)x >> (n & 31)));
			h = mix(h, (uint32_t)x >> (n & 31));
		}
		/* Constant forms: rldicl/rldicr/rlwinm/rldimi. */
		h = mix(h, (x >> 12) & 0xfff);
		h = mix(h, (x & 0xffff0000ull) | ((x >> 40) & 0xff));
		h = mix(h, (x & ~0xff00ull) | ((x << 8) & 0xff00));
		h = mix(h, rotl32((uint32_t)x, 13) & 0x0ff0ff00u);
	}
	return h;
}

/* Views of one buffer at every width; may_alias keeps this legal C. */
typedef volatile uint8_t __attribute__((may_alias)) vu8;
typedef volatile int8_t __attribute__((may_alias)) vs8;
typedef volatile uint16_t __attribute__((may_alias)) vu16;
typedef volatile int16_t __attribute__((may_alias)) vs16;
typedef volatile uint32_t __attribute__((may_alias)) vu32;
typedef volatile int32_t __attribute__((may_alias)) vs32;
typedef volatile uint64_t __attribute__((may_alias)) vu64;

static uint64_t st_loadstore(void)
{
	static uint64_t mem[8];
	vu8 *m = (vu8 *)mem;
	uint64_t h = 0;

	for (unsigned i = 0; i < N_IN; i++) {
		uint64_t x = in[i];

		*(vu64 *)(m + 8) = x;
		*(vu32 *)(m + 16) = (uint32_t)(x >> 16);
		*(vu16 *)(m + 20) = (uint16_t)(x >> 3);
		m[22] = (uint8_t)(x >> 56);
		m[23] = (uint8_t)x;
		for (unsigned off = 8; off < 24; off++)
			h = mix(h, (uint64_t)(int64_t)*(vs8 *)(m + off) ^ m[off]);
		for (unsigned off = 8; off < 24; off += 2)
			h = mix(h, (uint64_t)(int64_t)*(vs16 *)(m + off) + *(vu16 *)(m + off));
		for (unsigned off = 8; off < 24; off += 4)
			h = mix(h, (uint64_t)(int64_t)*(vs32 *)(m + off) - *(vu32 *)(m + off));
		/* Byte-reversed accesses: gcc uses lhbrx/lwbrx/ldbrx and the stores. */
		h = mix(h, __builtin_bswap64(*(vu64 *)(m + 8)));
		h = mix(h, __builtin_bswap32(*(vu32 *)(m + 16)));
		h = mix(h, __builtin_bswap16(*(vu16 *)(m + 20)));
		*(vu64 *)(m + 24) = __builtin_bswap64(x);
		*(vu32 *)(m + 32) = __builtin_bswap32((uint32_t)x);
		*(vu16 *)(m + 36) = __builtin_bswap16((uint16_t)x);
		h = mix(h, *(vu64 *)(m + 24));
		h = mix(h, *(vu64 *)(m + 32));
		uint64_t s = 0;

		for (vu8 *p = m + 8; p < m + 40; p += 4)
			s = s * 3 + *(vu32 *)p;
		h = mix(h, s);
	}
	return h;
}

/* Compound conditions, signed and unsigned, 32- and 64-bit compares. */
static uint64_t st_crlogic(void)
{
	uint64_t h = 0;

	for (unsigned i = 0; i < N_IN; i++) {
		for (unsigned j = 0; j < N_IN; j++) {
			uint64_t a = in[i], b = in[j];
			int64_t sa = (int64_t)a, sb = (int64_t)b;
			int32_t wa = (int32_t)(uint32_t)a, wb = (int32_t)(uint32_t)b;
			unsigned bits = 0;

			if (a < b)
				bits |= 1;
			if (sa < sb)
				bits |= 2;
			if ((uint32_t)a < (uint32_t)b)
				bits |= 4;
			if (wa < wb)
				bits |= 8;
			if ((a < b && sa > sb) || a == b)
				bits |= 16;
			if (!(sa >= 0 || wb >= 0) != !(a & 1))
				bits |= 32;
			if ((a > b) == (sa > sb) && (wa != wb || a == 0))
				bits |= 64;
			h = mix(h, bits);
		}
	}
	return h;
}

/* Dense cases become a jump table reached through bctr. */
__attribute__((noinline)) static uint64_t dispatch(unsigned op, uint64_t a, uint64_t b)
{
	switch (op) {
	case 0: return a + b;
	case 1: return a - b;
	case 2: return a ^ b;
	case 3: return a & ~b;
	case 4: return a | (b << 1);
	case 5: return a * 3 + b;
	case 6: return (a >> 3) ^ b;
	case 7: return ~a + b;
	case 8: return a - (b >> 7);
	case 9: return a * b + 11;
	case 10: return (a << 5) - b;
	case 11: return a ^ (b * 0x9e37u);
	default: return a;
	}
}

static uint64_t st_switch(void)
{
	uint64_t h = 0, acc = in[0];

	for (unsigned k = 0; k < 400; k++) {
		acc = dispatch((unsigned)((acc >> 7) % 14), acc, in[k % N_IN]);
		h = mix(h, acc);
	}
	return h;
}

/* Partitions of n into parts of at most k, naively: deep and branchy. */
__attribute__((noinline)) static uint64_t partitions(uint64_t n, uint64_t k)
{
	if (n == 0)
		return 1;
	if (k == 0)
		return 0;
	return partitions(n, k - 1) + (k <= n ? partitions(n - k, k) : 0);
}

__attribute__((noinline)) static uint64_t ackermann(uint64_t m, uint64_t n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ackermann(m - 1, 1);
	return ackermann(m - 1, ackermann(m, n - 1));
}

static uint64_t st_recursion(void)
{
	uint64_t h = 0;

	h = mix(h, partitions(in[12] % 33, in[12] % 33));	/* p(30) = 5604 */
	h = mix(h, ackermann(in[9], in[10]));
	h = mix(h, ackermann(in[10], in[10]));
	return h;
}

static uint64_t st_mul128(void)
{
	uint64_t h = 0;

	for (unsigned i = 0; i < N_IN; i++) {
		for (unsigned j = 0; j < N_IN; j++) {
			unsigned __int128 u = (unsigned __int128)in[i] * in[j];
			__int128 s = (__int128)(int64_t)in[i] * (int64_t)in[j];

			h = mix(h, (uint64_t)(u >> 64));	/* mulhdu */
			h = mix(h, (uint64_t)u);
			h = mix(h, (uint64_t)((unsigned __int128)s >> 64));	/* mulhd */
			/* 128-bit add/sub carry chains (addc/adde, subfc/subfe). */
			unsigned __int128 t = u + ((unsigned __int128)in[j] << 64 | in[i]);

			h = mix(h, (uint64_t)(t >> 64) ^ (uint64_t)t);
			t = u - ((unsigned __int128)in[i] << 64 | in[j]);
			h = mix(h, (uint64_t)(t >> 64) ^ (uint64_t)t);
			h = mix(h, (uint64_t)(((uint64_t)(uint32_t)in[i] * (uint32_t)in[j]) >> 32)); /* mulhwu */
		}
	}
	return h;
}

static uint64_t st_bitcount(void)
{
	uint64_t h = 0;

	for (unsigned i = 0; i < N_IN; i++) {
		uint64_t x = in[i];
		uint32_t w = (uint32_t)x;

		h = mix(h, x ? (uint64_t)__builtin_clzll(x) : 64);
		h = mix(h, x ? (uint64_t)__builtin_ctzll(x) : 64);
		h = mix(h, w ? (uint64_t)__builtin_clz(w) : 32);
		h = mix(h, w ? (uint64_t)__builtin_ctz(w) : 32);
		h = mix(h, (uint64_t)__builtin_popcountll(x));
		h = mix(h, (uint64_t)__builtin_popcount(w));
		h = mix(h, (uint64_t)__builtin_parityll(x));
	}
	return h;
}

const struct selftest selftests[] = {
	{ "muldiv", st_muldiv },
	{ "shift", st_shift },
	{ "loadstore", st_loadstore },
	{ "crlogic", st_crlogic },
	{ "switch", st_switch },
	{ "recursion", st_recursion },
	{ "mul128", st_mul128 },
	{ "bitcount", st_bitcount },
};
const unsigned selftest_count = sizeof(selftests) / sizeof(selftests[0]);
