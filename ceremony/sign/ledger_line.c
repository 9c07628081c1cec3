/* ledger.jsonl issuance lines: the JSON format, written without jansson
 * (fast, in the order of the fields) and read strictly with it. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "sign/ledger_int.h"
#include "core/util.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs,
 * surrogates or code points past U+10FFFF), or 0. */
static size_t
utf8_seq(const unsigned char *s)
{
	size_t n, i;
	unsigned c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

/* Appends "key":"value" (JSON string escapes, as jansson writes them);
 * -1 if value is not valid UTF-8 or out of room. */
int
ledger_put_str(char *out, size_t cap, size_t *at, const char *key, const char *v)
{
	static const char hex[] = "0123456789ABCDEF", from[] = "\"\\\b\f\n\r\t",
			  to[] = "\"\\bfnrt";
	const unsigned char *s = (const unsigned char *)v;
	const char *q;
	size_t o = *at, n;

	if (cap - o < strlen(key) + 8)
		return -1;
	o += (size_t)sprintf(out + o, "%s\"%s\":\"", o > 1 ? "," : "", key);
	for (; *s != 0; s += n) {
		if (cap - o < 8)
			return -1;
		if ((n = utf8_seq(s)) == 0)
			return -1;
		if (n > 1) {
			memcpy(out + o, s, n);
			o += n;
			continue;
		}
		if ((q = strchr(from, *s)) != NULL) {
			out[o++] = '\\';
			out[o++] = to[q - from];
		} else if (*s < 0x20) {
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[*s >> 4];
			out[o + 5] = hex[*s & 15];
			o += 6;
		} else
			out[o++] = (char)*s;
	}
	out[o++] = '"';
	*at = o;
	return 0;
}

/* The fields of a line, in the order they are written. */
/* F_OPT: a string written only when not empty, and optional on reading;
 * F_ID: certificate_id, written always, optional on reading (older
 * lines), and when present equal to cert_sha256. */
enum field_type { F_STR, F_OPT, F_HASH, F_ID, F_CERT };
#define FIELD(name, type)                                                  \
	{#name, type, offsetof(struct ledger_entry, name),                 \
	    sizeof(((struct ledger_entry *)0)->name)}
static const struct field {
	const char *name;
	enum field_type type;
	size_t off, size;
} fields[] = {
	FIELD(serial, F_STR), FIELD(cn, F_STR), FIELD(subject, F_STR),
	FIELD(not_before, F_STR), FIELD(not_after, F_STR), FIELD(batch, F_STR),
	FIELD(file, F_STR), FIELD(ca, F_OPT), FIELD(key_sha256, F_HASH),
	FIELD(csr_sha256, F_HASH), FIELD(cert_sha256, F_HASH),
	{"certificate_id", F_ID, offsetof(struct ledger_entry, cert_sha256),
	    32},
	FIELD(cert, F_CERT),
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

char *
ledger_format(const struct ledger_entry *e, size_t *len)
{
	const struct field *f;
	char hex[65], *b64 = NULL, *line = NULL;
	const char *v;
	size_t cap = 512, at = 1, i;

	/* escapes take at most 6 bytes per input byte */
	for (i = 0; i < NFIELDS; i++)
		if (fields[i].type == F_STR || fields[i].type == F_OPT)
			cap += 6 * strlen((const char *)e + fields[i].off);
	cap += 4 * ((e->certlen + 2) / 3);
	if ((b64 = malloc(4 * ((e->certlen + 2) / 3) + 1)) == NULL ||
	    (line = malloc(cap)) == NULL)
		goto fail;
	EVP_EncodeBlock((unsigned char *)b64, e->cert, (int)e->certlen);
	line[0] = '{';
	for (i = 0; i < NFIELDS; i++) {
		f = &fields[i];
		v = f->type == F_CERT ? b64 : hex;
		if (f->type == F_STR || f->type == F_OPT)
			v = (const char *)e + f->off;
		else if (f->type == F_HASH || f->type == F_ID)
			hex_encode((const unsigned char *)e + f->off, 32, hex);
		if (f->type == F_OPT && *v == 0)
			continue;
		if (ledger_put_str(line, cap, &at, f->name, v) == -1)
			goto fail;
	}
	if (cap - at < 3)
		goto fail;
	line[at++] = '}';
	line[at++] = '\n';
	line[at] = 0;
	*len = at;
	free(b64);
	return line;
fail:
	free(b64);
	free(line);
	return NULL;
}

int
ledger_get_str(json_t *o, const char *key, char *out, size_t outlen)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) >= outlen)
		return -1;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int
get_hash(json_t *o, const char *key, unsigned char out[32])
{
	char hex[65];

	return ledger_get_str(o, key, hex, sizeof(hex)) == -1 ||
		hex_decode(hex, out, 32) == -1 ? -1 : 0;
}

/* The DER certificate, which must match cert_sha256 (read before it). */
static int
get_cert(json_t *o, struct ledger_entry *e, char *err, size_t errlen)
{
	json_t *c = json_object_get(o, "cert");
	unsigned char digest[32];
	const char *s;
	int n, got, pad;

	n = json_is_string(c) ? (int)json_string_length(c) : 0;
	s = json_string_value(c);
	if (n == 0 || n % 4 != 0 || (e->cert = malloc((size_t)n)) == NULL ||
	    (got = EVP_DecodeBlock(e->cert, (const unsigned char *)s, n)) < 0)
		return errf(err, errlen, "field 'cert' is not base64");
	pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	e->certlen = (size_t)(got - pad);
	crypto_hash_sha256(digest, e->cert, e->certlen);
	if (memcmp(digest, e->cert_sha256, 32) != 0)
		return errf(err, errlen, "cert does not match cert_sha256");
	return 0;
}

static int
get_field(json_t *o, const struct field *f, struct ledger_entry *e,
    char *err, size_t errlen)
{
	unsigned char id[32];

	switch (f->type) {
	case F_STR:
		if (ledger_get_str(o, f->name, (char *)e + f->off, f->size) == -1)
			return errf(err, errlen, "field '%s' missing or "
			    "malformed", f->name);
		return 0;
	case F_OPT:
		if (json_object_get(o, f->name) != NULL &&
		    ledger_get_str(o, f->name, (char *)e + f->off, f->size) ==
		    -1)
			return errf(err, errlen, "field '%s' malformed",
			    f->name);
		return 0;
	case F_HASH:
		if (get_hash(o, f->name, (unsigned char *)e + f->off) == -1)
			return errf(err, errlen, "a *_sha256 field is missing "
			    "or not 64 hex characters");
		return 0;
	case F_ID:
		if (json_object_get(o, f->name) == NULL)
			return 0;
		if (get_hash(o, f->name, id) == -1 ||
		    memcmp(id, (unsigned char *)e + f->off, 32) != 0)
			return errf(err, errlen, "certificate_id is not "
			    "cert_sha256");
		return 0;
	case F_CERT:
		return get_cert(o, e, err, errlen);
	}
	return -1;
}

int
ledger_entry_json(json_t *o, struct ledger_entry *e, char *err, size_t errlen)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	if (!json_is_object(o))
		return errf(err, errlen, "not a JSON object");
	for (i = 0; i < NFIELDS; i++)
		if (get_field(o, &fields[i], e, err, errlen) == -1) {
			ledger_entry_free(e);
			return -1;
		}
	return 0;
}

int
ledger_parse(const char *line, size_t len, struct ledger_entry *e, char *err,
    size_t errlen)
{
	json_t *o;
	int rv;

	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	rv = ledger_entry_json(o, e, err, errlen);
	json_decref(o);
	return rv;
}

void
ledger_certificate_id(const struct ledger_entry *e, char out[65])
{
	hex_encode(e->cert_sha256, 32, out);
}

void
ledger_entry_free(struct ledger_entry *e)
{
	free(e->cert);
	e->cert = NULL;
	e->certlen = 0;
}

