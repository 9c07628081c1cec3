/* Where the CA key lives: deviceRootCA.key (an encrypted file) or
 * deviceRootCA.uri (a PKCS#11 token). Commands that sign with the CA key
 * ask here and get an EVP_PKEY; only this module and keystore.c know the
 * difference. */
#ifndef CAKEY_H
#define CAKEY_H

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca/keystore.h"
#include "core/secret.h"

#define CA_URI "deviceRootCA.uri"

struct cakey {
	EVP_PKEY *pkey;
	struct keystore *ks; /* NULL for a file key */
	struct keystore_info info; /* a token key's, for the transcript */
	char where[P11URI_MAX + 64]; /* CA_KEY or the URI */
};

/* Loads the CA key: ks->uri, else deviceRootCA.uri, else
 * deviceRootCA.key (passphrase from pass). Refuses both files present,
 * and --key-uri beside deviceRootCA.key. With cert, the key must match it
 * (EVP_PKEY_eq). 0, or RC_USAGE / RC_CHECK with a message. */
int cakey_load(struct cakey *k, struct key_src *ks, struct pass_src *pass,
    const X509 *cert);
/* The same for the CA ca names (its key, URI and certificate paths). */
struct caref;
int cakey_load_ca(struct cakey *k, const struct caref *ca,
    struct key_src *ks, struct pass_src *pass, const X509 *cert);
void cakey_free(struct cakey *k);
/* After a failed root, key import or restore: removes the key just put
 * in the token (with a message if it cannot), then cakey_free. Every
 * other holder of k->pkey must have let it go. */
void cakey_discard(struct cakey *k);
/* Makes the CA key in the token ks->uri names (type: enum pki_keytype),
 * reads its public key back and checks type, size, e = 65537 and curve.
 * 0, or RC_USAGE / RC_CHECK with a message. */
int cakey_generate(struct cakey *k, struct key_src *ks, int type);
/* Copies key into the token ks->uri names (key import, restore). */
int cakey_import(struct cakey *k, struct key_src *ks, EVP_PKEY *key);
/* Signs a throwaway certificate with cakey (in the token) and verifies
 * it against ca: 0, or -1 with a message. */
int cakey_test_sign(const X509 *ca, EVP_PKEY *cakey);
/* Reads deviceRootCA.uri (one line, no PIN) into out. 0, or -1. */
int cakey_uri_read(char *out, size_t outlen);
/* Writes deviceRootCA.uri. */
int cakey_uri_write(const char *uri, int force);
/* The same for another path (an intermediate's deviceRootCA.uri). */
int cakey_uri_read_at(const char *path, char *out, size_t outlen);
int cakey_uri_write_at(const char *path, const char *uri, int force);
/* exit code for an RC_ value */
#define CAKEY_EXIT(r) ((r) == RC_CHECK ? 1 : 2)
/* Transcript fields of a token key ({"key_uri", "token_serial",
 * "key_attributes"}), or NULL for a file key. */
json_t *cakey_json(const struct cakey *k);

#endif
