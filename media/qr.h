/* QR codes (libqrencode) rendered to PNG, SVG and the terminal. */
#ifndef QR_H
#define QR_H

#include <stddef.h>
#include <stdio.h>

/* level: 'L', 'M', 'Q' or 'H'. version: 1-40, or 0 for the smallest that
 * fits. text made only of the 45 alphanumeric-mode characters goes into one
 * alphanumeric segment; anything else into one 8-bit segment. */
struct qr {
	int version; /* as encoded */
	int width;   /* modules, without quiet zone */
	unsigned char *dark; /* width*width, 1 = dark module */
};

int qr_encode(const char *text, int version, char level, struct qr *q);
void qr_free(struct qr *q);
/* PNG: 1-bit grayscale, 4-module quiet zone, scale px per module; an
 * optional label is not drawn (HTML sheets carry labels). malloc'd. */
int qr_png(const struct qr *q, int scale, unsigned char **png, size_t *len);
int qr_svg(const struct qr *q, char **svg, size_t *len); /* malloc'd */
int qr_term(const struct qr *q, FILE *out); /* UTF-8 half blocks */

#endif
