/* 'ceremony import --batch': a signed batch archive (ca/batchfile.h),
 * checked in three passes over the file, nothing written before the last:
 *   1. the strict stream reader, exact (no byte may differ from what sign
 *      writes): names, modes and sizes of the layout, every member's
 *      SHA-256, MANIFEST, its signature and summary.txt kept;
 *   then the signature with the pinned key, MANIFEST against the members
 *      (nothing missing, nothing extra, every hash), summary.txt against
 *      the signed comment and the members;
 *   2. every certificate: canonical PEM, the device profile's lint
 *      against the CA (its signature verified), the CN its name says; every
 *      chain file: that certificate, then the CA whose SHA-256 summary.txt
 *      gives;
 *   3. the members into a temp folder beside DIR (each hash checked again
 *      as it is written), synced, renamed to DIR.
 */
#ifndef IMPORT_BATCH_H
#define IMPORT_BATCH_H

#include <openssl/x509.h>
#include <sodium.h>

#include "ca/batchfile.h"
#include "ca/minisig.h"
#include "ca/sigkey.h"

struct ib_member {
	uint32_t name;          /* in the arena */
	int kind;               /* enum batchfile_kind */
	uint64_t size;
	unsigned char sha[32];
};

struct ib {
	const char *src;        /* the file, as named */
	struct tar_src in;
	char top[TAR_NAME_MAX + 1];
	uint64_t mtime;
	struct ib_member *m;
	size_t n, cap;
	char *arena;
	size_t alen, acap;
	unsigned long ncrt, nchain;
	/* kept from pass 1 */
	unsigned char *manifest, *sig, *summary, *ca_pem;
	size_t manlen, siglen, sumlen, ca_pemlen;
	struct batchfile_summary sum;
	struct minisig ms;
	X509 *ca;
	/* the member being read */
	crypto_hash_sha256_state st;
	unsigned char *cur;     /* its bytes, when kept */
	size_t curlen, curcap;
	int keep, bad;          /* bad: pass 1 found a member out of place */
	char err[1024];         /* a callback's message */
};

/* import_batch_check.c */
/* After pass 1: the signature (pin), MANIFEST, summary.txt, the CA. */
int ib_verify(struct ib *b, const struct sigkey *pin);
/* Pass 2, a member's bytes in full: its hash is the one of pass 1 (index
 * i), certificates and chains check out. 0, or -1 with b->err. */
int ib_check_member(struct ib *b, size_t i, const unsigned char *p,
    size_t n);
/* The member at index i's name. */
const char *ib_name(const struct ib *b, size_t i);

/* import_batch.c */
/* Passes 1 and 2 over b->in (b->src names it in messages), nothing
 * written: 0, or the exit status (the message given). pin NULL: refused
 * after pass 1, with the key id the archive names. */
int ib_check(struct ib *b, const struct sigkey *pin);
void ib_free(struct ib *b);
/* The whole import: the exit status. pin NULL: refused after pass 1,
 * with the key id the archive names. */
int import_batch(const char *path, const struct sigkey *pin,
    const char *out);

#endif
