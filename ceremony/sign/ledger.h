/* ledger.jsonl: one JSON line per issued device certificate, appended and
 * fsynced before the certificate file is put in place. */
#ifndef LEDGER_H
#define LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

struct ledger {
	int fd;
	char *path;
	off_t size;
	unsigned long count;
	/* values: line offsets in the file, or (LEDGER_BATCH | n) for the
	 * n-th CSR of the batch being signed */
	struct index csr, key, cn, serial;
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

#endif
