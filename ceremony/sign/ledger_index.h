/* The ledger's hash index: a set of 16-byte keys (prefixes of SHA-256
 * hashes) with a 64-bit value each, in memory. */
#ifndef LEDGER_INDEX_H
#define LEDGER_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct index {
	unsigned char (*keys)[16];
	uint64_t *vals; /* value + 1; 0 marks an empty slot */
	size_t cap, n;
};

/* 1 if added; 0 if the key was there: its value goes to *old (if not
 * NULL) and is replaced when replace is set; -1 out of memory. */
int index_put(struct index *x, const unsigned char key[16], uint64_t val,
    uint64_t *old, int replace);
/* 1 and the value if present, else 0. */
int index_get(const struct index *x, const unsigned char key[16],
    uint64_t *val);
void index_free(struct index *x);

/* The key for a string (a CN, a serial, an output name): the first 16
 * bytes of its SHA-256. */
void index_key(const char *s, unsigned char out[16]);

#endif
