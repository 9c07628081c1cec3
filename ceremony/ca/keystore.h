/* Where the CA key lives when it is not a file: a PKCS#11 token. The rest
 * of the program sees an EVP_PKEY that signs in the token and never knows
 * more. Raw PKCS#11 (the module's own functions) makes and imports keys,
 * which libp11 0.4.12 cannot do for EC; libp11 turns the token key into
 * the EVP_PKEY. */
#ifndef KEYSTORE_H
#define KEYSTORE_H

#include <stddef.h>
#include <openssl/evp.h>

#include "ca/p11uri.h"
#include "core/secret.h"

/* PIN options, alongside the passphrase ones. */
#define PIN_OPT_FILE 0x1101
#define PIN_OPT_FD 0x1102
#define PIN_OPT_MODULE 0x1103
#define PIN_OPT_URI 0x1104
#define PIN_LONGOPTS                                                       \
	{"pin-file", 1, NULL, PIN_OPT_FILE}, {"pin-fd", 1, NULL, PIN_OPT_FD}, \
	    {"pkcs11-module", 1, NULL, PIN_OPT_MODULE},                    \
	    {"key-uri", 1, NULL, PIN_OPT_URI}
#define PIN_HELP                                                           \
	"  --key-uri URI      the CA key in a PKCS#11 token (RFC 7512, no PIN)\n" \
	"  --pkcs11-module P  the token's PKCS#11 module (else the URI's\n" \
	"                     module-path, else PKCS11_MODULE_PATH)\n"      \
	"  --pin-file F       read the token PIN from file F (first line)\n" \
	"  --pin-fd N         read the token PIN from file descriptor N\n"

/* What names a token key on the command line. */
struct key_src {
	const char *uri;    /* --key-uri, or NULL */
	const char *module; /* --pkcs11-module, or NULL */
	struct pass_src pin;
};
#define KEY_SRC_INIT {NULL, NULL, PASS_SRC_INIT}
/* getopt_long helper as pass_option: 0 consumed, RC_USAGE bad, -1 not
 * one of ours. */
int key_src_option(struct key_src *ks, int opt, const char *arg);

struct keystore;

/* Loads the module (module, else the URI's module-path, else
 * PKCS11_MODULE_PATH), finds the token, asks for the PIN (pin) and logs
 * in. 0, or -1 with err naming what is wrong (no such module, no such
 * token, wrong or locked PIN). */
int keystore_open(struct keystore **out, const char *uri, const char *module,
    struct pass_src *pin, char *err, size_t errlen);
void keystore_close(struct keystore *ks);

/* Makes the key pair in the token (type: enum pki_keytype): private key
 * CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, not CKA_EXTRACTABLE, random
 * CKA_ID, label = the URI's object, refused if an object with that label
 * exists or the token cannot make the type. */
int keystore_generate(struct keystore *ks, int type, char *err,
    size_t errlen);
/* Copies key into the token as a non-extractable, sensitive key with its
 * public key beside it (same CKA_ID). Same refusals. */
int keystore_import(struct keystore *ks, EVP_PKEY *key, char *err,
    size_t errlen);
/* A new token labelled label in the first uninitialized slot of module
 * (SoftHSM2's free slot), with so_pin and the user pin: the throwaway
 * token of a rehearsal. 0, or -1 with err. */
int keystore_init_token(const char *module, const char *label,
    const char *so_pin, const char *pin, char *err, size_t errlen);
/* Removes the key pair again (after a failed check). */
void keystore_destroy(struct keystore *ks);

/* The private key, as an EVP_PKEY that signs in the token; it holds the
 * keystore's libp11 session and must be freed (EVP_PKEY_free) before
 * keystore_close. NULL with err. */
EVP_PKEY *keystore_pkey(struct keystore *ks, char *err, size_t errlen);

/* After a failed command: gives up the libp11 side (free the EVP_PKEY
 * first), logs in again with the PIN held and removes the key pair made
 * (every object with the URI's label, which was free before). */
int keystore_discard(struct keystore *ks, char *err, size_t errlen);

/* What the witnesses see. Strings trimmed of the token's padding. */
struct keystore_info {
	char label[33], manufacturer[33], model[17], serial[17];
	char uri[P11URI_MAX + 64]; /* canonical, with id */
	int token, private_, sensitive, extractable, always_sensitive,
	    never_extractable; /* 1, 0, or -1 unknown */
};
int keystore_info(struct keystore *ks, struct keystore_info *in, char *err,
    size_t errlen);

#endif
