/* The batch's files: certificates and chains written to temp names, then
 * renamed into place once the ledger holds them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "batch.h"
#include "util.h"

static char *
pem_cert(const unsigned char *der, size_t len, const char *tail,
    size_t taillen, size_t *outlen)
{
	static const char head[] = "-----BEGIN CERTIFICATE-----\n",
			  foot[] = "-----END CERTIFICATE-----\n";
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	char *out = malloc(len * 2 + 128 + taillen);
	int a = 0, c = 0;
	size_t n;

	if (ctx == NULL || out == NULL) {
		EVP_ENCODE_CTX_free(ctx);
		free(out);
		return NULL;
	}
	memcpy(out, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	EVP_EncodeInit(ctx);
	if (!EVP_EncodeUpdate(ctx, (unsigned char *)out + n, &a, der,
	    (int)len)) {
		EVP_ENCODE_CTX_free(ctx);
		free(out);
		return NULL;
	}
	EVP_EncodeFinal(ctx, (unsigned char *)out + n + a, &c);
	EVP_ENCODE_CTX_free(ctx);
	n += (size_t)(a + c);
	memcpy(out + n, foot, sizeof(foot) - 1);
	n += sizeof(foot) - 1;
	memcpy(out + n, tail, taillen);
	*outlen = n + taillen;
	return out;
}

static int
write_at(struct batch *b, const char *name, const char *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;
	int fd;

	fd = openat(b->outfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1 || fchmod(fd, 0644) == -1)
		goto fail;
	while (done < len) {
		r = write(fd, buf + done, len - done);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			goto fail;
		done += (size_t)r;
	}
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	warnf("%s/%s: cannot write: %s", b->outdir, name, strerror(errno));
	if (fd != -1)
		close(fd);
	__atomic_store_n(&b->failed, 1, __ATOMIC_RELAXED);
	return -1;
}

/* 1 if the file in the output directory holds exactly buf. */
static int
same_file(struct batch *b, const char *name, const char *buf, size_t len)
{
	char *got = malloc(len + 1);
	ssize_t r = -1;
	int fd, same;

	fd = openat(b->outfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd != -1 && got != NULL)
		r = pread(fd, got, len + 1, 0);
	same = r == (ssize_t)len && memcmp(got, buf, len) == 0;
	if (fd != -1)
		close(fd);
	free(got);
	return same;
}

/* Writes the temp files for the item's certificate; with check set, only
 * where the files in place differ. */
void
batch_emit(struct batch *b, struct item *it, int check)
{
	char name[256];
	char *pem, *chain = NULL;
	size_t plen, clen;

	pem = pem_cert(it->ent.cert, it->ent.certlen, "", 0, &plen);
	chain = pem_cert(it->ent.cert, it->ent.certlen, b->ca_pem,
	    b->ca_pemlen, &clen);
	if (pem == NULL || chain == NULL) {
		__atomic_store_n(&b->failed, 1, __ATOMIC_RELAXED);
		goto out;
	}
	snprintf(name, sizeof(name), "%s.crt", it->ent.file);
	if (!check || !same_file(b, name, pem, plen)) {
		snprintf(name, sizeof(name), ".%s.crt.tmp", it->ent.file);
		if (write_at(b, name, pem, plen) == -1)
			goto out;
		it->write |= 1;
	}
	snprintf(name, sizeof(name), "%s-chain.crt", it->ent.file);
	if (!check || !same_file(b, name, chain, clen)) {
		snprintf(name, sizeof(name), ".%s-chain.crt.tmp", it->ent.file);
		if (write_at(b, name, chain, clen) == -1)
			goto out;
		it->write |= 2;
	}
out:
	free(pem);
	free(chain);
}

static int
place(struct batch *b, const char *stem, const char *suffix, int noreplace)
{
	char tmp[256], name[256];

	snprintf(tmp, sizeof(tmp), ".%s%s.tmp", stem, suffix);
	snprintf(name, sizeof(name), "%s%s", stem, suffix);
	if (renameat2(b->outfd, tmp, b->outfd, name,
	    noreplace ? RENAME_NOREPLACE : 0) == 0)
		return 0;
	if (noreplace && errno == EINVAL && linkat(b->outfd, tmp, b->outfd,
	    name, 0) == 0 && unlinkat(b->outfd, tmp, 0) == 0)
		return 0;
	warnf("%s/%s: cannot put in place: %s", b->outdir, name,
	    strerror(errno));
	__atomic_store_n(&b->failed, 1, __ATOMIC_RELAXED);
	return -1;
}

void
batch_place(struct batch *b, struct item *it, int tid)
{
	int fresh = it->state == IT_SIGN;

	if (it->write & 1)
		place(b, it->ent.file, ".crt", fresh);
	if (it->write & 2)
		place(b, it->ent.file, "-chain.crt", fresh);
}

