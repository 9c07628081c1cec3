/* GF(2^8) with the Rijndael polynomial x^8+x^4+x^3+x+1 (0x11b). */
#ifndef GF256_H
#define GF256_H

#include <stddef.h>
#include <stdint.h>

/* Constant time: no secret-dependent branches or table lookups. */
uint8_t gf256_mul(uint8_t a, uint8_t b);
uint8_t gf256_inv(uint8_t a); /* inv(0) = 0 */
uint8_t gf256_div(uint8_t a, uint8_t b);

/* dst[i] ^= c * src[i], for public data (erasure coding); table driven. */
void gf256_muladd(uint8_t *dst, const uint8_t *src, uint8_t c, size_t n);

#endif
