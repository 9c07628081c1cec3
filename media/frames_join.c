/* QR frames: reassembly from scanned lines in any order. */
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
#include "media/gf256.h"
#include "media/rs.h"

struct frames_join {
	int started;
	struct frames_info info;
	unsigned char *frame[FRAMES_MAX_N]; /* payloads, P bytes each */
	unsigned have, blank, garbage, dup;
};

struct frames_join *
frames_join_new(void)
{
	return calloc(1, sizeof(struct frames_join));
}

void
frames_join_free(struct frames_join *j)
{
	unsigned i;

	if (j == NULL)
		return;
	for (i = 0; i < FRAMES_MAX_N; i++)
		free(j->frame[i]);
	free(j);
}

/* "CB" digits ":" with other digits than ours: a newer format. */
static int
other_version(const char *s, size_t len)
{
	size_t i = 2;

	if (len < 4 || s[0] != 'C' || s[1] != 'B')
		return 0;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i > 2 && i < len && s[i] == ':';
}

/* Parses and checks one frame's bytes; fills fi and *index. */
static int
parse(const unsigned char *fr, size_t flen, struct frames_info *fi,
    unsigned *index, char *err, size_t errlen)
{
	uint64_t total, P, k, n;
	unsigned char idx;
	char idhex[9];

	if (flen < FRAMES_OVERHEAD + 1)
		return media_errf(err, errlen,
		    "frame too short (%zu bytes, at least %d expected)", flen,
		    FRAMES_OVERHEAD + 1);
	if (crc32(0L, fr, (uInt)(flen - 4)) != get32be(fr + flen - 4))
		return media_errf(err, errlen, "frame fails its CRC-32 check: "
		    "it is damaged or was altered (rescan it)");
	frames_id_hex(fr, idhex);
	total = get32be(fr + 4);
	k = fr[8];
	n = fr[9];
	idx = fr[10];
	P = flen - FRAMES_OVERHEAD;
	if (total == 0 || k == 0 || n <= k || idx >= n)
		return media_errf(err, errlen, "frame of bundle %s has an "
		    "invalid header (length %llu, k %llu, n %llu, index %u)",
		    idhex, (unsigned long long)total, (unsigned long long)k,
		    (unsigned long long)n, idx);
	if ((k - 1) * P >= total || k * P < total)
		return media_errf(err, errlen, "frame of bundle %s has a "
		    "payload of %llu bytes, which does not match length %llu "
		    "in %llu data frames", idhex, (unsigned long long)P,
		    (unsigned long long)total, (unsigned long long)k);
	memset(fi, 0, sizeof(*fi));
	memcpy(fi->id, fr, 4);
	memcpy(fi->idhex, idhex, 9);
	fi->total = (size_t)total;
	fi->payload = (size_t)P;
	fi->k = (unsigned)k;
	fi->n = (unsigned)n;
	fi->line_len = FRAMES_TAG_LEN + base45_encoded_len(flen);
	*index = idx;
	return 0;
}

int
frames_join_add(struct frames_join *j, const char *line, size_t len,
    char *err, size_t errlen)
{
	struct frames_info fi;
	unsigned char *fr = NULL;
	char label[FRAMES_LABEL_MAX];
	size_t flen, i, dl;
	unsigned idx = 0;
	int rc = -1;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == len) {
		j->blank++;
		return FRAMES_BLANK;
	}
	if (len >= 8 && memcmp(line, "QR-Code:", 8) == 0) {
		line += 8;
		len -= 8;
	}
	if (len < FRAMES_TAG_LEN ||
	    memcmp(line, FRAMES_TAG, FRAMES_TAG_LEN) != 0) {
		if (other_version(line, len))
			return media_errf(err, errlen, "frame format '%.*s' is "
			    "not supported (this version reads %s): use a "
			    "newer ceremony", (int)((const char *)memchr(line,
			    ':', len) - line + 1), line, FRAMES_TAG);
		j->garbage++;
		return FRAMES_GARBAGE;
	}
	line += FRAMES_TAG_LEN;
	len -= FRAMES_TAG_LEN;
	if ((dl = base45_decoded_len(len)) == (size_t)-1) {
		return media_errf(err, errlen, "frame damaged: its Base45 text "
		    "has an impossible length (%zu chars)", len);
	}
	if ((fr = malloc(dl ? dl : 1)) == NULL)
		return media_errf(err, errlen, "out of memory");
	if (base45_decode(line, len, fr, &flen, err, errlen) < 0) {
		char why[128];
		snprintf(why, sizeof(why), "%s", err);
		media_errf(err, errlen, "frame damaged: %s", why);
		goto out;
	}
	if (parse(fr, flen, &fi, &idx, err, errlen) < 0)
		goto out;
	frames_label(&fi, idx, FRAMES_LABEL_POS, label);
	if (!j->started) {
		j->info = fi;
	} else if (memcmp(fi.id, j->info.id, 4) != 0) {
		media_errf(err, errlen, "frame %s is from bundle %s, but "
		    "earlier frames are from bundle %s: scan one bundle at a "
		    "time", label, fi.idhex, j->info.idhex);
		goto out;
	} else if (fi.total != j->info.total || fi.k != j->info.k ||
	    fi.n != j->info.n) {
		media_errf(err, errlen, "frame %s disagrees with earlier "
		    "frames of bundle %s (length %zu, k %u, n %u against %zu, "
		    "%u, %u)", label, fi.idhex, fi.total, fi.k, fi.n,
		    j->info.total, j->info.k, j->info.n);
		goto out;
	} else if (fi.payload != j->info.payload) {
		media_errf(err, errlen, "frame %s disagrees with earlier "
		    "frames of bundle %s (a payload of %zu bytes against %zu)",
		    label, fi.idhex, (size_t)fi.payload,
		    (size_t)j->info.payload);
		goto out;
	}
	if (j->frame[idx]) {
		if (memcmp(j->frame[idx], fr + FRAMES_HEADER, fi.payload)) {
			media_errf(err, errlen, "two different frames claim to "
			    "be %s: one of them was altered", label);
			goto out;
		}
		j->dup++;
		rc = FRAMES_DUP;
		goto out;
	}
	if ((j->frame[idx] = malloc(fi.payload)) == NULL) {
		media_errf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(j->frame[idx], fr + FRAMES_HEADER, fi.payload);
	j->started = 1;
	j->have++;
	rc = FRAMES_NEW;
out:
	free(fr);
	return rc;
}

int
frames_join_feed(struct frames_join *j, const char *text, size_t len,
    char *err, size_t errlen)
{
	const char *p = text, *nl, *end = text + len;
	char why[256];
	size_t lineno = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		lineno++;
		if (frames_join_add(j, p, nl ? (size_t)(nl - p) : (size_t)(end -
		    p), why, sizeof(why)) < 0)
			return media_errf(err, errlen, "line %zu: %s", lineno,
			    why);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

void
frames_join_status(const struct frames_join *j, struct frames_status *st)
{
	memset(st, 0, sizeof(*st));
	st->started = j->started;
	if (j->started) {
		st->info = j->info;
		st->need = j->have >= j->info.k ? 0 : j->info.k - j->have;
	}
	st->have = j->have;
	st->blank = j->blank;
	st->garbage = j->garbage;
	st->dup = j->dup;
}

unsigned
frames_join_missing(const struct frames_join *j, unsigned *idx, unsigned max)
{
	unsigned i, c = 0;

	if (!j->started)
		return 0;
	for (i = 0; i < j->info.n; i++) {
		if (j->frame[i])
			continue;
		if (c < max)
			idx[c] = i;
		c++;
	}
	return c;
}

int
frames_join_finish(struct frames_join *j, unsigned char **out,
    size_t *outlen, char *err, size_t errlen)
{
	unsigned char *shards = NULL, *sp[FRAMES_MAX_N], have[FRAMES_MAX_N];
	unsigned char *par = NULL, md[32];
	struct frames_info *fi = &j->info;
	size_t P = fi->payload, o, i;
	unsigned miss[FRAMES_MAX_N], nmiss, c;
	char got[9], num[FRAMES_LABEL_MAX];
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (!j->started)
		return media_errf(err, errlen,
		    "no frames found (%u blank and %u other lines ignored)",
		    j->blank, j->garbage);
	if (j->have < fi->k) {
		nmiss = frames_join_missing(j, miss, FRAMES_MAX_N);
		o = (size_t)snprintf(err, errlen, "bundle %s: need %u more "
		    "frame%s (have %u of the %u needed, %u made); missing:",
		    fi->idhex, fi->k - j->have, fi->k - j->have == 1 ? "" :
		    "s", j->have, fi->k, fi->n);
		for (c = 0; c < nmiss && o < errlen; c++) {
			frames_label(fi, miss[c], FRAMES_LABEL_NUM, num);
			o += (size_t)snprintf(err + o, errlen - o, "%s %s",
			    c ? "," : "", num);
		}
		return -1;
	}
	if ((shards = calloc(fi->n, P)) == NULL ||
	    (par = malloc(P)) == NULL) {
		media_errf(err, errlen, "out of memory");
		goto out;
	}
	for (c = 0; c < fi->n; c++) {
		sp[c] = shards + (size_t)c * P;
		have[c] = j->frame[c] != NULL;
		if (have[c])
			memcpy(sp[c], j->frame[c], P);
	}
	if (rs_rebuild(sp, have, fi->k, fi->n - fi->k, P) < 0) {
		media_errf(err, errlen, "out of memory");
		goto out;
	}
	for (i = fi->total; i < (size_t)fi->k * P; i++) {
		if (shards[i]) {
			media_errf(err, errlen, "bundle %s: the padding after "
			    "its %zu bytes is not zero (altered frames?)",
			    fi->idhex, fi->total);
			goto out;
		}
	}
	/* every parity frame received must agree with the rebuilt data */
	for (c = fi->k; c < fi->n; c++) {
		if (!have[c])
			continue;
		memset(par, 0, P);
		for (i = 0; i < fi->k; i++)
			gf256_muladd(par, sp[i], rs_coef(fi->k, c - fi->k,
			    (unsigned)i), P);
		if (memcmp(par, sp[c], P) != 0) {
			char label[FRAMES_LABEL_MAX];
			frames_label(fi, c, FRAMES_LABEL_POS, label);
			media_errf(err, errlen, "frame %s does not agree with "
			    "the other frames: one of them was altered", label);
			goto out;
		}
	}
	if (EVP_Digest(shards, fi->total, md, NULL, EVP_sha256(), NULL) != 1) {
		media_errf(err, errlen, "SHA-256 failed");
		goto out;
	}
	if (memcmp(md, fi->id, 4) != 0) {
		frames_id_hex(md, got);
		media_errf(err, errlen, "the rebuilt bundle's SHA-256 starts "
		    "with %s, not with its id %s: frames were altered", got,
		    fi->idhex);
		goto out;
	}
	if ((*out = malloc(fi->total)) == NULL) {
		media_errf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(*out, shards, fi->total);
	*outlen = fi->total;
	rc = 0;
out:
	free(shards);
	free(par);
	return rc;
}
