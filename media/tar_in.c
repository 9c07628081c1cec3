/* The stream reader: gzip exactly as written, the tar stream through a
 * small state machine (tar_in_hdr.c checks each header), and, with exact,
 * a second deflate compared with the source. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media/bytes.h"
#include "media/err.h"
#include "media/tar_in_int.h"

#define IN_CHUNK 65536

static int
src_read(struct tin *r, uint64_t off, unsigned char *buf, size_t n)
{
	const struct tar_src *s = r->src;
	size_t done = 0;
	ssize_t k;

	if (off > s->len || n > s->len - off)
		return media_errf(r->err, r->errlen, "read past the end");
	if (s->mem != NULL) {
		memcpy(buf, s->mem + off, n);
		return 0;
	}
	while (done < n) {
		k = pread(s->fd, buf + done, n - done, (off_t)(off + done));
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return media_errf(r->err, r->errlen, "cannot read: %s",
			    k == 0 ? "the file became shorter" :
			    strerror(errno));
		done += (size_t)k;
	}
	return 0;
}

/* The second deflate's output must be the source's next bytes. */
static int
compare(void *arg, const unsigned char *p, size_t n)
{
	struct tin *r = arg;

	if (r->fmt[0])
		return 0;
	if (n > r->src->len - r->zoff || src_read(r, r->zoff, r->cmp, n) ||
	    memcmp(r->cmp, p, n) != 0) {
		tin_deviate(r, "its bytes differ from what ceremony writes for "
		    "the same files (altered, or made by another tool)");
		return 0;
	}
	r->zoff += n;
	return 0;
}

/* Inflated bytes, through the states. 0 or -1. */
static int
feed(struct tin *r, const unsigned char *p, size_t n)
{
	size_t k;

	if (r->z != NULL && !r->fmt[0] && tar_z_put(r->z, p, n, r->err,
	    r->errlen) == -1)
		return -1;
	while (n > 0) {
		switch (r->state) {
		case S_HDR:
		case S_END2:
			k = USTAR_BLOCK - r->blen;
			k = k < n ? k : n;
			memcpy(r->blk + r->blen, p, k);
			r->blen += k;
			r->off += k;
			break;
		case S_DATA:
			k = r->left < n ? (size_t)r->left : n;
			if ((r->rc = r->fn(r->arg, TAR_DATA, &r->h, p, k)) != 0)
				return -1;
			r->left -= k;
			r->off += k;
			break;
		case S_PAD:
			k = r->pad < n ? (size_t)r->pad : n;
			for (size_t i = 0; i < k; i++)
				if (p[i] != 0)
					tin_deviate(r, "non-zero padding after "
					    "member '%s/%s'", r->h.top,
					    r->h.name);
			r->pad -= k;
			r->off += k;
			break;
		default: /* S_AFTER */
			for (k = 0; k < n; k++)
				if (p[k] != 0)
					return media_errf(r->err, r->errlen,
					    "garbage after the end-of-archive "
					    "marker at offset %llu",
					    (unsigned long long)(r->off + k));
			tin_deviate(r, "zero padding after the end-of-archive "
			    "marker");
			r->off += n;
			break;
		}
		p += k;
		n -= k;
		if (r->state == S_HDR && r->blen == USTAR_BLOCK) {
			r->blen = 0;
			if (tin_header(r) == -1)
				return -1;
		} else if (r->state == S_END2 && r->blen == USTAR_BLOCK) {
			for (k = 0; k < USTAR_BLOCK && r->blk[k] == 0; k++)
				;
			if (k < USTAR_BLOCK)
				return media_errf(r->err, r->errlen, "the "
				    "end-of-archive marker at offset %llu is "
				    "cut short or damaged",
				    (unsigned long long)(r->off - 1024));
			r->state = S_AFTER;
		}
		if (r->state == S_DATA && r->left == 0)
			r->state = S_PAD;
		if (r->state == S_PAD && r->pad == 0) {
			r->state = S_HDR;
			if ((r->rc = r->fn(r->arg, TAR_END, &r->h, NULL, 0)) !=
			    0)
				return -1;
		}
	}
	return 0;
}

/* Where the tar stream stopped, when the gzip stream ended. */
static int
tar_ended(struct tin *r)
{
	switch (r->state) {
	case S_AFTER:
		return 0;
	case S_HDR:
		if (r->blen == 0)
			return media_errf(r->err, r->errlen, "the archive has "
			    "no end-of-archive marker (truncated?)");
		return media_errf(r->err, r->errlen, "truncated tar header at "
		    "offset %llu", (unsigned long long)(r->off - r->blen));
	case S_DATA:
	case S_PAD:
		return media_errf(r->err, r->errlen, "member '%s/%s' is "
		    "truncated: the archive ends inside its %s", r->h.top,
		    r->h.name, r->state == S_DATA ? "data" : "padding");
	default:
		return media_errf(r->err, r->errlen, "the end-of-archive "
		    "marker at offset %llu is cut short or damaged",
		    (unsigned long long)(r->off - r->blen - USTAR_BLOCK));
	}
}

static int
gzip_header(struct tin *r)
{
	unsigned char ours[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	unsigned char h[10];
	size_t n = r->src->len < 10 ? (size_t)r->src->len : 10;

	ours[8] = (unsigned char)tar_z_xfl(r->level);
	if (src_read(r, 0, h, n) == -1)
		return -1;
	if (n < 2 || h[0] != 0x1f || h[1] != 0x8b)
		return media_errf(r->err, r->errlen,
		    "not a gzip file (bad magic bytes)");
	if (n < 10)
		return media_errf(r->err, r->errlen, "truncated gzip header "
		    "(input is %zu bytes)", n);
	if (h[2] != 8)
		return media_errf(r->err, r->errlen,
		    "unsupported gzip compression method %u", h[2]);
	if (memcmp(h, ours, 10) != 0)
		return media_errf(r->err, r->errlen, "not an archive written by "
		    "ceremony: its gzip header is not the one ceremony writes "
		    "(mtime 0, no name, no flags, XFL %d, OS 3)", ours[8]);
	return 0;
}

/* The gzip trailer and what follows it; end is the first byte after the
 * deflate data. */
static int
gzip_trailer(struct tin *r, z_stream *z, uint64_t end, uint32_t crc,
    uint64_t tlen)
{
	unsigned char t[8], b;
	unsigned unused = (unsigned)z->data_type & 7;

	if (unused && src_read(r, end - 1, &b, 1) == 0 && b >> (8 - unused))
		tin_deviate(r, "the deflate data ends with non-zero padding "
		    "bits");
	if (r->src->len - end < 8)
		return media_errf(r->err, r->errlen, "truncated gzip stream "
		    "(the trailer is missing %llu bytes)",
		    (unsigned long long)(8 - (r->src->len - end)));
	if (src_read(r, end, t, 8) == -1)
		return -1;
	if (get32le(t) != crc)
		return media_errf(r->err, r->errlen,
		    "gzip CRC-32 mismatch: the archive is corrupted");
	if (get32le(t + 4) != (uint32_t)tlen)
		return media_errf(r->err, r->errlen,
		    "gzip length check mismatch: the archive is corrupted");
	end += 8;
	if (end < r->src->len) {
		if (r->src->len - end >= 2 && src_read(r, end, t, 2) == 0 &&
		    t[0] == 0x1f && t[1] == 0x8b)
			return media_errf(r->err, r->errlen, "a second gzip "
			    "member follows the first at byte %llu: not "
			    "written by ceremony", (unsigned long long)end);
		return media_errf(r->err, r->errlen, "%llu bytes of trailing "
		    "garbage after the gzip stream",
		    (unsigned long long)(r->src->len - end));
	}
	return 0;
}

/* Inflates the source through feed; then the trailer. */
static int
inflate_all(struct tin *r, unsigned char *in, unsigned char *out)
{
	const struct tar_limits *lim = r->lim;
	uint64_t pos = 10, tlen = 0, bound;
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
	z_stream z;
	size_t n;
	int zr, rv = -1;

	bound = lim->max_total + (uint64_t)USTAR_BLOCK *
	    (2 * (uint64_t)lim->max_members + 3);
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return media_errf(r->err, r->errlen, "zlib: inflateInit2 "
		    "failed");
	for (;;) {
		if (z.avail_in == 0 && pos < r->src->len) {
			n = r->src->len - pos < IN_CHUNK ?
			    (size_t)(r->src->len - pos) : IN_CHUNK;
			if (src_read(r, pos, in, n) == -1)
				goto out;
			z.next_in = in;
			z.avail_in = (uInt)n;
			pos += n;
		}
		z.next_out = out;
		z.avail_out = IN_CHUNK;
		zr = inflate(&z, Z_NO_FLUSH);
		if ((n = IN_CHUNK - z.avail_out) > 0) {
			crc = (uint32_t)crc32(crc, out, (uInt)n);
			if ((tlen += n) > bound) {
				media_errf(r->err, r->errlen, "archive expands "
				    "to more than %llu bytes: refused (gzip "
				    "bomb?)", (unsigned long long)bound);
				goto out;
			}
			if (feed(r, out, n) == -1)
				goto out;
		}
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK || (zr == Z_BUF_ERROR && (z.avail_in > 0 ||
		    pos < r->src->len)))
			continue;
		if (zr == Z_BUF_ERROR)
			media_errf(r->err, r->errlen, "truncated gzip stream "
			    "(input ends after %llu bytes)",
			    (unsigned long long)r->src->len);
		else
			media_errf(r->err, r->errlen, "corrupt gzip data "
			    "(zlib: %s)", z.msg ? z.msg : "error");
		goto out;
	}
	if (gzip_trailer(r, &z, pos - z.avail_in, crc, tlen) == -1 ||
	    tar_ended(r) == -1)
		goto out;
	rv = 0;
out:
	inflateEnd(&z);
	return rv;
}

int
tar_scan(const struct tar_src *src, const struct tar_limits *lim, int level,
    int exact, tar_scan_fn fn, void *arg, char *err, size_t errlen)
{
	struct tin *r;
	unsigned char *in = NULL, *out = NULL;
	int rv = -1;

	err[0] = '\0';
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (in = malloc(IN_CHUNK)) == NULL ||
	    (out = malloc(IN_CHUNK)) == NULL) {
		media_errf(err, errlen, "out of memory");
		goto out;
	}
	r->src = src;
	r->lim = lim;
	r->level = level;
	r->fn = fn;
	r->arg = arg;
	r->err = err;
	r->errlen = errlen;
	if (exact && ((r->z = malloc(sizeof(*r->z))) == NULL ||
	    (r->cmp = malloc(TAR_Z_OUT)) == NULL)) {
		media_errf(err, errlen, "out of memory");
		goto out;
	}
	if (exact && tar_z_init(r->z, level, compare, r, err, errlen) == -1) {
		free(r->z);
		r->z = NULL;
		goto out;
	}
	if (gzip_header(r) == -1 || inflate_all(r, in, out) == -1)
		goto out;
	if (r->z != NULL && !r->fmt[0] && (tar_z_finish(r->z, err,
	    errlen) == -1 || (!r->fmt[0] && r->zoff != src->len)))
		tin_deviate(r, "its bytes differ from what ceremony writes for "
		    "the same files (altered, or made by another tool)");
	if (r->fmt[0]) {
		media_errf(err, errlen, "not an archive written by ceremony: "
		    "%s", r->fmt);
		goto out;
	}
	rv = 0;
out:
	if (r != NULL && r->rc != 0)
		rv = TAR_STOPPED;
	if (r != NULL && r->z != NULL) {
		tar_z_end(r->z);
		free(r->z);
	}
	if (r != NULL)
		free(r->cmp);
	free(r);
	free(in);
	free(out);
	return rv;
}
