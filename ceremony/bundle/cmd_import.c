/* ceremony import: verify a bundle (archive or scanned QR lines) against a
 * pinned key and unpack it on the online machine. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "bundle/import_batch.h"
#include "bundle/revbundle.h"
#include "cmd.h"
#include "ca/pki.h"
#include "ca/regions.h"
#include "ca/template.h"
#include "core/transcript.h"
#include "core/util.h"

#define IMPORT_MAX (16u << 20) /* archive or scanned text */

static const char usage_text[] =
    "usage: ceremony import BUNDLE.tar.gz (--pubkey KEY | --pubkey-file F) "
    "[--out DIR]\n"
    "       ceremony import --qr FILE|- (--pubkey KEY | --pubkey-file F) "
    "[--out DIR]\n"
    "       ceremony import --batch FILE (--pubkey KEY | --pubkey-file F) "
    "[--out DIR]\n";

static const char help_text[] =
    "\n"
    "Verifies a bundle made by 'ceremony bundle' on the air-gapped machine\n"
    "and unpacks it. Checks, in this order, stopping at the first failure:\n"
    "  1. QR frames (--qr): each frame's CRC, all frames from one bundle\n"
    "  2. enough frames to rebuild; the rebuilt length and SHA-256\n"
    "  3. the archive: regular files only; no links, devices, absolute\n"
    "     paths, '..', duplicate names or oversized members; a gzip bomb\n"
    "     is cut off at a fixed size\n"
    "  4. MANIFEST.minisig against the pinned public key\n"
    "  5. every file's SHA-256 against MANIFEST; no file missing or extra,\n"
    "     only files a bundle carries (never a key)\n"
    "  6. ceremony.pub is the pinned key; the certificates pass lint\n"
    "     against their CA (an intermediate's chain.pem: it, then the\n"
    "     root); each regions.txt parses and its registrations have their\n"
    "     files; every file a register.sh names (file://...) is there\n"
    "  7. the transcript's hash chain and the files it records\n"
    "  8. the archive is byte for byte what 'ceremony bundle' writes from\n"
    "     these files, so even a change that unpacks the same is refused\n"
    "Nothing is written unless every check passes: DIR is filled as a\n"
    "temporary folder and renamed into place. Then it lists the CAs, the\n"
    "regions and accounts they are registered in, and what to run.\n"
    "A revocation bundle ('bundle --revocations') is checked as such:\n"
    "the signature, MANIFEST, its CRL against its CA, and every line of\n"
    "revoke.sh is one 'ceremony revoke' writes; its aws commands are\n"
    "printed.\n"
    "With --batch, a batch archive of 'ceremony sign --format tar' (on\n"
    "the factory's machine): the archive as strictly, MANIFEST.minisig\n"
    "against the pinned key, every file against MANIFEST (none missing,\n"
    "none extra), summary.txt against the archive, every certificate\n"
    "linted against the batch's CA and named by its CN, every chain file\n"
    "that certificate then the CA; then it is unpacked the same way.\n"
    "\n"
    "  --pubkey KEY     the bundle-signing public key: the base64 line of\n"
    "                   ceremony.pub that the witnesses wrote down\n"
    "  --pubkey-file F  read that key from F (a minisign .pub file)\n"
    "  --qr FILE        read scanned QR payload lines from FILE ('-' for\n"
    "                   stdin), in any order; duplicates, blank and\n"
    "                   foreign lines are skipped and counted\n"
    "  --batch FILE     read a signed batch archive (sign --format tar)\n"
    "  --out DIR        unpack into DIR, which must not exist (default:\n"
    "                   the bundle's name or batch id, in the current\n"
    "                   folder)\n"
    "\n"
    "Example:\n"
    "  zbarimg --raw -q bundle/qr/*.png |\n"
    "      ceremony import --qr - --pubkey RWS... --out ca-bundle\n"
    "\n"
    "Without a pinned key the bundle is refused and its key is shown, to\n"
    "compare with the paper record. Exit status: 0 verified and unpacked,\n"
    "1 a check failed, 2 usage or I/O error.\n";

/* No pinned key: refuse, and show what the bundle claims. */
static int
refuse_unpinned(const char *src, const struct tar_list *list)
{
	const struct tar_entry *sig = tar_list_find(list, BUNDLE_SIG);
	const struct tar_entry *pub = tar_list_find(list, SIGN_PUB);
	struct minisig s;
	struct sigkey k;
	char err[256], id[17], b64[57];

	warnf("no pinned key: refusing to trust %s. Give --pubkey KEY or "
	      "--pubkey-file F",
	    src);
	if (sig != NULL &&
	    minisig_parse((const char *)sig->data, sig->len, &s, err,
		sizeof(err)) == 0) {
		minisig_keyid(s.keynum, id);
		fprintf(stderr, "The bundle says it is signed by key id %s.\n",
		    id);
	}
	if (pub != NULL && bundle_pub_parse(pub->data, pub->len, &k) == 0) {
		sigkey_public_b64(&k, b64);
		minisig_keyid(k.keynum, id);
		fprintf(stderr,
		    "Its %s (key id %s) is:\n  %s\n"
		    "Compare it with the key written on paper at the "
		    "ceremony; if it is the same,\nrun again with "
		    "--pubkey %s\n",
		    SIGN_PUB, id, b64, b64);
	}
	return EXIT_USAGE;
}

/* Writes every member into a new temp folder beside dir (malloc'd name). */
static char *
unpack(const char *dir, const struct tar_list *list)
{
	const struct tar_entry *e;
	char *tmp;

	if (bundle_dir_temp(dir, &tmp) == -1)
		return NULL;
	for (e = list->e; e < list->e + list->n; e++)
		if (bundle_dir_write(tmp, e->name, e->data, e->len, e->mode))
			goto fail;
	if (bundle_dir_seal(tmp) == 0)
		return tmp;
fail:
	dir_remove(tmp);
	free(tmp);
	return NULL;
}

/* The transcript's chain, and its files as bundled, checked in place. */
static int
check_transcript(const char *tmp, char head[65])
{
	int cwd, rv;

	if ((cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return EXIT_USAGE;
	if (chdir(tmp) == -1) {
		close(cwd);
		return EXIT_USAGE;
	}
	rv = transcript_verify_flags(TRANSCRIPT_FILE,
	    TRANSCRIPT_QUIET | TRANSCRIPT_FLAT, head);
	if (fchdir(cwd) == -1) {
		warnf("cannot return to the working folder: %s",
		    strerror(errno));
		rv = EXIT_USAGE;
	}
	close(cwd);
	if (rv == 1)
		warnf("the bundle's %s does not check out (see above)",
		    TRANSCRIPT_FILE);
	return rv;
}

/* The aws command in register.sh, with its continuation lines. */
static void
print_register(const struct tar_entry *e)
{
	const char *p = strstr((const char *)e->data,
	    "aws iot register-ca-certificate");
	const char *nl;
	char q[4 * 1024 + 1];

	if (p == NULL)
		return;
	printf("which runs:\n");
	for (;;) {
		nl = strchr(p, '\n');
		printf("  %s\n", str_safe(p, nl ? (size_t)(nl - p) : strlen(p), q,
		    sizeof(q)));
		if (nl == NULL || nl == p || nl[-1] != '\\')
			break;
		for (p = nl + 1; *p == ' ' || *p == '\t'; p++)
			;
	}
}

/* The CAs, where each is registered, and what to run next. */
static void
print_cas(const struct bundle_cas *cas, const char *out,
    const struct tar_list *list)
{
	const struct bundle_ca *c;
	char label[96], q[4 * 128 + 1];
	size_t i, k, nregs = 0, nscripts = 0;

	printf("\nCAs in the bundle:\n");
	for (i = 0; i < cas->n; i++) {
		c = &cas->v[i];
		nregs += c->nregs;
		nscripts += c->registered;
		if (c->name[0])
			snprintf(label, sizeof(label), "intermediate CA '%s'",
			    c->name);
		else
			snprintf(label, sizeof(label), "root CA");
		printf("  %-28s %s%s%s\n", str_safe(label, (size_t)-1, q,
		    sizeof(q)), c->prefix, CA_CERT, c->registered ? "" :
		    " (not registered here)");
	}
	if (nregs > 0) {
		printf("Registrations (region, account, mode):\n");
		for (i = 0; i < cas->n; i++) {
			c = &cas->v[i];
			for (k = 0; k < c->nregs; k++)
				printf("  %-16s %-12s %-8s  %s%s%s\n",
				    c->regs[k].region, c->regs[k].account[0] ?
				    c->regs[k].account : "-",
				    region_mode(&c->regs[k]), c->name[0] ?
				    "intermediate CA '" : "root CA", c->name,
				    c->name[0] ? "'" : "");
		}
	}
	printf("\nNext, with AWS credentials for the target account%s:\n",
	    nregs > 1 ? "s" : "");
	for (i = 0; i < cas->n; i++) {
		c = &cas->v[i];
		if (c->registered)
			printf("  cd %s && sh %s%s\n", out, c->prefix,
			    c->multi ? REGISTER_ALL : REGISTER_FILE);
	}
	if (nscripts == 1 && cas->v[0].registered && !cas->v[0].multi)
		print_register(tar_list_find(list, REGISTER_FILE));
}

/* Rebuilds the archive from scanned lines in path ("-": stdin), called
 * src in messages. */
static int
read_frames(const char *path, const char *src, unsigned char **buf,
    size_t *len)
{
	unsigned char *text;
	size_t tlen;
	char err[1024], q[4 * 1024 + 1];
	int rv = 0;

	if (file_read(path, &text, &tlen, IMPORT_MAX) == -1)
		return EXIT_USAGE;
	if (bundle_qr_join((const char *)text, tlen, src, buf, len, err,
		sizeof(err)) == -1) {
		warnf("%s: %s", src, str_safe(err, (size_t)-1, q, sizeof(q)));
		rv = EXIT_CHECK;
	}
	free(text);
	return rv;
}

int
cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"pubkey", 1, NULL, 'k'},
	    {"pubkey-file", 1, NULL, 'K'},
	    {"qr", 1, NULL, 'q'},
	    {"out", 1, NULL, 'o'},
	    {"batch", 1, NULL, 'b'},
	    {"help", 0, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *pubkey = NULL, *pubfile = NULL, *qr = NULL, *out = NULL;
	const char *batch = NULL;
	const char *src;
	struct sigkey pin;
	struct tar_list list;
	struct minisig s;
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[512], shahex[65], head[65], fp[96], id[17], b64[57];
	char q[4 * MINISIG_COMMENT_MAX + 1];
	char *tmp = NULL;
	struct bundle_cas *cas = NULL;
	int c, rv = EXIT_USAGE;

	memset(&list, 0, sizeof(list));
	optind = 0; /* full getopt reset */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			pubkey = optarg;
			break;
		case 'K':
			pubfile = optarg;
			break;
		case 'q':
			qr = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'h':
			printf("%s%s", usage_text, help_text);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != (qr == NULL && batch == NULL ? 1 : 0) ||
	    (qr != NULL && batch != NULL)) {
		warnf("give one bundle: an archive path, --qr FILE or --batch "
		      "FILE");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (pubkey != NULL && pubfile != NULL) {
		warnf("give --pubkey or --pubkey-file, not both");
		return EXIT_USAGE;
	}
	src = qr == NULL ? argv[optind] : strcmp(qr, "-") == 0 ? "stdin" : qr;
	if (pubkey != NULL && sigkey_parse_public(pubkey, &pin) == -1) {
		warnf("--pubkey: '%s' is not a minisign public key (56 base64 "
		      "characters, starting with RW)",
		    pubkey);
		return EXIT_USAGE;
	}
	if (pubfile != NULL && sigkey_load_public(pubfile, &pin) == -1)
		return EXIT_USAGE;
	if (out != NULL && file_exists(out)) {
		warnf("%s exists; choose another --out or remove it", out);
		return EXIT_USAGE;
	}
	if (batch != NULL)
		return import_batch(batch, pubkey || pubfile ? &pin : NULL, out);

	/* 1-2: the bytes of the archive */
	if (qr != NULL)
		rv = read_frames(qr, src, &buf, &len);
	else
		rv = file_read(src, &buf, &len, IMPORT_MAX) ? EXIT_USAGE : 0;
	if (rv != 0)
		goto out;
	sha256_hex(buf, len, shahex);

	/* 3: structure, and the bytes are what tar_write makes of it */
	rv = EXIT_CHECK;
	if (tar_read(buf, len, &bundle_limits, &list, err, sizeof(err)) == -1) {
		/* the message quotes member names: untrusted bytes */
		warnf("%s: %s", src, str_safe(err, (size_t)-1, q, sizeof(q)));
		goto out;
	}
	if (pubkey == NULL && pubfile == NULL) {
		rv = refuse_unpinned(src, &list);
		goto out;
	}

	if (tar_list_find(&list, REVB_SCRIPT) != NULL) {
		rv = revb_import(&list, &pin, out, shahex);
		goto out;
	}
	/* 4-6 */
	if (bundle_verify(&list, &pin, &s, &cas, fp) == -1)
		goto out;
	if (out == NULL)
		out = list.top;
	if (file_exists(out)) {
		warnf("%s exists; choose another --out or remove it", out);
		rv = EXIT_USAGE;
		goto out;
	}
	if ((tmp = unpack(out, &list)) == NULL) {
		rv = EXIT_USAGE;
		goto out;
	}
	if ((rv = check_transcript(tmp, head)) != 0) {
		dir_remove(tmp);
		goto out;
	}
	if (bundle_dir_rename(tmp, out) == -1) {
		warnf("%s: cannot rename %s into place: %s", out, tmp,
		    strerror(errno));
		dir_remove(tmp);
		rv = EXIT_USAGE;
		goto out;
	}
	dir_sync(out);

	minisig_keyid(pin.keynum, id);
	sigkey_public_b64(&pin, b64);
	printf("Bundle %s verified and unpacked into %s/\n", list.top, out);
	printf("  archive SHA-256  %s\n", shahex);
	printf("  signed by        key id %s (%s)\n", id, b64);
	printf("  signed comment   %s\n",
	    str_safe(s.trusted, (size_t)-1, q, sizeof(q)));
	printf("  files            %zu, all match MANIFEST\n", list.n);
	printf("\nCompare with the witnesses' paper record:\n");
	printf("  CA certificate SHA-256 fingerprint\n    %s\n", fp);
	printf("  transcript head\n    %s\n", head);
	print_cas(cas, out, &list);
	rv = 0;
out:
	bundle_cas_free(cas);
	free(tmp);
	tar_list_free(&list);
	free(buf);
	return rv;
}
