/* minisign signature files: prehashed Ed25519 ("ED"), as minisign 0.11. */
#ifndef MINISIG_H
#define MINISIG_H

#include <stddef.h>

#include "ca/sigkey.h"

#define MINISIG_COMMENT_MAX 1024 /* bytes of a comment, without prefix */
#define MINISIG_FILE_MAX 4096    /* bound for a whole signature file */
/* The untrusted comment of a bundle signature; %s is the key id. Import
 * requires exactly this text, so it cannot be altered unnoticed either. */
#define MINISIG_BUNDLE_COMMENT "signature from ceremony bundle key %s"

/*
 * The file is four lines, each ending in '\n':
 *   untrusted comment: <text>
 *   base64("ED" || keynum[8] || Ed25519(BLAKE2b-512(message)))
 *   trusted comment: <text>
 *   base64(Ed25519(signature[64] || trusted comment text))
 */
struct minisig {
	unsigned char keynum[8];
	unsigned char sig[64];
	unsigned char global[64];
	char untrusted[MINISIG_COMMENT_MAX + 1];
	char trusted[MINISIG_COMMENT_MAX + 1];
};

/* Signs msg with k->sk; comments are one line each (no CR, LF or NUL).
 * The file text is malloc'd into *out (NUL-terminated, *len without it). */
int minisig_sign(const struct sigkey *k, const unsigned char *msg,
    size_t msglen, const char *untrusted, const char *trusted, char **out,
    size_t *len);

/* The same with the message's BLAKE2b-512 (crypto_generichash, 64 bytes,
 * no key) computed by the caller, for a message made as a stream. */
#define MINISIG_HASH 64
int minisig_sign_hashed(const struct sigkey *k, const unsigned char
    hash[MINISIG_HASH], const char *untrusted, const char *trusted,
    char **out, size_t *len);

/* Strict parse of exactly the layout above. 0 ok, -1 with err. */
int minisig_parse(const char *text, size_t len, struct minisig *s, char *err,
    size_t errlen);

/* Checks the key id, the signature over msg and the global signature
 * over the trusted comment. 0 ok, -1 with err. */
int minisig_verify(const struct minisig *s, const struct sigkey *pk,
    const unsigned char *msg, size_t msglen, char *err, size_t errlen);

int minisig_verify_hashed(const struct minisig *s, const struct sigkey *pk,
    const unsigned char hash[MINISIG_HASH], char *err, size_t errlen);

/* Key id as minisign prints it: the 8 bytes little-endian, upper hex. */
void minisig_keyid(const unsigned char keynum[8], char out[17]);

#endif
