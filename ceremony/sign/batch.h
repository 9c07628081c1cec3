/* A signing batch: CSRs streamed in chunks through a thread pool, checked,
 * signed, linted, recorded in the ledger, then put in place. */
#ifndef BATCH_H
#define BATCH_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "sign/csr.h"
#include "sign/ledger.h"
#include "ca/template.h"

#define BATCH_CHUNK 1024

enum item_state {
	IT_NEW,  /* read, not yet checked */
	IT_BAD,  /* rejected: err says why */
	IT_SIGN, /* passed every check: to sign */
	IT_HAVE, /* already in the ledger: its certificate is re-emitted */
};

struct item {
	uint64_t seq; /* position in the batch, from 0 */
	char label[600];
	unsigned char *der;
	size_t len;
	unsigned char csr_sha256[32];
	enum item_state state;
	int write;    /* files to put in place */
	char err[400];
	struct csr csr;
	struct ledger_entry ent;
	char *line;   /* ledger line */
	size_t linelen;
	char *pem, *chain; /* a new certificate's files, written after the
			    * ledger sync */
	size_t pemlen, chainlen;
};

struct batch {
	/* set up by the caller */
	struct csr_issuer is;
	const struct template_info *tpl;
	struct ledger *led;
	char **inputs;  /* paths; "-" is stdin */
	FILE *stdin_copy;
	char batch[17];
	const char *outdir;
	int jobs, allow_dup_cn, check_only, progress, report;
	unsigned long total;
	/* results */
	unsigned long seen, issued, have, rewritten, rejected;
	/* internal */
	int outfd;       /* -1 until the output directory exists */
	FILE *rejects;   /* rejected.txt lines, or NULL */
	struct csr_in in;
	int in_open;
	size_t in_idx;
	char *ca_pem;
	size_t ca_pemlen;
	uint64_t *in_first; /* first item of each input, for labels */
	size_t ninputs;
	struct index stems;
	EVP_MD_CTX **signers;
	pthread_t *threads;
	void *wks;
	pthread_mutex_t mu;
	pthread_cond_t go, idle;
	void (*fn)(struct batch *, struct item *, int);
	struct item *items;
	size_t nitems, next;
	unsigned gen;
	int busy, quit, failed;
	double started, finished;
};

/* The item's certificate and chain as PEM. With check set (a certificate
 * re-emitted), temp files where the files in place differ; else kept in
 * the item until batch_place. */
void batch_emit(struct batch *b, struct item *it, int check);
/* After the ledger sync (pool phase): a new certificate's files are
 * created under their names (O_EXCL); temp files of a re-emitted one are
 * renamed into place. A crash mid-write leaves a file the rerun finds
 * different from the ledger and writes again. */
void batch_place(struct batch *b, struct item *it, int tid);

/* Runs the whole batch. 0 ok (rejections counted), -1 I/O or internal
 * error (message given). */
int batch_run(struct batch *b);

/* The SHA-256 of the CSR set (sorted hashes of every CSR's DER) and the
 * number of items (CSRs, and inputs too broken to be one), from a first
 * pass over the inputs. */
int batch_scan(char **inputs, FILE *stdin_copy, unsigned char set[32],
    unsigned long *count);

#endif
