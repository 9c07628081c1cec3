/* ceremony import --batch: the three passes over a batch archive
 * (bundle/import_batch.h), then what it holds. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "bundle/import_batch.h"
#include "ca/pki.h"
#include "core/util.h"

#define PEM_END "-----END CERTIFICATE-----\n"

static int
stop(struct ib *b, const char *fmt, const char *name)
{
	char q[4 * TAR_STREAM_NAME_MAX + 1];

	snprintf(b->err, sizeof(b->err), fmt, str_safe(name, (size_t)-1, q,
	    sizeof(q)));
	return -1;
}

/* Keeps bytes of the member being read. */
static int
keep(struct ib *b, const unsigned char *p, size_t n)
{
	unsigned char *nb;
	size_t cap;

	if (b->curlen + n > b->curcap) {
		cap = (b->curlen + n) * 2;
		if ((nb = realloc(b->cur, cap)) == NULL)
			return stop(b, "%s: out of memory", "");
		b->cur = nb;
		b->curcap = cap;
	}
	memcpy(b->cur + b->curlen, p, n);
	b->curlen += n;
	return 0;
}

static int pass1_member(struct ib *b, int ev, const struct tar_hdr *h,
    const unsigned char *p, size_t n);

/* Pass 1: each member's place in the layout and its hash. A member out
 * of the layout is noted and the reading goes on, so that damage the
 * reader finds later (a CRC) is what gets reported. */
static int
pass1(void *arg, int ev, const struct tar_hdr *h, const unsigned char *p,
    size_t n)
{
	struct ib *b = arg;

	if (b->bad)
		return 0;
	if (pass1_member(b, ev, h, p, n) == -1)
		b->bad = 1;
	return 0;
}

static int
pass1_member(struct ib *b, int ev, const struct tar_hdr *h,
    const unsigned char *p, size_t n)
{
	char stem[TAR_STREAM_NAME_MAX + 1];
	struct ib_member *m;
	unsigned char **to;
	size_t *tolen, k;
	void *nv;
	int kind;

	if (ev == TAR_DATA) {
		crypto_hash_sha256_update(&b->st, p, n);
		return b->keep ? keep(b, p, n) : 0;
	}
	if (ev == TAR_END) {
		m = &b->m[b->n - 1];
		crypto_hash_sha256_final(&b->st, m->sha);
		to = m->kind == BF_MANIFEST ? &b->manifest : m->kind == BF_SIG ?
		    &b->sig : m->kind == BF_SUMMARY ? &b->summary : &b->cur;
		tolen = m->kind == BF_MANIFEST ? &b->manlen : m->kind ==
		    BF_SIG ? &b->siglen : m->kind == BF_SUMMARY ? &b->sumlen :
		    &b->curlen;
		if (b->keep && to != &b->cur) {
			*to = b->cur;
			*tolen = b->curlen;
			b->cur = NULL;
			b->curlen = b->curcap = 0;
		}
		if (m->kind == BF_CHAIN && b->ca_pem == NULL) {
			/* the CA: what follows the device's certificate */
			p = b->curlen == 0 ? NULL : memmem(b->cur, b->curlen,
			    PEM_END, sizeof(PEM_END) - 1);
			k = p ? (size_t)(p - b->cur) + sizeof(PEM_END) - 1 : 0;
			if (p == NULL || (b->ca_pem = malloc(b->curlen - k +
			    1)) == NULL)
				return stop(b, "%s: not a certificate chain",
				    h->name);
			memcpy(b->ca_pem, b->cur + k, b->curlen - k);
			b->ca_pemlen = b->curlen - k;
		}
		b->curlen = 0;
		b->keep = 0;
		return 0;
	}
	if (b->n == 0) {
		snprintf(b->top, sizeof(b->top), "%s", h->top);
		b->mtime = h->mtime;
	}
	if ((kind = batchfile_kind(h->name, stem)) == BF_BAD)
		return stop(b, "%s: not a file a batch archive carries",
		    h->name);
	if (h->mode != BATCHFILE_MODE)
		return stop(b, "%s: mode is not 0644", h->name);
	if (((kind == BF_CRT || kind == BF_CHAIN) &&
	    h->size > BATCHFILE_CERT_MAX) || (kind == BF_SUMMARY &&
	    h->size > BATCHFILE_TEXT_MAX) || (kind == BF_SIG &&
	    h->size > MINISIG_FILE_MAX))
		return stop(b, "%s: larger than such a file can be", h->name);
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		if ((nv = realloc(b->m, b->cap * sizeof(*b->m))) == NULL)
			return stop(b, "%s: out of memory", h->name);
		b->m = nv;
	}
	k = strlen(h->name) + 1;
	while (b->alen + k > b->acap) {
		b->acap = b->acap ? b->acap * 2 : 65536;
		if ((nv = realloc(b->arena, b->acap)) == NULL)
			return stop(b, "%s: out of memory", h->name);
		b->arena = nv;
	}
	m = &b->m[b->n++];
	m->name = (uint32_t)b->alen;
	memcpy(b->arena + b->alen, h->name, k);
	b->alen += k;
	m->kind = kind;
	m->size = h->size;
	b->ncrt += kind == BF_CRT;
	b->nchain += kind == BF_CHAIN;
	b->keep = kind == BF_MANIFEST || kind == BF_SIG || kind == BF_SUMMARY ||
	    (kind == BF_CHAIN && b->ca_pem == NULL);
	crypto_hash_sha256_init(&b->st);
	return 0;
}

/* Pass 2: each member whole, checked. */
static int
pass2(void *arg, int ev, const struct tar_hdr *h, const unsigned char *p,
    size_t n)
{
	struct ib *b = arg;
	int kind;

	if (h->index >= b->n || strcmp(h->name, ib_name(b, h->index)) != 0)
		return stop(b, "%s: changed since it was checked", h->name);
	kind = b->m[h->index].kind;
	if (ev == TAR_BEGIN)
		b->curlen = 0;
	else if (ev == TAR_DATA)
		return keep(b, p, n);
	else if (kind == BF_CRT || kind == BF_CHAIN)
		return ib_check_member(b, (size_t)h->index, b->cur ? b->cur :
		    (const unsigned char *)"", b->curlen);
	return 0;
}

struct unpack {
	struct ib *b;
	int dfd, fd;
	const char *tmp;
};

/* Pass 3: each member into the temp folder, its hash checked again. */
static int
pass3(void *arg, int ev, const struct tar_hdr *h, const unsigned char *p,
    size_t n)
{
	struct unpack *u = arg;
	struct ib *b = u->b;
	unsigned char md[32];
	char q[4 * TAR_STREAM_NAME_MAX + 1];

	if (h->index >= b->n || strcmp(h->name, ib_name(b, h->index)) != 0)
		return stop(b, "%s: changed since it was checked", h->name);
	if (ev == TAR_BEGIN) {
		crypto_hash_sha256_init(&b->st);
		u->fd = openat(u->dfd, h->name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (u->fd == -1 || fchmod(u->fd, 0644) == -1)
			goto fail;
		return 0;
	}
	if (ev == TAR_DATA) {
		crypto_hash_sha256_update(&b->st, p, n);
		if (fd_write_all(u->fd, p, n) == -1)
			goto fail;
		return 0;
	}
	crypto_hash_sha256_final(&b->st, md);
	if (close(u->fd) == -1) {
		u->fd = -1;
		goto fail;
	}
	u->fd = -1;
	if (memcmp(md, b->m[h->index].sha, 32) != 0)
		return stop(b, "%s: changed since it was checked", h->name);
	return 0;
fail:
	snprintf(b->err, sizeof(b->err), "%s/%s: cannot write: %s", u->tmp,
	    str_safe(h->name, (size_t)-1, q, sizeof(q)), strerror(errno));
	return -1;
}

/* One pass; the exit status it calls for (0 to go on). */
static int
pass(struct ib *b, int exact, tar_scan_fn fn, void *arg)
{
	char err[1024], q[4 * 1024 + 1];
	int r;

	b->err[0] = 0;
	r = tar_scan(&b->in, &batchfile_limits, BATCHFILE_LEVEL, exact, fn, arg,
	    err,
	    sizeof(err));
	if (r == 0)
		return 0;
	if (r == TAR_STOPPED)
		warnf("%s: %s", b->src, b->err);
	else
		warnf("%s: %s", b->src, str_safe(err, (size_t)-1, q, sizeof(q)));
	return EXIT_CHECK;
}

/* No pinned key: refuse, and show the key the archive names. */
static int
refuse_unpinned(struct ib *b)
{
	struct minisig s;
	char err[256], id[17];

	warnf("no pinned key: refusing to trust %s. Give --pubkey KEY or "
	      "--pubkey-file F", b->src);
	if (b->sig != NULL && minisig_parse((const char *)b->sig, b->siglen,
	    &s, err, sizeof(err)) == 0) {
		minisig_keyid(s.keynum, id);
		fprintf(stderr, "The batch says it is signed by key id %s: "
		    "compare it with ceremony.pub's on the ceremony's paper "
		    "record.\n", id);
	}
	return EXIT_USAGE;
}

/* Pass 3 and the rename. */
static int
unpack(struct ib *b, const char *out)
{
	struct unpack u = {b, -1, -1, NULL};
	char *tmp = NULL;
	int rv = EXIT_USAGE;

	if (bundle_dir_temp(out, &tmp) == -1)
		return EXIT_USAGE;
	u.tmp = tmp;
	if ((u.dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		warnf("%s: cannot open: %s", tmp, strerror(errno));
		goto out;
	}
	if ((rv = pass(b, 0, pass3, &u)) != 0)
		goto out;
	rv = EXIT_USAGE;
	if (syncfs(u.dfd) == -1 || bundle_dir_seal(tmp) == -1)
		goto out;
	if (bundle_dir_rename(tmp, out) == -1) {
		warnf("%s: cannot rename %s into place: %s", out, tmp,
		    strerror(errno));
		goto out;
	}
	dir_sync(out);
	rv = 0;
out:
	if (u.fd != -1)
		close(u.fd);
	if (u.dfd != -1)
		close(u.dfd);
	if (rv != 0)
		dir_remove(tmp);
	free(tmp);
	return rv;
}

static void
report(const struct ib *b, const struct sigkey *pin, const char *out,
    const char *sha)
{
	char id[17], b64[57], q[4 * MINISIG_COMMENT_MAX + 1];

	minisig_keyid(pin->keynum, id);
	sigkey_public_b64(pin, b64);
	printf("Batch %s verified and unpacked into %s/\n", b->top, out);
	printf("  archive SHA-256  %s\n", sha);
	printf("  signed by        key id %s (%s)\n", id, b64);
	printf("  signed comment   %s\n", str_safe(b->ms.trusted, (size_t)-1,
	    q, sizeof(q)));
	printf("  CA               %s: %s\n", b->sum.ca, str_safe(
	    b->sum.ca_subject, (size_t)-1, q, sizeof(q)));
	printf("  CA SHA-256       %s\n", b->sum.ca_sha256);
	printf("  certificates     %lu (each <CN>.crt and <CN>-chain.crt, "
	       "linted against the CA)\n", b->ncrt);
	printf("  rejected         %lu of %lu CSRs (see rejected.txt)\n",
	    b->sum.rejected, b->sum.csrs);
	printf("  files            %zu, all match MANIFEST\n", b->n);
}

int
ib_check(struct ib *b, const struct sigkey *pin)
{
	int rv;

	if ((rv = pass(b, 1, pass1, b)) != 0)
		return rv;
	if (b->bad) {
		warnf("%s: %s", b->src, b->err);
		return EXIT_CHECK;
	}
	if (b->manifest == NULL || b->sig == NULL || b->summary == NULL) {
		warnf("%s: no %s, %s or %s: not a batch archive", b->src,
		    BATCHFILE_MANIFEST, BATCHFILE_SIG, BATCHFILE_SUMMARY);
		return EXIT_CHECK;
	}
	if (pin == NULL)
		return refuse_unpinned(b);
	if (ib_verify(b, pin) == -1)
		return EXIT_CHECK;
	return pass(b, 0, pass2, b);
}

void
ib_free(struct ib *b)
{
	X509_free(b->ca);
	free(b->m);
	free(b->arena);
	free(b->manifest);
	free(b->sig);
	free(b->summary);
	free(b->ca_pem);
	free(b->cur);
	memset(b, 0, sizeof(*b));
}

int
import_batch(const char *path, const struct sigkey *pin, const char *out)
{
	struct ib b;
	struct stat st;
	char sha[65];
	int fd, rv = EXIT_USAGE;

	memset(&b, 0, sizeof(b));
	b.src = path;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		warnf("%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		warnf("%s: not a regular file", path);
		goto out;
	}
	b.in.fd = fd;
	b.in.len = (uint64_t)st.st_size;
	if (sha256_file_hex(path, sha) == -1)
		goto out;
	if ((rv = ib_check(&b, pin)) != 0)
		goto out;
	if (out == NULL)
		out = b.top;
	if (file_exists(out)) {
		warnf("%s exists; choose another --out or remove it", out);
		rv = EXIT_USAGE;
		goto out;
	}
	if ((rv = unpack(&b, out)) == 0)
		report(&b, pin, out, sha);
out:
	if (fd != -1)
		close(fd);
	ib_free(&b);
	return rv;
}
