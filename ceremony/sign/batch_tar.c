/* The batch archive's certificates: collected while the batch runs (DER
 * to a spool file, names to an arena), then put in name order and given
 * back as the PEM files sign writes in a folder. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ca/pki.h"
#include "sign/batch_tar_int.h"
#include "core/util.h"

#define SPOOL_BUF 65536

int
batch_tar_key(struct sigkey *k, struct pass_src *src,
    const struct pass_src *ca)
{
	struct pass_src use = *src;
	struct sigkey pub;
	int fallback = 0;

	if (use.file == NULL && use.fd == -1 && ca->file != NULL) {
		use.file = ca->file;
		fallback = 1;
	}
	if (sigkey_load_secret(SIGN_KEY, &use, k) == -1) {
		warnf("%s signs the archive: give its passphrase with "
		      "--sigkey-passphrase-file F or --sigkey-passphrase-fd N%s",
		    SIGN_KEY, fallback ? " (the CA key's --passphrase-file "
		    "was tried)" : "");
		return -1;
	}
	if (sigkey_load_public(SIGN_PUB, &pub) == -1 ||
	    memcmp(pub.pk, k->pk, 32) != 0 ||
	    memcmp(pub.keynum, k->keynum, 8) != 0) {
		warnf("%s and %s are not one key pair", SIGN_KEY, SIGN_PUB);
		sigkey_free(k);
		return -1;
	}
	return 0;
}

struct batch_tar *
batch_tar_new(const char *path)
{
	struct batch_tar *t;
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	struct stat st;
	FILE *f;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->spool = -1;
	if ((t->path = strdup(path)) == NULL ||
	    (t->wbuf = malloc(SPOOL_BUF)) == NULL ||
	    (dir = slash ? strndup(path, (size_t)(slash - path)) :
	    strdup(".")) == NULL)
		goto fail;
	if (asprintf(&t->tmp, "%s/.%s.tmp", dir, slash ? slash + 1 : path) ==
	    -1) {
		t->tmp = NULL;
		goto fail;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		warnf("%s: no folder %s for the archive", path, dir);
		goto fail;
	}
	/* the spool: an unlinked file beside the archive */
	t->spool = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (t->spool == -1 && (f = tmpfile()) != NULL) {
		t->spool = dup(fileno(f));
		fclose(f);
	}
	if (t->spool == -1) {
		warnf("%s: cannot create a spool file: %s", dir,
		    strerror(errno));
		goto fail;
	}
	free(dir);
	return t;
fail:
	free(dir);
	batch_tar_free(t);
	return NULL;
}

static int
spool_flush(struct batch_tar *t)
{
	if (t->wlen > 0 && fd_write_all(t->spool, t->wbuf, t->wlen) == -1) {
		warnf("the batch's spool file: write error: %s",
		    strerror(errno));
		return -1;
	}
	t->wlen = 0;
	return 0;
}

static int
spool_put(struct batch_tar *t, const unsigned char *p, size_t n)
{
	if (t->wlen + n > SPOOL_BUF && spool_flush(t) == -1)
		return -1;
	if (n > SPOOL_BUF) {
		if (fd_write_all(t->spool, p, n) == -1) {
			warnf("the batch's spool file: write error: %s",
			    strerror(errno));
			return -1;
		}
	} else {
		memcpy(t->wbuf + t->wlen, p, n);
		t->wlen += n;
	}
	t->spool_len += n;
	return 0;
}

int
batch_tar_collect(void *arg, const struct ledger_entry *e)
{
	struct batch_tar *t = arg;
	size_t k = strlen(e->file) + 1;
	struct tm tm;
	void *nv;
	time_t nb;

	if (t->n == BATCHFILE_DEVICES_MAX) {
		warnf("%s: more than %d certificates for one archive", t->path,
		    BATCHFILE_DEVICES_MAX);
		return -1;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		if ((nv = realloc(t->v, t->cap * sizeof(*t->v))) == NULL)
			return -1;
		t->v = nv;
	}
	while (t->alen + k > t->acap) {
		t->acap = t->acap ? t->acap * 2 : 65536;
		if ((nv = realloc(t->arena, t->acap)) == NULL)
			return -1;
		t->arena = nv;
	}
	memset(&tm, 0, sizeof(tm));
	if (strptime(e->not_before, UTC_ISO_FMT, &tm) == NULL ||
	    (nb = timegm(&tm)) == (time_t)-1 || e->certlen > UINT32_MAX) {
		warnf("serial %s: bad notBefore or certificate", e->serial);
		return -1;
	}
	if ((uint64_t)nb > t->mtime)
		t->mtime = (uint64_t)nb;
	t->v[t->n].off = t->spool_len;
	t->v[t->n].len = (uint32_t)e->certlen;
	t->v[t->n].stem = (uint32_t)t->alen;
	if (spool_put(t, e->cert, e->certlen) == -1)
		return -1;
	memcpy(t->arena + t->alen, e->file, k);
	t->alen += k;
	if (t->v[t->n].len > t->maxder)
		t->maxder = t->v[t->n].len;
	t->n++;
	return 0;
}

const char *
bt_name(const struct batch_tar *t, uint32_t id, char *buf)
{
	static const char *fixed[BT_FIXED] = {BATCHFILE_REJECTED,
		BATCHFILE_SUMMARY, BATCHFILE_MANIFEST, BATCHFILE_SIG};

	if (id >= 2 * t->n)
		return fixed[id - 2 * t->n];
	snprintf(buf, TAR_STREAM_NAME_MAX + 1, "%s%s",
	    t->arena + t->v[id / 2].stem, id & 1 ? BATCHFILE_CHAIN :
	    BATCHFILE_CRT);
	return buf;
}

static int
cmp_id(const void *a, const void *b, void *arg)
{
	char x[TAR_STREAM_NAME_MAX + 1], y[TAR_STREAM_NAME_MAX + 1];

	return strcmp(bt_name(arg, *(const uint32_t *)a, x),
	    bt_name(arg, *(const uint32_t *)b, y));
}

int
bt_order(struct batch_tar *t)
{
	char name[TAR_STREAM_NAME_MAX + 1];
	size_t i;

	if (spool_flush(t) == -1)
		return -1;
	t->nord = 2 * t->n + BT_FIXED;
	if ((t->ord = malloc(t->nord * sizeof(*t->ord))) == NULL ||
	    (t->der = malloc(t->maxder + 1)) == NULL)
		return -1;
	for (i = 0; i < t->nord; i++) {
		t->ord[i] = (uint32_t)i;
		if (!tar_stream_name_ok(bt_name(t, (uint32_t)i, name))) {
			warnf("%s: '%s' cannot name a member of the archive",
			    t->path, name);
			return -1;
		}
	}
	qsort_r(t->ord, t->nord, sizeof(*t->ord), cmp_id, t);
	return 0;
}

int
bt_cert_bytes(struct batch_tar *t, uint32_t id, const unsigned char **p,
    size_t *n)
{
	const struct bt_cert *c = &t->v[id / 2];
	size_t need = PKI_PEM_MAX((size_t)c->len) + t->ca_pemlen;
	ssize_t r;
	void *nb;

	if (need > t->pemcap) {
		if ((nb = realloc(t->pem, need)) == NULL)
			return -1;
		t->pem = nb;
		t->pemcap = need;
	}
	do
		r = pread(t->spool, t->der, c->len, (off_t)c->off);
	while (r == -1 && errno == EINTR);
	if (r != (ssize_t)c->len) {
		warnf("the batch's spool file: read error");
		return -1;
	}
	*n = pki_pem_cert(t->der, c->len, t->pem);
	if (id & 1) {
		memcpy(t->pem + *n, t->ca_pem, t->ca_pemlen);
		*n += t->ca_pemlen;
	}
	*p = t->pem;
	return 0;
}

int
bt_sha256(struct batch_tar *t, uint32_t id, unsigned char md[32])
{
	const unsigned char *p;
	size_t n;

	if (id >= 2 * t->n) {
		if (id - 2 * t->n == BT_REJECTED) {
			memcpy(md, t->rej_sha, 32);
			return 0;
		}
		p = (const unsigned char *)t->summary;
		n = strlen(t->summary);
	} else if (bt_cert_bytes(t, id, &p, &n) == -1)
		return -1;
	return EVP_Digest(p, n, md, NULL, t->sha256, NULL) ? 0 : -1;
}

ssize_t
bt_rejects_read(struct batch_tar *t, uint64_t off, unsigned char *buf,
    size_t n)
{
	ssize_t r;

	do
		r = pread(fileno(t->rejects), buf, n, (off_t)off);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		warnf("rejected.txt: read error: %s", strerror(errno));
	return r;
}

void
batch_tar_free(struct batch_tar *t)
{
	if (t == NULL)
		return;
	if (t->spool != -1)
		close(t->spool);
	free(t->path);
	free(t->tmp);
	free(t->wbuf);
	free(t->v);
	free(t->arena);
	free(t->ord);
	EVP_MD_free(t->sha256);
	free(t->ca_pem);
	free(t->der);
	free(t->pem);
	free(t->summary);
	free(t);
}
