/* The signing batch. Per chunk of CSRs:
 *   read (main)  ->  CSR-hash dedup (main)  ->  parse+check (pool)
 *   ->  key/CN dedup (main)  ->  sign+lint+PEM (pool)  ->  serials (main)
 *   ->  ledger append + fdatasync, then files written (writer thread,
 *       while the next chunk goes through the steps before).
 * Dedup runs in input order, so the first of two duplicates wins, the same
 * way on every run. A certificate reaches its name only after its ledger
 * line is on disk; a rerun after a crash re-emits it from the ledger (and
 * rewrites a file a crash cut short). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <sodium.h>

#include "sign/batch_int.h"
#include "ca/pki.h"
#include "core/util.h"

static double
now_sec(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* 1 if the folder at dfd has no entries. */
static int
dir_empty(int dfd)
{
	struct dirent *d;
	DIR *dir;
	int fd = dup(dfd), empty = 1;

	if (fd == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return 0;
	}
	while (empty && (d = readdir(dir)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			empty = 0;
	closedir(dir);
	return empty;
}

/* Fills up to BATCH_CHUNK items; the count, or -1 on a read error. */
static long
intake(struct batch_state *s)
{
	struct batch *b = s->b;
	struct item *it;
	long n = 0;
	int r;

	while (n < BATCH_CHUNK) {
		if (!s->in_open) {
			if (b->inputs[s->in_idx] == NULL)
				break;
			if (csr_in_open(&s->in, b->inputs[s->in_idx],
			    strcmp(b->inputs[s->in_idx], "-") == 0 ?
			    b->stdin_copy : NULL) == -1)
				return -1;
			s->in_open = 1;
			s->in_first[s->in_idx] = b->seen;
		}
		if (b->seen >= SEEN_MAX) {
			warnf("more than %u CSRs: one batch holds at most that",
			    SEEN_MAX);
			return -1;
		}
		it = &s->items[n];
		r = csr_in_next(&s->in, &it->der, &it->len, it->label,
		    sizeof(it->label), it->err, sizeof(it->err));
		if (r == 0 || r == RC_ERR) {
			if (r == RC_ERR)
				warnf("%s: %s", s->in.name, it->err);
			csr_in_close(&s->in);
			s->in_open = 0;
			s->in_idx++;
			if (r == RC_ERR)
				return -1;
			continue;
		}
		it->seq = b->seen++;
		it->state = r == 1 ? IT_NEW : IT_BAD;
		it->notfile = s->in.notfile != NULL;
		if (r == 1)
			tbs_sha256(it->der, it->len, it->csr_sha256);
		n++;
	}
	return n;
}

static void
progress(const struct batch *b, int last)
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

int
batch_run(struct batch *b)
{
	struct batch_state *s;
	char err[256];
	mode_t mask;
	long n, i;
	int cur, rv = -1;

	b->started = now_sec();
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->b = b;
	s->out_empty = b->outfd != -1 && dir_empty(b->outfd);
	/* no thread runs yet: the umask is read and put back */
	mask = umask(022);
	umask(mask);
	s->chmod = (mask & 0644) != 0;
	for (s->ninputs = 0; b->inputs[s->ninputs] != NULL; s->ninputs++)
		;
	if ((s->arr[0] = calloc(BATCH_CHUNK, sizeof(*s->items))) == NULL ||
	    (s->arr[1] = calloc(BATCH_CHUNK, sizeof(*s->items))) == NULL ||
	    (s->in_first = calloc(s->ninputs + 1, sizeof(*s->in_first))) ==
		NULL ||
	    pki_cert_pem(b->is.ca, &s->ca_pem, &s->ca_pemlen) == -1)
		goto out;
	if (b->total > SEEN_MAX) {
		warnf("%lu CSRs: one batch holds at most %u", b->total,
		    SEEN_MAX);
		goto out;
	}
	/* sized for the whole batch (b->total items) */
	if (seen_init(&s->csr, b->total, 1) == -1 ||
	    seen_init(&s->key, b->total, 1) == -1 ||
	    seen_init(&s->cn, b->total, 1) == -1 ||
	    seen_init(&s->serial, b->total, 0) == -1 ||
	    seen_init(&s->stems, 0, 0) == -1)
		goto out;
	if (tbs_tmpl_init(&s->tmpl, &b->is, err, sizeof(err)) == -1) {
		warnf("cannot prepare the device certificate: %s", err);
		goto out;
	}
	if (batch_pool_start(s) == -1)
		goto out;
	/* chunk k+1 is checked and signed while the writer thread syncs the
	 * ledger lines of chunk k, then puts its files in place */
	for (cur = 0;; cur = !cur) {
		s->items = s->arr[cur];
		if ((n = intake(s)) <= 0) {
			rv = n == 0 ? 0 : -1;
			break;
		}
		for (i = 0; i < n; i++)
			if (batch_dedup_csr(s, &s->items[i]) == -1)
				goto out;
		batch_pool_run(s, batch_check, (size_t)n);
		for (i = 0; i < n; i++)
			if (batch_dedup_key(s, &s->items[i]) == -1)
				goto out;
		if (!b->check_only)
			batch_pool_run(s, batch_issue, (size_t)n);
		if (s->failed || batch_settle(s) == -1 ||
		    batch_stage(s, s->arr[cur], (size_t)n) == -1)
			goto out;
		progress(b, 0);
	}
	if (rv == 0 && batch_settle(s) == -1)
		rv = -1;
	progress(b, 1);
	b->finished = now_sec();
out:
	if (rv != 0 && b->progress)
		fputc('\n', stderr);
	batch_settle(s); /* a writer still running is waited for */
	batch_pool_stop(s);
	if (s->in_open)
		csr_in_close(&s->in);
	for (cur = 0; cur < 2; cur++) {
		for (i = 0; s->arr[cur] != NULL && i < BATCH_CHUNK; i++)
			batch_item_clear(&s->arr[cur][i]);
		free(s->arr[cur]);
	}
	free(s->ca_pem);
	free(s->in_first);
	seen_free(&s->csr);
	seen_free(&s->key);
	seen_free(&s->cn);
	seen_free(&s->serial);
	seen_free(&s->stems);
	tbs_tmpl_free(&s->tmpl);
	free(s);
	return rv;
}

void
batch_reset(struct batch *b)
{
	b->seen = b->issued = b->have = b->rewritten = b->rejected = 0;
	b->notfiles = 0;
	b->started = b->finished = 0;
}

int
batch_precheck(struct batch *b)
{
	int rv;

	b->check_only = 1;
	b->report = 1;
	rv = batch_run(b);
	b->check_only = 0;
	if (rv == -1)
		return -1;
	if (b->rejected > 0)
		return RC_CHECK;
	/* what the pass saw was in its own tables, now gone: start over */
	if (b->stdin_copy != NULL)
		rewind(b->stdin_copy);
	batch_reset(b);
	return 0;
}
