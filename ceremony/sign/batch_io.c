/* The batch's files. A new certificate's files are created under their
 * names once the ledger holds it; a re-emitted one goes through a temp
 * file renamed over the file in place. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sign/batch_int.h"
#include "ca/pki.h"
#include "core/util.h"

/* The certificate's PEM, then tail. */
static char *
pem_cert(const unsigned char *der, size_t len, const char *tail,
    size_t taillen, size_t *outlen)
{
	unsigned char *out = malloc(PKI_PEM_MAX(len) + taillen);
	size_t n;

	if (out == NULL)
		return NULL;
	n = pki_pem_cert(der, len, out);
	memcpy(out + n, tail, taillen);
	*outlen = n + taillen;
	return (char *)out;
}

/* Writes name; excl: it must not exist yet. */
static int
write_at(struct batch_state *s, const char *name, const char *buf, size_t len,
    int excl)
{
	size_t done = 0;
	ssize_t r;
	int fd;

	fd = openat(s->b->outfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | (excl ? O_EXCL : O_TRUNC), 0644);
	/* 0644 whatever the umask; no call when the umask leaves it */
	if (fd == -1 || (s->chmod && fchmod(fd, 0644) == -1))
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
	warnf("%s/%s: cannot write: %s", s->b->outdir, name, strerror(errno));
	if (fd != -1)
		close(fd);
	__atomic_store_n(&s->failed, 1, __ATOMIC_RELAXED);
	return -1;
}

/* 1 if the file in the output directory holds exactly buf. */
static int
same_file(struct batch_state *s, const char *name, const char *buf, size_t len)
{
	char *got = malloc(len + 1);
	ssize_t r = -1;
	int fd, same;

	fd = openat(s->b->outfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd != -1 && got != NULL)
		r = pread(fd, got, len + 1, 0);
	same = r == (ssize_t)len && memcmp(got, buf, len) == 0;
	if (fd != -1)
		close(fd);
	free(got);
	return same;
}

void
batch_emit(struct batch_state *s, struct item *it, int check)
{
	char name[256];
	char *pem, *chain = NULL;
	size_t plen, clen;

	if (s->b->collect != NULL) /* one archive, made after the run */
		return;
	/* the chain: the same PEM, then the CA's */
	chain = pem_cert(it->ent.cert, it->ent.certlen, s->ca_pem,
	    s->ca_pemlen, &clen);
	plen = clen - s->ca_pemlen;
	if (chain != NULL && (pem = malloc(plen)) != NULL)
		memcpy(pem, chain, plen);
	else
		pem = NULL;
	if (pem == NULL || chain == NULL) {
		__atomic_store_n(&s->failed, 1, __ATOMIC_RELAXED);
		goto out;
	}
	if (!check) {
		it->pem = pem;
		it->pemlen = plen;
		it->chain = chain;
		it->chainlen = clen;
		it->write = 3;
		return;
	}
	snprintf(name, sizeof(name), "%s.crt", it->ent.file);
	if (!same_file(s, name, pem, plen)) {
		snprintf(name, sizeof(name), ".%s.crt.tmp", it->ent.file);
		if (write_at(s, name, pem, plen, 0) == -1)
			goto out;
		it->write |= 1;
	}
	snprintf(name, sizeof(name), "%s-chain.crt", it->ent.file);
	if (!same_file(s, name, chain, clen)) {
		snprintf(name, sizeof(name), ".%s-chain.crt.tmp", it->ent.file);
		if (write_at(s, name, chain, clen, 0) == -1)
			goto out;
		it->write |= 2;
	}
out:
	free(pem);
	free(chain);
}

static int
place(struct batch_state *s, const char *stem, const char *suffix)
{
	char tmp[256], name[256];

	snprintf(tmp, sizeof(tmp), ".%s%s.tmp", stem, suffix);
	snprintf(name, sizeof(name), "%s%s", stem, suffix);
	if (renameat(s->b->outfd, tmp, s->b->outfd, name) == 0)
		return 0;
	warnf("%s/%s: cannot put in place: %s", s->b->outdir, name,
	    strerror(errno));
	__atomic_store_n(&s->failed, 1, __ATOMIC_RELAXED);
	return -1;
}

void
batch_place(struct batch_state *s, struct item *it, int tid)
{
	char name[256];

	if (it->state == IT_SIGN && it->pem != NULL) {
		snprintf(name, sizeof(name), "%s.crt", it->ent.file);
		if (write_at(s, name, it->pem, it->pemlen, 1) == -1)
			return;
		snprintf(name, sizeof(name), "%s-chain.crt", it->ent.file);
		write_at(s, name, it->chain, it->chainlen, 1);
		return;
	}
	if (it->write & 1)
		place(s, it->ent.file, ".crt");
	if (it->write & 2)
		place(s, it->ent.file, "-chain.crt");
}

