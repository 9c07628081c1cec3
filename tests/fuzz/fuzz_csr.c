/* CSR intake on arbitrary bytes: the PEM/DER reader, then csr_parse and
 * csr_check on each CSR it yields. No crash, no leak; whatever passes
 * must carry a key AWS accepts and the subject the template needs, and
 * the SubjectPublicKeyInfo kept for the certificate must be what
 * OpenSSL encodes for that key, its SHA-256 the key's hash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <sodium.h>

#include "core/util.h"
#include "sign/csr.h"

static const struct template_info tpl = {
	TP_COMMONNAME | TP_COUNTRY | TP_ORGUNIT | TP_ID, 1, NULL, NULL, NULL};

static void
spki_same(const struct csr *c)
{
	unsigned char *p = NULL, h[32];
	int n = i2d_PUBKEY(c->key, &p);

	if (n <= 0 || c->spki == NULL || (size_t)n != c->spkilen ||
	    memcmp(p, c->spki, c->spkilen) != 0)
		abort();
	crypto_hash_sha256(h, c->spki, c->spkilen);
	if (memcmp(h, c->key_sha256, 32) != 0)
		abort();
	OPENSSL_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct csr_in in;
	struct csr c;
	unsigned char *der;
	char label[64], err[512];
	size_t len;
	FILE *f;
	int r, n = 0;

	if (!init) {
		if (sodium_init() < 0)
			abort();
		init = 1;
	}
	if (size == 0 || (f = fmemopen((void *)data, size, "rb")) == NULL)
		return 0;
	if (csr_in_open(&in, "fuzz", f) == -1)
		abort();
	while ((r = csr_in_next(&in, &der, &len, label, sizeof(label), err,
	    sizeof(err))) != 0 && r != RC_ERR && n++ < 64) {
		if (r == 1 && csr_parse(der, len, &c, err, sizeof(err)) == 0) {
			spki_same(&c);
			if (csr_check(&c, &tpl, err, sizeof(err)) == 0) {
				if (c.copy == NULL || c.cn[0] == 0 ||
				    !template_thing_name_ok(c.cn) ||
				    X509_NAME_get_index_by_NID(c.copy,
					NID_countryName, -1) < 0 ||
				    X509_NAME_get_index_by_NID(c.copy,
					NID_organizationalUnitName, -1) < 0)
					abort();
			}
			csr_free(&c);
		}
		free(der);
	}
	csr_in_close(&in);
	fclose(f);
	return 0;
}
