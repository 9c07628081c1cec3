/* Bundle-signing key: Ed25519 in minisign's key file formats. */
#ifndef SIGKEY_H
#define SIGKEY_H

#include <stddef.h>

#include "core/secret.h"

struct sigkey {
	unsigned char keynum[8];
	unsigned char pk[32];
	unsigned char *sk; /* 64 bytes in sodium_malloc memory, or NULL */
};

int sigkey_generate(struct sigkey *k);
/* Base64 public key line (56 chars + NUL), as minisign -P takes it. */
void sigkey_public_b64(const struct sigkey *k, char out[57]);
int sigkey_parse_public(const char *b64, struct sigkey *k);
int sigkey_save_public(const char *path, const struct sigkey *k, int force);
/* Accepts a minisign .pub file or the bare base64 line. */
int sigkey_load_public(const char *path, struct sigkey *k);
/* pass NULL: unencrypted key (minisign -W). Otherwise scrypt as minisign. */
int sigkey_save_secret(const char *path, const struct sigkey *k,
    const char *pass, int force);
int sigkey_load_secret(const char *path, struct pass_src *src,
    struct sigkey *k);
/* Encodes the secret key file into sodium_malloc'd text (for the vault). */
int sigkey_encode_secret(const struct sigkey *k, const char *pass,
    char **out, size_t *len);
/* 0 ok; RC_USAGE the text is not a minisign secret key, RC_SHORT a
 * passphrase is needed (pass was NULL), RC_CHECK wrong passphrase or
 * damaged, -1 other errors. */
int sigkey_decode_secret(const char *text, size_t len, const char *pass,
    struct sigkey *k);
void sigkey_free(struct sigkey *k);

#endif
