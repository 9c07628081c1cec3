/* Weak public keys: the checks of Let's Encrypt's goodkey and the keys
 * AWS IoT Device Defender's audit flags.
 *
 * RSA, cheapest first: e = 65537 (one exponent, so one modulus is one
 * key and the duplicate-key check is a duplicate-modulus check); no prime
 * factor below 2^16 (keyquality_small.c); not the ROCA fingerprint (the
 * modulus modulo each prime 3..167 lies in the subgroup 65537 generates,
 * as the published detector tests); not factored by 100 rounds of
 * Fermat's method (each round a residue test on machine words; a square
 * root only for the rare candidate).
 * EC: the point on the curve, not at infinity, in the prime-order
 * subgroup. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "ca/keyquality.h"
#include "ca/keyquality_int.h"
#include "core/util.h"

/* The RSALib primes the ROCA detector (roca-detect) tests. */
static const unsigned roca_primes[] = {3, 5, 7, 11, 13, 17, 19, 23, 29,
	31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103,
	107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};
#define NROCA (sizeof(roca_primes) / sizeof(roca_primes[0]))

/* Fermat: a^2 - n is tested for a square modulo these first; two words
 * hold them all (64*63*65*11 and 17*19*...*37). */
static const unsigned qr_mods[] = {64, 63, 65, 11, 17, 19, 23, 29, 31, 37};
#define NQR (sizeof(qr_mods) / sizeof(qr_mods[0]))
#define QR_SPLIT 4 /* qr_mods[0..4) divide the first word */

static struct {
	uint64_t roca[NROCA][3]; /* bit r: r is a power of 65537 mod p */
	BN_ULONG rocaw[NROCA];   /* products of roca primes, one word each */
	unsigned rocafirst[NROCA + 1]; /* primes of word i: [first[i], first[i+1]) */
	unsigned nrocaw;
	unsigned char qr[NQR][65]; /* r is a square modulo qr_mods[i] */
	BN_ULONG qrw[2];
	EC_GROUP *p256, *p384;
	int ok;
} kq;
static pthread_once_t kq_once = PTHREAD_ONCE_INIT;

static int
tables_make(void)
{
	uint64_t w;
	unsigned i, x, g;

	for (i = 0; i < NROCA; i++) {
		g = 65537 % roca_primes[i];
		x = 1;
		do {
			kq.roca[i][x / 64] |= (uint64_t)1 << (x % 64);
			x = x * g % roca_primes[i];
		} while (x != 1);
	}
	for (i = 0; i < NROCA; kq.nrocaw++) {
		kq.rocafirst[kq.nrocaw] = i;
		for (w = 1; i < NROCA && w * roca_primes[i] < 0xffffffffu; i++)
			w *= roca_primes[i];
		kq.rocaw[kq.nrocaw] = (BN_ULONG)w;
	}
	kq.rocafirst[kq.nrocaw] = NROCA;
	kq.qrw[0] = kq.qrw[1] = 1;
	for (i = 0; i < NQR; i++) {
		for (x = 0; x < qr_mods[i]; x++)
			kq.qr[i][x * x % qr_mods[i]] = 1;
		kq.qrw[i >= QR_SPLIT] *= qr_mods[i];
	}
	kq.p256 = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	kq.p384 = EC_GROUP_new_by_curve_name(NID_secp384r1);
	return kq.p256 != NULL && kq.p384 != NULL;
}

static void
kq_init(void)
{
	kq.ok = tables_make();
	ERR_clear_error();
}

static int
kq_ready(char *why, size_t len)
{
	if (pthread_once(&kq_once, kq_init) != 0 || !kq.ok)
		return errf(why, len, "cannot set up the key checks");
	return 0;
}

/* floor(sqrt(x)) for a word. */
static uint64_t
isqrt64(uint64_t x)
{
	uint64_t r = x, y;

	if (x < 2)
		return x;
	for (y = (r + 1) / 2; y < r; y = (r + x / r) / 2)
		r = y;
	return r;
}

/* r = floor(sqrt(x)): Newton's method from above, started from the root
 * of x's top 62 bits. r and x differ. */
static int
isqrt(BIGNUM *r, const BIGNUM *x, BN_CTX *ctx)
{
	BIGNUM *y, *q;
	int ok = 0, shift;

	BN_CTX_start(ctx);
	y = BN_CTX_get(ctx);
	if ((q = BN_CTX_get(ctx)) == NULL)
		goto out;
	shift = BN_num_bits(x) > 62 ? (BN_num_bits(x) - 61) & ~1 : 0;
	/* x < (top + 1) 2^shift, so sqrt(x) < (isqrt(top) + 1) 2^(shift/2) */
	if (!BN_rshift(q, x, shift) ||
	    !BN_set_word(r, isqrt64(BN_get_word(q)) + 1) ||
	    !BN_lshift(r, r, shift / 2))
		goto out;
	while (!BN_is_zero(r)) {
		if (!BN_div(q, NULL, x, r, ctx) || !BN_add(y, r, q) ||
		    !BN_rshift1(y, y))
			goto out;
		if (BN_cmp(y, r) >= 0)
			break;
		if (!BN_copy(r, y))
			goto out;
	}
	ok = 1;
out:
	BN_CTX_end(ctx);
	return ok;
}

/* 1: n mod every roca prime is a power of 65537; 0: not; -1: error. */
static int
rsa_roca(const BIGNUM *n)
{
	BN_ULONG m;
	unsigned i, j, r;

	for (i = 0; i < kq.nrocaw; i++) {
		if ((m = BN_mod_word(n, kq.rocaw[i])) == (BN_ULONG)-1)
			return -1;
		for (j = kq.rocafirst[i]; j < kq.rocafirst[i + 1]; j++) {
			r = (unsigned)(m % roca_primes[j]);
			if (!(kq.roca[j][r / 64] >> (r % 64) & 1))
				return 0;
		}
	}
	return 1;
}

/* a^2 - n can be a square, from its residues (a = a0 + i). */
static int
maybe_square(const BN_ULONG a0[2], const BN_ULONG n0[2], unsigned i)
{
	uint64_t a, s[2];
	unsigned k, w;

	for (w = 0; w < 2; w++) {
		a = ((uint64_t)a0[w] + i) % kq.qrw[w];
		s[w] = (a * a % kq.qrw[w] + kq.qrw[w] - n0[w]) % kq.qrw[w];
	}
	for (k = 0; k < NQR; k++)
		if (!kq.qr[k][s[k >= QR_SPLIT] % qr_mods[k]])
			return 0;
	return 1;
}

/* The Fermat round (0..99) that factors n, or -1 if none does; -2: error. */
static int
rsa_fermat(const BIGNUM *n, BN_CTX *ctx)
{
	BN_ULONG a0w[2], n0w[2];
	BIGNUM *a0, *a, *b2, *s;
	unsigned i, k;
	int rv = -2;

	BN_CTX_start(ctx);
	a0 = BN_CTX_get(ctx);
	a = BN_CTX_get(ctx);
	b2 = BN_CTX_get(ctx);
	if ((s = BN_CTX_get(ctx)) == NULL || !isqrt(a0, n, ctx) ||
	    !BN_sqr(s, a0, ctx))
		goto out;
	if (BN_cmp(s, n) < 0 && !BN_add_word(a0, 1)) /* ceil(sqrt(n)) */
		goto out;
	for (k = 0; k < 2; k++)
		if ((a0w[k] = BN_mod_word(a0, kq.qrw[k])) == (BN_ULONG)-1 ||
		    (n0w[k] = BN_mod_word(n, kq.qrw[k])) == (BN_ULONG)-1)
			goto out;
	rv = -1;
	for (i = 0; i < KEYQUALITY_FERMAT_ROUNDS; i++) {
		if (!maybe_square(a0w, n0w, i))
			continue;
		if (!BN_copy(a, a0) || !BN_add_word(a, i) ||
		    !BN_sqr(b2, a, ctx) || !BN_sub(b2, b2, n) ||
		    !isqrt(s, b2, ctx) || !BN_sqr(s, s, ctx)) {
			rv = -2;
			goto out;
		}
		if (BN_cmp(s, b2) == 0) {
			rv = (int)i;
			break;
		}
	}
out:
	BN_CTX_end(ctx);
	return rv;
}

int
keyquality_rsa(const BIGNUM *n, const BIGNUM *e, char *why, size_t len)
{
	BN_CTX *ctx = NULL;
	unsigned factor = 0;
	char *dec = NULL;
	int r, rv = -1;

	if (kq_ready(why, len) == -1)
		return -1;
	if (!BN_is_word(e, 65537)) {
		dec = BN_bn2dec(e);
		errf(why, len, "RSA public exponent %.40s%s is not 65537 (as "
		    "Let's Encrypt's goodkey requires: one exponent, so one "
		    "modulus is one key)", dec ? dec : "?",
		    dec && strlen(dec) > 40 ? "..." : "");
		goto out;
	}
	if (BN_cmp(n, BN_value_one()) <= 0 || BN_is_negative(n)) {
		errf(why, len, "RSA modulus is not greater than 1");
		goto out;
	}
	if ((ctx = BN_CTX_new()) == NULL) {
		errf(why, len, "out of memory checking the RSA key");
		goto out;
	}
	if ((r = kq_small_factor(n, &factor)) != 1) {
		if (r == 0)
			errf(why, len, "RSA modulus has the prime factor %u "
			    "(below 2^16): anyone can factor it", factor);
		else
			errf(why, len, "cannot check the RSA modulus for small "
			    "factors");
		goto out;
	}
	if ((r = rsa_roca(n)) != 0) {
		if (r == 1)
			errf(why, len, "RSA modulus has the ROCA fingerprint "
			    "(CVE-2017-15361, Infineon RSALib): its private key "
			    "can be computed from it; make the key again with "
			    "fixed firmware or another generator");
		else
			errf(why, len, "cannot check the RSA modulus for the "
			    "ROCA fingerprint");
		goto out;
	}
	if ((r = rsa_fermat(n, ctx)) != -1) {
		if (r >= 0)
			errf(why, len, "RSA modulus falls to Fermat's "
			    "factorization in round %d of %d: its two primes are "
			    "too close together", r + 1,
			    KEYQUALITY_FERMAT_ROUNDS);
		else
			errf(why, len, "cannot run Fermat's method on the RSA "
			    "modulus");
		goto out;
	}
	rv = 0;
out:
	OPENSSL_free(dec);
	BN_CTX_free(ctx);
	ERR_clear_error();
	return rv;
}

int
keyquality_ec(int nid, const unsigned char *pt, size_t plen, char *why,
    size_t len)
{
	const char *name = OBJ_nid2sn(nid);
	const EC_GROUP *grp;
	EC_GROUP *own = NULL;
	EC_POINT *p = NULL, *q = NULL;
	BN_CTX *ctx = NULL;
	int on, rv = -1;

	if (kq_ready(why, len) == -1)
		return -1;
	if (name == NULL)
		name = "unknown";
	if (plen == 1 && pt[0] == 0) {
		errf(why, len, "EC public key is the point at infinity");
		goto out;
	}
	grp = nid == NID_X9_62_prime256v1 ? kq.p256 : nid == NID_secp384r1 ?
	    kq.p384 : (own = EC_GROUP_new_by_curve_name(nid));
	if (grp == NULL) {
		errf(why, len, "EC curve %s is not known", name);
		goto out;
	}
	if ((ctx = BN_CTX_new()) == NULL || (p = EC_POINT_new(grp)) == NULL) {
		errf(why, len, "out of memory checking the EC key");
		goto out;
	}
	/* OpenSSL refuses a point off the curve here already */
	if (!EC_POINT_oct2point(grp, p, pt, plen, ctx) ||
	    (on = EC_POINT_is_on_curve(grp, p, ctx)) == 0) {
		errf(why, len, "EC public key is not a point on the curve %s",
		    name);
		goto out;
	}
	if (on < 0) {
		errf(why, len, "cannot check the EC point");
		goto out;
	}
	if (EC_POINT_is_at_infinity(grp, p)) {
		errf(why, len, "EC public key is the point at infinity");
		goto out;
	}
	/* cofactor 1 (P-256, P-384): every other point has the order n */
	if (!BN_is_one(EC_GROUP_get0_cofactor(grp))) {
		if ((q = EC_POINT_new(grp)) == NULL ||
		    !EC_POINT_mul(grp, q, NULL, p, EC_GROUP_get0_order(grp),
			ctx)) {
			errf(why, len, "cannot check the EC point's order");
			goto out;
		}
		if (!EC_POINT_is_at_infinity(grp, q)) {
			errf(why, len, "EC public key is not in the subgroup "
			    "of prime order of %s", name);
			goto out;
		}
	}
	rv = 0;
out:
	EC_POINT_free(q);
	EC_POINT_free(p);
	EC_GROUP_free(own);
	BN_CTX_free(ctx);
	ERR_clear_error();
	return rv;
}

static int
rsa_check(EVP_PKEY *k, char *why, size_t len)
{
	BIGNUM *n = NULL, *e = NULL;
	int rv;

	if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e))
		rv = errf(why, len, "cannot read the RSA public key");
	else
		rv = keyquality_rsa(n, e, why, len);
	BN_free(n);
	BN_free(e);
	return rv;
}

static int
ec_check(EVP_PKEY *k, char *why, size_t len)
{
	unsigned char pt[1 + 2 * 66];
	char name[64];
	size_t nlen, plen;
	int nid;

	if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
		name, sizeof(name), &nlen))
		return errf(why, len, "EC key without a named curve");
	if ((nid = OBJ_txt2nid(name)) == NID_undef)
		nid = EC_curve_nist2nid(name);
	/* the encoded form: a legacy key cannot give the point at infinity
	 * as PUB_KEY; PUB_KEY: a legacy key has no encoded form */
	if ((!EVP_PKEY_get_octet_string_param(k,
		OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &plen) &&
		!EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY,
		    pt, sizeof(pt), &plen)) || plen == 0)
		return errf(why, len, "EC key without a readable public point");
	return keyquality_ec(nid, pt, plen, why, len);
}

int
keyquality_check(EVP_PKEY *k, char *why, size_t len)
{
	int rv = 0;

	if (kq_ready(why, len) == -1)
		return -1;
	ERR_set_mark();
	if (EVP_PKEY_is_a(k, "RSA"))
		rv = rsa_check(k, why, len);
	else if (EVP_PKEY_is_a(k, "EC"))
		rv = ec_check(k, why, len);
	ERR_pop_to_mark();
	return rv;
}

int
keyquality_cert(const X509 *cert, char *why, size_t len)
{
	EVP_PKEY *k = X509_get0_pubkey(cert);

	ERR_clear_error();
	if (k == NULL)
		return errf(why, len, "the public key does not parse");
	return keyquality_check(k, why, len);
}
