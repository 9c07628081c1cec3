/* Revocation: the regions a CA is registered in, the CA's CRL made from
 * the ledger, and the revocations/<id>/ folder an online operator runs. */
#ifndef REVOKE_H
#define REVOKE_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "ca/caref.h"
#include "ca/regions.h"
#include "sign/ledger.h"

#define REVOKE_DIR "revocations"
#define REGION_MAX REGION_NAME_MAX
#define CRL_DAYS_DEFAULT 30

/* Distinct AWS regions, in file order. */
struct regions {
	char (*v)[REGION_MAX + 1];
	size_t n;
};

/* Adds one region (--region). 0, or -1 with err. */
int regions_add(struct regions *r, const char *region, char *err,
    size_t errlen);
/* The distinct regions of <CA dir>/regions.txt (ca/regions.h reads it
 * strictly): 0 read, 1 absent, -1 with err. */
int regions_load(const struct caref *ca, struct regions *r, char *err,
    size_t errlen);
void regions_free(struct regions *r);

/* The CA's current CRL, made from the ledger: every revocation of a
 * certificate it issued ("ca" = its name), its next cRLNumber (one past
 * the last in the transcript and in <CA dir>/crl.pem), thisUpdate now,
 * nextUpdate now + days but never past the CA's notAfter. Linted before
 * it is returned and checked again from its PEM. *pem malloc'd. 0, or
 * -1 with err. */
int revoke_crl_make(struct ledger *l, const struct caref *ca,
    const X509 *cert, EVP_PKEY *key, long days, time_t now, char **pem,
    size_t *pemlen, long *number, unsigned long *count, char *err,
    size_t errlen);

/* Writes revocations/<g->id>/ (revoke.sh, revoked.txt, crl.pem) from the
 * group's ledger lines, through a temp folder renamed into place. cacert
 * is the revoked intermediate's certificate for an intermediate's group
 * (else NULL). 0, or -1 with err. */
int revoke_folder_write(struct ledger *l, const struct ledger_group *g,
    const struct regions *reg, const char *crlpem, size_t crllen,
    char *err, size_t errlen);

/* 1 when group g is complete: its folder and its transcript line are
 * there (a crash after the ledger lines leaves one of them missing). */
int revoke_group_done(const struct ledger_group *g);

/* revocations/<id> (out holds at least 64 + LEDGER_REVID_MAX). */
void revoke_folder(const char *id, char *out, size_t outlen);

#endif
