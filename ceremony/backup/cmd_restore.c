/* ceremony restore: rebuild the CA key and the signing key from the vault
 * and enough SLIP-39 shares; --check does it all without writing a key. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "backup/backup.h"
#include "cmd.h"
#include "backup/restore_token.h"
#include "ca/cakey.h"
#include "ca/pki.h"
#include "backup/shares.h"
#include "core/transcript.h"
#include "core/fingerprint.h"
#include "core/secret.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony restore [--check] [--vault FILE] [SHARE-FILE ...]\n"
    "                        [--share-passphrase | --share-passphrase-file F"
    "\n                         | --share-passphrase-fd N]\n"
    "                        [--no-passphrase | --passphrase-file F |\n"
    "                         --passphrase-fd N] [--force]\n"
    "                        [--key-uri URI [--pkcs11-module P]\n"
    "                         [--pin-file F | --pin-fd N]]\n\n"
    "Rebuilds deviceRootCA.key and ceremony.key from the backup vault and\n"
    "enough SLIP-39 shares. A SHARE-FILE is a share sheet (share-G-M.txt)\n"
    "or a file of mnemonics, one per line ('-' for stdin). With no files,\n"
    "the words are asked for at the terminal, share by share, and not\n"
    "shown: each share shows its word count and checksum result. Words may\n"
    "be in any case, with extra spaces, or cut to their first 4 letters.\n\n"
    "  --check                    restore in memory only: prove the shares\n"
    "                             work (the yearly drill); writes no key\n"
    "  --vault FILE               default " BACKUP_VAULT "\n"
    "  --share-passphrase         ask for the SLIP-39 passphrase (asked\n"
    "                             anyway if the vault says there is one)\n"
    "  --share-passphrase-file F, --share-passphrase-fd N\n"
    "                             read the SLIP-39 passphrase instead\n"
    "  --no-passphrase            write the keys unencrypted\n"
    PASS_HELP
    "                             (the new passphrase of both keys, at\n"
    "                             least " PASS_MIN_TEXT " characters; asked twice at\n"
    "                             the terminal by default)\n"
    "  --force                    replace existing key files\n"
    PIN_HELP
    "                     with --key-uri the CA key goes straight into\n"
    "                     the token (never to disk) and " CA_URI "\n"
    "                     names it; the passphrase protects ceremony.key\n\n"
    "deviceRootCA.pem must be the CA the vault was made for; the restored\n"
    "key is checked against it before anything is written.\n"
    "Exit status: 0 ok, 1 the shares or the vault do not check out, 2 usage\n"
    "or I/O error.\n";

/* One run of the command: the options, then what each step finds. */
struct restore_run {
	const char *vault;
	struct pass_src src, ssrc; /* the new key passphrase, SLIP-39's */
	int check, force, ask;
	char **files; /* share files named on the command line */
	int nfiles;
	unsigned char *text; /* the vault file */
	size_t len;
	struct vault_header h;
	X509 *cert;
	unsigned char sha[32]; /* the certificate's SHA-256 */
	struct shares s;
	unsigned char *key; /* the recovered secret, then K */
	size_t klen;
	char *spass;
	struct vault_item it[VAULT_MAX_ITEMS];
	size_t ni;
	struct backup_keys keys;
	int pubnew; /* no ceremony.pub yet: restore writes it */
	char *pass; /* the restored keys' passphrase, NULL for none */
	struct key_src ks; /* --key-uri: restore into a token */
	json_t *token;     /* the token key, for the transcript */
};

/* The options, checked before anything is read: 0 ok, 1 after --help,
 * -1 with a message. */
static int
restore_options(int argc, char **argv, struct restore_run *r)
{
	static const struct option opts[] = {
		{"check", 0, NULL, 'c'}, {"vault", 1, NULL, 'v'},
		{"force", 0, NULL, 'f'},
		{"no-passphrase", 0, NULL, PASS_OPT_NONE}, SPASS_LONGOPTS,
		PASS_LONGOPTS, PIN_LONGOPTS, {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, v;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			r->check = 1;
			break;
		case 'v':
			r->vault = optarg;
			break;
		case 'f':
			r->force = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			if ((v = backup_spass_option(&r->ssrc, &r->ask, c,
			         optarg)) == RC_USAGE)
				return -1;
			if (v == 0 || pass_option(&r->src, c, optarg) == 0 ||
			    (v = key_src_option(&r->ks, c, optarg)) == 0)
				break;
			if (v == RC_USAGE)
				return -1;
			fputs(usage_text, stderr);
			return -1;
		}
	}
	r->files = argv + optind;
	r->nfiles = argc - optind;
	if (r->ks.uri != NULL && file_exists(CA_KEY)) {
		warnf("%s exists: with --key-uri the CA key goes into the "
		      "token; move the file away first", CA_KEY);
		return -1;
	}
	if (!r->check && (file_check_new(r->ks.uri ? CA_URI : CA_KEY,
	                      r->force) == -1 ||
	                     file_check_new(SIGN_KEY, r->force) == -1))
		return -1;
	if (r->check && (r->src.none || r->src.file || r->src.fd >= 0 ||
	                    r->force || r->ks.uri)) {
		warnf("restore --check writes no key: --force and the new key "
		      "passphrase options do not apply");
		return -1;
	}
	return 0;
}

/* The vault header and the certificate it was made for: RC_CHECK if the
 * vault is not one or the certificate is another CA's. */
static int
restore_load(struct restore_run *r)
{
	char err[512], fp[96];
	size_t hdrlen;

	if ((r->s.sh = sodium_allocarray(SLIP39_MAX_SHARES,
	         sizeof(*r->s.sh))) == NULL ||
	    (r->key = sodium_malloc(SLIP39_MAX_SECRET)) == NULL) {
		warnf("out of secure memory");
		return -1;
	}
	if (file_read(r->vault, &r->text, &r->len, VAULT_MAX) == -1)
		return -1;
	if (vault_header_parse((char *)r->text, r->len, &r->h, &hdrlen, err,
	        sizeof(err)) == -1) {
		warnf("%s: %s", r->vault, err);
		return RC_CHECK;
	}
	if ((r->cert = pki_cert_load(CA_CERT)) == NULL)
		return -1;
	pki_cert_sha256(r->cert, r->sha);
	if (memcmp(r->sha, r->h.ca_sha256, 32) != 0) {
		fingerprint_format(r->h.ca_sha256, fp);
		warnf("%s is not the CA certificate of %s (made for SHA-256 "
		      "%s): restore next to the right certificate",
		    CA_CERT, r->vault, fp);
		return RC_CHECK;
	}
	return 0;
}

/* The shares, from files, the terminal or stdin, and the secret they
 * hold: -1 when they cannot be read, RC_CHECK when they do not combine. */
static int
restore_gather(struct restore_run *r)
{
	struct shares *s = &r->s;
	char err[512], name[4 * sizeof(r->h.name)], scheme[4 * 64];
	size_t i;
	int typed = 0;

	for (i = 0; i < (size_t)r->nfiles; i++)
		if (shares_read(s, r->files[i]) == -1)
			return -1;
	if (r->nfiles == 0) {
		if (isatty(STDIN_FILENO)) {
			/* the header is not authenticated yet */
			fprintf(stderr, "Restoring %s (%s, identifier %u, "
			                "scheme %s)\n",
			    r->vault,
			    str_safe(r->h.name, (size_t)-1, name, sizeof(name)),
			    r->h.slip39_id,
			    str_safe(r->h.scheme, (size_t)-1, scheme,
			        sizeof(scheme)));
			if (shares_prompt(s, &r->h) == -1)
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
	if (shares_check_ids(s, &r->h, r->vault) == -1)
		return RC_CHECK;
	if (slip39_recover_ems(s->sh, s->n, (const char *const *)s->name,
	        r->key, &r->klen, err, sizeof(err)) != 0) {
		warnf("%s", err);
		return RC_CHECK;
	}
	return 0;
}

/* K from the secret and the SLIP-39 passphrase, the vault opened with it,
 * and its keys checked against the certificate and ceremony.pub. */
static int
restore_unlock(struct restore_run *r)
{
	const struct slip39_share *sh = &r->s.sh[0];
	struct sigkey pub = {0};
	char err[512];
	int v;

	/* asked for when given an option or when the vault says the
	 * shares have one */
	if ((r->spass = slip39_pass_read(&r->ssrc, r->ask || r->h.slip39_pass,
	         0)) == NULL)
		return -1;
	if (r->klen != VAULT_KEYBYTES ||
	    slip39_decrypt(r->key, r->klen, r->spass, sh->exp, sh->id,
	        sh->ext, r->key) == -1) {
		warnf("%s: the shares hold a %zu-byte secret, not a vault key",
		    r->s.name[0], r->klen);
		return RC_CHECK;
	}
	if ((v = vault_open((char *)r->text, r->len, r->key, &r->h, r->it,
	         &r->ni, err, sizeof(err))) != 0) {
		if (v == -1)
			warnf("%s: %s", r->vault, err);
		else if (r->spass[0] != 0)
			warnf("%s did not open: wrong SLIP-39 passphrase (or the "
			      "vault was altered)", r->vault);
		else
			warnf("%s did not open: the shares need their SLIP-39 "
			      "passphrase (--share-passphrase), or the vault "
			      "was altered", r->vault);
		return RC_CHECK;
	}
	if (backup_keys_from_items(r->it, r->ni, r->cert, r->h.sign_pub,
	        &r->keys, err, sizeof(err)) == -1) {
		warnf("%s: %s", r->vault, err);
		return RC_CHECK;
	}
	if (!file_exists(SIGN_PUB)) {
		r->pubnew = 1;
		return 0;
	}
	if (sigkey_load_public(SIGN_PUB, &pub) == -1)
		return RC_CHECK;
	if (memcmp(pub.pk, r->keys.sign.pk, 32) != 0) {
		warnf("%s is not the public key of the signing key in %s",
		    SIGN_PUB, r->vault);
		return RC_CHECK;
	}
	return 0;
}

/* The keys written and read back: RC_CHECK if they do not read back as
 * the keys restored. On failure it removes only what this run created: a
 * key it replaced (--force) is gone either way, and the new one was
 * checked against the certificate before writing. */
static int
restore_write(struct restore_run *r)
{
	int had_ca, had_sk, wrote_ca = 0, wrote_sk = 0, wrote_pub = 0;
	int rv = -1;

	if (!r->src.none && (r->pass = pass_get(&r->src, "CA key", 1)) == NULL)
		return -1;
	had_ca = file_exists(CA_KEY);
	had_sk = file_exists(SIGN_KEY);
	if (r->ks.uri != NULL) {
		had_ca = file_exists(CA_URI);
		if ((rv = restore_token_write(&r->ks, r->keys.ca, r->cert,
			 r->force, &r->token)) != 0)
			goto out;
		rv = -1;
	} else if (pki_key_save(CA_KEY, r->keys.ca, r->pass, r->force) == -1)
		goto out;
	wrote_ca = !had_ca;
	if (sigkey_save_secret(SIGN_KEY, &r->keys.sign, r->pass, r->force) ==
	    -1)
		goto out;
	wrote_sk = !had_sk;
	if (r->pubnew && sigkey_save_public(SIGN_PUB, &r->keys.sign, 0) == -1)
		goto out;
	wrote_pub = r->pubnew;
	if (r->ks.uri != NULL ? restore_sign_reload(r->pass, &r->keys.sign) :
	    backup_keys_reload(r->pass, r->cert, &r->keys) != 0) {
		rv = RC_CHECK;
		goto out;
	}
	rv = 0;
out:
	if (rv != 0 && wrote_ca)
		unlink(r->ks.uri ? CA_URI : CA_KEY);
	if (rv != 0) {
		json_decref(r->token);
		r->token = NULL;
	}
	if (rv != 0 && wrote_sk)
		unlink(SIGN_KEY);
	if (rv != 0 && wrote_pub)
		unlink(SIGN_PUB);
	return rv;
}

/* The transcript line and the report. */
static int
restore_record(struct restore_run *r)
{
	const char *inputs[] = {r->vault, CA_CERT, NULL};
	const char *outputs[] = {r->ks.uri ? CA_URI : CA_KEY, SIGN_KEY,
	    r->pubnew ? SIGN_PUB : NULL, NULL};
	const struct shares *s = &r->s;
	char fp[96];
	json_t *ids;
	size_t i;

	ids = json_array();
	for (i = 0; i < s->n; i++)
		json_array_append_new(ids, json_sprintf("%u-%d-%d", s->sh[i].id,
		    s->sh[i].group_index + 1, s->sh[i].member_index + 1));
	if (transcript_append("restore", json_pack("{s:b,s:s}", "check",
	        r->check, "vault", r->vault), inputs,
	        r->check ? NULL : outputs,
	        json_pack("{s:i,s:o,s:o*}", "slip39_id", s->sh[0].id, "shares",
	            ids, "ca_key", r->token)) == -1)
		return -1;
	if (r->check)
		printf("restore check ok: %zu shares open %s; the CA key in it "
		       "matches %s\n", s->n, r->vault, CA_CERT);
	else
		printf("Restored %s (%s) and %s from %zu shares; %s matches "
		       "%s\n", r->ks.uri ? "the CA key into the token" : CA_KEY,
		       r->ks.uri ? CA_URI : r->pass ? "passphrase-protected" :
		       "NOT encrypted", SIGN_KEY, s->n, r->ks.uri ? CA_URI :
		       CA_KEY, CA_CERT);
	fingerprint_format(r->sha, fp);
	printf("  CA SHA-256    %s\n", fp);
	printf("  signing key   %s\n", r->h.sign_pub);
	return 0;
}

int
cmd_restore(int argc, char **argv)
{
	const struct pass_src none = PASS_SRC_INIT;
	struct restore_run r = {0};
	int v;

	r.vault = BACKUP_VAULT;
	r.src = r.ssrc = none;
	if ((v = restore_options(argc, argv, &r)) != 0)
		return v == 1 ? 0 : EXIT_USAGE;
	if ((v = restore_load(&r)) == 0 && (v = restore_gather(&r)) == 0 &&
	    (v = restore_unlock(&r)) == 0 &&
	    (r.check || (v = restore_write(&r)) == 0))
		v = restore_record(&r);
	vault_items_free(r.it, r.ni);
	backup_keys_free(&r.keys);
	shares_free(&r.s);
	X509_free(r.cert);
	pass_free(r.spass);
	pass_free(r.pass);
	sodium_free(r.key);
	free(r.text);
	return v == 0 ? 0 : v == RC_CHECK ? EXIT_CHECK : EXIT_USAGE;
}
