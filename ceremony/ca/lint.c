/* Certificate lint: the AWS IoT rules and RFC 5280 basics, per profile. */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ca/pki.h"

#define FAIL(...)                                                          \
	do {                                                               \
		snprintf(err, errlen, __VA_ARGS__);                        \
		goto out;                                                  \
	} while (0)

static int
ext_critical(const X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

static int
sig_ok(int nid)
{
	switch (nid) {
	case NID_sha256WithRSAEncryption:
	case NID_sha384WithRSAEncryption:
	case NID_sha512WithRSAEncryption:
	case NID_ecdsa_with_SHA256:
	case NID_ecdsa_with_SHA384:
	case NID_ecdsa_with_SHA512:
		return 1;
	}
	return 0;
}

static int
lint_serial(const X509 *x, char *err, size_t errlen)
{
	const ASN1_INTEGER *s = X509_get0_serialNumber(x);
	BIGNUM *bn = ASN1_INTEGER_to_BN(s, NULL);
	int rv = -1, bytes;

	if (bn == NULL)
		FAIL("serial number does not parse");
	if (BN_is_negative(bn) || BN_is_zero(bn))
		FAIL("serial number must be positive");
	bytes = BN_num_bytes(bn);
	if (bytes + (BN_num_bits(bn) % 8 == 0) > 20)
		FAIL("serial number is longer than 20 octets");
	if (bytes < 8)
		FAIL("serial number has fewer than 64 bits");
	rv = 0;
out:
	BN_free(bn);
	return rv;
}

static int
lint_validity(const X509 *x, const X509 *issuer, char *err, size_t errlen)
{
	const ASN1_TIME *nb = X509_get0_notBefore(x), *na = X509_get0_notAfter(x);
	int rv = -1;

	if (ASN1_TIME_compare(nb, na) >= 0)
		FAIL("notBefore is not before notAfter");
	if (X509_cmp_current_time(na) <= 0)
		FAIL("certificate has expired");
	if (issuer != NULL && issuer != x) {
		if (ASN1_TIME_compare(nb, X509_get0_notBefore(issuer)) < 0)
			FAIL("validity starts before the issuer's");
		if (ASN1_TIME_compare(na, X509_get0_notAfter(issuer)) > 0)
			FAIL("validity ends after the issuer's notAfter");
	}
	rv = 0;
out:
	return rv;
}

int
pki_lint(const X509 *cert, const X509 *issuer, enum pki_profile profile,
    char *err, size_t errlen)
{
	X509 *x = (X509 *)cert;
	const X509 *is = issuer ? issuer : cert;
	const ASN1_OCTET_STRING *ski, *aki, *iski;
	EVP_PKEY *pub;
	char desc[64];
	uint32_t ku;
	int rv = -1, ca;

	ERR_set_mark();
	if (X509_get_version(x) != X509_VERSION_3)
		FAIL("not an X.509 v3 certificate");
	if (lint_serial(x, err, errlen) == -1)
		goto out;
	if (!sig_ok(X509_get_signature_nid(x)))
		FAIL("signature algorithm %s; AWS IoT needs SHA-256/384/512 "
		    "with RSA or ECDSA", OBJ_nid2sn(X509_get_signature_nid(x)));
	if ((pub = X509_get0_pubkey(x)) == NULL)
		FAIL("public key does not parse");
	if (pki_key_check(pub, desc, sizeof(desc), err, errlen) == -1)
		goto out;
	if (lint_validity(x, issuer, err, errlen) == -1)
		goto out;
	if (X509_NAME_cmp(X509_get_issuer_name(x),
		X509_get_subject_name(is)) != 0)
		FAIL("issuer name does not match the issuer's subject");
	if (X509_NAME_entry_count(X509_get_subject_name(x)) == 0)
		FAIL("empty subject");
	ski = X509_get0_subject_key_id(x);
	aki = X509_get0_authority_key_id(x);
	iski = X509_get0_subject_key_id((X509 *)is);
	if (ski == NULL)
		FAIL("no subjectKeyIdentifier");
	if (aki == NULL)
		FAIL("no authorityKeyIdentifier key id");
	if (iski == NULL || ASN1_OCTET_STRING_cmp(aki, iski) != 0)
		FAIL("authorityKeyIdentifier does not match the issuer's "
		    "subjectKeyIdentifier");
	ca = (X509_get_extension_flags(x) & EXFLAG_BCONS) &&
	    (X509_get_extension_flags(x) & EXFLAG_CA);
	ku = X509_get_key_usage(x);
	if (!(X509_get_extension_flags(x) & EXFLAG_KUSAGE))
		FAIL("no keyUsage");
	if (profile == PROFILE_CA) {
		if (!ca || !ext_critical(x, NID_basic_constraints))
			FAIL("basicConstraints must be critical CA:TRUE (AWS "
			    "rejects a CA without it)");
		if ((ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) !=
		    (KU_KEY_CERT_SIGN | KU_CRL_SIGN) ||
		    !ext_critical(x, NID_key_usage))
			FAIL("keyUsage must be critical keyCertSign, cRLSign");
	} else {
		if (ca)
			FAIL("a %s certificate must not be a CA",
			    profile == PROFILE_DEVICE ? "device" :
			    "verification");
		if (!(ku & KU_DIGITAL_SIGNATURE))
			FAIL("keyUsage lacks digitalSignature");
		if (profile == PROFILE_DEVICE &&
		    (!(X509_get_extension_flags(x) & EXFLAG_XKUSAGE) ||
		     !(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT)))
			FAIL("extendedKeyUsage lacks clientAuth");
	}
	if (X509_verify(x, X509_get0_pubkey(is)) != 1)
		FAIL("signature does not verify with the issuer's key");
	rv = 0;
out:
	ERR_pop_to_mark();
	return rv;
}
