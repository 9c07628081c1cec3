/* Opening a backup vault with its shares: the header and the certificate,
 * the shares from files, stdin or the terminal, K, and the keys inside
 * checked against deviceRootCA.pem and ceremony.pub. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "backup/unlock.h"
#include "ca/pki.h"
#include "core/fingerprint.h"
#include "core/util.h"

int
unlock_load(struct unlock *u)
{
	char err[512], fp[96];
	size_t hdrlen;

	if ((u->s.sh = sodium_allocarray(SLIP39_MAX_SHARES,
	         sizeof(*u->s.sh))) == NULL ||
	    (u->key = sodium_malloc(SLIP39_MAX_SECRET)) == NULL) {
		warnf("out of secure memory");
		return -1;
	}
	if (file_read(u->vault, &u->text, &u->len, VAULT_MAX) == -1)
		return -1;
	if (vault_header_parse((char *)u->text, u->len, &u->h, &hdrlen, err,
	        sizeof(err)) == -1) {
		warnf("%s: %s", u->vault, err);
		return RC_CHECK;
	}
	if ((u->cert = pki_cert_load(CA_CERT)) == NULL)
		return -1;
	pki_cert_sha256(u->cert, u->sha);
	if (memcmp(u->sha, u->h.ca_sha256, 32) != 0) {
		fingerprint_format(u->h.ca_sha256, fp);
		warnf("%s is not the CA certificate of %s (made for SHA-256 "
		      "%s): restore next to the right certificate",
		    CA_CERT, u->vault, fp);
		return RC_CHECK;
	}
	return 0;
}

int
unlock_shares(struct unlock *u)
{
	struct shares *s = &u->s;
	char err[512], name[4 * sizeof(u->h.name)], scheme[4 * 64];
	size_t i;
	int typed = 0;

	for (i = 0; i < (size_t)u->nfiles; i++)
		if (shares_read(s, u->files[i]) == -1)
			return -1;
	if (u->nfiles == 0) {
		if (isatty(STDIN_FILENO)) {
			/* the header is not authenticated yet */
			fprintf(stderr, "%s %s (%s, identifier %u, "
			                "scheme %s)\n",
			    u->verb, u->vault,
			    str_safe(u->h.name, (size_t)-1, name, sizeof(name)),
			    u->h.slip39_id,
			    str_safe(u->h.scheme, (size_t)-1, scheme,
			        sizeof(scheme)));
			if (shares_prompt(s, &u->h) == -1)
				return -1;
			typed = 1;
		} else if (shares_read(s, "-") == -1)
			return -1;
	}
	if (s->n == 0) {
		warnf("no shares given: name share files, or type the words "
		      "at the terminal");
		return RC_CHECK;
	}
	for (i = 0; i < s->n && !typed; i++)
		if (slip39_decode(s->mn[i], &s->sh[i], err, sizeof(err)) ==
		    -1) {
			warnf("%s: %s", s->name[i], err);
			return RC_CHECK;
		}
	if (shares_check_ids(s, &u->h, u->vault) == -1)
		return RC_CHECK;
	if (slip39_recover_ems(s->sh, s->n, (const char *const *)s->name,
	        u->key, &u->klen, err, sizeof(err)) != 0) {
		warnf("%s", err);
		return RC_CHECK;
	}
	return 0;
}

int
unlock_vault(struct unlock *u)
{
	const struct slip39_share *sh = &u->s.sh[0];
	struct sigkey pub = {0};
	char err[512];
	int v;

	/* asked for when given an option or when the vault says the
	 * shares have one */
	if ((u->spass = slip39_pass_read(&u->ssrc, u->ask || u->h.slip39_pass,
	         0)) == NULL)
		return -1;
	if (u->klen != VAULT_KEYBYTES ||
	    slip39_decrypt(u->key, u->klen, u->spass, sh->exp, sh->id,
	        sh->ext, u->key) == -1) {
		warnf("%s: the shares hold a %zu-byte secret, not a vault key",
		    u->s.name[0], u->klen);
		return RC_CHECK;
	}
	if ((v = vault_open((char *)u->text, u->len, u->key, &u->h, u->it,
	         &u->ni, err, sizeof(err))) != 0) {
		if (v == -1)
			warnf("%s: %s", u->vault, err);
		else if (u->spass[0] != 0)
			warnf("%s did not open: wrong SLIP-39 passphrase (or the "
			      "vault was altered)", u->vault);
		else
			warnf("%s did not open: the shares need their SLIP-39 "
			      "passphrase (--share-passphrase), or the vault "
			      "was altered", u->vault);
		return RC_CHECK;
	}
	if (backup_keys_from_items(u->it, u->ni, u->cert, u->h.sign_pub,
	        &u->keys, err, sizeof(err)) == -1) {
		warnf("%s: %s", u->vault, err);
		return RC_CHECK;
	}
	if (!file_exists(SIGN_PUB)) {
		u->pubnew = 1;
		return 0;
	}
	if (sigkey_load_public(SIGN_PUB, &pub) == -1)
		return RC_CHECK;
	if (memcmp(pub.pk, u->keys.sign.pk, 32) != 0) {
		warnf("%s is not the public key of the signing key in %s",
		    SIGN_PUB, u->vault);
		return RC_CHECK;
	}
	return 0;
}

void
unlock_free(struct unlock *u)
{
	vault_items_free(u->it, u->ni);
	u->ni = 0;
	backup_keys_free(&u->keys);
	shares_free(&u->s);
	X509_free(u->cert);
	u->cert = NULL;
	pass_free(u->spass);
	u->spass = NULL;
	sodium_free(u->key);
	u->key = NULL;
	free(u->text);
	u->text = NULL;
}
