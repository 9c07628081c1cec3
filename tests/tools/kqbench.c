/* Benchmark driver for ca/keyquality.c (scripts/bench-keyquality): the
 * cost of keyquality_check per key against a signature verification with
 * the same kind of key, measured in the same run.
 *   kqbench [ROUNDS]   prints one line per measurement, then the ratios */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca/keyquality.h"

#define NKEYS 8

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The public half, decoded as a device CSR's key is (d2i_PublicKey). */
static EVP_PKEY *
public_of(EVP_PKEY *k, int type)
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
	(void)type;
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

int
main(int argc, char **argv)
{
	EVP_PKEY *rsa[NKEYS], *rsapub[NKEYS], *ec[NKEYS], *ecpub[NKEYS];
	char why[256];
	double cr, vr, ce, ve;
	int rounds = argc > 1 ? atoi(argv[1]) : 2000, i;

	if (rounds < NKEYS)
		rounds = NKEYS;
	for (i = 0; i < NKEYS; i++) {
		if ((rsa[i] = EVP_RSA_gen(2048)) == NULL ||
		    (ec[i] = EVP_EC_gen("P-256")) == NULL)
			return 2;
		rsapub[i] = public_of(rsa[i], EVP_PKEY_RSA);
		ecpub[i] = public_of(ec[i], EVP_PKEY_EC);
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
	printf("EC P-256  keyquality_check %8.1f us   verification %8.1f us   "
	       "ratio %.2f\n", ce, ve, ce / ve);
	for (i = 0; i < NKEYS; i++) {
		EVP_PKEY_free(rsa[i]);
		EVP_PKEY_free(rsapub[i]);
		EVP_PKEY_free(ec[i]);
		EVP_PKEY_free(ecpub[i]);
	}
	return 0;
}
