/* Proving a new backup from the files as written: every share sheet reads
 * back as the share made, every minimal set of shares restores the same
 * encrypted secret, and the first and last sets open the vault to keys
 * that match the certificate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backup/backup.h"
#include "backup/sheet.h"
#include "core/util.h"

struct proof {
	const struct slip39_share *sh; /* read back from the share files */
	const uint8_t *ems;            /* the encrypted master secret */
	const uint8_t *key;            /* K */
	const char *pass;              /* SLIP-39 passphrase */
	const char *vault;             /* vault file text, read back */
	size_t vaultlen;
	const X509 *cert;
	const char *sign_pub;
	struct slip39_share *use;
	uint8_t *buf; /* secure scratch: EMS, then K */
	long full;    /* subsets taken through the vault */
};

/* One minimal subset: it must give the same EMS; the first and the last
 * go all the way: K, the vault, the keys against the certificate. */
static int
prove_subset(void *ctx, const size_t *idx, size_t n, int last)
{
	struct proof *p = ctx;
	struct vault_header h;
	struct vault_item it[VAULT_MAX_ITEMS];
	struct backup_keys k;
	char err[512];
	size_t i, len, ni;

	for (i = 0; i < n; i++)
		p->use[i] = p->sh[idx[i]];
	if (slip39_recover_ems(p->use, n, NULL, p->buf, &len, err,
	        sizeof(err)) != 0 ||
	    len != 32 || sodium_memcmp(p->buf, p->ems, 32) != 0) {
		warnf("backup proof: a minimal set of shares does not restore "
		      "the key");
		return -1;
	}
	if (p->full > 0 && !last)
		return 0;
	if (slip39_combine(p->use, n, NULL, p->pass, p->buf, &len, err,
	        sizeof(err)) == -1 ||
	    sodium_memcmp(p->buf, p->key, 32) != 0) {
		warnf("backup proof: the shares do not give back K");
		return -1;
	}
	if (vault_open(p->vault, p->vaultlen, p->buf, &h, it, &ni, err,
	        sizeof(err)) != 0) {
		warnf("backup proof: %s: %s", BACKUP_VAULT, err);
		return -1;
	}
	if (backup_keys_from_items(it, ni, p->cert, p->sign_pub, &k, err,
	        sizeof(err)) == -1) {
		warnf("backup proof: %s: %s", BACKUP_VAULT, err);
		vault_items_free(it, ni);
		return -1;
	}
	backup_keys_free(&k);
	vault_items_free(it, ni);
	p->full++;
	return 0;
}

/* Reads the share files back: each must decode to the share made. */
static int
read_back(const char *dir, const struct slip39_share *made,
    struct slip39_share *back, size_t n)
{
	char path[4096], *text, *mn[1], err[512];
	size_t i, len, got;
	int rv;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/share-%d-%d.txt", dir,
		    made[i].group_index + 1, made[i].member_index + 1);
		got = 0;
		if (sheet_read(path, &text, &len, 65536) == -1)
			return -1;
		rv = sheet_parse(text, path, mn, 1, &got);
		sheet_free(text);
		if (rv == -1 || got != 1)
			return -1;
		rv = slip39_decode(mn[0], &back[i], err, sizeof(err));
		sheet_free_all(mn, got);
		if (rv == -1 || sodium_memcmp(&back[i], &made[i],
		                    sizeof(back[i])) != 0) {
			warnf("backup proof: %s does not read back as the "
			      "share made", path);
			return -1;
		}
	}
	return 0;
}

/* CEREMONY_TEST_FAULT=share|vault damages what was read back, so tests
 * can see a failed proof delete the new backup. */
static void
test_fault(struct slip39_share *back, size_t n, char *vault, size_t len)
{
	const char *f = getenv("CEREMONY_TEST_FAULT");

	if (f != NULL && strcmp(f, "share") == 0)
		back[n - 1].value[0] ^= 1;
	if (f != NULL && strcmp(f, "vault") == 0 && len > 2)
		vault[len - 2] = vault[len - 2] == 'A' ? 'B' : 'A';
}


int
backup_prove(struct backup_proof *bp)
{
	struct proof pf = {0};
	struct slip39_share *back = NULL, *use = NULL;
	unsigned char *vault = NULL, *ems = NULL;
	char path[4096];
	size_t vlen = 0, n = slip39_scheme_shares(bp->scheme);
	int rv = -1;

	back = sodium_allocarray(n, sizeof(*back));
	use = sodium_allocarray(n, sizeof(*use));
	ems = sodium_malloc(32);
	pf.buf = sodium_malloc(SLIP39_MAX_SECRET);
	if (back == NULL || use == NULL || ems == NULL || pf.buf == NULL) {
		warnf("out of secure memory");
		goto out;
	}
	if (slip39_encrypt(bp->key, 32, bp->pass, bp->made[0].exp,
	        bp->made[0].id, bp->made[0].ext, ems) == -1)
		goto out;
	snprintf(path, sizeof(path), "%s/deviceRootCA.vault", bp->dir);
	if (file_read(path, &vault, &vlen, VAULT_MAX) == -1 ||
	    read_back(bp->dir, bp->made, back, n) == -1)
		goto out;
	test_fault(back, n, (char *)vault, vlen);
	pf.sh = back;
	pf.ems = ems;
	pf.key = bp->key;
	pf.pass = bp->pass;
	pf.vault = (const char *)vault;
	pf.vaultlen = vlen;
	pf.cert = bp->cert;
	pf.sign_pub = bp->sign_pub;
	pf.use = use;
	bp->visited = backup_subsets(bp->scheme, BACKUP_PROOF_LIMIT,
	    prove_subset, &pf, &bp->total);
	bp->full = pf.full;
	if (bp->visited < 1 || pf.full < (bp->visited > 1 ? 2 : 1))
		goto out;
	rv = 0;
out:
	sodium_free(back);
	sodium_free(use);
	sodium_free(ems);
	sodium_free(pf.buf);
	free(vault);
	return rv;
}
