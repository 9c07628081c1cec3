/* SLIP-39 share mnemonics: words, RS1024 checksum, bit layout. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "backup/slip39.h"
#include "core/util.h"

#define HEADER_WORDS 4 /* id, ext, e, GI, Gt, g, I, t: 40 bits */
#define CHECKSUM_WORDS 3
#define MIN_WORDS 20
#define MAX_TOKEN 64
#define CLOSE_MAX 12 /* longer tokens get no suggestions */

static const char *const customization[2] = {"shamir", "shamir_extendable"};

uint32_t
slip39_rs1024_polymod(int ext, const uint16_t *v, size_t n)
{
	static const uint32_t gen[10] = {0xe0e040, 0x1c1c080, 0x3838100,
	    0x7070200, 0xe0e0009, 0x1c0c2412, 0x38086c24, 0x3090fc48,
	    0x21b1f890, 0x3f3f120};
	const char *cs = customization[ext ? 1 : 0];
	uint32_t chk = 1, b, x;
	size_t i, ncs = strlen(cs);
	int k;

	for (i = 0; i < ncs + n; i++) {
		x = i < ncs ? (unsigned char)cs[i] : v[i - ncs];
		b = chk >> 20;
		chk = ((chk & 0xfffff) << 10) ^ x;
		for (k = 0; k < 10; k++)
			chk ^= (uint32_t)(-((b >> k) & 1)) & gen[k];
	}
	return chk;
}

/* Each word as 8 bytes, zero padded, and its length. */
static uint64_t packed[SLIP39_WORDS];
static uint8_t wlen[SLIP39_WORDS];

static void
pack_words(void)
{
	size_t i, n;
	int k;

	for (k = 0; k < SLIP39_WORDS; k++) {
		n = strlen(slip39_wordlist[k]);
		packed[k] = 0;
		for (i = 0; i < n && i < 8; i++)
			packed[k] |= (uint64_t)(unsigned char)slip39_wordlist[k][i]
			    << (8 * i);
		wlen[k] = (uint8_t)n;
	}
}

int
slip39_word_index(const char *word)
{
	uint64_t w = 0, mask, diff;
	size_t n = strlen(word), i;
	int k, match, found = -1;

	if (n < 4 || n > 8)
		return -1;
	if (wlen[0] == 0)
		pack_words();
	for (i = 0; i < n; i++) {
		if (!isalpha((unsigned char)word[i]))
			return -1;
		w |= (uint64_t)(unsigned char)tolower((unsigned char)word[i])
		    << (8 * i);
	}
	mask = n == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * n)) - 1;
	/* every word is compared, so the time does not depend on which:
	 * a match is the input as a prefix of a word at least as long */
	for (k = 0; k < SLIP39_WORDS; k++) {
		diff = ((packed[k] ^ w) & mask) | (uint64_t)(n > wlen[k]);
		match = -(int)(diff == 0); /* all ones on a match */
		found = (found & ~match) | (k & match);
	}
	w = 0;
	return found;
}

/* Optimal string alignment distance, lower case; stops at limit. */
static int
distance(const char *a, const char *b, int limit)
{
	int d[CLOSE_MAX + 1][10], i, j, la, lb, c, v, low;

	la = (int)strlen(a);
	lb = (int)strlen(b);
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		low = d[i][0];
		for (j = 1; j <= lb; j++) {
			c = tolower((unsigned char)a[i - 1]) != b[j - 1];
			v = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) == b[j - 2] &&
			    tolower((unsigned char)a[i - 2]) == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < low)
				low = v;
		}
		if (low >= limit)
			return limit; /* no cell of this row can get below */
	}
	return d[la][lb];
}

/* "acid, acne, aide": up to three words nearest to tok. */
static void
closest(const char *tok, char *out, size_t outlen)
{
	int best[3] = {-1, -1, -1}, bd[3] = {5, 5, 5}, k, i, d;
	size_t o = 0;

	out[0] = 0;
	if (strlen(tok) > CLOSE_MAX)
		return;
	for (k = 0; k < SLIP39_WORDS; k++) {
		d = (int)strlen(tok) - (int)strlen(slip39_wordlist[k]);
		if (d >= bd[2] || -d >= bd[2])
			continue; /* cannot be nearer than the third best */
		d = distance(tok, slip39_wordlist[k], bd[2]);
		for (i = 0; i < 3; i++)
			if (d < bd[i]) {
				memmove(&bd[i + 1], &bd[i],
				    (size_t)(2 - i) * sizeof(int));
				memmove(&best[i + 1], &best[i],
				    (size_t)(2 - i) * sizeof(int));
				bd[i] = d;
				best[i] = k;
				break;
			}
	}
	for (i = 0; i < 3 && best[i] >= 0 && o < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%s", i ? ", " : "",
		    slip39_wordlist[best[i]]);
}

/* Left-padded value bits <-> 10-bit words. */
static void
value_to_words(const uint8_t *v, size_t len, uint16_t *w, size_t nw)
{
	size_t pad = nw * 10 - 8 * len, b, pos;

	memset(w, 0, nw * sizeof(*w));
	for (b = 0; b < 8 * len; b++) {
		pos = pad + b;
		w[pos / 10] |= (uint16_t)(((v[b / 8] >> (7 - b % 8)) & 1)
		    << (9 - pos % 10));
	}
}

static int
words_to_value(const uint16_t *w, size_t nw, uint8_t *v, size_t len)
{
	size_t pad = nw * 10 - 8 * len, b, pos;
	unsigned bit, padbits = 0;

	memset(v, 0, len);
	for (pos = 0; pos < nw * 10; pos++) {
		bit = (w[pos / 10] >> (9 - pos % 10)) & 1;
		if (pos < pad) {
			padbits |= bit;
			continue;
		}
		b = pos - pad;
		v[b / 8] |= (uint8_t)(bit << (7 - b % 8));
	}
	return padbits ? -1 : 0;
}

static size_t
value_words(size_t len)
{
	return (8 * len + 9) / 10;
}

int
slip39_encode(const struct slip39_share *sh, char *out, size_t outlen)
{
	uint16_t w[SLIP39_MAX_MNEMONIC_WORDS];
	uint32_t chk;
	size_t nv, nw, i, o = 0, l;

	if (sh->len < SLIP39_MIN_SECRET || sh->len > SLIP39_MAX_SECRET ||
	    sh->len % 2 || sh->id >= 1u << 15 || sh->exp > 15 ||
	    sh->group_index > 15 || sh->member_index > 15 ||
	    sh->group_threshold < 1 || sh->group_threshold > 16 ||
	    sh->group_count < 1 || sh->group_count > 16 ||
	    sh->member_threshold < 1 || sh->member_threshold > 16)
		return -1;
	nv = value_words(sh->len);
	nw = HEADER_WORDS + nv + CHECKSUM_WORDS;
	w[0] = (uint16_t)(sh->id >> 5);
	w[1] = (uint16_t)(((sh->id & 31) << 5) | ((sh->ext & 1) << 4) |
	    sh->exp);
	w[2] = (uint16_t)((sh->group_index << 6) |
	    ((sh->group_threshold - 1) << 2) | ((sh->group_count - 1) >> 2));
	w[3] = (uint16_t)((((sh->group_count - 1) & 3) << 8) |
	    (sh->member_index << 4) | (sh->member_threshold - 1));
	value_to_words(sh->value, sh->len, w + HEADER_WORDS, nv);
	memset(w + nw - CHECKSUM_WORDS, 0, CHECKSUM_WORDS * sizeof(*w));
	chk = slip39_rs1024_polymod(sh->ext, w, nw) ^ 1;
	for (i = 0; i < CHECKSUM_WORDS; i++)
		w[nw - CHECKSUM_WORDS + i] =
		    (uint16_t)((chk >> (10 * (2 - i))) & 1023);
	for (i = 0; i < nw; i++) {
		l = strlen(slip39_wordlist[w[i]]);
		if (o + l + 2 > outlen) {
			sodium_memzero(out, outlen);
			sodium_memzero(w, sizeof(w));
			return -1;
		}
		if (i > 0)
			out[o++] = ' ';
		memcpy(out + o, slip39_wordlist[w[i]], l);
		o += l;
	}
	out[o] = 0;
	sodium_memzero(w, sizeof(w));
	return 0;
}

/* One step of the checksum from chk = 0: the linear part of polymod. */
static uint32_t
lin_step(uint32_t chk, uint16_t v)
{
	static const uint32_t gen[10] = {0xe0e040, 0x1c1c080, 0x3838100,
	    0x7070200, 0xe0e0009, 0x1c0c2412, 0x38086c24, 0x3090fc48,
	    0x21b1f890, 0x3f3f120};
	uint32_t b = chk >> 20;
	int k;

	chk = ((chk & 0xfffff) << 10) ^ v;
	for (k = 0; k < 10; k++)
		chk ^= (uint32_t)(-((b >> k) & 1)) & gen[k];
	return chk;
}

/* The one word whose change makes the checksum valid, if exactly one.
 * The checksum is affine in the words: changing word p by d (xor) changes
 * it by the linear image of d at p, walked in Gray code order. Word 2
 * also holds the ext bit that picks the customization string, so a d
 * that flips it is checked against the other string's checksum. */
static int
repair_hint(const uint16_t *w, size_t nw, size_t *pos, uint16_t *val)
{
	uint32_t target[2], e[10], eff;
	unsigned ext = (w[1] >> 4) & 1, i, d, flip;
	size_t p;
	int b, found = 0;

	target[0] = slip39_rs1024_polymod((int)ext, w, nw) ^ 1;
	target[1] = slip39_rs1024_polymod((int)!ext, w, nw) ^ 1;
	for (b = 0; b < 10; b++)
		e[b] = lin_step(0, (uint16_t)(1u << b));
	for (p = nw; p-- > 0;) {
		if (p < nw - 1) /* one more word after p: one more step */
			for (b = 0; b < 10; b++)
				e[b] = lin_step(e[b], 0);
		eff = 0;
		for (i = 1; i < SLIP39_WORDS; i++) {
			d = i ^ (i >> 1);
			eff ^= e[__builtin_ctz(i)];
			flip = p == 1 && (d & 0x10);
			if (eff == target[flip]) {
				*pos = p;
				*val = (uint16_t)(w[p] ^ d);
				found++;
			}
		}
	}
	return found == 1 ? 0 : -1;
}

/* blind: the words were typed unseen; errors name positions only. */
static int
decode(const char *text, int blind, struct slip39_share *sh, char *err,
    size_t errlen)
{
	uint16_t w[SLIP39_MAX_MNEMONIC_WORDS];
	char tok[MAX_TOKEN + 1], near[64], q[4 * 20 + 4];
	const char *p = text;
	size_t nw = 0, n, pbits, pos;
	uint16_t val;
	uint32_t v;
	int idx, rv = -1;

	memset(sh, 0, sizeof(*sh));
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == 0)
			break;
		n = strcspn(p, " \t\r\n");
		if (nw == SLIP39_MAX_MNEMONIC_WORDS) {
			snprintf(err, errlen,
			    "more than %d words: a share has 20 words "
			    "(128-bit secret) or 33 (256-bit)",
			    SLIP39_MAX_MNEMONIC_WORDS);
			goto out;
		}
		snprintf(tok, sizeof(tok), "%.*s", (int)(n < MAX_TOKEN ? n :
		    MAX_TOKEN), p);
		if ((idx = slip39_word_index(tok)) < 0 && blind) {
			snprintf(err, errlen,
			    "word %zu is not a SLIP-39 word; compare it with "
			    "the share sheet", nw + 1);
			goto out;
		}
		if (idx < 0) {
			closest(tok, near, sizeof(near));
			str_safe(tok, n < 20 ? n : 20, q, sizeof(q));
			snprintf(err, errlen,
			    "word %zu \"%s%s\" is not a SLIP-39 word%s%s%s",
			    nw + 1, q, n > 20 ? "..." : "",
			    near[0] ? " (closest: " : "", near,
			    near[0] ? ")" : "");
			sodium_memzero(near, sizeof(near));
			sodium_memzero(q, sizeof(q));
			goto out;
		}
		w[nw++] = (uint16_t)idx;
		p += n;
	}
	pbits = nw < MIN_WORDS ? 0 : 10 * (nw - HEADER_WORDS - CHECKSUM_WORDS);
	if (nw < MIN_WORDS || pbits % 16 > 8) {
		snprintf(err, errlen,
		    "%zu words is not a share: a share has 20 words (128-bit "
		    "secret) or 33 (256-bit)",
		    nw);
		goto out;
	}
	if (slip39_rs1024_polymod((w[1] >> 4) & 1, w, nw) != 1) {
		if (repair_hint(w, nw, &pos, &val) == -1)
			snprintf(err, errlen,
			    "checksum failed: words are wrong, missing or out "
			    "of order; compare each with the share sheet");
		else if (blind)
			snprintf(err, errlen,
			    "checksum failed: word %zu may be wrong; compare "
			    "it with the share sheet",
			    pos + 1);
		else
			snprintf(err, errlen,
			    "checksum failed: word %zu may be \"%s\"; "
			    "compare it with the share sheet",
			    pos + 1, slip39_wordlist[val]);
		val = 0;
		goto out;
	}
	sh->id = (uint16_t)((w[0] << 5) | (w[1] >> 5));
	sh->ext = (w[1] >> 4) & 1;
	sh->exp = w[1] & 15;
	v = ((uint32_t)w[2] << 10) | w[3];
	sh->group_index = (v >> 16) & 15;
	sh->group_threshold = (uint8_t)(((v >> 12) & 15) + 1);
	sh->group_count = (uint8_t)(((v >> 8) & 15) + 1);
	sh->member_index = (v >> 4) & 15;
	sh->member_threshold = (uint8_t)((v & 15) + 1);
	sh->len = (uint8_t)((pbits - pbits % 16) / 8);
	if (sh->len > SLIP39_MAX_SECRET) {
		snprintf(err, errlen, "secret longer than %d bytes",
		    SLIP39_MAX_SECRET);
		goto out;
	}
	if (words_to_value(w + HEADER_WORDS, nw - HEADER_WORDS - CHECKSUM_WORDS,
	        sh->value, sh->len) == -1) {
		snprintf(err, errlen, "invalid padding: not a valid share");
		goto out;
	}
	if (sh->group_threshold > sh->group_count) {
		snprintf(err, errlen,
		    "group threshold %d is more than the group count %d: "
		    "not a valid share",
		    sh->group_threshold, sh->group_count);
		goto out;
	}
	if (sh->group_index >= sh->group_count) {
		snprintf(err, errlen,
		    "group index %d is not less than the group count %d: "
		    "not a valid share",
		    sh->group_index, sh->group_count);
		goto out;
	}
	rv = 0;
out:
	if (rv == -1)
		sodium_memzero(sh, sizeof(*sh));
	sodium_memzero(w, sizeof(w));
	sodium_memzero(tok, sizeof(tok));
	return rv;
}

int
slip39_decode(const char *text, struct slip39_share *sh, char *err,
    size_t errlen)
{
	return decode(text, 0, sh, err, errlen);
}

int
slip39_decode_blind(const char *text, struct slip39_share *sh, char *err,
    size_t errlen)
{
	return decode(text, 1, sh, err, errlen);
}
