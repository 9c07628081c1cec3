/* Issuing (intermediate) CAs under the root: the checks `ceremony
 * intermediate` makes before the root certifies one, the CSR it may
 * certify, and the checks `sign --ca NAME` makes before it signs with
 * one. */
#ifndef INTERMEDIATE_H
#define INTERMEDIATE_H

#include <stddef.h>
#include <jansson.h>
#include <openssl/x509.h>

#define INTERMEDIATE_DAYS 1826 /* 5 years */
#define INTERMEDIATE_PATHLEN_MAX 8
#define INTERMEDIATE_CSR_MAX (64u << 10)
#define AWS_SUBJECT_MAX 10 /* CAs with one subject per AWS account */

/* A CSR (one PEM or DER request in buf) whose signature verifies with its
 * own key (proof of possession) and whose key AWS IoT accepts. *req is
 * the request, desc the key ("EC P-256"). 0; RC_USAGE (not a CSR) or
 * RC_CHECK (bad signature, unusable key) with err. */
int intermediate_csr_parse(const unsigned char *buf, size_t len,
    X509_REQ **req, char *desc, size_t desclen, char *err, size_t errlen);

/* ca can sign devices now under root: valid now, CA:TRUE, keyUsage
 * keyCertSign, issued and signed by root, and root's pathLenConstraint
 * allows a CA under it. 0, or -1 with err. */
int intermediate_usable(const X509 *ca, const X509 *root, char *err,
    size_t errlen);

/* The transcript line of `ceremony intermediate NAME` (new reference), or
 * NULL when it records none. */
json_t *intermediate_recorded(const char *name);

/* How many CAs (roots and intermediates, each certificate once) the
 * transcript records with subject; -1 when it cannot be read. */
int intermediate_subject_uses(const X509_NAME *subject);

#endif
