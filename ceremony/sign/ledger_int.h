/* Shared by ledger.c and ledger_revoke.c only. */
#ifndef LEDGER_INT_H
#define LEDGER_INT_H

#include <jansson.h>

#include "sign/ledger.h"

/* Appends ,"key":"value" to out (JSON string escapes as jansson writes
 * them); -1 if value is not valid UTF-8 or out of room. */
int ledger_put_str(char *out, size_t cap, size_t *at, const char *key,
    const char *v);
/* A non-empty string of fewer than outlen bytes, or -1. */
int ledger_get_str(json_t *o, const char *key, char *out, size_t outlen);
/* The issuance line in o; the revocation line in o. 0 or -1 with err. */
int ledger_entry_json(json_t *o, struct ledger_entry *e, char *err,
    size_t errlen);
int ledger_revocation_json(json_t *o, struct ledger_revocation *r,
    char *err, size_t errlen);

/* While opening: the revocation group being read. */
struct ledger_scan {
	struct ledger_group g;
	unsigned long next;   /* the n expected next; 0 when no group open */
	struct index pend;    /* serials of the open group -> offsets */
};
/* Checks and takes in one revocation line read at off. */
int ledger_scan_revocation(struct ledger *l, struct ledger_scan *s,
    const struct ledger_revocation *r, uint64_t off, char *err,
    size_t errlen);

#endif
