/* minisign signature files: known answers from minisign 0.11, strict
 * parsing, every single-byte change rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "ca/minisig.h"

/* Made with: minisign -G -W; minisign -S -m msg -t ... -c ... */
static const char kat_keynum[] = "a8e8576788c86348";
static const char kat_sk[] =
    "2ec2b096ea0ede04d96529b0e511fd7812ee45ba9fa1f453a26dfe797d3f27bf"
    "a1c21d6ba5c0fc1bc1bc14bc83e200206f186ed12609528cb85c46856f1aa7b8";
static const char kat_msg[] = "hello ceremony\n";
static const char kat_untrusted[] = "signature from ceremony test";
static const char kat_trusted[] = "timestamp:1700000000\tfile:msg\thashed";
static const char kat_sig[] =
    "untrusted comment: signature from ceremony test\n"
    "RUSo6FdniMhjSE6nItpXrei+NGWld25tTmZm1+OSPW7dzuLiaPlBR1wWcUOie1DMGPaWG/"
    "+3ZpPT41Xdy8N9DBvQXk21zXL43g0=\n"
    "trusted comment: timestamp:1700000000\tfile:msg\thashed\n"
    "hyYaSJYHNCba8gUsVnj9IRz/oPsneRFOC0+ajWTBswLSXHyesxWHdH1nQMAKmM6HrTzNQ+"
    "Tvh3/QPQv92qsEDQ==\n";
/* minisign's default comments, other trusted comment. */
static const char kat_sig_default[] =
    "untrusted comment: signature from minisign secret key\n"
    "RUSo6FdniMhjSE6nItpXrei+NGWld25tTmZm1+OSPW7dzuLiaPlBR1wWcUOie1DMGPaWG/"
    "+3ZpPT41Xdy8N9DBvQXk21zXL43g0=\n"
    "trusted comment: timestamp:1795977096\tfile:msg\thashed\n"
    "l2uGGtGhQ7C+sQLb6inS3V0nMrbFO4ZdcMTqcDKpOxJCpTUCdkuIPlYFRWmuwwo5Ru2+"
    "Jtneetywk2QWXkbDDQ==\n";
/* minisign -l: not prehashed. */
static const char kat_sig_legacy[] =
    "untrusted comment: signature from minisign secret key\n"
    "RWSo6FdniMhjSIniNhzqYijAdgVa9zpU94gJK8CyW9R9LeFfRhWYAr3UCqUeDb+PCmn727/"
    "BzjIxAo9lUVXVAFyqxzfeoJJcFw4=\n"
    "trusted comment: timestamp:1700000000\tfile:msg\n"
    "LoGEcER4jLrESy1c36GVv9Ow4YCN6I3NVlksPAmAK/CHAb6g2Kq3CmANjSfXaSYyclv4DX1"
    "Ctmq8UnFVY48bCA==\n";

static void
hex(const char *s, unsigned char *out, size_t n)
{
	size_t i;
	unsigned int b;

	assert_int_equal(strlen(s), 2 * n);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(s + 2 * i, "%2x", &b), 1);
		out[i] = (unsigned char)b;
	}
}

/* Key from the fixture; sk in sodium_malloc memory as sigkey keeps it. */
static void
kat_key(struct sigkey *k)
{
	hex(kat_keynum, k->keynum, 8);
	k->sk = sodium_malloc(64);
	assert_non_null(k->sk);
	hex(kat_sk, k->sk, 64);
	memcpy(k->pk, k->sk + 32, 32);
}

static void
public_only(const struct sigkey *k, struct sigkey *pub)
{
	memcpy(pub->keynum, k->keynum, 8);
	memcpy(pub->pk, k->pk, 32);
	pub->sk = NULL;
}

static int
check(const char *text, const struct sigkey *pk, const char *msg, char *err,
    size_t errlen)
{
	struct minisig s;

	if (minisig_parse(text, strlen(text), &s, err, errlen) == -1)
		return -1;
	return minisig_verify(&s, pk, (const unsigned char *)msg, strlen(msg),
	    err, errlen);
}

static void
test_sign_matches_minisign(void **state)
{
	struct sigkey k;
	char *out;
	size_t len;

	kat_key(&k);
	assert_int_equal(minisig_sign(&k, (const unsigned char *)kat_msg,
			     strlen(kat_msg), kat_untrusted, kat_trusted, &out,
			     &len),
	    0);
	assert_int_equal(len, strlen(kat_sig));
	assert_string_equal(out, kat_sig);
	free(out);
	sodium_free(k.sk);
}

static void
test_verify_minisign_files(void **state)
{
	struct sigkey k, pub;
	struct minisig s;
	char err[256];

	kat_key(&k);
	public_only(&k, &pub);
	assert_int_equal(check(kat_sig, &pub, kat_msg, err, sizeof(err)), 0);
	assert_int_equal(
	    check(kat_sig_default, &pub, kat_msg, err, sizeof(err)), 0);
	assert_int_equal(minisig_parse(kat_sig_default,
			     strlen(kat_sig_default), &s, err, sizeof(err)),
	    0);
	assert_string_equal(s.untrusted, "signature from minisign secret key");
	assert_string_equal(s.trusted,
	    "timestamp:1795977096\tfile:msg\thashed");
	assert_memory_equal(s.keynum, k.keynum, 8);
	sodium_free(k.sk);
}

static void
test_keyid(void **state)
{
	unsigned char kn[8];
	char id[17];

	hex(kat_keynum, kn, 8);
	minisig_keyid(kn, id);
	/* as minisign prints it: "minisign public key 4863C8886757E8A8" */
	assert_string_equal(id, "4863C8886757E8A8");
}

static void
test_wrong_message_key_comment(void **state)
{
	struct sigkey k, pub, other;
	char err[256], *text;
	size_t n;

	kat_key(&k);
	public_only(&k, &pub);
	assert_int_equal(check(kat_sig, &pub, "hello ceremony!", err,
			     sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "does not match the signed file"));

	/* Same key id, different key: the signature itself fails. */
	other = pub;
	other.pk[0] ^= 1;
	assert_int_equal(check(kat_sig, &other, kat_msg, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "does not match"));

	other = pub;
	other.keynum[0] ^= 1;
	assert_int_equal(check(kat_sig, &other, kat_msg, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "signed by key id 4863C8886757E8A8, but the "
				 "public key has id 4863C8886757E8A9");

	/* Trusted comment changed: only the global signature notices. */
	text = strdup(kat_sig);
	assert_non_null(text);
	n = strstr(text, "1700000000") - text;
	text[n] = '2';
	assert_int_equal(check(text, &pub, kat_msg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "global signature"));
	free(text);
	sodium_free(k.sk);
}

static void
test_every_byte_flip(void **state)
{
	struct sigkey k, pub;
	size_t len = strlen(kat_sig), line1 = strchr(kat_sig, '\n') - kat_sig;
	char err[256], *text;
	size_t i;
	int mask, r;

	kat_key(&k);
	public_only(&k, &pub);
	text = malloc(len + 1);
	assert_non_null(text);
	for (mask = 1; mask <= 0x80; mask <<= 1) {
		for (i = 0; i < len; i++) {
			memcpy(text, kat_sig, len + 1);
			text[i] ^= (char)mask;
			r = check(text, &pub, kat_msg, err, sizeof(err));
			if (i < line1 && i >= strlen("untrusted comment: ") &&
			    text[i] != '\r' && text[i] != '\n' && text[i] != 0)
				/* The untrusted comment is not signed. */
				assert_int_equal(r, 0);
			else if (r != -1)
				fail_msg("flip 0x%02x at %zu accepted", mask,
				    i);
		}
	}
	free(text);
	sodium_free(k.sk);
}

static void
expect_parse_error(const char *text, size_t len, const char *msg)
{
	struct minisig s;
	char err[256];

	assert_int_equal(minisig_parse(text, len, &s, err, sizeof(err)), -1);
	if (strstr(err, msg) == NULL)
		fail_msg("error '%s' lacks '%s'", err, msg);
}

static void
test_parse_rejects(void **state)
{
	char buf[MINISIG_FILE_MAX + 16], *p;
	size_t len = strlen(kat_sig);

	expect_parse_error(kat_sig_legacy, strlen(kat_sig_legacy),
	    "legacy signature");
	expect_parse_error("", 0, "has 0 complete lines");
	expect_parse_error(kat_sig, len - 1, "has 3 complete lines");
	expect_parse_error(kat_sig, len + 1, "contains NUL");

	memcpy(buf, kat_sig, len);
	memcpy(buf + len, "x\n", 2);
	expect_parse_error(buf, len + 2, "data after the fourth line");

	/* CRLF line endings */
	snprintf(buf, sizeof(buf), "%s", kat_sig);
	p = strchr(buf, '\n');
	memmove(p + 1, p, strlen(p) + 1);
	*p = '\r';
	expect_parse_error(buf, strlen(buf), "carriage-return");

	snprintf(buf, sizeof(buf), "untrusted  comment: x%s",
	    strchr(kat_sig, '\n'));
	expect_parse_error(buf, strlen(buf), "line 1 must be");

	snprintf(buf, sizeof(buf), "%s", kat_sig);
	p = strstr(buf, "trusted comment: timestamp");
	p[0] = 'T';
	expect_parse_error(buf, strlen(buf), "line 3 must be");

	/* algorithm bytes "XX" */
	snprintf(buf, sizeof(buf), "%s", kat_sig);
	p = strchr(buf, '\n') + 1;
	memcpy(p, "WFg", 3); /* base64("XX") starts "WFg" */
	expect_parse_error(buf, strlen(buf), "unknown signature algorithm");

	/* base64 cut short, and with a character outside the alphabet */
	snprintf(buf, sizeof(buf), "%s", kat_sig);
	p = strchr(buf, '\n') + 1;
	memmove(p + 10, p + 14, strlen(p + 14) + 1);
	expect_parse_error(buf, strlen(buf), "line 2 is not");
	snprintf(buf, sizeof(buf), "%s", kat_sig);
	p = strrchr(buf, '=') - 3;
	*p = '*';
	expect_parse_error(buf, strlen(buf), "line 4 is not");

	/* comment over the limit; whole file over the limit */
	memcpy(buf, "untrusted comment: ", 19);
	memset(buf + 19, 'a', MINISIG_COMMENT_MAX + 1);
	snprintf(buf + 19 + MINISIG_COMMENT_MAX + 1, 400, "%s",
	    strchr(kat_sig, '\n'));
	expect_parse_error(buf, strlen(buf), "line 1 must be");
	memset(buf, 'a', sizeof(buf));
	expect_parse_error(buf, MINISIG_FILE_MAX + 1, "larger than");
}

static void
test_roundtrip_random_keys(void **state)
{
	struct sigkey k, pub;
	unsigned char msg[3000];
	char err[256], *text, trusted[64];
	struct minisig s;
	size_t len, n;
	int i;

	for (i = 0; i < 40; i++) {
		k.sk = sodium_malloc(64);
		assert_non_null(k.sk);
		assert_int_equal(crypto_sign_keypair(k.pk, k.sk), 0);
		randombytes_buf(k.keynum, 8);
		public_only(&k, &pub);
		n = (size_t)i * 73;
		randombytes_buf(msg, n);
		snprintf(trusted, sizeof(trusted), "n:%zu", n);
		assert_int_equal(minisig_sign(&k, msg, n, "", trusted, &text,
				     &len),
		    0);
		assert_int_equal(
		    minisig_parse(text, len, &s, err, sizeof(err)), 0);
		assert_string_equal(s.trusted, trusted);
		assert_string_equal(s.untrusted, "");
		assert_int_equal(
		    minisig_verify(&s, &pub, msg, n, err, sizeof(err)), 0);
		if (n > 0) {
			msg[n - 1] ^= 0x40;
			assert_int_equal(minisig_verify(&s, &pub, msg, n, err,
					     sizeof(err)),
			    -1);
		}
		free(text);
		sodium_free(k.sk);
	}
}

static void
test_sign_refuses(void **state)
{
	struct sigkey k, pub;
	char *text, big[MINISIG_COMMENT_MAX + 2];
	size_t len;

	kat_key(&k);
	public_only(&k, &pub);
	assert_int_equal(minisig_sign(&pub, (const unsigned char *)"x", 1, "a",
			     "b", &text, &len),
	    -1);
	assert_null(text);
	assert_int_equal(minisig_sign(&k, (const unsigned char *)"x", 1, "a",
			     "b\nc", &text, &len),
	    -1);
	assert_int_equal(minisig_sign(&k, (const unsigned char *)"x", 1,
			     "a\r", "b", &text, &len),
	    -1);
	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(minisig_sign(&k, (const unsigned char *)"x", 1, "a",
			     big, &text, &len),
	    -1);
	big[MINISIG_COMMENT_MAX] = 0; /* exactly the limit is fine */
	assert_int_equal(minisig_sign(&k, (const unsigned char *)"x", 1, big,
			     big, &text, &len),
	    0);
	free(text);
	/* a public key that does not belong to the secret key */
	k.pk[5] ^= 1;
	assert_int_equal(minisig_sign(&k, (const unsigned char *)"x", 1, "a",
			     "b", &text, &len),
	    -1);
	sodium_free(k.sk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sign_matches_minisign),
	    cmocka_unit_test(test_verify_minisign_files),
	    cmocka_unit_test(test_keyid),
	    cmocka_unit_test(test_wrong_message_key_comment),
	    cmocka_unit_test(test_every_byte_flip),
	    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_roundtrip_random_keys),
	    cmocka_unit_test(test_sign_refuses),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
