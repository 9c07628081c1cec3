/* Base45 (RFC 9285): 2 bytes -> 3 chars of "0-9A-Z $%*+-./:". */
#ifndef BASE45_H
#define BASE45_H

#include <stddef.h>

#define BASE45_ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

/* Chars needed for n bytes, without the NUL: 3 per pair, 2 for an odd byte. */
size_t base45_encoded_len(size_t n);
/* out holds base45_encoded_len(n) + 1; it is NUL-terminated. */
void base45_encode(const unsigned char *in, size_t n, char *out);

/* Bytes that len chars decode to, or (size_t)-1 when len % 3 == 1. */
size_t base45_decoded_len(size_t len);
/* Strict: rejects chars outside the alphabet (lower case too), a length
 * with len % 3 == 1, a triple above 65535 and a final pair above 255.
 * out holds base45_decoded_len(len) bytes. Returns 0, or -1 with a
 * message in err ("invalid character 'a' at offset 3", ...). */
int base45_decode(const char *in, size_t len, unsigned char *out,
    size_t *outlen, char *err, size_t errlen);

#endif
