/* crl_build and crl_lint: a CRL from crl_build passes (EC and RSA CAs,
 * with and without entries); each RFC 5280 rule broken, made with OpenSSL
 * directly and re-signed so only that rule is wrong, is rejected with its
 * own message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "ca/crl.h"
#include "ca/pki.h"

#define DAY (24L * 3600)

static EVP_PKEY *cakey, *otherkey, *rsakey;
static X509 *ca, *other, *rsaca;
static time_t now;

static X509 *
make_ca(const char *cn, EVP_PKEY *key)
{
	char err[128], subj[64];
	X509_NAME *n;
	X509 *x;

	snprintf(subj, sizeof(subj), "/C=US/CN=%s", cn);
	n = pki_subject_parse(subj, err, sizeof(err));
	assert_non_null(n);
	x = pki_cert_issue(PROFILE_CA, n, key, NULL, key, 100);
	X509_NAME_free(n);
	assert_non_null(x);
	return x;
}

static int
setup(void **state)
{
	now = time(NULL);
	cakey = pki_keygen(KEY_P256);
	otherkey = pki_keygen(KEY_P256);
	rsakey = pki_keygen(KEY_RSA2048);
	ca = make_ca("CA", cakey);
	other = make_ca("CA", otherkey); /* same name, another key */
	rsaca = make_ca("RSA CA", rsakey);
	return 0;
}

static int
teardown(void **state)
{
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(otherkey);
	EVP_PKEY_free(rsakey);
	X509_free(ca);
	X509_free(other);
	X509_free(rsaca);
	return 0;
}

static const struct crl_entry two[] = {
	{"4a5b6c7d8e9f00112233445566778899", 1796198400, 1},
	{"5a5b6c7d8e9f00112233445566778899", 1796198400, 0},
};

static X509_CRL *
good(const X509 *c, EVP_PKEY *k)
{
	char err[160];
	X509_CRL *crl = crl_build(c, k, two, 2, 7, now, now + 30 * DAY, err,
	    sizeof(err));

	assert_non_null(crl);
	return crl;
}

static void
lint_fails(X509_CRL *crl, const X509 *c, const char *want)
{
	char err[256];

	assert_int_equal(crl_lint(crl, c, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("lint said '%s', want '%s'", err, want);
	X509_CRL_free(crl);
}

static void
resign(X509_CRL *crl, EVP_PKEY *k)
{
	assert_true(X509_CRL_sign(crl, k, EVP_sha256()) > 0);
}

static void
test_good(void **state)
{
	X509_CRL *crl;
	char err[256];
	X509_REVOKED *r;
	int crit;
	ASN1_ENUMERATED *reason;

	crl = good(ca, cakey);
	assert_int_equal(crl_lint(crl, ca, err, sizeof(err)), 0);
	assert_int_equal(crl_number(crl), 7);
	assert_int_equal(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 2);
	/* keyCompromise carries its code; unspecified leaves it out */
	r = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl), 0);
	reason = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, &crit, NULL);
	assert_non_null(reason);
	assert_int_equal(ASN1_ENUMERATED_get(reason), 1);
	ASN1_ENUMERATED_free(reason);
	r = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl), 1);
	assert_null(X509_REVOKED_get_ext_d2i(r, NID_crl_reason, &crit, NULL));
	X509_CRL_free(crl);
	crl = good(rsaca, rsakey);
	assert_int_equal(crl_lint(crl, rsaca, err, sizeof(err)), 0);
	X509_CRL_free(crl);
	crl = crl_build(ca, cakey, NULL, 0, 1, now, now + DAY, err,
	    sizeof(err));
	assert_non_null(crl);
	assert_int_equal(crl_lint(crl, ca, err, sizeof(err)), 0);
	X509_CRL_free(crl);
}

static void
test_number(void **state)
{
	X509_CRL *crl = good(ca, cakey);
	int i = X509_CRL_get_ext_by_NID(crl, NID_crl_number, -1);

	X509_EXTENSION_free(X509_CRL_delete_ext(crl, i));
	resign(crl, cakey);
	assert_int_equal(crl_number(crl), -1);
	lint_fails(crl, ca, "cRLNumber missing");
}

static void
test_aki(void **state)
{
	X509_CRL *crl = good(ca, cakey);
	int i = X509_CRL_get_ext_by_NID(crl, NID_authority_key_identifier, -1);

	X509_EXTENSION_free(X509_CRL_delete_ext(crl, i));
	resign(crl, cakey);
	lint_fails(crl, ca, "authorityKeyIdentifier");
	/* another key's id, signed by the right key */
	crl = good(other, cakey);
	lint_fails(crl, ca, "authorityKeyIdentifier");
}

static void
test_times(void **state)
{
	char err[160];
	X509_CRL *crl;

	crl = crl_build(ca, cakey, two, 2, 1, now, now - DAY, err,
	    sizeof(err));
	assert_non_null(crl);
	lint_fails(crl, ca, "not after thisUpdate");
	crl = crl_build(ca, cakey, two, 2, 1, now, now, err, sizeof(err));
	lint_fails(crl, ca, "not after thisUpdate");
	crl = crl_build(ca, cakey, two, 2, 1, now, now + 200 * DAY, err,
	    sizeof(err));
	lint_fails(crl, ca, "past the CA's notAfter");
}

static void
test_crlsign(void **state)
{
	X509 *c = X509_dup(ca);
	X509_EXTENSION *ku;
	ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();
	X509_CRL *crl;
	int i;

	/* keyCertSign only */
	assert_true(ASN1_BIT_STRING_set_bit(bits, 5, 1));
	i = X509_get_ext_by_NID(c, NID_key_usage, -1);
	X509_EXTENSION_free(X509_delete_ext(c, i));
	ku = X509V3_EXT_i2d(NID_key_usage, 1, bits);
	assert_true(X509_add_ext(c, ku, -1));
	X509_EXTENSION_free(ku);
	ASN1_BIT_STRING_free(bits);
	assert_true(X509_sign(c, cakey, EVP_sha256()) > 0);
	crl = good(c, cakey);
	lint_fails(crl, c, "lacks cRLSign");
	X509_free(c);
}

static void
test_signature(void **state)
{
	X509_CRL *crl = good(ca, cakey);

	resign(crl, otherkey);
	lint_fails(crl, ca, "signature does not verify");
	crl = good(ca, cakey);
	assert_true(X509_CRL_sign(crl, cakey, EVP_sha1()) > 0);
	lint_fails(crl, ca, "signature algorithm");
}

static void
test_version_issuer(void **state)
{
	X509_CRL *crl = good(ca, cakey);
	X509_NAME *n;
	char err[64];

	assert_true(X509_CRL_set_version(crl, X509_CRL_VERSION_1));
	resign(crl, cakey);
	lint_fails(crl, ca, "not a version 2 CRL");
	crl = good(ca, cakey);
	n = pki_subject_parse("/CN=Someone else", err, sizeof(err));
	assert_true(X509_CRL_set_issuer_name(crl, n));
	X509_NAME_free(n);
	resign(crl, cakey);
	lint_fails(crl, ca, "issuer is not the CA's subject");
}

static void
test_entries(void **state)
{
	static const struct crl_entry dup[] = {
		{"4a5b6c7d8e9f00112233445566778899", 1796198400, 1},
		{"4a5b6c7d8e9f00112233445566778899", 1796198400, 4},
	};
	char err[160];
	X509_CRL *crl;

	crl = crl_build(ca, cakey, dup, 2, 1, now, now + DAY, err,
	    sizeof(err));
	assert_non_null(crl);
	lint_fails(crl, ca, "listed twice");
	/* a serial that is not hex is refused when building */
	{
		static const struct crl_entry bad[] = {{"xyz", 0, 1}};

		assert_null(crl_build(ca, cakey, bad, 1, 1, now, now + DAY,
		    err, sizeof(err)));
		assert_non_null(strstr(err, "xyz"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_aki),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_crlsign),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_version_issuer),
		cmocka_unit_test(test_entries),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
