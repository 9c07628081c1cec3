/* The signed bundle from the ceremony folder: files, README.txt, MANIFEST,
 * its signature and the archive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle/bundle.h"
#include "ca/pki.h"
#include "ca/template.h"
#include "core/transcript.h"
#include "core/util.h"

int
bundle_time(uint64_t *t)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	unsigned char *text;
	char *p;
	size_t len;
	struct tm tm;
	json_t *j;
	const char *s;
	int rv = -1;

	if (env != NULL) {
		if (*env == 0 || strlen(env) > 11 ||
		    !str_only(env, "0123456789") ||
		    strtoull(env, NULL, 10) > 077777777777ULL) {
			warnf("SOURCE_DATE_EPOCH='%s' is not a count of "
			      "seconds since 1970 (at most 11 octal digits)",
			    env);
			return -1;
		}
		*t = strtoull(env, NULL, 10);
		return 0;
	}
	if (file_read(TRANSCRIPT_FILE, &text, &len, 64u << 20) == -1)
		return -1;
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = 0;
	p = strrchr((char *)text, '\n');
	p = p != NULL ? p + 1 : (char *)text;
	j = json_loads(p, 0, NULL);
	s = json_string_value(json_object_get(j, "time"));
	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (p = strptime(s, UTC_ISO_FMT, &tm)) == NULL ||
	    *p != 0 || timegm(&tm) < 0)
		warnf("%s: the last line has no time; set SOURCE_DATE_EPOCH",
		    TRANSCRIPT_FILE);
	else {
		*t = (uint64_t)timegm(&tm);
		rv = 0;
	}
	json_decref(j);
	free(text);
	return rv;
}

/* Takes data (malloc'd); the mode is the layout's. */
static void
add_member(struct bundle *b, const char *name, void *data, size_t len)
{
	b->data[b->n] = data;
	b->m[b->n].name = name;
	b->m[b->n].data = data;
	b->m[b->n].len = len;
	b->m[b->n].mode = bundle_file_find(name)->mode;
	b->n++;
}

static const struct tar_member *
member(const struct bundle *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->m[i].name, name) == 0)
			return &b->m[i];
	return NULL;
}

int
bundle_read(struct bundle *b)
{
	const struct bundle_file *f;
	unsigned char *data;
	size_t len;

	for (f = bundle_files; f < bundle_files + BUNDLE_NFILES; f++) {
		if (f->made || (!f->required && b->sni))
			continue;
		if (!file_exists(f->name)) {
			warnf("%s is missing; run the ceremony step that "
			      "makes it first",
			    f->name);
			return -1;
		}
		if (file_read(f->name, &data, &len, 4u << 20) == -1)
			return -1;
		add_member(b, f->name, data, len);
		if (strcmp(f->name, REGISTER_FILE) == 0)
			b->sni = strstr((const char *)data, REGISTER_SNI) !=
			    NULL;
	}
	return 0;
}

int
bundle_check(struct bundle *b)
{
	const struct tar_member *ca = member(b, CA_CERT);
	const struct tar_member *ver = member(b, VER_CERT);
	struct template_info ti = {0};
	struct sigkey pub;
	char err[512];
	int rv = -1;

	if (bundle_certs_check(ca->data, ca->len, ver ? ver->data : NULL,
		ver ? ver->len : 0, b->fp, b->cn) == -1)
		goto out;
	if (template_load(TEMPLATE_FILE, &ti, err, sizeof(err)) == -1) {
		warnf("%s: %s", TEMPLATE_FILE, err);
		goto out;
	}
	if (sigkey_load_public(SIGN_PUB, &pub) == -1)
		goto out;
	sigkey_public_b64(&pub, b->pub_b64);
	minisig_keyid(pub.keynum, b->keyid);
	if (transcript_verify(TRANSCRIPT_FILE, 1, b->head) != 0) {
		warnf("%s does not verify; run 'ceremony transcript verify' "
		      "and fix it before bundling",
		    TRANSCRIPT_FILE);
		goto out;
	}
	rv = 0;
out:
	template_info_free(&ti);
	return rv;
}

static char *
readme(const struct bundle *b)
{
	char when[32], *s = NULL;
	time_t t = (time_t)b->mtime;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (asprintf(&s,
		"Ceremony bundle %s\n"
		"CA \"%s\", bundled %s by ceremony " CEREMONY_VERSION ".\n"
		"\n"
		"Files\n"
		"  deviceRootCA.pem      the root CA certificate\n"
		"%s"
		"  jitp_template.json    the JITP registration config\n"
		"  register.sh           runs aws iot "
		"register-ca-certificate%s\n"
		"  transcript.log        the ceremony's hash-chained record\n"
		"  ceremony.pub          the bundle-signing public key\n"
		"  MANIFEST              SHA-256 of every file (sha256sum)\n"
		"  MANIFEST.minisig      minisign signature of MANIFEST\n"
		"\n"
		"Check before use; each value must match the witnesses' paper\n"
		"record, not just this file:\n"
		"  signing key      %s (key id %s)\n"
		"  CA SHA-256       %s\n"
		"  transcript head  %s\n"
		"\n"
		"1. Verify and unpack (all checks at once):\n"
		"     ceremony import %s.tar.gz --pubkey %s\n"
		"   or, from QR codes:\n"
		"     zbarimg --raw -q qr/frame-*.png | ceremony import --qr - "
		"--pubkey %s\n"
		"   or by hand, in the unpacked folder:\n"
		"     minisign -Vm MANIFEST -P %s\n"
		"     sha256sum -c MANIFEST\n"
		"     openssl x509 -in deviceRootCA.pem -noout -fingerprint "
		"-sha256\n"
		"     ceremony transcript verify\n"
		"2. Register the CA with AWS IoT (needs AWS credentials):\n"
		"     sh register.sh\n",
		b->name, b->cn, when,
		b->sni ? "" :
			 "  verificationCert.crt  proves to AWS that you hold "
			 "the CA key\n",
		b->sni ? " (SNI_ONLY mode)" : "", b->pub_b64, b->keyid,
		b->fp, b->head, b->name, b->pub_b64, b->pub_b64,
		b->pub_b64) == -1)
		return NULL;
	return s;
}

static int
cmp_name(const void *a, const void *c)
{
	return strcmp(((const struct tar_member *)a)->name,
	    ((const struct tar_member *)c)->name);
}

/* MANIFEST over every member so far, in byte order of the names. */
static char *
manifest(struct bundle *b)
{
	char *s, hex[65];
	size_t i, off = 0, cap = b->n * (64 + 2 + TAR_NAME_MAX + 1) + 1;

	qsort(b->m, b->n, sizeof(b->m[0]), cmp_name);
	if ((s = malloc(cap)) == NULL)
		return NULL;
	for (i = 0; i < b->n; i++) {
		sha256_hex(b->m[i].data, b->m[i].len, hex);
		off += (size_t)snprintf(s + off, cap - off, "%s  %s\n", hex,
		    b->m[i].name);
	}
	return s;
}

int
bundle_seal(struct bundle *b, const struct sigkey *k)
{
	char *rd, *man = NULL, *sig = NULL, err[512];
	char trusted[512], untrusted[128];
	size_t siglen;
	int rv = -1;

	if ((rd = readme(b)) == NULL)
		return -1;
	add_member(b, BUNDLE_README, rd, strlen(rd));
	if ((man = manifest(b)) == NULL)
		goto out;
	snprintf(untrusted, sizeof(untrusted), MINISIG_BUNDLE_COMMENT,
	    b->keyid);
	snprintf(trusted, sizeof(trusted),
	    "timestamp:%llu\tfile:MANIFEST\tbundle:%s\tceremony:%s\thashed",
	    (unsigned long long)b->mtime, b->name, b->cn);
	if (minisig_sign(k, (unsigned char *)man, strlen(man), untrusted,
		trusted, &sig, &siglen) == -1)
		goto out;
	add_member(b, BUNDLE_MANIFEST, man, strlen(man));
	add_member(b, BUNDLE_SIG, sig, siglen);
	man = sig = NULL;
	if (tar_write(b->name, b->m, b->n, b->mtime, &b->gz, &b->gzlen, err,
		sizeof(err)) == -1) {
		warnf(BUNDLE_DIR "/%s.tar.gz: %s", b->name, err);
		goto out;
	}
	sha256_hex(b->gz, b->gzlen, b->sha);
	rv = 0;
out:
	free(man);
	free(sig);
	return rv;
}

int
bundle_self_check(const struct bundle *b, const struct sigkey *pub)
{
	struct tar_list l;
	const struct tar_entry *e;
	struct minisig s;
	char err[512], q[4 * 512 + 1];
	size_t i;
	int rv = -1;

	if (tar_read(b->gz, b->gzlen, &bundle_limits, &l, err,
		sizeof(err)) == -1) {
		warnf("self-check: the archive does not read back: %s",
		    str_safe(err, (size_t)-1, q, sizeof(q)));
		return -1;
	}
	for (i = 0; i < b->n; i++) {
		e = tar_list_find(&l, b->m[i].name);
		if (e == NULL || e->len != b->m[i].len ||
		    e->mode != b->m[i].mode ||
		    memcmp(e->data, b->m[i].data, e->len) != 0) {
			warnf("self-check: %s differs in the archive",
			    b->m[i].name);
			goto out;
		}
	}
	if (l.n != b->n || strcmp(l.top, b->name) != 0 ||
	    bundle_sig_check(&l, pub, &s, err, sizeof(err)) == -1) {
		warnf("self-check: the archive's signature does not verify");
		goto out;
	}
	rv = 0;
out:
	tar_list_free(&l);
	return rv;
}

void
bundle_free(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->data[i]);
	free(b->gz);
	memset(b, 0, sizeof(*b));
}
