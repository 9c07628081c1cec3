/* Issuing device certificates in bulk: the device profile of
 * pki_cert_issue, with the parts that are the same for every certificate
 * (extensions, digest, signing context) prepared once. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "sign/csr.h"
#include "ca/pki.h"

static X509_EXTENSION *
ext_conf(X509V3_CTX *ctx, int nid, const char *value)
{
	return X509V3_EXT_conf_nid(NULL, ctx, nid, value);
}

void
csr_issuer_free(struct csr_issuer *is)
{
	X509_EXTENSION_free(is->bc);
	X509_EXTENSION_free(is->ku_rsa);
	X509_EXTENSION_free(is->ku_ec);
	X509_EXTENSION_free(is->eku);
	X509_EXTENSION_free(is->aki);
	memset(is, 0, sizeof(*is));
}

int
csr_issuer_init(struct csr_issuer *is, X509 *ca, EVP_PKEY *cakey, long days)
{
	X509V3_CTX ctx;

	memset(is, 0, sizeof(*is));
	is->ca = ca;
	is->cakey = cakey;
	is->days = days;
	is->mdname = EVP_MD_get0_name(pki_md_for(cakey));
	X509V3_set_ctx(&ctx, ca, NULL, NULL, NULL, 0);
	is->bc = ext_conf(&ctx, NID_basic_constraints, "critical,CA:FALSE");
	is->ku_rsa = ext_conf(&ctx, NID_key_usage,
	    "critical,digitalSignature,keyEncipherment");
	is->ku_ec = ext_conf(&ctx, NID_key_usage, "critical,digitalSignature");
	is->eku = ext_conf(&ctx, NID_ext_key_usage, "clientAuth");
	is->aki = ext_conf(&ctx, NID_authority_key_identifier, "keyid:always");
	ERR_clear_error();
	if (is->mdname == NULL || is->bc == NULL || is->ku_rsa == NULL ||
	    is->ku_ec == NULL || is->eku == NULL || is->aki == NULL) {
		csr_issuer_free(is);
		return -1;
	}
	return 0;
}

EVP_MD_CTX *
csr_signer_new(const struct csr_issuer *is)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (c == NULL || !EVP_DigestSignInit_ex(c, NULL, is->mdname, NULL,
	    NULL, is->cakey, NULL)) {
		EVP_MD_CTX_free(c);
		ERR_clear_error();
		return NULL;
	}
	return c;
}

/* Subject key identifier: SHA-1 of the public key bits (RFC 5280 4.2.1.2
 * method 1), as OpenSSL's "hash". */
static int
add_ski(X509 *x)
{
	const unsigned char *bits;
	unsigned char md[20];
	ASN1_OCTET_STRING *os = NULL;
	X509_PUBKEY *pub = X509_get_X509_PUBKEY(x);
	int len, ok = 0;

	if (!X509_PUBKEY_get0_param(NULL, &bits, &len, NULL, pub) ||
	    !EVP_Digest(bits, (size_t)len, md, NULL, EVP_sha1(), NULL))
		return -1;
	ok = (os = ASN1_OCTET_STRING_new()) != NULL &&
	    ASN1_OCTET_STRING_set(os, md, sizeof(md)) &&
	    X509_add1_ext_i2d(x, NID_subject_key_identifier, os, 0, 0) == 1;
	ASN1_OCTET_STRING_free(os);
	return ok ? 0 : -1;
}

/* 16 random bytes, top bits 01: positive, 126 random bits, 16 octets. */
static int
add_serial(X509 *x)
{
	unsigned char r[16];
	ASN1_INTEGER *s = X509_get_serialNumber(x);

	randombytes_buf(r, sizeof(r));
	r[0] = (unsigned char)((r[0] & 0x3f) | 0x40);
	return ASN1_STRING_set(s, r, sizeof(r)) ? 0 : -1;
}

X509 *
csr_issue(const struct csr_issuer *is, EVP_MD_CTX *signer,
    const struct csr *c)
{
	EVP_MD_CTX *sctx = NULL;
	X509 *x;
	int rsa = EVP_PKEY_get_base_id(c->key) == EVP_PKEY_RSA;

	if ((x = X509_new()) == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    add_serial(x) == -1 || !X509_set_subject_name(x, c->copy) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(is->ca)) ||
	    !X509_set_pubkey(x, c->key) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)is->days, 0, NULL) ==
		NULL ||
	    !X509_add_ext(x, is->bc, -1) ||
	    !X509_add_ext(x, rsa ? is->ku_rsa : is->ku_ec, -1) ||
	    !X509_add_ext(x, is->eku, -1) || add_ski(x) == -1 ||
	    !X509_add_ext(x, is->aki, -1))
		goto fail;
	if ((sctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_MD_CTX_copy_ex(sctx, signer) || X509_sign_ctx(x, sctx) <= 0)
		goto fail;
	EVP_MD_CTX_free(sctx);
	return x;
fail:
	ERR_clear_error();
	EVP_MD_CTX_free(sctx);
	X509_free(x);
	return NULL;
}
