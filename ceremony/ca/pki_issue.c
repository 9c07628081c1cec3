/* Issuing certificates: a prepared issuer (profile, extensions and digest
 * built once) signs each certificate; pki_cert_issue is the one-shot form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "ca/pki.h"
#include "ca/tbs.h"
#include "core/util.h"


/* SHA-1 of the public key bits (RFC 5280 4.2.1.2 method 1), as OpenSSL's
 * subjectKeyIdentifier "hash". */
static int
key_id(X509_PUBKEY *pub, unsigned char md[20])
{
	const unsigned char *bits;
	int len;

	return X509_PUBKEY_get0_param(NULL, &bits, &len, NULL, pub) &&
	    EVP_Digest(bits, (size_t)len, md, NULL, EVP_sha1(), NULL) ? 0 : -1;
}

static int
add_ski(X509 *x)
{
	unsigned char md[20];
	ASN1_OCTET_STRING *os = NULL;
	int ok;

	if (key_id(X509_get_X509_PUBKEY(x), md) == -1)
		return -1;
	ok = (os = ASN1_OCTET_STRING_new()) != NULL &&
	    ASN1_OCTET_STRING_set(os, md, sizeof(md)) &&
	    X509_add1_ext_i2d(x, NID_subject_key_identifier, os, 0, 0) == 1;
	ASN1_OCTET_STRING_free(os);
	return ok ? 0 : -1;
}

/* A self-signed certificate's authorityKeyIdentifier: the key id of its
 * own key, as "keyid:always" makes it from the certificate's SKI. */
static X509_EXTENSION *
aki_self(EVP_PKEY *key)
{
	X509_PUBKEY *pub = NULL;
	AUTHORITY_KEYID *a = NULL;
	X509_EXTENSION *e = NULL;
	unsigned char md[20];

	if (X509_PUBKEY_set(&pub, key) && key_id(pub, md) == 0 &&
	    (a = AUTHORITY_KEYID_new()) != NULL &&
	    (a->keyid = ASN1_OCTET_STRING_new()) != NULL &&
	    ASN1_OCTET_STRING_set(a->keyid, md, sizeof(md)))
		e = X509V3_EXT_i2d(NID_authority_key_identifier, 0, a);
	AUTHORITY_KEYID_free(a);
	X509_PUBKEY_free(pub);
	return e;
}

static const char *
ossl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r ? r : "internal error";
}

void
pki_issuer_free(struct pki_issuer *is)
{
	X509_EXTENSION_free(is->bc);
	X509_EXTENSION_free(is->ku_rsa);
	X509_EXTENSION_free(is->ku_ec);
	X509_EXTENSION_free(is->eku);
	X509_EXTENSION_free(is->aki);
	memset(is, 0, sizeof(*is));
}

int
pki_issuer_init(struct pki_issuer *is, enum pki_profile profile,
    const X509 *ca, EVP_PKEY *cakey, long days, char *err, size_t errlen)
{
	X509V3_CTX ctx;
	int isca = profile == PROFILE_CA || profile == PROFILE_INTERMEDIATE;
	int sub = profile == PROFILE_INTERMEDIATE;

	memset(is, 0, sizeof(*is));
	is->profile = profile;
	is->ca = ca;
	is->cakey = cakey;
	is->days = days;
	is->mdname = EVP_MD_get0_name(pki_md_for(cakey));
	X509V3_set_ctx(&ctx, (X509 *)ca, NULL, NULL, NULL, 0);
	is->bc = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
	    sub ? "critical,CA:TRUE,pathlen:0" : isca ? "critical,CA:TRUE" :
	    "critical,CA:FALSE");
	is->ku_rsa = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, sub ?
	    "critical,digitalSignature,keyCertSign,cRLSign" : isca ?
	    "critical,keyCertSign,cRLSign" :
	    "critical,digitalSignature,keyEncipherment");
	is->ku_ec = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, sub ?
	    "critical,digitalSignature,keyCertSign,cRLSign" : isca ?
	    "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	if (profile == PROFILE_DEVICE)
		is->eku = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage,
		    "clientAuth");
	is->aki = ca == NULL ? aki_self(cakey) : X509V3_EXT_conf_nid(NULL,
	    &ctx, NID_authority_key_identifier, "keyid:always");
	if (is->mdname == NULL || is->bc == NULL || is->ku_rsa == NULL ||
	    is->ku_ec == NULL || is->aki == NULL ||
	    (profile == PROFILE_DEVICE && is->eku == NULL)) {
		errf(err, errlen, "%s", ossl_reason());
		ERR_clear_error();
		pki_issuer_free(is);
		return -1;
	}
	return 0;
}

int
pki_issuer_pathlen(struct pki_issuer *is, int n, char *err, size_t errlen)
{
	X509_EXTENSION *bc;
	char v[64];

	if (is->profile != PROFILE_INTERMEDIATE || n < 0)
		return errf(err, errlen, "a path length is for an intermediate");
	snprintf(v, sizeof(v), "critical,CA:TRUE,pathlen:%d", n);
	if ((bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
	    v)) == NULL) {
		errf(err, errlen, "%s", ossl_reason());
		ERR_clear_error();
		return -1;
	}
	X509_EXTENSION_free(is->bc);
	is->bc = bc;
	return 0;
}

EVP_MD_CTX *
pki_issuer_signer(const struct pki_issuer *is)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (c == NULL || !EVP_DigestSignInit_ex(c, NULL, is->mdname, NULL,
	    NULL, is->cakey, NULL)) {
		EVP_MD_CTX_free(c);
		return NULL;
	}
	return c;
}

X509 *
pki_issuer_build(const struct pki_issuer *is, const X509_NAME *subject,
    EVP_PKEY *pub, const unsigned char serial[TBS_SERIAL], time_t t,
    char *err, size_t errlen)
{
	X509 *x;
	int rsa = EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA;

	if ((x = X509_new()) == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    !ASN1_STRING_set(X509_get_serialNumber(x), serial, TBS_SERIAL) ||
	    !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, is->ca ? X509_get_subject_name(is->ca) :
		subject) ||
	    !X509_set_pubkey(x, pub) ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &t) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)is->days, 0, &t) ==
		NULL ||
	    !X509_add_ext(x, is->bc, -1) ||
	    !X509_add_ext(x, rsa ? is->ku_rsa : is->ku_ec, -1) ||
	    (is->eku != NULL && !X509_add_ext(x, is->eku, -1)) ||
	    add_ski(x) == -1 || !X509_add_ext(x, is->aki, -1)) {
		errf(err, errlen, "%s", ossl_reason());
		ERR_clear_error();
		X509_free(x);
		return NULL;
	}
	return x;
}

X509 *
pki_issuer_sign(const struct pki_issuer *is, const EVP_MD_CTX *signer,
    const X509_NAME *subject, EVP_PKEY *pub, char *err, size_t errlen)
{
	EVP_MD_CTX *sctx = NULL;
	unsigned char serial[TBS_SERIAL];
	X509 *x;

	/* 16 random bytes, top bits 01: positive, 126 random bits */
	randombytes_buf(serial, sizeof(serial));
	serial[0] = (unsigned char)((serial[0] & 0x3f) | 0x40);
	if ((x = pki_issuer_build(is, subject, pub, serial, time(NULL), err,
	    errlen)) == NULL)
		return NULL;
	if (signer == NULL)
		sctx = pki_issuer_signer(is);
	else if ((sctx = EVP_MD_CTX_new()) != NULL &&
	    !EVP_MD_CTX_copy_ex(sctx, signer)) {
		EVP_MD_CTX_free(sctx);
		sctx = NULL;
	}
	if (sctx == NULL || X509_sign_ctx(x, sctx) <= 0) {
		errf(err, errlen, "%s", ossl_reason());
		ERR_clear_error();
		EVP_MD_CTX_free(sctx);
		X509_free(x);
		return NULL;
	}
	EVP_MD_CTX_free(sctx);
	return x;
}

X509 *
pki_cert_issue(enum pki_profile profile, const X509_NAME *subject,
    EVP_PKEY *pub, const X509 *issuer, EVP_PKEY *issuer_key, long days)
{
	struct pki_issuer is;
	char err[256];
	X509 *x = NULL;

	if (pki_issuer_init(&is, profile, issuer, issuer_key, days, err,
	    sizeof(err)) == 0) {
		x = pki_issuer_sign(&is, NULL, subject, pub, err, sizeof(err));
		pki_issuer_free(&is);
	}
	if (x == NULL)
		warnf("cannot build the certificate: %s", err);
	return x;
}
