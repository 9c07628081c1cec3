/* Benchmark driver for ca/keyquality.c (scripts/bench-keyquality): the
 * cost of keyquality_check per key against a signature verification with
 * the same kind of key, measured in the same run; for RSA-2048 each check
 * alone, and the GCD of n with the product of the primes below 2^16
 * (BN_mod, BN_gcd) that the small-factor scan replaces.
 *   kqbench [ROUNDS]   prints one line per measurement, with ratios */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* the module itself, for its static checks */
#include "ca/keyquality.c"
#include "ca/keyquality_small.c"

#define NKEYS 8

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The public half, decoded as a certificate's key is (d2i_PUBKEY). */
static EVP_PKEY *
public_of(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub = NULL;
	int n;

	if ((n = i2d_PUBKEY(k, &der)) <= 0)
		exit(2);
	p = der;
	if ((pub = d2i_PUBKEY(NULL, &p, n)) == NULL)
		exit(2);
	OPENSSL_free(der);
	return pub;
}

/* Microseconds per keyquality_check over the keys. */
static double
time_check(EVP_PKEY **pub, int rounds)
{
	char why[256];
	double t0 = now();
	int i;

	for (i = 0; i < rounds; i++)
		if (keyquality_check(pub[i % NKEYS], why, sizeof(why)) != 0) {
			fprintf(stderr, "kqbench: a good key refused: %s\n",
			    why);
			exit(1);
		}
	return (now() - t0) * 1e6 / rounds;
}

/* Microseconds per verification of a SHA-256 signature (PKCS#1 v1.5 or
 * ECDSA) over a 300-byte message, as a CSR's. */
static double
time_verify(EVP_PKEY **key, EVP_PKEY **pub, int rounds)
{
	unsigned char msg[300] = {0}, sig[NKEYS][512];
	size_t siglen[NKEYS];
	EVP_MD_CTX *c;
	double t0;
	int i;

	for (i = 0; i < NKEYS; i++) {
		siglen[i] = sizeof(sig[i]);
		if ((c = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, key[i]) != 1 ||
		    EVP_DigestSign(c, sig[i], &siglen[i], msg, sizeof(msg)) != 1)
			exit(2);
		EVP_MD_CTX_free(c);
	}
	t0 = now();
	for (i = 0; i < rounds; i++) {
		if ((c = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL,
			pub[i % NKEYS]) != 1 ||
		    EVP_DigestVerify(c, sig[i % NKEYS], siglen[i % NKEYS], msg,
			sizeof(msg)) != 1)
			exit(2);
		EVP_MD_CTX_free(c);
	}
	return (now() - t0) * 1e6 / rounds;
}

/* Microseconds per keyquality_rsa (n, e) or keyquality_ec (raw point),
 * as the CSR intake calls them. */
static double
time_parts(BIGNUM **n, unsigned char (*pt)[65], int rounds)
{
	BIGNUM *e = BN_new();
	char why[256];
	double t0;
	int i;

	if (e == NULL || !BN_set_word(e, 65537))
		exit(2);
	t0 = now();
	for (i = 0; i < rounds; i++)
		if ((n != NULL ? keyquality_rsa(n[i % NKEYS], e, why,
		    sizeof(why)) : keyquality_ec(NID_X9_62_prime256v1,
		    pt[i % NKEYS], 65, why, sizeof(why))) != 0)
			exit(1);
	BN_free(e);
	return (now() - t0) * 1e6 / rounds;
}

/* Microseconds per call of one RSA check on the moduli. */
static double
time_part(int part, BIGNUM **n, BIGNUM *prod, int rounds)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *r = BN_new(), *g = BN_new();
	unsigned f;
	double t0;
	int i, ok = 1;

	if (ctx == NULL || r == NULL || g == NULL)
		exit(2);
	t0 = now();
	for (i = 0; i < rounds && ok; i++) {
		switch (part) {
		case 0:
			ok = kq_small_factor(n[i % NKEYS], &f) == 1;
			break;
		case 1:
			ok = rsa_roca(n[i % NKEYS]) == 0;
			break;
		case 2:
			ok = rsa_fermat(n[i % NKEYS], ctx) == -1;
			break;
		default:
			ok = BN_mod(r, prod, n[i % NKEYS], ctx) &&
			    BN_gcd(g, r, n[i % NKEYS], ctx) && BN_is_one(g);
		}
	}
	if (!ok)
		exit(2);
	t0 = (now() - t0) * 1e6 / rounds;
	BN_free(r);
	BN_free(g);
	BN_CTX_free(ctx);
	return t0;
}

/* The product of the primes below 2^16. */
static BIGNUM *
small_product(void)
{
	BIGNUM *p = BN_new();
	unsigned i;

	if (p == NULL || pthread_once(&sm_once, sm_init) != 0 || !sm.ok ||
	    !BN_set_word(p, 2))
		exit(2);
	for (i = 0; i < NODD; i++)
		if (!BN_mul_word(p, sm.p[i].p))
			exit(2);
	return p;
}

int
main(int argc, char **argv)
{
	static const char *parts[] = {"small factors (word scan)",
		"ROCA fingerprint", "Fermat, 100 rounds",
		"small factors as BN_mod + BN_gcd (not used)"};
	EVP_PKEY *rsa[NKEYS], *rsapub[NKEYS], *ec[NKEYS], *ecpub[NKEYS];
	BIGNUM *n[NKEYS], *prod;
	unsigned char pt[NKEYS][65];
	char why[256];
	double cr, vr, ce, ve, t;
	size_t len;
	int rounds = argc > 1 ? atoi(argv[1]) : 2000, i;

	if (rounds < NKEYS)
		rounds = NKEYS;
	for (i = 0; i < NKEYS; i++) {
		if ((rsa[i] = EVP_RSA_gen(2048)) == NULL ||
		    (ec[i] = EVP_EC_gen("P-256")) == NULL)
			return 2;
		rsapub[i] = public_of(rsa[i]);
		ecpub[i] = public_of(ec[i]);
		n[i] = NULL;
		if (!EVP_PKEY_get_bn_param(rsa[i], OSSL_PKEY_PARAM_RSA_N, &n[i]) ||
		    !EVP_PKEY_get_octet_string_param(ec[i],
			OSSL_PKEY_PARAM_PUB_KEY, pt[i], sizeof(pt[i]), &len) ||
		    len != 65)
			return 2;
	}
	/* the tables are made at first use: not in the figures */
	if (keyquality_check(rsapub[0], why, sizeof(why)) != 0)
		return 1;
	/* alternating, so that both see the same machine */
	cr = time_check(rsapub, rounds);
	vr = time_verify(rsa, rsapub, rounds);
	ce = time_check(ecpub, rounds);
	ve = time_verify(ec, ecpub, rounds);
	cr = (cr + time_check(rsapub, rounds)) / 2;
	vr = (vr + time_verify(rsa, rsapub, rounds)) / 2;
	ce = (ce + time_check(ecpub, rounds)) / 2;
	ve = (ve + time_verify(ec, ecpub, rounds)) / 2;
	printf("RSA-2048  keyquality_check %8.1f us   verification %8.1f us   "
	       "ratio %.2f\n", cr, vr, cr / vr);
	t = time_parts(n, NULL, rounds);
	printf("          keyquality_rsa   %8.1f us   (n, e as a CSR holds "
	       "them)   ratio %.2f\n", t, t / vr);
	printf("EC P-256  keyquality_check %8.1f us   verification %8.1f us   "
	       "ratio %.2f\n", ce, ve, ce / ve);
	t = time_parts(NULL, pt, rounds);
	printf("          keyquality_ec    %8.1f us   (the point as a CSR "
	       "holds it)   ratio %.2f\n", t, t / ve);
	prod = small_product();
	for (i = 0; i < 4; i++) {
		t = time_part(i, n, prod, i == 3 ? rounds / 20 + 1 : rounds);
		printf("  RSA-2048 %-44s %8.1f us   %.2f verifications\n",
		    parts[i], t, t / vr);
	}
	BN_free(prod);
	for (i = 0; i < NKEYS; i++) {
		EVP_PKEY_free(rsa[i]);
		EVP_PKEY_free(rsapub[i]);
		EVP_PKEY_free(ec[i]);
		EVP_PKEY_free(ecpub[i]);
		BN_free(n[i]);
	}
	return 0;
}
