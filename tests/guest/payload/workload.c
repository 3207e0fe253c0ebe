#include "workload.h"

/* A pad that is not a power of two keeps A and B from aliasing in a TLB. */
#ifndef WL_PAD
#define WL_PAD 0x11000
#endif

#define WL_WORDS (WL_BUF_BYTES / 8)

typedef uint32_t __attribute__((may_alias)) u32_alias;

static struct {
	uint64_t a[WL_WORDS];
	uint8_t pad[WL_PAD];
	uint64_t b[WL_WORDS];
} wl_mem __attribute__((aligned(4096)));

static uint32_t crc_table[256];

uint64_t wl_int(uint64_t iters)
{
	uint64_t x = 0x243F6A8885A308D3ull, acc = 0;

	for (uint64_t i = 0; i < iters; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		acc += (x >> 29) ^ i;
	}
	return acc ^ x;
}

static uint64_t xorshift64(uint64_t s)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

void wl_prepare(void)
{
	uint8_t *a = (uint8_t *)wl_mem.a;
	uint64_t s = 0x9E3779B97F4A7C15ull;

	for (uint32_t i = 0; i < WL_BUF_BYTES; i++) {
		s = xorshift64(s);
		a[i] = (uint8_t)(s >> 32);
	}
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static uint32_t crc32(const uint8_t *p, uint32_t len, uint32_t crc)
{
	crc = ~crc;
	for (uint32_t i = 0; i < len; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t wl_crc(uint64_t reps)
{
	uint32_t crc = 0;

	for (uint64_t r = 0; r < reps; r++)
		crc = crc32((const uint8_t *)wl_mem.a, WL_BUF_BYTES, crc);
	return crc;
}

uint64_t wl_copy(uint64_t reps)
{
	uint64_t *src = wl_mem.a, *dst = wl_mem.b, sum = 0;

	for (uint64_t r = 0; r < reps; r++) {
		for (uint32_t i = 0; i < WL_WORDS; i++)
			dst[i] = src[i];
		dst[((uint32_t)r * 2654435761u) % WL_WORDS] ^= r;
		uint64_t *t = src;

		src = dst;
		dst = t;
	}
	for (uint32_t i = 0; i < WL_WORDS; i++)
		sum = sum * 31 + src[i];
	return sum;
}

const void *wl_buffer_a(void)
{
	return wl_mem.a;
}

#define WL_NEAR_WORDS (64 * 1024 / 8)

uint64_t wl_copy_near(uint64_t reps)
{
	uint64_t *src = wl_mem.b, *dst = wl_mem.b + WL_NEAR_WORDS, sum = 0;

	for (uint32_t i = 0; i < WL_NEAR_WORDS; i++)
		src[i] = wl_mem.a[i];
	for (uint64_t r = 0; r < reps; r++) {
		for (uint32_t i = 0; i < WL_NEAR_WORDS; i++)
			dst[i] = src[i];
		dst[((uint32_t)r * 2654435761u) % WL_NEAR_WORDS] ^= r;
		uint64_t *t = src;

		src = dst;
		dst = t;
	}
	for (uint32_t i = 0; i < WL_NEAR_WORDS; i++)
		sum = sum * 31 + src[i];
	return sum;
}

/* Every return is an indirect branch: the hard case for a translator. */
__attribute__((noinline)) uint64_t wl_fib(unsigned n)
{
	return n < 2 ? n : wl_fib(n - 1) + wl_fib(n - 2);
}

static void sift_down(u32_alias *a, uint32_t root, uint32_t n)
{
	uint32_t v = a[root];

	for (;;) {
		uint32_t c = 2 * root + 1;

		if (c >= n)
			break;
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[c] <= v)
			break;
		a[root] = a[c];
		root = c;
	}
	a[root] = v;
}

uint64_t wl_sort(uint64_t reps, uint32_t n)
{
	u32_alias *keys = (u32_alias *)wl_mem.b;
	uint64_t sum = 0;

	for (uint64_t r = 0; r < reps; r++) {
		uint64_t s = 0x2545F4914F6CDD1Dull + r;

		for (uint32_t i = 0; i < n; i++) {
			s = xorshift64(s);
			keys[i] = (uint32_t)(s >> 16);
		}
		for (uint32_t i = n / 2; i-- > 0;)
			sift_down(keys, i, n);
		for (uint32_t end = n - 1; end > 0; end--) {
			uint32_t t = keys[0];

			keys[0] = keys[end];
			keys[end] = t;
			sift_down(keys, 0, end);
		}
		for (uint32_t i = 0; i < n; i++)
			sum = sum * 1000003 + keys[i];
	}
	return sum;
}
