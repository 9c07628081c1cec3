/* Checking a bundle in memory against a pinned key, as import does; the
 * certificate checks are shared with bundle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "bundle/bundle.h"
#include "ca/pki.h"
#include "ca/template.h"
#include "core/fingerprint.h"
#include "core/util.h"

#define MANIFEST_MAX BUNDLE_MAX /* lines */

struct manifest {
	char name[MANIFEST_MAX][TAR_PATH_MAX + 1];
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
		if (n < 67 || n > 66 + TAR_PATH_MAX || p[64] != ' ' ||
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
		    !str_only(m->name[m->n], BUNDLE_NAMECHARS "/") ||
		    !tar_path_ok(m->name[m->n]))
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

int
bundle_verify(const struct tar_list *l, const struct sigkey *pin,
    struct minisig *s, struct bundle_cas **cas, char fp[96])
{
	const struct tar_entry *man, *pe;
	struct tar_member *mm = NULL;
	struct manifest *m;
	struct sigkey pub;
	char err[512], q[4 * 512 + 1];
	size_t i;
	int rv = -1;

	*cas = NULL;
	if (bundle_sig_check(l, pin, s, err, sizeof(err)) == -1) {
		warnf("%s", str_safe(err, (size_t)-1, q, sizeof(q)));
		return -1;
	}
	if ((m = malloc(sizeof(*m))) == NULL)
		return -1;
	man = tar_list_find(l, BUNDLE_MANIFEST);
	if (manifest_parse(man->data, man->len, m, err, sizeof(err)) == -1) {
		warnf("MANIFEST: %s", str_safe(err, (size_t)-1, q, sizeof(q)));
		goto out;
	}
	if (files_check(l, m) == -1)
		goto out;
	pe = tar_list_find(l, SIGN_PUB);
	if (bundle_pub_parse(pe->data, pe->len, &pub) == -1) {
		warnf("%s: not a minisign public key file", SIGN_PUB);
		goto out;
	}
	if (memcmp(pub.keynum, pin->keynum, 8) != 0 ||
	    memcmp(pub.pk, pin->pk, 32) != 0) {
		warnf("%s in the bundle is not the pinned key that signed it",
		    SIGN_PUB);
		goto out;
	}
	if ((mm = calloc(l->n + 1, sizeof(*mm))) == NULL)
		goto out;
	for (i = 0; i < l->n; i++) {
		mm[i].name = l->e[i].name;
		mm[i].data = l->e[i].data;
		mm[i].len = l->e[i].len;
		mm[i].mode = l->e[i].mode;
	}
	rv = bundle_content_check(mm, l->n, cas, fp, NULL);
out:
	free(mm);
	free(m);
	return rv;
}
