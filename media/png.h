/* Minimal PNG writer: 1-bit grayscale, no interlace, zlib IDAT. */
#ifndef PNG_H
#define PNG_H

#include <stddef.h>

/* rows: h rows of (w+7)/8 bytes each, pixels packed MSB first as PNG
 * samples (bit 1 = white, 0 = black). Writes a malloc'd PNG (signature,
 * IHDR, one IDAT, IEND; CRCs with zlib) to *out. Returns 0 or -1. */
int png_gray1(const unsigned char *rows, unsigned w, unsigned h,
    unsigned char **out, size_t *len);

#endif
