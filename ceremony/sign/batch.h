/* A signing batch: CSRs streamed in chunks through a thread pool, checked,
 * signed, linted, recorded in the ledger, then put in place. The caller
 * fills the inputs and reads the results; the pool, its queues and the
 * per-chunk items are private to batch*.c (sign/batch_int.h). */
#ifndef BATCH_H
#define BATCH_H

#include <stdio.h>

#include "ca/pki.h"
#include "ca/template.h"
#include "sign/ledger.h"

struct batch {
	/* set up by the caller */
	struct pki_issuer is; /* PROFILE_DEVICE */
	const char *ca;       /* the issuing CA's NAME; "" the root */
	const struct template_info *tpl;
	struct ledger *led;
	char **inputs;  /* paths; "-" is stdin */
	FILE *stdin_copy;
	char batch[17];
	const char *outdir;
	int outfd;      /* outdir, or -1 while it does not exist */
	FILE *rejects;  /* rejected.txt lines, or NULL */
	int jobs, allow_dup_cn, check_only, progress, report;
	unsigned long total;
	/* set for one archive (sign/batch_tar.h): no files in outdir; each
	 * certificate of the batch, new once its ledger line is synced or
	 * already issued, goes to collect in input order (-1 stops) */
	int (*collect)(void *arg, const struct ledger_entry *e);
	void *collect_arg;
	/* results */
	unsigned long seen, issued, have, rewritten, rejected;
	unsigned long notfiles; /* of the rejected: not regular files */
	double started, finished;
};

/* Runs the whole batch. 0 ok (rejections counted), -1 I/O or internal
 * error (message given). Its tables are sized for b->total items. The
 * ledger's count grows by the lines written; its indexes keep what was
 * there before. */
int batch_run(struct batch *b);
/* Zeroes the results, for another run over the same inputs. */
void batch_reset(struct batch *b);
/* --strict's first pass: checks the whole batch without signing or
 * writing (every rejection reported), then rewinds stdin's copy and resets
 * the results so that batch_run signs from the start (what the pass saw
 * was in batch_run's own tables, the ledger's indexes are untouched). 0 if no CSR was rejected; RC_CHECK if
 * some were (b->rejected of b->seen, the ledger untouched); -1 on error. */
int batch_precheck(struct batch *b);

/* The SHA-256 of the CSR set (sorted hashes of every CSR's DER) and the
 * number of items (CSRs, and inputs too broken to be one), from a first
 * pass over the inputs. */
int batch_scan(char **inputs, FILE *stdin_copy, unsigned char set[32],
    unsigned long *count);

#endif
