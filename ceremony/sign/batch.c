/* The signing batch. Per chunk of CSRs:
 *   read (main)  ->  CSR-hash dedup (main)  ->  parse+check (pool)
 *   ->  key/CN dedup (main)  ->  sign+lint+PEM (pool)
 *   ->  ledger append + fdatasync (main)  ->  files written (pool).
 * Dedup runs in input order, so the first of two duplicates wins, the same
 * way on every run. A certificate reaches its name only after its ledger
 * line is on disk; a rerun after a crash re-emits it from the ledger (and
 * rewrites a file a crash cut short). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <sodium.h>

#include "sign/batch.h"
#include "ca/pki.h"
#include "core/util.h"

static double
now_sec(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The pool: jobs-1 threads plus the main thread run one phase at a time. */
struct wk {
	struct batch *b;
	int tid;
};

static void
work(struct batch *b, int tid)
{
	size_t i;

	while ((i = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED)) <
	    b->nitems)
		b->fn(b, &b->items[i], tid);
}

static void *
worker(void *arg)
{
	struct wk *w = arg;
	struct batch *b = w->b;
	unsigned gen = 0;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (b->gen == gen && !b->quit)
			pthread_cond_wait(&b->go, &b->mu);
		if (b->quit)
			break;
		gen = b->gen;
		pthread_mutex_unlock(&b->mu);
		work(b, w->tid);
		pthread_mutex_lock(&b->mu);
		if (--b->busy == 0)
			pthread_cond_signal(&b->idle);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

static void
pool_run(struct batch *b, void (*fn)(struct batch *, struct item *, int),
    size_t n)
{
	pthread_mutex_lock(&b->mu);
	b->fn = fn;
	b->nitems = n;
	b->next = 0;
	b->busy = b->jobs - 1;
	b->gen++;
	pthread_cond_broadcast(&b->go);
	pthread_mutex_unlock(&b->mu);
	work(b, 0);
	pthread_mutex_lock(&b->mu);
	while (b->busy > 0)
		pthread_cond_wait(&b->idle, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

/* The label of the n-th CSR of the batch, from the input it came from:
 * every input yields at least one item, numbered from 1 in its file. */
static const char *
label_of(struct batch *b, uint64_t v, char *buf, size_t len)
{
	size_t lo = 0, hi = b->in_idx + 1, mid;
	uint64_t n;

	v &= ~LEDGER_BATCH;
	if (b->in_first == NULL || hi > b->ninputs)
		hi = b->ninputs;
	/* the last input whose first item is at or before v */
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (b->in_first[mid] <= v)
			lo = mid;
		else
			hi = mid;
	}
	n = v - b->in_first[lo] + 1;
	if (n > 1)
		snprintf(buf, len, "%s#%llu", strcmp(b->inputs[lo], "-") ?
		    b->inputs[lo] : "stdin", (unsigned long long)n);
	else
		snprintf(buf, len, "%s", strcmp(b->inputs[lo], "-") ?
		    b->inputs[lo] : "stdin");
	return buf;
}

static void
item_clear(struct item *it)
{
	free(it->der);
	csr_free(&it->csr);
	ledger_entry_free(&it->ent);
	free(it->line);
	free(it->pem);
	free(it->chain);
	memset(it, 0, sizeof(*it));
}

/* --- reading --- */

/* Fills up to BATCH_CHUNK items; the count, or -1 on a read error. */
static long
intake(struct batch *b)
{
	struct item *it;
	long n = 0;
	int r;

	while (n < BATCH_CHUNK) {
		if (!b->in_open) {
			if (b->inputs[b->in_idx] == NULL)
				break;
			if (csr_in_open(&b->in, b->inputs[b->in_idx],
			    strcmp(b->inputs[b->in_idx], "-") == 0 ?
			    b->stdin_copy : NULL) == -1)
				return -1;
			b->in_open = 1;
			b->in_first[b->in_idx] = b->seen;
		}
		it = &b->items[n];
		r = csr_in_next(&b->in, &it->der, &it->len, it->label,
		    sizeof(it->label), it->err, sizeof(it->err));
		if (r == 0 || r == -2) {
			if (r == -2)
				warnf("%s: %s", b->in.name, it->err);
			csr_in_close(&b->in);
			b->in_open = 0;
			b->in_idx++;
			if (r == -2)
				return -1;
			continue;
		}
		it->seq = b->seen++;
		it->state = r == 1 ? IT_NEW : IT_BAD;
		if (r == 1)
			crypto_hash_sha256(it->csr_sha256, it->der, it->len);
		n++;
	}
	return n;
}

/* --- checks --- */

static void
ph_check(struct batch *b, struct item *it, int tid)
{
	if (it->state != IT_NEW)
		return;
	if (csr_parse(it->der, it->len, &it->csr, it->err,
	    sizeof(it->err)) == -1 ||
	    csr_check(&it->csr, b->tpl, it->err, sizeof(it->err)) == -1)
		it->state = IT_BAD;
}

/* A free output name for cn in this batch: CN, then CN.2, CN.3 ... */
static int
stem_pick(struct batch *b, const char *cn, char *stem, size_t len,
    uint64_t seq)
{
	unsigned char k[16];
	int i, r;

	for (i = 1; i < 1000000; i++) {
		if (i == 1)
			snprintf(stem, len, "%s", cn);
		else
			snprintf(stem, len, "%s.%d", cn, i);
		ledger_key_cn(stem, k);
		if ((r = index_put(&b->stems, k, seq, NULL, 0)) == -1)
			return -1;
		if (r == 1)
			return 0;
	}
	return -1;
}

static int
stem_claim(struct batch *b, const char *stem, uint64_t seq)
{
	unsigned char k[16];

	ledger_key_cn(stem, k);
	return index_put(&b->stems, k, seq, NULL, 0);
}

/* Message for a duplicate of what the ledger or the batch already holds. */
static void
dup_msg(struct batch *b, struct item *it, const char *what, uint64_t old)
{
	struct ledger_entry e;
	char label[300];

	if (old & LEDGER_BATCH) {
		snprintf(it->err, sizeof(it->err), "%s as %.300s in this batch",
		    what, label_of(b, old, label, sizeof(label)));
	} else if (ledger_read(b->led, old, &e) == 0) {
		snprintf(it->err, sizeof(it->err), "%s as the certificate "
		    "already issued to CN '%s' (serial %s, batch %s)", what,
		    e.cn, e.serial, e.batch);
		ledger_entry_free(&e);
	} else
		snprintf(it->err, sizeof(it->err), "%s as an earlier "
		    "certificate in the ledger", what);
	it->state = IT_BAD;
}

/* In input order: exact CSR repeats. A CSR already in the ledger is not
 * signed again; its certificate is written again if missing. */
static int
dedup_csr(struct batch *b, struct item *it)
{
	uint64_t me = LEDGER_BATCH | it->seq, old;
	unsigned char k[16];
	int r;

	if (it->state != IT_NEW)
		return 0;
	if ((r = index_put(&b->led->csr, it->csr_sha256, me, &old, 0)) == -1)
		return -1;
	if (r == 1)
		return 0;
	if (old & LEDGER_BATCH) {
		dup_msg(b, it, "duplicate: the same CSR", old);
		return 0;
	}
	if (ledger_read(b->led, old, &it->ent) == -1)
		return -1;
	it->state = IT_HAVE;
	/* from now on, repeats in this batch point to this item */
	ledger_key_cn(it->ent.cn, k);
	if (index_put(&b->led->csr, it->csr_sha256, me, NULL, 1) == -1 ||
	    index_put(&b->led->key, it->ent.key_sha256, me, NULL, 1) == -1 ||
	    index_put(&b->led->cn, k, me, NULL, 1) == -1)
		return -1;
	if (strcmp(it->ent.batch, b->batch) == 0) {
		if (stem_claim(b, it->ent.file, it->seq) == -1)
			return -1;
	} else if (stem_pick(b, it->ent.cn, it->ent.file,
	    sizeof(it->ent.file), it->seq) == -1)
		return -1;
	return 0;
}

static int
exists_in_out(struct batch *b, const char *stem, const char *suffix)
{
	char name[256];

	snprintf(name, sizeof(name), "%s%s", stem, suffix);
	return faccessat(b->outfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* In input order, after the checks: the same key or CN again. */
static int
dedup_key(struct batch *b, struct item *it)
{
	uint64_t me = LEDGER_BATCH | it->seq, old;
	unsigned char cnk[16];

	if (it->state != IT_NEW)
		return 0;
	if (index_get(&b->led->key, it->csr.key_sha256, &old)) {
		dup_msg(b, it, "duplicate: the same public key", old);
		return 0;
	}
	ledger_key_cn(it->csr.cn, cnk);
	if (!b->allow_dup_cn && index_get(&b->led->cn, cnk, &old)) {
		dup_msg(b, it, "duplicate CN: the same CN", old);
		if (!(old & LEDGER_BATCH))
			strncat(it->err, "; --allow-duplicate-cn issues it "
			    "anyway", sizeof(it->err) - strlen(it->err) - 1);
		return 0;
	}
	if (stem_pick(b, it->csr.cn, it->ent.file, sizeof(it->ent.file),
	    it->seq) == -1)
		return -1;
	if (b->outfd != -1 && (exists_in_out(b, it->ent.file, ".crt") ||
	    exists_in_out(b, it->ent.file, "-chain.crt"))) {
		snprintf(it->err, sizeof(it->err), "%s/%s.crt exists but is "
		    "not in the ledger; move it away or choose another --out",
		    b->outdir, it->ent.file);
		it->state = IT_BAD;
		return 0;
	}
	if (index_put(&b->led->key, it->csr.key_sha256, me, NULL, 0) == -1 ||
	    index_put(&b->led->cn, cnk, me, NULL, 0) == -1)
		return -1;
	it->state = IT_SIGN;
	return 0;
}

/* --- issuing --- */

static void
time_iso(const ASN1_TIME *t, char out[21])
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm) ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "?");
}

/* Fills the ledger entry from the certificate. */
static int
entry_fill(struct batch *b, struct item *it, X509 *x)
{
	struct ledger_entry *e = &it->ent;
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	unsigned char *p = NULL, k[32];
	char *subject;
	int n;

	if (ASN1_STRING_length(sn) > 20)
		return -1;
	hex_encode(ASN1_STRING_get0_data(sn), (size_t)ASN1_STRING_length(sn),
	    e->serial);
	snprintf(e->cn, sizeof(e->cn), "%s", it->csr.cn);
	if ((subject = pki_name_string(X509_get_subject_name(x))) == NULL ||
	    strlen(subject) >= sizeof(e->subject)) {
		free(subject);
		return -1;
	}
	strcpy(e->subject, subject);
	free(subject);
	time_iso(X509_get0_notBefore(x), e->not_before);
	time_iso(X509_get0_notAfter(x), e->not_after);
	memcpy(e->batch, b->batch, sizeof(e->batch));
	memcpy(e->key_sha256, it->csr.key_sha256, 32);
	memcpy(e->csr_sha256, it->csr_sha256, 32);
	/* the certificate must carry the key the CSR proved */
	if ((n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &p)) <= 0)
		return -1;
	crypto_hash_sha256(k, p, (size_t)n);
	OPENSSL_free(p);
	if (memcmp(k, e->key_sha256, 32) != 0)
		return -1;
	if ((n = i2d_X509(x, &e->cert)) <= 0)
		return -1;
	e->certlen = (size_t)n;
	crypto_hash_sha256(e->cert_sha256, e->cert, e->certlen);
	return 0;
}

static void
ph_issue(struct batch *b, struct item *it, int tid)
{
	char err[256];
	X509 *x = NULL;

	if (it->state == IT_HAVE) {
		batch_emit(b, it, 1);
		return;
	}
	if (it->state != IT_SIGN)
		return;
	if ((x = csr_issue(&b->is, b->signers[tid], &it->csr)) == NULL) {
		snprintf(it->err, sizeof(it->err), "cannot build the "
		    "certificate");
		it->state = IT_BAD;
		goto out;
	}
	if (pki_lint(x, b->is.ca, PROFILE_DEVICE, err, sizeof(err)) == -1) {
		snprintf(it->err, sizeof(it->err), "certificate failed lint, "
		    "not issued: %s", err);
		it->state = IT_BAD;
		goto out;
	}
	if (entry_fill(b, it, x) == -1 ||
	    (it->line = ledger_format(&it->ent, &it->linelen)) == NULL) {
		snprintf(it->err, sizeof(it->err), "cannot encode the "
		    "certificate");
		it->state = IT_BAD;
		goto out;
	}
	batch_emit(b, it, 0);
out:
	X509_free(x);
}

/* --- the run --- */

static void
progress(struct batch *b, int last)
{
	double t = now_sec() - b->started, rate = t > 0 ? b->issued / t : 0;
	unsigned long left = b->total > b->seen ? b->total - b->seen : 0;

	if (!b->progress)
		return;
	if (last)
		fputc('\n', stderr);
	else
		fprintf(stderr, "\rsigning %lu/%lu  %.0f certs/s  ETA %.0fs\033[K",
		    b->seen, b->total, rate, rate > 0 ? left / rate : 0.0);
}

/* Ledger lines for the chunk, written and synced in one go; then the
 * certificates are put in place. */
static int
commit(struct batch *b, size_t n)
{
	struct item *it;
	unsigned char k[16];
	char *buf = NULL;
	size_t len = 0, i;
	off_t at;
	int rv = -1;

	for (i = 0; i < n; i++) {
		it = &b->items[i];
		if (it->state != IT_SIGN || b->check_only)
			continue;
		ledger_key_serial(it->ent.serial, k);
		if (index_put(&b->led->serial, k, LEDGER_BATCH | it->seq, NULL,
		    0) != 1) {
			snprintf(it->err, sizeof(it->err), "random serial %s "
			    "collides with an earlier one; run again",
			    it->ent.serial);
			it->state = IT_BAD;
			continue;
		}
		len += it->linelen;
	}
	if (len > 0 && !b->check_only) {
		if ((buf = malloc(len)) == NULL)
			goto out;
		for (len = 0, i = 0; i < n; i++) {
			it = &b->items[i];
			if (it->state != IT_SIGN)
				continue;
			memcpy(buf + len, it->line, it->linelen);
			len += it->linelen;
		}
		if (ledger_append(b->led, buf, len, &at) == -1)
			goto out;
		for (i = 0; i < n; i++) {
			it = &b->items[i];
			if (it->state != IT_SIGN)
				continue;
			if (ledger_index(b->led, &it->ent, (uint64_t)at) == -1)
				goto out;
			at += (off_t)it->linelen;
		}
	}
	if (!b->check_only) {
		pool_run(b, batch_place, n);
		if (b->failed)
			goto out;
	}
	for (i = 0; i < n; i++) {
		it = &b->items[i];
		if (it->state == IT_BAD) {
			b->rejected++;
			if (b->progress && b->report)
				fputs("\r\033[K", stderr); /* the progress line */
			if (b->report)
				warnf("%s: %s", it->label, it->err);
			if (b->rejects != NULL)
				fprintf(b->rejects, "%s: %s\n", it->label,
				    it->err);
		} else if (it->state == IT_SIGN)
			b->issued++;
		else if (it->state == IT_HAVE) {
			b->have++;
			if (it->write)
				b->rewritten++;
		}
	}
	rv = 0;
out:
	free(buf);
	return rv;
}

static int
pool_start(struct batch *b)
{
	struct wk *w;
	int i;

	/* a batch may run twice (--strict: check, then sign) */
	b->quit = 0;
	b->gen = 0;
	b->busy = 0;
	b->next = 0;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->go, NULL);
	pthread_cond_init(&b->idle, NULL);
	b->signers = calloc((size_t)b->jobs, sizeof(*b->signers));
	b->threads = calloc((size_t)b->jobs, sizeof(*b->threads));
	b->wks = calloc((size_t)b->jobs, sizeof(struct wk));
	if (b->signers == NULL || b->threads == NULL || b->wks == NULL)
		return -1;
	for (i = 0; i < b->jobs; i++)
		if ((b->signers[i] = csr_signer_new(&b->is)) == NULL) {
			warnf("cannot set up signing with the CA key");
			return -1;
		}
	w = b->wks;
	for (i = 1; i < b->jobs; i++) {
		w[i].b = b;
		w[i].tid = i;
		if (pthread_create(&b->threads[i], NULL, worker, &w[i]) != 0) {
			warnf("cannot start thread %d", i);
			b->jobs = i;
			return -1;
		}
	}
	return 0;
}

static void
pool_stop(struct batch *b)
{
	int i;

	if (b->threads != NULL) {
		pthread_mutex_lock(&b->mu);
		b->quit = 1;
		pthread_cond_broadcast(&b->go);
		pthread_mutex_unlock(&b->mu);
		for (i = 1; i < b->jobs; i++)
			pthread_join(b->threads[i], NULL);
		pthread_cond_destroy(&b->go);
		pthread_cond_destroy(&b->idle);
		pthread_mutex_destroy(&b->mu);
	}
	for (i = 0; b->signers != NULL && i < b->jobs; i++)
		EVP_MD_CTX_free(b->signers[i]);
	free(b->signers);
	free(b->threads);
	free(b->wks);
	b->signers = NULL;
	b->threads = NULL;
	b->wks = NULL;
}

int
batch_run(struct batch *b)
{
	long n, i;
	int rv = -1;

	b->started = now_sec();
	for (b->ninputs = 0; b->inputs[b->ninputs] != NULL; b->ninputs++)
		;
	if ((b->items = calloc(BATCH_CHUNK, sizeof(*b->items))) == NULL ||
	    (b->in_first = calloc(b->ninputs + 1, sizeof(*b->in_first))) ==
		NULL ||
	    pki_cert_pem(b->is.ca, &b->ca_pem, &b->ca_pemlen) == -1 ||
	    pool_start(b) == -1)
		goto out;
	for (;;) {
		if ((n = intake(b)) <= 0) {
			rv = n == 0 ? 0 : -1;
			break;
		}
		for (i = 0; i < n; i++)
			if (dedup_csr(b, &b->items[i]) == -1)
				goto out;
		pool_run(b, ph_check, (size_t)n);
		for (i = 0; i < n; i++)
			if (dedup_key(b, &b->items[i]) == -1)
				goto out;
		if (!b->check_only)
			pool_run(b, ph_issue, (size_t)n);
		if (b->failed || commit(b, (size_t)n) == -1)
			goto out;
		for (i = 0; i < n; i++)
			item_clear(&b->items[i]);
		progress(b, 0);
	}
	progress(b, 1);
	b->finished = now_sec();
out:
	if (rv != 0 && b->progress)
		fputc('\n', stderr);
	pool_stop(b);
	if (b->in_open)
		csr_in_close(&b->in);
	b->in_open = 0;
	for (i = 0; b->items != NULL && i < BATCH_CHUNK; i++)
		item_clear(&b->items[i]);
	free(b->items);
	b->items = NULL;
	free(b->ca_pem);
	b->ca_pem = NULL;
	free(b->in_first);
	b->in_first = NULL;
	index_free(&b->stems);
	return rv;
}

static int
cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

int
batch_scan(char **inputs, FILE *stdin_copy, unsigned char set[32],
    unsigned long *count)
{
	crypto_hash_sha256_state st;
	struct csr_in in;
	unsigned char *der, (*h)[32] = NULL, (*nh)[32];
	char label[600], err[400];
	size_t len, n = 0, cap = 0;
	int r, rv = -1;

	*count = 0;
	for (; *inputs != NULL; inputs++) {
		if (csr_in_open(&in, *inputs, strcmp(*inputs, "-") == 0 ?
		    stdin_copy : NULL) == -1)
			goto out;
		while ((r = csr_in_next(&in, &der, &len, label, sizeof(label),
		    err, sizeof(err))) != 0) {
			if (r == -2) {
				warnf("%s: %s", in.name, err);
				csr_in_close(&in);
				goto out;
			}
			(*count)++;
			if (r == -1)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				if ((nh = realloc(h, cap * 32)) == NULL) {
					free(der);
					csr_in_close(&in);
					goto out;
				}
				h = nh;
			}
			crypto_hash_sha256(h[n++], der, len);
			free(der);
		}
		csr_in_close(&in);
	}
	if (n > 0)
		qsort(h, n, 32, cmp32);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)h, n * 32);
	crypto_hash_sha256_final(&st, set);
	rv = 0;
out:
	free(h);
	if (stdin_copy != NULL)
		rewind(stdin_copy);
	return rv;
}
