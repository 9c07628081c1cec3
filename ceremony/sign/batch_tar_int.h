/* Shared by batch_tar.c (collecting, the members) and batch_tar_write.c
 * (the archive). */
#ifndef BATCH_TAR_INT_H
#define BATCH_TAR_INT_H

#include <openssl/evp.h>

#include "ca/batchfile.h"
#include "sign/batch_tar.h"

struct bt_cert {
	uint64_t off;  /* DER in the spool */
	uint32_t len;
	uint32_t stem; /* in the arena */
};

/* Member ids: certificate i is 2i (.crt) and 2i+1 (-chain.crt); the
 * fixed members follow, from 2n. */
enum { BT_REJECTED, BT_SUMMARY, BT_MANIFEST, BT_SIG, BT_FIXED };

struct batch_tar {
	char *path, *tmp;
	int spool;
	uint64_t spool_len;
	unsigned char *wbuf;
	size_t wlen;
	struct bt_cert *v;
	size_t n, cap;
	char *arena;
	size_t alen, acap;
	uint32_t maxder;
	uint64_t mtime;       /* the latest notBefore */
	/* making the archive */
	uint32_t *ord;        /* member ids in name order */
	size_t nord;
	EVP_MD *sha256;
	char *ca_pem;
	size_t ca_pemlen;
	unsigned char *der, *pem; /* scratch */
	size_t pemcap;
	char *summary;
	FILE *rejects;
	uint64_t rej_len;
	unsigned char rej_sha[32];
};

/* batch_tar.c */
/* The member's name into buf (TAR_STREAM_NAME_MAX + 1 bytes). */
const char *bt_name(const struct batch_tar *t, uint32_t id, char *buf);
/* Sorts the members into t->ord. */
int bt_order(struct batch_tar *t);
/* A certificate member's bytes (t->pem, valid until the next call). */
int bt_cert_bytes(struct batch_tar *t, uint32_t id, const unsigned char **p,
    size_t *n);
/* A member's SHA-256 (not MANIFEST or its signature). */
int bt_sha256(struct batch_tar *t, uint32_t id, unsigned char md[32]);
/* rejected.txt's bytes from off: up to n into buf; the count or -1. */
ssize_t bt_rejects_read(struct batch_tar *t, uint64_t off, unsigned char *buf,
    size_t n);

#endif
