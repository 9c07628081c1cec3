/* Deterministic ustar+gzip writer and strict reader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "media/tar.h"

#define BLOCK 512

int
tar_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > TAR_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

static size_t
round_block(size_t n)
{
	return (n + BLOCK - 1) / BLOCK * BLOCK;
}

static void
octal(unsigned char *f, size_t width, uint64_t v)
{
	/* width-1 zero-padded digits and a NUL; v fits (checked) */
	size_t i;

	f[width - 1] = '\0';
	for (i = width - 1; i > 0; i--) {
		f[i - 1] = (unsigned char)('0' + (v & 7));
		v >>= 3;
	}
}

static void
header(unsigned char *h, const char *prefix, const char *name, char type,
    unsigned mode, uint64_t size, uint64_t mtime)
{
	unsigned sum = 0;
	size_t i;

	memset(h, 0, BLOCK);
	memcpy(h, name, strlen(name));
	octal(h + 100, 8, mode);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, mtime);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar\0" "00", 8);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	octal(h + 329, 8, 0);
	octal(h + 337, 8, 0);
	memcpy(h + 345, prefix, strlen(prefix));
	memset(h + 148, ' ', 8);
	for (i = 0; i < BLOCK; i++)
		sum += h[i];
	octal(h + 148, 7, sum);
	h[155] = ' ';
}

static int
cmp_member(const void *a, const void *b)
{
	const struct tar_member *x = *(const struct tar_member *const *)a;
	const struct tar_member *y = *(const struct tar_member *const *)b;

	return strcmp(x->name, y->name);
}

int
tar_gzip(const unsigned char *in, size_t len, unsigned char **out,
    size_t *outlen, char *err, size_t errlen)
{
	z_stream z;
	gz_header gh;
	unsigned char *buf = NULL;
	uLong bound;
	int rc = -1;

	memset(&z, 0, sizeof(z));
	memset(&gh, 0, sizeof(gh));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		snprintf(err, errlen, "zlib: deflateInit2 failed");
		return -1;
	}
	gh.os = 3;
	gh.time = 0;
	if (deflateSetHeader(&z, &gh) != Z_OK) {
		snprintf(err, errlen, "zlib: deflateSetHeader failed");
		goto out;
	}
	bound = deflateBound(&z, (uLong)len) + 32;
	if ((buf = malloc(bound)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		snprintf(err, errlen, "zlib: deflate did not finish");
		goto out;
	}
	*out = buf;
	*outlen = z.total_out;
	buf = NULL;
	rc = 0;
out:
	deflateEnd(&z);
	free(buf);
	return rc;
}

int
tar_write(const char *top, const struct tar_member *m, size_t n,
    uint64_t mtime, unsigned char **out, size_t *outlen, char *err,
    size_t errlen)
{
	const struct tar_member **s = NULL;
	unsigned char *tar = NULL, *p;
	size_t i, len = 3 * BLOCK;
	char dir[TAR_NAME_MAX + 2];
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (!tar_name_ok(top)) {
		snprintf(err, errlen, "bad top folder name '%s' (use 1-%d of "
		    "A-Z a-z 0-9 . _ -, starting with a letter or digit)",
		    top, TAR_NAME_MAX);
		return -1;
	}
	if (mtime > 077777777777ULL) {
		snprintf(err, errlen, "mtime %llu out of range",
		    (unsigned long long)mtime);
		return -1;
	}
	if ((s = calloc(n ? n : 1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!tar_name_ok(m[i].name)) {
			snprintf(err, errlen, "bad member name '%s' (use 1-%d "
			    "of A-Z a-z 0-9 . _ -, starting with a letter or "
			    "digit)", m[i].name, TAR_NAME_MAX);
			goto out;
		}
		if (m[i].mode > 0777) {
			snprintf(err, errlen, "member '%s': mode %o has bits "
			    "beyond 0777", m[i].name, m[i].mode);
			goto out;
		}
		if (m[i].len > 077777777777ULL) {
			snprintf(err, errlen, "member '%s' is too large",
			    m[i].name);
			goto out;
		}
		s[i] = &m[i];
		len += BLOCK + round_block(m[i].len);
	}
	qsort(s, n, sizeof(*s), cmp_member);
	for (i = 1; i < n; i++) {
		if (strcmp(s[i - 1]->name, s[i]->name) == 0) {
			snprintf(err, errlen, "duplicate member name '%s'",
			    s[i]->name);
			goto out;
		}
	}
	if ((tar = calloc(1, len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/", top);
	header(tar, "", dir, '5', 0755, 0, mtime);
	p = tar + BLOCK;
	for (i = 0; i < n; i++) {
		header(p, top, s[i]->name, '0', s[i]->mode, s[i]->len, mtime);
		p += BLOCK;
		if (s[i]->len)
			memcpy(p, s[i]->data, s[i]->len);
		p += round_block(s[i]->len);
	}
	rc = tar_gzip(tar, len, out, outlen, err, errlen);
out:
	free(tar);
	free(s);
	return rc;
}

void
tar_list_free(struct tar_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		free(list->e[i].name);
		free(list->e[i].data);
	}
	free(list->e);
	memset(list, 0, sizeof(*list));
}

const struct tar_entry *
tar_list_find(const struct tar_list *list, const char *name)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->e[i].name, name) == 0)
			return &list->e[i];
	return NULL;
}
