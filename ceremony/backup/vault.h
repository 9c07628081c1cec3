/* The backup vault: named secrets sealed with XChaCha20-Poly1305 under a
 * 256-bit key; a text header, readable without the key, is the AEAD's
 * associated data. */
#ifndef VAULT_H
#define VAULT_H

#include <stddef.h>

#define VAULT_MAGIC "ceremony-vault 1"
#define VAULT_MAX_ITEMS 4
#define VAULT_ITEM_MAX 65536
#define VAULT_MAX (1u << 20) /* bytes of a vault file */
#define VAULT_KEYBYTES 32

struct vault_header {
	char name[129];       /* ceremony name (CA subject CN) */
	unsigned char ca_sha256[32];
	char sign_pub[57];    /* minisign public key, base64 */
	char created[21];     /* YYYY-MM-DDTHH:MM:SSZ */
	char scheme[257];     /* SLIP-39 scheme, slip39_scheme_format() */
	unsigned slip39_id;   /* SLIP-39 identifier of the shares, 0-32767 */
	int slip39_pass;      /* shares need a SLIP-39 passphrase */
	unsigned char nonce[24];
};

struct vault_item {
	char name[65];       /* [A-Za-z0-9._-], as a file name */
	unsigned char *data; /* sodium_malloc'd when opened */
	size_t len;
};

/* Header text values must be printable (no control characters). Picks a
 * fresh nonce (stored in h) and writes the vault file image to *out
 * (malloc'd; it holds nothing secret in clear). */
int vault_seal(struct vault_header *h, const unsigned char key[32],
    const struct vault_item *items, size_t n, char **out, size_t *outlen,
    char *err, size_t errlen);
/* Parses the header alone; *hdrlen is the length of the authenticated
 * part. 0 ok, -1 with err. */
int vault_header_parse(const char *buf, size_t len, struct vault_header *h,
    size_t *hdrlen, char *err, size_t errlen);
/* Parses, authenticates and decrypts. 0 ok; -1 malformed (err); RC_CHECK the
 * key is wrong or the file was altered. items[i].data are sodium_malloc'd;
 * free with vault_items_free. */
int vault_open(const char *buf, size_t len, const unsigned char key[32],
    struct vault_header *h, struct vault_item *items, size_t *n, char *err,
    size_t errlen);
void vault_items_free(struct vault_item *items, size_t n);
/* The item called name, or NULL. */
const struct vault_item *vault_item_find(const struct vault_item *items,
    size_t n, const char *name);

#endif
