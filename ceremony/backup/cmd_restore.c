/* ceremony restore: rebuild the CA key and the signing key from the vault
 * and enough SLIP-39 shares; --check does it all without writing a key. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "backup/backup.h"
#include "cmd.h"
#include "ca/pki.h"
#include "backup/sheet.h"
#include "core/transcript.h"
#include "core/fingerprint.h"
#include "core/util.h"

#define LINE_MAX_SHARE 2048

static const char usage_text[] =
    "usage: ceremony restore [--check] [--vault FILE] [SHARE-FILE ...]\n"
    "                        [--share-passphrase | --share-passphrase-file F"
    "\n                         | --share-passphrase-fd N]\n"
    "                        [--no-passphrase | --passphrase-file F |\n"
    "                         --passphrase-fd N] [--force]\n\n"
    "Rebuilds deviceRootCA.key and ceremony.key from the backup vault and\n"
    "enough SLIP-39 shares. A SHARE-FILE is a share sheet (share-G-M.txt)\n"
    "or a file of mnemonics, one per line ('-' for stdin). With no files,\n"
    "the words are asked for at the terminal, share by share. Words may be\n"
    "in any case, with extra spaces, or cut to their first 4 letters.\n\n"
    "  --check                    restore in memory only: prove the shares\n"
    "                             work (the yearly drill); writes no key\n"
    "  --vault FILE               default " BACKUP_VAULT "\n"
    "  --share-passphrase         ask for the SLIP-39 passphrase (asked\n"
    "                             anyway if the vault says there is one)\n"
    "  --share-passphrase-file F, --share-passphrase-fd N\n"
    "                             read the SLIP-39 passphrase instead\n"
    "  --no-passphrase            write the keys unencrypted\n"
    PASS_HELP
    "                             (the new passphrase of both keys; asked\n"
    "                             twice at the terminal by default)\n"
    "  --force                    replace existing key files\n\n"
    "deviceRootCA.pem must be the CA the vault was made for; the restored\n"
    "key is checked against it before anything is written.\n"
    "Exit status: 0 ok, 1 the shares or the vault do not check out, 2 usage\n"
    "or I/O error.\n";

#define OPT_SPASS 0x2001
#define OPT_SPASS_FILE 0x2002
#define OPT_SPASS_FD 0x2003

struct shares {
	char *mn[SLIP39_MAX_SHARES];   /* sodium_malloc'd mnemonics */
	char *name[SLIP39_MAX_SHARES]; /* labels for errors */
	struct slip39_share *sh;       /* sodium_malloc'd, SLIP39_MAX_SHARES */
	size_t n;
};

static void
shares_free(struct shares *s)
{
	size_t i;

	sheet_free_all(s->mn, s->n);
	for (i = 0; i < SLIP39_MAX_SHARES; i++) {
		free(s->name[i]);
		s->name[i] = NULL;
	}
	sodium_free(s->sh);
	s->sh = NULL;
	s->n = 0;
}

/* Shares from a file: a sheet gives one, other files one per line. */
static int
shares_file(struct shares *s, const char *path)
{
	const char *label = strcmp(path, "-") == 0 ? "stdin" : path;
	size_t len, first = s->n, i;
	char *text;
	int rv;

	if (sheet_read(path, &text, &len, 1 << 20) == -1)
		return -1;
	rv = sheet_parse(text, label, s->mn, SLIP39_MAX_SHARES, &s->n);
	sheet_free(text);
	if (rv == -1)
		return -1;
	if (s->n == first) {
		warnf("%s: no share in it", label);
		return -1;
	}
	for (i = first; i < s->n; i++) {
		if (s->n - first == 1)
			s->name[i] = strdup(label);
		else if (asprintf(&s->name[i], "%s share %zu", label,
		             i - first + 1) == -1)
			s->name[i] = NULL;
		if (s->name[i] == NULL)
			return -1;
	}
	return 0;
}

/* The vault's identifier against the shares: a share of another backup is
 * named; shares that all belong to another backup blame the vault. */
static int
check_ids(const struct shares *s, const struct vault_header *h,
    const char *vault)
{
	size_t i, same = 0;

	for (i = 0; i < s->n; i++)
		same += s->sh[i].id == s->sh[0].id;
	for (i = 0; i < s->n; i++) {
		if (s->sh[i].id == h->slip39_id)
			continue;
		if (same == s->n)
			warnf("the shares (identifier %u) do not belong to %s "
			      "(identifier %u): bring this backup's shares, "
			      "or its vault with --vault",
			    s->sh[0].id, vault, h->slip39_id);
		else
			warnf("%s is from a different backup (identifier %u) "
			      "than %s (identifier %u)",
			    s->name[i], s->sh[i].id, vault, h->slip39_id);
		return -1;
	}
	return 0;
}

/* Reads one line from stdin into secure memory. 0 ok, 1 EOF, -1 error. */
static int
read_line(char *buf, size_t max)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			return n > 0 ? 0 : 1;
		if (c == '\n')
			break;
		if (n + 1 < max)
			buf[n++] = c;
	}
	buf[n] = 0;
	return 0;
}

/* Words typed at the terminal, share by share, until the shares are
 * enough or a blank line. Each share is checked as it comes. */
static int
shares_prompt(struct shares *s, const struct vault_header *h)
{
	char *line, err[512], *ems;
	size_t len;
	int r, rv = -1;

	line = sodium_malloc(LINE_MAX_SHARE);
	ems = sodium_malloc(SLIP39_MAX_SECRET);
	if (line == NULL || ems == NULL)
		goto out;
	fprintf(stderr, "Type each share's words on one line (first 4 letters "
	                "are enough); a blank line ends.\n");
	while (s->n < SLIP39_MAX_SHARES) {
		fprintf(stderr, "share %zu> ", s->n + 1);
		if ((r = read_line(line, LINE_MAX_SHARE)) == -1)
			goto out;
		if (r == 1 || str_only(line, " \t\r"))
			break;
		if (slip39_decode(line, &s->sh[s->n], err, sizeof(err)) == -1) {
			fprintf(stderr, "  %s; type this share again\n", err);
			continue;
		}
		if (s->sh[s->n].id != h->slip39_id) {
			fprintf(stderr, "  this share is from another backup "
			                "(identifier %u, the vault's is %u); "
			                "type a share of this backup\n",
			    s->sh[s->n].id, h->slip39_id);
			continue;
		}
		if ((s->mn[s->n] = sodium_malloc(strlen(line) + 1)) == NULL ||
		    asprintf(&s->name[s->n], "typed share %zu", s->n + 1) ==
		        -1)
			goto out;
		strcpy(s->mn[s->n], line);
		s->n++;
		if (slip39_recover_ems(s->sh, s->n, (const char *const *)s->name,
		        (uint8_t *)ems, &len, err, sizeof(err)) == 0) {
			fprintf(stderr, "  enough shares\n");
			break;
		}
		if (strncmp(err, "too few shares", 14) == 0) {
			fprintf(stderr, "  ok (group %d, member %d); still %s\n",
			    s->sh[s->n - 1].group_index + 1,
			    s->sh[s->n - 1].member_index + 1, err);
			continue;
		}
		fprintf(stderr, "  %s; this share was not kept\n", err);
		s->n--;
		sodium_free(s->mn[s->n]);
		s->mn[s->n] = NULL;
		free(s->name[s->n]);
		s->name[s->n] = NULL;
	}
	rv = 0;
out:
	sodium_free(line);
	sodium_free(ems);
	return rv;
}

/* The SLIP-39 passphrase: asked for when given an option or when the
 * vault says the shares have one; "" otherwise. */
static char *
share_pass(struct pass_src *ssrc, int ask, const struct vault_header *h)
{
	char *p;

	if (!ask && !h->slip39_pass) {
		if ((p = sodium_malloc(1)) != NULL)
			p[0] = 0;
		return p;
	}
	if ((p = pass_get(ssrc, "SLIP-39", 0)) == NULL)
		return NULL;
	if (!slip39_pass_ok(p) || strlen(p) > 255) {
		warnf("a SLIP-39 passphrase is printable ASCII, at most 255 "
		      "characters: this one cannot be right");
		pass_free(p);
		return NULL;
	}
	return p;
}

int
cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{"check", 0, NULL, 'c'}, {"vault", 1, NULL, 'v'},
		{"force", 0, NULL, 'f'},
		{"no-passphrase", 0, NULL, PASS_OPT_NONE},
		{"share-passphrase", 0, NULL, OPT_SPASS},
		{"share-passphrase-file", 1, NULL, OPT_SPASS_FILE},
		{"share-passphrase-fd", 1, NULL, OPT_SPASS_FD}, PASS_LONGOPTS,
		{"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *vault = BACKUP_VAULT, *outputs[4] = {CA_KEY, SIGN_KEY};
	const char *inputs[] = {NULL, CA_CERT, NULL};
	struct pass_src src = PASS_SRC_INIT, ssrc = PASS_SRC_INIT;
	struct shares s = {0};
	struct vault_header h;
	struct vault_item it[VAULT_MAX_ITEMS];
	struct backup_keys keys = {0};
	struct sigkey pub = {0};
	unsigned char *text = NULL, *key = NULL, sha[32];
	char *spass = NULL, *pass = NULL, err[512], fp[96];
	size_t len = 0, hdrlen, klen, ni = 0, i;
	int c, check = 0, force = 0, ask = 0, typed = 0, rv = EXIT_USAGE;
	int pubnew = 0, wrote_ca = 0, wrote_sk = 0, wrote_pub = 0;
	int had_ca = 0, had_sk = 0;
	X509 *cert = NULL;
	json_t *ids;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			check = 1;
			break;
		case 'v':
			vault = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case OPT_SPASS:
			ask = 1;
			break;
		case OPT_SPASS_FILE:
		case OPT_SPASS_FD:
			if (pass_option(&ssrc, c == OPT_SPASS_FILE ?
			        PASS_OPT_FILE : PASS_OPT_FD, optarg) != 0)
				return EXIT_USAGE;
			ask = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if (pass_option(&src, c, optarg) == 0)
				break;
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (!check && (file_check_new(CA_KEY, force) == -1 ||
	                  file_check_new(SIGN_KEY, force) == -1))
		return EXIT_USAGE;
	if (check && (src.none || src.file || src.fd >= 0 || force)) {
		warnf("restore --check writes no key: --force and the new key "
		      "passphrase options do not apply");
		return EXIT_USAGE;
	}
	inputs[0] = vault;
	if ((s.sh = sodium_allocarray(SLIP39_MAX_SHARES, sizeof(*s.sh))) ==
	        NULL ||
	    (key = sodium_malloc(SLIP39_MAX_SECRET)) == NULL) {
		warnf("out of secure memory");
		goto out;
	}
	/* the vault header and the certificate it was made for */
	if (file_read(vault, &text, &len, VAULT_MAX) == -1)
		goto out;
	if (vault_header_parse((char *)text, len, &h, &hdrlen, err,
	        sizeof(err)) == -1) {
		warnf("%s: %s", vault, err);
		rv = EXIT_CHECK;
		goto out;
	}
	if ((cert = pki_cert_load(CA_CERT)) == NULL)
		goto out;
	pki_cert_sha256(cert, sha);
	if (memcmp(sha, h.ca_sha256, 32) != 0) {
		fingerprint_format(h.ca_sha256, fp);
		warnf("%s is not the CA certificate of %s (made for SHA-256 "
		      "%s): restore next to the right certificate",
		    CA_CERT, vault, fp);
		rv = EXIT_CHECK;
		goto out;
	}
	/* the shares */
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (shares_file(&s, argv[i]) == -1)
			goto out;
	if (optind == argc) {
		if (isatty(STDIN_FILENO)) {
			fprintf(stderr, "Restoring %s (%s, identifier %u, "
			                "scheme %s)\n",
			    vault, h.name, h.slip39_id, h.scheme);
			if (shares_prompt(&s, &h) == -1)
				goto out;
			typed = 1;
		} else if (shares_file(&s, "-") == -1)
			goto out;
	}
	rv = EXIT_CHECK;
	if (s.n == 0) {
		warnf("no shares given: name share files, or type the words "
		      "at the terminal");
		goto out;
	}
	for (i = 0; i < s.n && !typed; i++)
		if (slip39_decode(s.mn[i], &s.sh[i], err, sizeof(err)) == -1) {
			warnf("%s: %s", s.name[i], err);
			goto out;
		}
	if (check_ids(&s, &h, vault) == -1)
		goto out;
	if (slip39_recover_ems(s.sh, s.n, (const char *const *)s.name, key,
	        &klen, err, sizeof(err)) == -1) {
		warnf("%s", err);
		goto out;
	}
	rv = EXIT_USAGE;
	if ((spass = share_pass(&ssrc, ask, &h)) == NULL)
		goto out;
	rv = EXIT_CHECK;
	if (klen != VAULT_KEYBYTES ||
	    slip39_decrypt(key, klen, spass, s.sh[0].exp, s.sh[0].id,
	        s.sh[0].ext, key) == -1) {
		warnf("%s: the shares hold a %zu-byte secret, not a vault key",
		    s.name[0], klen);
		goto out;
	}
	if ((c = vault_open((char *)text, len, key, &h, it, &ni, err,
	         sizeof(err))) != 0) {
		if (c == -1)
			warnf("%s: %s", vault, err);
		else if (spass[0] != 0)
			warnf("%s did not open: wrong SLIP-39 passphrase (or the "
			      "vault was altered)", vault);
		else
			warnf("%s did not open: the shares need their SLIP-39 "
			      "passphrase (--share-passphrase), or the vault "
			      "was altered", vault);
		goto out;
	}
	if (backup_keys_from_items(it, ni, cert, h.sign_pub, &keys, err,
	        sizeof(err)) == -1) {
		warnf("%s: %s", vault, err);
		goto out;
	}
	if (file_exists(SIGN_PUB)) {
		if (sigkey_load_public(SIGN_PUB, &pub) == -1)
			goto out;
		if (memcmp(pub.pk, keys.sign.pk, 32) != 0) {
			warnf("%s is not the public key of the signing key in "
			      "%s", SIGN_PUB, vault);
			goto out;
		}
	} else
		pubnew = 1;
	fingerprint_format(sha, fp);
	if (!check) {
		rv = EXIT_USAGE;
		if (!src.none && (pass = pass_get(&src, "CA key", 1)) == NULL)
			goto out;
		/* on failure remove only what this run created: a key it
		 * replaced (--force) is gone either way, and the new one was
		 * checked against the certificate before writing */
		had_ca = file_exists(CA_KEY);
		had_sk = file_exists(SIGN_KEY);
		if (pki_key_save(CA_KEY, keys.ca, pass, force) == -1)
			goto out;
		wrote_ca = !had_ca;
		if (sigkey_save_secret(SIGN_KEY, &keys.sign, pass, force) == -1)
			goto out;
		wrote_sk = !had_sk;
		if (pubnew && sigkey_save_public(SIGN_PUB, &keys.sign, 0) == -1)
			goto out;
		wrote_pub = pubnew;
		rv = EXIT_CHECK;
		if (backup_keys_reload(pass, cert, &keys) != 0)
			goto out;
		wrote_ca = wrote_sk = wrote_pub = 0;
		if (pubnew)
			outputs[2] = SIGN_PUB;
	}
	ids = json_array();
	for (i = 0; i < s.n; i++)
		json_array_append_new(ids, json_sprintf("%u-%d-%d", s.sh[i].id,
		    s.sh[i].group_index + 1, s.sh[i].member_index + 1));
	rv = EXIT_USAGE;
	if (transcript_append("restore", json_pack("{s:b,s:s}", "check",
	        check, "vault", vault), inputs, check ? NULL : outputs,
	        json_pack("{s:i,s:o}", "slip39_id", s.sh[0].id, "shares",
	            ids)) == -1)
		goto out;
	if (check)
		printf("restore check ok: %zu shares open %s; the CA key in it "
		       "matches %s\n", s.n, vault, CA_CERT);
	else
		printf("Restored %s (%s) and %s from %zu shares; %s matches "
		       "%s\n", CA_KEY, pass ? "passphrase-protected" :
		       "NOT encrypted", SIGN_KEY, s.n, CA_KEY, CA_CERT);
	printf("  CA SHA-256    %s\n", fp);
	printf("  signing key   %s\n", h.sign_pub);
	rv = 0;
out:
	/* written but not proved: do not leave it behind */
	if (wrote_ca)
		unlink(CA_KEY);
	if (wrote_sk)
		unlink(SIGN_KEY);
	if (wrote_pub)
		unlink(SIGN_PUB);
	vault_items_free(it, ni);
	backup_keys_free(&keys);
	shares_free(&s);
	X509_free(cert);
	pass_free(spass);
	pass_free(pass);
	sodium_free(key);
	free(text);
	return rv;
}
