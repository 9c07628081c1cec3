/* What a bundle's files say, beyond their names and hashes: the
 * certificates and their issuers, the registrations of each CA and the
 * files their scripts send. Shared by bundle (before signing) and import
 * (after the signature and MANIFEST checks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bundle/bundle.h"
#include "ca/caref.h"
#include "ca/pki.h"
#include "ca/regions.h"
#include "ca/template.h"
#include "core/fingerprint.h"
#include "core/util.h"

static const struct tar_member *
find(const struct tar_member *m, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(m[i].name, name) == 0)
			return &m[i];
	return NULL;
}

/* prefix + file, for names in the bundle. */
static const struct tar_member *
find_in(const struct tar_member *m, size_t n, const char *prefix,
    const char *file)
{
	char name[TAR_PATH_MAX + 1];

	snprintf(name, sizeof(name), "%s%s", prefix, file);
	return find(m, n, name);
}

/* The length of "intermediate/NAME/" at the start of name, or 0. */
static size_t
prefix_len(const char *name)
{
	const char *s;

	if (strncmp(name, CAREF_DIR "/", sizeof(CAREF_DIR)) != 0 ||
	    (s = strchr(name + sizeof(CAREF_DIR), '/')) == NULL)
		return 0;
	return (size_t)(s + 1 - name);
}

static int
ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0 &&
	    (a == b || s[a - b - 1] == '/');
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

static X509 *
cert_of(const struct tar_member *e)
{
	X509 *x = pki_cert_parse(e->data, e->len);

	if (x == NULL)
		warnf("%s: not a certificate", e->name);
	return x;
}

/* chain.pem holds exactly the issuing CA, then the root. */
static int
chain_check(const struct tar_member *e, X509 *ca, X509 *root)
{
	BIO *b = BIO_new_mem_buf(e->data, (int)e->len);
	X509 *x[3] = {NULL, NULL, NULL};
	int i, rv = -1;

	for (i = 0; b != NULL && i < 3; i++)
		x[i] = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (x[0] != NULL && x[1] != NULL && x[2] == NULL &&
	    X509_cmp(x[0], ca) == 0 && X509_cmp(x[1], root) == 0)
		rv = 0;
	else
		warnf("%s: not the issuing CA's certificate, then the root's",
		    e->name);
	for (i = 0; i < 3; i++)
		X509_free(x[i]);
	BIO_free(b);
	return rv;
}

/* A CA's certificate and the verification certificates under it. */
static int
certs_check(const struct tar_member *m, size_t n, const char *prefix,
    X509 *root, X509 **out)
{
	const struct tar_member *e, *ch;
	char err[512];
	size_t i, pl = strlen(prefix);
	X509 *ca, *v;

	if ((e = find_in(m, n, prefix, CA_CERT)) == NULL) {
		warnf("%s%s: missing from the bundle", prefix, CA_CERT);
		return -1;
	}
	if ((ca = cert_of(e)) == NULL)
		return -1;
	if (pki_lint(ca, root, PROFILE_CA, err, sizeof(err)) == -1) {
		warnf("%s: %s", e->name, err);
		goto fail;
	}
	if (root != NULL) {
		if ((ch = find_in(m, n, prefix, CA_CHAIN)) == NULL) {
			warnf("%s%s: missing from the bundle", prefix,
			    CA_CHAIN);
			goto fail;
		}
		if (chain_check(ch, ca, root) == -1)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if (!ends_with(m[i].name, VER_CERT) ||
		    strncmp(m[i].name, prefix, pl) != 0 ||
		    prefix_len(m[i].name) != pl)
			continue;
		if ((v = cert_of(&m[i])) == NULL)
			goto fail;
		if (pki_lint(v, ca, PROFILE_VERIFICATION, err,
			sizeof(err)) == -1) {
			warnf("%s: %s", m[i].name, err);
			X509_free(v);
			goto fail;
		}
		X509_free(v);
	}
	*out = ca;
	return 0;
fail:
	X509_free(ca);
	return -1;
}

/* Every file register.sh names (file://NAME, from its CA's folder) is in
 * the bundle, or the script would fail on the online machine. */
static int
refs_check(const struct tar_member *m, size_t n, const struct tar_member *e)
{
	const char *p = (const char *)e->data, *end = p + e->len;
	char ref[TAR_PATH_MAX + 1], full[TAR_PATH_MAX + 100];
	size_t k, pl = prefix_len(e->name);

	while ((p = memmem(p, (size_t)(end - p), "file://", 7)) != NULL) {
		p += 7;
		for (k = 0; p + k < end && k <= TAR_PATH_MAX && p[k] != 0 &&
		     (p[k] == '/' || strchr(BUNDLE_NAMECHARS, p[k]) != NULL);
		     k++)
			;
		if (k == 0 || k > TAR_PATH_MAX) {
			warnf("%s: a file:// reference that is not a file "
			      "name a bundle carries", e->name);
			return -1;
		}
		memcpy(ref, p, k);
		ref[k] = 0;
		snprintf(full, sizeof(full), "%.*s%s", (int)pl, e->name, ref);
		if (!tar_path_ok(ref) || find(m, n, full) == NULL) {
			warnf("%s names file://%s, but %s is missing from the "
			      "bundle; %s would fail", e->name, ref, full,
			    REGISTER_FILE);
			return -1;
		}
		p += k;
	}
	return 0;
}

/* The CA's registrations: regions.txt, and the files each one needs. */
static int
regs_check(const struct tar_member *m, size_t n, struct bundle_ca *c)
{
	const struct tar_member *e;
	char err[256], dir[REGION_DIR_MAX], rel[REGION_DIR_MAX + 32];
	static const char *files[] = {TEMPLATE_FILE, REGISTER_FILE, VER_CERT};
	size_t i, k;

	c->multi = find_in(m, n, c->prefix, REGISTER_ALL) != NULL;
	c->registered = c->multi ||
	    find_in(m, n, c->prefix, REGISTER_FILE) != NULL;
	if (c->multi && find_in(m, n, c->prefix, REGISTER_FILE) != NULL) {
		warnf("%s%s and %s%s: one CA, two layouts; run 'ceremony "
		      "template --force' again", c->prefix, REGISTER_FILE,
		    c->prefix, REGISTER_ALL);
		return -1;
	}
	if ((e = find_in(m, n, c->prefix, REGIONS_FILE)) == NULL) {
		if (c->multi) {
			warnf("%s%s: missing from the bundle (%s needs it)",
			    c->prefix, REGIONS_FILE, REGISTER_ALL);
			return -1;
		}
		return 0;
	}
	if (regions_parse((const char *)e->data, e->len, c->regs,
		REGIONS_MAX, &c->nregs, err, sizeof(err)) == -1) {
		warnf("%s: %s", e->name, err);
		return -1;
	}
	if (!c->multi && c->nregs != 1) {
		warnf("%s: %zu registrations but one %s; run 'ceremony "
		      "template' again", e->name, c->nregs, REGISTER_FILE);
		return -1;
	}
	for (i = 0; c->multi && i < c->nregs; i++) {
		if (region_dir(&c->regs[i], dir, sizeof(dir)) == -1)
			return -1;
		for (k = 0; k < 3 - (size_t)c->regs[i].sni; k++) {
			snprintf(rel, sizeof(rel), "%s/%s", dir, files[k]);
			if (find_in(m, n, c->prefix, rel) == NULL) {
				warnf("%s%s: missing from the bundle (%s "
				      "lists %s)", c->prefix, rel, e->name,
				    c->regs[i].region);
				return -1;
			}
		}
	}
	return 0;
}

void
bundle_cas_free(struct bundle_cas *c)
{
	if (c != NULL)
		free(c->v);
	free(c);
}

int
bundle_content_check(const struct tar_member *m, size_t n,
    struct bundle_cas **out, char fp[96], char cn[129])
{
	struct bundle_cas *cas;
	struct bundle_ca *c;
	unsigned char sha[32];
	X509 *root = NULL, *ca = NULL;
	size_t i, pl, registered = 0;
	int rv = -1;

	*out = NULL;
	if ((cas = calloc(1, sizeof(*cas))) == NULL ||
	    (cas->v = calloc(n + 1, sizeof(*cas->v))) == NULL)
		goto out;
	if (certs_check(m, n, "", NULL, &root) == -1)
		goto out;
	pki_cert_sha256(root, sha);
	fingerprint_format(sha, fp);
	if (cn != NULL)
		ca_name(root, cn);
	cas->n = 1; /* the root, then each intermediate */
	for (i = 0; i < n; i++) {
		pl = prefix_len(m[i].name);
		if (pl == 0 || strcmp(m[i].name + pl, CA_CERT) != 0)
			continue;
		c = &cas->v[cas->n++];
		snprintf(c->prefix, sizeof(c->prefix), "%.*s", (int)pl,
		    m[i].name);
		snprintf(c->name, sizeof(c->name), "%.*s",
		    (int)(pl - sizeof(CAREF_DIR) - 1),
		    m[i].name + sizeof(CAREF_DIR));
		if (certs_check(m, n, c->prefix, root, &ca) == -1)
			goto out;
		X509_free(ca);
		ca = NULL;
	}
	for (i = 0; i < n; i++) {
		char p[96];

		/* no intermediate's file without the intermediate */
		pl = prefix_len(m[i].name);
		snprintf(p, sizeof(p), "%.*s", (int)pl, m[i].name);
		if (pl > 0 && find_in(m, n, p, CA_CERT) == NULL) {
			warnf("%s: its CA's %s%s is missing from the bundle",
			    m[i].name, p, CA_CERT);
			goto out;
		}
		if (ends_with(m[i].name, REGISTER_FILE) &&
		    refs_check(m, n, &m[i]) == -1)
			goto out;
	}
	for (i = 0; i < cas->n; i++) {
		if (regs_check(m, n, &cas->v[i]) == -1)
			goto out;
		registered += cas->v[i].registered;
	}
	if (registered == 0) {
		warnf("%s is missing: no CA in the bundle has a register "
		      "script; run 'ceremony template' first", REGISTER_FILE);
		goto out;
	}
	*out = cas;
	cas = NULL;
	rv = 0;
out:
	bundle_cas_free(cas);
	X509_free(root);
	X509_free(ca);
	return rv;
}
