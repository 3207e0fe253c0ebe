#include "console.h"
#include "hcall.h"

/* PAPR: H_PUT_TERM_CHAR takes at most 16 bytes, packed into r6 and r7. */
#define CHUNK 16

/* Generous bound so a console that stays busy cannot hang the payload. */
#define MAX_RETRIES 1000000

static uint64_t vterm = 0x71000000;
static char buf[CHUNK];
static unsigned len;

void console_set_vterm(uint64_t reg)
{
	console_flush();
	vterm = reg;
}

/* Byte 0 goes in the most significant byte, as Linux's hvc_put_chars packs it. */
static uint64_t pack_be(const char *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v = (v << 8) | (i < n ? (uint8_t)p[i] : 0);
	return v;
}

void console_flush(void)
{
	if (!len)
		return;
	uint64_t hi = pack_be(buf, len);
	uint64_t lo = len > 8 ? pack_be(buf + 8, len - 8) : 0;

	/* Busy (H_BUSY, long busy) means "try again"; any other error drops the chunk. */
	for (unsigned tries = 0; tries < MAX_RETRIES; tries++) {
		long rc = hcall(H_PUT_TERM_CHAR, vterm, len, hi, lo, 0);

		if (rc != H_BUSY && (rc < H_LONG_BUSY_FIRST || rc > H_LONG_BUSY_LAST))
			break;
	}
	len = 0;
}

static void put_raw(char c)
{
	buf[len++] = c;
	if (len == CHUNK)
		console_flush();
}

void console_putc(char c)
{
	if (c == '\n') {
		put_raw('\r');
		put_raw('\n');
		console_flush();
	} else {
		put_raw(c);
	}
}

static void put_padded(const char *s, unsigned n, unsigned width, char pad)
{
	for (; width > n; width--)
		console_putc(pad);
	while (n--)
		console_putc(*s++);
}

static void put_number(uint64_t v, unsigned base, int negative, unsigned width, char pad)
{
	char tmp[24];
	unsigned n = sizeof(tmp);

	do {
		tmp[--n] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (pad == '0') {
			console_putc('-');
			width = width ? width - 1 : 0;
		} else {
			tmp[--n] = '-';
		}
	}
	put_padded(tmp + n, sizeof(tmp) - n, width, pad);
}

/* The subset the payload uses: %% %c %s %d %u %x with '0', width and l/ll/z. */
void console_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			console_putc(*fmt);
			continue;
		}
		char pad = ' ';
		unsigned width = 0, longs = 0;

		if (*++fmt == '0')
			pad = *fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			console_putc((char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			unsigned n = 0;

			while (s[n])
				n++;
			put_padded(s, n, width, ' ');
			break;
		}
		case 'd': {
			int64_t v = longs ? va_arg(ap, long) : va_arg(ap, int);

			put_number(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);

			put_number(v, *fmt == 'u' ? 10 : 16, 0, width, pad);
			break;
		}
		case '%':
			console_putc('%');
			break;
		default:
			return;
		}
	}
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}
