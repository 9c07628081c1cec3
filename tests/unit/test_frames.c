/* QR frames: the format byte by byte, capacities, any k of n rebuild in
 * any order with duplicates, and every kind of bad input refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>
#include <zlib.h>

#include <cmocka.h>

#include "media/base45.h"
#include "media/frames.h"
#include "media/gf256.h"
#include "media/qr.h"

static char err[1024];

static unsigned char *
random_bytes(size_t n, unsigned seed)
{
	unsigned char *b = malloc(n ? n : 1);
	size_t i;

	assert_non_null(b);
	srand(seed);
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)rand();
	return b;
}

static void
test_capacity(void **state)
{
	int v, l, cap, p;
	const char *lv = "LMQH";

	assert_int_equal(frames_payload_max(15, 'M'), 382);
	assert_int_equal(frames_payload_max(20, 'L'), 815);
	assert_int_equal(frames_payload_max(3, 'L'), 33);
	assert_int_equal(frames_payload_max(1, 'L'), -1);
	assert_int_equal(frames_payload_max(0, 'L'), -1);
	assert_int_equal(frames_payload_max(41, 'L'), -1);
	assert_int_equal(frames_payload_max(15, 'm'), -1);
	/* the goal: payload >= 90% of byte mode, from version 16 up */
	assert_true(382 * 10 >= qr_capacity_bytes(15, 'M') * 9);
	for (v = 16; v <= 40; v++)
		for (l = 0; l < 4; l++)
			assert_true(frames_payload_max(v, lv[l]) * 10 >=
			    qr_capacity_bytes(v, lv[l]) * 9);
	/* a full frame's line fits the alphanumeric capacity exactly */
	for (v = 2; v <= 40; v++) {
		for (l = 0; l < 4; l++) {
			cap = qr_capacity_alnum(v, lv[l]);
			p = frames_payload_max(v, lv[l]);
			if (p < 0)
				continue;
			assert_true(FRAMES_TAG_LEN + base45_encoded_len(p +
			    FRAMES_OVERHEAD) <= (size_t)cap);
			assert_true(FRAMES_TAG_LEN + base45_encoded_len(p + 1 +
			    FRAMES_OVERHEAD) > (size_t)cap);
		}
	}
}

static void
test_plan(void **state)
{
	struct frames_info fi;
	unsigned char *b = random_bytes(100000, 1);
	unsigned char md[32];

	assert_int_equal(frames_plan(b, 1, 15, 'M', -1, &fi, err,
	    sizeof(err)), 0);
	assert_int_equal(fi.k, 1);
	assert_int_equal(fi.n, 2);
	assert_int_equal(fi.payload, 1);
	assert_int_equal(frames_plan(b, 382 * 10, 15, 'M', -1, &fi, err,
	    sizeof(err)), 0);
	assert_int_equal(fi.k, 10);
	assert_int_equal(fi.n, 14);
	assert_int_equal(fi.payload, 382);
	assert_int_equal(fi.line_len, 4 + 397 / 2 * 3 + 2);
	assert_true(fi.line_len <= 600);
	assert_int_equal(frames_plan(b, 382 * 10 + 1, 15, 'M', -1, &fi, err,
	    sizeof(err)), 0);
	assert_int_equal(fi.k, 11);
	assert_int_equal(fi.n, 16); /* ceil(4.4) = 5 */
	assert_int_equal(fi.payload, 382);
	assert_int_equal(frames_plan(b, 1000, 15, 'M', 0 + 7, &fi, err,
	    sizeof(err)), 0);
	assert_int_equal(fi.n, fi.k + 7);
	SHA256(b, 1000, md);
	assert_memory_equal(fi.id, md, 4);
	assert_int_equal(strlen(fi.idhex), 8);
	assert_int_equal(frames_plan(b, 1000, 15, 'M', 0, &fi, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "parity must be at least 1"));
	assert_int_equal(frames_plan(b, 0, 15, 'M', -1, &fi, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot split 0 bytes"));
	assert_int_equal(frames_plan(b, 100000, 15, 'M', -1, &fi, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "100000 bytes need 262 data + 105 parity "
	    "frames at QR 15-M, more than 255"));
	assert_int_equal(frames_plan(b, 100000, 20, 'L', -1, &fi, err,
	    sizeof(err)), 0);
	assert_int_equal(fi.k, 123);
	assert_int_equal(fi.n, 123 + 50);
	assert_int_equal(frames_plan(b, 100, 1, 'H', -1, &fi, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "QR version 1-H cannot hold a frame"));
	assert_int_equal(frames_plan(b, 100, 15, 'X', -1, &fi, err,
	    sizeof(err)), -1);
	free(b);
}

/* Builds the frame line the way the README describes it, by hand. */
static void
expected_line(const unsigned char id[4], uint32_t total, int k, int n,
    int index, const unsigned char *payload, size_t P, char *out)
{
	unsigned char fr[2048];
	uLong crc;

	memcpy(fr, id, 4);
	fr[4] = (unsigned char)(total >> 24);
	fr[5] = (unsigned char)(total >> 16);
	fr[6] = (unsigned char)(total >> 8);
	fr[7] = (unsigned char)total;
	fr[8] = (unsigned char)k;
	fr[9] = (unsigned char)n;
	fr[10] = (unsigned char)index;
	memcpy(fr + 11, payload, P);
	crc = crc32(0L, fr, (uInt)(11 + P));
	fr[11 + P] = (unsigned char)(crc >> 24);
	fr[12 + P] = (unsigned char)(crc >> 16);
	fr[13 + P] = (unsigned char)(crc >> 8);
	fr[14 + P] = (unsigned char)crc;
	memcpy(out, "CB1:", 4);
	base45_encode(fr, 15 + P, out + 4);
}

static void
test_format(void **state)
{
	/* version 3-L holds 33 bytes per frame: 39 bytes make k = 2 */
	unsigned char in[40], md[32], d[2][33], par[3][33];
	char want[256], **lines;
	struct frames_info fi;
	int i, j, b;

	for (i = 0; i < 40; i++)
		in[i] = (unsigned char)(i * 7 + 1);
	SHA256(in, 39, md);
	assert_int_equal(frames_split(in, 39, 3, 'L', 3, &lines, &fi, err,
	    sizeof(err)), 0);
	assert_int_equal(fi.k, 2);
	assert_int_equal(fi.n, 5);
	assert_int_equal(fi.payload, 33);
	memset(d, 0, sizeof(d));
	memcpy(d[0], in, 33);
	memcpy(d[1], in + 33, 6); /* then 27 zero bytes of padding */
	for (j = 0; j < 3; j++)
		for (b = 0; b < 33; b++)
			par[j][b] = gf256_mul(gf256_inv((uint8_t)(2 + j)),
			    d[0][b]) ^ gf256_mul(gf256_inv((uint8_t)((2 + j) ^
			    1)), d[1][b]);
	for (i = 0; i < 5; i++) {
		expected_line(md, 39, 2, 5, i, i < 2 ? d[i] : par[i - 2], 33,
		    want);
		assert_string_equal(lines[i], want);
		assert_int_equal(strlen(lines[i]), fi.line_len);
		assert_int_equal(strspn(lines[i], QR_ALNUM), fi.line_len);
	}
	frames_lines_free(lines, fi.n);
}

/* Frames that agree on everything but the payload size are refused (a
 * reader trusting the first frame's size would read past the others). */
static void
test_payload_size_mismatch(void **state)
{
	static const unsigned char id[4] = {1, 2, 3, 4};
	static unsigned char big[1000], small[10];
	static char a[4096], b[4096];
	struct frames_join *j = frames_join_new();

	assert_non_null(j);
	expected_line(id, 10, 1, 2, 0, big, sizeof(big), a);
	expected_line(id, 10, 1, 2, 1, small, sizeof(small), b);
	assert_true(frames_join_add(j, a, strlen(a), err, sizeof(err)) >= 0);
	assert_int_equal(frames_join_add(j, b, strlen(b), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "disagrees with earlier frames"));
	frames_join_free(j);
}

static void
test_label(void **state)
{
	struct frames_info fi;
	char l[FRAMES_LABEL_MAX];

	memset(&fi, 0, sizeof(fi));
	memcpy(fi.idhex, "ab12cd34", 9);
	fi.n = 12;
	frames_label(&fi, 2, FRAMES_LABEL_FULL, l);
	assert_string_equal(l, "03/12 ab12cd34");
	frames_label(&fi, 2, FRAMES_LABEL_POS, l);
	assert_string_equal(l, "03/12");
	frames_label(&fi, 2, FRAMES_LABEL_NUM, l);
	assert_string_equal(l, "03");
	fi.n = 5;
	frames_label(&fi, 4, FRAMES_LABEL_FULL, l);
	assert_string_equal(l, "05/05 ab12cd34");
	fi.n = 255;
	frames_label(&fi, 6, FRAMES_LABEL_FULL, l);
	assert_string_equal(l, "007/255 ab12cd34");
	frames_label(&fi, 6, FRAMES_LABEL_POS, l);
	assert_string_equal(l, "007/255");
	frames_label(&fi, 6, FRAMES_LABEL_NUM, l);
	assert_string_equal(l, "007");
}

static void
rebuild(char **lines, const struct frames_info *fi, const unsigned *order,
    unsigned count, const unsigned char *want)
{
	struct frames_join *j = frames_join_new();
	struct frames_status st;
	unsigned char *out;
	size_t len;
	unsigned i;

	assert_non_null(j);
	for (i = 0; i < count; i++) {
		int rc = frames_join_add(j, lines[order[i]],
		    strlen(lines[order[i]]), err, sizeof(err));
		if (rc < 0)
			fail_msg("add: %s", err);
	}
	frames_join_status(j, &st);
	assert_int_equal(st.need, 0);
	if (frames_join_finish(j, &out, &len, err, sizeof(err)) < 0)
		fail_msg("finish: %s", err);
	assert_int_equal(len, fi->total);
	assert_memory_equal(out, want, len);
	free(out);
	frames_join_free(j);
}

static void
shuffle(unsigned *a, unsigned n)
{
	unsigned i, r, t;

	for (i = n; i > 1; i--) {
		r = (unsigned)rand() % i;
		t = a[i - 1];
		a[i - 1] = a[r];
		a[r] = t;
	}
}

static void
test_any_k_of_n(void **state)
{
	static const struct {
		size_t len;
		int version;
		char level;
		int parity;
		int trials;
	} cases[] = {
		{ 1, 15, 'M', -1, 5 },
		{ 382, 15, 'M', -1, 5 },
		{ 383, 15, 'M', -1, 10 },
		{ 10000, 15, 'M', -1, 200 },
		{ 10000, 25, 'Q', 20, 100 },
		{ 5000, 5, 'L', -1, 50 },  /* k near 100, n > 100 labels */
		{ 2000, 4, 'L', 200, 20 }, /* n = 255 */
		{ 100000, 20, 'L', -1, 10 },
	};
	unsigned order[2 * FRAMES_MAX_N], i, c, t, keep, extra;
	struct frames_info fi;
	unsigned char *in;
	char **lines;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		in = random_bytes(cases[c].len, c + 7);
		assert_int_equal(frames_split(in, cases[c].len,
		    cases[c].version, cases[c].level, cases[c].parity, &lines,
		    &fi, err, sizeof(err)), 0);
		for (i = 0; i < fi.n; i++)
			assert_true(fi.line_len <= (size_t)qr_capacity_alnum(
			    cases[c].version, cases[c].level));
		srand(c);
		for (t = 0; t < (unsigned)cases[c].trials; t++) {
			/* keep k random distinct frames (drop n-k), then
			 * some duplicates, all shuffled */
			for (i = 0; i < fi.n; i++)
				order[i] = i;
			shuffle(order, fi.n);
			keep = fi.k + (t % 3 == 0 ? 0 : (unsigned)rand() %
			    (fi.n - fi.k + 1));
			extra = (unsigned)rand() % (keep + 1);
			for (i = 0; i < extra; i++)
				order[keep + i] =
				    order[(unsigned)rand() % keep];
			shuffle(order, keep + extra);
			rebuild(lines, &fi, order, keep + extra, in);
		}
		frames_lines_free(lines, fi.n);
		free(in);
	}
}

static void
test_every_subset(void **state)
{
	/* k = 4, n = 7: all 35 subsets of 4 frames */
	unsigned char *in = random_bytes(3 * 33 + 5, 99);
	struct frames_info fi;
	unsigned order[7], mask, i, cnt;
	char **lines;
	int subsets = 0;

	assert_int_equal(frames_split(in, 3 * 33 + 5, 3, 'L', 3, &lines, &fi,
	    err, sizeof(err)), 0);
	assert_int_equal(fi.k, 4);
	assert_int_equal(fi.n, 7);
	for (mask = 0; mask < 128; mask++) {
		for (i = cnt = 0; i < 7; i++)
			if (mask & (1u << i))
				order[cnt++] = i;
		if (cnt != 4)
			continue;
		rebuild(lines, &fi, order, 4, in);
		subsets++;
	}
	assert_int_equal(subsets, 35);
	frames_lines_free(lines, fi.n);
	free(in);
}

/* Decodes a line, lets f change the frame, fixes the CRC, encodes. */
static char *
tamper(const char *line, void (*f)(unsigned char *, size_t))
{
	unsigned char fr[4096];
	size_t n;
	uLong crc;
	char *out;

	assert_int_equal(base45_decode(line + 4, strlen(line) - 4, fr, &n,
	    err, sizeof(err)), 0);
	f(fr, n);
	crc = crc32(0L, fr, (uInt)(n - 4));
	fr[n - 4] = (unsigned char)(crc >> 24);
	fr[n - 3] = (unsigned char)(crc >> 16);
	fr[n - 2] = (unsigned char)(crc >> 8);
	fr[n - 1] = (unsigned char)crc;
	out = malloc(4 + base45_encoded_len(n) + 1);
	memcpy(out, "CB1:", 4);
	base45_encode(fr, n, out + 4);
	return out;
}

static void flip_payload(unsigned char *f, size_t n) { f[11] ^= 1; }
static void other_id(unsigned char *f, size_t n) { f[0] ^= 0xff; }
static void other_total(unsigned char *f, size_t n) { f[7] -= 1; }
static void small_total(unsigned char *f, size_t n) { f[6] = 0; f[7] = 99; }
static void other_n(unsigned char *f, size_t n) { f[9] += 1; }
static void zero_k(unsigned char *f, size_t n) { f[8] = 0; }
static void index_n(unsigned char *f, size_t n) { f[10] = f[9]; }
static void last_byte(unsigned char *f, size_t n) { f[n - 5] ^= 0x40; }

static void
add_is(struct frames_join *j, const char *line, int want, const char *msg)
{
	int rc;

	err[0] = '\0';
	rc = frames_join_add(j, line, strlen(line), err, sizeof(err));
	if (rc != want)
		fail_msg("'%.40s...': got %d, want %d (%s)", line, rc, want,
		    err);
	if (msg && strstr(err, msg) == NULL)
		fail_msg("'%s' does not contain '%s'", err, msg);
}

static void
test_join_lines(void **state)
{
	unsigned char *in = random_bytes(3000, 3);
	struct frames_join *j = frames_join_new();
	struct frames_status st;
	struct frames_info fi;
	char **lines, *t, buf[2048];
	unsigned miss[FRAMES_MAX_N], i;
	unsigned char *out;
	size_t len;

	assert_int_equal(frames_split(in, 3000, 15, 'M', -1, &lines, &fi, err,
	    sizeof(err)), 0);
	assert_int_equal(fi.k, 8);
	assert_int_equal(fi.n, 12);
	assert_int_equal(frames_join_finish(j, &out, &len, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "no frames found (0 blank and 0 other lines "
	    "ignored)");
	assert_int_equal(frames_join_missing(j, miss, FRAMES_MAX_N), 0);
	add_is(j, "", FRAMES_BLANK, NULL);
	add_is(j, "  \t\r\n", FRAMES_BLANK, NULL);
	add_is(j, "hello world", FRAMES_GARBAGE, NULL);
	add_is(j, "CB", FRAMES_GARBAGE, NULL);
	add_is(j, "cb1:BB8", FRAMES_GARBAGE, NULL);
	add_is(j, "CB2:0000", -1, "frame format 'CB2:' is not supported");
	add_is(j, "CB17:0000", -1, "frame format 'CB17:' is not supported");
	add_is(j, "CB1:A", -1, "impossible length (1 chars)");
	add_is(j, "CB1:BB8", -1, "frame too short (2 bytes");
	add_is(j, "CB1:bb8BB8", -1, "invalid Base45 character 'b'");
	/* a changed char: CRC (or Base45) fails */
	snprintf(buf, sizeof(buf), "%s", lines[0]);
	buf[30] = buf[30] == 'A' ? 'B' : 'A';
	add_is(j, buf, -1, "frame");
	snprintf(buf, sizeof(buf), "%s", lines[0]);
	buf[20] = buf[20] == '0' ? '1' : '0';
	add_is(j, buf, -1, "fails its CRC-32 check");
	frames_join_status(j, &st);
	assert_int_equal(st.started, 0);
	add_is(j, lines[3], FRAMES_NEW, NULL);
	snprintf(buf, sizeof(buf), "%s\r\n", lines[3]);
	add_is(j, buf, FRAMES_DUP, NULL);
	snprintf(buf, sizeof(buf), "QR-Code:%s\n", lines[5]);
	add_is(j, buf, FRAMES_NEW, NULL);
	/* frames of another bundle, or inconsistent ones */
	t = tamper(lines[1], other_id);
	add_is(j, t, -1, NULL);
	snprintf(buf, sizeof(buf), "frame 02/12 is from bundle %02x%s, but "
	    "earlier frames are from bundle %s: scan one bundle at a time",
	    fi.id[0] ^ 0xff, fi.idhex + 2, fi.idhex);
	assert_string_equal(err, buf);
	free(t);
	t = tamper(lines[1], other_total);
	add_is(j, t, -1, "frame 02/12 disagrees with earlier frames of "
	    "bundle ");
	assert_non_null(strstr(err, "(length 2999, k 8, n 12 against 3000, 8, "
	    "12)"));
	free(t);
	t = tamper(lines[1], small_total);
	add_is(j, t, -1, "payload of 382 bytes, which does not match length "
	    "99 in 8 data frames");
	free(t);
	t = tamper(lines[1], other_n);
	add_is(j, t, -1, "frame 02/13 disagrees with earlier frames");
	free(t);
	t = tamper(lines[1], zero_k);
	add_is(j, t, -1, "has an invalid header (length 3000, k 0, n 12");
	free(t);
	t = tamper(lines[1], index_n);
	add_is(j, t, -1, "index 12)");
	free(t);
	t = tamper(lines[3], flip_payload);
	add_is(j, t, -1, "two different frames claim to be 04/12");
	free(t);

	frames_join_status(j, &st);
	assert_int_equal(st.started, 1);
	assert_int_equal(st.have, 2);
	assert_int_equal(st.need, 6);
	assert_int_equal(st.blank, 2);
	assert_int_equal(st.garbage, 3);
	assert_int_equal(st.dup, 1);
	assert_int_equal(st.info.k, 8);
	assert_string_equal(st.info.idhex, fi.idhex);
	assert_int_equal(frames_join_missing(j, miss, 3), 10);
	assert_int_equal(miss[0], 0);
	assert_int_equal(miss[1], 1);
	assert_int_equal(miss[2], 2);
	assert_int_equal(frames_join_finish(j, &out, &len, err, sizeof(err)),
	    -1);
	snprintf(buf, sizeof(buf), "bundle %s: need 6 more frames (have 2 of "
	    "the 8 needed, 12 made); missing: 01, 02, 03, 05, 07, 08, 09, 10, "
	    "11, 12", fi.idhex);
	assert_string_equal(err, buf);
	for (i = 6; i < 11; i++)
		add_is(j, lines[i], FRAMES_NEW, NULL);
	assert_int_equal(frames_join_finish(j, &out, &len, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "need 1 more frame (have 7"));
	add_is(j, lines[11], FRAMES_NEW, NULL);
	assert_int_equal(frames_join_finish(j, &out, &len, err, sizeof(err)),
	    0);
	assert_int_equal(len, 3000);
	assert_memory_equal(out, in, 3000);
	free(out);
	frames_join_free(j);
	frames_lines_free(lines, fi.n);
	free(in);
}

static void
finish_fails(char **lines, unsigned count, const char *msg)
{
	struct frames_join *j = frames_join_new();
	unsigned char *out = (unsigned char *)"x";
	size_t len = 1;
	unsigned i;

	for (i = 0; i < count; i++)
		add_is(j, lines[i], FRAMES_NEW, NULL);
	assert_int_equal(frames_join_finish(j, &out, &len, err, sizeof(err)),
	    -1);
	assert_null(out);
	assert_int_equal(len, 0);
	if (strstr(err, msg) == NULL)
		fail_msg("'%s' does not contain '%s'", err, msg);
	frames_join_free(j);
}

static void
test_join_consistency(void **state)
{
	unsigned char *in = random_bytes(2999, 4);
	struct frames_info fi;
	char **lines, *keep;
	unsigned i;

	assert_int_equal(frames_split(in, 2999, 15, 'M', -1, &lines, &fi, err,
	    sizeof(err)), 0);
	assert_int_equal(fi.k, 8);
	/* an altered parity frame with a good CRC, all data present */
	keep = lines[9];
	lines[9] = tamper(keep, flip_payload);
	finish_fails(lines, fi.n, "frame 10/12 does not agree with the other "
	    "frames");
	free(lines[9]);
	lines[9] = keep;
	/* an altered data frame: the parity frames disagree */
	keep = lines[2];
	lines[2] = tamper(keep, flip_payload);
	finish_fails(lines, fi.n, "does not agree with the other frames");
	/* with only k frames there is nothing to compare, but the id is */
	finish_fails(lines, fi.k, "the rebuilt bundle's SHA-256 starts with");
	free(lines[2]);
	lines[2] = keep;
	/* padding after the last byte must be zero: 8*382 > 2999 */
	keep = lines[7];
	lines[7] = tamper(keep, last_byte);
	finish_fails(lines, fi.k, "the padding after its 2999 bytes is not "
	    "zero");
	free(lines[7]);
	lines[7] = keep;
	for (i = 0; i < fi.n; i++) {
		keep = lines[i];
		lines[i] = tamper(keep, other_id);
		free(keep);
	}
	finish_fails(lines, fi.n, "the rebuilt bundle's SHA-256 starts with "
	    "");
	frames_lines_free(lines, fi.n);
	free(in);
}

static void
test_feed(void **state)
{
	unsigned char *in = random_bytes(1500, 5), *out;
	struct frames_join *j = frames_join_new();
	struct frames_status st;
	struct frames_info fi;
	char **lines, text[16384], *bad;
	size_t o = 0, len;
	unsigned i;

	assert_int_equal(frames_split(in, 1500, 15, 'M', -1, &lines, &fi, err,
	    sizeof(err)), 0);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "\nnoise\r\n");
	for (i = fi.n; i-- > 1;)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\r\n%s\n",
		    lines[i], lines[i]);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "\n");
	assert_int_equal(frames_join_feed(j, text, o, err, sizeof(err)), 0);
	frames_join_status(j, &st);
	assert_int_equal(st.have, fi.n - 1);
	assert_int_equal(st.dup, fi.n - 1);
	assert_int_equal(st.blank, 2);
	assert_int_equal(st.garbage, 1);
	assert_int_equal(frames_join_finish(j, &out, &len, err, sizeof(err)),
	    0);
	assert_memory_equal(out, in, 1500);
	free(out);
	frames_join_free(j);
	/* the error names the line */
	j = frames_join_new();
	bad = tamper(lines[0], other_id);
	o = (size_t)snprintf(text, sizeof(text), "%s\n\n%s", lines[1], bad);
	assert_int_equal(frames_join_feed(j, text, o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 3: frame 01/"));
	free(bad);
	frames_join_free(j);
	frames_lines_free(lines, fi.n);
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_payload_size_mismatch),
		cmocka_unit_test(test_any_k_of_n),
		cmocka_unit_test(test_every_subset),
		cmocka_unit_test(test_join_lines),
		cmocka_unit_test(test_join_consistency),
		cmocka_unit_test(test_feed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
