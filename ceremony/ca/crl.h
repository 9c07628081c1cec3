/* Certificate revocation lists (RFC 5280 section 5): build, sign, lint. */
#ifndef CRL_H
#define CRL_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define CRL_FILE "crl.pem"

/* One revoked certificate: its serial (hex, as in the ledger), the
 * revocation time, and the CRLReason code (0-5, RFC 5280 5.3.1). */
struct crl_entry {
	const char *serial;
	time_t when;
	int reason;
};

/* A CRL v2 over e[0..n-1], issued and signed by ca with key (a file key
 * or a token's): issuer = ca's subject, thisUpdate and nextUpdate as
 * given, cRLNumber number, authorityKeyIdentifier = ca's SKI, each entry
 * with its revocationDate and reasonCode. Not linted here. NULL with
 * err. */
X509_CRL *crl_build(const X509 *ca, EVP_PKEY *key,
    const struct crl_entry *e, size_t n, long number, time_t this_update,
    time_t next_update, char *err, size_t errlen);

/* RFC 5280 checks of a CRL issued by ca: version 2; issuer is ca's
 * subject; cRLNumber present, non-critical, non-negative; AKI present
 * with a keyIdentifier equal to ca's subjectKeyIdentifier; nextUpdate
 * present, after thisUpdate and not after ca's notAfter; ca has keyUsage
 * cRLSign; each entry has a positive serial of at most 20 octets and a
 * reasonCode, no serial twice; the signature verifies with ca's key.
 * 0, or -1 with err naming the rule. */
int crl_lint(const X509_CRL *crl, const X509 *ca, char *err, size_t errlen);

/* The cRLNumber, or -1 when absent. */
long crl_number(const X509_CRL *crl);
/* Reads a PEM CRL (NULL with a message naming path). */
X509_CRL *crl_load(const char *path);
/* PEM text, malloc'd. 0 or -1. */
int crl_pem(const X509_CRL *crl, char **pem, size_t *len);

#endif
