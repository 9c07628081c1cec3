/* RFC 7512 PKCS#11 URIs: a strict parser and a canonical writer. */
#include <stdio.h>
#include <string.h>

#include "ca/p11uri.h"
#include "core/util.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes v[0..n) into out (room bytes, NUL-terminated); the
 * decoded length in *len. -1 on a bad escape, a NUL (unless binary),
 * or no room. */
static int
pct_decode(const char *v, size_t n, unsigned char *out, size_t room,
    size_t *len, int binary)
{
	size_t i, o = 0;
	int h, l;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)v[i];

		if (c == '%') {
			if (i + 2 >= n || (h = hexval(v[i + 1])) < 0 ||
			    (l = hexval(v[i + 2])) < 0)
				return -1;
			c = h << 4 | l;
			i += 2;
		}
		if ((c == 0 && !binary) || o + 1 >= room)
			return -1;
		out[o++] = (unsigned char)c;
	}
	out[o] = 0;
	*len = o;
	return 0;
}

static int
set_text(char *dst, size_t room, const char *v, size_t n, const char *name,
    char *err, size_t errlen)
{
	size_t len;

	if (dst[0] != 0)
		return errf(err, errlen, "attribute '%s' given twice", name);
	if (pct_decode(v, n, (unsigned char *)dst, room, &len, 0) == -1 ||
	    len == 0)
		return errf(err, errlen, "attribute '%s': empty, too long "
		    "(at most %zu bytes), or a bad %%-escape", name, room - 1);
	return 0;
}

static int
path_attr(struct p11uri *u, const char *a, size_t n, char *err,
    size_t errlen)
{
	const char *eq = memchr(a, '=', n), *v;
	unsigned char tmp[256];
	size_t k, vn, len;

	if (eq == NULL)
		return errf(err, errlen, "'%.*s' is not name=value", (int)n, a);
	k = (size_t)(eq - a);
	v = eq + 1;
	vn = n - k - 1;
#define IS(s) (k == strlen(s) && memcmp(a, s, k) == 0)
	if (IS("token"))
		return set_text(u->token, sizeof(u->token), v, vn, "token",
		    err, errlen);
	if (IS("object"))
		return set_text(u->object, sizeof(u->object), v, vn, "object",
		    err, errlen);
	if (IS("serial"))
		return set_text(u->serial, sizeof(u->serial), v, vn, "serial",
		    err, errlen);
	if (IS("manufacturer"))
		return set_text(u->manufacturer, sizeof(u->manufacturer), v,
		    vn, "manufacturer", err, errlen);
	if (IS("model"))
		return set_text(u->model, sizeof(u->model), v, vn, "model",
		    err, errlen);
	if (IS("id")) {
		if (u->idlen != 0)
			return errf(err, errlen, "attribute 'id' given twice");
		if (pct_decode(v, vn, tmp, sizeof(tmp), &len, 1) == -1 ||
		    len == 0 || len > sizeof(u->id))
			return errf(err, errlen, "attribute 'id': empty, "
			    "longer than %zu bytes, or a bad %%-escape",
			    sizeof(u->id));
		memcpy(u->id, tmp, len);
		u->idlen = len;
		return 0;
	}
	if (IS("type")) {
		if (vn != 7 || memcmp(v, "private", 7) != 0)
			return errf(err, errlen, "type=%.*s: the CA key is a "
			    "private key (type=private)", (int)(vn > 32 ? 32 :
			    vn), v);
		return 0;
	}
	if ((k > 8 && memcmp(a, "library-", 8) == 0) ||
	    (k > 5 && memcmp(a, "slot-", 5) == 0))
		return 0;
#undef IS
	return errf(err, errlen, "unknown path attribute '%.*s'", (int)(k > 32 ?
	    32 : k), a);
}

static int
query_attr(struct p11uri *u, const char *a, size_t n, char *err,
    size_t errlen)
{
	const char *eq = memchr(a, '=', n);
	size_t k = eq ? (size_t)(eq - a) : n, len;

#define IS(s) (k == strlen(s) && memcmp(a, s, k) == 0)
	if (IS("pin-value") || IS("pin-source"))
		return errf(err, errlen, "the URI holds a PIN (%.*s); a PIN "
		    "never goes in a URI, a config or the transcript: use "
		    "--pin-file F, --pin-fd N or the prompt", (int)k, a);
	if (eq == NULL)
		return errf(err, errlen, "'%.*s' is not name=value",
		    (int)(n > 32 ? 32 : n), a);
	if (IS("module-path")) {
		if (u->module[0] != 0)
			return errf(err, errlen, "module-path given twice");
		if (pct_decode(eq + 1, n - k - 1, (unsigned char *)u->module,
			sizeof(u->module), &len, 0) == -1 || len == 0)
			return errf(err, errlen, "module-path: empty, too "
			    "long or a bad %%-escape");
		return 0;
	}
	if (IS("module-name"))
		return 0;
#undef IS
	return errf(err, errlen, "unknown query attribute '%.*s'",
	    (int)(k > 32 ? 32 : k), a);
}

int
p11uri_parse(const char *s, struct p11uri *u, char *err, size_t errlen)
{
	const char *p, *end, *q;
	size_t n = strnlen(s, P11URI_MAX + 1);

	memset(u, 0, sizeof(*u));
	if (n > P11URI_MAX)
		return errf(err, errlen, "URI longer than %d bytes",
		    P11URI_MAX);
	if (n < 7 || strncmp(s, "pkcs11:", 7) != 0)
		return errf(err, errlen, "not a PKCS#11 URI (it starts with "
		    "'pkcs11:')");
	end = s + n;
	if ((q = memchr(s, '?', n)) == NULL)
		q = end;
	for (p = s + 7; p < q;) {
		const char *e = memchr(p, ';', (size_t)(q - p));

		if (e == NULL)
			e = q;
		if (e > p && path_attr(u, p, (size_t)(e - p), err, errlen))
			return -1;
		p = e + 1;
	}
	for (p = q + 1; q < end && p < end;) {
		const char *e = memchr(p, '&', (size_t)(end - p));

		if (e == NULL)
			e = end;
		if (e > p && query_attr(u, p, (size_t)(e - p), err, errlen))
			return -1;
		p = e + 1;
	}
	if (u->token[0] == 0 || u->object[0] == 0)
		return errf(err, errlen, "the URI must name the token and the "
		    "key: pkcs11:token=LABEL;object=LABEL");
	return 0;
}

/* Appends v percent-encoded (RFC 7512 pchar minus ';', '?', '&', '='). */
static int
put_pct(char **o, char *end, const unsigned char *v, size_t n, int all)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		int c = v[i];
		int plain = !all && ((c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~:[]@!$'()*+,/", c) != NULL) && c != 0;

		if (end - *o < (plain ? 2 : 4))
			return -1;
		if (plain)
			*(*o)++ = (char)c;
		else {
			*(*o)++ = '%';
			*(*o)++ = hx[c >> 4];
			*(*o)++ = hx[c & 15];
		}
	}
	**o = 0;
	return 0;
}

static int
put_str(char **o, char *end, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(end - *o) <= n)
		return -1;
	memcpy(*o, s, n + 1);
	*o += n;
	return 0;
}

int
p11uri_format(const struct p11uri *u, char *out, size_t outlen)
{
	char *o = out, *end = out + outlen;

	if (outlen == 0)
		return -1;
	*o = 0;
	if (put_str(&o, end, "pkcs11:token=") ||
	    put_pct(&o, end, (const unsigned char *)u->token,
		strlen(u->token), 0) ||
	    put_str(&o, end, ";object=") ||
	    put_pct(&o, end, (const unsigned char *)u->object,
		strlen(u->object), 0))
		return -1;
	if (u->serial[0] != 0 && (put_str(&o, end, ";serial=") ||
	    put_pct(&o, end, (const unsigned char *)u->serial,
		strlen(u->serial), 0)))
		return -1;
	if (u->idlen > 0 && (put_str(&o, end, ";id=") ||
	    put_pct(&o, end, u->id, u->idlen, 1)))
		return -1;
	if (u->module[0] != 0 && (put_str(&o, end, "?module-path=") ||
	    put_pct(&o, end, (const unsigned char *)u->module,
		strlen(u->module), 0)))
		return -1;
	return 0;
}
