/* libFuzzer: the vault parser. First byte even: the input is a vault file,
 * opened with a fixed key. First byte odd: the input is the plaintext,
 * sealed under a fixed header so the contents parser is reached. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backup/vault.h"

static const unsigned char key[32] = {1, 2, 3};

static void
open_file(const char *buf, size_t len)
{
	struct vault_header h;
	struct vault_item it[VAULT_MAX_ITEMS];
	char err[256];
	size_t n = 0, hdrlen, i;
	int rv;

	if (vault_header_parse(buf, len, &h, &hdrlen, err, sizeof(err)) == 0 &&
	    (hdrlen > len || buf[hdrlen - 1] != '\n'))
		abort();
	rv = vault_open(buf, len, key, &h, it, &n, err, sizeof(err));
	if (rv != 0 && n != 0)
		abort();
	for (i = 0; i < n; i++)
		if (it[i].len > VAULT_ITEM_MAX ||
		    vault_item_find(it, n, it[i].name) != &it[i])
			abort();
	vault_items_free(it, n);
}

static void
sealed(const uint8_t *pt, size_t len)
{
	static const char hdr[] =
	    "ceremony-vault 1\nname: fuzz\nca-sha256: "
	    "0000000000000000000000000000000000000000000000000000000000000000\n"
	    "sign-pub: RWSo6FdniMhjSE6nItpXrei+NGWld25tTmZm1+OSPW7dzuLiaPlBR1wW\n"
	    "created: 2025-01-01T00:00:00Z\nscheme: 3 of 5\nslip39-id: 1\n"
	    "slip39-passphrase: no\ncipher: xchacha20poly1305-ietf\n"
	    "nonce: 000000000000000000000000000000000000000000000000\n\n";
	unsigned char nonce[24] = {0}, *ct;
	unsigned long long cl;
	size_t b64len, o, i, clen = len + 16;
	char *b64, *file;

	ct = malloc(clen);
	b64len = sodium_base64_ENCODED_LEN(clen, sodium_base64_VARIANT_ORIGINAL);
	b64 = malloc(b64len);
	file = malloc(sizeof(hdr) + b64len + b64len / 64 + 2);
	if (ct == NULL || b64 == NULL || file == NULL)
		goto out;
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &cl, pt, len,
	    (const unsigned char *)hdr, sizeof(hdr) - 1, NULL, nonce, key);
	sodium_bin2base64(b64, b64len, ct, clen,
	    sodium_base64_VARIANT_ORIGINAL);
	memcpy(file, hdr, sizeof(hdr) - 1);
	o = sizeof(hdr) - 1;
	for (i = 0; b64[i] != 0;) {
		size_t l = strnlen(b64 + i, 64);

		memcpy(file + o, b64 + i, l);
		o += l;
		file[o++] = '\n';
		i += l;
	}
	open_file(file, o);
out:
	free(ct);
	free(b64);
	free(file);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;

	if (!init) {
		if (sodium_init() < 0)
			abort();
		init = 1;
	}
	if (size < 1 || size > 65536)
		return 0;
	if (data[0] & 1)
		sealed(data + 1, size - 1);
	else
		open_file((const char *)data + 1, size - 1);
	return 0;
}
