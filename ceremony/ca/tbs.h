/* Device certificates encoded from a per-batch template. What every
 * certificate of one issuer shares (the signature algorithm, the issuer
 * name, the extensions but the SKI) is encoded once with OpenSSL's X509
 * API; each certificate is then the template's bytes around its own
 * serial, validity, subject, key and SKI, in the order and encoding
 * pki_issuer_sign gives. tbs_check parses the result in full before it is
 * used. */
#ifndef TBS_H
#define TBS_H

#include <stddef.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca/pki.h"

#define TBS_SERIAL 16
#define TBS_TIME_MAX 17 /* a GeneralizedTime, tag and length included */
#define TBS_SIG_MAX 2112 /* an RSA-16384 signature, with room */

enum tbs_kind { TBS_RSA, TBS_EC }; /* the device key: its keyUsage */

struct tbs_tmpl {
	unsigned char *sigalg, *issuer, *ext[2], *aki;
	size_t sigalglen, issuerlen, extlen[2], akilen;
	long days;
	EVP_MD *md, *sha1;    /* the CA's digest; the SKI's */
	time_t ca_nb, ca_na;  /* the issuer's validity */
	unsigned char ca_keyid[20];
};

/* The fields of one certificate. */
struct tbs_fields {
	unsigned char serial[TBS_SERIAL]; /* top bits 01 */
	time_t t;                         /* notBefore; notAfter t + days */
	const unsigned char *subject;     /* Name DER */
	size_t subjectlen;
	const unsigned char *spki;        /* SubjectPublicKeyInfo DER */
	size_t spkilen;
	enum tbs_kind kind;
};

/* From a PROFILE_DEVICE issuer: the CA's key signs one request here (not
 * a certificate), whose signature algorithm the template copies. 0, or
 * -1 with err. */
int tbs_tmpl_init(struct tbs_tmpl *t, const struct pki_issuer *is,
    char *err, size_t errlen);
void tbs_tmpl_free(struct tbs_tmpl *t);

/* The DER Time (UTCTime up to 2049, GeneralizedTime after) into out;
 * its length. */
size_t tbs_time(time_t t, unsigned char out[TBS_TIME_MAX]);
/* The TBSCertificate DER into buf; its length, or 0 when cap is short. */
size_t tbs_encode(const struct tbs_tmpl *t, const struct tbs_fields *f,
    unsigned char *buf, size_t cap);
/* Certificate ::= SEQUENCE { tbs, signature algorithm, signature }. */
size_t tbs_cert(const struct tbs_tmpl *t, const unsigned char *tbs,
    size_t tbslen, const unsigned char *sig, size_t siglen,
    unsigned char *buf, size_t cap);

/* One thread's contexts: signing with the CA key, verifying with the
 * public key of the CA certificate. */
struct tbs_signer {
	const struct tbs_tmpl *t;
	EVP_PKEY_CTX *sign, *verify;
	size_t sigmax;
};
int tbs_signer_init(struct tbs_signer *s, const struct tbs_tmpl *t,
    const struct pki_issuer *is);
void tbs_signer_free(struct tbs_signer *s);
/* Signs tbs: the certificate DER into buf; its length, or 0. */
size_t tbs_sign(struct tbs_signer *s, const unsigned char *tbs, size_t tbslen,
    unsigned char *buf, size_t cap);

/* The certificate parsed in full (tbs_lint.c): DER throughout; the
 * template's parts byte for byte; a positive serial of 8 to 20 octets;
 * a validity in DER's time types, inside the issuer's and not over; a
 * subject of at least one attribute equal to f's; f's key; its SKI the
 * SHA-1 of the key; the signature verified with the issuer's key. 0, or
 * -1 with err. now is the time to check expiry against. */
int tbs_check(struct tbs_signer *s, const struct tbs_fields *f,
    const unsigned char *der, size_t len, time_t now, char *err,
    size_t errlen);

/* Shared by tbs.c and tbs_lint.c: one DER element of tag at *p (definite
 * length in its shortest form, inside end), its contents to *v, *vlen, *p
 * past it; the SKI of a SubjectPublicKeyInfo (SHA-1 of the key bits);
 * the template's digest of msg. 0, or -1. */
int tbs_tlv(const unsigned char **p, const unsigned char *end,
    unsigned char tag, const unsigned char **v, size_t *vlen);
int tbs_ski(const struct tbs_tmpl *t, const unsigned char *spki, size_t len,
    unsigned char out[20]);
int tbs_digest(const struct tbs_tmpl *t, const unsigned char *msg,
    size_t len, unsigned char md[EVP_MAX_MD_SIZE], size_t *mdlen);

/* SHA-256 with OpenSSL's implementation (libsodium's as a fallback). */
void tbs_sha256(const void *msg, size_t len, unsigned char out[32]);

/* pki_issue.c: the certificate pki_issuer_sign would make for this serial
 * and time, not signed. NULL with err. */
X509 *pki_issuer_build(const struct pki_issuer *is, const X509_NAME *subject,
    EVP_PKEY *pub, const unsigned char serial[TBS_SERIAL], time_t t,
    char *err, size_t errlen);

#endif
