/* The CA's CRL from the ledger's revocation lines, and the
 * revocations/<id>/ folder: revoke.sh, revoked.txt, crl.pem. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/pem.h>

#include "sign/revoke.h"
#include "ca/crl.h"
#include "core/transcript.h"
#include "core/util.h"

/* The revocations of one CA, or of one group (id not NULL). */
struct collect {
	const char *ca, *id;
	struct ledger_revocation *v;
	size_t n;
	int oom;
};

static int
collect_one(const struct ledger_revocation *r, uint64_t off, void *arg)
{
	struct collect *c = arg;
	struct ledger_revocation *nv;

	if ((c->ca != NULL && strcmp(r->ca, c->ca) != 0) ||
	    (c->id != NULL && strcmp(r->revocation, c->id) != 0))
		return 0;
	if ((nv = realloc(c->v, (c->n + 1) * sizeof(*nv))) == NULL) {
		c->oom = 1;
		return 1;
	}
	c->v = nv;
	c->v[c->n++] = *r;
	return 0;
}

static time_t
utc_parse(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (strptime(s, UTC_ISO_FMT, &tm) == NULL)
		return (time_t)-1;
	return timegm(&tm);
}

static int
crl_match(json_t *line, void *arg)
{
	const char *cmd = json_string_value(json_object_get(line, "command"));
	json_t *ca = json_object_get(line, "crl_ca");

	return cmd != NULL && (strcmp(cmd, "crl") == 0 ||
	    strcmp(cmd, "revoke") == 0) && json_is_string(ca) &&
	    strcmp(json_string_value(ca), (const char *)arg) == 0 &&
	    json_is_integer(json_object_get(line, "crl_number"));
}

/* One past the last number in the transcript and in <CA dir>/crl.pem
 * (written before a crash cut its transcript line). */
static long
crl_next_number(const struct caref *ca)
{
	char path[CAREF_PATH_MAX + 16];
	X509_CRL *old;
	json_t *j;
	long last = 0, n;

	j = transcript_last_match(TRANSCRIPT_FILE, NULL, crl_match,
	    (void *)ca->name);
	if (j != NULL)
		last = (long)json_integer_value(json_object_get(j,
		    "crl_number"));
	json_decref(j);
	if (caref_path(ca, CRL_FILE, path, sizeof(path)) == 0 &&
	    file_exists(path) && (old = crl_load(path)) != NULL) {
		if ((n = crl_number(old)) > last)
			last = n;
		X509_CRL_free(old);
	}
	return last + 1;
}

static size_t
revoked_count(X509_CRL *crl)
{
	STACK_OF(X509_REVOKED) *sk = X509_CRL_get_REVOKED(crl);

	return sk == NULL ? 0 : (size_t)sk_X509_REVOKED_num(sk);
}

int
revoke_crl_make(struct ledger *l, const struct caref *ca, const X509 *cert,
    EVP_PKEY *key, long days, time_t now, char **pem, size_t *pemlen,
    long *number, unsigned long *count, char *err, size_t errlen)
{
	struct collect c = {ca->name, NULL, NULL, 0, 0};
	struct crl_entry *e = NULL;
	X509_CRL *crl = NULL, *back = NULL;
	const unsigned char *p;
	unsigned char *der = NULL;
	time_t next, end;
	struct tm tm;
	size_t i;
	int derlen, rv = -1;
	char why[200];
	BIO *b;

	*pem = NULL;
	if (ledger_each_revocation(l, collect_one, &c) != 0 || c.oom) {
		errf(err, errlen, "cannot read the ledger's revocations");
		goto out;
	}
	if (c.n > 0 && (e = calloc(c.n, sizeof(*e))) == NULL)
		goto out;
	for (i = 0; i < c.n; i++) {
		e[i].serial = c.v[i].serial;
		e[i].when = utc_parse(c.v[i].time);
		e[i].reason = ledger_reason_code(c.v[i].reason);
	}
	if (!ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm))
		goto out;
	end = timegm(&tm);
	next = now + days * 86400;
	if (next > end)
		next = end;
	if (next <= now) {
		errf(err, errlen, "%s has expired: no CRL can be issued",
		    ca->cert);
		goto out;
	}
	*number = crl_next_number(ca);
	if ((crl = crl_build(cert, key, e, c.n, *number, now, next, why,
	    sizeof(why))) == NULL) {
		errf(err, errlen, "%s", why);
		goto out;
	}
	if (crl_lint(crl, cert, why, sizeof(why)) == -1) {
		errf(err, errlen, "the CRL fails lint, not written: %s", why);
		goto out;
	}
	if (crl_pem(crl, pem, pemlen) == -1)
		goto out;
	/* verified again as it will be read: from its text */
	b = BIO_new_mem_buf(*pem, (int)*pemlen);
	back = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	derlen = back ? i2d_X509_CRL(back, &der) : -1;
	p = der;
	if (back == NULL || derlen <= 0 || crl_lint(back, cert, why,
	    sizeof(why)) == -1 || crl_number(back) != *number ||
	    revoked_count(back) != c.n || p == NULL) {
		errf(err, errlen, "the CRL does not read back as written");
		goto out;
	}
	*count = c.n;
	rv = 0;
out:
	if (rv != 0 && err[0] == 0)
		errf(err, errlen, "cannot make the CRL");
	if (rv != 0) {
		free(*pem);
		*pem = NULL;
	}
	OPENSSL_free(der);
	X509_CRL_free(crl);
	X509_CRL_free(back);
	free(e);
	free(c.v);
	return rv;
}

void
revoke_folder(const char *id, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", REVOKE_DIR, id);
}

static int
put(char **buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
put(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *s, *nb;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((nb = realloc(*buf, *len + (size_t)n + 1)) == NULL) {
		free(s);
		return -1;
	}
	memcpy(nb + *len, s, (size_t)n + 1);
	*buf = nb;
	*len += (size_t)n;
	free(s);
	return 0;
}

/* revoke.sh: plain aws CLI commands; set -eu stops at the first failure
 * and every command is safe to run again. */
static int
script(const struct ledger_group *g, const struct ledger_revocation *v,
    size_t n, const struct regions *reg, char **out, size_t *len)
{
	char q[300];
	size_t i, j;
	int bad = 0;

	bad |= put(out, len, "#!/bin/sh\n# ceremony revoke: revocation %s, "
	    "%zu certificate%s of the %s%s%s, reason %s, %s\n# Run on the "
	    "online machine with AWS credentials for the account(s)\n# the CA "
	    "is registered in. Each command may be run again.\nset -eu\n",
	    g->id, n, n == 1 ? "" : "s", g->ca[0] ? "intermediate CA '" :
	    "root CA", g->ca, g->ca[0] ? "'" : "", g->reason, g->time);
	for (i = 0; i < n && !bad; i++) {
		str_safe(v[i].cn, (size_t)-1, q, sizeof(q));
		if (v[i].intermediate[0]) {
			bad |= put(out, len, "\n# intermediate CA '%s' (%s, "
			    "serial %s): deactivate it\n", v[i].intermediate,
			    q, v[i].serial);
			for (j = 0; j < reg->n; j++)
				bad |= put(out, len, "aws iot "
				    "update-ca-certificate --certificate-id %s "
				    "--new-status INACTIVE --region %s\n",
				    v[i].certificate_id, reg->v[j]);
			bad |= put(out, len, "# Deactivating a CA does not "
			    "revoke the certificates it issued.\n# List them "
			    "(and revoke them with 'ceremony revoke --ca %s'):"
			    "\n", v[i].intermediate);
			for (j = 0; j < reg->n; j++)
				bad |= put(out, len, "aws iot "
				    "list-certificates-by-ca --ca-certificate-id "
				    "%s --region %s\n", v[i].certificate_id,
				    reg->v[j]);
			continue;
		}
		bad |= put(out, len, "\n# %s (serial %s)\n", q, v[i].serial);
		for (j = 0; j < reg->n; j++)
			bad |= put(out, len, "aws iot update-certificate "
			    "--certificate-id %s --new-status REVOKED --region "
			    "%s\n", v[i].certificate_id, reg->v[j]);
	}
	bad |= put(out, len, "\necho 'revocation %s: done'\n", g->id);
	return bad ? -1 : 0;
}

/* revoked.txt: one tab-separated line per certificate. */
static int
listing(const struct ledger_revocation *v, size_t n, char **out,
    size_t *len)
{
	char q[300];
	size_t i;
	int bad = 0;

	bad |= put(out, len, "# cn\tserial\tcertificate_id\treason\ttime\n");
	for (i = 0; i < n && !bad; i++) {
		str_safe(v[i].cn, (size_t)-1, q, sizeof(q));
		bad |= put(out, len, "%s\t%s\t%s\t%s\t%s\n", q, v[i].serial,
		    v[i].certificate_id, v[i].reason, v[i].time);
	}
	return bad ? -1 : 0;
}

int
revoke_folder_write(struct ledger *l, const struct ledger_group *g,
    const struct regions *reg, const char *crlpem, size_t crllen,
    char *err, size_t errlen)
{
	struct collect c = {NULL, g->id, NULL, 0, 0};
	char dir[128], tmp[160], path[200], *sh = NULL, *txt = NULL;
	size_t shlen = 0, txtlen = 0;
	int rv = -1;

	revoke_folder(g->id, dir, sizeof(dir));
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", REVOKE_DIR, g->id);
	if (ledger_each_revocation(l, collect_one, &c) != 0 || c.oom ||
	    c.n != g->count) {
		errf(err, errlen, "cannot read revocation %s from the ledger",
		    g->id);
		goto out;
	}
	if (script(g, c.v, c.n, reg, &sh, &shlen) == -1 ||
	    listing(c.v, c.n, &txt, &txtlen) == -1) {
		errf(err, errlen, "out of memory");
		goto out;
	}
	dir_remove(tmp);
	if (dir_make(tmp, 0755) == -1)
		goto io;
	snprintf(path, sizeof(path), "%s/revoke.sh", tmp);
	if (file_write(path, sh, shlen, 0755, 0) == -1)
		goto io;
	snprintf(path, sizeof(path), "%s/revoked.txt", tmp);
	if (file_write(path, txt, txtlen, 0644, 0) == -1)
		goto io;
	snprintf(path, sizeof(path), "%s/%s", tmp, CRL_FILE);
	if (file_write(path, crlpem, crllen, 0644, 0) == -1)
		goto io;
	if (rename(tmp, dir) == -1) {
		errf(err, errlen, "%s: cannot rename into place: %s", dir,
		    strerror(errno));
		goto out;
	}
	if (dir_sync(dir) == -1)
		goto io;
	rv = 0;
	goto out;
io:
	errf(err, errlen, "cannot write %s", dir);
out:
	free(sh);
	free(txt);
	free(c.v);
	return rv;
}
