/* The stream writer gives tar_write's bytes; the stream reader gives the
 * members back, accepts tar_write's archives of flat names, and refuses
 * every single-byte change, every truncation and each hostile member with
 * its own message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "media/tar_stream.h"
#include "media/ustar.h"

struct buf {
	unsigned char *p;
	size_t n, cap;
};

static int
sink(void *arg, const unsigned char *p, size_t n)
{
	struct buf *b = arg;

	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

/* n members m000... with data from a simple generator, some empty, some
 * a block long, some large and poorly compressible */
static struct tar_member *
members(size_t n, size_t scale)
{
	struct tar_member *m = calloc(n, sizeof(*m));
	unsigned char *d;
	uint32_t x = 12345;
	size_t i, j, len;
	char *name;

	for (i = 0; i < n; i++) {
		len = i % 7 == 0 ? 0 : i % 5 == 0 ? 512 : (i * 97 % 3000) * scale;
		d = malloc(len + 1);
		for (j = 0; j < len; j++) {
			x = x * 1103515245 + 12345;
			d[j] = i % 2 ? (unsigned char)(x >> 24) :
			    (unsigned char)("ABCD\n"[j % 5]);
		}
		name = malloc(32);
		snprintf(name, 32, "m%03zu%s", i, i % 3 ? ".crt" : "-x");
		m[i].name = name;
		m[i].data = d;
		m[i].len = len;
		m[i].mode = i == 1 ? 0755 : 0644;
	}
	return m;
}

static void
members_free(struct tar_member *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)m[i].name);
		free((unsigned char *)m[i].data);
	}
	free(m);
}

/* the members in increasing name order */
static int
cmp(const void *a, const void *b)
{
	return strcmp(((const struct tar_member *)a)->name,
	    ((const struct tar_member *)b)->name);
}

/* writes m through tar_out at deflate level, data in pieces of step */
static void
stream_level(const struct tar_member *m, size_t n, size_t step,
    struct buf *out, int level)
{
	struct tar_out *t;
	char err[256];
	size_t i, k;

	memset(out, 0, sizeof(*out));
	t = tar_out_new("batch-1", 1700000000, level, sink, out, err,
	    sizeof(err));
	assert_non_null(t);
	for (i = 0; i < n; i++) {
		assert_int_equal(tar_out_begin(t, m[i].name, m[i].len,
		    m[i].mode, err, sizeof(err)), 0);
		for (k = 0; k < m[i].len; k += step)
			assert_int_equal(tar_out_data(t, m[i].data + k,
			    m[i].len - k < step ? m[i].len - k : step, err,
			    sizeof(err)), 0);
		assert_int_equal(tar_out_end(t, err, sizeof(err)), 0);
	}
	assert_int_equal(tar_out_finish(t, err, sizeof(err)), 0);
	tar_out_free(t);
}

struct seen {
	const struct tar_member *m;
	size_t n, i, got;
	int bad;
};

static int
collect(void *arg, int ev, const struct tar_hdr *h, const unsigned char *p,
    size_t n)
{
	struct seen *s = arg;

	if (ev == TAR_BEGIN) {
		if (s->i >= s->n || strcmp(h->name, s->m[s->i].name) != 0 ||
		    h->size != s->m[s->i].len || h->mode != s->m[s->i].mode ||
		    h->index != s->i || strcmp(h->top, "batch-1") != 0 ||
		    h->mtime != 1700000000)
			s->bad = 1;
		s->got = 0;
	} else if (ev == TAR_DATA) {
		if (s->got + n > s->m[s->i].len ||
		    memcmp(s->m[s->i].data + s->got, p, n) != 0)
			s->bad = 1;
		s->got += n;
	} else {
		if (s->got != s->m[s->i].len)
			s->bad = 1;
		s->i++;
	}
	return 0;
}

static int
ignore(void *arg, int ev, const struct tar_hdr *h, const unsigned char *p,
    size_t n)
{
	return 0;
}

static const struct tar_limits lim = {100000, 1u << 24, 1u << 28};

static void
stream(const struct tar_member *m, size_t n, size_t step, struct buf *out)
{
	stream_level(m, n, step, out, 9);
}

static int
scan_level(const unsigned char *gz, size_t len, int level, int exact,
    char *err, size_t errlen)
{
	struct tar_src src = {gz, -1, len};

	return tar_scan(&src, &lim, level, exact, ignore, NULL, err, errlen);
}

static int
scan(const unsigned char *gz, size_t len, int exact, char *err, size_t errlen)
{
	return scan_level(gz, len, 9, exact, err, errlen);
}

static void
test_same_as_tar_write(void **state)
{
	static const size_t sizes[] = {5, 60, 400};
	struct tar_member *m;
	struct buf a, b;
	struct seen s;
	struct tar_src src;
	unsigned char *gz;
	size_t len, i, n, scale;
	char err[256];

	for (i = 0; i < 3; i++) {
		n = sizes[i];
		scale = i == 2 ? 4 : 1;
		m = members(n, scale);
		qsort(m, n, sizeof(*m), cmp);
		assert_int_equal(tar_write("batch-1", m, n, 1700000000, &gz,
		    &len, err, sizeof(err)), 0);
		stream(m, n, 1000, &a);
		stream(m, n, 65536 + 7, &b);
		assert_int_equal(a.n, len);
		assert_memory_equal(a.p, gz, len);
		assert_int_equal(b.n, len);
		assert_memory_equal(b.p, gz, len);
		/* the reader gives every member back, exact or not */
		memset(&s, 0, sizeof(s));
		s.m = m;
		s.n = n;
		src.mem = gz;
		src.fd = -1;
		src.len = len;
		assert_int_equal(tar_scan(&src, &lim, 9, 1, collect, &s, err,
		    sizeof(err)), 0);
		assert_false(s.bad);
		assert_int_equal(s.i, n);
		free(a.p);
		free(b.p);
		free(gz);
		members_free(m, n);
	}
}

static void
test_from_file(void **state)
{
	struct tar_member *m = members(30, 1);
	char path[] = "/tmp/test_tar_stream.XXXXXX", err[256];
	struct tar_src src;
	struct seen s;
	struct buf a;
	int fd;

	qsort(m, 30, sizeof(*m), cmp);
	stream(m, 30, 333, &a);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, a.p, a.n), (ssize_t)a.n);
	memset(&s, 0, sizeof(s));
	s.m = m;
	s.n = 30;
	src.mem = NULL;
	src.fd = fd;
	src.len = a.n;
	assert_int_equal(tar_scan(&src, &lim, 9, 1, collect, &s, err,
	    sizeof(err)), 0);
	assert_false(s.bad);
	assert_int_equal(s.i, 30);
	/* the file shorter than it was said to be */
	src.len = a.n + 10;
	assert_int_equal(tar_scan(&src, &lim, 9, 1, ignore, NULL, err,
	    sizeof(err)), -1);
	close(fd);
	unlink(path);
	free(a.p);
	members_free(m, 30);
}

/* Every single-byte change and every cut: refused with a message, at
 * deflate levels 1 and 9; an archive of one level is refused as the
 * other. */
static void
test_every_flip(void **state)
{
	struct tar_member *m = members(4, 1);
	unsigned char *c;
	struct buf a;
	char err[256];
	size_t i;
	int bit, level;

	qsort(m, 4, sizeof(*m), cmp);
	for (level = 1; level <= 9; level += 8) {
		stream_level(m, 4, 100, &a, level);
		assert_int_equal(scan_level(a.p, a.n, level, 1, err,
		    sizeof(err)), 0);
		assert_int_equal(scan_level(a.p, a.n, 10 - level, 1, err,
		    sizeof(err)), -1);
		assert_non_null(strstr(err, "gzip header is not the one"));
		c = malloc(a.n);
		for (i = 0; i < a.n; i++) {
			for (bit = 0; bit < 8; bit += 7) {
				memcpy(c, a.p, a.n);
				c[i] ^= (unsigned char)(1 << bit);
				err[0] = 0;
				if (scan_level(c, a.n, level, 1, err,
				    sizeof(err)) != -1 || err[0] == 0)
					fail_msg("level %d byte %zu bit %d: "
					    "accepted", level, i, bit);
			}
			err[0] = 0;
			if (scan_level(a.p, i, level, 1, err, sizeof(err)) !=
			    -1 || err[0] == 0)
				fail_msg("level %d cut at %zu: accepted", level,
				    i);
		}
		free(c);
		free(a.p);
	}
	members_free(m, 4);
}

/* tar bytes built by hand, gzipped as ceremony does */
struct craft {
	unsigned char t[16 * USTAR_BLOCK];
	size_t n;
};

static void
put_hdr(struct craft *c, const char *prefix, const char *name, char type,
    size_t size)
{
	ustar_header(c->t + c->n, prefix, name, type, type == '5' ? 0755 : 0644,
	    size, 1700000000);
	c->n += USTAR_BLOCK;
	memset(c->t + c->n, 0, (size + USTAR_BLOCK - 1) / USTAR_BLOCK *
	    USTAR_BLOCK);
	memset(c->t + c->n, 'x', size);
	c->n += (size + USTAR_BLOCK - 1) / USTAR_BLOCK * USTAR_BLOCK;
}

static void
expect(struct craft *c, int top, int end, const char *msg)
{
	struct craft full;
	unsigned char *gz;
	size_t len;
	char err[512];

	full.n = 0;
	if (top)
		put_hdr(&full, "", "batch-1/", '5', 0);
	memcpy(full.t + full.n, c->t, c->n);
	full.n += c->n;
	memset(full.t + full.n, 0, 2 * USTAR_BLOCK * end);
	full.n += 2 * USTAR_BLOCK * end;
	assert_int_equal(tar_gzip(full.t, full.n, &gz, &len, err, sizeof(err)),
	    0);
	err[0] = 0;
	assert_int_equal(scan(gz, len, 1, err, sizeof(err)), -1);
	if (strstr(err, msg) == NULL)
		fail_msg("got '%s', want '%s'", err, msg);
	free(gz);
}

static void
test_hostile(void **state)
{
	struct craft c;

#define CASE(top, end, msg, ...) do { c.n = 0; __VA_ARGS__; \
	expect(&c, top, end, msg); } while (0)
	CASE(1, 1, "member '/etc/passwd' has an absolute path",
	    put_hdr(&c, "", "/etc/passwd", '0', 3));
	CASE(1, 1, "has a '..' component",
	    put_hdr(&c, "batch-1", "../x.crt", '0', 3));
	CASE(1, 1, "is a symlink: only regular files",
	    put_hdr(&c, "batch-1", "a.crt", '2', 0));
	CASE(1, 1, "is a hard link", put_hdr(&c, "batch-1", "a.crt", '1', 0));
	CASE(1, 1, "is a pax extended header",
	    put_hdr(&c, "batch-1", "a.crt", 'x', 0));
	CASE(1, 1, "is a GNU long name",
	    put_hdr(&c, "batch-1", "a.crt", 'L', 0));
	CASE(1, 1, "has a bad name", put_hdr(&c, "batch-1", "sub/a.crt", '0',
	    3));
	CASE(1, 1, "has a bad name", put_hdr(&c, "batch-1", ".hidden", '0', 3));
	CASE(1, 1, "under a second top folder",
	    put_hdr(&c, "other", "a.crt", '0', 3));
	CASE(1, 1, "not inside a top folder", put_hdr(&c, "", "a.crt", '0', 3));
	CASE(1, 1, "is a directory: only the top folder",
	    put_hdr(&c, "batch-1", "sub/", '5', 0));
	CASE(1, 1, "duplicate member name", put_hdr(&c, "batch-1", "a.crt",
	    '0', 3); put_hdr(&c, "batch-1", "a.crt", '0', 3));
	CASE(1, 1, "members are not sorted", put_hdr(&c, "batch-1", "b.crt",
	    '0', 3); put_hdr(&c, "batch-1", "a.crt", '0', 3));
	CASE(1, 1, "over the limit", put_hdr(&c, "batch-1", "a.crt", '0', 3);
	    memcpy(c.t + USTAR_SIZE, "77777777777", 11);
	    memset(c.t + USTAR_CHKSUM, ' ', 8);
	    { unsigned s = 0; for (int i = 0; i < 512; i++) s += c.t[i];
	    snprintf((char *)c.t + USTAR_CHKSUM, 8, "%06o", s); });
	CASE(1, 0, "no end-of-archive marker", put_hdr(&c, "batch-1", "a.crt",
	    '0', 3));
	CASE(0, 1, "the archive is empty", (void)0);
	CASE(0, 1, "does not start with its top folder entry",
	    put_hdr(&c, "batch-1", "a.crt", '0', 3));
	CASE(1, 1, "checksum mismatch", put_hdr(&c, "batch-1", "a.crt", '0',
	    3); c.t[0] ^= 1);
#undef CASE
}

static void
test_writer_refuses(void **state)
{
	struct buf a = {0};
	struct tar_out *t;
	char err[256];

	assert_null(tar_out_new("../x", 0, 9, sink, &a, err, sizeof(err)));
	t = tar_out_new("batch-1", 0, 9, sink, &a, err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(tar_out_add(t, "b", "x", 1, 0644, err, sizeof(err)),
	    0);
	assert_int_equal(tar_out_add(t, "a", "x", 1, 0644, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "does not come after 'b'"));
	assert_int_equal(tar_out_add(t, "b", "x", 1, 0644, err, sizeof(err)),
	    -1);
	assert_int_equal(tar_out_add(t, "c/d", "x", 1, 0644, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "bad member name"));
	assert_int_equal(tar_out_begin(t, "c", 5, 0644, err, sizeof(err)), 0);
	assert_int_equal(tar_out_data(t, "123456", 6, err, sizeof(err)), -1);
	assert_int_equal(tar_out_end(t, err, sizeof(err)), -1);
	tar_out_free(t);
	free(a.p);
	assert_true(tar_stream_name_ok("dev:01.crt"));
	assert_true(tar_stream_name_ok("-dev.crt"));
	assert_false(tar_stream_name_ok(".dev.crt"));
	assert_false(tar_stream_name_ok("dev/x.crt"));
	assert_false(tar_stream_name_ok(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_tar_write),
		cmocka_unit_test(test_from_file),
		cmocka_unit_test(test_every_flip),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_writer_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
