/* The batch's insides, shared by batch*.c only: the items of a chunk and
 * the state of one batch_run (the pool of threads, its phase and queue,
 * the reading position). */
#ifndef BATCH_INT_H
#define BATCH_INT_H

#include <pthread.h>
#include <stdint.h>

#include "ca/tbs.h"
#include "sign/batch.h"
#include "sign/csr.h"

#define BATCH_CHUNK 512

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
	int notfile;  /* the input is not a regular file: not read */
	char err[400];
	struct csr csr;
	struct ledger_entry ent;
	unsigned char serial_key[16]; /* index_key of the serial */
	char *line;   /* ledger line */
	size_t linelen;
	char *pem, *chain; /* a new certificate's files, written after the
			    * ledger sync */
	size_t pemlen, chainlen;
};

/* batch_seen.c: a packed table of 64-bit key prefixes (the first 8
 * bytes of a 16-byte index key), each with a 32-bit value (an item's seq)
 * or none (a set). get: 1 and the value if present; add: a key not yet
 * there; set: adds, or replaces the value. -1 out of memory. */
struct seen_tab {
	uint64_t *fp;  /* 0: an empty slot */
	uint32_t *val; /* NULL in a set */
	size_t cap, n;
};
int seen_init(struct seen_tab *t, size_t n, int vals);
void seen_free(struct seen_tab *t);
int seen_get(const struct seen_tab *t, const unsigned char key[16],
    uint32_t *v);
int seen_add(struct seen_tab *t, const unsigned char key[16], uint32_t v);
int seen_set(struct seen_tab *t, const unsigned char key[16], uint32_t v);
#define SEEN_STEM 0x80000000u /* cn: the CN is also a taken output name */
#define SEEN_MAX 0x7fffffffu  /* items in one batch */

/* One thread's signing contexts and buffers. */
#define BATCH_DER_MAX (48u << 10)
struct batch_thr {
	struct tbs_signer sg;
	unsigned char tbs[BATCH_DER_MAX], cert[BATCH_DER_MAX + TBS_SIG_MAX];
};

struct batch_state;
struct batch_wk;
typedef void batch_phase(struct batch_state *, struct item *, int tid);

struct batch_state {
	struct batch *b;
	/* reading */
	struct csr_in in;
	int in_open;
	size_t in_idx;
	uint64_t *in_first; /* first item of each input, for labels */
	size_t ninputs;
	/* checking and issuing; what the batch has seen (the ledger's lines
	 * from before are in its indexes): CSRs, keys, CNs -> the item, the
	 * serials drawn, output names other than an item's CN */
	struct seen_tab csr, key, cn, serial, stems;
	char *ca_pem;
	size_t ca_pemlen;
	struct tbs_tmpl tmpl;
	int linted[2];        /* a certificate of each kind passed pki_lint */
	struct batch_thr *thr; /* one per thread */
	int out_empty;        /* the output folder held nothing at the start */
	int chmod;            /* the umask takes bits off 0644 */
	/* the pool: jobs-1 threads plus the main thread */
	pthread_t *threads;
	struct batch_wk *wks;
	int nthreads;         /* started, the main thread included */
	pthread_mutex_t mu;
	pthread_cond_t go, idle;
	batch_phase *fn;
	struct item *items;   /* the chunk the pool works on: arr[0] or arr[1] */
	struct item *arr[2];
	/* the writer thread: a staged chunk's ledger lines, synced, then its
	 * files put in place */
	pthread_t wr;
	int wr_on, wr_thread, wr_rv;
	struct item *wr_items;
	size_t wr_n, wr_len;
	char *wr_buf;
	size_t nitems, next;
	unsigned gen;
	int busy, quit, failed;
};

/* batch_pool.c: starts the pool (and the signing contexts of each thread:
 * the template must be ready), runs one phase
 * over items[0..n) on every thread, stops it. */
int batch_pool_start(struct batch_state *s);
void batch_pool_run(struct batch_state *s, batch_phase *fn, size_t n);
void batch_pool_stop(struct batch_state *s);

/* batch_item.c: the label of the n-th CSR of the batch; the checks (pool
 * phase); the dedup of CSRs, then of keys and CNs (main thread, in input
 * order; -1 out of memory or a ledger read error); issuing (pool phase). */
const char *batch_label(struct batch_state *s, uint64_t v, char *buf,
    size_t len);
void batch_check(struct batch_state *s, struct item *it, int tid);
int batch_dedup_csr(struct batch_state *s, struct item *it);
int batch_dedup_key(struct batch_state *s, struct item *it);
void batch_issue(struct batch_state *s, struct item *it, int tid);

/* batch_commit.c: stage hands a signed chunk to the writer thread (the
 * serials checked first, the lines gathered), which syncs the lines, puts
 * the files in place and frees the items it does not report on; settle
 * waits for it, counts and reports the chunk's items and frees the rest.
 * A chunk's files reach their names only after its ledger lines are
 * synced. -1 on an I/O or memory error (reported). */
int batch_stage(struct batch_state *s, struct item *items, size_t n);
int batch_settle(struct batch_state *s);
void batch_item_clear(struct item *it);

/* batch_io.c: the item's certificate and chain as PEM. With check set (a
 * certificate re-emitted), temp files where the files in place differ;
 * else kept in the item until batch_place. */
void batch_emit(struct batch_state *s, struct item *it, int check);
/* After the ledger sync (pool phase): a new certificate's files are
 * created under their names (O_EXCL); temp files of a re-emitted one are
 * renamed into place. A crash mid-write leaves a file the rerun finds
 * different from the ledger and writes again. */
void batch_place(struct batch_state *s, struct item *it, int tid);

#endif
