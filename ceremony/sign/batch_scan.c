/* The CSR set's id, from a first pass over the inputs: the SHA-256 of the
 * sorted SHA-256 hashes of every CSR's DER. The hashes go in blocks,
 * each sorted when full; the blocks are then merged in order into the
 * set's hash. 32 bytes a CSR, nothing copied. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ca/tbs.h"
#include "sign/batch.h"
#include "sign/csr.h"
#include "core/util.h"

#define SCAN_BLOCK 4096

typedef unsigned char hash32[32];

struct scan {
	hash32 **blk;
	size_t nblk, cap, last; /* hashes in the last block */
};

static int
cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static int
scan_add(struct scan *sc, const unsigned char *der, size_t len)
{
	hash32 **nb;

	if (sc->nblk == 0 || sc->last == SCAN_BLOCK) {
		if (sc->nblk > 0)
			qsort(sc->blk[sc->nblk - 1], SCAN_BLOCK, 32, cmp32);
		if (sc->nblk == sc->cap) {
			sc->cap = sc->cap ? sc->cap * 2 : 16;
			if ((nb = realloc(sc->blk, sc->cap * sizeof(*nb))) ==
			    NULL)
				return -1;
			sc->blk = nb;
		}
		if ((sc->blk[sc->nblk] = malloc(SCAN_BLOCK * 32)) == NULL)
			return -1;
		sc->nblk++;
		sc->last = 0;
	}
	tbs_sha256(der, len, sc->blk[sc->nblk - 1][sc->last++]);
	return 0;
}

/* A min-heap of blocks by their next hash. */
struct head {
	const hash32 *h;
	size_t left;
};

static void
sift(struct head *hp, size_t n, size_t i)
{
	struct head t;
	size_t c;

	for (; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && memcmp(hp[c + 1].h, hp[c].h, 32) < 0)
			c++;
		if (memcmp(hp[c].h, hp[i].h, 32) >= 0)
			break;
		t = hp[i];
		hp[i] = hp[c];
		hp[c] = t;
	}
}

static int
scan_finish(struct scan *sc, unsigned char set[32])
{
	crypto_hash_sha256_state st;
	struct head *hp;
	size_t n = sc->nblk, i;

	crypto_hash_sha256_init(&st);
	if (n > 0) {
		qsort(sc->blk[n - 1], sc->last, 32, cmp32);
		if ((hp = calloc(n, sizeof(*hp))) == NULL)
			return -1;
		for (i = 0; i < n; i++) {
			hp[i].h = (const hash32 *)sc->blk[i];
			hp[i].left = i == n - 1 ? sc->last : SCAN_BLOCK;
		}
		for (i = n; i-- > 0;)
			sift(hp, n, i);
		while (n > 0) {
			crypto_hash_sha256_update(&st, *hp[0].h, 32);
			hp[0].h++;
			if (--hp[0].left == 0)
				hp[0] = hp[--n];
			sift(hp, n, 0);
		}
		free(hp);
	}
	crypto_hash_sha256_final(&st, set);
	return 0;
}

int
batch_scan(char **inputs, FILE *stdin_copy, unsigned char set[32],
    unsigned long *count)
{
	struct scan sc;
	struct csr_in in;
	unsigned char *der;
	char label[600], err[400];
	size_t len, i;
	int r, rv = -1;

	memset(&sc, 0, sizeof(sc));
	*count = 0;
	for (; *inputs != NULL; inputs++) {
		if (csr_in_open(&in, *inputs, strcmp(*inputs, "-") == 0 ?
		    stdin_copy : NULL) == -1)
			goto out;
		while ((r = csr_in_next(&in, &der, &len, label, sizeof(label),
		    err, sizeof(err))) != 0) {
			if (r == RC_ERR) {
				warnf("%s: %s", in.name, err);
				csr_in_close(&in);
				goto out;
			}
			(*count)++;
			if (r != 1)
				continue;
			r = scan_add(&sc, der, len);
			free(der);
			if (r == -1) {
				csr_in_close(&in);
				goto out;
			}
		}
		csr_in_close(&in);
	}
	rv = scan_finish(&sc, set);
out:
	for (i = 0; i < sc.nblk; i++)
		free(sc.blk[i]);
	free(sc.blk);
	if (stdin_copy != NULL)
		rewind(stdin_copy);
	return rv;
}
