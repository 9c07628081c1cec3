/* The ceremony's secrets in and out of the backup vault, shared by
 * `ceremony backup` and `ceremony restore`. */
#ifndef BACKUP_H
#define BACKUP_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/secret.h"
#include "ca/sigkey.h"
#include "backup/slip39.h"
#include "backup/vault.h"

#define BACKUP_DIR "backup"
#define BACKUP_VAULT "backup/deviceRootCA.vault"
#define BACKUP_HTML "shares.html"

/* The SLIP-39 passphrase options of backup and restore, for getopt_long. */
#define SPASS_OPT_ASK 0x2001
#define SPASS_OPT_FILE 0x2002
#define SPASS_OPT_FD 0x2003
#define SPASS_LONGOPTS                                                     \
	{"share-passphrase", 0, NULL, SPASS_OPT_ASK},                      \
	    {"share-passphrase-file", 1, NULL, SPASS_OPT_FILE},            \
	    {"share-passphrase-fd", 1, NULL, SPASS_OPT_FD}
/* getopt_long helper: 0 if opt was one of them (*ask set, the source in
 * src), -1 if it is not one, RC_USAGE if its value is bad. */
int backup_spass_option(struct pass_src *src, int *ask, int opt,
    const char *arg);

struct backup_keys {
	EVP_PKEY *ca;
	struct sigkey sign;
};

/* Loads deviceRootCA.key and ceremony.key, asking for a passphrase once
 * if either is encrypted, and checks the CA key against cert: RC_CHECK if
 * it does not match, -1 on other errors. */
int backup_keys_load(struct pass_src *src, const X509 *cert,
    struct backup_keys *k);
/* Reads both key files back with pass (NULL: unencrypted) and checks
 * that they hold the keys in want: 0, or -1 or RC_CHECK as above. */
int backup_keys_reload(const char *pass, const X509 *cert,
    const struct backup_keys *want);
/* The vault items: the CA key as plain PKCS#8 PEM and the signing key as
 * an unencrypted minisign secret key, in sodium_malloc'd memory. */
int backup_keys_items(const struct backup_keys *k, struct vault_item it[2]);
/* Parses the items back and checks them: the CA key against cert, the
 * signing key against the vault's sign-pub. 0 ok, -1 with err. */
int backup_keys_from_items(const struct vault_item *it, size_t n,
    const X509 *cert, const char *sign_pub, struct backup_keys *k,
    char *err, size_t errlen);
void backup_keys_free(struct backup_keys *k);

/* The ceremony name: the certificate's subject CN (control characters
 * replaced), or its whole subject. */
void backup_ceremony_name(const X509 *cert, char *out, size_t outlen);

/* Calls fn with each minimal subset of the scheme's shares (indices in
 * group-major order). Up to limit subsets, all of them; past it, a set
 * that uses every share and each group's first T shares, ending with the
 * subset of the last shares. Returns the number visited, or -1 when fn
 * failed. *total gets the number of minimal subsets (capped). */
typedef int (*backup_subset_fn)(void *ctx, const size_t *idx, size_t n,
    int last);
long backup_subsets(const struct slip39_scheme *s, long limit,
    backup_subset_fn fn, void *ctx, double *total);

#define BACKUP_PROOF_LIMIT 20000 /* minimal share sets checked one by one */

struct backup_proof {
	const struct slip39_scheme *scheme;
	const struct slip39_share *made; /* the shares, group-major */
	const char *dir;                 /* where the backup was written */
	const unsigned char *key;        /* K, 32 bytes */
	const char *pass;                /* SLIP-39 passphrase, or "" */
	const X509 *cert;
	const char *sign_pub;
	long visited, full; /* sets checked; sets taken through the vault */
	double total;       /* minimal sets there are */
};
/* Reads the vault and the share sheets in dir back, checks every minimal
 * set of shares it can afford (backup_subsets), and opens the vault with
 * the first and the last. 0 ok, -1 with a message. */
int backup_prove(struct backup_proof *p);

#endif
