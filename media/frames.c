/* QR frames: split bytes into tagged Base45 lines with erasure coding. */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "media/base45.h"
#include "media/bytes.h"
#include "media/err.h"
#include "media/frames.h"
#include "media/qr.h"
#include "media/rs.h"

int
frames_payload_max(int version, char level)
{
	int c = qr_capacity_alnum(version, level), b;

	if (c < 0)
		return -1;
	c -= FRAMES_TAG_LEN;
	b = c / 3 * 2 + (c % 3 == 2);
	return b > FRAMES_OVERHEAD ? b - FRAMES_OVERHEAD : -1;
}

static int
sha256(const unsigned char *buf, size_t len, unsigned char md[32])
{
	return EVP_Digest(buf, len, md, NULL, EVP_sha256(), NULL) == 1 ? 0 :
	    -1;
}

void
frames_id_hex(const unsigned char id[4], char out[9])
{
	static const char hx[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 4; i++) {
		out[2 * i] = hx[id[i] >> 4];
		out[2 * i + 1] = hx[id[i] & 15];
	}
	out[8] = '\0';
}

int
frames_plan(const unsigned char *buf, size_t len, int version, char level,
    int parity, struct frames_info *fi, char *err, size_t errlen)
{
	unsigned char md[32];
	int pmax = frames_payload_max(version, level);
	size_t k, m;

	memset(fi, 0, sizeof(*fi));
	if (pmax < 0)
		return media_errf(err, errlen, "QR version %d-%c cannot hold a "
		    "frame (use version 3-40 and level L, M, Q or H)", version,
		    level ? level : '?');
	if (len == 0 || len > 0xffffffffu)
		return media_errf(err, errlen,
		    "cannot split %zu bytes into frames (1 byte to 4 GiB)",
		    len);
	k = (len + (size_t)pmax - 1) / (size_t)pmax;
	m = parity < 0 ? (4 * k + 9) / 10 : (size_t)parity;
	if (m == 0)
		return media_errf(err, errlen,
		    "parity must be at least 1 frame");
	if (k + m > FRAMES_MAX_N)
		return media_errf(err, errlen, "%zu bytes need %zu data + %zu "
		    "parity frames at QR %d-%c, more than %d: use a larger QR "
		    "version, a lower level or less parity", len, k, m, version,
		    level, FRAMES_MAX_N);
	if (sha256(buf, len, md) < 0)
		return media_errf(err, errlen, "SHA-256 failed");
	memcpy(fi->id, md, 4);
	frames_id_hex(fi->id, fi->idhex);
	fi->total = len;
	fi->k = (unsigned)k;
	fi->n = (unsigned)(k + m);
	fi->payload = k == 1 ? len : (size_t)pmax;
	fi->line_len = FRAMES_TAG_LEN +
	    base45_encoded_len(fi->payload + FRAMES_OVERHEAD);
	return 0;
}

void
frames_lines_free(char **lines, unsigned n)
{
	unsigned i;

	if (lines == NULL)
		return;
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int
frames_split(const unsigned char *buf, size_t len, int version, char level,
    int parity, char ***linesp, struct frames_info *fi, char *err,
    size_t errlen)
{
	unsigned char *shards = NULL, *sp[FRAMES_MAX_N], *fr = NULL;
	char **lines = NULL;
	size_t P, flen;
	unsigned i;
	int rc = -1;

	*linesp = NULL;
	if (frames_plan(buf, len, version, level, parity, fi, err,
	    errlen) < 0)
		return -1;
	P = fi->payload;
	flen = P + FRAMES_OVERHEAD;
	if ((shards = calloc(fi->n, P)) == NULL ||
	    (fr = malloc(flen)) == NULL ||
	    (lines = calloc(fi->n, sizeof(*lines))) == NULL) {
		media_errf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(shards, buf, len);
	for (i = 0; i < fi->n; i++)
		sp[i] = shards + (size_t)i * P;
	rs_encode(sp, fi->k, fi->n - fi->k, P);
	for (i = 0; i < fi->n; i++) {
		memcpy(fr, fi->id, 4);
		put32be(fr + 4, (uint32_t)fi->total);
		fr[8] = (unsigned char)fi->k;
		fr[9] = (unsigned char)fi->n;
		fr[10] = (unsigned char)i;
		memcpy(fr + FRAMES_HEADER, sp[i], P);
		put32be(fr + FRAMES_HEADER + P,
		    (uint32_t)crc32(0L, fr, (uInt)(FRAMES_HEADER + P)));
		if ((lines[i] = malloc(fi->line_len + 1)) == NULL) {
			media_errf(err, errlen, "out of memory");
			goto out;
		}
		memcpy(lines[i], FRAMES_TAG, FRAMES_TAG_LEN);
		base45_encode(fr, flen, lines[i] + FRAMES_TAG_LEN);
	}
	*linesp = lines;
	lines = NULL;
	rc = 0;
out:
	frames_lines_free(lines, fi->n);
	free(shards);
	free(fr);
	return rc;
}

void
frames_label(const struct frames_info *fi, unsigned index, int form,
    char out[FRAMES_LABEL_MAX])
{
	int w = fi->n >= 100 ? 3 : 2;

	if (form == FRAMES_LABEL_NUM)
		snprintf(out, FRAMES_LABEL_MAX, "%0*u", w, index + 1);
	else if (form == FRAMES_LABEL_POS)
		snprintf(out, FRAMES_LABEL_MAX, "%0*u/%0*u", w, index + 1, w,
		    fi->n);
	else
		snprintf(out, FRAMES_LABEL_MAX, "%0*u/%0*u %s", w, index + 1, w,
		    fi->n, fi->idhex);
}
