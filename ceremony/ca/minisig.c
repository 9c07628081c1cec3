/* minisign signature files: create, parse strictly, verify. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ca/minisig.h"
#include "core/util.h"

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define SIG_BYTES 74 /* "ED" || keynum || signature */
#define SIG_B64 100
#define GLOBAL_B64 88

static const unsigned char alg_hashed[2] = {'E', 'D'};
static const unsigned char alg_legacy[2] = {'E', 'd'};

void
minisig_keyid(const unsigned char keynum[8], char out[17])
{
	static const char hx[] = "0123456789ABCDEF";
	int i;

	for (i = 0; i < 8; i++) {
		out[2 * i] = hx[keynum[7 - i] >> 4];
		out[2 * i + 1] = hx[keynum[7 - i] & 15];
	}
	out[16] = 0;
}

static int
comment_ok(const char *c)
{
	return strlen(c) <= MINISIG_COMMENT_MAX && strpbrk(c, "\r\n") == NULL;
}

/* Ed25519 over sig || trusted comment. */
static unsigned char *
global_message(const unsigned char sig[64], const char *trusted, size_t *len)
{
	size_t tlen = strlen(trusted);
	unsigned char *m;

	if ((m = malloc(64 + tlen)) == NULL)
		return NULL;
	memcpy(m, sig, 64);
	memcpy(m + 64, trusted, tlen);
	*len = 64 + tlen;
	return m;
}

int
minisig_sign(const struct sigkey *k, const unsigned char *msg, size_t msglen,
    const char *untrusted, const char *trusted, char **out, size_t *len)
{
	unsigned char hash[MINISIG_HASH];
	int rv;

	*out = NULL;
	*len = 0;
	if (crypto_generichash(hash, sizeof(hash), msg, msglen, NULL, 0) != 0)
		return -1;
	rv = minisig_sign_hashed(k, hash, untrusted, trusted, out, len);
	sodium_memzero(hash, sizeof(hash));
	return rv;
}

int
minisig_sign_hashed(const struct sigkey *k, const unsigned char
    hash[MINISIG_HASH], const char *untrusted, const char *trusted,
    char **out, size_t *len)
{
	unsigned char raw[SIG_BYTES];
	unsigned char global[64], *gm = NULL;
	char sig_b64[SIG_B64 + 1], global_b64[GLOBAL_B64 + 1], *text = NULL;
	char err[256];
	struct sigkey pub;
	struct minisig check;
	size_t gmlen;
	int n, rv = -1;

	*out = NULL;
	*len = 0;
	if (k->sk == NULL) {
		warnf("signing needs the secret key");
		return -1;
	}
	if (!comment_ok(untrusted) || !comment_ok(trusted)) {
		warnf("signature comments must be one line of at most %d bytes",
		    MINISIG_COMMENT_MAX);
		return -1;
	}
	memcpy(raw, alg_hashed, 2);
	memcpy(raw + 2, k->keynum, 8);
	if (crypto_sign_detached(raw + 10, NULL, hash, MINISIG_HASH, k->sk) !=
	    0)
		goto out;
	if ((gm = global_message(raw + 10, trusted, &gmlen)) == NULL ||
	    crypto_sign_detached(global, NULL, gm, gmlen, k->sk) != 0)
		goto out;
	sodium_bin2base64(sig_b64, sizeof(sig_b64), raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(global_b64, sizeof(global_b64), global,
	    sizeof(global), sodium_base64_VARIANT_ORIGINAL);
	n = asprintf(&text, "%s%s\n%s\n%s%s\n%s\n", UNTRUSTED_PREFIX,
	    untrusted, sig_b64, TRUSTED_PREFIX, trusted, global_b64);
	if (n < 0) {
		text = NULL;
		goto out;
	}
	/* Verify what we made with the public half before handing it out. */
	memcpy(pub.keynum, k->keynum, 8);
	memcpy(pub.pk, k->pk, 32);
	pub.sk = NULL;
	if (minisig_parse(text, (size_t)n, &check, err, sizeof(err)) == -1 ||
	    minisig_verify_hashed(&check, &pub, hash, err, sizeof(err)) == -1) {
		warnf("the new signature does not verify (%s); the secret and "
		      "public halves of the key do not match",
		    err);
		goto out;
	}
	*out = text;
	*len = (size_t)n;
	text = NULL;
	rv = 0;
out:
	free(gm);
	free(text);
	return rv;
}

/* Next line of [*p, end) without its '\n'; NULL if none is complete. */
static const char *
next_line(const char **p, const char *end, size_t *n)
{
	const char *start = *p, *nl;

	if (start >= end ||
	    (nl = memchr(start, '\n', (size_t)(end - start))) == NULL)
		return NULL;
	*n = (size_t)(nl - start);
	*p = nl + 1;
	return start;
}

static int
b64_line(const char *line, size_t n, size_t want_chars, unsigned char *bin,
    size_t binlen)
{
	size_t got;
	const char *end;

	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/=";
	size_t i;

	if (n != want_chars)
		return -1;
	for (i = 0; i < n; i++)
		if (line[i] == 0 || strchr(alphabet, line[i]) == NULL)
			return -1;
	if (sodium_base642bin(bin, binlen, line, n, NULL, &got, &end,
		sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return got == binlen && end == line + n ? 0 : -1;
}

static int
comment_line(const char *line, size_t n, const char *prefix, char *dst)
{
	size_t plen = strlen(prefix);

	if (n < plen || memcmp(line, prefix, plen) != 0 ||
	    n - plen > MINISIG_COMMENT_MAX)
		return -1;
	memcpy(dst, line + plen, n - plen);
	dst[n - plen] = 0;
	return 0;
}

int
minisig_parse(const char *text, size_t len, struct minisig *s, char *err,
    size_t errlen)
{
	const char *p = text, *end = text + len, *line[4];
	unsigned char raw[SIG_BYTES];
	size_t n[4];
	int i;

	memset(s, 0, sizeof(*s));
	if (len > MINISIG_FILE_MAX)
		return errf(err, errlen,
		    "larger than %d bytes; not a signature", MINISIG_FILE_MAX);
	if (memchr(text, 0, len) != NULL || memchr(text, '\r', len) != NULL)
		return errf(err, errlen, "contains NUL or carriage-return "
		    "bytes; not a signature file as minisign writes it");
	for (i = 0; i < 4; i++) {
		if ((line[i] = next_line(&p, end, &n[i])) == NULL)
			return errf(err, errlen, "has %d complete lines; a "
			    "signature has 4, each ending in a newline", i);
	}
	if (p != end)
		return errf(err, errlen, "has data after the fourth line");
	if (comment_line(line[0], n[0], UNTRUSTED_PREFIX, s->untrusted))
		return errf(err, errlen,
		    "line 1 must be '" UNTRUSTED_PREFIX "<text>' (at most "
		    "%d bytes of text)", MINISIG_COMMENT_MAX);
	if (b64_line(line[1], n[1], SIG_B64, raw, sizeof(raw)) == -1)
		return errf(err, errlen,
		    "line 2 is not the base64 of a %d-byte signature",
		    SIG_BYTES);
	if (memcmp(raw, alg_legacy, 2) == 0)
		return errf(err, errlen, "legacy signature (not prehashed, "
		    "algorithm 'Ed'); only prehashed 'ED' signatures are "
		    "accepted");
	if (memcmp(raw, alg_hashed, 2) != 0)
		return errf(err, errlen,
		    "unknown signature algorithm (not 'ED')");
	memcpy(s->keynum, raw + 2, 8);
	memcpy(s->sig, raw + 10, 64);
	if (comment_line(line[2], n[2], TRUSTED_PREFIX, s->trusted))
		return errf(err, errlen,
		    "line 3 must be '" TRUSTED_PREFIX "<text>' (at most "
		    "%d bytes of text)", MINISIG_COMMENT_MAX);
	if (b64_line(line[3], n[3], GLOBAL_B64, s->global, 64) == -1)
		return errf(err, errlen,
		    "line 4 is not the base64 of a 64-byte global signature");
	return 0;
}

int
minisig_verify(const struct minisig *s, const struct sigkey *pk,
    const unsigned char *msg, size_t msglen, char *err, size_t errlen)
{
	unsigned char hash[MINISIG_HASH];

	if (crypto_generichash(hash, sizeof(hash), msg, msglen, NULL, 0) != 0)
		return errf(err, errlen, "cannot hash the signed file");
	return minisig_verify_hashed(s, pk, hash, err, errlen);
}

int
minisig_verify_hashed(const struct minisig *s, const struct sigkey *pk,
    const unsigned char hash[MINISIG_HASH], char *err, size_t errlen)
{
	unsigned char *gm = NULL;
	char want[17], got[17];
	size_t gmlen;
	int rv = -1;

	if (memcmp(s->keynum, pk->keynum, 8) != 0) {
		minisig_keyid(s->keynum, got);
		minisig_keyid(pk->keynum, want);
		return errf(err, errlen,
		    "signed by key id %s, but the public key has id %s", got,
		    want);
	}
	if (crypto_sign_verify_detached(s->sig, hash, MINISIG_HASH, pk->pk) !=
	    0) {
		errf(err, errlen, "signature does not match the signed file "
		    "(the file or the signature was altered)");
		goto out;
	}
	if ((gm = global_message(s->sig, s->trusted, &gmlen)) == NULL) {
		errf(err, errlen, "out of memory");
		goto out;
	}
	if (crypto_sign_verify_detached(s->global, gm, gmlen, pk->pk) != 0) {
		errf(err, errlen, "global signature does not match the trusted "
		    "comment (the comment was altered)");
		goto out;
	}
	rv = 0;
out:
	free(gm);
	return rv;
}
