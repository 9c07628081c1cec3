/* ceremony bundle --revocations DIR: one revocations/<id>/ folder as a
 * signed bundle, checked with import's own checks before it is written. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bundle/revbundle.h"
#include "ca/caref.h"
#include "ca/crl.h"
#include "ca/pki.h"
#include "core/transcript.h"
#include "core/util.h"

#define F_TAR 1
#define F_QR 2

/* The CA whose key signed the CRL: the root or an intermediate. Its
 * certificate's path to path. 0, or -1 with a message. */
static int
crl_issuer(const unsigned char *pem, size_t len, char *path, size_t plen)
{
	struct caref ref;
	X509_CRL *crl;
	X509 *x;
	BIO *b;
	char **names = NULL, err[300];
	size_t n = 0, i;
	int found = 0;

	b = BIO_new_mem_buf(pem, (int)len);
	crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (crl == NULL)
		return -1;
	if (caref_list(&names, &n, err, sizeof(err)) == -1) {
		warnf("%s", err);
		n = 0;
	}
	for (i = 0; i <= n && !found; i++) {
		if (caref_init(&ref, i == 0 ? NULL : names[i - 1], err,
		    sizeof(err)) == -1 || !file_exists(ref.cert) ||
		    (x = pki_cert_load(ref.cert)) == NULL)
			continue;
		if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
		    X509_get_subject_name(x)) == 0 &&
		    X509_CRL_verify(crl, X509_get0_pubkey(x)) == 1) {
			snprintf(path, plen, "%s", ref.cert);
			found = 1;
		}
		X509_free(x);
	}
	caref_list_free(names, n);
	X509_CRL_free(crl);
	return found ? 0 : -1;
}

static char *
readme(const char *name, const char *id, const char *pub_b64)
{
	char *s;

	if (asprintf(&s,
	    "Revocation bundle %s\n"
	    "Revocation %s, bundled by ceremony " CEREMONY_VERSION ".\n\n"
	    "Files\n"
	    "  revoke.sh         the aws iot commands that revoke at AWS\n"
	    "  revoked.txt       CN, serial, certificate id, reason, time\n"
	    "  crl.pem           the CA's CRL (publish it)\n"
	    "  deviceRootCA.pem  the CA that signed the CRL\n"
	    "  ceremony.pub      the bundle-signing public key\n"
	    "  MANIFEST          SHA-256 of every file (sha256sum)\n"
	    "  MANIFEST.minisig  minisign signature of MANIFEST\n\n"
	    "1. Verify and unpack (shows every command revoke.sh runs):\n"
	    "     ceremony import %s.tar.gz --pubkey %s\n"
	    "   or by hand: minisign -Vm MANIFEST -P %s; sha256sum -c "
	    "MANIFEST\n"
	    "2. With AWS credentials: sh revoke.sh [--profile P]\n"
	    "3. Publish crl.pem where relying parties fetch the CRL.\n",
	    name, id, name, pub_b64, pub_b64) == -1)
		return NULL;
	return s;
}

struct members {
	struct tar_member m[REVB_NFILES];
	unsigned char *data[REVB_NFILES];
	size_t n;
};

static int
add(struct members *ms, const char *name, unsigned char *data, size_t len)
{
	size_t i;

	for (i = 0; i < REVB_NFILES; i++)
		if (strcmp(revb_files[i].name, name) == 0)
			break;
	if (i == REVB_NFILES || data == NULL) {
		free(data);
		return -1;
	}
	ms->data[ms->n] = data;
	ms->m[ms->n].name = revb_files[i].name;
	ms->m[ms->n].data = data;
	ms->m[ms->n].len = len;
	ms->m[ms->n].mode = revb_files[i].mode;
	ms->n++;
	return 0;
}

static int
add_file(struct members *ms, const char *name, const char *path)
{
	unsigned char *data;
	size_t len;

	if (file_read(path, &data, &len, 4u << 20) == -1)
		return -1;
	return add(ms, name, data, len);
}

/* Reads the folder and the CA files; then README.txt, MANIFEST and the
 * signature; the archive into b. The exit status. */
static int
assemble(const char *dir, struct members *ms, const struct sigkey *k,
    struct bundle *b)
{
	char path[4096], ca[CAREF_PATH_MAX], trusted[512], untrusted[128];
	char err[512], *s, *sig;
	size_t siglen, i;

	for (i = 0; i < 3; i++) {
		const char *f = i == 0 ? REVB_SCRIPT : i == 1 ? REVB_LIST :
		    REVB_CRL;

		snprintf(path, sizeof(path), "%s/%s", dir, f);
		if (!file_exists(path)) {
			warnf("%s is missing: not a folder 'ceremony revoke' "
			      "wrote", path);
			return EXIT_USAGE;
		}
		if (add_file(ms, f, path) == -1)
			return EXIT_USAGE;
	}
	if (crl_issuer(ms->m[2].data, ms->m[2].len, ca, sizeof(ca)) == -1) {
		warnf("%s/%s: not a CRL signed by the root or an "
		      "intermediate of this ceremony", dir, REVB_CRL);
		return EXIT_CHECK;
	}
	if (add_file(ms, CA_CERT, ca) == -1 ||
	    add_file(ms, SIGN_PUB, SIGN_PUB) == -1)
		return EXIT_USAGE;
	s = readme(b->name, b->cn, b->pub_b64);
	if (add(ms, BUNDLE_README, (unsigned char *)s, s ? strlen(s) : 0) ==
	    -1)
		return EXIT_USAGE;
	s = revb_manifest(ms->m, ms->n);
	if (add(ms, BUNDLE_MANIFEST, (unsigned char *)s, s ? strlen(s) : 0) ==
	    -1)
		return EXIT_USAGE;
	snprintf(untrusted, sizeof(untrusted), MINISIG_BUNDLE_COMMENT,
	    b->keyid);
	snprintf(trusted, sizeof(trusted), "timestamp:%llu\tfile:MANIFEST\t"
	    "bundle:%s\trevocation:%s\thashed", (unsigned long long)b->mtime,
	    b->name, b->cn);
	if (minisig_sign(k, ms->m[ms->n - 1].data, ms->m[ms->n - 1].len,
	    untrusted, trusted, &sig, &siglen) == -1 ||
	    add(ms, BUNDLE_SIG, (unsigned char *)sig, siglen) == -1)
		return EXIT_USAGE;
	if (tar_write(b->name, ms->m, ms->n, b->mtime, &b->gz, &b->gzlen, err,
	    sizeof(err)) == -1) {
		warnf("%s: %s", b->name, err);
		return EXIT_USAGE;
	}
	sha256_hex(b->gz, b->gzlen, b->sha);
	return 0;
}

/* The archive read back and put through import's checks. */
static int
self_check(const struct bundle *b, const struct sigkey *pub)
{
	struct tar_list l;
	struct revb_info info;
	char err[512];
	int rv;

	if (tar_read(b->gz, b->gzlen, &bundle_limits, &l, err,
	    sizeof(err)) == -1) {
		warnf("self-check: the archive does not read back: %s", err);
		return -1;
	}
	rv = revb_verify(&l, pub, &info);
	if (rv == 0)
		revb_script_free(&info.script);
	tar_list_free(&l);
	if (rv != 0)
		warnf("self-check: the revocation bundle fails import's "
		      "checks; nothing written");
	return rv;
}

int
revb_bundle(const char *dir, const char *name, int fmt, struct bundle_qr *q,
    int force, struct pass_src *src)
{
	struct members ms;
	struct bundle b;
	struct sigkey k = {0}, pub;
	char tarpath[sizeof(BUNDLE_DIR) + TAR_NAME_MAX + 16], *copy, *id;
	char in[3][4096];
	const char *inputs[REVB_NFILES + 1] = {NULL}, *outputs[3] = {NULL};
	size_t i, no = 0;
	int rv = EXIT_USAGE, r;

	memset(&ms, 0, sizeof(ms));
	memset(&b, 0, sizeof(b));
	if ((copy = strdup(dir)) == NULL)
		return EXIT_USAGE;
	id = basename(copy);
	snprintf(b.cn, sizeof(b.cn), "%s", id);
	if (name != NULL && name[0])
		snprintf(b.name, sizeof(b.name), "%s", name);
	else
		snprintf(b.name, sizeof(b.name), "revocation-%.52s", id);
	if (!tar_name_ok(b.name)) {
		warnf("'%s' is not a bundle name: give --name", b.name);
		goto out;
	}
	snprintf(tarpath, sizeof(tarpath), BUNDLE_DIR "/%s.tar.gz", b.name);
	if (((fmt & F_TAR) && file_check_new(tarpath, force) == -1) ||
	    ((fmt & F_QR) && file_check_new(BUNDLE_QR_DIR, force) == -1))
		goto out;
	if (bundle_time(&b.mtime) == -1 ||
	    sigkey_load_public(SIGN_PUB, &pub) == -1)
		goto out;
	sigkey_public_b64(&pub, b.pub_b64);
	minisig_keyid(pub.keynum, b.keyid);
	if (sigkey_load_secret(SIGN_KEY, src, &k) == -1)
		goto out;
	if (memcmp(pub.pk, k.pk, 32) != 0) {
		warnf("%s and %s are not one key pair", SIGN_KEY, SIGN_PUB);
		rv = EXIT_CHECK;
		goto out;
	}
	if ((r = assemble(dir, &ms, &k, &b)) != 0) {
		rv = r;
		goto out;
	}
	if (self_check(&b, &pub) == -1 || ((fmt & F_QR) &&
	    (bundle_qr_make(&b, q) == -1 || bundle_qr_self_check(&b, q) ==
	    -1))) {
		rv = EXIT_CHECK;
		goto out;
	}
	if (dir_make(BUNDLE_DIR, 0755) == -1)
		goto out;
	if (fmt & F_TAR) {
		if (file_write(tarpath, b.gz, b.gzlen, 0644, force) == -1)
			goto out;
		outputs[no++] = tarpath;
	}
	if (fmt & F_QR) {
		if (bundle_qr_write(&b, q) == -1)
			goto out;
		outputs[no++] = BUNDLE_QR_DIR "/frames.txt";
	}
	for (i = 0; i < 3; i++) {
		snprintf(in[i], sizeof(in[i]), "%s/%s", dir, ms.m[i].name);
		inputs[i] = in[i];
	}
	if (transcript_append("bundle", json_pack("{s:s, s:s}", "revocations",
	    dir, "name", b.name), inputs, outputs, json_pack("{s:s, s:I, s:s}",
	    "bundle_sha256", b.sha, "bundle_bytes", (json_int_t)b.gzlen,
	    "signing_key", b.keyid)) == -1)
		goto out;
	printf("Revocation bundle %s (%zu bytes, %zu files)\n",
	    fmt & F_TAR ? tarpath : b.name, b.gzlen, ms.n);
	printf("  SHA-256       %s\n", b.sha);
	printf("  signed by     key id %s (%s)\n", b.keyid, b.pub_b64);
	if (fmt & F_QR)
		printf("QR frames       %u (any %u rebuild it) in %s/\n",
		    q->info.n, q->info.k, BUNDLE_QR_DIR);
	printf("Import on the online machine:\n  ceremony import %s --pubkey "
	       "%s\n", fmt & F_TAR ? tarpath : "--qr -", b.pub_b64);
	rv = 0;
out:
	for (i = 0; i < ms.n; i++)
		free(ms.data[i]);
	free(b.gz);
	bundle_qr_free(q);
	sigkey_free(&k);
	free(copy);
	return rv;
}
