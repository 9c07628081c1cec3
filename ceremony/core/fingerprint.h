/* Fingerprints of a SHA-256: hex pairs to compare by eye, words to read
 * aloud. */
#ifndef FINGERPRINT_H
#define FINGERPRINT_H

#include <stddef.h>

/* Colon-separated hex pairs, upper case, 95 chars + NUL. */
void fingerprint_format(const unsigned char sha[32], char out[96]);

/* The 256 bits as 26 SLIP-39 words, for reading aloud (about 250 bytes). */
void fingerprint_words(const unsigned char sha[32], char *out, size_t len);

#endif
