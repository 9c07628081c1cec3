/* Revocation: the regions a CA is registered in, the CA's CRL made from
 * the ledger, and the revocations/<id>/ folder an online operator runs. */
#ifndef REVOKE_H
#define REVOKE_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "ca/caref.h"
#include "sign/ledger.h"

#define REVOKE_DIR "revocations"
#define REGIONS_FILE "regions.txt"
#define REGION_MAX 32
#define CRL_DAYS_DEFAULT 30

/* Distinct AWS regions, in file order. */
struct regions {
	char (*v)[REGION_MAX + 1];
	size_t n;
};

/* An AWS region name: 1-32 of [a-z0-9-], a letter first (it is written
 * into a shell script). */
int region_check(const char *s);
/* regions.txt: lines "REGION ACCOUNT MODE" (one space apart; ACCOUNT 12
 * digits or '-', MODE DEFAULT or SNI_ONLY), '#' lines are comments;
 * anything else is refused with its line number. Adds each region once.
 * 0, or -1 with err. */
int regions_parse(const char *text, size_t len, struct regions *r,
    char *err, size_t errlen);
/* Adds one region (--region). 0, or -1 with err. */
int regions_add(struct regions *r, const char *region, char *err,
    size_t errlen);
/* <CA dir>/regions.txt: 0 read, 1 absent, -1 with err. */
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

/* revocations/<id> (out holds at least 64 + LEDGER_REVID_MAX). */
void revoke_folder(const char *id, char *out, size_t outlen);

#endif
