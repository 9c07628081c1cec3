/* The certificate template (ca/tbs.c): for RSA, EC P-256 and EC P-384
 * (SHA-384) CAs and RSA and EC device keys, its TBSCertificate and
 * certificate DER equal what OpenSSL's X509 API makes for the same
 * serial, validity, subject and key with the profile's extensions
 * (pki_issuer_build), across the UTCTime to GeneralizedTime change of
 * 2050; what it signs passes pki_lint and tbs_check; tbs_check refuses
 * every single-byte change of a certificate and certificates the template
 * would not make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "ca/pki.h"
#include "ca/tbs.h"

#define DAY (24L * 3600)

static struct {
	EVP_PKEY *eckey, *rsakey, *ecdev, *rsadev, *p384key;
	X509 *ecca, *rsaca, *p384ca;
} F;

/* The CAs: 0 EC P-256, 1 RSA-2048, 2 EC P-384 (SHA-384). */
static X509 *
ca_of(int i)
{
	return i == 2 ? F.p384ca : i ? F.rsaca : F.ecca;
}

static EVP_PKEY *
cakey_of(int i)
{
	return i == 2 ? F.p384key : i ? F.rsakey : F.eckey;
}

static X509_NAME *
name(const char *c, const char *o, const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	assert_non_null(n);
	/* as csr_check copies a subject: every value from UTF-8 */
	assert_true(X509_NAME_add_entry_by_NID(n, NID_countryName,
	    MBSTRING_UTF8, (const unsigned char *)c, -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_NID(n, NID_organizationName,
	    MBSTRING_UTF8, (const unsigned char *)o, -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_NID(n, NID_commonName,
	    MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0));
	return n;
}

static int
setup(void **state)
{
	X509_NAME *a = name("IN", "AMZ", "EC CA"), *b = name("IN", "AMZ",
	    "RSA CA"), *c = name("IN", "AMZ", "P-384 CA");

	F.eckey = pki_keygen(KEY_P256);
	F.rsakey = pki_keygen(KEY_RSA2048);
	F.ecdev = pki_keygen(KEY_P256);
	F.rsadev = pki_keygen(KEY_RSA2048);
	F.p384key = pki_keygen(KEY_P384);
	if (!F.eckey || !F.rsakey || !F.ecdev || !F.rsadev || !F.p384key)
		return -1;
	F.ecca = pki_cert_issue(PROFILE_CA, a, F.eckey, NULL, F.eckey, 3650);
	F.rsaca = pki_cert_issue(PROFILE_CA, b, F.rsakey, NULL, F.rsakey,
	    3650);
	F.p384ca = pki_cert_issue(PROFILE_CA, c, F.p384key, NULL, F.p384key,
	    3650);
	X509_NAME_free(a);
	X509_NAME_free(b);
	X509_NAME_free(c);
	return F.ecca && F.rsaca && F.p384ca ? 0 : -1;
}

static int
teardown(void **state)
{
	X509_free(F.ecca);
	X509_free(F.rsaca);
	X509_free(F.p384ca);
	EVP_PKEY_free(F.p384key);
	EVP_PKEY_free(F.eckey);
	EVP_PKEY_free(F.rsakey);
	EVP_PKEY_free(F.ecdev);
	EVP_PKEY_free(F.rsadev);
	return 0;
}

/* One issuer, its template and a signer. */
struct fx {
	struct pki_issuer is;
	struct tbs_tmpl t;
	struct tbs_signer sg;
	X509_NAME *subject;
	unsigned char *subj, *spki;
	struct tbs_fields f;
	EVP_PKEY *dev;
};

static void
fx_init(struct fx *x, int rsaca, int rsadev, long days, time_t t)
{
	char err[256];
	int n;

	memset(x, 0, sizeof(*x));
	assert_int_equal(pki_issuer_init(&x->is, PROFILE_DEVICE, ca_of(rsaca),
	    cakey_of(rsaca), days, err, sizeof(err)), 0);
	if (tbs_tmpl_init(&x->t, &x->is, err, sizeof(err)) != 0)
		fail_msg("tbs_tmpl_init: %s", err);
	assert_int_equal(tbs_signer_init(&x->sg, &x->t, &x->is), 0);
	x->subject = name("US", "Acme \xc3\x9c GmbH", "dev-0001");
	x->dev = rsadev ? F.rsadev : F.ecdev;
	assert_true((n = i2d_X509_NAME(x->subject, &x->subj)) > 0);
	x->f.subject = x->subj;
	x->f.subjectlen = (size_t)n;
	assert_true((n = i2d_PUBKEY(x->dev, &x->spki)) > 0);
	x->f.spki = x->spki;
	x->f.spkilen = (size_t)n;
	x->f.kind = rsadev ? TBS_RSA : TBS_EC;
	x->f.t = t;
	memset(x->f.serial, 0x5a, TBS_SERIAL);
	x->f.serial[0] = 0x41;
	x->f.serial[15] = (unsigned char)(rsaca * 2 + rsadev);
}

static void
fx_free(struct fx *x)
{
	OPENSSL_free(x->subj);
	OPENSSL_free(x->spki);
	X509_NAME_free(x->subject);
	tbs_signer_free(&x->sg);
	tbs_tmpl_free(&x->t);
	pki_issuer_free(&x->is);
}

/* The template's TBSCertificate and certificate are the X509 API's. */
static void
same_as_x509(int rsaca, int rsadev, long days, time_t t)
{
	struct fx x;
	X509 *c;
	unsigned char buf[8192], cert[8192], *tbs = NULL, *der = NULL;
	const ASN1_BIT_STRING *sig;
	size_t n, m;
	int tn, dn;
	char err[256];

	fx_init(&x, rsaca, rsadev, days, t);
	c = pki_issuer_build(&x.is, x.subject, x.dev, x.f.serial, t, err,
	    sizeof(err));
	if (c == NULL)
		fail_msg("pki_issuer_build: %s", err);
	assert_true(X509_sign(c, cakey_of(rsaca), pki_md_for(cakey_of(rsaca))) >
	    0);
	tn = i2d_re_X509_tbs(c, &tbs);
	n = tbs_encode(&x.t, &x.f, buf, sizeof(buf));
	assert_int_equal(n, tn);
	assert_memory_equal(buf, tbs, n);
	/* the certificate around the same signature */
	X509_get0_signature(&sig, NULL, c);
	m = tbs_cert(&x.t, buf, n, ASN1_STRING_get0_data(sig),
	    (size_t)ASN1_STRING_length(sig), cert, sizeof(cert));
	dn = i2d_X509(c, &der);
	assert_int_equal(m, dn);
	assert_memory_equal(cert, der, m);
	/* too small a buffer */
	assert_int_equal(tbs_encode(&x.t, &x.f, buf, n - 1), 0);
	assert_int_equal(tbs_cert(&x.t, buf, n, ASN1_STRING_get0_data(sig),
	    (size_t)ASN1_STRING_length(sig), cert, m - 1), 0);
	OPENSSL_free(tbs);
	OPENSSL_free(der);
	X509_free(c);
	fx_free(&x);
}

static void
test_same_as_x509(void **state)
{
	time_t now = time(NULL);
	int ca, dev;

	for (ca = 0; ca < 3; ca++)
		for (dev = 0; dev < 2; dev++) {
			same_as_x509(ca, dev, 365, now);
			same_as_x509(ca, dev, 1, now);
		}
}

static void
test_times_2050(void **state)
{
	/* 2049-12-31T23:59:59Z: notBefore the last UTCTime second, notAfter
	 * a GeneralizedTime; then both GeneralizedTime; then 1999 */
	same_as_x509(0, 0, 1, 2524607999);
	same_as_x509(1, 1, 1, 2524608000);
	same_as_x509(0, 1, 30, 946684799);
	same_as_x509(1, 0, 3650, 2208988800);
}

static void
test_tbs_time(void **state)
{
	unsigned char b[TBS_TIME_MAX];

	assert_int_equal(tbs_time(2524607999, b), 15);
	assert_memory_equal(b, "\x17\x0d" "491231235959Z", 15);
	assert_int_equal(tbs_time(2524608000, b), 17);
	assert_memory_equal(b, "\x18\x0f" "20500101000000Z", 17);
	assert_int_equal(tbs_time(0, b), 15);
	assert_memory_equal(b, "\x17\x0d" "700101000000Z", 15);
}

/* Signed from the template: pki_lint and tbs_check pass; every byte
 * changed fails tbs_check. */
static void
signed_ok(int rsaca, int rsadev)
{
	struct fx x;
	unsigned char tbs[8192], cert[8192];
	const unsigned char *p;
	size_t n, m, i;
	char err[256];
	time_t now = time(NULL);
	X509 *c;

	fx_init(&x, rsaca, rsadev, 30, now);
	n = tbs_encode(&x.t, &x.f, tbs, sizeof(tbs));
	assert_true(n > 0);
	m = tbs_sign(&x.sg, tbs, n, cert, sizeof(cert));
	assert_true(m > n);
	if (tbs_check(&x.sg, &x.f, cert, m, now, err, sizeof(err)) != 0)
		fail_msg("tbs_check: %s", err);
	p = cert;
	c = d2i_X509(NULL, &p, (long)m);
	assert_non_null(c);
	assert_ptr_equal(p, cert + m);
	if (pki_lint(c, ca_of(rsaca), PROFILE_DEVICE, err, sizeof(err)) != 0)
		fail_msg("pki_lint: %s", err);
	assert_int_equal(X509_check_purpose(c, X509_PURPOSE_SSL_CLIENT, 0), 1);
	assert_int_equal(!!(X509_get_key_usage(c) & KU_KEY_ENCIPHERMENT),
	    rsadev);
	X509_free(c);
	for (i = 0; i < m; i++) {
		cert[i] ^= 0x01;
		if (tbs_check(&x.sg, &x.f, cert, m, now, err,
		    sizeof(err)) == 0)
			fail_msg("byte %zu of %zu changed, tbs_check passed", i,
			    m);
		cert[i] ^= 0x01;
	}
	assert_int_not_equal(tbs_check(&x.sg, &x.f, cert, m - 1, now, err,
	    sizeof(err)), 0);
	/* expired by the clock given */
	assert_int_not_equal(tbs_check(&x.sg, &x.f, cert, m, now + 31 * DAY,
	    err, sizeof(err)), 0);
	assert_string_equal(err, "certificate has expired");
	fx_free(&x);
}

static void
test_signed(void **state)
{
	signed_ok(0, 0);
	signed_ok(0, 1);
	signed_ok(1, 0);
	signed_ok(1, 1);
	signed_ok(2, 0);
}

/* What the template would not make. */
static void
test_refused(void **state)
{
	struct fx x;
	unsigned char tbs[8192], cert[8192], *e = NULL;
	size_t n, m;
	char err[256];
	time_t now = time(NULL);
	X509_NAME *empty = X509_NAME_new();
	size_t sl;
	int el;

	fx_init(&x, 0, 0, 30, now);
	sl = x.f.subjectlen;
	/* an empty subject */
	el = i2d_X509_NAME(empty, &e);
	x.f.subject = e;
	x.f.subjectlen = (size_t)el;
	n = tbs_encode(&x.t, &x.f, tbs, sizeof(tbs));
	m = tbs_sign(&x.sg, tbs, n, cert, sizeof(cert));
	assert_int_equal(tbs_check(&x.sg, &x.f, cert, m, now, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "empty subject");
	x.f.subject = x.subj;
	x.f.subjectlen = sl;
	/* a validity past the CA's */
	x.f.t = now + 3649 * DAY;
	n = tbs_encode(&x.t, &x.f, tbs, sizeof(tbs));
	m = tbs_sign(&x.sg, tbs, n, cert, sizeof(cert));
	assert_int_equal(tbs_check(&x.sg, &x.f, cert, m, now, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "validity ends after the issuer's notAfter");
	/* a serial of fewer than 64 bits */
	x.f.t = now;
	memset(x.f.serial, 0, 9);
	n = tbs_encode(&x.t, &x.f, tbs, sizeof(tbs));
	m = tbs_sign(&x.sg, tbs, n, cert, sizeof(cert));
	assert_int_equal(tbs_check(&x.sg, &x.f, cert, m, now, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "serial number is not a positive integer of "
	    "8 to 20 octets");
	/* the same certificate checked for another key */
	memset(x.f.serial, 0x41, TBS_SERIAL);
	n = tbs_encode(&x.t, &x.f, tbs, sizeof(tbs));
	m = tbs_sign(&x.sg, tbs, n, cert, sizeof(cert));
	assert_int_equal(tbs_check(&x.sg, &x.f, cert, m, now, err,
	    sizeof(err)), 0);
	x.f.kind = TBS_RSA;
	assert_int_equal(tbs_check(&x.sg, &x.f, cert, m, now, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "basicConstraints, keyUsage or "
	    "extendedKeyUsage is not the template's");
	OPENSSL_free(e);
	X509_NAME_free(empty);
	fx_free(&x);
}

static void
test_device_only(void **state)
{
	struct pki_issuer is;
	struct tbs_tmpl t;
	char err[256];

	assert_int_equal(pki_issuer_init(&is, PROFILE_VERIFICATION, F.ecca,
	    F.eckey, 30, err, sizeof(err)), 0);
	assert_int_equal(tbs_tmpl_init(&t, &is, err, sizeof(err)), -1);
	assert_string_equal(err, "a template is for device certificates");
	pki_issuer_free(&is);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tbs_time),
		cmocka_unit_test(test_same_as_x509),
		cmocka_unit_test(test_times_2050),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_device_only),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
