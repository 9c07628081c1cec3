/* Gathering ceremony status: each CA's certificate, key location, CRL and
 * ledger counts, the backup and its last drill, the transcript head. Only
 * public files are read. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "backup/backup.h"
#include "ca/cakey.h"
#include "ca/pki.h"
#include "core/fingerprint.h"
#include "core/transcript.h"
#include "core/util.h"
#include "run/status.h"
#include "sign/ledger.h"

#define STATUS_LEDGER_MAX (1u << 30)
#define STATUS_TRANSCRIPT_MAX (64u << 20)

static void
status_warn(struct status *st, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(st->warnings, json_string(buf));
}

static void
time_iso(const ASN1_TIME *t, char out[21])
{
	struct tm tm;

	if (t != NULL && ASN1_TIME_to_tm(t, &tm))
		utc_iso(timegm(&tm), out);
	else
		snprintf(out, 21, "?");
}

/* Days from now to t: started days count (a 20-day certificate made a
 * moment ago has 20 left), negative once past. */
static long
days_until(const ASN1_TIME *t)
{
	int days = 0, secs = 0;
	long long total;

	if (t == NULL || !ASN1_TIME_diff(&days, &secs, NULL, t))
		return -1;
	total = (long long)days * 86400 + secs;
	return total >= 0 ? (long)((total + 86399) / 86400) :
	    -(long)((-total + 86399) / 86400);
}

/* Where the CA's key is, without touching it. */
static void
ca_key(struct status *st, struct status_ca *c)
{
	int f = file_exists(c->ref.key), u = file_exists(c->ref.uri);

	c->key = f && u ? "both" : f ? "file" : u ? "token" : "absent";
	if (u && cakey_uri_read_at(c->ref.uri, c->uri, sizeof(c->uri)) == -1)
		snprintf(c->uri, sizeof(c->uri), "(%s unreadable)", c->ref.uri);
	if (f && u)
		status_warn(st, "%s: both %s and %s are present; every command "
		    "refuses that: keep one", c->label, c->ref.key, c->ref.uri);
}

/* <CA dir>/crl.pem: its dates, number and whether the CA signed it. */
static void
ca_crl(struct status *st, struct status_ca *c, X509 *cert)
{
	char path[CAREF_PATH_MAX + 16];
	ASN1_INTEGER *num = NULL;
	X509_CRL *crl = NULL;
	EVP_PKEY *pub;
	BIGNUM *bn = NULL;
	char *dec = NULL;
	BIO *b = NULL;

	if (caref_path(&c->ref, "crl.pem", path, sizeof(path)) == -1 ||
	    !file_exists(path))
		return;
	c->crl = -1;
	if ((b = BIO_new_file(path, "r")) == NULL ||
	    (crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) == NULL) {
		status_warn(st, "%s: %s is not a PEM CRL", c->label, path);
		goto out;
	}
	c->crl = 1;
	time_iso(X509_CRL_get0_lastUpdate(crl), c->crl_this);
	time_iso(X509_CRL_get0_nextUpdate(crl), c->crl_next);
	c->crl_entries = X509_CRL_get_REVOKED(crl) == NULL ? 0 :
	    sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));
	if ((num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL,
	         NULL)) != NULL &&
	    (bn = ASN1_INTEGER_to_BN(num, NULL)) != NULL &&
	    (dec = BN_bn2dec(bn)) != NULL)
		snprintf(c->crl_number, sizeof(c->crl_number), "%s", dec);
	pub = X509_get0_pubkey(cert);
	c->crl_signed = pub != NULL && X509_CRL_verify(crl, pub) == 1;
	if (!c->crl_signed)
		status_warn(st, "%s: %s is not signed by %s", c->label, path,
		    c->ref.cert);
	if (X509_CRL_get0_nextUpdate(crl) == NULL)
		status_warn(st, "%s: %s has no nextUpdate", c->label, path);
	else if (X509_cmp_time(X509_CRL_get0_nextUpdate(crl), &st->now) < 0)
		status_warn(st, "%s: %s is out of date (nextUpdate %s): run "
		    "'ceremony crl%s%s' and publish it", c->label, path,
		    c->crl_next, c->ref.name[0] ? " --ca " : "", c->ref.name);
out:
	OPENSSL_free(dec);
	BN_free(bn);
	ASN1_INTEGER_free(num);
	X509_CRL_free(crl);
	BIO_free(b);
	ERR_clear_error();
}

/* One CA: 0, or -1 when its certificate cannot be read. */
static int
ca_read(struct status *st, struct status_ca *c, const char *name)
{
	unsigned char sha[32];
	char err[256];
	X509 *cert;

	if (caref_open(&c->ref, name, err, sizeof(err)) == -1) {
		warnf("%s", err);
		return -1;
	}
	caref_label(&c->ref, c->label, sizeof(c->label));
	if ((cert = pki_cert_load(c->ref.cert)) == NULL)
		return -1;
	c->subject = pki_name_string(X509_get_subject_name(cert));
	pki_cert_sha256(cert, sha);
	fingerprint_format(sha, c->fp);
	time_iso(X509_get0_notBefore(cert), c->not_before);
	time_iso(X509_get0_notAfter(cert), c->not_after);
	c->days_left = days_until(X509_get0_notAfter(cert));
	if (c->days_left < 0)
		status_warn(st, "%s: expired on %s", c->label, c->not_after);
	else if (c->days_left <= STATUS_CA_WARN)
		status_warn(st, "%s: expires in %ld days (%s): make its "
		    "successor and move the devices over", c->label,
		    c->days_left, c->not_after);
	ca_key(st, c);
	ca_crl(st, c, cert);
	X509_free(cert);
	return 0;
}

static struct status_ca *
ca_find(struct status *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nca; i++)
		if (strcmp(st->ca[i].ref.name, name) == 0)
			return &st->ca[i];
	return NULL;
}

/* "CA/SERIAL" of every revoked certificate, sorted, for the counts. */
struct revoked {
	char (*key)[CAREF_NAME_MAX + 43];
	size_t n, cap;
};

static int
revoked_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
revoked_add(struct revoked *rv, const char *ca, const char *serial)
{
	void *p;

	if (rv->n == rv->cap) {
		rv->cap = rv->cap ? rv->cap * 2 : 64;
		if ((p = realloc(rv->key, rv->cap * sizeof(*rv->key))) == NULL)
			return -1;
		rv->key = p;
	}
	snprintf(rv->key[rv->n++], sizeof(*rv->key), "%s/%s", ca, serial);
	return 0;
}

/* One ledger line: a revocation (counted for its issuer; an
 * intermediate's own certificate warns), or, on the second pass, an
 * issuance. */
static int
ledger_line(struct status *st, struct revoked *rv, const char *line,
    size_t len, unsigned long lineno, int pass)
{
	struct ledger_revocation r;
	struct ledger_entry e;
	struct status_ca *c;
	char err[256], now[21], soon[21], key[CAREF_NAME_MAX + 43];
	json_t *o;
	int revocation;

	o = json_loadb(line, len, 0, NULL);
	revocation = json_object_get(o, "revoked") != NULL;
	json_decref(o);
	if (revocation && pass == 1) {
		if (ledger_parse_revocation(line, len, &r, err,
		        sizeof(err)) == -1) {
			warnf("%s: line %lu: %s", LEDGER_FILE, lineno, err);
			return -1;
		}
		if (r.intermediate[0] != 0) {
			status_warn(st, "intermediate CA '%s' was revoked on "
			    "%.10s (%s)", r.intermediate, r.time, r.reason);
			if ((c = ca_find(st, r.intermediate)) != NULL) {
				snprintf(c->ca_revoked, sizeof(c->ca_revoked),
				    "%s", r.time);
				snprintf(c->ca_reason, sizeof(c->ca_reason),
				    "%s", r.reason);
			}
		}
		if ((c = ca_find(st, r.ca)) != NULL)
			c->revoked++;
		return revoked_add(rv, r.ca, r.serial);
	}
	if (revocation || pass == 1)
		return 0;
	memset(&e, 0, sizeof(e));
	if (ledger_parse(line, len, &e, err, sizeof(err)) == -1) {
		warnf("%s: line %lu: %s", LEDGER_FILE, lineno, err);
		return -1;
	}
	utc_iso(st->now, now);
	utc_iso(st->now + STATUS_SOON * 86400L, soon);
	snprintf(key, sizeof(key), "%s/%s", e.ca, e.serial);
	if ((c = ca_find(st, e.ca)) == NULL)
		status_warn(st, "%s: line %lu names the intermediate CA '%s', "
		    "which is not here", LEDGER_FILE, lineno, e.ca);
	else {
		c->issued++;
		if (strcmp(e.not_after, now) > 0 &&
		    strcmp(e.not_after, soon) <= 0 &&
		    (rv->n == 0 || bsearch(key, rv->key, rv->n,
		        sizeof(*rv->key), revoked_cmp) == NULL))
			c->expiring++;
	}
	ledger_entry_free(&e);
	return 0;
}

/* The ledger's counts per CA: issued, revoked, and expiring within
 * STATUS_SOON days (neither expired nor revoked). Read, never locked or
 * repaired: status changes nothing. */
static int
ledger_count(struct status *st)
{
	struct revoked rv = {0};
	unsigned char *text = NULL;
	unsigned long lineno;
	char *p, *nl;
	size_t len;
	int pass, r = -1;

	if (!file_exists(LEDGER_FILE))
		return 0;
	if (file_read_state(LEDGER_FILE, &text, &len, STATUS_LEDGER_MAX) == -1)
		return -1;
	for (pass = 1; pass <= 2; pass++) {
		lineno = 0;
		for (p = (char *)text; *p; p = nl + 1) {
			lineno++;
			if ((nl = strchr(p, '\n')) == NULL) {
				if (pass == 2)
					break;
				status_warn(st, "%s: line %lu is incomplete (a "
				    "run was cut short; the next sign or "
				    "revoke drops it)", LEDGER_FILE, lineno);
				break;
			}
			if (ledger_line(st, &rv, p, (size_t)(nl - p), lineno,
			        pass) == -1)
				goto out;
		}
		if (pass == 1 && rv.n > 0)
			qsort(rv.key, rv.n, sizeof(*rv.key), revoked_cmp);
	}
	r = 0;
out:
	free(rv.key);
	free(text);
	return r;
}

/* Revocations want a current CRL listing them. */
static void
crl_check(struct status *st)
{
	const struct status_ca *c;
	size_t i;

	for (i = 0; i < st->nca; i++) {
		c = &st->ca[i];
		if (c->revoked > 0 && c->crl == 0)
			status_warn(st, "%s: %lu certificates revoked but no "
			    "CRL: run 'ceremony crl%s%s'", c->label, c->revoked,
			    c->ref.name[0] ? " --ca " : "", c->ref.name);
		else if (c->crl == 1 && (unsigned long)c->crl_entries <
		    c->revoked)
			status_warn(st, "%s: the CRL lists %ld of %lu revoked "
			    "certificates: run 'ceremony crl%s%s'", c->label,
			    c->crl_entries, c->revoked,
			    c->ref.name[0] ? " --ca " : "", c->ref.name);
	}
}

/* The transcript: its length and head, the last backup line and the
 * last restore drill (of the current vault's shares when it is here). */
static int
transcript_scan(struct status *st)
{
	unsigned char *text = NULL;
	const char *cmd;
	char *p, *nl;
	json_t *j;
	size_t len;

	if (transcript_head(TRANSCRIPT_FILE, st->head) == -1)
		return -1;
	if (!file_exists(TRANSCRIPT_FILE))
		return 0;
	if (file_read_state(TRANSCRIPT_FILE, &text, &len,
	        STATUS_TRANSCRIPT_MAX) == -1)
		return -1;
	for (p = (char *)text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = 0;
		st->entries++;
		if ((j = json_loads(p, 0, NULL)) == NULL)
			continue;
		cmd = json_string_value(json_object_get(j, "command"));
		if (cmd != NULL && strcmp(cmd, "backup") == 0 &&
		    (!st->vault || json_integer_value(json_object_get(j,
		        "slip39_id")) == st->h.slip39_id)) {
			json_decref(st->backup);
			st->backup = json_incref(j);
		} else if (cmd != NULL && strcmp(cmd, "restore") == 0 &&
		    json_is_true(json_object_get(json_object_get(j, "args"),
		        "check")) &&
		    (!st->vault || json_integer_value(json_object_get(j,
		        "slip39_id")) == st->h.slip39_id)) {
			json_decref(st->drill);
			st->drill = json_incref(j);
		}
		json_decref(j);
	}
	free(text);
	return 0;
}

/* The vault header, if the vault is here (not on the online copy). */
static int
vault_read(struct status *st)
{
	unsigned char *text = NULL;
	char err[256];
	size_t len, hdrlen;

	if (!file_exists(BACKUP_VAULT))
		return 0;
	if (file_read(BACKUP_VAULT, &text, &len, VAULT_MAX) == -1)
		return -1;
	if (vault_header_parse((char *)text, len, &st->h, &hdrlen, err,
	        sizeof(err)) == 0)
		st->vault = 1;
	else
		status_warn(st, "%s: %s", BACKUP_VAULT, err);
	free(text);
	return 0;
}

/* A vault here wants a drill every STATUS_DRILL days. */
static void
drill_check(struct status *st)
{
	const char *last = NULL;
	char since[21];

	if (!st->vault)
		return;
	utc_iso(st->now - STATUS_DRILL * 86400L, since);
	if (st->drill != NULL)
		last = json_string_value(json_object_get(st->drill, "time"));
	if (last == NULL && strcmp(st->h.created, since) < 0)
		status_warn(st, "%s: no restore drill since it was made on %s: "
		    "run 'ceremony restore --check' with the custodians",
		    BACKUP_VAULT, st->h.created);
	else if (last != NULL && strcmp(last, since) < 0)
		status_warn(st, "%s: the last restore drill was on %.10s, over "
		    "%d days ago: run 'ceremony restore --check'", BACKUP_VAULT,
		    last, STATUS_DRILL);
}

int
status_gather(struct status *st)
{
	char **names = NULL, err[256];
	size_t i, n = 0;
	int rv = -1;

	memset(st, 0, sizeof(*st));
	st->now = time(NULL);
	if ((st->warnings = json_array()) == NULL)
		return -1;
	if (caref_list(&names, &n, err, sizeof(err)) == -1) {
		warnf("%s", err);
		return -1;
	}
	if ((st->ca = calloc(n + 1, sizeof(*st->ca))) == NULL)
		goto out;
	for (i = 0; i <= n; i++, st->nca++)
		if (ca_read(st, &st->ca[i], i == 0 ? NULL : names[i - 1]) == -1)
			goto out;
	if (ledger_count(st) == -1 || vault_read(st) == -1 ||
	    transcript_scan(st) == -1)
		goto out;
	crl_check(st);
	drill_check(st);
	rv = 0;
out:
	caref_list_free(names, n);
	return rv;
}

void
status_free(struct status *st)
{
	size_t i;

	for (i = 0; i < st->nca; i++)
		free(st->ca[i].subject);
	free(st->ca);
	json_decref(st->backup);
	json_decref(st->drill);
	json_decref(st->warnings);
	memset(st, 0, sizeof(*st));
}
