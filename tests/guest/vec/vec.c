/*
 * phv FP/vector payload: workloads that real guests run on the FP, VMX and VSX units (a matrix multiply, crc32c
 * folded with vpmsumd, AES with vcipher, string scans with VSX loads and vector compares) print checksums and the
 * FPSCR/VSCR they leave behind, one line each:
 *
 *   @@PRIV@@ <name> <key>=<value> ...
 *
 * ../compare_with_tcg.sh compares the lines with QEMU TCG's (the oracle) for POWER8, POWER9 and POWER10.  Each
 * workload also checks itself against a scalar reference (ok=1), so a line agreeing with QEMU on a wrong answer
 * still fails.  The workloads are small (a few million instructions) because TCG runs them too.
 */
#include <altivec.h>
#include <stdint.h>

#include "console.h"
#include "fdt.h"
#include "of_client.h"
#include "platform.h"
#include "rtas.h"

#define MSR_VEC	(1ull << 25)
#define MSR_VSX	(1ull << 23)
#define MSR_FP	(1ull << 13)

typedef vector unsigned char vu8;
typedef vector unsigned int vu32;
typedef vector unsigned long long vu64;

static struct {
	uint32_t power_off;
} boot;
static unsigned lines;
static unsigned isa3;		/* POWER9 or later: ISA 3.0 forms */
static unsigned isa31;		/* POWER10: ISA 3.1 forms */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return rng_state >> 11;
}

/* A checksum of bit patterns: order-sensitive, so a swapped element shows. */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static uint64_t bits_of(double d)
{
	union { double d; uint64_t u; } x = {.d = d};

	return x.u;
}

static uint32_t bits_of_f(float f)
{
	union { float f; uint32_t u; } x = {.f = f};

	return x.u;
}

#define FPSCR_FR	((uint64_t)1 << (63 - 45))

static uint64_t mffs_all(void)
{
	double f;

	__asm__ volatile("mffs %0" : "=d"(f));
	return bits_of(f) & 0xffffffffull;
}

/* Without FR: QEMU never writes it (fp_oracle_differences.md); the lines that show it are listed in
   oracle_differences.txt, so a difference anywhere else still counts. */
static uint64_t mffs(void)
{
	return mffs_all() & ~FPSCR_FR;
}

static void clear_fpscr(void)
{
	double zero = 0;

	__asm__ volatile("mtfsf 0xff,%0" : : "d"(zero));
}

static uint32_t mfvscr(void)
{
	vu32 v;

	__asm__ volatile("mfvscr %0" : "=v"(v));
	return v[0];	/* the VSCR is word 3 (big-endian numbering) of the register: element 0 here */
}

static void clear_vscr(void)
{
	vu32 zero = {0, 0, 0, 0};

	__asm__ volatile("mtvscr %0" : : "v"(zero));
}

/* ---- matrix multiply: scalar fmadd, VSX xvmaddadp and xvmaddasp ---- */

#define N 16
static double ma[N][N], mb[N][N], mc[N][N], md[N][N];
static float fa[N][N], fb[N][N], fc[N][N];

/* Values with all kinds of rounding: thirds, sevenths, a few large and tiny magnitudes. */
static double operand(void)
{
	uint64_t r = rng();
	double v = (double)(int64_t)(r % 20001 - 10000) / (double)(1 + (r >> 20) % 7);

	switch ((r >> 30) % 16) {
	case 0: return v * 1e150;
	case 1: return v * 1e-150;
	case 2: return v * 3.0e-308;	/* products underflow into denormals */
	default: return v;
	}
}

__attribute__((noinline)) static void matrix(void)
{
	for (unsigned i = 0; i < N; i++)
		for (unsigned j = 0; j < N; j++) {
			ma[i][j] = operand();
			mb[i][j] = operand();
			fa[i][j] = (float)(int)(rng() % 2001 - 1000) / 7.0f;
			fb[i][j] = (float)(int)(rng() % 2001 - 1000) / 3.0f;
		}

	/* Scalar: one fmadd per step, as the ISA rounds each. */
	clear_fpscr();
	for (unsigned i = 0; i < N; i++)
		for (unsigned j = 0; j < N; j++) {
			double s = 0;

			for (unsigned k = 0; k < N; k++)
				__asm__("fmadd %0,%1,%2,%3" : "=d"(s) : "d"(ma[i][k]), "d"(mb[k][j]), "d"(s));
			mc[i][j] = s;
		}
	uint64_t h = 0, fpscr = mffs_all();

	for (unsigned i = 0; i < N; i++)
		for (unsigned j = 0; j < N; j++)
			h = mix(h, bits_of(mc[i][j]));
	lines += 2;
	console_printf("@@PRIV@@ matmul-fmadd sum=0x%016lx fpscr=0x%08lx\n", h, fpscr & ~FPSCR_FR);
	console_printf("@@PRIV@@ matmul-fmadd-fr fr=%u\n", !!(fpscr & FPSCR_FR));

	/* VSX: two columns at a time with xvmaddadp; each element sees the same operations in the same order. */
	clear_fpscr();
	for (unsigned i = 0; i < N; i++)
		for (unsigned j = 0; j < N; j += 2) {
			vector double s = {0, 0};

			for (unsigned k = 0; k < N; k++) {
				vector double a = {ma[i][k], ma[i][k]};
				vector double b = {mb[k][j], mb[k][j + 1]};

				__asm__("xvmaddadp %x0,%x1,%x2" : "+wa"(s) : "wa"(a), "wa"(b));
			}
			md[i][j] = s[0];
			md[i][j + 1] = s[1];
		}
	uint64_t hv = 0, fpscr_v = mffs();
	unsigned same = 1;

	for (unsigned i = 0; i < N; i++)
		for (unsigned j = 0; j < N; j++) {
			hv = mix(hv, bits_of(md[i][j]));
			same &= bits_of(md[i][j]) == bits_of(mc[i][j]);
		}
	lines++;
	console_printf("@@PRIV@@ matmul-xvmaddadp sum=0x%016lx fpscr=0x%08lx ok=%u\n", hv, fpscr_v, same);

	/* Single precision, four columns at a time with xvmaddasp. */
	clear_fpscr();
	for (unsigned i = 0; i < N; i++)
		for (unsigned j = 0; j < N; j += 4) {
			vector float s = {0, 0, 0, 0};

			for (unsigned k = 0; k < N; k++) {
				vector float a = {fa[i][k], fa[i][k], fa[i][k], fa[i][k]};
				vector float b = {fb[k][j], fb[k][j + 1], fb[k][j + 2], fb[k][j + 3]};

				__asm__("xvmaddasp %x0,%x1,%x2" : "+wa"(s) : "wa"(a), "wa"(b));
			}
			for (unsigned e = 0; e < 4; e++)
				fc[i][j + e] = s[e];
		}
	uint64_t hf = 0, fpscr_f = mffs();

	for (unsigned i = 0; i < N; i++)
		for (unsigned j = 0; j < N; j++)
			hf = mix(hf, bits_of_f(fc[i][j]));
	lines++;
	console_printf("@@PRIV@@ matmul-xvmaddasp sum=0x%016lx fpscr=0x%08lx\n", hf, fpscr_f);

	/* Normalise the double product: xvdivdp by the row's xvsqrtdp'd norm, then convert to integers. */
	clear_fpscr();
	uint64_t hn = 0;

	for (unsigned i = 0; i < N; i++) {
		double norm = 0;

		for (unsigned j = 0; j < N; j++)
			__asm__("fmadd %0,%1,%1,%2" : "=d"(norm) : "d"(mc[i][j] * 1e-100), "d"(norm));
		vector double root = {norm, norm};

		__asm__("xvsqrtdp %x0,%x0" : "+wa"(root));
		for (unsigned j = 0; j < N; j += 2) {
			vector double v = {mc[i][j] * 1e-100, mc[i][j + 1] * 1e-100};
			vector double q, scaled = {1e6, 1e6};
			vector signed int w;

			__asm__("xvdivdp %x0,%x1,%x2" : "=wa"(q) : "wa"(v), "wa"(root));
			__asm__("xvmuldp %x0,%x0,%x1" : "+wa"(q) : "wa"(scaled));
			__asm__("xvcvdpsxws %x0,%x1" : "=wa"(w) : "wa"(q));
			hn = mix(hn, bits_of(q[0]));
			hn = mix(hn, bits_of(q[1]));
			hn = mix(hn, (uint32_t)w[0] ^ (uint64_t)(uint32_t)w[2] << 32);
		}
	}
	lines++;
	console_printf("@@PRIV@@ matmul-normalise sum=0x%016lx fpscr=0x%08lx\n", hn, mffs());
}

/* ---- crc32c: Barrett reduction with vpmsumd, checked against the bitwise definition ---- */

static uint8_t buf[8192 + 64] __attribute__((aligned(16)));

static uint32_t crc32c_bitwise(const uint8_t *p, unsigned n)
{
	uint32_t crc = 0xffffffff;

	for (unsigned i = 0; i < n; i++) {
		crc ^= p[i];
		for (unsigned b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (crc & 1 ? 0x82f63b78 : 0);
	}
	return ~crc;
}

/* One carry-less 64x64 product through vpmsumd (the other doubleword is zero, so nothing is XORed in). */
static vu64 clmul(uint64_t a, uint64_t b)
{
	vu64 va = {a, 0}, vb = {b, 0}, r;

	__asm__("vpmsumd %0,%1,%2" : "=v"(r) : "v"(va), "v"(vb));
	return r;
}

/* Reflected CRC, four bytes a step: t = low32(c * mu'), crc = (t * P') >> 32, with mu' = x^64 / P and
   P' = P bit-reversed over 33 bits. */
static uint32_t crc32c_vpmsum(const uint8_t *p, unsigned n)
{
	uint32_t crc = 0xffffffff;

	for (unsigned i = 0; i < n; i += 4) {
		uint32_t c = crc ^ (p[i] | p[i + 1] << 8 | p[i + 2] << 16 | (uint32_t)p[i + 3] << 24);
		vu64 t = clmul(c, 0x0dea713f1ull);

		t = clmul(t[0] & 0xffffffff, 0x105ec76f1ull);
		crc = (uint32_t)(t[0] >> 32);
	}
	return ~crc;
}

__attribute__((noinline)) static void crc(void)
{
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rng();
	uint32_t known = crc32c_vpmsum((const uint8_t *)"12345678", 8);
	lines++;
	console_printf("@@PRIV@@ crc32c-known crc=0x%08x ok=%u\n", known,
		       known == crc32c_bitwise((const uint8_t *)"12345678", 8));

	uint32_t h = 0;
	unsigned ok = 1;

	for (unsigned len = 4; len <= 8192; len *= 2) {
		uint32_t c = crc32c_vpmsum(buf + len % 13 * 4, len);

		ok &= c == crc32c_bitwise(buf + len % 13 * 4, len);
		h = h * 31 + c;
	}
	lines++;
	console_printf("@@PRIV@@ crc32c-vpmsumd sum=0x%08x ok=%u\n", h, ok);

	/* The other vpmsum widths over the same data, as a checksum of their 128-bit results. */
	vu64 accb = {0, 0}, acch = {0, 0}, accw = {0, 0};

	for (unsigned i = 0; i + 32 <= sizeof(buf); i += 16) {
		vu8 a, b, r;

		__asm__("lxvd2x %x0,0,%1" : "=wa"(a) : "r"(buf + i));
		__asm__("lxvd2x %x0,0,%1" : "=wa"(b) : "r"(buf + i + 16));
		__asm__("vpmsumb %0,%1,%2" : "=v"(r) : "v"(a), "v"(b));
		accb = (vu64)((vu8)accb ^ r);
		__asm__("vpmsumh %0,%1,%2" : "=v"(r) : "v"(a), "v"(b));
		acch = (vu64)((vu8)acch + r);
		__asm__("vpmsumw %0,%1,%2" : "=v"(r) : "v"(a), "v"(b));
		accw = (vu64)((vu32)accw + (vu32)r);
	}
	lines++;
	console_printf("@@PRIV@@ vpmsum-bhw b=0x%016lx%016lx h=0x%016lx%016lx w=0x%016lx%016lx\n",
		       (uint64_t)accb[1], (uint64_t)accb[0], (uint64_t)acch[1], (uint64_t)acch[0],
		       (uint64_t)accw[1], (uint64_t)accw[0]);
}

/* ---- AES-128 with vcipher/vcipherlast and vncipher/vncipherlast, key schedule with vsbox ---- */

/* AES byte j sits in byte j of the register in the ISA's (big-endian) numbering: element 15-j here. */
static vu8 to_vr(const uint8_t b[16])
{
	vu8 v;

	for (unsigned j = 0; j < 16; j++)
		v[15 - j] = b[j];
	return v;
}

static void from_vr(vu8 v, uint8_t b[16])
{
	for (unsigned j = 0; j < 16; j++)
		b[j] = v[15 - j];
}

static uint8_t sbox_byte(uint8_t x)
{
	vu8 v = {x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x};

	__asm__("vsbox %0,%0" : "+v"(v));
	return v[0];
}

static void expand_key(const uint8_t key[16], vu8 rk[11])
{
	uint8_t w[176];
	uint8_t rcon = 1;

	for (unsigned i = 0; i < 16; i++)
		w[i] = key[i];
	for (unsigned i = 16; i < 176; i += 4) {
		uint8_t t[4] = {w[i - 4], w[i - 3], w[i - 2], w[i - 1]};

		if (i % 16 == 0) {
			uint8_t t0 = t[0];

			t[0] = sbox_byte(t[1]) ^ rcon;
			t[1] = sbox_byte(t[2]);
			t[2] = sbox_byte(t[3]);
			t[3] = sbox_byte(t0);
			rcon = (uint8_t)(rcon << 1 ^ (rcon & 0x80 ? 0x1b : 0));
		}
		for (unsigned j = 0; j < 4; j++)
			w[i + j] = w[i - 16 + j] ^ t[j];
	}
	for (unsigned r = 0; r < 11; r++)
		rk[r] = to_vr(w + 16 * r);
}

static vu8 encrypt(vu8 s, const vu8 rk[11])
{
	s ^= rk[0];
	for (unsigned r = 1; r < 10; r++)
		__asm__("vcipher %0,%0,%1" : "+v"(s) : "v"(rk[r]));
	__asm__("vcipherlast %0,%0,%1" : "+v"(s) : "v"(rk[10]));
	return s;
}

/* The equivalent inverse cipher the ISA's vncipher implies: InvMixColumns after the round-key XOR. */
static vu8 decrypt(vu8 s, const vu8 rk[11])
{
	s ^= rk[10];
	for (unsigned r = 9; r >= 1; r--)
		__asm__("vncipher %0,%0,%1" : "+v"(s) : "v"(rk[r]));
	__asm__("vncipherlast %0,%0,%1" : "+v"(s) : "v"(rk[0]));
	return s;
}

__attribute__((noinline)) static void aes(void)
{
	/* FIPS-197 appendix C.1. */
	static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	static const uint8_t pt[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				       0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	static const uint8_t want[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
					 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
	vu8 rk[11];
	uint8_t ct[16], back[16];
	unsigned ok = 1;

	expand_key(key, rk);
	from_vr(encrypt(to_vr(pt), rk), ct);
	from_vr(decrypt(to_vr(ct), rk), back);
	for (unsigned i = 0; i < 16; i++)
		ok &= ct[i] == want[i] && back[i] == pt[i];
	lines++;
	console_printf("@@PRIV@@ aes-fips197 ct=0x%02x%02x%02x%02x...%02x%02x ok=%u\n", ct[0], ct[1], ct[2], ct[3],
		       ct[14], ct[15], ok);

	/* CBC over the buffer, then decrypt it back. */
	vu8 iv = {0}, chain = iv, sum = {0};

	for (unsigned i = 0; i < 4096; i += 16) {
		vu8 p;

		__asm__("lxvw4x %x0,0,%1" : "=wa"(p) : "r"(buf + i));
		chain = encrypt(p ^ chain, rk);
		sum = (vu8)((vu32)sum + (vu32)chain);
		__asm__("stxvw4x %x0,0,%1" : : "wa"(chain), "r"(buf + 4096 + i) : "memory");
	}
	unsigned round_trip = 1;

	chain = iv;
	for (unsigned i = 0; i < 4096; i += 16) {
		vu8 c, p, orig;

		__asm__("lxvw4x %x0,0,%1" : "=wa"(c) : "r"(buf + 4096 + i));
		__asm__("lxvw4x %x0,0,%1" : "=wa"(orig) : "r"(buf + i));
		p = decrypt(c, rk) ^ chain;
		chain = c;
		round_trip &= vec_all_eq(p, orig);
	}
	vu64 s = (vu64)sum;

	lines++;
	console_printf("@@PRIV@@ aes-cbc sum=0x%016lx%016lx ok=%u\n", (uint64_t)s[1], (uint64_t)s[0], round_trip);

	/* vshasigma and vpermxor alongside, as SHA-2 and the RAID code use them. */
	vu32 w = (vu32)sum, sig = {0};
	vu64 d = (vu64)sum, sigd = {0};

	for (unsigned i = 0; i < 64; i++) {
		vu32 t;
		vu64 u;

		__asm__("vshasigmaw %0,%1,0,0x5" : "=v"(t) : "v"(w));
		sig += t;
		__asm__("vshasigmaw %0,%1,1,0xa" : "=v"(t) : "v"(w));
		w = t ^ sig;
		__asm__("vshasigmad %0,%1,1,0x3" : "=v"(u) : "v"(d));
		sigd += u;
		__asm__("vpermxor %0,%1,%2,%3" : "=v"(d) : "v"(u), "v"(sigd), "v"(w));
	}
	lines++;
	console_printf("@@PRIV@@ vshasigma sig=0x%08x%08x%08x%08x d=0x%016lx%016lx\n", sig[3], sig[2], sig[1], sig[0],
		       (uint64_t)d[1], (uint64_t)d[0]);
}

/* ---- string scans: strlen and byte counting with VSX loads and vector compares ---- */

static char text[4096 + 32] __attribute__((aligned(16)));

static unsigned strlen_scalar(const char *s)
{
	unsigned n = 0;

	while (s[n])
		n++;
	return n;
}

/* 16 bytes a step with lxvd2x and vcmpequb. (CR6 says whether any byte matched); s is 16-byte aligned. */
static unsigned strlen_vsx(const char *s)
{
	const vu8 zero = {0};
	unsigned i = 0;

	for (;;) {
		vu8 v, m;
		unsigned long cr;

		__asm__("lxvd2x %x0,%1,%2" : "=wa"(v) : "b"(s), "r"((unsigned long)i));
		__asm__("vcmpequb. %0,%2,%3\n\tmfocrf %1,2" : "=v"(m), "=r"(cr) : "v"(v), "v"(zero) : "cr6");
		if (cr & 0x20) {	/* CR6[2]: not all bytes differ from zero */
			while (s[i])
				i++;
			return i;
		}
		i += 16;
	}
}

/* ISA 3.0: vcmpnezb marks the zero bytes, vctzlsbb counts the bytes before the first (the lowest address is
   byte 15 after an LE lxv).  Volatile and not inlined: the compiler must not hoist an ISA 3.0 load onto POWER8. */
__attribute__((noinline)) static unsigned strlen_isa3(const char *s)
{
	unsigned i = 0;

	for (;;) {
		vu8 v, m;
		unsigned long idx;

		__asm__ volatile("lxv %x0,0(%1)" : "=wa"(v) : "b"(s + i));
		__asm__ volatile("vcmpnezb %0,%1,%1" : "=v"(m) : "v"(v));	/* a byte equal to itself: only zero bytes */
		__asm__ volatile("vctzlsbb %0,%1" : "=r"(idx) : "v"(m));
		if (idx < 16)
			return i + (unsigned)idx;
		i += 16;
	}
}

/* Count occurrences of c: the compare mask is -1 per match, so subtracting it counts; vsum4ubs folds. */
static unsigned count_vsx(const char *s, unsigned n, char c)
{
	vu8 key = vec_splats((unsigned char)c), cnt = {0};
	vu32 total = {0};

	for (unsigned i = 0; i < n; i += 16) {
		vu8 v, m;

		__asm__("lxvw4x %x0,%1,%2" : "=wa"(v) : "b"(s), "r"((unsigned long)i));
		__asm__("vcmpequb %0,%1,%2" : "=v"(m) : "v"(v), "v"(key));
		cnt -= m;
		if ((i & 0xff0) == 0xff0) {	/* before any byte counter can wrap */
			__asm__("vsum4ubs %0,%1,%0" : "+v"(total) : "v"(cnt));
			cnt = (vu8){0};
		}
	}
	__asm__("vsum4ubs %0,%1,%0" : "+v"(total) : "v"(cnt));
	return total[0] + total[1] + total[2] + total[3];
}

__attribute__((noinline)) static void strings(void)
{
	unsigned h = 0, ok = 1;

	for (unsigned i = 0; i < 4096; i++)
		text[i] = (char)("abcdefghijklmnopqrstuvwxyz ,.\n"[rng() % 30]);
	for (unsigned len = 0; len < 4096; len += 97) {
		char saved = text[len];

		text[len] = 0;
		unsigned a = strlen_vsx(text), b = isa3 ? strlen_isa3(text) : a;

		ok &= a == len && b == len && strlen_scalar(text) == len;
		h = h * 33 + a + b;
		text[len] = saved;
	}
	lines++;
	console_printf("@@PRIV@@ strlen-vsx sum=0x%08x ok=%u%s\n", h, ok, isa3 ? " isa3=1" : "");

	unsigned counts = 0;

	ok = 1;
	for (char c = 'a'; c <= 'z'; c++) {
		unsigned n = count_vsx(text, 4096, c), m = 0;

		for (unsigned i = 0; i < 4096; i++)
			m += text[i] == c;
		ok &= n == m;
		counts = counts * 7 + n;
	}
	lines++;
	console_printf("@@PRIV@@ count-vsx sum=0x%08x ok=%u vscr=0x%x\n", counts, ok, mfvscr());
}

/* ---- saturating VMX arithmetic and the VSCR ---- */

__attribute__((noinline)) static void saturate(void)
{
	vector signed short acc = {0};
	vector float f = {1.5f, -2.25f, 1e-40f, 3.0f};

	clear_vscr();
	for (unsigned i = 0; i < 512; i++) {
		vector signed short v = {(short)rng(), (short)rng(), (short)rng(), (short)rng(),
					 (short)rng(), (short)rng(), (short)rng(), (short)rng()};

		__asm__("vaddshs %0,%0,%1" : "+v"(acc) : "v"(v));
		__asm__("vmaddfp %0,%0,%1,%2" : "+v"(f) : "v"((vector float){0.5f, -0.75f, 0.999f, 1.25f}),
			"v"((vector float){1.0f, 3.0f, 1e-39f, -0.125f}));	/* a denormal addend: VSCR[NJ] */
	}
	uint32_t sat = mfvscr();
	vector signed int packed;

	__asm__("vctsxs %0,%1,28" : "=v"(packed) : "v"(f));	/* 2^28 times: the large lanes saturate */
	lines++;
	console_printf("@@PRIV@@ vmx-saturate acc=0x%04x%04x vscr=0x%x f=0x%08x%08x vctsxs=0x%08x%08x vscr2=0x%x\n",
		       (uint16_t)acc[0], (uint16_t)acc[7], sat, bits_of_f(f[0]), bits_of_f(f[2]),
		       (uint32_t)packed[0], (uint32_t)packed[2], mfvscr());
}

/* main itself uses no vector registers: its prologue runs before it turns the units on. */
void main(uint64_t r3, uint64_t r4, uint64_t r5, uint64_t msr, uint64_t entered_be)
{
	uint64_t m, pvr;

	(void)r4, (void)msr, (void)entered_be;
	console_printf("@@PRIV-START@@\n");
	boot.power_off = rtas_power_off_token(r3, r5);
	__asm__ volatile("mfmsr %0" : "=r"(m));
	m |= MSR_FP | MSR_VEC | MSR_VSX;
	__asm__ volatile("mtmsrd %0; isync" : : "r"(m) : "memory");
	__asm__ volatile("mfpvr %0" : "=r"(pvr));
	isa3 = (pvr >> 16) >= 0x4e;
	isa31 = (pvr >> 16) >= 0x80;
	lines++;
	console_printf("@@PRIV@@ cpu isa3=%u isa31=%u\n", isa3, isa31);

	matrix();
	crc();
	aes();
	strings();
	saturate();

	console_printf("@@PRIV-DONE@@ lines=%u\n", lines);
	platform_exit(boot.power_off);
}
