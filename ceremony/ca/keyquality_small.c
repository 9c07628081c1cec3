/* RSA moduli with a prime factor below 2^16.
 *
 * Not one GCD with the product of those primes: OpenSSL 3's BN_gcd is
 * constant-time and takes 450 us at 2048 bits, 25 RSA verifications (and
 * the product modulo n 90 us more). Instead the 6541 odd primes are
 * packed into 1662 word moduli w < 2^63; one Montgomery pass over the
 * 64-bit limbs of n per modulus (eight at once) gives s = n * 2^(-64 L)
 * modulo w; then p divides n exactly when p divides s, one multiply per
 * prime (s * p^-1 mod 2^64 <= (2^64 - 1) / p, Granlund and Montgomery). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include "ca/keyquality.h"
#include "ca/keyquality_int.h"

#define NODD 6541 /* odd primes below 2^16 */
#define NMOD 1664 /* word moduli, a multiple of WAYS */
#define WAYS 8    /* moduli scanned at once */

static struct {
	struct { uint64_t w, ninv; unsigned first, end; } m[NMOD];
	struct { uint64_t inv, lim; unsigned p; } p[NODD];
	unsigned nm;
	int ok;
} sm;
static pthread_once_t sm_once = PTHREAD_ONCE_INIT;

/* w^-1 modulo 2^64, w odd (Newton: 3, 6, ..., 96 good bits). */
static uint64_t
inv64(uint64_t w)
{
	uint64_t x = w;
	int i;

	for (i = 0; i < 5; i++)
		x *= 2 - w * x;
	return x;
}

/* a * b: the high word, and the low one in *lo. */
static inline uint64_t
mul64(uint64_t a, uint64_t b, uint64_t *lo)
{
#if defined(__SIZEOF_INT128__) && !defined(KEYQUALITY_PORTABLE)
	unsigned __int128 r = (unsigned __int128)a * b;

	*lo = (uint64_t)r;
	return (uint64_t)(r >> 64);
#else
	uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu,
		 b1 = b >> 32, p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0,
		 mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);

	*lo = mid << 32 | (p00 & 0xffffffffu);
	return a1 * b1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

static void
sm_init(void)
{
	static unsigned char composite[KEYQUALITY_SMALL_BOUND];
	unsigned i, j, n = 0;
	uint64_t w;

	for (i = 3; i < KEYQUALITY_SMALL_BOUND; i += 2) {
		if (composite[i])
			continue;
		if (n == NODD)
			return;
		sm.p[n].p = i;
		sm.p[n].inv = inv64(i);
		sm.p[n].lim = UINT64_MAX / i;
		n++;
		for (j = i * i; j < KEYQUALITY_SMALL_BOUND; j += 2 * i)
			composite[j] = 1;
	}
	if (n != NODD)
		return;
	for (i = 0; i < NODD; sm.nm++) {
		if (sm.nm == NMOD)
			return;
		sm.m[sm.nm].first = i;
		for (w = 1; i < NODD && w < (UINT64_C(1) << 63) / sm.p[i].p; i++)
			w *= sm.p[i].p;
		sm.m[sm.nm].w = w;
		sm.m[sm.nm].ninv = -inv64(w);
		sm.m[sm.nm].end = i;
	}
	/* the rest: w = 1, no primes */
	for (; sm.nm % WAYS != 0; sm.nm++) {
		sm.m[sm.nm].w = 1;
		sm.m[sm.nm].ninv = UINT64_MAX;
		sm.m[sm.nm].first = sm.m[sm.nm].end = NODD;
	}
	sm.ok = 1;
}

int
kq_small_factor(const BIGNUM *n, unsigned *factor)
{
	unsigned char *b = NULL;
	uint64_t *limb = NULL, s[WAYS], lo, c, q, plo, hi;
	size_t len, i, l;
	unsigned j, k, t;
	int rv = -1;

	if (pthread_once(&sm_once, sm_init) != 0 || !sm.ok)
		return -1;
	if (!BN_is_odd(n)) {
		*factor = 2;
		return 0;
	}
	len = ((size_t)BN_num_bytes(n) + 7) / 8;
	if ((b = malloc(8 * len)) == NULL ||
	    (limb = malloc(len * sizeof(*limb))) == NULL ||
	    BN_bn2lebinpad(n, b, (int)(8 * len)) != (int)(8 * len))
		goto out;
	for (l = 0; l < len; l++)
		for (limb[l] = 0, i = 8; i-- > 0;)
			limb[l] = limb[l] << 8 | b[8 * l + i];
	rv = 1;
	for (j = 0; j < sm.nm; j += WAYS) {
		memset(s, 0, sizeof(s));
		/* s = (s + limb) / 2^64 mod w: stays below w + 2 */
		for (l = 0; l < len; l++)
			for (k = 0; k < WAYS; k++) {
				lo = s[k] + limb[l];
				c = lo < s[k];
				q = lo * sm.m[j + k].ninv;
				hi = mul64(q, sm.m[j + k].w, &plo);
				/* plo + lo is 0 or 2^64 */
				s[k] = hi + c + (lo != 0);
			}
		for (k = 0; k < WAYS; k++)
			for (t = sm.m[j + k].first; t < sm.m[j + k].end; t++)
				if (s[k] * sm.p[t].inv <= sm.p[t].lim) {
					*factor = sm.p[t].p;
					rv = 0;
					goto out;
				}
	}
out:
	free(b);
	free(limb);
	return rv;
}
