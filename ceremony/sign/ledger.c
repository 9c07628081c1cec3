/* ledger.jsonl: the record of every issued device certificate. Each line
 * holds the certificate itself, so a certificate lost in a crash is
 * written again from here and never signed twice. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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

int
ledger_index(struct ledger *l, const struct ledger_entry *e, uint64_t off)
{
	unsigned char k[16];

	index_key(e->cn, k);
	if (index_put(&l->csr, e->csr_sha256, off, NULL, 0) == -1 ||
	    index_put(&l->key, e->key_sha256, off, NULL, 0) == -1 ||
	    index_put(&l->cn, k, off, NULL, 0) == -1)
		return -1;
	index_key(e->serial, k);
	if (index_put(&l->serial, k, off, NULL, 0) == -1)
		return -1;
	l->count++;
	return 0;
}

/* Calls fn for every complete line of the file (parsed; o is NULL when
 * it is not JSON). Returns the length of the complete lines; -1 after a
 * message, or what a non-zero fn returned, in *rc. */
typedef int (*walk_fn)(struct ledger *l, json_t *o, uint64_t off,
    unsigned long lineno, void *arg);
static off_t
ledger_walk(struct ledger *l, walk_fn fn, void *arg, int *rc)
{
	json_t *o;
	char *buf, *nl;
	size_t have = 0, start;
	off_t base = 0;
	unsigned long lineno = 0;
	ssize_t r;

	*rc = -1;
	if ((buf = malloc(LEDGER_LINE_MAX)) == NULL)
		return -1;
	for (;;) {
		r = pread(l->fd, buf + have, LEDGER_LINE_MAX - have,
		    base + (off_t)have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnf("%s: read error: %s", l->path, strerror(errno));
			goto fail;
		}
		have += (size_t)r;
		start = 0;
		while ((nl = memchr(buf + start, '\n', have - start)) != NULL) {
			lineno++;
			o = json_loadb(buf + start, (size_t)(nl - buf) - start,
			    JSON_REJECT_DUPLICATES, NULL);
			*rc = fn(l, o, (uint64_t)base + start, lineno, arg);
			json_decref(o);
			if (*rc != 0)
				goto fail;
			start = (size_t)(nl - buf) + 1;
		}
		base += (off_t)start;
		memmove(buf, buf + start, have - start);
		have -= start;
		if (r == 0)
			break;
		if (have == LEDGER_LINE_MAX) {
			warnf("%s: line %lu is longer than %u bytes; the "
			      "ledger is damaged", l->path, lineno + 1,
			    LEDGER_LINE_MAX);
			*rc = -1;
			goto fail;
		}
	}
	free(buf);
	*rc = 0;
	return base;
fail:
	free(buf);
	return -1;
}

static int
is_revocation(json_t *o)
{
	return json_object_get(o, "revoked") != NULL;
}

/* Opening: checks and indexes one line. */
static int
scan_line(struct ledger *l, json_t *o, uint64_t off, unsigned long lineno,
    void *arg)
{
	struct ledger_scan *s = arg;
	struct ledger_revocation r;
	struct ledger_entry e;
	char err[160];

	if (is_revocation(o)) {
		if (ledger_revocation_json(o, &r, err, sizeof(err)) == -1 ||
		    ledger_scan_revocation(l, s, &r, off, err,
		    sizeof(err)) == -1)
			goto damaged;
		return 0;
	}
	if (ledger_entry_json(o, &e, err, sizeof(err)) == -1)
		goto damaged;
	ledger_entry_free(&e);
	if (s->next != 0) {
		snprintf(err, sizeof(err), "an issuance line inside "
		    "revocation %s", s->g.id);
		goto damaged;
	}
	return ledger_index(l, &e, off);
damaged:
	warnf("%s: line %lu: %s; the ledger is damaged: restore it from a "
	      "backup before signing", l->path, lineno, err);
	return -1;
}

/* Reads the file line by line, indexing each; returns the length of the
 * complete lines and revocation groups, or -1. */
static off_t
ledger_scan(struct ledger *l)
{
	struct ledger_scan s;
	off_t good;
	int rc;

	memset(&s, 0, sizeof(s));
	good = ledger_walk(l, scan_line, &s, &rc);
	if (good != -1 && s.next != 0) {
		warnf("%s: dropping revocation %s (%lu of %lu lines) left by an "
		      "interrupted 'ceremony revoke'; nothing else of it was "
		      "written", l->path, s.g.id, s.next - 1, s.g.count);
		good = (off_t)s.g.off;
	}
	index_free(&s.pend);
	return good;
}

struct each {
	ledger_each_fn fn;
	ledger_each_revocation_fn rfn;
	void *arg;
};

static int
each_line(struct ledger *l, json_t *o, uint64_t off, unsigned long lineno,
    void *arg)
{
	struct each *w = arg;
	struct ledger_revocation r;
	struct ledger_entry e;
	char err[160];
	int rv, got;

	if (is_revocation(o)) {
		if (w->rfn == NULL)
			return 0;
		if (ledger_revocation_json(o, &r, err, sizeof(err)) == -1)
			goto bad;
		return w->rfn(&r, off, w->arg);
	}
	if (w->fn == NULL)
		return 0;
	if (ledger_entry_json(o, &e, err, sizeof(err)) == -1)
		goto bad;
	if ((got = ledger_revoked(l, e.serial, &r)) == -1) {
		ledger_entry_free(&e);
		return -1;
	}
	rv = w->fn(&e, got ? &r : NULL, off, w->arg);
	ledger_entry_free(&e);
	return rv;
bad:
	warnf("%s: line %lu: %s", l->path, lineno, err);
	return -1;
}

int
ledger_each(struct ledger *l, ledger_each_fn fn, void *arg)
{
	struct each w = {fn, NULL, arg};
	int rc;

	if (l->fd == -1)
		return 0;
	ledger_walk(l, each_line, &w, &rc);
	return rc;
}

int
ledger_each_revocation(struct ledger *l, ledger_each_revocation_fn fn,
    void *arg)
{
	struct each w = {NULL, fn, arg};
	int rc;

	if (l->fd == -1)
		return 0;
	ledger_walk(l, each_line, &w, &rc);
	return rc;
}

int
ledger_open(struct ledger *l, const char *path)
{
	struct stat st;
	off_t good;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if ((l->path = strdup(path)) == NULL)
		return -1;
	l->fd = file_open_state(path, O_RDWR | O_APPEND, 0);
	if (l->fd == -1 && errno == ENOENT)
		return 0; /* created by the first append */
	if (l->fd == -1)
		goto fail;
	if (flock(l->fd, LOCK_EX | LOCK_NB) == -1) {
		warnf("%s: locked: another 'ceremony sign' or 'revoke' is running "
		      "in this directory; wait for it to finish", path);
		goto fail;
	}
	if (fstat(l->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		warnf("%s: not a regular file", path);
		goto fail;
	}
	if ((good = ledger_scan(l)) == -1)
		goto fail;
	if (good != st.st_size) {
		/* a write cut short: its certificates were never put in
		 * place, so the line is dropped and they are signed again */
		warnf("%s: dropping an incomplete last line (%lld bytes) left "
		      "by an interrupted run", path,
		    (long long)(st.st_size - good));
		if (ftruncate(l->fd, good) == -1 || fsync(l->fd) == -1) {
			warnf("%s: cannot truncate: %s", path, strerror(errno));
			goto fail;
		}
	}
	l->size = good;
	return 0;
fail:
	ledger_close(l);
	return -1;
}

void
ledger_close(struct ledger *l)
{
	if (l->fd != -1)
		close(l->fd);
	free(l->path);
	index_free(&l->csr);
	index_free(&l->key);
	index_free(&l->cn);
	index_free(&l->serial);
	index_free(&l->revoked);
	free(l->groups);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
}

/* Reads the line at off: an issuance line into e, or (e NULL) a
 * revocation line into rev. */
static int
read_at(struct ledger *l, uint64_t off, struct ledger_entry *e,
    struct ledger_revocation *rev)
{
	json_t *o = NULL;
	char *buf, *nl = NULL, err[160];
	size_t want = 8192;
	ssize_t r = 0;
	int rv = -1;

	if ((buf = malloc(LEDGER_LINE_MAX)) == NULL)
		return -1;
	/* most lines are a few KiB: read more only when needed */
	for (;;) {
		do
			r = pread(l->fd, buf, want, (off_t)off);
		while (r == -1 && errno == EINTR);
		if (r <= 0)
			break;
		nl = memchr(buf, '\n', (size_t)r);
		if (nl != NULL || (size_t)r < want || want == LEDGER_LINE_MAX)
			break;
		want = want * 8 > LEDGER_LINE_MAX ? LEDGER_LINE_MAX : want * 8;
	}
	if (nl == NULL) {
		warnf("%s: cannot read the line at offset %llu", l->path,
		    (unsigned long long)off);
		goto out;
	}
	o = json_loadb(buf, (size_t)(nl - buf), JSON_REJECT_DUPLICATES, NULL);
	if ((e != NULL ? ledger_entry_json(o, e, err, sizeof(err)) :
	    ledger_revocation_json(o, rev, err, sizeof(err))) == -1) {
		warnf("%s: offset %llu: %s", l->path, (unsigned long long)off,
		    err);
		goto out;
	}
	rv = 0;
out:
	json_decref(o);
	free(buf);
	return rv;
}

int
ledger_read(struct ledger *l, uint64_t off, struct ledger_entry *e)
{
	return read_at(l, off, e, NULL);
}

int
ledger_read_revocation(struct ledger *l, uint64_t off,
    struct ledger_revocation *r)
{
	return read_at(l, off, NULL, r);
}

int
ledger_append(struct ledger *l, const char *buf, size_t len, off_t *at)
{
	size_t done = 0;
	ssize_t r;

	*at = l->size;
	if (l->fd == -1) {
		l->fd = file_open_state(l->path, O_RDWR | O_CREAT | O_EXCL |
		    O_APPEND, 0644);
		if (l->fd == -1)
			return -1;
		if (flock(l->fd, LOCK_EX | LOCK_NB) == -1) {
			warnf("%s: cannot create: %s", l->path,
			    strerror(errno));
			return -1;
		}
		if (dir_sync(l->path) == -1) {
			warnf("%s: cannot sync its directory", l->path);
			return -1;
		}
	}
	while (done < len) {
		r = write(l->fd, buf + done, len - done);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			warnf("%s: write error: %s", l->path, strerror(errno));
			return -1;
		}
		done += (size_t)r;
	}
	if (fdatasync(l->fd) == -1) {
		warnf("%s: fsync failed: %s", l->path, strerror(errno));
		return -1;
	}
	l->size += (off_t)len;
	return 0;
}
