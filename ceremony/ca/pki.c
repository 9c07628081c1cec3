/* Keys and certificates: generation, subjects, storage (OpenSSL 3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "ca/pki.h"
#include "core/util.h"

#define SCRYPT_N 16384 /* OpenSSL's default scrypt memory bound allows 2^14 */
#define SCRYPT_R 8
#define SCRYPT_P 1

static const struct {
	const char *name;
	const char *alg;
	const char *param;
	unsigned bits;
} keytypes[] = {
	{"rsa2048", "RSA", NULL, 2048},
	{"rsa3072", "RSA", NULL, 3072},
	{"rsa4096", "RSA", NULL, 4096},
	{"ec-p256", "EC", "P-256", 0},
	{"ec-p384", "EC", "P-384", 0},
};

int
pki_keytype_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(keytypes) / sizeof(keytypes[0]); i++)
		if (strcmp(s, keytypes[i].name) == 0)
			return (int)i;
	return -1;
}

const char *
pki_keytype_name(int type)
{
	return keytypes[type].name;
}

EVP_PKEY *
pki_keygen(int type)
{
	EVP_PKEY *k;

	if (keytypes[type].param == NULL)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
		    (size_t)keytypes[type].bits);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", keytypes[type].param);
	if (k == NULL)
		warnf("key generation failed (%s)", keytypes[type].name);
	return k;
}

/* Public exponent odd with 65537 <= e < 2^256, modulus odd (SP 800-56B):
 * with e = 1, say, anyone could sign for the key. */
static int
rsa_public_ok(EVP_PKEY *key, char *err, size_t errlen)
{
	BIGNUM *e = NULL, *n = NULL;
	int ok;

	ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) &&
	    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) &&
	    BN_is_odd(e) && BN_is_odd(n) && BN_num_bits(e) <= 256 &&
	    BN_cmp(e, BN_value_one()) > 0 &&
	    (BN_num_bits(e) > 17 || BN_get_word(e) >= 65537);
	if (!ok)
		errf(err, errlen, "RSA key with a bad public exponent or "
		    "modulus (need an odd e from 65537 to 2^256 and an odd "
		    "n)");
	BN_free(e);
	BN_free(n);
	ERR_clear_error();
	return ok ? 0 : -1;
}

int
pki_key_check(EVP_PKEY *key, char *desc, size_t desclen, char *err,
    size_t errlen)
{
	char group[64];
	size_t glen;
	int bits = EVP_PKEY_get_bits(key);

	snprintf(desc, desclen, "unknown");
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
		snprintf(desc, desclen, "RSA-%d", bits);
		if (bits < 2048)
			return errf(err, errlen, "RSA key of %d bits; AWS IoT "
			    "needs at least 2048", bits);
		if (bits > 16384)
			return errf(err, errlen, "RSA key of %d bits is too "
			    "large", bits);
		return rsa_public_ok(key, err, errlen);
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_utf8_string_param(key,
			OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen))
			snprintf(group, sizeof(group), "explicit parameters");
		if (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0) {
			snprintf(desc, desclen, "EC P-256");
			return 0;
		}
		if (strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "P-384") == 0) {
			snprintf(desc, desclen, "EC P-384");
			return 0;
		}
		snprintf(desc, desclen, "EC %s", group);
		return errf(err, errlen, "EC curve %s; AWS IoT accepts P-256 "
		    "and P-384", group);
	default:
		snprintf(desc, desclen, "%s", OBJ_nid2sn(
		    EVP_PKEY_get_base_id(key)));
		return errf(err, errlen, "%s key; AWS IoT accepts RSA (2048 "
		    "bits or more) and EC P-256/P-384", desc);
	}
}

X509_NAME *
pki_subject_parse(const char *s, char *err, size_t errlen)
{
	X509_NAME *name = NULL;
	char *buf = NULL, *f, *eq, *w;
	const char *p;
	int nid, n = 0;

	if (s == NULL || *s != '/') {
		errf(err, errlen, "subject must start with '/', as in "
		    "/C=IN/O=AMZ/CN=Root");
		return NULL;
	}
	if ((buf = malloc(strlen(s) + 1)) == NULL ||
	    (name = X509_NAME_new()) == NULL)
		goto fail;
	for (p = s + 1;;) {
		/* unescape one field into buf */
		for (w = buf; *p && *p != '/'; p++) {
			if (*p == '\\' && (p[1] == '/' || p[1] == '\\'))
				p++;
			*w++ = *p;
		}
		*w = 0;
		f = buf;
		n++;
		if ((eq = strchr(f, '=')) == NULL) {
			errf(err, errlen, "subject field %d ('%s') has no "
			    "'='; expected TYPE=value", n, f);
			goto fail;
		}
		*eq = 0;
		if ((nid = OBJ_txt2nid(f)) == NID_undef) {
			errf(err, errlen, "subject field %d: unknown "
			    "attribute type '%s'", n, f);
			goto fail;
		}
		if (eq[1] == 0) {
			errf(err, errlen, "subject field %d: %s is empty",
			    n, f);
			goto fail;
		}
		if (!X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
			(unsigned char *)eq + 1, -1, -1, 0)) {
			errf(err, errlen, "subject field %d: bad value for "
			    "%s: '%s'%s", n, f, eq + 1, nid == NID_countryName ?
			    " (a country is two letters, e.g. IN)" : "");
			ERR_clear_error();
			goto fail;
		}
		if (*p == 0)
			break;
		p++;
	}
	free(buf);
	return name;
fail:
	free(buf);
	X509_NAME_free(name);
	return NULL;
}

char *
pki_name_string(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL, *data;
	long n;

	if (b == NULL)
		return NULL;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_get_mem_data(b, &data)) >= 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		memcpy(s, data, (size_t)n);
		s[n] = 0;
	}
	BIO_free(b);
	return s;
}

const EVP_MD *
pki_md_for(EVP_PKEY *cakey)
{
	char desc[64], err[128];

	if (pki_key_check(cakey, desc, sizeof(desc), err, sizeof(err)) == 0 &&
	    strcmp(desc, "EC P-384") == 0)
		return EVP_sha384();
	return EVP_sha256();
}

static int
pem_passphrase(char *buf, int size, int rwflag, void *u)
{
	size_t n = strlen(u);

	if (n >= (size_t)size)
		return -1;
	memcpy(buf, u, n);
	return (int)n;
}

static EVP_PKEY *
key_read(const char *path, const char *given, struct pass_src *src)
{
	unsigned char *text = NULL;
	EVP_PKEY *k = NULL;
	char *pass = NULL;
	const char *use = given;
	size_t len;
	BIO *b = NULL;

	if (file_read(path, &text, &len, 1 << 20) == -1)
		return NULL;
	if (strstr((char *)text, "-----BEGIN ENCRYPTED PRIVATE KEY") != NULL &&
	    use == NULL) {
		if (src == NULL || (pass = pass_get(src, "CA key", 0)) == NULL)
			goto out;
		use = pass;
	}
	if ((b = BIO_new_mem_buf(text, (int)len)) == NULL)
		goto out;
	k = PEM_read_bio_PrivateKey(b, NULL, pem_passphrase,
	    use ? (char *)use : (char *)"");
	if (k == NULL)
		warnf("%s: %s", path, use ? "wrong passphrase, or the key is "
		    "damaged" : "not a PEM private key");
	ERR_clear_error();
out:
	BIO_free(b);
	pass_free(pass);
	if (text != NULL)
		sodium_memzero(text, len);
	free(text);
	return k;
}

EVP_PKEY *
pki_key_load(const char *path, struct pass_src *src)
{
	return key_read(path, NULL, src);
}

EVP_PKEY *
pki_key_read(const char *path, const char *pass)
{
	return key_read(path, pass, NULL);
}

int
pki_key_save(const char *path, EVP_PKEY *key, const char *pass, int force)
{
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	X509_ALGOR *pbe = NULL;
	X509_SIG *enc = NULL;
	BUF_MEM *bm;
	BIO *b;
	int rv = -1, ok;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return -1;
	if (pass == NULL)
		ok = PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	else {
		ok = (p8 = EVP_PKEY2PKCS8(key)) != NULL &&
		    (pbe = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, 0,
			NULL, SCRYPT_N, SCRYPT_R, SCRYPT_P)) != NULL &&
		    (enc = PKCS8_set0_pbe(pass, (int)strlen(pass), p8, pbe)) !=
			NULL;
		if (ok)
			pbe = NULL;
		ok = ok && PEM_write_bio_PKCS8(b, enc);
	}
	BIO_get_mem_ptr(b, &bm);
	if (!ok)
		warnf("%s: cannot encode the key", path);
	else
		rv = file_write_secret(path, bm->data, bm->length, force);
	OPENSSL_cleanse(bm->data, bm->max);
	BIO_free(b);
	X509_ALGOR_free(pbe);
	X509_SIG_free(enc);
	PKCS8_PRIV_KEY_INFO_free(p8);
	ERR_clear_error();
	return rv;
}

int
pki_key_matches(EVP_PKEY *key, const X509 *cert)
{
	int r = EVP_PKEY_eq(key, X509_get0_pubkey(cert));

	ERR_clear_error();
	return r == 1;
}

X509 *
pki_cert_parse(const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf;
	X509 *x = NULL;
	BIO *b;

	if (len > 0 && memmem(buf, len, "-----BEGIN", 10) != NULL) {
		if ((b = BIO_new_mem_buf(buf, (int)len)) != NULL) {
			x = PEM_read_bio_X509(b, NULL, NULL, NULL);
			BIO_free(b);
		}
	} else
		x = d2i_X509(NULL, &p, (long)len);
	ERR_clear_error();
	return x;
}

X509 *
pki_cert_load(const char *path)
{
	unsigned char *buf;
	size_t len;
	X509 *x;

	if (file_read(path, &buf, &len, 1 << 20) == -1)
		return NULL;
	if ((x = pki_cert_parse(buf, len)) == NULL)
		warnf("%s: not a certificate (PEM or DER)", path);
	free(buf);
	return x;
}

int
pki_cert_pem(const X509 *cert, char **pem, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rv = -1;

	*pem = NULL;
	if (b == NULL || !PEM_write_bio_X509(b, (X509 *)cert) ||
	    (n = BIO_get_mem_data(b, &data)) <= 0 ||
	    (*pem = malloc((size_t)n + 1)) == NULL)
		goto out;
	memcpy(*pem, data, (size_t)n);
	(*pem)[n] = 0;
	*len = (size_t)n;
	rv = 0;
out:
	BIO_free(b);
	return rv;
}

int
pki_cert_save(const char *path, const X509 *cert, int force)
{
	char *pem;
	size_t len;
	int rv;

	if (pki_cert_pem(cert, &pem, &len) == -1) {
		warnf("%s: cannot encode the certificate", path);
		return -1;
	}
	rv = file_write(path, pem, len, 0644, force);
	free(pem);
	return rv;
}

size_t
pki_pem_cert(const unsigned char *der, size_t len, unsigned char *out)
{
	static const char head[] = "-----BEGIN CERTIFICATE-----\n",
			  foot[] = "-----END CERTIFICATE-----\n";
	size_t n = sizeof(head) - 1, i, k;

	memcpy(out, head, n);
	for (i = 0; i < len; i += 48) {
		k = len - i < 48 ? len - i : 48;
		n += (size_t)EVP_EncodeBlock(out + n, der + i, (int)k);
		out[n++] = '\n';
	}
	memcpy(out + n, foot, sizeof(foot) - 1);
	return n + sizeof(foot) - 1;
}

void
pki_cert_sha256(const X509 *cert, unsigned char out[32])
{
	unsigned int n = 32;

	if (!X509_digest(cert, EVP_sha256(), out, &n))
		memset(out, 0, 32);
}
