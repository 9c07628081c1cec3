/* SLIP-39: Shamir's secret sharing for mnemonic codes. */
#ifndef SLIP39_H
#define SLIP39_H

#include <stddef.h>
#include <stdint.h>

#include "core/wordlist.h"

#define SLIP39_MIN_SECRET 16 /* bytes; lengths are even */
#define SLIP39_MAX_SECRET 64
#define SLIP39_MAX_MNEMONIC_WORDS 59 /* 7 + ceil(8 * 64 / 10) */
#define SLIP39_MAX_MNEMONIC 560      /* text, NUL included */
#define SLIP39_MAX_GROUPS 16
#define SLIP39_MAX_MEMBERS 16
#define SLIP39_MAX_SHARES (SLIP39_MAX_GROUPS * SLIP39_MAX_MEMBERS)

/* One decoded share. Thresholds and counts hold real values (1-16), not
 * the encoded value minus one; indices are the 0-based x values. */
struct slip39_share {
	uint16_t id; /* 15 bits */
	uint8_t ext; /* extendable flag */
	uint8_t exp; /* iteration exponent, 0-15 */
	uint8_t group_index;
	uint8_t group_threshold;
	uint8_t group_count;
	uint8_t member_index;
	uint8_t member_threshold;
	uint8_t len; /* bytes of value */
	uint8_t value[SLIP39_MAX_SECRET];
};

struct slip39_group {
	uint8_t threshold; /* members needed */
	uint8_t count;     /* members made */
};

/* A scheme: group_threshold of group_count groups. */
struct slip39_scheme {
	uint8_t group_threshold;
	uint8_t group_count;
	struct slip39_group groups[SLIP39_MAX_GROUPS];
	uint8_t exp; /* iteration exponent */
	uint8_t ext; /* 1 for new shares */
};

/* Word index for a full word or any prefix of 4+ letters of one word, any
 * case; -1 if none. */
int slip39_word_index(const char *word);

/* RS1024 over the customization string for ext and the values. */
uint32_t slip39_rs1024_polymod(int ext, const uint16_t *v, size_t n);

/* Rejects a bad scheme (thresholds, counts, T=1 with N>1). */
int slip39_scheme_check(const struct slip39_scheme *s, char *err,
    size_t errlen);
/* Parses "T/N" into a group. */
int slip39_group_parse(const char *s, struct slip39_group *g);
/* "3 of 5" or "2 of groups [3 of 5, 2 of 3]". */
void slip39_scheme_format(const struct slip39_scheme *s, char *out,
    size_t outlen);
size_t slip39_scheme_shares(const struct slip39_scheme *s);

/* The scheme options of backup and shares split, for getopt_long. */
#define SLIP39_LONGOPTS                                                    \
	{"threshold", 1, NULL, 't'}, {"shares", 1, NULL, 'n'},             \
	    {"group", 1, NULL, 'g'}, {"group-threshold", 1, NULL, 'G'},    \
	    {"iteration-exponent", 1, NULL, 'e'}
struct slip39_opts {
	struct slip39_scheme s; /* --group, --iteration-exponent */
	int threshold, shares, group_threshold;
};
/* Iteration exponent 1, extendable shares, nothing else given. */
void slip39_opts_init(struct slip39_opts *o);
/* getopt_long helper: 0 if opt was a scheme option and consumed, -1 if it
 * is not one, RC_USAGE if its value is bad (with a message). */
int slip39_option(struct slip39_opts *o, int opt, const char *arg);
/* Fills and checks o->s; messages start with "prefix: ". strict: several
 * groups need --group-threshold and one group refuses it. */
int slip39_opts_scheme(struct slip39_opts *o, const char *prefix,
    int strict);

/* Feistel encryption of the master secret with PBKDF2-HMAC-SHA256.
 * len even; in and out may alias. pass is printable ASCII or "". */
int slip39_encrypt(const uint8_t *ms, size_t len, const char *pass,
    uint8_t exp, uint16_t id, int ext, uint8_t *out);
int slip39_decrypt(const uint8_t *ems, size_t len, const char *pass,
    uint8_t exp, uint16_t id, int ext, uint8_t *out);

/* SplitSecret(T, N, S): out holds n values of len bytes, for x = 0..n-1.
 * rnd supplies the random bytes (NULL: libsodium's RNG), for tests. */
typedef void (*slip39_rng)(void *ctx, uint8_t *buf, size_t len);
int slip39_split_secret(uint8_t t, uint8_t n, const uint8_t *secret,
    size_t len, uint8_t *out, slip39_rng rnd, void *ctx);
/* Interpolates the m points (xs[i], ys + i*len) at x into out. */
int slip39_interpolate(const uint8_t *xs, const uint8_t *ys, size_t m,
    size_t len, uint8_t x, uint8_t *out);
/* RecoverSecret(T, points): checks the digest share; -1 on mismatch. */
int slip39_recover_secret(uint8_t t, const uint8_t *xs, const uint8_t *ys,
    size_t m, size_t len, uint8_t *out);

/* GenerateShares: fills shares (sodium_malloc'd by the caller, room for
 * slip39_scheme_shares(s)) in group-major order. id < 0 picks a random
 * identifier. */
int slip39_generate(const struct slip39_scheme *s, const uint8_t *ms,
    size_t len, const char *pass, int id, struct slip39_share *shares,
    char *err, size_t errlen);

/* Mnemonic text: lower case words, single spaces. */
int slip39_encode(const struct slip39_share *sh, char *out, size_t outlen);
/* Accepts any case, extra white space, 4-letter prefixes. Errors name the
 * word position, the closest words, or a one-word checksum repair; an
 * unknown word is quoted with str_safe(). A share whose group index is
 * not less than its group count is refused. */
int slip39_decode(const char *text, struct slip39_share *sh, char *err,
    size_t errlen);
/* The same for words typed unseen: errors name word positions only,
 * never a word (neither the input nor a suggestion), so that nothing of
 * the share reaches the terminal. */
int slip39_decode_blind(const char *text, struct slip39_share *sh,
    char *err, size_t errlen);

/* Checks that the shares belong together and are enough, then recovers
 * the encrypted master secret. Shares beyond a threshold must agree with
 * the others. names[i] labels share i in errors (NULL: "share i+1").
 * 0 ok; RC_SHORT when the shares are consistent but too few (err says
 * what is missing); -1 otherwise. */
int slip39_recover_ems(const struct slip39_share *shares, size_t n,
    const char *const *names, uint8_t *ems, size_t *len, char *err,
    size_t errlen);
/* Recovers and decrypts the master secret: 0, or -1 with err (too few
 * shares included). */
int slip39_combine(const struct slip39_share *shares, size_t n,
    const char *const *names, const char *pass, uint8_t *ms, size_t *len,
    char *err, size_t errlen);

/* The passphrase rule: printable ASCII (32-126) only. */
int slip39_pass_ok(const char *pass);
struct pass_src;
/* With ask, the passphrase from src (asked twice at a TTY if confirm) and
 * held to the rule and 255 characters; "" otherwise. sodium_malloc'd, or
 * NULL with a message. */
char *slip39_pass_read(struct pass_src *src, int ask, int confirm);

#endif
