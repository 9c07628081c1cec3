/* The stream reader, one header block at a time: the damage and hostile
 * paths tar_read refuses, then the block must be the one the writer makes
 * for the same name, mode and size. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "media/err.h"
#include "media/tar_in_int.h"

void
tin_deviate(struct tin *r, const char *fmt, ...)
{
	va_list ap;

	if (r->fmt[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->fmt, sizeof(r->fmt), fmt, ap);
	va_end(ap);
}

static int
octal_field(const unsigned char *f, size_t w, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	while (i < w && f[i] == ' ')
		i++;
	if (i == w || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < w && f[i] >= '0' && f[i] <= '7'; i++) {
		if (*v >> 60)
			return -1;
		*v = *v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < w; i++)
		if (f[i] != '\0' && f[i] != ' ')
			return -1;
	return 0;
}

static void
field(const unsigned char *f, size_t w, char *out)
{
	size_t n = 0;

	while (n < w && f[n])
		n++;
	memcpy(out, f, n);
	out[n] = '\0';
}

static const char *
type_name(unsigned char t)
{
	switch (t) {
	case '1': return "a hard link";
	case '2': return "a symlink";
	case '3': return "a character device";
	case '4': return "a block device";
	case '6': return "a fifo";
	case '7': return "a contiguous file";
	case 'x': return "a pax extended header";
	case 'g': return "a pax global header";
	case 'L': return "a GNU long name";
	case 'K': return "a GNU long link name";
	default: return NULL;
	}
}

/* Path and type; *base is the name inside the top folder. */
static int
check_path(struct tin *r, const char *path, unsigned char t, const char **base)
{
	const char *slash, *p;
	char top[256];
	size_t n;

	if (path[0] == '\0')
		return media_errf(r->err, r->errlen, "member at offset %llu "
		    "has an empty name", (unsigned long long)(r->off -
		    USTAR_BLOCK));
	if (path[0] == '/')
		return media_errf(r->err, r->errlen,
		    "member '%s' has an absolute path", path);
	for (p = path; (slash = strchr(p, '/')) != NULL || *p; p = slash + 1) {
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return media_errf(r->err, r->errlen,
			    "member '%s' has a '..' component", path);
		if (slash == NULL)
			break;
	}
	if (type_name(t))
		return media_errf(r->err, r->errlen, "member '%s' is %s: only "
		    "regular files are allowed", path, type_name(t));
	if (t != '0' && t != '\0' && t != '5')
		return media_errf(r->err, r->errlen, "member '%s' has unknown "
		    "type '%c': only regular files are allowed", path,
		    t >= 0x20 && t < 0x7f ? t : '?');
	if ((slash = strchr(path, '/')) == NULL)
		return media_errf(r->err, r->errlen, "member '%s' is %s", path,
		    t == '5' ? "a directory outside the top folder" :
		    "not inside a top folder");
	n = (size_t)(slash - path);
	if (n >= sizeof(top))
		return media_errf(r->err, r->errlen,
		    "member '%s': top folder name too long", path);
	memcpy(top, path, n);
	top[n] = '\0';
	*base = slash + 1;
	if (!r->top_seen) {
		if (!tar_name_ok(top))
			return media_errf(r->err, r->errlen, "top folder '%s' "
			    "has a bad name (allowed: 1-%d of A-Z a-z 0-9 . _ "
			    "-, not starting with . _ -)", top, TAR_NAME_MAX);
		memcpy(r->h.top, top, n + 1);
	} else if (strcmp(top, r->h.top) != 0)
		return media_errf(r->err, r->errlen, "member '%s' is under a "
		    "second top folder '%s' (the archive's top folder is '%s')",
		    path, top, r->h.top);
	if (t == '5') {
		if (**base != '\0')
			return media_errf(r->err, r->errlen, "member '%s' is a "
			    "directory: only the top folder may be one", path);
		if (r->top_seen)
			return media_errf(r->err, r->errlen,
			    "the top folder entry '%s' appears twice", path);
		return 0;
	}
	if (!tar_stream_name_ok(*base))
		return media_errf(r->err, r->errlen, "member '%s' has a bad "
		    "name (allowed: 1-%d of A-Z a-z 0-9 . _ : -, not starting "
		    "with '.', no subfolders)", path, TAR_STREAM_NAME_MAX);
	return 0;
}

/* Sizes, counts and order; 0 or -1. */
static int
check_member(struct tin *r, const char *path, const char *base,
    uint64_t size)
{
	const struct tar_limits *lim = r->lim;
	int c;

	if (size > lim->max_member)
		return media_errf(r->err, r->errlen, "member '%s' is %llu "
		    "bytes, over the limit of %zu", path,
		    (unsigned long long)size, lim->max_member);
	if (size > lim->max_total - r->total)
		return media_errf(r->err, r->errlen, "members add up to more "
		    "than the limit of %zu bytes (at '%s')", lim->max_total,
		    path);
	if (r->members >= lim->max_members)
		return media_errf(r->err, r->errlen, "more than %zu members "
		    "(at '%s')", lim->max_members, path);
	if (r->members > 0) {
		c = strcmp(r->h.name, base);
		if (c == 0)
			return media_errf(r->err, r->errlen,
			    "duplicate member name '%s'", path);
		if (c > 0)
			tin_deviate(r, "members are not sorted ('%s' comes "
			    "after '%s')", base, r->h.name);
	}
	return 0;
}

/* Departures from the writer's block for this member. */
static void
check_canon(struct tin *r, const unsigned char *h, const char *path,
    const char *base, unsigned char t, uint64_t size)
{
	unsigned char want[USTAR_BLOCK];
	char dir[TAR_NAME_MAX + 2];
	uint64_t mode, mtime;

	if (!r->top_seen && t != '5')
		tin_deviate(r, "the archive does not start with its top "
		    "folder entry");
	if (memcmp(h + USTAR_MAGIC, USTAR_ID, USTAR_ID_LEN) != 0)
		tin_deviate(r, "member '%s' is not in POSIX ustar format",
		    path);
	if (octal_field(h + USTAR_MODE, USTAR_MODE_LEN, &mode) < 0 ||
	    mode > 0777)
		tin_deviate(r, "member '%s' has mode bits beyond 0777", path);
	if (octal_field(h + USTAR_MTIME, USTAR_MTIME_LEN, &mtime) < 0)
		tin_deviate(r, "member '%s' has a malformed mtime", path);
	else if (!r->top_seen)
		r->h.mtime = mtime;
	else if (mtime != r->h.mtime)
		tin_deviate(r, "member '%s' has a different mtime from the top "
		    "folder", path);
	if (t == '5') {
		snprintf(dir, sizeof(dir), "%s/", r->h.top);
		ustar_header(want, "", dir, '5', 0755, 0, r->h.mtime);
	} else
		ustar_header(want, r->h.top, base, '0', (unsigned)(mode & 0777),
		    size, r->h.mtime);
	if (memcmp(want, h, USTAR_BLOCK) != 0)
		tin_deviate(r, "the header of member '%s' is not the one "
		    "ceremony writes", path);
	r->h.mode = (unsigned)(mode & 0777);
}

int
tin_header(struct tin *r)
{
	const unsigned char *h = r->blk;
	char name[USTAR_NAME_LEN + 1], prefix[USTAR_PREFIX_LEN + 1];
	char path[USTAR_PREFIX_LEN + USTAR_NAME_LEN + 2];
	const char *base = NULL;
	uint64_t sum, size;
	unsigned calc = 0;
	unsigned char t = h[USTAR_TYPE];
	size_t i;

	for (i = 0; i < USTAR_BLOCK && h[i] == 0; i++)
		;
	if (i == USTAR_BLOCK) {
		if (!r->top_seen)
			return media_errf(r->err, r->errlen,
			    "the archive is empty");
		r->state = S_END2;
		return 0;
	}
	for (i = 0; i < USTAR_BLOCK; i++)
		calc += (i >= USTAR_CHKSUM &&
		    i < USTAR_CHKSUM + USTAR_CHKSUM_LEN) ? ' ' : h[i];
	if (octal_field(h + USTAR_CHKSUM, USTAR_CHKSUM_LEN, &sum) < 0 ||
	    sum != calc)
		return media_errf(r->err, r->errlen, "tar header checksum "
		    "mismatch at offset %llu: the archive is corrupted",
		    (unsigned long long)(r->off - USTAR_BLOCK));
	field(h + USTAR_NAME, USTAR_NAME_LEN, name);
	field(h + USTAR_PREFIX, USTAR_PREFIX_LEN, prefix);
	if (memcmp(h + USTAR_MAGIC, USTAR_ID, USTAR_MAGIC_LEN) != 0)
		prefix[0] = '\0';
	snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "/" : "",
	    name);
	if (check_path(r, path, t, &base) < 0)
		return -1;
	if (octal_field(h + USTAR_SIZE, USTAR_SIZE_LEN, &size) < 0)
		return media_errf(r->err, r->errlen,
		    "member '%s' has a malformed size field", path);
	if (t == '5' && size != 0)
		return media_errf(r->err, r->errlen,
		    "the top folder entry '%s' carries data", path);
	if (t != '5' && check_member(r, path, base, size) < 0)
		return -1;
	check_canon(r, h, path, base, t, size);
	if (t == '5') {
		r->top_seen = 1;
		return 0;
	}
	if (!r->top_seen) /* a departure already noted: go on reading */
		r->top_seen = 1;
	snprintf(r->h.name, sizeof(r->h.name), "%s", base);
	r->h.size = size;
	r->h.index = r->members++;
	r->total += size;
	r->left = size;
	r->pad = (USTAR_BLOCK - size % USTAR_BLOCK) % USTAR_BLOCK;
	r->state = S_DATA;
	if ((r->rc = r->fn(r->arg, TAR_BEGIN, &r->h, NULL, 0)) != 0)
		return -1;
	return 0;
}
