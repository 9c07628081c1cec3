/* Ed25519 bundle-signing key in minisign's public and secret key formats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ca/sigkey.h"
#include "core/util.h"
#include "media/bytes.h"

#define SK_LEN 158 /* alg, kdf, chk, salt, ops, mem, keynum, sk, checksum */
#define SK_KEYNUM_OFF 54
#define SK_ENC_LEN 104 /* keynum + sk + checksum */
#define OPSLIMIT 2097152ULL
#define MEMLIMIT 67108864ULL
#define B64_VARIANT sodium_base64_VARIANT_ORIGINAL

int
sigkey_generate(struct sigkey *k)
{
	memset(k, 0, sizeof(*k));
	if ((k->sk = sodium_malloc(64)) == NULL) {
		warnf("out of secure memory");
		return -1;
	}
	randombytes_buf(k->keynum, sizeof(k->keynum));
	return crypto_sign_keypair(k->pk, k->sk) == 0 ? 0 : -1;
}

void
sigkey_free(struct sigkey *k)
{
	if (k->sk != NULL)
		sodium_free(k->sk);
	k->sk = NULL;
}

void
sigkey_public_b64(const struct sigkey *k, char out[57])
{
	unsigned char raw[42];

	memcpy(raw, "Ed", 2);
	memcpy(raw + 2, k->keynum, 8);
	memcpy(raw + 10, k->pk, 32);
	sodium_bin2base64(out, 57, raw, sizeof(raw), B64_VARIANT);
}

int
sigkey_parse_public(const char *b64, struct sigkey *k)
{
	unsigned char raw[42];
	size_t n;

	memset(k, 0, sizeof(*k));
	if (strlen(b64) != 56 || !str_only(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/=") ||
	    sodium_base642bin(raw, sizeof(raw), b64, 56, NULL, &n, NULL,
		B64_VARIANT) != 0 ||
	    n != sizeof(raw) || memcmp(raw, "Ed", 2) != 0)
		return -1;
	memcpy(k->keynum, raw + 2, 8);
	memcpy(k->pk, raw + 10, 32);
	return 0;
}

int
sigkey_save_public(const char *path, const struct sigkey *k, int force)
{
	char b64[57], text[160];
	int n;

	sigkey_public_b64(k, b64);
	n = snprintf(text, sizeof(text),
	    "untrusted comment: minisign public key %016llX\n%s\n",
	    (unsigned long long)get64le(k->keynum), b64);
	return file_write(path, text, (size_t)n, 0644, force);
}

int
sigkey_load_public(const char *path, struct sigkey *k)
{
	unsigned char *text;
	char *line, *nl;
	size_t len;
	int rv = -1;

	if (file_read(path, &text, &len, 4096) == -1)
		return -1;
	line = (char *)text;
	if (strncmp(line, "untrusted comment:", 18) == 0 &&
	    (nl = strchr(line, '\n')) != NULL)
		line = nl + 1;
	line = str_trim(line);
	if (sigkey_parse_public(line, k) == 0)
		rv = 0;
	else
		warnf("%s: not a minisign public key", path);
	free(text);
	return rv;
}

/* XORs the keynum/sk/checksum block with the scrypt stream. */
static int
sk_crypt(unsigned char *raw, const char *pass)
{
	unsigned char *stream;
	int i, rv;

	if ((stream = sodium_malloc(SK_ENC_LEN)) == NULL)
		return -1;
	rv = crypto_pwhash_scryptsalsa208sha256(stream, SK_ENC_LEN, pass,
	    strlen(pass), raw + 6, get64le(raw + 38),
	    (size_t)get64le(raw + 46));
	for (i = 0; rv == 0 && i < SK_ENC_LEN; i++)
		raw[SK_KEYNUM_OFF + i] ^= stream[i];
	sodium_free(stream);
	return rv == 0 ? 0 : -1;
}

static void
sk_checksum(const unsigned char *raw, unsigned char out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, raw, 2);
	crypto_generichash_update(&st, raw + SK_KEYNUM_OFF, 8 + 64);
	crypto_generichash_final(&st, out, 32);
}

int
sigkey_encode_secret(const struct sigkey *k, const char *pass, char **out,
    size_t *len)
{
	const char *comment = pass ? "untrusted comment: minisign encrypted "
				     "secret key\n" :
				     "untrusted comment: minisign secret key\n";
	size_t b64len = sodium_base64_ENCODED_LEN(SK_LEN, B64_VARIANT);
	unsigned char *raw;
	char *text = NULL;
	int rv = -1;

	if ((raw = sodium_malloc(SK_LEN)) == NULL)
		return -1;
	memcpy(raw, "Ed", 2);
	memcpy(raw + 2, pass ? "Sc" : "\0\0", 2);
	memcpy(raw + 4, "B2", 2);
	randombytes_buf(raw + 6, 32);
	put64le(raw + 38, pass ? OPSLIMIT : 0);
	put64le(raw + 46, pass ? MEMLIMIT : 0);
	memcpy(raw + SK_KEYNUM_OFF, k->keynum, 8);
	memcpy(raw + SK_KEYNUM_OFF + 8, k->sk, 64);
	sk_checksum(raw, raw + SK_KEYNUM_OFF + 72);
	if (pass != NULL && sk_crypt(raw, pass) == -1)
		goto out;
	*len = strlen(comment) + b64len; /* b64len counts the NUL: newline */
	if ((text = sodium_malloc(*len + 1)) == NULL)
		goto out;
	strcpy(text, comment);
	sodium_bin2base64(text + strlen(comment), b64len, raw, SK_LEN,
	    B64_VARIANT);
	strcat(text, "\n");
	*out = text;
	rv = 0;
out:
	sodium_free(raw);
	return rv;
}

int
sigkey_save_secret(const char *path, const struct sigkey *k, const char *pass,
    int force)
{
	char *text;
	size_t len;
	int rv;

	if (sigkey_encode_secret(k, pass, &text, &len) == -1) {
		warnf("%s: cannot encode the signing key", path);
		return -1;
	}
	rv = file_write_secret(path, text, len, force);
	sodium_free(text);
	return rv;
}

int
sigkey_decode_secret(const char *text, size_t len, const char *pass,
    struct sigkey *k)
{
	unsigned char *raw = NULL, chk[32];
	const char *b64 = text, *nl;
	size_t n, blen;
	int rv = -1;

	memset(k, 0, sizeof(*k));
	if ((nl = memchr(text, '\n', len)) != NULL &&
	    strncmp(text, "untrusted comment:", 18) == 0)
		b64 = nl + 1;
	blen = len - (size_t)(b64 - text);
	while (blen > 0 && (b64[blen - 1] == '\n' || b64[blen - 1] == '\r'))
		blen--;
	if ((raw = sodium_malloc(SK_LEN)) == NULL ||
	    (k->sk = sodium_malloc(64)) == NULL)
		goto out;
	if (sodium_base642bin(raw, SK_LEN, b64, blen, NULL, &n, NULL,
		B64_VARIANT) != 0 ||
	    n != SK_LEN || memcmp(raw, "Ed", 2) != 0 ||
	    memcmp(raw + 4, "B2", 2) != 0) {
		rv = RC_USAGE;
		goto out;
	}
	if (memcmp(raw + 2, "Sc", 2) == 0) {
		if (pass == NULL) {
			rv = RC_SHORT;
			goto out;
		}
		if (get64le(raw + 38) > (1ULL << 36) ||
		    get64le(raw + 46) > (1ULL << 32) || sk_crypt(raw, pass) == -1)
			goto out;
	} else if (memcmp(raw + 2, "\0\0", 2) != 0) {
		rv = RC_USAGE;
		goto out;
	}
	sk_checksum(raw, chk);
	/* minisign -W leaves the checksum of an unencrypted key all zero */
	if (memcmp(raw + 2, "\0\0", 2) == 0 &&
	    sodium_is_zero(raw + SK_KEYNUM_OFF + 72, 32))
		memcpy(chk, raw + SK_KEYNUM_OFF + 72, 32);
	if (sodium_memcmp(chk, raw + SK_KEYNUM_OFF + 72, 32) != 0) {
		rv = RC_CHECK;
		goto out;
	}
	memcpy(k->keynum, raw + SK_KEYNUM_OFF, 8);
	memcpy(k->sk, raw + SK_KEYNUM_OFF + 8, 64);
	crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	rv = 0;
out:
	if (raw != NULL)
		sodium_free(raw);
	if (rv != 0)
		sigkey_free(k);
	return rv;
}

int
sigkey_load_secret(const char *path, struct pass_src *src, struct sigkey *k)
{
	unsigned char *text;
	char *pass = NULL;
	size_t len;
	int rv;

	if (file_read(path, &text, &len, 4096) == -1)
		return -1;
	rv = sigkey_decode_secret((char *)text, len, NULL, k);
	if (rv == RC_SHORT) {
		if ((pass = pass_get(src, "signing key", 0)) == NULL)
			goto out;
		rv = sigkey_decode_secret((char *)text, len, pass, k);
	}
	if (rv == RC_USAGE)
		warnf("%s: not a minisign secret key", path);
	else if (rv == RC_CHECK)
		warnf("%s: wrong passphrase, or the key is damaged", path);
	else if (rv != 0)
		warnf("%s: cannot decode the signing key", path);
out:
	pass_free(pass);
	sodium_memzero(text, len);
	free(text);
	return rv == 0 ? 0 : -1;
}
