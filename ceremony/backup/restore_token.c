/* restore --key-uri: the CA key from the vault goes straight into a
 * PKCS#11 token and never touches the disk. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backup/restore_token.h"
#include "ca/cakey.h"
#include "ca/pki.h"
#include "ca/sigkey.h"
#include "core/util.h"

int
restore_token_write(struct key_src *ks, EVP_PKEY *ca, const X509 *cert,
    int force, json_t **info)
{
	struct cakey ck = {0};
	int r;

	*info = NULL;
	if ((r = cakey_import(&ck, ks, ca)) != 0)
		return r;
	r = RC_CHECK;
	if (!pki_key_matches(ck.pkey, cert) ||
	    cakey_test_sign(cert, ck.pkey) == -1) {
		warnf("the key restored into the token does not sign for %s",
		    CA_CERT);
		cakey_discard(&ck);
		goto out;
	}
	r = RC_ERR;
	if (cakey_uri_write(ck.info.uri, force) == -1) {
		cakey_discard(&ck);
		goto out;
	}
	*info = cakey_json(&ck);
	r = 0;
out:
	cakey_free(&ck);
	return r;
}

int
restore_sign_reload(const char *pass, const struct sigkey *want)
{
	struct sigkey k = {0};
	unsigned char *text = NULL;
	size_t len = 0;
	int rv = RC_CHECK;

	if (file_read(SIGN_KEY, &text, &len, 4096) == -1)
		return RC_ERR;
	if (sigkey_decode_secret((char *)text, len, pass, &k) == 0 &&
	    memcmp(k.pk, want->pk, 32) == 0)
		rv = 0;
	else
		warnf("%s: does not read back as the key written", SIGN_KEY);
	sodium_memzero(text, len);
	free(text);
	sigkey_free(&k);
	return rv;
}
