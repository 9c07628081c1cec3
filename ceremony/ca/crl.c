/* CRL v2: built from the ledger's revocations, signed with the CA key,
 * and linted against RFC 5280 before it is written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca/crl.h"
#include "ca/pki.h"
#include "core/util.h"

static ASN1_INTEGER *
serial_int(const char *hex)
{
	BIGNUM *bn = NULL;
	ASN1_INTEGER *a = NULL;

	if (BN_hex2bn(&bn, hex) == (int)strlen(hex) && bn != NULL)
		a = BN_to_ASN1_INTEGER(bn, NULL);
	BN_free(bn);
	return a;
}

static int
set_time(X509_CRL *crl, time_t t, int next)
{
	ASN1_TIME *a = ASN1_TIME_set(NULL, t);
	int ok;

	if (a == NULL)
		return 0;
	ok = next ? X509_CRL_set1_nextUpdate(crl, a) :
		    X509_CRL_set1_lastUpdate(crl, a);
	ASN1_TIME_free(a);
	return ok;
}

static int
add_entry(X509_CRL *crl, const struct crl_entry *e)
{
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_INTEGER *sn = serial_int(e->serial);
	ASN1_TIME *t = ASN1_TIME_set(NULL, e->when);
	ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();
	int ok;

	ok = r != NULL && sn != NULL && t != NULL && reason != NULL &&
	    X509_REVOKED_set_serialNumber(r, sn) &&
	    X509_REVOKED_set_revocationDate(r, t) &&
	    ASN1_ENUMERATED_set(reason, e->reason);
	/* RFC 5280 5.3.1: unspecified is said by leaving the code out */
	if (ok && e->reason != 0)
		ok = X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, reason, 0,
		    0);
	if (ok)
		ok = X509_CRL_add0_revoked(crl, r);
	if (!ok)
		X509_REVOKED_free(r);
	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(t);
	ASN1_ENUMERATED_free(reason);
	return ok;
}

static int
add_aki(X509_CRL *crl, const X509 *ca)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id((X509 *)ca);
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	int ok;

	ok = akid != NULL && ski != NULL &&
	    (akid->keyid = ASN1_OCTET_STRING_dup(ski)) != NULL &&
	    X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0,
	    0);
	AUTHORITY_KEYID_free(akid);
	return ok;
}

X509_CRL *
crl_build(const X509 *ca, EVP_PKEY *key, const struct crl_entry *e,
    size_t n, long number, time_t this_update, time_t next_update,
    char *err, size_t errlen)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const char *md = EVP_MD_get0_name(pki_md_for(key));
	size_t i;

	if (crl == NULL || num == NULL || c == NULL || md == NULL ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) ||
	    !set_time(crl, this_update, 0) || !set_time(crl, next_update, 1) ||
	    !ASN1_INTEGER_set(num, number) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0)) {
		errf(err, errlen, "cannot build the CRL");
		goto fail;
	}
	if (!add_aki(crl, ca)) {
		errf(err, errlen, "cannot add the authorityKeyIdentifier (the "
		    "CA certificate has no subjectKeyIdentifier)");
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (!add_entry(crl, &e[i])) {
			errf(err, errlen, "cannot add serial %s to the CRL",
			    e[i].serial);
			goto fail;
		}
	if (!X509_CRL_sort(crl) ||
	    !EVP_DigestSignInit_ex(c, NULL, md, NULL, NULL, key, NULL) ||
	    X509_CRL_sign_ctx(crl, c) <= 0) {
		errf(err, errlen, "cannot sign the CRL with the CA key");
		goto fail;
	}
	ASN1_INTEGER_free(num);
	EVP_MD_CTX_free(c);
	return crl;
fail:
	X509_CRL_free(crl);
	ASN1_INTEGER_free(num);
	EVP_MD_CTX_free(c);
	return NULL;
}

long
crl_number(const X509_CRL *crl)
{
	ASN1_INTEGER *num;
	long v;

	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	if (num == NULL)
		return -1;
	v = ASN1_INTEGER_get(num);
	ASN1_INTEGER_free(num);
	return v;
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
hexcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each entry: a positive serial of at most 20 octets, once; the reason
 * code, when present, one this tool writes (1-5). */
static int
lint_entries(const X509_CRL *crl, char *err, size_t errlen)
{
	STACK_OF(X509_REVOKED) *sk = X509_CRL_get_REVOKED((X509_CRL *)crl);
	const ASN1_INTEGER *sn;
	ASN1_ENUMERATED *reason;
	char **hex = NULL;
	int i, n = sk ? sk_X509_REVOKED_num(sk) : 0, rv = -1, crit;
	long code;

	if (n > 0 && (hex = calloc((size_t)n, sizeof(*hex))) == NULL)
		return errf(err, errlen, "out of memory");
	for (i = 0; i < n; i++) {
		X509_REVOKED *r = sk_X509_REVOKED_value(sk, i);
		BIGNUM *bn;

		sn = X509_REVOKED_get0_serialNumber(r);
		bn = ASN1_INTEGER_to_BN(sn, NULL);
		if (bn == NULL || BN_is_negative(bn) || BN_is_zero(bn) ||
		    ASN1_STRING_length(sn) > 20 ||
		    (hex[i] = BN_bn2hex(bn)) == NULL) {
			BN_free(bn);
			errf(err, errlen, "entry %d: the serial must be "
			    "positive and at most 20 octets", i + 1);
			goto out;
		}
		BN_free(bn);
		reason = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, &crit,
		    NULL);
		code = reason != NULL ? ASN1_ENUMERATED_get(reason) : 0;
		ASN1_ENUMERATED_free(reason);
		if ((reason == NULL && crit != -1) || code < 0 || code > 5 ||
		    (reason != NULL && code == 0)) {
			errf(err, errlen, "serial %s: bad reasonCode", hex[i]);
			goto out;
		}
	}
	if (n > 1)
		qsort(hex, (size_t)n, sizeof(*hex), hexcmp);
	for (i = 1; i < n; i++)
		if (strcmp(hex[i - 1], hex[i]) == 0) {
			errf(err, errlen, "serial %s is listed twice", hex[i]);
			goto out;
		}
	rv = 0;
out:
	for (i = 0; hex != NULL && i < n; i++)
		OPENSSL_free(hex[i]);
	free(hex);
	return rv;
}

int
crl_lint(const X509_CRL *crl, const X509 *ca, char *err, size_t errlen)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id((X509 *)ca);
	const ASN1_TIME *last = X509_CRL_get0_lastUpdate(crl),
			*next = X509_CRL_get0_nextUpdate(crl);
	AUTHORITY_KEYID *akid;
	ASN1_INTEGER *num;
	EVP_PKEY *pub;
	int crit, ok;

	if (X509_CRL_get_version(crl) != X509_CRL_VERSION_2)
		return errf(err, errlen, "not a version 2 CRL");
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(ca)) != 0)
		return errf(err, errlen, "the issuer is not the CA's subject");
	if (!sig_ok(X509_CRL_get_signature_nid(crl)))
		return errf(err, errlen, "signature algorithm is not "
		    "SHA-256/384/512 with RSA or ECDSA");
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, &crit, NULL);
	ok = num != NULL && crit == 0 && ASN1_INTEGER_get(num) >= 0 &&
	    ASN1_STRING_length(num) <= 20;
	ASN1_INTEGER_free(num);
	if (!ok)
		return errf(err, errlen, "cRLNumber missing, critical or "
		    "negative (RFC 5280 5.2.3)");
	akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, &crit,
	    NULL);
	ok = akid != NULL && crit == 0 && akid->keyid != NULL && ski != NULL &&
	    ASN1_OCTET_STRING_cmp(akid->keyid, ski) == 0;
	AUTHORITY_KEYID_free(akid);
	if (!ok)
		return errf(err, errlen, "authorityKeyIdentifier missing or "
		    "not the CA's subjectKeyIdentifier (RFC 5280 5.2.1)");
	if (last == NULL || next == NULL || ASN1_TIME_compare(last, next) >= 0)
		return errf(err, errlen, "nextUpdate missing or not after "
		    "thisUpdate (RFC 5280 5.1.2.5)");
	if (ASN1_TIME_compare(next, X509_get0_notAfter(ca)) > 0)
		return errf(err, errlen, "nextUpdate is past the CA's notAfter");
	if (!(X509_get_extension_flags((X509 *)ca) & EXFLAG_KUSAGE) ||
	    !(X509_get_key_usage((X509 *)ca) & KU_CRL_SIGN))
		return errf(err, errlen, "the CA certificate's keyUsage lacks "
		    "cRLSign (RFC 5280 4.2.1.3)");
	if (lint_entries(crl, err, errlen) == -1)
		return -1;
	pub = X509_get0_pubkey(ca);
	if (pub == NULL || X509_CRL_verify((X509_CRL *)crl, pub) != 1)
		return errf(err, errlen, "the signature does not verify with "
		    "the CA's key");
	return 0;
}

X509_CRL *
crl_load(const char *path)
{
	unsigned char *buf;
	size_t len;
	BIO *b;
	X509_CRL *crl;

	if (file_read(path, &buf, &len, INPUT_MAX) == -1)
		return NULL;
	b = BIO_new_mem_buf(buf, (int)len);
	crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	free(buf);
	if (crl == NULL)
		warnf("%s: not a PEM CRL", path);
	return crl;
}

int
crl_pem(const X509_CRL *crl, char **pem, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int rv = -1;

	if (b == NULL || !PEM_write_bio_X509_CRL(b, (X509_CRL *)crl))
		goto out;
	n = BIO_get_mem_data(b, &p);
	if (n <= 0 || (*pem = malloc((size_t)n + 1)) == NULL)
		goto out;
	memcpy(*pem, p, (size_t)n);
	(*pem)[n] = 0;
	*len = (size_t)n;
	rv = 0;
out:
	BIO_free(b);
	return rv;
}
