/* Minimal PNG writer: 1-bit grayscale. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "media/bytes.h"
#include "media/png.h"

/* Chunk at p: length, type, data (already in place at p+8), CRC. */
static size_t
chunk(unsigned char *p, const char *type, size_t len)
{
	uLong crc;

	put32be(p, (uint32_t)len);
	memcpy(p + 4, type, 4);
	crc = crc32(0L, p + 4, (uInt)(len + 4));
	put32be(p + 8 + len, (uint32_t)crc);
	return len + 12;
}

int
png_gray1(const unsigned char *rows, unsigned w, unsigned h,
    unsigned char **out, size_t *len)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
		0x1a, '\n' };
	size_t stride = ((size_t)w + 7) / 8, rawlen, cap, o;
	unsigned char *raw = NULL, *png = NULL;
	uLongf zlen;
	unsigned y;
	int rc = -1;

	*out = NULL;
	*len = 0;
	if (w == 0 || h == 0 || w > 0x7fffffff || h > 0x7fffffff ||
	    stride + 1 > ((size_t)1 << 31) / h)
		return -1;
	rawlen = (stride + 1) * h;
	if ((raw = malloc(rawlen)) == NULL)
		return -1;
	for (y = 0; y < h; y++) {
		unsigned char *r = raw + (size_t)y * (stride + 1);
		const unsigned char *src = rows + (size_t)y * stride;
		if (y > 0 && memcmp(src, src - stride, stride) == 0) {
			r[0] = 2; /* filter Up: a repeated row is all zeros */
			memset(r + 1, 0, stride);
		} else {
			r[0] = 0; /* filter None */
			memcpy(r + 1, src, stride);
		}
	}
	zlen = compressBound((uLong)rawlen);
	cap = 8 + 25 + 12 + zlen + 12;
	if ((png = malloc(cap)) == NULL)
		goto out;
	memcpy(png, sig, 8);
	o = 8;
	put32be(png + o + 8, w);
	put32be(png + o + 12, h);
	png[o + 16] = 1; /* bit depth */
	png[o + 17] = 0; /* grayscale */
	png[o + 18] = 0; /* deflate */
	png[o + 19] = 0; /* adaptive filtering */
	png[o + 20] = 0; /* no interlace */
	o += chunk(png + o, "IHDR", 13);
	if (compress2(png + o + 8, &zlen, raw, (uLong)rawlen,
	    Z_BEST_SPEED) != Z_OK)
		goto out;
	o += chunk(png + o, "IDAT", zlen);
	o += chunk(png + o, "IEND", 0);
	*out = png;
	*len = o;
	png = NULL;
	rc = 0;
out:
	explicit_bzero(raw, rawlen); /* image rows may encode a secret */
	free(raw);
	if (png != NULL)
		explicit_bzero(png, cap);
	free(png);
	return rc;
}
