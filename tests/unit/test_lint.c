/* pki_lint: certificates from the prepared issuer (pki_cert_issue) pass;
 * each broken rule, made with OpenSSL directly and re-signed so only that
 * rule is wrong, is rejected with its own message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "ca/pki.h"

#define DAY (24L * 3600)

struct fix {
	EVP_PKEY *cakey, *rsakey, *devkey, *otherkey, *p384key;
	X509 *ca, *rsaca;
};
static struct fix F;

static X509_NAME *
name(const char *s)
{
	char err[256];
	X509_NAME *n = pki_subject_parse(s, err, sizeof(err));

	assert_non_null(n);
	return n;
}

static X509 *
issue(enum pki_profile p, const char *subject, EVP_PKEY *pub,
    const X509 *issuer, EVP_PKEY *ikey, long days)
{
	X509_NAME *n = name(subject);
	X509 *x = pki_cert_issue(p, n, pub, issuer, ikey, days);

	X509_NAME_free(n);
	assert_non_null(x);
	return x;
}

static int
setup(void **state)
{
	X509_NAME *n1 = name("/C=IN/O=AMZ/CN=Lint CA");
	X509_NAME *n2 = name("/C=IN/O=AMZ/CN=RSA CA");

	F.cakey = pki_keygen(KEY_P256);
	F.rsakey = pki_keygen(KEY_RSA2048);
	F.devkey = pki_keygen(KEY_P256);
	F.otherkey = pki_keygen(KEY_P256);
	F.p384key = pki_keygen(KEY_P384);
	if (!F.cakey || !F.rsakey || !F.devkey || !F.otherkey || !F.p384key)
		return -1;
	F.ca = pki_cert_issue(PROFILE_CA, n1, F.cakey, NULL, F.cakey, 3650);
	F.rsaca = pki_cert_issue(PROFILE_CA, n2, F.rsakey, NULL, F.rsakey,
	    3650);
	X509_NAME_free(n1);
	X509_NAME_free(n2);
	return F.ca && F.rsaca ? 0 : -1;
}

static int
teardown(void **state)
{
	X509_free(F.ca);
	X509_free(F.rsaca);
	EVP_PKEY_free(F.cakey);
	EVP_PKEY_free(F.rsakey);
	EVP_PKEY_free(F.devkey);
	EVP_PKEY_free(F.otherkey);
	EVP_PKEY_free(F.p384key);
	return 0;
}

/* Re-signs after a change and returns a fresh parse of the DER, as lint
 * would see a certificate read from a file. Frees x. */
static X509 *
resign(X509 *x, EVP_PKEY *key, const EVP_MD *md)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	X509 *y;
	int len;

	assert_true(X509_sign(x, key, md) > 0);
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	p = der;
	y = d2i_X509(NULL, &p, len);
	assert_non_null(y);
	OPENSSL_free(der);
	X509_free(x);
	return y;
}

static void
lint_ok(X509 *x, const X509 *issuer, enum pki_profile p)
{
	char err[256] = "";
	int rv = pki_lint(x, issuer, p, err, sizeof(err));

	if (rv != 0)
		print_error("unexpected lint failure: %s\n", err);
	assert_int_equal(rv, 0);
}

/* Lint must fail with want in the message. Frees x. */
static void
lint_bad(X509 *x, const X509 *issuer, enum pki_profile p, const char *want)
{
	char err[256] = "";
	int rv;

	ERR_clear_error();
	rv = pki_lint(x, issuer, p, err, sizeof(err));

	if (rv != -1 || strstr(err, want) == NULL)
		print_error("lint: rv %d, '%s'; want '%s'\n", rv, err, want);
	assert_int_equal(rv, -1);
	assert_non_null(strstr(err, want));
	assert_int_equal(ERR_peek_error(), 0);
	X509_free(x);
}

static void
del_ext(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	assert_true(i >= 0);
	X509_EXTENSION_free(X509_delete_ext(x, i));
}

static void
set_ext(X509 *x, const X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int i = X509_get_ext_by_NID(x, nid, -1);

	if (i >= 0)
		X509_EXTENSION_free(X509_delete_ext(x, i));
	X509V3_set_ctx(&ctx, (X509 *)(issuer ? issuer : x), x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_true(X509_add_ext(x, e, -1));
	X509_EXTENSION_free(e);
}

static void
set_serial_hex(X509 *x, const char *hex)
{
	BIGNUM *bn = NULL;

	assert_true(BN_hex2bn(&bn, hex) > 0);
	assert_non_null(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)));
	BN_free(bn);
}

static X509 *
ca_copy(void)
{
	X509 *x = X509_dup(F.ca);

	assert_non_null(x);
	return x;
}

static X509 *
device(long days)
{
	return issue(PROFILE_DEVICE, "/C=IN/CN=thing1", F.devkey, F.ca,
	    F.cakey, days);
}

/* --- what pki_cert_issue makes passes -------------------------------- */

static void
test_issued_pass(void **state)
{
	X509 *v, *d;

	lint_ok(F.ca, NULL, PROFILE_CA);
	lint_ok(F.rsaca, NULL, PROFILE_CA);
	v = issue(PROFILE_VERIFICATION, "/CN=0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", F.rsakey, F.ca, F.cakey, 500);
	lint_ok(v, F.ca, PROFILE_VERIFICATION);
	X509_free(v);
	d = device(365);
	lint_ok(d, F.ca, PROFILE_DEVICE);
	X509_free(d);
	/* an RSA CA signing an EC device */
	d = issue(PROFILE_DEVICE, "/C=IN/CN=thing2", F.devkey, F.rsaca,
	    F.rsakey, 365);
	lint_ok(d, F.rsaca, PROFILE_DEVICE);
	assert_int_equal(X509_get_signature_nid(d),
	    NID_sha256WithRSAEncryption);
	X509_free(d);
}

static void
test_issued_fields(void **state)
{
	EVP_PKEY *k = pki_keygen(KEY_P384);
	const ASN1_INTEGER *s;
	BIGNUM *bn;
	X509 *ca;

	assert_non_null(k);
	ca = issue(PROFILE_CA, "/C=IN/O=AMZ/CN=P384", k, NULL, k, 10);
	lint_ok(ca, NULL, PROFILE_CA);
	assert_int_equal(X509_get_signature_nid(ca), NID_ecdsa_with_SHA384);
	assert_int_equal(X509_get_signature_nid(F.ca), NID_ecdsa_with_SHA256);
	/* positive random serial of 16 octets, differing between certs */
	s = X509_get0_serialNumber(ca);
	bn = ASN1_INTEGER_to_BN(s, NULL);
	assert_non_null(bn);
	assert_false(BN_is_negative(bn));
	assert_int_equal(BN_num_bytes(bn), 16);
	assert_int_not_equal(ASN1_INTEGER_cmp(s, X509_get0_serialNumber(F.ca)),
	    0);
	BN_free(bn);
	assert_int_equal(X509_get_version(ca), X509_VERSION_3);
	X509_free(ca);
	EVP_PKEY_free(k);
}

/* --- signature algorithm and key -------------------------------------- */

static void
test_sha1_rejected(void **state)
{
	X509 *x = resign(X509_dup(F.rsaca), F.rsakey, EVP_sha1());

	assert_int_equal(X509_get_signature_nid(x), NID_sha1WithRSAEncryption);
	lint_bad(x, NULL, PROFILE_CA,
	    "signature algorithm RSA-SHA1; AWS IoT needs SHA-256/384/512");
	x = resign(device(365), F.cakey, EVP_sha1());
	lint_bad(x, F.ca, PROFILE_DEVICE,
	    "signature algorithm ecdsa-with-SHA1");
}

static void
test_sha512_accepted(void **state)
{
	X509 *x = resign(X509_dup(F.rsaca), F.rsakey, EVP_sha512());

	lint_ok(x, NULL, PROFILE_CA);
	X509_free(x);
}

static void
test_rsa1024_rejected(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	X509 *x;

	assert_non_null(k);
	x = issue(PROFILE_CA, "/CN=Weak", k, NULL, k, 10);
	lint_bad(x, NULL, PROFILE_CA,
	    "RSA key of 1024 bits; AWS IoT needs at least 2048");
	x = issue(PROFILE_DEVICE, "/C=IN/CN=weak", k, F.ca, F.cakey, 10);
	lint_bad(x, F.ca, PROFILE_DEVICE, "RSA key of 1024 bits");
	EVP_PKEY_free(k);
}

static void
test_other_keys_rejected(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	X509 *x;

	assert_non_null(k);
	x = issue(PROFILE_DEVICE, "/C=IN/CN=k1", k, F.ca, F.cakey, 10);
	lint_bad(x, F.ca, PROFILE_DEVICE,
	    "EC curve secp256k1; AWS IoT accepts P-256 and P-384");
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(k);
	x = issue(PROFILE_DEVICE, "/C=IN/CN=ed", k, F.ca, F.cakey, 10);
	lint_bad(x, F.ca, PROFILE_DEVICE, "key; AWS IoT accepts RSA");
	EVP_PKEY_free(k);
}

/* --- basicConstraints and keyUsage ------------------------------------ */

static void
test_ca_basic_constraints(void **state)
{
	X509 *x = ca_copy();

	del_ext(x, NID_basic_constraints);
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "basicConstraints must be critical CA:TRUE");
	x = ca_copy();
	set_ext(x, NULL, NID_basic_constraints, "CA:TRUE");
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "basicConstraints must be critical CA:TRUE");
	x = ca_copy();
	set_ext(x, NULL, NID_basic_constraints, "critical,CA:FALSE");
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "basicConstraints must be critical CA:TRUE (AWS rejects");
	/* a path length is fine */
	x = ca_copy();
	set_ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
	x = resign(x, F.cakey, EVP_sha256());
	lint_ok(x, NULL, PROFILE_CA);
	X509_free(x);
}

static void
test_ca_key_usage(void **state)
{
	X509 *x = ca_copy();

	del_ext(x, NID_key_usage);
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "no keyUsage");
	x = ca_copy();
	set_ext(x, NULL, NID_key_usage, "keyCertSign,cRLSign");
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "keyUsage must be critical keyCertSign, cRLSign");
	x = ca_copy();
	set_ext(x, NULL, NID_key_usage, "critical,keyCertSign");
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "keyUsage must be critical keyCertSign, cRLSign");
}

static void
test_device_ca_true(void **state)
{
	X509 *x = device(365);

	set_ext(x, F.ca, NID_basic_constraints, "critical,CA:TRUE");
	set_ext(x, F.ca, NID_key_usage,
	    "critical,digitalSignature,keyCertSign");
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "a device certificate must not be a CA");
}

/* basicConstraints CA:TRUE alone makes a leaf wrong, whatever keyUsage
 * says (X509_check_ca() answers 0 when keyCertSign is absent). */
static void
test_device_ca_true_without_certsign(void **state)
{
	X509 *x = device(365);

	set_ext(x, F.ca, NID_basic_constraints, "critical,CA:TRUE");
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "a device certificate must not be a CA");
}

static void
test_device_without_basic_constraints(void **state)
{
	X509 *x = device(365);

	del_ext(x, NID_basic_constraints);
	x = resign(x, F.cakey, EVP_sha256());
	lint_ok(x, F.ca, PROFILE_DEVICE);
	X509_free(x);
}

static void
test_leaf_digital_signature(void **state)
{
	X509 *x = device(365);

	set_ext(x, F.ca, NID_key_usage, "critical,keyEncipherment");
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "keyUsage lacks digitalSignature");
	x = device(365);
	del_ext(x, NID_key_usage);
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "no keyUsage");
}

static void
test_verification_ca_true(void **state)
{
	X509 *x = issue(PROFILE_VERIFICATION, "/CN=code", F.devkey, F.ca,
	    F.cakey, 5);

	set_ext(x, F.ca, NID_basic_constraints, "critical,CA:TRUE");
	set_ext(x, F.ca, NID_key_usage,
	    "critical,digitalSignature,keyCertSign");
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_VERIFICATION,
	    "a verification certificate must not be a CA");
}

/* No extendedKeyUsage at all means "any" to OpenSSL; a device certificate
 * must still name clientAuth. */
static void
test_device_without_eku(void **state)
{
	X509 *x = device(365);

	del_ext(x, NID_ext_key_usage);
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "extendedKeyUsage lacks clientAuth");
}

static void
test_device_server_auth_only(void **state)
{
	X509 *x = device(365);

	set_ext(x, F.ca, NID_ext_key_usage, "serverAuth");
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "extendedKeyUsage lacks clientAuth");
}

static void
test_device_eku_ok(void **state)
{
	X509 *x = device(365);

	set_ext(x, F.ca, NID_ext_key_usage, "serverAuth,clientAuth");
	x = resign(x, F.cakey, EVP_sha256());
	lint_ok(x, F.ca, PROFILE_DEVICE);
	X509_free(x);
	/* a verification certificate needs no extendedKeyUsage */
	x = device(365);
	del_ext(x, NID_ext_key_usage);
	x = resign(x, F.cakey, EVP_sha256());
	lint_ok(x, F.ca, PROFILE_VERIFICATION);
	X509_free(x);
}

/* --- key identifiers --------------------------------------------------- */

static void
test_key_identifiers(void **state)
{
	X509 *x = ca_copy();

	del_ext(x, NID_subject_key_identifier);
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "no subjectKeyIdentifier");
	x = ca_copy();
	del_ext(x, NID_authority_key_identifier);
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "no authorityKeyIdentifier");
	x = device(365);
	del_ext(x, NID_subject_key_identifier);
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "no subjectKeyIdentifier");
	x = device(365);
	del_ext(x, NID_authority_key_identifier);
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "no authorityKeyIdentifier");
	/* AKI naming a key other than the issuer's */
	x = device(365);
	set_ext(x, NULL, NID_authority_key_identifier, "keyid:always");
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "authorityKeyIdentifier does not match the issuer's "
	    "subjectKeyIdentifier");
	x = ca_copy();
	set_ext(x, NULL, NID_subject_key_identifier,
	    "00112233445566778899aabbccddeeff00112233");
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "authorityKeyIdentifier does not match");
}

/* --- serial numbers ---------------------------------------------------- */

static void
serial_bad(const char *hex, const char *want)
{
	X509 *x = ca_copy();

	set_serial_hex(x, hex);
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA, want);
}

static void
serial_good(const char *hex)
{
	X509 *x = ca_copy();

	set_serial_hex(x, hex);
	x = resign(x, F.cakey, EVP_sha256());
	lint_ok(x, NULL, PROFILE_CA);
	X509_free(x);
}

static void
test_serial(void **state)
{
	serial_bad("0", "serial number must be positive");
	serial_bad("-7F1122334455667788", "serial number must be positive");
	serial_bad("11223344", "serial number has fewer than 64 bits");
	serial_bad("11223344556677", "fewer than 64 bits");
	/* 21 octets of value */
	serial_bad("112233445566778899AABBCCDDEEFF0011223344556",
	    "serial number is longer than 20 octets");
	serial_bad("11223344556677889900112233445566778899AABB",
	    "longer than 20 octets");
	/* 20 octets of value with the top bit set: 21 in DER */
	serial_bad("8011223344556677889900112233445566778899",
	    "serial number is longer than 20 octets");
	serial_good("7F11223344556677889900112233445566778899");
	serial_good("1122334455667788");
}

/* --- validity ---------------------------------------------------------- */

static void
test_validity(void **state)
{
	X509 *x = device(4000);

	/* pki_cert_issue does not clamp; lint catches it */
	lint_bad(x, F.ca, PROFILE_DEVICE,
	    "validity ends after the issuer's notAfter");
	x = device(365);
	assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), -1, 0,
	    NULL));
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "validity starts before the issuer's");
	x = device(3649);
	lint_ok(x, F.ca, PROFILE_DEVICE);
	X509_free(x);
}

static void
test_expired(void **state)
{
	X509 *x = ca_copy();
	time_t now = time(NULL);

	assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), -30, 0, &now));
	assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), -1, 0, &now));
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "certificate has expired");
	x = ca_copy();
	assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 0, -60, &now));
	assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), 0, -60, &now));
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "notBefore is not before notAfter");
	x = ca_copy();
	assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), 2, 0, &now));
	assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 1, 0, &now));
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "notBefore is not before notAfter");
}

/* --- issuer ------------------------------------------------------------ */

static void
test_wrong_issuer_key(void **state)
{
	/* names the right issuer and its key id, signed by another key */
	X509 *x = issue(PROFILE_DEVICE, "/C=IN/CN=thing1", F.devkey, F.ca,
	    F.otherkey, 365);

	lint_bad(x, F.ca, PROFILE_DEVICE,
	    "signature does not verify with the issuer's key");
	/* a self-signed CA whose signature is not its own */
	x = resign(ca_copy(), F.otherkey, EVP_sha256());
	lint_bad(x, NULL, PROFILE_CA, "signature does not verify");
	/* the right key, checked against a different CA with the same name
	 * and key id would need a collision; a different CA with another
	 * name is caught by name */
	x = device(365);
	lint_bad(x, F.rsaca, PROFILE_DEVICE,
	    "issuer name does not match the issuer's subject");
}

static void
test_signature_damage(void **state)
{
	X509 *x = device(365);
	unsigned char *der = NULL;
	const unsigned char *p;
	int len, i;

	len = i2d_X509(x, &der);
	assert_true(len > 0);
	/* flip a bit inside the tbsCertificate (the subject CN "thing1") */
	for (i = 0; i < len - 6; i++)
		if (memcmp(der + i, "thing1", 6) == 0)
			break;
	assert_true(i < len - 6);
	der[i] ^= 0x01;
	p = der;
	X509_free(x);
	x = d2i_X509(NULL, &p, len);
	assert_non_null(x);
	lint_bad(x, F.ca, PROFILE_DEVICE, "signature does not verify");
	OPENSSL_free(der);
}

static void
test_version_and_subject(void **state)
{
	X509 *x = ca_copy();
	X509_NAME *empty = X509_NAME_new();

	assert_true(X509_set_version(x, X509_VERSION_1));
	lint_bad(resign(x, F.cakey, EVP_sha256()), NULL, PROFILE_CA,
	    "not an X.509 v3 certificate");
	x = device(365);
	assert_true(X509_set_subject_name(x, empty));
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_DEVICE,
	    "empty subject");
	X509_NAME_free(empty);
}

/* The issuer makes a self-signed certificate's authorityKeyIdentifier
 * once, from the key: byte for byte what OpenSSL's "keyid:always" makes
 * from the certificate itself. A prepared issuer signs many certificates
 * alike, each with its own serial, and a one-time one the same profile. */
static void
test_prepared_issuer(void **state)
{
	X509 *cas[2] = {F.ca, F.rsaca}, *x[2];
	X509_NAME *n = name("/C=IN/CN=dev");
	struct pki_issuer is;
	EVP_MD_CTX *sg;
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	unsigned char *a, *b;
	char err[256];
	int i, k, la, lb;

	for (i = 0; i < 2; i++) {
		X509V3_set_ctx(&ctx, cas[i], cas[i], NULL, NULL, 0);
		e = X509V3_EXT_conf_nid(NULL, &ctx,
		    NID_authority_key_identifier, "keyid:always");
		assert_non_null(e);
		k = X509_get_ext_by_NID(cas[i], NID_authority_key_identifier,
		    -1);
		assert_true(k >= 0);
		a = b = NULL;
		la = i2d_X509_EXTENSION(e, &a);
		lb = i2d_X509_EXTENSION(X509_get_ext(cas[i], k), &b);
		assert_true(la > 0);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, (size_t)la);
		OPENSSL_free(a);
		OPENSSL_free(b);
		X509_EXTENSION_free(e);
	}
	assert_int_equal(pki_issuer_init(&is, PROFILE_DEVICE, F.rsaca,
	    F.rsakey, 30, err, sizeof(err)), 0);
	assert_string_equal(is.mdname, "SHA256");
	sg = pki_issuer_signer(&is);
	assert_non_null(sg);
	for (i = 0; i < 2; i++) {
		x[i] = pki_issuer_sign(&is, i ? NULL : sg, n, F.devkey, err,
		    sizeof(err));
		assert_non_null(x[i]);
		if (pki_lint(x[i], F.rsaca, PROFILE_DEVICE, err,
		    sizeof(err)) != 0)
			fail_msg("lint: %s", err);
	}
	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(x[0]),
	    X509_get0_serialNumber(x[1])), 0);
	assert_int_equal(X509_get_ext_count(x[0]), X509_get_ext_count(x[1]));
	for (k = 0; k < X509_get_ext_count(x[0]); k++) {
		a = b = NULL;
		la = i2d_X509_EXTENSION(X509_get_ext(x[0], k), &a);
		lb = i2d_X509_EXTENSION(X509_get_ext(x[1], k), &b);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, (size_t)la);
		OPENSSL_free(a);
		OPENSSL_free(b);
	}
	X509_free(x[0]);
	X509_free(x[1]);
	EVP_MD_CTX_free(sg);
	pki_issuer_free(&is);
	/* a P-384 CA signs with SHA-384 */
	assert_int_equal(pki_issuer_init(&is, PROFILE_CA, NULL,
	    F.p384key, 30, err, sizeof(err)), 0);
	assert_string_equal(is.mdname, "SHA384");
	pki_issuer_free(&is);
	X509_NAME_free(n);
}

/* An issuing CA under the root: the profile's pathLen and digitalSignature,
 * the issuer's pathLen, a device under it. */
static void
test_intermediate(void **state)
{
	struct pki_issuer is;
	X509_NAME *n = name("/C=IN/O=AMZ/CN=Issuing CA");
	X509 *im, *x, *pl0, *pl1, *d;
	char err[256];

	im = issue(PROFILE_INTERMEDIATE, "/C=IN/O=AMZ/CN=Issuing CA",
	    F.otherkey, F.ca, F.cakey, 100);
	lint_ok(im, F.ca, PROFILE_INTERMEDIATE);
	assert_int_equal(X509_get_pathlen(im), 0);
	assert_true(X509_get_key_usage(im) & KU_DIGITAL_SIGNATURE);
	d = issue(PROFILE_DEVICE, "/C=IN/CN=thing1", F.devkey, im, F.otherkey,
	    10);
	lint_ok(d, im, PROFILE_DEVICE);
	X509_free(d);
	/* self-issued is not an intermediate */
	lint_bad(issue(PROFILE_INTERMEDIATE, "/CN=self", F.otherkey, NULL,
	    F.otherkey, 10), NULL, PROFILE_INTERMEDIATE, "not by itself");
	/* another path length; the root's pathLen leaves room for it or not */
	assert_int_equal(pki_issuer_init(&is, PROFILE_INTERMEDIATE, F.ca,
	    F.cakey, 100, err, sizeof(err)), 0);
	assert_int_equal(pki_issuer_pathlen(&is, 2, err, sizeof(err)), 0);
	x = pki_issuer_sign(&is, NULL, n, F.otherkey, err, sizeof(err));
	pki_issuer_free(&is);
	assert_non_null(x);
	assert_int_equal(X509_get_pathlen(x), 2);
	lint_ok(x, F.ca, PROFILE_INTERMEDIATE);
	pl1 = X509_dup(F.ca);
	set_ext(pl1, NULL, NID_basic_constraints, "critical,CA:TRUE,pathlen:1");
	pl1 = resign(pl1, F.cakey, EVP_sha256());
	lint_bad(x, pl1, PROFILE_INTERMEDIATE, "the issuer's is 1, so at most 0");
	pl0 = X509_dup(F.ca);
	set_ext(pl0, NULL, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
	pl0 = resign(pl0, F.cakey, EVP_sha256());
	lint_bad(X509_dup(im), pl0, PROFILE_INTERMEDIATE, "allows no CA under it");
	/* no pathLen, no digitalSignature */
	x = X509_dup(im);
	set_ext(x, F.ca, NID_basic_constraints, "critical,CA:TRUE");
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_INTERMEDIATE,
	    "needs a pathLenConstraint");
	x = X509_dup(im);
	set_ext(x, F.ca, NID_key_usage, "critical,keyCertSign,cRLSign");
	lint_bad(resign(x, F.cakey, EVP_sha256()), F.ca, PROFILE_INTERMEDIATE,
	    "lacks digitalSignature");
	/* the profile is for intermediates only */
	assert_int_equal(pki_issuer_init(&is, PROFILE_CA, NULL, F.cakey, 10,
	    err, sizeof(err)), 0);
	assert_int_equal(pki_issuer_pathlen(&is, 1, err, sizeof(err)), -1);
	pki_issuer_free(&is);
	X509_free(pl0);
	X509_free(pl1);
	X509_free(im);
	X509_NAME_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issued_pass),
		cmocka_unit_test(test_issued_fields),
		cmocka_unit_test(test_sha1_rejected),
		cmocka_unit_test(test_sha512_accepted),
		cmocka_unit_test(test_rsa1024_rejected),
		cmocka_unit_test(test_other_keys_rejected),
		cmocka_unit_test(test_ca_basic_constraints),
		cmocka_unit_test(test_ca_key_usage),
		cmocka_unit_test(test_device_ca_true),
		cmocka_unit_test(test_device_ca_true_without_certsign),
		cmocka_unit_test(test_device_without_basic_constraints),
		cmocka_unit_test(test_leaf_digital_signature),
		cmocka_unit_test(test_verification_ca_true),
		cmocka_unit_test(test_device_without_eku),
		cmocka_unit_test(test_device_server_auth_only),
		cmocka_unit_test(test_device_eku_ok),
		cmocka_unit_test(test_key_identifiers),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_wrong_issuer_key),
		cmocka_unit_test(test_signature_damage),
		cmocka_unit_test(test_version_and_subject),
		cmocka_unit_test(test_prepared_issuer),
		cmocka_unit_test(test_intermediate),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
