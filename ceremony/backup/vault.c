/* The backup vault: text header (associated data), then the base64 of
 * XChaCha20-Poly1305 ciphertext of "NAME LEN\n" + bytes, per item. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backup/vault.h"
#include "core/util.h"

#define LINE 64 /* base64 characters per body line */
#define B64 sodium_base64_VARIANT_ORIGINAL

static const char *const keys[] = {"name", "ca-sha256", "sign-pub",
    "created", "scheme", "slip39-id", "slip39-passphrase", "cipher",
    "nonce"};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define CIPHER "xchacha20poly1305-ietf"

static int
printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
item_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

static int
hex_ok(const char *s, size_t n, unsigned char *out, size_t outlen)
{
	size_t i, bin;

	if (n != 2 * outlen)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return 0;
	return sodium_hex2bin(out, outlen, s, n, NULL, &bin, NULL) == 0 &&
	    bin == outlen;
}

static int
time_ok(const char *s, size_t n)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (n != sizeof(pat) - 1)
		return 0;
	for (i = 0; i < n; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		                    s[i] != pat[i])
			return 0;
	return 1;
}

static int
sign_pub_ok(const char *s, size_t n)
{
	unsigned char raw[42];
	size_t bin;

	return n == 56 &&
	    sodium_base642bin(raw, sizeof(raw), s, n, NULL, &bin, NULL, B64) ==
	        0 &&
	    bin == sizeof(raw) && memcmp(raw, "Ed", 2) == 0;
}

/* Checks one header value and stores it. */
static int
header_value(struct vault_header *h, size_t k, const char *v, size_t n)
{
	unsigned long id;
	char *end;

	switch (k) {
	case 0:
		if (n == 0 || n >= sizeof(h->name) || !printable(v, n))
			return -1;
		memcpy(h->name, v, n);
		h->name[n] = 0;
		return 0;
	case 1:
		return hex_ok(v, n, h->ca_sha256, 32) ? 0 : -1;
	case 2:
		if (!sign_pub_ok(v, n))
			return -1;
		memcpy(h->sign_pub, v, n);
		h->sign_pub[n] = 0;
		return 0;
	case 3:
		if (!time_ok(v, n))
			return -1;
		memcpy(h->created, v, n);
		h->created[n] = 0;
		return 0;
	case 4:
		if (n == 0 || n >= sizeof(h->scheme) || !printable(v, n))
			return -1;
		memcpy(h->scheme, v, n);
		h->scheme[n] = 0;
		return 0;
	case 5:
		if (n == 0 || n > 5 || !isdigit((unsigned char)v[0]) ||
		    (v[0] == '0' && n > 1))
			return -1;
		id = strtoul(v, &end, 10);
		if (end != v + n || id > 32767)
			return -1;
		h->slip39_id = (unsigned)id;
		return 0;
	case 6:
		if (n == 3 && memcmp(v, "yes", 3) == 0)
			h->slip39_pass = 1;
		else if (n == 2 && memcmp(v, "no", 2) == 0)
			h->slip39_pass = 0;
		else
			return -1;
		return 0;
	case 7:
		return n == strlen(CIPHER) && memcmp(v, CIPHER, n) == 0 ? 0 : -1;
	default:
		return hex_ok(v, n, h->nonce, 24) ? 0 : -1;
	}
}

int
vault_header_parse(const char *buf, size_t len, struct vault_header *h,
    size_t *hdrlen, char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t k, kl, ml = strlen(VAULT_MAGIC);

	memset(h, 0, sizeof(*h));
	if (len > VAULT_MAX)
		return errf(err, errlen, "larger than %u bytes", VAULT_MAX);
	if (len < ml + 1 || memcmp(p, VAULT_MAGIC "\n", ml + 1) != 0)
		return errf(err, errlen,
		    "not a ceremony vault (no \"%s\" line)", VAULT_MAGIC);
	p += ml + 1;
	for (k = 0; k < NKEYS; k++) {
		kl = strlen(keys[k]);
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    (size_t)(nl - p) < kl + 2 || memcmp(p, keys[k], kl) != 0 ||
		    p[kl] != ':' || p[kl + 1] != ' ')
			return errf(err, errlen, "header line %zu: expected "
			    "\"%s: \"", k + 2, keys[k]);
		if (header_value(h, k, p + kl + 2, (size_t)(nl - p) - kl - 2) ==
		    -1)
			return errf(err, errlen,
			    "header line %zu: bad %s value", k + 2, keys[k]);
		p = nl + 1;
	}
	if (p >= end || *p != '\n')
		return errf(err, errlen, "header line %zu: expected the blank "
		    "line that ends the header", NKEYS + 2);
	*hdrlen = (size_t)(p + 1 - buf);
	return 0;
}

/* The header text for h. */
static int
header_write(const struct vault_header *h, char *out, size_t outlen,
    size_t *len)
{
	char sha[65], nonce[49];
	int n;

	sodium_bin2hex(sha, sizeof(sha), h->ca_sha256, 32);
	sodium_bin2hex(nonce, sizeof(nonce), h->nonce, 24);
	n = snprintf(out, outlen,
	    VAULT_MAGIC "\nname: %s\nca-sha256: %s\nsign-pub: %s\n"
	    "created: %s\nscheme: %s\nslip39-id: %u\n"
	    "slip39-passphrase: %s\ncipher: " CIPHER "\nnonce: %s\n\n",
	    h->name, sha, h->sign_pub, h->created, h->scheme, h->slip39_id,
	    h->slip39_pass ? "yes" : "no", nonce);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	*len = (size_t)n;
	return 0;
}

int
vault_seal(struct vault_header *h, const unsigned char key[32],
    const struct vault_item *items, size_t n, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct vault_header check;
	unsigned char *pt = NULL, *ct = NULL;
	char hdr[1024], *file = NULL, *b64 = NULL;
	size_t hlen, ptlen = 0, o, i, b64len, blen, clen, chk;
	unsigned long long cl;
	int rv = -1;

	*out = NULL;
	randombytes_buf(h->nonce, sizeof(h->nonce));
	if (header_write(h, hdr, sizeof(hdr), &hlen) == -1)
		return errf(err, errlen, "header too long");
	/* what we write must read back the same */
	if (vault_header_parse(hdr, hlen, &check, &chk, err, errlen) == -1)
		return -1;
	if (chk != hlen || strcmp(check.name, h->name) != 0 ||
	    strcmp(check.scheme, h->scheme) != 0 ||
	    strcmp(check.created, h->created) != 0 ||
	    strcmp(check.sign_pub, h->sign_pub) != 0)
		return errf(err, errlen, "header values do not read back");
	if (n == 0 || n > VAULT_MAX_ITEMS)
		return errf(err, errlen, "1 to %d items", VAULT_MAX_ITEMS);
	for (i = 0; i < n; i++) {
		if (!item_name_ok(items[i].name, strlen(items[i].name)) ||
		    items[i].len > VAULT_ITEM_MAX)
			return errf(err, errlen, "item %zu: bad name or size",
			    i + 1);
		ptlen += strlen(items[i].name) + 8 + items[i].len;
	}
	if ((pt = sodium_malloc(ptlen)) == NULL)
		return errf(err, errlen, "out of secure memory");
	for (i = 0, o = 0; i < n; i++) {
		o += (size_t)snprintf((char *)pt + o, ptlen - o, "%s %zu\n",
		    items[i].name, items[i].len);
		memcpy(pt + o, items[i].data, items[i].len);
		o += items[i].len;
	}
	clen = o + crypto_aead_xchacha20poly1305_ietf_ABYTES;
	b64len = sodium_base64_ENCODED_LEN(clen, B64);
	blen = hlen + b64len + b64len / LINE + 2;
	if ((ct = malloc(clen)) == NULL || (b64 = malloc(b64len)) == NULL ||
	    (file = malloc(blen)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &cl, pt, o,
	        (const unsigned char *)hdr, hlen, NULL, h->nonce, key) != 0 ||
	    cl != clen) {
		snprintf(err, errlen, "encryption failed");
		goto out;
	}
	sodium_bin2base64(b64, b64len, ct, clen, B64);
	memcpy(file, hdr, hlen);
	o = hlen;
	for (i = 0; b64[i] != 0; i += LINE) {
		size_t l = strnlen(b64 + i, LINE);

		memcpy(file + o, b64 + i, l);
		o += l;
		file[o++] = '\n';
		if (l < LINE)
			break;
	}
	*out = file;
	*outlen = o;
	file = NULL;
	rv = 0;
out:
	sodium_free(pt);
	free(ct);
	free(b64);
	free(file);
	return rv;
}

void
vault_items_free(struct vault_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sodium_free(items[i].data);
		items[i].data = NULL;
		items[i].len = 0;
	}
}

const struct vault_item *
vault_item_find(const struct vault_item *items, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(items[i].name, name) == 0)
			return &items[i];
	return NULL;
}

/* "NAME LEN\n" + bytes, repeated, nothing after. */
static int
items_parse(const unsigned char *pt, size_t len, struct vault_item *items,
    size_t *n, char *err, size_t errlen)
{
	const char *p = (const char *)pt, *end = p + len, *sp, *nl;
	unsigned long l;
	char *e;
	size_t i;

	*n = 0;
	while (p < end) {
		if (*n == VAULT_MAX_ITEMS ||
		    (nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    (sp = memchr(p, ' ', (size_t)(nl - p))) == NULL ||
		    !item_name_ok(p, (size_t)(sp - p)) || sp + 1 == nl ||
		    !isdigit((unsigned char)sp[1]) ||
		    (sp[1] == '0' && sp + 2 != nl) || nl - sp > 6)
			goto bad;
		l = strtoul(sp + 1, &e, 10);
		if (e != nl || l > VAULT_ITEM_MAX || l > (size_t)(end - nl - 1))
			goto bad;
		memcpy(items[*n].name, p, (size_t)(sp - p));
		items[*n].name[sp - p] = 0;
		for (i = 0; i < *n; i++)
			if (strcmp(items[i].name, items[*n].name) == 0)
				goto bad;
		if ((items[*n].data = sodium_malloc(l + 1)) == NULL)
			goto bad;
		memcpy(items[*n].data, nl + 1, l);
		items[*n].data[l] = 0;
		items[*n].len = l;
		(*n)++;
		p = nl + 1 + l;
	}
	if (*n > 0)
		return 0;
bad:
	vault_items_free(items, *n);
	*n = 0;
	return errf(err, errlen, "decrypted contents are malformed");
}

int
vault_open(const char *buf, size_t len, const unsigned char key[32],
    struct vault_header *h, struct vault_item *items, size_t *n, char *err,
    size_t errlen)
{
	unsigned char *ct = NULL, *pt = NULL;
	char *b64 = NULL, *again = NULL;
	size_t hdrlen, i, o, clen, blen, max;
	unsigned long long pl;
	int rv = -1;

	*n = 0;
	if (vault_header_parse(buf, len, h, &hdrlen, err, errlen) == -1)
		return -1;
	/* body: base64 in lines of 64, exactly as vault_seal writes it */
	max = len - hdrlen;
	if ((b64 = malloc(max + 1)) == NULL || (ct = malloc(max + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = hdrlen, o = 0; i < len; i++)
		if (buf[i] != '\n')
			b64[o++] = buf[i];
	b64[o] = 0;
	if (sodium_base642bin(ct, max, b64, o, NULL, &clen, NULL, B64) != 0 ||
	    clen < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
		snprintf(err, errlen, "the body is not base64 ciphertext");
		goto out;
	}
	blen = sodium_base64_ENCODED_LEN(clen, B64);
	if ((again = malloc(blen)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	sodium_bin2base64(again, blen, ct, clen, B64);
	for (i = hdrlen, o = 0; again[o] != 0;) {
		size_t l = strnlen(again + o, LINE);

		if (len - i < l + 1 || memcmp(buf + i, again + o, l) != 0 ||
		    buf[i + l] != '\n')
			break;
		i += l + 1;
		o += l;
	}
	if (again[o] != 0 || i != len) {
		snprintf(err, errlen, "the body is not in %d-character base64 "
		    "lines", LINE);
		goto out;
	}
	if ((pt = sodium_malloc(clen)) == NULL) {
		snprintf(err, errlen, "out of secure memory");
		goto out;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &pl, NULL, ct, clen,
	        (const unsigned char *)buf, hdrlen, h->nonce, key) != 0) {
		snprintf(err, errlen, "authentication failed: wrong key, or the "
		    "vault was altered");
		rv = RC_CHECK;
		goto out;
	}
	rv = items_parse(pt, (size_t)pl, items, n, err, errlen);
out:
	sodium_free(pt);
	free(ct);
	free(b64);
	free(again);
	return rv;
}
