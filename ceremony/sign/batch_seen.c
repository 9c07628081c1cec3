/* What this batch has seen, for the dedup: the 64-bit prefixes of the
 * SHA-256 keys (of the CSR, the key, the CN, the serial, the output name)
 * in packed Robin Hood tables sized for the whole batch, 8 bytes a slot
 * plus 4 for the item it points to, at most 90% full. The ledger's own
 * lines stay in its exact 16-byte indexes; a 64-bit prefix shared by two
 * items of one batch makes the later one a duplicate (a refusal, never a
 * certificate), which for a million CSRs has odds of about 3 in 10^8.
 * The tables are mapped pages of their own, outside the heap, so that
 * what the batch holds per CSR is what they hold. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sign/batch_int.h"

#define LOAD_NUM 9
#define LOAD_DEN 10

static uint64_t
fp_of(const unsigned char key[16])
{
	uint64_t f;

	memcpy(&f, key, sizeof(f));
	return f != 0 ? f : 1; /* 0 marks an empty slot */
}

static size_t
home(const struct seen_tab *t, uint64_t f)
{
	return (size_t)(((unsigned __int128)f * t->cap) >> 64);
}

static size_t
dist(const struct seen_tab *t, size_t i, uint64_t f)
{
	size_t h = home(t, f);

	return i >= h ? i - h : i + t->cap - h;
}

/* The slot holding f, or (size_t)-1. */
static size_t
find(const struct seen_tab *t, uint64_t f)
{
	size_t i, d;

	if (t->cap == 0)
		return (size_t)-1;
	for (i = home(t, f), d = 0;; d++) {
		if (t->fp[i] == 0 || dist(t, i, t->fp[i]) < d)
			return (size_t)-1;
		if (t->fp[i] == f)
			return i;
		if (++i == t->cap)
			i = 0;
	}
}

static void
place(struct seen_tab *t, uint64_t f, uint32_t v)
{
	size_t i = home(t, f), d = 0, di;
	uint64_t tf;
	uint32_t tv;

	for (;;) {
		if (t->fp[i] == 0) {
			t->fp[i] = f;
			if (t->val != NULL)
				t->val[i] = v;
			t->n++;
			return;
		}
		if ((di = dist(t, i, t->fp[i])) < d) {
			tf = t->fp[i];
			t->fp[i] = f;
			f = tf;
			if (t->val != NULL) {
				tv = t->val[i];
				t->val[i] = v;
				v = tv;
			}
			d = di;
		}
		if (++i == t->cap)
			i = 0;
		d++;
	}
}

/* Zeroed pages of their own. */
static void *
zmap(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int
seen_init(struct seen_tab *t, size_t n, int vals)
{
	memset(t, 0, sizeof(*t));
	t->cap = n / LOAD_NUM * LOAD_DEN + 64;
	t->fp = zmap(t->cap * sizeof(*t->fp));
	t->val = vals ? zmap(t->cap * sizeof(*t->val)) : NULL;
	if (t->fp == NULL || (vals && t->val == NULL)) {
		seen_free(t);
		return -1;
	}
	return 0;
}

void
seen_free(struct seen_tab *t)
{
	if (t->fp != NULL)
		munmap(t->fp, t->cap * sizeof(*t->fp));
	if (t->val != NULL)
		munmap(t->val, t->cap * sizeof(*t->val));
	memset(t, 0, sizeof(*t));
}

/* A batch larger than counted: twice the room. */
static int
grow(struct seen_tab *t)
{
	struct seen_tab n;
	size_t i;

	if (seen_init(&n, t->cap * 2, t->val != NULL) == -1)
		return -1;
	for (i = 0; i < t->cap; i++)
		if (t->fp[i] != 0)
			place(&n, t->fp[i], t->val ? t->val[i] : 0);
	seen_free(t);
	*t = n;
	return 0;
}

int
seen_get(const struct seen_tab *t, const unsigned char key[16], uint32_t *v)
{
	size_t i = find(t, fp_of(key));

	if (i == (size_t)-1)
		return 0;
	if (v != NULL)
		*v = t->val != NULL ? t->val[i] : 0;
	return 1;
}

int
seen_add(struct seen_tab *t, const unsigned char key[16], uint32_t v)
{
	if ((t->n + 1) * LOAD_DEN > t->cap * LOAD_NUM && grow(t) == -1)
		return -1;
	place(t, fp_of(key), v);
	return 0;
}

int
seen_set(struct seen_tab *t, const unsigned char key[16], uint32_t v)
{
	size_t i = find(t, fp_of(key));

	if (i == (size_t)-1)
		return seen_add(t, key, v);
	if (t->val != NULL)
		t->val[i] = v;
	return 0;
}
