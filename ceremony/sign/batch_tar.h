/* 'sign --format tar': the batch as one signed archive (ca/batchfile.h).
 * While the batch runs, batch_tar_collect takes each certificate once its
 * ledger line is synced (or, already issued, as read from the ledger): its
 * DER goes to an unlinked spool file, its name and place to a small
 * index. After the run the archive is made from the spool in name order,
 * written to a temp file, fsynced and renamed into place. Everything in
 * it comes from the ledger, the CSR set and the CA: a rerun gives the
 * same bytes. */
#ifndef BATCH_TAR_H
#define BATCH_TAR_H

#include <stdint.h>
#include <stdio.h>

#include "ca/sigkey.h"
#include "sign/batch.h"

struct batch_tar;

/* ceremony.key, checked against ceremony.pub; its passphrase from src,
 * else from the CA key's --passphrase-file (ca). 0, or -1 with a
 * message. */
int batch_tar_key(struct sigkey *k, struct pass_src *src,
    const struct pass_src *ca);

/* A collector for the archive at path (its folder must exist). NULL
 * with a message. */
struct batch_tar *batch_tar_new(const char *path);
/* batch.collect: 0, or -1 with a message. */
int batch_tar_collect(void *arg, const struct ledger_entry *e);

/* What the archive holds beside the certificates. */
struct batch_tar_info {
	const char *set_hex;     /* SHA-256 of the CSR set */
	const char *ca;          /* "" the root, else the intermediate */
	FILE *rejects;           /* rejected.txt as written, rewound here */
	const struct sigkey *key; /* ceremony.key */
	/* results */
	char sha[65];            /* the archive's SHA-256 */
	uint64_t bytes, mtime;
	unsigned long certs;
	int replaced;            /* an archive with other bytes was there */
	int same;                /* the same archive was there already */
};
/* Writes the archive for batch b (after batch_run). 0, or -1 with a
 * message (nothing at path changed). */
int batch_tar_write(struct batch_tar *t, struct batch *b,
    struct batch_tar_info *info);
void batch_tar_free(struct batch_tar *t);

#endif
