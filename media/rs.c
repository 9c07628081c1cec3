/* Systematic Reed-Solomon erasure code with a Cauchy matrix. */
#include <stdlib.h>
#include <string.h>

#include "media/gf256.h"
#include "media/rs.h"

uint8_t
rs_coef(unsigned k, unsigned j, unsigned i)
{
	return gf256_inv((uint8_t)((k + j) ^ i));
}

void
rs_encode(unsigned char *const *shard, unsigned k, unsigned m, size_t len)
{
	unsigned i, j;

	for (j = 0; j < m; j++) {
		memset(shard[k + j], 0, len);
		for (i = 0; i < k; i++)
			gf256_muladd(shard[k + j], shard[i], rs_coef(k, j, i),
			    len);
	}
}

/* Inverts the e x e matrix a in place (Gauss-Jordan; a is invertible). */
static int
invert(uint8_t *a, unsigned e)
{
	uint8_t *aug, *tmp, f;
	unsigned r, c, p, w = 2 * e;

	if ((aug = calloc((size_t)e * w + w, 1)) == NULL)
		return -1;
	tmp = aug + (size_t)e * w;
	for (r = 0; r < e; r++) {
		memcpy(aug + (size_t)r * w, a + (size_t)r * e, e);
		aug[(size_t)r * w + e + r] = 1;
	}
	for (c = 0; c < e; c++) {
		for (p = c; p < e && aug[(size_t)p * w + c] == 0; p++)
			;
		if (p == e) {
			free(aug);
			return -1;
		}
		if (p != c) {
			memcpy(tmp, aug + (size_t)p * w, w);
			memcpy(aug + (size_t)p * w, aug + (size_t)c * w, w);
			memcpy(aug + (size_t)c * w, tmp, w);
		}
		memset(tmp, 0, w);
		gf256_muladd(tmp, aug + (size_t)c * w,
		    gf256_inv(aug[(size_t)c * w + c]), w);
		memcpy(aug + (size_t)c * w, tmp, w);
		for (r = 0; r < e; r++) {
			f = aug[(size_t)r * w + c];
			if (r != c && f)
				gf256_muladd(aug + (size_t)r * w,
				    aug + (size_t)c * w, f, w);
		}
	}
	for (r = 0; r < e; r++)
		memcpy(a + (size_t)r * e, aug + (size_t)r * w + e, e);
	free(aug);
	return 0;
}

int
rs_rebuild(unsigned char *const *shard, const unsigned char *have,
    unsigned k, unsigned m, size_t len)
{
	unsigned miss[RS_MAX], par[RS_MAX], e = 0, np = 0, i, r, c;
	uint8_t *a = NULL;
	unsigned char *res = NULL;
	int rc = -1;

	for (i = 0; i < k; i++)
		if (!have[i])
			miss[e++] = i;
	if (e == 0)
		return 0;
	for (i = k; i < k + m && np < e; i++)
		if (have[i])
			par[np++] = i;
	if (np < e)
		return -1;
	if ((a = malloc((size_t)e * e)) == NULL ||
	    (res = malloc((size_t)e * len)) == NULL)
		goto out;
	/* res_r = parity_r minus the known data's share of it */
	for (r = 0; r < e; r++) {
		unsigned char *rr = res + (size_t)r * len;
		memcpy(rr, shard[par[r]], len);
		for (i = 0; i < k; i++)
			if (have[i])
				gf256_muladd(rr, shard[i],
				    rs_coef(k, par[r] - k, i), len);
		for (c = 0; c < e; c++)
			a[(size_t)r * e + c] = rs_coef(k, par[r] - k, miss[c]);
	}
	if (invert(a, e) < 0)
		goto out;
	for (c = 0; c < e; c++) {
		memset(shard[miss[c]], 0, len);
		for (r = 0; r < e; r++)
			gf256_muladd(shard[miss[c]], res + (size_t)r * len,
			    a[(size_t)c * e + r], len);
	}
	rc = 0;
out:
	free(a);
	free(res);
	return rc;
}
