#include "params.h"
#include "libc.h"

/* Decimal or 0x-prefixed hex, the whole word, no overflow; else 0. */
static int parse_u64(const char *s, unsigned len, uint64_t *out)
{
	unsigned base = 10, i = 0;
	uint64_t v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return 0;
	for (; i < len; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return 0;
		if (v > (UINT64_MAX - d) / base)
			return 0;
		v = v * base + d;
	}
	*out = v;
	return 1;
}

static int word_is(const char *s, unsigned len, const char *lit)
{
	return strlen(lit) == len && strncmp(s, lit, len) == 0;
}

static void set(struct params *p, const char *key, unsigned klen, const char *val, unsigned vlen)
{
	const struct {
		const char *key;
		uint64_t *field;
	} numbers[] = {
		{ "int", &p->int_iters }, { "crc", &p->crc }, { "copy", &p->copy },
		{ "fib", &p->fib }, { "sort", &p->sort },
		{ "sortkeys", &p->sort_keys }, { "hcalls", &p->hcalls },
		{ "copynear", &p->copy_near }, { "fp", &p->fp }, { "vec", &p->vec },
		{ "tb", &p->tb }, { "selftest", &p->selftest }, { "quiesce", &p->quiesce },
		{ "timing", &p->timing },
	};

	if (word_is(key, klen, "exit")) {
		if (word_is(val, vlen, "poweroff"))
			p->exit = EXIT_POWEROFF;
		else if (word_is(val, vlen, "osterm"))
			p->exit = EXIT_OSTERM;
		else if (word_is(val, vlen, "loop"))
			p->exit = EXIT_LOOP;
		return;
	}
	for (unsigned i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		if (word_is(key, klen, numbers[i].key)) {
			uint64_t v;

			if (parse_u64(val, vlen, &v))
				*numbers[i].field = v;
			return;
		}
	}
}

void params_parse(struct params *p, const char *args)
{
	*p = (struct params){
		.int_iters = 100000, .crc = 1, .copy = 2, .fib = 20, .sort = 1, .sort_keys = 16384,
		.copy_near = 2, .fp = 20, .vec = 1,
		.hcalls = 100, .selftest = 1, .quiesce = 1, .exit = EXIT_POWEROFF,
	};

	while (*args) {
		while (*args == ' ' || *args == '\t' || *args == '\n')
			args++;
		const char *word = args;

		while (*args && *args != ' ' && *args != '\t' && *args != '\n')
			args++;
		unsigned len = args - word, eq = 0;

		while (eq < len && word[eq] != '=')
			eq++;
		if (eq > 0 && eq < len)
			set(p, word, eq, word + eq + 1, len - eq - 1);
	}
}
