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
#include "backup/unlock.h"
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
	struct unlock u;   /* the vault, the shares, the keys */
	struct pass_src src; /* the new key passphrase */
	int check, force;
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
			r->u.vault = optarg;
			break;
		case 'f':
			r->force = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			if ((v = backup_spass_option(&r->u.ssrc, &r->u.ask, c,
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
	r->u.files = argv + optind;
	r->u.nfiles = argc - optind;
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
		if ((rv = restore_token_write(&r->ks, r->u.keys.ca, r->u.cert,
			 r->force, &r->token)) != 0)
			goto out;
		rv = -1;
	} else if (pki_key_save(CA_KEY, r->u.keys.ca, r->pass, r->force) == -1)
		goto out;
	wrote_ca = !had_ca;
	if (sigkey_save_secret(SIGN_KEY, &r->u.keys.sign, r->pass, r->force) ==
	    -1)
		goto out;
	wrote_sk = !had_sk;
	if (r->u.pubnew && sigkey_save_public(SIGN_PUB, &r->u.keys.sign, 0) == -1)
		goto out;
	wrote_pub = r->u.pubnew;
	if (r->ks.uri != NULL ? restore_sign_reload(r->pass, &r->u.keys.sign) :
	    backup_keys_reload(r->pass, r->u.cert, &r->u.keys) != 0) {
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
	const char *inputs[] = {r->u.vault, CA_CERT, NULL};
	const char *outputs[] = {r->ks.uri ? CA_URI : CA_KEY, SIGN_KEY,
	    r->u.pubnew ? SIGN_PUB : NULL, NULL};
	const struct shares *s = &r->u.s;
	char fp[96];
	json_t *ids;
	size_t i;

	ids = json_array();
	for (i = 0; i < s->n; i++)
		json_array_append_new(ids, json_sprintf("%u-%d-%d", s->sh[i].id,
		    s->sh[i].group_index + 1, s->sh[i].member_index + 1));
	if (transcript_append("restore", json_pack("{s:b,s:s}", "check",
	        r->check, "vault", r->u.vault), inputs,
	        r->check ? NULL : outputs,
	        json_pack("{s:s,s:s,s:i,s:o,s:o*}", "scheme", r->u.h.scheme,
	            "vault_created", r->u.h.created, "slip39_id", s->sh[0].id,
	            "shares", ids, "ca_key", r->token)) == -1)
		return -1;
	if (r->check)
		printf("restore check ok: %zu shares open %s; the CA key in it "
		       "matches %s\n", s->n, r->u.vault, CA_CERT);
	else
		printf("Restored %s (%s) and %s from %zu shares; %s matches "
		       "%s\n", r->ks.uri ? "the CA key into the token" : CA_KEY,
		       r->ks.uri ? CA_URI : r->pass ? "passphrase-protected" :
		       "NOT encrypted", SIGN_KEY, s->n, r->ks.uri ? CA_URI :
		       CA_KEY, CA_CERT);
	fingerprint_format(r->u.sha, fp);
	printf("  CA SHA-256    %s\n", fp);
	printf("  signing key   %s\n", r->u.h.sign_pub);
	return 0;
}

int
cmd_restore(int argc, char **argv)
{
	const struct pass_src none = PASS_SRC_INIT;
	struct restore_run r = {0};
	int v;

	r.u.vault = BACKUP_VAULT;
	r.u.verb = "Restoring";
	r.src = r.u.ssrc = none;
	if ((v = restore_options(argc, argv, &r)) != 0)
		return v == 1 ? 0 : EXIT_USAGE;
	if ((v = unlock_load(&r.u)) == 0 && (v = unlock_shares(&r.u)) == 0 &&
	    (v = unlock_vault(&r.u)) == 0 &&
	    (r.check || (v = restore_write(&r)) == 0))
		v = restore_record(&r);
	unlock_free(&r.u);
	pass_free(r.pass);
	return v == 0 ? 0 : v == RC_CHECK ? EXIT_CHECK : EXIT_USAGE;
}
