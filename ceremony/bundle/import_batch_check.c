/* Checking a batch archive's contents: the signature, MANIFEST and
 * summary.txt after pass 1, each certificate and chain file in pass 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "bundle/import_batch.h"
#include "ca/pki.h"
#include "core/util.h"

const char *
ib_name(const struct ib *b, size_t i)
{
	return b->arena + b->m[i].name;
}

static int
sig_check(struct ib *b, const struct sigkey *pin)
{
	char why[256], id[17], want[MINISIG_COMMENT_MAX + 1];
	char q[4 * MINISIG_COMMENT_MAX + 1];

	if (minisig_parse((const char *)b->sig, b->siglen, &b->ms, why,
	    sizeof(why)) == -1) {
		warnf("%s: %s: %s", b->src, BATCHFILE_SIG, why);
		return -1;
	}
	if (minisig_verify(&b->ms, pin, b->manifest, b->manlen, why,
	    sizeof(why)) == -1) {
		warnf("%s: %s: %s; the batch was not signed by the pinned key, "
		      "or it was altered", b->src, BATCHFILE_SIG, why);
		return -1;
	}
	minisig_keyid(b->ms.keynum, id);
	snprintf(want, sizeof(want), MINISIG_BUNDLE_COMMENT, id);
	if (strcmp(b->ms.untrusted, want) != 0) {
		warnf("%s: %s: the untrusted comment is not '%s' as ceremony "
		      "sign writes it; the file was altered", b->src,
		    BATCHFILE_SIG, want);
		return -1;
	}
	snprintf(want, sizeof(want), BATCHFILE_TRUSTED,
	    (unsigned long long)b->mtime, b->top, b->sum.ca);
	if (strcmp(b->ms.trusted, want) != 0) {
		warnf("%s: the signed comment '%s' does not name this batch "
		      "('%s')", b->src, str_safe(b->ms.trusted, (size_t)-1, q,
		    sizeof(q)), want);
		return -1;
	}
	return 0;
}

/* name sorts before the n bytes at p */
static int
name_before(const char *name, const char *p, size_t n)
{
	size_t k = strlen(name);
	int c = memcmp(name, p, k < n ? k : n);

	return c < 0 || (c == 0 && k < n);
}

/* MANIFEST's lines, one per member but itself and its signature, in
 * order, each with that member's hash. */
static int
manifest_check(struct ib *b)
{
	const char *p = (const char *)b->manifest, *end = p + b->manlen, *nl;
	char hex[65], q[4 * TAR_STREAM_NAME_MAX + 1];
	size_t i = 0, line = 0, n;
	const char *name;

	for (; p < end; p = nl + 1) {
		line++;
		while (i < b->n && (b->m[i].kind == BF_MANIFEST ||
		    b->m[i].kind == BF_SIG))
			i++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : 0;
		if (nl == NULL || n < 67 || n > 66 + TAR_STREAM_NAME_MAX ||
		    p[64] != ' ' || p[65] != ' ' || memchr(p, 0, n) != NULL) {
			warnf("%s: MANIFEST: line %zu is not '<SHA-256 hex>  "
			      "<name>'", b->src, line);
			return -1;
		}
		name = i < b->n ? ib_name(b, i) : NULL;
		if (name == NULL || strlen(name) != n - 66 ||
		    memcmp(name, p + 66, n - 66) != 0) {
			str_safe(p + 66, n - 66, q, sizeof(q));
			if (name != NULL && name_before(name, p + 66, n - 66))
				warnf("%s: %s: in the archive but not listed in "
				      "MANIFEST", b->src, name);
			else
				warnf("%s: %s: listed in MANIFEST but missing "
				      "from the archive", b->src, q);
			return -1;
		}
		hex_encode(b->m[i].sha, 32, hex);
		if (memcmp(hex, p, 64) != 0) {
			warnf("%s: %s: SHA-256 does not match MANIFEST; the "
			      "file was altered", b->src, name);
			return -1;
		}
		i++;
	}
	while (i < b->n && (b->m[i].kind == BF_MANIFEST ||
	    b->m[i].kind == BF_SIG))
		i++;
	if (i < b->n) {
		warnf("%s: %s: in the archive but not listed in MANIFEST",
		    b->src, ib_name(b, i));
		return -1;
	}
	return 0;
}

/* Every .crt has its -chain.crt and the other way round. */
static int
pairs_check(struct ib *b)
{
	char stem[TAR_STREAM_NAME_MAX + 1], want[TAR_STREAM_NAME_MAX + 16];
	size_t i, lo, hi, mid;
	int c;

	for (i = 0; i < b->n; i++) {
		if (b->m[i].kind != BF_CRT && b->m[i].kind != BF_CHAIN)
			continue;
		batchfile_kind(ib_name(b, i), stem);
		snprintf(want, sizeof(want), "%s%s", stem, b->m[i].kind ==
		    BF_CRT ? BATCHFILE_CHAIN : BATCHFILE_CRT);
		for (lo = 0, hi = b->n, c = 1; lo < hi && c != 0;) {
			mid = (lo + hi) / 2;
			if ((c = strcmp(ib_name(b, mid), want)) < 0)
				lo = mid + 1;
			else if (c > 0)
				hi = mid;
		}
		if (c != 0) {
			warnf("%s: %s has no %s beside it", b->src,
			    ib_name(b, i), want);
			return -1;
		}
	}
	return 0;
}

int
ib_verify(struct ib *b, const struct sigkey *pin)
{
	unsigned char md[32];
	char err[256], hex[65], iso[21], *subj;

	if (batchfile_summary_parse((const char *)b->summary, b->sumlen,
	    &b->sum, err, sizeof(err)) == -1) {
		warnf("%s: %s: %s", b->src, BATCHFILE_SUMMARY, err);
		return -1;
	}
	if (sig_check(b, pin) == -1 || manifest_check(b) == -1)
		return -1;
	/* signed from here on: what it says must fit the archive */
	utc_iso((time_t)b->mtime, iso);
	if (strcmp(b->sum.batch, b->top) != 0 || strcmp(b->sum.time, iso) ||
	    b->sum.certificates != b->ncrt || b->ncrt != b->nchain) {
		warnf("%s: %s does not describe this archive (batch %s, "
		      "time %s, %lu certificates and %lu chain files)", b->src,
		    BATCHFILE_SUMMARY, b->top, iso, b->ncrt, b->nchain);
		return -1;
	}
	if (pairs_check(b) == -1)
		return -1;
	if (b->ncrt == 0)
		return 0;
	if ((b->ca = pki_cert_parse(b->ca_pem, b->ca_pemlen)) == NULL) {
		warnf("%s: the CA certificate in the chain files does not "
		      "parse", b->src);
		return -1;
	}
	pki_cert_sha256(b->ca, md);
	hex_encode(md, 32, hex);
	subj = pki_name_string(X509_get_subject_name(b->ca));
	if (strcmp(hex, b->sum.ca_sha256) != 0 || subj == NULL ||
	    strcmp(subj, b->sum.ca_subject) != 0) {
		warnf("%s: the CA in the chain files is not the one %s names",
		    b->src, BATCHFILE_SUMMARY);
		free(subj);
		return -1;
	}
	free(subj);
	return 0;
}

/* The CN of x is stem, or stem is CN.N (a CN signed twice). */
static int
cn_names(X509 *x, const char *stem)
{
	X509_NAME *nm = X509_get_subject_name(x);
	const ASN1_STRING *s;
	size_t n, i;
	int at;

	if ((at = X509_NAME_get_index_by_NID(nm, NID_commonName, -1)) < 0 ||
	    (s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, at))) ==
	    NULL)
		return 0;
	n = (size_t)ASN1_STRING_length(s);
	if (strncmp(stem, (const char *)ASN1_STRING_get0_data(s), n) != 0 ||
	    memchr(ASN1_STRING_get0_data(s), 0, n) != NULL)
		return 0;
	if (stem[n] == 0)
		return 1;
	if (stem[n] != '.' || stem[n + 1] < '2' || stem[n + 1] > '9')
		return 0;
	for (i = n + 1; stem[i] != 0; i++)
		if (stem[i] < '0' || stem[i] > '9')
			return 0;
	return 1;
}

/* A .crt: one certificate, as sign writes it, of the device profile
 * under the CA. */
static int
crt_check(struct ib *b, const char *name, const char *stem,
    const unsigned char *p, size_t n)
{
	char err[256], *pem = NULL;
	size_t len;
	X509 *x;
	int ok;

	if ((x = pki_cert_parse(p, n)) == NULL)
		return errf(b->err, sizeof(b->err), "%s: not a certificate",
		    name);
	ok = pki_cert_pem(x, &pem, &len) == 0 && len == n &&
	    memcmp(pem, p, n) == 0;
	free(pem);
	if (!ok) {
		X509_free(x);
		return errf(b->err, sizeof(b->err), "%s: not one PEM "
		    "certificate as ceremony sign writes it", name);
	}
	if (pki_lint(x, b->ca, PROFILE_DEVICE, err, sizeof(err)) == -1) {
		X509_free(x);
		return errf(b->err, sizeof(b->err), "%s: %s", name, err);
	}
	ok = cn_names(x, stem);
	X509_free(x);
	if (!ok)
		return errf(b->err, sizeof(b->err), "%s: its CN is not the "
		    "name of the file", name);
	return 0;
}

int
ib_check_member(struct ib *b, size_t i, const unsigned char *p, size_t n)
{
	static const char end[] = "-----END CERTIFICATE-----\n";
	char stem[TAR_STREAM_NAME_MAX + 1], want[TAR_STREAM_NAME_MAX + 8];
	const char *name = ib_name(b, i), *e;
	unsigned char md[32];
	size_t head, j;

	crypto_hash_sha256(md, p, n);
	if (memcmp(md, b->m[i].sha, 32) != 0)
		return errf(b->err, sizeof(b->err), "%s: changed since it "
		    "was checked", name);
	if (batchfile_kind(name, stem) == BF_CRT)
		return crt_check(b, name, stem, p, n);
	if (b->m[i].kind != BF_CHAIN)
		return 0;
	/* the device's certificate, byte for byte its .crt, then the CA */
	e = memmem(p, n, end, sizeof(end) - 1);
	head = e ? (size_t)(e - (const char *)p) + sizeof(end) - 1 : 0;
	if (e == NULL || n - head != b->ca_pemlen ||
	    memcmp(p + head, b->ca_pem, b->ca_pemlen) != 0)
		return errf(b->err, sizeof(b->err), "%s: not a device "
		    "certificate followed by the batch's CA", name);
	snprintf(want, sizeof(want), "%s%s", stem, BATCHFILE_CRT);
	crypto_hash_sha256(md, p, head);
	for (j = 0; j < b->n && strcmp(ib_name(b, j), want) != 0; j++)
		;
	if (j == b->n || memcmp(md, b->m[j].sha, 32) != 0)
		return errf(b->err, sizeof(b->err), "%s: its first "
		    "certificate is not %s", name, want);
	return 0;
}
