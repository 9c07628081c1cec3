/* CSR intake: strict parsing, proof of possession (every byte of the
 * signature matters), key and subject checks, the template's parameters,
 * the PEM/DER reader, and a certificate issued from a checked CSR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "sign/csr.h"
#include "ca/pki.h"
#include "core/util.h"

static const struct template_info howto = {
	TP_COMMONNAME | TP_COUNTRY | TP_ID, 1, NULL, NULL, NULL};
static const struct template_info loose = {0, 0, NULL, NULL, NULL};

static unsigned char *
mkcsr_name(EVP_PKEY *key, X509_NAME *n, const EVP_MD *md, size_t *len)
{
	X509_REQ *r = X509_REQ_new();
	unsigned char *der = NULL;
	int l;

	assert_true(X509_REQ_set_subject_name(r, n));
	assert_true(X509_REQ_set_pubkey(r, key));
	assert_true(X509_REQ_sign(r, key, md) > 0);
	l = i2d_X509_REQ(r, &der);
	assert_true(l > 0);
	*len = (size_t)l;
	X509_REQ_free(r);
	return der;
}

/* A CSR for key with subject "/C=US/CN=..." (pki_subject_parse form). */
static unsigned char *
mkcsr(EVP_PKEY *key, const char *subject, const EVP_MD *md, size_t *len)
{
	X509_NAME *n = pki_subject_parse(subject, (char[128]){0}, 128);
	unsigned char *der;

	assert_non_null(n);
	der = mkcsr_name(key, n, md, len);
	X509_NAME_free(n);
	return der;
}

static EVP_PKEY *p256;

static void
expect(const unsigned char *der, size_t len, const struct template_info *t,
    const char *want)
{
	struct csr c;
	char err[512] = "";
	int rv = csr_parse(der, len, &c, err, sizeof(err));

	if (rv == 0)
		rv = csr_check(&c, t, err, sizeof(err));
	csr_free(&c);
	if (want == NULL) {
		if (rv != 0)
			fail_msg("unexpected: %s", err);
		return;
	}
	assert_int_equal(rv, -1);
	if (strstr(err, want) == NULL)
		fail_msg("got '%s', want '%s'", err, want);
}

static void
test_good(void **state)
{
	struct csr c;
	unsigned char *der, *spki = NULL, h[32];
	char err[256];
	size_t len;
	int n;

	der = mkcsr(p256, "/C=US/L=Town/O=Acme/CN=dev-1:a_b", EVP_sha256(),
	    &len);
	assert_int_equal(csr_parse(der, len, &c, err, sizeof(err)), 0);
	assert_int_equal(csr_check(&c, &howto, err, sizeof(err)), 0);
	assert_string_equal(c.keydesc, "EC P-256");
	assert_string_equal(c.cn, "dev-1:a_b");
	n = i2d_PUBKEY(p256, &spki);
	crypto_hash_sha256(h, spki, (size_t)n);
	assert_memory_equal(h, c.key_sha256, 32);
	/* L is not read by AWS: not copied */
	assert_int_equal(X509_NAME_entry_count(c.copy), 3);
	assert_int_equal(X509_NAME_get_index_by_NID(c.copy, NID_localityName,
	    -1), -1);
	OPENSSL_free(spki);
	csr_free(&c);
	free(der);
}

static void
test_signature_bytes(void **state)
{
	unsigned char *der;
	size_t len, i;
	struct csr c;
	char err[256];

	der = mkcsr(p256, "/C=US/CN=dev1", EVP_sha256(), &len);
	/* the last 60 bytes are the signature value */
	for (i = len - 60; i < len; i++) {
		der[i] ^= 0x01;
		assert_int_equal(csr_parse(der, len, &c, err, sizeof(err)), -1);
		der[i] ^= 0x01;
	}
	/* a byte of the signed subject */
	der[len / 3] ^= 0x01;
	assert_int_equal(csr_parse(der, len, &c, err, sizeof(err)), -1);
	der[len / 3] ^= 0x01;
	assert_int_equal(csr_parse(der, len, &c, err, sizeof(err)), 0);
	csr_free(&c);
	/* trailing bytes, truncation */
	der = realloc(der, len + 1);
	der[len] = 0;
	expect(der, len + 1, &howto, "1 bytes of garbage after the CSR");
	expect(der, len - 1, &howto, "DER does not parse");
	free(der);
}

static void
test_keys_and_digests(void **state)
{
	EVP_PKEY *k;
	unsigned char *der;
	size_t len;

	der = mkcsr(p256, "/C=US/CN=dev1", EVP_sha1(), &len);
	expect(der, len, &howto, "signed with SHA1");
	free(der);
	der = mkcsr(p256, "/C=US/CN=dev1", EVP_sha384(), &len);
	expect(der, len, &howto, NULL);
	free(der);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	der = mkcsr(k, "/C=US/CN=dev1", EVP_sha256(), &len);
	expect(der, len, &howto, "RSA key of 1024 bits");
	free(der);
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	der = mkcsr(k, "/C=US/CN=dev1", EVP_sha256(), &len);
	expect(der, len, &howto, "curve secp521r1");
	free(der);
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	der = mkcsr(k, "/C=US/CN=dev1", EVP_sha256(), &len);
	expect(der, len, &howto, NULL);
	free(der);
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	der = mkcsr(k, "/C=US/CN=dev1", NULL, &len);
	expect(der, len, &howto, "ED25519 key");
	free(der);
	EVP_PKEY_free(k);
}

static void
test_subject(void **state)
{
	unsigned char *der;
	size_t len;
	char cn[80];
	X509_NAME *name;
	struct {
		const char *subject;
		const struct template_info *t;
		const char *want;
	} cases[] = {
		{"/O=Acme/CN=dev1", &howto,
		    "lacks AWS::IoT::Certificate::Country (C)"},
		{"/C=US/O=Acme", &howto,
		    "lacks AWS::IoT::Certificate::CommonName (CN)"},
		{"/O=Acme", &howto,
		    "CommonName (CN), AWS::IoT::Certificate::Country (C)"},
		{"/C=US/O=Acme", &loose, "subject has no CN"},
		{"/C=US/CN=bad name", &howto, "is not a valid thing name"},
		{"/C=US/CN=bad name", &loose, "cannot name the output files"},
		{"/C=US/CN=.hidden", &loose, "cannot name the output files"},
		{"/C=US/CN=a\\/b", &loose, "cannot name the output files"},
		{"/C=US/OU=a/OU=b/CN=d", &howto, "more than one OU"},
		{"/C=us/CN=d", &howto, "two-letter country code"},
		{"/C=US/O=a\tb/CN=d", &howto, "control characters"},
		{"/C=US/CN=ok/ST=By/serialNumber=123/dnQualifier=q", &howto,
		    NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		der = mkcsr(p256, cases[i].subject, EVP_sha256(), &len);
		expect(der, len, cases[i].t, cases[i].want);
		free(der);
	}
	/* past the X.520 bound, which OpenSSL's own setters enforce */
	memset(cn, 'x', 65);
	name = X509_NAME_new();
	assert_true(X509_NAME_add_entry_by_NID(name, NID_countryName,
	    MBSTRING_ASC, (unsigned char *)"US", -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_NID(name, NID_commonName,
	    V_ASN1_UTF8STRING, (unsigned char *)cn, 65, -1, 0));
	der = mkcsr_name(p256, name, EVP_sha256(), &len);
	expect(der, len, &howto, "CN has 65 characters; X.509 allows at "
	    "most 64");
	free(der);
	X509_NAME_free(name);
	assert_true(csr_name_ok("dev-1.a:b_c"));
	assert_false(csr_name_ok(""));
	assert_false(csr_name_ok(".x"));
	assert_false(csr_name_ok("a b"));
	assert_false(csr_name_ok("a/b"));
}

static void
test_reader(void **state)
{
	unsigned char *der, *got;
	size_t len, glen;
	char label[128], err[256], path[] = "/tmp/test_csr.XXXXXX";
	struct csr_in in;
	FILE *f;
	int fd;

	der = mkcsr(p256, "/C=US/CN=dev1", EVP_sha256(), &len);
	fd = mkstemp(path);
	assert_true(fd != -1);
	f = fdopen(fd, "w+");
	fputs("leading text\n", f);
	for (int i = 0; i < 2; i++) {
		X509_REQ *r = d2i_X509_REQ(NULL,
		    (const unsigned char **)&(const unsigned char *){der},
		    (long)len);
		PEM_write_X509_REQ(f, r);
		X509_REQ_free(r);
	}
	PEM_write_PrivateKey(f, p256, NULL, NULL, 0, NULL, NULL);
	fputs("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n", f);
	rewind(f);
	assert_int_equal(csr_in_open(&in, path, f), 0);
	assert_int_equal(csr_in_next(&in, &got, &glen, label, sizeof(label),
	    err, sizeof(err)), 1);
	assert_int_equal(glen, len);
	assert_memory_equal(got, der, len);
	assert_string_equal(label, path);
	free(got);
	assert_int_equal(csr_in_next(&in, &got, &glen, label, sizeof(label),
	    err, sizeof(err)), 1);
	assert_non_null(strstr(label, "#2"));
	free(got);
	assert_int_equal(csr_in_next(&in, &got, &glen, label, sizeof(label),
	    err, sizeof(err)), RC_CHECK);
	assert_non_null(strstr(err, "PRIVATE KEY PEM block"));
	assert_int_equal(csr_in_next(&in, &got, &glen, label, sizeof(label),
	    err, sizeof(err)), RC_CHECK);
	assert_non_null(strstr(err, "truncated PEM block"));
	assert_int_equal(csr_in_next(&in, &got, &glen, label, sizeof(label),
	    err, sizeof(err)), 0);
	csr_in_close(&in);

	/* one DER CSR */
	rewind(f);
	assert_int_equal(ftruncate(fd, 0), 0);
	fwrite(der, 1, len, f);
	rewind(f);
	assert_int_equal(csr_in_open(&in, path, f), 0);
	assert_int_equal(csr_in_next(&in, &got, &glen, label, sizeof(label),
	    err, sizeof(err)), 1);
	assert_memory_equal(got, der, len);
	free(got);
	assert_int_equal(csr_in_next(&in, &got, &glen, label, sizeof(label),
	    err, sizeof(err)), 0);
	csr_in_close(&in);
	/* text without any CSR */
	rewind(f);
	assert_int_equal(ftruncate(fd, 0), 0);
	fputs("hello\n", f);
	rewind(f);
	assert_int_equal(csr_in_open(&in, path, f), 0);
	assert_int_equal(csr_in_next(&in, &got, &glen, label, sizeof(label),
	    err, sizeof(err)), RC_CHECK);
	assert_non_null(strstr(err, "no CSR found"));
	csr_in_close(&in);
	/* a read error stops the input, apart from a bad item */
	{
		FILE *dir = fopen("/", "rb");

		assert_non_null(dir);
		assert_int_equal(csr_in_open(&in, "/", dir), 0);
		assert_int_equal(csr_in_next(&in, &got, &glen, label,
		    sizeof(label), err, sizeof(err)), RC_ERR);
		assert_non_null(strstr(err, "read error"));
		csr_in_close(&in);
		fclose(dir);
	}
	fclose(f);
	unlink(path);
	free(der);
}

/* Only regular files are read: a link, a FIFO (without blocking), a
 * folder each give one bad item; a file name is quoted in labels. */
static void
test_not_files(void **state)
{
	char dir[] = "/tmp/test_csr.XXXXXX", path[128], label[128], err[256];
	const char *kinds[][2] = {
		{"link", "not read: a symbolic link"},
		{"fifo", "not read: a FIFO"},
		{"sub", "not read: a directory"},
	};
	unsigned char *got;
	size_t glen, i;
	struct csr_in in;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/target", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("-----BEGIN PRIVATE KEY-----\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("target", path), 0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	alarm(20); /* a FIFO opened for reading would block */
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, kinds[i][0]);
		assert_int_equal(csr_in_open(&in, path, NULL), 0);
		assert_int_equal(csr_in_next(&in, &got, &glen, label,
		    sizeof(label), err, sizeof(err)), RC_CHECK);
		assert_string_equal(label, path);
		if (strstr(err, kinds[i][1]) == NULL)
			fail_msg("%s: got '%s'", kinds[i][0], err);
		assert_null(strstr(err, "PRIVATE"));
		assert_int_equal(csr_in_next(&in, &got, &glen, label,
		    sizeof(label), err, sizeof(err)), 0);
		csr_in_close(&in);
		unlink(path);
		rmdir(path);
	}
	alarm(0);
	snprintf(path, sizeof(path), "%s/target", dir);
	unlink(path);
	/* a name with control characters is quoted in labels */
	snprintf(path, sizeof(path), "%s/a\r\033[2Kb", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("text\n", f);
	fclose(f);
	assert_int_equal(csr_in_open(&in, path, NULL), 0);
	assert_int_equal(csr_in_next(&in, &got, &glen, label, sizeof(label),
	    err, sizeof(err)), RC_CHECK);
	assert_non_null(strstr(label, "/a\\x0d\\x1b[2Kb"));
	csr_in_close(&in);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

/* C0 and C1 controls, DEL and the bidi controls are refused in every
 * copied attribute, with the code point; their neighbours are text. */
static void
test_text(void **state)
{
	static const struct {
		unsigned long cp;
		const char *want;
	} cases[] = {
		{0x01, "control character U+0001"},
		{0x1f, "control character U+001F"},
		{0x7f, "control character U+007F"},
		{0x80, "control character U+0080"},
		{0x9b, "control character U+009B"},
		{0x9f, "control character U+009F"},
		{0x61c, "bidirectional control character U+061C"},
		{0x200e, "bidirectional control character U+200E"},
		{0x200f, "bidirectional control character U+200F"},
		{0x202a, "bidirectional control character U+202A"},
		{0x202e, "bidirectional control character U+202E"},
		{0x2066, "bidirectional control character U+2066"},
		{0x2069, "bidirectional control character U+2069"},
		{0xa0, NULL}, {0x61b, NULL}, {0x61d, NULL}, {0x200d, NULL},
		{0x2010, NULL}, {0x2029, NULL}, {0x202f, NULL},
		{0x2065, NULL}, {0x206a, NULL}, {0x1f600, NULL},
	};
	static const int nids[] = {NID_organizationName,
	    NID_organizationalUnitName, NID_stateOrProvinceName,
	    NID_commonName};
	static const char *sns[] = {"O", "OU", "ST", "CN"};
	unsigned char v[16], *der;
	char want[128];
	size_t i, n, k, len;
	X509_NAME *name;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (k = 0; k < 4; k++) {
			unsigned long cp = cases[i].cp;

			n = 0;
			v[n++] = 'a';
			if (cp < 0x80)
				v[n++] = (unsigned char)cp;
			else if (cp < 0x800) {
				v[n++] = (unsigned char)(0xc0 | cp >> 6);
				v[n++] = (unsigned char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				v[n++] = (unsigned char)(0xe0 | cp >> 12);
				v[n++] = (unsigned char)(0x80 |
				    (cp >> 6 & 0x3f));
				v[n++] = (unsigned char)(0x80 | (cp & 0x3f));
			} else {
				v[n++] = (unsigned char)(0xf0 | cp >> 18);
				v[n++] = (unsigned char)(0x80 |
				    (cp >> 12 & 0x3f));
				v[n++] = (unsigned char)(0x80 |
				    (cp >> 6 & 0x3f));
				v[n++] = (unsigned char)(0x80 | (cp & 0x3f));
			}
			v[n++] = 'b';
			name = X509_NAME_new();
			assert_true(X509_NAME_add_entry_by_NID(name,
			    NID_countryName, MBSTRING_ASC,
			    (unsigned char *)"US", -1, -1, 0));
			if (nids[k] != NID_commonName)
				assert_true(X509_NAME_add_entry_by_NID(name,
				    NID_commonName, MBSTRING_ASC,
				    (unsigned char *)"dev", -1, -1, 0));
			assert_true(X509_NAME_add_entry_by_NID(name, nids[k],
			    V_ASN1_UTF8STRING, v, (int)n, -1, 0));
			der = mkcsr_name(p256, name, EVP_sha256(), &len);
			if (cases[i].want != NULL)
				snprintf(want, sizeof(want), "subject %s holds "
				    "the %s", sns[k], cases[i].want);
			/* a CN with any of them is no thing name anyway */
			expect(der, len, &loose, cases[i].want ? want :
			    nids[k] == NID_commonName ?
			    "cannot name the output files" : NULL);
			free(der);
			X509_NAME_free(name);
		}
	}
}

/* A CSR re-encoded in BER, with the same signature, is refused. */
static void
test_der(void **state)
{
	unsigned char *der, *b;
	size_t len, hl, body;

	der = mkcsr(p256, "/C=US/CN=dev1", EVP_sha256(), &len);
	expect(der, len, &howto, NULL);
	/* the outer header: 30 81 LL (an EC CSR is over 127 bytes) */
	assert_int_equal(der[1], 0x81);
	hl = 3;
	body = len - hl;
	b = malloc(len + 4);
	/* the length in three bytes instead of one */
	memcpy(b, "\x30\x83\x00\x00", 4);
	b[4] = (unsigned char)body;
	memcpy(b + 5, der + hl, body);
	expect(b, body + 5, &howto, "not DER: a length not in its shortest "
	    "form at byte 1");
	/* indefinite length, ended by 00 00 */
	memcpy(b, "\x30\x80", 2);
	memcpy(b + 2, der + hl, body);
	memcpy(b + 2 + body, "\0\0", 2);
	expect(b, body + 4, &howto, "not DER: a length in indefinite form "
	    "(BER) at byte 1");
	free(b);
	free(der);
}

static void
test_issue(void **state)
{
	EVP_PKEY *cakey = pki_keygen(pki_keytype_parse("ec-p256"));
	X509_NAME *n = pki_subject_parse("/CN=Test CA", (char[64]){0}, 64);
	X509 *ca = pki_cert_issue(PROFILE_CA, n, cakey, NULL, cakey, 30);
	struct pki_issuer is;
	struct csr c;
	unsigned char *der, md[20];
	unsigned int mdlen;
	size_t len;
	char err[256];
	EVP_MD_CTX *sg;
	X509 *x, *x2;

	assert_non_null(ca);
	assert_int_equal(pki_issuer_init(&is, PROFILE_DEVICE, ca, cakey, 10,
	    err, sizeof(err)), 0);
	sg = pki_issuer_signer(&is);
	assert_non_null(sg);
	der = mkcsr(p256, "/C=US/CN=dev1", EVP_sha256(), &len);
	assert_int_equal(csr_parse(der, len, &c, err, sizeof(err)), 0);
	assert_int_equal(csr_check(&c, &howto, err, sizeof(err)), 0);
	x = pki_issuer_sign(&is, sg, c.copy, c.key, err, sizeof(err));
	assert_non_null(x);
	if (pki_lint(x, ca, PROFILE_DEVICE, err, sizeof(err)) != 0)
		fail_msg("lint: %s", err);
	assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x), c.copy), 0);
	/* SKI: SHA-1 of the key bits, as OpenSSL's "hash" */
	assert_true(X509_pubkey_digest(x, EVP_sha1(), md, &mdlen));
	assert_int_equal(ASN1_STRING_length(X509_get0_subject_key_id(x)), 20);
	assert_memory_equal(ASN1_STRING_get0_data(
	    X509_get0_subject_key_id(x)), md, 20);
	assert_int_equal(ASN1_STRING_length(X509_get0_serialNumber(x)), 16);
	/* the signing context is reused: a second cert, another serial */
	x2 = pki_issuer_sign(&is, sg, c.copy, c.key, err, sizeof(err));
	assert_non_null(x2);
	assert_int_equal(X509_verify(x2, cakey), 1);
	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(x),
	    X509_get0_serialNumber(x2)), 0);
	X509_free(x);
	X509_free(x2);
	csr_free(&c);
	free(der);
	EVP_MD_CTX_free(sg);
	pki_issuer_free(&is);
	X509_free(ca);
	X509_NAME_free(n);
	EVP_PKEY_free(cakey);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_signature_bytes),
		cmocka_unit_test(test_keys_and_digests),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_not_files),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_der),
		cmocka_unit_test(test_issue),
	};
	int rv;

	if (sodium_init() < 0)
		return 1;
	p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	EVP_PKEY_free(p256);
	return rv;
}
