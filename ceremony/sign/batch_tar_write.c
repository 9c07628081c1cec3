/* The batch archive, once the batch's ledger lines are synced: MANIFEST
 * is made twice from the members (first to sign its BLAKE2b, then into
 * the archive, checked against the first), so no member's bytes are held
 * beyond the one being written. Temp file, fsync, read back, rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "ca/minisig.h"
#include "ca/pki.h"
#include "sign/batch_tar_int.h"
#include "core/util.h"

#define IO_CHUNK 65536

struct out {
	int fd;
	uint64_t bytes;
	crypto_hash_sha256_state sha;
};

static int
out_sink(void *arg, const unsigned char *p, size_t n)
{
	struct out *o = arg;

	if (fd_write_all(o->fd, p, n) == -1)
		return -1;
	o->bytes += n;
	crypto_hash_sha256_update(&o->sha, p, n);
	return 0;
}

/* Calls fn with each MANIFEST line, in order; its BLAKE2b to hash. */
typedef int (*line_fn)(void *arg, const char *line, size_t n);
static int
manifest_each(struct batch_tar *t, line_fn fn, void *arg,
    unsigned char hash[MINISIG_HASH], uint64_t *len)
{
	crypto_generichash_state st;
	char line[64 + 2 + TAR_STREAM_NAME_MAX + 2], name[TAR_STREAM_NAME_MAX + 1];
	unsigned char md[32];
	size_t i, n;
	uint32_t id;

	*len = 0;
	if (crypto_generichash_init(&st, NULL, 0, MINISIG_HASH) != 0)
		return -1;
	for (i = 0; i < t->nord; i++) {
		id = t->ord[i];
		if (id == 2 * t->n + BT_MANIFEST || id == 2 * t->n + BT_SIG)
			continue;
		if (bt_sha256(t, id, md) == -1)
			return -1;
		hex_encode(md, 32, line);
		n = (size_t)snprintf(line + 64, sizeof(line) - 64, "  %s\n",
		    bt_name(t, id, name)) + 64;
		crypto_generichash_update(&st, (unsigned char *)line, n);
		*len += n;
		if (fn != NULL && fn(arg, line, n) != 0)
			return -1;
	}
	return crypto_generichash_final(&st, hash, MINISIG_HASH);
}

struct put {
	struct tar_out *tar;
	char err[512];
};

static int
put_line(void *arg, const char *line, size_t n)
{
	struct put *p = arg;

	return tar_out_data(p->tar, line, n, p->err, sizeof(p->err));
}

/* rejected.txt: its length and SHA-256. */
static int
rejects_sum(struct batch_tar *t)
{
	crypto_hash_sha256_state st;
	unsigned char buf[IO_CHUNK];
	ssize_t r;

	crypto_hash_sha256_init(&st);
	t->rej_len = 0;
	if (fflush(t->rejects) != 0)
		return -1;
	while ((r = bt_rejects_read(t, t->rej_len, buf, sizeof(buf))) > 0) {
		crypto_hash_sha256_update(&st, buf, (size_t)r);
		t->rej_len += (uint64_t)r;
	}
	crypto_hash_sha256_final(&st, t->rej_sha);
	return r == 0 ? 0 : -1;
}

/* One member into the archive. */
static int
put_member(struct batch_tar *t, struct put *p, uint32_t id, const char *sig,
    const unsigned char want[MINISIG_HASH], uint64_t manlen)
{
	unsigned char buf[IO_CHUNK], again[MINISIG_HASH];
	const unsigned char *d;
	char buf1[TAR_STREAM_NAME_MAX + 1];
	const char *name = bt_name(t, id, buf1);
	uint64_t off, len;
	size_t n;
	ssize_t r;

	if (id < 2 * t->n) {
		if (bt_cert_bytes(t, id, &d, &n) == -1)
			return -1;
		return tar_out_add(p->tar, name, d, n, BATCHFILE_MODE, p->err,
		    sizeof(p->err));
	}
	switch (id - 2 * t->n) {
	case BT_SUMMARY:
		return tar_out_add(p->tar, name, t->summary,
		    strlen(t->summary), BATCHFILE_MODE, p->err, sizeof(p->err));
	case BT_SIG:
		return tar_out_add(p->tar, name, sig, strlen(sig),
		    BATCHFILE_MODE, p->err, sizeof(p->err));
	case BT_MANIFEST:
		if (tar_out_begin(p->tar, name, manlen, BATCHFILE_MODE, p->err,
		    sizeof(p->err)) == -1 ||
		    manifest_each(t, put_line, p, again, &len) == -1)
			return -1;
		if (len != manlen || memcmp(again, want, MINISIG_HASH) != 0) {
			snprintf(p->err, sizeof(p->err), "MANIFEST came out "
			    "different the second time");
			return -1;
		}
		return tar_out_end(p->tar, p->err, sizeof(p->err));
	default: /* rejected.txt, from its file */
		if (tar_out_begin(p->tar, name, t->rej_len, BATCHFILE_MODE,
		    p->err, sizeof(p->err)) == -1)
			return -1;
		for (off = 0; off < t->rej_len; off += (uint64_t)r) {
			r = bt_rejects_read(t, off, buf, sizeof(buf));
			if (r <= 0 || tar_out_data(p->tar, buf, (size_t)r,
			    p->err, sizeof(p->err)) == -1)
				return -1;
		}
		return tar_out_end(p->tar, p->err, sizeof(p->err));
	}
}

/* summary.txt, the archive time and the CA's PEM. */
static int
prepare(struct batch_tar *t, struct batch *b, struct batch_tar_info *info)
{
	struct batchfile_summary s;
	const ASN1_TIME *nb = X509_get0_notBefore(b->is.ca);
	unsigned char *der = NULL, md[32];
	struct tm tm;
	char *subj;
	int n;

	if ((t->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    pki_cert_pem(b->is.ca, &t->ca_pem, &t->ca_pemlen) == -1)
		return -1;
	if (t->n == 0) {
		if (!ASN1_TIME_to_tm(nb, &tm))
			return -1;
		t->mtime = (uint64_t)timegm(&tm);
	}
	memset(&s, 0, sizeof(s));
	snprintf(s.batch, sizeof(s.batch), "%s", b->batch);
	snprintf(s.csr_set_sha256, sizeof(s.csr_set_sha256), "%s",
	    info->set_hex);
	snprintf(s.ca, sizeof(s.ca), "%s", info->ca[0] ? info->ca : "root");
	if ((subj = pki_name_string(X509_get_subject_name(b->is.ca))) == NULL)
		return -1;
	snprintf(s.ca_subject, sizeof(s.ca_subject), "%s", subj);
	free(subj);
	if ((n = i2d_X509(b->is.ca, &der)) <= 0)
		return -1;
	crypto_hash_sha256(md, der, (size_t)n);
	OPENSSL_free(der);
	hex_encode(md, 32, s.ca_sha256);
	s.csrs = b->seen;
	s.certificates = t->n;
	s.rejected = b->rejected;
	s.not_regular_files = b->notfiles;
	utc_iso((time_t)t->mtime, s.time);
	if ((t->summary = batchfile_summary_text(&s)) == NULL)
		return -1;
	t->rejects = info->rejects;
	return rejects_sum(t);
}

/* Counts the members of the archive read back. */
static int
count(void *arg, int ev, const struct tar_hdr *h, const unsigned char *p,
    size_t n)
{
	if (ev == TAR_BEGIN)
		(*(size_t *)arg)++;
	return 0;
}

/* The temp file, read back: its SHA-256 and what the reader makes of it. */
static int
read_back(struct batch_tar *t, int fd, const struct out *o, const char *want)
{
	struct tar_src src = {NULL, fd, o->bytes};
	crypto_hash_sha256_state st;
	unsigned char buf[IO_CHUNK], md[32];
	char hex[65], err[512] = "";
	uint64_t off;
	size_t members = 0;
	ssize_t r;

	crypto_hash_sha256_init(&st);
	for (off = 0; (r = pread(fd, buf, sizeof(buf), (off_t)off)) > 0;
	    off += (uint64_t)r)
		crypto_hash_sha256_update(&st, buf, (size_t)r);
	crypto_hash_sha256_final(&st, md);
	hex_encode(md, 32, hex);
	if (r == -1 || off != o->bytes || strcmp(hex, want) != 0 ||
	    tar_scan(&src, &batchfile_limits, BATCHFILE_LEVEL, 0, count,
	    &members, err,
	    sizeof(err)) != 0 || members != t->nord) {
		warnf("%s: the archive does not read back as written%s%s",
		    t->tmp, err[0] ? ": " : "", err);
		return -1;
	}
	return 0;
}

int
batch_tar_write(struct batch_tar *t, struct batch *b,
    struct batch_tar_info *info)
{
	unsigned char hash[MINISIG_HASH], md[32];
	char trusted[256], untrusted[128], id[17], old[65], *sig = NULL;
	struct put p = {NULL, ""};
	struct out o;
	uint64_t manlen;
	size_t siglen, i;
	int had, made = 0, rv = -1;

	o.fd = -1;
	if (prepare(t, b, info) == -1 || bt_order(t) == -1 ||
	    manifest_each(t, NULL, NULL, hash, &manlen) == -1) {
		warnf("%s: cannot make the archive", t->path);
		goto out;
	}
	minisig_keyid(info->key->keynum, id);
	snprintf(untrusted, sizeof(untrusted), MINISIG_BUNDLE_COMMENT, id);
	snprintf(trusted, sizeof(trusted), BATCHFILE_TRUSTED,
	    (unsigned long long)t->mtime, b->batch, info->ca[0] ? info->ca :
	    "root");
	if (minisig_sign_hashed(info->key, hash, untrusted, trusted, &sig,
	    &siglen) == -1)
		goto out;

	o.fd = open(t->tmp, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (o.fd == -1 || fchmod(o.fd, 0644) == -1) {
		warnf("%s: cannot create: %s", t->tmp, strerror(errno));
		goto out;
	}
	made = 1;
	o.bytes = 0;
	crypto_hash_sha256_init(&o.sha);
	if ((p.tar = tar_out_new(b->batch, t->mtime, BATCHFILE_LEVEL, out_sink,
	    &o, p.err,
	    sizeof(p.err))) == NULL)
		goto fail;
	for (i = 0; i < t->nord; i++)
		if (put_member(t, &p, t->ord[i], sig, hash, manlen) == -1)
			goto fail;
	if (tar_out_finish(p.tar, p.err, sizeof(p.err)) == -1)
		goto fail;
	crypto_hash_sha256_final(&o.sha, md);
	hex_encode(md, 32, info->sha);
	if (fsync(o.fd) == -1) {
		snprintf(p.err, sizeof(p.err), "fsync: %s", strerror(errno));
		goto fail;
	}
	if (read_back(t, o.fd, &o, info->sha) == -1)
		goto out;
	close(o.fd);
	o.fd = -1;

	had = file_exists(t->path);
	info->same = had && sha256_file_hex(t->path, old) == 0 &&
	    strcmp(old, info->sha) == 0;
	info->replaced = had && !info->same;
	made = 0;
	if (info->same)
		unlink(t->tmp);
	else if (rename(t->tmp, t->path) == -1) {
		warnf("%s: cannot put in place: %s", t->path, strerror(errno));
		made = 1;
		goto out;
	} else if (dir_sync(t->path) == -1) {
		warnf("%s: cannot sync its folder", t->path);
		goto out;
	}
	info->bytes = o.bytes;
	info->mtime = t->mtime;
	info->certs = t->n;
	rv = 0;
	goto out;
fail:
	warnf("%s: cannot write the archive%s%s", t->tmp, p.err[0] ? ": " : "",
	    p.err);
out:
	if (o.fd != -1)
		close(o.fd);
	if (rv != 0 && made)
		unlink(t->tmp);
	tar_out_free(p.tar);
	free(sig);
	return rv;
}
