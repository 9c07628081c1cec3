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

/* The name inside the top folder: one flat name. */
static int
check_base(struct tin *r, const struct ustar_member *m)
{
	if (m->type != '5' && !tar_stream_name_ok(m->base))
		return media_errf(r->err, r->errlen, "member '%s' has a bad "
		    "name (allowed: 1-%d of A-Z a-z 0-9 . _ : -, not starting "
		    "with '.', no subfolders)", m->path, TAR_STREAM_NAME_MAX);
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
	if (ustar_octal(h + USTAR_MODE, USTAR_MODE_LEN, &mode) < 0 ||
	    mode > 0777)
		tin_deviate(r, "member '%s' has mode bits beyond 0777", path);
	if (ustar_octal(h + USTAR_MTIME, USTAR_MTIME_LEN, &mtime) < 0)
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
	struct ustar_member m;
	const char *path = m.path, *base;
	uint64_t size;
	unsigned char t;
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
	if (ustar_member_read(h, (unsigned long long)(r->off - USTAR_BLOCK),
	    !r->top_seen, r->h.top, sizeof(r->h.top), &m, r->err,
	    r->errlen) < 0 || check_base(r, &m) < 0)
		return -1;
	base = m.base;
	size = m.size;
	t = m.type;
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
