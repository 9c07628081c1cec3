/* ledger.jsonl: one JSON line per issued device certificate, appended and
 * fsynced before the certificate file is put in place, and one line per
 * revoked certificate, appended and fsynced by `ceremony revoke` before
 * anything else is written. The ledger is the one record of what was
 * issued and what was taken back. */
#ifndef LEDGER_H
#define LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "sign/ledger_index.h"

#define LEDGER_FILE "ledger.jsonl"
#define LEDGER_LINE_MAX (256u << 10)
#define LEDGER_BATCH (1ull << 63)

struct ledger_entry {
	char serial[41];     /* lower-case hex */
	char cn[129];
	char subject[4096];  /* RFC 2253 */
	char not_before[21]; /* 2025-01-31T12:00:00Z */
	char not_after[21];
	char batch[17];
	char file[160];      /* output name without .crt */
	char ca[65];         /* issuing CA: "" the root, else its NAME */
	unsigned char key_sha256[32], csr_sha256[32], cert_sha256[32];
	unsigned char *cert; /* DER, malloc'd */
	size_t certlen;
};

/* A revocation line (one per revoked certificate):
 *   {"revoked":SERIAL,"certificate_id":ID,"cn":CN,"ca":NAME,
 *    "intermediate":NAME,"reason":REASON,"time":"2026-12-02T08:00:00Z",
 *    "revocation":"2026-12-02-1","n":1,"of":3}
 * "ca" (the issuer of the revoked certificate) is written only for an
 * intermediate, as on issuance lines. "intermediate" is written only when
 * the revoked certificate is intermediate NAME's own CA certificate
 * (issued by the root, so "ca" is absent and no issuance line exists);
 * otherwise SERIAL must name an earlier issuance line with the same
 * certificate_id, cn and ca. One `ceremony revoke` appends its lines in
 * one write, numbered n = 1..of under one "revocation" id, which is also
 * the folder revocations/<id>/: a group cut short at the end of the file
 * (a crash before anything else was written) is dropped on opening, as a
 * torn issuance line is; anywhere else it is damage. A serial is revoked
 * at most once. */
#define LEDGER_REVID_MAX 24 /* "2026-12-02-9999" and its NUL, with room */
struct ledger_revocation {
	char serial[41];
	char certificate_id[65];
	char cn[129];
	char ca[65];           /* issuer: "" the root */
	char intermediate[65]; /* "" or the CA whose certificate this is */
	char reason[24];       /* an RFC 5280 name: ledger_reason_code */
	char time[21];         /* revocationDate, UTC */
	char revocation[LEDGER_REVID_MAX]; /* the group id: YYYY-MM-DD-N */
	unsigned long n, of;   /* place in the group, 1..of */
};

/* One revocation group (one `ceremony revoke`), in file order. */
struct ledger_group {
	char id[LEDGER_REVID_MAX];
	char ca[65];           /* the CA whose CRL lists them: "" the root */
	char reason[24];
	char time[21];
	unsigned long count;
	uint64_t off;          /* offset of its first line */
};

struct ledger {
	int fd;
	char *path;
	off_t size;
	unsigned long count;   /* issuance lines */
	/* values: line offsets in the file, or (LEDGER_BATCH | n) for the
	 * n-th CSR of the batch being signed */
	struct index csr, key, cn, serial;
	/* serial -> offset of its revocation line */
	struct index revoked;
	unsigned long nrevoked;
	struct ledger_group *groups;
	size_t ngroups;
};

/* Opens and locks the ledger, checks and indexes every line (a missing
 * ledger is empty; the first append creates it).
 * An incomplete last line (a write cut by a crash, never acted on) is
 * removed with a warning. 0, or -1 with a message. */
int ledger_open(struct ledger *l, const char *path);
void ledger_close(struct ledger *l);

/* Reads and parses the line at offset off. */
int ledger_read(struct ledger *l, uint64_t off, struct ledger_entry *e);
void ledger_entry_free(struct ledger_entry *e);

/* AWS IoT's certificate id: the lower-case hex SHA-256 of the DER, which
 * is cert_sha256. Lines carry it as "certificate_id" (checked on reading;
 * computed for older lines without it). "ca" is written only for an
 * intermediate. */
void ledger_certificate_id(const struct ledger_entry *e, char out[65]);

/* The JSON line for e, newline-terminated, malloc'd. */
char *ledger_format(const struct ledger_entry *e, size_t *len);
/* Parses one line (without the newline). 0, or -1 with err. */
int ledger_parse(const char *line, size_t len, struct ledger_entry *e,
    char *err, size_t errlen);

/* Appends lines (one write) and makes them durable (fdatasync). The
 * offset of the first byte written goes to *at. */
int ledger_append(struct ledger *l, const char *buf, size_t len, off_t *at);
/* Adds the entry at offset off to the indexes. */
int ledger_index(struct ledger *l, const struct ledger_entry *e, uint64_t off);

/* Finds the issuance line of serial (lower-case hex): 1 and *e (free it
 * with ledger_entry_free), 0 when none, -1 on a read error. */
int ledger_find_serial(struct ledger *l, const char *serial,
    struct ledger_entry *e);

/* Revocation. The CRLReason code (RFC 5280 5.3.1) of an accepted reason
 * name (unspecified 0, keyCompromise 1, cACompromise 2, affiliationChanged
 * 3, superseded 4, cessationOfOperation 5), or -1. */
int ledger_reason_code(const char *name);
/* The accepted names, comma-separated, for messages and --help. */
extern const char ledger_reasons[];

/* 1 when serial is revoked (its line to *r when r is not NULL), 0 when
 * not, -1 on a read error. */
int ledger_revoked(struct ledger *l, const char *serial,
    struct ledger_revocation *r);
/* The revocation line at offset off. */
int ledger_read_revocation(struct ledger *l, uint64_t off,
    struct ledger_revocation *r);

/* The revocation line for r, newline-terminated, malloc'd; parsing one
 * line (without the newline): 0, or -1 with err. A line without
 * "revoked" is not a revocation line ("not a revocation line"). */
char *ledger_format_revocation(const struct ledger_revocation *r,
    size_t *len);
int ledger_parse_revocation(const char *line, size_t len,
    struct ledger_revocation *r, char *err, size_t errlen);

/* The next free group id for the UTC day of t: YYYY-MM-DD-N with N one
 * more than the day's last group in the ledger. */
void ledger_revocation_id(const struct ledger *l, time_t t,
    char out[LEDGER_REVID_MAX]);
/* The group with this id, or NULL. */
const struct ledger_group *ledger_group_find(const struct ledger *l,
    const char *id);

/* Records the revocation of r[0..n-1] as one group: every r must carry
 * the same revocation id (new in the ledger), reason and time; each
 * serial must be in the ledger with the same certificate_id, cn and ca
 * (or be an intermediate's certificate, r->intermediate set), not be
 * revoked yet, and appear once. n and of are filled in. All lines are
 * appended in one write and made durable (fdatasync) before it returns.
 * 0, or -1 with err (nothing written). */
int ledger_revoke(struct ledger *l, struct ledger_revocation *r, size_t n,
    char *err, size_t errlen);

/* Calls fn for every issuance line in file order with its revocation (r
 * is NULL for a certificate not revoked). fn returns 0 to go on; any
 * other value stops the walk and is returned. -1 on a read error. */
typedef int (*ledger_each_fn)(const struct ledger_entry *e,
    const struct ledger_revocation *r, uint64_t off, void *arg);
int ledger_each(struct ledger *l, ledger_each_fn fn, void *arg);
/* The same for every revocation line, in file order. */
typedef int (*ledger_each_revocation_fn)(const struct ledger_revocation *r,
    uint64_t off, void *arg);
int ledger_each_revocation(struct ledger *l, ledger_each_revocation_fn fn,
    void *arg);

#endif
