/* Systematic Reed-Solomon erasure code over GF(2^8) (gf256.h).
 * Shards 0..k-1 are the data; parity shard k+j (j < m) is
 *   sum over i < k of C(j,i) * shard_i,  C(j,i) = 1 / ((k+j) XOR i),
 * a Cauchy matrix under the identity, so any k of the k+m shards
 * rebuild the data. k >= 1, m >= 0, k + m <= 255. Public data only. */
#ifndef RS_H
#define RS_H

#include <stddef.h>
#include <stdint.h>

#define RS_MAX 255

uint8_t rs_coef(unsigned k, unsigned j, unsigned i);
/* Computes shard[k..k+m-1] (len bytes each) from shard[0..k-1]. */
void rs_encode(unsigned char *const *shard, unsigned k, unsigned m,
    size_t len);
/* shard[0..k+m-1] all point to len-byte buffers; have[i] != 0 for the
 * shards that hold received data. Fills in the missing data shards
 * (i < k). Returns 0, or -1 if fewer than k shards are present or memory
 * runs out. Parity shards are not rebuilt. */
int rs_rebuild(unsigned char *const *shard, const unsigned char *have,
    unsigned k, unsigned m, size_t len);

#endif
