/* Strict reader for the archives tar_write makes. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "media/bytes.h"
#include "media/err.h"
#include "media/tar.h"
#include "media/ustar.h"

struct rd {
	const unsigned char *t; /* tar stream */
	size_t len;
	const struct tar_limits *lim;
	struct tar_list *list;
	size_t cap, total;
	char fmt[256]; /* first format deviation, reported if nothing worse */
	char *err;
	size_t errlen;
};

static void
deviate(struct rd *r, const char *fmt, ...)
{
	va_list ap;

	if (r->fmt[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->fmt, sizeof(r->fmt), fmt, ap);
	va_end(ap);
}

/* Skips the gzip header; *canon is set when it is exactly ours. */
static int
gzip_header(const unsigned char *gz, size_t len, size_t *hlen, int *canon,
    char *err, size_t errlen)
{
	static const unsigned char ours[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0,
		2, 3 };
	unsigned char flg;
	size_t p = 10, x;

	if (len < 2 || gz[0] != 0x1f || gz[1] != 0x8b)
		return media_errf(err, errlen,
		    "not a gzip file (bad magic bytes)");
	if (len < 10)
		goto trunc;
	if (gz[2] != 8)
		return media_errf(err, errlen,
		    "unsupported gzip compression method %u", gz[2]);
	flg = gz[3];
	if (flg & 0xe0)
		return media_errf(err, errlen, "reserved gzip header flags are "
		    "set: the archive is corrupted");
	if (flg & 4) { /* FEXTRA */
		if (len - p < 2)
			goto trunc;
		x = get16le(gz + p);
		if (len - p - 2 < x)
			goto trunc;
		p += 2 + x;
	}
	for (x = 8; x <= 16; x += 8) { /* FNAME, FCOMMENT */
		if (!(flg & x))
			continue;
		while (p < len && gz[p])
			p++;
		if (p++ == len)
			goto trunc;
	}
	if (flg & 2) { /* FHCRC */
		if (len - p < 2)
			goto trunc;
		if ((crc32(0L, gz, (uInt)p) & 0xffff) !=
		    (uLong)get16le(gz + p))
			return media_errf(err, errlen, "gzip header CRC "
			    "mismatch: the archive is corrupted");
		p += 2;
	}
	*hlen = p;
	*canon = p == 10 && memcmp(gz, ours, 10) == 0;
	return 0;
trunc:
	return media_errf(err, errlen,
	    "truncated gzip header (input is %zu bytes)", len);
}

/* Gunzips one member into malloc'd *out, at most bound bytes. dev gets a
 * note when the gzip wrapping is valid but not what tar_write makes. */
static int
gunzip(const unsigned char *gz, size_t len, size_t bound, unsigned char **out,
    size_t *outlen, char *dev, size_t devlen, char *err, size_t errlen)
{
	z_stream z;
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, hlen = 0, end, unused;
	int zr, rc = -1, canon;

	*out = NULL;
	if (gzip_header(gz, len, &hlen, &canon, err, errlen) < 0)
		return -1;
	if (!canon)
		snprintf(dev, devlen, "its gzip header is not the one ceremony "
		    "writes (mtime 0, no name, no flags, XFL 2, OS 3)");
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return media_errf(err, errlen, "zlib: inflateInit2 failed");
	z.next_in = (unsigned char *)gz + hlen;
	z.avail_in = (uInt)(len - hlen);
	for (;;) {
		if (z.total_out == cap) {
			if (cap > bound) {
				media_errf(err, errlen, "archive expands to "
				    "more than %zu bytes: refused (gzip bomb?)",
				    bound);
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			if (cap > bound + 1)
				cap = bound + 1;
			if ((nb = realloc(buf, cap)) == NULL) {
				media_errf(err, errlen, "out of memory");
				goto out;
			}
			buf = nb;
			z.next_out = buf + z.total_out;
			z.avail_out = (uInt)(cap - z.total_out);
		}
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && z.avail_in == 0) {
			media_errf(err, errlen, "truncated gzip stream (input "
			    "ends after %zu bytes)", len);
			goto out;
		}
		if (zr == Z_BUF_ERROR)
			continue;
		media_errf(err, errlen, "corrupt gzip data (zlib: %s)",
		    z.msg ? z.msg : "error");
		goto out;
	}
	if (z.total_out > bound) {
		media_errf(err, errlen, "archive expands to more than %zu "
		    "bytes: refused (gzip bomb?)", bound);
		goto out;
	}
	end = len - z.avail_in;
	unused = (size_t)z.data_type & 7;
	if (unused && gz[end - 1] >> (8 - unused))
		snprintf(dev, devlen, "the deflate data ends with non-zero "
		    "padding bits");
	if (len - end < 8) {
		media_errf(err, errlen,
		    "truncated gzip stream (the trailer is missing %zu bytes)",
		    8 - (len - end));
		goto out;
	}
	if (get32le(gz + end) != (uint32_t)crc32(0L, buf, (uInt)z.total_out)) {
		media_errf(err, errlen,
		    "gzip CRC-32 mismatch: the archive is corrupted");
		goto out;
	}
	if (get32le(gz + end + 4) != (uint32_t)z.total_out) {
		media_errf(err, errlen,
		    "gzip length check mismatch: the archive is corrupted");
		goto out;
	}
	end += 8;
	if (end < len) {
		if (len - end >= 2 && gz[end] == 0x1f && gz[end + 1] == 0x8b)
			media_errf(err, errlen, "a second gzip member follows "
			    "the first at byte %zu: not written by ceremony",
			    end);
		else
			media_errf(err, errlen, "%zu bytes of trailing garbage "
			    "after the gzip stream", len - end);
		goto out;
	}
	*out = buf;
	*outlen = z.total_out;
	buf = NULL;
	rc = 0;
out:
	inflateEnd(&z);
	free(buf);
	return rc;
}

static int
all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Names inside the top folder: folders and a file name. */
static int
check_base(struct rd *r, const struct ustar_member *m)
{
	if (m->type != '5' && !tar_path_ok(m->base))
		return media_errf(r->err, r->errlen, "member '%s' has a bad "
		    "name (allowed: folders and a file name of 1-%d of A-Z "
		    "a-z 0-9 . _ -, not starting with . _ -, at most %d deep)",
		    m->path, TAR_NAME_MAX, TAR_DEPTH_MAX);
	return 0;
}

/* a is a folder of b: b starts with a "/". */
static int
folder_of(const char *a, const char *b)
{
	size_t n = strlen(a);

	return strncmp(a, b, n) == 0 && b[n] == '/';
}

static int
add_entry(struct rd *r, const char *name, const unsigned char *data,
    size_t size, unsigned mode)
{
	struct tar_list *l = r->list;
	struct tar_entry *ne, *e;

	if (l->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		if ((ne = realloc(l->e, r->cap * sizeof(*ne))) == NULL)
			return media_errf(r->err, r->errlen, "out of memory");
		l->e = ne;
	}
	e = &l->e[l->n];
	memset(e, 0, sizeof(*e));
	if ((e->name = strdup(name)) == NULL ||
	    (e->data = malloc(size + 1)) == NULL) {
		free(e->name);
		return media_errf(r->err, r->errlen, "out of memory");
	}
	if (size)
		memcpy(e->data, data, size);
	e->data[size] = '\0';
	e->len = size;
	e->mode = mode;
	l->n++;
	return 0;
}

static int
member(struct rd *r, size_t *offp, int first)
{
	const unsigned char *h = r->t + *offp;
	char uname[USTAR_UNAME_LEN + 1], gname[USTAR_GNAME_LEN + 1];
	struct ustar_member m;
	const char *path = m.path, *base;
	uint64_t size, mode, uid, gid, mtime;
	size_t i, off = *offp, pad;
	unsigned char t;

	if (ustar_member_read(h, (unsigned long long)off, first, r->list->top,
	    sizeof(r->list->top), &m, r->err, r->errlen) < 0 ||
	    check_base(r, &m) < 0)
		return -1;
	base = m.base;
	size = m.size;
	t = m.type;
	if (t != '5') {
		if (size > r->lim->max_member)
			return media_errf(r->err, r->errlen,
			    "member '%s' is %llu bytes, over the limit of %zu",
			    path, (unsigned long long)size, r->lim->max_member);
		if (size > r->lim->max_total - r->total)
			return media_errf(r->err, r->errlen, "members add up "
			    "to more than the limit of %zu bytes (at '%s')",
			    r->lim->max_total, path);
		if (r->list->n >= r->lim->max_members)
			return media_errf(r->err, r->errlen,
			    "more than %zu members (at '%s')",
			    r->lim->max_members, path);
		for (i = 0; i < r->list->n; i++) {
			if (strcmp(r->list->e[i].name, base) == 0)
				return media_errf(r->err, r->errlen,
				    "duplicate member name '%s'", path);
			if (folder_of(r->list->e[i].name, base) ||
			    folder_of(base, r->list->e[i].name))
				return media_errf(r->err, r->errlen,
				    "member '%s' and '%s/%s': one name is a "
				    "file and a folder", path, r->list->top,
				    r->list->e[i].name);
		}
	}
	if (size > r->len - off - USTAR_BLOCK)
		return media_errf(r->err, r->errlen, "member '%s' is "
		    "truncated: the archive ends inside its data", path);
	pad = (size_t)((USTAR_BLOCK - size % USTAR_BLOCK) % USTAR_BLOCK);
	if (pad > r->len - off - USTAR_BLOCK - size)
		return media_errf(r->err, r->errlen, "member '%s' is "
		    "truncated: the archive ends inside its padding", path);

	/* Deviations from what tar_write makes. */
	if (first && t != '5')
		deviate(r, "the archive does not start with its top folder "
		    "entry");
	if (memcmp(h + USTAR_MAGIC, USTAR_ID, USTAR_ID_LEN) != 0)
		deviate(r, "member '%s' is not in POSIX ustar format", path);
	if (t == '\0')
		deviate(r, "member '%s' uses the old type flag NUL", path);
	if (ustar_octal(h + USTAR_MODE, USTAR_MODE_LEN, &mode) < 0 ||
	    mode > 0777)
		deviate(r, "member '%s' has mode bits beyond 0777", path);
	if (ustar_octal(h + USTAR_UID, USTAR_UID_LEN, &uid) < 0 || uid != 0 ||
	    ustar_octal(h + USTAR_GID, USTAR_GID_LEN, &gid) < 0 || gid != 0)
		deviate(r, "member '%s' is not owned by uid/gid 0", path);
	ustar_field(h + USTAR_UNAME, USTAR_UNAME_LEN, uname);
	ustar_field(h + USTAR_GNAME, USTAR_GNAME_LEN, gname);
	if ((uname[0] && strcmp(uname, "root")) ||
	    (gname[0] && strcmp(gname, "root")))
		deviate(r, "member '%s' has owner names other than root",
		    path);
	if (ustar_octal(h + USTAR_MTIME, USTAR_MTIME_LEN, &mtime) < 0)
		deviate(r, "member '%s' has a malformed mtime", path);
	else if (first)
		r->list->mtime = mtime;
	else if (mtime != r->list->mtime)
		deviate(r, "member '%s' has a different mtime from the top "
		    "folder", path);
	if (h[USTAR_LINKNAME] != '\0')
		deviate(r, "member '%s' has a link name", path);
	if (!all_zero(h + USTAR_BLOCK + size, pad))
		deviate(r, "non-zero padding after member '%s'", path);
	if (t != '5' && r->list->n > 0 &&
	    strcmp(r->list->e[r->list->n - 1].name, base) > 0)
		deviate(r, "members are not sorted ('%s' comes after '%s')",
		    base, r->list->e[r->list->n - 1].name);

	if (t != '5') {
		if (add_entry(r, base, h + USTAR_BLOCK, (size_t)size,
		    (unsigned)(mode & 0777)) < 0)
			return -1;
		r->total += (size_t)size;
	}
	*offp = off + USTAR_BLOCK + (size_t)size + pad;
	return 0;
}

/* The last word: tar_write of the listing must give the same bytes, so
 * no field, padding or deflate choice can differ unnoticed. */
static int
same_as_written(struct rd *r, const unsigned char *gz, size_t len)
{
	struct tar_list *l = r->list;
	struct tar_member *m;
	unsigned char *again = NULL;
	size_t alen = 0, i;
	int rc = -1;

	if ((m = calloc(l->n ? l->n : 1, sizeof(*m))) == NULL)
		return media_errf(r->err, r->errlen, "out of memory");
	for (i = 0; i < l->n; i++) {
		m[i].name = l->e[i].name;
		m[i].data = l->e[i].data;
		m[i].len = l->e[i].len;
		m[i].mode = l->e[i].mode;
	}
	if (tar_write(l->top, m, l->n, l->mtime, &again, &alen, r->err,
	    r->errlen) < 0)
		goto out;
	if (alen != len || memcmp(again, gz, len) != 0)
		deviate(r, "its bytes differ from what ceremony writes for the "
		    "same files (altered, or made by another tool)");
	rc = 0;
out:
	free(again);
	free(m);
	return rc;
}

int
tar_read(const unsigned char *gz, size_t len, const struct tar_limits *lim,
    struct tar_list *list, char *err, size_t errlen)
{
	static const struct tar_limits def = { TAR_DEF_MEMBERS,
		TAR_DEF_MEMBER, TAR_DEF_TOTAL };
	struct rd r;
	char gzdev[128] = "";
	unsigned char *t = NULL;
	size_t tlen = 0, off = 0, bound;
	int first = 1, rc = -1;

	memset(list, 0, sizeof(*list));
	memset(&r, 0, sizeof(r));
	if (lim == NULL)
		lim = &def;
	r.lim = lim;
	r.list = list;
	r.err = err;
	r.errlen = errlen;
	bound = lim->max_total + USTAR_BLOCK * (2 * lim->max_members + 3);
	if (bound < lim->max_total)
		return media_errf(err, errlen, "tar limits overflow");
	if (gunzip(gz, len, bound, &t, &tlen, gzdev, sizeof(gzdev), err,
	    errlen) < 0)
		return -1;
	r.t = t;
	r.len = tlen;
	for (;;) {
		if (off == tlen) {
			media_errf(err, errlen, "the archive has no "
			    "end-of-archive marker (truncated?)");
			goto out;
		}
		if (tlen - off < USTAR_BLOCK) {
			media_errf(err, errlen,
			    "truncated tar header at offset %zu", off);
			goto out;
		}
		if (all_zero(t + off, USTAR_BLOCK))
			break;
		if (member(&r, &off, first) < 0)
			goto out;
		first = 0;
	}
	if (first) {
		media_errf(err, errlen, "the archive is empty");
		goto out;
	}
	if (tlen - off < 2 * USTAR_BLOCK ||
	    !all_zero(t + off, 2 * USTAR_BLOCK)) {
		media_errf(err, errlen, "the end-of-archive marker at offset "
		    "%zu is cut short or damaged", off);
		goto out;
	}
	off += 2 * USTAR_BLOCK;
	if (!all_zero(t + off, tlen - off)) {
		media_errf(err, errlen,
		    "garbage after the end-of-archive marker at offset %zu",
		    off);
		goto out;
	}
	if (off != tlen)
		deviate(&r, "zero padding after the end-of-archive marker");
	if (gzdev[0])
		deviate(&r, "%s", gzdev);
	if (!r.fmt[0] && same_as_written(&r, gz, len) < 0)
		goto out;
	if (r.fmt[0]) {
		media_errf(err, errlen,
		    "not an archive written by ceremony: %s", r.fmt);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		tar_list_free(list);
	free(t);
	return rc;
}
