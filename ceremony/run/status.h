/* ceremony status: the health of the whole PKI, gathered from the public
 * files (certificates, ledger, CRLs, vault header, transcript); no key is
 * read, so it runs on the online copy too. */
#ifndef STATUS_H
#define STATUS_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "backup/vault.h"
#include "ca/caref.h"

#define STATUS_CA_WARN 30    /* days left on a CA that warn (AWS's audit) */
#define STATUS_SOON 90       /* device certificates expiring soon, days */
#define STATUS_DRILL 365     /* days between restore drills */

struct status_ca {
	struct caref ref;
	char label[96];         /* "root CA", "intermediate CA 'x'" */
	char *subject;          /* RFC 2253, malloc'd */
	char fp[96];            /* SHA-256 of the certificate */
	const char *key;        /* "file", "token", "absent", "both" */
	char uri[1100];         /* with "token" */
	char not_before[21], not_after[21];
	long days_left;         /* negative once expired */
	unsigned long issued, revoked, expiring;
	int crl;                /* 1 read, 0 absent, -1 unreadable */
	char crl_this[21], crl_next[21], crl_number[80];
	long crl_entries;
	int crl_signed;         /* its signature checks with the CA's key */
	char ca_revoked[21];    /* this intermediate revoked by the root: */
	char ca_reason[24];     /* when ("" not revoked) and why */
};

struct status {
	time_t now;
	struct status_ca *ca;   /* the root first, then the intermediates */
	size_t nca;
	int vault;              /* BACKUP_VAULT is here (its header in h) */
	struct vault_header h;
	json_t *backup;         /* the last backup line, or NULL */
	json_t *drill;          /* the last restore --check line, or NULL */
	long entries;           /* transcript lines */
	char head[65];
	json_t *warnings;       /* strings */
};

/* Everything status shows, with its warnings: 0, or -1 with a message
 * when a file cannot be read (no root certificate, a bad ledger). */
int status_gather(struct status *st);
void status_free(struct status *st);

#endif
