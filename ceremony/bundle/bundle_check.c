/* Checking a bundle in memory against a pinned key, as import does; the
 * certificate checks are shared with bundle. */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "bundle/bundle.h"
#include "ca/pki.h"
#include "ca/template.h"
#include "core/fingerprint.h"
#include "core/util.h"

#define MANIFEST_MAX 16 /* lines */

struct manifest {
	char name[MANIFEST_MAX][TAR_NAME_MAX + 1];
	char sha[MANIFEST_MAX][65]; /* lower-case hex */
	size_t n;
};

/* Strict sha256sum text: "<64 lower hex>  <name>\n", sorted, unique. */
static int
manifest_parse(const unsigned char *text, size_t len, struct manifest *m,
    char *err, size_t errlen)
{
	const char *p = (const char *)text, *end = p + len, *nl;
	size_t n, i;

	m->n = 0;
	if (memchr(text, 0, len) != NULL)
		return errf(err, errlen, "contains NUL bytes");
	for (i = 1; p < end; i++, p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return errf(err, errlen, "line %zu has no newline", i);
		n = (size_t)(nl - p);
		if (m->n == MANIFEST_MAX)
			return errf(err, errlen, "more than %d lines",
			    MANIFEST_MAX);
		if (n < 67 || n > 66 + TAR_NAME_MAX || p[64] != ' ' ||
		    p[65] != ' ')
			return errf(err, errlen,
			    "line %zu is not '<SHA-256 hex>  <name>'", i);
		memcpy(m->sha[m->n], p, 64);
		m->sha[m->n][64] = 0;
		if (!str_only(m->sha[m->n], "0123456789abcdef"))
			return errf(err, errlen, "line %zu: the hash is not 64 "
			    "lower-case hex digits", i);
		memcpy(m->name[m->n], p + 66, n - 66);
		m->name[m->n][n - 66] = 0;
		if (strlen(m->name[m->n]) != n - 66 ||
		    !str_only(m->name[m->n], BUNDLE_NAMECHARS))
			return errf(err, errlen, "line %zu: bad file name", i);
		if (m->n > 0 && strcmp(m->name[m->n - 1], m->name[m->n]) >= 0)
			return errf(err, errlen,
			    "line %zu: '%s' is out of order or repeated", i,
			    m->name[m->n]);
		m->n++;
	}
	if (m->n == 0)
		return errf(err, errlen, "is empty");
	return 0;
}

int
bundle_pub_parse(const unsigned char *text, size_t len, struct sigkey *k)
{
	char line[128];
	const char *p = (const char *)text, *nl;
	size_t n;

	if (len < 20 || strncmp(p, "untrusted comment: ", 19) != 0 ||
	    (nl = memchr(p, '\n', len)) == NULL)
		return -1;
	p = nl + 1;
	n = len - (size_t)(p - (const char *)text);
	if (n != 57 || p[56] != '\n')
		return -1;
	memcpy(line, p, 56);
	line[56] = 0;
	return sigkey_parse_public(line, k);
}

int
bundle_sig_check(const struct tar_list *l, const struct sigkey *pin,
    struct minisig *s, char *err, size_t errlen)
{
	const struct tar_entry *man, *sig;
	char why[256], id[17], want[128];

	man = tar_list_find(l, BUNDLE_MANIFEST);
	sig = tar_list_find(l, BUNDLE_SIG);
	if (man == NULL || sig == NULL)
		return errf(err, errlen,
		    "the bundle has no %s; not a ceremony bundle",
		    man == NULL ? BUNDLE_MANIFEST : BUNDLE_SIG);
	if (minisig_parse((const char *)sig->data, sig->len, s, why,
		sizeof(why)) == -1)
		return errf(err, errlen, "%s: %s", BUNDLE_SIG, why);
	if (minisig_verify(s, pin, man->data, man->len, why, sizeof(why)))
		return errf(err, errlen, "%s: %s; the bundle was not signed by "
		    "the pinned key, or it was altered", BUNDLE_SIG, why);
	minisig_keyid(s->keynum, id);
	snprintf(want, sizeof(want), MINISIG_BUNDLE_COMMENT, id);
	if (strcmp(s->untrusted, want) != 0)
		return errf(err, errlen, "%s: the untrusted comment is not "
		    "'%s' as ceremony bundle writes it; the file was altered",
		    BUNDLE_SIG, want);
	return 0;
}

static void
ca_name(X509 *ca, char out[129])
{
	X509_NAME *name = X509_get_subject_name(ca);
	X509_NAME_ENTRY *e;
	unsigned char *u = NULL;
	int i, n;

	strcpy(out, "unnamed");
	i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (i < 0 || (e = X509_NAME_get_entry(name, i)) == NULL ||
	    (n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e))) <= 0)
		return;
	if (n > 128)
		n = 128;
	for (i = 0; i < n; i++)
		out[i] = u[i] < 0x20 || u[i] == 0x7f ? '?' : (char)u[i];
	out[n] = 0;
	OPENSSL_free(u);
}

int
bundle_certs_check(const unsigned char *ca, size_t calen,
    const unsigned char *ver, size_t verlen, char fp[96], char cn[129])
{
	unsigned char sha[32];
	char err[512];
	X509 *c = NULL, *v = NULL;
	int rv = -1;

	if ((c = pki_cert_parse(ca, calen)) == NULL) {
		warnf("%s: not a certificate", CA_CERT);
		goto out;
	}
	if (pki_lint(c, NULL, PROFILE_CA, err, sizeof(err)) == -1) {
		warnf("%s: %s", CA_CERT, err);
		goto out;
	}
	pki_cert_sha256(c, sha);
	fingerprint_format(sha, fp);
	if (cn != NULL)
		ca_name(c, cn);
	if (ver != NULL) {
		if ((v = pki_cert_parse(ver, verlen)) == NULL) {
			warnf("%s: not a certificate", VER_CERT);
			goto out;
		}
		if (pki_lint(v, c, PROFILE_VERIFICATION, err,
			sizeof(err)) == -1) {
			warnf("%s: %s", VER_CERT, err);
			goto out;
		}
	}
	rv = 0;
out:
	X509_free(c);
	X509_free(v);
	return rv;
}

/* Every file listed with its hash, every file listed, known and with
 * its mode, every required file there. */
static int
files_check(const struct tar_list *l, const struct manifest *m)
{
	const struct bundle_file *f;
	const struct tar_entry *e;
	int seen[BUNDLE_NFILES] = {0};
	char hex[65];
	size_t i, j;

	for (i = 0; i < m->n; i++) {
		if ((e = tar_list_find(l, m->name[i])) == NULL) {
			warnf("%s: listed in MANIFEST but missing from the "
			      "bundle",
			    m->name[i]);
			return -1;
		}
		sha256_hex(e->data, e->len, hex);
		if (strcmp(hex, m->sha[i]) != 0) {
			warnf("%s: SHA-256 does not match MANIFEST; the file "
			      "was altered",
			    m->name[i]);
			return -1;
		}
	}
	for (i = 0; i < l->n; i++) {
		e = &l->e[i];
		for (j = 0; j < m->n && strcmp(m->name[j], e->name) != 0; j++)
			;
		if (j == m->n && strcmp(e->name, BUNDLE_MANIFEST) != 0 &&
		    strcmp(e->name, BUNDLE_SIG) != 0) {
			warnf("%s: in the bundle but not listed in MANIFEST",
			    e->name);
			return -1;
		}
		if ((f = bundle_file_find(e->name)) == NULL) {
			warnf("%s: not a file a ceremony bundle carries",
			    e->name);
			return -1;
		}
		if (e->mode != f->mode) {
			warnf("%s: mode %04o in the archive, expected %04o",
			    e->name, e->mode, f->mode);
			return -1;
		}
		seen[f - bundle_files] = 1;
	}
	for (i = 0; i < BUNDLE_NFILES; i++) {
		if (bundle_files[i].required && !seen[i]) {
			warnf("%s: missing from the bundle",
			    bundle_files[i].name);
			return -1;
		}
	}
	return 0;
}

/* Every file register.sh names (file://NAME) is in the bundle, or the
 * script would fail on the online machine after a clean import. */
static int
register_check(const struct tar_list *l)
{
	const struct tar_entry *e = tar_list_find(l, REGISTER_FILE);
	const char *p = (const char *)e->data, *end = p + e->len;
	char name[TAR_NAME_MAX + 1];
	size_t n;

	while ((p = memmem(p, (size_t)(end - p), "file://", 7)) != NULL) {
		p += 7;
		for (n = 0; p + n < end && n <= TAR_NAME_MAX && p[n] != 0 &&
		     strchr(BUNDLE_NAMECHARS, p[n]) != NULL; n++)
			;
		if (n == 0 || n > TAR_NAME_MAX) {
			warnf("%s: a file:// reference that is not a file "
			      "name a bundle carries",
			    REGISTER_FILE);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = 0;
		if (tar_list_find(l, name) == NULL) {
			warnf("%s names file://%s, but %s is missing from the "
			      "bundle; register.sh would fail",
			    REGISTER_FILE, name, name);
			return -1;
		}
		p += n;
	}
	return 0;
}

int
bundle_verify(const struct tar_list *l, const struct sigkey *pin,
    struct minisig *s, char fp[96])
{
	const struct tar_entry *man, *pe, *ca, *ver;
	struct manifest m;
	struct sigkey pub;
	char err[512], q[4 * 512 + 1];

	if (bundle_sig_check(l, pin, s, err, sizeof(err)) == -1) {
		warnf("%s", str_safe(err, (size_t)-1, q, sizeof(q)));
		return -1;
	}
	man = tar_list_find(l, BUNDLE_MANIFEST);
	if (manifest_parse(man->data, man->len, &m, err, sizeof(err)) == -1) {
		warnf("MANIFEST: %s", str_safe(err, (size_t)-1, q, sizeof(q)));
		return -1;
	}
	if (files_check(l, &m) == -1 || register_check(l) == -1)
		return -1;
	pe = tar_list_find(l, SIGN_PUB);
	if (bundle_pub_parse(pe->data, pe->len, &pub) == -1) {
		warnf("%s: not a minisign public key file", SIGN_PUB);
		return -1;
	}
	if (memcmp(pub.keynum, pin->keynum, 8) != 0 ||
	    memcmp(pub.pk, pin->pk, 32) != 0) {
		warnf("%s in the bundle is not the pinned key that signed it",
		    SIGN_PUB);
		return -1;
	}
	ca = tar_list_find(l, CA_CERT);
	ver = tar_list_find(l, VER_CERT);
	return bundle_certs_check(ca->data, ca->len, ver ? ver->data : NULL,
	    ver ? ver->len : 0, fp, NULL);
}
