/* A signed chunk's way out. The main thread checks the serials (in input
 * order) and gathers the ledger lines; the writer thread appends them in
 * one write, syncs them, then puts the chunk's files in place, while the
 * pool checks and signs the next chunk. The main thread then counts and
 * reports the chunk and the pool frees its items (freeing them in the
 * writer, concurrently with the pool's allocations, costs the malloc
 * lock's contention). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign/batch_int.h"
#include "core/util.h"

void
batch_item_clear(struct item *it)
{
	free(it->der);
	csr_free(&it->csr);
	ledger_entry_free(&it->ent);
	free(it->line);
	free(it->pem);
	free(it->chain);
	memset(it, 0, sizeof(*it));
}

static void *
writer(void *arg)
{
	struct batch_state *s = arg;
	struct item *it;
	off_t at;
	size_t i;

	if (s->wr_len > 0 &&
	    ledger_append(s->b->led, s->wr_buf, s->wr_len, &at) == -1) {
		s->wr_rv = -1;
		return NULL;
	}
	for (i = 0; i < s->wr_n; i++) {
		it = &s->wr_items[i];
		if (s->b->collect == NULL)
			batch_place(s, it, 0);
		else if ((it->state == IT_SIGN || it->state == IT_HAVE) &&
		    s->b->collect(s->b->collect_arg, &it->ent) != 0) {
			/* one archive: its certificates in input order */
			s->wr_rv = -1;
			return NULL;
		}
	}
	return NULL;
}

int
batch_stage(struct batch_state *s, struct item *items, size_t n)
{
	struct batch *b = s->b;
	struct item *it;
	size_t len = 0, i;
	uint64_t old;

	s->wr_on = 1;
	s->wr_items = items;
	s->wr_n = n;
	s->wr_rv = 0;
	if (b->check_only)
		return 0;
	for (i = 0; i < n; i++) {
		it = &items[i];
		if (it->state != IT_SIGN)
			continue;
		if (seen_get(&s->serial, it->serial_key, NULL) ||
		    index_get(&b->led->serial, it->serial_key, &old)) {
			snprintf(it->err, sizeof(it->err), "random serial %s "
			    "collides with an earlier one; run again",
			    it->ent.serial);
			it->state = IT_BAD;
			continue;
		}
		if (seen_add(&s->serial, it->serial_key, 0) == -1)
			return -1;
		len += it->linelen;
	}
	if (len > 0 && (s->wr_buf = malloc(len)) == NULL)
		return -1;
	for (s->wr_len = 0, i = 0; i < n; i++) {
		it = &items[i];
		if (it->state != IT_SIGN)
			continue;
		memcpy(s->wr_buf + s->wr_len, it->line, it->linelen);
		s->wr_len += it->linelen;
	}
	if (pthread_create(&s->wr, NULL, writer, s) != 0) {
		warnf("cannot start the writer thread");
		return -1;
	}
	s->wr_thread = 1;
	return 0;
}

static void
clear(struct batch_state *s, struct item *it, int tid)
{
	batch_item_clear(it);
}

int
batch_settle(struct batch_state *s)
{
	struct batch *b = s->b;
	struct item *it, *keep = s->items;
	size_t i;
	int rv;

	if (!s->wr_on)
		return 0;
	if (s->wr_thread)
		pthread_join(s->wr, NULL);
	s->wr_on = s->wr_thread = 0;
	free(s->wr_buf);
	s->wr_buf = NULL;
	rv = s->wr_rv == -1 || s->failed ? -1 : 0;
	for (i = 0; i < s->wr_n; i++) {
		it = &s->wr_items[i];
		if (it->state == IT_BAD) {
			b->rejected++;
			b->notfiles += (unsigned long)it->notfile;
			if (b->progress && b->report)
				fputs("\r\033[K", stderr); /* the progress line */
			if (b->report)
				warnf("%s: %s", it->label, it->err);
			if (b->rejects != NULL)
				fprintf(b->rejects, "%s: %s\n", it->label,
				    it->err);
		} else if (it->state == IT_SIGN) {
			b->issued++;
			/* in the batch's own tables; the ledger's indexes
			 * hold what was there before the batch */
			if (rv == 0 && !b->check_only)
				b->led->count++;
		} else if (it->state == IT_HAVE) {
			b->have++;
			if (it->write)
				b->rewritten++;
		}
	}
	s->items = s->wr_items;
	batch_pool_run(s, clear, s->wr_n);
	s->items = keep;
	return rv;
}
