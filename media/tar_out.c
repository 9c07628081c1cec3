/* The stream writer: members in increasing name order, straight into the
 * compressor, never the whole archive in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/err.h"
#include "media/tar_stream.h"
#include "media/ustar.h"

struct tar_out {
	struct tar_z z;
	char top[TAR_NAME_MAX + 1];
	char last[TAR_STREAM_NAME_MAX + 1];
	uint64_t mtime, left, size;
	int open, nmembers, failed;
};

int
tar_stream_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > TAR_STREAM_NAME_MAX || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z');
		if (!alnum && c != '.' && c != '_' && c != '-' && c != ':')
			return 0;
	}
	return 1;
}

struct tar_out *
tar_out_new(const char *top, uint64_t mtime, int level, tar_sink_fn sink,
    void *arg, char *err, size_t errlen)
{
	struct tar_out *t;
	unsigned char h[USTAR_BLOCK];
	char dir[TAR_NAME_MAX + 2];

	if (!tar_name_ok(top)) {
		media_errf(err, errlen, "bad top folder name '%s'", top);
		return NULL;
	}
	if (mtime > 077777777777ULL) {
		media_errf(err, errlen, "mtime %llu out of range",
		    (unsigned long long)mtime);
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		media_errf(err, errlen, "out of memory");
		return NULL;
	}
	if (tar_z_init(&t->z, level, sink, arg, err, errlen) == -1) {
		free(t);
		return NULL;
	}
	snprintf(t->top, sizeof(t->top), "%s", top);
	t->mtime = mtime;
	snprintf(dir, sizeof(dir), "%s/", top);
	ustar_header(h, "", dir, '5', 0755, 0, mtime);
	if (tar_z_put(&t->z, h, sizeof(h), err, errlen) == -1) {
		tar_out_free(t);
		return NULL;
	}
	return t;
}

static int
fail(struct tar_out *t)
{
	t->failed = 1;
	return -1;
}

int
tar_out_begin(struct tar_out *t, const char *name, uint64_t size,
    unsigned mode, char *err, size_t errlen)
{
	unsigned char h[USTAR_BLOCK];

	if (t->failed || t->open)
		return media_errf(err, errlen, "tar_out: member '%s' begun out "
		    "of turn", name);
	if (!tar_stream_name_ok(name))
		return media_errf(err, errlen, "bad member name '%s' (use 1-%d "
		    "of A-Z a-z 0-9 . _ : -, not starting with '.')",
		    name, TAR_STREAM_NAME_MAX);
	if (t->nmembers > 0 && strcmp(t->last, name) >= 0)
		return media_errf(err, errlen, "member '%s' does not come after "
		    "'%s'", name, t->last);
	if (mode > 0777 || size > 077777777777ULL)
		return media_errf(err, errlen, "member '%s': bad mode or size",
		    name);
	ustar_header(h, t->top, name, '0', mode, size, t->mtime);
	if (tar_z_put(&t->z, h, sizeof(h), err, errlen) == -1)
		return fail(t);
	snprintf(t->last, sizeof(t->last), "%s", name);
	t->nmembers++;
	t->left = t->size = size;
	t->open = 1;
	return 0;
}

int
tar_out_data(struct tar_out *t, const void *p, size_t n, char *err,
    size_t errlen)
{
	if (t->failed || !t->open || n > t->left)
		return media_errf(err, errlen, "member '%s': more data than "
		    "its size", t->last);
	if (tar_z_put(&t->z, p, n, err, errlen) == -1)
		return fail(t);
	t->left -= n;
	return 0;
}

int
tar_out_end(struct tar_out *t, char *err, size_t errlen)
{
	static const unsigned char zero[USTAR_BLOCK];
	size_t pad;

	if (t->failed || !t->open || t->left != 0)
		return media_errf(err, errlen, "member '%s': %llu bytes short",
		    t->last, (unsigned long long)t->left);
	pad = (size_t)((USTAR_BLOCK - t->size % USTAR_BLOCK) % USTAR_BLOCK);
	if (tar_z_put(&t->z, zero, pad, err, errlen) == -1)
		return fail(t);
	t->open = 0;
	return 0;
}

int
tar_out_add(struct tar_out *t, const char *name, const void *p, size_t n,
    unsigned mode, char *err, size_t errlen)
{
	if (tar_out_begin(t, name, n, mode, err, errlen) == -1 ||
	    tar_out_data(t, p, n, err, errlen) == -1)
		return -1;
	return tar_out_end(t, err, errlen);
}

int
tar_out_finish(struct tar_out *t, char *err, size_t errlen)
{
	static const unsigned char zero[2 * USTAR_BLOCK];

	if (t->failed || t->open)
		return media_errf(err, errlen, "tar_out: finished with member "
		    "'%s' open", t->last);
	if (tar_z_put(&t->z, zero, sizeof(zero), err, errlen) == -1 ||
	    tar_z_finish(&t->z, err, errlen) == -1)
		return fail(t);
	t->failed = 1; /* nothing more */
	return 0;
}

void
tar_out_free(struct tar_out *t)
{
	if (t == NULL)
		return;
	tar_z_end(&t->z);
	free(t);
}
