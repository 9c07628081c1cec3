/* QR: capacity table against libqrencode, forced alphanumeric mode, and
 * the PNG, SVG and terminal renderings decoded back to the modules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "media/html.h"
#include "media/png.h"
#include "media/qr.h"

static char *
fill(char c, int n)
{
	char *s = malloc((size_t)n + 1);

	assert_non_null(s);
	memset(s, c, (size_t)n);
	s[n] = '\0';
	return s;
}

static void
fits(const char *text, int v, char l)
{
	struct qr q;

	if (qr_encode(text, v, l, &q) != 0)
		fail_msg("%zu chars do not fit %d-%c", strlen(text), v, l);
	assert_int_equal(q.version, v);
	assert_int_equal(q.width, 17 + 4 * v);
	qr_free(&q);
}

static void
too_big(const char *text, int v, char l)
{
	struct qr q;

	errno = 0;
	assert_int_equal(qr_encode(text, v, l, &q), -1);
	assert_int_equal(errno, ERANGE);
	assert_null(q.dark);
}

static void
test_capacity(void **state)
{
	const char *lv = "LMQH";
	int v, l, a, b;
	char *s;

	assert_int_equal(qr_capacity_alnum(15, 'M'), 600);
	assert_int_equal(qr_capacity_bytes(15, 'M'), 412);
	assert_int_equal(qr_capacity_alnum(20, 'L'), 1249);
	assert_int_equal(qr_capacity_bytes(20, 'L'), 858);
	assert_int_equal(qr_capacity_alnum(40, 'L'), 4296);
	assert_int_equal(qr_capacity_bytes(40, 'L'), 2953);
	assert_int_equal(qr_capacity_alnum(1, 'H'), 10);
	assert_int_equal(qr_capacity_bytes(1, 'H'), 7);
	assert_int_equal(qr_capacity_alnum(0, 'L'), -1);
	assert_int_equal(qr_capacity_bytes(41, 'L'), -1);
	assert_int_equal(qr_capacity_alnum(5, 'l'), -1);
	assert_int_equal(qr_capacity_bytes(5, '\0'), -1);
	/* every entry: the capacity fits that version, one more does not */
	for (v = 1; v <= 40; v++) {
		for (l = 0; l < 4; l++) {
			a = qr_capacity_alnum(v, lv[l]);
			b = qr_capacity_bytes(v, lv[l]);
			s = fill('A', a + 1);
			too_big(s, v, lv[l]);
			s[a] = '\0';
			fits(s, v, lv[l]);
			free(s);
			s = fill('a', b + 1);
			too_big(s, v, lv[l]);
			s[b] = '\0';
			fits(s, v, lv[l]);
			free(s);
		}
	}
}

static void
test_encode(void **state)
{
	struct qr q;
	char *s;

	/* 600 alphanumeric chars fit 15-M only in alphanumeric mode */
	s = fill(':', 600);
	s[0] = 'C';
	s[300] = ' ';
	fits(s, 15, 'M');
	free(s);
	/* version 0: the smallest that fits */
	assert_int_equal(qr_encode("HELLO WORLD", 0, 'M', &q), 0);
	assert_int_equal(q.version, 1);
	assert_int_equal(q.width, 21);
	qr_free(&q);
	assert_int_equal(q.dark, NULL);
	s = fill('A', 601);
	assert_int_equal(qr_encode(s, 0, 'M', &q), 0);
	assert_int_equal(q.version, 16);
	qr_free(&q);
	free(s);
	/* lower case is not alphanumeric: 8-bit mode, 1-M holds 14 */
	assert_int_equal(qr_encode("hello world 12", 0, 'M', &q), 0);
	assert_int_equal(q.version, 1);
	qr_free(&q);
	assert_int_equal(qr_encode("hello world 123", 0, 'M', &q), 0);
	assert_int_equal(q.version, 2);
	qr_free(&q);
	errno = 0;
	assert_int_equal(qr_encode("", 0, 'M', &q), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(qr_encode("A", 41, 'M', &q), -1);
	assert_int_equal(qr_encode("A", -1, 'M', &q), -1);
	assert_int_equal(qr_encode("A", 1, 'X', &q), -1);
	assert_int_equal(qr_encode(NULL, 1, 'L', &q), -1);
	s = fill('A', 4297);
	errno = 0;
	assert_int_equal(qr_encode(s, 0, 'L', &q), -1);
	assert_int_equal(errno, ERANGE);
	free(s);
}

static int
dark(const struct qr *q, int x, int y)
{
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0;
	return q->dark[y * q->width + x];
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
check_png(const struct qr *q, int scale)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
		0x1a, '\n' };
	unsigned char *png, *raw, *p;
	size_t len, o, stride, clen;
	uLongf rawlen;
	int full = q->width + 2 * QR_QUIET, w = full * scale, x, y, bit;
	int chunks = 0;

	assert_int_equal(qr_png(q, scale, &png, &len), 0);
	assert_memory_equal(png, sig, 8);
	stride = ((size_t)w + 7) / 8;
	rawlen = (stride + 1) * (size_t)w;
	raw = malloc(rawlen);
	for (o = 8; o < len; o += 12 + clen) {
		clen = get32(png + o);
		assert_true(o + 12 + clen <= len);
		assert_int_equal(get32(png + o + 8 + clen),
		    crc32(0L, png + o + 4, (uInt)clen + 4));
		p = png + o + 8;
		if (chunks == 0) {
			assert_memory_equal(png + o + 4, "IHDR", 4);
			assert_int_equal(clen, 13);
			assert_int_equal(get32(p), w);
			assert_int_equal(get32(p + 4), w);
			assert_int_equal(p[8], 1);
			assert_int_equal(p[9], 0);
			assert_int_equal(p[12], 0);
		} else if (chunks == 1) {
			assert_memory_equal(png + o + 4, "IDAT", 4);
			assert_int_equal(uncompress(raw, &rawlen, p, clen),
			    Z_OK);
			assert_int_equal(rawlen, (stride + 1) * (size_t)w);
		} else {
			assert_memory_equal(png + o + 4, "IEND", 4);
			assert_int_equal(clen, 0);
		}
		chunks++;
	}
	assert_int_equal(o, len);
	assert_int_equal(chunks, 3);
	for (y = 0; y < w; y++) {
		unsigned char *r = raw + (size_t)y * (stride + 1);
		size_t i;
		/* undo the filter: None, or Up (add the row above) */
		assert_true(r[0] == 0 || (r[0] == 2 && y > 0));
		if (r[0] == 2)
			for (i = 1; i <= stride; i++)
				r[i] = (unsigned char)(r[i] +
				    (r - stride - 1)[i]);
		for (x = 0; x < w; x++) {
			bit = raw[(size_t)y * (stride + 1) + 1 + (size_t)x / 8]
			    >> (7 - x % 8) & 1;
			/* PNG gray 1 bit: 0 black, 1 white */
			assert_int_equal(!bit, dark(q, x / scale, y / scale));
		}
	}
	free(raw);
	free(png);
}

static void
test_png(void **state)
{
	struct qr q;
	unsigned char *png;
	size_t len;
	int s;

	assert_int_equal(qr_encode("CB1:HELLO", 3, 'L', &q), 0);
	for (s = 1; s <= 9; s++)
		check_png(&q, s);
	assert_int_equal(qr_png(&q, 0, &png, &len), -1);
	assert_int_equal(qr_png(&q, 65, &png, &len), -1);
	qr_free(&q);
	assert_int_equal(png_gray1((const unsigned char *)"\0", 0, 1, &png,
	    &len), -1);
}

static void
test_svg(void **state)
{
	struct qr q;
	char *svg, *p, want[128];
	size_t len;
	int x, y, h, darks = 0, painted = 0, full;

	assert_int_equal(qr_encode("SVG TEST 123", 5, 'Q', &q), 0);
	full = q.width + 2 * QR_QUIET;
	assert_int_equal(qr_svg(&q, &svg, &len), 0);
	assert_int_equal(strlen(svg), len);
	assert_int_equal(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/"
	    "svg\"", 39), 0);
	snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\" width=\"%d\"",
	    full, full, full * 4);
	assert_non_null(strstr(svg, want));
	assert_non_null(strstr(svg, "</svg>\n"));
	/* each run "Mx yhNv1h-Nz" paints dark modules only */
	for (p = strstr(svg, " d=\"") + 4; *p == 'M';) {
		assert_int_equal(sscanf(p, "M%d %dh%d", &x, &y, &h), 3);
		for (; h > 0; h--, x++) {
			assert_true(dark(&q, x, y));
			painted++;
		}
		p = strchr(p, 'z') + 1;
	}
	assert_int_equal(*p, '"');
	for (y = 0; y < full; y++)
		for (x = 0; x < full; x++)
			darks += dark(&q, x, y);
	assert_int_equal(painted, darks);
	free(svg);
	qr_free(&q);
}

static void
test_term(void **state)
{
	struct qr q;
	char *buf = NULL, *p, *nl;
	size_t len = 0;
	FILE *f;
	int full, x, y = 0, top, bot;

	assert_int_equal(qr_encode("TERMINAL", 2, 'H', &q), 0);
	full = q.width + 2 * QR_QUIET;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(qr_term(&q, f), 0);
	fclose(f);
	for (p = buf; *p; p = nl + 1, y += 2) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_int_equal(strncmp(p, "\033[30;107m", 9), 0);
		p += 9;
		for (x = 0; x < full; x++) {
			top = dark(&q, x, y);
			bot = dark(&q, x, y + 1);
			if (!top && !bot) {
				assert_int_equal(*p, ' ');
				p++;
				continue;
			}
			assert_memory_equal(p, top && bot ? "\u2588" : top ?
			    "\u2580" : "\u2584", 3);
			p += 3;
		}
		assert_int_equal(strncmp(p, "\033[0m\n", 5), 0);
	}
	assert_int_equal(y, full + 1); /* odd width: last row pair half */
	free(buf);
	qr_free(&q);
}

/* The printed layout: columns follow the version, a module never under
 * 0.6 mm, every page full. */
static void
test_layout(void **state)
{
	static const struct {
		const char *paper;
		int v, cols, rows;
		double mm;
	} want[] = {
		{"A4", 10, 4, 5, 0.69}, {"A4", 15, 3, 4, 0.68},
		{"A4", 20, 2, 3, 0.75}, {"A4", 25, 2, 3, 0.63},
		{"A4", 40, 1, 2, 0.66}, {"Letter", 15, 3, 4, 0.63},
	};
	struct html_layout l;
	size_t i;
	int v;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(html_layout_plan(want[i].paper,
				     17 + 4 * want[i].v + 2 * QR_QUIET,
				     HTML_MODULE_MIN_MM, &l), 0);
		assert_int_equal(l.cols, want[i].cols);
		assert_int_equal(l.rows, want[i].rows);
		assert_true(l.module_mm > want[i].mm - 0.001 &&
		    l.module_mm < want[i].mm + 0.001);
	}
	for (v = 1; v <= 40; v++) {
		assert_int_equal(html_layout_plan("Letter", 25 + 4 * v,
				     HTML_MODULE_MIN_MM, &l), 0);
		assert_true(l.module_mm >= HTML_MODULE_MIN_MM - 1e-9);
		assert_true(l.code_mm * l.cols + (l.cols - 1) * HTML_GAP_MM <=
		    215.9 - 2 * HTML_MARGIN_MM);
	}
	/* nothing fits: a code wider than the page at 0.6 mm */
	assert_int_equal(html_layout_plan("A4", 400, 0.6, &l), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_term),
		cmocka_unit_test(test_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
