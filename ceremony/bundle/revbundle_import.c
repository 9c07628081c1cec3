/* A revocation bundle's layout, its checks as a whole, and import. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bundle/revbundle.h"
#include "ca/crl.h"
#include "ca/pki.h"
#include "core/util.h"

const struct bundle_file revb_files[REVB_NFILES] = {
    {CA_CERT, 0644, 1, 0},
    {SIGN_PUB, 0644, 1, 0},
    {REVB_CRL, 0644, 1, 0},
    {REVB_SCRIPT, 0755, 1, 0},
    {REVB_LIST, 0644, 1, 0},
    {BUNDLE_README, 0644, 1, 1},
    {BUNDLE_MANIFEST, 0644, 1, 1},
    {BUNDLE_SIG, 0644, 1, 1},
};

static int
member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tar_member *)a)->name,
	    ((const struct tar_member *)b)->name);
}

char *
revb_manifest(const struct tar_member *m, size_t n)
{
	struct tar_member s[REVB_NFILES];
	char *out, hex[65];
	size_t i, k = 0, off = 0, cap = REVB_NFILES * (64 + 3 + TAR_NAME_MAX);

	for (i = 0; i < n && k < REVB_NFILES; i++)
		if (strcmp(m[i].name, BUNDLE_MANIFEST) != 0 &&
		    strcmp(m[i].name, BUNDLE_SIG) != 0)
			s[k++] = m[i];
	qsort(s, k, sizeof(s[0]), member_cmp);
	if ((out = malloc(cap)) == NULL)
		return NULL;
	out[0] = 0;
	for (i = 0; i < k; i++) {
		sha256_hex(s[i].data, s[i].len, hex);
		off += (size_t)snprintf(out + off, cap - off, "%s  %s\n", hex,
		    s[i].name);
	}
	return out;
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct cross {
	X509_CRL *crl;
	char **ids; /* the script's ids, sorted */
	size_t n;
};

/* A listed certificate is in the CRL and in revoke.sh. */
static int
cross_one(const char *serial, const char *id, void *arg)
{
	struct cross *c = arg;
	X509_REVOKED *r = NULL;
	ASN1_INTEGER *sn;
	BIGNUM *bn = NULL;
	int found;

	if (BN_hex2bn(&bn, serial) == 0 ||
	    (sn = BN_to_ASN1_INTEGER(bn, NULL)) == NULL) {
		BN_free(bn);
		return -1;
	}
	found = X509_CRL_get0_by_serial(c->crl, &r, sn) == 1;
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	return found && bsearch(&id, c->ids, c->n, sizeof(*c->ids),
	    id_cmp) != NULL ? 0 : -1;
}

static void
time_text(const ASN1_TIME *t, char *out, size_t outlen)
{
	BIO *m = BIO_new(BIO_s_mem());
	char *p;
	long n;

	snprintf(out, outlen, "?");
	if (m != NULL && t != NULL && ASN1_TIME_print(m, t) == 1 &&
	    (n = BIO_get_mem_data(m, &p)) > 0)
		snprintf(out, outlen, "%.*s", (int)n, p);
	BIO_free(m);
}

static const struct tar_entry *
entry(const struct tar_list *l, const char *name)
{
	return tar_list_find(l, name);
}

/* The member set and modes, MANIFEST, the signature, the pinned key. */
static int
verify_frame(const struct tar_list *l, const struct sigkey *pin)
{
	struct tar_member m[REVB_NFILES];
	const struct tar_entry *e;
	struct minisig s;
	struct sigkey pub;
	char err[512], q[2048], *man;
	size_t i;
	int ok;

	if (l->n != REVB_NFILES) {
		warnf("a revocation bundle holds %d files, this one %zu",
		    REVB_NFILES, l->n);
		return -1;
	}
	for (i = 0; i < REVB_NFILES; i++) {
		if ((e = entry(l, revb_files[i].name)) == NULL ||
		    e->mode != revb_files[i].mode) {
			warnf("%s is missing or not mode %o",
			    revb_files[i].name, revb_files[i].mode);
			return -1;
		}
		m[i].name = e->name;
		m[i].data = e->data;
		m[i].len = e->len;
		m[i].mode = e->mode;
	}
	if (bundle_sig_check(l, pin, &s, err, sizeof(err)) == -1) {
		warnf("%s", str_safe(err, (size_t)-1, q, sizeof(q)));
		return -1;
	}
	e = entry(l, BUNDLE_MANIFEST);
	man = revb_manifest(m, REVB_NFILES);
	ok = man != NULL && strlen(man) == e->len &&
	    memcmp(man, e->data, e->len) == 0;
	free(man);
	if (!ok) {
		warnf("MANIFEST does not match the files: a file was altered");
		return -1;
	}
	e = entry(l, SIGN_PUB);
	if (bundle_pub_parse(e->data, e->len, &pub) == -1 ||
	    memcmp(pub.keynum, pin->keynum, 8) != 0 ||
	    memcmp(pub.pk, pin->pk, 32) != 0) {
		warnf("%s is not the pinned key", SIGN_PUB);
		return -1;
	}
	return 0;
}

int
revb_verify(const struct tar_list *l, const struct sigkey *pin,
    struct revb_info *info)
{
	const struct tar_entry *ca = entry(l, CA_CERT), *crle, *sc, *ls;
	struct cross c = {NULL, NULL, 0};
	X509 *cert = NULL;
	BIO *b = NULL;
	char err[512], q[2048];
	unsigned char fp[32];
	size_t i;
	int rv = -1;

	memset(info, 0, sizeof(*info));
	if (verify_frame(l, pin) == -1)
		return -1;
	crle = entry(l, REVB_CRL);
	sc = entry(l, REVB_SCRIPT);
	ls = entry(l, REVB_LIST);
	if ((cert = pki_cert_parse(ca->data, ca->len)) == NULL) {
		warnf("%s: not a certificate", CA_CERT);
		goto out;
	}
	b = BIO_new_mem_buf(crle->data, (int)crle->len);
	if (b == NULL || (c.crl = PEM_read_bio_X509_CRL(b, NULL, NULL,
	    NULL)) == NULL) {
		warnf("%s: not a PEM CRL", REVB_CRL);
		goto out;
	}
	if (crl_lint(c.crl, cert, err, sizeof(err)) == -1) {
		warnf("%s: %s", REVB_CRL, err);
		goto out;
	}
	if (revb_script_check((const char *)sc->data, sc->len, &info->script,
	    err, sizeof(err)) == -1) {
		warnf("%s: %s", REVB_SCRIPT, str_safe(err, (size_t)-1, q,
		    sizeof(q)));
		goto out;
	}
	if ((c.ids = calloc(info->script.n, sizeof(*c.ids))) == NULL)
		goto out;
	/* the id is the fifth word of every command (checked) */
	for (i = 0; i < info->script.n; i++) {
		const char *w = info->script.cmd[i];
		int k;

		for (k = 0; k < 4; k++)
			w = strchr(w, ' ') + 1;
		if ((c.ids[c.n++] = strndup(w, 64)) == NULL)
			goto out;
	}
	qsort(c.ids, c.n, sizeof(*c.ids), id_cmp);
	if (revb_list_check((const char *)ls->data, ls->len, &info->certs,
	    cross_one, &c, err, sizeof(err)) == -1) {
		warnf("%s: %s", REVB_LIST, str_safe(err, (size_t)-1, q,
		    sizeof(q)));
		goto out;
	}
	info->crl_number = crl_number(c.crl);
	time_text(X509_CRL_get0_nextUpdate(c.crl), info->next_update,
	    sizeof(info->next_update));
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert),
	    NID_commonName, info->ca_cn, sizeof(info->ca_cn)) <= 0)
		strcpy(info->ca_cn, "unnamed");
	pki_cert_sha256(cert, fp);
	for (i = 0; i < 32; i++)
		snprintf(info->ca_fp + 3 * i, 4, "%02X%s", fp[i], i < 31 ? ":" :
		    "");
	rv = 0;
out:
	if (rv != 0)
		revb_script_free(&info->script);
	for (i = 0; i < c.n; i++)
		free(c.ids[i]);
	free(c.ids);
	X509_CRL_free(c.crl);
	BIO_free(b);
	X509_free(cert);
	return rv;
}

int
revb_import(const struct tar_list *l, const struct sigkey *pin,
    const char *out, const char *shahex)
{
	struct revb_info info;
	const struct tar_entry *e;
	char *tmp = NULL, q[1024];
	size_t i;
	int rv = EXIT_CHECK;

	if (revb_verify(l, pin, &info) == -1)
		return EXIT_CHECK;
	if (out == NULL)
		out = l->top;
	rv = EXIT_USAGE;
	if (file_exists(out)) {
		warnf("%s exists; choose another --out or remove it", out);
		goto out;
	}
	if (bundle_dir_temp(out, &tmp) == -1)
		goto out;
	for (e = l->e; e < l->e + l->n; e++)
		if (bundle_dir_write(tmp, e->name, e->data, e->len, e->mode))
			goto fail;
	if (bundle_dir_seal(tmp) == -1)
		goto fail;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE) == -1) {
		warnf("%s: cannot rename %s into place: %s", out, tmp,
		    strerror(errno));
		goto fail;
	}
	dir_sync(out);
	printf("Revocation bundle %s verified and unpacked into %s/\n",
	    l->top, out);
	printf("  archive SHA-256  %s\n", shahex);
	printf("  files            %zu, all match MANIFEST\n", l->n);
	printf("  CRL              number %ld, next update %s, signed by "
	       "\"%s\"\n", info.crl_number, info.next_update,
	    str_safe(info.ca_cn, (size_t)-1, q, sizeof(q)));
	printf("  CA SHA-256       %s\n", info.ca_fp);
	printf("  revoked          %zu certificate%s (%s)\n", info.certs,
	    info.certs == 1 ? "" : "s", REVB_LIST);
	printf("\n%s will run %zu aws command%s (%zu update-certificate "
	       "REVOKED, %zu update-ca-certificate INACTIVE, %zu "
	       "list-certificates-by-ca):\n", REVB_SCRIPT, info.script.n,
	    info.script.n == 1 ? "" : "s", info.script.revoke,
	    info.script.deactivate, info.script.list);
	for (i = 0; i < info.script.n; i++)
		printf("  %s\n", info.script.cmd[i]);
	printf("\nNext, with AWS credentials for the account(s):\n  cd %s && "
	       "sh %s\nthen publish %s where relying parties fetch the CRL.\n",
	    out, REVB_SCRIPT, REVB_CRL);
	rv = 0;
	goto out;
fail:
	dir_remove(tmp);
out:
	free(tmp);
	revb_script_free(&info.script);
	return rv;
}
