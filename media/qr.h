/* QR codes (libqrencode) rendered to PNG, SVG and the terminal. */
#ifndef QR_H
#define QR_H

#include <stddef.h>
#include <stdio.h>

#define QR_ALNUM "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

struct qr {
	int version; /* as encoded */
	int width;   /* modules, without quiet zone */
	unsigned char *dark; /* width*width, 1 = dark module */
};

/* level: 'L', 'M', 'Q' or 'H'. version: 1-40, or 0 for the smallest that
 * fits; a given version is kept (fails if the text does not fit). Text
 * made only of QR_ALNUM chars goes into one alphanumeric segment;
 * anything else into one 8-bit segment. Returns 0, or -1 (errno ERANGE
 * when too long, EINVAL for bad arguments). */
int qr_encode(const char *text, int version, char level, struct qr *q);
void qr_free(struct qr *q);

/* Capacity of one segment at this version (1-40) and level: alphanumeric
 * chars, or 8-bit bytes; -1 if invalid. 15-M: 600 / 412, 20-L: 1249 / 858.*/
int qr_capacity_alnum(int version, char level);
int qr_capacity_bytes(int version, char level);

#define QR_QUIET 4 /* quiet zone, modules, on every side */

/* PNG: 1-bit grayscale, 4-module quiet zone, scale (1-64) px per module.
 * malloc'd. Labels are not drawn (HTML sheets carry them). */
int qr_png(const struct qr *q, int scale, unsigned char **png, size_t *len);
/* Standalone SVG (no XML declaration, so it also embeds in HTML): quiet
 * zone included, viewBox in modules, width/height 4 px per module, one
 * path of dark modules. malloc'd, NUL-terminated. */
int qr_svg(const struct qr *q, char **svg, size_t *len);
/* UTF-8 half blocks, two module rows per text line, black on white forced
 * with ANSI colours, quiet zone included. Returns 0 or -1 (write error). */
int qr_term(const struct qr *q, FILE *out);

#endif
