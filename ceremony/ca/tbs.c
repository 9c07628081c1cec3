/* The device certificate template: DER pieces made once per batch with
 * OpenSSL's X509 API, a certificate encoded around its variable fields,
 * and one thread's signing contexts (a digest, then EVP_PKEY_sign on a
 * context set up once). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "ca/tbs.h"
#include "core/util.h"

/* version [0] EXPLICIT v3, then the serial's INTEGER header */
static const unsigned char head[] = {0xa0, 0x03, 0x02, 0x01, 0x02, 0x02,
    TBS_SERIAL};
/* Extension { subjectKeyIdentifier, OCTET STRING { OCTET STRING(20) } } */
static const unsigned char ski_head[] = {0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d,
    0x0e, 0x04, 0x16, 0x04, 0x14};
#define SKI_LEN (sizeof(ski_head) + 20)

static size_t
len_size(size_t n)
{
	return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4;
}

/* n bytes of src at p; the end of them. */
static unsigned char *
put_bytes(unsigned char *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

/* Tag and DER length; the bytes written. */
static size_t
put_hdr(unsigned char *p, unsigned char tag, size_t n)
{
	size_t k = len_size(n), i;

	p[0] = tag;
	if (k == 1) {
		p[1] = (unsigned char)n;
		return 2;
	}
	p[1] = (unsigned char)(0x80 | (k - 1));
	for (i = k - 1; i > 0; i--, n >>= 8)
		p[1 + i] = (unsigned char)n;
	return 1 + k;
}

int
tbs_tlv(const unsigned char **p, const unsigned char *end, unsigned char tag,
    const unsigned char **v, size_t *vlen)
{
	const unsigned char *q = *p;
	size_t n, k;

	if (end - q < 2 || q[0] != tag)
		return -1;
	q++;
	if (*q < 0x80)
		n = *q++;
	else {
		k = *q++ & 0x7f;
		if (k == 0 || k > 3 || (size_t)(end - q) < k || q[0] == 0)
			return -1;
		for (n = 0; k > 0; k--)
			n = n << 8 | *q++;
		if (n < 0x80)
			return -1; /* not the shortest form */
	}
	if ((size_t)(end - q) < n)
		return -1;
	*v = q;
	*vlen = n;
	*p = q + n;
	return 0;
}

int
tbs_ski(const struct tbs_tmpl *t, const unsigned char *spki, size_t len,
    unsigned char out[20])
{
	const unsigned char *p = spki, *end = spki + len, *v, *a, *b;
	size_t vl, al, bl;

	if (tbs_tlv(&p, end, 0x30, &v, &vl) == -1 || p != end)
		return -1;
	p = v;
	end = v + vl;
	if (tbs_tlv(&p, end, 0x30, &a, &al) == -1 ||
	    tbs_tlv(&p, end, 0x03, &b, &bl) == -1 || p != end || bl < 2 ||
	    b[0] != 0)
		return -1;
	return EVP_Digest(b + 1, bl - 1, out, NULL, t->sha1, NULL) ? 0 : -1;
}

/* The n bytes i2d put at *pp, copied to *out (then *pp freed). */
static int
der_of(unsigned char **out, size_t *len, int n, unsigned char **pp)
{
	unsigned char *p = *pp;

	if (n <= 0) {
		OPENSSL_free(p);
		return -1;
	}
	*out = malloc((size_t)n);
	if (*out != NULL)
		memcpy(*out, p, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(p);
	return *out == NULL ? -1 : 0;
}

static int
ext_der(unsigned char **out, size_t *len, X509_EXTENSION *e)
{
	unsigned char *p = NULL;

	return der_of(out, len, i2d_X509_EXTENSION(e, &p), &p);
}

/* basicConstraints, keyUsage (of the device key kind), extendedKeyUsage:
 * the extensions before the SKI, in pki_issuer_sign's order. */
static int
ext_fixed(struct tbs_tmpl *t, int kind, const struct pki_issuer *is)
{
	unsigned char *a = NULL, *b = NULL, *c = NULL;
	size_t al, bl, cl;
	int rv = -1;

	if (ext_der(&a, &al, is->bc) == 0 &&
	    ext_der(&b, &bl, kind == TBS_RSA ? is->ku_rsa : is->ku_ec) == 0 &&
	    ext_der(&c, &cl, is->eku) == 0 &&
	    (t->ext[kind] = malloc(al + bl + cl)) != NULL) {
		memcpy(t->ext[kind], a, al);
		memcpy(t->ext[kind] + al, b, bl);
		memcpy(t->ext[kind] + al + bl, c, cl);
		t->extlen[kind] = al + bl + cl;
		rv = 0;
	}
	free(a);
	free(b);
	free(c);
	return rv;
}

static int
asn1_time(const ASN1_TIME *a, time_t *t)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(a, &tm))
		return -1;
	*t = timegm(&tm);
	return 0;
}

/* The signature algorithm OpenSSL writes with this key and digest: what
 * X509_sign_ctx would write, taken from a request signed here the same
 * way (ASN1_item_sign_ctx for both). A request, not a certificate: the CA
 * key signs no certificate that is not issued and in the ledger. */
static int
sigalg_der(struct tbs_tmpl *t, const struct pki_issuer *is, char *err,
    size_t errlen)
{
	const X509_ALGOR *alg;
	unsigned char *p = NULL;
	EVP_MD_CTX *ctx = NULL;
	X509_REQ *r;
	int rv = -1;

	if ((r = X509_REQ_new()) == NULL ||
	    !X509_REQ_set_subject_name(r, X509_get_subject_name(is->ca)) ||
	    !X509_REQ_set_pubkey(r, X509_get0_pubkey(is->ca)) ||
	    (ctx = pki_issuer_signer(is)) == NULL ||
	    X509_REQ_sign_ctx(r, ctx) <= 0) {
		errf(err, errlen, "cannot sign with the CA key");
		goto out;
	}
	X509_REQ_get0_signature(r, NULL, &alg);
	if ((rv = der_of(&t->sigalg, &t->sigalglen, i2d_X509_ALGOR(alg, &p),
	    &p)) == -1)
		errf(err, errlen, "cannot encode the signature algorithm");
out:
	EVP_MD_CTX_free(ctx);
	X509_REQ_free(r);
	return rv;
}

int
tbs_tmpl_init(struct tbs_tmpl *t, const struct pki_issuer *is, char *err,
    size_t errlen)
{
	const ASN1_OCTET_STRING *ki;
	unsigned char *p = NULL;

	memset(t, 0, sizeof(*t));
	if (is->profile != PROFILE_DEVICE || is->ca == NULL ||
	    is->eku == NULL)
		return errf(err, errlen, "a template is for device "
		    "certificates");
	t->days = is->days;
	/* fetched once: a digest by name costs a fetch at each use */
	t->md = EVP_MD_fetch(NULL, EVP_MD_get0_name(pki_md_for(is->cakey)),
	    NULL);
	t->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	if (t->md == NULL || t->sha1 == NULL) {
		errf(err, errlen, "cannot fetch the digests");
		goto fail;
	}
	ki = X509_get0_subject_key_id((X509 *)is->ca);
	if (ki == NULL || ASN1_STRING_length(ki) != 20) {
		errf(err, errlen, "the CA certificate has no 20-byte "
		    "subjectKeyIdentifier");
		goto fail;
	}
	memcpy(t->ca_keyid, ASN1_STRING_get0_data(ki), 20);
	if (asn1_time(X509_get0_notBefore(is->ca), &t->ca_nb) == -1 ||
	    asn1_time(X509_get0_notAfter(is->ca), &t->ca_na) == -1) {
		errf(err, errlen, "the CA certificate's validity does not "
		    "parse");
		goto fail;
	}
	if (sigalg_der(t, is, err, errlen) == -1)
		goto fail;
	if (der_of(&t->issuer, &t->issuerlen, i2d_X509_NAME(
	    X509_get_subject_name(is->ca), &p), &p) == -1 ||
	    ext_fixed(t, TBS_RSA, is) == -1 || ext_fixed(t, TBS_EC, is) == -1 ||
	    ext_der(&t->aki, &t->akilen, is->aki) == -1) {
		errf(err, errlen, "cannot encode the certificate template");
		goto fail;
	}
	ERR_clear_error();
	return 0;
fail:
	ERR_clear_error();
	tbs_tmpl_free(t);
	return -1;
}

void
tbs_tmpl_free(struct tbs_tmpl *t)
{
	free(t->sigalg);
	free(t->issuer);
	free(t->ext[0]);
	free(t->ext[1]);
	free(t->aki);
	EVP_MD_free(t->md);
	EVP_MD_free(t->sha1);
	memset(t, 0, sizeof(*t));
}

static void
two(unsigned char *p, int v)
{
	p[0] = (unsigned char)('0' + v / 10 % 10);
	p[1] = (unsigned char)('0' + v % 10);
}

/* As OpenSSL's ASN1_TIME_adj: UTCTime for 1950 to 2049. */
size_t
tbs_time(time_t t, unsigned char out[TBS_TIME_MAX])
{
	struct tm tm;
	unsigned char *p = out + 2;
	int y;

	gmtime_r(&t, &tm);
	y = tm.tm_year + 1900;
	if (y >= 1950 && y < 2050) {
		out[0] = V_ASN1_UTCTIME;
		out[1] = 13;
	} else {
		out[0] = V_ASN1_GENERALIZEDTIME;
		out[1] = 15;
		two(p, y / 100);
		p += 2;
	}
	two(p, y % 100);
	two(p + 2, tm.tm_mon + 1);
	two(p + 4, tm.tm_mday);
	two(p + 6, tm.tm_hour);
	two(p + 8, tm.tm_min);
	two(p + 10, tm.tm_sec);
	p[12] = 'Z';
	return (size_t)(p + 13 - out);
}

size_t
tbs_encode(const struct tbs_tmpl *t, const struct tbs_fields *f,
    unsigned char *buf, size_t cap)
{
	unsigned char nb[TBS_TIME_MAX], na[TBS_TIME_MAX], *p;
	size_t nbl, nal, val, extl, exts, body, k = f->kind == TBS_RSA ?
	    TBS_RSA : TBS_EC;

	nbl = tbs_time(f->t, nb);
	nal = tbs_time(f->t + (time_t)t->days * 86400, na);
	val = nbl + nal;
	extl = t->extlen[k] + SKI_LEN + t->akilen;
	exts = 1 + len_size(extl) + extl;
	body = sizeof(head) + TBS_SERIAL + t->sigalglen + t->issuerlen +
	    1 + len_size(val) + val + f->subjectlen + f->spkilen +
	    1 + len_size(exts) + exts;
	if (cap < 1 + len_size(body) + body)
		return 0;
	p = buf + put_hdr(buf, 0x30, body);
	p = put_bytes(p, head, sizeof(head));
	p = put_bytes(p, f->serial, TBS_SERIAL);
	p = put_bytes(p, t->sigalg, t->sigalglen);
	p = put_bytes(p, t->issuer, t->issuerlen);
	p += put_hdr(p, 0x30, val);
	p = put_bytes(p, nb, nbl);
	p = put_bytes(p, na, nal);
	p = put_bytes(p, f->subject, f->subjectlen);
	p = put_bytes(p, f->spki, f->spkilen);
	p += put_hdr(p, 0xa3, exts);
	p += put_hdr(p, 0x30, extl);
	p = put_bytes(p, t->ext[k], t->extlen[k]);
	p = put_bytes(p, ski_head, sizeof(ski_head));
	if (tbs_ski(t, f->spki, f->spkilen, p) == -1)
		return 0;
	p = put_bytes(p + 20, t->aki, t->akilen);
	return (size_t)(p - buf);
}

size_t
tbs_cert(const struct tbs_tmpl *t, const unsigned char *tbs, size_t tbslen,
    const unsigned char *sig, size_t siglen, unsigned char *buf, size_t cap)
{
	size_t bits = siglen + 1, body;
	unsigned char *p;

	body = tbslen + t->sigalglen + 1 + len_size(bits) + bits;
	if (cap < 1 + len_size(body) + body)
		return 0;
	p = buf + put_hdr(buf, 0x30, body);
	p = put_bytes(p, tbs, tbslen);
	p = put_bytes(p, t->sigalg, t->sigalglen);
	p += put_hdr(p, 0x03, bits);
	*p++ = 0; /* no unused bits */
	p = put_bytes(p, sig, siglen);
	return (size_t)(p - buf);
}

int
tbs_signer_init(struct tbs_signer *s, const struct tbs_tmpl *t,
    const struct pki_issuer *is)
{
	EVP_PKEY *pub = X509_get0_pubkey(is->ca);
	size_t n = 0;
	unsigned char md[EVP_MAX_MD_SIZE];

	memset(s, 0, sizeof(*s));
	s->t = t;
	memset(md, 0, sizeof(md));
	if (pub == NULL ||
	    (s->sign = EVP_PKEY_CTX_new(is->cakey, NULL)) == NULL ||
	    EVP_PKEY_sign_init(s->sign) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(s->sign, t->md) <= 0 ||
	    EVP_PKEY_sign(s->sign, NULL, &n, md, (size_t)EVP_MD_get_size(
		t->md)) <= 0 ||
	    (s->verify = EVP_PKEY_CTX_new(pub, NULL)) == NULL ||
	    EVP_PKEY_verify_init(s->verify) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(s->verify, t->md) <= 0) {
		tbs_signer_free(s);
		return -1;
	}
	s->sigmax = n;
	return 0;
}

void
tbs_signer_free(struct tbs_signer *s)
{
	EVP_PKEY_CTX_free(s->sign);
	EVP_PKEY_CTX_free(s->verify);
	memset(s, 0, sizeof(*s));
}

int
tbs_digest(const struct tbs_tmpl *t, const unsigned char *msg, size_t len,
    unsigned char md[EVP_MAX_MD_SIZE], size_t *mdlen)
{
	unsigned int n;

	if (!EVP_Digest(msg, len, md, &n, t->md, NULL))
		return -1;
	*mdlen = n;
	return 0;
}

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_init(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* OpenSSL's SHA-256 uses the CPU's SHA instructions where libsodium's
 * does not: four times faster on short messages. */
void
tbs_sha256(const void *msg, size_t len, unsigned char out[32])
{
	if (pthread_once(&sha256_once, sha256_init) != 0 ||
	    sha256_md == NULL ||
	    !EVP_Digest(msg, len, out, NULL, sha256_md, NULL))
		crypto_hash_sha256(out, msg, len);
}

size_t
tbs_sign(struct tbs_signer *s, const unsigned char *tbs, size_t tbslen,
    unsigned char *buf, size_t cap)
{
	unsigned char md[EVP_MAX_MD_SIZE], sig[TBS_SIG_MAX];
	size_t mdlen, siglen = sizeof(sig);

	if (s->sigmax > sizeof(sig) ||
	    tbs_digest(s->t, tbs, tbslen, md, &mdlen) == -1 ||
	    EVP_PKEY_sign(s->sign, sig, &siglen, md, mdlen) <= 0) {
		ERR_clear_error();
		return 0;
	}
	return tbs_cert(s->t, tbs, tbslen, sig, siglen, buf, cap);
}
