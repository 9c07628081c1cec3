/* keyquality_check: known-answer tests with real keys made here. ROCA: a
 * modulus with the RSALib structure (p = k*M + 65537^a mod M); Fermat:
 * primes p and the next prime after p + delta, on both sides of the 100
 * rounds; small factors at the 2^16 bound; the exponent; good RSA and EC
 * keys; EC points OpenSSL lets through and those it refuses itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ca/keyquality.h"
#include "ca/pki.h"

static BN_CTX *ctx;

/* An RSA public key (n, e). */
static EVP_PKEY *
rsa_pub(const BIGNUM *n, unsigned long e)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *prm;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *k = NULL;
	BIGNUM *be = BN_new();

	assert_non_null(b);
	assert_non_null(pc);
	assert_non_null(be);
	assert_true(BN_set_word(be, e));
	assert_true(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n));
	assert_true(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, be));
	assert_non_null(prm = OSSL_PARAM_BLD_to_param(b));
	assert_int_equal(EVP_PKEY_fromdata_init(pc), 1);
	assert_int_equal(EVP_PKEY_fromdata(pc, &k, EVP_PKEY_PUBLIC_KEY, prm),
	    1);
	OSSL_PARAM_free(prm);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(pc);
	BN_free(be);
	return k;
}

/* keyquality_check on n = p*q (e = 65537): its message, "" if none;
 * keyquality_rsa on n and e says the same. */
static const char *
check_pq(const BIGNUM *p, const BIGNUM *q, char *why, size_t len)
{
	BIGNUM *n = BN_new(), *e = BN_new();
	EVP_PKEY *k;
	char why2[512] = "";
	int rv;

	assert_non_null(n);
	assert_non_null(e);
	assert_true(BN_mul(n, p, q, ctx));
	assert_true(BN_set_word(e, 65537));
	k = rsa_pub(n, 65537);
	why[0] = 0;
	rv = keyquality_check(k, why, len);
	assert_int_equal(rv, why[0] ? -1 : 0);
	assert_int_equal(keyquality_rsa(n, e, why2, sizeof(why2)), rv);
	assert_string_equal(why2, why);
	EVP_PKEY_free(k);
	BN_free(n);
	BN_free(e);
	return why;
}

static BIGNUM *
prime(int bits)
{
	BIGNUM *p = BN_new();

	assert_non_null(p);
	assert_true(BN_generate_prime_ex(p, bits, 0, NULL, NULL, NULL));
	return p;
}

/* The least prime above x (x + delta, made odd). */
static BIGNUM *
next_prime(const BIGNUM *x, const BIGNUM *delta)
{
	BIGNUM *q = BN_new();

	assert_non_null(q);
	assert_true(BN_add(q, x, delta));
	if (!BN_is_odd(q))
		assert_true(BN_add_word(q, 1));
	else
		assert_true(BN_add_word(q, 2));
	while (BN_check_prime(q, ctx, NULL) != 1)
		assert_true(BN_add_word(q, 2));
	return q;
}

/* A prime of the RSALib form k*M + (65537^a mod M), M the product of the
 * primes 2..167, of about bits bits. */
static BIGNUM *
roca_prime(const BIGNUM *m, int bits)
{
	BIGNUM *p = BN_new(), *k = BN_new(), *a = BN_new(), *g = BN_new(),
	       *e = BN_new();

	assert_non_null(p);
	assert_non_null(k);
	assert_non_null(a);
	assert_non_null(g);
	assert_non_null(e);
	assert_true(BN_set_word(e, 65537));
	for (;;) {
		assert_true(BN_rand(a, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY));
		assert_true(BN_mod_exp(g, e, a, m, ctx));
		assert_true(BN_rand(k, bits - BN_num_bits(m), BN_RAND_TOP_ONE,
		    BN_RAND_BOTTOM_ANY));
		assert_true(BN_mul(p, k, m, ctx));
		assert_true(BN_add(p, p, g));
		if (BN_check_prime(p, ctx, NULL) == 1)
			break;
	}
	BN_free(k);
	BN_free(a);
	BN_free(g);
	BN_free(e);
	return p;
}

static BIGNUM *
roca_m(void)
{
	static const unsigned ps[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31,
		37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103,
		107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};
	BIGNUM *m = BN_new();
	size_t i;

	assert_non_null(m);
	assert_true(BN_one(m));
	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_true(BN_mul_word(m, ps[i]));
	return m;
}

/* r in the subgroup of (Z/97)* that 65537 generates: a t landing there
 * keeps the fingerprint. */
static int
in_subgroup_97(unsigned r)
{
	unsigned g = 65537 % 97, x = 1;

	do {
		if (x == r)
			return 1;
		x = x * g % 97;
	} while (x != 1);
	return 0;
}

static void
test_roca(void **state)
{
	BIGNUM *m = roca_m(), *p, *q, *n = BN_new(), *t = BN_new(),
	       *step = BN_new();
	char why[512];
	EVP_PKEY *k;
	int i, found = 0;

	assert_non_null(n);
	assert_non_null(t);
	assert_non_null(step);
	p = roca_prime(m, 512);
	q = roca_prime(m, 512);
	check_pq(p, q, why, sizeof(why));
	assert_non_null(strstr(why, "RSA modulus has the ROCA fingerprint "
	    "(CVE-2017-15361"));
	/* n with another residue modulo 97 only: n + t*M/97 keeps n modulo
	 * the other primes and moves n mod 97 out of the 6 powers of 65537
	 * (most t); several t, for one without small factors */
	assert_true(BN_mul(n, p, q, ctx));
	assert_true(BN_copy(step, m));
	assert_int_equal(BN_div_word(step, 97), 0);
	for (i = 1; i < 400 && !found; i++) {
		assert_true(BN_copy(t, step));
		assert_true(BN_mul_word(t, (BN_ULONG)i));
		assert_true(BN_add(t, t, n));
		if (BN_mod_word(t, 97) == 0 ||
		    in_subgroup_97((unsigned)BN_mod_word(t, 97)))
			continue;
		k = rsa_pub(t, 65537);
		why[0] = 0;
		if (keyquality_check(k, why, sizeof(why)) == 0)
			found = 1;
		else
			assert_null(strstr(why, "ROCA"));
		EVP_PKEY_free(k);
	}
	assert_true(found);
	BN_free(m);
	BN_free(p);
	BN_free(q);
	BN_free(n);
	BN_free(t);
	BN_free(step);
}

/* The round in "round R of 100", or 0. */
static int
fermat_round(const char *why)
{
	const char *r = strstr(why, "Fermat's factorization in round ");

	return r ? atoi(r + strlen("Fermat's factorization in round ")) : 0;
}

static void
test_fermat(void **state)
{
	BIGNUM *p = prime(512), *d = BN_new(), *q;
	char why[512];

	assert_non_null(d);
	/* the next prime: the first round */
	assert_true(BN_set_word(d, 1000));
	q = next_prime(p, d);
	check_pq(p, q, why, sizeof(why));
	assert_int_equal(fermat_round(why), 1);
	assert_non_null(strstr(why, "its two primes are too close together"));
	BN_free(q);
	/* p^2: a - sqrt(n) = 0 */
	check_pq(p, p, why, sizeof(why));
	assert_int_equal(fermat_round(why), 1);
	/* q - p = 20 * 2^256 for 512-bit primes: about (q-p)^2 /
	 * (8 sqrt(n)) = 50 rounds */
	assert_true(BN_set_word(d, 20));
	assert_true(BN_lshift(d, d, 256));
	q = next_prime(p, d);
	check_pq(p, q, why, sizeof(why));
	assert_in_range(fermat_round(why), 30, 70);
	BN_free(q);
	/* q - p = 40 * 2^256: about 200 rounds, beyond the 100 */
	assert_true(BN_set_word(d, 40));
	assert_true(BN_lshift(d, d, 256));
	q = next_prime(p, d);
	assert_string_equal(check_pq(p, q, why, sizeof(why)), "");
	BN_free(q);
	BN_free(p);
	BN_free(d);
}

static void
test_small_factor(void **state)
{
	BIGNUM *q = prime(1024), *s = BN_new();
	char why[512];

	assert_non_null(s);
	assert_true(BN_set_word(s, 65521)); /* the largest prime below 2^16 */
	assert_string_equal(check_pq(s, q, why, sizeof(why)),
	    "RSA modulus has the prime factor 65521 (below 2^16): anyone can "
	    "factor it");
	assert_true(BN_set_word(s, 3));
	assert_non_null(strstr(check_pq(s, q, why, sizeof(why)),
	    "the prime factor 3 "));
	assert_true(BN_set_word(s, 2));
	assert_non_null(strstr(check_pq(s, q, why, sizeof(why)),
	    "the prime factor 2 "));
	/* 3 * 5 * q: the least one is named */
	assert_true(BN_set_word(s, 15));
	assert_non_null(strstr(check_pq(s, q, why, sizeof(why)),
	    "the prime factor 3 "));
	/* 65537 is above the bound */
	assert_true(BN_set_word(s, 65537));
	assert_string_equal(check_pq(s, q, why, sizeof(why)), "");
	/* a modulus below 2^16 is its own small factor */
	assert_true(BN_set_word(s, 1));
	assert_true(BN_set_word(q, 65521));
	assert_non_null(strstr(check_pq(s, q, why, sizeof(why)),
	    "the prime factor 65521 "));
	BN_free(q);
	BN_free(s);
}

/* Every 16th prime below 2^16, the first and last 40, each times a large
 * prime: found and named (every word modulus of keyquality_small.c and
 * both ends of each); primes just above 2^16: not. */
static void
test_small_sweep(void **state)
{
	static unsigned char composite[70000];
	static unsigned primes[7000];
	BIGNUM *q = prime(1024), *s = BN_new();
	unsigned i, j, np = 0, tried = 0;
	char why[512], want[64];

	assert_non_null(s);
	for (i = 2; i < 70000; i++) {
		if (composite[i])
			continue;
		primes[np++] = i;
		for (j = i * i; j < 70000; j += i)
			composite[j] = 1;
	}
	for (i = 0; i < np; i++) {
		if (primes[i] < 65536 && i % 16 != 0 && i >= 40 &&
		    primes[i + 40] < 65536)
			continue;
		if (primes[i] > 65536 + 200)
			break;
		assert_true(BN_set_word(s, primes[i]));
		check_pq(s, q, why, sizeof(why));
		if (primes[i] < 65536) {
			snprintf(want, sizeof(want), "the prime factor %u ",
			    primes[i]);
			assert_non_null(strstr(why, want));
		} else
			assert_string_equal(why, "");
		tried++;
	}
	assert_true(tried > 480);
	BN_free(q);
	BN_free(s);
}

static void
test_exponent(void **state)
{
	BIGNUM *p = prime(512), *q = prime(512), *n = BN_new();
	char why[512];
	EVP_PKEY *k;

	assert_non_null(n);
	assert_true(BN_mul(n, p, q, ctx));
	k = rsa_pub(n, 65539);
	assert_int_equal(keyquality_check(k, why, sizeof(why)), -1);
	assert_string_equal(why, "RSA public exponent 65539 is not 65537 (as "
	    "Let's Encrypt's goodkey requires: one exponent, so one modulus "
	    "is one key)");
	EVP_PKEY_free(k);
	k = rsa_pub(n, 3);
	assert_int_equal(keyquality_check(k, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "exponent 3 is not 65537"));
	EVP_PKEY_free(k);
	k = rsa_pub(n, 65537);
	assert_int_equal(keyquality_check(k, why, sizeof(why)), 0);
	EVP_PKEY_free(k);
	BN_free(p);
	BN_free(q);
	BN_free(n);
}

/* The public half, decoded as the CSR intake does (a legacy key). */
static EVP_PKEY *
legacy_public(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub;
	int n;

	assert_true((n = i2d_PUBKEY(k, &der)) > 0);
	p = der;
	assert_non_null(pub = d2i_PUBKEY(NULL, &p, n));
	OPENSSL_free(der);
	return pub;
}

static void
test_good(void **state)
{
	EVP_PKEY *k, *pub;
	char why[512];
	int i;

	k = EVP_RSA_gen(2048);
	assert_non_null(k);
	assert_int_equal(keyquality_check(k, why, sizeof(why)), 0);
	pub = legacy_public(k);
	assert_int_equal(keyquality_check(pub, why, sizeof(why)), 0);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
	for (i = 0; i < 2; i++) {
		k = pki_keygen(i ? KEY_P384 : KEY_P256);
		assert_non_null(k);
		assert_int_equal(keyquality_check(k, why, sizeof(why)), 0);
		pub = legacy_public(k);
		assert_int_equal(keyquality_check(pub, why, sizeof(why)), 0);
		EVP_PKEY_free(pub);
		EVP_PKEY_free(k);
	}
}

/* An EC public key on P-256 with the encoded point pt[0..len). */
static EVP_PKEY *
ec_pub(const unsigned char *pt, size_t len)
{
	OSSL_PARAM prm[3];
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;

	assert_non_null(pc);
	prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)"P-256", 0);
	prm[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    (void *)pt, len);
	prm[2] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_PKEY_fromdata_init(pc), 1);
	if (EVP_PKEY_fromdata(pc, &k, EVP_PKEY_PUBLIC_KEY, prm) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	return k;
}

static void
test_ec_points(void **state)
{
	EVP_PKEY *good = pki_keygen(KEY_P256), *k;
	unsigned char pt[65], *der = NULL, zero = 0, inf[27];
	const unsigned char *pp;
	size_t len;
	char why[512];
	int n, i;

	assert_non_null(good);
	assert_true(EVP_PKEY_get_octet_string_param(good,
	    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &len));
	assert_int_equal(len, 65);
	/* the same point rebuilt from its bytes passes */
	assert_non_null(k = ec_pub(pt, len));
	assert_int_equal(keyquality_check(k, why, sizeof(why)), 0);
	EVP_PKEY_free(k);
	/* the point at infinity: OpenSSL builds the key from parameters
	 * and decodes it from a SubjectPublicKeyInfo; the check refuses */
	assert_non_null(k = ec_pub(&zero, 1));
	assert_int_equal(keyquality_check(k, why, sizeof(why)), -1);
	assert_string_equal(why, "EC public key is the point at infinity");
	EVP_PKEY_free(k);
	n = i2d_PUBKEY(good, &der);
	assert_int_equal(n, 91);
	assert_int_equal(der[23], 0x03); /* the BIT STRING after the alg */
	memcpy(inf, der, 23);
	inf[1] = 25;
	memcpy(inf + 23, "\x03\x02\x00\x00", 4);
	pp = inf;
	assert_non_null(k = d2i_PUBKEY(NULL, &pp, sizeof(inf)));
	assert_int_equal(keyquality_check(k, why, sizeof(why)), -1);
	assert_string_equal(why, "EC public key is the point at infinity");
	EVP_PKEY_free(k);
	/* y + 1: off the curve. OpenSSL refuses to build such a key, from
	 * parameters and from a SubjectPublicKeyInfo, so none reaches the
	 * check (the CSR path says so in its own words, tests/cmd) */
	pt[64] ^= 1;
	assert_null(ec_pub(pt, len));
	der[n - 1] ^= 1;
	pp = der;
	k = d2i_PUBKEY(NULL, &pp, n);
	ERR_clear_error();
	assert_null(k);
	/* x with one bit flipped, y as it was: off the curve too */
	pt[64] ^= 1;
	for (i = 0; i < 8; i++) {
		pt[1 + 4 * i] ^= 1;
		assert_null(ec_pub(pt, len));
		pt[1 + 4 * i] ^= 1;
	}
	OPENSSL_free(der);
	EVP_PKEY_free(good);
}

/* keyquality_ec on raw points, as the CSR intake passes them: off the
 * curve is reached here; compressed points; the order on a curve with a
 * cofactor (sect163k1, h = 2: (0, 1) has order 2). */
static void
test_ec_raw(void **state)
{
	EVP_PKEY *k = pki_keygen(KEY_P384);
	unsigned char pt[97], comp[49], two[43] = {4}, zero = 0;
	size_t len;
	char why[512];

	assert_non_null(k);
	assert_true(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, sizeof(pt), &len));
	assert_int_equal(len, 97);
	assert_int_equal(keyquality_ec(NID_secp384r1, pt, len, why,
	    sizeof(why)), 0);
	/* on P-256 the bytes are not a point */
	assert_int_equal(keyquality_ec(NID_X9_62_prime256v1, pt, 65, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "EC public key is not a point on the curve "
	    "prime256v1");
	pt[96] ^= 1;
	assert_int_equal(keyquality_ec(NID_secp384r1, pt, len, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "EC public key is not a point on the curve "
	    "secp384r1");
	pt[96] ^= 1;
	/* compressed: x and the parity of y */
	comp[0] = (unsigned char)(2 | (pt[96] & 1));
	memcpy(comp + 1, pt + 1, 48);
	assert_int_equal(keyquality_ec(NID_secp384r1, comp, sizeof(comp), why,
	    sizeof(why)), 0);
	comp[0] ^= 1; /* the other y: on the curve too */
	assert_int_equal(keyquality_ec(NID_secp384r1, comp, sizeof(comp), why,
	    sizeof(why)), 0);
	assert_int_equal(keyquality_ec(NID_secp384r1, &zero, 1, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "EC public key is the point at infinity");
	assert_int_equal(keyquality_ec(NID_undef, pt, len, why, sizeof(why)),
	    -1);
	assert_string_equal(why, "EC curve UNDEF is not known");
	two[42] = 1;
	assert_int_equal(keyquality_ec(NID_sect163k1, two, sizeof(two), why,
	    sizeof(why)), -1);
	assert_string_equal(why, "EC public key is not in the subgroup of "
	    "prime order of sect163k1");
	EVP_PKEY_free(k);
}

/* Keys that are not RSA or EC are not this module's business. */
static void
test_other(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char why[16] = "";

	assert_non_null(k);
	assert_int_equal(keyquality_check(k, why, sizeof(why)), 0);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roca),
		cmocka_unit_test(test_fermat),
		cmocka_unit_test(test_small_factor),
		cmocka_unit_test(test_small_sweep),
		cmocka_unit_test(test_exponent),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_ec_points),
		cmocka_unit_test(test_ec_raw),
		cmocka_unit_test(test_other),
	};
	int rv;

	ctx = BN_CTX_new();
	assert_non_null(ctx);
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	BN_CTX_free(ctx);
	return rv;
}
