/* Certificate lint: the AWS IoT rules and RFC 5280 basics, per profile. */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ca/keyquality.h"
#include "ca/pki.h"
#include "core/util.h"

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
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	int bytes, bits, positive;

	if (bn == NULL)
		return errf(err, errlen, "serial number does not parse");
	positive = !BN_is_negative(bn) && !BN_is_zero(bn);
	bytes = BN_num_bytes(bn);
	bits = BN_num_bits(bn);
	BN_free(bn);
	if (!positive)
		return errf(err, errlen, "serial number must be positive");
	if (bytes + (bits % 8 == 0) > 20)
		return errf(err, errlen, "serial number is longer than 20 "
		    "octets");
	if (bytes < 8)
		return errf(err, errlen, "serial number has fewer than 64 "
		    "bits");
	return 0;
}

static int
lint_validity(const X509 *x, const X509 *issuer, char *err, size_t errlen)
{
	const ASN1_TIME *nb = X509_get0_notBefore(x), *na = X509_get0_notAfter(x);

	if (ASN1_TIME_compare(nb, na) >= 0)
		return errf(err, errlen, "notBefore is not before notAfter");
	if (X509_cmp_current_time(na) <= 0)
		return errf(err, errlen, "certificate has expired");
	if (issuer != NULL && issuer != x) {
		if (ASN1_TIME_compare(nb, X509_get0_notBefore(issuer)) < 0)
			return errf(err, errlen, "validity starts before the "
			    "issuer's");
		if (ASN1_TIME_compare(na, X509_get0_notAfter(issuer)) > 0)
			return errf(err, errlen, "validity ends after the "
			    "issuer's notAfter");
	}
	return 0;
}

/* The profile's keyUsage, basicConstraints and extendedKeyUsage. */
static int
lint_usage(const X509 *cert, enum pki_profile profile, char *err,
    size_t errlen)
{
	X509 *x = (X509 *)cert;
	uint32_t ku = X509_get_key_usage(x), flags;
	int ca;

	flags = X509_get_extension_flags(x);
	ca = (flags & EXFLAG_BCONS) && (flags & EXFLAG_CA);
	if (!(flags & EXFLAG_KUSAGE))
		return errf(err, errlen, "no keyUsage");
	if (profile == PROFILE_CA || profile == PROFILE_INTERMEDIATE) {
		if (!ca || !ext_critical(x, NID_basic_constraints))
			return errf(err, errlen, "basicConstraints must be "
			    "critical CA:TRUE (AWS rejects a CA without it)");
		if ((ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) !=
		    (KU_KEY_CERT_SIGN | KU_CRL_SIGN) ||
		    !ext_critical(x, NID_key_usage))
			return errf(err, errlen, "keyUsage must be critical "
			    "keyCertSign, cRLSign");
		if (profile == PROFILE_INTERMEDIATE &&
		    !(ku & KU_DIGITAL_SIGNATURE))
			return errf(err, errlen, "keyUsage lacks "
			    "digitalSignature");
		if (profile == PROFILE_INTERMEDIATE && X509_get_pathlen(x) < 0)
			return errf(err, errlen, "an intermediate CA needs a "
			    "pathLenConstraint");
		return 0;
	}
	if (ca)
		return errf(err, errlen, "a %s certificate must not be a CA",
		    profile == PROFILE_DEVICE ? "device" : "verification");
	if (!(ku & KU_DIGITAL_SIGNATURE))
		return errf(err, errlen, "keyUsage lacks digitalSignature");
	if (profile == PROFILE_DEVICE && (!(flags & EXFLAG_XKUSAGE) ||
	    !(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT)))
		return errf(err, errlen, "extendedKeyUsage lacks clientAuth");
	return 0;
}

/* An intermediate sits under its issuer: the issuer's pathLenConstraint
 * must leave room for it and for its own. */
static int
lint_pathlen(const X509 *cert, const X509 *issuer, char *err, size_t errlen)
{
	long mine = X509_get_pathlen((X509 *)cert), top;

	if (issuer == NULL || issuer == cert)
		return errf(err, errlen, "an intermediate CA is issued by "
		    "another CA, not by itself");
	top = X509_get_pathlen((X509 *)issuer);
	if (top == 0)
		return errf(err, errlen, "the issuer's pathLenConstraint 0 "
		    "allows no CA under it");
	if (top > 0 && mine >= top)
		return errf(err, errlen, "pathLenConstraint %ld: the "
		    "issuer's is %ld, so at most %ld under it", mine, top,
		    top - 1);
	return 0;
}

static int
lint_cert(const X509 *cert, const X509 *issuer, enum pki_profile profile,
    char *err, size_t errlen)
{
	X509 *x = (X509 *)cert;
	const X509 *is = issuer ? issuer : cert;
	const ASN1_OCTET_STRING *ski, *aki, *iski;
	EVP_PKEY *pub;
	char desc[64];

	if (X509_get_version(x) != X509_VERSION_3)
		return errf(err, errlen, "not an X.509 v3 certificate");
	if (lint_serial(x, err, errlen) == -1)
		return -1;
	if (!sig_ok(X509_get_signature_nid(x)))
		return errf(err, errlen, "signature algorithm %s; AWS IoT "
		    "needs SHA-256/384/512 with RSA or ECDSA",
		    OBJ_nid2sn(X509_get_signature_nid(x)));
	if ((pub = X509_get0_pubkey(x)) == NULL)
		return errf(err, errlen, "public key does not parse");
	if (pki_key_check(pub, desc, sizeof(desc), err, errlen) == -1 ||
	    lint_validity(x, issuer, err, errlen) == -1)
		return -1;
	/* a CA's key once; device keys are checked at CSR intake */
	if ((profile == PROFILE_CA || profile == PROFILE_INTERMEDIATE) &&
	    keyquality_check(pub, err, errlen) == -1)
		return -1;
	if (X509_NAME_cmp(X509_get_issuer_name(x),
		X509_get_subject_name(is)) != 0)
		return errf(err, errlen, "issuer name does not match the "
		    "issuer's subject");
	if (X509_NAME_entry_count(X509_get_subject_name(x)) == 0)
		return errf(err, errlen, "empty subject");
	ski = X509_get0_subject_key_id(x);
	aki = X509_get0_authority_key_id(x);
	iski = X509_get0_subject_key_id((X509 *)is);
	if (ski == NULL)
		return errf(err, errlen, "no subjectKeyIdentifier");
	if (aki == NULL)
		return errf(err, errlen, "no authorityKeyIdentifier key id");
	if (iski == NULL || ASN1_OCTET_STRING_cmp(aki, iski) != 0)
		return errf(err, errlen, "authorityKeyIdentifier does not "
		    "match the issuer's subjectKeyIdentifier");
	if (lint_usage(x, profile, err, errlen) == -1 ||
	    (profile == PROFILE_INTERMEDIATE &&
		lint_pathlen(x, issuer, err, errlen) == -1))
		return -1;
	if (X509_verify(x, X509_get0_pubkey(is)) != 1)
		return errf(err, errlen, "signature does not verify with the "
		    "issuer's key");
	return 0;
}

int
pki_lint(const X509 *cert, const X509 *issuer, enum pki_profile profile,
    char *err, size_t errlen)
{
	int rv;

	ERR_set_mark();
	rv = lint_cert(cert, issuer, profile, err, errlen);
	ERR_pop_to_mark();
	return rv;
}
