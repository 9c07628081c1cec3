/* ceremony backup: seal the CA key and the signing key into a vault under
 * a random key K, split K into SLIP-39 shares, write the share sheets,
 * and prove the backup by restoring it from the files just written.
 * --reshare takes the keys from the current vault instead (reshare.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "backup/backup.h"
#include "backup/reshare.h"
#include "cmd.h"
#include "ca/pki.h"
#include "media/html.h"
#include "backup/sheet.h"
#include "core/transcript.h"
#include "core/fingerprint.h"
#include "core/secret.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: ceremony backup (--threshold T --shares N |\n"
    "                        --group T/N ... --group-threshold G)\n"
    "                       [--iteration-exponent E] [--custodian NAME ...]\n"
    "                       [--share-passphrase | --share-passphrase-file F\n"
    "                        | --share-passphrase-fd N]\n"
    "                       [--passphrase-file F | --passphrase-fd N]\n"
    "                       [--paper A4|Letter] [--force]\n"
    "       ceremony backup --reshare (--threshold T --shares N | --group ...)\n"
    "                       [--custodian NAME ...] [--share-passphrase ...]\n"
    "                       [--old-share-passphrase-file F |\n"
    "                        --old-share-passphrase-fd N] [SHARE-FILE ...]\n\n"
    "Seals deviceRootCA.key and ceremony.key into backup/deviceRootCA.vault\n"
    "(XChaCha20-Poly1305 under a random 256-bit key K) and splits K into\n"
    "SLIP-39 shares. Writes, per share, backup/share-G-M.txt (the words),\n"
    ".png and .svg (a QR code of the words) and backup/shares.html (one\n"
    "printable page per share). Then restores K from every minimal set of\n"
    "shares it can afford, opens the vault and checks the CA key against\n"
    "deviceRootCA.pem; if anything fails the new backup is deleted.\n\n"
    "  --threshold T --shares N   one group: any T of N shares restore\n"
    "  --group T/N                a group of N shares needing T (repeat)\n"
    "  --group-threshold G        groups needed (with --group)\n"
    "  --iteration-exponent E     SLIP-39 PBKDF2 cost 10000*2^E (default 1)\n"
    "  --custodian NAME           label the shares in order (repeat)\n"
    "  --share-passphrase         ask for a SLIP-39 passphrase (optional;\n"
    "                             restore then needs it as well as shares;\n"
    "                             at least " PASS_MIN_TEXT " characters)\n"
    "  --share-passphrase-file F, --share-passphrase-fd N\n"
    "                             read the SLIP-39 passphrase instead\n"
    "  --passphrase-file F, --passphrase-fd N\n"
    "                             the passphrase of deviceRootCA.key\n"
    "  --paper P                  shares.html paper size, A4 or Letter\n"
    "                             (default A4)\n"
    "  --force                    replace an existing backup/\n\n"
    "  --reshare                  a new quorum for the same keys: opens\n"
    "                             backup/deviceRootCA.vault with enough of\n"
    "                             its shares (SHARE-FILEs, or typed at the\n"
    "                             terminal), seals the same CA key and\n"
    "                             signing key under a new K with new shares,\n"
    "                             proves it, then moves the old backup/ to\n"
    "                             backup.retired-DATE/. Needs no key file\n"
    "                             (works with the CA key in a token)\n"
    "  --old-share-passphrase-file F, --old-share-passphrase-fd N\n"
    "                             the old shares' SLIP-39 passphrase (asked\n"
    "                             if the vault has one)\n\n"
    "Print backup/shares.html, give each custodian their page, then delete\n"
    "the share files from this machine. Exit status: 0 ok, 1 the backup\n"
    "did not prove out (nothing kept) or, resharing, the shares do not\n"
    "open the vault, 2 usage or I/O error.\n";

/* One run of the command: the options, then what each step makes for
 * the next. */
struct backup_run {
	struct slip39_opts so;
	struct pass_src src, ssrc; /* the CA key's and the SLIP-39 passphrase */
	const char *custodian[SLIP39_MAX_SHARES];
	const char *paper; /* of shares.html */
	size_t ncust, nshares;
	int ask, force;
	X509 *cert;
	struct backup_keys keys;
	char *spass;             /* SLIP-39 passphrase, or "" */
	unsigned char *key;      /* K */
	struct slip39_share *sh; /* its shares, group-major */
	char **mn;               /* and their mnemonics */
	struct vault_header h;
	char *file;              /* the sealed vault */
	size_t len;
	char fp[96];             /* the CA certificate's SHA-256, colon hex */
	char tmpdir[32];         /* the new backup/, until it is in place */
	int made;                /* tmpdir is ours to remove */
	struct backup_proof pf;
	int reshare;             /* --reshare: the keys from old */
	struct unlock old;       /* the current vault, opened */
	char retired[64];        /* where the old backup/ went */
};

static int
dir_nonempty(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n > 0;
}

static int
name_ok(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return n > 0 && n <= 64;
}

/* The arguments past the options: share files with --reshare (which
 * reads no key file and keeps the old backup/, retired), none without. */
static int
backup_args(int argc, char **argv, struct backup_run *b)
{
	char q[256];

	if (b->reshare) {
		b->old.files = argv + optind;
		b->old.nfiles = argc - optind;
		if (b->force || b->src.file != NULL || b->src.fd >= 0) {
			warnf("backup --reshare takes the keys from %s and "
			      "keeps the old backup as %sDATE/: --force and the "
			      "key passphrase options do not apply",
			    BACKUP_VAULT, RETIRED_PREFIX);
			return -1;
		}
		return 0;
	}
	if (b->old.ask) {
		warnf("backup: the old shares' passphrase goes with --reshare");
		return -1;
	}
	if (optind != argc) {
		warnf("backup: unexpected argument '%s'",
		    str_safe(argv[optind], (size_t)-1, q, sizeof(q)));
		return -1;
	}
	return 0;
}

/* The options, checked before anything is read: 0 ok, 1 after --help,
 * -1 with a message. */
static int
backup_options(int argc, char **argv, struct backup_run *b)
{
	static const struct option opts[] = {
		SLIP39_LONGOPTS, {"custodian", 1, NULL, 'c'},
		{"force", 0, NULL, 'f'}, {"paper", 1, NULL, 'P'},
		{"reshare", 0, NULL, 'r'}, SPASS_LONGOPTS, PASS_LONGOPTS,
		OSPASS_LONGOPTS,
		{"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	char err[128];
	int c, v;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!name_ok(optarg)) {
				warnf("--custodian: give a name of 1-64 bytes "
				      "without control characters");
				return -1;
			}
			if (b->ncust == SLIP39_MAX_SHARES)
				return -1;
			b->custodian[b->ncust++] = optarg;
			break;
		case 'f':
			b->force = 1;
			break;
		case 'r':
			b->reshare = 1;
			break;
		case 'P':
			if (html_paper_parse(optarg, &b->paper, err, sizeof(err))) {
				warnf("%s", err);
				return -1;
			}
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			v = backup_spass_option(&b->ssrc, &b->ask, c, optarg);
			if (v == -1)
				v = slip39_option(&b->so, c, optarg);
			if (v == -1)
				v = reshare_option(&b->old, c, optarg);
			if (v == RC_USAGE)
				return -1;
			if (v == 0 || pass_option(&b->src, c, optarg) == 0)
				break;
			fputs(usage_text, stderr);
			return -1;
		}
	}
	if (backup_args(argc, argv, b) == -1 ||
	    slip39_opts_scheme(&b->so, "backup", 1) == -1)
		return -1;
	b->nshares = slip39_scheme_shares(&b->so.s);
	if (b->ncust > b->nshares) {
		warnf("backup: %zu custodians for %zu shares", b->ncust,
		    b->nshares);
		return -1;
	}
	if (b->reshare)
		return 0;
	if ((v = dir_nonempty(BACKUP_DIR)) < 0) {
		warnf("%s: not a readable directory; move it away first",
		    BACKUP_DIR);
		return -1;
	}
	if (v > 0 && !b->force) {
		warnf("%s: a backup exists; use --force to replace it",
		    BACKUP_DIR);
		return -1;
	}
	return 0;
}

/* The keys to back up, a random K and its shares as mnemonics. 0, -1, or
 * RC_CHECK when the CA key is not the certificate's. */
static int
backup_split(struct backup_run *b)
{
	char err[512];
	size_t i;
	int r;

	if (b->reshare) {
		if ((r = reshare_open(&b->old)) != 0)
			return r;
		b->cert = b->old.cert;
		b->old.cert = NULL;
		b->keys = b->old.keys;
		memset(&b->old.keys, 0, sizeof(b->old.keys));
	} else if ((b->cert = pki_cert_load(CA_CERT)) == NULL)
		return -1;
	else if ((r = backup_keys_load(&b->src, b->cert, &b->keys)) != 0)
		return r;
	if ((b->spass = slip39_pass_read(&b->ssrc, b->ask, 1)) == NULL)
		return -1;
	b->key = sodium_malloc(VAULT_KEYBYTES);
	b->sh = sodium_allocarray(b->nshares, sizeof(*b->sh));
	b->mn = calloc(b->nshares, sizeof(*b->mn));
	if (b->key == NULL || b->sh == NULL || b->mn == NULL) {
		warnf("out of secure memory");
		return -1;
	}
	randombytes_buf(b->key, VAULT_KEYBYTES);
	if (slip39_generate(&b->so.s, b->key, VAULT_KEYBYTES, b->spass, -1,
	        b->sh, err, sizeof(err)) == -1) {
		warnf("backup: %s", err);
		return -1;
	}
	for (i = 0; i < b->nshares; i++)
		if ((b->mn[i] = sodium_malloc(SLIP39_MAX_MNEMONIC)) == NULL ||
		    slip39_encode(&b->sh[i], b->mn[i], SLIP39_MAX_MNEMONIC) ==
		        -1)
			return -1;
	return 0;
}

/* The vault header (what restore and the sheets show without K), and the
 * keys sealed under K with it: resharing, the old vault's items as they
 * were. */
static int
backup_seal(struct backup_run *b)
{
	struct vault_header *h = &b->h;
	struct vault_item it[2] = {{"", NULL, 0}, {"", NULL, 0}};
	char err[512];
	int rv = -1;

	backup_ceremony_name(b->cert, h->name, sizeof(h->name));
	pki_cert_sha256(b->cert, h->ca_sha256);
	sigkey_public_b64(&b->keys.sign, h->sign_pub);
	utc_iso(time(NULL), h->created);
	slip39_scheme_format(&b->so.s, h->scheme, sizeof(h->scheme));
	h->slip39_id = b->sh[0].id;
	h->slip39_pass = b->spass[0] != 0;
	fingerprint_format(h->ca_sha256, b->fp);
	if (b->reshare ? vault_seal(h, b->key, b->old.it, b->old.ni, &b->file,
	                     &b->len, err, sizeof(err)) == -1 :
	    backup_keys_items(&b->keys, it) == -1 ||
	        vault_seal(h, b->key, it, 2, &b->file, &b->len, err,
	            sizeof(err)) == -1) {
		warnf("%s: cannot seal: %s", BACKUP_VAULT, err);
		goto out;
	}
	rv = 0;
out:
	vault_items_free(it, 2);
	return rv;
}

/* Every file into a new directory, renamed into place once the backup has
 * proved itself: the vault, each share's sheet and QR code, shares.html. */
static int
backup_write(struct backup_run *b)
{
	struct sheet_info si = {0};
	char path[4096], *html = NULL;
	size_t i, htmllen;
	int rv = -1;

	snprintf(b->tmpdir, sizeof(b->tmpdir), "%s.new-XXXXXX", BACKUP_DIR);
	if (mkdtemp(b->tmpdir) == NULL) {
		warnf("%s: cannot create: %s", b->tmpdir, strerror(errno));
		return -1;
	}
	b->made = 1;
	si.ceremony = b->h.name;
	si.fingerprint = b->fp;
	si.created = b->h.created;
	si.scheme = b->h.scheme;
	si.vault = BACKUP_VAULT;
	si.paper = b->paper;
	for (i = 0; i < b->so.s.group_count; i++)
		si.group_sizes[i] = b->so.s.groups[i].count;
	snprintf(path, sizeof(path), "%s/deviceRootCA.vault", b->tmpdir);
	if (file_write(path, b->file, b->len, 0644, 0) == -1)
		goto out;
	for (i = 0; i < b->nshares; i++)
		if (sheet_write_share(b->tmpdir, &si, &b->sh[i], b->mn[i],
		        b->custodian[i]) == -1)
			goto out;
	snprintf(path, sizeof(path), "%s/%s", b->tmpdir, BACKUP_HTML);
	if (sheet_html(&si, b->sh, b->mn, b->custodian, b->nshares, &html,
	        &htmllen) == -1 ||
	    file_write_secret(path, html, htmllen, 0) == -1) {
		warnf("%s: cannot write the share sheets", path);
		goto out;
	}
	rv = 0;
out:
	sheet_free(html);
	return rv;
}

/* The proof, from the files as written: RC_CHECK if it fails. */
static int
backup_check(struct backup_run *b)
{
	struct backup_proof *pf = &b->pf;

	pf->scheme = &b->so.s;
	pf->made = b->sh;
	pf->dir = b->tmpdir;
	pf->key = b->key;
	pf->pass = b->spass;
	pf->cert = b->cert;
	pf->sign_pub = b->h.sign_pub;
	if (backup_prove(pf) == -1) {
		warnf("backup: the new backup did not prove out; it was "
		      "deleted and nothing was kept");
		return RC_CHECK;
	}
	return 0;
}

/* The new directory into place; an old backup/ is swapped out in one step,
 * so that there is always a backup on disk, then removed. */
static int
backup_replace(struct backup_run *b)
{
	if (b->reshare) {
		if (reshare_retire(b->tmpdir, b->retired,
		        sizeof(b->retired)) == -1)
			return -1;
		b->made = 0;
		return 0;
	}
	if (file_exists(BACKUP_DIR)) {
		if (renameat2(AT_FDCWD, b->tmpdir, AT_FDCWD, BACKUP_DIR,
		        RENAME_EXCHANGE) == -1) {
			warnf("%s: cannot swap with %s: %s", b->tmpdir,
			    BACKUP_DIR, strerror(errno));
			return -1;
		}
		dir_remove(b->tmpdir); /* now the old backup */
	} else if (rename(b->tmpdir, BACKUP_DIR) == -1) {
		warnf("%s: cannot rename to %s: %s", b->tmpdir, BACKUP_DIR,
		    strerror(errno));
		return -1;
	}
	b->made = 0;
	dir_sync(BACKUP_VAULT);
	dir_sync(BACKUP_DIR);
	return 0;
}

/* The transcript line: the scheme, the shares and who holds them, the
 * vault's hash and how much of the proof was done. */
static int
backup_record(struct backup_run *b)
{
	const char *inputs[] = {CA_CERT, CA_KEY, SIGN_KEY, NULL};
	const char *outputs[] = {BACKUP_VAULT, NULL};
	const struct slip39_share *sh = b->sh;
	char sha[65], old[128];
	json_t *ids, *cust, *extra;
	size_t i;

	if (sha256_file_hex(BACKUP_VAULT, sha) == -1)
		return -1;
	if (b->reshare) {
		snprintf(old, sizeof(old), "%s/deviceRootCA.vault", b->retired);
		inputs[1] = old;
		inputs[2] = NULL;
	}
	ids = json_array();
	cust = json_array();
	for (i = 0; i < b->nshares; i++) {
		json_array_append_new(ids, json_sprintf("%u-%d-%d", sh[i].id,
		    sh[i].group_index + 1, sh[i].member_index + 1));
		json_array_append_new(cust, b->custodian[i] ?
		    json_string(b->custodian[i]) : json_null());
	}
	extra = json_pack("{s:s,s:i,s:o,s:o,s:I,s:I}", "vault_sha256", sha,
	    "slip39_id", sh[0].id, "shares", ids, "custodians", cust,
	    "subsets_checked", (json_int_t)b->pf.visited,
	    "subsets_total", (json_int_t)b->pf.total);
	if (extra != NULL && b->reshare &&
	    json_object_set_new(extra, "reshared", reshare_info(&b->old,
	        b->retired)) == -1) {
		json_decref(extra);
		extra = NULL;
	}
	if (extra == NULL) {
		warnf("%s: cannot build the entry", TRANSCRIPT_FILE);
		return -1;
	}
	return transcript_append("backup",
	    json_pack("{s:s,s:i,s:b,s:b}", "scheme", b->h.scheme,
	        "iteration_exponent", b->so.s.exp, "share_passphrase",
	        b->spass[0] != 0, "reshare", b->reshare),
	    inputs, outputs, extra);
}

static void
backup_report(const struct backup_run *b)
{
	const struct slip39_share *sh = b->sh;
	size_t i;

	if (b->reshare)
		printf("Reshared        %s (%s, identifier %u) is retired in "
		       "%s/\n", BACKUP_VAULT, b->old.h.scheme,
		    b->old.h.slip39_id, b->retired);
	printf("Backup          %s (%s, identifier %u)\n", BACKUP_VAULT,
	    b->h.scheme, sh[0].id);
	printf("  CA SHA-256    %s\n", b->fp);
	printf("  proved        %ld of %.0f minimal share sets, %ld through "
	       "the vault\n", b->pf.visited, b->pf.total, b->pf.full);
	for (i = 0; i < b->nshares; i++)
		printf("  share %d-%d     %s/share-%d-%d.txt%s%s\n",
		    sh[i].group_index + 1, sh[i].member_index + 1, BACKUP_DIR,
		    sh[i].group_index + 1, sh[i].member_index + 1,
		    b->custodian[i] ? "  " : "",
		    b->custodian[i] ? b->custodian[i] : "");
	printf("Share sheets    %s/%s\n", BACKUP_DIR, BACKUP_HTML);
	printf("Print it, give each custodian their page, then delete the "
	       "share files\nand %s from this machine.\n", BACKUP_HTML);
	if (b->reshare)
		printf("The old shares still open %s/deviceRootCA.vault: once "
		       "the new shares\nare handed out, destroy that folder "
		       "and every copy of the old vault,\nand have the old "
		       "custodians destroy their shares.\n", b->retired);
}

int
cmd_backup(int argc, char **argv)
{
	const struct pass_src none = PASS_SRC_INIT;
	struct backup_run b = {0};
	int r;

	slip39_opts_init(&b.so);
	b.src = b.ssrc = b.old.ssrc = none;
	if ((r = backup_options(argc, argv, &b)) != 0)
		return r == 1 ? 0 : EXIT_USAGE;
	if ((r = backup_split(&b)) == 0 && (r = backup_seal(&b)) == 0 &&
	    (r = backup_write(&b)) == 0 && (r = backup_check(&b)) == 0 &&
	    (r = backup_replace(&b)) == 0 && (r = backup_record(&b)) == 0)
		backup_report(&b);
	if (b.made)
		dir_remove(b.tmpdir);
	if (b.mn != NULL)
		sheet_free_all(b.mn, b.nshares);
	free(b.mn);
	backup_keys_free(&b.keys);
	unlock_free(&b.old);
	X509_free(b.cert);
	pass_free(b.spass);
	sodium_free(b.key);
	sodium_free(b.sh);
	free(b.file);
	return r == 0 ? 0 : r == RC_CHECK ? EXIT_CHECK : EXIT_USAGE;
}
