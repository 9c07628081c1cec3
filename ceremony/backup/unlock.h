/* A backup vault opened with enough of its SLIP-39 shares, checked
 * against deviceRootCA.pem and ceremony.pub: what restore and
 * backup --reshare start from. */
#ifndef UNLOCK_H
#define UNLOCK_H

#include <stddef.h>
#include <openssl/x509.h>

#include "backup/backup.h"
#include "backup/shares.h"
#include "core/secret.h"

struct unlock {
	const char *vault;     /* the vault file */
	char **files;          /* share files; none: typed, or stdin */
	int nfiles;
	struct pass_src ssrc;  /* the SLIP-39 passphrase */
	int ask;               /* ask for it even if the vault has none */
	const char *verb;      /* "Restoring": shown before typed shares */
	unsigned char *text;   /* the vault file */
	size_t len;
	struct vault_header h;
	X509 *cert;
	unsigned char sha[32]; /* the certificate's SHA-256 */
	struct shares s;
	unsigned char *key;    /* the recovered secret, then K */
	size_t klen;
	char *spass;           /* the SLIP-39 passphrase, or "" */
	struct vault_item it[VAULT_MAX_ITEMS];
	size_t ni;
	struct backup_keys keys;
	int pubnew;            /* no ceremony.pub to check the key against */
};

/* The vault header and the certificate it was made for: RC_CHECK if the
 * vault is not one or the certificate is another CA's. */
int unlock_load(struct unlock *u);
/* The shares and the secret they hold: -1 when they cannot be read,
 * RC_CHECK when they do not combine or are another backup's. */
int unlock_shares(struct unlock *u);
/* K from the secret and the SLIP-39 passphrase, the vault opened with it
 * and its keys checked: RC_CHECK when they do not check out. */
int unlock_vault(struct unlock *u);
void unlock_free(struct unlock *u);

#endif
