/* The ledger's hash index: open addressing on the (already uniform) hash
 * prefix. */
#include <stdlib.h>
#include <string.h>

#include "ca/tbs.h"
#include "sign/ledger_index.h"

static size_t
slot(const struct index *x, const unsigned char key[16])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return (size_t)h & (x->cap - 1);
}

static int
index_grow(struct index *x)
{
	struct index n = {0};
	size_t i;

	n.cap = x->cap ? x->cap * 2 : 1024;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (n.keys == NULL || n.vals == NULL) {
		index_free(&n);
		return -1;
	}
	for (i = 0; i < x->cap; i++)
		if (x->vals[i] != 0)
			index_put(&n, x->keys[i], x->vals[i] - 1, NULL, 0);
	index_free(x);
	*x = n;
	return 0;
}

int
index_put(struct index *x, const unsigned char key[16], uint64_t val,
    uint64_t *old, int replace)
{
	size_t i;

	if ((x->n + 1) * 4 > x->cap * 3 && index_grow(x) == -1)
		return -1;
	for (i = slot(x, key); x->vals[i] != 0; i = (i + 1) & (x->cap - 1))
		if (memcmp(x->keys[i], key, 16) == 0) {
			if (old != NULL)
				*old = x->vals[i] - 1;
			if (replace)
				x->vals[i] = val + 1;
			return 0;
		}
	memcpy(x->keys[i], key, 16);
	x->vals[i] = val + 1;
	x->n++;
	return 1;
}

int
index_get(const struct index *x, const unsigned char key[16], uint64_t *val)
{
	size_t i;

	if (x->cap == 0)
		return 0;
	for (i = slot(x, key); x->vals[i] != 0; i = (i + 1) & (x->cap - 1))
		if (memcmp(x->keys[i], key, 16) == 0) {
			*val = x->vals[i] - 1;
			return 1;
		}
	return 0;
}

void
index_free(struct index *x)
{
	free(x->keys);
	free(x->vals);
	memset(x, 0, sizeof(*x));
}

void
index_key(const char *s, unsigned char out[16])
{
	unsigned char h[32];

	tbs_sha256(s, strlen(s), h);
	memcpy(out, h, 16);
}
