/* Weak public keys an audit flags (AWS IoT Device Defender, Let's
 * Encrypt's goodkey), beyond the type and size rules of pki_key_check. */
#ifndef KEYQUALITY_H
#define KEYQUALITY_H

#include <stddef.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define KEYQUALITY_SMALL_BOUND 65536 /* prime factors below 2^16 */
#define KEYQUALITY_FERMAT_ROUNDS 100

/* RSA: a public exponent other than 65537, a prime factor below 2^16, the
 * ROCA fingerprint (CVE-2017-15361), two primes close enough for Fermat's
 * method in 100 rounds. EC: the point at infinity, a point not on the
 * curve or outside the subgroup. 0, or -1 with the defect in why. Other
 * key types: 0 (pki_key_check refuses them). Thread-safe. */
int keyquality_check(EVP_PKEY *k, char *why, size_t len);
/* The same from the parts, for a caller that holds them (CSR intake:
 * OpenSSL 3 takes 12 us to export n, or an EC point, from a key decoded
 * with d2i_PublicKey). An RSA key's n and e; an EC point encoded as in a
 * SubjectPublicKeyInfo, on the named curve nid. */
int keyquality_rsa(const BIGNUM *n, const BIGNUM *e, char *why, size_t len);
int keyquality_ec(int nid, const unsigned char *pt, size_t ptlen, char *why,
    size_t len);
/* The same for a certificate's key (a CA about to be registered). */
int keyquality_cert(const X509 *cert, char *why, size_t len);

#endif
