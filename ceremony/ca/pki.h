/* Keys, certificates and their lint (OpenSSL). */
#ifndef PKI_H
#define PKI_H

#include <stddef.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/secret.h"

#define CA_KEY "deviceRootCA.key"
#define CA_CERT "deviceRootCA.pem"
#define VER_KEY "verificationCert.key"
#define VER_CERT "verificationCert.crt"
#define SIGN_KEY "ceremony.key"
#define SIGN_PUB "ceremony.pub"

enum pki_keytype { KEY_RSA2048, KEY_RSA3072, KEY_RSA4096, KEY_P256, KEY_P384 };
/* PROFILE_CA: the self-signed root; PROFILE_INTERMEDIATE: an issuing CA
 * the root certifies (pathLenConstraint, digitalSignature too). */
enum pki_profile { PROFILE_CA, PROFILE_VERIFICATION, PROFILE_DEVICE,
	PROFILE_INTERMEDIATE };

/* "rsa2048" ... "ec-p384"; -1 if unknown. */
int pki_keytype_parse(const char *s);
const char *pki_keytype_name(int type);
EVP_PKEY *pki_keygen(int type);
/* Describes a key: "RSA-2048", "EC P-256"; -1 (with err) if AWS would
 * refuse it (RSA < 2048, curves other than P-256/P-384, other algs). */
int pki_key_check(EVP_PKEY *key, char *desc, size_t desclen, char *err,
    size_t errlen);

/* "/C=IN/O=AMZ/CN=Name" (backslash escapes '/' and '\'). */
X509_NAME *pki_subject_parse(const char *s, char *err, size_t errlen);
/* One-line RFC 2253 form, malloc'd. */
char *pki_name_string(const X509_NAME *name);

/* Digest used by a CA key: SHA-384 for P-384, SHA-256 otherwise. */
const EVP_MD *pki_md_for(EVP_PKEY *cakey);

/* The one way to issue a certificate: an issuer prepared once from the CA
 * (certificate and key) and a profile, with what every certificate it signs
 * shares (extensions, digest, validity); then pki_issuer_sign per
 * certificate. Each certificate: v3, random 16-byte serial, notBefore now,
 * notAfter now + days; basicConstraints and keyUsage of the profile (CA:
 * critical CA:TRUE, keyCertSign, cRLSign; verification and device: critical
 * CA:FALSE, digitalSignature, + keyEncipherment for an RSA key), device:
 * extendedKeyUsage clientAuth; SKI (SHA-1 of the key), AKI keyid.
 * Intermediate: critical CA:TRUE with pathLenConstraint 0 (another with
 * pki_issuer_pathlen), keyUsage keyCertSign, cRLSign, digitalSignature. */
struct pki_issuer {
	enum pki_profile profile;
	const X509 *ca;     /* NULL: self-signed, cakey certifies itself */
	EVP_PKEY *cakey;
	const char *mdname; /* SHA256, or SHA384 for a P-384 CA key */
	long days;
	X509_EXTENSION *bc, *ku_rsa, *ku_ec, *eku, *aki; /* eku: device */
};

/* ca and cakey are borrowed and must outlive the issuer. 0, or -1 with
 * err. */
int pki_issuer_init(struct pki_issuer *is, enum pki_profile profile,
    const X509 *ca, EVP_PKEY *cakey, long days, char *err, size_t errlen);
void pki_issuer_free(struct pki_issuer *is);
/* PROFILE_INTERMEDIATE: pathLenConstraint n in place of 0. 0, or -1. */
int pki_issuer_pathlen(struct pki_issuer *is, int n, char *err,
    size_t errlen);
/* A signing context for one thread (the CA key is shared read-only). */
EVP_MD_CTX *pki_issuer_signer(const struct pki_issuer *is);
/* The certificate for subject and pub, signed with a copy of signer (NULL:
 * a context made for this one). Not linted here. NULL with err. */
X509 *pki_issuer_sign(const struct pki_issuer *is, const EVP_MD_CTX *signer,
    const X509_NAME *subject, EVP_PKEY *pub, char *err, size_t errlen);
/* One certificate with a one-time issuer: issuer NULL means self-signed
 * (key is both). Warns "cannot build the certificate: ..." on failure. */
X509 *pki_cert_issue(enum pki_profile profile, const X509_NAME *subject,
    EVP_PKEY *pub, const X509 *issuer, EVP_PKEY *issuer_key, long days);
/* Checks AWS and RFC 5280 rules for the profile; verifies the signature
 * with the issuer (cert itself when issuer is NULL). 0 ok, -1 with err. */
int pki_lint(const X509 *cert, const X509 *issuer, enum pki_profile profile,
    char *err, size_t errlen);

/* Asks for the passphrase (src) only when the key is encrypted. */
EVP_PKEY *pki_key_load(const char *path, struct pass_src *src);
/* With a passphrase already held (NULL for a plain key). */
EVP_PKEY *pki_key_read(const char *path, const char *pass);
/* pass NULL writes a plain PEM key; otherwise PKCS#8 with scrypt. */
int pki_key_save(const char *path, EVP_PKEY *key, const char *pass,
    int force);
int pki_key_matches(EVP_PKEY *key, const X509 *cert);
/* A certificate's DER as PEM_write_X509 writes it (64 columns between
 * the CERTIFICATE lines) into out, which holds PKI_PEM_MAX(len); the
 * length written. */
#define PKI_PEM_MAX(len) (54 + ((len) + 47) / 48 * 65)
size_t pki_pem_cert(const unsigned char *der, size_t len, unsigned char *out);

X509 *pki_cert_load(const char *path);
X509 *pki_cert_parse(const unsigned char *buf, size_t len); /* PEM or DER */
int pki_cert_save(const char *path, const X509 *cert, int force);
int pki_cert_pem(const X509 *cert, char **pem, size_t *len); /* malloc'd */
void pki_cert_sha256(const X509 *cert, unsigned char out[32]);

#endif
