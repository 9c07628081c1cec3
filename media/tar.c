/* Deterministic ustar+gzip writer and strict reader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "media/err.h"
#include "media/tar.h"
#include "media/ustar.h"

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

int
tar_path_ok(const char *s)
{
	char part[TAR_NAME_MAX + 1];
	const char *slash;
	size_t n, depth = 0;

	if (strlen(s) > TAR_PATH_MAX)
		return 0;
	for (;;) {
		slash = strchr(s, '/');
		n = slash ? (size_t)(slash - s) : strlen(s);
		if (n > TAR_NAME_MAX || ++depth > TAR_DEPTH_MAX)
			return 0;
		memcpy(part, s, n);
		part[n] = '\0';
		if (!tar_name_ok(part))
			return 0;
		if (slash == NULL)
			return 1;
		s = slash + 1;
	}
}

/* Where path splits between the prefix (after TOP) and name fields: the
 * offset of the name in path, or -1 if no split fits. */
static int
split_path(const char *top, const char *path)
{
	const char *p = path;

	while (strlen(p) > USTAR_NAME_LEN) {
		if ((p = strchr(p, '/')) == NULL)
			return -1;
		p++;
	}
	/* the prefix is TOP, or TOP "/" the folders before p */
	if (strlen(top) + (size_t)(p - path) > USTAR_PREFIX_LEN)
		return -1;
	return (int)(p - path);
}

static size_t
round_block(size_t n)
{
	return (n + USTAR_BLOCK - 1) / USTAR_BLOCK * USTAR_BLOCK;
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

void
ustar_header(unsigned char *h, const char *prefix, const char *name,
    char type, unsigned mode, uint64_t size, uint64_t mtime)
{
	unsigned sum = 0;
	size_t i;

	memset(h, 0, USTAR_BLOCK);
	memcpy(h + USTAR_NAME, name, strlen(name));
	octal(h + USTAR_MODE, USTAR_MODE_LEN, mode);
	octal(h + USTAR_UID, USTAR_UID_LEN, 0);
	octal(h + USTAR_GID, USTAR_GID_LEN, 0);
	octal(h + USTAR_SIZE, USTAR_SIZE_LEN, size);
	octal(h + USTAR_MTIME, USTAR_MTIME_LEN, mtime);
	h[USTAR_TYPE] = (unsigned char)type;
	memcpy(h + USTAR_MAGIC, USTAR_ID, USTAR_ID_LEN);
	memcpy(h + USTAR_UNAME, "root", 4);
	memcpy(h + USTAR_GNAME, "root", 4);
	octal(h + USTAR_DEVMAJOR, USTAR_DEVMAJOR_LEN, 0);
	octal(h + USTAR_DEVMINOR, USTAR_DEVMINOR_LEN, 0);
	memcpy(h + USTAR_PREFIX, prefix, strlen(prefix));
	memset(h + USTAR_CHKSUM, ' ', USTAR_CHKSUM_LEN);
	for (i = 0; i < USTAR_BLOCK; i++)
		sum += h[i];
	octal(h + USTAR_CHKSUM, USTAR_CHKSUM_LEN - 1, sum);
	h[USTAR_CHKSUM + USTAR_CHKSUM_LEN - 1] = ' ';
}

/* Member i's name is a folder of another ("a" beside "a/b"). */
static int
tar_folder_clash(const struct tar_member **s, size_t n, size_t i)
{
	size_t j, len = strlen(s[i]->name);

	for (j = 0; j < n; j++)
		if (j != i && strncmp(s[j]->name, s[i]->name, len) == 0 &&
		    s[j]->name[len] == '/')
			return 1;
	return 0;
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
	    Z_OK)
		return media_errf(err, errlen, "zlib: deflateInit2 failed");
	gh.os = 3;
	gh.time = 0;
	if (deflateSetHeader(&z, &gh) != Z_OK) {
		media_errf(err, errlen, "zlib: deflateSetHeader failed");
		goto out;
	}
	bound = deflateBound(&z, (uLong)len) + 32;
	if ((buf = malloc(bound)) == NULL) {
		media_errf(err, errlen, "out of memory");
		goto out;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		media_errf(err, errlen, "zlib: deflate did not finish");
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
	size_t i, len = 3 * USTAR_BLOCK;
	char dir[TAR_NAME_MAX + 2], pre[USTAR_PREFIX_LEN + 1];
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (!tar_name_ok(top))
		return media_errf(err, errlen, "bad top folder name '%s' (use "
		    "1-%d of A-Z a-z 0-9 . _ -, starting with a letter or "
		    "digit)", top, TAR_NAME_MAX);
	if (mtime > 077777777777ULL)
		return media_errf(err, errlen, "mtime %llu out of range",
		    (unsigned long long)mtime);
	if ((s = calloc(n ? n : 1, sizeof(*s))) == NULL)
		return media_errf(err, errlen, "out of memory");
	for (i = 0; i < n; i++) {
		if (!tar_path_ok(m[i].name)) {
			media_errf(err, errlen, "bad member name '%s' (use "
			    "names of 1-%d of A-Z a-z 0-9 . _ -, each starting "
			    "with a letter or digit, at most %d deep)",
			    m[i].name, TAR_NAME_MAX, TAR_DEPTH_MAX);
			goto out;
		}
		if (split_path(top, m[i].name) < 0) {
			media_errf(err, errlen, "member name '%s/%s' is too "
			    "long for a ustar header", top, m[i].name);
			goto out;
		}
		if (m[i].mode > 0777) {
			media_errf(err, errlen,
			    "member '%s': mode %o has bits beyond 0777",
			    m[i].name, m[i].mode);
			goto out;
		}
		if (m[i].len > 077777777777ULL) {
			media_errf(err, errlen, "member '%s' is too large",
			    m[i].name);
			goto out;
		}
		s[i] = &m[i];
		len += USTAR_BLOCK + round_block(m[i].len);
	}
	qsort(s, n, sizeof(*s), cmp_member);
	for (i = 1; i < n; i++) {
		if (strcmp(s[i - 1]->name, s[i]->name) == 0) {
			media_errf(err, errlen, "duplicate member name '%s'",
			    s[i]->name);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (tar_folder_clash(s, n, i)) {
			media_errf(err, errlen, "member name '%s' is also a "
			    "folder of another member", s[i]->name);
			goto out;
		}
	}
	if ((tar = calloc(1, len)) == NULL) {
		media_errf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/", top);
	ustar_header(tar, "", dir, '5', 0755, 0, mtime);
	p = tar + USTAR_BLOCK;
	for (i = 0; i < n; i++) {
		int at = split_path(top, s[i]->name);

		if (at == 0)
			snprintf(pre, sizeof(pre), "%s", top);
		else
			snprintf(pre, sizeof(pre), "%s/%.*s", top, at - 1,
			    s[i]->name);
		ustar_header(p, pre, s[i]->name + at, '0', s[i]->mode,
		    s[i]->len, mtime);
		p += USTAR_BLOCK;
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
