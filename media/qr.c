/* QR codes with libqrencode; PNG, SVG and terminal renderings. */
#include <errno.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/png.h"
#include "media/qr.h"

/* Data codewords per version (1-40) and level L, M, Q, H (ISO/IEC 18004
 * table 7); checked against libqrencode in tests/unit/test_qr.c. */
static const short datacw[40][4] = {
	{ 19, 16, 13, 9 }, { 34, 28, 22, 16 }, { 55, 44, 34, 26 },
	{ 80, 64, 48, 36 }, { 108, 86, 62, 46 }, { 136, 108, 76, 60 },
	{ 156, 124, 88, 66 }, { 194, 154, 110, 86 }, { 232, 182, 132, 100 },
	{ 274, 216, 154, 122 }, { 324, 254, 180, 140 },
	{ 370, 290, 206, 158 }, { 428, 334, 244, 180 },
	{ 461, 365, 261, 197 }, { 523, 415, 295, 223 },
	{ 589, 453, 325, 253 }, { 647, 507, 367, 283 },
	{ 721, 563, 397, 313 }, { 795, 627, 445, 341 },
	{ 861, 669, 485, 385 }, { 932, 714, 512, 406 },
	{ 1006, 782, 568, 442 }, { 1094, 860, 614, 464 },
	{ 1174, 914, 664, 514 }, { 1276, 1000, 718, 538 },
	{ 1370, 1062, 754, 596 }, { 1468, 1128, 808, 628 },
	{ 1531, 1193, 871, 661 }, { 1631, 1267, 911, 701 },
	{ 1735, 1373, 985, 745 }, { 1843, 1455, 1033, 793 },
	{ 1955, 1541, 1115, 845 }, { 2071, 1631, 1171, 901 },
	{ 2191, 1725, 1231, 961 }, { 2306, 1812, 1286, 986 },
	{ 2434, 1914, 1354, 1054 }, { 2566, 1992, 1426, 1096 },
	{ 2702, 2102, 1502, 1142 }, { 2812, 2216, 1582, 1222 },
	{ 2956, 2334, 1666, 1276 },
};

static int
level_index(char level)
{
	const char *p = level ? strchr("LMQH", level) : NULL;

	return p ? (int)(p - "LMQH") : -1;
}

int
qr_capacity_alnum(int version, char level)
{
	int l = level_index(level), bits, cc;

	if (version < 1 || version > 40 || l < 0)
		return -1;
	cc = version < 10 ? 9 : version < 27 ? 11 : 13;
	bits = datacw[version - 1][l] * 8 - 4 - cc;
	return bits / 11 * 2 + (bits % 11 >= 6);
}

int
qr_capacity_bytes(int version, char level)
{
	int l = level_index(level), cc;

	if (version < 1 || version > 40 || l < 0)
		return -1;
	cc = version < 10 ? 8 : 16;
	return (datacw[version - 1][l] * 8 - 4 - cc) / 8;
}

int
qr_encode(const char *text, int version, char level, struct qr *q)
{
	static const QRecLevel lv[4] = { QR_ECLEVEL_L, QR_ECLEVEL_M,
		QR_ECLEVEL_Q, QR_ECLEVEL_H };
	QRinput *in = NULL;
	QRcode *c = NULL;
	size_t n, i;
	int l = level_index(level), rc = -1, alnum;

	memset(q, 0, sizeof(*q));
	if (text == NULL || (n = strlen(text)) == 0 || l < 0 || version < 0 ||
	    version > 40) {
		errno = EINVAL;
		return -1;
	}
	if (n > 7089) { /* more than any QR code holds */
		errno = ERANGE;
		return -1;
	}
	alnum = strspn(text, QR_ALNUM) == n;
	if ((in = QRinput_new2(version, lv[l])) == NULL)
		return -1;
	if (QRinput_append(in, alnum ? QR_MODE_AN : QR_MODE_8, (int)n,
	    (const unsigned char *)text) != 0)
		goto out;
	if ((c = QRcode_encodeInput(in)) == NULL)
		goto out;
	/* libqrencode grows the version when the text does not fit */
	if (version && c->version != version) {
		errno = ERANGE;
		goto out;
	}
	n = (size_t)c->width * (size_t)c->width;
	if ((q->dark = malloc(n)) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		q->dark[i] = c->data[i] & 1;
	q->version = c->version;
	q->width = c->width;
	rc = 0;
out:
	/* the modules may encode a secret (share words): wipe our copies */
	if (c) {
		explicit_bzero(c->data, (size_t)c->width * (size_t)c->width);
		QRcode_free(c);
	}
	QRinput_free(in);
	return rc;
}

void
qr_free(struct qr *q)
{
	if (q->dark != NULL)
		explicit_bzero(q->dark, (size_t)q->width * (size_t)q->width);
	free(q->dark);
	memset(q, 0, sizeof(*q));
}

static int
dark_at(const struct qr *q, int x, int y)
{
	/* coordinates include the quiet zone */
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0;
	return q->dark[(size_t)y * (size_t)q->width + (size_t)x];
}

int
qr_png(const struct qr *q, int scale, unsigned char **png, size_t *len)
{
	unsigned char *rows, *row;
	size_t stride, px;
	int full = q->width + 2 * QR_QUIET, w, x, y, rc;

	*png = NULL;
	*len = 0;
	if (scale < 1 || scale > 64 || q->width < 21 || q->width > 177)
		return -1;
	w = full * scale;
	stride = ((size_t)w + 7) / 8;
	if ((rows = malloc(stride * (size_t)w)) == NULL)
		return -1;
	for (y = 0; y < full; y++) {
		row = rows + (size_t)y * (size_t)scale * stride;
		memset(row, 0xff, stride);
		for (x = 0; x < full; x++) {
			if (!dark_at(q, x, y))
				continue;
			for (px = (size_t)x * (size_t)scale;
			    px < (size_t)(x + 1) * (size_t)scale; px++)
				row[px / 8] &=
				    (unsigned char)~(0x80 >> (px % 8));
		}
		for (x = 1; x < scale; x++)
			memcpy(row + (size_t)x * stride, row, stride);
	}
	rc = png_gray1(rows, (unsigned)w, (unsigned)w, png, len);
	explicit_bzero(rows, stride * (size_t)w);
	free(rows);
	return rc;
}

int
qr_svg(const struct qr *q, char **svg, size_t *len)
{
	int full = q->width + 2 * QR_QUIET, x, y, run, n;
	size_t cap, o = 0;
	char *s;

	*svg = NULL;
	*len = 0;
	if (q->width < 21 || q->width > 177)
		return -1;
	cap = 512 + (size_t)full * (size_t)(full / 2 + 1) * 32;
	if ((s = malloc(cap)) == NULL)
		return -1;
	n = snprintf(s, cap, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	    "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/><path fill=\"#000\" d=\"", full, full, full * 4,
	    full * 4, full, full);
	o = (size_t)n;
	for (y = 0; y < full; y++) {
		for (x = 0; x < full; x += run) {
			for (run = 0; x + run < full && dark_at(q, x + run, y);)
				run++;
			if (run == 0) {
				run = 1;
				continue;
			}
			n = snprintf(s + o, cap - o, "M%d %dh%dv1h-%dz", x, y,
			    run, run);
			o += (size_t)n;
		}
	}
	n = snprintf(s + o, cap - o, "\"/></svg>\n");
	o += (size_t)n;
	*svg = s;
	*len = o;
	return 0;
}

int
qr_term(const struct qr *q, FILE *out)
{
	static const char *cell[4] = { " ", "\u2580", "\u2584", "\u2588" };
	int full = q->width + 2 * QR_QUIET, x, y, top, bot;

	for (y = 0; y < full; y += 2) {
		fputs("\033[30;107m", out);
		for (x = 0; x < full; x++) {
			top = dark_at(q, x, y);
			bot = y + 1 < full && dark_at(q, x, y + 1);
			fputs(cell[top | bot << 1], out);
		}
		fputs("\033[0m\n", out);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
