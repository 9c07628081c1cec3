/* SLIP-39: the spec's test vectors, known answers computed from the spec's
 * definitions, round trips over every T/N and length, error messages, and
 * the T-1 shares property. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "backup/slip39.h"

/* SLIP-0039 test vectors (python-shamir-mnemonic vectors.json, MIT); the
 * passphrase is "TREZOR"; an empty secret means combining must fail. */
static const struct vector {
	const char *name;
	const char *secret;
	const char *mn[6];
} vectors[] = {
	{"1. Valid mnemonic without sharing (128 bits)",
	    "bb54aac4b89dc868ba37d9cc21b2cece",
	    {
		"duckling enlarge academic academic agency result length solution fridge kidney coal piece deal husband erode duke ajar critical decision keyboard",
		NULL}},
	{"2. Mnemonic with invalid checksum (128 bits)",
	    "",
	    {
		"duckling enlarge academic academic agency result length solution fridge kidney coal piece deal husband erode duke ajar critical decision kidney",
		NULL}},
	{"3. Mnemonic with invalid padding (128 bits)",
	    "",
	    {
		"duckling enlarge academic academic email result length solution fridge kidney coal piece deal husband erode duke ajar music cargo fitness",
		NULL}},
	{"4. Basic sharing 2-of-3 (128 bits)",
	    "b43ceb7e57a0ea8766221624d01b0864",
	    {
		"shadow pistol academic always adequate wildlife fancy gross oasis cylinder mustang wrist rescue view short owner flip making coding armed",
		"shadow pistol academic acid actress prayer class unknown daughter sweater depict flip twice unkind craft early superior advocate guest smoking",
		NULL}},
	{"6. Mnemonics with different identifiers (128 bits)",
	    "",
	    {
		"adequate smoking academic acid debut wine petition glen cluster slow rhyme slow simple epidemic rumor junk tracks treat olympic tolerate",
		"adequate stay academic agency agency formal party ting frequent learn upstairs remember smear leaf damage anatomy ladle market hush corner",
		NULL}},
	{"11. Mnemonics with duplicate member indices (128 bits)",
	    "",
	    {
		"device stay academic always dive coal antenna adult black exceed stadium herald advance soldier busy dryer daughter evaluate minister laser",
		"device stay academic always dwarf afraid robin gravity crunch adjust soul branch walnut coastal dream costume scholar mortgage mountain pumps",
		NULL}},
	{"13. Mnemonics giving an invalid digest (128 bits)",
	    "",
	    {
		"guilt walnut academic acid deliver remove equip listen vampire tactics nylon rhythm failure husband fatigue alive blind enemy teaspoon rebound",
		"guilt walnut academic agency brave hamster hobo declare herd taste alpha slim criminal mild arcade formal romp branch pink ambition",
		NULL}},
	{"16. Threshold number of groups, but insufficient number of members in one group (128 bits)",
	    "",
	    {
		"eraser senior decision shadow artist work morning estate greatest pipeline plan ting petition forget hormone flexible general goat admit surface",
		"eraser senior beard romp adorn nuclear spill corner cradle style ancient family general leader ambition exchange unusual garlic promise voice",
		NULL}},
	{"17. Threshold number of groups and members in each group (128 bits, case 1)",
	    "7c3397a292a5941682d7a4ae2d898d11",
	    {
		"eraser senior decision roster beard treat identify grumpy salt index fake aviation theater cubic bike cause research dragon emphasis counter",
		"eraser senior ceramic snake clay various huge numb argue hesitate auction category timber browser greatest hanger petition script leaf pickup",
		"eraser senior ceramic shaft dynamic become junior wrist silver peasant force math alto coal amazing segment yelp velvet image paces",
		"eraser senior ceramic round column hawk trust auction smug shame alive greatest sheriff living perfect corner chest sled fumes adequate",
		"eraser senior decision smug corner ruin rescue cubic angel tackle skin skunk program roster trash rumor slush angel flea amazing",
		NULL}},
	{"20. Valid mnemonic without sharing (256 bits)",
	    "989baf9dcaad5b10ca33dfd8cc75e42477025dce88ae83e75a230086a0e00e92",
	    {
		"theory painting academic academic armed sweater year military elder discuss acne wildlife boring employer fused large satoshi bundle carbon diagnose anatomy hamster leaves tracks paces beyond phantom capital marvel lips brave detect luck",
		NULL}},
	{"23. Basic sharing 2-of-3 (256 bits)",
	    "c938b319067687e990e05e0da0ecce1278f75ff58d9853f19dcaeed5de104aae",
	    {
		"humidity disease academic always aluminum jewelry energy woman receiver strategy amuse duckling lying evidence network walnut tactics forget hairy rebound impulse brother survive clothes stadium mailman rival ocean reward venture always armed unwrap",
		"humidity disease academic agency actress jacket gross physics cylinder solution fake mortgage benefit public busy prepare sharp friar change work slow purchase ruler again tricycle involve viral wireless mixture anatomy desert cargo upgrade",
		NULL}},
	{"39. Mnemonic with insufficient length",
	    "",
	    {
		"junk necklace academic academic acne isolate join hesitate lunar roster dough calcium chemical ladybug amount mobile glasses verify cylinder",
		NULL}},
	{"41. Valid mnemonics which can detect some errors in modular arithmetic",
	    "ad6f2ad8b59bbbaa01369b9006208d9a",
	    {
		"herald flea academic cage avoid space trend estate dryer hairy evoke eyebrow improve airline artwork garlic premium duration prevent oven",
		"herald flea academic client blue skunk class goat luxury deny presence impulse graduate clay join blanket bulge survive dish necklace",
		"herald flea academic acne advance fused brother frozen broken game ranked ajar already believe check install theory angry exercise adult",
		NULL}},
	{"42. Valid extendable mnemonic without sharing (128 bits)",
	    "1679b4516e0ee5954351d288a838f45e",
	    {
		"testify swimming academic academic column loyalty smear include exotic bedroom exotic wrist lobe cover grief golden smart junior estimate learn",
		NULL}},
	{"43. Extendable basic sharing 2-of-3 (128 bits)",
	    "48b1a4b80b8c209ad42c33672bdaa428",
	    {
		"enemy favorite academic acid cowboy phrase havoc level response walnut budget painting inside trash adjust froth kitchen learn tidy punish",
		"enemy favorite academic always academic sniff script carpet romp kind promise scatter center unfair training emphasis evening belong fake enforce",
		NULL}},
	{"44. Valid extendable mnemonic without sharing (256 bits)",
	    "8340611602fe91af634a5f4608377b5235fa2d757c51d720c0c7656249a3035f",
	    {
		"impulse calcium academic academic alcohol sugar lyrics pajamas column facility finance tension extend space birthday rainbow swimming purple syndrome facility trial warn duration snapshot shadow hormone rhyme public spine counter easy hawk album",
		NULL}},
	{"45. Extendable basic sharing 2-of-3 (256 bits)",
	    "8dc652d6d6cd370d8c963141f6d79ba440300f25c467302c1d966bff8f62300d",
	    {
		"western apart academic always artist resident briefing sugar woman oven coding club ajar merit pecan answer prisoner artist fraction amount desktop mild false necklace muscle photo wealthy alpha category unwrap spew losing making",
		"western apart academic acid answer ancient auction flip image penalty oasis beaver multiple thunder problem switch alive heat inherit superior teaspoon explain blanket pencil numb lend punish endless aunt garlic humidity kidney observe",
		NULL}},
};

static void
hex(const char *h, uint8_t *out, size_t *len)
{
	size_t n;

	assert_int_equal(sodium_hex2bin(out, 64, h, strlen(h), NULL, &n, NULL),
	    0);
	*len = n;
}

static void
test_vectors(void **state)
{
	struct slip39_share sh[6];
	uint8_t ms[64], want[64];
	char err[512];
	size_t i, n, len, wlen;
	int ok;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		ok = 1;
		for (n = 0; vectors[i].mn[n] != NULL; n++)
			if (slip39_decode(vectors[i].mn[n], &sh[n], err,
			        sizeof(err)) == -1)
				ok = 0;
		if (ok)
			ok = slip39_combine(sh, n, NULL, "TREZOR", ms, &len, err,
			         sizeof(err)) == 0;
		if (vectors[i].secret[0] == 0) {
			if (ok)
				fail_msg("%s: combined", vectors[i].name);
			continue;
		}
		if (!ok)
			fail_msg("%s: %s", vectors[i].name, err);
		hex(vectors[i].secret, want, &wlen);
		assert_int_equal(len, wlen);
		assert_memory_equal(ms, want, len);
	}
}

/* Vector 1 is a 1-of-1 share: its value is the encrypted master secret. */
static void
test_vector_ems(void **state)
{
	struct slip39_share sh;
	uint8_t ms[16], want[64], enc[16];
	char err[256], mn[SLIP39_MAX_MNEMONIC];
	size_t wlen;

	(void)state;
	assert_int_equal(slip39_decode(vectors[0].mn[0], &sh, err,
	                     sizeof(err)), 0);
	assert_int_equal(sh.ext, 0);
	assert_int_equal(sh.len, 16);
	assert_int_equal(sh.group_threshold, 1);
	assert_int_equal(sh.member_threshold, 1);
	assert_int_equal(slip39_decrypt(sh.value, 16, "TREZOR", sh.exp, sh.id,
	                     sh.ext, ms), 0);
	hex(vectors[0].secret, want, &wlen);
	assert_memory_equal(ms, want, 16);
	assert_int_equal(slip39_encrypt(ms, 16, "TREZOR", sh.exp, sh.id,
	                     sh.ext, enc), 0);
	assert_memory_equal(enc, sh.value, 16);
	/* and encoding the decoded share gives the same words */
	assert_int_equal(slip39_encode(&sh, mn, sizeof(mn)), 0);
	assert_string_equal(mn, vectors[0].mn[0]);
}

/* Checksums of an all-zero 17-word data part, from the spec's Python
 * definition, under both customization strings. */
static void
test_rs1024(void **state)
{
	uint16_t v[20] = {0};

	(void)state;
	v[17] = 733, v[18] = 49, v[19] = 849;
	assert_int_equal(slip39_rs1024_polymod(0, v, 20), 1);
	assert_int_not_equal(slip39_rs1024_polymod(1, v, 20), 1);
	v[17] = 95, v[18] = 500, v[19] = 684;
	assert_int_equal(slip39_rs1024_polymod(1, v, 20), 1);
	assert_int_not_equal(slip39_rs1024_polymod(0, v, 20), 1);
}

/* Feistel encryption, values computed from the spec's definition with an
 * independent model (Python hashlib.pbkdf2_hmac). */
static void
test_feistel_kat(void **state)
{
	static const uint8_t kat1[16] = {0xe5, 0x41, 0x96, 0xc4, 0x5a, 0xcc,
	    0x9c, 0x07, 0x4c, 0x0e, 0x3e, 0x72, 0xe6, 0x17, 0xca, 0xcb};
	static const uint8_t kat2[16] = {0x83, 0x76, 0xb0, 0xea, 0x5b, 0x00,
	    0x4f, 0x0f, 0x7c, 0xf8, 0x3f, 0x4a, 0xf6, 0xd3, 0x2e, 0x52};
	static const uint8_t kat3[32] = {0x68, 0x95, 0x12, 0x87, 0x9b, 0x91,
	    0x8d, 0x44, 0xeb, 0xbd, 0xc6, 0x57, 0xca, 0xb3, 0x93, 0xdd, 0xc3,
	    0x53, 0x24, 0x30, 0x7b, 0x16, 0xd4, 0xfa, 0x1a, 0xee, 0x84, 0x77,
	    0x99, 0x3b, 0xd4, 0xe6};
	uint8_t ms[32], out[32], back[32];
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		ms[i] = (uint8_t)i;
	/* ext = 0: salt "shamir" || id (7), e = 0 */
	assert_int_equal(slip39_encrypt(ms, 16, "TREZOR", 0, 7, 0, out), 0);
	assert_memory_equal(out, kat1, 16);
	assert_int_equal(slip39_decrypt(out, 16, "TREZOR", 0, 7, 0, back), 0);
	assert_memory_equal(back, ms, 16);
	/* ext = 1: no salt prefix, the id does not matter; e = 1 */
	assert_int_equal(slip39_encrypt(ms, 16, "", 1, 7, 1, out), 0);
	assert_memory_equal(out, kat2, 16);
	assert_int_equal(slip39_encrypt(ms, 16, "", 1, 12345, 1, out), 0);
	assert_memory_equal(out, kat2, 16);
	for (i = 0; i < 32; i++)
		ms[i] = (uint8_t)(0x20 + i);
	assert_int_equal(slip39_encrypt(ms, 32, "x y", 0, 0, 1, out), 0);
	assert_memory_equal(out, kat3, 32);
	assert_int_equal(slip39_decrypt(out, 32, "x y", 0, 0, 1, back), 0);
	assert_memory_equal(back, ms, 32);
	/* a passphrase outside printable ASCII is refused */
	assert_int_equal(slip39_encrypt(ms, 32, "caf\xc3\xa9", 0, 0, 1, out),
	    -1);
	assert_int_equal(slip39_encrypt(ms, 15, "", 0, 0, 1, out), -1);
}

/* Deterministic "random" bytes: a counter, consumed in the spec's order
 * (R of the digest share first, then the T-2 random shares). */
static void
counter_rng(void *ctx, uint8_t *buf, size_t len)
{
	uint8_t *c = ctx;
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (*c)++;
}

static void
test_split_kat(void **state)
{
	static const uint8_t kat35[5][16] = {
	    {0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
		0xb7, 0xb8, 0xb9, 0xba, 0xbb},
	    {0x68, 0xde, 0xde, 0x8d, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,
		0x1b, 0x1c, 0x1d, 0x1e, 0x1f},
	    {0x7e, 0x59, 0xe0, 0x3b, 0xc5, 0xc4, 0xc7, 0xc6, 0xa7, 0xa6, 0xa5,
		0xa4, 0xcd, 0xcc, 0xcf, 0xce},
	    {0xba, 0x2a, 0x90, 0x19, 0x61, 0x60, 0x63, 0x62, 0x0b, 0x0a, 0x09,
		0x08, 0x69, 0x68, 0x6b, 0x6a},
	    {0x0c, 0x16, 0xbc, 0xf1, 0xc2, 0xc3, 0xc0, 0xc1, 0xc9, 0xc8, 0xcb,
		0xca, 0xca, 0xcb, 0xc8, 0xc9}};
	static const uint8_t kat22[2][32] = {
	    {0xd1, 0xd5, 0x2f, 0xf9, 0x4e, 0x4f, 0x4c, 0x4d, 0xfb, 0xfa, 0xf9,
		0xf8, 0x46, 0x47, 0x44, 0x45, 0x8a, 0x8b, 0x88, 0x89, 0x8c,
		0x8d, 0x8e, 0x8f, 0x39, 0x38, 0x3b, 0x3a, 0x84, 0x85, 0x86,
		0x87},
	    {0x78, 0x10, 0xa3, 0x39, 0x7a, 0x7b, 0x78, 0x79, 0xc7, 0xc6, 0xc5,
		0xc4, 0x72, 0x73, 0x70, 0x71, 0xa6, 0xa7, 0xa4, 0xa5, 0x98,
		0x99, 0x9a, 0x9b, 0x25, 0x24, 0x27, 0x26, 0x90, 0x91, 0x92,
		0x93}};
	uint8_t s[32], out[5 * 32], xs[3], ys[3 * 32], rec[32], ctr;
	int i, a, b, c;

	(void)state;
	for (i = 0; i < 32; i++)
		s[i] = (uint8_t)(i < 16 ? i : 0x20 + i - 16);
	ctr = 0xa0;
	assert_int_equal(slip39_split_secret(3, 5, s, 16, out, counter_rng,
	                     &ctr), 0);
	for (i = 0; i < 5; i++)
		assert_memory_equal(out + i * 16, kat35[i], 16);
	/* every 3 of the 5 recover the secret and pass the digest check */
	for (a = 0; a < 5; a++)
		for (b = a + 1; b < 5; b++)
			for (c = b + 1; c < 5; c++) {
				xs[0] = (uint8_t)a, xs[1] = (uint8_t)b;
				xs[2] = (uint8_t)c;
				memcpy(ys, out + a * 16, 16);
				memcpy(ys + 16, out + b * 16, 16);
				memcpy(ys + 32, out + c * 16, 16);
				assert_int_equal(slip39_recover_secret(3, xs, ys,
				                     3, 16, rec), 0);
				assert_memory_equal(rec, s, 16);
			}
	/* two of them fail the digest check */
	assert_int_equal(slip39_recover_secret(3, xs, ys, 2, 16, rec), -1);
	for (i = 0; i < 32; i++)
		s[i] = (uint8_t)(0x20 + i);
	ctr = 0x10;
	assert_int_equal(slip39_split_secret(2, 2, s, 32, out, counter_rng,
	                     &ctr), 0);
	assert_memory_equal(out, kat22[0], 32);
	assert_memory_equal(out + 32, kat22[1], 32);
	/* bad parameters */
	assert_int_equal(slip39_split_secret(3, 2, s, 32, out, NULL, NULL), -1);
	assert_int_equal(slip39_split_secret(0, 2, s, 32, out, NULL, NULL), -1);
	assert_int_equal(slip39_split_secret(2, 17, s, 32, out, NULL, NULL),
	    -1);
	assert_int_equal(slip39_split_secret(2, 3, s, 15, out, NULL, NULL), -1);
	/* repeated x values cannot be interpolated */
	xs[0] = xs[1] = 4;
	assert_int_equal(slip39_interpolate(xs, ys, 2, 16, 255, rec), -1);
}

/* A random t-subset of 0..n-1 in idx. */
static void
pick(int t, int n, uint8_t *idx)
{
	uint8_t all[16];
	int i, j;

	for (i = 0; i < n; i++)
		all[i] = (uint8_t)i;
	for (i = 0; i < t; i++) {
		j = i + (int)randombytes_uniform((uint32_t)(n - i));
		idx[i] = all[j];
		all[j] = all[i];
		all[i] = idx[i];
	}
}

/* Shamir layer and mnemonic text for every T <= N <= 16 and every
 * allowed length; 3 subsets each (first T, last T, random T). */
static void
test_roundtrip_all(void **state)
{
	struct slip39_share sh, back;
	uint8_t s[64], *out, xs[16], ys[16 * 64], rec[64];
	char mn[SLIP39_MAX_MNEMONIC], err[256];
	int t, n, len, k, i, words;

	(void)state;
	out = malloc(16 * 64);
	assert_non_null(out);
	for (t = 1; t <= 16; t++)
		for (n = t; n <= 16; n++)
			for (len = 16; len <= 64; len += 2) {
				randombytes_buf(s, (size_t)len);
				assert_int_equal(slip39_split_secret((uint8_t)t,
				                     (uint8_t)n, s, (size_t)len,
				                     out, NULL, NULL), 0);
				for (k = 0; k < 3; k++) {
					if (k == 2)
						pick(t, n, xs);
					else
						for (i = 0; i < t; i++)
							xs[i] = (uint8_t)(k ?
							    n - t + i : i);
					for (i = 0; i < t; i++)
						memcpy(ys + i * len,
						    out + xs[i] * len,
						    (size_t)len);
					assert_int_equal(slip39_recover_secret(
					    (uint8_t)t, xs, ys, (size_t)t,
					    (size_t)len, rec), 0);
					assert_memory_equal(rec, s,
					    (size_t)len);
				}
				/* each share through its words and back */
				memset(&sh, 0, sizeof(sh));
				sh.id = (uint16_t)randombytes_uniform(32768);
				sh.ext = (uint8_t)(len & 2 ? 1 : 0);
				sh.exp = (uint8_t)(n - 1);
				sh.group_index = (uint8_t)(t - 1);
				sh.group_threshold = (uint8_t)t;
				sh.group_count = (uint8_t)n;
				sh.member_index = (uint8_t)(n - 1);
				sh.member_threshold = (uint8_t)t;
				sh.len = (uint8_t)len;
				memcpy(sh.value, out + (n - 1) * len,
				    (size_t)len);
				assert_int_equal(slip39_encode(&sh, mn,
				                     sizeof(mn)), 0);
				for (words = 1, i = 0; mn[i]; i++)
					words += mn[i] == ' ';
				assert_int_equal(words,
				    7 + (8 * len + 9) / 10);
				if (slip39_decode(mn, &back, err, sizeof(err)))
					fail_msg("%s", err);
				assert_memory_equal(&back, &sh, sizeof(sh));
			}
	free(out);
}

static void
scheme1(struct slip39_scheme *s, int t, int n)
{
	memset(s, 0, sizeof(*s));
	s->group_threshold = 1;
	s->group_count = 1;
	s->groups[0].threshold = (uint8_t)t;
	s->groups[0].count = (uint8_t)n;
	s->exp = 0;
	s->ext = 1;
}

/* GenerateShares .. combine through mnemonic text, for every T/N with a
 * 256-bit secret and every length for 3 of 5. */
static void
test_generate_all(void **state)
{
	struct slip39_scheme s;
	struct slip39_share sh[16], use[16];
	uint8_t ms[64], rec[64], idx[16];
	char mn[SLIP39_MAX_MNEMONIC], err[256];
	size_t len, rlen;
	int t, n, i;

	(void)state;
	for (t = 1; t <= 16; t++)
		for (n = t; n <= 16; n++) {
			if (t == 1 && n > 1)
				continue;
			for (len = 16; len <= 64; len += 2) {
				if (len != 32 && !(t == 3 && n == 5))
					continue;
				scheme1(&s, t, n);
				randombytes_buf(ms, len);
				assert_int_equal(slip39_generate(&s, ms, len,
				                     "pass", -1, sh, err,
				                     sizeof(err)), 0);
				pick(t, n, idx);
				for (i = 0; i < t; i++) {
					assert_int_equal(slip39_encode(
					    &sh[idx[i]], mn, sizeof(mn)), 0);
					assert_int_equal(slip39_decode(mn,
					    &use[i], err, sizeof(err)), 0);
				}
				if (slip39_combine(use, (size_t)t, NULL, "pass",
				        rec, &rlen, err, sizeof(err)))
					fail_msg("%d/%d: %s", t, n, err);
				assert_int_equal(rlen, len);
				assert_memory_equal(rec, ms, len);
			}
		}
}

/* T-1 shares say nothing: for each byte position every candidate secret
 * byte is consistent with exactly one completing share, so the T-1 shares
 * leave all 256 secrets equally possible. Checked exhaustively over
 * GF(256) for T = 2..6. */
static void
test_t_minus_1(void **state)
{
	uint8_t s[16], out[16 * 16], xs[16], ys[16], y[1], back[1];
	uint8_t seen[256];
	int t, cand, i, pos;

	(void)state;
	for (t = 2; t <= 6; t++) {
		randombytes_buf(s, sizeof(s));
		assert_int_equal(slip39_split_secret((uint8_t)t, 8, s, 16, out,
		                     NULL, NULL), 0);
		for (pos = 0; pos < 16; pos += 5) {
			memset(seen, 0, sizeof(seen));
			for (cand = 0; cand < 256; cand++) {
				/* T-1 shares (x = 0..T-2) plus a guess at 255 */
				for (i = 0; i < t - 1; i++) {
					xs[i] = (uint8_t)i;
					ys[i] = out[i * 16 + pos];
				}
				xs[t - 1] = 255;
				ys[t - 1] = (uint8_t)cand;
				/* the unique share x = 7 completing that guess */
				assert_int_equal(slip39_interpolate(xs, ys,
				                     (size_t)t, 1, 7, y), 0);
				seen[y[0]]++;
				/* and those T shares give back the guess */
				xs[t - 1] = 7;
				ys[t - 1] = y[0];
				assert_int_equal(slip39_interpolate(xs, ys,
				                     (size_t)t, 1, 255, back), 0);
				assert_int_equal(back[0], cand);
			}
			/* a bijection: each completing share, one secret */
			for (i = 0; i < 256; i++)
				assert_int_equal(seen[i], 1);
			/* the true completion is the real share 7 */
			for (i = 0; i < t - 1; i++) {
				xs[i] = (uint8_t)i;
				ys[i] = out[i * 16 + pos];
			}
			xs[t - 1] = 255;
			ys[t - 1] = s[pos];
			assert_int_equal(slip39_interpolate(xs, ys, (size_t)t,
			                     1, 7, y), 0);
			assert_int_equal(y[0], out[7 * 16 + pos]);
		}
	}
}

static void
test_words(void **state)
{
	char w[16];
	int i;

	(void)state;
	for (i = 0; i < SLIP39_WORDS; i++) {
		assert_int_equal(slip39_word_index(slip39_wordlist[i]), i);
		snprintf(w, sizeof(w), "%.4s", slip39_wordlist[i]);
		assert_int_equal(slip39_word_index(w), i);
		if (i > 0)
			assert_true(strcmp(slip39_wordlist[i - 1],
			                slip39_wordlist[i]) < 0);
	}
	assert_int_equal(slip39_word_index("ACADEMIC"), 0);
	assert_int_equal(slip39_word_index("AcAd"), 0);
	assert_int_equal(slip39_word_index("acade"), 0);
	assert_int_equal(slip39_word_index("acadx"), -1);
	assert_int_equal(slip39_word_index("aca"), -1);
	assert_int_equal(slip39_word_index("academics"), -1);
	assert_int_equal(slip39_word_index("zero"), 1023);
	assert_int_equal(slip39_word_index("ac1d"), -1);
	assert_int_equal(slip39_word_index(""), -1);
}

static void
test_decode_forms_and_errors(void **state)
{
	const char *v = vectors[0].mn[0];
	struct slip39_share a, b;
	char buf[1024], err[256], *p;
	size_t i, o;

	(void)state;
	assert_int_equal(slip39_decode(v, &a, err, sizeof(err)), 0);
	/* upper case, extra white space, 4-letter prefixes */
	for (i = 0, o = 0, p = buf; v[i]; i++)
		buf[o++] = v[i] == ' ' ? '\t' : (char)(v[i] & ~0x20);
	buf[o] = 0;
	snprintf(buf + o, sizeof(buf) - o, "  \n");
	assert_int_equal(slip39_decode(buf, &b, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(slip39_decode("  dUcK enla acad acad agen resu leng "
	                               "solu frid kidn coal piec deal husb "
	                               "erod duke ajar crit deci keyb ",
	                     &b, err, sizeof(err)),
	    0);
	assert_memory_equal(&a, &b, sizeof(a));
	/* unknown word: position and closest words */
	assert_int_equal(slip39_decode("duckling enlarge academic acadmic "
	                               "agency result",
	                     &b, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "word 4 \"acadmic\" is not a SLIP-39 "));
	assert_non_null(strstr(err, "closest: academic"));
	/* one wrong word: the checksum names it */
	snprintf(buf, sizeof(buf), "%s", v);
	p = strstr(buf, "fridge");
	memcpy(p, "friend", 6);
	assert_int_equal(slip39_decode(buf, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "checksum failed: word 9 may be \"fridge\"; "
	                         "compare it with the share sheet");
	/* two swapped words: no single repair */
	assert_int_equal(slip39_decode("enlarge duckling academic academic "
	                               "agency result length solution fridge "
	                               "kidney coal piece deal husband erode "
	                               "duke ajar critical keyboard decision",
	                     &b, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "checksum failed: words are wrong"));
	/* too short, bad length */
	assert_int_equal(slip39_decode("duckling enlarge academic", &b, err,
	                     sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "3 words is not a share"));
	assert_int_equal(slip39_decode(vectors[11].mn[0], &b, err,
	                     sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "is not a share"));
	/* invalid padding */
	assert_int_equal(slip39_decode(vectors[2].mn[0], &b, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "invalid padding: not a valid share");
	assert_int_equal(slip39_decode("", &b, err, sizeof(err)), -1);
}

static void
test_combine_errors(void **state)
{
	struct slip39_scheme s = {0};
	struct slip39_share sh[8], use[8], other[5];
	uint8_t ms[32], rec[32];
	char err[512];
	size_t len;

	(void)state;
	/* 2 of groups [3 of 5, 2 of 3] */
	s.group_threshold = 2;
	s.group_count = 2;
	s.groups[0].threshold = 3;
	s.groups[0].count = 5;
	s.groups[1].threshold = 2;
	s.groups[1].count = 3;
	s.ext = 1;
	randombytes_buf(ms, sizeof(ms));
	assert_int_equal(slip39_generate(&s, ms, 32, "", -1, sh, err,
	                     sizeof(err)), 0);
	assert_int_equal(sh[0].group_count, 2);
	assert_int_equal(sh[5].group_index, 1);
	/* 3 of group 1 and 2 of group 2 */
	use[0] = sh[4], use[1] = sh[0], use[2] = sh[2], use[3] = sh[7];
	use[4] = sh[5];
	assert_int_equal(slip39_combine(use, 5, NULL, "", rec, &len, err,
	                     sizeof(err)), 0);
	assert_memory_equal(rec, ms, 32);
	/* extra shares that agree are accepted */
	use[5] = sh[1], use[6] = sh[6];
	assert_int_equal(slip39_combine(use, 7, NULL, "", rec, &len, err,
	                     sizeof(err)), 0);
	assert_memory_equal(rec, ms, 32);
	/* an altered extra share is caught */
	use[5].value[3] ^= 1;
	assert_int_equal(slip39_combine(use, 7, NULL, "", rec, &len, err,
	                     sizeof(err)), -1);
	assert_string_equal(err, "share 6 does not agree with the other "
	                         "shares of group 1: it is wrong or altered");
	/* too few: says which group needs how many */
	assert_int_equal(slip39_combine(use, 4, NULL, "", rec, &len, err,
	                     sizeof(err)), -1);
	assert_string_equal(err, "too few shares: 2 of 2 groups are needed "
	                         "and 1 is complete; group 2 has 1 of 2 (1 "
	                         "more)");
	assert_int_equal(slip39_combine(use, 2, NULL, "", rec, &len, err,
	                     sizeof(err)), -1);
	assert_string_equal(err, "too few shares: 2 of 2 groups are needed "
	                         "and 0 are complete; group 1 has 2 of 3 (1 "
	                         "more); 1 group has no shares yet");
	/* duplicates */
	use[1] = use[0];
	assert_int_equal(slip39_combine(use, 5, NULL, "", rec, &len, err,
	                     sizeof(err)), -1);
	assert_string_equal(err, "share 2 is a duplicate of share 1 (group 1, "
	                         "member 5): give a different share");
	/* a share of another backup */
	scheme1(&s, 3, 5);
	assert_int_equal(slip39_generate(&s, ms, 32, "", (sh[0].id + 1) & 0x7fff,
	                     other, err, sizeof(err)), 0);
	use[1] = other[1];
	assert_int_equal(slip39_combine(use, 5, NULL, "", rec, &len, err,
	                     sizeof(err)), -1);
	assert_non_null(strstr(err, "share 2 is from a different backup"));
	/* names label the shares */
	{
		const char *names[] = {"a.txt", "b.txt"};

		assert_int_equal(slip39_combine(use, 2, names, "", rec, &len,
		                     err, sizeof(err)), -1);
		assert_non_null(strstr(err, "b.txt is from a different backup "
		                            "than a.txt"));
	}
	/* single group */
	assert_int_equal(slip39_combine(other, 2, NULL, "", rec, &len, err,
	                     sizeof(err)), -1);
	assert_string_equal(err, "too few shares: have 2 of the 3 needed (1 "
	                         "more)");
	assert_int_equal(slip39_combine(other, 0, NULL, "", rec, &len, err,
	                     sizeof(err)), -1);
	/* a wrong passphrase decrypts to another secret, without error */
	assert_int_equal(slip39_combine(other, 3, NULL, "wrong", rec, &len,
	                     err, sizeof(err)), 0);
	assert_memory_not_equal(rec, ms, 32);
	assert_int_equal(slip39_combine(other, 3, NULL, "", rec, &len, err,
	                     sizeof(err)), 0);
	assert_memory_equal(rec, ms, 32);
}

/* What the combiner and the decoder say about header fields that do not
 * fit: the extendable flag, the iteration exponent, a group index not
 * below the group count (SLIP-39: the x of a group share, 0..G-1). */
static void
test_header_checks(void **state)
{
	const char *names[] = {"a.txt", "b.txt", "c.txt"};
	struct slip39_scheme s;
	struct slip39_share sh[5], use[3], b;
	char err[512], mn[SLIP39_MAX_MNEMONIC];
	uint8_t ms[16], rec[16];
	size_t len;

	(void)state;
	scheme1(&s, 3, 5);
	s.exp = 1;
	randombytes_buf(ms, sizeof(ms));
	assert_int_equal(slip39_generate(&s, ms, 16, "", 19700, sh, err,
	                     sizeof(err)), 0);
	memcpy(use, sh, sizeof(use));
	assert_int_equal(slip39_combine(use, 3, names, "", rec, &len, err,
	                     sizeof(err)), 0);
	/* the extendable flag alone */
	use[1].ext = 0;
	assert_int_equal(slip39_combine(use, 3, names, "", rec, &len, err,
	                     sizeof(err)), -1);
	assert_string_equal(err, "b.txt is from a different backup than a.txt "
	                         "(the same identifier 19700, but extendable "
	                         "flag 0, not 1): use shares of one backup");
	/* the iteration exponent alone */
	memcpy(use, sh, sizeof(use));
	use[2].exp = 3;
	assert_int_equal(slip39_combine(use, 3, names, "", rec, &len, err,
	                     sizeof(err)), -1);
	assert_string_equal(err, "c.txt is from a different backup than a.txt "
	                         "(the same identifier 19700, but iteration "
	                         "exponent 3, not 1): use shares of one "
	                         "backup");
	/* the identifier */
	memcpy(use, sh, sizeof(use));
	use[1].id = 19701;
	assert_int_equal(slip39_combine(use, 3, NULL, "", rec, &len, err,
	                     sizeof(err)), -1);
	assert_string_equal(err, "share 2 is from a different backup than "
	                         "share 1 (identifier 19701, not 19700): use "
	                         "shares of one backup");
	/* group index 15 of 1 group: the combiner refuses it... */
	memcpy(use, sh, sizeof(use));
	use[2].group_index = 15;
	assert_int_equal(slip39_recover_ems(use, 3, names, rec, &len, err,
	                     sizeof(err)), -1);
	assert_string_equal(err, "c.txt: group index 15 is not less than the "
	                         "group count 1: not a valid share");
	/* ...and so does the decoder */
	assert_int_equal(slip39_encode(&use[2], mn, sizeof(mn)), 0);
	assert_int_equal(slip39_decode(mn, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "group index 15 is not less than the group "
	                         "count 1: not a valid share");
	use[2].group_count = 2;
	use[2].group_threshold = 2;
	use[2].group_index = 2;
	assert_int_equal(slip39_encode(&use[2], mn, sizeof(mn)), 0);
	assert_int_equal(slip39_decode(mn, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "group index 2 is not less than the group "
	                         "count 2: not a valid share");
	use[2].group_index = 1;
	assert_int_equal(slip39_encode(&use[2], mn, sizeof(mn)), 0);
	assert_int_equal(slip39_decode(mn, &b, err, sizeof(err)), 0);
	sodium_memzero(ms, sizeof(ms));
}

/* Input quoted in errors; words typed unseen never in them. */
static void
test_decode_quoting(void **state)
{
	const char *v = vectors[0].mn[0];
	struct slip39_share b;
	char buf[1024], err[256], *p;

	(void)state;
	assert_int_equal(slip39_decode("duckling en\x1b[2Jl\x9b\\ academic",
	                     &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "word 2 \"en\\x1b[2Jl\\x9b\\\\\" is not a "
	                            "SLIP-39 word"));
	assert_null(strchr(err, '\x1b'));
	assert_int_equal(slip39_decode("duckling abcdefghijklmnopqrstuvwxyz",
	                     &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "word 2 \"abcdefghijklmnopqrst...\" is "
	                            "not a SLIP-39 word"));
	/* typed unseen: the position only, never the word or a neighbour */
	assert_int_equal(slip39_decode_blind("duckling enlarge academic "
	                                     "acadmic agency result",
	                     &b, err, sizeof(err)), -1);
	assert_string_equal(err, "word 4 is not a SLIP-39 word; compare it "
	                         "with the share sheet");
	snprintf(buf, sizeof(buf), "%s", v);
	p = strstr(buf, "fridge");
	memcpy(p, "friend", 6);
	assert_int_equal(slip39_decode_blind(buf, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "checksum failed: word 9 may be wrong; "
	                         "compare it with the share sheet");
	assert_int_equal(slip39_decode_blind(v, &b, err, sizeof(err)), 0);
}

static void
test_scheme(void **state)
{
	struct slip39_scheme s;
	struct slip39_group g;
	struct slip39_share sh[16];
	char err[256], text[128];
	uint8_t ms[32] = {0};

	(void)state;
	scheme1(&s, 1, 3);
	assert_int_equal(slip39_scheme_check(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 of 3 shares"));
	scheme1(&s, 4, 3);
	assert_int_equal(slip39_scheme_check(&s, err, sizeof(err)), -1);
	scheme1(&s, 3, 5);
	s.group_threshold = 2;
	assert_int_equal(slip39_scheme_check(&s, err, sizeof(err)), -1);
	scheme1(&s, 3, 5);
	s.exp = 16;
	assert_int_equal(slip39_scheme_check(&s, err, sizeof(err)), -1);
	scheme1(&s, 3, 5);
	slip39_scheme_format(&s, text, sizeof(text));
	assert_string_equal(text, "3 of 5");
	assert_int_equal(slip39_generate(&s, ms, 15, "", -1, sh, err,
	                     sizeof(err)), -1);
	assert_int_equal(slip39_generate(&s, ms, 32, "\t", -1, sh, err,
	                     sizeof(err)), -1);
	s.group_count = 2;
	s.group_threshold = 2;
	s.groups[1].threshold = 2;
	s.groups[1].count = 3;
	slip39_scheme_format(&s, text, sizeof(text));
	assert_string_equal(text, "2 of 2 groups [3 of 5, 2 of 3]");
	assert_int_equal(slip39_scheme_shares(&s), 8);
	assert_int_equal(slip39_group_parse("3/5", &g), 0);
	assert_int_equal(g.threshold, 3);
	assert_int_equal(g.count, 5);
	assert_int_equal(slip39_group_parse("3/17", &g), -1);
	assert_int_equal(slip39_group_parse("0/2", &g), -1);
	assert_int_equal(slip39_group_parse("3/5x", &g), -1);
	assert_int_equal(slip39_group_parse("-3/5", &g), -1);
	assert_int_equal(slip39_group_parse("3", &g), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_vector_ems),
		cmocka_unit_test(test_rs1024),
		cmocka_unit_test(test_feistel_kat),
		cmocka_unit_test(test_split_kat),
		cmocka_unit_test(test_roundtrip_all),
		cmocka_unit_test(test_generate_all),
		cmocka_unit_test(test_t_minus_1),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_decode_forms_and_errors),
		cmocka_unit_test(test_combine_errors),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_decode_quoting),
		cmocka_unit_test(test_scheme),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
