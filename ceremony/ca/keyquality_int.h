/* Inside keyquality: the small-prime test (keyquality_small.c). */
#ifndef KEYQUALITY_INT_H
#define KEYQUALITY_INT_H

#include <openssl/bn.h>

/* 1: n has no prime factor below 2^16; 0: it has, the least in *factor;
 * -1: out of memory. Thread-safe. */
int kq_small_factor(const BIGNUM *n, unsigned *factor);

#endif
