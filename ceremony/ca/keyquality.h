/* Weak public keys an audit flags (AWS IoT Device Defender, Let's
 * Encrypt's goodkey), beyond the type and size rules of pki_key_check. */
#ifndef KEYQUALITY_H
#define KEYQUALITY_H

#include <stddef.h>
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
/* The same for a certificate's key (a CA about to be registered). */
int keyquality_cert(const X509 *cert, char *why, size_t len);

#endif
