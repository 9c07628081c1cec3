/* Device CSRs: strict DER parsing and proof of possession (the subject
 * checks are in csr_check.c).
 *
 * The CSR is decoded with its own ASN.1 template that keeps the public key
 * as raw SubjectPublicKeyInfo parts; the key is then built with the
 * type-specific decoders. This keeps OpenSSL 3.0's generic key decoder
 * (slow and lock-bound) out of the signing path. An EC key is a copy of a
 * per-curve parameters key made once (building a curve's group costs more
 * than the point), with the device's point set on it. The certificate
 * carries the CSR's SubjectPublicKeyInfo bytes, which are DER. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "sign/csr.h"
#include "ca/keyquality.h"
#include "ca/pki.h"
#include "ca/tbs.h"
#include "core/util.h"

typedef struct {
	X509_ALGOR *alg;
	ASN1_BIT_STRING *key;
} CSR_SPKI;

ASN1_SEQUENCE(CSR_SPKI) = {
	ASN1_SIMPLE(CSR_SPKI, alg, X509_ALGOR),
	ASN1_SIMPLE(CSR_SPKI, key, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(CSR_SPKI)

typedef struct {
	ASN1_ENCODING enc; /* the signed bytes, as received */
	ASN1_INTEGER *version;
	X509_NAME *subject;
	CSR_SPKI *spki;
	STACK_OF(X509_ATTRIBUTE) *attributes;
} CSR_INFO;

ASN1_SEQUENCE_enc(CSR_INFO, enc, 0) = {
	ASN1_SIMPLE(CSR_INFO, version, ASN1_INTEGER),
	ASN1_SIMPLE(CSR_INFO, subject, X509_NAME),
	ASN1_SIMPLE(CSR_INFO, spki, CSR_SPKI),
	ASN1_IMP_SET_OF(CSR_INFO, attributes, X509_ATTRIBUTE, 0),
} ASN1_SEQUENCE_END_enc(CSR_INFO, CSR_INFO)

typedef struct {
	CSR_INFO *info;
	X509_ALGOR *sigalg;
	ASN1_BIT_STRING *sig;
} CSR_REQ;

ASN1_SEQUENCE(CSR_REQ) = {
	ASN1_SIMPLE(CSR_REQ, info, CSR_INFO),
	ASN1_SIMPLE(CSR_REQ, sigalg, X509_ALGOR),
	ASN1_SIMPLE(CSR_REQ, sig, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(CSR_REQ)

/* RSAPublicKey (RFC 8017), for the key-quality checks. */
typedef struct {
	ASN1_INTEGER *n;
	ASN1_INTEGER *e;
} CSR_RSAKEY;

ASN1_SEQUENCE(CSR_RSAKEY) = {
	ASN1_SIMPLE(CSR_RSAKEY, n, ASN1_INTEGER),
	ASN1_SIMPLE(CSR_RSAKEY, e, ASN1_INTEGER),
} ASN1_SEQUENCE_END(CSR_RSAKEY)

static int
bits_whole(const ASN1_BIT_STRING *b)
{
	return !(b->flags & ASN1_STRING_FLAG_BITS_LEFT) || (b->flags & 7) == 0;
}

/* A parameter field that is absent or NULL. */
static int
param_empty(const X509_ALGOR *a)
{
	int type;

	X509_ALGOR_get0(NULL, &type, NULL, a);
	return type == V_ASN1_UNDEF || type == V_ASN1_NULL;
}

static const char *
curve_name(const ASN1_OBJECT *o, char *buf, size_t len)
{
	int nid = OBJ_obj2nid(o);

	if (nid != NID_undef)
		return OBJ_nid2sn(nid);
	if (OBJ_obj2txt(buf, (int)len, o, 1) <= 0)
		snprintf(buf, len, "?");
	return buf;
}

/* Parameters-only keys for P-256 and P-384, shared read-only. */
static EVP_PKEY *pcurves[2];
static pthread_once_t curves_once = PTHREAD_ONCE_INIT;

static void
curves_init(void)
{
	static const char *names[2] = {"prime256v1", "secp384r1"};
	OSSL_PARAM prm[2];
	EVP_PKEY_CTX *pc;
	int i;

	for (i = 0; i < 2; i++) {
		prm[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, (char *)names[i], 0);
		prm[1] = OSSL_PARAM_construct_end();
		if ((pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) ==
			NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
		    EVP_PKEY_fromdata(pc, &pcurves[i], EVP_PKEY_KEY_PARAMETERS,
			prm) != 1)
			pcurves[i] = NULL;
		EVP_PKEY_CTX_free(pc);
	}
	ERR_clear_error();
}

/* The EC key with the point p[0..len) on curve nid (P-256 or P-384); the
 * point is decoded into the curve's prepared group and checked to lie on
 * the curve. */
static EVP_PKEY *
ec_key(int nid, const unsigned char *p, long len)
{
	EVP_PKEY *k;

	if (pthread_once(&curves_once, curves_init) != 0)
		return NULL;
	k = pcurves[nid == NID_secp384r1];
	if (k == NULL || (k = EVP_PKEY_dup(k)) == NULL)
		return NULL;
	if (EVP_PKEY_set1_encoded_public_key(k, p, (size_t)len) != 1) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

/* The RSAPublicKey bytes are the DER encoding of the key they hold. */
static int
rsa_key_der(EVP_PKEY *k, const unsigned char *der, int len)
{
	unsigned char *enc = NULL;
	int n = i2d_PublicKey(k, &enc), same;

	same = n == len && memcmp(enc, der, (size_t)len) == 0;
	OPENSSL_free(enc);
	return same;
}

/* The device key from the SubjectPublicKeyInfo parts. */
static EVP_PKEY *
spki_key(const CSR_SPKI *s, char *err, size_t errlen)
{
	const ASN1_OBJECT *alg;
	const void *pval;
	const unsigned char *p = s->key->data;
	EVP_PKEY *k = NULL;
	char buf[80];
	int ptype, nid;

	X509_ALGOR_get0(&alg, &ptype, &pval, s->alg);
	if (!bits_whole(s->key) || s->key->length <= 0) {
		errf(err, errlen, "public key bit string is malformed");
		goto out;
	}
	switch (nid = OBJ_obj2nid(alg)) {
	case NID_rsaEncryption:
		if (!param_empty(s->alg)) {
			errf(err, errlen, "RSA key with unexpected parameters");
			goto out;
		}
		k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, s->key->length);
		if (k == NULL) {
			errf(err, errlen, "RSA public key does not parse");
			goto out;
		}
		if (p != s->key->data + s->key->length) {
			errf(err, errlen, "%ld bytes after the RSA public key",
			    (long)(s->key->data + s->key->length - p));
			goto bad;
		}
		if (!rsa_key_der(k, s->key->data, s->key->length)) {
			errf(err, errlen, "RSA public key is not in DER");
			goto bad;
		}
		break;
	case NID_X9_62_id_ecPublicKey:
		if (ptype != V_ASN1_OBJECT) {
			errf(err, errlen, "EC key with explicit curve "
			    "parameters; AWS IoT accepts the named curves "
			    "P-256 and P-384");
			goto out;
		}
		nid = OBJ_obj2nid(pval);
		if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1) {
			errf(err, errlen, "EC key on curve %s; AWS IoT accepts "
			    "P-256 and P-384", curve_name(pval, buf,
				sizeof(buf)));
			goto out;
		}
		if (s->key->length == 1 && p[0] == 0) {
			errf(err, errlen, "EC public key is the point at "
			    "infinity");
			goto out;
		}
		if (p[0] != 4) {
			errf(err, errlen, "EC point is not in uncompressed "
			    "form");
			goto out;
		}
		if ((k = ec_key(nid, p, s->key->length)) == NULL) {
			errf(err, errlen, "EC public key is not a point on the "
			    "curve");
			goto out;
		}
		break;
	case NID_dsa:
		errf(err, errlen, "DSA key; AWS IoT accepts RSA (2048 bits or "
		    "more) and EC P-256/P-384");
		goto out;
	default:
		errf(err, errlen, "%s key; AWS IoT accepts RSA (2048 bits or "
		    "more) and EC P-256/P-384", nid != NID_undef ?
		    OBJ_nid2sn(nid) : curve_name(alg, buf, sizeof(buf)));
		goto out;
	}
out:
	return k;
bad:
	EVP_PKEY_free(k);
	return NULL;
}

/* The weak keys an audit flags (ca/keyquality.h), from the key's parts as
 * received: OpenSSL 3 takes 12 us to export them from the EVP_PKEY. The
 * parts are those spki_key accepted. */
static int
key_quality(const CSR_SPKI *s, char *err, size_t errlen)
{
	const ASN1_OBJECT *alg;
	const unsigned char *p = s->key->data;
	const void *pval;
	CSR_RSAKEY *rk = NULL;
	BIGNUM *n = NULL, *e = NULL;
	int ptype, rv;

	X509_ALGOR_get0(&alg, &ptype, &pval, s->alg);
	if (OBJ_obj2nid(alg) == NID_X9_62_id_ecPublicKey)
		return keyquality_ec(ptype == V_ASN1_OBJECT ? OBJ_obj2nid(pval) :
		    NID_undef, s->key->data, (size_t)s->key->length, err, errlen);
	if ((rk = (CSR_RSAKEY *)ASN1_item_d2i(NULL, &p, s->key->length,
	    ASN1_ITEM_rptr(CSR_RSAKEY))) == NULL ||
	    (n = ASN1_INTEGER_to_BN(rk->n, NULL)) == NULL ||
	    (e = ASN1_INTEGER_to_BN(rk->e, NULL)) == NULL)
		rv = errf(err, errlen, "RSA public key does not parse");
	else
		rv = keyquality_rsa(n, e, err, errlen);
	BN_free(n);
	BN_free(e);
	ASN1_item_free((ASN1_VALUE *)rk, ASN1_ITEM_rptr(CSR_RSAKEY));
	return rv;
}

/* Every length in DER form: definite, in its shortest form, each element
 * inside its parent; also inside elements the ASN.1 templates keep as
 * raw bytes (ANY). NULL, or the offence with its byte offset in *at. */
static const char *
der_lengths(const unsigned char *p, size_t len, size_t base, int depth,
    size_t *at)
{
	const char *why;
	size_t i = 0, n, k;
	unsigned char tag;

	if (depth > 32)
		return (*at = base, "elements nested too deep");
	while (i < len) {
		tag = p[i++];
		if ((tag & 0x1f) == 0x1f) /* high tag number form */
			while (i < len && (p[i] & 0x80))
				i++;
		if ((tag & 0x1f) == 0x1f && i < len)
			i++;
		if (i >= len)
			return (*at = base + i, "an element cut short");
		*at = base + i;
		if (p[i] == 0x80)
			return "a length in indefinite form (BER)";
		if (p[i] < 0x80)
			n = p[i++];
		else {
			k = p[i++] & 0x7f;
			if (k > sizeof(size_t) || k > len - i)
				return "an element cut short";
			if (p[i] == 0)
				return "a length not in its shortest form";
			for (n = 0; k > 0; k--)
				n = n << 8 | p[i++];
			if (n < 0x80)
				return "a length not in its shortest form";
		}
		if (n > len - i)
			return "an element cut short";
		if ((tag & 0x20) &&
		    (why = der_lengths(p + i, n, base + i, depth + 1, at)))
			return why;
		i += n;
	}
	return NULL;
}

/* DER only, so that one CSR has one encoding (one csr_sha256, one batch
 * id): the lengths, then the whole CSR against its re-encoding. 0 or -1
 * with err. */
static int
csr_der(CSR_REQ *r, const unsigned char *der, size_t len, char *err,
    size_t errlen)
{
	X509_NAME *nm = r->info->subject;
	unsigned char *enc = NULL;
	const char *why;
	size_t at = 0, i;
	int n, rv = -1;

	if ((why = der_lengths(der, len, 0, 0, &at)) != NULL)
		return errf(err, errlen, "not DER: %s at byte %zu; encode the "
		    "CSR in DER (as openssl req does)", why, at);
	/* the decoder keeps the bytes it read (the signed part, the name):
	 * mark them changed so that they are encoded afresh */
	r->info->enc.modified = 1;
	if (!X509_NAME_add_entry_by_NID(nm, NID_commonName, MBSTRING_ASC,
		(const unsigned char *)"x", 1, -1, 0)) {
		rv = errf(err, errlen, "out of memory");
		goto out;
	}
	X509_NAME_ENTRY_free(X509_NAME_delete_entry(nm,
	    X509_NAME_entry_count(nm) - 1));
	if ((n = ASN1_item_i2d((ASN1_VALUE *)r, &enc,
	    ASN1_ITEM_rptr(CSR_REQ))) <= 0) {
		rv = errf(err, errlen, "CSR cannot be encoded again");
		goto out;
	}
	if ((size_t)n != len || memcmp(enc, der, len) != 0) {
		for (i = 0; i < len && i < (size_t)n && enc[i] == der[i]; i++)
			;
		rv = errf(err, errlen, "not DER: differs from its DER "
		    "encoding at byte %zu (BER, an unsorted SET OF, or a "
		    "value not in its shortest form); encode the CSR in DER",
		    i);
		goto out;
	}
	rv = 0;
out:
	OPENSSL_free(enc);
	return rv;
}

/* SHA-256, SHA-384 and SHA-512, fetched once (a digest named at each use
 * is fetched at each use). */
static EVP_MD *mds[3];
static pthread_once_t mds_once = PTHREAD_ONCE_INIT;

static void
mds_init(void)
{
	mds[0] = EVP_MD_fetch(NULL, "SHA256", NULL);
	mds[1] = EVP_MD_fetch(NULL, "SHA384", NULL);
	mds[2] = EVP_MD_fetch(NULL, "SHA512", NULL);
}

static const EVP_MD *
digest_of(int nid)
{
	if (pthread_once(&mds_once, mds_init) != 0)
		return NULL;
	return nid == NID_sha256 ? mds[0] : nid == NID_sha384 ? mds[1] :
	    nid == NID_sha512 ? mds[2] : NULL;
}

static int
digest(const EVP_MD *md, const unsigned char *msg, size_t len,
    unsigned char out[EVP_MAX_MD_SIZE], size_t *outlen)
{
	unsigned int n;

	if (!EVP_Digest(msg, len, out, &n, md, NULL))
		return -1;
	*outlen = n;
	return 0;
}

/* Verifies the CSR's signature over the bytes it signed. */
static int
csr_verify(const CSR_REQ *r, EVP_PKEY *key, char *err, size_t errlen)
{
	const ASN1_OBJECT *alg;
	const EVP_MD *md;
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char dg[EVP_MAX_MD_SIZE];
	size_t dglen;
	int signid, mdnid = NID_undef, pknid = NID_undef, want, ptype, rv = -1;

	X509_ALGOR_get0(&alg, &ptype, NULL, r->sigalg);
	signid = OBJ_obj2nid(alg);
	if (!OBJ_find_sigid_algs(signid, &mdnid, &pknid) ||
	    (mdnid != NID_sha256 && mdnid != NID_sha384 &&
		mdnid != NID_sha512)) {
		if (mdnid == NID_sha1 || mdnid == NID_md5) {
			rv = errf(err, errlen, "signed with %s; use SHA-256 "
			    "(e.g. openssl req -sha256)", OBJ_nid2sn(mdnid));
			goto out;
		}
		rv = errf(err, errlen, "signature algorithm %s is not "
		    "accepted; use SHA-256/384/512 with RSA or ECDSA",
		    signid != NID_undef ? OBJ_nid2sn(signid) : "unknown");
		goto out;
	}
	want = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? NID_rsaEncryption :
	    NID_X9_62_id_ecPublicKey;
	if (pknid != want) {
		rv = errf(err, errlen, "signature algorithm %s does not match "
		    "the %s key", OBJ_nid2sn(signid),
		    EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? "RSA" : "EC");
		goto out;
	}
	/* one encoding only: the algorithm is outside the signed bytes */
	if (want == NID_X9_62_id_ecPublicKey && ptype != V_ASN1_UNDEF) {
		rv = errf(err, errlen, "signature algorithm %s has parameters "
		    "(%s); RFC 5758 requires them absent for ECDSA",
		    OBJ_nid2sn(signid), ptype == V_ASN1_NULL ? "NULL" :
		    "not NULL");
		goto out;
	}
	if (want == NID_rsaEncryption && ptype != V_ASN1_NULL) {
		rv = errf(err, errlen, "signature algorithm %s has %s "
		    "parameters; RFC 4055 requires NULL for RSA",
		    OBJ_nid2sn(signid), ptype == V_ASN1_UNDEF ? "absent" :
		    "other");
		goto out;
	}
	if (!bits_whole(r->sig)) {
		rv = errf(err, errlen, "signature bit string is malformed");
		goto out;
	}
	/* the digest, then the key's verification of it (ECDSA needs no
	 * digest name; RSA's PKCS #1 DigestInfo names it) */
	md = digest_of(mdnid);
	if (md == NULL || digest(md, r->info->enc.enc,
	    (size_t)r->info->enc.len, dg, &dglen) == -1 ||
	    (ctx = EVP_PKEY_CTX_new(key, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ctx) <= 0 ||
	    (want == NID_rsaEncryption &&
		EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0)) {
		rv = errf(err, errlen, "cannot set up signature verification");
		goto out;
	}
	if (EVP_PKEY_verify(ctx, r->sig->data, (size_t)r->sig->length, dg,
	    dglen) != 1) {
		rv = errf(err, errlen, "bad signature: the CSR was not signed "
		    "by the key it holds (altered, or no proof of possession)");
		goto out;
	}
	rv = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

static size_t
put_seq(unsigned char *p, size_t n)
{
	p[0] = 0x30;
	if (n < 0x80) {
		p[1] = (unsigned char)n;
		return 2;
	}
	if (n < 0x100) {
		p[1] = 0x81;
		p[2] = (unsigned char)n;
		return 3;
	}
	p[1] = 0x82;
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
	return 4;
}

/* The SubjectPublicKeyInfo as the certificate carries it (and as
 * i2d_PUBKEY writes it): the CSR's own bytes, DER already, with the NULL
 * parameters RFC 3279 gives an RSA key in place of what the CSR had. */
static int
spki_der(const unsigned char *der, size_t len, int rsa, struct csr *c)
{
	static const unsigned char rsa_alg[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
	    0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
	const unsigned char *p = der, *end = der + len, *v, *spki, *bits;
	size_t vl, n;

	if (tbs_tlv(&p, end, 0x30, &v, &vl) == -1)
		return -1;
	p = v;
	end = v + vl;
	if (tbs_tlv(&p, end, 0x30, &v, &vl) == -1) /* the request info */
		return -1;
	p = v;
	end = v + vl;
	if (tbs_tlv(&p, end, 0x02, &v, &vl) == -1 ||
	    tbs_tlv(&p, end, 0x30, &v, &vl) == -1) /* version, subject */
		return -1;
	spki = p;
	if (tbs_tlv(&p, end, 0x30, &v, &vl) == -1)
		return -1;
	if (!rsa) {
		n = (size_t)(p - spki);
		if ((c->spki = malloc(n)) == NULL)
			return -1;
		memcpy(c->spki, spki, n);
		c->spkilen = n;
		return 0;
	}
	p = v;
	end = v + vl;
	if (tbs_tlv(&p, end, 0x30, &spki, &n) == -1) /* the algorithm */
		return -1;
	bits = p;
	if (tbs_tlv(&p, end, 0x03, &v, &vl) == -1 || p != end)
		return -1;
	n = sizeof(rsa_alg) + (size_t)(p - bits);
	if (n > 0xffff || (c->spki = malloc(n + 4)) == NULL)
		return -1;
	c->spkilen = put_seq(c->spki, n);
	memcpy(c->spki + c->spkilen, rsa_alg, sizeof(rsa_alg));
	memcpy(c->spki + c->spkilen + sizeof(rsa_alg), bits, (size_t)(p -
	    bits));
	c->spkilen += n;
	return 0;
}

int
csr_parse(const unsigned char *der, size_t len, struct csr *c, char *err,
    size_t errlen)
{
	const unsigned char *p = der;
	CSR_REQ *r = NULL;
	int rv = -1;

	memset(c, 0, sizeof(*c));
	ERR_set_mark();
	if (len > CSR_MAX) {
		rv = errf(err, errlen, "CSR of %zu bytes; the limit is %u", len,
		    CSR_MAX);
		goto out;
	}
	r = (CSR_REQ *)ASN1_item_d2i(NULL, &p, (long)len,
	    ASN1_ITEM_rptr(CSR_REQ));
	if (r == NULL) {
		rv = errf(err, errlen, "not a certificate signing request (DER "
		    "does not parse)");
		goto out;
	}
	if (p != der + len) {
		rv = errf(err, errlen, "%zu bytes of garbage after the CSR",
		    len - (size_t)(p - der));
		goto out;
	}
	if (csr_der(r, der, len, err, errlen) == -1)
		goto out;
	if (ASN1_INTEGER_get(r->info->version) != 0) {
		rv = errf(err, errlen, "CSR version is not 1");
		goto out;
	}
	if ((c->key = spki_key(r->info->spki, err, errlen)) == NULL)
		goto out;
	if (pki_key_check(c->key, c->keydesc, sizeof(c->keydesc), err,
		errlen) == -1 || key_quality(r->info->spki, err, errlen) == -1)
		goto out;
	if (csr_verify(r, c->key, err, errlen) == -1)
		goto out;
	/* the key as it will appear in the certificate */
	if (spki_der(der, len, EVP_PKEY_get_base_id(c->key) == EVP_PKEY_RSA,
	    c) == -1) {
		rv = errf(err, errlen, "cannot encode the public key");
		goto out;
	}
	tbs_sha256(c->spki, c->spkilen, c->key_sha256);
	c->subject = r->info->subject; /* taken, not copied */
	r->info->subject = NULL;
	rv = 0;
out:
	ASN1_item_free((ASN1_VALUE *)r, ASN1_ITEM_rptr(CSR_REQ));
	ERR_pop_to_mark();
	if (rv != 0)
		csr_free(c);
	return rv;
}

void
csr_free(struct csr *c)
{
	EVP_PKEY_free(c->key);
	X509_NAME_free(c->subject);
	X509_NAME_free(c->copy);
	free(c->spki);
	memset(c, 0, sizeof(*c));
}
