/* The backup vault: round trip, the documented format built by hand, the
 * header readable without the key, and every altered byte rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "backup/vault.h"
#include "core/util.h"

/* minisign public key of the bundle-signing key: "Ed" + keynum + pk */
static const char pub[] =
    "RWSo6FdniMhjSE6nItpXrei+NGWld25tTmZm1+OSPW7dzuLiaPlBR1wW";

static void
header(struct vault_header *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "Device Root CA");
	memset(h->ca_sha256, 0xab, 32);
	snprintf(h->sign_pub, sizeof(h->sign_pub), "%s", pub);
	snprintf(h->created, sizeof(h->created), "2025-01-02T03:04:05Z");
	snprintf(h->scheme, sizeof(h->scheme), "2 of 2 groups [3 of 5, 2 of 3]");
	h->slip39_id = 12345;
	h->slip39_pass = 1;
}

static char *
seal(const unsigned char *key, size_t *len)
{
	static unsigned char big[3000];
	struct vault_item it[2] = {
	    {"deviceRootCA.key", (unsigned char *)"-----BEGIN PRIVATE KEY-----\n",
		28},
	    {"ceremony.key", big, sizeof(big)},
	};
	struct vault_header h;
	char *out, err[256];

	memset(big, 0x5a, sizeof(big));
	header(&h);
	if (vault_seal(&h, key, it, 2, &out, len, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return out;
}

static void
test_roundtrip(void **state)
{
	unsigned char key[32];
	struct vault_header h, want;
	struct vault_item it[VAULT_MAX_ITEMS];
	const struct vault_item *f;
	char *file, err[256];
	size_t len, n, hdrlen;

	(void)state;
	randombytes_buf(key, sizeof(key));
	file = seal(key, &len);
	/* the header reads without the key */
	assert_int_equal(vault_header_parse(file, len, &h, &hdrlen, err,
	                     sizeof(err)), 0);
	header(&want);
	assert_string_equal(h.name, want.name);
	assert_memory_equal(h.ca_sha256, want.ca_sha256, 32);
	assert_string_equal(h.sign_pub, pub);
	assert_string_equal(h.created, want.created);
	assert_string_equal(h.scheme, want.scheme);
	assert_int_equal(h.slip39_id, 12345);
	assert_int_equal(h.slip39_pass, 1);
	assert_true(strncmp(file, "ceremony-vault 1\nname: Device Root CA\n"
	                          "ca-sha256: abababab",
	                37 + 20) == 0);
	assert_true(hdrlen > 2 && file[hdrlen - 1] == '\n' &&
	            file[hdrlen - 2] == '\n');
	/* and the contents with it */
	assert_int_equal(vault_open(file, len, key, &h, it, &n, err,
	                     sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_non_null(f = vault_item_find(it, n, "deviceRootCA.key"));
	assert_int_equal(f->len, 28);
	assert_memory_equal(f->data, "-----BEGIN PRIVATE KEY-----\n", 28);
	assert_non_null(f = vault_item_find(it, n, "ceremony.key"));
	assert_int_equal(f->len, 3000);
	assert_int_equal(f->data[2999], 0x5a);
	assert_null(vault_item_find(it, n, "other"));
	vault_items_free(it, n);
	/* a wrong key */
	key[0] ^= 1;
	assert_int_equal(vault_open(file, len, key, &h, it, &n, err,
	                     sizeof(err)), RC_CHECK);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, "authentication failed"));
	free(file);
}

/* The format as the README documents it, built with libsodium alone. */
static void
test_format_by_hand(void **state)
{
	static const char hdr[] =
	    "ceremony-vault 1\n"
	    "name: Acme CA\n"
	    "ca-sha256: 00112233445566778899aabbccddeeff00112233445566778899aa"
	    "bbccddeeff\n"
	    "sign-pub: RWSo6FdniMhjSE6nItpXrei+NGWld25tTmZm1+OSPW7dzuLiaPlBR1wW\n"
	    "created: 2030-12-31T23:59:59Z\n"
	    "scheme: 3 of 5\n"
	    "slip39-id: 0\n"
	    "slip39-passphrase: no\n"
	    "cipher: xchacha20poly1305-ietf\n"
	    "nonce: 000102030405060708090a0b0c0d0e0f1011121314151617\n"
	    "\n";
	static const char pt[] = "a.key 5\nhello"
	                         "b 0\n";
	unsigned char key[32], nonce[24], ct[sizeof(pt) - 1 + 16];
	char b64[200], file[1024], err[256], *mine;
	struct vault_header h;
	struct vault_item it[VAULT_MAX_ITEMS];
	unsigned long long cl, ml;
	size_t n, len, hdrlen, i, o;

	(void)state;
	for (i = 0; i < 32; i++)
		key[i] = (unsigned char)(0x80 + i);
	for (i = 0; i < 24; i++)
		nonce[i] = (unsigned char)i;
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &cl,
	                     (const unsigned char *)pt, sizeof(pt) - 1,
	                     (const unsigned char *)hdr, sizeof(hdr) - 1,
	                     NULL, nonce, key), 0);
	sodium_bin2base64(b64, sizeof(b64), ct, (size_t)cl,
	    sodium_base64_VARIANT_ORIGINAL);
	o = (size_t)snprintf(file, sizeof(file), "%s", hdr);
	for (i = 0; i < strlen(b64); i += 64)
		o += (size_t)snprintf(file + o, sizeof(file) - o, "%.64s\n",
		    b64 + i);
	if (vault_open(file, o, key, &h, it, &n, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(h.name, "Acme CA");
	assert_int_equal(h.slip39_id, 0);
	assert_int_equal(h.slip39_pass, 0);
	assert_memory_equal(h.nonce, nonce, 24);
	assert_int_equal(n, 2);
	assert_string_equal(it[0].name, "a.key");
	assert_memory_equal(it[0].data, "hello", 5);
	assert_string_equal(it[1].name, "b");
	assert_int_equal(it[1].len, 0);
	vault_items_free(it, n);
	/* and what vault_seal writes opens with libsodium alone */
	mine = seal(key, &len);
	assert_int_equal(vault_header_parse(mine, len, &h, &hdrlen, err,
	                     sizeof(err)), 0);
	{
		char *all = malloc(len);
		unsigned char *c = malloc(len), *m = malloc(len);
		size_t cn;

		assert_non_null(all);
		assert_non_null(c);
		assert_non_null(m);
		for (i = hdrlen, o = 0; i < len; i++)
			if (mine[i] != '\n')
				all[o++] = mine[i];
		assert_int_equal(sodium_base642bin(c, len, all, o, NULL, &cn,
		                     NULL, sodium_base64_VARIANT_ORIGINAL), 0);
		assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(m,
		                     &ml, NULL, c, cn,
		                     (const unsigned char *)mine, hdrlen,
		                     h.nonce, key), 0);
		assert_true(ml > 24);
		assert_memory_equal(m, "deviceRootCA.key 28\n", 20);
		free(all);
		free(c);
		free(m);
	}
	free(mine);
}

/* Every single-byte change and every truncation is rejected. */
static void
test_tamper(void **state)
{
	unsigned char key[32];
	struct vault_header h;
	struct vault_item it[VAULT_MAX_ITEMS];
	char *file, err[256];
	size_t len, n, i;
	int rv;

	(void)state;
	randombytes_buf(key, sizeof(key));
	file = seal(key, &len);
	for (i = 0; i < len; i++) {
		file[i] ^= 0x01;
		rv = vault_open(file, len, key, &h, it, &n, err, sizeof(err));
		if (rv == 0)
			fail_msg("flip at %zu accepted", i);
		assert_int_equal(n, 0);
		file[i] ^= 0x01;
	}
	for (i = 0; i < len; i++) {
		rv = vault_open(file, i, key, &h, it, &n, err, sizeof(err));
		if (rv == 0)
			fail_msg("truncation at %zu accepted", i);
	}
	assert_int_equal(vault_open(file, len, key, &h, it, &n, err,
	                     sizeof(err)), 0);
	vault_items_free(it, n);
	free(file);
}

static void
test_bad_headers(void **state)
{
	static const char *bad[] = {
	    "",
	    "ceremony-vault 2\n",
	    "ceremony-vault 1\nname: x\n",
	    "ceremony-vault 1\nname: \nca-sha256: ",
	    "ceremony-vault 1\nNAME: x\n",
	    "ceremony-vault 1\nname: x\nca-sha256: AB\n",
	};
	unsigned char key[32] = {0};
	struct vault_header h;
	struct vault_item it[2] = {{"ok", (unsigned char *)"x", 1},
	    {"bad name", (unsigned char *)"x", 1}};
	char *out, err[256], text[2048];
	size_t i, hdrlen, len;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vault_header_parse(bad[i], strlen(bad[i]), &h,
		                     &hdrlen, err, sizeof(err)), -1);
	assert_int_equal(vault_header_parse("nope", 4, &h, &hdrlen, err,
	                     sizeof(err)), -1);
	assert_non_null(strstr(err, "not a ceremony vault"));
	/* values that would break the header are refused when sealing */
	header(&h);
	snprintf(h.name, sizeof(h.name), "two\nlines");
	assert_int_equal(vault_seal(&h, key, it, 1, &out, &len, err,
	                     sizeof(err)), -1);
	header(&h);
	snprintf(h.sign_pub, sizeof(h.sign_pub), "not a key");
	assert_int_equal(vault_seal(&h, key, it, 1, &out, &len, err,
	                     sizeof(err)), -1);
	header(&h);
	h.slip39_id = 40000;
	assert_int_equal(vault_seal(&h, key, it, 1, &out, &len, err,
	                     sizeof(err)), -1);
	header(&h);
	assert_int_equal(vault_seal(&h, key, it, 2, &out, &len, err,
	                     sizeof(err)), -1);
	assert_int_equal(vault_seal(&h, key, it, 0, &out, &len, err,
	                     sizeof(err)), -1);
	if (vault_seal(&h, key, it, 1, &out, &len, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	/* a valid header followed by a re-wrapped body is refused */
	assert_int_equal(vault_header_parse(out, len, &h, &hdrlen, err,
	                     sizeof(err)), 0);
	assert_true(len - hdrlen < 64);
	snprintf(text, sizeof(text), "%.*s%.*s\n\n", (int)hdrlen, out,
	    (int)(len - hdrlen - 1), out + hdrlen);
	{
		struct vault_item got[VAULT_MAX_ITEMS];
		size_t n;

		assert_int_equal(vault_open(text, strlen(text), key, &h, got,
		                     &n, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "base64 lines"));
		assert_int_equal(vault_open(out, len, key, &h, got, &n, err,
		                     sizeof(err)), 0);
		vault_items_free(got, n);
	}
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_format_by_hand),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_bad_headers),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
