/* The batch's thread pool: jobs-1 threads plus the main thread run one
 * phase at a time over the items of a chunk, taking the next item with an
 * atomic counter. Each thread has its own signing contexts. */
#include <stdlib.h>

#include <openssl/err.h>

#include "sign/batch_int.h"
#include "core/util.h"

struct batch_wk {
	struct batch_state *s;
	int tid;
};

static void
work(struct batch_state *s, int tid)
{
	size_t i;

	while ((i = __atomic_fetch_add(&s->next, 1, __ATOMIC_RELAXED)) <
	    s->nitems)
		s->fn(s, &s->items[i], tid);
}

static void *
worker(void *arg)
{
	struct batch_wk *w = arg;
	struct batch_state *s = w->s;
	unsigned gen = 0;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->gen == gen && !s->quit)
			pthread_cond_wait(&s->go, &s->mu);
		if (s->quit)
			break;
		gen = s->gen;
		pthread_mutex_unlock(&s->mu);
		work(s, w->tid);
		pthread_mutex_lock(&s->mu);
		if (--s->busy == 0)
			pthread_cond_signal(&s->idle);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

void
batch_pool_run(struct batch_state *s, batch_phase *fn, size_t n)
{
	pthread_mutex_lock(&s->mu);
	s->fn = fn;
	s->nitems = n;
	s->next = 0;
	s->busy = s->nthreads - 1;
	s->gen++;
	pthread_cond_broadcast(&s->go);
	pthread_mutex_unlock(&s->mu);
	work(s, 0);
	pthread_mutex_lock(&s->mu);
	while (s->busy > 0)
		pthread_cond_wait(&s->idle, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

int
batch_pool_start(struct batch_state *s)
{
	int i, jobs = s->b->jobs;

	s->nthreads = 1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->go, NULL);
	pthread_cond_init(&s->idle, NULL);
	s->thr = calloc((size_t)jobs, sizeof(*s->thr));
	s->threads = calloc((size_t)jobs, sizeof(*s->threads));
	s->wks = calloc((size_t)jobs, sizeof(*s->wks));
	if (s->thr == NULL || s->threads == NULL || s->wks == NULL)
		return -1;
	for (i = 0; i < jobs; i++)
		if (tbs_signer_init(&s->thr[i].sg, &s->tmpl, &s->b->is) ==
		    -1) {
			ERR_clear_error();
			warnf("cannot set up signing with the CA key");
			return -1;
		}
	for (i = 1; i < jobs; i++) {
		s->wks[i].s = s;
		s->wks[i].tid = i;
		if (pthread_create(&s->threads[i], NULL, worker, &s->wks[i]) !=
		    0) {
			warnf("cannot start thread %d", i);
			return -1;
		}
		s->nthreads = i + 1;
	}
	return 0;
}

void
batch_pool_stop(struct batch_state *s)
{
	int i;

	if (s->threads != NULL) {
		pthread_mutex_lock(&s->mu);
		s->quit = 1;
		pthread_cond_broadcast(&s->go);
		pthread_mutex_unlock(&s->mu);
		for (i = 1; i < s->nthreads; i++)
			pthread_join(s->threads[i], NULL);
		pthread_cond_destroy(&s->go);
		pthread_cond_destroy(&s->idle);
		pthread_mutex_destroy(&s->mu);
	}
	for (i = 0; s->thr != NULL && i < s->b->jobs; i++)
		tbs_signer_free(&s->thr[i].sg);
	free(s->thr);
	free(s->threads);
	free(s->wks);
	s->thr = NULL;
	s->threads = NULL;
	s->wks = NULL;
}
