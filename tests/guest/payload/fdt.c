#include "fdt.h"
#include "libc.h"

#define FDT_MAGIC	0xd00dfeed
#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9

/* Header fields, in 32-bit big-endian cells. */
enum { H_MAGIC, H_TOTALSIZE, H_OFF_STRUCT, H_OFF_STRINGS, H_OFF_RSVMAP, H_VERSION,
       H_LAST_COMP, H_BOOT_CPU, H_SIZE_STRINGS, H_SIZE_STRUCT };

/* Byte loads: the blob may sit at any address the loader chose. */
static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t hdr(const void *fdt, unsigned field)
{
	return be32((const uint8_t *)fdt + 4 * field);
}

static const uint8_t *structure(const void *fdt)
{
	return (const uint8_t *)fdt + hdr(fdt, H_OFF_STRUCT);
}

static uint32_t structure_size(const void *fdt)
{
	return hdr(fdt, H_SIZE_STRUCT);
}

int dt_valid(const void *fdt)
{
	uint32_t total = hdr(fdt, H_TOTALSIZE);

	return hdr(fdt, H_MAGIC) == FDT_MAGIC && hdr(fdt, H_VERSION) >= 17 &&
	       hdr(fdt, H_OFF_STRUCT) + structure_size(fdt) <= total &&
	       hdr(fdt, H_OFF_STRINGS) + hdr(fdt, H_SIZE_STRINGS) <= total;
}

static uint32_t token(const void *fdt, int off)
{
	if (off < 0 || (uint32_t)off + 4 > structure_size(fdt))
		return FDT_END;
	return be32(structure(fdt) + off);
}

static int align4(int off)
{
	return (off + 3) & ~3;
}

/* Offset of the token after the one at `off`. */
static int next_token(const void *fdt, int off)
{
	switch (token(fdt, off)) {
	case FDT_BEGIN_NODE: {
		const char *name = (const char *)structure(fdt) + off + 4;
		uint32_t room = structure_size(fdt) - off - 4;
		uint32_t n = 0;

		while (n < room && name[n])
			n++;
		return n < room ? align4(off + 4 + n + 1) : -1;
	}
	case FDT_PROP:
		return align4(off + 12 + be32(structure(fdt) + off + 4));
	case FDT_END_NODE:
	case FDT_NOP:
		return off + 4;
	default:
		return -1;
	}
}

/* First token after the node's name and properties. */
static int node_body_end(const void *fdt, int node)
{
	int off = next_token(fdt, node);

	while (token(fdt, off) == FDT_PROP || token(fdt, off) == FDT_NOP)
		off = next_token(fdt, off);
	return off;
}

const char *dt_node_name(const void *fdt, int node)
{
	return (const char *)structure(fdt) + node + 4;
}

int dt_first_child(const void *fdt, int node)
{
	int off = node_body_end(fdt, node);

	return token(fdt, off) == FDT_BEGIN_NODE ? off : -1;
}

int dt_next_sibling(const void *fdt, int node)
{
	int depth = 0, off = node;

	do {
		switch (token(fdt, off)) {
		case FDT_BEGIN_NODE:
			depth++;
			break;
		case FDT_END_NODE:
			depth--;
			break;
		case FDT_PROP:
		case FDT_NOP:
			break;
		default:
			return -1;
		}
		off = next_token(fdt, off);
	} while (depth > 0);
	while (token(fdt, off) == FDT_NOP)
		off = next_token(fdt, off);
	return token(fdt, off) == FDT_BEGIN_NODE ? off : -1;
}

static int name_matches(const char *name, const char *want, unsigned len)
{
	int want_has_unit = 0;

	for (unsigned i = 0; i < len; i++)
		want_has_unit |= want[i] == '@';
	if (strncmp(name, want, len) != 0)
		return 0;
	return name[len] == '\0' || (name[len] == '@' && !want_has_unit);
}

int dt_path_offset_len(const void *fdt, const char *path, unsigned len)
{
	int node = 0;

	while (token(fdt, node) == FDT_NOP)
		node = next_token(fdt, node);
	if (token(fdt, node) != FDT_BEGIN_NODE || len == 0 || path[0] != '/')
		return -1;
	for (unsigned i = 0; i < len;) {
		while (i < len && path[i] == '/')
			i++;
		unsigned start = i;

		while (i < len && path[i] != '/')
			i++;
		if (i == start)
			break;
		int child = dt_first_child(fdt, node);

		while (child >= 0 && !name_matches(dt_node_name(fdt, child), path + start, i - start))
			child = dt_next_sibling(fdt, child);
		if (child < 0)
			return -1;
		node = child;
	}
	return node;
}

int dt_path_offset(const void *fdt, const char *path)
{
	return dt_path_offset_len(fdt, path, strlen(path));
}

const void *dt_getprop(const void *fdt, int node, const char *name, int *len)
{
	if (node < 0 || token(fdt, node) != FDT_BEGIN_NODE)
		return 0;
	const char *strings = (const char *)fdt + hdr(fdt, H_OFF_STRINGS);
	uint32_t strings_size = hdr(fdt, H_SIZE_STRINGS);
	int off = next_token(fdt, node);

	for (; token(fdt, off) == FDT_PROP || token(fdt, off) == FDT_NOP; off = next_token(fdt, off)) {
		if (token(fdt, off) == FDT_NOP)
			continue;
		const uint8_t *p = structure(fdt) + off;
		uint32_t plen = be32(p + 4), nameoff = be32(p + 8);

		if ((uint32_t)off + 12 + plen > structure_size(fdt) || nameoff >= strings_size)
			return 0;
		if (strncmp(strings + nameoff, name, strings_size - nameoff) == 0) {
			if (len)
				*len = (int)plen;
			return p + 12;
		}
	}
	return 0;
}

uint64_t dt_getprop_cell(const void *fdt, int node, const char *name, uint64_t dflt)
{
	int len;
	const uint8_t *p = dt_getprop(fdt, node, name, &len);

	return p && len >= 4 ? be32(p) : dflt;
}

uint64_t dt_getprop_u(const void *fdt, int node, const char *name, uint64_t dflt)
{
	int len;
	const uint8_t *p = dt_getprop(fdt, node, name, &len);

	if (p && len == 4)
		return be32(p);
	if (p && len == 8)
		return (uint64_t)be32(p) << 32 | be32(p + 4);
	return dflt;
}
