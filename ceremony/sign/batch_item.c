/* A batch's items, one at a time: the checks against the template (pool),
 * the dedup of CSRs, keys and CNs against the ledger and the batch so far
 * (main thread, in input order, so the first of two duplicates wins, the
 * same way on every run), issuing and lint (pool). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "sign/batch_int.h"
#include "ca/pki.h"
#include "core/util.h"

/* The label of the n-th CSR of the batch, from the input it came from:
 * every input yields at least one item, numbered from 1 in its file. */
const char *
batch_label(struct batch_state *s, uint64_t v, char *buf, size_t len)
{
	struct batch *b = s->b;
	size_t lo = 0, hi = s->in_idx + 1, mid;
	uint64_t n;
	char q[300];

	v &= ~LEDGER_BATCH;
	if (s->in_first == NULL || hi > s->ninputs)
		hi = s->ninputs;
	/* the last input whose first item is at or before v */
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (s->in_first[mid] <= v)
			lo = mid;
		else
			hi = mid;
	}
	n = v - s->in_first[lo] + 1;
	str_safe(strcmp(b->inputs[lo], "-") ? b->inputs[lo] : "stdin",
	    (size_t)-1, q, sizeof(q));
	if (n > 1)
		snprintf(buf, len, "%s#%llu", q, (unsigned long long)n);
	else
		snprintf(buf, len, "%s", q);
	return buf;
}

void
batch_check(struct batch_state *s, struct item *it, int tid)
{
	if (it->state != IT_NEW)
		return;
	if (csr_parse(it->der, it->len, &it->csr, it->err,
	    sizeof(it->err)) == -1 ||
	    csr_check(&it->csr, s->b->tpl, it->err, sizeof(it->err)) == -1)
		it->state = IT_BAD;
}

/* Output names taken in this batch: one equal to the CN of an item of
 * the batch is marked on that CN's entry (SEEN_STEM), any other is in the
 * stems set. */
static int
stem_taken(struct batch_state *s, const unsigned char k[16])
{
	uint32_t v;

	return (seen_get(&s->cn, k, &v) && (v & SEEN_STEM)) ||
	    seen_get(&s->stems, k, NULL);
}

static int
stem_take(struct batch_state *s, const char *stem)
{
	unsigned char k[16];
	uint32_t v;

	index_key(stem, k);
	if (seen_get(&s->cn, k, &v))
		return seen_set(&s->cn, k, v | SEEN_STEM);
	return seen_add(&s->stems, k, 0);
}

/* A free output name for cn in this batch: CN, then CN.2, CN.3 ... */
static int
stem_pick(struct batch_state *s, const char *cn, char *stem, size_t len)
{
	unsigned char k[16];
	int i;

	for (i = 1; i < 1000000; i++) {
		if (i == 1)
			snprintf(stem, len, "%s", cn);
		else
			snprintf(stem, len, "%s.%d", cn, i);
		index_key(stem, k);
		if (!stem_taken(s, k))
			return 0;
	}
	return -1;
}

/* The item holding CN k is now v; whether the CN is taken as a name
 * stays. */
static int
cn_point(struct batch_state *s, const unsigned char k[16], uint32_t v)
{
	uint32_t old;

	if (seen_get(&s->cn, k, &old))
		v |= old & SEEN_STEM;
	return seen_set(&s->cn, k, v);
}

/* Message for a duplicate of what the ledger or the batch already holds. */
static void
dup_msg(struct batch_state *s, struct item *it, const char *what, uint64_t old)
{
	struct batch *b = s->b;
	struct ledger_entry e;
	char label[300];

	if (old & LEDGER_BATCH) {
		snprintf(it->err, sizeof(it->err), "%s as %.300s in this batch",
		    what, batch_label(s, old, label, sizeof(label)));
	} else if (ledger_read(b->led, old, &e) == 0) {
		snprintf(it->err, sizeof(it->err), "%s as the certificate "
		    "already issued to CN '%s' (serial %s, batch %s)", what,
		    e.cn, e.serial, e.batch);
		ledger_entry_free(&e);
	} else
		snprintf(it->err, sizeof(it->err), "%s as an earlier "
		    "certificate in the ledger", what);
	it->state = IT_BAD;
}

/* The holder of key in this batch (LEDGER_BATCH | seq), else in the
 * ledger (its line's offset): 1, or 0 when neither has it. */
static int
holder(const struct seen_tab *t, const struct index *led,
    const unsigned char key[16], uint64_t *old)
{
	uint32_t v;

	if (seen_get(t, key, &v)) {
		*old = LEDGER_BATCH | (v & SEEN_MAX);
		return 1;
	}
	return index_get(led, key, old);
}

/* In input order: exact CSR repeats. A CSR already in the ledger is not
 * signed again; its certificate is written again if missing. */
int
batch_dedup_csr(struct batch_state *s, struct item *it)
{
	struct batch *b = s->b;
	uint32_t me = (uint32_t)it->seq;
	uint64_t old;
	unsigned char k[16];

	if (it->state != IT_NEW)
		return 0;
	if (!holder(&s->csr, &b->led->csr, it->csr_sha256, &old))
		return seen_add(&s->csr, it->csr_sha256, me);
	if (old & LEDGER_BATCH) {
		dup_msg(s, it, "duplicate: the same CSR", old);
		return 0;
	}
	if (ledger_read(b->led, old, &it->ent) == -1)
		return -1;
	if (strcmp(it->ent.ca, b->ca ? b->ca : "") != 0) {
		snprintf(it->err, sizeof(it->err), "this CSR was already "
		    "signed by %s%s%s (serial %s, batch %s), not by this CA",
		    it->ent.ca[0] ? "intermediate CA '" : "the root CA",
		    it->ent.ca, it->ent.ca[0] ? "'" : "", it->ent.serial,
		    it->ent.batch);
		it->state = IT_BAD;
		return 0;
	}
	it->state = IT_HAVE;
	/* from now on, repeats in this batch point to this item */
	index_key(it->ent.cn, k);
	if (seen_add(&s->csr, it->csr_sha256, me) == -1 ||
	    seen_set(&s->key, it->ent.key_sha256, me) == -1 ||
	    cn_point(s, k, me) == -1)
		return -1;
	/* its own name when it is of this batch, else a free one */
	if (strcmp(it->ent.batch, b->batch) != 0 && stem_pick(s, it->ent.cn,
	    it->ent.file, sizeof(it->ent.file)) == -1)
		return -1;
	return stem_take(s, it->ent.file);
}

static int
exists_in_out(struct batch_state *s, const char *stem, const char *suffix)
{
	struct batch *b = s->b;
	char name[256];

	snprintf(name, sizeof(name), "%s%s", stem, suffix);
	return faccessat(b->outfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* In input order, after the checks: the same key or CN again. */
int
batch_dedup_key(struct batch_state *s, struct item *it)
{
	struct batch *b = s->b;
	uint32_t me = (uint32_t)it->seq;
	uint64_t old;
	unsigned char cnk[16];

	if (it->state != IT_NEW)
		return 0;
	if (holder(&s->key, &b->led->key, it->csr.key_sha256, &old)) {
		dup_msg(s, it, "duplicate: the same public key", old);
		return 0;
	}
	index_key(it->csr.cn, cnk);
	if (!b->allow_dup_cn && holder(&s->cn, &b->led->cn, cnk, &old)) {
		dup_msg(s, it, "duplicate CN: the same CN", old);
		if (!(old & LEDGER_BATCH))
			strncat(it->err, "; --allow-duplicate-cn issues it "
			    "anyway", sizeof(it->err) - strlen(it->err) - 1);
		return 0;
	}
	if (stem_pick(s, it->csr.cn, it->ent.file, sizeof(it->ent.file)) ==
	    -1)
		return -1;
	if (b->outfd != -1 && !s->out_empty &&
	    (exists_in_out(s, it->ent.file, ".crt") ||
	    exists_in_out(s, it->ent.file, "-chain.crt"))) {
		snprintf(it->err, sizeof(it->err), "%s/%s.crt exists but is "
		    "not in the ledger; move it away or choose another --out",
		    b->outdir, it->ent.file);
		it->state = IT_BAD;
		return stem_take(s, it->ent.file);
	}
	/* the first of the batch to hold a CN stays its holder */
	if (seen_add(&s->key, it->csr.key_sha256, me) == -1 ||
	    (!seen_get(&s->cn, cnk, NULL) && seen_add(&s->cn, cnk, me) == -1) ||
	    stem_take(s, it->ent.file) == -1)
		return -1;
	it->state = IT_SIGN;
	return 0;
}

/* Fills the ledger entry from the certificate's fields and DER. */
static int
entry_fill(struct batch_state *s, struct item *it, const struct tbs_fields *f,
    const unsigned char *cert, size_t certlen)
{
	struct batch *b = s->b;
	struct ledger_entry *e = &it->ent;
	char *subject;

	hex_encode(f->serial, TBS_SERIAL, e->serial);
	index_key(e->serial, it->serial_key);
	snprintf(e->cn, sizeof(e->cn), "%s", it->csr.cn);
	if ((subject = pki_name_string(it->csr.copy)) == NULL ||
	    strlen(subject) >= sizeof(e->subject)) {
		free(subject);
		return -1;
	}
	strcpy(e->subject, subject);
	free(subject);
	utc_iso(f->t, e->not_before);
	utc_iso(f->t + (time_t)s->tmpl.days * 86400, e->not_after);
	memcpy(e->batch, b->batch, sizeof(e->batch));
	snprintf(e->ca, sizeof(e->ca), "%s", b->ca ? b->ca : "");
	/* tbs_check found the CSR's key in the certificate */
	memcpy(e->key_sha256, it->csr.key_sha256, 32);
	memcpy(e->csr_sha256, it->csr_sha256, 32);
	if ((e->cert = malloc(certlen)) == NULL)
		return -1;
	memcpy(e->cert, cert, certlen);
	e->certlen = certlen;
	tbs_sha256(e->cert, e->certlen, e->cert_sha256);
	return 0;
}

/* The first certificate of each kind (RSA or EC device key) is parsed by
 * OpenSSL and passes pki_lint in full: the template's parts then pass it
 * for every certificate, whose own fields tbs_check checks. */
static int
lint_first(struct batch_state *s, enum tbs_kind k, const unsigned char *der,
    size_t len, char *err, size_t errlen)
{
	const unsigned char *p = der;
	X509 *x;
	int rv;

	if (__atomic_load_n(&s->linted[k], __ATOMIC_ACQUIRE))
		return 0;
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL || p != der + len) {
		X509_free(x);
		ERR_clear_error();
		return errf(err, errlen, "does not parse");
	}
	rv = pki_lint(x, s->b->is.ca, PROFILE_DEVICE, err, errlen);
	X509_free(x);
	if (rv == 0)
		__atomic_store_n(&s->linted[k], 1, __ATOMIC_RELEASE);
	return rv;
}

void
batch_issue(struct batch_state *s, struct item *it, int tid)
{
	struct batch_thr *th = &s->thr[tid];
	struct tbs_fields f;
	unsigned char *subj = NULL;
	size_t tbslen, certlen = 0;
	char err[256];
	int n;

	if (it->state == IT_HAVE) {
		batch_emit(s, it, 1);
		return;
	}
	if (it->state != IT_SIGN)
		return;
	/* 16 random bytes, top bits 01: positive, 126 random bits */
	randombytes_buf(f.serial, sizeof(f.serial));
	f.serial[0] = (unsigned char)((f.serial[0] & 0x3f) | 0x40);
	f.t = time(NULL);
	f.kind = EVP_PKEY_get_base_id(it->csr.key) == EVP_PKEY_RSA ? TBS_RSA :
	    TBS_EC;
	f.spki = it->csr.spki;
	f.spkilen = it->csr.spkilen;
	if ((n = i2d_X509_NAME(it->csr.copy, &subj)) > 0) {
		f.subject = subj;
		f.subjectlen = (size_t)n;
		if ((tbslen = tbs_encode(&s->tmpl, &f, th->tbs,
		    sizeof(th->tbs))) > 0)
			certlen = tbs_sign(&th->sg, th->tbs, tbslen, th->cert,
			    sizeof(th->cert));
	}
	if (certlen == 0) {
		ERR_clear_error();
		snprintf(it->err, sizeof(it->err), "cannot build the "
		    "certificate");
		it->state = IT_BAD;
		goto out;
	}
	if (tbs_check(&th->sg, &f, th->cert, certlen, time(NULL), err,
	    sizeof(err)) == -1 ||
	    lint_first(s, f.kind, th->cert, certlen, err, sizeof(err)) == -1) {
		snprintf(it->err, sizeof(it->err), "certificate failed lint, "
		    "not issued: %s", err);
		it->state = IT_BAD;
		goto out;
	}
	if (entry_fill(s, it, &f, th->cert, certlen) == -1 ||
	    (it->line = ledger_format(&it->ent, &it->linelen)) == NULL) {
		snprintf(it->err, sizeof(it->err), "cannot encode the "
		    "certificate");
		it->state = IT_BAD;
		goto out;
	}
	batch_emit(s, it, 0);
out:
	OPENSSL_free(subj);
}
