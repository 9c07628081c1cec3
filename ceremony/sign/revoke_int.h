/* Shared by cmd_revoke.c and revoke_finish.c only: one revoke run. */
#ifndef REVOKE_INT_H
#define REVOKE_INT_H

#include <time.h>

#include "sign/revoke.h"
#include "ca/cakey.h"
#include "sign/ledger.h"

enum { SEL_CN = 'n', SEL_SERIAL = 's', SEL_ID = 'i', SEL_BATCH = 'b',
	SEL_FILE = 'f' };

struct sel {
	int kind;
	char val[130];
	unsigned long hits;
};

struct revoke {
	struct pass_src src;
	struct key_src ksrc;
	const char *ca_name, *inter, *reason;
	struct sel *sel;
	size_t nsel;
	struct regions given;
	long days;
	int resume, refused;
	struct caref ca; /* the CA whose CRL changes */
	X509 *cert;
	struct cakey ck;
	int have_key;
	struct ledger led;
	struct ledger_revocation *rv;
	size_t nrv;
	struct index picked;
	time_t now;
};

/* The revocations a crash cut short (no folder, or no transcript line):
 * those of S->ca are finished; one of another CA stops the run. 0 or an
 * exit status. */
int revoke_resume(struct revoke *S);
/* Group g's files, the CA's crl.pem and the transcript line. 0 or an
 * exit status. */
int revoke_finish(struct revoke *S, const struct ledger_group *g);
/* The regions of CA name (its regions.txt) plus --region; none is an
 * error (reported). 0 or -1. */
int revoke_regions(struct revoke *S, const char *name, struct regions *out);
/* The CA key, once. 0 or an exit status. */
int revoke_load_key(struct revoke *S);

#endif
