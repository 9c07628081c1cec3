/* The gzip side of the stream writer and reader: the same calls to
 * deflate on both sides, so the reader's second deflate gives the
 * writer's bytes. */
#include <string.h>

#include "media/err.h"
#include "media/tar_stream.h"

int
tar_z_xfl(int level)
{
	return level == 9 ? 2 : level == 1 ? 4 : 0; /* as zlib writes it */
}

int
tar_z_init(struct tar_z *t, int level, tar_sink_fn sink, void *arg,
    char *err, size_t errlen)
{
	memset(&t->z, 0, sizeof(t->z));
	memset(&t->gh, 0, sizeof(t->gh));
	t->inlen = 0;
	t->sink = sink;
	t->arg = arg;
	t->live = 0;
	if (level < 1 || level > 9)
		return media_errf(err, errlen, "deflate level %d", level);
	if (deflateInit2(&t->z, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return media_errf(err, errlen, "zlib: deflateInit2 failed");
	t->live = 1;
	t->gh.os = 3;
	t->gh.time = 0;
	if (deflateSetHeader(&t->z, &t->gh) != Z_OK) {
		tar_z_end(t);
		return media_errf(err, errlen, "zlib: deflateSetHeader failed");
	}
	return 0;
}

/* Deflates the staged input; all output goes to the sink. */
static int
run(struct tar_z *t, int flush, char *err, size_t errlen)
{
	size_t n;
	int r;

	t->z.next_in = t->in;
	t->z.avail_in = (uInt)t->inlen;
	do {
		t->z.next_out = t->out;
		t->z.avail_out = TAR_Z_OUT;
		r = deflate(&t->z, flush);
		if (r == Z_STREAM_ERROR)
			return media_errf(err, errlen, "zlib: deflate failed");
		n = TAR_Z_OUT - t->z.avail_out;
		if (n > 0 && t->sink(t->arg, t->out, n) != 0)
			return media_errf(err, errlen, "cannot write the "
			    "compressed stream");
	} while (t->z.avail_out == 0 || (flush == Z_FINISH &&
	    r != Z_STREAM_END));
	if (t->z.avail_in != 0)
		return media_errf(err, errlen, "zlib: deflate left input");
	t->inlen = 0;
	return 0;
}

int
tar_z_put(struct tar_z *t, const void *p, size_t n, char *err, size_t errlen)
{
	const unsigned char *s = p;
	size_t k;

	while (n > 0) {
		k = TAR_Z_CHUNK - t->inlen;
		if (k > n)
			k = n;
		memcpy(t->in + t->inlen, s, k);
		t->inlen += k;
		s += k;
		n -= k;
		if (t->inlen == TAR_Z_CHUNK && run(t, Z_NO_FLUSH, err,
		    errlen) == -1)
			return -1;
	}
	return 0;
}

int
tar_z_finish(struct tar_z *t, char *err, size_t errlen)
{
	return run(t, Z_FINISH, err, errlen);
}

void
tar_z_end(struct tar_z *t)
{
	if (t->live)
		deflateEnd(&t->z);
	t->live = 0;
}
