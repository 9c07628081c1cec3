/* ceremony backup: seal the CA key and the signing key into a vault under
 * a random key K, split K into SLIP-39 shares, write the share sheets,
 * and prove the backup by restoring it from the files just written. */
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
#include "cmd.h"
#include "ca/pki.h"
#include "media/qr.h"
#include "backup/sheet.h"
#include "core/transcript.h"
#include "core/fingerprint.h"
#include "core/util.h"

#define QR_SCALE 6

static const char usage_text[] =
    "usage: ceremony backup (--threshold T --shares N |\n"
    "                        --group T/N ... --group-threshold G)\n"
    "                       [--iteration-exponent E] [--custodian NAME ...]\n"
    "                       [--share-passphrase | --share-passphrase-file F\n"
    "                        | --share-passphrase-fd N]\n"
    "                       [--passphrase-file F | --passphrase-fd N]"
    " [--force]\n\n"
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
    "                             restore then needs it as well as shares)\n"
    "  --share-passphrase-file F, --share-passphrase-fd N\n"
    "                             read the SLIP-39 passphrase instead\n"
    "  --passphrase-file F, --passphrase-fd N\n"
    "                             the passphrase of deviceRootCA.key\n"
    "  --force                    replace an existing backup/\n\n"
    "Print backup/shares.html, give each custodian their page, then delete\n"
    "the share files from this machine. Exit status: 0 ok, 1 the backup\n"
    "did not prove out (nothing kept), 2 usage or I/O error.\n";

#define OPT_SPASS 0x2001
#define OPT_SPASS_FILE 0x2002
#define OPT_SPASS_FD 0x2003

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

/* share-G-M.txt, .png and .svg in dir. */
static int
write_share(const char *dir, const struct sheet_info *si,
    const struct slip39_share *sh, const char *mn, const char *custodian)
{
	char path[4096], *text = NULL, *svg = NULL, *qrtext = NULL;
	unsigned char *png = NULL;
	size_t len, pnglen = 0, svglen = 0;
	struct qr q = {0};
	int rv = -1;

	snprintf(path, sizeof(path), "%s/share-%d-%d.txt", dir,
	    sh->group_index + 1, sh->member_index + 1);
	if (sheet_txt(si, sh, mn, custodian, &text, &len) == -1) {
		warnf("%s: cannot make the share sheet", path);
		goto out;
	}
	if (file_write_secret(path, text, len, 0) == -1)
		goto out;
	if ((qrtext = sodium_malloc(strlen(mn) + 1)) == NULL ||
	    sheet_qr_text(mn, qrtext, strlen(mn) + 1) == -1 ||
	    qr_encode(qrtext, 0, 'M', &q) == -1 ||
	    qr_png(&q, QR_SCALE, &png, &pnglen) == -1 ||
	    qr_svg(&q, &svg, &svglen) == -1) {
		warnf("%s: cannot make the QR code", path);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/share-%d-%d.png", dir,
	    sh->group_index + 1, sh->member_index + 1);
	if (file_write_secret(path, png, pnglen, 0) == -1)
		goto out;
	snprintf(path, sizeof(path), "%s/share-%d-%d.svg", dir,
	    sh->group_index + 1, sh->member_index + 1);
	if (file_write_secret(path, svg, svglen, 0) == -1)
		goto out;
	rv = 0;
out:
	qr_free(&q);
	if (png != NULL)
		sodium_memzero(png, pnglen);
	if (svg != NULL)
		sodium_memzero(svg, svglen);
	free(png);
	free(svg);
	sodium_free(qrtext);
	sheet_free(text);
	return rv;
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

int
cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		SLIP39_LONGOPTS, {"custodian", 1, NULL, 'c'},
		{"force", 0, NULL, 'f'},
		{"share-passphrase", 0, NULL, OPT_SPASS},
		{"share-passphrase-file", 1, NULL, OPT_SPASS_FILE},
		{"share-passphrase-fd", 1, NULL, OPT_SPASS_FD}, PASS_LONGOPTS,
		{"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *inputs[] = {CA_CERT, CA_KEY, SIGN_KEY, NULL};
	const char *outputs[] = {BACKUP_VAULT, NULL};
	const char *custodian[SLIP39_MAX_SHARES] = {0};
	struct pass_src src = PASS_SRC_INIT, ssrc = PASS_SRC_INIT;
	struct slip39_opts so;
	struct slip39_scheme *s = &so.s;
	struct slip39_share *sh = NULL;
	struct vault_header h = {0};
	struct vault_item it[2] = {{"", NULL, 0}, {"", NULL, 0}};
	struct backup_keys keys = {0};
	struct sheet_info si = {0};
	struct backup_proof pf = {0};
	char *spass = NULL, **mn = NULL, *file = NULL, *html = NULL;
	char tmpdir[] = "backup.new-XXXXXX", path[4096];
	char err[512], fp[96], created[21], scheme[257], sha[65];
	unsigned char *key = NULL;
	size_t nshares = 0, ncust = 0, i, len, htmllen;
	int c, ask = 0, force = 0, v, made = 0;
	int rv = EXIT_USAGE;
	X509 *cert = NULL;
	json_t *ids, *cust;

	slip39_opts_init(&so);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!name_ok(optarg)) {
				warnf("--custodian: give a name of 1-64 bytes "
				      "without control characters");
				return EXIT_USAGE;
			}
			if (ncust == SLIP39_MAX_SHARES)
				return EXIT_USAGE;
			custodian[ncust++] = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case OPT_SPASS:
			ask = 1;
			break;
		case OPT_SPASS_FILE:
			if (pass_option(&ssrc, PASS_OPT_FILE, optarg) != 0)
				return EXIT_USAGE;
			ask = 1;
			break;
		case OPT_SPASS_FD:
			if (pass_option(&ssrc, PASS_OPT_FD, optarg) != 0)
				return EXIT_USAGE;
			ask = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if ((v = slip39_option(&so, c, optarg)) == -2)
				return EXIT_USAGE;
			if (v == 0 || pass_option(&src, c, optarg) == 0)
				break;
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		warnf("backup: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (slip39_opts_scheme(&so, "backup", 1) == -1)
		return EXIT_USAGE;
	nshares = slip39_scheme_shares(s);
	if (ncust > nshares) {
		warnf("backup: %zu custodians for %zu shares", ncust, nshares);
		return EXIT_USAGE;
	}
	if ((v = dir_nonempty(BACKUP_DIR)) < 0) {
		warnf("%s: not a readable directory; move it away first",
		    BACKUP_DIR);
		return EXIT_USAGE;
	}
	if (v > 0 && !force) {
		warnf("%s: a backup exists; use --force to replace it",
		    BACKUP_DIR);
		return EXIT_USAGE;
	}
	if ((cert = pki_cert_load(CA_CERT)) == NULL)
		goto out;
	if ((v = backup_keys_load(&src, cert, &keys)) != 0) {
		rv = v == -2 ? EXIT_CHECK : EXIT_USAGE;
		goto out;
	}
	if ((spass = slip39_pass_read(&ssrc, ask, 1)) == NULL)
		goto out;
	key = sodium_malloc(32);
	sh = sodium_allocarray(nshares, sizeof(*sh));
	mn = calloc(nshares, sizeof(*mn));
	if (key == NULL || sh == NULL || mn == NULL) {
		warnf("out of secure memory");
		goto out;
	}
	/* K, its shares, and the vault sealed under it */
	randombytes_buf(key, 32);
	if (slip39_generate(s, key, 32, spass, -1, sh, err, sizeof(err)) ==
	    -1) {
		warnf("backup: %s", err);
		goto out;
	}
	for (i = 0; i < nshares; i++)
		if ((mn[i] = sodium_malloc(SLIP39_MAX_MNEMONIC)) == NULL ||
		    slip39_encode(&sh[i], mn[i], SLIP39_MAX_MNEMONIC) == -1)
			goto out;
	backup_ceremony_name(cert, h.name, sizeof(h.name));
	pki_cert_sha256(cert, h.ca_sha256);
	sigkey_public_b64(&keys.sign, h.sign_pub);
	utc_iso(time(NULL), created);
	snprintf(h.created, sizeof(h.created), "%s", created);
	slip39_scheme_format(s, scheme, sizeof(scheme));
	snprintf(h.scheme, sizeof(h.scheme), "%s", scheme);
	h.slip39_id = sh[0].id;
	h.slip39_pass = spass[0] != 0;
	if (backup_keys_items(&keys, it) == -1 ||
	    vault_seal(&h, key, it, 2, &file, &len, err, sizeof(err)) == -1) {
		warnf("%s: cannot seal: %s", BACKUP_VAULT, err);
		goto out;
	}
	/* every file goes to a new directory, renamed into place once the
	 * backup has proved itself */
	if (mkdtemp(tmpdir) == NULL) {
		warnf("%s: cannot create: %s", tmpdir, strerror(errno));
		goto out;
	}
	made = 1;
	fingerprint_format(h.ca_sha256, fp);
	si.ceremony = h.name;
	si.fingerprint = fp;
	si.created = created;
	si.scheme = scheme;
	si.vault = BACKUP_VAULT;
	for (i = 0; i < s->group_count; i++)
		si.group_sizes[i] = s->groups[i].count;
	snprintf(path, sizeof(path), "%s/deviceRootCA.vault", tmpdir);
	if (file_write(path, file, len, 0644, 0) == -1)
		goto out;
	for (i = 0; i < nshares; i++)
		if (write_share(tmpdir, &si, &sh[i], mn[i], custodian[i]) == -1)
			goto out;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, BACKUP_HTML);
	if (sheet_html(&si, sh, mn, custodian, nshares, &html, &htmllen) ==
	        -1 ||
	    file_write_secret(path, html, htmllen, 0) == -1) {
		warnf("%s: cannot write the share sheets", path);
		goto out;
	}
	/* the proof, from the files as written */
	rv = EXIT_CHECK;
	pf.scheme = s;
	pf.made = sh;
	pf.dir = tmpdir;
	pf.key = key;
	pf.pass = spass;
	pf.cert = cert;
	pf.sign_pub = h.sign_pub;
	if (backup_prove(&pf) == -1) {
		warnf("backup: the new backup did not prove out; it was "
		      "deleted and nothing was kept");
		goto out;
	}
	/* into place */
	rv = EXIT_USAGE;
	if (file_exists(BACKUP_DIR)) {
		/* swap in one step: there is always a backup/ on disk */
		if (renameat2(AT_FDCWD, tmpdir, AT_FDCWD, BACKUP_DIR,
			RENAME_EXCHANGE) == -1) {
			warnf("%s: cannot swap with %s: %s", tmpdir, BACKUP_DIR,
			    strerror(errno));
			goto out;
		}
		dir_remove(tmpdir); /* now the old backup */
	} else if (rename(tmpdir, BACKUP_DIR) == -1) {
		warnf("%s: cannot rename to %s: %s", tmpdir, BACKUP_DIR,
		    strerror(errno));
		goto out;
	}
	made = 0;
	dir_sync(BACKUP_VAULT);
	dir_sync(BACKUP_DIR);
	ids = json_array();
	cust = json_array();
	for (i = 0; i < nshares; i++) {
		json_array_append_new(ids, json_sprintf("%u-%d-%d", sh[i].id,
		    sh[i].group_index + 1, sh[i].member_index + 1));
		json_array_append_new(cust, custodian[i] ?
		    json_string(custodian[i]) : json_null());
	}
	if (sha256_file_hex(BACKUP_VAULT, sha) == -1)
		goto out;
	if (transcript_append("backup",
	        json_pack("{s:s,s:i,s:b}", "scheme", scheme,
	            "iteration_exponent", s->exp, "share_passphrase",
	            spass[0] != 0),
	        inputs, outputs,
	        json_pack("{s:s,s:i,s:o,s:o,s:I,s:I}", "vault_sha256", sha,
	            "slip39_id", sh[0].id, "shares", ids, "custodians", cust,
	            "subsets_checked", (json_int_t)pf.visited,
	            "subsets_total", (json_int_t)pf.total)) == -1)
		goto out;
	printf("Backup          %s (%s, identifier %u)\n", BACKUP_VAULT,
	    scheme, sh[0].id);
	printf("  CA SHA-256    %s\n", fp);
	printf("  proved        %ld of %.0f minimal share sets, %ld through "
	       "the vault\n", pf.visited, pf.total, pf.full);
	for (i = 0; i < nshares; i++)
		printf("  share %d-%d     %s/share-%d-%d.txt%s%s\n",
		    sh[i].group_index + 1, sh[i].member_index + 1, BACKUP_DIR,
		    sh[i].group_index + 1, sh[i].member_index + 1,
		    custodian[i] ? "  " : "", custodian[i] ? custodian[i] : "");
	printf("Share sheets    %s/%s\n", BACKUP_DIR, BACKUP_HTML);
	printf("Print it, give each custodian their page, then delete the "
	       "share files\nand %s from this machine.\n", BACKUP_HTML);
	rv = 0;
out:
	if (made)
		dir_remove(tmpdir);
	if (mn != NULL)
		sheet_free_all(mn, nshares);
	free(mn);
	vault_items_free(it, 2);
	backup_keys_free(&keys);
	X509_free(cert);
	pass_free(spass);
	sodium_free(key);
	sodium_free(sh);
	sheet_free(html);
	free(file);
	return rv;
}
