/* SLIP-39 secret sharing: the field math, the Feistel encryption,
 * splitting and recovering one level, and generating shares. Combining
 * shares is in slip39_combine.c, mnemonic text in slip39_mnemonic.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "media/gf256.h"
#include "core/secret.h"
#include "backup/slip39.h"
#include "core/util.h"

#define DIGEST_X 254
#define SECRET_X 255
#define DIGEST_LEN 4

int
slip39_pass_ok(const char *pass)
{
	for (; *pass != 0; pass++)
		if ((unsigned char)*pass < 32 || (unsigned char)*pass > 126)
			return 0;
	return 1;
}

char *
slip39_pass_read(struct pass_src *src, int ask, int confirm)
{
	char *p;

	if (!ask) {
		if ((p = sodium_malloc(1)) == NULL)
			warnf("out of secure memory");
		else
			p[0] = 0;
		return p;
	}
	if ((p = pass_get(src, "SLIP-39", confirm)) == NULL)
		return NULL;
	if (!slip39_pass_ok(p) || strlen(p) > 255) {
		warnf("the SLIP-39 passphrase must be printable ASCII (no "
		      "accents, tabs or control characters), at most 255 "
		      "characters");
		pass_free(p);
		return NULL;
	}
	return p;
}

/* PBKDF2 round function F(i, R) of the Feistel network. */
static int
round_fn(uint8_t i, const char *pass, uint8_t exp, const uint8_t *salt,
    size_t saltlen, const uint8_t *r, size_t half, uint8_t *out)
{
	uint8_t pw[1 + 256], s[8 + SLIP39_MAX_SECRET / 2];
	size_t plen = strlen(pass);
	int rv = -1;

	if (plen > sizeof(pw) - 1)
		return -1;
	pw[0] = i;
	memcpy(pw + 1, pass, plen);
	memcpy(s, salt, saltlen);
	memcpy(s + saltlen, r, half);
	if (PKCS5_PBKDF2_HMAC((const char *)pw, (int)(plen + 1), s,
	        (int)(saltlen + half), 2500 << exp, EVP_sha256(), (int)half,
	        out) == 1)
		rv = 0;
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(s, sizeof(s));
	return rv;
}

/* Four Feistel rounds; decrypt runs the round indices backwards. */
static int
feistel(const uint8_t *in, size_t len, const char *pass, uint8_t exp,
    uint16_t id, int ext, uint8_t *out, int decrypt)
{
	uint8_t *w, salt[8];
	uint8_t *l, *r, *f, *t;
	size_t half = len / 2, saltlen = 0, k;
	int i, rv = -1;

	if (len < SLIP39_MIN_SECRET || len > SLIP39_MAX_SECRET || len % 2 ||
	    exp > 15 || !slip39_pass_ok(pass))
		return -1;
	if (!ext) {
		memcpy(salt, "shamir", 6);
		salt[6] = (uint8_t)(id >> 8);
		salt[7] = (uint8_t)id;
		saltlen = 8;
	}
	if ((w = sodium_malloc(3 * SLIP39_MAX_SECRET / 2)) == NULL)
		return -1;
	l = w;
	r = w + half;
	f = w + 2 * half;
	memcpy(l, in, half);
	memcpy(r, in + half, half);
	for (i = 0; i < 4; i++) {
		if (round_fn((uint8_t)(decrypt ? 3 - i : i), pass, exp, salt,
		        saltlen, r, half, f) == -1)
			goto out;
		for (k = 0; k < half; k++)
			l[k] ^= f[k];
		t = l; /* (L, R) = (R, L xor F) */
		l = r;
		r = t;
	}
	memcpy(out, r, half);
	memcpy(out + half, l, half);
	rv = 0;
out:
	sodium_free(w);
	return rv;
}

int
slip39_encrypt(const uint8_t *ms, size_t len, const char *pass, uint8_t exp,
    uint16_t id, int ext, uint8_t *out)
{
	return feistel(ms, len, pass, exp, id, ext, out, 0);
}

int
slip39_decrypt(const uint8_t *ems, size_t len, const char *pass, uint8_t exp,
    uint16_t id, int ext, uint8_t *out)
{
	return feistel(ems, len, pass, exp, id, ext, out, 1);
}

int
slip39_interpolate(const uint8_t *xs, const uint8_t *ys, size_t m,
    size_t len, uint8_t x, uint8_t *out)
{
	size_t i, j, k;
	uint8_t num, den, basis;

	for (i = 0; i < m; i++)
		for (j = i + 1; j < m; j++)
			if (xs[i] == xs[j])
				return -1;
	memset(out, 0, len);
	for (i = 0; i < m; i++) {
		num = 1;
		den = 1;
		for (j = 0; j < m; j++) {
			if (j == i)
				continue;
			num = gf256_mul(num, x ^ xs[j]);
			den = gf256_mul(den, xs[i] ^ xs[j]);
		}
		basis = gf256_div(num, den);
		for (k = 0; k < len; k++)
			out[k] ^= gf256_mul(ys[i * len + k], basis);
	}
	return 0;
}

/* First 4 bytes of HMAC-SHA256(key = R, msg = S). */
static int
digest(const uint8_t *r, size_t rlen, const uint8_t *s, size_t len,
    uint8_t out[DIGEST_LEN])
{
	crypto_auth_hmacsha256_state st;
	uint8_t mac[crypto_auth_hmacsha256_BYTES];

	if (crypto_auth_hmacsha256_init(&st, r, rlen) != 0 ||
	    crypto_auth_hmacsha256_update(&st, s, len) != 0 ||
	    crypto_auth_hmacsha256_final(&st, mac) != 0)
		return -1;
	memcpy(out, mac, DIGEST_LEN);
	sodium_memzero(mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
	return 0;
}

static void
rng_sodium(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

int
slip39_split_secret(uint8_t t, uint8_t n, const uint8_t *secret, size_t len,
    uint8_t *out, slip39_rng rnd, void *ctx)
{
	/* points: x = 0..t-3 random, then 254 (digest) and 255 (secret) */
	uint8_t xs[SLIP39_MAX_MEMBERS], *ys;
	size_t i, m;
	int rv = -1;

	if (t < 1 || t > n || n > SLIP39_MAX_MEMBERS ||
	    len < SLIP39_MIN_SECRET || len > SLIP39_MAX_SECRET || len % 2)
		return -1;
	if (rnd == NULL)
		rnd = rng_sodium;
	if (t == 1) {
		for (i = 0; i < n; i++)
			memcpy(out + i * len, secret, len);
		return 0;
	}
	if ((ys = sodium_malloc(SLIP39_MAX_MEMBERS * SLIP39_MAX_SECRET)) ==
	    NULL)
		return -1;
	m = (size_t)t - 2;
	for (i = 0; i < m; i++)
		xs[i] = (uint8_t)i;
	/* the spec's order: R of the digest share D = HMAC(R, S)[0..4] || R,
	 * then the T-2 random shares */
	rnd(ctx, ys + m * len + DIGEST_LEN, len - DIGEST_LEN);
	rnd(ctx, ys, m * len);
	if (digest(ys + m * len + DIGEST_LEN, len - DIGEST_LEN, secret, len,
	        ys + m * len) == -1)
		goto out;
	xs[m] = DIGEST_X;
	memcpy(ys + (m + 1) * len, secret, len);
	xs[m + 1] = SECRET_X;
	memcpy(out, ys, m * len);
	for (i = m; i < n; i++)
		if (slip39_interpolate(xs, ys, m + 2, len, (uint8_t)i,
		        out + i * len) == -1)
			goto out;
	rv = 0;
out:
	sodium_free(ys);
	return rv;
}

int
slip39_recover_secret(uint8_t t, const uint8_t *xs, const uint8_t *ys,
    size_t m, size_t len, uint8_t *out)
{
	uint8_t d[SLIP39_MAX_SECRET], want[DIGEST_LEN];
	int rv = -1;

	if (m == 0 || len < SLIP39_MIN_SECRET || len > SLIP39_MAX_SECRET)
		return -1;
	if (t == 1) {
		memcpy(out, ys, len);
		return 0;
	}
	if (slip39_interpolate(xs, ys, m, len, SECRET_X, out) == -1 ||
	    slip39_interpolate(xs, ys, m, len, DIGEST_X, d) == -1 ||
	    digest(d + DIGEST_LEN, len - DIGEST_LEN, out, len, want) == -1)
		goto out;
	if (sodium_memcmp(want, d, DIGEST_LEN) != 0) {
		sodium_memzero(out, len);
		goto out;
	}
	rv = 0;
out:
	sodium_memzero(want, sizeof(want));
	sodium_memzero(d, sizeof(d));
	return rv;
}

int
slip39_group_parse(const char *s, struct slip39_group *g)
{
	unsigned t, n;
	char c;

	if (sscanf(s, "%u/%u%c", &t, &n, &c) != 2 || t < 1 || n < 1 ||
	    t > SLIP39_MAX_MEMBERS || n > SLIP39_MAX_MEMBERS ||
	    strspn(s, "0123456789/") != strlen(s))
		return -1;
	g->threshold = (uint8_t)t;
	g->count = (uint8_t)n;
	return 0;
}

int
slip39_scheme_check(const struct slip39_scheme *s, char *err, size_t errlen)
{
	int i;

	if (s->group_count < 1 || s->group_count > SLIP39_MAX_GROUPS)
		return errf(err, errlen, "1 to %d groups allowed, not %d",
		    SLIP39_MAX_GROUPS, s->group_count);
	if (s->group_threshold < 1 || s->group_threshold > s->group_count)
		return errf(err, errlen,
		    "group threshold %d must be between 1 and the %d groups",
		    s->group_threshold, s->group_count);
	if (s->exp > 15)
		return errf(err, errlen,
		    "iteration exponent %d: 0 to 15 allowed", s->exp);
	for (i = 0; i < s->group_count; i++) {
		const struct slip39_group *g = &s->groups[i];

		if (g->count < 1 || g->count > SLIP39_MAX_MEMBERS ||
		    g->threshold < 1 || g->threshold > g->count)
			return errf(err, errlen,
			    "group %d: threshold %d of %d shares is not "
			    "possible (1 <= T <= N <= 16)",
			    i + 1, g->threshold, g->count);
		if (g->threshold == 1 && g->count > 1)
			return errf(err, errlen,
			    "group %d: 1 of %d shares gives %d copies of one "
			    "secret; use 1/1 and copy it, or raise T",
			    i + 1, g->count, g->count);
	}
	return 0;
}

size_t
slip39_scheme_shares(const struct slip39_scheme *s)
{
	size_t n = 0;
	int i;

	for (i = 0; i < s->group_count && i < SLIP39_MAX_GROUPS; i++)
		n += s->groups[i].count;
	return n;
}

void
slip39_scheme_format(const struct slip39_scheme *s, char *out, size_t outlen)
{
	size_t o;
	int i;

	if (s->group_count == 1) {
		snprintf(out, outlen, "%d of %d", s->groups[0].threshold,
		    s->groups[0].count);
		return;
	}
	o = (size_t)snprintf(out, outlen, "%d of %d groups [",
	    s->group_threshold, s->group_count);
	for (i = 0; i < s->group_count && o < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%d of %d",
		    i ? ", " : "", s->groups[i].threshold, s->groups[i].count);
	if (o < outlen)
		snprintf(out + o, outlen - o, "]");
}

int
slip39_generate(const struct slip39_scheme *s, const uint8_t *ms, size_t len,
    const char *pass, int id, struct slip39_share *shares, char *err,
    size_t errlen)
{
	uint8_t *ems = NULL, *gs = NULL, *ms_out = NULL;
	size_t k = 0;
	int g, m, rv = -1;

	if (slip39_scheme_check(s, err, errlen) == -1)
		return -1;
	if (len < SLIP39_MIN_SECRET || len > SLIP39_MAX_SECRET || len % 2)
		return errf(err, errlen,
		    "secret of %zu bytes: SLIP-39 takes 16 to 64 bytes, an "
		    "even number",
		    len);
	if (!slip39_pass_ok(pass) || strlen(pass) > 255)
		return errf(err, errlen, "the SLIP-39 passphrase must be "
		                         "printable ASCII, at most 255 "
		                         "characters");
	if (id > 32767)
		return errf(err, errlen, "identifier %d: 15 bits at most", id);
	if (id < 0)
		id = (int)randombytes_uniform(1u << 15);
	ems = sodium_malloc(SLIP39_MAX_SECRET);
	gs = sodium_malloc(SLIP39_MAX_GROUPS * SLIP39_MAX_SECRET);
	ms_out = sodium_malloc(SLIP39_MAX_MEMBERS * SLIP39_MAX_SECRET);
	if (ems == NULL || gs == NULL || ms_out == NULL) {
		snprintf(err, errlen, "out of secure memory");
		goto out;
	}
	if (slip39_encrypt(ms, len, pass, s->exp, (uint16_t)id, s->ext, ems) ==
	        -1 ||
	    slip39_split_secret(s->group_threshold, s->group_count, ems, len,
	        gs, NULL, NULL) == -1) {
		snprintf(err, errlen, "SLIP-39 split failed");
		goto out;
	}
	for (g = 0; g < s->group_count; g++) {
		const struct slip39_group *gr = &s->groups[g];

		if (slip39_split_secret(gr->threshold, gr->count,
		        gs + (size_t)g * len, len, ms_out, NULL, NULL) == -1) {
			snprintf(err, errlen, "SLIP-39 split failed");
			goto out;
		}
		for (m = 0; m < gr->count; m++, k++) {
			struct slip39_share *sh = &shares[k];

			memset(sh, 0, sizeof(*sh));
			sh->id = (uint16_t)id;
			sh->ext = s->ext;
			sh->exp = s->exp;
			sh->group_index = (uint8_t)g;
			sh->group_threshold = s->group_threshold;
			sh->group_count = s->group_count;
			sh->member_index = (uint8_t)m;
			sh->member_threshold = gr->threshold;
			sh->len = (uint8_t)len;
			memcpy(sh->value, ms_out + (size_t)m * len, len);
		}
	}
	rv = 0;
out:
	sodium_free(ems);
	sodium_free(gs);
	sodium_free(ms_out);
	return rv;
}

static int
option_num(const char *opt, const char *arg, int lo, int hi, int *v)
{
	long n = strtol(arg, NULL, 10);
	char q[128];

	if (*arg == 0 || !str_only(arg, "0123456789") || n < lo || n > hi) {
		warnf("--%s: '%s' is out of range (%d-%d)", opt,
		    str_safe(arg, (size_t)-1, q, sizeof(q)), lo, hi);
		return -1;
	}
	*v = (int)n;
	return 0;
}

void
slip39_opts_init(struct slip39_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->s.exp = 1;
	o->s.ext = 1;
}

int
slip39_option(struct slip39_opts *o, int opt, const char *arg)
{
	struct slip39_scheme *s = &o->s;
	char q[128];
	int v, rv = 0;

	switch (opt) {
	case 't':
		rv = option_num("threshold", arg, 1, 16, &o->threshold);
		break;
	case 'n':
		rv = option_num("shares", arg, 1, 16, &o->shares);
		break;
	case 'G':
		rv = option_num("group-threshold", arg, 1, 16,
		    &o->group_threshold);
		break;
	case 'e':
		rv = option_num("iteration-exponent", arg, 0, 15, &v);
		if (rv == 0)
			s->exp = (uint8_t)v;
		break;
	case 'g':
		if (s->group_count == SLIP39_MAX_GROUPS ||
		    slip39_group_parse(arg, &s->groups[s->group_count]) == -1) {
			warnf("--group: '%s' is not T/N with 1 <= T <= N <= 16 "
			      "(at most 16 groups)",
			    str_safe(arg, (size_t)-1, q, sizeof(q)));
			rv = -1;
		} else
			s->group_count++;
		break;
	default:
		return -1;
	}
	return rv == -1 ? RC_USAGE : 0;
}

int
slip39_opts_scheme(struct slip39_opts *o, const char *prefix, int strict)
{
	struct slip39_scheme *s = &o->s;
	char err[256];

	if ((o->threshold || o->shares) && s->group_count) {
		warnf("%s: use --threshold/--shares or --group, not both",
		    prefix);
		return -1;
	}
	if (s->group_count == 0) {
		if (!o->threshold || !o->shares ||
		    (strict && o->group_threshold)) {
			warnf("%s: give --threshold T and --shares N%s", prefix,
			    strict ? ", or --group T/N ... and "
			             "--group-threshold G"
			           : " (or --group T/N)");
			return -1;
		}
		s->group_count = 1;
		s->groups[0].threshold = (uint8_t)o->threshold;
		s->groups[0].count = (uint8_t)o->shares;
	} else if (strict && !o->group_threshold && s->group_count > 1) {
		warnf("%s: with several groups, give --group-threshold G",
		    prefix);
		return -1;
	}
	s->group_threshold = (uint8_t)(o->group_threshold ?
	    o->group_threshold : 1);
	if (slip39_scheme_check(s, err, sizeof(err)) == -1) {
		warnf("%s: %s", prefix, err);
		return -1;
	}
	return 0;
}
