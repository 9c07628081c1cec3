/* The CA key from a file or a token, checked against the CA
 * certificate. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>

#include "ca/cakey.h"
#include "ca/caref.h"
#include "ca/keyquality.h"
#include "ca/pki.h"
#include "core/util.h"

int
cakey_uri_read_at(const char *path, char *out, size_t outlen)
{
	unsigned char *buf;
	size_t len;

	if (file_read(path, &buf, &len, P11URI_MAX + 2) == -1)
		return -1;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len == 0 || len >= outlen || memchr(buf, '\n', len) != NULL ||
	    memchr(buf, 0, len) != NULL) {
		warnf("%s: not one line holding a PKCS#11 URI", path);
		free(buf);
		return -1;
	}
	memcpy(out, buf, len);
	out[len] = 0;
	free(buf);
	return 0;
}

int
cakey_uri_read(char *out, size_t outlen)
{
	return cakey_uri_read_at(CA_URI, out, outlen);
}

int
cakey_uri_write_at(const char *path, const char *uri, int force)
{
	char line[P11URI_MAX + 66];
	int n = snprintf(line, sizeof(line), "%s\n", uri);

	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return file_write(path, line, (size_t)n, 0644, force);
}

int
cakey_uri_write(const char *uri, int force)
{
	return cakey_uri_write_at(CA_URI, uri, force);
}

int
cakey_load_ca(struct cakey *k, const struct caref *ca, struct key_src *ks,
    struct pass_src *pass, const X509 *cert)
{
	char uri[P11URI_MAX + 64], err[512];
	int have_key = file_exists(ca->key), have_uri = file_exists(ca->uri);

	memset(k, 0, sizeof(*k));
	if (have_key && have_uri) {
		warnf("both %s and %s are present: the CA key lives in one "
		      "place; remove the stale one (after 'key import', "
		      "%s should be gone)", ca->key, ca->uri, ca->key);
		return RC_USAGE;
	}
	if (ks->uri != NULL && have_key) {
		warnf("--key-uri given, but %s is present: the CA key lives "
		      "in one place", ca->key);
		return RC_USAGE;
	}
	if (ks->uri == NULL && !have_uri && !have_key && ca->name[0] != 0) {
		warnf("intermediate CA '%s' has no key here (neither %s nor "
		      "%s): it was certified from a CSR, and its key stays "
		      "where that CSR was made", ca->name, ca->key, ca->uri);
		return RC_USAGE;
	}
	if (ks->uri == NULL && !have_uri) {
		snprintf(k->where, sizeof(k->where), "%s", ca->key);
		if ((k->pkey = pki_key_load(ca->key, pass)) == NULL)
			return RC_USAGE;
	} else {
		if (ks->uri != NULL)
			snprintf(uri, sizeof(uri), "%s", ks->uri);
		else if (cakey_uri_read_at(ca->uri, uri, sizeof(uri)) == -1)
			return RC_USAGE;
		if (keystore_open(&k->ks, uri, ks->module, &ks->pin, err,
			sizeof(err)) == -1 ||
		    keystore_info(k->ks, &k->info, err, sizeof(err)) == -1 ||
		    (k->pkey = keystore_pkey(k->ks, err, sizeof(err))) ==
			NULL) {
			warnf("%s: %s", ks->uri ? "--key-uri" : ca->uri, err);
			cakey_free(k);
			return RC_USAGE;
		}
		snprintf(k->where, sizeof(k->where), "%s", k->info.uri);
	}
	if (cert != NULL && EVP_PKEY_eq(k->pkey, X509_get0_pubkey(cert)) != 1) {
		if (k->ks != NULL)
			warnf("%s: the key in the token does not match %s "
			      "(another key under that label?)", ks->uri ?
			    "--key-uri" : ca->uri, ca->cert);
		else
			warnf("%s: does not match %s", ca->key, ca->cert);
		cakey_free(k);
		ERR_clear_error();
		return RC_CHECK;
	}
	ERR_clear_error();
	return 0;
}

int
cakey_load(struct cakey *k, struct key_src *ks, struct pass_src *pass,
    const X509 *cert)
{
	struct caref root;
	char err[64];

	if (caref_init(&root, NULL, err, sizeof(err)) == -1)
		return RC_USAGE;
	return cakey_load_ca(k, &root, ks, pass, cert);
}

/* The public key read back from the token is the one asked for. */
static int
check_made(EVP_PKEY *pk, int type, char *err, size_t errlen)
{
	static const char *want[] = {"RSA-2048", "RSA-3072", "RSA-4096",
		"EC P-256", "EC P-384"};
	char desc[64], e2[256];
	BIGNUM *e = NULL;
	int ok = 1;

	if (pki_key_check(pk, desc, sizeof(desc), e2, sizeof(e2)) == -1 ||
	    keyquality_check(pk, e2, sizeof(e2)) == -1)
		return errf(err, errlen, "the token made an unusable key: %s",
		    e2);
	if (strcmp(desc, want[type]) != 0)
		return errf(err, errlen, "the token made a %s key, not %s",
		    desc, want[type]);
	if (type <= KEY_RSA4096) {
		ok = EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) &&
		    BN_is_word(e, 65537);
		BN_free(e);
	}
	ERR_clear_error();
	if (!ok)
		return errf(err, errlen, "the token's RSA key does not have "
		    "e = 65537");
	return 0;
}

/* Opens the token, puts the key in (generate: type; import: key), and
 * loads it back as an EVP_PKEY. */
static int
put(struct cakey *k, struct key_src *ks, int type, EVP_PKEY *key)
{
	char err[512];
	int r = RC_USAGE, made = 0;

	memset(k, 0, sizeof(*k));
	if (keystore_open(&k->ks, ks->uri, ks->module, &ks->pin, err,
		sizeof(err)) == -1)
		goto fail;
	if ((key == NULL ? keystore_generate(k->ks, type, err, sizeof(err)) :
		keystore_import(k->ks, key, err, sizeof(err))) == -1)
		goto fail;
	made = 1;
	if (keystore_info(k->ks, &k->info, err, sizeof(err)) == -1 ||
	    (k->pkey = keystore_pkey(k->ks, err, sizeof(err))) == NULL) {
		r = RC_CHECK;
		goto fail;
	}
	snprintf(k->where, sizeof(k->where), "%s", k->info.uri);
	r = RC_CHECK;
	if (key == NULL ? check_made(k->pkey, type, err, sizeof(err)) == -1 :
	    EVP_PKEY_eq(k->pkey, key) != 1 ?
	    errf(err, sizeof(err), "the key in the token is not the key "
		"imported") : 0)
		goto fail;
	return 0;
fail:
	warnf("--key-uri: %s", err);
	if (made)
		cakey_discard(k);
	else
		cakey_free(k);
	ERR_clear_error();
	return r;
}

int
cakey_generate(struct cakey *k, struct key_src *ks, int type)
{
	return put(k, ks, type, NULL);
}

int
cakey_import(struct cakey *k, struct key_src *ks, EVP_PKEY *key)
{
	return put(k, ks, -1, key);
}

/* A test certificate signed in the token, checked against the CA cert. */
int
cakey_test_sign(const X509 *ca, EVP_PKEY *cakey)
{
	X509_NAME *name = X509_NAME_new();
	EVP_PKEY *k = pki_keygen(KEY_P256);
	X509 *x = NULL;
	char err[256];
	int rv = -1;

	if (name == NULL || k == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		(const unsigned char *)"ceremony-key-import-test", -1, -1, 0) ||
	    (x = pki_cert_issue(PROFILE_VERIFICATION, name, k, ca, cakey,
		 1)) == NULL)
		goto out;
	if (pki_lint(x, ca, PROFILE_VERIFICATION, err, sizeof(err)) == -1) {
		warnf("the test certificate signed in the token does not "
		      "verify against %s: %s", CA_CERT, err);
		goto out;
	}
	rv = 0;
out:
	X509_free(x);
	X509_NAME_free(name);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return rv;
}

void
cakey_discard(struct cakey *k)
{
	char err[512];

	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
	if (k->ks != NULL && keystore_discard(k->ks, err, sizeof(err)) == -1)
		warnf("%s: cannot remove the key just made in the token (%s); "
		      "remove it with pkcs11-tool --delete-object", k->where,
		    err);
	else if (k->ks != NULL)
		fprintf(stderr, "ceremony: the key put in token '%s' was "
				"removed again\n", k->info.label);
	cakey_free(k);
}

void
cakey_free(struct cakey *k)
{
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
	keystore_close(k->ks);
	k->ks = NULL;
}

static json_t *
attr(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

json_t *
cakey_json(const struct cakey *k)
{
	const struct keystore_info *i = &k->info;

	if (k->ks == NULL)
		return NULL;
	return json_pack("{s:s,s:s,s:s,s:s,s:{s:o,s:o,s:o,s:o,s:o,s:o}}",
	    "key_uri", i->uri, "token_label", i->label, "token_model",
	    i->model, "token_serial", i->serial, "key_attributes",
	    "CKA_TOKEN", attr(i->token), "CKA_PRIVATE", attr(i->private_),
	    "CKA_SENSITIVE", attr(i->sensitive), "CKA_EXTRACTABLE",
	    attr(i->extractable), "CKA_ALWAYS_SENSITIVE",
	    attr(i->always_sensitive), "CKA_NEVER_EXTRACTABLE",
	    attr(i->never_extractable));
}
