/* tar: deterministic writer, GNU tar extracts it, the strict reader
 * accepts it and refuses each kind of hostile or damaged archive with its
 * own message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "media/tar.h"

static char dir[] = "/tmp/test_tar.XXXXXX";

static const unsigned char big[700] = { 1, 2, 3, [699] = 0x7f };
static const struct tar_member demo[] = {
	{ "register.sh", (const unsigned char *)"#!/bin/sh\necho hi\n", 18,
	    0755 },
	{ "README.txt", (const unsigned char *)"read me\n", 8, 0644 },
	{ "MANIFEST", (const unsigned char *)"abc  README.txt\n", 16, 0644 },
	{ "empty", NULL, 0, 0600 },
	{ "big.bin", big, sizeof(big), 0644 },
};
#define NDEMO (sizeof(demo) / sizeof(demo[0]))

static void
write_demo(unsigned char **gz, size_t *len)
{
	char err[256];

	assert_int_equal(tar_write("bundle-1", demo, NDEMO, 1700000000, gz,
	    len, err, sizeof(err)), 0);
}

static void
test_round_trip(void **state)
{
	static const char *sorted[] = { "MANIFEST", "README.txt", "big.bin",
		"empty", "register.sh" };
	struct tar_list l;
	const struct tar_entry *e;
	unsigned char *gz;
	size_t len, i;
	char err[256];

	write_demo(&gz, &len);
	assert_int_equal(tar_read(gz, len, NULL, &l, err, sizeof(err)), 0);
	assert_string_equal(l.top, "bundle-1");
	assert_int_equal(l.mtime, 1700000000);
	assert_int_equal(l.n, NDEMO);
	for (i = 0; i < NDEMO; i++)
		assert_string_equal(l.e[i].name, sorted[i]);
	for (i = 0; i < NDEMO; i++) {
		e = tar_list_find(&l, demo[i].name);
		assert_non_null(e);
		assert_int_equal(e->len, demo[i].len);
		assert_int_equal(e->mode, demo[i].mode);
		if (demo[i].len)
			assert_memory_equal(e->data, demo[i].data, e->len);
		assert_int_equal(e->data[e->len], 0);
	}
	assert_null(tar_list_find(&l, "nope"));
	tar_list_free(&l);
	assert_int_equal(l.n, 0);
	free(gz);
}

static void
test_deterministic(void **state)
{
	static const unsigned char head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0,
		2, 3 };
	struct tar_member rev[NDEMO];
	unsigned char *a, *b, *c;
	size_t la, lb, lc, i;
	char err[256];

	write_demo(&a, &la);
	write_demo(&b, &lb);
	for (i = 0; i < NDEMO; i++)
		rev[i] = demo[NDEMO - 1 - i];
	assert_int_equal(tar_write("bundle-1", rev, NDEMO, 1700000000, &c,
	    &lc, err, sizeof(err)), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_int_equal(la, lc);
	assert_memory_equal(a, c, la);
	assert_memory_equal(a, head, 10);
	free(c);
	/* the mtime is in the bytes */
	assert_int_equal(tar_write("bundle-1", demo, NDEMO, 1700000001, &c,
	    &lc, err, sizeof(err)), 0);
	assert_true(la != lc || memcmp(a, c, la) != 0);
	free(a);
	free(b);
	free(c);
}

static void
write_bad(const char *top, const char *name, unsigned mode, const char *msg)
{
	struct tar_member m[2] = {
		{ "ok", (const unsigned char *)"x", 1, 0644 },
		{ name, (const unsigned char *)"y", 1, mode },
	};
	unsigned char *gz = (unsigned char *)"x";
	size_t len = 1;
	char err[256] = "";

	assert_int_equal(tar_write(top, m, 2, 0, &gz, &len, err, sizeof(err)),
	    -1);
	assert_null(gz);
	assert_int_equal(len, 0);
	if (strstr(err, msg) == NULL)
		fail_msg("'%s' does not contain '%s'", err, msg);
}

static void
test_write_refuses(void **state)
{
	char longname[TAR_NAME_MAX + 2];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	write_bad("top", "../x", 0644, "bad member name '../x'");
	write_bad("top", "a//b", 0644, "bad member name 'a//b'");
	write_bad("top", "a/", 0644, "bad member name 'a/'");
	write_bad("top", "/a", 0644, "bad member name '/a'");
	write_bad("top", "a/../b", 0644, "bad member name 'a/../b'");
	write_bad("top", "a/.b/c", 0644, "bad member name 'a/.b/c'");
	write_bad("top", "a/b/c/d/e/f", 0644, "at most 5 deep");
	write_bad("top", "ok/x", 0644, "member name 'ok' is also a folder");
	write_bad("top", ".hidden", 0644, "bad member name '.hidden'");
	write_bad("top", "-rf", 0644, "bad member name '-rf'");
	write_bad("top", "", 0644, "bad member name ''");
	write_bad("top", "sp ace", 0644, "bad member name 'sp ace'");
	write_bad("top", longname, 0644, "bad member name");
	write_bad("top", "ok", 0644, "duplicate member name 'ok'");
	write_bad("top", "x", 04755, "mode 4755 has bits beyond 0777");
	write_bad("..", "x", 0644, "bad top folder name '..'");
	write_bad("a/b", "x", 0644, "bad top folder name 'a/b'");
	write_bad("", "x", 0644, "bad top folder name ''");
	longname[TAR_NAME_MAX] = '\0'; /* 64 chars is fine */
	{
		struct tar_member m = { longname, NULL, 0, 0644 };
		unsigned char *gz;
		size_t len;
		char err[256];
		assert_int_equal(tar_write(longname, &m, 1, 0, &gz, &len, err,
		    sizeof(err)), 0);
		free(gz);
	}
}

static void
save(const char *path, const unsigned char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static unsigned char *
load(const char *path, size_t *len)
{
	static unsigned char buf[1 << 16];
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

/* Members in subfolders: a short path in the name field, a long one
 * split after its first folders; both read back and GNU tar agrees. */
static void
test_subfolders(void **state)
{
	char longp[TAR_PATH_MAX + 1], cmd[1024], path[512];
	struct tar_member m[3] = {
		{ "register-all.sh", (const unsigned char *)"a", 1, 0755 },
		{ "regions/us-east-1/register.sh", (const unsigned char *)"b",
		    1, 0755 },
		{ longp, (const unsigned char *)"c", 1, 0644 },
	};
	struct tar_list l;
	unsigned char *gz, *again;
	size_t len, alen;
	char err[256];

	snprintf(longp, sizeof(longp), "intermediate/%.64s/regions/%s/"
	    "verificationCert.crt", "factory-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "ap-southeast-1-123456789012");
	assert_true(strlen(longp) > 100);
	assert_int_equal(tar_path_ok(longp), 1);
	assert_int_equal(tar_write("bundle-1", m, 3, 1700000000, &gz, &len,
	    err, sizeof(err)), 0);
	if (tar_read(gz, len, NULL, &l, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.e[0].name, longp);
	assert_string_equal(l.e[1].name, "regions/us-east-1/register.sh");
	assert_string_equal(l.e[2].name, "register-all.sh");
	assert_int_equal(l.e[1].mode, 0755);
	tar_list_free(&l);
	snprintf(path, sizeof(path), "%s/sub.tar.gz", dir);
	save(path, gz, len);
	snprintf(cmd, sizeof(cmd), "mkdir %s/s && tar -xzf %s -C %s/s "
	    "--no-same-owner && test \"$(cat %s/s/bundle-1/%s)\" = c && "
	    "test -x %s/s/bundle-1/regions/us-east-1/register.sh", dir, path,
	    dir, dir, longp, dir);
	assert_int_equal(system(cmd), 0);
	/* the same bytes again */
	assert_int_equal(tar_write("bundle-1", m, 3, 1700000000, &again,
	    &alen, err, sizeof(err)), 0);
	assert_int_equal(alen, len);
	assert_memory_equal(again, gz, len);
	free(again);
	free(gz);
}

static void
test_gnu_tar_extracts(void **state)
{
	char path[512], cmd[1024];
	unsigned char *gz, *got;
	struct stat st;
	size_t len, glen, i;
	FILE *p;
	char line[512];
	int lines = 0;

	write_demo(&gz, &len);
	snprintf(path, sizeof(path), "%s/demo.tar.gz", dir);
	save(path, gz, len);
	free(gz);
	snprintf(cmd, sizeof(cmd), "mkdir %s/x && tar -xzf %s -C %s/x "
	    "--no-same-owner 2>&1", dir, path, dir);
	assert_int_equal(system(cmd), 0);
	for (i = 0; i < NDEMO; i++) {
		snprintf(path, sizeof(path), "%s/x/bundle-1/%s", dir,
		    demo[i].name);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, demo[i].mode);
		assert_int_equal(st.st_mtime, 1700000000);
		got = load(path, &glen);
		assert_int_equal(glen, demo[i].len);
		if (glen)
			assert_memory_equal(got, demo[i].data, glen);
	}
	/* GNU tar lists the owner, the date and every member, no warning */
	snprintf(cmd, sizeof(cmd), "TZ=UTC tar --numeric-owner -tvzf "
	    "%s/demo.tar.gz 2>&1", dir);
	assert_non_null(p = popen(cmd, "r"));
	while (fgets(line, sizeof(line), p)) {
		lines++;
		if (strstr(line, " 0/0 ") == NULL ||
		    strstr(line, "2023-11-14 22:13") == NULL)
			fail_msg("unexpected listing line: %s", line);
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(lines, NDEMO + 1);
}

/* Crafted archives: raw ustar blocks, then gzip. */
struct craft {
	unsigned char t[1 << 16];
	size_t len;
};

static void
raw(struct craft *c, const char *name, char type, const void *data,
    size_t size)
{
	unsigned char *h = c->t + c->len;
	unsigned sum = 0;
	size_t i;

	memset(h, 0, 512);
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	snprintf((char *)h + 100, 8, "%07o", type == '5' ? 0755 : 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", size);
	snprintf((char *)h + 136, 12, "%011o", 1000);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar\0" "00", 8);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	snprintf((char *)h + 329, 8, "%07o", 0);
	snprintf((char *)h + 337, 8, "%07o", 0);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	c->len += 512;
	if (size) {
		memcpy(c->t + c->len, data, size);
		c->len += (size + 511) / 512 * 512;
	}
}

static void
resum(unsigned char *h)
{
	unsigned sum = 0;
	size_t i;

	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* Moves "t/" of the member at offset off into the prefix field, as
 * tar_write lays it out. */
static void
ours(struct craft *c, size_t off)
{
	unsigned char *h = c->t + off;
	char name[100];
	size_t n = strnlen((char *)h + 2, 98);

	memcpy(name, h + 2, n);
	memset(h, 0, 100);
	memcpy(h, name, n);
	memcpy(h + 345, "t", 1);
	resum(h);
}

static size_t
gzip(const unsigned char *in, size_t len, unsigned char *out, size_t cap)
{
	z_stream z;
	gz_header gh;

	memset(&z, 0, sizeof(z));
	memset(&gh, 0, sizeof(gh));
	gh.os = 3;
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	assert_int_equal(deflateSetHeader(&z, &gh), Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return z.total_out;
}

static void
read_bad(const unsigned char *gz, size_t len, const struct tar_limits *lim,
    const char *msg)
{
	struct tar_list l;
	char err[512] = "";

	memset(&l, 0x55, sizeof(l));
	assert_int_equal(tar_read(gz, len, lim, &l, err, sizeof(err)), -1);
	assert_int_equal(l.n, 0);
	assert_null(l.e);
	if (strstr(err, msg) == NULL)
		fail_msg("'%s' does not contain '%s'", err, msg);
}

static void
craft_bad(struct craft *c, const struct tar_limits *lim, const char *msg)
{
	static unsigned char gz[1 << 17];
	size_t n;

	c->len += 1024; /* end of archive */
	n = gzip(c->t, c->len, gz, sizeof(gz));
	read_bad(gz, n, lim, msg);
	memset(c, 0, sizeof(*c));
}

static void
test_hostile(void **state)
{
	static struct craft c;
	static const struct tar_limits small = { 3, 100, 150 };
	char x[200];

	memset(x, 'x', sizeof(x));
	/* the baseline crafted archive is accepted */
	memset(&c, 0, sizeof(c));
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "A", 1);
	ours(&c, 512);
	c.len += 1024;
	{
		static unsigned char gz[4096];
		struct tar_list l;
		char err[256];
		size_t n = gzip(c.t, c.len, gz, sizeof(gz));
		if (tar_read(gz, n, NULL, &l, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.mtime, 1000);
		tar_list_free(&l);
	}
	memset(&c, 0, sizeof(c));

#define HOSTILE(msg, ...)                                                      \
	do {                                                                   \
		raw(&c, "t/", '5', NULL, 0);                                   \
		__VA_ARGS__;                                                   \
		craft_bad(&c, NULL, msg);                                      \
	} while (0)
	HOSTILE("member 't/link' is a symlink: only regular files",
	    raw(&c, "t/link", '2', NULL, 0));
	HOSTILE("member 't/hard' is a hard link",
	    raw(&c, "t/hard", '1', NULL, 0));
	HOSTILE("member 't/c' is a character device",
	    raw(&c, "t/c", '3', NULL, 0));
	HOSTILE("member 't/b' is a block device",
	    raw(&c, "t/b", '4', NULL, 0));
	HOSTILE("member 't/f' is a fifo", raw(&c, "t/f", '6', NULL, 0));
	HOSTILE("is a pax extended header", raw(&c, "t/p", 'x', "a", 1));
	HOSTILE("is a GNU long name", raw(&c, "t/L", 'L', "a", 1));
	HOSTILE("unknown type 'Z'", raw(&c, "t/z", 'Z', NULL, 0));
	HOSTILE("member '/etc/passwd' has an absolute path",
	    raw(&c, "/etc/passwd", '0', "x", 1));
	HOSTILE("member 't/../x' has a '..' component",
	    raw(&c, "t/../x", '0', "x", 1));
	HOSTILE("member '../x' has a '..' component",
	    raw(&c, "../x", '0', "x", 1));
	HOSTILE("member 't/a/..' has a '..' component",
	    raw(&c, "t/a/..", '0', "x", 1));
	HOSTILE("duplicate member name 't/a'", raw(&c, "t/a", '0', "1", 1);
	    raw(&c, "t/b", '0', "2", 1); raw(&c, "t/a", '0', "3", 1));
	HOSTILE("member 't/sub/' is a directory: only the top folder",
	    raw(&c, "t/sub/", '5', NULL, 0));
	HOSTILE("the top folder entry 't/' appears twice",
	    raw(&c, "t/", '5', NULL, 0));
	HOSTILE("member 'u/a' is under a second top folder 'u'",
	    raw(&c, "u/a", '0', "x", 1));
	HOSTILE("member 'loose' is not inside a top folder",
	    raw(&c, "loose", '0', "x", 1));
	HOSTILE("one name is a file and a folder",
	    raw(&c, "t/s", '0', "x", 1); raw(&c, "t/s/a", '0', "x", 1));
	HOSTILE("member 't/a/b/c/d/e/f' has a bad name",
	    raw(&c, "t/a/b/c/d/e/f", '0', "x", 1));
	HOSTILE("member 't/a//b' has a bad name",
	    raw(&c, "t/a//b", '0', "x", 1));
	HOSTILE("member 't/a/.b' has a bad name",
	    raw(&c, "t/a/.b", '0', "x", 1));
	HOSTILE("not an archive written by ceremony",
	    raw(&c, "t/s/a", '0', "x", 1));
	HOSTILE("member 't/.hidden' has a bad name",
	    raw(&c, "t/.hidden", '0', "x", 1));
	HOSTILE("member 't/a b' has a bad name",
	    raw(&c, "t/a b", '0', "x", 1));
	HOSTILE("member 't/' has a bad name", raw(&c, "t/", '0', "x", 1));

	/* limits */
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/big", '0', x, 101);
	craft_bad(&c, &small, "member 't/big' is 101 bytes, over the limit "
	    "of 100");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', x, 100);
	raw(&c, "t/b", '0', x, 51);
	craft_bad(&c, &small, "members add up to more than the limit of 150 "
	    "bytes (at 't/b')");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "", 0);
	raw(&c, "t/b", '0', "", 0);
	raw(&c, "t/c", '0', "", 0);
	raw(&c, "t/d", '0', "", 0);
	craft_bad(&c, &small, "more than 3 members (at 't/d')");

	/* structure */
	craft_bad(&c, NULL, "the archive is empty");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	c.t[512 + 20] ^= 1;
	craft_bad(&c, NULL, "tar header checksum mismatch at offset 512");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	c.t[1536 + 1024 + 5] = 'Q';
	c.len += 1024 + 512;
	craft_bad(&c, NULL, "garbage after the end-of-archive marker at "
	    "offset 2560");

	/* deviations: valid tar, but not what tar_write makes */
	raw(&c, "t/b", '0', "x", 1);
	craft_bad(&c, NULL, "does not start with its top folder entry");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/b", '0', "x", 1);
	raw(&c, "t/a", '0', "x", 1);
	craft_bad(&c, NULL, "members are not sorted ('a' comes after 'b')");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	memcpy(c.t + 512 + 257, "ustar  \0", 8);
	resum(c.t + 512);
	craft_bad(&c, NULL, "member 't/a' is not in POSIX ustar format");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	memcpy(c.t + 512 + 108, "0001750", 7);
	resum(c.t + 512);
	craft_bad(&c, NULL, "member 't/a' is not owned by uid/gid 0");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	memcpy(c.t + 512 + 265, "mallory", 7);
	resum(c.t + 512);
	craft_bad(&c, NULL, "member 't/a' has owner names other than root");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	memcpy(c.t + 512 + 100, "0004755", 7);
	resum(c.t + 512);
	craft_bad(&c, NULL, "member 't/a' has mode bits beyond 0777");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	memcpy(c.t + 512 + 136, "00000001751", 11);
	resum(c.t + 512);
	craft_bad(&c, NULL, "member 't/a' has a different mtime");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	c.t[1024 + 300] = 1;
	craft_bad(&c, NULL, "non-zero padding after member 't/a'");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	ours(&c, 512);
	memcpy(c.t + 512 + 337, "000000 ", 7); /* devminor, unchecked */
	resum(c.t + 512);
	craft_bad(&c, NULL, "not an archive written by ceremony: its bytes "
	    "differ from what ceremony writes for the same files");
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	c.len += 10240;
	craft_bad(&c, NULL, "zero padding after the end-of-archive marker");
}

static void
test_truncated_tar(void **state)
{
	static const unsigned char thousand[1000] = { 1 };
	static struct craft c;
	static unsigned char gz[1 << 16];
	size_t n;

	memset(&c, 0, sizeof(c));
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', "x", 1);
	n = gzip(c.t, c.len, gz, sizeof(gz)); /* no end marker */
	read_bad(gz, n, NULL, "no end-of-archive marker");
	n = gzip(c.t, c.len + 512, gz, sizeof(gz)); /* one zero block */
	read_bad(gz, n, NULL, "end-of-archive marker at offset 1536 is cut "
	    "short");
	n = gzip(c.t, 1536 + 100, gz, sizeof(gz)); /* header cut */
	read_bad(gz, n, NULL, "truncated tar header at offset 1536");
	memset(&c, 0, sizeof(c));
	raw(&c, "t/", '5', NULL, 0);
	raw(&c, "t/a", '0', thousand, sizeof(thousand));
	n = gzip(c.t, 1024 + 300, gz, sizeof(gz));
	read_bad(gz, n, NULL, "member 't/a' is truncated: the archive ends "
	    "inside its data");
	n = gzip(c.t, 2048 - 10, gz, sizeof(gz));
	read_bad(gz, n, NULL, "member 't/a' is truncated: the archive ends "
	    "inside its padding");
}

static void
test_gzip_damage(void **state)
{
	unsigned char *gz, *bad;
	size_t len, i;
	char err[512];
	struct tar_list l;
	unsigned f;
	static const unsigned char flips[] = { 0xff, 0x01, 0x80, 0x10 };

	write_demo(&gz, &len);
	bad = malloc(len + 40);
	/* every truncation */
	for (i = 0; i < len; i++) {
		memcpy(bad, gz, i);
		assert_int_equal(tar_read(bad, i, NULL, &l, err, sizeof(err)),
		    -1);
		if (i < 2)
			assert_non_null(strstr(err, "not a gzip file"));
		else
			assert_non_null(strstr(err, "truncated gzip"));
	}
	/* every byte flipped, several ways */
	for (i = 0; i < len; i++) {
		for (f = 0; f < sizeof(flips); f++) {
			memcpy(bad, gz, len);
			bad[i] ^= flips[f];
			if (tar_read(bad, len, NULL, &l, err, sizeof(err)) !=
			    -1)
				fail_msg("flip 0x%02x at %zu accepted",
				    flips[f], i);
		}
	}
	/* trailer fields */
	memcpy(bad, gz, len);
	bad[len - 8] ^= 1;
	read_bad(bad, len, NULL, "gzip CRC-32 mismatch");
	memcpy(bad, gz, len);
	bad[len - 1] ^= 1;
	read_bad(bad, len, NULL, "gzip length check mismatch");
	/* header fields */
	memcpy(bad, gz, len);
	bad[4] = 1;
	read_bad(bad, len, NULL, "its gzip header is not the one ceremony "
	    "writes");
	memcpy(bad, gz, len);
	bad[2] = 7;
	read_bad(bad, len, NULL, "unsupported gzip compression method 7");
	memcpy(bad, gz, len);
	bad[3] = 0x20;
	read_bad(bad, len, NULL, "reserved gzip header flags");
	memcpy(bad, gz, len);
	bad[3] = 0x08; /* FNAME with no NUL anywhere after it */
	memset(bad + 10, 'a', len - 10);
	read_bad(bad, len, NULL, "truncated gzip header");
	memcpy(bad, gz, len);
	bad[20] ^= 0x55;
	read_bad(bad, len, NULL, "gzip");
	/* after the stream */
	memcpy(bad, gz, len);
	memcpy(bad + len, "junk", 4);
	read_bad(bad, len + 4, NULL, "4 bytes of trailing garbage after the "
	    "gzip stream");
	memcpy(bad + len, gz, 20);
	read_bad(bad, len + 20, NULL, "a second gzip member follows the first "
	    "at byte");
	memset(bad + len, 0, 1);
	read_bad(bad, len + 1, NULL, "1 bytes of trailing garbage");
	read_bad((const unsigned char *)"PK\3\4", 4, NULL, "not a gzip file");
	free(bad);
	free(gz);
}

static void
test_gzip_bomb(void **state)
{
	static const struct tar_limits small = { 4, 1000, 1000 };
	struct tar_member m = { "zeros", NULL, 0, 0644 };
	unsigned char *zeros, *gz;
	size_t len;
	char err[256];

	/* 20 MiB of zeros: a 20 KB archive, cut off at the default bound */
	zeros = calloc(1, 20u << 20);
	assert_non_null(zeros);
	m.data = zeros;
	m.len = 20u << 20;
	assert_int_equal(tar_write("t", &m, 1, 0, &gz, &len, err,
	    sizeof(err)), 0);
	assert_true(len < 100000);
	read_bad(gz, len, NULL, "archive expands to more than 17040896 bytes: "
	    "refused (gzip bomb?)");
	free(gz);
	/* with small limits, 10 KB is already too much */
	m.len = 10000;
	assert_int_equal(tar_write("t", &m, 1, 0, &gz, &len, err,
	    sizeof(err)), 0);
	read_bad(gz, len, &small, "archive expands to more than 6632 bytes");
	free(gz);
	free(zeros);
}

static void
gnu_bad(const char *setup, const char *msg)
{
	char cmd[1024], path[512];
	unsigned char *gz;
	size_t len;

	snprintf(cmd, sizeof(cmd), "set -e; cd %s; rm -rf g g.tgz; mkdir g; "
	    "cd g; %s", dir, setup);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/g.tgz", dir);
	gz = load(path, &len);
	read_bad(gz, len, NULL, msg);
}

static void
test_gnu_tar_hostile(void **state)
{
	gnu_bad("mkdir t; echo x >t/a; ln -s /etc/passwd t/link; "
	    "tar czf ../g.tgz t", "member 't/link' is a symlink");
	gnu_bad("mkdir t; echo x >t/a; ln t/a t/b; tar czf ../g.tgz t",
	    "is a hard link");
	gnu_bad("mkdir t; echo x >t/a; tar czPf ../g.tgz $PWD/t/a",
	    "has an absolute path");
	gnu_bad("mkdir t; echo x >t/a; tar czf ../g.tgz "
	    "--transform 's,^t/a,t/../evil,' t", "has a '..' component");
	gnu_bad("mkdir t; echo x >t/a; tar cf ../g.tar t; tar rf ../g.tar t/a; "
	    "gzip -c ../g.tar >../g.tgz",
	    "duplicate member name 't/a'");
	gnu_bad("mkdir -p t/sub; echo x >t/sub/a; tar czf ../g.tgz t",
	    "member 't/sub/' is a directory");
	gnu_bad("mkdir t; mkfifo t/f; tar czf ../g.tgz t", "is a fifo");
	/* a plain GNU tar archive of good files is still not ours */
	gnu_bad("mkdir t; echo x >t/a; tar czf ../g.tgz t",
	    "not an archive written by ceremony");
}

static int
setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_write_refuses),
		cmocka_unit_test(test_gnu_tar_extracts),
		cmocka_unit_test(test_subfolders),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_truncated_tar),
		cmocka_unit_test(test_gzip_damage),
		cmocka_unit_test(test_gzip_bomb),
		cmocka_unit_test(test_gnu_tar_hostile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
