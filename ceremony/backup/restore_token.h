/* restore --key-uri: the restored CA key into a PKCS#11 token. */
#ifndef RESTORE_TOKEN_H
#define RESTORE_TOKEN_H

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca/keystore.h"
#include "ca/sigkey.h"

/* Imports ca into the token ks names (non-extractable), checks it
 * against cert with a test signature, writes deviceRootCA.uri. info: the
 * transcript's view of the key (new reference). 0, or RC_USAGE / RC_CHECK
 * / RC_ERR with a message. */
int restore_token_write(struct key_src *ks, EVP_PKEY *ca, const X509 *cert,
    int force, json_t **info);
/* Reads ceremony.key back with pass and checks it is want. */
int restore_sign_reload(const char *pass, const struct sigkey *want);

#endif
