/* The ceremony's secrets in and out of the backup vault, and the share
 * subsets a new backup is proved with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "backup/backup.h"
#include "ca/pki.h"
#include "core/util.h"

int
backup_spass_option(struct pass_src *src, int *ask, int opt,
    const char *arg)
{
	switch (opt) {
	case SPASS_OPT_ASK:
		break;
	case SPASS_OPT_FILE:
	case SPASS_OPT_FD:
		if (pass_option(src, opt == SPASS_OPT_FILE ? PASS_OPT_FILE :
		        PASS_OPT_FD, arg) != 0)
			return RC_USAGE;
		break;
	default:
		return -1;
	}
	*ask = 1;
	return 0;
}

void
backup_keys_free(struct backup_keys *k)
{
	EVP_PKEY_free(k->ca);
	k->ca = NULL;
	sigkey_free(&k->sign);
}

static EVP_PKEY *
ca_parse(const unsigned char *pem, size_t len, const char *pass)
{
	EVP_PKEY *key = NULL;
	BIO *b;

	if (len > INT32_MAX || (b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	/* with no callback, OpenSSL takes u as the passphrase; "" keeps it
	 * from prompting on its own */
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)(pass ? pass : ""));
	BIO_free(b);
	ERR_clear_error();
	return key;
}

/* given: the passphrase, or NULL to ask src when a key is encrypted. */
static int
keys_load(struct pass_src *src, const char *given, const X509 *cert,
    struct backup_keys *k)
{
	unsigned char *ca = NULL, *sk = NULL;
	size_t calen = 0, sklen = 0;
	char *asked = NULL;
	const char *pass = given;
	int r, rv = -1;

	memset(k, 0, sizeof(*k));
	if (file_read(CA_KEY, &ca, &calen, 1 << 20) == -1 ||
	    file_read(SIGN_KEY, &sk, &sklen, 4096) == -1)
		goto out;
	r = sigkey_decode_secret((char *)sk, sklen, NULL, &k->sign);
	if (given == NULL &&
	    (r == RC_SHORT || strstr((char *)ca, "ENCRYPTED") != NULL)) {
		if ((asked = pass_get(src, "CA key", 0)) == NULL)
			goto out;
		pass = asked;
	}
	if (r == RC_SHORT)
		r = sigkey_decode_secret((char *)sk, sklen, pass, &k->sign);
	if (r != 0) {
		warnf("%s: %s", SIGN_KEY, r == RC_CHECK ? "wrong passphrase, or the "
		    "key is damaged" : "not a minisign secret key");
		goto out;
	}
	if ((k->ca = ca_parse(ca, calen, pass)) == NULL) {
		warnf("%s: %s", CA_KEY, pass ? "wrong passphrase, or the key is "
		    "damaged" : "not a PEM private key");
		goto out;
	}
	if (!pki_key_matches(k->ca, cert)) {
		warnf("%s does not match %s: back up the key of this CA",
		    CA_KEY, CA_CERT);
		rv = RC_CHECK;
		goto out;
	}
	rv = 0;
out:
	pass_free(asked);
	if (ca != NULL)
		sodium_memzero(ca, calen);
	if (sk != NULL)
		sodium_memzero(sk, sklen);
	free(ca);
	free(sk);
	if (rv != 0)
		backup_keys_free(k);
	return rv;
}

int
backup_keys_load(struct pass_src *src, const X509 *cert,
    struct backup_keys *k)
{
	return keys_load(src, NULL, cert, k);
}

int
backup_keys_reload(const char *pass, const X509 *cert,
    const struct backup_keys *want)
{
	struct pass_src none = PASS_SRC_INIT;
	struct backup_keys k;
	int rv;

	if ((rv = keys_load(&none, pass ? pass : "", cert, &k)) != 0)
		return rv;
	if (memcmp(k.sign.pk, want->sign.pk, 32) != 0 ||
	    memcmp(k.sign.keynum, want->sign.keynum, 8) != 0 ||
	    EVP_PKEY_eq(k.ca, want->ca) != 1) {
		warnf("%s, %s: do not read back as the keys written", CA_KEY,
		    SIGN_KEY);
		rv = -1;
	}
	ERR_clear_error();
	backup_keys_free(&k);
	return rv;
}

int
backup_keys_items(const struct backup_keys *k, struct vault_item it[2])
{
	BUF_MEM *bm = NULL;
	char *text;
	size_t len;
	BIO *b;
	int rv = -1;

	memset(it, 0, 2 * sizeof(*it));
	snprintf(it[0].name, sizeof(it[0].name), "%s", CA_KEY);
	snprintf(it[1].name, sizeof(it[1].name), "%s", SIGN_KEY);
	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return -1;
	if (PEM_write_bio_PrivateKey(b, k->ca, NULL, NULL, 0, NULL, NULL) !=
	        1 ||
	    BIO_get_mem_ptr(b, &bm) != 1 || bm->length == 0 ||
	    (it[0].data = sodium_malloc(bm->length)) == NULL)
		goto out;
	memcpy(it[0].data, bm->data, bm->length);
	it[0].len = bm->length;
	if (sigkey_encode_secret(&k->sign, NULL, &text, &len) == -1)
		goto out;
	it[1].data = (unsigned char *)text;
	it[1].len = len;
	rv = 0;
out:
	if (bm != NULL)
		OPENSSL_cleanse(bm->data, bm->max);
	BIO_free(b);
	ERR_clear_error();
	if (rv == -1)
		vault_items_free(it, 2);
	return rv;
}

int
backup_keys_from_items(const struct vault_item *it, size_t n,
    const X509 *cert, const char *sign_pub, struct backup_keys *k,
    char *err, size_t errlen)
{
	const struct vault_item *ca, *sk;
	struct sigkey pub = {0};

	memset(k, 0, sizeof(*k));
	if ((ca = vault_item_find(it, n, CA_KEY)) == NULL ||
	    (sk = vault_item_find(it, n, SIGN_KEY)) == NULL) {
		return errf(err, errlen, "the vault lacks %s or %s", CA_KEY,
		    SIGN_KEY);
	}
	if ((k->ca = ca_parse(ca->data, ca->len, NULL)) == NULL) {
		snprintf(err, errlen, "the CA key in the vault does not parse");
		goto fail;
	}
	if (!pki_key_matches(k->ca, cert)) {
		snprintf(err, errlen, "the CA key in the vault does not match "
		    "%s", CA_CERT);
		goto fail;
	}
	if (sigkey_decode_secret((const char *)sk->data, sk->len, NULL,
	        &k->sign) != 0 ||
	    sigkey_parse_public(sign_pub, &pub) != 0) {
		snprintf(err, errlen, "the signing key in the vault does not "
		    "parse");
		goto fail;
	}
	if (memcmp(pub.pk, k->sign.pk, 32) != 0 ||
	    memcmp(pub.keynum, k->sign.keynum, 8) != 0) {
		snprintf(err, errlen, "the signing key in the vault does not "
		    "match the vault's sign-pub");
		goto fail;
	}
	return 0;
fail:
	backup_keys_free(k);
	return -1;
}

void
backup_ceremony_name(const X509 *cert, char *out, size_t outlen)
{
	const X509_NAME *name = X509_get_subject_name(cert);
	unsigned char *utf8 = NULL;
	char *all = NULL;
	const char *s;
	size_t i, n;
	int idx;

	idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (idx >= 0 && ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
	                    X509_NAME_get_entry(name, idx))) > 0)
		s = (const char *)utf8;
	else if ((all = pki_name_string(name)) != NULL)
		s = all;
	else
		s = "unnamed CA";
	n = strlen(s);
	if (n >= outlen) {
		n = outlen - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--; /* do not split a UTF-8 character */
	}
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[n] = 0;
	OPENSSL_free(utf8);
	free(all);
	ERR_clear_error();
}

/* Minimal subsets: choose group_threshold groups, then each chosen
 * group's threshold of members. */
struct walk {
	const struct slip39_scheme *s;
	size_t off[SLIP39_MAX_GROUPS];
	int groups[SLIP39_MAX_GROUPS];
	size_t idx[SLIP39_MAX_SHARES], n;
	backup_subset_fn fn;
	void *ctx;
	long visited, total;
};

static int
walk_members(struct walk *w, int level, int start, int taken)
{
	const struct slip39_group *g = &w->s->groups[w->groups[level]];
	int m;

	if (taken == g->threshold) {
		if (level + 1 < w->s->group_threshold)
			return walk_members(w, level + 1, 0, 0);
		w->visited++;
		return w->fn(w->ctx, w->idx, w->n, w->visited == w->total);
	}
	for (m = start; m <= g->count - (g->threshold - taken); m++) {
		w->idx[w->n++] = w->off[w->groups[level]] + (size_t)m;
		if (walk_members(w, level, m + 1, taken + 1) == -1)
			return -1;
		w->n--;
	}
	return 0;
}

static int
walk_groups(struct walk *w, int start, int k)
{
	int g;

	if (k == w->s->group_threshold)
		return walk_members(w, 0, 0, 0);
	for (g = start; g <= w->s->group_count - (w->s->group_threshold - k);
	     g++) {
		w->groups[k] = g;
		if (walk_groups(w, g + 1, k + 1) == -1)
			return -1;
	}
	return 0;
}

static double
choose(int n, int k)
{
	double r = 1;
	int i;

	for (i = 1; i <= k; i++)
		r = r * (n - k + i) / i;
	return r;
}

/* Sum over group choices of the product of member choices. */
static double
count(const struct slip39_scheme *s, int start, int k)
{
	double sum = 0;
	int g;

	if (k == 0)
		return 1;
	for (g = start; g <= s->group_count - k; g++)
		sum += choose(s->groups[g].count, s->groups[g].threshold) *
		    count(s, g + 1, k - 1);
	return sum;
}

/* Group g's members from first, then the next groups' first members. */
static int
window(struct walk *w, int g, int first, int last)
{
	const struct slip39_scheme *s = w->s;
	int k, m, gg;

	w->n = 0;
	for (k = 0; k < s->group_threshold; k++) {
		gg = (g + k) % s->group_count;
		for (m = 0; m < s->groups[gg].threshold; m++)
			w->idx[w->n++] = w->off[gg] +
			    (size_t)((k == 0 ? first : 0) + m);
	}
	w->visited++;
	return w->fn(w->ctx, w->idx, w->n, last);
}

long
backup_subsets(const struct slip39_scheme *s, long limit, backup_subset_fn fn,
    void *ctx, double *total)
{
	struct walk w;
	int g, m, t, first;

	memset(&w, 0, sizeof(w));
	w.s = s;
	w.fn = fn;
	w.ctx = ctx;
	for (g = 1; g < s->group_count; g++)
		w.off[g] = w.off[g - 1] + s->groups[g - 1].count;
	*total = count(s, 0, s->group_threshold);
	if (*total <= (double)limit) {
		w.total = (long)*total;
		return walk_groups(&w, 0, 0) == -1 ? -1 : w.visited;
	}
	for (g = 0; g < s->group_count; g++) {
		t = s->groups[g].threshold;
		for (m = 0; m < s->groups[g].count; m += t) {
			first = m + t > s->groups[g].count ?
			    s->groups[g].count - t : m;
			if (window(&w, g, first, 0) == -1)
				return -1;
		}
	}
	/* the last groups' last shares */
	w.n = 0;
	for (g = s->group_count - s->group_threshold; g < s->group_count; g++)
		for (m = s->groups[g].count - s->groups[g].threshold;
		     m < s->groups[g].count; m++)
			w.idx[w.n++] = w.off[g] + (size_t)m;
	w.visited++;
	return fn(ctx, w.idx, w.n, 1) == -1 ? -1 : w.visited;
}
